//! Intake: the one-stop desk receives a complete dossier (the legal clock starts), refuses one
//! with reasons (Form 03), or asks once for everything missing (Form 02); the applicant answers.

use crate::messages::{ActionProblem, Refusal, Text};
use chrono::Utc;

use crate::case::applicant;
use crate::case::command::Submission;
use crate::case::event::{Actor, ActorKind, EventKind};
use crate::case::form::{
    FieldProblem, check_contact, check_documents, check_form, normalize_form, normalize_phone,
    normalize_text,
};
use crate::case::model::Status;
use crate::clock::vietnam;
use crate::procedure::{ChannelKind, TimeLimit};

use super::{Context, Decider, Rejection, invalid, require_text, require_working_unit};

pub(super) fn submit(
    context: &Context<'_>,
    actor: &Actor,
    submission: &Submission,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<EventKind>, Rejection> {
    let procedure = context.procedure;
    match (&actor.kind, submission.channel) {
        (ActorKind::Citizen, ChannelKind::Online) => {
            if !applicant::submits_for(actor, &submission.applicant) {
                return Err(Rejection::Forbidden(Refusal::OwnNameOnline.into()));
            }
        }
        (ActorKind::Citizen, channel) => {
            return Err(Rejection::Forbidden(
                Refusal::DeskEntersChannel {
                    channel: channel.vietnamese().to_owned(),
                    channel_id: channel.as_str().to_owned(),
                }
                .into(),
            ));
        }
        (ActorKind::Officer { role, unit }, ChannelKind::Direct | ChannelKind::Postal) => {
            if role != procedure.intake_role() || unit != &submission.receiving_unit {
                let role = procedure.intake_role();
                return Err(Rejection::Forbidden(
                    Refusal::CounterEntryByDesk {
                        role: procedure.role_name(role).to_owned(),
                        role_id: role.to_owned(),
                        unit: context
                            .directory
                            .unit(&submission.receiving_unit)
                            .map_or_else(
                                || submission.receiving_unit.to_string(),
                                ToString::to_string,
                            ),
                    }
                    .into(),
                ));
            }
        }
        (ActorKind::Officer { .. }, ChannelKind::Online) => {
            return Err(Rejection::Forbidden(Refusal::OnlineByApplicant.into()));
        }
        (ActorKind::System, _) => {
            return Err(Rejection::Forbidden(Refusal::SystemDoesNotSubmit.into()));
        }
    }
    let today = crate::clock::vietnam_day(now);
    let receiving = &submission.receiving_unit;
    if let Some(entry) = context.directory.unit(receiving)
        && let Some(from) = entry.valid_from.filter(|from| *from > today)
    {
        return Err(invalid(
            "/receiving_unit",
            ActionProblem::UnitNotYetReceiving {
                unit: entry.to_string(),
                from: from.format("%d/%m/%Y").to_string(),
            },
        ));
    }
    require_working_unit(
        context.directory,
        receiving,
        today,
        "/receiving_unit",
        false,
    )?;
    if procedure.channel(submission.channel).is_none() {
        let offered: Vec<&str> = procedure
            .definition()
            .channels
            .iter()
            .map(|channel| channel.channel.as_str())
            .collect();
        return Err(invalid(
            "/channel",
            ActionProblem::ChannelNotOffered {
                procedure: procedure.code().to_string(),
                channel: submission.channel.as_str().to_owned(),
                offered: offered.iter().map(ToString::to_string).collect(),
            },
        ));
    }
    let mut problems = Vec::new();
    let applicant = &submission.applicant;
    applicant::check_applicant(procedure, applicant, &mut problems);
    applicant::check_name(&applicant.name, "/applicant/name", &mut problems);
    check_contact(
        applicant.phone.as_deref(),
        applicant.email.as_deref(),
        &mut problems,
    );
    check_form(procedure, &submission.form, &mut problems);
    check_documents(procedure, &submission.documents, &mut problems);
    applicant::check_authorisation(applicant, &submission.documents, &mut problems);
    let delivery =
        applicant::check_delivery(procedure, submission.delivery.as_ref(), &mut problems);
    let notify = applicant::check_notify(applicant, submission.notify.as_deref(), &mut problems);
    if let Some(key) = &submission.lookup_key
        && !is_lookup_key(key)
    {
        problems.push(FieldProblem::new(
            "/lookup_key",
            crate::messages::Said::LookupKey,
        ));
    }
    if !problems.is_empty() {
        return Err(Rejection::Invalid(problems));
    }
    let fees = procedure
        .charge(submission.channel, &submission.form)
        .map_err(|why| invalid("/form", ActionProblem::FeeNotComputed { why }))?;
    let mut applicant = applicant.clone();
    applicant.phone = applicant.phone.as_deref().and_then(normalize_phone);
    applicant.name = normalize_text(applicant.name.trim());
    if let Some(representative) = &mut applicant.representative {
        representative.name = normalize_text(representative.name.trim());
    }
    Ok(vec![EventKind::Submitted {
        procedure: crate::case::model::ProcedureRef {
            code: procedure.code().clone(),
            version: procedure.version(),
        },
        channel: submission.channel,
        receiving_unit: submission.receiving_unit.clone(),
        applicant,
        form: normalize_form(procedure, &submission.form),
        documents: submission.documents.clone(),
        fees,
        delivery,
        notify,
        lookup_key: submission.lookup_key.clone(),
        vneid: submission.vneid,
    }])
}

/// A public lookup key as the application draws them: 8 to 16 capital letters and digits.
pub fn is_lookup_key(key: &str) -> bool {
    (8..=16).contains(&key.len())
        && key
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || byte.is_ascii_digit())
}

