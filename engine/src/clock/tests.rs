use chrono::{DateTime, Duration, FixedOffset, Timelike};
use proptest::prelude::*;

use super::{Calendar, Calendars, ClockError, vietnam};
use crate::procedure::{AfterCutoff, TimeLimit};

fn shipped() -> Calendars {
    super::shipped_years(&[2024, 2025, 2026])
}

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("test instant")
}

fn days(from: &str, n: u32) -> Result<String, ClockError> {
    shipped()
        .due(
            at(from),
            TimeLimit::WorkingDays(n),
            AfterCutoff::NextWorkingDay,
        )
        .map(|due| due.to_rfc3339())
}

fn hours(from: &str, duration: Duration) -> String {
    shipped()
        .add_working_time(at(from), duration)
        .expect("in calendar")
        .to_rfc3339()
}

#[test]
fn filed_the_friday_before_tet_a_three_day_limit_ends_after_the_holiday() {
    // Tết Ất Tỵ: Sat 25/1 – Sun 2/2/2025. D0 = Fri 24/1; +1 Mon 3/2, +2 Tue 4/2, +3 Wed 5/2.
    assert_eq!(
        days("2025-01-24T10:00:00+07:00", 3).unwrap(),
        "2025-02-05T17:00:00+07:00"
    );
}

#[test]
fn same_day_after_the_cutoff_moves_to_the_next_working_day_across_tet() {
    assert_eq!(
        days("2025-01-24T15:30:00+07:00", 0).unwrap(),
        "2025-02-03T17:00:00+07:00"
    );
    assert_eq!(
        days("2025-01-24T14:59:00+07:00", 0).unwrap(),
        "2025-01-24T17:00:00+07:00"
    );
}

#[test]
fn a_receipt_at_exactly_15_00_is_not_after_the_cutoff() {
    assert_eq!(
        days("2025-03-03T15:00:00+07:00", 0).unwrap(),
        "2025-03-03T17:00:00+07:00"
    );
    assert_eq!(
        days("2025-03-03T15:00:01+07:00", 0).unwrap(),
        "2025-03-04T17:00:00+07:00"
    );
}

#[test]
fn the_cutoff_can_be_ignored_by_procedure_policy() {
    let due = shipped()
        .due(
            at("2025-03-03T16:30:00+07:00"),
            TimeLimit::WorkingDays(0),
            AfterCutoff::SameDay,
        )
        .unwrap();
    assert_eq!(due.to_rfc3339(), "2025-03-03T17:00:00+07:00");
    // ... but not past closing time: a receipt at 17:01 is due the next working day.
    let due = shipped()
        .due(
            at("2024-08-05T17:01:00+07:00"),
            TimeLimit::WorkingDays(0),
            AfterCutoff::SameDay,
        )
        .unwrap();
    assert_eq!(due.to_rfc3339(), "2024-08-06T17:00:00+07:00");
}

#[test]
fn a_swapped_saturday_is_a_working_day() {
    // Sat 26/4/2025 is worked to bridge Fri 2/5.
    assert_eq!(
        days("2025-04-25T09:00:00+07:00", 1).unwrap(),
        "2025-04-26T17:00:00+07:00"
    );
    assert_eq!(
        days("2025-04-26T09:00:00+07:00", 0).unwrap(),
        "2025-04-26T17:00:00+07:00"
    );
    // An ordinary Saturday is not: a receipt then counts from Monday.
    assert_eq!(
        days("2025-03-08T09:00:00+07:00", 0).unwrap(),
        "2025-03-10T17:00:00+07:00"
    );
}

#[test]
fn received_after_the_cutoff_before_a_holiday_run() {
    // Tue 29/4/2025 16:00: 30/4, 1/5, 2/5 are off, then the weekend: D0 = Mon 5/5.
    assert_eq!(
        days("2025-04-29T16:00:00+07:00", 0).unwrap(),
        "2025-05-05T17:00:00+07:00"
    );
    assert_eq!(
        days("2025-04-29T16:00:00+07:00", 2).unwrap(),
        "2025-05-07T17:00:00+07:00"
    );
}

