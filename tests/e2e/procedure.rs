//! `hoso procedure validate | graph | schema` on the real catalogue and on broken files.

use crate::{hoso, repo, stderr, stdout, toml_files};

#[test]
fn every_catalogue_procedure_validates_with_one_line_each() {
    let output = hoso(&["procedure", "validate", "procedures/"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = toml_files("procedures");
    assert!(
        files.len() >= 6,
        "the catalogue has the six procedures of issue 2"
    );
    let text = stdout(&output);
    for file in &files {
        let name = file
            .file_name()
            .and_then(|name| name.to_str())
            .expect("utf-8 name");
        assert!(
            text.lines()
                .any(|line| line.starts_with("ok ") && line.contains(name)),
            "no ok line for {name}:\n{text}"
        );
    }
}

/// Each broken file states, in `# expect:` lines at its top, exactly the diagnostics the
/// validator must print for it — no more, no fewer, each at its `line:column`.
#[test]
fn every_broken_procedure_fails_with_exactly_its_expected_located_messages() {
    let files = toml_files("tests/fixtures/bad-procedures");
    assert!(files.len() >= 17, "one broken file per validator rule");
    for file in files {
        let relative = file
            .strip_prefix(repo())
            .expect("under the repository")
            .display()
            .to_string();
        let text = std::fs::read_to_string(&file).expect("fixture readable");
        let expected: Vec<String> = text
            .lines()
            .filter_map(|line| line.strip_prefix("# expect: "))
            .map(|diagnostic| format!("{relative}:{diagnostic}"))
            .collect();
        assert!(!expected.is_empty(), "{relative} states no expectation");

        let output = hoso(&["procedure", "validate", &relative]);
        assert_eq!(output.status.code(), Some(1), "{relative} must be refused");
        let errors = stderr(&output);
        let printed: Vec<&str> = errors
            .lines()
            .filter(|line| line.starts_with(&format!("{relative}:")))
            .collect();
        assert_eq!(printed, expected, "diagnostics of {relative}");
        assert!(stdout(&output).is_empty(), "{relative} printed an ok line");
    }
}

#[test]
fn a_folder_with_good_and_bad_files_reports_every_bad_file_and_fails() {
    let output = hoso(&[
        "procedure",
        "validate",
        "procedures/1.001193-dang-ky-khai-sinh.toml",
        "tests/fixtures/bad-procedures/unknown-key.toml",
        "tests/fixtures/bad-procedures/undeclared-role.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output).lines().count(),
        1,
        "one ok line for the good file"
    );
    let errors = stderr(&output);
    assert!(errors.contains("unknown key `alloted`"), "{errors}");
    assert!(
        errors.contains("role `lanh_dao` is not declared"),
        "{errors}"
    );
    assert!(errors.contains("2 problems in 2 of 3 files"), "{errors}");
}

#[test]
fn two_files_with_the_same_code_and_version_are_refused() {
    let folder = tempfile_folder("duplicate-version");
    let source = repo().join("procedures/1.001193-dang-ky-khai-sinh.toml");
    std::fs::copy(&source, folder.join("a.toml")).expect("copy");
    std::fs::copy(&source, folder.join("b.toml")).expect("copy");
    let output = hoso(&[
        "procedure",
        "validate",
        folder.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(
        errors.contains("procedure 1.001193 version 2 is already defined in"),
        "{errors}"
    );
    std::fs::remove_dir_all(folder).expect("clean up");
}

#[test]
fn missing_paths_and_empty_folders_are_clear_errors_not_panics() {
    let output = hoso(&["procedure", "validate", "no/such/folder"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read no/such/folder"),
        "{}",
        stderr(&output)
    );

    let folder = tempfile_folder("empty");
    let output = hoso(&[
        "procedure",
        "validate",
        folder.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no procedure files"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(folder).expect("clean up");
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_its_offset() {
    let folder = tempfile_folder("latin1");
    let file = folder.join("latin1.toml");
    std::fs::write(&file, b"name = \"\xd0\xe3ng k\xfd\"\n").expect("write");
    let output = hoso(&["procedure", "validate", file.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("not UTF-8 (bad byte at offset 8)"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_dir_all(folder).expect("clean up");
}

#[test]
fn graphs_show_every_step_and_who_may_take_each_action() {
    let file = "procedures/3.000333-cap-phieu-ly-lich-tu-phap.toml";
    let mermaid = stdout(&hoso(&["procedure", "graph", file, "--format", "mermaid"]));
    assert!(mermaid.starts_with("flowchart TD"), "{mermaid}");
    for step in ["tiep_nhan", "tra_cuu", "xac_minh", "ky", "tra_ket_qua"] {
        assert!(
            mermaid.contains(&format!("    {step}[")),
            "step {step} in {mermaid}"
        );
    }
    assert!(
        mermaid.contains("tra_cuu -->|\"Cần xác minh (đương nhiên xóa án tích)<br/><i>Cán bộ lý lịch tư pháp</i><br/>⏱ thời hạn 15 ngày\"| xac_minh"),
        "{mermaid}"
    );
    // Feedback's windows and its transfer are drawn too.
    let feedback = stdout(&hoso(&[
        "procedure",
        "graph",
        "procedures/PAKN.1-phan-anh-kien-nghi.toml",
    ]));
    for expected in [
        "received -->|\"⏱ Tiếp nhận hoặc từ chối tiếp nhận trong 02 ngày làm việc (2 ngày làm việc kể từ khi nộp)",
        "⏱ Công khai văn bản trả lời trong 02 ngày làm việc (2 ngày làm việc kể từ khi có quyết định)",
        "outcome_transferred((\"Chuyển cơ quan có thẩm quyền\"))",
        "phan_loai -->|\"Chuyển cơ quan có thẩm quyền<br/><i>Chuyên viên tiếp nhận phản ánh, kiến nghị</i>\"| outcome_transferred",
    ] {
        assert!(feedback.contains(expected), "{expected} in {feedback}");
    }
    assert!(mermaid.contains("outcome_approved"), "{mermaid}");

    let dot = stdout(&hoso(&["procedure", "graph", file, "--format", "dot"]));
    assert!(dot.starts_with("digraph \"3.000333\" {"), "{dot}");
    assert!(
        dot.contains("tra_cuu -> xac_minh [label=\"Cần xác minh"),
        "{dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn graph_of_a_broken_file_prints_its_problems_and_fails() {
    let output = hoso(&[
        "procedure",
        "graph",
        "tests/fixtures/bad-procedures/unreachable-step.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("cannot be reached"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_committed_json_schema_is_what_hoso_generates() {
    let output = hoso(&["procedure", "schema"]);
    assert!(output.status.success());
    let committed = std::fs::read_to_string(repo().join("procedures/procedure.schema.json"))
        .expect("procedures/procedure.schema.json is committed");
    let generated = stdout(&output);
    if let Some((line, (now, then))) = generated
        .lines()
        .zip(committed.lines())
        .enumerate()
        .find(|(_, (now, then))| now != then)
    {
        panic!(
            "procedures/procedure.schema.json is stale from line {}: generated {now:?}, committed {then:?}; regenerate with: cargo run -- procedure schema > procedures/procedure.schema.json",
            line + 1
        );
    }
    assert_eq!(
        generated.lines().count(),
        committed.lines().count(),
        "procedures/procedure.schema.json is stale; regenerate with: cargo run -- procedure schema > procedures/procedure.schema.json"
    );
}

#[test]
fn the_committed_procedure_pages_are_what_hoso_writes() {
    for file in toml_files("procedures") {
        let stem = file
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("name");
        let page = repo().join(format!("docs/procedures/{stem}.md"));
        let committed = std::fs::read_to_string(&page)
            .unwrap_or_else(|_| panic!("docs/procedures/{stem}.md is missing"));
        let relative = format!("procedures/{stem}.toml");
        let written = stdout(&hoso(&["procedure", "doc", &relative]));
        let drawn = stdout(&hoso(&["procedure", "graph", &relative]));
        assert!(written.contains(&drawn), "the page embeds the diagram");
        assert!(
            committed == written,
            "docs/procedures/{stem}.md is stale: regenerate with scripts/write-procedure-pages"
        );
    }
}

fn tempfile_folder(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("hoso-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("temporary folder");
    folder
}

#[test]
fn every_retention_class_is_checked_against_the_schedule() {
    let output = hoso(&[
        "procedure",
        "validate",
        "procedures/",
        "--retention",
        "fixtures/retention.toml",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let folder = tempfile_folder("retention-schedule");
    let schedule = folder.join("retention.toml");
    std::fs::write(
        &schedule,
        "[classes.civil_status_register]\ndescription = \"Hộ tịch\"\npermanent = true\n",
    )
    .expect("schedule");
    let output = hoso(&[
        "procedure",
        "validate",
        "procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml",
        "--retention",
        schedule.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(
        errors.contains("procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml:15:13: retention class `civil_status_copy` is not defined in the retention schedule")
            && errors.contains("use one of civil_status_register, or add [classes.civil_status_copy] to the schedule"),
        "{errors}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}
