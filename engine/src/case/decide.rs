//! `decide`: given a procedure, a dossier and a command from an actor, the events that follow —
//! or the reason the command is refused. Pure: the time and calendars come in as values.

use chrono::{DateTime, Utc};

use super::code::UnitId;
use super::command::{Command, Submission};
use super::directory::Directory;
use super::event::{Actor, ActorKind, Deadline, EventKind};
use super::form::{
    FieldProblem, check_documents, check_form, hidden_character, hidden_message, is_email,
    normalize_form, normalize_phone, normalize_text,
};
use super::model::{Case, Status};
use crate::clock::{Calendars, ClockError, vietnam};
use crate::money::Money;
use crate::procedure::{ChannelKind, Effect, Outcome, Procedure, TimeLimit};

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
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// The dossier is not in a state where this can be done.
    #[error("not possible now: {0}")]
    NotNow(String),
    /// The request's data is invalid; each problem names its field.
    #[error("invalid: {}", .0.iter().map(|problem| format!("{} {}", problem.pointer, problem.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldProblem>),
    /// A deadline could not be computed (a year without a calendar).
    #[error(transparent)]
    Clock(#[from] ClockError),
}

fn invalid(pointer: &str, message: impl Into<String>) -> Rejection {
    Rejection::Invalid(vec![FieldProblem::new(pointer, message)])
}

fn require_text(pointer: &str, text: &str, what: &str) -> Result<(), Rejection> {
    if text.trim().is_empty() {
        Err(invalid(pointer, format!("{what} is required")))
    } else if text.chars().count() > 4000 {
        Err(invalid(
            pointer,
            format!("{what} is longer than 4000 characters"),
        ))
    } else {
        Ok(())
    }
}