#[test]
fn working_hours_skip_lunch_and_can_end_at_the_close_of_the_morning() {
    assert_eq!(
        hours("2025-03-03T10:30:00+07:00", Duration::hours(2)),
        "2025-03-03T14:30:00+07:00"
    );
    assert_eq!(
        hours("2025-03-03T09:30:00+07:00", Duration::hours(2)),
        "2025-03-03T11:30:00+07:00"
    );
    assert_eq!(
        hours("2025-03-03T12:00:00+07:00", Duration::minutes(30)),
        "2025-03-03T14:00:00+07:00"
    );
}

#[test]
fn working_hours_start_at_the_next_opening_outside_office_hours() {
    assert_eq!(
        hours("2025-03-03T06:00:00+07:00", Duration::hours(1)),
        "2025-03-03T08:30:00+07:00"
    );
    assert_eq!(
        hours("2025-03-03T18:00:00+07:00", Duration::hours(1)),
        "2025-03-04T08:30:00+07:00"
    );
    assert_eq!(
        hours("2025-03-08T10:00:00+07:00", Duration::hours(1)),
        "2025-03-10T08:30:00+07:00"
    );
    assert_eq!(
        hours("2025-03-03T18:00:00+07:00", Duration::zero()),
        "2025-03-04T07:30:00+07:00"
    );
}

#[test]
fn working_hours_cross_tet() {
    assert_eq!(
        hours("2025-01-24T16:00:00+07:00", Duration::hours(2)),
        "2025-02-03T08:30:00+07:00"
    );
}

#[test]
fn warnings_come_one_working_day_or_some_office_hours_before_the_deadline() {
    let calendars = shipped();
    // Appointment Monday 3/2/2025 17:00 (after Tết): one working day before is Friday 24/1 17:00.
    let warn = calendars
        .warning_before(at("2025-02-03T17:00:00+07:00"), TimeLimit::WorkingDays(1))
        .unwrap();
    assert_eq!(warn.to_rfc3339(), "2025-01-24T17:00:00+07:00");
    let warn = calendars
        .warning_before(at("2025-03-04T08:30:00+07:00"), TimeLimit::WorkingHours(2))
        .unwrap();
    assert_eq!(warn.to_rfc3339(), "2025-03-03T16:00:00+07:00");
}

#[test]
fn deadlines_cross_the_year_boundary_on_next_years_calendar() {
    // Wed 31/12/2025 after the cut-off; 1/1/2026 is Tết Dương lịch: D0 = Fri 2/1, +1 = Mon 5/1.
    assert_eq!(
        days("2025-12-31T16:00:00+07:00", 1).unwrap(),
        "2026-01-05T17:00:00+07:00"
    );
}

#[test]
fn computing_into_a_year_without_a_calendar_names_that_year() {
    let error = days("2026-12-30T10:00:00+07:00", 5).unwrap_err();
    assert_eq!(error, ClockError::MissingYear { year: 2027 });
    assert!(
        error.to_string().contains("no calendar for 2027"),
        "{error}"
    );
    assert_eq!(
        days("2023-06-01T10:00:00+07:00", 0).unwrap_err(),
        ClockError::MissingYear { year: 2023 }
    );
}

#[test]
fn instants_in_other_offsets_are_read_as_vietnam_time() {
    // 08:00 UTC is 15:00 in Hà Nội: not after the cut-off.
    assert_eq!(
        days("2025-03-03T08:00:00Z", 0).unwrap(),
        "2025-03-03T17:00:00+07:00"
    );
}

