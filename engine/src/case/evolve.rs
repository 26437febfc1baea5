//! `evolve`: a dossier's state is the fold of its events.

use super::event::{Deadline, Event, EventKind};
use super::model::{Case, Consultation, IssuedResult, Pause, Status, StepVisit, SupplementRequest};

/// Why events could not be folded into a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot replay dossier {case} at event {seq}: {why}")]
pub struct ReplayError {
    /// The dossier.
    pub case: String,
    /// The event that does not fit.
    pub seq: u64,
    /// Why.
    pub why: String,
}

/// Applies one event to a dossier's state (`None` before its first event).
pub fn evolve(case: Option<Case>, event: &Event) -> Result<Case, ReplayError> {
    let fail = |why: &str| ReplayError {
        case: event.case.to_string(),
        seq: event.seq,
        why: why.to_owned(),
    };
    let mut case = match (case, &event.kind) {
        (
            None,
            EventKind::Submitted {
                procedure,
                channel,
                receiving_unit,
                applicant,
                form,
                documents,
                fees,
                delivery,
                notify,
                lookup_key,
                vneid,
            },
        ) => Case {
            code: event.case.clone(),
            procedure: procedure.clone(),
            channel: *channel,
            receiving_unit: receiving_unit.clone(),
            applicant: applicant.clone(),
            form: form.clone(),
            documents: documents.clone(),
            fees: fees.clone(),
            paid: crate::money::Money::ZERO,
            refund_due: crate::money::Money::ZERO,
            status: Status::Registered,
            outcome: None,
            step: None,
            unit: receiving_unit.clone(),
            submitted_at: event.at,
            received_at: None,
            clock_started_at: None,
            time_limit: None,
            appointment: None,
            original_appointment: None,
            extensions: 0,
            windows: Vec::new(),
            calendar_version: None,
            visits: Vec::new(),
            pauses: Vec::new(),
            supplement_requests: 0,
            supplement_units: Vec::new(),
            pending_supplement: None,
            consultations: Vec::new(),
            result: None,
            finished_at: None,
            returned_at: None,
            warned: false,
            overdue: false,
            delivery: delivery.clone(),
            notify: notify.clone(),
            lookup_key: lookup_key.clone(),
            vneid: *vneid,
            forms: std::collections::BTreeMap::new(),
            version: 0,
            last_hash: String::new(),
        },
        (None, _) => return Err(fail("the first event of a dossier must be its submission")),
        (Some(_), EventKind::Submitted { .. }) => {
            return Err(fail("a dossier is submitted only once"));
        }
        (Some(case), _) => case,
    };
    if event.seq != case.version + 1 {
        return Err(fail(&format!("expected event {}", case.version + 1)));
    }
    let at = event.at;
    match &event.kind {
        EventKind::Submitted { .. } => {}
        EventKind::Received {
            step,
            unit,
            time_limit,
            appointment,
            step_due,
            calendar_version,
        } => {
            case.status = Status::Received;
            case.step = Some(step.clone());
            case.unit = unit.clone();
            case.received_at = Some(at);
            case.clock_started_at = Some(at);
            case.time_limit = Some(*time_limit);
            case.appointment = Some(*appointment);
            case.calendar_version = Some(calendar_version.clone());
            case.visits
                .push(visit(step, unit, &event.actor, at, *step_due));
        }
        EventKind::RefusedAtIntake { .. } => {
            case.status = Status::NotReceived;
            case.finished_at = Some(at);
        }
        EventKind::SupplementRequested { missing, reason } => {
            case.pending_supplement = Some(SupplementRequest {
                missing: missing.clone(),
                reason: reason.clone(),
                requested_at: at,
                resume: case.status,
            });
            case.supplement_requests += 1;
            case.supplement_units.push(case.unit.clone());
            case.status = Status::SupplementRequested;
            case.pauses.push(Pause {
                started_at: at,
                ended_at: None,
                reason: "supplement".to_owned(),
            });
        }
        EventKind::SupplementSubmitted {
            form,
            documents,
            appointment,
            step_due,
        } => {
            case.form.extend(form.clone());
            case.documents.extend(documents.iter().cloned());
            let resume = case
                .pending_supplement
                .take()
                .map_or(Status::Registered, |pending| pending.resume);
            case.status = resume;
            end_pause(&mut case, "supplement", at);
            if let Some(appointment) = appointment {
                case.appointment = Some(*appointment);
                case.clock_started_at = Some(at);
                case.warned = false;
                case.overdue = false;
            }
            if let (Some(due), Some(visit)) = (step_due, case.visits.last_mut()) {
                visit.due_at = *due;
            }
        }
        EventKind::ActionTaken {
            to,
            unit,
            outcome,
            step_due,
            time_limit,
            appointment,
            clock_started,
            ..
        } => {
            if let Some(current) = case.visits.last_mut() {
                current.left_at.get_or_insert(at);
            }
            case.unit = unit.clone();
            if let Some(limit) = time_limit {
                case.time_limit = Some(*limit);
            }
            if let Some(appointment) = appointment {
                case.appointment = Some(*appointment);
            }
            if *clock_started {
                case.clock_started_at = Some(at);
                case.warned = false;
                case.overdue = false;
            }
            match (to, outcome) {
                (Some(step), _) => {
                    case.step = Some(step.clone());
                    case.status = Status::Processing;
                    let due = step_due.unwrap_or(at);
                    case.visits.push(visit(step, unit, &event.actor, at, due));
                }
                (None, Some(outcome)) => {
                    case.step = None;
                    case.outcome = Some(*outcome);
                    case.status = Status::Resolved;
                    case.finished_at = Some(at);
                }
                (None, None) => return Err(fail("an action must move the dossier or decide it")),
            }
        }
        EventKind::PaymentRequested { .. } => {
            if matches!(case.status, Status::Received | Status::Processing) {
                case.status = Status::FinancialObligationRequested;
                case.pauses.push(Pause {
                    started_at: at,
                    ended_at: None,
                    reason: "payment".to_owned(),
                });
            }
        }
        EventKind::PaymentRecorded { amount, .. } => {
            case.paid = case.paid + *amount;
            if case.status == Status::FinancialObligationRequested
                && case.outstanding() == crate::money::Money::ZERO
            {
                case.status = Status::Processing;
                end_pause(&mut case, "payment", at);
            }
        }
        EventKind::RefundDue { amount, .. } => {
            case.refund_due = case.refund_due + *amount;
        }
        EventKind::ConsultationRequested { unit, question } => {
            case.consultations.push(Consultation {
                unit: unit.clone(),
                question: question.clone(),
                asked_at: at,
                answer: None,
                answered_at: None,
            })
        }
        EventKind::ConsultationAnswered {
            consultation,
            answer,
        } => {
            let consultation = case
                .consultations
                .get_mut(*consultation)
                .ok_or_else(|| fail("the consultation answered does not exist"))?;
            consultation.answer = Some(answer.clone());
            consultation.answered_at = Some(at);
        }
        EventKind::ResultIssued {
            result_code,
            documents,
        } => {
            case.result = Some(IssuedResult {
                code: result_code.clone(),
                issued_at: at,
                documents: documents.clone(),
            });
        }
        EventKind::ResultReturned => {
            case.status = Status::ResultReturned;
            case.returned_at = Some(at);
        }
        EventKind::Withdrawn { .. } | EventKind::Stopped { .. } => {
            case.status = if matches!(event.kind, EventKind::Withdrawn { .. }) {
                Status::Withdrawn
            } else {
                Status::Stopped
            };
            case.step = None;
            case.pending_supplement = None;
            case.finished_at = Some(at);
            if let Some(current) = case.visits.last_mut() {
                current.left_at.get_or_insert(at);
            }
            for pause in &mut case.pauses {
                pause.ended_at.get_or_insert(at);
            }
        }
        EventKind::Extended {
            previous,
            appointment,
            ..
        } => {
            case.original_appointment = Some(*previous);
            case.appointment = Some(*appointment);
            case.warned = false;
        }
        EventKind::TimeLimitExtended { appointment, .. } => {
            case.extensions += 1;
            case.appointment = Some(*appointment);
            case.warned = false;
        }
        EventKind::WindowsOpened { windows } => case.windows.extend(windows.iter().cloned()),
        EventKind::EffectRetried { .. } | EventKind::EffectDropped { .. } => {}
        EventKind::DeadlinesRecomputed {
            appointment,
            step_due,
            calendar_version,
            ..
        } => {
            case.appointment = Some(*appointment);
            case.calendar_version = Some(calendar_version.clone());
            case.warned = false;
            case.overdue = false;
            if let (Some(due), Some(visit)) = (
                step_due,
                case.visits
                    .last_mut()
                    .filter(|visit| visit.left_at.is_none()),
            ) {
                visit.due_at = *due;
                visit.warned = false;
                visit.overdue = false;
            }
        }
        EventKind::FormIssued { number, sha256, .. } => {
            case.forms.insert(number.clone(), sha256.clone());
        }
        EventKind::DeadlineNear { deadline } | EventKind::DeadlinePassed { deadline } => {
            let passed = matches!(event.kind, EventKind::DeadlinePassed { .. });
            match deadline {
                Deadline::Appointment if passed => case.overdue = true,
                Deadline::Appointment => case.warned = true,
                Deadline::Step => {
                    if let Some(current) = case
                        .visits
                        .last_mut()
                        .filter(|visit| visit.left_at.is_none())
                    {
                        if passed {
                            current.overdue = true;
                        } else {
                            current.warned = true;
                        }
                    }
                }
            }
        }
    }
    if let Some(command) = event.kind.command() {
        for window in case.windows.iter_mut().filter(|window| {
            window.met_at.is_none() && window.commands.iter().any(|listed| listed == command)
        }) {
            window.met_at = Some(at);
        }
    }
    case.version = event.seq;
    case.last_hash = event.hash.clone();
    Ok(case)
}

