//! Durable timers: a dossier's deadline warnings and overdue marks, claimed under a lease.

use chrono::{DateTime, Utc};
use hoso_engine::ports::StoreError;

use super::{AnyStore, rows, unavailable, with_pool};
use hoso_engine::ports::Timers;

impl AnyStore {
    /// Adds timers, one multi-row statement per thousand (for seeding benchmarks).
    pub async fn insert_timers(
        &self,
        timers: &[(String, hoso_engine::case::Timer)],
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            for chunk in timers.chunks(1000) {
                let mut insert = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO timers (case_code, deadline, passed, due_at) ",
                );
                insert.push_values(chunk, |mut row, (code, timer)| {
                    row.push_bind(code)
                        .push_bind(rows::deadline_name(timer.deadline))
                        .push_bind(i64::from(timer.passed))
                        .push_bind(rows::micros(timer.due_at));
                });
                insert.build().execute(pool).await.map_err(unavailable)?;
            }
            Ok(())
        })
    }
}

impl Timers for AnyStore {
    async fn claim_due_timers(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(hoso_engine::case::DossierCode, hoso_engine::case::Timer)>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(backend::CLAIM_TIMERS)
                .bind(rows::micros(lease_until))
                .bind(rows::micros(now))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
                .map_err(unavailable)?;
            let mut claimed = rows
                .into_iter()
                .map(|(code, deadline, passed, due_at)| {
                    Ok((
                        rows::parse_code(&code)?,
                        rows::timer_of((deadline, passed, due_at))?,
                    ))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            claimed.sort_by_key(|(_, timer)| timer.due_at);
            Ok(claimed)
        })
    }

    async fn release_timer(
        &self,
        code: &hoso_engine::case::DossierCode,
        timer: &hoso_engine::case::Timer,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM timers WHERE case_code = $1 AND deadline = $2 AND passed = $3 AND due_at = $4")
            .bind(code.to_string())
            .bind(rows::deadline_name(timer.deadline))
            .bind(i64::from(timer.passed))
            .bind(rows::micros(timer.due_at))
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    async fn timers(
        &self,
        code: &hoso_engine::case::DossierCode,
    ) -> Result<Vec<hoso_engine::case::Timer>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT deadline, passed, due_at FROM timers WHERE case_code = $1 ORDER BY due_at, deadline, passed")
                .bind(code.to_string())
                .fetch_all(pool)
                .await
                .map_err(unavailable)?;
            rows.into_iter().map(rows::timer_of).collect()
        })
    }
}
