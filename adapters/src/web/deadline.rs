//! One way every page shows a dossier against its time limit: the appointment (ngày hẹn trả kết
//! quả) by that name, the step's deadline labelled as such, time left in working days and hours,
//! the clock's pause while the applicant completes the dossier, and early, on time or late once
//! processing ended — so the inbox, the lists and the dossier page cannot disagree.

use chrono::{DateTime, Utc};
use hoso_engine::case::Status;
use hoso_engine::clock::{Calendars, vietnam};

use super::Words;

/// Where a dossier stands against its appointment, as a label and a style class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Standing {
    /// The CSS class: `early`, `done`, `overdue`, `soon`, `ok`, `paused` or `none`.
    pub(super) class: &'static str,
    /// What a person reads.
    pub(super) label: &'static str,
}

/// What a page shows of a dossier against its time limit: where it stands and the time left.
pub(super) struct Shown {
    /// Where it stands, when it has an appointment.
    pub(super) standing: Option<Standing>,
    /// Working time left while the clock runs, else empty.
    pub(super) left: String,
}

/// Both of what a page shows, from the dossier's status, appointment and end.
pub(super) fn show(
    t: &'static Words,
    calendars: &Calendars,
    status: Status,
    appointment: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Shown {
    Shown {
        standing: standing(t, calendars, status, appointment, finished_at, now),
        left: time_left(t, calendars, status, appointment, finished_at, now),
    }
}

/// Below this many working hours left an open dossier is due soon.
const SOON_HOURS: i64 = 8;

/// Where a dossier with `appointment` stands at `now`; `None` before it has an appointment
/// (not yet received, or refused at intake).
pub(super) fn standing(
    t: &'static Words,
    calendars: &Calendars,
    status: Status,
    appointment: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Standing> {
    let appointment = appointment?;
    let day = |at: DateTime<Utc>| at.with_timezone(&vietnam()).date_naive();
    // Against the appointment, with indicator 2.1's day rule (early is a day before the
    // appointment day). The portal's scoring also counts a dossier supplemented more than once as
    // late; that is the indicators' judgement, not what the applicant was promised, so it is not
    // shown here.
    if let Some(finished) = finished_at {
        return Some(if finished > appointment {
            Standing {
                class: "overdue",
                label: t.finished_late,
            }
        } else if day(finished) < day(appointment) {
            Standing {
                class: "early",
                label: t.finished_early,
            }
        } else {
            Standing {
                class: "done",
                label: t.finished_on_time,
            }
        });
    }
    if status.is_closed() {
        return None;
    }
    if status == Status::SupplementRequested {
        return Some(Standing {
            class: "paused",
            label: t.paused_for_supplement,
        });
    }
    if now > appointment {
        return Some(Standing {
            class: "overdue",
            label: t.overdue,
        });
    }
    if status == Status::FinancialObligationRequested {
        return Some(Standing {
            class: "paused",
            label: t.waiting_for_fees,
        });
    }
    let left = calendars
        .working_time_between(
            now.with_timezone(&vietnam()),
            appointment.with_timezone(&vietnam()),
        )
        .ok()?;
    Some(if left.num_hours() < SOON_HOURS {
        Standing {
            class: "soon",
            label: t.due_soon,
        }
    } else {
        Standing {
            class: "ok",
            label: t.on_time,
        }
    })
}

/// Working time left until `appointment` as people say it ("2 ngày làm việc 3 giờ làm việc"),
/// counting days of the calendar's own office day; empty once processing ended or while the
/// clock stands still for a supplement.
pub(super) fn time_left(
    t: &'static Words,
    calendars: &Calendars,
    status: Status,
    appointment: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    let Some(appointment) = appointment else {
        return String::new();
    };
    if finished_at.is_some() || status.is_closed() || status == Status::SupplementRequested {
        return String::new();
    }
    let local_now = now.with_timezone(&vietnam());
    let Ok(left) = calendars.working_time_between(local_now, appointment.with_timezone(&vietnam()))
    else {
        return String::new();
    };
    if left.is_zero() {
        // No office time remains, though the appointment (outside office hours) has not passed.
        return if now > appointment {
            t.overdue.to_owned()
        } else {
            t.under_an_hour.to_owned()
        };
    }
    let day_minutes = calendars
        .office_day(local_now.date_naive())
        .map(|day| day.num_minutes())
        .unwrap_or(480)
        .max(1);
    let minutes = left.num_minutes();
    let (days, hours) = (minutes / day_minutes, minutes % day_minutes / 60);
    match (days, hours) {
        (0, 0) => t.under_an_hour.to_owned(),
        (0, hours) => format!("{hours} {}", t.hours_unit),
        (days, 0) => format!("{days} {}", t.working_days_unit),
        (days, hours) => format!("{days} {} {hours} {}", t.working_days_unit, t.hours_unit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::{Lang, Speaks as _};

    fn calendars() -> Calendars {
        Calendars::load(&[(
            "2026.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2026.toml").to_owned(),
        )])
        .expect("calendar")
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn label(
        status: Status,
        appointment: Option<&str>,
        finished: Option<&str>,
        now: &str,
    ) -> Option<&'static str> {
        standing(
            Lang::Vi.words(),
            &calendars(),
            status,
            appointment.map(at),
            finished.map(at),
            at(now),
        )
        .map(|standing| standing.label)
    }

    const APPOINTMENT: &str = "2026-03-10T17:00:00+07:00";

    #[test]
    fn a_finished_dossier_is_early_on_time_or_late_by_the_indicator_rule() {
        let finished = |when| {
            label(
                Status::ResultReturned,
                Some(APPOINTMENT),
                Some(when),
                "2026-03-20T09:00:00+07:00",
            )
        };
        assert_eq!(finished("2026-03-09T16:00:00+07:00"), Some("Trước hạn"));
        assert_eq!(finished("2026-03-10T08:00:00+07:00"), Some("Đúng hạn"));
        assert_eq!(finished("2026-03-10T17:00:00+07:00"), Some("Đúng hạn"));
        assert_eq!(finished("2026-03-10T17:01:00+07:00"), Some("Quá hạn"));
    }

    #[test]
    fn an_open_dossier_is_in_time_due_soon_overdue_or_paused() {
        let open = |status, now| label(status, Some(APPOINTMENT), None, now);
        assert_eq!(
            open(Status::Processing, "2026-03-05T09:00:00+07:00"),
            Some("Trong hạn")
        );
        // Friday 16:00 → Tuesday 17:00 holds 1 + 7.5 + 7.5 hours: not yet soon.
        assert_eq!(
            open(Status::Processing, "2026-03-06T16:00:00+07:00"),
            Some("Trong hạn")
        );
        assert_eq!(
            open(Status::Processing, "2026-03-10T10:00:00+07:00"),
            Some("Sắp đến hạn")
        );
        assert_eq!(
            open(Status::Processing, "2026-03-10T17:30:00+07:00"),
            Some("Quá hạn")
        );
        assert_eq!(
            open(Status::SupplementRequested, "2026-03-12T09:00:00+07:00"),
            Some("Tạm dừng tính thời gian: chờ công dân bổ sung hồ sơ"),
            "a supplement stops the clock, so the old appointment is not missed"
        );
        assert_eq!(
            open(
                Status::FinancialObligationRequested,
                "2026-03-09T09:00:00+07:00"
            ),
            Some("Chờ công dân nộp phí, lệ phí")
        );
        assert_eq!(
            open(
                Status::FinancialObligationRequested,
                "2026-03-11T09:00:00+07:00"
            ),
            Some("Quá hạn"),
            "waiting for fees does not move the appointment"
        );
    }

    #[test]
    fn a_dossier_without_an_appointment_or_closed_unfinished_has_no_label() {
        assert_eq!(
            label(Status::Registered, None, None, "2026-03-05T09:00:00+07:00"),
            None
        );
        assert_eq!(
            label(Status::NotReceived, None, None, "2026-03-05T09:00:00+07:00"),
            None
        );
        assert_eq!(
            label(
                Status::Stopped,
                Some(APPOINTMENT),
                None,
                "2026-03-05T09:00:00+07:00"
            ),
            None
        );
    }

    #[test]
    fn time_left_counts_working_days_of_the_calendars_office_day_and_hours() {
        let left_until = |appointment: &str, status, now| {
            time_left(
                Lang::Vi.words(),
                &calendars(),
                status,
                Some(at(appointment)),
                None,
                at(now),
            )
        };
        let left = |status, now| left_until(APPOINTMENT, status, now);
        // Thursday 5/3 09:00 → Tuesday 10/3 17:00: 6 + 7.5 × 3 = 28.5 hours = 3 days of 7.5 h
        // and 6 hours.
        assert_eq!(
            left(Status::Processing, "2026-03-05T09:00:00+07:00"),
            "3 ngày làm việc 6 giờ làm việc"
        );
        assert_eq!(
            left(Status::Processing, "2026-03-10T07:30:00+07:00"),
            "1 ngày làm việc"
        );
        assert_eq!(
            left(Status::Processing, "2026-03-10T15:00:00+07:00"),
            "2 giờ làm việc"
        );
        assert_eq!(
            left(Status::Processing, "2026-03-10T16:30:00+07:00"),
            "dưới 1 giờ làm việc"
        );
        assert_eq!(
            left(Status::Processing, "2026-03-11T08:00:00+07:00"),
            "Quá hạn"
        );
        // An appointment set after closing: no office time left, yet not passed.
        assert_eq!(
            left_until(
                "2026-03-10T18:30:00+07:00",
                Status::Processing,
                "2026-03-10T17:10:00+07:00"
            ),
            "dưới 1 giờ làm việc"
        );
        assert_eq!(
            left(Status::SupplementRequested, "2026-03-05T09:00:00+07:00"),
            ""
        );
        assert_eq!(
            left(Status::ResultReturned, "2026-03-05T09:00:00+07:00"),
            ""
        );
    }
}
