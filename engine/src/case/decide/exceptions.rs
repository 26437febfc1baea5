//! When a dossier leaves the ordinary path: the applicant withdraws, the agency stops it
//! (Form 05), apologises and sets a new date once (Form 04), or extends the time limit as the
//! procedure's law allows (gia hạn).

use crate::messages::{ActionProblem, Refusal, Text};
use chrono::{DateTime, Utc};

use crate::case::event::EventKind;
use crate::case::model::Status;
use crate::clock::{vietnam, vietnam_day};

use super::{Decider, Rejection, invalid, require_text};
use crate::procedure::TimeLimit;

fn show(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

impl Decider<'_> {
    pub(super) fn withdraw(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
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
            return Err(invalid("/reason", ActionProblem::TextTooLong(Text::Reason)));
        }
        Ok(vec![EventKind::Withdrawn {
            reason: reason.to_owned(),
        }])
    }

    pub(super) fn stop(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        if !self.is_intake() && !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                Refusal::DeskOrStepOnly {
                    doing: "stop processing".to_owned(),
                }
                .into(),
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
        require_text("/reason", reason, Text::StopReason)?;
        Ok(vec![EventKind::Stopped {
            reason: reason.to_owned(),
        }])
    }

    pub(super) fn extend(
        &self,
        reason: &str,
        new_appointment: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, Rejection> {
        let appointment = self.before_appointment("apologise and set a new date")?;
        if self.case.original_appointment.is_some() {
            return Err(Rejection::NotNow(Refusal::ExtendedOnce.into()));
        }
        // Art. 19.9: the agency processing the dossier writes the apology; the one-stop desk
        // only passes it on, so a desk officer away from the dossier's step may not.
        if !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                Refusal::ApologyByProcessingAgency.into(),
            ));
        }
        let due_day = vietnam_day(appointment);
        let last_day = self.context.calendars.previous_working_day(due_day)?;
        if vietnam_day(self.now) > last_day {
            return Err(Rejection::NotNow(
                Refusal::ApologyTooLate {
                    appointment: show(appointment),
                    last_day: last_day.format("%d/%m/%Y").to_string(),
                }
                .into(),
            ));
        }
        require_text("/reason", reason, Text::DelayReason)?;
        // Without a declared cap, a new date at most the time limit in force once more.
        let cap = self
            .procedure()
            .definition()
            .clock
            .apology_up_to
            .or(self.case.time_limit)
            .map_or(TimeLimit::WorkingDays(1), |limit| match limit {
                TimeLimit::WorkingDays(0) => TimeLimit::WorkingDays(1),
                other => other,
            });
        self.check_new_appointment(appointment, new_appointment, cap)?;
        Ok(vec![EventKind::Extended {
            reason: reason.to_owned(),
            previous: appointment,
            appointment: new_appointment,
        }])
    }

    pub(super) fn extend_time_limit(
        &self,
        reason: &str,
        new_appointment: DateTime<Utc>,
    ) -> Result<Vec<EventKind>, Rejection> {
        let appointment = self.before_appointment("extend the time limit")?;
        let Some(policy) = &self.procedure().definition().clock.extension else {
            return Err(Rejection::NotNow(
                Refusal::NoExtensionAllowed {
                    procedure: self.procedure().code().to_string(),
                }
                .into(),
            ));
        };
        if self.case.extensions >= policy.times {
            return Err(Rejection::NotNow(
                Refusal::ExtensionsUsed {
                    times: self.case.extensions,
                    procedure: self.procedure().code().to_string(),
                }
                .into(),
            ));
        }
        require_text("/reason", reason, Text::ExtensionGround)?;
        self.check_new_appointment(appointment, new_appointment, policy.up_to)?;
        Ok(vec![EventKind::TimeLimitExtended {
            reason: reason.to_owned(),
            previous: appointment,
            appointment: new_appointment,
        }])
    }

    /// The appointment in force, when the actor may move it and it has not passed.
    fn before_appointment(&self, what: &str) -> Result<DateTime<Utc>, Rejection> {
        if !self.is_intake() && !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                Refusal::DeskOrStepOnly {
                    doing: what.to_owned(),
                }
                .into(),
            ));
        }
        self.require_status(
            &[
                Status::Received,
                Status::Processing,
                Status::FinancialObligationRequested,
            ],
            what,
        )?;
        let Some(appointment) = self.case.appointment else {
            return Err(Rejection::NotNow(Refusal::NoAppointmentYet.into()));
        };
        if self.now >= appointment {
            return Err(Rejection::NotNow(
                Refusal::AfterAppointment {
                    doing: what.to_owned(),
                    appointment: show(appointment),
                }
                .into(),
            ));
        }
        Ok(appointment)
    }

    /// A new appointment after the current one and no later than `cap` past it.
    fn check_new_appointment(
        &self,
        appointment: DateTime<Utc>,
        new_appointment: DateTime<Utc>,
        cap: TimeLimit,
    ) -> Result<(), Rejection> {
        if new_appointment <= appointment {
            return Err(invalid(
                "/new_appointment",
                ActionProblem::NewAppointmentNotLater,
            ));
        }
        let latest = self
            .context
            .calendars
            .step_due(appointment.with_timezone(&vietnam()), cap)?
            .with_timezone(&Utc);
        if new_appointment > latest {
            return Err(invalid(
                "/new_appointment",
                ActionProblem::NewAppointmentTooFar {
                    cap: cap.vietnamese(),
                    cap_en: cap.to_string(),
                    current: show(appointment),
                    latest: show(latest),
                },
            ));
        }
        Ok(())
    }
}