#[test]
fn the_calendar_version_changes_when_a_file_changes() {
    let original = shipped();
    let mut edited = vec![(
        "2025.toml".to_owned(),
        include_str!("../../../fixtures/calendars/2025.toml").replace("2025-04-07", "2025-04-08"),
    )];
    edited.push((
        "2026.toml".to_owned(),
        include_str!("../../../fixtures/calendars/2026.toml").to_owned(),
    ));
    let edited = Calendars::load(&edited).unwrap();
    assert_ne!(original.version(), edited.version());
    assert_eq!(original.version(), shipped().version());
}

#[test]
fn malformed_calendar_files_are_located() {
    let text = "year = 2025\nzone = \"Asia/Saigon\"\noffice_hours = [\"07:30-11:30\", \"13:30-1700\"]\nreceipt_cutoff = \"15:00\"\nweekly_rest = [\"Sat\", \"Sunday\"]\n";
    let error = Calendars::load(&[("bad.toml".to_owned(), text.to_owned())]).unwrap_err();
    let messages: Vec<String> = error.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].starts_with("bad.toml:5:23: `weekly_rest[1]` cannot be \"Sunday\""),
        "{messages:#?}"
    );

    let text = "year = 2025\nzone = \"Asia/Saigon\"\noffice_hours = [\"07:30-11:30\", \"13:30-1700\"]\nreceipt_cutoff = \"3pm\"\nweekly_rest = [\"Sat\", \"Sun\"]\nholidays = [ { from = \"2025-02-02\", to = \"2025-01-25\", name = \"Tết\" }, { date = \"2024-12-31\", name = \"x\" } ]\nworking_days = [ { date = \"2025-04-28\", name = \"Mon\" } ]\n";
    let error = Calendars::load(&[("bad.toml".to_owned(), text.to_owned())]).unwrap_err();
    let messages: Vec<String> = error.diagnostics.iter().map(ToString::to_string).collect();
    let expected = [
        "bad.toml:2:8: zone \"Asia/Saigon\" is not supported",
        "bad.toml:3:32: \"13:30-1700\" is not an office-hours interval",
        "bad.toml:4:18: \"3pm\" is not a time of day",
        "bad.toml:6:42: holiday \"Tết\" ends on 2025-01-25 before it starts on 2025-02-02",
        "bad.toml:6:81: 2024-12-31 is not in 2025",
        "bad.toml:7:27: 2025-04-28 is a Monday, already a working day",
    ];
    assert_eq!(messages.len(), expected.len(), "{messages:#?}");
    for (message, expected) in messages.iter().zip(expected) {
        assert!(
            message.starts_with(expected),
            "{message} should start with {expected}"
        );
    }
    // The same problems as an operator reading Vietnamese sees them.
    let vietnamese: Vec<String> = error
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message(crate::messages::Lang::Vi))
        .collect();
    assert_eq!(
        vietnamese,
        [
            "múi giờ \"Asia/Saigon\" không được hỗ trợ",
            "\"13:30-1700\" không phải là một khoảng giờ làm việc",
            "\"3pm\" không phải là một giờ trong ngày",
            "ngày nghỉ \"Tết\" kết thúc ngày 2025-01-25, trước ngày bắt đầu 2025-02-02",
            "2024-12-31 không thuộc năm 2025",
            "2025-04-28 là thứ Hai, vốn đã là ngày làm việc",
        ]
    );
}

#[test]
fn two_files_for_one_year_are_refused() {
    let text = include_str!("../../../fixtures/calendars/2025.toml").to_owned();
    let error = Calendars::load(&[
        ("a.toml".to_owned(), text.clone()),
        ("b.toml".to_owned(), text),
    ])
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("year 2025 is already covered by a.toml"),
        "{error}"
    );
}

/// An instant between 2024-01-01 and 2026-09-30, at minute resolution.
fn instant() -> impl Strategy<Value = DateTime<FixedOffset>> {
    let start = at("2024-01-01T00:00:00+07:00").timestamp() / 60;
    let end = at("2026-09-30T00:00:00+07:00").timestamp() / 60;
    (start..end).prop_map(|minutes| {
        DateTime::from_timestamp(minutes * 60, 0)
            .expect("in range")
            .with_timezone(&vietnam())
    })
}

