//! Acting on a dossier: an officer's or applicant's action (built-in or the procedure's own),
//! and the applicant's answer to a supplement request. The dossier is read once, for the access
//! check, and decided on as read.

use hoso_engine::case::{BuiltIn, Command, ResultDocument};
use hoso_engine::messages::{Denial, RequestProblem};
use hoso_engine::service::{Request as CommandRequest, Target};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::dossiers::{DossierView, load_readable, require_actor, view};
use super::idempotency::{checked_key, claim_command_id, request_hash};
use super::uploads::{settle_uploads, stage};
use super::{AppError, AppState, Principal};
use crate::documents::DocumentType;

/// An action on a dossier: a procedure action id (e.g. chuyen_tham_dinh) or a built-in command
/// by name (`hoso_engine::case::BUILT_IN`, listed in docs/api.md), with its fields in `data`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// Which action.
    pub action: String,
    /// The version the caller saw; 409 if the dossier changed since.
    pub expected_version: Option<u64>,
    /// A reason or note (required to refuse, stop, extend, ask for a supplement).
    pub reason: Option<String>,
    /// The action's other fields, e.g. `missing` for request_supplement.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub data: Map<String, Value>,
}

/// The engine command an action request stands for: a built-in command by its name, else a
/// procedure action by its id.
pub fn command_of(request: &ActionRequest) -> Result<Command, AppError> {
    if BuiltIn::named(&request.action).is_none() {
        if request.action == "submit" || request.action == "raise_deadline" {
            return Err(AppError::field(
                "/action",
                RequestProblem::NotThroughThisEndpoint {
                    action: request.action.clone(),
                },
            ));
        }
        return Ok(Command::TakeAction {
            action: request.action.clone(),
            reason: request.reason.clone(),
            data: request.data.clone(),
            results: Vec::new(),
        });
    }
    if request.data.contains_key("results") {
        return Err(AppError::field(
            "/data/results",
            RequestProblem::ResultsAreUploaded,
        ));
    }
    let mut object = request.data.clone();
    object.insert("command".to_owned(), Value::String(request.action.clone()));
    if let Some(reason) = &request.reason {
        object
            .entry("reason".to_owned())
            .or_insert_with(|| Value::String(reason.clone()));
    }
    serde_json::from_value(Value::Object(object)).map_err(|error| {
        AppError::field(
            "/data",
            RequestProblem::BodyShape {
                detail: format!("{error} (for action `{}`)", request.action),
            },
        )
    })
}

/// Takes an action on a dossier. With a key (the header's bytes, checked after who may act), a
/// retry returns the first result.
pub async fn act(
    state: &AppState,
    principal: &Principal,
    code: &str,
    key: Option<&[u8]>,
    request: &ActionRequest,
) -> Result<DossierView, AppError> {
    let case = load_readable(state, principal, code).await?;
    let actor = require_actor(principal)?;
    let command = command_of(request)?;
    let command_id = match key {
        Some(key) => {
            let key = checked_key(Some(key))?;
            let request_hash =
                request_hash(&serde_json::json!({ "dossier": code, "command": command }))?;
            claim_command_id(state, principal, &key, &request_hash).await?
        }
        None => uuid::Uuid::now_v7().to_string(),
    };
    let executed = state
        .execute(CommandRequest {
            command_id,
            actor: actor.clone(),
            target: Target::Read(Box::new(case)),
            expected_version: request.expected_version,
            command,
        })
        .await?;
    view(state, &executed.case, Some(&actor))
}

/// A file as a page or a client uploaded it, before it is checked.
pub struct Upload<'a> {
    /// The dossier component it is for.
    pub component: &'a str,
    /// The file's name as sent.
    pub file_name: &'a str,
    /// Its content.
    pub bytes: &'a [u8],
}

/// The uploads of a multipart form's file parts: (component, file name, content) each.
pub fn uploads(files: &[(String, String, axum::body::Bytes)]) -> Vec<Upload<'_>> {
    files
        .iter()
        .map(|(component, file_name, bytes)| Upload {
            component,
            file_name,
            bytes,
        })
        .collect()
}

