//! An auditor verifies one dossier's tamper-evident chain: every event's hash, the chain's head
//! against the dossier's record, and the signed checkpoints that cover it.

use super::{AppError, AppState, Principal};
use crate::access::UserKind;
use crate::audit::Report;
use hoso_engine::messages::{Denial, RoleRule};

/// Verifies a dossier's chain. Auditors only; a code that names no dossier is "not found".
pub async fn verify(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Report, AppError> {
    if principal.staff_kind() != Some(UserKind::Auditor) {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::AuditorsVerify).into(),
        ));
    }
    // A code that names no live dossier (none, or archived) is "not found", as on its page.
    let case = super::dossiers::load_readable(state, principal, code).await?;
    crate::audit::verify_store(state.service.store(), Some(&case.code), None, |_, _| {})
        .await
        .map_err(|error| AppError::Internal(error.to_string()))
}