fn working_minutes() -> impl Strategy<Value = Duration> {
    (0_i64..12_000).prop_map(Duration::minutes)
}

fn in_office_hours(calendars: &Calendars, instant: DateTime<FixedOffset>) -> bool {
    let local = instant.naive_local();
    let calendar = calendars.year(local.date().year()).expect("year present");
    calendar.is_working_day(local.date())
        && calendar
            .office_hours
            .iter()
            .any(|(start, end)| *start <= local.time() && local.time() <= *end)
}

use chrono::Datelike;

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn adding_working_time_is_associative(t in instant(), a in working_minutes(), b in working_minutes()) {
        let calendars = shipped();
        let stepwise = calendars.add_working_time(calendars.add_working_time(t, a).unwrap(), b).unwrap();
        let at_once = calendars.add_working_time(t, a + b).unwrap();
        prop_assert_eq!(stepwise, at_once);
    }

    #[test]
    fn adding_working_time_is_monotonic_and_lands_in_office_hours(
        t in instant(), u in instant(), a in working_minutes(), b in working_minutes()
    ) {
        let calendars = shipped();
        let (small, large) = if a <= b { (a, b) } else { (b, a) };
        let (early, late) = if t <= u { (t, u) } else { (u, t) };
        let due = calendars.add_working_time(t, small).unwrap();
        prop_assert!(due >= t);
        prop_assert!(due <= calendars.add_working_time(t, large).unwrap());
        prop_assert!(calendars.add_working_time(early, a).unwrap() <= calendars.add_working_time(late, a).unwrap());
        prop_assert!(in_office_hours(&calendars, due), "{} is outside office hours", due);
    }

    #[test]
    fn subtracting_working_time_undoes_adding_it(t in instant(), a in (1_i64..12_000).prop_map(Duration::minutes)) {
        let calendars = shipped();
        let due = calendars.add_working_time(t, a).unwrap();
        let back = calendars.subtract_working_time(due, a).unwrap();
        prop_assert_eq!(calendars.working_time_between(back, due).unwrap(), a);
        prop_assert!(back >= t || !in_office_hours(&calendars, t), "{} before {}", back, t);
    }

    #[test]
    fn working_time_between_an_instant_and_its_due_time_is_what_was_added(
        t in instant(), a in (1_i64..12_000).prop_map(Duration::minutes)
    ) {
        let calendars = shipped();
        let due = calendars.add_working_time(t, a).unwrap();
        prop_assert_eq!(calendars.working_time_between(t, due).unwrap(), a);
    }

    #[test]
    fn working_day_deadlines_close_a_working_day_and_grow_with_the_limit(
        t in instant(), n in 0_u32..30, policy in prop_oneof![Just(AfterCutoff::NextWorkingDay), Just(AfterCutoff::SameDay)]
    ) {
        let calendars = shipped();
        let due = calendars.due(t, TimeLimit::WorkingDays(n), policy).unwrap();
        let local = due.naive_local();
        prop_assert!(calendars.is_working_day(local.date()).unwrap());
        prop_assert_eq!((local.hour(), local.minute()), (17, 0));
        prop_assert!(due >= t);
        prop_assert!(due < calendars.due(t, TimeLimit::WorkingDays(n + 1), policy).unwrap());
        prop_assert!(calendars.holiday_name(local.date()).is_none());
    }
}

fn with_draft_2027() -> Calendars {
    super::shipped_years(&[2026, 2027])
}

