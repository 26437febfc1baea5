//! When a dossier leaves the ordinary path: the applicant withdraws, the agency stops it
//! (Form 05), or apologises and sets a new date once (Form 04).

use chrono::{DateTime, Utc};

use crate::case::event::EventKind;
use crate::case::model::Status;
use crate::clock::vietnam;

use super::{Decider, Rejection, invalid, require_text};

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
            return Err(invalid(
                "/reason",
                "the reason is longer than 4000 characters",
            ));
        }
        Ok(vec![EventKind::Withdrawn {
            reason: reason.to_owned(),
        }])
    }

    pub(super) fn stop(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
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

    pub(super) fn extend(
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
}
