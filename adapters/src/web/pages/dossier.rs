//! One dossier's page: status, appointment, timeline, documents, and the actions the visitor may take.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hoso_engine::case::BuiltIn;
use hoso_engine::case::Status;
use hoso_engine::ports::Dossiers as _;
use serde::Deserialize;

use super::catalogue::group_digits;
use super::lists::local_time;
use super::{Nav, render, signed_in};
use crate::access::UserKind;
use crate::app::dossiers::{self};
use crate::app::{AppError, AppState};
use crate::web::{Lang, Visitor, WebError, Words};
use hoso_engine::ports::Ratings as _;

pub(super) struct EventLine {
    pub(super) at: String,
    pub(super) who: String,
    pub(super) what: String,
}

/// One action the visitor may take, with the form its command needs.
pub(super) struct ActionButton {
    pub(super) id: String,
    pub(super) label: String,
    /// Which inputs: plain, reason, reason_required, supplement_request, supplement_answer,
    /// extend, consult, answer or payment.
    pub(super) form: &'static str,
    /// Documents to pick (a supplement request) or to upload (its answer): (id, name).
    pub(super) documents: Vec<(String, String)>,
    /// How it is weighed: the step's main action, a side path, or an end that cannot be undone.
    pub(super) tone: Tone,
}

/// How an action is weighed on the page, in the order the page lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Tone {
    /// Moves the dossier on: the one filled button.
    Primary,
    /// A side path (ask for papers, consult, extend): an outlined button.
    Secondary,
    /// Ends the dossier against the applicant's hope, or the applicant's own withdrawal: asks for
    /// a reason and a confirmation first.
    Ending,
}

impl Tone {
    /// The button's class.
    pub(super) fn class(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
            Self::Ending => "ending",
        }
    }

    /// How a built-in command is weighed, by its name alone: the refusal at intake, the stop and
    /// the withdrawal end a dossier; `None` for a procedure's own action.
    pub(super) fn of_built_in(action: &str) -> Option<Self> {
        BuiltIn::named(action)?;
        Some(match action {
            "refuse_intake" | "stop" | "withdraw" => Self::Ending,
            "request_supplement" | "consult" | "apologize_and_extend" | "extend_time_limit" => {
                Self::Secondary
            }
            _ => Self::Primary,
        })
    }

    /// How `action` is weighed: a built-in by its name, a procedure's action by its outcome (a
    /// refusal ends the dossier).
    pub(super) fn of(action: &str, procedure: &hoso_engine::procedure::Procedure) -> Self {
        Self::of_built_in(action).unwrap_or_else(|| {
            let refuses = procedure.definition().actions.iter().any(|declared| {
                declared.id == action
                    && declared.outcome == Some(hoso_engine::procedure::Outcome::Refused)
            });
            if refuses { Self::Ending } else { Self::Primary }
        })
    }
}

/// The form a built-in command's button opens; a procedure's own action takes a note, and the
/// action that issues the result takes its files too.
pub(super) fn form_of(action: &str, procedure: &hoso_engine::procedure::Procedure) -> &'static str {
    let issues = procedure.definition().actions.iter().any(|declared| {
        declared.id == action
            && declared
                .effects
                .contains(&hoso_engine::procedure::Effect::IssueResult)
            && declared.outcome == Some(hoso_engine::procedure::Outcome::Approved)
    });
    if issues || action == "issue_result" {
        return "result";
    }
    BuiltIn::named(action).map_or("reason", |built_in| built_in.input.as_str())
}

