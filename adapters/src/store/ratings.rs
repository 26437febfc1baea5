//! Citizens' ratings, kept apart from the dossiers (no identity, aggregate only).

use chrono::{DateTime, Utc};
use hoso_engine::ports::StoreError;

use hoso_engine::ports::Ratings;

use super::{AnyStore, rows, unavailable, with_pool};

impl Ratings for AnyStore {
    /// Records a rating unless the dossier has one.
    async fn insert_rating(
        &self,
        code: &str,
        unit: &str,
        satisfaction: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let inserted = sqlx::query(
            "INSERT INTO ratings (case_code, unit, satisfaction, rated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (case_code) DO NOTHING",
        )
        .bind(code)
        .bind(unit)
        .bind(satisfaction)
        .bind(rows::micros(now))
        .execute(pool)
        .await
        .map_err(unavailable)?;
            Ok(inserted.rows_affected() == 1)
        })
    }

    /// Whether the dossier has been rated.
    async fn rating_exists(&self, code: &str) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let found: Option<String> =
                sqlx::query_scalar("SELECT case_code FROM ratings WHERE case_code = $1")
                    .bind(code)
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?;
            Ok(found.is_some())
        })
    }

    /// Every rating as (dossier code, satisfaction).
    async fn ratings(&self) -> Result<Vec<(String, String)>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_as("SELECT case_code, satisfaction FROM ratings")
                .fetch_all(pool)
                .await
                .map_err(unavailable)
        })
    }
}
