//! Uploaded documents between the request and the commit: staged while the command runs, kept
//! when it commits, removed when it is refused, left for the sweeper when nobody knows.

use axum::http::StatusCode;
use hoso_engine::messages::Denial;

use hoso_engine::case::{DocumentRef, Provenance};

use super::{AppError, AppState};
use crate::documents::Staged;

/// Stages an uploaded file (already checked for size and type) until its command commits, and
/// the document reference that names it. Dropped, the staged file is removed.
pub async fn stage(
    state: &AppState,
    component: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<(DocumentRef, Staged), AppError> {
    let staged = state.documents.stage(bytes).await.map_err(storing_failed)?;
    let document = DocumentRef {
        component: component.to_owned(),
        name: file_name.chars().take(200).collect(),
        sha256: Some(staged.sha256().to_owned()),
        size: Some(bytes.len() as u64),
        provenance: Provenance::Upload,
        reference: None,
    };
    Ok((document, staged))
}

/// Whether a body error comes from the size limit, however deep the wrappers put it: axum looks
/// only one level down, so a limit hit while a chunked multipart body streamed came back as 400.
pub fn is_body_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            return true;
        }
        current = error.source();
    }
    false
}

/// A multipart body that could not be read: 413 when it was too large, else 400.
pub fn multipart_error(error: &axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE || is_body_too_large(error) {
        AppError::TooLarge(Denial::BodyTooLarge { limit: None }.into())
    } else {
        AppError::BadRequest(
            Denial::MultipartUnreadable {
                detail: error.body_text(),
            }
            .into(),
        )
    }
}

/// Storing an upload failed: a full disk is 503 (try later), anything else a server error.
pub fn storing_failed(error: std::io::Error) -> AppError {
    if crate::documents::is_disk_full(&error) {
        AppError::Unavailable(
            "the server's disk is full and cannot keep the document now; try again later"
                .to_owned(),
        )
    } else {
        AppError::Internal(format!("storing an upload: {error}"))
    }
}

/// Moves the uploads of a committed command to their place. One that cannot be moved (a full
/// disk) stays staged — never deleted, since the dossier names it — and the sweeper moves it.
pub async fn keep_uploads(staged: Vec<Staged>) {
    for file in staged {
        let sha256 = file.sha256().to_owned();
        if let Err(error) = file.keep().await {
            tracing::warn!(%sha256, %error, "a committed upload stays staged; the sweeper will move it");
        }
    }
}

/// After a command that carried uploads: kept when it committed, left for the sweeper when it is
/// unknown whether it did (the store failed), removed when it was refused.
pub async fn settle_uploads<T>(
    outcome: &Result<T, hoso_engine::service::ServiceError>,
    staged: Vec<Staged>,
) {
    match outcome {
        Ok(_) => keep_uploads(staged).await,
        Err(hoso_engine::service::ServiceError::Store(_)) => {
            staged.into_iter().for_each(Staged::leave_for_sweeper);
        }
        Err(_) => drop(staged),
    }
}

#[cfg(test)]
mod storing_tests {

    #[test]
    fn a_full_disk_while_storing_a_document_is_503_and_other_failures_500() {
        for kind in [
            std::io::ErrorKind::StorageFull,
            std::io::ErrorKind::QuotaExceeded,
        ] {
            let answer = super::storing_failed(std::io::Error::from(kind));
            assert!(
                matches!(answer, super::AppError::Unavailable(_)),
                "{kind:?}"
            );
        }
        let answer =
            super::storing_failed(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(matches!(answer, super::AppError::Internal(_)));
    }
}