#[derive(Template)]
#[template(path = "dossier.html")]
pub(super) struct DossierTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) code: String,
    pub(super) procedure: String,
    pub(super) status: String,
    pub(super) step: String,
    pub(super) unit: String,
    /// One Form 02 per supplement request: (its form number, e.g. "02-1", the request's number).
    pub(super) supplement_forms: Vec<(String, usize)>,
    pub(super) appointment: String,
    /// Counted over a provisional calendar year (ngày hẹn tạm tính).
    pub(super) appointment_provisional: bool,
    pub(super) remaining: String,
    /// Where the dossier stands against its appointment: style class and label.
    pub(super) standing: Option<(&'static str, &'static str)>,
    /// The current step's deadline, for officers.
    pub(super) step_due: String,
    /// The procedure's windows on this dossier: (name, when it closes, what became of it).
    pub(super) windows: Vec<(String, String, String)>,
    pub(super) submitted: bool,
    /// Form 01 exists: the dossier was received (it is issued at receipt, not at submission).
    pub(super) has_receipt: bool,
    /// Each paper: its component's name, its own name, where it came from, and a link to open
    /// it (or the data store's reference where the file is held elsewhere).
    pub(super) documents: Vec<PaperLine>,
    /// What the applicant declared on the e-form, by the form's labels, and the fees.
    pub(super) declared: Vec<(String, String)>,
    pub(super) events: Vec<EventLine>,
    pub(super) actions: Vec<ActionButton>,
    pub(super) can_rate: bool,
    pub(super) rated: bool,
    pub(super) auditor: bool,
    pub(super) verified: Option<(bool, String)>,
    pub(super) notice: String,
    /// The notice says why something was not done, not that it was.
    pub(super) notice_is_error: bool,
    /// Fees still owed, in đồng, when the applicant can pay them online now.
    pub(super) can_pay: Option<String>,
    /// Money the gateway took that the dossier could not take, owed back (hoàn trả), in đồng.
    pub(super) refund_due: String,
    /// Who applies and how they chose to hear and receive: (label, value).
    pub(super) choices: Vec<(String, String)>,
    /// The electronic results: (name, download link, what its signatures say).
    pub(super) results: Vec<(String, String, String)>,
}

pub(super) fn built_in_label(action: &str, lang: Lang) -> Option<&'static str> {
    BuiltIn::named(action).map(|built_in| {
        if lang == Lang::Vi {
            built_in.vietnamese
        } else {
            built_in.english
        }
    })
}

