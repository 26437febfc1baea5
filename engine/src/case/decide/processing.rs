//! Processing: the procedure's own actions between steps, consultations with other units, the
//! result issued and returned.

use crate::case::code::UnitId;
use crate::case::event::{ActorKind, EventKind};
use crate::case::model::{ResultDocument, Status};
use crate::messages::{ActionProblem, Refusal, Text};
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
            let available: Vec<_> = self
                .case
                .step
                .as_deref()
                .map(|step| procedure.actions_from(step).collect())
                .unwrap_or_default();
            return Err(invalid(
                "/action",
                ActionProblem::UnknownAction {
                    procedure: procedure.code().to_string(),
                    action: action_id.to_owned(),
                    available: available.iter().map(|action| action.name.clone()).collect(),
                    available_ids: available.iter().map(|action| action.id.clone()).collect(),
                },
            ));
        };
        let ActorKind::Officer { role, unit } = &self.actor.kind else {
            return Err(Rejection::Forbidden(
                Refusal::OfficersOnly {
                    action: action.name.clone(),
                    action_id: action_id.to_owned(),
                }
                .into(),
            ));
        };
        if !action.roles.iter().any(|allowed| allowed == role) {
            return Err(Rejection::Forbidden(
                Refusal::RoleMayNotTake {
                    role: procedure.role_name(role).to_owned(),
                    role_id: role.clone(),
                    action: action.name.clone(),
                    action_id: action_id.to_owned(),
                    allowed: action
                        .roles
                        .iter()
                        .map(|allowed| procedure.role_name(allowed).to_owned())
                        .collect(),
                    allowed_ids: action.roles.clone(),
                }
                .into(),
            ));
        }
        if !self.works_for(unit, &self.case.unit) {
            return Err(Rejection::Forbidden(
                Refusal::HeldElsewhere {
                    dossier: self.case.code.to_string(),
                    holder: self.unit_label(&self.case.unit).to_string(),
                    unit: unit.to_string(),
                }
                .into(),
            ));
        }
        self.require_status(
            &[Status::Received, Status::Processing],
            &format!("take `{action_id}`"),
        )?;
        if self.case.step.as_deref() != Some(action.from.as_str()) {
            let at = self.case.step.as_deref().unwrap_or("-");
            return Err(Rejection::NotNow(
                Refusal::WrongStep {
                    action: action.name.clone(),
                    action_id: action_id.to_owned(),
                    from: procedure.step_name(&action.from).to_owned(),
                    from_id: action.from.clone(),
                    at: procedure.step_name(at).to_owned(),
                    at_id: at.to_owned(),
                }
                .into(),
            ));
        }
        if data.len() > 50 || serde_json::to_string(data).map_or(0, |text| text.len()) > 16_384 {
            return Err(invalid("/data", ActionProblem::DataTooLarge));
        }
        let allowed = procedure
            .guard_allows(action_id, self.case.channel, &self.case.form)
            .map_err(|why| {
                Rejection::NotNow(
                    Refusal::ConditionUnchecked {
                        action: action.name.clone(),
                        action_id: action_id.to_owned(),
                        why: why.to_string(),
                    }
                    .into(),
                )
            })?;
        if !allowed {
            return Err(Rejection::NotNow(
                Refusal::ConditionFails {
                    action: action.name.clone(),
                    action_id: action_id.to_owned(),
                    guard: action.guard.clone().unwrap_or_default(),
                }
                .into(),
            ));
        }
        let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
        match (action.outcome, reason) {
            (Some(Outcome::Refused), None) => {
                return Err(invalid("/reason", ActionProblem::RefusalNeedsReasons));
            }
            (Some(Outcome::Transferred), None) => {
                return Err(invalid("/reason", ActionProblem::TransferNeedsAgency));
            }
            _ => {}
        }
        if let Some(reason) = reason {
            require_text("/reason", reason, Text::Reason)?;
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
                ActionProblem::NotIssuingAction {
                    action: action.name.clone(),
                    action_id: action.id.clone(),
                },
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
                Text::FileName,
            )?;
            if document.sha256.len() != 64
                || !document.sha256.bytes().all(|byte| byte.is_ascii_hexdigit())
            {
                return Err(invalid(
                    &format!("/results/{position}/sha256"),
                    ActionProblem::ResultSha256,
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
            return Err(invalid("/results", ActionProblem::ElectronicResultRequired));
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
            return Err(Rejection::Forbidden(Refusal::ConsultByStepOfficer.into()));
        }
        self.require_status(
            &[Status::Received, Status::Processing],
            "consult another unit",
        )?;
        require_text("/question", question, Text::Question)?;
        if unit == &self.case.unit {
            return Err(invalid("/unit", ActionProblem::ConsultOtherUnit));
        }
        require_working_unit(
            self.context.directory,
            unit,
            crate::clock::vietnam_day(self.now),
            "/unit",
            true,
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
                ActionProblem::NoSuchConsultation {
                    dossier: self.case.code.to_string(),
                    index,
                },
            )
        })?;
        match &self.actor.kind {
            ActorKind::Officer { unit, .. } if self.works_for(unit, &consultation.unit) => {}
            _ => {
                return Err(Rejection::Forbidden(
                    Refusal::OnlyConsultedUnit {
                        unit: self.unit_label(&consultation.unit),
                    }
                    .into(),
                ));
            }
        }
        if consultation.answer.is_some() {
            return Err(Rejection::NotNow(Refusal::ConsultationAnswered.into()));
        }
        require_text("/answer", answer, Text::Answer)?;
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
            return Err(Rejection::Forbidden(Refusal::IssueByDecidingUnit.into()));
        }
        self.require_status(&[Status::Resolved], "issue the result")?;
        if self.case.outcome != Some(Outcome::Approved) {
            return Err(Rejection::NotNow(Refusal::RefusalReturnedAsIs.into()));
        }
        if self.case.result.is_some() {
            return Err(Rejection::NotNow(Refusal::ResultAlreadyIssued.into()));
        }
        let code = code.map(str::trim).filter(|code| !code.is_empty());
        if let Some(code) = code
            && (code.len() > 64
                || !code
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b"-._/".contains(&byte)))
        {
            return Err(invalid("/result_code", ActionProblem::ResultCode));
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
            return Err(Rejection::NotNow(Refusal::IssueResultFirst.into()));
        }
        let owed = self.case.outstanding();
        if self.case.outcome == Some(Outcome::Approved) && owed > Money::ZERO {
            return Err(Rejection::NotNow(
                Refusal::FeesNotPaid {
                    owed: owed.to_string(),
                }
                .into(),
            ));
        }
        Ok(vec![EventKind::ResultReturned])
    }
}
