//! Dossiers: submit one, read one, its timeline (lists are in `lists`, documents in `downloads`).

use chrono::{DateTime, Utc};
use hoso_engine::case::{
    Actor, ActorKind, Applicant, ApplicantKind, Case, Command, DocumentRef, DossierCode,
    NotifyChannel, PostalAddress, Provenance, RepresentationBasis, Representative, ResultDelivery,
    Submission, UnitId, available_commands,
};
use hoso_engine::clock::vietnam;
use hoso_engine::messages::{Denial, RequestProblem, RoleRule};
use hoso_engine::ports::Dossiers as _;
use hoso_engine::procedure::{ChannelKind, Delivery, ProcedureCode};
use hoso_engine::service::{Request as CommandRequest, Target};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::idempotency::{claim_command_id, submission_hash};
use super::uploads::settle_uploads;
use super::{AppError, AppState, Principal};
use crate::access::UserKind;
use crate::documents::Staged;

/// A new dossier.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// National procedure code; the current version is used.
    pub procedure: String,
    /// direct, online or postal.
    pub channel: String,
    /// The receiving one-stop unit's code, e.g. 000.00.17.H21.
    pub receiving_unit: String,
    /// The applicant.
    pub applicant: ApplicantBody,
    /// E-form values by field id.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    /// Documents by reference (uploads come as multipart parts instead).
    #[serde(default)]
    pub documents: Vec<DocumentBody>,
    /// How the applicant wants the result: one of the procedure's result channels.
    #[serde(default)]
    pub delivery: Option<DeliveryBody>,
    /// How the applicant wants to be told of changes: `email`, `sms`, or both; every contact
    /// given when absent.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub notify: Option<Vec<NotifyChannel>>,
}

/// The applicant.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantBody {
    /// `citizen` (default), `organisation` or `foreigner`; the procedure lists those it accepts.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub kind: Option<ApplicantKind>,
    /// The identifier of the kind: 12-digit personal identification number, tax code
    /// (10 digits with its check digit, or 10 + "-" + 3 for a branch), or passport number.
    #[serde(alias = "citizen_id")]
    pub id_number: String,
    /// A foreigner's nationality, ISO 3166-1 alpha-2 (e.g. JP).
    #[serde(default)]
    pub nationality: Option<String>,
    /// The person submitting for the applicant: an organisation's legal representative, or
    /// someone authorised (then a `van_ban_uy_quyen` document is attached).
    #[serde(default)]
    pub representative: Option<RepresentativeBody>,
    /// Full name, or the organisation's registered name.
    pub name: String,
    /// Phone for SMS.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
}

/// A person acting for the applicant.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeBody {
    /// Their own 12-digit personal identification number (online: the signed-in person's).
    pub citizen_id: String,
    /// Their full name.
    pub name: String,
    /// `legal` (by law, e.g. a company's legal representative) or `authorised`.
    #[schema(value_type = String)]
    pub basis: RepresentationBasis,
}

/// The chosen way of receiving the result.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryBody {
    /// `online`, `postal` or `counter`: one the procedure offers.
    #[schema(value_type = String)]
    pub channel: Delivery,
    /// For `postal`: where the result goes.
    #[serde(default)]
    pub address: Option<AddressBody>,
}

/// A postal address for the result.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressBody {
    /// Who receives it.
    pub recipient: String,
    /// Their phone.
    pub phone: String,
    /// House number and street.
    pub street: String,
    /// Commune or ward.
    pub ward: String,
    /// Province or city.
    pub province: String,
}

/// A document given by reference.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentBody {
    /// The dossier component it satisfies.
    pub component: String,
    /// Title.
    pub name: String,
    /// data_store or database.
    pub provenance: String,
    /// The reference in that store.
    pub reference: String,
}

