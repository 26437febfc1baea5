//! Processing: the procedure's own actions between steps, consultations with other units, the
//! result issued and returned.

use crate::case::code::UnitId;
use crate::case::event::{ActorKind, EventKind};
use crate::case::model::{ResultDocument, Status};
use crate::messages::Said;
use crate::money::Money;
use crate::procedure::{Delivery, Effect, OnlineService, Outcome};

use super::{Decider, Rejection, invalid, require_text, require_working_unit};

impl Decider<'_> {
    pub(super) fn take_action(
        &self,
        action_id: &str,
        reason: Option<&str>,
        data: &serde_json::Map<String, serde_json::Value>,
        results: &[ResultDocument],
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
            return Err(Rejection::Forbidden(
                format!("action `{action_id}` is taken by officers").into(),
            ));
        };
        if !action.roles.iter().any(|allowed| allowed == role) {
            return Err(Rejection::Forbidden(
                format!(
                    "your role `{role}` may not take `{action_id}`; it is for: {}",
                    action.roles.join(", ")
                )
                .into(),
            ));
        }
        if !self.works_for(unit, &self.case.unit) {
            return Err(Rejection::Forbidden(Said::HeldElsewhere {
                dossier: self.case.code.to_string(),
                holder: self.unit_label(&self.case.unit).to_string(),
                unit: unit.to_string(),
            }));
        }
        self.require_status(
            &[Status::Received, Status::Processing],
            &format!("take `{action_id}`"),
        )?;
        if self.case.step.as_deref() != Some(action.from.as_str()) {
            return Err(Rejection::NotNow(
                format!(
                    "`{action_id}` is taken from step `{}`, but the dossier is at `{}`",
                    action.from,
                    self.case.step.as_deref().unwrap_or("-")
                )
                .into(),
            ));
        }
        if data.len() > 50 || serde_json::to_string(data).map_or(0, |text| text.len()) > 16_384 {
            return Err(invalid("/data", "at most 50 keys and 16 KiB of data"));
        }
        let allowed = procedure
            .guard_allows(action_id, self.case.channel, &self.case.form)
            .map_err(|why| {
                Rejection::NotNow(
                    format!("the condition of `{action_id}` could not be checked: {why}").into(),
                )
            })?;
        if !allowed {
            return Err(Rejection::NotNow(
                format!(
                    "the condition of `{action_id}` does not hold for this dossier: {}",
                    action.guard.as_deref().unwrap_or_default()
                )
                .into(),
            ));
        }
        let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
        match (action.outcome, reason) {
            (Some(Outcome::Refused), None) => {
                return Err(invalid(
                    "/reason",
                    "refusing to resolve needs the reasons, which the applicant will read (Decree 61/2018 Art. 19.8)",
                ));
            }
            (Some(Outcome::Transferred), None) => {
                return Err(invalid(
                    "/reason",
                    "a transfer names the competent agency and why, which the applicant's notice quotes",
                ));
            }
            _ => {}
        }
        if let Some(reason) = reason {
            require_text("/reason", reason, "the reason")?;
        }
        let (time_limit, appointment, clock_started) = match (
            action.starts_time_limit,
            action.sets_time_limit,
            self.case.clock_started_at,
        ) {
            (Some(limit), _, _) => (Some(limit), Some(self.appointment(limit, self.now)?), true),
            (None, Some(limit), Some(started)) => {
                (Some(limit), Some(self.appointment(limit, started)?), false)
            }
            _ => (None, None, false),
        };
        let (unit, step_due) = match &action.to {
            Some(to) => (self.unit_for(to)?, Some(self.step_due(to, self.now)?)),
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
            clock_started,
        }];
        if action.effects.contains(&Effect::RequestPayment) && self.case.outstanding() > Money::ZERO
        {
            events.push(EventKind::PaymentRequested {
                amount: self.case.outstanding(),
            });
        }
        let issues_result = action.effects.contains(&Effect::IssueResult)
            && action.outcome == Some(Outcome::Approved);
        if issues_result {
            events.push(EventKind::ResultIssued {
                result_code: self.default_result_code(),
                documents: self.result_documents(results)?,
            });
        } else if !results.is_empty() {
            return Err(invalid(
                "/results",
                format!(
                    "`{}` does not issue the result; attach the result documents to the action that does",
                    action.id
                ),
            ));
        }
        Ok(events)
    }

    /// The result documents, checked: each named and hashed, and at least one when the
    /// applicant chose to receive a full-process service's result online.
    pub(super) fn result_documents(
        &self,
        results: &[ResultDocument],
    ) -> Result<Vec<ResultDocument>, Rejection> {
        for (position, document) in results.iter().enumerate() {
            require_text(
                &format!("/results/{position}/name"),
                &document.name,
                "the file's name",
            )?;
            if document.sha256.len() != 64
                || !document.sha256.bytes().all(|byte| byte.is_ascii_hexdigit())
            {
                return Err(invalid(
                    &format!("/results/{position}/sha256"),
                    "a result document is named by the SHA-256 of its content (64 hex digits)",
                ));
            }
        }
        let online = self
            .case
            .delivery
            .as_ref()
            .is_some_and(|delivery| delivery.channel == Delivery::Online);
        if results.is_empty()
            && online
            && self.procedure().definition().online_service == OnlineService::FullProcess
        {
            return Err(invalid(
                "/results",
                "the applicant chose to receive this full-process service's result online: attach the electronic result (PDF) when issuing it",
            ));
        }
        Ok(results.to_vec())
    }

    pub(super) fn default_result_code(&self) -> String {
        format!("KQ-{}", self.case.code)
    }

    pub(super) fn consult(
        &self,
        unit: &UnitId,
        question: &str,
    ) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_step_officer() {
            return Err(Rejection::Forbidden(Said::ConsultByStepOfficer));
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
        require_working_unit(
            self.context.directory,
            unit,
            crate::clock::vietnam_day(self.now),
            "/unit",
            "consult",
        )?;
        Ok(vec![EventKind::ConsultationRequested {
            unit: unit.clone(),
            question: question.to_owned(),
        }])
    }

    pub(super) fn answer_consultation(
        &self,
        index: usize,
        answer: &str,
    ) -> Result<Vec<EventKind>, Rejection> {
        let consultation = self.case.consultations.get(index).ok_or_else(|| {
            invalid(
                "/consultation",
                format!("dossier {} has no consultation {index}", self.case.code),
            )
        })?;
        match &self.actor.kind {
            ActorKind::Officer { unit, .. } if self.works_for(unit, &consultation.unit) => {}
            _ => {
                return Err(Rejection::Forbidden(
                    format!(
                        "only {} may answer this consultation",
                        self.unit_label(&consultation.unit)
                    )
                    .into(),
                ));
            }
        }
        if consultation.answer.is_some() {
            return Err(Rejection::NotNow(Said::ConsultationAnswered));
        }
        require_text("/answer", answer, "the answer")?;
        Ok(vec![EventKind::ConsultationAnswered {
            consultation: index,
            answer: answer.to_owned(),
        }])
    }

    pub(super) fn issue_result(
        &self,
        code: Option<&str>,
        results: &[ResultDocument],
    ) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_intake()
            && !matches!(&self.actor.kind, ActorKind::Officer { unit, .. } if self.works_for(unit, &self.case.unit))
        {
            return Err(Rejection::Forbidden(Said::IssueByDecidingUnit));
        }
        self.require_status(&[Status::Resolved], "issue the result")?;
        if self.case.outcome != Some(Outcome::Approved) {
            return Err(Rejection::NotNow(Said::RefusalReturnedAsIs));
        }
        if self.case.result.is_some() {
            return Err(Rejection::NotNow(Said::ResultAlreadyIssued));
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
            documents: self.result_documents(results)?,
        }])
    }

    pub(super) fn return_result(&self) -> Result<Vec<EventKind>, Rejection> {
        self.require_intake("return results")?;
        self.require_status(&[Status::Resolved], "return the result")?;
        if self.case.outcome == Some(Outcome::Approved) && self.case.result.is_none() {
            return Err(Rejection::NotNow(Said::IssueResultFirst));
        }
        let owed = self.case.outstanding();
        if self.case.outcome == Some(Outcome::Approved) && owed > Money::ZERO {
            return Err(Rejection::NotNow(Said::FeesNotPaid {
                owed: owed.to_string(),
            }));
        }
        Ok(vec![EventKind::ResultReturned])
    }
}
