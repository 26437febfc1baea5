//! Side effects written with the events that caused them: read by the service ([`Outbox`]) and
//! delivered by dispatchers ([`Delivery`]) at least once, retried, and kept as dead letters.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::case::{DossierCode, OutboxMessage};

/// The outbox as the service reads it.
pub trait Outbox: Send + Sync + 'static {
    /// Outbox messages not yet delivered, oldest first.
    fn pending_outbox(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OutboxMessage>, StoreError>> + Send;
}

/// Where an outbox message is in delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for a dispatcher (or for its next attempt).
    Pending,
    /// The peer took it.
    Delivered,
    /// Every attempt failed: a dead letter an operator can retry.
    Dead,
    /// An operator dropped it, with a reason on the dossier's timeline.
    Dropped,
}

impl DeliveryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
            Self::Dropped => "dropped",
        }
    }

    /// The state a stored name stands for.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Dead, Self::Dropped]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// An outbox message with its delivery state, as dispatchers and operators see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEntry {
    /// Row id: the order messages were written in.
    pub id: i64,
    /// Idempotency key, sent to the peer.
    pub idempotency_key: String,
    /// Which adapter delivers it.
    pub topic: String,
    /// What to deliver.
    pub payload: serde_json::Value,
    /// The dossier it is about.
    pub case_code: Option<DossierCode>,
    /// Where it is in delivery.
    #[serde(serialize_with = "delivery_state_name")]
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it will be tried next.
    pub next_attempt_at: DateTime<Utc>,
    /// The provider's id for the delivered message.
    pub provider_id: Option<String>,
    /// What the provider last reported: accepted, then its delivery report.
    pub delivery_status: Option<String>,
}

fn delivery_state_name<S: serde::Serializer>(
    state: &DeliveryState,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(state.as_str())
}

/// The outbox as dispatchers and operators work it.
pub trait Delivery: Send + Sync + 'static {
    /// Claims up to `limit` due messages of `topics` that nobody holds, until `lease_until`.
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
        topics: &[&str],
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;

    /// Marks a message delivered; false when it was no longer pending.
    fn mark_delivered(
        &self,
        id: i64,
        provider_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a failed attempt: tried again at `next_attempt_at`, or a dead letter.
    fn mark_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        dead: bool,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Puts a claimed message back until `until` without counting an attempt.
    fn defer_outbox(
        &self,
        id: i64,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Records a provider's delivery report; false when no message has that provider id.
    fn record_delivery_status(
        &self,
        provider_id: &str,
        status: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Messages, newest first, in one state or all.
    fn outbox_entries(
        &self,
        state: Option<DeliveryState>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;

    /// One message by its idempotency key.
    fn outbox_entry(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<OutboxEntry>, StoreError>> + Send;

    /// How many messages wait for delivery.
    fn outbox_backlog(&self) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Codes of the dossiers with at least one delivered message of `topic`: for "portal", the
    /// dossiers the national portal holds (indicator 1.4).
    fn delivered_dossiers(
        &self,
        topic: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}
