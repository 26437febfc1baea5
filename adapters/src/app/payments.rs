//! Paying fees online through VNPAY (thanh toán trực tuyến). The gateway's IPN is the only thing
//! that marks a fee paid; the browser's return only shows what hoso has recorded.

use hoso_engine::messages::{Denial, Feature, RoleRule};
use std::collections::BTreeMap;

use chrono::Utc;
use hoso_engine::case::Status;
use serde::Serialize;
use utoipa::ToSchema;

use super::dossiers::load_readable;
use super::{AppError, AppState, Principal};
use crate::payment::vnpay::{self, IpnAnswer, PaymentRequest};
use crate::payment::{Settled, new_txn_ref, open_attempt, settle};
use hoso_engine::ports::{PaymentRecord, PaymentState, Payments as _};

/// Where to send the citizen to pay.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentStarted {
    /// The gateway's page, signed.
    pub payment_url: String,
    /// This attempt's reference.
    pub txn_ref: String,
    /// Amount in đồng.
    pub amount: u64,
}

/// A payment attempt to send the citizen to, and whether it was opened now (else it was the one
/// already open for the dossier).
pub struct Attempt {
    /// Where to go.
    pub started: PaymentStarted,
    /// Opened by this request.
    pub opened_now: bool,
}

fn settings(state: &AppState) -> Result<&vnpay::VnpaySettings, AppError> {
    state
        .vnpay
        .as_deref()
        .ok_or_else(|| AppError::NotFound(Denial::NotConfigured(Feature::Payment).into()))
}

/// Starts paying a dossier's outstanding fees through VNPAY. The applicant only; `client_ip` is
/// the browser's address, which the gateway wants.
pub async fn start(
    state: &AppState,
    principal: &Principal,
    code: &str,
    client_ip: std::net::IpAddr,
) -> Result<Attempt, AppError> {
    let settings = settings(state)?;
    let case = load_readable(state, principal, code).await?;
    if !principal.follows(&case) {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::ApplicantPays).into(),
        ));
    }
    let owed = case.outstanding();
    if owed.as_dong() == 0
        || matches!(
            case.status,
            Status::NotReceived | Status::Withdrawn | Status::Stopped | Status::ResultReturned
        )
    {
        return Err(AppError::Conflict(
            Denial::OwesNothing {
                dossier: case.code.to_string(),
            }
            .into(),
        ));
    }
    let now = Utc::now();
    let order_info = vnpay::plain_text(&format!("Thanh toan phi le phi ho so {}", case.code));
    // One attempt at a time: a second start while the first can still be paid gets the first
    // again, so the fee cannot be paid twice by two open pages.
    if let Some(open) = open_attempt(&state.service, &case.code, owed, now).await? {
        let request = PaymentRequest {
            txn_ref: open.txn_ref.clone(),
            amount: open.amount.as_dong(),
            order_info,
            ip: client_ip.to_string(),
            created_at: open.created_at,
        };
        return Ok(Attempt {
            started: PaymentStarted {
                payment_url: vnpay::payment_url(settings, &request),
                txn_ref: open.txn_ref,
                amount: open.amount.as_dong(),
            },
            opened_now: false,
        });
    }
    let txn_ref =
        new_txn_ref(now).map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    let request = PaymentRequest {
        txn_ref: txn_ref.clone(),
        amount: owed.as_dong(),
        order_info,
        ip: client_ip.to_string(),
        created_at: now,
    };
    state
        .service
        .store()
        .insert_payment(&PaymentRecord {
            txn_ref: txn_ref.clone(),
            case_code: case.code.clone(),
            gateway: "vnpay".to_owned(),
            amount: owed,
            state: PaymentState::Pending,
            create_date: vnpay::vnpay_time(now),
            created_at: now,
        })
        .await?;
    Ok(Attempt {
        started: PaymentStarted {
            payment_url: vnpay::payment_url(settings, &request),
            txn_ref,
            amount: owed.as_dong(),
        },
        opened_now: true,
    })
}