#[test]
fn a_deadline_is_provisional_exactly_when_it_crosses_a_drafted_year() {
    let calendars = with_draft_2027();
    assert_eq!(calendars.provisional_years(), vec![2027]);
    assert_eq!(calendars.calendar(2026).map(Calendar::year), Some(2026));
    assert!(
        !calendars
            .calendar(2026)
            .is_some_and(Calendar::is_provisional)
    );
    assert!(
        calendars
            .calendar(2027)
            .is_some_and(Calendar::is_provisional)
    );
    assert!(calendars.calendar(2028).is_none());
    let within_2026 = calendars.provisional_years_between(
        at("2026-12-01T09:00:00+07:00"),
        at("2026-12-31T17:00:00+07:00"),
    );
    assert!(within_2026.is_empty());
    // 31/12 17:00 in Hà Nội is still 2026 even though it is 10:00 UTC; 1/1 00:30 is 2027.
    assert!(
        calendars
            .provisional_years_between(at("2026-12-31T10:00:00Z"), at("2026-12-31T10:00:00Z"))
            .is_empty()
    );
    assert_eq!(
        calendars
            .provisional_years_between(at("2026-12-21T09:00:00+07:00"), at("2026-12-31T17:30:00Z")),
        vec![2027]
    );
    let utc = |text: &str| at(text).with_timezone(&chrono::Utc);
    assert!(calendars.is_provisional_span(Some((
        utc("2026-12-21T09:00:00+07:00"),
        utc("2027-01-05T17:00:00+07:00")
    ))));
    assert!(!calendars.is_provisional_span(Some((
        utc("2026-12-01T09:00:00+07:00"),
        utc("2026-12-15T17:00:00+07:00")
    ))));
    assert!(!calendars.is_provisional_span(None));
    // Reversed spans are read in order.
    assert_eq!(
        calendars.provisional_years_between(
            at("2027-01-05T17:00:00+07:00"),
            at("2026-12-21T09:00:00+07:00")
        ),
        vec![2027]
    );
}

#[test]
fn the_official_calendars_end_on_the_last_day_of_the_last_official_year_without_a_gap() {
    let date = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date");
    let calendars = with_draft_2027();
    assert_eq!(
        calendars.last_official_day(date("2026-11-30")),
        Some(date("2026-12-31"))
    );
    assert_eq!(calendars.official_days_left(date("2026-11-30")), 31);
    assert_eq!(calendars.official_days_left(date("2026-12-31")), 0);
    // In 2027 only the draft: no official day left at all.
    assert_eq!(calendars.last_official_day(date("2027-01-01")), None);
    assert_eq!(calendars.official_days_left(date("2027-01-01")), -1);
    // 2024–2026 official: from 2024 the reach is the end of 2026.
    assert_eq!(
        shipped().last_official_day(date("2024-03-01")),
        Some(date("2026-12-31"))
    );
    assert_eq!(shipped().official_days_left(date("2026-12-30")), 1);
    // A year missing in between cuts the reach.
    let gap = Calendars::load(&[
        (
            "2024.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2024.toml").to_owned(),
        ),
        (
            "2026.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2026.toml").to_owned(),
        ),
    ])
    .expect("loads");
    assert_eq!(
        gap.last_official_day(date("2024-06-01")),
        Some(date("2024-12-31"))
    );
}

#[test]
fn confirming_a_draft_changes_the_version_but_rewording_a_comment_does_not() {
    let draft = with_draft_2027();
    let official = Calendars::load(&[
        (
            "2026.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2026.toml").to_owned(),
        ),
        (
            "2027.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2027.toml")
                .replace("provisional = true\n", ""),
        ),
    ])
    .expect("loads");
    assert_ne!(draft.version(), official.version());
    let states = official.year_states();
    assert!(!states[&2027].provisional);
    assert_eq!(states[&2026], draft.year_states()[&2026]);
    assert_ne!(
        states[&2027].fingerprint,
        draft.year_states()[&2027].fingerprint
    );
    let reworded = Calendars::load(&[
        (
            "2026.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2026.toml")
                .replace("# Official", "# The official"),
        ),
        (
            "2027.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2027.toml")
                .replace("Tết Dương lịch", "Tết Dương lịch (1/1)"),
        ),
    ])
    .expect("loads");
    assert_eq!(reworded.version(), draft.version());
}

