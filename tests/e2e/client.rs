//! A client generated from the live `/openapi.json` by a standard generator (openapi-typescript)
//! type-checks (tsc, strict) and walks docs/api.md's citizen-and-officer path with openapi-fetch:
//! submit, a stale version refused, receive, the procedure's actions, the result returned.

use std::path::Path;
use std::process::{Command, Output};

use crate::server::{Backend, Server};

fn npx(directory: &Path, args: &[&str]) -> Output {
    Command::new("npx")
        .arg("--no-install")
        .args(args)
        .current_dir(directory)
        .output()
        .expect("npx runs")
}

fn succeeded(what: &str, output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn a_client_generated_from_the_document_walks_the_citizen_and_officer_path() {
    let client = crate::repo().join("tests/client");
    if !client.join("node_modules/.bin/openapi-typescript").exists() {
        hoso_adapters::testing::skip(
            "openapi-typescript and openapi-fetch (npm)",
            "npm ci --prefix tests/client",
        );
        return;
    }
    let Some(server) = Server::start(Backend::Sqlite, "client", &[]) else {
        return;
    };
    let generated = client.join("generated");
    std::fs::create_dir_all(&generated).expect("tests/client/generated");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let document = runtime
        .block_on(async {
            server
                .http
                .get(server.url("/openapi.json"))
                .send()
                .await?
                .text()
                .await
        })
        .expect("the document");
    std::fs::write(generated.join("openapi.json"), document).expect("written");
    succeeded(
        "openapi-typescript",
        &npx(
            &client,
            &[
                "openapi-typescript",
                "generated/openapi.json",
                "-o",
                "generated/schema.d.ts",
            ],
        ),
    );
    succeeded(
        "tsc (the walk type-checks against the generated types)",
        &npx(&client, &["tsc", "-p", "."]),
    );
    let walk = Command::new("node")
        .arg("generated/js/walk.js")
        .current_dir(&client)
        .env("HOSO", &server.base)
        .env("CITIZEN_TOKEN", server.citizen("001090000001"))
        .env("DESK_TOKEN", server.officer("mot_cua"))
        .env("CIVIL_TOKEN", server.officer("tu_phap"))
        .env("CHAIR_TOKEN", server.officer("chu_tich"))
        .output()
        .expect("node runs");
    let said = succeeded("the walk", &walk);
    for expected in [
        "stale version refused: Chưa thực hiện được",
        "received after",
        "status result_returned",
    ] {
        assert!(said.contains(expected), "missing {expected:?} in:\n{said}");
    }
}