/// The parameters of a gateway's query string.
fn parameters(query: Option<&str>) -> BTreeMap<String, String> {
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// VNPAY's server-to-server notification, answered in VNPAY's codes. Checked in order:
/// signature (97), order (01), amount (04), still pending (02 if not); then the result is
/// recorded (00). 99 asks VNPAY to retry.
pub async fn notification(state: &AppState, query: Option<&str>) -> Result<IpnAnswer, AppError> {
    let settings = settings(state)?;
    let params = parameters(query);
    let answer = answer_ipn(state, settings, &params).await;
    tracing::info!(txn_ref = params.get("vnp_TxnRef").map(String::as_str).unwrap_or(""), answer = ?answer, "VNPAY IPN");
    Ok(answer)
}

async fn answer_ipn(
    state: &AppState,
    settings: &vnpay::VnpaySettings,
    params: &BTreeMap<String, String>,
) -> IpnAnswer {
    if !vnpay::verify(&settings.hash_secret, params) {
        return IpnAnswer::InvalidSignature;
    }
    // Signed, but for another merchant's terminal: not an order of ours.
    if params.get("vnp_TmnCode") != Some(&settings.tmn_code) {
        return IpnAnswer::OrderNotFound;
    }
    let Some(txn_ref) = params.get("vnp_TxnRef") else {
        return IpnAnswer::OrderNotFound;
    };
    let record = match state.service.store().payment(txn_ref).await {
        Ok(Some(record)) => record,
        Ok(None) => return IpnAnswer::OrderNotFound,
        Err(_) => return IpnAnswer::UnknownError,
    };
    let paid_amount = params
        .get("vnp_Amount")
        .and_then(|amount| amount.parse::<u64>().ok());
    if paid_amount != Some(record.amount.as_dong() * 100) {
        return IpnAnswer::InvalidAmount;
    }
    if record.state != PaymentState::Pending {
        return IpnAnswer::AlreadyConfirmed;
    }
    let success = params.get("vnp_ResponseCode").map(String::as_str) == Some("00")
        && params.get("vnp_TransactionStatus").map(String::as_str) == Some("00");
    let transaction = params.get("vnp_TransactionNo").cloned().unwrap_or_default();
    let raw = serde_json::to_string(params).unwrap_or_default();
    match settle(&state.service, &record, success, &transaction, &raw).await {
        Ok(Settled::AlreadyFinal) => IpnAnswer::AlreadyConfirmed,
        Ok(_) => IpnAnswer::Confirmed,
        Err(_) => IpnAnswer::UnknownError,
    }
}

/// What the browser's return page may show: the attempt's state as hoso knows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentStatus {
    /// The attempt.
    pub txn_ref: String,
    /// pending (until VNPAY's IPN arrives), paid or failed.
    pub state: String,
    /// The dossier.
    pub dossier: String,
    /// What the attempt asks for, in đồng.
    pub amount: u64,
    /// The citizen turned back at the gateway (its response code 24): nothing will be charged.
    pub cancelled: bool,
    /// The gateway's own transaction number, the citizen's receipt to quote.
    pub gateway_transaction: Option<String>,
}

/// The citizen's browser coming back from VNPAY: the state hoso has recorded, never marking
/// anything paid itself.
pub async fn returned(state: &AppState, query: Option<&str>) -> Result<PaymentStatus, AppError> {
    let settings = settings(state)?;
    let params = parameters(query);
    if !vnpay::verify(&settings.hash_secret, &params) {
        return Err(AppError::BadRequest(Denial::GatewaySignature.into()));
    }
    let txn_ref = params.get("vnp_TxnRef").cloned().unwrap_or_default();
    let record = state
        .service
        .store()
        .payment(&txn_ref)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(
                Denial::NoPayment {
                    reference: txn_ref.clone(),
                }
                .into(),
            )
        })?;
    let code = params.get("vnp_ResponseCode").map(String::as_str);
    Ok(PaymentStatus {
        txn_ref,
        state: record.state.as_str().to_owned(),
        dossier: record.case_code.to_string(),
        amount: record.amount.as_dong(),
        // The page says what the signed return says; only the IPN changes what is recorded.
        cancelled: code == Some("24"),
        gateway_transaction: params
            .get("vnp_TransactionNo")
            .filter(|number| !number.is_empty() && number.as_str() != "0")
            .cloned(),
    })
}
