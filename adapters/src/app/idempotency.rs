//! Idempotency keys: a retry of the same request returns the first result; the same key with a
//! different request is refused. A key is bound to the SHA-256 of the request's canonical JSON.

use chrono::Utc;
use hoso_engine::case::DocumentRef;
use hoso_engine::messages::Denial;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::dossiers::SubmitRequest;
use super::{AppError, AppState, Principal};
use hoso_engine::ports::Access as _;

/// Checks a caller's idempotency key, as the header's bytes: printable ASCII, 1–200 characters.
pub fn checked_key(key: Option<&[u8]>) -> Result<String, AppError> {
    let key = key.ok_or_else(|| AppError::BadRequest(Denial::KeyMissing.into()))?;
    let key = std::str::from_utf8(key)
        .ok()
        .filter(|key| {
            key.bytes()
                .all(|byte| byte == b'\t' || (0x20..0x7f).contains(&byte))
        })
        .ok_or_else(|| AppError::BadRequest(Denial::KeyShape.into()))?;
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(AppError::BadRequest(Denial::KeyShape.into()));
    }
    Ok(key.to_owned())
}

/// The command id a caller's idempotency key stands for: a new one the first time, the first
/// one on a retry with the same request, and [`AppError::KeyReused`] when the request differs.
pub async fn claim_command_id(
    state: &AppState,
    principal: &Principal,
    key: &str,
    request_hash: &str,
) -> Result<String, AppError> {
    let (stored_hash, command_id) = state
        .service
        .store()
        .claim_idempotency_key(
            &principal.key(),
            key,
            request_hash,
            &uuid::Uuid::now_v7().to_string(),
            Utc::now(),
        )
        .await?;
    if stored_hash != request_hash {
        return Err(AppError::KeyReused(Denial::KeyReused.into()));
    }
    Ok(command_id)
}

/// What an Idempotency-Key is bound to: the SHA-256 of the request's canonical JSON (object keys
/// sorted at every level), so the same request hashes the same whatever order a client wrote its
/// fields in, and whatever Rust's `Debug` output becomes.
pub fn request_hash(value: &impl Serialize) -> Result<String, AppError> {
    fn canonical(value: Value) -> Value {
        match value {
            Value::Object(object) => {
                let mut entries: Vec<(String, Value)> = object.into_iter().collect();
                entries.sort_by(|left, right| left.0.cmp(&right.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(key, value)| (key, canonical(value)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
            other => other,
        }
    }
    let value = serde_json::to_value(value)
        .map_err(|error| AppError::Internal(format!("hashing a request: {error}")))?;
    let bytes = serde_json::to_vec(&canonical(value))
        .map_err(|error| AppError::Internal(format!("hashing a request: {error}")))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// A submission's request hash: its body and each upload's component and content.
pub fn submission_hash(body: &SubmitRequest, uploads: &[DocumentRef]) -> Result<String, AppError> {
    let uploads: Vec<(&str, &str)> = uploads
        .iter()
        .map(|upload| {
            (
                upload.component.as_str(),
                upload.sha256.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    request_hash(&serde_json::json!({ "submission": body, "uploads": uploads }))
}

#[cfg(test)]
mod key_tests {
    use super::checked_key;

    #[test]
    fn a_key_is_printable_ascii_of_one_to_two_hundred_characters() {
        let refused = |key: Option<&[u8]>| match checked_key(key) {
            Err(super::AppError::BadRequest(why)) => why.to_string(),
            other => panic!("{other:?}"),
        };
        assert!(refused(None).contains("send an Idempotency-Key"));
        assert!(refused(Some("khóa".as_bytes())).contains("printable ASCII"));
        assert!(
            hoso_engine::messages::Said::from(hoso_engine::messages::Denial::KeyShape)
                .text(hoso_engine::messages::Lang::Vi)
                .contains("1 đến 200 ký tự")
        );
        assert!(refused(Some(b"")).contains("1–200"));
        assert!(refused(Some(b"two words")).contains("1–200"));
        assert!(refused(Some("k".repeat(201).as_bytes())).contains("1–200"));
        assert_eq!(
            checked_key(Some(b"0190a1b2-key")).ok().as_deref(),
            Some("0190a1b2-key")
        );
    }
}

#[cfg(test)]
mod hash_tests {
    use serde_json::json;

    #[test]
    fn the_request_hash_ignores_field_order_but_not_values() {
        let one = super::request_hash(
            &json!({ "a": 1, "form": { "x": "1", "y": [ { "p": 1, "q": 2 } ] } }),
        )
        .expect("hash");
        let reordered = super::request_hash(
            &json!({ "form": { "y": [ { "q": 2, "p": 1 } ], "x": "1" }, "a": 1 }),
        )
        .expect("hash");
        let changed = super::request_hash(
            &json!({ "a": 1, "form": { "x": "2", "y": [ { "p": 1, "q": 2 } ] } }),
        )
        .expect("hash");
        assert_eq!(one, reordered);
        assert_ne!(one, changed);
        assert_eq!(one.len(), 64);
    }
}
