//! Delivery reports from the SMS provider. The provider cannot sign in, so the callback URL
//! carries a secret token of its own (`--sms-callback-token`), compared in constant time.

use axum::extract::State;
use hoso_engine::messages::Denial;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::AppState;
use super::api::{ApiJson, ApiPath};
use super::error::{AppError, Problem};
use hoso_engine::ports::Delivery as _;

/// A delivery report: the provider's id for the message and its status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SmsReport {
    /// The provider's message id (eSMS `SMSID`).
    #[serde(rename = "SMSID")]
    pub sms_id: String,
    /// The provider's status for it.
    #[serde(rename = "SendStatus")]
    pub status: serde_json::Value,
}

/// Records an SMS delivery report against the message it concerns.
#[utoipa::path(post, path = "/api/v1/notifications/sms/{token}", tag = "notifications",
    params(("token" = String, Path, description = "The callback token configured with --sms-callback-token")),
    request_body = SmsReport,
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn sms_report(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(report): ApiJson<SmsReport>,
) -> Result<axum::http::StatusCode, AppError> {
    let expected = state
        .sms_callback_token
        .as_deref()
        .ok_or_else(|| AppError::NotFound(Denial::NoSuchResource.into()))?;
    // Equal-length digests compared without early exit: the token cannot be guessed byte by byte.
    let (given, wanted) = (
        Sha256::digest(token.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    if given
        .iter()
        .zip(wanted.iter())
        .fold(0_u8, |difference, (a, b)| difference | (a ^ b))
        != 0
    {
        return Err(AppError::NotFound(Denial::NoSuchResource.into()));
    }
    let status = report
        .status
        .as_str()
        .map_or_else(|| report.status.to_string(), str::to_owned);
    let known = state
        .service
        .store()
        .record_delivery_status(&format!("esms:{}", report.sms_id), &status)
        .await?;
    if known {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound(
            Denial::NoMessage {
                id: report.sms_id.to_string(),
            }
            .into(),
        ))
    }
}
