//! Archiving: closed dossiers past their retention leave the live tables for archive files; what
//! was archived, and where, stays recorded so the chain can still be checked.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;

/// A payment attempt kept with an archived dossier (payments are not events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedPayment {
    /// The gateway reference.
    pub txn_ref: String,
    /// Which gateway.
    pub gateway: String,
    /// Amount in đồng.
    pub amount: u64,
    /// pending, paid or failed.
    pub state: String,
    /// The gateway's own transaction number, once settled.
    pub gateway_transaction: Option<String>,
    /// When the attempt was made.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Where an archived dossier went and the chain head it ended at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchivedRecord {
    /// The dossier code.
    pub code: String,
    /// The archive file, as an absolute path when it was written.
    pub archive_file: String,
    /// Its last event's sequence number.
    pub last_seq: u64,
    /// Its last event's hash.
    pub last_hash: String,
    /// When it closed (its last event).
    pub closed_at: DateTime<Utc>,
    /// When it was archived.
    pub archived_at: DateTime<Utc>,
}

/// A dossier that stopped an archive batch, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotArchived {
    /// The dossier code.
    pub code: String,
    /// Why it was not archived.
    pub why: String,
}

impl std::fmt::Display for NotArchived {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}: not archived: {}", self.code, self.why)
    }
}

/// Closed dossiers moved to archive files past their retention.
pub trait Archive: Send + Sync + 'static {
    /// Closed dossiers after `after` in code order: (code, procedure code, procedure version).
    fn closed_dossiers(
        &self,
        after: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(String, String, i64)>, StoreError>> + Send;

    /// A dossier's payment attempts and rating, which live beside its chain.
    fn beside_chain(
        &self,
        code: &str,
    ) -> impl Future<Output = Result<(Vec<ArchivedPayment>, Option<String>, u64), StoreError>> + Send;

    /// Removes archived dossiers and records where each went, all in one transaction. A
    /// dossier that moved on since it was read (its version changed) or has undelivered
    /// messages stops the whole batch, which then leaves the store as it was.
    fn remove_archived(
        &self,
        records: &[ArchivedRecord],
    ) -> impl Future<Output = Result<Result<(), NotArchived>, StoreError>> + Send;

    /// Every archived dossier, by code (or only `code`).
    fn archived_dossiers(
        &self,
        code: Option<&str>,
    ) -> impl Future<Output = Result<Vec<ArchivedRecord>, StoreError>> + Send;
}