/// A dossier as its caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierView {
    /// Dossier code.
    pub code: String,
    /// Procedure code.
    pub procedure: String,
    /// Pinned procedure version.
    pub procedure_version: u32,
    /// Procedure name.
    pub procedure_name: String,
    /// Submission channel.
    pub channel: String,
    /// Canonical status name.
    pub status: String,
    /// National portal status code 1–10.
    pub status_code: u8,
    /// Vietnamese label.
    pub status_label: String,
    /// Current step id.
    pub step: Option<String>,
    /// Current step name.
    pub step_name: Option<String>,
    /// Unit holding the dossier.
    pub unit: String,
    /// Receiving unit.
    pub receiving_unit: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// citizen, organisation or foreigner.
    pub applicant_kind: String,
    /// The representative's name, when someone acts for the applicant.
    pub representative_name: Option<String>,
    /// The chosen way of receiving the result, in words.
    pub delivery: Option<String>,
    /// The chosen notification channels: email, sms.
    pub notify: Vec<String>,
    /// With the code, opens the public lookup (shown to those who follow or process the dossier).
    pub lookup_key: Option<String>,
    /// The electronic result documents.
    pub results: Vec<ResultView>,
    /// Appointment for the result.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub appointment: Option<DateTime<Utc>>,
    /// The appointment before the one extension.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub original_appointment: Option<DateTime<Utc>>,
    /// The appointment was counted over a provisional calendar year (ngày hẹn tạm tính): it
    /// moves, with an event and a notice, if the official calendar differs.
    pub appointment_provisional: bool,
    /// When the current step is due.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub step_due: Option<DateTime<Utc>>,
    /// The step's due time was counted over a provisional calendar year.
    pub step_due_provisional: bool,
    /// Working minutes left until the appointment, when processing.
    pub remaining_working_minutes: Option<i64>,
    /// Fees charged, in đồng.
    pub fees_due: u64,
    /// Fees paid, in đồng.
    pub fees_paid: u64,
    /// Money the gateway took that the dossier could not take, owed back, in đồng.
    pub refund_due: u64,
    /// The e-result code, once issued.
    pub result_code: Option<String>,
    /// Version for `expected_version`.
    pub version: u64,
    /// What the caller may do next.
    pub available_actions: Vec<String>,
    /// The decision, once taken: approved, refused or transferred.
    pub outcome: Option<String>,
    /// The procedure's windows opened on the dossier, with when each closes.
    pub windows: Vec<WindowView>,
}

/// An electronic result document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultView {
    /// File name.
    pub name: String,
    /// SHA-256, also its id under `/documents/{id}`.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// It carries a digital signature (its validity is not checked by hoso).
    pub signed: bool,
    /// The signers' names as the signatures state them.
    pub signers: Vec<String>,
}

/// A window of the procedure as it stands on one dossier.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowView {
    /// The procedure's window id.
    pub id: String,
    /// Its name, e.g. "Yêu cầu bổ sung thông tin trong 05 ngày làm việc".
    pub name: String,
    /// The commands or actions it is for.
    pub commands: Vec<String>,
    /// When it closes.
    #[serde(serialize_with = "crate::app::instant::vietnam")]
    pub closes_at: DateTime<Utc>,
    /// When one of its commands was taken, if one was.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub met_at: Option<DateTime<Utc>>,
    /// Met after it closed, or still unmet past its close.
    pub late: bool,
    /// Once closed, its commands are refused (rather than taken late).
    pub refuses: bool,
}

