//! `hoso report indicators` over the demo's dossiers.

use crate::{TestDatabase, hoso, stderr, stdout};

fn report(database: &TestDatabase, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "report",
        "indicators",
        "--db",
        &database.url,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
    ];
    args.extend_from_slice(extra);
    hoso(&args)
}

#[test]
fn the_demo_month_reports_its_indicators_in_every_format() {
    let database = TestDatabase::sqlite("report-indicators");
    assert!(hoso(&["demo", "--db", &database.url]).status.success());
    let output = report(&database, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    // The demo: three dossiers returned and one withdrawn (a withdrawal ends processing: all
    // four judged), one refused at intake (never received).
    assert_eq!(json["received"], 4, "{json:#}");
    assert_eq!(json["late"], 0);
    assert_eq!(
        json["early"].as_u64().unwrap_or_default() + json["on_time"].as_u64().unwrap_or_default(),
        4
    );
    let value = |id: &str| {
        json["indicators"]
            .as_array()
            .and_then(|all| all.iter().find(|indicator| indicator["id"] == id))
            .and_then(|indicator| indicator["value"].as_f64())
    };
    assert_eq!(value("2.1"), Some(100.0));
    // The demo has no portal connection: no dossier reached the portal, so 3.3 scores nothing.
    assert_eq!((value("1.4"), value("3.3")), (Some(0.0), Some(0.0)));
    assert_eq!(json["indicators"].as_array().map(Vec::len), Some(14));

    let csv = report(&database, &["--format", "csv"]);
    assert_eq!(stdout(&csv).lines().count(), 15, "{}", stdout(&csv));
    let html = report(&database, &["--format", "html"]);
    assert!(stdout(&html).contains("Báo cáo chỉ số chất lượng phục vụ"));

    // The per-dossier evaluation of the same month, scored on the circular's criteria.
    let evaluation = hoso(&[
        "report",
        "evaluation",
        "--unit",
        "000.00.17.H21",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--db",
        &database.url,
    ]);
    assert!(evaluation.status.success(), "{}", stderr(&evaluation));
    let evaluation: serde_json::Value = serde_json::from_str(&stdout(&evaluation)).expect("JSON");
    let birth = evaluation["dossiers"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|dossier| dossier["dossier"] == "000.00.17.H21-260302-0001")
        })
        .cloned()
        .unwrap_or_else(|| panic!("the birth dossier is evaluated: {evaluation:#}"));
    assert_eq!(birth["criteria"][0]["number"], 1);
    assert!(
        birth["criteria"][0]["points"]
            .as_u64()
            .is_some_and(|points| points >= 1),
        "returned on time: {birth:#}"
    );
    // The commune received three of the month's dossiers (as its own indicators count them).
    assert_eq!(evaluation["received"], 3, "{evaluation:#}");
    assert_eq!(evaluation["resolved_on_time"], 3, "{evaluation:#}");

    let elsewhere = report(&database, &["--unit", "000.00.99.H99"]);
    assert!(elsewhere.status.success());
    assert!(
        stderr(&elsewhere).contains("note: no dossier of 000.00.99.H99"),
        "{}",
        stderr(&elsewhere)
    );
}

#[test]
fn bad_report_arguments_say_what_to_write() {
    let database = TestDatabase::sqlite("report-bad-arguments");
    let cases: [(&[&str], &str); 3] = [
        (
            &["--from", "2026-02-30", "--to", "2026-03-31"],
            "--from \"2026-02-30\" is not a date: write YYYY-MM-DD",
        ),
        (
            &["--from", "2026-04-01", "--to", "2026-03-31"],
            "--from 2026-04-01 is after --to 2026-03-31",
        ),
        (
            &[
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-31",
                "--unit",
                "not/a/unit",
            ],
            "is not a unit code",
        ),
    ];
    for (arguments, message) in cases {
        let mut args = vec!["report", "indicators", "--db", &database.url];
        args.extend_from_slice(arguments);
        let output = hoso(&args);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        assert!(
            stderr(&output).contains(message),
            "{arguments:?}: {}",
            stderr(&output)
        );
    }
}