/// The applicant answers a supplement request with the documents asked for (nộp bổ sung). Who
/// may act is checked before any file is looked at; then each file must be a PDF, PNG or JPEG
/// within the upload limit, and all are staged until the command commits.
pub async fn answer_supplement(
    state: &AppState,
    principal: &Principal,
    code: &str,
    uploads: &[Upload<'_>],
) -> Result<DossierView, AppError> {
    let case = load_readable(state, principal, code).await?;
    let actor = require_actor(principal)?;
    let refused: Vec<String> = uploads
        .iter()
        .filter(|upload| {
            upload.bytes.len() > state.limits.upload_bytes
                || DocumentType::sniff(upload.bytes).is_none()
        })
        .map(|upload| upload.file_name.to_owned())
        .collect();
    if !refused.is_empty() {
        return Err(AppError::UnsupportedType(
            Denial::FilesNotTaken {
                names: refused,
                limit_mb: state.limits.upload_bytes / (1024 * 1024),
                pdf_only: false,
            }
            .into(),
        ));
    }
    let mut documents = Vec::with_capacity(uploads.len());
    let mut staged = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let (document, file) =
            stage(state, upload.component, upload.file_name, upload.bytes).await?;
        documents.push(document);
        staged.push(file);
    }
    let executed = state
        .execute(CommandRequest {
            command_id: uuid::Uuid::now_v7().to_string(),
            actor: actor.clone(),
            target: Target::Read(Box::new(case)),
            expected_version: None,
            command: Command::SubmitSupplement {
                form: Map::new(),
                documents,
            },
        })
        .await;
    settle_uploads(&executed, staged).await;
    view(state, &executed?.case, Some(&actor))
}

/// The decision that issues the result, with its electronic result files (ban hành kết quả điện
/// tử): `issue_result`, or the procedure's approving action that issues it. Each file must be a
/// PDF within the upload limit; its signatures (and signers' names) are read from it, its
/// SHA-256 goes into the event, and the file is kept like an upload once the command commits.
pub async fn act_with_results(
    state: &AppState,
    principal: &Principal,
    code: &str,
    request: &ActionRequest,
    files: &[Upload<'_>],
) -> Result<DossierView, AppError> {
    let case = load_readable(state, principal, code).await?;
    let actor = require_actor(principal)?;
    let mut command = command_of(request)?;
    let refused: Vec<String> = files
        .iter()
        .filter(|file| {
            file.bytes.len() > state.limits.upload_bytes
                || DocumentType::sniff(file.bytes) != Some(DocumentType::Pdf)
        })
        .map(|file| file.file_name.to_owned())
        .collect();
    if !refused.is_empty() {
        return Err(AppError::UnsupportedType(
            Denial::FilesNotTaken {
                names: refused,
                limit_mb: state.limits.upload_bytes / (1024 * 1024),
                pdf_only: true,
            }
            .into(),
        ));
    }
    let mut results = Vec::with_capacity(files.len());
    let mut staged = Vec::with_capacity(files.len());
    for file in files {
        let (document, kept) = stage(state, "ket_qua", file.file_name, file.bytes).await?;
        let signatures = crate::pdf::pdf_signatures(file.bytes);
        results.push(ResultDocument {
            name: document.name,
            sha256: document.sha256.unwrap_or_default(),
            size: document.size.unwrap_or_default(),
            signed: !signatures.is_empty(),
            signers: signatures
                .into_iter()
                .filter_map(|signature| signature.signer)
                .collect(),
        });
        staged.push(kept);
    }
    match &mut command {
        Command::TakeAction { results: slot, .. } | Command::IssueResult { results: slot, .. } => {
            *slot = results;
        }
        _ => {
            return Err(AppError::field(
                "/action",
                RequestProblem::TakesNoResultFiles {
                    action: request.action.clone(),
                },
            ));
        }
    }
    let executed = state
        .execute(CommandRequest {
            command_id: uuid::Uuid::now_v7().to_string(),
            actor: actor.clone(),
            target: Target::Read(Box::new(case)),
            expected_version: request.expected_version,
            command,
        })
        .await;
    settle_uploads(&executed, staged).await;
    view(state, &executed?.case, Some(&actor))
}
