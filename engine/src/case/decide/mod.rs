//! `decide`: given a procedure, a dossier and a command from an actor, the events that follow —
//! or the reason the command is refused. Pure: the time and calendars come in as values.

mod exceptions;
mod intake;
mod processing;
mod system;
mod windows;

use chrono::{DateTime, Utc};

use super::code::UnitId;
use super::command::Command;
use super::directory::Directory;
use super::event::{Actor, ActorKind, EventKind};
use super::form::FieldProblem;
use super::model::{Case, Status};
use crate::clock::{Calendars, ClockError, vietnam};
use crate::messages::{ActionProblem, Refusal, Text};
use crate::procedure::{Procedure, TimeLimit};

/// The system actor that recomputes deadlines when an official calendar replaces a provisional
/// one (`hoso calendar publish`, or start-up with the new file).
pub const CALENDAR_ACTOR: &str = "calendar";

/// What `decide` needs besides the dossier: the pinned procedure, the calendars, the routing of
/// unit kinds to real units, and the warning policy.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The dossier's procedure version.
    pub procedure: &'a Procedure,
    /// The official calendars.
    pub calendars: &'a Calendars,
    /// Which real unit handles each kind of unit for a receiving unit.
    pub directory: &'a Directory,
}

/// Why a command was refused. Nothing is written when a command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The actor may not do this (wrong role, unit, or person).
    #[error("not allowed: {}", .0.text(crate::messages::Lang::En))]
    Forbidden(crate::messages::Said),
    /// The dossier is not in a state where this can be done.
    #[error("not possible now: {}", .0.text(crate::messages::Lang::En))]
    NotNow(crate::messages::Said),
    /// The request's data is invalid; each problem names its field.
    #[error("invalid: {}", .0.iter().map(|problem| format!("{} {}", problem.pointer, problem.message(crate::messages::Lang::En))).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    /// A deadline could not be computed (a year without a calendar).
    #[error(transparent)]
    Clock(#[from] ClockError),
}

fn invalid(pointer: &str, said: impl Into<crate::messages::Said>) -> Rejection {
    Rejection::Invalid(vec![FieldProblem::new(pointer, said)])
}

fn require_text(pointer: &str, text: &str, what: Text) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        Err(invalid(pointer, ActionProblem::TextRequired(what)))
    } else if text.chars().count() > 4000 {
        Err(invalid(pointer, ActionProblem::TextTooLong(what)))
    } else {
        Ok(())
    }
}

/// A unit a command names must be in the directory and not retired on `day`, once the
/// directory has units; a retired unit's refusal names its successor, to consult or submit to.
fn require_working_unit(
    directory: &Directory,
    unit: &UnitId,
    day: chrono::NaiveDate,
    pointer: &str,
    consulting: bool,
) -> Result<(), Rejection> {
    if directory.is_empty() {
        return Ok(());
    }
    let Some(entry) = directory.unit(unit) else {
        return Err(invalid(
            pointer,
            ActionProblem::UnitNotInDirectory {
                unit: unit.to_string(),
            },
        ));
    };
    if entry.is_retired_on(day) {
        let successor = directory.current(unit, day);
        return Err(invalid(
            pointer,
            ActionProblem::UnitRetired {
                unit: entry.to_string(),
                successor: directory
                    .unit(&successor)
                    .map_or_else(|| successor.to_string(), ToString::to_string),
                consulting,
            },
        ));
    }
    Ok(())
}

