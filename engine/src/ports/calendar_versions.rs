//! Which calendar files were put in force, by their fingerprints: a start or a reload that finds
//! a year changed recomputes the dossiers counted on it.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;

/// The calendar versions put in force.
pub trait CalendarVersions: Send + Sync + 'static {
    /// Records a calendars version and its years, once.
    fn record_calendar_version(
        &self,
        version: &str,
        years: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every recorded calendars version with its years, oldest first.
    fn calendar_versions(
        &self,
    ) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;
}
