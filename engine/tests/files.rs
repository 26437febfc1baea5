//! The repository's procedure files through the engine alone: every broken fixture gives exactly
//! the diagnostics its `# expect:` lines state, every catalogue page is what `render_page`
//! writes, and feedback's windows come out of `simulate` on the calendar. (The e2e suite runs the
//! same files through the `hoso` binary; these keep the engine's own tests able to catch a wrong
//! rule.)

use std::path::{Path, PathBuf};

use hoso_engine::clock::Calendars;
use hoso_engine::messages::Lang;
use hoso_engine::procedure::{ChannelKind, Procedure, render_page, simulate};
use hoso_engine::retention::RetentionSchedule;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn toml_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(folder))
        .expect("folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    files
}

fn schedule() -> RetentionSchedule {
    let text = std::fs::read_to_string(repo().join("fixtures/retention.toml")).expect("schedule");
    RetentionSchedule::load("fixtures/retention.toml", &text).expect("the shipped schedule loads")
}

#[test]
fn every_broken_fixture_gives_exactly_its_expected_diagnostics() {
    let schedule = schedule();
    let files = toml_files("tests/fixtures/bad-procedures");
    assert!(files.len() >= 40, "one broken file per rule");
    for file in files {
        let name = format!(
            "tests/fixtures/bad-procedures/{}",
            file.file_name()
                .and_then(|name| name.to_str())
                .expect("name")
        );
        let text = std::fs::read_to_string(&file).expect("readable");
        let expected: Vec<String> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# expect: "))
            .map(|diagnostic| format!("{name}:{diagnostic}"))
            .collect();
        let expected_vietnamese: Vec<&str> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# vi: "))
            .collect();
        let diagnostics = match Procedure::load_with(&name, &text, Some(&schedule)) {
            Ok(_) => Vec::new(),
            Err(error) => error.diagnostics,
        };
        let printed: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(printed, expected, "diagnostics of {name}");
        // The designer page and the API say the same in Vietnamese, from the same catalogue.
        let vietnamese: Vec<String> = diagnostics
            .iter()
            .map(|diagnostic| {
                format!(
                    "{}:{}: {} — {}",
                    diagnostic.line,
                    diagnostic.column,
                    diagnostic.message(Lang::Vi),
                    diagnostic.fix(Lang::Vi)
                )
            })
            .collect();
        assert_eq!(
            vietnamese, expected_vietnamese,
            "Vietnamese diagnostics of {name}"
        );
    }
}

#[test]
fn every_catalogue_page_is_what_render_page_writes() {
    let schedule = schedule();
    for file in toml_files("procedures") {
        let text = std::fs::read_to_string(&file).expect("readable");
        let procedure = Procedure::load_with("catalogue.toml", &text, Some(&schedule))
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        let stem = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("stem");
        let page = std::fs::read_to_string(repo().join(format!("docs/procedures/{stem}.md")))
            .expect("a committed page");
        assert_eq!(render_page(&procedure), page, "docs/procedures/{stem}.md");
    }
}

