//! Paying fees online through VNPAY: the routes over [`crate::app::payments`].

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::StatusCode;

use super::api::ApiPath;
use super::error::{AppError, Problem};
use crate::app::payments::{self, PaymentStarted, PaymentStatus};
use crate::app::{AppState, Principal};

/// Starts paying a dossier's outstanding fees through VNPAY. The applicant only.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/payments/vnpay", tag = "payments",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 201, body = PaymentStarted), (status = 200, description = "the attempt already open for this dossier", body = PaymentStarted), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn start(
    State(state): State<AppState>,
    principal: Principal,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiPath(code): ApiPath<String>,
) -> Result<(StatusCode, axum::Json<PaymentStarted>), AppError> {
    let attempt = payments::start(&state, &principal, &code, peer.ip()).await?;
    let status = if attempt.opened_now {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(attempt.started)))
}

/// VNPAY's server-to-server notification. Checked in order: signature (97), order (01), amount
/// (04), still pending (02 if not); then the result is recorded (00). 99 asks VNPAY to retry.
#[utoipa::path(get, path = "/api/v1/payments/vnpay/ipn", tag = "payments",
    responses((status = 200, description = "{\"RspCode\": \"00\", \"Message\": \"Confirm Success\"}"),
        (status = 404, body = Problem, description = "Online payment is not configured on this server")))]
pub async fn ipn(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let answer = payments::notification(&state, query.as_deref()).await?;
    Ok(axum::Json(answer.body()))
}

/// The citizen's browser coming back from VNPAY: shows the state hoso has recorded; it never
/// marks anything paid itself.
#[utoipa::path(get, path = "/api/v1/payments/vnpay/return", tag = "payments",
    responses((status = 200, body = PaymentStatus), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn return_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<axum::Json<PaymentStatus>, AppError> {
    Ok(axum::Json(
        payments::returned(&state, query.as_deref()).await?,
    ))
}
