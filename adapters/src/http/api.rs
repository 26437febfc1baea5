//! The resources under `/api/v1`, each registered once for routing and for the OpenAPI document.

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hoso_engine::case::{
    Actor, ActorKind, Applicant, Case, Command, DocumentRef, DossierCode, Provenance, Submission,
    UnitId, available_commands, describe,
};
use hoso_engine::clock::vietnam;
use hoso_engine::ports::{CaseQuery, Published, Store};
use hoso_engine::procedure::{ChannelKind, Procedure, ProcedureCode};
use hoso_engine::service::{Request as CommandRequest, Target};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::auth::Principal;
use super::error::{ApiError, FieldError, Problem};
use crate::access::UserKind;
use crate::documents::{DocumentType, Staged};

/// JSON request bodies, with rejections as problem+json.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// Query strings, with rejections as problem+json.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters, with rejections as problem+json.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

// ---------------------------------------------------------------------------------------------
// Procedures

/// A procedure in the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureSummary {
    /// National code.
    pub code: String,
    /// Current version.
    pub version: u32,
    /// Name.
    pub name: String,
    /// Level: ministry, province, commune.
    pub level: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// full_process or partial.
    pub online_service: String,
    /// Channels with their time limits.
    pub channels: Vec<ChannelSummary>,
}

/// A channel's time limit and whether fees can be paid online.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelSummary {
    /// direct, online or postal.
    pub channel: String,
    /// The time limit, e.g. "3 ngày làm việc".
    pub time_limit: String,
    /// Fees can be paid online.
    pub online_payment: bool,
}

fn summary_of(procedure: &Procedure) -> ProcedureSummary {
    let definition = procedure.definition();
    ProcedureSummary {
        code: definition.code.to_string(),
        version: definition.version,
        name: definition.name.clone(),
        level: serde_json::to_value(definition.level)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
        field: definition.field.clone(),
        online_service: serde_json::to_value(definition.online_service)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
        channels: definition
            .channels
            .iter()
            .map(|channel| ChannelSummary {
                channel: channel.channel.as_str().to_owned(),
                time_limit: channel.time_limit.vietnamese(),
                online_payment: channel.online_payment,
            })
            .collect(),
    }
}

/// The catalogue: the current version of every procedure. Public.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures",
    responses((status = 200, body = Vec<ProcedureSummary>)))]
pub async fn list_procedures(State(state): State<AppState>) -> axum::Json<Vec<ProcedureSummary>> {
    let catalogue = state.service.catalogue();
    axum::Json(
        catalogue
            .codes()
            .iter()
            .filter_map(|code| catalogue.current(code))
            .map(|procedure| summary_of(procedure))
            .collect(),
    )
}

/// One procedure: its current definition and every published version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureDetail {
    /// The current version's definition, as in the procedure file.
    #[schema(value_type = Object)]
    pub current: Value,
    /// Every version, oldest first.
    pub versions: Vec<VersionInfo>,
}

/// A published version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionInfo {
    /// Version number.
    pub version: u32,
    /// Name in that version.
    pub name: String,
}

/// A procedure's current and past versions. Public.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures",
    params(("code" = String, Path, description = "National procedure code, e.g. 1.001193")),
    responses((status = 200, body = ProcedureDetail), (status = 404, body = Problem)))]
pub async fn get_procedure(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::Json<ProcedureDetail>, ApiError> {
    let catalogue = state.service.catalogue();
    let current = catalogue
        .current(&code)
        .ok_or_else(|| ApiError::NotFound(format!("no procedure {code}")))?;
    let versions = catalogue
        .iter()
        .filter(|procedure| procedure.code().as_str() == code)
        .map(|procedure| VersionInfo {
            version: procedure.version(),
            name: procedure.definition().name.clone(),
        })
        .collect();
    Ok(axum::Json(ProcedureDetail {
        current: serde_json::to_value(current.definition())
            .map_err(|error| ApiError::Internal(error.to_string()))?,
        versions,
    }))
}

/// What publishing did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedVersion {
    /// National code.
    pub code: String,
    /// The version it was published as.
    pub version: u32,
}

