//! Events described in one line of Vietnamese, as officers and auditors read a timeline.

use chrono::{DateTime, Utc};

use std::collections::BTreeMap;

use super::code::UnitId;
use super::directory::Directory;
use super::event::{ActorKind, Deadline, Event, EventKind};
use crate::clock::vietnam;
use crate::procedure::{Outcome, Procedure};

/// `17:00 03/03/2025`, Vietnam time.
pub fn format_instant(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

/// The names people read in place of ids: the procedure's actions, steps and roles, the
/// directory's units, and staff by user id. What is missing reads as its id.
#[derive(Debug, Clone, Copy, Default)]
pub struct Names<'a> {
    /// The dossier's pinned procedure version.
    pub procedure: Option<&'a Procedure>,
    /// The unit directory.
    pub directory: Option<&'a Directory>,
    /// Staff names by user id.
    pub people: Option<&'a BTreeMap<String, String>>,
}

impl Names<'_> {
    /// An action's name.
    pub fn action(&self, id: &str) -> String {
        self.procedure
            .and_then(|procedure| {
                procedure
                    .definition()
                    .actions
                    .iter()
                    .find(|action| action.id == id)
            })
            .map_or_else(|| id.to_owned(), |action| action.name.clone())
    }

    /// A window's name.
    pub fn window(&self, id: &str) -> String {
        self.procedure
            .and_then(|procedure| procedure.window(id))
            .map_or_else(|| id.to_owned(), |window| window.name.clone())
    }

    /// A step's name.
    pub fn step(&self, id: &str) -> String {
        self.procedure
            .and_then(|procedure| procedure.step(id))
            .map_or_else(|| id.to_owned(), |step| step.name.clone())
    }

    /// A role's name.
    pub fn role(&self, id: &str) -> String {
        self.procedure
            .and_then(|procedure| {
                procedure
                    .definition()
                    .roles
                    .iter()
                    .find(|role| role.id == id)
            })
            .map_or_else(|| id.to_owned(), |role| role.name.clone())
    }

    /// A unit as `name (code)`, or its code outside the directory.
    pub fn unit(&self, code: &UnitId) -> String {
        self.directory
            .and_then(|directory| directory.unit(code))
            .map_or_else(|| code.to_string(), ToString::to_string)
    }

    /// A person's name, or their user id.
    pub fn person(&self, id: &str) -> String {
        self.people
            .and_then(|people| people.get(id))
            .cloned()
            .unwrap_or_else(|| id.to_owned())
    }
}

/// Who acted, e.g. `công dân 001090000001` or `mot_cua @ 000.00.17.H21 (officer-7)`.
pub fn describe_actor(event: &Event) -> String {
    describe_actor_named(event, &Names::default())
}

/// Who acted, with names: `Công chức Tư pháp - Hộ tịch, UBND xã Tân Lập (000.00.17.H21) — Lê Văn
/// Hùng`.
pub fn describe_actor_named(event: &Event, names: &Names<'_>) -> String {
    match &event.actor.kind {
        ActorKind::Citizen => format!("công dân {}", event.actor.id),
        ActorKind::Officer { role, unit } if names.procedure.is_none() => {
            format!("{role} @ {unit} ({})", event.actor.id)
        }
        ActorKind::Officer { role, unit } => format!(
            "{}, {} — {}",
            names.role(role),
            names.unit(unit),
            names.person(&event.actor.id)
        ),
        ActorKind::System if event.actor.id == super::CALENDAR_ACTOR => {
            "hệ thống (cập nhật lịch nghỉ lễ)".to_owned()
        }
        ActorKind::System => format!("hệ thống ({})", event.actor.id),
    }
}

/// What happened, in one line, with ids where names would go.
pub fn describe(event: &Event) -> String {
    describe_named(event, &Names::default())
}