/// The dossier as `actor` may see it (no actions for a reader who may not act).
pub fn view(state: &AppState, case: &Case, actor: Option<&Actor>) -> Result<DossierView, AppError> {
    let procedure = state.service.procedure_of(case)?;
    let now = Utc::now();
    let calendars = state.service.calendars();
    let remaining = match (
        case.appointment,
        case.status.is_closed() || case.finished_at.is_some(),
    ) {
        (Some(appointment), false) => calendars
            .working_time_between(
                now.with_timezone(&vietnam()),
                appointment.with_timezone(&vietnam()),
            )
            .ok()
            .map(|left| left.num_minutes()),
        _ => None,
    };
    let available_actions = actor
        .map(|actor| {
            available_commands(
                &state
                    .service
                    .context(&procedure, &calendars, &state.service.directory()),
                case,
                actor,
                now,
            )
        })
        .unwrap_or_default();
    Ok(DossierView {
        code: case.code.to_string(),
        procedure: case.procedure.code.to_string(),
        procedure_version: case.procedure.version,
        procedure_name: procedure.definition().name.clone(),
        channel: case.channel.as_str().to_owned(),
        status: case.status.as_str().to_owned(),
        status_code: case.status.code(),
        status_label: case.status.label().to_owned(),
        step_name: case
            .step
            .as_deref()
            .and_then(|step| procedure.step(step))
            .map(|step| step.name.clone()),
        step: case.step.clone(),
        unit: case.unit.to_string(),
        receiving_unit: case.receiving_unit.to_string(),
        applicant_name: case.applicant.name.clone(),
        applicant_kind: case.applicant.kind.as_str().to_owned(),
        representative_name: case
            .applicant
            .representative
            .as_ref()
            .map(|representative| representative.name.clone()),
        delivery: case.delivery.as_ref().map(ResultDelivery::describe),
        notify: case
            .notify_channels()
            .into_iter()
            .map(|channel| channel.topic().to_owned())
            .collect(),
        lookup_key: case.lookup_key.clone(),
        results: case
            .result
            .iter()
            .flat_map(|result| &result.documents)
            .map(|document| ResultView {
                name: document.name.clone(),
                sha256: document.sha256.clone(),
                size: document.size,
                signed: document.signed,
                signers: document.signers.clone(),
            })
            .collect(),
        appointment: case.appointment,
        original_appointment: case.original_appointment,
        appointment_provisional: calendars.is_provisional_span(case.appointment_span()),
        step_due: case.step_due(),
        step_due_provisional: calendars.is_provisional_span(case.step_span()),
        remaining_working_minutes: remaining,
        fees_due: case.fees.iter().map(|fee| fee.amount.as_dong()).sum(),
        fees_paid: case.paid.as_dong(),
        refund_due: case.refund_due.as_dong(),
        result_code: case.result.as_ref().map(|result| result.code.clone()),
        version: case.version,
        available_actions,
        outcome: case.outcome.map(|outcome| outcome.as_str().to_owned()),
        windows: case
            .windows
            .iter()
            .map(|window| WindowView {
                id: window.id.clone(),
                name: procedure
                    .window(&window.id)
                    .map_or_else(|| window.id.clone(), |declared| declared.name.clone()),
                commands: window.commands.clone(),
                closes_at: window.closes_at,
                met_at: window.met_at,
                late: window.is_late(now),
                refuses: window.refuses,
            })
            .collect(),
    })
}

/// May this caller read this dossier? Others' dossiers are 404, never 403, so codes cannot be
/// probed; designers and administrators are told they do not work on dossiers.
fn require_read(
    principal: &Principal,
    case: &Case,
    directory: &hoso_engine::case::Directory,
) -> Result<(), AppError> {
    let hidden = || {
        AppError::NotFound(
            Denial::NoDossier {
                code: case.code.to_string(),
            }
            .into(),
        )
    };
    match principal {
        Principal::Citizen { .. } if principal.follows(case) => Ok(()),
        Principal::Citizen { .. } => Err(hidden()),
        Principal::Staff(user) => match user.kind {
            UserKind::Auditor => Ok(()),
            UserKind::Designer | UserKind::Admin => Err(AppError::Forbidden(
                Denial::RoleOnly(RoleRule::NotForDesignersOrAdmins).into(),
            )),
            UserKind::Citizen if principal.follows(case) => Ok(()),
            UserKind::Citizen => Err(hidden()),
            UserKind::Officer => {
                let Some(unit) = &user.unit else {
                    return Err(hidden());
                };
                // A unit reads the dossiers it received, held or was consulted on — and, as a
                // successor, those of the units retired into it.
                let today = hoso_engine::clock::vietnam_day(chrono::Utc::now());
                let reached =
                    |other: &hoso_engine::case::UnitId| directory.works_for(unit, other, today);
                let related = reached(&case.receiving_unit)
                    || reached(&case.unit)
                    || case.visits.iter().any(|visit| reached(&visit.unit))
                    || case
                        .consultations
                        .iter()
                        .any(|consultation| reached(&consultation.unit));
                if related { Ok(()) } else { Err(hidden()) }
            }
        },
    }
}

/// The actor a caller is on dossiers, or why they may not act.
pub fn require_actor(principal: &Principal) -> Result<Actor, AppError> {
    principal
        .actor()
        .ok_or_else(|| match principal.staff_kind() {
            Some(UserKind::Auditor) => {
                AppError::Forbidden(Denial::RoleOnly(RoleRule::AuditorsRead).into())
            }
            Some(UserKind::Designer) => {
                AppError::Forbidden(Denial::RoleOnly(RoleRule::DesignersPublish).into())
            }
            _ => AppError::Forbidden(Denial::RoleOnly(RoleRule::CannotAct).into()),
        })
}

