//! A fixture month (March 2026) of 50 dossiers of one unit, plus 3 of another, with every
//! indicator's value worked out by hand in the comments.

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use super::*;

const UNIT: &str = "000.00.17.H21";

fn at(day: &str, time: &str) -> DateTime<Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(&format!("{day} {time}"), "%Y-%m-%d %H:%M")
        .expect("fixture instant");
    vietnam()
        .from_local_datetime(&local)
        .single()
        .expect("unambiguous")
        .with_timezone(&Utc)
}

fn dossier(group: &str, index: usize, procedure: &str) -> DossierFacts {
    DossierFacts {
        code: format!("{UNIT}.{group}-{index:02}"),
        procedure: procedure.to_owned(),
        unit: UNIT.to_owned(),
        online: false,
        received_at: Some(at("2026-03-05", "09:00")),
        finished_at: None,
        appointment: Some(at("2026-03-10", "17:00")),
        supplement_requests: 0,
        processing_hours: None,
        withdrawn: false,
        fee_bearing: false,
        paid_online: false,
        paper_result: procedure == "P2",
        e_result: false,
        digitised: false,
        reused: false,
        rating: None,
        feedback: false,
        submitted_at: Some(at("2026-03-05", "08:00")),
        windows: Vec::new(),
        waiting_supplement_since: None,
        completed: false,
        processing_days: None,
        data_store: false,
        population_data: false,
        synced: true,
    }
}

fn group(
    name: &str,
    count: usize,
    procedure: &str,
    shape: impl Fn(usize, &mut DossierFacts),
) -> Vec<DossierFacts> {
    (0..count)
        .map(|index| {
            let mut facts = dossier(name, index, procedure);
            shape(index, &mut facts);
            facts
        })
        .collect()
}