/// Publishes a procedure file (TOML body) as the next version. Designers only.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "procedures",
    request_body(content = String, content_type = "application/toml", description = "A procedure file"),
    responses((status = 201, body = PublishedVersion), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn publish_procedure(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, axum::Json<PublishedVersion>), ApiError> {
    if principal.staff_kind() != Some(UserKind::Designer) {
        return Err(ApiError::Forbidden(
            "only procedure designers publish procedures".to_owned(),
        ));
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::field("", "the procedure file must be UTF-8 text"))?;
    let loaded = Procedure::load("request.toml", text).map_err(|error| {
        let errors: Vec<FieldError> = error
            .diagnostics
            .iter()
            .map(|diagnostic| FieldError {
                pointer: diagnostic.pointer.clone(),
                detail: format!(
                    "{}:{}: {} — {}",
                    diagnostic.line, diagnostic.column, diagnostic.message, diagnostic.fix
                ),
            })
            .collect();
        ApiError::Invalid(error.to_string(), errors)
    })?;
    let code = loaded.code().to_string();
    let next = state
        .service
        .catalogue()
        .iter()
        .filter(|procedure| procedure.code().as_str() == code)
        .map(|procedure| procedure.version())
        .max()
        .map_or(1, |latest| latest + 1);
    let mut definition = loaded.definition().clone();
    definition.version = next;
    let procedure = Procedure::from_definition(definition).map_err(|problems| {
        ApiError::Internal(format!(
            "a valid procedure became invalid when renumbered: {problems:?}"
        ))
    })?;
    let json = serde_json::to_string(procedure.definition())
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    match state
        .service
        .store()
        .publish_procedure(&code, next, &json, Utc::now())
        .await?
    {
        Published::New | Published::Unchanged => {}
        Published::Differs => {
            return Err(ApiError::Conflict(format!(
                "version {next} of {code} was just published by someone else; reload and publish again"
            )));
        }
    }
    state.service.add_procedure(procedure);
    Ok((
        StatusCode::CREATED,
        axum::Json(PublishedVersion {
            code,
            version: next,
        }),
    ))
}

// ---------------------------------------------------------------------------------------------
// Dossiers

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
}

/// The applicant.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantBody {
    /// 12-digit personal identification number.
    pub citizen_id: String,
    /// Full name.
    pub name: String,
    /// Phone for SMS.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default)]
    pub email: Option<String>,
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
    /// Appointment for the result.
    pub appointment: Option<DateTime<Utc>>,
    /// The appointment before the one extension.
    pub original_appointment: Option<DateTime<Utc>>,
    /// The appointment was counted over a provisional calendar year (ngày hẹn tạm tính): it
    /// moves, with an event and a notice, if the official calendar differs.
    pub appointment_provisional: bool,
    /// When the current step is due.
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
}

pub(crate) fn view(
    state: &AppState,
    case: &Case,
    actor: Option<&Actor>,
) -> Result<DossierView, ApiError> {
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
                &state.service.context(&procedure, &calendars),
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
    })
}

/// May this caller read this dossier? Others' dossiers are 404, never 403, so codes cannot be
/// probed; designers and administrators are told they do not work on dossiers.
fn require_read(principal: &Principal, case: &Case) -> Result<(), ApiError> {
    let hidden = || ApiError::NotFound(format!("no dossier {}", case.code));
    match principal {
        Principal::Citizen { citizen_id } if *citizen_id == case.applicant.citizen_id => Ok(()),
        Principal::Citizen { .. } => Err(hidden()),
        Principal::Staff(user) => match user.kind {
            UserKind::Auditor => Ok(()),
            UserKind::Designer | UserKind::Admin => Err(ApiError::Forbidden(
                "designers and administrators do not work on dossiers".to_owned(),
            )),
            UserKind::Citizen
                if user.citizen_id.as_deref() == Some(case.applicant.citizen_id.as_str()) =>
            {
                Ok(())
            }
            UserKind::Citizen => Err(hidden()),
            UserKind::Officer => {
                let Some(unit) = &user.unit else {
                    return Err(hidden());
                };
                let related = &case.receiving_unit == unit
                    || &case.unit == unit
                    || case.visits.iter().any(|visit| &visit.unit == unit)
                    || case
                        .consultations
                        .iter()
                        .any(|consultation| &consultation.unit == unit);
                if related { Ok(()) } else { Err(hidden()) }
            }
        },
    }
}