/// Decides what a command does to a dossier (`case` is `None` only for `Submit`).
pub fn decide(
    context: &Context<'_>,
    case: Option<&Case>,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Vec<EventKind>, Rejection> {
    let mut events = decide_command(context, case, actor, command, now)?;
    if let Some(opened) = windows::opened(context, &events, now)? {
        events.push(opened);
    }
    if let Some(case) = case {
        let issued = crate::forms::issue(context, case, actor, &events, now)?;
        events.extend(issued);
    }
    Ok(events)
}

fn decide_command(
    context: &Context<'_>,
    case: Option<&Case>,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Vec<EventKind>, Rejection> {
    let Some(case) = case else {
        return match command {
            Command::Submit(submission) => intake::submit(context, actor, submission, now),
            other => Err(Rejection::NotNow(
                Refusal::NoDossierYet {
                    command: other.name().to_owned(),
                }
                .into(),
            )),
        };
    };
    let decider = Decider {
        context,
        case,
        actor,
        now,
    };
    let name = match command {
        Command::TakeAction { action, .. } => action.as_str(),
        other => other.name(),
    };
    windows::enforce(case, name, now, context)?;
    match command {
        Command::Submit(_) => Err(Rejection::NotNow(
            Refusal::AlreadySubmitted {
                dossier: case.code.to_string(),
            }
            .into(),
        )),
        Command::Receive => decider.receive(),
        Command::RefuseIntake { reason } => decider.refuse_intake(reason),
        Command::RequestSupplement { missing, reason } => {
            decider.request_supplement(missing, reason)
        }
        Command::SubmitSupplement { form, documents } => decider.submit_supplement(form, documents),
        Command::TakeAction {
            action,
            reason,
            data,
            results,
        } => decider.take_action(action, reason.as_deref(), data, results),
        Command::Consult { unit, question } => decider.consult(unit, question),
        Command::AnswerConsultation {
            consultation,
            answer,
        } => decider.answer_consultation(*consultation, answer),
        Command::IssueResult {
            result_code,
            results,
        } => decider.issue_result(result_code.as_deref(), results),
        Command::ReturnResult => decider.return_result(),
        Command::Withdraw { reason } => decider.withdraw(reason),
        Command::Stop { reason } => decider.stop(reason),
        Command::ApologizeAndExtend {
            reason,
            new_appointment,
        } => decider.extend(reason, *new_appointment),
        Command::ExtendTimeLimit {
            reason,
            new_appointment,
        } => decider.extend_time_limit(reason, *new_appointment),
        Command::RecordPayment { amount, reference } => decider.record_payment(*amount, reference),
        Command::RecomputeDeadlines { reason } => decider.recompute(reason),
        Command::RetryEffect { idempotency_key } => decider.operate_effect(idempotency_key, None),
        Command::DropEffect {
            idempotency_key,
            reason,
        } => decider.operate_effect(idempotency_key, Some(reason)),
        Command::RaiseDeadline { deadline, passed } => decider.raise_deadline(*deadline, *passed),
    }
}

struct Decider<'a> {
    context: &'a Context<'a>,
    case: &'a Case,
    actor: &'a Actor,
    now: DateTime<Utc>,
}

impl Decider<'_> {
    fn procedure(&self) -> &Procedure {
        self.context.procedure
    }

    /// The one-stop desk of the receiving unit.
    fn require_intake(&self, what: &str) -> Result<(), Rejection> {
        match &self.actor.kind {
            ActorKind::Officer { role, unit }
                if role == self.procedure().intake_role()
                    && self.works_for(unit, &self.case.receiving_unit) =>
            {
                Ok(())
            }
            _ => {
                let role = self.procedure().intake_role();
                Err(Rejection::Forbidden(
                    Refusal::IntakeOnly {
                        role: self.procedure().role_name(role).to_owned(),
                        role_id: role.to_owned(),
                        unit: self.unit_label(&self.case.receiving_unit),
                        doing: what.to_owned(),
                    }
                    .into(),
                ))
            }
        }
    }

    /// The officer working the dossier's current step, in the unit holding it.
    fn is_step_officer(&self) -> bool {
        let Some(step) = self
            .case
            .step
            .as_deref()
            .and_then(|step| self.procedure().step(step))
        else {
            return false;
        };
        matches!(&self.actor.kind, ActorKind::Officer { role, unit } if role == &step.role && self.works_for(unit, &self.case.unit))
    }

    /// A unit as people read it: its name and code, or the code alone outside the directory.
    fn unit_label(&self, unit: &UnitId) -> String {
        self.context
            .directory
            .unit(unit)
            .map_or_else(|| format!("unit {unit}"), ToString::to_string)
    }

    /// Whether an officer of `actor_unit` works for `holding` today: the same unit, or its
    /// successor once it is retired.
    fn works_for(&self, actor_unit: &UnitId, holding: &UnitId) -> bool {
        self.context
            .directory
            .works_for(actor_unit, holding, crate::clock::vietnam_day(self.now))
    }

    fn is_intake(&self) -> bool {
        matches!(&self.actor.kind, ActorKind::Officer { role, unit }
            if role == self.procedure().intake_role() && self.works_for(unit, &self.case.receiving_unit))
    }

    fn require_applicant(&self, what: &str) -> Result<(), Rejection> {
        match &self.actor.kind {
            ActorKind::Citizen if self.actor.id == self.case.applicant.citizen_id => Ok(()),
            _ => Err(Rejection::Forbidden(
                Refusal::ApplicantOnly {
                    doing: what.to_owned(),
                }
                .into(),
            )),
        }
    }

    fn require_status(&self, allowed: &[Status], what: &str) -> Result<(), Rejection> {
        if allowed.contains(&self.case.status) {
            Ok(())
        } else {
            Err(Rejection::NotNow(
                Refusal::NotInThisStatus {
                    doing: what.to_owned(),
                    dossier: self.case.code.to_string(),
                    status: self.case.status.label().to_owned(),
                    status_code: self.case.status.as_str().to_owned(),
                }
                .into(),
            ))
        }
    }

    fn local_now(&self) -> DateTime<chrono::FixedOffset> {
        self.now.with_timezone(&vietnam())
    }

    /// The real unit that holds the dossier at `step`, through the directory's routes.
    fn unit_for(&self, step: &str) -> Result<UnitId, Rejection> {
        self.route(step)
            .map_err(|missing| self.no_route(&[missing]))
    }

    fn route(&self, step: &str) -> Result<UnitId, super::directory::MissingRoute> {
        let kind = self
            .procedure()
            .step(step)
            .map_or("", |step| step.unit.as_str());
        self.context.directory.resolve(
            &self.case.receiving_unit,
            kind,
            self.procedure().is_receiving_agency(kind),
            crate::clock::vietnam_day(self.now),
        )
    }

    /// Every step's unit resolves, so a received dossier can never stall at a missing route.
    fn require_routes(&self) -> Result<(), Rejection> {
        let mut missing: Vec<_> = self
            .procedure()
            .definition()
            .steps
            .iter()
            .filter_map(|step| self.route(&step.id).err())
            .collect();
        missing.sort_by(|one, other| one.kind.cmp(&other.kind));
        missing.dedup();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(self.no_route(&missing))
        }
    }

    fn no_route(&self, missing: &[super::directory::MissingRoute]) -> Rejection {
        let kind_name = |kind: &str| {
            self.procedure()
                .unit(kind)
                .map_or_else(|| kind.to_owned(), |unit| unit.name.clone())
        };
        Rejection::NotNow(
            Refusal::NoRoute {
                receiving: self.unit_label(&self.case.receiving_unit),
                kinds: missing
                    .iter()
                    .map(|route| (kind_name(&route.kind), route.kind.clone()))
                    .collect(),
                missing: missing.iter().map(ToString::to_string).collect(),
            }
            .into(),
        )
    }

    fn step_due(&self, step: &str, from: DateTime<Utc>) -> Result<DateTime<Utc>, Rejection> {
        let allotted = self
            .procedure()
            .step(step)
            .map_or(TimeLimit::WorkingDays(0), |step| step.allotted);
        Ok(self
            .context
            .calendars
            .handover_due(from.with_timezone(&vietnam()), allotted)?
            .with_timezone(&Utc))
    }

    fn appointment(
        &self,
        limit: TimeLimit,
        from: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, Rejection> {
        Ok(self
            .context
            .calendars
            .due(
                from.with_timezone(&vietnam()),
                limit,
                self.procedure().definition().clock.after_cutoff,
            )?
            .with_timezone(&Utc))
    }
}

