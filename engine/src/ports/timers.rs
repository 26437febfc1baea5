//! Durable timers: deadline warnings and overdue marks, claimed under a lease.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::case::{DossierCode, Timer};

/// The timers of every dossier.
pub trait Timers: Send + Sync + 'static {
    /// Claims up to `limit` timers due at `now` that nobody holds, until `lease_until`: a worker
    /// that dies leaves its claims to expire, and several workers never claim the same timer.
    fn claim_due_timers(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(DossierCode, Timer)>, StoreError>> + Send;

    /// Removes a timer that turned out to have nothing left to do.
    fn release_timer(
        &self,
        code: &DossierCode,
        timer: &Timer,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The timers of one dossier.
    fn timers(
        &self,
        code: &DossierCode,
    ) -> impl Future<Output = Result<Vec<Timer>, StoreError>> + Send;
}
