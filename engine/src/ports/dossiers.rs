//! Dossiers: their events, the projection read for lists and inboxes, and the command ids that
//! make every command idempotent.

use std::future::Future;

use super::{Attention, CaseQuery, CaseSummary, Change, ChangeRefused, Committed, StoreError};
use crate::case::{Case, DossierCode, Event, UnitId};

/// The event store and its projections.
pub trait Dossiers: Send + Sync + 'static {
    /// Commits a batch in one transaction; one result per change, in order.
    fn commit(
        &self,
        changes: Vec<Change>,
    ) -> impl Future<Output = Result<Vec<Result<Committed, ChangeRefused>>, StoreError>> + Send;

    /// The dossier's current state (its projection).
    fn load(
        &self,
        code: &DossierCode,
    ) -> impl Future<Output = Result<Option<Case>, StoreError>> + Send;

    /// The dossier's events, in order.
    fn events(
        &self,
        code: &DossierCode,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;

    /// The dossier a command id was applied to, if it was.
    fn command(
        &self,
        command_id: &str,
    ) -> impl Future<Output = Result<Option<DossierCode>, StoreError>> + Send;

    /// Dossiers matching a query, newest first.
    fn list(
        &self,
        query: &CaseQuery,
    ) -> impl Future<Output = Result<Vec<CaseSummary>, StoreError>> + Send;

    /// Dossiers waiting for `role` in `unit`, most urgent first.
    fn inbox(
        &self,
        unit: &UnitId,
        role: &str,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<CaseSummary>, StoreError>> + Send;

    /// Dossiers with a consultation waiting for `unit`'s answer, oldest first.
    fn consultations_for(
        &self,
        unit: &UnitId,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<CaseSummary>, StoreError>> + Send;

    /// Every dossier code, in order.
    fn codes(&self) -> impl Future<Output = Result<Vec<DossierCode>, StoreError>> + Send;

    /// Rewrites one dossier's projection from a state rebuilt from its events.
    fn replace_projection(
        &self,
        case: &Case,
        attention: Option<&Attention>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
