//! The outbox: side effects written with their events, claimed by dispatchers, delivered at
//! least once, retried, and kept as dead letters an operator can see.

use chrono::{DateTime, Utc};

use hoso_engine::ports::{Delivery, DeliveryState, OutboxEntry, StoreError};

use super::{AnyStore, rows, unavailable, with_pool};
use hoso_engine::ports::Outbox;

impl AnyStore {
    /// The channel PostgreSQL notifies when outbox rows are committed.
    pub const OUTBOX_CHANNEL: &'static str = "hoso_outbox";

    /// On PostgreSQL, a stream of wake-ups whenever any node commits outbox rows (LISTEN); on
    /// SQLite `None`: its single dispatcher polls.
    pub async fn outbox_wakeups(
        &self,
    ) -> Result<Option<tokio::sync::mpsc::Receiver<()>>, StoreError> {
        let Self::Postgres(store) = self else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(store.pool())
            .await
            .map_err(unavailable)?;
        listener
            .listen(Self::OUTBOX_CHANNEL)
            .await
            .map_err(unavailable)?;
        let (wake, wakeups) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => {
                        // A full channel already holds a wake-up; that is enough.
                        if let Err(tokio::sync::mpsc::error::TrySendError::Closed(())) =
                            wake.try_send(())
                        {
                            return;
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "outbox LISTEN interrupted; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Some(wakeups))
    }
}

impl Delivery for AnyStore {
    /// Claims up to `limit` pending outbox messages due at `now` until `lease_until`.
    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
        topics: &[&str],
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        with_pool!(self, |pool| {
            if topics.is_empty() {
                return Ok(Vec::new());
            }
            let rows: Vec<rows::OutboxRow> = sqlx::query_as(backend::CLAIM_OUTBOX)
                .bind(rows::micros(lease_until))
                .bind(rows::micros(now))
                .bind(i64::from(limit))
                // Topics are plain words: a comma-separated list is unambiguous.
                .bind(topics.join(","))
                .fetch_all(pool)
                .await
                .map_err(unavailable)?;
            let mut entries = rows
                .into_iter()
                .map(rows::OutboxRow::into_entry)
                .collect::<Result<Vec<_>, _>>()?;
            entries.sort_by_key(|entry| entry.id);
            Ok(entries)
        })
    }

    /// Records a delivery; false when the message was no longer pending.
    async fn mark_delivered(
        &self,
        id: i64,
        provider_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let updated = sqlx::query(
            "UPDATE outbox SET state = 'delivered', delivered_at = $1, provider_id = $2, claimed_until = NULL, attempts = attempts + 1, \
             delivery_status = 'accepted' WHERE id = $3 AND state = 'pending'",
        )
        .bind(rows::micros(now))
        .bind(provider_id)
        .bind(id)
        .execute(pool)
        .await
        .map_err(unavailable)?;
            Ok(updated.rows_affected() == 1)
        })
    }

    /// Records a failed attempt: retried at `next_attempt_at`, or dead when `dead`.
    async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        dead: bool,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_until = NULL, \
             state = CASE WHEN $3 = 1 THEN 'dead' ELSE 'pending' END WHERE id = $4 AND state = 'pending'",
        )
        .bind(error.chars().take(1000).collect::<String>())
        .bind(rows::micros(next_attempt_at))
        .bind(i64::from(dead))
        .bind(id)
        .execute(pool)
        .await
        .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Puts a claimed message back untouched, to be tried again at `until`.
    async fn defer_outbox(&self, id: i64, until: DateTime<Utc>) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL WHERE id = $2 AND state = 'pending'")
            .bind(rows::micros(until))
            .bind(id)
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Records what the provider reports about a delivered message; false when no message
    /// has that provider id.
    async fn record_delivery_status(
        &self,
        provider_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let updated =
                sqlx::query("UPDATE outbox SET delivery_status = $1 WHERE provider_id = $2")
                    .bind(status.chars().take(200).collect::<String>())
                    .bind(provider_id)
                    .execute(pool)
                    .await
                    .map_err(unavailable)?;
            Ok(updated.rows_affected() > 0)
        })
    }

    /// Outbox messages for operators, newest first, optionally in one state.
    async fn outbox_entries(
        &self,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::OutboxRow> = sqlx::query_as(concat!(
                "SELECT ",
                rows::outbox_columns!(),
                " FROM outbox WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT $2"
            ))
            .bind(state.map(DeliveryState::as_str))
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            rows.into_iter().map(rows::OutboxRow::into_entry).collect()
        })
    }

    /// One outbox message by its idempotency key.
    async fn outbox_entry(&self, key: &str) -> Result<Option<OutboxEntry>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<rows::OutboxRow> = sqlx::query_as(concat!(
                "SELECT ",
                rows::outbox_columns!(),
                " FROM outbox WHERE idempotency_key = $1"
            ))
            .bind(key)
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?;
            row.map(rows::OutboxRow::into_entry).transpose()
        })
    }

    /// Outbox messages waiting for delivery.
    async fn outbox_backlog(&self) -> Result<u64, StoreError> {
        with_pool!(self, |pool| {
            let count: i64 =
                sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'pending'")
                    .fetch_one(pool)
                    .await
                    .map_err(unavailable)?;
            Ok(u64::try_from(count).unwrap_or_default())
        })
    }

    async fn delivered_dossiers(&self, topic: &str) -> Result<Vec<String>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT case_code FROM outbox \
                 WHERE topic = $1 AND state = 'delivered' AND case_code IS NOT NULL",
            )
            .bind(topic)
            .fetch_all(pool)
            .await
            .map_err(unavailable)
        })
    }
}

