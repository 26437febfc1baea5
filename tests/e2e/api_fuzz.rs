//! The API document is exact: Schemathesis, a property-based fuzzer, generates requests from
//! `/openapi.json` (valid and invalid, with every check on and the document's links followed
//! from a submission to its actions and timeline) and fails on any answer the document does not
//! declare: a status, a content type, a body shape, a valid request refused or an invalid one
//! accepted. It runs as each kind of caller.

use std::process::Command;

use crate::server::{Backend, Server};

/// The pinned Schemathesis (`.ci/run` installs it from PyPI).
const SCHEMATHESIS: &str = "schemathesis==4.32.5";

#[test]
fn the_fuzzer_finds_no_answer_the_api_document_does_not_declare() {
    let available = Command::new("st")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !available {
        hoso_adapters::testing::skip(
            "Schemathesis, the API fuzzer",
            &format!("python3 -m pip install {SCHEMATHESIS}"),
        );
        return;
    }
    // Rate limits off: the fuzzer's burst is not what is tested here.
    let Some(server) = Server::start(
        Backend::Sqlite,
        "fuzz",
        &["--rate-limit", "1000000", "--rate-burst", "1000000"],
    ) else {
        return;
    };
    let citizen = server.citizen("001090000001");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (status, dossier) = runtime.block_on(crate::api::submit_multipart(
        &server,
        &citizen,
        "fuzz-seed",
        &crate::birth_submission("001090000001"),
        &[],
    ));
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    let roles = [
        ("anonymous", None),
        ("citizen", Some(citizen)),
        ("officer", Some(server.officer("mot_cua"))),
        ("auditor", Some(server.user("auditor", &[]))),
        ("designer", Some(server.user("designer", &[]))),
    ];
    let config = crate::repo().join("tests/fuzz/schemathesis.toml");
    let mut failed = Vec::new();
    for (role, token) in roles {
        let mut command = Command::new("st");
        command
            .arg("--config-file")
            .arg(&config)
            .args(["run", &server.url("/openapi.json")])
            .args(["--checks", "all", "--workers", "1", "--no-color"])
            .args(["--seed", "20261207"])
            .env("HOSO_FUZZ_DOSSIER", &code)
            // Its cache stays out of the repository.
            .current_dir(std::env::temp_dir())
            .env("NO_COLOR", "1");
        if let Some(token) = &token {
            command.args(["-H", &format!("Authorization: Bearer {token}")]);
        }
        let output = command.output().expect("st runs");
        let report = String::from_utf8_lossy(&output.stdout);
        let summary = report
            .lines()
            .rev()
            .find(|line| line.contains(" in ") && line.starts_with('='))
            .unwrap_or_default()
            .to_owned();
        let phases: Vec<&str> = report
            .lines()
            .skip_while(|line| !line.starts_with("Test Phases"))
            .take(6)
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect();
        eprintln!("fuzzed as {role}: {summary} ({})", phases.join(", "));
        if !output.status.success() {
            failed.push(format!(
                "as {role}:\n{report}\n{}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}
