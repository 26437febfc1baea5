//! The catalogue and publishing: anyone reads procedures; designers publish new versions.

use chrono::Utc;
use hoso_engine::messages::{Denial, RequestProblem, RoleRule, Said};
use hoso_engine::ports::{Procedures as _, Published};
use hoso_engine::procedure::Procedure;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use hoso_engine::case::FieldProblem;

use super::{AppError, AppState, Principal};
use crate::access::UserKind;

/// A procedure in the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureSummary {
    /// National code.
    pub code: String,
    /// Current version.
    pub version: u32,
    /// Name.
    pub name: String,
    /// Level: ministry, province, commune.
    pub level: String,
    /// Field (lĩnh vực).
    pub field: String,
    /// full_process or partial.
    pub online_service: String,
    /// Channels with their time limits.
    pub channels: Vec<ChannelSummary>,
}

/// A channel's time limit and whether fees can be paid online.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelSummary {
    /// direct, online or postal.
    pub channel: String,
    /// The time limit, e.g. "3 ngày làm việc".
    pub time_limit: String,
    /// Fees can be paid online.
    pub online_payment: bool,
}

fn summary_of(procedure: &Procedure) -> ProcedureSummary {
    let definition = procedure.definition();
    ProcedureSummary {
        code: definition.code.to_string(),
        version: definition.version,
        name: definition.name.clone(),
        level: serde_json::to_value(definition.level)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
        field: definition.field.clone(),
        online_service: serde_json::to_value(definition.online_service)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default(),
        channels: definition
            .channels
            .iter()
            .map(|channel| ChannelSummary {
                channel: channel.channel.as_str().to_owned(),
                time_limit: channel.time_limit.vietnamese(),
                online_payment: channel.online_payment,
            })
            .collect(),
    }
}

/// The catalogue: the current version of every procedure. Public.
pub fn catalogue(state: &AppState) -> Vec<ProcedureSummary> {
    let catalogue = state.service.catalogue();
    catalogue
        .codes()
        .iter()
        .filter_map(|code| catalogue.current(code))
        .map(|procedure| summary_of(procedure))
        .collect()
}

/// One procedure: its current definition and every published version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureDetail {
    /// The current version's definition, as in the procedure file.
    #[schema(value_type = Object)]
    pub current: Value,
    /// Every version, oldest first.
    pub versions: Vec<VersionInfo>,
    /// The current version's own actions, each with the JSON Schema of its request (the
    /// built-in commands are in the API document's `ActionRequest`).
    pub actions: Vec<super::action_schemas::ProcedureAction>,
}

/// A published version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionInfo {
    /// Version number.
    pub version: u32,
    /// Name in that version.
    pub name: String,
}

/// A procedure's current definition and every published version. Public.
pub fn detail(state: &AppState, code: &str) -> Result<ProcedureDetail, AppError> {
    let catalogue = state.service.catalogue();
    let current = catalogue.current(code).ok_or_else(|| {
        AppError::NotFound(
            Denial::NoProcedure {
                code: code.to_owned(),
            }
            .into(),
        )
    })?;
    let versions = catalogue
        .iter()
        .filter(|procedure| procedure.code().as_str() == code)
        .map(|procedure| VersionInfo {
            version: procedure.version(),
            name: procedure.definition().name.clone(),
        })
        .collect();
    Ok(ProcedureDetail {
        current: serde_json::to_value(current.definition())
            .map_err(|error| AppError::Internal(error.to_string()))?,
        versions,
        actions: super::action_schemas::procedure_actions(current),
    })
}

/// What publishing did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedVersion {
    /// National code.
    pub code: String,
    /// The version it was published as, or the published version it already is.
    pub version: u32,
    /// True when the file was already published with this content: nothing changed.
    pub unchanged: bool,
}

/// Publishes a procedure file as the version its `version` names. Designers only; a file with
/// mistakes is refused with each one located (line, column, JSON pointer, fix). A file whose
/// content is already published (as its own version, or as the newest with only the number
/// raised) changes nothing and answers that version; different content under a published
/// number, or a number that skips ahead, is a conflict naming the version to use.
pub async fn publish(
    state: &AppState,
    principal: &Principal,
    file: &[u8],
) -> Result<PublishedVersion, AppError> {
    if principal.staff_kind() != Some(UserKind::Designer) {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::OnlyDesignersPublish).into(),
        ));
    }
    let text =
        std::str::from_utf8(file).map_err(|_| AppError::field("", RequestProblem::NotUtf8))?;
    let catalogue = state.service.catalogue();
    let loaded =
        Procedure::load_with("request.toml", text, catalogue.retention()).map_err(|error| {
            AppError::Invalid(
                error
                    .diagnostics
                    .iter()
                    .map(|diagnostic| {
                        FieldProblem::new(
                            diagnostic.pointer.clone(),
                            Said::Design(Box::new(diagnostic.clone())),
                        )
                    })
                    .collect(),
            )
        })?;
    let code = loaded.code().to_string();
    let version = loaded.version();
    let same_content = |published: &Procedure| {
        let mut renumbered = loaded.definition().clone();
        renumbered.version = published.version();
        &renumbered == published.definition()
    };
    let latest = catalogue.current(&code);
    let next = latest.map_or(1, |latest| latest.version() + 1);
    let unchanged = |version| PublishedVersion {
        code: code.clone(),
        version,
        unchanged: true,
    };
    if let Some(published) = catalogue.get(&code, version) {
        return if same_content(published) {
            Ok(unchanged(version))
        } else {
            Err(AppError::Conflict(
                Denial::VersionTaken {
                    code: code.clone(),
                    version,
                    next,
                }
                .into(),
            ))
        };
    }
    if let Some(latest) = latest.filter(|latest| same_content(latest)) {
        return Ok(unchanged(latest.version()));
    }
    if version != next {
        return Err(AppError::Conflict(
            Denial::VersionNotNext {
                code: code.clone(),
                version,
                next,
            }
            .into(),
        ));
    }
    let json = serde_json::to_string(loaded.definition())
        .map_err(|error| AppError::Internal(error.to_string()))?;
    match state
        .service
        .store()
        .publish_procedure(&code, version, &json, Utc::now())
        .await?
    {
        Published::New | Published::Unchanged => {}
        Published::Differs => {
            return Err(AppError::Conflict(
                Denial::VersionRaced {
                    code: code.clone(),
                    version,
                    next: version + 1,
                }
                .into(),
            ));
        }
    }
    state.service.add_procedure(loaded);
    Ok(PublishedVersion {
        code,
        version,
        unchanged: false,
    })
}
