//! An auditor verifies one dossier's tamper-evident chain: every event's hash, the chain's head
//! against the dossier's record, and the signed checkpoints that cover it.

use hoso_engine::case::DossierCode;

use super::{AppError, AppState, Principal};
use crate::access::UserKind;
use crate::audit::Report;

/// Verifies a dossier's chain. Auditors only; a code that names no dossier is "not found".
pub async fn verify(
    state: &AppState,
    principal: &Principal,
    code: &str,
) -> Result<Report, AppError> {
    if principal.staff_kind() != Some(UserKind::Auditor) {
        return Err(AppError::Forbidden(
            "verifying chains is for auditors".to_owned(),
        ));
    }
    let dossier =
        DossierCode::parse(code).map_err(|_| AppError::NotFound(format!("no dossier {code}")))?;
    crate::audit::verify_store(state.service.store(), Some(&dossier), None, |_, _| {})
        .await
        .map_err(|error| AppError::Internal(error.to_string()))
}