#[test]
fn feedback_windows_and_a_restarted_limit_are_simulated_on_the_calendar() {
    let calendars = Calendars::load(&[(
        "2026.toml".to_owned(),
        std::fs::read_to_string(repo().join("fixtures/calendars/2026.toml")).expect("calendar"),
    )])
    .expect("the 2026 calendar loads");
    let text = std::fs::read_to_string(repo().join("procedures/PAKN.1-phan-anh-kien-nghi.toml"))
        .expect("feedback");
    let procedure = Procedure::load("PAKN.1.toml", &text).expect("loads");
    let received = chrono::DateTime::parse_from_rfc3339("2026-02-11T10:00:00+07:00").unwrap();
    let paths = simulate(&procedure, &calendars, ChannelKind::Online, received).unwrap();
    let answered = &paths[0];
    assert_eq!(
        answered.actions,
        ["chuyen_xu_ly", "trinh_ky", "ban_hanh_tra_loi"]
    );
    let windows: Vec<(&str, String)> = answered
        .windows
        .iter()
        .map(|window| (window.window.as_str(), window.closes_at.to_rfc3339()))
        .collect();
    // Tết 2026 (14–22 February) falls inside the five working days for a supplement request.
    assert_eq!(
        windows,
        [
            (
                "quyet_dinh_tiep_nhan",
                "2026-02-13T17:00:00+07:00".to_owned()
            ),
            ("yeu_cau_bo_sung", "2026-02-25T17:00:00+07:00".to_owned()),
            ("cong_khai_tra_loi", "2026-03-12T17:00:00+07:00".to_owned()),
        ]
    );
    assert_eq!(
        answered.appointment.to_rfc3339(),
        "2026-03-11T17:00:00+07:00"
    );
    // Transferred when the first step's day ends (12/2): published by 13/2 and 23/2, after Tết.
    let transferred = &paths[1];
    assert_eq!(transferred.actions, ["chuyen_tham_quyen"]);
    assert_eq!(
        transferred
            .windows
            .last()
            .map(|window| (window.window.as_str(), window.closes_at.to_rfc3339())),
        Some(("cong_khai_tra_loi", "2026-02-23T17:00:00+07:00".to_owned()))
    );
    // A limit started at the forwarding action counts from when the first step's time ends.
    let restarted = text.replace(
        "to = \"xu_ly\"\nroles = [\"tiep_nhan_pakn\"]",
        "to = \"xu_ly\"\nroles = [\"tiep_nhan_pakn\"]\nstarts_time_limit = { working_days = 2 }",
    )
    .replace("allotted = { working_days = 11 }", "allotted = { working_hours = 4 }")
    .replace(
        "allotted = { working_days = 2 }\n\n[[actions]]",
        "allotted = { working_hours = 2 }\n\n[[actions]]",
    );
    let procedure = Procedure::load("PAKN.1.toml", &restarted).expect("loads");
    let paths = simulate(&procedure, &calendars, ChannelKind::Online, received).unwrap();
    // The first step ends 17:00 12/2, after the cut-off, so as from 13/2: 23/2 and 24/2.
    assert_eq!(
        paths[0].time_limit,
        hoso_engine::procedure::TimeLimit::WorkingDays(2)
    );
    assert_eq!(
        paths[0].appointment.to_rfc3339(),
        "2026-02-24T17:00:00+07:00"
    );
}

#[test]
fn two_loops_into_one_step_are_each_followed_once_and_a_step_visited_at_most_twice() {
    let text = std::fs::read_to_string(repo().join("procedures/1.001193-dang-ky-khai-sinh.toml"))
        .expect("birth");
    // A second way back from signing to appraisal.
    let text = format!(
        "{text}\n[[actions]]\nid = \"tra_lai_bo_sung\"\nname = \"Trả lại để bổ sung thẩm định\"\nfrom = \"ky_duyet\"\nto = \"tham_dinh\"\nroles = [\"chu_tich\"]\n"
    );
    let procedure = Procedure::load("1.001193.toml", &text).expect("loads");
    let calendars = Calendars::load(&[(
        "2026.toml".to_owned(),
        std::fs::read_to_string(repo().join("fixtures/calendars/2026.toml")).expect("calendar"),
    )])
    .expect("calendar");
    let received = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+07:00").unwrap();
    let paths = simulate(&procedure, &calendars, ChannelKind::Online, received).unwrap();
    let walks: Vec<String> = paths.iter().map(|path| path.actions.join(" ")).collect();
    // Without loops: approve or refuse. With one loop (either way back): approve or refuse again
    // from appraisal. Never both loops: appraisal would be visited a third time.
    assert_eq!(
        walks,
        [
            "chuyen_tham_dinh trinh_ky phe_duyet",
            "chuyen_tham_dinh tu_choi",
            "chuyen_tham_dinh trinh_ky tra_lai_tham_dinh trinh_ky phe_duyet",
            "chuyen_tham_dinh trinh_ky tra_lai_tham_dinh tu_choi",
            "chuyen_tham_dinh trinh_ky tra_lai_bo_sung trinh_ky phe_duyet",
            "chuyen_tham_dinh trinh_ky tra_lai_bo_sung tu_choi",
        ]
    );
    assert!(paths.iter().all(|path| {
        path.steps
            .iter()
            .filter(|step| step.step == "tham_dinh")
            .count()
            <= 2
    }));
}