/// Folds a dossier's events, in order, into its state.
pub fn replay<'e>(
    events: impl IntoIterator<Item = &'e Event>,
) -> Result<Option<Case>, ReplayError> {
    let mut case = None;
    for event in events {
        case = Some(evolve(case, event)?);
    }
    Ok(case)
}

fn visit(
    step: &str,
    unit: &super::code::UnitId,
    actor: &super::event::Actor,
    at: chrono::DateTime<chrono::Utc>,
    due: chrono::DateTime<chrono::Utc>,
) -> StepVisit {
    StepVisit {
        step: step.to_owned(),
        unit: unit.clone(),
        from_actor: actor.id.clone(),
        from_name: actor.name.clone(),
        entered_at: at,
        due_at: due,
        left_at: None,
        warned: false,
        overdue: false,
    }
}

fn end_pause(case: &mut Case, reason: &str, at: chrono::DateTime<chrono::Utc>) {
    if let Some(pause) = case
        .pauses
        .iter_mut()
        .rev()
        .find(|pause| pause.reason == reason && pause.ended_at.is_none())
    {
        pause.ended_at = Some(at);
    }
}

/// Applies sealed events to a state, collecting the side effects each one causes.
pub fn apply(
    before: Option<&Case>,
    events: &[Event],
) -> Result<(Case, Vec<super::effects::OutboxMessage>), ReplayError> {
    let mut case = before.cloned();
    let mut outbox = Vec::new();
    for event in events {
        let after = evolve(case.clone(), event)?;
        outbox.extend(super::effects::effects_of(case.as_ref(), &after, event));
        case = Some(after);
    }
    let case = case.ok_or_else(|| ReplayError {
        case: String::new(),
        seq: 0,
        why: "no events to apply".to_owned(),
    })?;
    Ok((case, outbox))
}
