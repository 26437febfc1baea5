//! Signed audit checkpoints: the Merkle root of every dossier's chain head at an instant, kept
//! so that a later change to any chain is evidence.

use std::future::Future;

use super::StoreError;
use crate::audit::{Checkpoint, Head};

/// Signed audit checkpoints.
pub trait Checkpoints: Send + Sync + 'static {
    /// Stores a checkpoint; a sequence already taken is refused by the primary key.
    fn insert_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        heads: &[Head],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The latest checkpoint; its heads are not read (they grow with the dossiers).
    fn latest_checkpoint(
        &self,
    ) -> impl Future<Output = Result<Option<Checkpoint>, StoreError>> + Send;

    /// Every checkpoint, oldest first.
    fn checkpoints(
        &self,
    ) -> impl Future<Output = Result<Vec<(Checkpoint, Vec<Head>)>, StoreError>> + Send;
}