/// Loads a dossier the caller may read; any other is "not found".
pub async fn load_readable(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Case, AppError> {
    let unknown = || {
        AppError::NotFound(
            Denial::NoDossier {
                code: code.to_owned(),
            }
            .into(),
        )
    };
    let parsed = DossierCode::parse(code).map_err(|_| unknown())?;
    let case = state
        .service
        .store()
        .load(&parsed)
        .await?
        .ok_or_else(unknown)?;
    require_read(principal, &case, &state.service.directory())?;
    Ok(case)
}

fn parse_channel(text: &str) -> Result<ChannelKind, AppError> {
    match text {
        "direct" => Ok(ChannelKind::Direct),
        "online" => Ok(ChannelKind::Online),
        "postal" => Ok(ChannelKind::Postal),
        other => Err(AppError::field(
            "/channel",
            RequestProblem::NotOneOf {
                given: other.to_owned(),
                allowed: ["direct", "online", "postal"].map(str::to_owned).to_vec(),
            },
        )),
    }
}

/// A fresh public lookup key (mã tra cứu): 10 characters from an alphabet without look-alikes
/// (no 0/O, 1/I/L), 50 bits — with the lookup's rate limit, beyond guessing.
pub fn lookup_key() -> Result<String, AppError> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = [0_u8; 10];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()]))
        .collect())
}

/// The engine's submission from the request and the staged uploads.
pub fn to_submission(
    body: &SubmitRequest,
    uploads: Vec<DocumentRef>,
) -> Result<(ProcedureCode, Submission), AppError> {
    let procedure = ProcedureCode::parse(&body.procedure).map_err(|_| {
        AppError::field(
            "/procedure",
            RequestProblem::NotAProcedureCode {
                given: body.procedure.clone(),
            },
        )
    })?;
    let receiving_unit = UnitId::parse(&body.receiving_unit).map_err(|_| {
        AppError::field(
            "/receiving_unit",
            RequestProblem::NotAUnitCode {
                given: body.receiving_unit.clone(),
            },
        )
    })?;
    let mut documents = uploads;
    for (position, document) in body.documents.iter().enumerate() {
        let provenance = match document.provenance.as_str() {
            "data_store" => Provenance::DataStore,
            "database" => Provenance::Database,
            _ => {
                return Err(AppError::field(
                    &format!("/documents/{position}/provenance"),
                    RequestProblem::ByReferenceProvenance,
                ));
            }
        };
        if document.reference.trim().is_empty() || document.reference.len() > 500 {
            return Err(AppError::field(
                &format!("/documents/{position}/reference"),
                RequestProblem::ReferenceShape,
            ));
        }
        documents.push(DocumentRef {
            component: document.component.clone(),
            name: document.name.chars().take(200).collect(),
            sha256: None,
            size: None,
            provenance,
            reference: Some(document.reference.clone()),
        });
    }
    Ok((
        procedure,
        Submission {
            channel: parse_channel(&body.channel)?,
            receiving_unit,
            applicant: Applicant {
                kind: body.applicant.kind.unwrap_or_default(),
                citizen_id: body.applicant.id_number.trim().to_owned(),
                nationality: body.applicant.nationality.clone(),
                representative: body.applicant.representative.as_ref().map(|person| {
                    Box::new(Representative {
                        citizen_id: person.citizen_id.trim().to_owned(),
                        name: person.name.clone(),
                        basis: person.basis,
                    })
                }),
                name: body.applicant.name.clone(),
                phone: body.applicant.phone.clone(),
                email: body.applicant.email.clone(),
            },
            form: body.form.clone(),
            documents,
            delivery: body.delivery.as_ref().map(|delivery| ResultDelivery {
                channel: delivery.channel,
                address: delivery.address.as_ref().map(|address| {
                    Box::new(PostalAddress {
                        recipient: address.recipient.clone(),
                        phone: address.phone.clone(),
                        street: address.street.clone(),
                        ward: address.ward.clone(),
                        province: address.province.clone(),
                    })
                }),
            }),
            notify: body.notify.clone(),
            lookup_key: Some(lookup_key()?),
            vneid: false,
        },
    ))
}

/// A submission as it arrived: the body, its uploads (staged), and the caller's idempotency key.
pub struct Submitting {
    /// The caller's key; a retry with the same key and body gets the first dossier.
    pub key: String,
    /// The body.
    pub body: SubmitRequest,
    /// The uploaded documents, by component.
    pub uploads: Vec<DocumentRef>,
    /// Their files, staged until the command commits.
    pub staged: Vec<Staged>,
}

