//! A full disk — on SQLite played with its page cap (`HOSO_SQLITE_MAX_PAGES`), on PostgreSQL with
//! commits that fail for space: while the database cannot grow, submissions are refused with 503
//! and `/readyz` says so; once room is made, every submission succeeds again without a restart,
//! and nothing acknowledged is lost.

use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";
const PAGES: i64 = 3000;

/// Runs statements on the test's own connection, which has no page cap.
fn sqlite(url: &str, statements: &[&str]) -> i64 {
    let (url, statements): (String, Vec<String>) = (
        url.to_owned(),
        statements.iter().map(|text| (*text).to_owned()).collect(),
    );
    crate::audit::run_on_own_runtime(async move {
        use sqlx::Connection as _;
        let mut connection = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("connect");
        for statement in &statements {
            sqlx::query(sqlx::AssertSqlSafe(statement.clone()))
                .execute(&mut connection)
                .await
                .unwrap_or_else(|error| panic!("{statement}: {error}"));
        }
        sqlx::query_scalar("SELECT page_count FROM pragma_page_count()")
            .fetch_one(&mut connection)
            .await
            .expect("page count")
    })
}

async fn submit(server: &Server, citizen: &str, key: &str) -> u16 {
    server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(citizen)
        .header("Idempotency-Key", key)
        .json(&crate::birth_submission(CITIZEN))
        .send()
        .await
        .expect("answer")
        .status()
        .as_u16()
}

/// How many dossiers the citizen has.
async fn stored(server: &Server, citizen: &str) -> usize {
    let listed: serde_json::Value = server
        .http
        .get(server.url("/api/v1/dossiers?limit=200"))
        .bearer_auth(citizen)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    listed["items"].as_array().map_or(0, Vec::len)
}

async fn ready(server: &Server) -> u16 {
    server
        .http
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("answer")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_refuses_writes_with_503_and_recovers_when_room_is_made() {
    let pages = PAGES.to_string();
    let Some(server) = Server::start_with_env(
        Backend::Sqlite,
        "disk-full",
        &[],
        &[("HOSO_SQLITE_MAX_PAGES", &pages)],
    ) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    assert_eq!(submit(&server, &citizen, "before").await, 201);
    assert_eq!(ready(&server).await, 200);

    // Fill the file to a few pages short of its cap.
    let used = sqlite(&server.database.url, &["CREATE TABLE filler (b BLOB)"]);
    let blob = (PAGES - used - 6) * 4096;
    let used = sqlite(
        &server.database.url,
        &[&format!("INSERT INTO filler VALUES (zeroblob({blob}))")],
    );
    assert!(used > PAGES - 20, "filled to {used} of {PAGES} pages");

    let mut accepted = Vec::new();
    let mut statuses = Vec::new();
    for attempt in 0..30 {
        let key = format!("full-{attempt}");
        let status = submit(&server, &citizen, &key).await;
        statuses.push(status);
        if status == 201 {
            accepted.push(key);
        }
    }
    assert!(statuses.contains(&503), "writes are refused: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|status| *status == 201 || *status == 503),
        "only 201 or 503, never 500: {statuses:?}"
    );
    // Readiness answers are reused for a second: poll.
    let status = crate::eventually_async(|| ready(&server), |status| *status == 503).await;
    assert_eq!(status, 503, "not ready while full");

    // Room again (an operator freed space): every submission succeeds, with no restart.
    sqlite(&server.database.url, &["DROP TABLE filler"]);
    let status = crate::eventually_async(|| ready(&server), |status| *status == 200).await;
    assert_eq!(status, 200, "ready again");
    for attempt in 0..24 {
        let key = format!("after-{attempt}");
        assert_eq!(submit(&server, &citizen, &key).await, 201, "{key}");
        accepted.push(key);
    }
    // Everything acknowledged is there: retrying each key answers its first result.
    let count = stored(&server, &citizen).await;
    assert_eq!(
        count,
        accepted.len() + 1,
        "every acknowledged dossier is stored"
    );
    for key in &accepted {
        assert_eq!(submit(&server, &citizen, key).await, 201, "{key} again");
    }
}

/// PostgreSQL with a "full disk" at COMMIT: a deferred trigger raises `disk_full` (53100) while
/// the test says so, the way a server out of space fails the commit itself. Writes are refused
/// with 503 and `/readyz` says so; once room is back every write succeeds with no restart — a
/// connection whose COMMIT failed is never handed out again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_writes_while_commits_fail_for_space_and_recovers() {
    let Some(server) = Server::start(Backend::Postgres, "disk-full-pg", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    assert_eq!(submit(&server, &citizen, "before").await, 201);
    let url = server.database.url.clone();
    crate::audit::tamper(
        &url,
        &[
            "CREATE TABLE test_disk_full (since TIMESTAMPTZ)".to_owned(),
            "CREATE FUNCTION test_fail_when_full() RETURNS trigger AS $$ BEGIN \
             IF EXISTS (SELECT 1 FROM test_disk_full) THEN \
             RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; \
             END IF; RETURN NULL; END $$ LANGUAGE plpgsql"
                .to_owned(),
            "CREATE CONSTRAINT TRIGGER test_full_events AFTER INSERT ON events \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_when_full()"
                .to_owned(),
            "CREATE CONSTRAINT TRIGGER test_full_readiness AFTER UPDATE ON readiness \
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_when_full()"
                .to_owned(),
            "INSERT INTO test_disk_full VALUES (now())".to_owned(),
        ],
    );
    let mut statuses = Vec::new();
    for attempt in 0..20 {
        statuses.push(submit(&server, &citizen, &format!("full-{attempt}")).await);
    }
    assert!(
        statuses.iter().all(|status| *status == 503),
        "every write refused with 503: {statuses:?}"
    );
    // Readiness answers are reused for a second: poll.
    let status = crate::eventually_async(|| ready(&server), |status| *status == 503).await;
    assert_eq!(status, 503, "not ready while full");

    crate::audit::tamper(&url, &["DELETE FROM test_disk_full".to_owned()]);
    let status = crate::eventually_async(|| ready(&server), |status| *status == 200).await;
    assert_eq!(status, 200, "ready again");
    for attempt in 0..40 {
        let key = format!("after-{attempt}");
        assert_eq!(submit(&server, &citizen, &key).await, 201, "{key}");
    }
    assert_eq!(
        stored(&server, &citizen).await,
        41,
        "the refused writes left nothing; every acknowledged one is there"
    );
}
