//! Citizens' satisfaction ratings (Decision 766 indicator 5.4): kept apart from the dossiers,
//! without the citizen's identity, read only in aggregate.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;

/// Ratings, one per dossier.
pub trait Ratings: Send + Sync + 'static {
    /// Records a rating unless the dossier has one.
    fn insert_rating(
        &self,
        code: &str,
        unit: &str,
        satisfaction: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Whether the dossier has been rated.
    fn rating_exists(&self, code: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Every rating as (dossier code, satisfaction).
    fn ratings(&self) -> impl Future<Output = Result<Vec<(String, String)>, StoreError>> + Send;
}