fn march() -> Vec<DossierFacts> {
    let mut all = Vec::new();
    // A — 10 early (finished the day before the appointment day), online, digitised, 4 re-used,
    // the last two rated dissatisfied; 16 working hours = 2 days each.
    all.extend(group("A", 10, "P1", |index, facts| {
        facts.finished_at = Some(at("2026-03-09", "10:00"));
        facts.processing_hours = Some(16.0);
        facts.online = true;
        facts.digitised = true;
        facts.reused = index < 4;
        facts.data_store = index < 4;
        facts.rating = (index >= 8).then_some(Satisfaction::Dissatisfied);
        facts.completed = true;
    }));
    // B — 8 on time (the appointment day), fee-bearing, the first 5 paid online; 3 days each.
    all.extend(group("B", 8, "P1", |index, facts| {
        facts.finished_at = Some(at("2026-03-10", "15:00"));
        facts.processing_hours = Some(24.0);
        facts.fee_bearing = true;
        facts.paid_online = index < 5;
        facts.population_data = index < 5;
        facts.rating = Some(Satisfaction::Satisfied);
        facts.completed = true;
    }));
    // C — 6 late, paper result, fee-bearing (first 3 paid online), digitised; the first two
    // online, of which only the first got an e-result; 5 days each.
    all.extend(group("C", 6, "P2", |index, facts| {
        facts.finished_at = Some(at("2026-03-12", "10:00"));
        facts.processing_hours = Some(40.0);
        facts.fee_bearing = true;
        facts.paid_online = index < 3;
        facts.digitised = true;
        facts.online = index < 2;
        facts.e_result = index == 0;
        facts.completed = true;
    }));
    // D — 4 supplemented twice: late although finished early; 1 day each.
    all.extend(group("D", 4, "P2", |_, facts| {
        facts.finished_at = Some(at("2026-03-09", "10:00"));
        facts.processing_hours = Some(8.0);
        facts.supplement_requests = 2;
        facts.completed = true;
    }));
    // E — 3 supplemented once, on time, digitised with an e-result; 3 days each.
    all.extend(group("E", 3, "P2", |_, facts| {
        facts.finished_at = Some(at("2026-03-10", "16:59"));
        facts.processing_hours = Some(24.0);
        facts.supplement_requests = 1;
        facts.digitised = true;
        facts.e_result = true;
        facts.completed = true;
    }));
    // F — 3 withdrawn on 6/3: the withdrawal ends processing, early against 10/3; not completed.
    all.extend(group("F", 3, "P1", |_, facts| {
        facts.withdrawn = true;
        facts.finished_at = Some(at("2026-03-06", "10:00"));
    }));
    // G — 6 open at the period's end, due in April: on time; online, 3 digitised, 2 re-used;
    // not yet on the national portal.
    all.extend(group("G", 6, "P1", |index, facts| {
        facts.synced = false;
        facts.received_at = Some(at("2026-03-20", "08:00"));
        facts.appointment = Some(at("2026-04-05", "17:00"));
        facts.online = true;
        facts.digitised = index < 3;
        facts.reused = index < 2;
    }));
    // H — 4 open at the period's end and past their appointment: late; not on the portal.
    all.extend(group("H", 4, "P1", |_, facts| {
        facts.synced = false;
        facts.received_at = Some(at("2026-03-20", "08:00"));
        facts.appointment = Some(at("2026-03-27", "17:00"));
    }));
    // I — 2 received in February, finished early in March: judged, but not "received".
    all.extend(group("I", 2, "P1", |_, facts| {
        facts.received_at = Some(at("2026-02-25", "08:00"));
        facts.appointment = Some(at("2026-03-03", "17:00"));
        facts.finished_at = Some(at("2026-03-02", "09:00"));
        facts.processing_hours = Some(24.0);
        facts.completed = true;
    }));
    // J — 2 received and finished in February: outside the period.
    all.extend(group("J", 2, "P1", |_, facts| {
        facts.received_at = Some(at("2026-02-10", "08:00"));
        facts.appointment = Some(at("2026-02-13", "17:00"));
        facts.finished_at = Some(at("2026-02-12", "09:00"));
        facts.completed = true;
    }));
    // L — 2 waiting since 9/3 for a supplement asked once: the request ends processing for
    // the portal, on time against 10/3 although still open at the period's end.
    all.extend(group("L", 2, "P1", |_, facts| {
        facts.supplement_requests = 1;
        facts.waiting_supplement_since = Some(at("2026-03-09", "10:00"));
    }));
    // M — 2 stopped on the appointment day: judged on time, but not completed, so not in 2.2.
    all.extend(group("M", 2, "P1", |_, facts| {
        facts.finished_at = Some(at("2026-03-10", "12:00"));
        facts.processing_hours = Some(8.0);
    }));
    // N — 2 received 25/3, processed 2/4 in 10 working days of the calendar's 7.5-hour day
    // (75 hours; 9.38 days at 8 hours): open at the end of March, due in April, so on time for
    // 2.1, and averaged in 2.2 although finished after the period.
    all.extend(group("N", 2, "P1", |_, facts| {
        facts.received_at = Some(at("2026-03-25", "08:00"));
        facts.appointment = Some(at("2026-04-10", "17:00"));
        facts.finished_at = Some(at("2026-04-02", "10:00"));
        facts.processing_hours = Some(75.0);
        facts.processing_days = Some(10.0);
        facts.completed = true;
    }));
    // K — 2 received in April: outside the period.
    all.extend(group("K", 2, "P1", |_, facts| {
        facts.received_at = Some(at("2026-04-02", "08:00"));
        facts.appointment = Some(at("2026-04-07", "17:00"));
    }));
    assert_eq!(
        all.len(),
        56,
        "the fixture month has 56 dossiers of the unit"
    );
    // Another unit's 3 early online dossiers, which a report for UNIT must not count.
    all.extend(group("V", 3, "P1", |_, facts| {
        facts.unit = "000.00.18.H21".to_owned();
        facts.online = true;
        facts.finished_at = Some(at("2026-03-06", "10:00"));
        facts.processing_hours = Some(8.0);
        facts.completed = true;
    }));
    all
}

fn settings() -> Settings {
    Settings::from_toml(include_str!("../../../fixtures/indicators.toml"))
        .expect("the shipped settings load")
}

fn period() -> Period {
    Period {
        from: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
        to: NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"),
    }
}

fn indicator<'a>(report: &'a Report, id: &str) -> &'a Indicator {
    report
        .indicators
        .iter()
        .find(|indicator| indicator.id == id)
        .expect("indicator present")
}