pub(crate) fn require_actor(principal: &Principal) -> Result<Actor, ApiError> {
    principal
        .actor()
        .ok_or_else(|| match principal.staff_kind() {
            Some(UserKind::Auditor) => {
                ApiError::Forbidden("auditors read; they do not act on dossiers".to_owned())
            }
            Some(UserKind::Designer) => ApiError::Forbidden(
                "designers publish procedures; they do not act on dossiers".to_owned(),
            ),
            _ => ApiError::Forbidden("this account cannot act on dossiers".to_owned()),
        })
}

pub(crate) async fn load_readable(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Case, ApiError> {
    let code =
        DossierCode::parse(code).map_err(|_| ApiError::NotFound(format!("no dossier {code}")))?;
    let case = state
        .service
        .store()
        .load(&code)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no dossier {code}")))?;
    require_read(principal, &case)?;
    Ok(case)
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| ApiError::BadRequest("send an Idempotency-Key header (any unique value, e.g. a UUID) so a retry cannot submit twice".to_owned()))?
        .to_str()
        .map_err(|_| ApiError::BadRequest("the Idempotency-Key must be printable ASCII".to_owned()))?;
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(
            "the Idempotency-Key must be 1–200 printable characters".to_owned(),
        ));
    }
    Ok(key.to_owned())
}

/// The command id a caller's idempotency key stands for: a new one the first time, the first
/// one on a retry with the same request, and a 422 saying `reused` when the request differs.
pub(crate) async fn claim_command_id(
    state: &AppState,
    principal: &Principal,
    key: &str,
    request_hash: &str,
    reused: &str,
) -> Result<String, ApiError> {
    let (stored_hash, command_id) = state
        .service
        .store()
        .claim_idempotency_key(
            &principal.key(),
            key,
            request_hash,
            &uuid::Uuid::now_v7().to_string(),
            Utc::now(),
        )
        .await?;
    if stored_hash != request_hash {
        return Err(ApiError::field("", reused));
    }
    Ok(command_id)
}

/// Reads the submission from JSON or from a multipart body (`submission` part + one file part
/// per document, named by its dossier component).
async fn read_submission(
    state: &AppState,
    request: Request,
) -> Result<(SubmitRequest, Vec<DocumentRef>, Vec<Staged>), ApiError> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !is_multipart {
        let ApiJson(submission) = ApiJson::<SubmitRequest>::from_request(request, &()).await?;
        return Ok((submission, Vec::new(), Vec::new()));
    }
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| ApiError::BadRequest(rejection.body_text()))?;
    let mut submission = None;
    let mut uploads = Vec::new();
    // Removed when dropped: a refused or failed submission leaves no file behind.
    let mut staged_files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| super::error::multipart_error(&error))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|error| super::error::multipart_error(&error))?;
        if name == "submission" {
            submission = Some(
                serde_json::from_slice::<SubmitRequest>(&bytes)
                    .map_err(|error| ApiError::field("/submission", error.to_string()))?,
            );
            continue;
        }
        if bytes.len() > state.limits.upload_bytes {
            return Err(ApiError::TooLarge(format!(
                "document `{name}` is larger than {} bytes",
                state.limits.upload_bytes
            )));
        }
        if DocumentType::sniff(&bytes).is_none() {
            return Err(ApiError::UnsupportedType(format!(
                "document `{name}` is not a PDF, PNG or JPEG (checked by its content)"
            )));
        }
        let staged = state
            .documents
            .stage(&bytes)
            .await
            .map_err(storing_failed)?;
        uploads.push(DocumentRef {
            component: name,
            name: file_name
                .unwrap_or_else(|| "document".to_owned())
                .chars()
                .take(200)
                .collect(),
            sha256: Some(staged.sha256().to_owned()),
            size: Some(bytes.len() as u64),
            provenance: Provenance::Upload,
            reference: None,
        });
        staged_files.push(staged);
    }
    let submission = submission.ok_or_else(|| {
        ApiError::field(
            "/submission",
            "a multipart submission needs a `submission` part with the JSON body",
        )
    })?;
    Ok((submission, uploads, staged_files))
}

