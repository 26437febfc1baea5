//! A dossier's documents, downloaded by those who may read the dossier, under a name that is safe
//! in a header.

use super::dossiers::load_readable;
use super::{AppError, AppState, Principal};
use crate::documents::DocumentType;
use hoso_engine::messages::Denial;

/// A document of a dossier, for those who may read the dossier.
pub struct Download {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its media type, from its content.
    pub media_type: &'static str,
    /// The name it was attached under, as people wrote it.
    pub name: String,
}

impl Download {
    /// The `Content-Disposition` header: a picture is shown in the browser; a PDF (which may carry
    /// script and links an applicant wrote) and anything else is saved, to be opened by the
    /// reader's own viewer; the name in ASCII for old clients and in UTF-8 (RFC 6266) so a
    /// Vietnamese name arrives whole. Quotes, slashes and control characters never pass.
    pub fn content_disposition(&self) -> String {
        let shown = self.media_type.starts_with("image/");
        let extension = match self.media_type {
            "application/pdf" => ".pdf",
            "image/png" => ".png",
            "image/jpeg" => ".jpg",
            _ => "",
        };
        let base: String = self
            .name
            .chars()
            .filter(|c| !c.is_control() && !"\"\\/".contains(*c))
            .take(120)
            .collect();
        let base = base.trim();
        let base = if base.is_empty() { "tai-lieu" } else { base };
        let lower = base.to_lowercase();
        let has_extension =
            lower.ends_with(extension) || (extension == ".jpg" && lower.ends_with(".jpeg"));
        let name = if extension.is_empty() || has_extension {
            base.to_owned()
        } else {
            format!("{base}{extension}")
        };
        let ascii: String = crate::text::folded_ascii(&name)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let encoded: String = name
            .bytes()
            .map(|byte| {
                if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
                    char::from(byte).to_string()
                } else {
                    format!("%{byte:02X}")
                }
            })
            .collect();
        format!(
            "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
            if shown { "inline" } else { "attachment" }
        )
    }
}

/// A document of the dossier by its SHA-256.
pub async fn document(
    state: &AppState,
    principal: &Principal,
    code: &str,
    id: &str,
) -> Result<Download, AppError> {
    let case = load_readable(state, principal, code).await?;
    let attached = case
        .documents
        .iter()
        .find(|document| document.sha256.as_deref() == Some(id))
        .map(|document| document.name.clone())
        .or_else(|| {
            case.result
                .iter()
                .flat_map(|result| &result.documents)
                .find(|document| document.sha256 == id)
                .map(|document| document.name.clone())
        });
    let Some(attached_name) = attached else {
        return Err(AppError::NotFound(
            Denial::NoDocument {
                dossier: case.code.to_string(),
            }
            .into(),
        ));
    };
    let bytes = state
        .documents
        .get(id)
        .await
        .map_err(|error| AppError::Internal(format!("reading a document: {error}")))?
        .ok_or_else(|| {
            AppError::Internal(format!(
                "document {id} of {} is missing from the document store",
                case.code
            ))
        })?;
    let media_type =
        DocumentType::sniff(&bytes).map_or("application/octet-stream", DocumentType::media_type);
    Ok(Download {
        bytes,
        media_type,
        name: attached_name,
    })
}

#[cfg(test)]
mod tests {
    use super::Download;

    fn disposition(name: &str, media_type: &'static str) -> String {
        Download {
            bytes: Vec::new(),
            media_type,
            name: name.to_owned(),
        }
        .content_disposition()
    }

    #[test]
    fn a_download_is_named_safely_in_ascii_and_whole_in_utf8() {
        assert_eq!(
            disposition("Ảnh CCCD.jpeg", "image/jpeg"),
            "inline; filename=\"Anh-CCCD.jpeg\"; filename*=UTF-8''%E1%BA%A2nh%20CCCD.jpeg",
            "a picture is shown, and .jpeg is already a JPEG's name"
        );
        assert_eq!(
            disposition("a\"b\r\nSet-Cookie: x", "application/pdf"),
            "attachment; filename=\"abSet-Cookie--x.pdf\"; filename*=UTF-8''abSet-Cookie%3A%20x.pdf",
            "no quote, no line break, a PDF saved"
        );
        assert_eq!(
            disposition("   ", "application/octet-stream"),
            "attachment; filename=\"tai-lieu\"; filename*=UTF-8''tai-lieu"
        );
    }
}