/// What `actor` may do to `case` now: the built-in commands and procedure actions that `decide`
/// would accept (or refuse only for the data given). Asking `decide` itself keeps this list from
/// ever disagreeing with the rules.
pub fn available_commands(
    context: &Context<'_>,
    case: &Case,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<String> {
    use super::model::{DocumentRef, MissingDocument, Provenance};
    let placeholder = "-".to_owned();
    let mut candidates: Vec<(String, Command)> = Vec::new();
    if let Some(step) = &case.step {
        for action in context.procedure.actions_from(step) {
            candidates.push((
                action.id.clone(),
                Command::TakeAction {
                    action: action.id.clone(),
                    reason: Some(placeholder.clone()),
                    data: serde_json::Map::new(),
                    // A missing result file is invalid data, not a closed door: still offered.
                    results: Vec::new(),
                },
            ));
        }
    }
    let any_component = context
        .procedure
        .definition()
        .documents
        .first()
        .map_or_else(String::new, |document| document.id.clone());
    let other_unit = UnitId::parse("X").ok();
    let builtins = [
        Command::Receive,
        Command::RefuseIntake {
            reason: placeholder.clone(),
        },
        Command::RequestSupplement {
            missing: vec![MissingDocument {
                document: placeholder.clone(),
                note: placeholder.clone(),
            }],
            reason: placeholder.clone(),
        },
        Command::SubmitSupplement {
            form: serde_json::Map::new(),
            documents: vec![DocumentRef {
                component: any_component,
                name: placeholder.clone(),
                sha256: None,
                size: None,
                provenance: Provenance::Upload,
                reference: None,
            }],
        },
        Command::IssueResult {
            result_code: None,
            results: Vec::new(),
        },
        Command::ReturnResult,
        Command::Withdraw {
            reason: String::new(),
        },
        Command::Stop {
            reason: placeholder.clone(),
        },
        Command::ApologizeAndExtend {
            reason: placeholder.clone(),
            new_appointment: case.appointment.unwrap_or(now) + chrono::Duration::days(1),
        },
        Command::ExtendTimeLimit {
            reason: placeholder.clone(),
            new_appointment: case.appointment.unwrap_or(now) + chrono::Duration::minutes(1),
        },
        Command::RecomputeDeadlines {
            reason: placeholder.clone(),
        },
    ];
    candidates.extend(
        builtins
            .into_iter()
            .map(|command| (command.name().to_owned(), command)),
    );
    if let Some(unit) = other_unit {
        candidates.push((
            "consult".to_owned(),
            Command::Consult {
                unit,
                question: placeholder.clone(),
            },
        ));
    }
    if let Some(open) = case
        .consultations
        .iter()
        .position(|consultation| consultation.answer.is_none())
    {
        candidates.push((
            "answer_consultation".to_owned(),
            Command::AnswerConsultation {
                consultation: open,
                answer: placeholder,
            },
        ));
    }
    candidates
        .into_iter()
        .filter(|(_, command)| {
            matches!(
                decide(context, Some(case), actor, command, now),
                Ok(_) | Err(Rejection::Invalid(_))
            )
        })
        .map(|(name, _)| name)
        .collect()
}