/// Decides what a command does to a dossier (`case` is `None` only for `Submit`).
pub fn decide(
    context: &Context<'_>,
    case: Option<&Case>,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Vec<EventKind>, Rejection> {
    let Some(case) = case else {
        return match command {
            Command::Submit(submission) => submit(context, actor, submission),
            other => Err(Rejection::NotNow(format!(
                "`{}` needs an existing dossier",
                other.name()
            ))),
        };
    };
    let decider = Decider {
        context,
        case,
        actor,
        now,
    };
    match command {
        Command::Submit(_) => Err(Rejection::NotNow(format!(
            "dossier {} is already submitted",
            case.code
        ))),
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
        } => decider.take_action(action, reason.as_deref(), data),
        Command::Consult { unit, question } => decider.consult(unit, question),
        Command::AnswerConsultation {
            consultation,
            answer,
        } => decider.answer_consultation(*consultation, answer),
        Command::IssueResult { result_code } => decider.issue_result(result_code.as_deref()),
        Command::ReturnResult => decider.return_result(),
        Command::Withdraw { reason } => decider.withdraw(reason),
        Command::Stop { reason } => decider.stop(reason),
        Command::ApologizeAndExtend {
            reason,
            new_appointment,
        } => decider.extend(reason, *new_appointment),
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

fn submit(
    context: &Context<'_>,
    actor: &Actor,
    submission: &Submission,
) -> Result<Vec<EventKind>, Rejection> {
    let procedure = context.procedure;
    match (&actor.kind, submission.channel) {
        (ActorKind::Citizen, ChannelKind::Online) => {
            if actor.id != submission.applicant.citizen_id {
                return Err(Rejection::Forbidden(
                    "a citizen submits online in their own name: the applicant's identification number must be yours".to_owned(),
                ));
            }
        }
        (ActorKind::Citizen, channel) => {
            return Err(Rejection::Forbidden(format!(
                "a {} submission is entered by the one-stop desk; submit online instead",
                channel.as_str()
            )));
        }
        (ActorKind::Officer { role, unit }, ChannelKind::Direct | ChannelKind::Postal) => {
            if role != procedure.intake_role() || unit != &submission.receiving_unit {
                return Err(Rejection::Forbidden(format!(
                    "counter and postal dossiers are entered by the role `{}` of the receiving unit {}",
                    procedure.intake_role(),
                    submission.receiving_unit
                )));
            }
        }
        (ActorKind::Officer { .. }, ChannelKind::Online) => {
            return Err(Rejection::Forbidden(
                "online dossiers are submitted by the applicant".to_owned(),
            ));
        }
        (ActorKind::System, _) => {
            return Err(Rejection::Forbidden(
                "hoso itself does not submit dossiers".to_owned(),
            ));
        }
    }
    if procedure.channel(submission.channel).is_none() {
        let offered: Vec<&str> = procedure
            .definition()
            .channels
            .iter()
            .map(|channel| channel.channel.as_str())
            .collect();
        return Err(invalid(
            "/channel",
            format!(
                "procedure {} is not offered {}; channels: {}",
                procedure.code(),
                submission.channel.as_str(),
                offered.join(", ")
            ),
        ));
    }
    let mut problems = Vec::new();
    let applicant = &submission.applicant;
    if !super::form::is_id_number(&applicant.citizen_id) {
        problems.push(FieldProblem::new(
            "/applicant/citizen_id",
            "must be a 12-digit personal identification number",
        ));
    }
    if applicant.name.trim().is_empty() || applicant.name.chars().count() > 200 {
        problems.push(FieldProblem::new(
            "/applicant/name",
            "the applicant's full name is required (at most 200 characters)",
        ));
    }
    if let Some(hidden) = hidden_character(&applicant.name) {
        problems.push(FieldProblem::new(
            "/applicant/name",
            format!("the name {}", hidden_message(hidden)),
        ));
    }
    if let Some(phone) = &applicant.phone
        && normalize_phone(phone).is_none()
    {
        problems.push(FieldProblem::new(
            "/applicant/phone",
            "is not a Vietnamese phone number (10 digits from 0, or +84)",
        ));
    }
    if let Some(email) = &applicant.email
        && !is_email(email)
    {
        problems.push(FieldProblem::new(
            "/applicant/email",
            "is not an e-mail address: write one address like ten@example.vn, without spaces or line breaks",
        ));
    }
    check_form(procedure, &submission.form, &mut problems);
    check_documents(procedure, &submission.documents, &mut problems);
    if !problems.is_empty() {
        return Err(Rejection::Invalid(problems));
    }
    let fees = procedure
        .charge(submission.channel, &submission.form)
        .map_err(|why| invalid("/form", why))?;
    let mut applicant = applicant.clone();
    applicant.phone = applicant.phone.as_deref().and_then(normalize_phone);
    applicant.name = normalize_text(applicant.name.trim());
    Ok(vec![EventKind::Submitted {
        procedure: super::model::ProcedureRef {
            code: procedure.code().clone(),
            version: procedure.version(),
        },
        channel: submission.channel,
        receiving_unit: submission.receiving_unit.clone(),
        applicant,
        form: normalize_form(procedure, &submission.form),
        documents: submission.documents.clone(),
        fees,
    }])
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
                if role == self.procedure().intake_role() && unit == &self.case.receiving_unit =>
            {
                Ok(())
            }
            _ => Err(Rejection::Forbidden(format!(
                "only the role `{}` of the receiving unit {} may {what}",
                self.procedure().intake_role(),
                self.case.receiving_unit
            ))),
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
        matches!(&self.actor.kind, ActorKind::Officer { role, unit } if role == &step.role && unit == &self.case.unit)
    }

    fn is_intake(&self) -> bool {
        matches!(&self.actor.kind, ActorKind::Officer { role, unit }
            if role == self.procedure().intake_role() && unit == &self.case.receiving_unit)
    }

    fn require_applicant(&self, what: &str) -> Result<(), Rejection> {
        match &self.actor.kind {
            ActorKind::Citizen if self.actor.id == self.case.applicant.citizen_id => Ok(()),
            _ => Err(Rejection::Forbidden(format!(
                "only the applicant may {what}"
            ))),
        }
    }

    fn require_status(&self, allowed: &[Status], what: &str) -> Result<(), Rejection> {
        if allowed.contains(&self.case.status) {
            Ok(())
        } else {
            Err(Rejection::NotNow(format!(
                "cannot {what}: dossier {} is \"{}\" ({})",
                self.case.code,
                self.case.status.label(),
                self.case.status.as_str()
            )))
        }
    }

    fn local_now(&self) -> DateTime<chrono::FixedOffset> {
        self.now.with_timezone(&vietnam())
    }

    /// The real unit that holds the dossier at `step`.
    fn unit_for(&self, step: &str) -> UnitId {
        let kind = self
            .procedure()
            .step(step)
            .map_or("", |step| step.unit.as_str());
        self.context
            .directory
            .resolve(&self.case.receiving_unit, kind)
    }

    fn step_due(&self, step: &str, from: DateTime<Utc>) -> Result<DateTime<Utc>, Rejection> {
        let allotted = self
            .procedure()
            .step(step)
            .map_or(TimeLimit::WorkingDays(0), |step| step.allotted);
        Ok(self
            .context
            .calendars
            .step_due(from.with_timezone(&vietnam()), allotted)?
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

    fn receive(&self) -> Result<Vec<EventKind>, Rejection> {
        self.require_intake("receive dossiers")?;
        self.require_status(&[Status::Registered], "receive the dossier")?;
        let procedure = self.procedure();
        let channel = procedure.channel(self.case.channel).ok_or_else(|| {
            Rejection::NotNow(format!(
                "procedure {} no longer offers this channel",
                procedure.code()
            ))
        })?;
        let start = procedure.definition().start.clone();
        Ok(vec![EventKind::Received {
            unit: self.unit_for(&start),
            step_due: self.step_due(&start, self.now)?,
            appointment: self.appointment(channel.time_limit, self.now)?,
            time_limit: channel.time_limit,
            calendar_version: self.context.calendars.version().to_owned(),
            step: start,
        }])
    }

    fn refuse_intake(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        self.require_intake("refuse dossiers at intake")?;
        self.require_status(&[Status::Registered], "refuse the dossier at intake")?;
        require_text("/reason", reason, "the reason for refusing (Form 03)")?;
        Ok(vec![EventKind::RefusedAtIntake {
            reason: reason.to_owned(),
        }])
    }

    fn request_supplement(
        &self,
        missing: &[super::model::MissingDocument],
        reason: &str,
    ) -> Result<Vec<EventKind>, Rejection> {
        match self.case.status {
            Status::Registered => self.require_intake("ask for a supplement at intake")?,
            Status::Received | Status::Processing => {
                if !self.is_step_officer() && !self.is_intake() {
                    return Err(Rejection::Forbidden(
                        "only the officer at the dossier's current step, or the one-stop desk, may ask for a supplement".to_owned(),
                    ));
                }
            }
            _ => self.require_status(
                &[Status::Registered, Status::Received, Status::Processing],
                "ask for a supplement",
            )?,
        }
        if self.case.supplement_requests > 0 {
            return Err(Rejection::NotNow(
                "a supplement was already requested for this dossier; the law asks for everything missing at once (Decree 61/2018 Art. 15)".to_owned(),
            ));
        }
        require_text(
            "/reason",
            reason,
            "the reason for the supplement request (Form 02)",
        )?;
        if missing.is_empty() {
            return Err(invalid(
                "/missing",
                "list every document to add or correct, once and completely",
            ));
        }
        for (position, item) in missing.iter().enumerate() {
            require_text(
                &format!("/missing/{position}/document"),
                &item.document,
                "the document's name",
            )?;
        }
        Ok(vec![EventKind::SupplementRequested {
            missing: missing.to_vec(),
            reason: reason.to_owned(),
        }])
    }

    fn submit_supplement(
        &self,
        form: &serde_json::Map<String, serde_json::Value>,
        documents: &[super::model::DocumentRef],
    ) -> Result<Vec<EventKind>, Rejection> {
        self.require_applicant("send the supplement")?;
        self.require_status(&[Status::SupplementRequested], "send a supplement")?;
        let pending = self
            .case
            .pending_supplement
            .as_ref()
            .ok_or_else(|| Rejection::NotNow("no supplement is being waited for".to_owned()))?;
        if form.is_empty() && documents.is_empty() {
            return Err(invalid(
                "/documents",
                "send the documents or corrections that were asked for",
            ));
        }
        let mut merged = self.case.form.clone();
        merged.extend(form.clone());
        let mut all_documents = self.case.documents.clone();
        all_documents.extend(documents.iter().cloned());
        let mut problems = Vec::new();
        check_form(self.procedure(), &merged, &mut problems);
        check_documents(self.procedure(), &all_documents, &mut problems);
        if !problems.is_empty() {
            return Err(Rejection::Invalid(problems));
        }
        // Processing resumes only when the supplement was asked for after receipt; at intake the
        // desk receives the completed dossier and the clock starts then.
        let (appointment, step_due) = if pending.resume == Status::Registered {
            (None, None)
        } else {
            let limit = self.case.time_limit.unwrap_or(TimeLimit::WorkingDays(0));
            let appointment = match self.procedure().definition().clock.supplement {
                crate::procedure::SupplementClock::Restart => self.appointment(limit, self.now)?,
                crate::procedure::SupplementClock::Pause => {
                    let waited = self.context.calendars.working_time_between(
                        pending.requested_at.with_timezone(&vietnam()),
                        self.local_now(),
                    )?;
                    let previous = self.case.appointment.unwrap_or(self.now);
                    self.context
                        .calendars
                        .add_working_time(previous.with_timezone(&vietnam()), waited)?
                        .with_timezone(&Utc)
                }
            };
            let step = self.case.step.clone().unwrap_or_default();
            (Some(appointment), Some(self.step_due(&step, self.now)?))
        };
        Ok(vec![EventKind::SupplementSubmitted {
            form: normalize_form(self.procedure(), form),
            documents: documents.to_vec(),
            appointment,
            step_due,
        }])
    }

    fn take_action(
        &self,
        action_id: &str,
        reason: Option<&str>,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Vec<EventKind>, Rejection> {
        let procedure = self.procedure();
        let Some(action) = procedure
            .definition()
            .actions
            .iter()
            .find(|action| action.id == action_id)
        else {
            let available: Vec<&str> = self
                .case
                .step
                .as_deref()
                .map(|step| {
                    procedure
                        .actions_from(step)
                        .map(|action| action.id.as_str())
                        .collect()
                })
                .unwrap_or_default();
            return Err(invalid(
                "/action",
                format!(
                    "procedure {} has no action `{action_id}`; from this step: {}",
                    procedure.code(),
                    available.join(", ")
                ),
            ));
        };
        let ActorKind::Officer { role, unit } = &self.actor.kind else {
            return Err(Rejection::Forbidden(format!(
                "action `{action_id}` is taken by officers"
            )));
        };
        if !action.roles.iter().any(|allowed| allowed == role) {
            return Err(Rejection::Forbidden(format!(
                "your role `{role}` may not take `{action_id}`; it is for: {}",
                action.roles.join(", ")
            )));
        }
        if unit != &self.case.unit {
            return Err(Rejection::Forbidden(format!(
                "dossier {} is held by unit {}, not yours ({unit})",
                self.case.code, self.case.unit
            )));
        }
        self.require_status(
            &[Status::Received, Status::Processing],
            &format!("take `{action_id}`"),
        )?;
        if self.case.step.as_deref() != Some(action.from.as_str()) {
            return Err(Rejection::NotNow(format!(
                "`{action_id}` is taken from step `{}`, but the dossier is at `{}`",
                action.from,
                self.case.step.as_deref().unwrap_or("-")
            )));
        }
        if data.len() > 50 || serde_json::to_string(data).map_or(0, |text| text.len()) > 16_384 {
            return Err(invalid("/data", "at most 50 keys and 16 KiB of data"));
        }
        let allowed = procedure
            .guard_allows(action_id, self.case.channel, &self.case.form)
            .map_err(|why| {
                Rejection::NotNow(format!(
                    "the condition of `{action_id}` could not be checked: {why}"
                ))
            })?;
        if !allowed {
            return Err(Rejection::NotNow(format!(
                "the condition of `{action_id}` does not hold for this dossier: {}",
                action.guard.as_deref().unwrap_or_default()
            )));
        }
        let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
        if action.outcome == Some(Outcome::Refused) && reason.is_none() {
            return Err(invalid(
                "/reason",
                "refusing to resolve needs the reasons, which the applicant will read (Decree 61/2018 Art. 19.8)",
            ));
        }
        if let Some(reason) = reason {
            require_text("/reason", reason, "the reason")?;
        }
        let (time_limit, appointment) = match (action.sets_time_limit, self.case.clock_started_at) {
            (Some(limit), Some(started)) => (Some(limit), Some(self.appointment(limit, started)?)),
            _ => (None, None),
        };
        let (unit, step_due) = match &action.to {
            Some(to) => (self.unit_for(to), Some(self.step_due(to, self.now)?)),
            None => (self.case.unit.clone(), None),
        };
        let mut events = vec![EventKind::ActionTaken {
            action: action.id.clone(),
            from: action.from.clone(),
            to: action.to.clone(),
            unit,
            outcome: action.outcome,
            reason: reason.map(str::to_owned),
            data: data.clone(),
            step_due,
            time_limit,
            appointment,
        }];
        if action.effects.contains(&Effect::RequestPayment) && self.case.outstanding() > Money::ZERO
        {
            events.push(EventKind::PaymentRequested {
                amount: self.case.outstanding(),
            });
        }
        if action.effects.contains(&Effect::IssueResult)
            && action.outcome == Some(Outcome::Approved)
        {
            events.push(EventKind::ResultIssued {
                result_code: self.default_result_code(),
            });
        }
        Ok(events)
    }

    fn default_result_code(&self) -> String {
        format!("KQ-{}", self.case.code)
    }

    fn consult(&self, unit: &UnitId, question: &str) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                "only the officer at the dossier's current step may consult another unit"
                    .to_owned(),
            ));
        }
        self.require_status(
            &[Status::Received, Status::Processing],
            "consult another unit",
        )?;
        require_text("/question", question, "the question")?;
        if unit == &self.case.unit {
            return Err(invalid(
                "/unit",
                "consult a unit other than the one holding the dossier",
            ));
        }
        Ok(vec![EventKind::ConsultationRequested {
            unit: unit.clone(),
            question: question.to_owned(),
        }])
    }

    fn answer_consultation(&self, index: usize, answer: &str) -> Result<Vec<EventKind>, Rejection> {
        let consultation = self.case.consultations.get(index).ok_or_else(|| {
            invalid(
                "/consultation",
                format!("dossier {} has no consultation {index}", self.case.code),
            )
        })?;
        match &self.actor.kind {
            ActorKind::Officer { unit, .. } if unit == &consultation.unit => {}
            _ => {
                return Err(Rejection::Forbidden(format!(
                    "only unit {} may answer this consultation",
                    consultation.unit
                )));
            }
        }
        if consultation.answer.is_some() {
            return Err(Rejection::NotNow(
                "this consultation was already answered".to_owned(),
            ));
        }
        require_text("/answer", answer, "the answer")?;
        Ok(vec![EventKind::ConsultationAnswered {
            consultation: index,
            answer: answer.to_owned(),
        }])
    }

    fn issue_result(&self, code: Option<&str>) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_intake()
            && !matches!(&self.actor.kind, ActorKind::Officer { unit, .. } if unit == &self.case.unit)
        {
            return Err(Rejection::Forbidden(
                "only the unit that decided, or the one-stop desk, may issue the result".to_owned(),
            ));
        }
        self.require_status(&[Status::Resolved], "issue the result")?;
        if self.case.outcome != Some(Outcome::Approved) {
            return Err(Rejection::NotNow(
                "the dossier was not approved; its refusal is returned as is".to_owned(),
            ));
        }
        if self.case.result.is_some() {
            return Err(Rejection::NotNow(
                "the result was already issued".to_owned(),
            ));
        }
        let code = code.map(str::trim).filter(|code| !code.is_empty());
        if let Some(code) = code
            && (code.len() > 64
                || !code
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-._/".contains(&byte)))
        {
            return Err(invalid(
                "/result_code",
                "use at most 64 letters, digits and - . _ /",
            ));
        }
        Ok(vec![EventKind::ResultIssued {
            result_code: code.map_or_else(|| self.default_result_code(), str::to_owned),
        }])
    }

    fn return_result(&self) -> Result<Vec<EventKind>, Rejection> {
        self.require_intake("return results")?;
        self.require_status(&[Status::Resolved], "return the result")?;
        if self.case.outcome == Some(Outcome::Approved) && self.case.result.is_none() {
            return Err(Rejection::NotNow(
                "issue the result before returning it".to_owned(),
            ));
        }
        let owed = self.case.outstanding();
        if self.case.outcome == Some(Outcome::Approved) && owed > Money::ZERO {
            return Err(Rejection::NotNow(format!(
                "fees of {owed} are not paid yet"
            )));
        }
        Ok(vec![EventKind::ResultReturned])
    }

    fn withdraw(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        self.require_applicant("withdraw the dossier")?;
        self.require_status(
            &[
                Status::Registered,
                Status::Received,
                Status::Processing,
                Status::SupplementRequested,
                Status::FinancialObligationRequested,
            ],
            "withdraw the dossier",
        )?;
        if reason.chars().count() > 4000 {
            return Err(invalid(
                "/reason",
                "the reason is longer than 4000 characters",
            ));
        }
        Ok(vec![EventKind::Withdrawn {
            reason: reason.to_owned(),
        }])
    }

    fn stop(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_intake() && !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                "only the one-stop desk or the officer at the current step may stop processing"
                    .to_owned(),
            ));
        }
        self.require_status(
            &[
                Status::Registered,
                Status::Received,
                Status::Processing,
                Status::SupplementRequested,
                Status::FinancialObligationRequested,
            ],
            "stop processing",
        )?;
        require_text("/reason", reason, "the reason for stopping (Form 05)")?;
        Ok(vec![EventKind::Stopped {
            reason: reason.to_owned(),
        }])
    }

    fn extend(
        &self,
        reason: &str,
        new_appointment: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_intake() && !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                "only the one-stop desk or the officer at the current step may apologise and set a new date".to_owned(),
            ));
        }
        self.require_status(
            &[
                Status::Received,
                Status::Processing,
                Status::FinancialObligationRequested,
            ],
            "apologise and extend",
        )?;
        if self.case.original_appointment.is_some() {
            return Err(Rejection::NotNow("the appointment was already extended once; the law allows one extension (Decree 61/2018 Art. 19.9)".to_owned()));
        }
        let Some(appointment) = self.case.appointment else {
            return Err(Rejection::NotNow(
                "the dossier has no appointment yet".to_owned(),
            ));
        };
        if self.now >= appointment {
            return Err(Rejection::NotNow(format!(
                "the apology must come before the appointment ({}), and it has passed",
                appointment
                    .with_timezone(&vietnam())
                    .format("%H:%M %d/%m/%Y")
            )));
        }
        require_text("/reason", reason, "the reason for the delay (Form 04)")?;
        if new_appointment <= appointment {
            return Err(invalid(
                "/new_appointment",
                "the new appointment must be after the current one",
            ));
        }
        Ok(vec![EventKind::Extended {
            reason: reason.to_owned(),
            previous: appointment,
            appointment: new_appointment,
        }])
    }

    fn record_payment(&self, amount: Money, reference: &str) -> Result<Vec<EventKind>, Rejection> {
        match &self.actor.kind {
            ActorKind::System => {}
            ActorKind::Officer { .. } if self.is_intake() => {}
            _ => {
                return Err(Rejection::Forbidden(
                    "payments are recorded by the gateway or the one-stop cashier".to_owned(),
                ));
            }
        }
        if amount == Money::ZERO {
            return Err(invalid("/amount", "a payment must be more than 0 đồng"));
        }
        require_text("/reference", reference, "the payment reference")?;
        // Fees are paid once: money beyond them, or for a dossier that has ended, is no payment.
        let outstanding = self.case.outstanding();
        let cannot_take = if self.case.status.is_closed() {
            Some((
                format!("dossier {} is closed", self.case.code),
                format!("hồ sơ đã kết thúc — {}", self.case.status.label()),
            ))
        } else if amount > outstanding {
            Some((
                format!(
                    "dossier {} owes {outstanding}; a payment of {amount} is more than is due",
                    self.case.code
                ),
                format!("vượt số phí, lệ phí còn phải nộp là {outstanding}"),
            ))
        } else {
            None
        };
        match cannot_take {
            None => Ok(vec![EventKind::PaymentRecorded {
                amount,
                reference: reference.to_owned(),
            }]),
            // The gateway has already taken the money: it goes on the record as owed back.
            Some((_, reason)) if matches!(self.actor.kind, ActorKind::System) => {
                Ok(vec![EventKind::RefundDue {
                    amount,
                    reference: reference.to_owned(),
                    reason,
                }])
            }
            // The cashier has not: the right amount is taken instead.
            Some((why, _)) => Err(Rejection::NotNow(why)),
        }
    }

    fn recompute(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        // hoso itself recomputes when an official calendar replaces a provisional one.
        let calendar_replacement =
            matches!(self.actor.kind, ActorKind::System) && self.actor.id == CALENDAR_ACTOR;
        if !calendar_replacement && !self.is_intake() && !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                "only the one-stop desk or the officer at the current step may recompute deadlines"
                    .to_owned(),
            ));
        }
        self.require_status(
            &[
                Status::Received,
                Status::Processing,
                Status::FinancialObligationRequested,
            ],
            "recompute deadlines",
        )?;
        if self.case.original_appointment.is_some() {
            return Err(Rejection::NotNow(
                "the appointment was set by an apology and extension (Form 04); that date stands"
                    .to_owned(),
            ));
        }
        require_text("/reason", reason, "the reason for recomputing")?;
        let (Some(started), Some(limit)) = (self.case.clock_started_at, self.case.time_limit)
        else {
            return Err(Rejection::NotNow(
                "the legal clock has not started".to_owned(),
            ));
        };
        let appointment = self.appointment(limit, started)?;
        let step_due = match self.case.current_visit() {
            Some(visit) => Some(self.step_due(&visit.step, visit.entered_at)?),
            None => None,
        };
        let version = self.context.calendars.version();
        if Some(appointment) == self.case.appointment
            && step_due == self.case.step_due()
            && self.case.calendar_version.as_deref() == Some(version)
        {
            return Err(Rejection::NotNow(
                "the deadlines already match the current calendars".to_owned(),
            ));
        }
        Ok(vec![EventKind::DeadlinesRecomputed {
            reason: reason.to_owned(),
            previous: self.case.appointment,
            appointment,
            step_due,
            calendar_version: version.to_owned(),
        }])
    }

    /// Operators (hoso's own tools, acting as `operator:<name>`) retry or drop a dossier's side
    /// effects; the action is recorded on the dossier's chain like any other.
    fn operate_effect(
        &self,
        key: &str,
        drop_reason: Option<&str>,
    ) -> Result<Vec<EventKind>, Rejection> {
        if !(matches!(self.actor.kind, ActorKind::System) && self.actor.id.starts_with("operator:"))
        {
            return Err(Rejection::Forbidden(
                "side effects are retried or dropped by operators with `hoso outbox`".to_owned(),
            ));
        }
        if !key.starts_with(&format!("{}:", self.case.code)) {
            return Err(invalid(
                "/idempotency_key",
                format!("`{key}` is not a side effect of dossier {}", self.case.code),
            ));
        }
        Ok(vec![match drop_reason {
            None => EventKind::EffectRetried {
                idempotency_key: key.to_owned(),
            },
            Some(reason) => {
                require_text("/reason", reason, "the reason for dropping it")?;
                EventKind::EffectDropped {
                    idempotency_key: key.to_owned(),
                    reason: reason.to_owned(),
                }
            }
        }])
    }

    /// Timers fire at least once; a second firing, or one that is no longer relevant, decides
    /// nothing.
    fn raise_deadline(
        &self,
        deadline: Deadline,
        passed: bool,
    ) -> Result<Vec<EventKind>, Rejection> {
        if !matches!(self.actor.kind, ActorKind::System) {
            return Err(Rejection::Forbidden(
                "deadlines are raised by hoso's timers".to_owned(),
            ));
        }
        let processing = matches!(
            self.case.status,
            Status::Received | Status::Processing | Status::FinancialObligationRequested
        );
        let (due, already) = match deadline {
            Deadline::Appointment => (
                self.case.appointment,
                if passed {
                    self.case.overdue
                } else {
                    self.case.warned
                },
            ),
            Deadline::Step => {
                let visit = self.case.current_visit();
                (
                    visit.map(|visit| visit.due_at),
                    visit.is_some_and(|visit| if passed { visit.overdue } else { visit.warned }),
                )
            }
        };
        let Some(due) = due else {
            return Ok(Vec::new());
        };
        let reached = if passed {
            self.now > due
        } else {
            self.now <= due
        };
        if !processing || already || !reached {
            return Ok(Vec::new());
        }
        Ok(vec![if passed {
            EventKind::DeadlinePassed { deadline }
        } else {
            EventKind::DeadlineNear { deadline }
        }])
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
        Command::IssueResult { result_code: None },
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