impl Outbox for AnyStore {
    async fn pending_outbox(
        &self,
        limit: u32,
    ) -> Result<Vec<hoso_engine::case::OutboxMessage>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT idempotency_key, topic, payload FROM outbox WHERE state = 'pending' ORDER BY id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter()
                .map(|(idempotency_key, topic, payload)| {
                    Ok(hoso_engine::case::OutboxMessage {
                        idempotency_key,
                        topic,
                        payload: serde_json::from_str(&payload).map_err(|error| {
                            StoreError::Corrupt(format!("outbox payload: {error}"))
                        })?,
                    })
                })
                .collect()
        })
    }
}

impl AnyStore {
    /// What `/metrics` reads of the store when scraped: messages waiting and dead, and the due
    /// instant (microseconds) of the most overdue timer at `now`, if one is late.
    pub async fn gauges(&self, now: DateTime<Utc>) -> Result<StoreGauges, StoreError> {
        with_pool!(self, |pool| {
            let (pending, dead, oldest_due): (i64, i64, Option<i64>) = sqlx::query_as(
                "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending'), \
                 (SELECT count(*) FROM outbox WHERE state = 'dead'), \
                 (SELECT min(due_at) FROM timers WHERE due_at <= $1)",
            )
            .bind(rows::micros(now))
            .fetch_one(pool)
            .await
            .map_err(unavailable)?;
            let lag = oldest_due.map_or(0, |due| (rows::micros(now) - due).max(0) / 1_000_000);
            Ok(StoreGauges {
                outbox_backlog: u64::try_from(pending).unwrap_or_default(),
                dead_letters: u64::try_from(dead).unwrap_or_default(),
                timer_lag_seconds: u64::try_from(lag).unwrap_or_default(),
            })
        })
    }
}

/// The store's state as `/metrics` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreGauges {
    /// Side effects waiting for delivery.
    pub outbox_backlog: u64,
    /// Side effects given up on (dead letters), waiting for an operator.
    pub dead_letters: u64,
    /// Seconds the most overdue timer has waited past its due instant (0 when none is late).
    pub timer_lag_seconds: u64,
}