pub(super) async fn dossier_template(
    state: &AppState,
    visitor: &Visitor,
    principal: &crate::app::Principal,
    code: &str,
) -> Result<DossierTemplate, WebError> {
    let t = visitor.words();
    let case = dossiers::load_readable(state, principal, code).await?;
    let actor = principal.actor();
    let view = dossiers::view(state, &case, actor.as_ref())?;
    let procedure = state.service.procedure_of(&case).map_err(AppError::from)?;
    let is_citizen = principal.citizen_id().is_some();
    let events = state.service.store().events(&case.code).await?;
    let directory = state.service.directory();
    let people = if is_citizen {
        std::collections::BTreeMap::new()
    } else {
        dossiers::people_of(state.service.store(), &events).await?
    };
    let names = hoso_engine::case::Names {
        procedure: Some(&procedure),
        directory: Some(&directory),
        people: Some(&people),
    };
    let events = events
        .iter()
        .map(|event| EventLine {
            at: local_time(event.at),
            who: match &event.actor.kind {
                hoso_engine::case::ActorKind::Citizen => t.applicant.to_owned(),
                hoso_engine::case::ActorKind::Officer { role, unit } => {
                    if is_citizen {
                        format!("{}, {}", names.role(role), names.unit(unit))
                    } else {
                        hoso_engine::case::describe_actor_named(event, &names)
                    }
                }
                // The machine acts for others: a gateway's confirmation, a timer, a retry.
                hoso_engine::case::ActorKind::System => match &event.kind {
                    hoso_engine::case::EventKind::PaymentRecorded { .. }
                    | hoso_engine::case::EventKind::RefundDue { .. } => {
                        t.payment_gateway.to_owned()
                    }
                    _ => t.system.to_owned(),
                },
            },
            what: hoso_engine::case::describe_named(event, &names),
        })
        .collect();
    let mut actions: Vec<ActionButton> = view
        .available_actions
        .iter()
        .map(|id| (id, Tone::of(id, &procedure)))
        .map(|(id, tone)| ActionButton {
            id: id.clone(),
            label: built_in_label(id, visitor.lang)
                .map(str::to_owned)
                .or_else(|| {
                    procedure
                        .definition()
                        .actions
                        .iter()
                        .find(|action| &action.id == id)
                        .map(|action| action.name.clone())
                })
                .unwrap_or_else(|| id.clone()),
            form: match (form_of(id, &procedure), tone) {
                // An end is never taken without saying why.
                ("reason" | "plain", Tone::Ending) => "reason_required",
                (form, _) => form,
            },
            tone,
            documents: match form_of(id, &procedure) {
                "supplement_request" => procedure
                    .definition()
                    .documents
                    .iter()
                    .map(|document| (document.id.clone(), document.name.clone()))
                    .collect(),
                "supplement_answer" => case
                    .pending_supplement
                    .iter()
                    .flat_map(|request| &request.missing)
                    .map(|missing| {
                        let name = procedure
                            .definition()
                            .documents
                            .iter()
                            .find(|document| document.id == missing.document)
                            .map_or(missing.document.clone(), |document| document.name.clone());
                        (
                            missing.document.clone(),
                            format!("{name}: {}", missing.note),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    // The main action first, side paths next, ends last.
    actions.sort_by_key(|action| action.tone);
    let applicant = principal.follows(&case);
    let rated = applicant
        && case.status == Status::ResultReturned
        && state
            .service
            .store()
            .rating_exists(&case.code.to_string())
            .await?;
    let shown = crate::web::deadline::show(
        t,
        &state.service.calendars(),
        case.status,
        case.appointment,
        case.finished_at,
        chrono::Utc::now(),
    );
    Ok(DossierTemplate {
        refund_due: if case.refund_due.is_zero() {
            String::new()
        } else {
            case.refund_due.to_string()
        },
        choices: [
            Some((
                case.applicant.kind.identifier_label().to_owned(),
                format!(
                    "{} — {}",
                    case.applicant.citizen_id,
                    case.applicant.kind.label()
                ),
            )),
            case.applicant
                .representative
                .as_ref()
                .map(|person| (person.basis.label().to_owned(), person.name.clone())),
            view.delivery
                .clone()
                .map(|delivery| (t.delivery.to_owned(), delivery)),
            (!view.notify.is_empty()).then(|| {
                (
                    t.notifications.to_owned(),
                    case.notify_channels()
                        .iter()
                        .map(|channel| channel.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            }),
            view.lookup_key
                .clone()
                .map(|key| (t.lookup_key.to_owned(), key)),
        ]
        .into_iter()
        .flatten()
        .collect(),
        results: view
            .results
            .iter()
            .map(|result| {
                let signature = match (result.signed, result.signers.is_empty()) {
                    (false, _) => t.unsigned.to_owned(),
                    (true, true) => t.signed_unnamed.to_owned(),
                    (true, false) => format!("{}: {}", t.signed_by, result.signers.join(", ")),
                };
                (
                    result.name.clone(),
                    format!("/dossiers/{}/documents/{}", view.code, result.sha256),
                    signature,
                )
            })
            .collect(),
        t,
        nav: Nav::of(visitor, &format!("/dossiers/{code}")),
        code: view.code.clone(),
        procedure: format!("{} — {}", view.procedure, view.procedure_name),
        status: view.status_label.clone(),
        step: view.step_name.clone().unwrap_or_default(),
        unit: names.unit(&case.unit),
        supplement_forms: (1..=case.supplement_requests as usize)
            .map(|nth| (format!("02-{nth}"), nth))
            .collect(),
        appointment: view.appointment.map(local_time).unwrap_or_default(),
        appointment_provisional: view.appointment_provisional,
        remaining: shown.left,
        standing: shown
            .standing
            .map(|standing| (standing.class, standing.label)),
        step_due: case
            .step_due()
            .filter(|_| case.finished_at.is_none() && !case.status.is_closed())
            .filter(|_| !applicant)
            .map(local_time)
            .unwrap_or_default(),
        windows: view
            .windows
            .iter()
            .map(|window| {
                let state = match (window.met_at, window.late) {
                    (Some(met), false) => format!("{} {}", t.window_met, local_time(met)),
                    (Some(met), true) => format!("{} {}", t.window_met_late, local_time(met)),
                    (None, true) => t.window_missed.to_owned(),
                    (None, false) => String::new(),
                };
                (window.name.clone(), local_time(window.closes_at), state)
            })
            .collect(),
        submitted: false,
        has_receipt: case.received_at.is_some(),
        documents: papers(&case, &procedure),
        declared: declared(t, &case, &procedure),
        events,
        actions,
        can_rate: applicant && case.status == Status::ResultReturned && !rated,
        rated,
        auditor: visitor.user.as_ref().map(|user| user.kind) == Some(UserKind::Auditor),
        verified: None,
        notice: String::new(),
        notice_is_error: false,
        can_pay: (applicant
            && state.vnpay.is_some()
            && case.outstanding().as_dong() > 0
            // Fees are asked for once the dossier is received, never before.
            && !matches!(
                case.status,
                Status::Registered
                    | Status::NotReceived
                    | Status::Withdrawn
                    | Status::Stopped
                    | Status::ResultReturned
            ))
        .then(|| group_digits(case.outstanding().as_dong())),
    })
}

#[derive(Deserialize)]
pub(super) struct DossierQuery {
    pub(super) submitted: Option<String>,
    pub(super) rated: Option<String>,
}

pub(super) async fn dossier_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<DossierQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let mut template = dossier_template(&state, &visitor, &principal, &code).await?;
    template.submitted = query.submitted.is_some();
    if query.rated.is_some() {
        template.notice = visitor.words().rated.to_owned();
    }
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

/// A paper of the dossier as its page lists it.
pub(super) struct PaperLine {
    pub(super) component: String,
    pub(super) name: String,
    pub(super) provenance: &'static str,
    /// Where to open it; `None` when no file is held here.
    pub(super) href: Option<String>,
    pub(super) reference: String,
}

fn papers(
    case: &hoso_engine::case::Case,
    procedure: &hoso_engine::procedure::Procedure,
) -> Vec<PaperLine> {
    case.documents
        .iter()
        .map(|document| PaperLine {
            component: procedure.document(&document.component).map_or_else(
                || document.component.clone(),
                |declared| declared.name.clone(),
            ),
            name: document.name.clone(),
            provenance: document.provenance.label(),
            href: document
                .sha256
                .as_ref()
                .map(|sha256| format!("/dossiers/{}/documents/{sha256}", case.code)),
            reference: document.reference.clone().unwrap_or_default(),
        })
        .collect()
}

/// What the applicant declared, field by field under the e-form's own labels — choices by their
/// names, dates as dd/mm/yyyy, yes or no — then the contact details and each fee.
fn declared(
    t: &'static Words,
    case: &hoso_engine::case::Case,
    procedure: &hoso_engine::procedure::Procedure,
) -> Vec<(String, String)> {
    use hoso_engine::procedure::FieldKind;
    use serde_json::Value;
    let mut lines = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for field in procedure
        .definition()
        .documents
        .iter()
        .flat_map(|document| &document.fields)
    {
        let shown = match (field.kind, case.form.get(&field.id)) {
            (_, None | Some(Value::Null)) => continue,
            (_, Some(Value::Bool(yes))) => (if *yes { t.yes } else { t.no }).to_owned(),
            (FieldKind::Date, Some(Value::String(text))) => {
                chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_or_else(|_| text.clone(), |date| date.format("%d/%m/%Y").to_string())
            }
            (FieldKind::Choice, Some(Value::String(text))) => field.choice_label(text).to_owned(),
            (_, Some(Value::String(text))) => text.clone(),
            (_, Some(other)) => other.to_string(),
        };
        // A field shared by several papers is declared once.
        if seen.insert(field.id.as_str()) {
            lines.push((field.label.clone(), shown));
        }
    }
    let applicant = &case.applicant;
    for (label, value) in [(t.phone, &applicant.phone), (t.email, &applicant.email)] {
        if let Some(value) = value.as_ref().filter(|value| !value.is_empty()) {
            lines.push((label.to_owned(), value.clone()));
        }
    }
    for fee in &case.fees {
        let amount = if fee.exempt {
            format!("{} ({})", fee.amount, t.waived)
        } else {
            fee.amount.to_string()
        };
        lines.push((fee.name.clone(), amount));
    }
    lines
}

#[cfg(test)]
mod tone_tests {
    use super::Tone;

    #[test]
    fn ending_and_side_actions_are_told_apart_from_the_main_one() {
        for ending in ["refuse_intake", "stop", "withdraw"] {
            assert_eq!(Tone::of_built_in(ending), Some(Tone::Ending), "{ending}");
        }
        for side in [
            "request_supplement",
            "consult",
            "apologize_and_extend",
            "extend_time_limit",
        ] {
            assert_eq!(Tone::of_built_in(side), Some(Tone::Secondary), "{side}");
        }
        for main in ["receive", "issue_result", "return_result"] {
            assert_eq!(Tone::of_built_in(main), Some(Tone::Primary), "{main}");
        }
        assert_eq!(
            Tone::of_built_in("chuyen_tham_dinh"),
            None,
            "a procedure's own"
        );
        // The page lists the main action first and the endings last.
        assert!(Tone::Primary < Tone::Secondary && Tone::Secondary < Tone::Ending);
        assert_eq!(
            [Tone::Primary, Tone::Secondary, Tone::Ending].map(Tone::class),
            ["primary", "secondary", "ending"]
        );
    }
}