#[test]
fn the_fixture_month_matches_the_hand_computed_values() {
    let report = compute(&march(), period(), Some(UNIT), &settings());
    // Received in March: A10 + B8 + C6 + D4 + E3 + F3 + G6 + H4 + L2 + M2 + N2 = 50.
    assert_eq!(report.received, 50);
    // Judged: early A10 + F3 + I2 = 15; on time B8 + E3 + G6 + L2 + M2 + N2 = 23;
    // late C6 + D4 + H4 = 14.
    assert_eq!((report.early, report.on_time, report.late), (15, 23, 14));

    // 2.1: 38 / 52 = 73.08 %; 20 points × 0.7308 = 14.62.
    let on_time = indicator(&report, "2.1");
    assert_eq!(
        (
            on_time.numerator,
            on_time.denominator,
            on_time.value,
            on_time.points
        ),
        (38.0, 52.0, 73.08, 14.62)
    );

    // 2.2, completed dossiers received in March: P1 = (A 10 × 2 + B 8 × 3 + N 2 × 10) / 20 =
    // 3.2 days (N by its calendar days, not 75 h ÷ 8; M stopped, F withdrawn: not completed);
    // P2 = (C 6 × 5 + D 4 × 1 + E 3 × 3) / 13 = 3.31; all = 107 / 33 = 3.24. I (received in
    // February) is not counted.
    let times: Vec<(&str, u64, f64)> = report
        .processing_time
        .iter()
        .map(|time| {
            (
                time.procedure.as_str(),
                time.dossiers,
                time.average_working_days,
            )
        })
        .collect();
    assert_eq!(times, [("P1", 20, 3.2), ("P2", 13, 3.31)]);
    assert_eq!(indicator(&report, "2.2").value, 3.24);

    // 1.4: all received but G6 and H4 are on the portal: 40 / 50 = 80 %; no points.
    let synced = indicator(&report, "1.4");
    assert_eq!(
        (
            synced.numerator,
            synced.denominator,
            synced.value,
            synced.points
        ),
        (40.0, 50.0, 80.0, 0.0)
    );

    // 3.3: online A10 + G6 + C's first (paper result, but an e-result) = 17 / 50 = 34 %, × 1.4
    // = 27.2 %; threshold 50 → 6 × 27.2 / 50 = 3.26.
    let online = indicator(&report, "3.3");
    assert_eq!(
        (
            online.numerator,
            online.denominator,
            online.value,
            online.points
        ),
        (17.0, 50.0, 27.2, 3.26)
    );

    // 3.6: paid online B5 + C3 = 8 of 14 fee-bearing = 57.14 %; threshold 100 → 3.43.
    let paid = indicator(&report, "3.6");
    assert_eq!(
        (paid.numerator, paid.denominator, paid.value, paid.points),
        (8.0, 14.0, 57.14, 3.43)
    );

    // 4.1: paper-result dossiers C6 + D4 + E3 = 13, with an e-result C1 + E3 = 4 → 30.77 %;
    // 6 points × 0.3077 = 1.85.
    let e_result = indicator(&report, "4.1");
    assert_eq!(
        (
            e_result.numerator,
            e_result.denominator,
            e_result.value,
            e_result.points
        ),
        (4.0, 13.0, 30.77, 1.85)
    );

    // 4.2: digitised A10 + C1 (only the one with its e-result) + E3 + G3 = 17 / 50 = 34 %;
    // 4 points, proportional → 1.36.
    let digitised = indicator(&report, "4.2");
    assert_eq!(
        (digitised.numerator, digitised.value, digitised.points),
        (17.0, 34.0, 1.36)
    );

    // 4.3: re-used A4 + G2 = 6 / 50 = 12 % → 2 × 12 / 80 = 0.3.
    let reused = indicator(&report, "4.3");
    assert_eq!(
        (reused.numerator, reused.value, reused.points),
        (6.0, 12.0, 0.3)
    );

    // 4.4: the data store A4 = 8 % → 4 × 0.08 = 0.32; 4.5: population data B5 = 10 % → 0.2.
    let store = indicator(&report, "4.4");
    assert_eq!(
        (store.numerator, store.value, store.points),
        (4.0, 8.0, 0.32)
    );
    let population = indicator(&report, "4.5");
    assert_eq!(
        (population.numerator, population.value, population.points),
        (5.0, 10.0, 0.2)
    );

    // 5.4: of the 52 judged, 14 late and A8, A9 rated dissatisfied (early) = 16 unhappy →
    // 36 / 52 = 69.23 %; threshold 90 → 6 × 69.23 / 90 = 4.62.
    let satisfaction = indicator(&report, "5.4");
    assert_eq!(
        (
            satisfaction.numerator,
            satisfaction.denominator,
            satisfaction.value,
            satisfaction.points
        ),
        (36.0, 52.0, 69.23, 4.62)
    );
}

