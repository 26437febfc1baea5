//! What the system and operators send: a payment recorded, deadlines recomputed on new
//! calendars, a side effect retried or dropped, a timer's deadline raised.

use crate::case::event::{ActorKind, Deadline, EventKind};
use crate::case::model::Status;
use crate::messages::{ActionProblem, Refusal, Text};
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
                return Err(Rejection::Forbidden(
                    Refusal::PaymentsByGatewayOrCashier.into(),
                ));
            }
        }
        if amount == Money::ZERO {
            return Err(invalid("/amount", ActionProblem::PaymentZero));
        }
        require_text("/reference", reference, Text::PaymentReference)?;
        // Fees are paid once: money beyond them, or for a dossier that has ended, is no payment.
        let outstanding = self.case.outstanding();
        let cannot_take = if self.case.status.is_closed() {
            Some((
                Refusal::PaymentForClosed {
                    dossier: self.case.code.to_string(),
                    status: self.case.status.label().to_owned(),
                },
                format!("hồ sơ đã kết thúc — {}", self.case.status.label()),
            ))
        } else if amount > outstanding {
            Some((
                Refusal::PaymentTooLarge {
                    dossier: self.case.code.to_string(),
                    owed: outstanding.to_string(),
                    amount: amount.to_string(),
                },
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
                Refusal::DeskOrStepOnly {
                    doing: "recompute deadlines".to_owned(),
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
            "recompute deadlines",
        )?;
        if self.case.original_appointment.is_some() {
            return Err(Rejection::NotNow(Refusal::AppointmentSetByApology.into()));
        }
        require_text("/reason", reason, Text::RecomputeReason)?;
        let (Some(started), Some(limit)) = (self.case.clock_started_at, self.case.time_limit)
        else {
            return Err(Rejection::NotNow(Refusal::ClockNotStarted.into()));
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
            return Err(Rejection::NotNow(Refusal::DeadlinesAlreadyMatch.into()));
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
            return Err(Rejection::Forbidden(Refusal::OutboxByOperators.into()));
        }
        if !key.starts_with(&format!("{}:", self.case.code)) {
            return Err(invalid(
                "/idempotency_key",
                ActionProblem::NotOwnEffect {
                    key: key.to_owned(),
                    dossier: self.case.code.to_string(),
                },
            ));
        }
        Ok(vec![match drop_reason {
            None => EventKind::EffectRetried {
                idempotency_key: key.to_owned(),
            },
            Some(reason) => {
                require_text("/reason", reason, Text::DropReason)?;
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
            return Err(Rejection::Forbidden(Refusal::DeadlinesByTimers.into()));
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