fn calendar_due(from: &str, limit: TimeLimit, policy: AfterCutoff) -> String {
    shipped()
        .due(at(from), limit, policy)
        .expect("in calendar")
        .to_rfc3339()
}

#[test]
fn ten_calendar_days_count_from_the_day_after_receipt_and_end_at_closing() {
    // Mon 2/3/2026 + 10 days = Thu 12/3, a working day.
    assert_eq!(
        calendar_due(
            "2026-03-02T10:00:00+07:00",
            TimeLimit::CalendarDays(10),
            AfterCutoff::NextWorkingDay
        ),
        "2026-03-12T17:00:00+07:00"
    );
    // Not ten working days: those would end on Mon 16/3.
    assert_eq!(
        days("2026-03-02T10:00:00+07:00", 10).unwrap(),
        "2026-03-16T17:00:00+07:00"
    );
}

#[test]
fn a_calendar_day_limit_ending_on_a_day_off_moves_to_the_next_working_day() {
    // Wed 4/3 + 10 = Sat 14/3 → Mon 16/3.
    assert_eq!(
        calendar_due(
            "2026-03-04T10:00:00+07:00",
            TimeLimit::CalendarDays(10),
            AfterCutoff::NextWorkingDay
        ),
        "2026-03-16T17:00:00+07:00"
    );
    // Mon 20/4 + 10 = Thu 30/4 (Victory Day), Fri 1/5 (Labour Day), the weekend → Mon 4/5.
    assert_eq!(
        calendar_due(
            "2026-04-20T09:00:00+07:00",
            TimeLimit::CalendarDays(10),
            AfterCutoff::NextWorkingDay
        ),
        "2026-05-04T17:00:00+07:00"
    );
}

#[test]
fn a_calendar_day_limit_received_after_the_cut_off_counts_from_the_next_working_day() {
    // Wed 11/3 15:30: day zero Thu 12/3, + 3 = Sun 15/3 → Mon 16/3.
    assert_eq!(
        calendar_due(
            "2026-03-11T15:30:00+07:00",
            TimeLimit::CalendarDays(3),
            AfterCutoff::NextWorkingDay
        ),
        "2026-03-16T17:00:00+07:00"
    );
    // Received at 15:00 itself, day zero is Wed: + 3 = Sat 14/3 → Mon 16/3 too; + 1 = Thu.
    assert_eq!(
        calendar_due(
            "2026-03-11T15:00:00+07:00",
            TimeLimit::CalendarDays(1),
            AfterCutoff::NextWorkingDay
        ),
        "2026-03-12T17:00:00+07:00"
    );
    // The procedure may count the day of receipt whatever the hour.
    assert_eq!(
        calendar_due(
            "2026-03-11T15:30:00+07:00",
            TimeLimit::CalendarDays(1),
            AfterCutoff::SameDay
        ),
        "2026-03-12T17:00:00+07:00"
    );
    assert_eq!(
        calendar_due(
            "2026-03-11T15:30:00+07:00",
            TimeLimit::CalendarDays(1),
            AfterCutoff::NextWorkingDay
        ),
        "2026-03-13T17:00:00+07:00"
    );
}

#[test]
fn a_month_limit_ends_on_the_same_day_of_the_month_or_that_months_last_day() {
    // Mon 31/8 + 1 month = Wed 30/9, September having no 31st.
    assert_eq!(
        calendar_due(
            "2026-08-31T09:00:00+07:00",
            TimeLimit::Months(1),
            AfterCutoff::NextWorkingDay
        ),
        "2026-09-30T17:00:00+07:00"
    );
    // Tue 31/3 + 2 months = Sun 31/5 → Mon 1/6.
    assert_eq!(
        calendar_due(
            "2026-03-31T09:00:00+07:00",
            TimeLimit::Months(2),
            AfterCutoff::NextWorkingDay
        ),
        "2026-06-01T17:00:00+07:00"
    );
    // Thu 12/3 + 1 month = Sun 12/4 → Mon 13/4.
    assert_eq!(
        calendar_due(
            "2026-03-12T09:00:00+07:00",
            TimeLimit::Months(1),
            AfterCutoff::NextWorkingDay
        ),
        "2026-04-13T17:00:00+07:00"
    );
}