/// Submits a dossier (nộp hồ sơ). The key binds the request: the same key and body return the
/// first dossier; the same key with another body is [`AppError::KeyReused`].
pub async fn submit(
    state: &AppState,
    principal: &Principal,
    submitting: Submitting,
) -> Result<DossierView, AppError> {
    let Submitting {
        key,
        body,
        uploads,
        staged,
    } = submitting;
    let actor = require_actor(principal)?;
    let request_hash = submission_hash(&body, &uploads)?;
    let command_id = claim_command_id(state, principal, &key, &request_hash).await?;
    let (procedure, mut submission) = to_submission(&body, uploads)?;
    // Signed in through the national SSO (VNeID), not with a local token: the portal scores it.
    submission.vneid = matches!(principal, Principal::Citizen { .. });
    let executed = state
        .execute(CommandRequest {
            command_id,
            actor: actor.clone(),
            target: Target::New(procedure),
            expected_version: None,
            command: Command::Submit(submission),
        })
        .await;
    settle_uploads(&executed, staged).await;
    // The engine names the applicant's identifier as it stores it; the request calls it id_number.
    let executed = executed.map_err(|error| match AppError::from(error) {
        AppError::Invalid(mut problems) => {
            for problem in &mut problems {
                if problem.pointer == "/applicant/citizen_id" {
                    problem.pointer = "/applicant/id_number".to_owned();
                }
            }
            AppError::Invalid(problems)
        }
        other => other,
    })?;
    view(state, &executed.case, Some(&actor))
}

/// A dossier as the caller may see it.
pub async fn read(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<DossierView, AppError> {
    let case = load_readable(state, principal, code).await?;
    view(state, &case, principal.actor().as_ref())
}

/// The names of the staff who acted on a dossier, by user id, for timelines and forms; an
/// actor who is not a user (the demo's, an imported history) keeps their id.
pub async fn people_of(
    store: &crate::store::AnyStore,
    events: &[hoso_engine::case::Event],
) -> Result<std::collections::BTreeMap<String, String>, AppError> {
    let ids: std::collections::BTreeSet<&str> = events
        .iter()
        .filter(|event| matches!(event.actor.kind, ActorKind::Officer { .. }))
        .map(|event| event.actor.id.as_str())
        .collect();
    let mut people = std::collections::BTreeMap::new();
    for id in ids {
        if let Some(user) = hoso_engine::ports::Access::user(store, id).await? {
            people.insert(id.to_owned(), user.name);
        }
    }
    Ok(people)
}

/// One event of a dossier's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// Sequence number from 1.
    pub seq: u64,
    /// When.
    #[serde(serialize_with = "crate::app::instant::vietnam")]
    pub at: DateTime<Utc>,
    /// citizen, officer or system.
    pub actor_kind: String,
    /// The officer's role.
    pub actor_role: Option<String>,
    /// The officer's unit.
    pub actor_unit: Option<String>,
    /// The actor's id (hidden from citizens for staff).
    pub actor_id: Option<String>,
    /// Event type.
    pub kind: String,
    /// One line in Vietnamese.
    pub description: String,
    /// The event's payload.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// Previous hash.
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// The dossier's events with actor, time and hash; officers' ids are hidden from citizens.
pub async fn timeline(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Vec<TimelineEntry>, AppError> {
    let case = load_readable(state, principal, code).await?;
    let is_citizen = principal.citizen_id().is_some();
    let events = state.service.store().events(&case.code).await?;
    let procedure = state.service.procedure_of(&case).ok();
    let directory = state.service.directory();
    let people = if is_citizen {
        std::collections::BTreeMap::new()
    } else {
        people_of(state.service.store(), &events).await?
    };
    let names = hoso_engine::case::Names {
        procedure: procedure.as_deref(),
        directory: Some(&directory),
        people: Some(&people),
    };
    Ok(events
        .iter()
        .map(|event| {
            let (kind, role, unit) = match &event.actor.kind {
                ActorKind::Citizen => ("citizen", None, None),
                ActorKind::Officer { role, unit } => {
                    ("officer", Some(role.clone()), Some(unit.to_string()))
                }
                ActorKind::System => ("system", None, None),
            };
            TimelineEntry {
                seq: event.seq,
                at: event.at,
                actor_kind: kind.to_owned(),
                actor_role: role,
                actor_unit: unit,
                actor_id: (!is_citizen || kind != "officer").then(|| event.actor.id.clone()),
                kind: event.kind.name().to_owned(),
                description: hoso_engine::case::describe_named(event, &names),
                payload: serde_json::to_value(&event.kind).unwrap_or_default(),
                prev_hash: event.prev_hash.clone(),
                hash: event.hash.clone(),
            }
        })
        .collect())
}
