//! SQLite: the embedded default. One file, WAL, `synchronous = FULL`, a busy timeout, foreign
//! keys on; writers take the lock up front (`BEGIN IMMEDIATE`) so concurrent writers queue
//! instead of failing on a lock upgrade.

use std::str::FromStr;
use std::time::Duration;

use hoso_engine::ports::StoreError;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub(super) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The queue in front of the writer (group commit), unless turned off.
    pub(super) group: Option<std::sync::Arc<super::group::GroupCommit>>,
    /// The dedicated writer thread, when the database is a file and it is not turned off.
    pub(super) writer: Option<std::sync::Arc<super::sqlite_writer::SqliteWriter>>,
    /// The database file, when the writer thread and the C-API readers serve it.
    pub(super) file: Option<std::sync::Arc<std::path::Path>>,
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
        // A cap on the file's size in pages: keeps an embedded database from filling a disk it
        // shares, and lets tests fill "the disk" without one.
        let max_pages = std::env::var("HOSO_SQLITE_MAX_PAGES")
            .ok()
            .and_then(|pages| pages.parse::<u64>().ok());
        let options = match max_pages {
            Some(pages) => options.pragma("max_page_count", pages.to_string()),
            None => options,
        };
        let file = options.get_filename().to_path_buf();
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .after_release(|connection, _| {
                // A connection left inside a transaction (a COMMIT that failed on a full disk)
                // is closed, never handed to the next caller.
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(connection)) })
            })
            .connect_with(options)
            .await
            .map_err(|error| StoreError::Unavailable(format!("{url}: {error}")))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|error| StoreError::Schema(error.to_string()))?;
        // The writer thread opens its own connection to the file: an in-memory or unnamed
        // database has no file to share, a read-only one takes no writer, and
        // `HOSO_SQLITE_WRITER=sqlx` keeps the sqlx writer for comparisons.
        let name = file.to_string_lossy();
        let own_file = !(name.is_empty()
            || name.starts_with("file:sqlx-in-memory")
            || url.contains(":memory:")
            || url.contains("mode=memory")
            || url.contains("mode=ro"));
        let writer = match (own_file, std::env::var("HOSO_SQLITE_WRITER").as_deref()) {
            (true, Ok("sqlx")) | (false, _) => None,
            (true, _) => {
                // One absolute path, so every thread's reader opens the same file.
                let file = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                Some((
                    std::sync::Arc::new(super::sqlite_writer::SqliteWriter::start(
                        &file, max_pages,
                    )?),
                    std::sync::Arc::<std::path::Path>::from(file.as_path()),
                ))
            }
        };
        let (writer, file) = writer.unzip();
        Ok(Self {
            pool,
            group: None,
            file,
            writer,
        })
    }

    /// Whether a write with room to grow succeeds: a page is taken and given back in one
    /// committed transaction, so a database at its size cap (or on a full disk) is not ready.
    pub async fn ping_with_room(&self) -> Result<(), StoreError> {
        let mut transaction = self.pool.begin().await.map_err(super::unavailable)?;
        sqlx::query("UPDATE readiness SET checked_at = $1 WHERE id = 1")
            .bind(super::rows::micros(chrono::Utc::now()))
            .execute(&mut *transaction)
            .await
            .map_err(super::unavailable)?;
        for statement in [
            "INSERT INTO readiness_room (room) VALUES (zeroblob(16384))",
            "DELETE FROM readiness_room",
        ] {
            sqlx::query(statement)
                .execute(&mut *transaction)
                .await
                .map_err(super::unavailable)?;
        }
        transaction.commit().await.map_err(super::unavailable)
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

/// Opens a write transaction holding the write lock from the start (`BEGIN IMMEDIATE`), so
/// concurrent writers queue instead of failing when a read lock cannot be upgraded.
pub(super) async fn begin(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Opens a write transaction on `connection` holding the write lock from the start.
pub(super) async fn begin_on(
    connection: &mut sqlx::SqliteConnection,
) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, sqlx::Error> {
    sqlx::Connection::begin_with(connection, "BEGIN IMMEDIATE").await
}

/// Claims due timers. One writer at a time: the UPDATE itself is the claim.
pub(super) const CLAIM_TIMERS: &str = "UPDATE timers SET claimed_until = $1 WHERE (case_code, deadline, passed) IN \
     (SELECT case_code, deadline, passed FROM timers WHERE due_at <= $2 \
      AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY due_at LIMIT $3) \
     RETURNING case_code, deadline, passed, due_at";

/// Claims pending outbox rows of the routed topics (`$4`, comma-separated).
pub(super) const CLAIM_OUTBOX: &str = "UPDATE outbox SET claimed_until = $1 WHERE id IN \
     (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $2 \
      AND (claimed_until IS NULL OR claimed_until < $2) \
      AND instr(',' || $4 || ',', ',' || topic || ',') > 0 ORDER BY id LIMIT $3) \
     RETURNING id, idempotency_key, topic, payload, case_code, state, attempts, last_error, next_attempt_at, provider_id, delivery_status";

/// One process writes SQLite; its dispatcher polls, so nothing is notified.
pub(super) const NOTIFY_OUTBOX: Option<&str> = None;

/// How to ask for a query plan.
pub(super) const EXPLAIN: &str = "EXPLAIN QUERY PLAN";
