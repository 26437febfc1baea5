//! `hoso archive`: closed dossiers past retention leave the store for an archive file whose chains
//! verify offline, the audit of the store knows where they went, and the archive table cannot be
//! used to hide a dossier removed by hand. Run on SQLite and PostgreSQL.

use std::path::Path;

use crate::audit::{run_on_own_runtime, tamper};
use crate::{TestDatabase, hoso, stderr, stdout};

/// The values of a one-column query, as text.
pub(crate) fn strings(url: &str, sql: &str) -> Vec<String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    run_on_own_runtime(async move {
        macro_rules! fetch {
            ($connection:ty) => {{
                use sqlx::Connection as _;
                let mut connection = <$connection>::connect(&url).await.expect("connect");
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_all(&mut connection)
                    .await
                    .unwrap_or_else(|error| panic!("{sql}: {error}"))
            }};
        }
        if url.starts_with("sqlite:") {
            fetch!(sqlx::SqliteConnection)
        } else {
            fetch!(sqlx::PgConnection)
        }
    })
}

fn run(args: &[&str]) -> (i32, String, String) {
    let output = hoso(args);
    (
        output.status.code().unwrap_or(-1),
        stdout(&output),
        stderr(&output),
    )
}

fn archive(
    database: &TestDatabase,
    out: &Path,
    as_of: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let out = out.to_str().expect("utf-8 path");
    let mut args = vec![
        "archive",
        "--db",
        &database.url,
        "--out",
        out,
        "--as-of",
        as_of,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn archive_keeps_chains_verifiable_on(database: &TestDatabase) {
    let folder =
        std::env::temp_dir().join(format!("hoso-archive-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&folder).expect("folder");
    let demo = hoso(&["demo", "--db", &database.url]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let closed = strings(
        &database.url,
        "SELECT code FROM dossiers WHERE status IN (3, 7, 8, 10) ORDER BY code",
    );
    // The demo's two birth registrations (alone and liên thông) are kept permanently; the other
    // closed dossiers are 10-year ones.
    let permanent = strings(
        &database.url,
        "SELECT code FROM dossiers WHERE status IN (3, 7, 8, 10) \
         AND procedure_code IN ('1.001193', '1.003412') ORDER BY code",
    );
    assert_eq!(
        permanent.len(),
        2,
        "the demo closes two birth registrations"
    );
    let expiring: Vec<String> = closed
        .iter()
        .filter(|code| !permanent.contains(code))
        .cloned()
        .collect();
    assert_eq!(expiring.len(), 3, "{closed:?}");

    // A checkpoint first, so the archived bundles carry the signed proof of their heads.
    let key = folder.join("signing.key");
    let (status, keygen, _) = run(&["audit", "keygen", key.to_str().expect("utf-8")]);
    assert_eq!(status, 0);
    let public_key = keygen
        .lines()
        .find_map(|line| line.strip_prefix("public key: "))
        .expect("a public key")
        .to_owned();
    let copy = folder.join("checkpoint.json");
    let (status, _, error) = run(&[
        "audit",
        "checkpoint",
        "--db",
        &database.url,
        "--key",
        key.to_str().expect("utf-8"),
        "--out",
        copy.to_str().expect("utf-8"),
    ]);
    assert_eq!(status, 0, "{error}");

    // The demo runs no dispatcher: messages still waiting keep their dossiers in the store.
    let out = folder.join("archive-2060.json");
    let (status, printed, _) = archive(database, &out, "2060-01-01", &[]);
    assert_eq!(status, 1, "{printed}");
    for code in &expiring {
        assert!(
            printed.contains(&format!("{code}: not archived: "))
                && printed.contains("still undelivered"),
            "{printed}"
        );
    }
    assert!(printed.contains("nothing archived"), "{printed}");
    assert!(!out.exists(), "no archive file when nothing was archived");

    // Delivered, as the dispatcher would have recorded it.
    tamper(
        &database.url,
        &["UPDATE outbox SET state = 'delivered'".to_owned()],
    );

    // Within retention on 2030: nothing moves.
    let (status, printed, _) = archive(database, &out, "2030-01-01", &[]);
    assert_eq!(status, 0, "{printed}");
    assert!(
        printed.contains("no dossier is past its retention period on 2030-01-01"),
        "{printed}"
    );
    assert!(
        printed.contains("2 kept permanently, 3 within retention"),
        "{printed}"
    );
    assert!(!out.exists());

    // A schedule without a class a published procedure names is refused before anything moves.
    let partial_schedule = folder.join("retention.toml");
    std::fs::write(
        &partial_schedule,
        "[classes.civil_status_register]\ndescription = \"Hộ tịch\"\npermanent = true\n",
    )
    .expect("schedule");
    let (status, _, error) = archive(
        database,
        &out,
        "2060-01-01",
        &["--retention", partial_schedule.to_str().expect("utf-8")],
    );
    assert_ne!(status, 0);
    assert!(
        error.contains("the retention schedule does not define class `residence_registration` (named by procedure 1.004194 version 2), class `civil_status_copy` (named by procedure 2.000635 version 3), class `judicial_record_certificate` (named by procedure 3.000333 version 4), class `citizen_feedback` (named by procedure PAKN.1 version 3); add a [classes.NAME] table for each (the schedule defines: civil_status_register)"),
        "{error}"
    );
    assert!(!out.exists());

    // Past retention on 2060: the three 10-year dossiers leave, the permanent ones stay, and
    // their uploads with them (the demo's are data-store references: none to remove).
    let data = folder.join("data");
    let (status, printed, error) = archive(
        database,
        &out,
        "2060-01-01",
        &["--data-dir", data.to_str().expect("utf-8")],
    );
    assert_eq!(status, 0, "{printed}{error}");
    assert!(
        printed.contains("0 of the archived dossiers' 0 documents removed from"),
        "{printed}"
    );
    assert!(printed.contains("3 dossier(s) archived to"), "{printed}");
    assert!(
        printed.contains("3 archived, 2 kept permanently"),
        "{printed}"
    );
    for code in &expiring {
        for table in [
            "events", "timers", "outbox", "commands", "payments", "ratings",
        ] {
            let left = strings(
                &database.url,
                &format!("SELECT case_code FROM {table} WHERE case_code = '{code}'"),
            );
            assert!(left.is_empty(), "{code} still has rows in {table}");
        }
        assert!(
            strings(
                &database.url,
                &format!("SELECT code FROM dossiers WHERE code = '{code}'")
            )
            .is_empty()
        );
    }
    assert_eq!(
        strings(
            &database.url,
            "SELECT code FROM archived_dossiers ORDER BY code"
        ),
        expiring
    );
    assert_eq!(
        strings(
            &database.url,
            "SELECT code FROM dossiers WHERE code = '{}'"
                .replace("{}", &permanent[0])
                .as_str()
        )
        .len(),
        1
    );

    // The store's audit knows they were archived: the checkpoint's heads are not "removed".
    let (status, printed, _) = run(&["audit", "verify", "--db", &database.url]);
    assert_eq!(status, 0, "{printed}");
    assert!(
        printed.contains("(3 archived out of the store)"),
        "{printed}"
    );
    let (status, printed, _) = run(&[
        "audit",
        "verify",
        "--db",
        &database.url,
        "--checkpoint",
        copy.to_str().expect("utf-8"),
        "--public-key",
        &public_key,
    ]);
    assert_eq!(status, 0, "{printed}");
    let (status, _, error) = run(&["audit", "verify", "--db", &database.url, &expiring[0]]);
    assert_ne!(status, 0);
    assert!(
        error.contains(&format!("dossier {} was archived on", expiring[0]))
            && error.contains("hoso audit verify --bundle"),
        "{error}"
    );

    // The archive verifies offline, under the trusted key.
    let (status, printed, _) = run(&[
        "audit",
        "verify",
        "--bundle",
        out.to_str().expect("utf-8"),
        "--public-key",
        &public_key,
    ]);
    assert_eq!(status, 0, "{printed}");
    assert!(
        printed.contains("3 archived dossier(s) checked: intact"),
        "{printed}"
    );
    assert_eq!(
        printed.matches("checkpoint 1 vouches for it").count(),
        3,
        "{printed}"
    );

    // A second run finds nothing; an existing file is never overwritten.
    let (status, printed, _) = archive(database, &folder.join("again.json"), "2060-01-01", &[]);
    assert_eq!(status, 0);
    assert!(printed.contains("no dossier is past"), "{printed}");
    let (status, _, error) = archive(database, &out, "2060-01-01", &[]);
    assert_ne!(status, 0);
    assert!(
        error.contains("already exists; archive files are never overwritten"),
        "{error}"
    );

    // An edit to the archive file is caught offline and by the store's audit (the file is at hand).
    let text = std::fs::read_to_string(&out).expect("archive");
    // A fee in the first archived submission, raised by a digit.
    let edited = text.replacen("\"amount\": ", "\"amount\": 1", 1);
    assert!(edited != text, "the archive has a fee to edit");
    std::fs::write(&out, edited).expect("edit");
    let (status, printed, _) = run(&["audit", "verify", "--bundle", out.to_str().expect("utf-8")]);
    assert_eq!(status, 1, "{printed}");
    assert!(printed.contains("NOT intact"), "{printed}");
    let (status, printed, _) = run(&["audit", "verify", "--db", &database.url]);
    assert_eq!(status, 1, "{printed}");
    assert!(
        printed.contains("its archived evidence does not verify"),
        "{printed}"
    );
    std::fs::write(&out, text).expect("restore");

    // Removing a dossier by hand and claiming it was archived does not hide it: the checkpoint
    // vouches for a head the fake record does not have.
    let victim = &permanent[0];
    tamper(
        &database.url,
        &[
            format!("DELETE FROM events WHERE case_code = '{victim}'"),
            format!("DELETE FROM dossiers WHERE code = '{victim}'"),
            format!(
                "INSERT INTO archived_dossiers (code, archive_file, last_seq, last_hash, closed_at, archived_at) \
                 VALUES ('{victim}', '/nowhere/archive.json', 1, 'forged', 0, 0)"
            ),
        ],
    );
    let (status, printed, _) = run(&["audit", "verify", "--db", &database.url]);
    assert_eq!(status, 1, "{printed}");
    assert!(
        printed.contains(&format!("dossier {victim}: first bad event"))
            && printed.contains("rewritten before archiving"),
        "{printed}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

#[test]
fn archiving_moves_expired_dossiers_out_with_verifiable_chains_on_sqlite() {
    archive_keeps_chains_verifiable_on(&TestDatabase::sqlite("archive"));
}

#[test]
fn archiving_moves_expired_dossiers_out_with_verifiable_chains_on_postgres() {
    if let Some(database) = TestDatabase::postgres() {
        archive_keeps_chains_verifiable_on(&database);
    }
}
