//! `hoso audit`: someone edits the event rows behind hoso's back, on SQLite and PostgreSQL, and the
//! audit names the dossier and the first bad event — even when the forger recomputed every hash.

use hoso_engine::case::{DossierCode, GENESIS_HASH, NewEvent, seal};

use crate::{TestDatabase, hoso, stdout};

/// One row of `events` as a forger reads it.
struct Row {
    at: i64,
    actor: String,
    payload: String,
    command_id: String,
}

/// Runs SQL statements against the test database, as someone with direct access would.
pub(crate) fn tamper(url: &str, statements: &[String]) {
    let (url, statements) = (url.to_owned(), statements.to_vec());
    run_on_own_runtime(async move {
        macro_rules! execute {
            ($connection:ty) => {{
                use sqlx::Connection as _;
                let mut connection = <$connection>::connect(&url).await.expect("connect");
                for statement in &statements {
                    sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                        .execute(&mut connection)
                        .await
                        .unwrap_or_else(|error| panic!("{statement}: {error}"));
                }
            }};
        }
        if url.starts_with("sqlite:") {
            execute!(sqlx::SqliteConnection);
        } else {
            execute!(sqlx::PgConnection);
        }
    });
}

/// The rows of one dossier's chain and the first dossier's code.
fn read(url: &str, code: Option<&str>) -> (String, Vec<Row>) {
    let (url, code) = (url.to_owned(), code.map(str::to_owned));
    run_on_own_runtime(async move {
        macro_rules! fetch {
            ($connection:ty) => {{
                use sqlx::Connection as _;
                let mut connection = <$connection>::connect(&url).await.expect("connect");
                let code: String = match code {
                    Some(code) => code,
                    None => sqlx::query_scalar("SELECT min(code) FROM dossiers")
                        .fetch_one(&mut connection)
                        .await
                        .expect("a dossier"),
                };
                let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
                    "SELECT at, actor, payload, command_id FROM events WHERE case_code = $1 ORDER BY seq",
                )
                .bind(&code)
                .fetch_all(&mut connection)
                .await
                .expect("events");
                let rows = rows
                    .into_iter()
                    .map(|(at, actor, payload, command_id)| Row { at, actor, payload, command_id })
                    .collect();
                (code, rows)
            }};
        }
        if url.starts_with("sqlite:") {
            fetch!(sqlx::SqliteConnection)
        } else {
            fetch!(sqlx::PgConnection)
        }
    })
}

pub(crate) fn run_on_own_runtime<T: Send + 'static>(
    future: impl Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(future)
    })
    .join()
    .expect("the database work ran")
}

/// A database holding the demo's dossiers, and the code of the first.
fn populated(database: &TestDatabase) -> (String, usize) {
    let output = hoso(&["demo", "--db", &database.url]);
    assert!(output.status.success(), "{}", crate::stderr(&output));
    let (code, rows) = read(&database.url, None);
    assert!(
        rows.len() >= 3,
        "the first demo dossier has at least three events"
    );
    (code, rows.len())
}

fn verify(database: &TestDatabase, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["audit", "verify", "--db", &database.url];
    args.extend_from_slice(extra);
    let output = hoso(&args);
    (output.status.code().unwrap_or(-1), stdout(&output))
}