/// What an Idempotency-Key is bound to: the SHA-256 of the request's canonical JSON (object keys
/// sorted at every level), so the same request hashes the same whatever order a client wrote its
/// fields in, and whatever Rust's `Debug` output becomes.
pub(crate) fn request_hash(value: &impl Serialize) -> Result<String, ApiError> {
    fn canonical(value: Value) -> Value {
        match value {
            Value::Object(object) => {
                let mut entries: Vec<(String, Value)> = object.into_iter().collect();
                entries.sort_by(|left, right| left.0.cmp(&right.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| (key, canonical(value)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
            other => other,
        }
    }
    let value = serde_json::to_value(value)
        .map_err(|error| ApiError::Internal(format!("hashing a request: {error}")))?;
    let bytes = serde_json::to_vec(&canonical(value))
        .map_err(|error| ApiError::Internal(format!("hashing a request: {error}")))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// A submission's request hash: its body and each upload's component and content.
pub(crate) fn submission_hash(
    body: &SubmitRequest,
    uploads: &[DocumentRef],
) -> Result<String, ApiError> {
    let uploads: Vec<(&str, &str)> = uploads
        .iter()
        .map(|upload| {
            (
                upload.component.as_str(),
                upload.sha256.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    request_hash(&serde_json::json!({ "submission": body, "uploads": uploads }))
}

/// Storing an upload failed: a full disk is 503 (try later), anything else a server error.
pub(crate) fn storing_failed(error: std::io::Error) -> ApiError {
    if crate::documents::is_disk_full(&error) {
        ApiError::Unavailable(
            "the server's disk is full and cannot keep the document now; try again later"
                .to_owned(),
        )
    } else {
        ApiError::Internal(format!("storing an upload: {error}"))
    }
}

/// Moves the uploads of a committed command to their place. One that cannot be moved (a full
/// disk) stays staged — never deleted, since the dossier names it — and the sweeper moves it.
pub(crate) async fn keep_uploads(staged: Vec<Staged>) {
    for file in staged {
        let sha256 = file.sha256().to_owned();
        if let Err(error) = file.keep().await {
            tracing::warn!(%sha256, %error, "a committed upload stays staged; the sweeper will move it");
        }
    }
}

/// After a command that carried uploads: kept when it committed, left for the sweeper when it is
/// unknown whether it did (the store failed), removed when it was refused.
pub(crate) async fn settle_uploads<T>(
    outcome: &Result<T, hoso_engine::service::ServiceError>,
    staged: Vec<Staged>,
) {
    match outcome {
        Ok(_) => keep_uploads(staged).await,
        Err(hoso_engine::service::ServiceError::Store(_)) => {
            staged.into_iter().for_each(Staged::leave_for_sweeper);
        }
        Err(_) => drop(staged),
    }
}

fn parse_channel(text: &str) -> Result<ChannelKind, ApiError> {
    match text {
        "direct" => Ok(ChannelKind::Direct),
        "online" => Ok(ChannelKind::Online),
        "postal" => Ok(ChannelKind::Postal),
        _ => Err(ApiError::field(
            "/channel",
            "must be direct, online or postal",
        )),
    }
}

pub(crate) fn to_submission(
    body: &SubmitRequest,
    uploads: Vec<DocumentRef>,
) -> Result<(ProcedureCode, Submission), ApiError> {
    let procedure = ProcedureCode::parse(&body.procedure)
        .map_err(|error| ApiError::field("/procedure", error.to_string()))?;
    let receiving_unit = UnitId::parse(&body.receiving_unit)
        .map_err(|error| ApiError::field("/receiving_unit", error.to_string()))?;
    let mut documents = uploads;
    for (position, document) in body.documents.iter().enumerate() {
        let provenance = match document.provenance.as_str() {
            "data_store" => Provenance::DataStore,
            "database" => Provenance::Database,
            _ => {
                return Err(ApiError::field(
                    &format!("/documents/{position}/provenance"),
                    "by reference, a document comes from data_store or database; upload files as multipart parts",
                ));
            }
        };
        if document.reference.trim().is_empty() || document.reference.len() > 500 {
            return Err(ApiError::field(
                &format!("/documents/{position}/reference"),
                "give the reference in the store (at most 500 characters)",
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
                citizen_id: body.applicant.citizen_id.clone(),
                name: body.applicant.name.clone(),
                phone: body.applicant.phone.clone(),
                email: body.applicant.email.clone(),
            },
            form: body.form.clone(),
            documents,
        },
    ))
}

/// Submits a dossier: JSON (documents by reference) or multipart (a `submission` JSON part and
/// one file part per document, named by its component). Requires `Idempotency-Key`: the same
/// key and body return the first response; the same key with another body is 422.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    request_body(content = SubmitRequest),
    params(("Idempotency-Key" = String, Header, description = "unique per intended submission")),
    responses((status = 201, body = DossierView), (status = 422, body = Problem), (status = 403, body = Problem), (status = 401, body = Problem)))]
pub async fn submit_dossier(
    State(state): State<AppState>,
    principal: Principal,
    request: Request,
) -> Result<(StatusCode, axum::Json<DossierView>), ApiError> {
    let actor = require_actor(&principal)?;
    let key = idempotency_key(request.headers())?;
    let (body, uploads, staged) = read_submission(&state, request).await?;
    let request_hash = submission_hash(&body, &uploads)?;
    let command_id = claim_command_id(
        &state,
        &principal,
        &key,
        &request_hash,
        "this Idempotency-Key was already used with a different request; use a new key for a new submission",
    )
    .await?;
    let (procedure, submission) = to_submission(&body, uploads)?;
    let command = Command::Submit(submission);
    let executed = state
        .execute(CommandRequest {
            command_id,
            actor: actor.clone(),
            target: Target::New(procedure),
            expected_version: None,
            command,
        })
        .await;
    settle_uploads(&executed, staged).await;
    let executed = executed?;
    Ok((
        StatusCode::CREATED,
        axum::Json(view(&state, &executed.case, Some(&actor))?),
    ))
}

/// A dossier: status, step, appointment, remaining working time, and what the caller may do.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = DossierView), (status = 404, body = Problem)))]
pub async fn get_dossier(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::Json<DossierView>, ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    Ok(axum::Json(view(&state, &case, principal.actor().as_ref())?))
}

/// Filters for the dossier list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Status name, e.g. processing.
    pub status: Option<String>,
    /// Unit code (officers always see their own unit).
    pub unit: Option<String>,
    /// Text in the code or the applicant's name.
    pub q: Option<String>,
    /// Page size, at most 200 (default 50).
    pub limit: Option<u32>,
    /// Rows to skip.
    pub offset: Option<u32>,
}

/// A row of a dossier list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierRow {
    /// Dossier code.
    pub code: String,
    /// Procedure code.
    pub procedure: String,
    /// Status name.
    pub status: String,
    /// Current step.
    pub step: Option<String>,
    /// Holding unit.
    pub unit: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Appointment.
    pub appointment: Option<DateTime<Utc>>,
    /// Current step due.
    pub step_due: Option<DateTime<Utc>>,
    /// Version.
    pub version: u64,
}

/// A page of dossiers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierPage {
    /// The rows.
    pub items: Vec<DossierRow>,
    /// Page size used.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

pub(crate) fn rows(summaries: Vec<hoso_engine::ports::CaseSummary>) -> Vec<DossierRow> {
    summaries
        .into_iter()
        .map(|summary| DossierRow {
            code: summary.code.to_string(),
            procedure: summary.procedure_code,
            status: summary.status.as_str().to_owned(),
            step: summary.step,
            unit: summary.unit.to_string(),
            applicant_name: summary.applicant_name,
            appointment: summary.appointment,
            step_due: summary.step_due,
            version: summary.version,
        })
        .collect()
}

/// Dossiers, newest first: auditors see all, officers their unit's, citizens their own.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(ListQuery),
    responses((status = 200, body = DossierPage), (status = 403, body = Problem)))]
pub async fn list_dossiers(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<axum::Json<DossierPage>, ApiError> {
    let status = query
        .status
        .as_deref()
        .map(|status| {
            hoso_engine::case::Status::parse(status).ok_or_else(|| {
                ApiError::field(
                    "/status",
                    "unknown status; see the Status names in the API documentation",
                )
            })
        })
        .transpose()?;
    let unit = query
        .unit
        .as_deref()
        .map(|unit| {
            UnitId::parse(unit).map_err(|error| ApiError::field("/unit", error.to_string()))
        })
        .transpose()?;
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let offset = query.offset.unwrap_or(0).min(1_000_000);
    let text = query
        .q
        .map(|text| text.chars().take(100).collect::<String>());
    let mut filter = CaseQuery {
        status,
        unit,
        applicant: None,
        text,
        limit,
        offset,
    };
    match &principal {
        Principal::Staff(user) if user.kind == UserKind::Auditor => {}
        Principal::Staff(user) if user.kind == UserKind::Officer => {
            if filter
                .unit
                .as_ref()
                .is_some_and(|unit| Some(unit) != user.unit.as_ref())
            {
                return Err(ApiError::Forbidden(
                    "officers list the dossiers of their own unit".to_owned(),
                ));
            }
            filter.unit = user.unit.clone();
        }
        other => match other.citizen_id() {
            Some(citizen_id) => filter.applicant = Some(citizen_id.to_owned()),
            None => {
                return Err(ApiError::Forbidden(
                    "designers and administrators do not work on dossiers".to_owned(),
                ));
            }
        },
    }
    let items = rows(state.service.store().list(&filter).await?);
    Ok(axum::Json(DossierPage {
        items,
        limit,
        offset,
    }))
}

/// An action on a dossier: a procedure action id (e.g. chuyen_tham_dinh) or a built-in command
/// (receive, refuse_intake, request_supplement, submit_supplement, consult, answer_consultation,
/// issue_result, return_result, withdraw, stop, apologize_and_extend, recompute_deadlines), with
/// its fields in `data`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Which action.
    pub action: String,
    /// The version the caller saw; 409 if the dossier changed since.
    pub expected_version: Option<u64>,
    /// A reason or note (required to refuse, stop, extend, ask for a supplement).
    pub reason: Option<String>,
    /// The action's other fields, e.g. `missing` for request_supplement.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

const BUILT_IN: [&str; 13] = [
    "receive",
    "refuse_intake",
    "request_supplement",
    "submit_supplement",
    "consult",
    "answer_consultation",
    "issue_result",
    "return_result",
    "withdraw",
    "stop",
    "apologize_and_extend",
    "recompute_deadlines",
    "record_payment",
];

pub(crate) fn command_of(request: &ActionRequest) -> Result<Command, ApiError> {
    if !BUILT_IN.contains(&request.action.as_str()) {
        if request.action == "submit" || request.action == "raise_deadline" {
            return Err(ApiError::field(
                "/action",
                format!("`{}` is not taken through this endpoint", request.action),
            ));
        }
        return Ok(Command::TakeAction {
            action: request.action.clone(),
            reason: request.reason.clone(),
            data: request.data.clone(),
        });
    }
    let mut object = request.data.clone();
    object.insert("command".to_owned(), Value::String(request.action.clone()));
    if let Some(reason) = &request.reason {
        object
            .entry("reason".to_owned())
            .or_insert_with(|| Value::String(reason.clone()));
    }
    serde_json::from_value(Value::Object(object)).map_err(|error| {
        ApiError::field(
            "/data",
            format!("{error} (for action `{}`)", request.action),
        )
    })
}

/// Takes an action on a dossier. 409 on a stale `expected_version` or an action not possible
/// now; 403 when the caller may not take it; 422 when its data is invalid.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes a retry return the first result")),
    request_body = ActionRequest,
    responses((status = 200, body = DossierView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn take_action(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ActionRequest>,
) -> Result<axum::Json<DossierView>, ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    let actor = require_actor(&principal)?;
    let command = command_of(&request)?;
    let command_id = match headers.get("idempotency-key") {
        Some(_) => {
            let key = idempotency_key(&headers)?;
            let request_hash =
                request_hash(&serde_json::json!({ "dossier": code, "command": command }))?;
            claim_command_id(
                &state,
                &principal,
                &key,
                &request_hash,
                "this Idempotency-Key was already used with a different request",
            )
            .await?
        }
        None => uuid::Uuid::now_v7().to_string(),
    };
    let executed = state
        .execute(CommandRequest {
            command_id,
            actor: actor.clone(),
            target: Target::Existing(case.code.clone()),
            expected_version: request.expected_version,
            command,
        })
        .await?;
    Ok(axum::Json(view(&state, &executed.case, Some(&actor))?))
}

/// Dossiers waiting for the calling officer's role in their unit, most urgent first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "dossiers",
    responses((status = 200, body = Vec<DossierRow>), (status = 403, body = Problem)))]
pub async fn inbox(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<Vec<DossierRow>>, ApiError> {
    let Principal::Staff(user) = &principal else {
        return Err(ApiError::Forbidden("the inbox is for officers".to_owned()));
    };
    let (Some(role), Some(unit), UserKind::Officer) = (&user.role, &user.unit, user.kind) else {
        return Err(ApiError::Forbidden("the inbox is for officers".to_owned()));
    };
    Ok(axum::Json(rows(
        state.service.store().inbox(unit, role, 200).await?,
    )))
}

/// One event of a dossier's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// Sequence number from 1.
    pub seq: u64,
    /// When.
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

/// The dossier's events with actor, time and hash.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/timeline", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::Json<Vec<TimelineEntry>>, ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    let is_citizen = principal.citizen_id().is_some();
    let events = state.service.store().events(&case.code).await?;
    Ok(axum::Json(
        events
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
                    description: describe(event),
                    payload: serde_json::to_value(&event.kind).unwrap_or_default(),
                    prev_hash: event.prev_hash.clone(),
                    hash: event.hash.clone(),
                }
            })
            .collect(),
    ))
}