#[test]
fn another_units_dossiers_count_only_in_the_all_units_report() {
    let all = compute(&march(), period(), None, &settings());
    assert_eq!(all.received, 53);
    assert_eq!(all.early, 18);
    let other = compute(&march(), period(), Some("000.00.18.H21"), &settings());
    assert_eq!(
        (other.received, other.early, other.on_time, other.late),
        (3, 3, 0, 0)
    );
    assert_eq!(indicator(&other, "2.1").value, 100.0);
}

#[test]
fn an_empty_period_gives_zero_rates_not_a_division_by_zero() {
    let empty = Period {
        from: NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        to: NaiveDate::from_ymd_opt(2025, 1, 31).expect("date"),
    };
    let report = compute(&march(), empty, Some(UNIT), &settings());
    assert_eq!(report.received, 0);
    assert!(
        report
            .indicators
            .iter()
            .all(|indicator| indicator.value == 0.0 && indicator.points == 0.0)
    );
}

#[test]
fn a_configured_sync_rate_replaces_the_computed_one_in_3_3() {
    let mut fixed = settings();
    fixed.sync_rate = Some(0.5);
    let report = compute(&march(), period(), Some(UNIT), &fixed);
    // 34 % online × 0.5 = 17 %; 1.4 itself is still what the outbox says.
    assert_eq!(indicator(&report, "3.3").value, 17.0);
    assert_eq!(indicator(&report, "1.4").value, 80.0);
}

#[test]
fn a_sync_rate_outside_zero_to_one_is_refused_with_the_fix() {
    let text = include_str!("../../../fixtures/indicators.toml").replace(
        "hours_per_working_day = 8.0",
        "hours_per_working_day = 8.0\nsync_rate = 98.0",
    );
    let error = Settings::from_toml(&text).unwrap_err();
    assert!(
        error.contains("sync_rate = 98") && error.contains("0.98"),
        "{error}"
    );
}

#[test]
fn settings_without_an_indicator_are_refused_with_the_fix() {
    let error = Settings::from_toml(
        "hours_per_working_day = 8.0\nsync_rate = 1.0\n[indicator.\"2.1\"]\nmax_points = 20.0\n",
    )
    .unwrap_err();
    assert!(error.contains("[indicator.\"2.2\"]"), "{error}");
}

#[test]
fn formats_carry_every_indicator() {
    let report = compute(&march(), period(), Some(UNIT), &settings());
    let csv = to_csv(&report);
    assert_eq!(csv.lines().count(), 15, "a header and fourteen indicators");
    assert!(csv.contains("5.2,\"Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn\""));
    assert!(csv.contains("2.1,\"Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn\""));
    let html = to_html(&report);
    assert!(
        html.contains("Quyết định 766/QĐ-TTg")
            && html.contains("01/03/2026")
            && html.contains("@page")
    );
}

