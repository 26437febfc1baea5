//! `hoso calendar check | due | draft` on the shipped calendars.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::api::{act, call, submit_multipart};
use crate::server::{Backend, Server};
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
    // Office hours come from the year before's file, when the folder has one.
    assert!(
        text.contains("hoso's defaults (no file for the year before)"),
        "{text}"
    );
    let output = hoso(&["calendar", "draft", "2027"]);
    assert!(
        stdout(&output).contains("taken from the 2026 file"),
        "{}",
        stdout(&output)
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

/// This year and the next as provisional drafts, whatever day the test runs on: a dossier received
/// now has a provisional appointment.
pub(crate) fn draft_folder(name: &str) -> (std::path::PathBuf, i32) {
    let year = chrono::Utc::now()
        .with_timezone(&hoso_engine::clock::vietnam())
        .year();
    let folder = std::env::temp_dir().join(format!("hoso-test-{name}-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("folder");
    for year in [year, year + 1] {
        let output = hoso(&[
            "calendar",
            "draft",
            &year.to_string(),
            "--calendar",
            "/nonexistent",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        std::fs::write(folder.join(format!("{year}.toml")), stdout(&output)).expect("write");
    }
    (folder, year)
}

/// The official notice for `year`: the draft, confirmed, with `day` off as well.
fn official_with_day_off(folder: &std::path::Path, year: i32, day: chrono::NaiveDate) -> String {
    let draft = std::fs::read_to_string(folder.join(format!("{year}.toml"))).expect("draft");
    assert!(draft.contains("provisional = true\n"));
    draft.replace("provisional = true\n", "").replace(
        "holidays = [\n",
        &format!(
            "holidays = [\n  {{ date = \"{day}\", name = \"Nghỉ theo thông báo chính thức\" }},\n"
        ),
    )
}

fn local_date(value: &Value) -> chrono::NaiveDate {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("an instant"))
        .expect("RFC 3339")
        .with_timezone(&hoso_engine::clock::vietnam())
        .date_naive()
}

/// A dossier as `token` reads it.
async fn read(server: &Server, token: &str, code: &str) -> Value {
    call(
        server,
        "GET",
        &format!("/api/v1/dossiers/{code}"),
        Some(token),
        None,
    )
    .await
    .1
}

/// The dossier's `deadlines_recomputed` events, oldest first.
async fn recomputes(server: &Server, token: &str, code: &str) -> Vec<Value> {
    let (_, timeline) = call(
        server,
        "GET",
        &format!("/api/v1/dossiers/{code}/timeline"),
        Some(token),
        None,
    )
    .await;
    timeline
        .as_array()
        .expect("events")
        .iter()
        .filter(|event| event["kind"] == "deadlines_recomputed")
        .cloned()
        .collect()
}

async fn days_left(server: &Server) -> i64 {
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("hoso_calendar_days_left "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no hoso_calendar_days_left in {metrics}"))
}

/// Received on a provisional year, a dossier's appointment says so (API, Form 01); publishing the
/// official year that takes the appointment day off moves it through an audited recompute, with
/// an event and a notice; a later correction is applied at start-up; a draft put back over the
/// official year stops the start.
async fn an_official_year_replaces_a_draft(backend: Backend) {
    let (folder, year) = draft_folder("publish");
    let folder_arg = folder.to_str().expect("utf-8").to_owned();
    let Some(mut server) = Server::start(
        backend,
        "calendar-publish",
        &["--calendars", &folder_arg, "--calendar-check-interval", "1"],
    ) else {
        return;
    };
    assert_eq!(days_left(&server).await, -1, "this year is only a draft");
    let citizen = server.citizen("001090000001");
    let desk = server.officer("mot_cua");
    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "calendar-publish-1",
        &crate::birth_submission("001090000001"),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    let (status, received) = act(&server, &desk, &code, "receive", json!({})).await;
    assert_eq!(status, 200, "{received}");
    assert_eq!(received["appointment_provisional"], true, "{received}");
    let before = received["appointment"].clone();
    let appointment_day = local_date(&before);
    let (status, form) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}/forms/01"),
        Some(&citizen),
        None,
    )
    .await;
    assert_eq!(status, 200, "{form}");
    assert!(form.to_string().contains("(ngày hẹn tạm tính)"), "{form}");

    // The official notice takes the appointment day off.
    let notice = folder.join("official.toml.txt");
    let official_year = appointment_day.year();
    std::fs::write(
        &notice,
        official_with_day_off(&folder, official_year, appointment_day),
    )
    .expect("write");
    let output = hoso(&[
        "calendar",
        "publish",
        notice.to_str().expect("utf-8"),
        "--db",
        &server.database.url,
        "--calendars",
        &folder_arg,
    ]);
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stdout(&output).contains(&format!("{official_year}: official calendar written to")),
        "{}",
        stdout(&output)
    );
    // The running server may read the new file first and recompute before the command does:
    // either way the dossier is recomputed once (the command id names dossier and version).
    assert!(
        stdout(&output).contains("open dossiers looked at"),
        "{}",
        stdout(&output)
    );
    let written = std::fs::read_to_string(folder.join(format!("{official_year}.toml")))
        .expect("the folder's file");
    assert!(!written.contains("\nprovisional = true"), "{written}");

    let after = read(&server, &citizen, &code).await;
    assert!(
        local_date(&after["appointment"]) > appointment_day,
        "{before} → {after}"
    );
    let recomputed = recomputes(&server, &desk, &code).await;
    assert_eq!(recomputed.len(), 1, "{recomputed:#?}");
    let event = &recomputed[0];
    // The event keeps the instant it was hashed with (UTC); the view writes it in Vietnam time.
    assert_eq!(instant(&event["payload"]["previous"]), instant(&before));
    assert_eq!(
        instant(&event["payload"]["appointment"]),
        instant(&after["appointment"])
    );
    assert_eq!(event["actor_kind"], "system");
    assert!(
        event["description"]
            .as_str()
            .is_some_and(|text| text.contains(&format!(
                "Thời hạn được tính lại theo lịch nghỉ lễ chính thức năm {official_year} (thay cho lịch tạm tính)"
            ))),
        "{event}"
    );
    let seq = event["seq"].as_u64().expect("seq");
    let listed = stdout(&hoso(&["outbox", "list", "--db", &server.database.url]));
    assert!(listed.contains(&format!("{code}:{seq}:email")), "{listed}");

    // The running server reads the folder again within a second or two.
    if official_year == year {
        let left = crate::eventually_async(|| days_left(&server), |left| *left >= 0).await;
        assert!(left >= 0, "the server now has an official {year}: {left}");
        let now = read(&server, &citizen, &code).await;
        assert_eq!(
            now["appointment_provisional"],
            local_date(&now["appointment"]).year() != official_year,
            "{now}"
        );
    }

    // A correction while the server is down is applied when it starts.
    server.kill();
    let moved_to = local_date(&after["appointment"]);
    let corrected = written.replace(
        "holidays = [\n",
        &format!("holidays = [\n  {{ date = \"{moved_to}\", name = \"Nghỉ bù theo thông báo sửa đổi\" }},\n"),
    );
    std::fs::write(folder.join(format!("{official_year}.toml")), corrected).expect("write");
    server.kill_and_restart();
    let corrected = read(&server, &citizen, &code).await;
    assert!(
        local_date(&corrected["appointment"]) > moved_to,
        "{corrected}"
    );
    let descriptions: Vec<String> = recomputes(&server, &desk, &code)
        .await
        .iter()
        .map(|event| event["description"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(descriptions.len(), 2, "{descriptions:#?}");
    assert!(
        descriptions[1].contains(&format!(
            "lịch nghỉ lễ năm {official_year} đã được điều chỉnh"
        )),
        "{descriptions:#?}"
    );

    // A draft put back over the official year is refused at start.
    server.kill();
    let output = hoso(&[
        "calendar",
        "draft",
        &official_year.to_string(),
        "--calendar",
        "/nonexistent",
    ]);
    std::fs::write(
        folder.join(format!("{official_year}.toml")),
        stdout(&output),
    )
    .expect("write");
    let refused = hoso(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--db",
        &server.database.url,
        "--calendars",
        &folder_arg,
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(&format!(
            "{official_year}.toml:10: the calendar for {official_year} is provisional, but an official {official_year} calendar was already in force"
        )),
        "{}",
        stderr(&refused)
    );
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_year_replaces_a_draft_on_sqlite() {
    an_official_year_replaces_a_draft(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_year_replaces_a_draft_on_postgres() {
    an_official_year_replaces_a_draft(Backend::Postgres).await;
}

#[test]
fn publish_refuses_a_draft_and_a_second_file_for_the_year() {
    let (folder, year) = draft_folder("publish-refusals");
    let database = crate::TestDatabase::sqlite("publish-refusals");
    let draft = folder.join(format!("{year}.toml"));
    let publish = |file: &std::path::Path| {
        hoso(&[
            "calendar",
            "publish",
            file.to_str().expect("utf-8"),
            "--db",
            &database.url,
            "--calendars",
            folder.to_str().expect("utf-8"),
        ])
    };
    let output = publish(&draft);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "the {year} file says `provisional = true`; publish takes the official notice"
        )),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(&draft).expect("draft");
    std::fs::write(folder.join("old-name.toml"), &text).expect("write");
    let official = folder.join("notice.txt");
    std::fs::write(&official, text.replace("provisional = true\n", "")).expect("write");
    let output = publish(&official);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "old-name.toml also covers {year}: rename it to {year}.toml or remove it"
        )),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&draft).expect("draft"),
        text,
        "nothing written"
    );
    let _ = std::fs::remove_dir_all(folder);
}

/// An RFC 3339 instant in a JSON answer, whatever offset it is written with.
fn instant(value: &serde_json::Value) -> Option<chrono::DateTime<chrono::Utc>> {
    value.as_str()?.parse().ok()
}
