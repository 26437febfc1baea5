//! Published procedure versions: stored once, never changed.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{Published, StoreError, StoredProcedure};

/// Published procedure versions.
pub trait Procedures: Send + Sync + 'static {
    /// Stores a procedure version unless that version exists.
    fn publish_procedure(
        &self,
        code: &str,
        version: u32,
        definition: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Published, StoreError>> + Send;

    /// Every stored procedure version.
    fn procedures(&self) -> impl Future<Output = Result<Vec<StoredProcedure>, StoreError>> + Send;
}