/// Each kind of edit, as SQL against a dossier with `last` events, and the first bad event.
fn edits(code: &str, last: usize) -> Vec<(&'static str, Vec<String>, usize)> {
    let only = format!("case_code = '{code}'");
    vec![
        (
            "altered",
            vec![format!(
                "UPDATE events SET at = at + 1000000 WHERE {only} AND seq = 2"
            )],
            2,
        ),
        (
            "altered payload",
            vec![format!(
                "UPDATE events SET payload = replace(payload, '\"', '''') WHERE {only} AND seq = 1"
            )],
            1,
        ),
        (
            "removed from the middle",
            vec![format!("DELETE FROM events WHERE {only} AND seq = 2")],
            2,
        ),
        (
            "removed at the end",
            vec![format!("DELETE FROM events WHERE {only} AND seq = {last}")],
            last,
        ),
        (
            "inserted at the end",
            vec![format!(
                "INSERT INTO events (case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash) \
                 SELECT case_code, seq + 1, at, actor, kind, payload, command_id, hash, hash FROM events WHERE {only} AND seq = {last}"
            )],
            last + 1,
        ),
        (
            "inserted in the middle",
            vec![
                format!("UPDATE events SET seq = seq + 1000 WHERE {only} AND seq >= 2"),
                format!("UPDATE events SET seq = seq - 999 WHERE {only} AND seq >= 1000"),
                format!(
                    "INSERT INTO events (case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash) \
                     SELECT case_code, 2, at, actor, kind, payload, command_id, hash, hash FROM events WHERE {only} AND seq = 1"
                ),
            ],
            2,
        ),
        (
            "reordered",
            vec![
                format!("UPDATE events SET seq = 1000 WHERE {only} AND seq = 2"),
                format!("UPDATE events SET seq = 2 WHERE {only} AND seq = 3"),
                format!("UPDATE events SET seq = 3 WHERE {only} AND seq = 1000"),
            ],
            2,
        ),
    ]
}

fn every_edit_is_caught_on(fresh: impl Fn() -> TestDatabase) {
    let probe = fresh();
    let (code, last) = populated(&probe);
    drop(probe);
    for (name, statements, first_bad) in edits(&code, last) {
        let database = fresh();
        populated(&database);
        assert_eq!(
            verify(&database, &[]).0,
            0,
            "{name}: the untouched database verifies"
        );
        tamper(&database.url, &statements);
        let (status, report) = verify(&database, &[]);
        assert_eq!(status, 1, "{name}: the audit fails\n{report}");
        assert!(
            report.contains(&format!("dossier {code}: first bad event {first_bad}:")),
            "{name}: expected first bad event {first_bad}, got\n{report}"
        );
        let (status, one) = verify(&database, &[&code]);
        assert_eq!(
            status, 1,
            "{name}: verifying only that dossier fails too\n{one}"
        );
        assert!(
            one.contains(&format!("first bad event {first_bad}:")),
            "{name}:\n{one}"
        );
    }
}

#[test]
fn every_edit_to_the_event_rows_is_caught_on_sqlite() {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    every_edit_is_caught_on(|| {
        TestDatabase::sqlite(&format!(
            "audit-edit-{}",
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ))
    });
}

#[test]
fn every_edit_to_the_event_rows_is_caught_on_postgres() {
    if TestDatabase::postgres().is_none() {
        return;
    }
    every_edit_is_caught_on(|| {
        TestDatabase::postgres().expect("PostgreSQL was available a moment ago")
    });
}

