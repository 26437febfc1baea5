//! Which calendar files were put in force, by their fingerprints.

use chrono::{DateTime, Utc};
use hoso_engine::ports::StoreError;

use hoso_engine::ports::CalendarVersions;

use super::{AnyStore, rows, unavailable, with_pool};

impl CalendarVersions for AnyStore {
    /// Records a calendars version and its years, once.
    async fn record_calendar_version(
        &self,
        version: &str,
        years: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO calendar_versions (version, years, recorded_at) VALUES ($1, $2, $3) \
             ON CONFLICT (version) DO NOTHING",
            )
            .bind(version)
            .bind(years)
            .bind(rows::micros(now))
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Every recorded calendars version with its years, oldest first.
    async fn calendar_versions(&self) -> Result<Vec<(String, String)>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT version, years FROM calendar_versions ORDER BY recorded_at, version",
            )
            .fetch_all(pool)
            .await
            .map_err(unavailable)
        })
    }
}
