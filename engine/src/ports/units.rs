//! The unit directory as stored: units and routes, written together so a file of both is
//! imported whole or not at all.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::case::{Directory, Route, UnitEntry};

/// The stored unit directory.
pub trait Units: Send + Sync + 'static {
    /// The whole directory.
    fn directory(&self) -> impl Future<Output = Result<Directory, StoreError>> + Send;

    /// Adds or replaces these units and routes in one transaction.
    fn save_units(
        &self,
        units: &[UnitEntry],
        routes: &[Route],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
