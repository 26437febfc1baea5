//! The operations runbook (docs/operations.md) run as written: every shell block after the one
//! that sets the places, in order, as one script, against an office holding the demo's
//! dossiers on SQLite, restoring into a new SQLite file and moving into PostgreSQL.

use std::process::Command;

use crate::{TestDatabase, hoso, repo, stderr, stdout};

/// The runbook's shell blocks, in order.
fn shell_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Dossiers in a database, as `hoso case list` counts them.
fn dossiers(url: &str) -> usize {
    let output = hoso(&["case", "list", "--db", url, "--limit", "500"]);
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
        .lines()
        .filter(|line| line.contains("000.00."))
        .count()
}

#[test]
fn the_runbook_backs_up_restores_and_moves_an_office_as_written() {
    let Some(postgres) = TestDatabase::postgres() else {
        return;
    };
    let office = TestDatabase::sqlite("runbook-office");
    let restored = TestDatabase::sqlite("runbook-restored");
    let folder = std::env::temp_dir().join(format!("hoso-runbook-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("folder");
    let demo = hoso(&["demo", "--db", &office.url]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let held = dossiers(&office.url);
    assert!(held > 0, "the demo left dossiers");

    let markdown = std::fs::read_to_string(repo().join("docs/operations.md")).expect("the runbook");
    let blocks = shell_blocks(&markdown);
    assert!(
        blocks[0].contains("export HOSO_DATABASE_URL="),
        "the first block sets the places"
    );
    assert!(blocks.len() >= 4, "places, back up, restore, move");
    let script = format!("set -euo pipefail\n{}", blocks[1..].join("\n"));
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_hoso"))
        .parent()
        .expect("the binary's folder")
        .to_owned();
    let path = format!(
        "{}:{}",
        binary.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(repo())
        .env("PATH", path)
        .env("HOSO_DATABASE_URL", &office.url)
        .env("HOSO_DATA_DIR", folder.join("data"))
        .env("HOSO_AUDIT_KEY", folder.join("audit.key"))
        .env("BACKUPS", folder.join("backups"))
        .env("RESTORED_DB", &restored.url)
        .env("RESTORED_DATA_DIR", folder.join("restored"))
        .env("POSTGRES_URL", &postgres.url)
        .env("HOSO_DOCUMENT_KEYS", folder.join("documents.keys"))
        .output()
        .expect("bash runs");
    let said = format!("{}\n{}", stdout(&output), stderr(&output));
    assert!(output.status.success(), "the runbook failed:\n{said}");
    assert_eq!(said.matches("backup written to").count(), 2, "{said}");
    assert_eq!(
        said.matches("checkpoints checked: intact").count(),
        2,
        "{said}"
    );
    assert!(said.contains("from a sqlite backup"), "{said}");
    assert_eq!(dossiers(&restored.url), held);
    assert_eq!(dossiers(&postgres.url), held);
    assert!(
        !std::fs::read_dir(folder.join("backups"))
            .expect("backups")
            .any(|entry| entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .ends_with(".partial"))
    );

    // A second restore into the database just restored is refused, with what to do.
    let again = hoso(&[
        "restore",
        "--from",
        folder.join("backups/move.hosobak").to_str().expect("utf-8"),
        "--db",
        &postgres.url,
        "--key",
        folder.join("audit.key").to_str().expect("utf-8"),
    ]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("not empty") && stderr(&again).contains("new, empty database"),
        "{}",
        stderr(&again)
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// The metric names the alert rules use.
fn alerted_metrics(rules: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for line in rules
        .lines()
        .filter(|line| line.trim_start().starts_with("expr:"))
    {
        let mut rest = line;
        while let Some(start) = rest.find("hoso_") {
            let name: String = rest[start..]
                .chars()
                .take_while(|character| character.is_ascii_lowercase() || *character == '_')
                .collect();
            rest = &rest[start + name.len()..];
            names.insert(name);
        }
    }
    names
}

/// Every metric the alert rules in deploy/prometheus name is served, with a value, by a running
/// server (one signing checkpoints, so the checkpoint's age is there too); where promtool is
/// installed, it accepts the file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_the_alert_rules_name_is_served() {
    let rules_path = repo().join("deploy/prometheus/hoso-rules.yml");
    let rules = std::fs::read_to_string(&rules_path).expect("the rules file");
    let names = alerted_metrics(&rules);
    assert!(names.len() >= 6, "{names:?}");
    let folder = std::env::temp_dir().join(format!("hoso-alerts-{}", uuid::Uuid::now_v7()));
    let Some(server) = crate::audit::server_signing_checkpoints("alerts", &folder) else {
        return;
    };
    // A request, so the request counters have a sample to show.
    let procedures = server
        .http
        .get(server.url("/api/v1/procedures"))
        .send()
        .await
        .expect("sent");
    assert_eq!(procedures.status().as_u16(), 200);
    let metrics = crate::eventually_async(
        || async {
            server
                .http
                .get(server.url("/metrics"))
                .send()
                .await
                .expect("sent")
                .text()
                .await
                .expect("text")
        },
        |text| text.contains("hoso_checkpoint_age_seconds "),
    )
    .await;
    for name in &names {
        let served = metrics.lines().any(|line| {
            line.strip_prefix(name.as_str()).is_some_and(|rest| {
                rest.starts_with(' ') || rest.starts_with('{') || rest.starts_with("_bucket")
            })
        });
        assert!(
            served,
            "the rules use {name}, which /metrics does not serve:\n{metrics}"
        );
    }
    assert!(metrics.contains("hoso_outbox_dead 0"), "{metrics}");
    assert!(metrics.contains("hoso_timer_lag_seconds 0"), "{metrics}");
    assert!(
        metrics.contains("hoso_checkpoint_failures_total 0"),
        "{metrics}"
    );
    let _ = std::fs::remove_dir_all(&folder);

    let Ok(promtool) = Command::new("promtool").arg("--version").output() else {
        hoso_adapters::testing::skip(
            "promtool",
            "install it (Debian: prometheus) to check deploy/prometheus/hoso-rules.yml",
        );
        return;
    };
    assert!(promtool.status.success());
    let check = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules_path)
        .output()
        .expect("promtool runs");
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
}
