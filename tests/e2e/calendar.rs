//! `hoso calendar check | due` on the shipped calendars.

use crate::{hoso, stderr, stdout};

#[test]
fn the_shipped_calendars_check() {
    let output = hoso(&["calendar", "check", "fixtures/calendars"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("calendars 2024, 2025, 2026"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn due_prints_the_deadline_in_vietnam_time() {
    let cases = [
        (
            ["--working-days", "3"],
            "2025-01-24T10:00:00+07:00",
            "2025-02-05T17:00:00+07:00",
        ),
        (
            ["--working-days", "0"],
            "2025-01-24T15:30:00+07:00",
            "2025-02-03T17:00:00+07:00",
        ),
        (
            ["--working-hours", "2"],
            "2025-01-24T09:00:00Z",
            "2025-02-03T08:30:00+07:00",
        ),
    ];
    for (limit, from, expected) in cases {
        let output = hoso(&[
            "calendar",
            "due",
            "--calendar",
            "fixtures/calendars",
            "--from",
            from,
            limit[0],
            limit[1],
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output).trim(), expected, "{from} {limit:?}");
    }
}

#[test]
fn due_into_a_year_without_a_calendar_fails_naming_the_year() {
    let output = hoso(&[
        "calendar",
        "due",
        "--from",
        "2026-12-30T10:00:00+07:00",
        "--working-days",
        "5",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no calendar for 2027"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn due_refuses_bad_instants_and_missing_limits() {
    let output = hoso(&[
        "calendar",
        "due",
        "--from",
        "yesterday",
        "--working-days",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not an RFC 3339 instant"),
        "{}",
        stderr(&output)
    );
    let output = hoso(&["calendar", "due", "--from", "2025-01-24T10:00:00+07:00"]);
    assert_eq!(output.status.code(), Some(2));
    let output = hoso(&[
        "calendar",
        "due",
        "--from",
        "2025-01-24T10:00:00+07:00",
        "--working-days",
        "1",
        "--working-hours",
        "2",
    ]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_broken_calendar_folder_is_reported_with_locations() {
    let folder = std::env::temp_dir().join(format!("hoso-test-calendars-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(
        folder.join("2025.toml"),
        "year = 2025\nzone = \"Asia/Ho_Chi_Minh\"\noffice_hours = [\"07:30-11:30\"]\nreceipt_cutoff = \"15:00\"\nweekly_rest = [\"Sat\", \"Sun\"]\nholidays = [ { date = \"2025-02-30\", name = \"x\" } ]\n",
    )
    .expect("write");
    let output = hoso(&["calendar", "check", folder.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output)
            .contains("2025.toml:6:23: `holidays[0].date` = \"2025-02-30\" is not a date"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(folder).expect("clean up");
}

#[test]
fn a_missing_calendar_folder_is_named_once_with_its_cause() {
    let database = crate::TestDatabase::sqlite("no-calendars");
    let output = hoso(&[
        "init",
        "--db",
        &database.url,
        "--calendars",
        "/nonexistent/calendars",
    ]);
    assert!(!output.status.success());
    let errors = stderr(&output);
    assert!(
        errors.contains("calendars: cannot read /nonexistent/calendars: No such file or directory"),
        "{errors}"
    );
    assert_eq!(
        errors.matches("No such file or directory").count(),
        1,
        "the cause is printed once: {errors}"
    );
}
