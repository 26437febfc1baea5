//! `hoso calendar check | due | draft` on the shipped calendars.

use crate::{hoso, stderr, stdout};

#[test]
fn the_shipped_calendars_check() {
    let output = hoso(&["calendar", "check", "fixtures/calendars"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("calendars 2024, 2025, 2026, 2027"),
        "{}",
        stdout(&output)
    );
    assert!(
        stdout(&output).contains("provisional (drafted, not yet the official notice): 2027"),
        "{}",
        stdout(&output)
    );
}

/// From mid-December a ten-day limit crosses New Year: with the provisional 2027 shipped, it is
/// computed (D0 Monday 21/12, New Year's Day off, the tenth working day Tuesday 5/1) and flagged.
#[test]
fn a_deadline_into_the_provisional_2027_is_computed_and_says_so() {
    let output = hoso(&[
        "calendar",
        "due",
        "--from",
        "2026-12-21T09:00:00+07:00",
        "--working-days",
        "10",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "2027-01-05T17:00:00+07:00");
    assert!(
        stderr(&output).contains("provisional (tạm tính): counted on the drafted calendar of 2027"),
        "{}",
        stderr(&output)
    );
    let output = hoso(&[
        "calendar",
        "due",
        "--from",
        "2026-12-01T09:00:00+07:00",
        "--working-days",
        "10",
    ]);
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn draft_prints_a_provisional_file_that_checks_and_refuses_years_out_of_range() {
    let output = hoso(&["calendar", "draft", "2031"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("year = 2031\nprovisional = true\n"), "{text}");
    // Mùng 1 Tết Tân Hợi is Thursday 23/1/2031; Giỗ Tổ is Tuesday 1/4/2031.
    assert!(
        text.contains(
            "Mùng 1 Tết Tân Hợi: 23/01/2031 (Thứ Năm); Giỗ Tổ Hùng Vương: 01/04/2031 (Thứ Ba)"
        ),
        "{text}"
    );
    // Office hours come from the newest shipped year before it only when it is the year before.
    assert!(
        text.contains("hoso's defaults (no file for the year before)"),
        "{text}"
    );
    let folder = std::env::temp_dir().join(format!("hoso-test-draft-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("2031.toml"), &text).expect("write");
    let output = hoso(&["calendar", "check", folder.to_str().expect("utf-8")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("provisional (drafted, not yet the official notice): 2031"));
    std::fs::remove_dir_all(folder).expect("clean up");

    for year in ["1999", "2101"] {
        let output = hoso(&["calendar", "draft", year]);
        assert_eq!(output.status.code(), Some(2), "{year}");
        assert!(
            stderr(&output).contains(&format!(
                "cannot draft {year}: drafts cover the years 2000 to 2100"
            )),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn two_files_for_one_year_and_a_malformed_provisional_are_located() {
    let folder = std::env::temp_dir().join(format!("hoso-test-two-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("folder");
    let shipped = std::fs::read_to_string(crate::repo().join("fixtures/calendars/2027.toml"))
        .expect("the shipped 2027");
    std::fs::write(folder.join("2027.toml"), &shipped).expect("write");
    std::fs::write(
        folder.join("2027-official.toml"),
        shipped.replace("provisional = true\n", ""),
    )
    .expect("write");
    let output = hoso(&["calendar", "check", folder.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("2027.toml:12:1: year 2027 is already covered by"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(folder.join("2027-official.toml")).expect("remove");
    std::fs::write(
        folder.join("2027.toml"),
        shipped.replace("provisional = true", "provisional = \"yes\""),
    )
    .expect("write");
    let output = hoso(&["calendar", "check", folder.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("2027.toml:13:15: `provisional` must be true or false"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(folder).expect("clean up");
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
        "2027-12-28T10:00:00+07:00",
        "--working-days",
        "5",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no calendar for 2028"),
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
