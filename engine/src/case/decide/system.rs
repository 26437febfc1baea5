//! What the system and operators send: a payment recorded, deadlines recomputed on new
//! calendars, a side effect retried or dropped, a timer's deadline raised.

use crate::case::event::{ActorKind, Deadline, EventKind};
use crate::case::model::Status;
use crate::messages::Said;
use crate::money::Money;

use super::{CALENDAR_ACTOR, Decider, Rejection, invalid, require_text};

impl Decider<'_> {
    pub(super) fn record_payment(
        &self,
        amount: Money,
        reference: &str,
    ) -> Result<Vec<EventKind>, Rejection> {
        match &self.actor.kind {
            ActorKind::System => {}
            ActorKind::Officer { .. } if self.is_intake() => {}
            _ => {
                return Err(Rejection::Forbidden(Said::PaymentsByGatewayOrCashier));
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
            Some((why, _)) => Err(Rejection::NotNow(why.into())),
        }
    }

    pub(super) fn recompute(&self, reason: &str) -> Result<Vec<EventKind>, Rejection> {
        // hoso itself recomputes when an official calendar replaces a provisional one.
        let calendar_replacement =
            matches!(self.actor.kind, ActorKind::System) && self.actor.id == CALENDAR_ACTOR;
        if !calendar_replacement && !self.is_intake() && !self.is_step_officer() {
            return Err(Rejection::Forbidden(
                "only the one-stop desk or the officer at the current step may recompute deadlines"
                    .into(),
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
                    .into(),
            ));
        }
        require_text("/reason", reason, "the reason for recomputing")?;
        let (Some(started), Some(limit)) = (self.case.clock_started_at, self.case.time_limit)
        else {
            return Err(Rejection::NotNow(Said::ClockNotStarted));
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
            return Err(Rejection::NotNow(Said::DeadlinesAlreadyMatch));
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
    pub(super) fn operate_effect(
        &self,
        key: &str,
        drop_reason: Option<&str>,
    ) -> Result<Vec<EventKind>, Rejection> {
        if !(matches!(self.actor.kind, ActorKind::System) && self.actor.id.starts_with("operator:"))
        {
            return Err(Rejection::Forbidden(
                "side effects are retried or dropped by operators with `hoso outbox`".into(),
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
    pub(super) fn raise_deadline(
        &self,
        deadline: Deadline,
        passed: bool,
    ) -> Result<Vec<EventKind>, Rejection> {
        if !matches!(self.actor.kind, ActorKind::System) {
            return Err(Rejection::Forbidden(
                "deadlines are raised by hoso's timers".into(),
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