/// Six pieces of citizen feedback in March 2026, worked out by hand.
fn feedback_march() -> Vec<DossierFacts> {
    let window = |intake: bool, closes: (&str, &str), met: Option<(&str, &str)>| WindowFact {
        intake,
        closes_at: at(closes.0, closes.1),
        met_at: met.map(|(day, time)| at(day, time)),
    };
    let piece = |index: usize,
                 submitted: &str,
                 received: Option<&str>,
                 appointment: Option<&str>,
                 finished: Option<(&str, &str)>,
                 windows: Vec<WindowFact>| DossierFacts {
        feedback: true,
        procedure: "PAKN.1".to_owned(),
        submitted_at: Some(at(submitted, "09:00")),
        received_at: received.map(|day| at(day, "09:00")),
        appointment: appointment.map(|day| at(day, "17:00")),
        finished_at: finished.map(|(day, time)| at(day, time)),
        windows,
        ..dossier("PAKN", index, "PAKN.1")
    };
    let intake_closing_4th = |met: Option<(&str, &str)>| window(true, ("2026-03-04", "17:00"), met);
    vec![
        // F1: accepted in time, answered early, published in time, rated very satisfied.
        DossierFacts {
            rating: Some(Satisfaction::VerySatisfied),
            ..piece(
                1,
                "2026-03-02",
                Some("2026-03-03"),
                Some("2026-03-24"),
                Some(("2026-03-20", "10:00")),
                vec![
                    intake_closing_4th(Some(("2026-03-03", "09:00"))),
                    window(
                        false,
                        ("2026-03-24", "17:00"),
                        Some(("2026-03-23", "09:00")),
                    ),
                ],
            )
        },
        // F2: accepted late; answered on time but published a day after its window.
        piece(
            2,
            "2026-03-02",
            Some("2026-03-05"),
            Some("2026-03-26"),
            Some(("2026-03-26", "10:00")),
            vec![
                intake_closing_4th(Some(("2026-03-05", "09:00"))),
                window(
                    false,
                    ("2026-03-30", "17:00"),
                    Some(("2026-03-31", "09:00")),
                ),
            ],
        ),
        // F3: accepted in time, still unanswered at the end of March, past its appointment.
        piece(
            3,
            "2026-03-02",
            Some("2026-03-04"),
            Some("2026-03-25"),
            None,
            vec![intake_closing_4th(Some(("2026-03-04", "09:00")))],
        ),
        // F4: refused at intake, in time: counts for 5.1 only.
        piece(
            4,
            "2026-03-02",
            None,
            None,
            Some(("2026-03-03", "10:00")),
            vec![intake_closing_4th(Some(("2026-03-03", "10:00")))],
        ),
        // F5: submitted on the 30th, its intake window still open at the period's end.
        piece(
            5,
            "2026-03-30",
            None,
            None,
            None,
            vec![window(true, ("2026-04-01", "17:00"), None)],
        ),
        // F7: submitted on the 30th and refused at intake on the 31st, before its window closes
        // in April: decided, so judged in March.
        piece(
            7,
            "2026-03-30",
            None,
            None,
            Some(("2026-03-31", "09:00")),
            vec![window(
                true,
                ("2026-04-01", "17:00"),
                Some(("2026-03-31", "09:00")),
            )],
        ),
        // F8: withdrawn before anyone decided: not judged.
        DossierFacts {
            withdrawn: true,
            ..piece(
                8,
                "2026-03-02",
                None,
                None,
                Some(("2026-03-03", "09:00")),
                vec![intake_closing_4th(None)],
            )
        },
        // F9: submitted in February, decided late in March: judged with February.
        piece(
            9,
            "2026-02-27",
            None,
            None,
            Some(("2026-03-05", "09:00")),
            vec![window(
                true,
                ("2026-03-03", "17:00"),
                Some(("2026-03-05", "09:00")),
            )],
        ),
        // F10: never decided, its intake window long closed: late for 5.1.
        piece(
            10,
            "2026-03-02",
            None,
            None,
            None,
            vec![intake_closing_4th(None)],
        ),
        // F6: accepted and answered in time, but the citizen is dissatisfied.
        DossierFacts {
            rating: Some(Satisfaction::Dissatisfied),
            ..piece(
                6,
                "2026-03-10",
                Some("2026-03-11"),
                Some("2026-04-01"),
                Some(("2026-03-20", "10:00")),
                vec![
                    window(true, ("2026-03-12", "17:00"), Some(("2026-03-11", "09:00"))),
                    window(
                        false,
                        ("2026-03-24", "17:00"),
                        Some(("2026-03-23", "09:00")),
                    ),
                ],
            )
        },
    ]
}

