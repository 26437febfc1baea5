//! SQLite: the embedded default. One file, WAL, `synchronous = FULL`, a busy timeout, foreign
//! keys on; writers take the lock up front (`BEGIN IMMEDIATE`) so concurrent writers queue
//! instead of failing on a lock upgrade.

use std::str::FromStr;
use std::time::Duration;

use hoso_engine::ports::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The queue in front of the writer (group commit), unless turned off.
    group: Option<std::sync::Arc<super::group::GroupCommit>>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database file and applies migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|error| StoreError::Unavailable(format!("{url}: {error}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|error| StoreError::Unavailable(format!("{url}: {error}")))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|error| StoreError::Schema(error.to_string()))?;
        Ok(Self { pool, group: None }.with_group_commit(true))
    }

    /// The connection pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The database's size on disk, after moving the write-ahead log into the main file.
    pub async fn database_bytes(&self) -> Result<u64, StoreError> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
            .map_err(super::unavailable)?;
        let bytes: i64 = sqlx::query_scalar(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(super::unavailable)?;
        Ok(u64::try_from(bytes).unwrap_or_default())
    }
}

super::store_impl!(
    SqliteStore,
    sqlx::Sqlite,
    |pool| pool.begin_with("BEGIN IMMEDIATE"),
    // One writer at a time: the UPDATE itself is the claim.
    "UPDATE timers SET claimed_until = $1 WHERE (case_code, deadline, passed) IN \
     (SELECT case_code, deadline, passed FROM timers WHERE due_at <= $2 \
      AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY due_at LIMIT $3) \
     RETURNING case_code, deadline, passed, due_at",
    "UPDATE outbox SET claimed_until = $1 WHERE id IN \
     (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $2 \
      AND (claimed_until IS NULL OR claimed_until < $2) \
      AND instr(',' || $4 || ',', ',' || topic || ',') > 0 ORDER BY id LIMIT $3) \
     RETURNING id, idempotency_key, topic, payload, case_code, state, attempts, last_error, next_attempt_at, provider_id, delivery_status",
    // One process writes SQLite; its dispatcher polls.
    None,
    // How to ask for a query plan.
    "EXPLAIN QUERY PLAN"
);