/// What happened, in one line, with the names of actions, steps and units.
pub fn describe_named(event: &Event, names: &Names<'_>) -> String {
    match &event.kind {
        EventKind::Submitted {
            procedure, channel, ..
        } => {
            format!(
                "Nộp hồ sơ ({}) — thủ tục {} phiên bản {}",
                channel.as_str(),
                procedure.code,
                procedure.version
            )
        }
        EventKind::Received {
            appointment,
            time_limit,
            ..
        } => {
            format!(
                "Tiếp nhận hồ sơ — thời hạn {}, hẹn trả {}",
                time_limit.vietnamese(),
                format_instant(*appointment)
            )
        }
        EventKind::RefusedAtIntake { reason } => format!("Từ chối tiếp nhận — {reason}"),
        EventKind::SupplementRequested { missing, reason } => {
            format!("Yêu cầu bổ sung {} giấy tờ — {reason}", missing.len())
        }
        EventKind::SupplementSubmitted { appointment, .. } => match appointment {
            Some(appointment) => {
                format!("Nộp bổ sung — hẹn trả mới {}", format_instant(*appointment))
            }
            None => "Nộp bổ sung — chờ tiếp nhận lại".to_owned(),
        },
        EventKind::ActionTaken {
            action,
            to,
            outcome,
            reason,
            appointment,
            ..
        } => {
            let target = match (to, outcome) {
                (Some(step), _) => format!("→ bước {}", names.step(step)),
                (None, Some(Outcome::Approved)) => "→ giải quyết".to_owned(),
                (None, Some(Outcome::Refused)) => "→ từ chối giải quyết".to_owned(),
                (None, Some(Outcome::Transferred)) => {
                    "→ chuyển đến cơ quan có thẩm quyền".to_owned()
                }
                (None, None) => String::new(),
            };
            let reason = reason
                .as_ref()
                .map(|reason| format!(" — {reason}"))
                .unwrap_or_default();
            let appointment = appointment
                .map(|appointment| format!(" (hẹn trả mới {})", format_instant(appointment)))
                .unwrap_or_default();
            format!("{} {target}{reason}{appointment}", names.action(action))
        }
        EventKind::PaymentRequested { amount } => {
            format!("Yêu cầu thực hiện nghĩa vụ tài chính {amount}")
        }
        EventKind::PaymentRecorded { amount, reference } => {
            format!("Đã thanh toán {amount} (mã {reference})")
        }
        EventKind::RefundDue {
            amount,
            reference,
            reason,
        } => format!("Cần hoàn trả {amount} (mã {reference}) — {reason}"),
        EventKind::ConsultationRequested { unit, question } => {
            format!("Lấy ý kiến {} — {question}", names.unit(unit))
        }
        EventKind::ConsultationAnswered { answer, .. } => format!("Trả lời ý kiến — {answer}"),
        EventKind::ResultIssued {
            result_code,
            documents,
        } if documents.is_empty() => format!("Ban hành kết quả {result_code}"),
        EventKind::ResultIssued {
            result_code,
            documents,
        } => format!(
            "Ban hành kết quả {result_code}, kèm {} tệp kết quả điện tử",
            documents.len()
        ),
        EventKind::ResultReturned => "Trả kết quả".to_owned(),
        EventKind::Withdrawn { reason } if reason.is_empty() => "Công dân rút hồ sơ".to_owned(),
        EventKind::Withdrawn { reason } => format!("Công dân rút hồ sơ — {reason}"),
        EventKind::Stopped { reason } => format!("Dừng xử lý — {reason}"),
        EventKind::Extended {
            reason,
            previous,
            appointment,
        } => format!(
            "Xin lỗi và hẹn lại: {} → {} — {reason}",
            format_instant(*previous),
            format_instant(*appointment)
        ),
        EventKind::TimeLimitExtended {
            reason,
            previous,
            appointment,
        } => format!(
            "Gia hạn thời hạn giải quyết: {} → {} — {reason}",
            format_instant(*previous),
            format_instant(*appointment)
        ),
        EventKind::WindowsOpened { windows } => windows
            .iter()
            .map(|window| {
                format!(
                    "{}: hạn {}",
                    names.window(&window.id),
                    format_instant(window.closes_at)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        EventKind::DeadlinesRecomputed {
            reason,
            previous,
            appointment,
            ..
        } => format!(
            "Tính lại thời hạn theo lịch mới: {} → {} — {reason}",
            previous
                .map(format_instant)
                .unwrap_or_else(|| "-".to_owned()),
            format_instant(*appointment)
        ),
        EventKind::EffectRetried { idempotency_key } => {
            format!("Gửi lại thông báo/tác vụ {idempotency_key}")
        }
        EventKind::EffectDropped {
            idempotency_key,
            reason,
        } => format!("Bỏ thông báo/tác vụ {idempotency_key} — {reason}"),
        EventKind::FormIssued {
            number,
            form,
            replaces,
            ..
        } => format!(
            "{} Mẫu số {number}: {}{}",
            if replaces.is_some() {
                "Cấp lại"
            } else {
                "Cấp"
            },
            crate::forms::title_case(&form.title),
            if replaces.is_some() {
                " (thay bản đã cấp trước)"
            } else {
                ""
            }
        ),
        EventKind::DeadlineNear { deadline } => match deadline {
            Deadline::Appointment => "Sắp đến hạn trả kết quả".to_owned(),
            Deadline::Step => "Sắp hết thời gian của bước".to_owned(),
        },
        EventKind::DeadlinePassed { deadline } => match deadline {
            Deadline::Appointment => "Quá hạn trả kết quả".to_owned(),
            Deadline::Step => "Bước xử lý quá thời gian cho phép".to_owned(),
        },
    }
}
