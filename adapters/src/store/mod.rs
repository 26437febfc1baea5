//! The event store on SQLite (embedded default) and PostgreSQL (production, several nodes).
//!
//! Each file holds one concern — `dossiers`, `write` (the write path through sqlx), `outbox`,
//! `timers`, `access`, `payments`, `ratings`, `audit`, `calendars`, `operations` — as ordinary
//! functions whose SQL is written once and compiled for each backend by `with_pool!` and
//! `on_conn!`; `sqlite.rs` and `postgres.rs` hold only what truly differs (opening, the lock a
//! writer takes, claim queries, notifications). On a SQLite file, commands
//! are written by one thread on SQLite's C API (`sqlite_writer`) and their two reads go through
//! the same API on the calling thread (`sqlite_reads`): the per-statement hop to sqlx's
//! connection thread was what limited the write rate (BENCHMARKS.md). Instants are stored as
//! integer microseconds (UTC); JSON as text, so what is read back is byte-for-byte what was
//! hashed.

mod access;
mod audit;
mod calendars;
pub mod copy;
mod dossiers;
mod group;
mod operations;
mod outbox;
mod payments;
mod postgres;
mod postgres_writer;
mod ratings;
pub(crate) mod rows;
mod sqlite;
mod sqlite_reads;
mod sqlite_writer;
mod timers;
mod units;
mod write;

use hoso_engine::ports::StoreError;

pub use hoso_engine::ports::{ArchivedPayment, ArchivedRecord, NotArchived};
pub use outbox::StoreGauges;
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// Runs `$body` once per backend with `$pool` bound to the store's connection pool, `Db` naming
/// the backend's sqlx database and `backend` its module (for what differs): the SQL is written
/// once and compiled for each backend.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match $store {
            $crate::store::AnyStore::Sqlite(store) => {
                #[allow(unused_imports)]
                use $crate::store::sqlite as backend;
                #[allow(dead_code)]
                type Db = sqlx::Sqlite;
                let $pool = store.pool();
                $body
            }
            $crate::store::AnyStore::Postgres(store) => {
                #[allow(unused_imports)]
                use $crate::store::postgres as backend;
                #[allow(dead_code)]
                type Db = sqlx::Postgres;
                let $pool = store.pool();
                $body
            }
        }
    };
}

/// Runs `$body` once per backend with `$connection` bound to the connection (or the
/// transaction's connection) behind a [`Conn`], like [`with_pool!`].
macro_rules! on_conn {
    ($conn:expr, |$connection:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::Sqlite(inner) => {
                #[allow(unused_imports)]
                use $crate::store::sqlite as backend;
                #[allow(dead_code)]
                type Db = sqlx::Sqlite;
                let $connection = &mut **inner;
                $body
            }
            $crate::store::Conn::Postgres(inner) => {
                #[allow(unused_imports)]
                use $crate::store::postgres as backend;
                #[allow(dead_code)]
                type Db = sqlx::Postgres;
                let $connection = &mut **inner;
                $body
            }
        }
    };
}

pub(crate) use {on_conn, with_pool};

/// A connection of either backend, as the write path's functions take it (inside a
/// transaction or a savepoint).
pub(crate) enum Conn<'c> {
    /// SQLite.
    Sqlite(&'c mut sqlx::SqliteConnection),
    /// PostgreSQL.
    Postgres(&'c mut sqlx::PgConnection),
}

impl<'c> From<&'c mut sqlx::SqliteConnection> for Conn<'c> {
    fn from(connection: &'c mut sqlx::SqliteConnection) -> Self {
        Self::Sqlite(connection)
    }
}

impl<'c> From<&'c mut sqlx::PgConnection> for Conn<'c> {
    fn from(connection: &'c mut sqlx::PgConnection) -> Self {
        Self::Postgres(connection)
    }
}

/// The inbox query as `hoso bench --seed` explains it (the store's own lists more columns).
/// Parameters: unit, role.
const INBOX_PLAN: &str = "SELECT code FROM dossiers WHERE attention_unit = $1 AND attention_role = $2 \
     ORDER BY urgency_at IS NULL, urgency_at, submitted_at LIMIT 50";
/// The due-timer scan as `hoso bench --seed` explains it. Parameter: the instant.
const DUE_TIMERS_PLAN: &str = "SELECT case_code FROM timers WHERE due_at <= $1 \
     AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY due_at LIMIT 100";

/// A store chosen by URL at start-up.
#[derive(Clone)]
pub enum AnyStore {
    /// `sqlite://path` or `sqlite::memory:`.
    Sqlite(SqliteStore),
    /// `postgres://…`.
    Postgres(PostgresStore),
}

impl AnyStore {
    /// Opens the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Self::Sqlite(SqliteStore::open(url).await?).with_group_commit()
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres(PostgresStore::open(url).await?).with_group_commit()
        } else {
            Err(StoreError::Unavailable(format!(
                "unsupported database URL `{}`: use sqlite://FILE or postgres://USER@HOST/DB",
                redact(url)
            )))
        }
    }

    /// The database's size on disk, for benchmarks.
    pub async fn database_bytes(&self) -> Result<u64, StoreError> {
        match self {
            Self::Sqlite(store) => store.database_bytes().await,
            Self::Postgres(store) => store.database_bytes().await,
        }
    }

    /// Whether the database answers and takes a write (a full disk is not ready).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => store.ping_with_room().await,
            Self::Postgres(_) => self.answers().await,
        }
    }

    /// A short name of the backend, for logs and benchmarks.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Maps a database error to the store's error kinds.
fn unavailable(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_) => StoreError::Corrupt(error.to_string()),
        other => StoreError::Unavailable(other.to_string()),
    }
}

/// A database URL with any password replaced, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://hoso:s3cret@db:5432/hoso"),
            "postgres://hoso:***@db:5432/hoso"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://hoso.db"), "sqlite://hoso.db");
    }
}
