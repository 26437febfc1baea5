//! The curl examples of docs/api.md run, in order, against a real server.

use crate::server::{Backend, Server};

#[test]
fn the_curl_examples_in_docs_api_md_work() {
    let Some(server) = Server::start(Backend::Sqlite, "docs", &[]) else {
        return;
    };
    let doc = std::fs::read_to_string(crate::repo().join("docs/api.md")).expect("docs/api.md");
    let mut script = String::from("set -euo pipefail\n");
    let mut in_block = false;
    let mut blocks = 0;
    for line in doc.lines() {
        match (in_block, line.trim_start()) {
            (false, "```sh") => {
                in_block = true;
                blocks += 1;
            }
            (true, "```") => in_block = false,
            (true, _) => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    assert!(blocks >= 6, "examples for every role");
    let output = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(crate::repo())
        .env("HOSO", &server.base)
        .env("CITIZEN_TOKEN", server.citizen("001090000001"))
        .env("DESK_TOKEN", server.officer("mot_cua"))
        .env("CIVIL_TOKEN", server.officer("tu_phap"))
        .env("CHAIR_TOKEN", server.officer("chu_tich"))
        .env("DESIGNER_TOKEN", server.user("designer", &[]))
        .env("AUDITOR_TOKEN", server.user("auditor", &[]))
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the examples failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for expected in [
        "\"status\":\"result_returned\"",
        "\"code\":\"2.000635\",\"version\":4",
        "hoso_http_requests_total",
        "\"migrations\":\"current\"",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected} in:\n{stdout}"
        );
    }
}