/// Downloads a document of the dossier by its SHA-256, for those who may read the dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/documents/{id}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("id" = String, Path, description = "The document's SHA-256")),
    responses((status = 200, description = "The document"), (status = 404, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    principal: Principal,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    let attached = case
        .documents
        .iter()
        .find(|document| document.sha256.as_deref() == Some(id.as_str()));
    let Some(attached) = attached else {
        return Err(ApiError::NotFound(format!(
            "dossier {} has no document {id}",
            case.code
        )));
    };
    let bytes = state
        .documents
        .get(&id)
        .await
        .map_err(|error| ApiError::Internal(format!("reading a document: {error}")))?
        .ok_or_else(|| {
            ApiError::Internal(format!(
                "document {id} of {} is missing from the document store",
                case.code
            ))
        })?;
    let media_type =
        DocumentType::sniff(&bytes).map_or("application/octet-stream", DocumentType::media_type);
    let disposition = format!(
        "attachment; filename=\"{}\"",
        attached
            .name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || ".-_".contains(*c))
            .collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, media_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod hash_tests {
    use serde_json::json;

    #[test]
    fn the_request_hash_ignores_field_order_but_not_values() {
        let one = super::request_hash(
            &json!({ "a": 1, "form": { "x": "1", "y": [ { "p": 1, "q": 2 } ] } }),
        )
        .expect("hash");
        let reordered = super::request_hash(
            &json!({ "form": { "y": [ { "q": 2, "p": 1 } ], "x": "1" }, "a": 1 }),
        )
        .expect("hash");
        let changed = super::request_hash(
            &json!({ "a": 1, "form": { "x": "2", "y": [ { "p": 1, "q": 2 } ] } }),
        )
        .expect("hash");
        assert_eq!(one, reordered);
        assert_ne!(one, changed);
        assert_eq!(one.len(), 64);
    }
}

#[cfg(test)]
mod storing_tests {
    use axum::response::IntoResponse as _;

    #[test]
    fn a_full_disk_while_storing_a_document_is_503_and_other_failures_500() {
        for kind in [
            std::io::ErrorKind::StorageFull,
            std::io::ErrorKind::QuotaExceeded,
        ] {
            let answer = super::storing_failed(std::io::Error::from(kind)).into_response();
            assert_eq!(answer.status().as_u16(), 503, "{kind:?}");
        }
        let answer =
            super::storing_failed(std::io::Error::from(std::io::ErrorKind::PermissionDenied))
                .into_response();
        assert_eq!(answer.status().as_u16(), 500);
    }
}