#[test]
fn feedback_is_judged_by_5_1_to_5_3_and_left_out_of_the_administrative_indicators() {
    let mut facts = march();
    facts.extend(feedback_march());
    let report = compute(&facts, period(), Some(UNIT), &settings());
    // The administrative figures are those of the fixture month alone.
    assert_eq!(report.received, 50);
    assert_eq!((report.early, report.on_time, report.late), (15, 23, 14));
    let values = |id: &str| {
        let indicator = indicator(&report, id);
        (indicator.numerator, indicator.denominator, indicator.value)
    };
    // 5.1: F1, F3, F4, F6, F7 decided in time of F1–F4, F6, F7 and F10 (F5's window is still
    // open, F8 was withdrawn, F9 belongs to February): 5 / 7.
    assert_eq!(values("5.1"), (5.0, 7.0, 71.43));
    // 5.2: of F1, F2, F3, F6 (accepted), F2 was accepted and published late and F3 is past its
    // appointment: 2 / 4.
    assert_eq!(values("5.2"), (2.0, 4.0, 50.0));
    // 5.3: 4 accepted − 1 dissatisfied (F6) − 2 late = 1 / 4.
    assert_eq!(values("5.3"), (1.0, 4.0, 25.0));
    assert_eq!(
        indicator(&report, "5.1").points,
        0.0,
        "no points unless the settings give some"
    );
}

#[test]
fn a_window_is_late_only_once_it_has_closed_unmet_or_was_met_after_closing() {
    let closes = at("2026-03-04", "17:00");
    let window = |met: Option<DateTime<Utc>>| WindowFact {
        intake: true,
        closes_at: closes,
        met_at: met,
    };
    let second = chrono::Duration::seconds(1);
    let judged = at("2026-03-31", "23:00");
    // Met exactly as it closes is in time; a second later is late.
    assert!(!window(Some(closes)).late_at(judged));
    assert!(window(Some(closes + second)).late_at(judged));
    // Unmet: late once it has closed, not while it is open or exactly as it closes.
    assert!(window(None).late_at(judged));
    assert!(!window(None).late_at(closes));
    assert!(!window(None).late_at(closes - second));
    // Met only after the moment judged: as of then it was unmet.
    assert!(window(Some(judged + second)).late_at(judged));
    assert!(!window(Some(closes - second)).late_at(closes - second));
    assert!(!window(Some(judged + second)).late_at(closes - second));
}

fn slip_of(results: &[crate::forms::RowResult]) -> crate::forms::ControlSlip {
    crate::forms::ControlSlip {
        form: "06".to_owned(),
        dossier: "d".to_owned(),
        agency: String::new(),
        procedure: "P1".to_owned(),
        applicant: "A".to_owned(),
        appointment: None,
        rows: results
            .iter()
            .map(|result| crate::forms::SlipRow {
                unit: UNIT.to_owned(),
                unit_name: "UBND xã".to_owned(),
                unit_kind_name: "Một cửa".to_owned(),
                step: "s".to_owned(),
                step_name: "S".to_owned(),
                given_by: "X".to_owned(),
                given_by_id: "x".to_owned(),
                received_at: at("2026-03-05", "09:00"),
                due_at: at("2026-03-05", "17:00"),
                handed_on_at: Some(at("2026-03-05", "10:00")),
                result: *result,
                note: String::new(),
            })
            .collect(),
        returned_at: None,
    }
}

fn points(evaluation: &DossierEvaluation) -> Vec<Option<u8>> {
    evaluation
        .criteria
        .iter()
        .map(|criterion| criterion.points)
        .collect()
}

