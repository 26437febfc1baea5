//! What must happen outside hoso because of an event — notifications now, gateway and portal
//! calls as they are added — and the timers a dossier's deadlines need. Both are derived here,
//! purely, and written by the store in the same transaction as the events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::event::{Deadline, Event, EventKind};
use super::model::{Case, Status};
use crate::clock::{Calendars, vietnam};

/// A message for the applicant about their dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// The dossier.
    pub case: String,
    /// The event type that caused it (selects the template).
    pub event: String,
    /// The status after the event.
    pub status: Status,
    /// The appointment, when there is one.
    pub appointment: Option<DateTime<Utc>>,
    /// E-mail recipient.
    pub email: Option<String>,
    /// SMS recipient.
    pub phone: Option<String>,
    /// What the applicant needs to know besides the status: the reason, the missing documents,
    /// the amount, the new date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// The procedure's name.
    #[serde(default)]
    pub procedure: String,
}

/// A side effect to deliver at least once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Unique per effect; the peer deduplicates on it, a retry reuses it.
    pub idempotency_key: String,
    /// Which adapter delivers it, e.g. "notify".
    pub topic: String,
    /// What to deliver.
    pub payload: serde_json::Value,
}

/// The effects of one event, given the state before and after it.
pub fn effects_of(before: Option<&Case>, after: &Case, event: &Event) -> Vec<OutboxMessage> {
    let status_changed = before.is_none_or(|before| before.status != after.status);
    let tell = match &event.kind {
        EventKind::ConsultationRequested { .. }
        | EventKind::ConsultationAnswered { .. }
        | EventKind::DeadlineNear { .. }
        | EventKind::DeadlinePassed { .. }
        | EventKind::EffectRetried { .. }
        | EventKind::EffectDropped { .. }
        | EventKind::WindowsOpened { .. }
        | EventKind::FormIssued { .. } => false,
        EventKind::ActionTaken { .. } | EventKind::PaymentRecorded { .. } => status_changed,
        _ => true,
    };
    // The portal follows every status change, and every new appointment.
    let appointment_changed = before.is_some_and(|before| before.appointment != after.appointment);
    let mut messages = Vec::new();
    // Feedback (PAKN) carries a local code and is never synced as an administrative procedure.
    if (status_changed || appointment_changed) && after.procedure.code.is_national() {
        messages.push(OutboxMessage {
            idempotency_key: format!("{}:{}:portal", after.code, event.seq),
            topic: "portal".to_owned(),
            payload: serde_json::json!({ "case": after.code.to_string(), "seq": event.seq }),
        });
    }
    // An electronic result goes to the applicant's data store on the portal (kho dữ liệu điện
    // tử của tổ chức, cá nhân) as well as to the dossier page.
    if let EventKind::ResultIssued { documents, .. } = &event.kind
        && !documents.is_empty()
    {
        messages.push(OutboxMessage {
            idempotency_key: format!("{}:{}:data_store", after.code, event.seq),
            topic: "data_store".to_owned(),
            payload: serde_json::json!({ "case": after.code.to_string(), "seq": event.seq }),
        });
    }
    if !tell {
        return messages;
    }
    let details = match &event.kind {
        EventKind::RefusedAtIntake { reason } | EventKind::Stopped { reason } => {
            Some(reason.clone())
        }
        EventKind::ActionTaken {
            reason: Some(reason),
            ..
        } => Some(reason.clone()),
        EventKind::SupplementRequested { missing, reason } => Some(format!(
            "{reason}. Cần bổ sung: {}",
            missing
                .iter()
                .map(|item| format!("{} ({})", item.document, item.note))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        // The applicant's choices, confirmed in the first notice.
        EventKind::Submitted { .. } => after
            .delivery
            .as_ref()
            .map(|delivery| format!("Nhận kết quả: {}", delivery.describe())),
        EventKind::PaymentRequested { amount } => Some(amount.to_string()),
        EventKind::RefundDue { amount, reason, .. } => Some(format!("{amount} — lý do: {reason}")),
        EventKind::ResultIssued { result_code, .. } => Some(match &after.delivery {
            Some(delivery) => format!("{result_code} — nhận kết quả: {}", delivery.describe()),
            None => result_code.clone(),
        }),
        EventKind::Extended { reason, .. } | EventKind::TimeLimitExtended { reason, .. } => {
            Some(reason.clone())
        }
        EventKind::DeadlinesRecomputed {
            reason, previous, ..
        } => Some(match previous {
            Some(previous) => format!(
                "{reason}. Ngày hẹn trước đó: {}",
                super::timeline::format_instant(*previous)
            ),
            None => reason.clone(),
        }),
        _ => None,
    };
    // A recompute that moved nothing confirms the date; the applicant is told so, not "changed".
    let name = match &event.kind {
        EventKind::DeadlinesRecomputed {
            previous,
            appointment,
            ..
        } if *previous == Some(*appointment) => "deadlines_confirmed",
        EventKind::ActionTaken {
            outcome: Some(crate::procedure::Outcome::Transferred),
            ..
        } => "transferred",
        kind => kind.name(),
    };
    let notification = Notification {
        case: after.code.to_string(),
        event: name.to_owned(),
        status: after.status,
        appointment: after.appointment,
        email: after.applicant.email.clone(),
        phone: after.applicant.phone.clone(),
        details,
        procedure: after.procedure.code.to_string(),
    };
    let payload = serde_json::to_value(&notification).unwrap_or_default();
    // One message per channel, so an SMS outage does not hold back the e-mail, or repeat it.
    messages.extend(after.notify_channels().into_iter().map(|channel| {
        let topic = channel.topic();
        OutboxMessage {
            idempotency_key: format!("{}:{}:{topic}", after.code, event.seq),
            topic: topic.to_owned(),
            payload: payload.clone(),
        }
    }));
    messages
}

/// A durable timer: at `due_at`, raise `deadline` (near or passed) on the dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// Which deadline.
    pub deadline: Deadline,
    /// Raise it as passed (true) or near (false).
    pub passed: bool,
    /// When to fire.
    pub due_at: DateTime<Utc>,
}

/// The timers a dossier needs now: a warning `warn_before` the appointment (one working day by
/// default, so the apology can still be sent in time), the appointment passing, and the current
/// step overrunning.
pub fn timers_of(
    case: &Case,
    calendars: &Calendars,
    warn_before: crate::procedure::TimeLimit,
) -> Vec<Timer> {
    let processing = matches!(
        case.status,
        Status::Received | Status::Processing | Status::FinancialObligationRequested
    );
    if !processing {
        return Vec::new();
    }
    let mut timers = Vec::new();
    if let Some(appointment) = case.appointment {
        // A warning that cannot be placed (a year without a calendar) is left out; the overdue
        // mark still comes. A warning that would fall before the clock started (a same-day
        // procedure warned a working day ahead) helps nobody and is not scheduled.
        if !case.warned
            && let Ok(warn_at) =
                calendars.warning_before(appointment.with_timezone(&vietnam()), warn_before)
            && case
                .clock_started_at
                .is_some_and(|started| warn_at.with_timezone(&Utc) > started)
        {
            timers.push(Timer {
                deadline: Deadline::Appointment,
                passed: false,
                due_at: warn_at.with_timezone(&Utc),
            });
        }
        if !case.overdue {
            timers.push(Timer {
                deadline: Deadline::Appointment,
                passed: true,
                due_at: appointment + chrono::Duration::seconds(1),
            });
        }
    }
    if let Some(visit) = case.current_visit()
        && !visit.overdue
    {
        timers.push(Timer {
            deadline: Deadline::Step,
            passed: true,
            due_at: visit.due_at + chrono::Duration::seconds(1),
        });
    }
    timers
}