/// The forger rewrites event 2, recomputes every hash after it and rewrites the dossier's record
/// to match: the chains and the records verify on their own, and only a checkpoint taken earlier
/// tells.
fn a_recomputed_rewrite_is_caught_by_an_earlier_checkpoint(database: &TestDatabase) {
    let (code, _) = populated(database);
    let folder = std::env::temp_dir().join(format!("hoso-audit-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&folder).expect("folder");
    let key = folder.join("signing.key");
    let copy = folder.join("checkpoint.json");
    let keygen = hoso(&["audit", "keygen", key.to_str().expect("utf-8")]);
    assert!(keygen.status.success());
    let public_key = stdout(&keygen)
        .lines()
        .find_map(|line| line.strip_prefix("public key: "))
        .expect("a public key")
        .to_owned();
    let checkpoint = hoso(&[
        "audit",
        "checkpoint",
        "--db",
        &database.url,
        "--key",
        key.to_str().expect("utf-8"),
        "--out",
        copy.to_str().expect("utf-8"),
    ]);
    assert!(
        checkpoint.status.success(),
        "{}",
        crate::stderr(&checkpoint)
    );

    let (_, rows) = read(&database.url, Some(&code));
    let dossier = DossierCode::parse(&code).expect("code");
    let new_events: Vec<NewEvent> = rows
        .iter()
        .enumerate()
        .map(|(index, row)| NewEvent {
            at: chrono::DateTime::from_timestamp_micros(
                row.at + if index == 1 { 3_600_000_000 } else { 0 },
            )
            .expect("instant"),
            actor: serde_json::from_str(&row.actor).expect("actor"),
            kind: serde_json::from_str(&row.payload).expect("payload"),
            command_id: row.command_id.clone(),
        })
        .collect();
    let forged = seal(&dossier, 0, GENESIS_HASH, new_events);
    let old_last = read_last_hash(database, &code);
    let mut statements: Vec<String> = forged
        .iter()
        .map(|event| {
            format!(
                "UPDATE events SET at = {}, prev_hash = '{}', hash = '{}' WHERE case_code = '{code}' AND seq = {}",
                event.at.timestamp_micros(),
                event.prev_hash,
                event.hash,
                event.seq
            )
        })
        .collect();
    // A careful forger also rewrites the record as the forged events replay, so the record
    // agrees with its chain.
    let replayed = hoso_engine::case::replay(&forged)
        .expect("the forged events replay")
        .expect("a dossier");
    assert_ne!(replayed.last_hash, old_last);
    let state = serde_json::to_string(&replayed)
        .expect("state")
        .replace('\'', "''");
    statements.push(format!(
        "UPDATE dossiers SET state = '{state}' WHERE code = '{code}'"
    ));
    tamper(&database.url, &statements);

    let (status, report) = verify(database, &[]);
    assert_eq!(
        status, 1,
        "the stored checkpoint catches the rewrite\n{report}"
    );
    assert!(
        report.contains(&format!("dossier {code}: first bad event"))
            && report.contains("rewritten"),
        "{report}"
    );

    // The forger also deletes the stored checkpoints: the auditor's own copy still tells.
    tamper(&database.url, &["DELETE FROM audit_checkpoints".to_owned()]);
    let (status, report) = verify(database, &[]);
    assert_eq!(
        status, 0,
        "without checkpoints the recomputed chains look intact\n{report}"
    );
    let (status, report) = verify(
        database,
        &[
            "--checkpoint",
            copy.to_str().expect("utf-8"),
            "--public-key",
            &public_key,
        ],
    );
    assert_eq!(status, 1, "{report}");
    assert!(report.contains("checkpoints were rewritten"), "{report}");
    assert!(
        report.contains(&format!("dossier {code}: first bad event")),
        "{report}"
    );

    // A copy signed by someone else is refused outright.
    let other = folder.join("other.key");
    let other_key = hoso(&["audit", "keygen", other.to_str().expect("utf-8")]);
    let other_public = stdout(&other_key)
        .lines()
        .find_map(|line| line.strip_prefix("public key: "))
        .expect("key")
        .to_owned();
    let (status, report) = verify(
        database,
        &[
            "--checkpoint",
            copy.to_str().expect("utf-8"),
            "--public-key",
            &other_public,
        ],
    );
    assert_eq!(status, 1, "{report}");
    assert!(report.contains("not the trusted key"), "{report}");
    let _ = std::fs::remove_dir_all(&folder);
}

fn read_last_hash(database: &TestDatabase, code: &str) -> String {
    let (url, code) = (database.url.clone(), code.to_owned());
    run_on_own_runtime(async move {
        macro_rules! last {
            ($connection:ty) => {{
                use sqlx::Connection as _;
                let mut connection = <$connection>::connect(&url).await.expect("connect");
                sqlx::query_scalar::<_, String>(
                    "SELECT hash FROM events WHERE case_code = $1 ORDER BY seq DESC LIMIT 1",
                )
                .bind(&code)
                .fetch_one(&mut connection)
                .await
                .expect("last hash")
            }};
        }
        if url.starts_with("sqlite:") {
            last!(sqlx::SqliteConnection)
        } else {
            last!(sqlx::PgConnection)
        }
    })
}

#[test]
fn a_recomputed_rewrite_is_caught_by_an_earlier_checkpoint_on_sqlite() {
    a_recomputed_rewrite_is_caught_by_an_earlier_checkpoint(&TestDatabase::sqlite("audit-rewrite"));
}

#[test]
fn a_recomputed_rewrite_is_caught_by_an_earlier_checkpoint_on_postgres() {
    if let Some(database) = TestDatabase::postgres() {
        a_recomputed_rewrite_is_caught_by_an_earlier_checkpoint(&database);
    }
}

/// One way to tamper with an exported bundle.
type BundleEdit = fn(&mut serde_json::Value);

#[test]
fn an_exported_bundle_verifies_offline_and_any_edit_to_it_is_caught() {
    let database = TestDatabase::sqlite("audit-bundle");
    let (code, _) = populated(&database);
    let folder =
        std::env::temp_dir().join(format!("hoso-bundle-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&folder).expect("folder");
    let key = folder.join("signing.key");
    let bundle = folder.join("bundle.json");
    assert!(
        hoso(&["audit", "keygen", key.to_str().expect("utf-8")])
            .status
            .success()
    );
    let checkpoint = hoso(&[
        "audit",
        "checkpoint",
        "--db",
        &database.url,
        "--key",
        key.to_str().expect("utf-8"),
    ]);
    assert!(checkpoint.status.success());
    let export = hoso(&[
        "audit",
        "export",
        &code,
        "--db",
        &database.url,
        "--out",
        bundle.to_str().expect("utf-8"),
    ]);
    assert!(export.status.success(), "{}", crate::stderr(&export));
    // Offline: no --db, and the database is gone.
    drop(database);
    let offline = hoso(&[
        "audit",
        "verify",
        "--bundle",
        bundle.to_str().expect("utf-8"),
    ]);
    assert_eq!(offline.status.code(), Some(0), "{}", stdout(&offline));
    assert!(
        stdout(&offline).contains("checkpoint 1 vouches"),
        "{}",
        stdout(&offline)
    );

    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("bundle")).expect("json");
    let edits: [(&str, BundleEdit); 4] = [
        ("an event's time", |value| {
            value["events"][1]["at"] = "2026-03-02T01:00:00Z".into()
        }),
        ("the checkpoint's root", |value| {
            value["checkpoint"]["root"] = "0".repeat(64).into()
        }),
        ("the head", |value| {
            value["head_at_checkpoint"]["hash"] = "f".repeat(64).into()
        }),
        ("an event removed", |value| {
            value["events"].as_array_mut().expect("events").remove(1);
        }),
    ];
    for (name, edit) in edits {
        let mut changed = original.clone();
        edit(&mut changed);
        std::fs::write(&bundle, changed.to_string()).expect("write");
        let output = hoso(&[
            "audit",
            "verify",
            "--bundle",
            bundle.to_str().expect("utf-8"),
        ]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stdout(&output));
    }
    std::fs::write(&bundle, "not json").expect("write");
    let output = hoso(&[
        "audit",
        "verify",
        "--bundle",
        bundle.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        crate::stderr(&output).contains("is not a hoso audit file"),
        "{}",
        crate::stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn a_checkpoint_is_refused_over_broken_history() {
    let database = TestDatabase::sqlite("audit-refuse");
    let (code, _) = populated(&database);
    let key =
        std::env::temp_dir().join(format!("hoso-refuse-{}.key", uuid::Uuid::now_v7().simple()));
    assert!(
        hoso(&["audit", "keygen", key.to_str().expect("utf-8")])
            .status
            .success()
    );
    tamper(
        &database.url,
        &[format!(
            "DELETE FROM events WHERE case_code = '{code}' AND seq = 2"
        )],
    );
    let output = hoso(&[
        "audit",
        "checkpoint",
        "--db",
        &database.url,
        "--key",
        key.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        crate::stderr(&output).contains("refusing to sign a checkpoint over broken history"),
        "{}",
        crate::stderr(&output)
    );
    let _ = std::fs::remove_file(&key);
}

/// A server on SQLite signing a checkpoint every second with a new key made in `folder` (kept
/// there as `signing.key`).
pub(crate) fn server_signing_checkpoints(
    name: &str,
    folder: &std::path::Path,
) -> Option<crate::server::Server> {
    std::fs::create_dir_all(folder).expect("folder");
    let key = folder.join("signing.key");
    assert!(
        hoso(&["audit", "keygen", key.to_str().expect("utf-8")])
            .status
            .success()
    );
    crate::server::Server::start(
        crate::server::Backend::Sqlite,
        name,
        &[
            "--audit-key",
            key.to_str().expect("utf-8"),
            "--checkpoint-every",
            "1",
        ],
    )
}

#[tokio::test]
async fn the_server_signs_checkpoints_periodically_and_refuses_a_bad_key() {
    let folder =
        std::env::temp_dir().join(format!("hoso-periodic-{}", uuid::Uuid::now_v7().simple()));
    let key = folder.join("signing.key");
    let Some(mut server) = server_signing_checkpoints("audit-periodic", &folder) else {
        return;
    };
    let url = server.database.url.clone();
    let report = crate::eventually(|| {
        let output = hoso(&["audit", "verify", "--db", &url]);
        let report = stdout(&output);
        (
            output.status.success()
                && !report.contains(" 0 checkpoints")
                && !report.contains(" 1 checkpoints"),
            report,
        )
    })
    .await;
    assert!(
        !report.contains(" 0 checkpoints") && !report.contains(" 1 checkpoints"),
        "two or more checkpoints: {report}"
    );
    assert!(report.contains("intact"), "{report}");
    assert!(
        server.stop(),
        "the server stops cleanly with the checkpoint worker running"
    );

    std::fs::write(&key, "not a key").expect("write");
    let database = TestDatabase::sqlite("audit-bad-key");
    let output = hoso(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--db",
        &database.url,
        "--audit-key",
        key.to_str().expect("utf-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        crate::stderr(&output).contains("expected 64 hexadecimal characters"),
        "{}",
        crate::stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// Someone edits the dossier's record, not its events: another citizen's ID in `applicant_id`
/// (which access checks read), or in the stored state. The audit replays the events and names
/// the dossier and the column or field.
fn record_edits_are_caught_on(fresh: impl Fn() -> TestDatabase) {
    let probe = fresh();
    let (code, _) = populated(&probe);
    drop(probe);
    let edits = [
        (
            format!("UPDATE dossiers SET applicant_id = '001090000099' WHERE code = '{code}'"),
            "column applicant_id holds \"001090000099\" but the events say",
        ),
        (
            format!(
                "UPDATE dossiers SET state = replace(state, '\"citizen_id\":\"', '\"citizen_id\":\"9') WHERE code = '{code}'"
            ),
            "the stored state differs from the events in applicant",
        ),
        (
            format!("UPDATE dossiers SET status = 10 WHERE code = '{code}'"),
            "column status holds \"10\"",
        ),
    ];
    for (statement, expected) in edits {
        let database = fresh();
        populated(&database);
        tamper(&database.url, std::slice::from_ref(&statement));
        let (status, report) = verify(&database, &[]);
        assert_eq!(status, 1, "{statement}: the audit fails\n{report}");
        assert!(
            report.contains(&format!("dossier {code}:"))
                && report.contains("the dossier's record was edited outside hoso")
                && report.contains(expected),
            "{statement}: expected {expected:?} in\n{report}"
        );
    }
}

#[test]
fn edits_to_the_dossier_record_are_caught_on_sqlite() {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    record_edits_are_caught_on(|| {
        TestDatabase::sqlite(&format!(
            "audit-record-{}",
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ))
    });
}

#[test]
fn edits_to_the_dossier_record_are_caught_on_postgres() {
    if TestDatabase::postgres().is_none() {
        return;
    }
    record_edits_are_caught_on(|| {
        TestDatabase::postgres().expect("PostgreSQL was available a moment ago")
    });
}