#[test]
fn each_dossier_is_scored_on_the_circulars_criteria() {
    use crate::forms::RowResult::{Early, Late, OnTime};
    // Early, never supplemented, every unit early, no complaint: 10 of 10.
    let mut best = dossier("E", 1, "P1");
    best.finished_at = Some(at("2026-03-09", "10:00"));
    best.completed = true;
    let scored = evaluate_dossier(&best, &slip_of(&[Early, Early]), &period());
    assert_eq!(
        points(&scored),
        [Some(2), Some(2), Some(2), Some(2), None, Some(2)]
    );
    assert_eq!((scored.points, scored.max_points), (10, 10));
    // On the appointment day, supplemented once, units on time: 1, 1, 1.
    let mut middling = best.clone();
    middling.finished_at = Some(at("2026-03-10", "16:00"));
    middling.supplement_requests = 1;
    let scored = evaluate_dossier(&middling, &slip_of(&[Early, OnTime]), &period());
    assert_eq!(
        points(&scored),
        [Some(1), Some(1), Some(1), Some(2), None, Some(2)]
    );
    assert_eq!(scored.points, 7);
    // Late, supplemented twice, a unit late, rated dissatisfied: only criterion 4.
    let mut worst = best.clone();
    worst.finished_at = Some(at("2026-03-12", "10:00"));
    worst.supplement_requests = 2;
    worst.rating = Some(Satisfaction::Dissatisfied);
    let scored = evaluate_dossier(&worst, &slip_of(&[OnTime, Late]), &period());
    assert_eq!(
        points(&scored),
        [Some(0), Some(0), Some(0), Some(2), None, Some(0)]
    );
    assert_eq!(scored.criteria[2].reason, "phải bổ sung hồ sơ 2 lần");
    // Late without a complaint keeps one point for criterion 7; no stays: criterion 2 unscored.
    worst.rating = None;
    let scored = evaluate_dossier(&worst, &slip_of(&[]), &period());
    assert_eq!(scored.criteria[1].points, None);
    assert_eq!(scored.criteria[5].points, Some(1));
    assert_eq!((scored.points, scored.max_points), (3, 8));
}

#[test]
fn the_units_evaluation_averages_its_dossiers_and_gives_the_on_time_rate_of_article_30() {
    use crate::forms::RowResult::{Early, Late};
    let facts = march();
    let dossiers: Vec<(DossierFacts, crate::forms::ControlSlip)> = facts
        .into_iter()
        .map(|facts| {
            let slip = if facts.code.contains(".C-") {
                slip_of(&[Late])
            } else {
                slip_of(&[Early])
            };
            (facts, slip)
        })
        .collect();
    let report = evaluation(UNIT, period(), &dossiers);
    // Ended in March: A10 B8 C6 D4 E3 F3 I2 M2 = 38 (N ended in April, J in February).
    assert_eq!(report.dossiers.len(), 38);
    // Received 50; completed early or on time: A10 + B8 + E3 = 21 (F withdrawn, M stopped, N
    // open at the end of March, C and D late).
    assert_eq!((report.received, report.resolved_on_time), (50, 21));
    assert_eq!(report.on_time_rate, 42.0);
    // A: 10/10 (its two dissatisfied: 8/10); B: 1+2+2+2+2 = 9/10; C: 0+0+2+2+1 = 5/10;
    // D: 0+2+0+2+1 = 5/10; E: 1+2+1+2+2 = 8/10; F: 2+2+2+2+2 = 10/10; I: 10/10; M: 9/10.
    // (8 × 1 + 2 × 0.8 + 8 × 0.9 + 6 × 0.5 + 4 × 0.5 + 3 × 0.8 + 3 + 2 + 2 × 0.9) = 31.0;
    // 31 / 38 = 81.58 %.
    assert_eq!(report.average_percent, 81.58);
    let html = evaluation_html(&report);
    assert!(html.contains("ĐÁNH GIÁ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH THEO TỪNG HỒ SƠ"));
    assert!(html.contains("21/50 = 42%"), "{html}");
}

#[test]
fn a_dossier_resolved_at_the_first_instant_after_the_period_is_not_resolved_within_it() {
    use crate::forms::RowResult::Early;
    let mut resolved = dossier("R", 1, "P1");
    resolved.appointment = Some(at("2026-04-03", "17:00"));
    resolved.completed = true;
    // Midnight at the end of 31 March: the period's end, which belongs to April.
    resolved.finished_at = Some(at("2026-04-01", "00:00"));
    let report = evaluation(UNIT, period(), &[(resolved.clone(), slip_of(&[Early]))]);
    assert_eq!((report.received, report.resolved_on_time), (1, 0));
    resolved.finished_at = Some(at("2026-03-31", "23:59"));
    let report = evaluation(UNIT, period(), &[(resolved, slip_of(&[Early]))]);
    assert_eq!((report.received, report.resolved_on_time), (1, 1));
}