#[test]
fn the_page_lists_deadlines_whenever_the_file_has_any() {
    let text = std::fs::read_to_string(repo().join("procedures/1.001193-dang-ky-khai-sinh.toml"))
        .expect("birth");
    let page = |text: &str| render_page(&Procedure::load("1.001193.toml", text).expect("loads"));
    assert!(!page(&text).contains("## Deadlines and windows"));
    let with_clock = |line: &str| text.replace("[clock]\n", &format!("[clock]\n{line}\n"));
    assert!(
        text.contains("[clock]\n"),
        "the birth file has a [clock] table"
    );
    let apology = page(&with_clock("apology_up_to = { working_days = 1 }"));
    assert!(apology.contains("| Xin lỗi và hẹn lại (Form 04), once | apologize_and_extend | the appointment | 1 working day | — |"), "{apology}");
    let extension = page(&with_clock("extension = { up_to = { working_days = 2 } }"));
    assert!(extension.contains("| Gia hạn (lawful extension), at most 1 time(s) | extend_time_limit | the appointment | 2 working days | — |"), "{extension}");
    let restart = page(&text.replace(
        "to = \"tham_dinh\"\nroles = [\"mot_cua\"]",
        "to = \"tham_dinh\"\nroles = [\"mot_cua\"]\nstarts_time_limit = { working_hours = 6 }",
    ));
    assert!(restart.contains("| The time limit starts afresh: Chuyển thẩm định | chuyen_tham_dinh | the action | 6 working hours | the appointment |"), "{restart}");
}

#[test]
fn comparisons_outside_a_fields_range_or_list_are_refused_and_those_inside_pass() {
    let text = std::fs::read_to_string(repo().join("procedures/1.004194-dang-ky-tam-tru.toml"))
        .expect("temporary residence");
    let anchor = "to = \"tham_dinh\"\nroles = [\"can_bo_tiep_nhan\"]";
    assert!(text.contains(anchor));
    let refused = |guard: &str| {
        let with_guard = text.replace(anchor, &format!("{anchor}\nguard = '{guard}'"));
        match Procedure::load("1.004194.toml", &with_guard) {
            Ok(_) => false,
            Err(error) => {
                assert_eq!(error.diagnostics.len(), 1, "{guard}: {error}");
                true
            }
        }
    };
    // so_nguoi allows 1 to 500.
    for (guard, impossible) in [
        ("so_nguoi == 0", true),
        ("so_nguoi == 501", true),
        ("so_nguoi == 1", false),
        ("so_nguoi == 500", false),
        ("so_nguoi > 500", true),
        ("so_nguoi > 499", false),
        ("so_nguoi >= 501", true),
        ("so_nguoi >= 500", false),
        ("so_nguoi < 1", true),
        ("so_nguoi < 2", false),
        ("so_nguoi <= 0", true),
        ("so_nguoi <= 1", false),
        ("so_nguoi != 0", false),
        ("501 > so_nguoi", false),
        ("0 >= so_nguoi", true),
        ("channel == \"postal\"", true),
        ("channel == \"direct\"", false),
        ("dia_chi_tam_tru == \"postal\"", false),
    ] {
        assert_eq!(refused(guard), impossible, "{guard}");
    }
}

/// A version stored before choices had labels still loads from the store (boot reloads every
/// stored version), while a new file with the same coded choices is asked to name them.
#[test]
fn a_stored_version_with_unlabelled_coded_choices_still_loads() {
    let text = std::fs::read_to_string(repo().join("procedures/PAKN.1-phan-anh-kien-nghi.toml"))
        .expect("the feedback procedure");
    let unlabelled: String = text
        .lines()
        .filter(|line| !line.starts_with("choice_labels"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_ne!(unlabelled, text, "the file names its choices");
    let definition: hoso_engine::procedure::ProcedureDefinition =
        toml::from_str(&unlabelled).expect("a definition");
    assert!(Procedure::from_stored(definition).is_ok());
    let refused = Procedure::load("PAKN.1.toml", &unlabelled).expect_err("a new file");
    assert!(
        refused.diagnostics.iter().any(|diagnostic| diagnostic
            .to_string()
            .contains("are codes that applicants would read")),
        "{refused:?}"
    );
}
