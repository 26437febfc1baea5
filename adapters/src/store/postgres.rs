//! PostgreSQL: the production store, shared by several `hoso serve` nodes. Concurrent commands
//! on one dossier serialise on its projection row; the loser sees a version conflict.

use std::time::Duration;

use hoso_engine::ports::StoreError;
use sqlx::postgres::{PgPool, PgPoolOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects and applies migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|error| StoreError::Unavailable(format!("{}: {error}", super::redact(url))))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|error| StoreError::Schema(error.to_string()))?;
        Ok(Self { pool })
    }

    /// The connection pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

super::store_impl!(
    PostgresStore,
    sqlx::Postgres,
    |pool| pool.begin(),
    // SKIP LOCKED: workers on several nodes each take different timers and never wait on each other.
    "UPDATE timers SET claimed_until = $1 WHERE (case_code, deadline, passed) IN \
     (SELECT case_code, deadline, passed FROM timers WHERE due_at <= $2 \
      AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
     RETURNING case_code, deadline, passed, due_at",
    "UPDATE outbox SET claimed_until = $1 WHERE id IN \
     (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $2 \
      AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
     RETURNING id, idempotency_key, topic, payload, case_code, state, attempts, last_error, next_attempt_at, provider_id, delivery_status",
    Some("SELECT pg_notify('hoso_outbox', '')")
);