impl Decider<'_> {
    pub(super) fn receive(&self) -> Result<Vec<EventKind>, Rejection> {
        self.require_intake("receive dossiers")?;
        self.require_status(&[Status::Registered], "receive the dossier")?;
        let procedure = self.procedure();
        let channel = procedure.channel(self.case.channel).ok_or_else(|| {
            Rejection::NotNow(
                Refusal::ChannelWithdrawn {
                    procedure: procedure.code().to_string(),
                }
                .into(),
            )
        })?;
        self.require_routes()?;
        let start = procedure.definition().start.clone();
        Ok(vec![EventKind::Received {
            unit: self.unit_for(&start)?,
            step_due: self.step_due(&start, self.now)?,
            appointment: self.appointment(channel.time_limit, self.now)?,
            time_limit: channel.time_limit,
            calendar_version: self.context.calendars.version().to_owned(),
            step: start,
        }])
    }

    pub(super) fn refuse_intake(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        self.require_intake("refuse dossiers at intake")?;
        self.require_status(&[Status::Registered], "refuse the dossier at intake")?;
        require_text("/reason", reason, Text::RefusalReason)?;
        Ok(vec![EventKind::RefusedAtIntake {
            reason: reason.to_owned(),
        }])
    }

    pub(super) fn request_supplement(
        &self,
        missing: &[crate::case::model::MissingDocument],
        reason: &str,
    ) -> Result<Vec<EventKind>, Rejection> {
        match self.case.status {
            Status::Registered => self.require_intake("ask for a supplement at intake")?,
            Status::Received | Status::Processing => {
                if !self.is_step_officer() && !self.is_intake() {
                    return Err(Rejection::Forbidden(Refusal::SupplementByStepOrDesk.into()));
                }
            }
            _ => self.require_status(
                &[Status::Registered, Status::Received, Status::Processing],
                "ask for a supplement",
            )?,
        }
        if self.case.supplement_units.contains(&self.case.unit) {
            return Err(Rejection::NotNow(
                Refusal::SupplementAlreadyAsked {
                    unit: self.unit_label(&self.case.unit).to_string(),
                }
                .into(),
            ));
        }
        require_text("/reason", reason, Text::SupplementReason)?;
        if missing.is_empty() {
            return Err(invalid("/missing", ActionProblem::SupplementListEmpty));
        }
        for (position, item) in missing.iter().enumerate() {
            require_text(
                &format!("/missing/{position}/document"),
                &item.document,
                Text::DocumentName,
            )?;
        }
        Ok(vec![EventKind::SupplementRequested {
            missing: missing.to_vec(),
            reason: reason.to_owned(),
        }])
    }

    pub(super) fn submit_supplement(
        &self,
        form: &serde_json::Map<String, serde_json::Value>,
        documents: &[crate::case::model::DocumentRef],
    ) -> Result<Vec<EventKind>, Rejection> {
        self.require_applicant("send the supplement")?;
        self.require_status(&[Status::SupplementRequested], "send a supplement")?;
        let pending = self
            .case
            .pending_supplement
            .as_ref()
            .ok_or(Rejection::NotNow(Refusal::NoSupplementAwaited.into()))?;
        if form.is_empty() && documents.is_empty() {
            return Err(invalid("/documents", ActionProblem::SupplementNothingSent));
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
}