#[test]
fn warnings_before_calendar_limits_count_back_calendar_time() {
    let calendars = shipped();
    let deadline = at("2026-03-16T17:00:00+07:00");
    assert_eq!(
        calendars
            .warning_before(deadline, TimeLimit::CalendarDays(3))
            .unwrap()
            .to_rfc3339(),
        "2026-03-13T17:00:00+07:00"
    );
    assert_eq!(
        calendars
            .warning_before(deadline, TimeLimit::Months(1))
            .unwrap()
            .to_rfc3339(),
        "2026-02-16T17:00:00+07:00"
    );
}

#[test]
fn a_calendar_limit_beyond_the_dates_chrono_holds_names_the_year_it_would_need() {
    let calendars = shipped();
    // Counting forward runs past the last date: the year after receipt is named.
    assert_eq!(
        calendars.due(
            at("2026-03-16T09:00:00+07:00"),
            TimeLimit::CalendarDays(u32::MAX),
            AfterCutoff::NextWorkingDay
        ),
        Err(ClockError::MissingYear { year: 2027 })
    );
    // Counting back before the first date: the year before the deadline is named.
    assert_eq!(
        calendars.warning_before(at("2026-03-16T17:00:00+07:00"), TimeLimit::Months(u32::MAX)),
        Err(ClockError::MissingYear { year: 2025 })
    );
}

fn handover(from: &str, allotted: TimeLimit) -> String {
    shipped()
        .handover_due(at(from), allotted)
        .expect("in calendar")
        .to_rfc3339()
}

#[test]
fn a_dossier_handed_over_after_fifteen_hundred_is_due_from_the_next_working_day() {
    // Same day: before the cut-off, that afternoon; after it, the next working day's closing.
    assert_eq!(
        handover("2026-03-11T14:00:00+07:00", TimeLimit::WorkingDays(0)),
        "2026-03-11T17:00:00+07:00"
    );
    assert_eq!(
        handover("2026-03-11T15:00:00+07:00", TimeLimit::WorkingDays(0)),
        "2026-03-11T17:00:00+07:00"
    );
    assert_eq!(
        handover("2026-03-11T15:01:00+07:00", TimeLimit::WorkingDays(0)),
        "2026-03-12T17:00:00+07:00"
    );
    // Friday after 15:00: Monday.
    assert_eq!(
        handover("2026-03-13T16:00:00+07:00", TimeLimit::WorkingDays(0)),
        "2026-03-16T17:00:00+07:00"
    );
    // Two hours from 15:30 count from the next opening, 07:30, not the last 90 minutes of
    // the afternoon.
    assert_eq!(
        handover("2026-03-11T15:30:00+07:00", TimeLimit::WorkingHours(2)),
        "2026-03-12T09:30:00+07:00"
    );
    assert_eq!(
        handover("2026-03-11T14:30:00+07:00", TimeLimit::WorkingHours(2)),
        "2026-03-11T16:30:00+07:00"
    );
    // Handed over on a Sunday: from Monday's opening.
    assert_eq!(
        handover("2026-03-15T10:00:00+07:00", TimeLimit::WorkingHours(1)),
        "2026-03-16T08:30:00+07:00"
    );
    // Working days count from the day of entry, as before.
    assert_eq!(
        handover("2026-03-11T16:00:00+07:00", TimeLimit::WorkingDays(1)),
        "2026-03-12T17:00:00+07:00"
    );
    assert_eq!(
        handover("2026-03-11T16:00:00+07:00", TimeLimit::CalendarDays(3)),
        "2026-03-16T17:00:00+07:00"
    );
}
