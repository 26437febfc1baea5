//! Intake: the one-stop desk receives a complete dossier (the legal clock starts), refuses one
//! with reasons (Form 03), or asks once for everything missing (Form 02); the applicant answers.

use crate::messages::Said;
use chrono::Utc;

use crate::case::applicant;
use crate::case::command::Submission;
use crate::case::event::{Actor, ActorKind, EventKind};
use crate::case::form::{
    FieldProblem, check_documents, check_form, is_email, normalize_form, normalize_phone,
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
                return Err(Rejection::Forbidden(Said::OwnNameOnline));
            }
        }
        (ActorKind::Citizen, channel) => {
            return Err(Rejection::Forbidden(
                format!(
                    "a {} submission is entered by the one-stop desk; submit online instead",
                    channel.as_str()
                )
                .into(),
            ));
        }
        (ActorKind::Officer { role, unit }, ChannelKind::Direct | ChannelKind::Postal) => {
            if role != procedure.intake_role() || unit != &submission.receiving_unit {
                return Err(Rejection::Forbidden(format!(
                    "counter and postal dossiers are entered by the role `{}` of the receiving unit {}",
                    procedure.intake_role(),
                    submission.receiving_unit
                ).into()));
            }
        }
        (ActorKind::Officer { .. }, ChannelKind::Online) => {
            return Err(Rejection::Forbidden(
                "online dossiers are submitted by the applicant".into(),
            ));
        }
        (ActorKind::System, _) => {
            return Err(Rejection::Forbidden(
                "hoso itself does not submit dossiers".into(),
            ));
        }
    }
    let today = crate::clock::vietnam_day(now);
    let receiving = &submission.receiving_unit;
    if let Some(entry) = context.directory.unit(receiving)
        && let Some(from) = entry.valid_from.filter(|from| *from > today)
    {
        return Err(invalid(
            "/receiving_unit",
            format!("{entry} receives dossiers from {}", from.format("%d/%m/%Y")),
        ));
    }
    require_working_unit(
        context.directory,
        receiving,
        today,
        "/receiving_unit",
        "submit to",
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
    applicant::check_applicant(procedure, applicant, &mut problems);
    applicant::check_name(&applicant.name, "/applicant/name", &mut problems);
    if let Some(phone) = &applicant.phone
        && normalize_phone(phone).is_none()
    {
        problems.push(FieldProblem::new(
            "/applicant/phone",
            crate::messages::Said::NotPhone { label: None },
        ));
    }
    if let Some(email) = &applicant.email
        && !is_email(email)
    {
        problems.push(FieldProblem::new(
            "/applicant/email",
            crate::messages::Said::NotEmail { label: None },
        ));
    }
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
        .map_err(|why| invalid("/form", why))?;
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
                format!(
                    "procedure {} no longer offers this channel",
                    procedure.code()
                )
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
        require_text("/reason", reason, "the reason for refusing (Form 03)")?;
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
                    return Err(Rejection::Forbidden(Said::SupplementByStepOrDesk));
                }
            }
            _ => self.require_status(
                &[Status::Registered, Status::Received, Status::Processing],
                "ask for a supplement",
            )?,
        }
        if self.case.supplement_units.contains(&self.case.unit) {
            return Err(Rejection::NotNow(Said::SupplementAlreadyAsked {
                unit: self.unit_label(&self.case.unit).to_string(),
            }));
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
            .ok_or(Rejection::NotNow(Said::NoSupplementAwaited))?;
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
}
