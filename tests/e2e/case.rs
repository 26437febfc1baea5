//! `hoso init | demo | case | admin` against SQLite and PostgreSQL.

use crate::{TestDatabase, hoso, repo, stderr, stdout};

fn walk_the_main_job(database: &TestDatabase) {
    let output = hoso(&["init", "--db", &database.url]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("7 procedure versions (7 newly published)"),
        "{}",
        stdout(&output)
    );
    let again = hoso(&["init", "--db", &database.url]);
    assert!(
        stdout(&again).contains("(0 newly published)"),
        "init is repeatable: {}",
        stdout(&again)
    );

    let output = hoso(&["demo", "--db", &database.url]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "000.00.17.H21-260302-0001  1.001193",
        "status: Đã trả kết quả (result_returned, 10)",
        "status: Không được tiếp nhận (not_received, 3)",
        "status: Công dân yêu cầu rút hồ sơ (withdrawn, 7)",
        "Nộp bổ sung — hẹn trả mới 17:00 04/03/2026",
        "5 dossiers; every chain verified and every projection equals its replay.",
        "5. Liên thông khai sinh – thường trú – BHYT",
        "Vũ Đình Nam: Đăng ký thường trú xong, chuyển Bảo hiểm xã hội → bước Cấp thẻ bảo hiểm y tế",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }

    let output = hoso(&[
        "case",
        "show",
        "000.00.17.H21-260302-0002",
        "--db",
        &database.url,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("chain: 15 events, verified"),
        "{}",
        stdout(&output)
    );

    let output = hoso(&[
        "case",
        "list",
        "--status",
        "result_returned",
        "--db",
        &database.url,
    ]);
    assert!(
        stdout(&output).contains("3 dossiers"),
        "{}",
        stdout(&output)
    );
    let output = hoso(&[
        "case",
        "list",
        "--unit",
        "000.00.01.H21",
        "--db",
        &database.url,
    ]);
    assert!(
        stdout(&output).contains("1 dossier\n"),
        "{}",
        stdout(&output)
    );

    let output = hoso(&["admin", "rebuild", "--db", &database.url]);
    assert!(
        stdout(&output).contains("rebuilt 5 dossiers from their events: 0 projections differed"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_main_job_runs_on_sqlite() {
    walk_the_main_job(&TestDatabase::sqlite("main-job"));
}

#[test]
fn the_main_job_runs_on_postgres() {
    if let Some(database) = TestDatabase::postgres() {
        walk_the_main_job(&database);
    }
}

#[test]
fn the_demo_runs_on_a_fresh_temporary_database() {
    let output = hoso(&["demo"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("hoso demo on sqlite:///"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn case_commands_refuse_bad_input_clearly() {
    let database = TestDatabase::sqlite("bad-input");
    let output = hoso(&["case", "show", "not-a-code", "--db", &database.url]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not a dossier code"),
        "{}",
        stderr(&output)
    );
    let output = hoso(&[
        "case",
        "show",
        "000.00.17.H21-260302-0009",
        "--db",
        &database.url,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("no dossier 000.00.17.H21-260302-0009"),
        "{}",
        stderr(&output)
    );
    let output = hoso(&["case", "list", "--status", "done", "--db", &database.url]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown status `done`"),
        "{}",
        stderr(&output)
    );
    let output = hoso(&["init", "--db", "mysql://nope"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unsupported database URL"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_published_version_cannot_be_changed_by_editing_its_file() {
    let database = TestDatabase::sqlite("published");
    let folder = std::env::temp_dir().join(format!("hoso-e2e-procedures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("folder");
    let original =
        std::fs::read_to_string(repo().join("procedures/1.001193-dang-ky-khai-sinh.toml"))
            .expect("read");
    let file = folder.join("birth.toml");
    std::fs::write(&file, &original).expect("write");
    let folder_arg = folder.to_str().expect("utf-8");
    assert!(
        hoso(&["init", "--db", &database.url, "--procedures", folder_arg])
            .status
            .success()
    );

    std::fs::write(
        &file,
        original.replace(
            "allotted = { working_hours = 3 }",
            "allotted = { working_hours = 4 }",
        ),
    )
    .expect("write");
    let output = hoso(&["init", "--db", &database.url, "--procedures", folder_arg]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("procedure 1.001193 version 2 is already published with different content; published versions never change — give the changed file `version = 3`"),
        "{}",
        stderr(&output)
    );

    std::fs::write(
        &file,
        original
            .replace(
                "allotted = { working_hours = 3 }",
                "allotted = { working_hours = 4 }",
            )
            .replace("version = 2", "version = 3"),
    )
    .expect("write");
    let output = hoso(&["init", "--db", &database.url, "--procedures", folder_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("2 procedure versions (1 newly published)"),
        "version 2 is kept for pinned dossiers: {}",
        stdout(&output)
    );
    std::fs::remove_dir_all(folder).expect("clean up");
}

#[test]
fn timers_fired_from_the_cli_mark_overdue_dossiers_once() {
    let database = TestDatabase::sqlite("timers");
    assert!(hoso(&["demo", "--db", &database.url]).status.success());
    // Nothing the demo left open has a timer except... none: every demo dossier ended. Fire anyway.
    let output = hoso(&[
        "timers",
        "fire",
        "--at",
        "2026-03-20T09:00:00+07:00",
        "--db",
        &database.url,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("0 deadlines raised"),
        "{}",
        stdout(&output)
    );
    let output = hoso(&["timers", "fire", "--at", "soon", "--db", &database.url]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not an RFC 3339 instant"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn simulate_lists_every_path_with_its_dates() {
    let output = hoso(&[
        "procedure",
        "simulate",
        "procedures/3.000333-cap-phieu-ly-lich-tu-phap.toml",
        "--received-at",
        "2025-01-24T10:00:00+07:00",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    for expected in [
        "Path 1: approved (chuyen_tra_cuu → can_xac_minh → trinh_ky_sau_xac_minh → ky_phieu → phat_hanh)",
        "legal limit 15 ngày, appointment (ngày hẹn trả) 17:00 10/02/2025",
        "Path 2: approved (chuyen_tra_cuu → trinh_ky → ky_phieu → phat_hanh)",
        "legal limit 10 ngày, appointment (ngày hẹn trả) 17:00 03/02/2025",
        "tiep_nhan      Tiếp nhận hồ sơ",
        "arrives 10:00 24/01/2025  due 17:00 03/02/2025",
        "Path 3: refused (chuyen_tra_cuu → tu_choi)",
        "9 path(s) from receipt to a decision; a loop back to an earlier step is followed once",
        "allotted in all 7 working days against the legal limit of 10 calendar days\n",
        // Ten calendar days over Tết hold one working day: the designer sees it cannot fit.
        "the internal process ends 17:00 11/02/2025 — OVER the legal limit: the allotments do not fit",
        "Path 9: refused (chuyen_tra_cuu → trinh_ky → tra_lai → tu_choi)\n  loops once through: tra_lai",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let output = hoso(&[
        "procedure",
        "simulate",
        "procedures/1.000894-dang-ky-ket-hon.toml",
        "--received-at",
        "2025-01-24T10:00:00+07:00",
        "--channel",
        "postal",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the procedure has no postal channel"),
        "{}",
        stderr(&output)
    );
}

/// `hoso … | head`: when the reader closes the pipe early, hoso stops quietly, without a panic.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(["procedure", "schema"])
        .current_dir(crate::repo())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hoso starts");
    // Close the reading end before hoso writes its (larger than a pipe buffer) output.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("hoso ends");
    let errors = String::from_utf8_lossy(&output.stderr);
    assert!(!errors.contains("panicked"), "{errors}");
    assert_eq!(output.status.code(), Some(0), "{errors}");
}
