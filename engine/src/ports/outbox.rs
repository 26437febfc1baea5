//! Side effects written with the events that caused them, waiting to be delivered.

use std::future::Future;

use super::StoreError;
use crate::case::OutboxMessage;

/// The outbox as the service reads it.
pub trait Outbox: Send + Sync + 'static {
    /// Outbox messages not yet delivered, oldest first.
    fn pending_outbox(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OutboxMessage>, StoreError>> + Send;
}
