//! Online fee payment. Only the gateway's server-to-server notification (IPN), or a
//! reconciliation query to the gateway, marks a fee paid; the citizen's browser returning from the
//! gateway never does. Settling is idempotent: the payment becomes a dossier command whose id is
//! derived from the attempt, so a repeated IPN records nothing twice.

pub mod vnpay;

use chrono::{DateTime, Utc};
use hoso_engine::case::{Actor, Command, DossierCode, EventKind};
use hoso_engine::money::Money;
use hoso_engine::ports::{PaymentRecord, PaymentState, Payments, Store, StoreError};
use hoso_engine::service::{Request, Service, ServiceError, Target};

/// A fresh attempt reference: the Vietnam date and 10 random hex digits, e.g. `260302A1B2C3D4E5`.
pub fn new_txn_ref(now: DateTime<Utc>) -> Result<String, getrandom::Error> {
    let mut random = [0_u8; 5];
    getrandom::fill(&mut random)?;
    Ok(format!(
        "{}{}",
        now.with_timezone(&hoso_engine::clock::vietnam())
            .format("%y%m%d"),
        hex::encode_upper(random)
    ))
}

/// What settling did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// The payment was recorded on the dossier and the attempt marked paid.
    Paid,
    /// The attempt was marked failed (the citizen cancelled, the card was refused…).
    Failed,
    /// The gateway took the money but the dossier cannot take it (more than is still due, or
    /// closed): recorded as a refund due, listed by `hoso payments refunds`.
    RefundDue,
    /// The attempt was already final; nothing changed.
    AlreadyFinal,
}

/// How long VNPAY keeps a payment page open (`vnp_ExpireDate`): an attempt younger than this can
/// still be paid, so a second start reuses it instead of opening another.
pub const ATTEMPT_LIFETIME_MINUTES: i64 = 15;

/// The attempt a dossier's applicant can still pay, if one was started within
/// [`ATTEMPT_LIFETIME_MINUTES`] for this amount.
pub async fn open_attempt<S: Store + Payments>(
    service: &Service<S>,
    code: &DossierCode,
    amount: Money,
    now: DateTime<Utc>,
) -> Result<Option<PaymentRecord>, StoreError> {
    Ok(service
        .store()
        .payments_for(code)
        .await?
        .into_iter()
        .find(|record| {
            record.state == PaymentState::Pending
                && record.amount == amount
                && now - record.created_at < chrono::Duration::minutes(ATTEMPT_LIFETIME_MINUTES)
        }))
}

/// Settles a pending attempt with the gateway's verdict.
pub async fn settle<S: Store + Payments>(
    service: &Service<S>,
    record: &PaymentRecord,
    success: bool,
    gateway_transaction: &str,
    gateway_response: &str,
) -> Result<Settled, StoreError> {
    if record.state != PaymentState::Pending {
        return Ok(Settled::AlreadyFinal);
    }
    let mut state = if success {
        PaymentState::Paid
    } else {
        PaymentState::Failed
    };
    if success {
        let request = Request {
            command_id: format!("payment:{}:{}", record.gateway, record.txn_ref),
            actor: Actor::system(record.gateway.clone()),
            target: Target::Existing(record.case_code.clone()),
            expected_version: None,
            command: Command::RecordPayment {
                amount: record.amount,
                reference: format!(
                    "{} {gateway_transaction} ({})",
                    record.gateway.to_uppercase(),
                    record.txn_ref
                ),
            },
        };
        match service.execute(request, Utc::now()).await {
            // The dossier recorded the money as owed back (more than was due, or closed).
            Ok(executed)
                if executed
                    .events
                    .iter()
                    .any(|event| matches!(event.kind, EventKind::RefundDue { .. })) =>
            {
                state = PaymentState::RefundDue;
            }
            Ok(_) => {}
            // Refused by the dossier's rules: the money cannot be taken, a refund is due.
            Err(refused @ ServiceError::Rejected(_)) => {
                tracing::warn!(txn_ref = %record.txn_ref, %refused, "payment the dossier cannot take: refund due");
                state = PaymentState::RefundDue;
            }
            // Anything else (a conflict with an officer's action, the store) is not a verdict:
            // the attempt stays pending and the gateway's retry, or reconciliation, settles it.
            Err(ServiceError::Store(error)) => return Err(error),
            Err(other) => return Err(StoreError::Unavailable(other.to_string())),
        }
    }
    let changed = service
        .store()
        .settle_payment(
            &record.txn_ref,
            state,
            gateway_transaction,
            gateway_response,
            Utc::now(),
        )
        .await?;
    Ok(match (changed, state) {
        (false, _) => Settled::AlreadyFinal,
        (true, PaymentState::Paid) => Settled::Paid,
        (true, PaymentState::RefundDue) => Settled::RefundDue,
        (true, PaymentState::Failed | PaymentState::Pending) => Settled::Failed,
    })
}

/// What a reconciliation pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Attempts asked about.
    pub checked: usize,
    /// Found paid at the gateway and recorded.
    pub paid: usize,
    /// Found failed (or never seen by the gateway, long after expiry) and closed.
    pub failed: usize,
    /// Still undecided, or the gateway's answer did not verify.
    pub unchanged: usize,
}

/// Every `every`, until `shutdown`, reconciles the VNPAY payments pending longer than `after`
/// ([`reconcile_vnpay`]): a payment whose IPN never came is settled within minutes, without an
/// operator. Several nodes may run this: settling a payment twice is refused by its state.
pub async fn run_reconciliation<S: Store + Payments>(
    service: std::sync::Arc<Service<S>>,
    settings: vnpay::VnpaySettings,
    every: std::time::Duration,
    after: chrono::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(every) => {}
        }
        // A pass may wait on VNPAY; a shutdown does not wait for it (a settled payment is
        // committed whole or not at all).
        let pass = tokio::select! {
            () = &mut shutdown => return,
            pass = reconcile_vnpay(&service, &settings, after, Utc::now()) => pass,
        };
        match pass {
            Ok(report) if report.checked > 0 => tracing::info!(
                checked = report.checked,
                paid = report.paid,
                failed = report.failed,
                unchanged = report.unchanged,
                "VNPAY payments reconciled"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "VNPAY reconciliation failed; retrying next pass"),
        }
    }
}

/// Asks VNPAY (`querydr`) about attempts still pending after `older_than`, and settles what it
/// knows: the IPN may have been lost.
pub async fn reconcile_vnpay<S: Store + Payments>(
    service: &Service<S>,
    settings: &vnpay::VnpaySettings,
    older_than: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Reconciled, String> {
    crate::tls::install_crypto_provider();
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|error| error.to_string())?;
    let mut report = Reconciled::default();
    let pending = service
        .store()
        .pending_payments(now - older_than)
        .await
        .map_err(|error| error.to_string())?;
    for record in pending.iter().filter(|record| record.gateway == "vnpay") {
        report.checked += 1;
        let request_id = new_txn_ref(now).map_err(|error| error.to_string())?;
        let body = vnpay::querydr_body(
            settings,
            &request_id,
            &record.txn_ref,
            &record.create_date,
            now,
            "127.0.0.1",
        );
        let answer: serde_json::Value = match http.post(&settings.api_url).json(&body).send().await
        {
            Ok(response) => match response.json().await {
                Ok(answer) => answer,
                Err(error) => {
                    tracing::warn!(txn_ref = %record.txn_ref, %error, "querydr answered garbage");
                    report.unchanged += 1;
                    continue;
                }
            },
            Err(error) => {
                tracing::warn!(txn_ref = %record.txn_ref, %error, "querydr unreachable");
                report.unchanged += 1;
                continue;
            }
        };
        if !vnpay::querydr_response_verifies(&settings.hash_secret, &answer) {
            tracing::warn!(txn_ref = %record.txn_ref, "querydr answer does not verify; ignored");
            report.unchanged += 1;
            continue;
        }
        let text = |name: &str| vnpay::field(&answer, name);
        let amount_matches =
            text("vnp_Amount").parse::<u64>().ok() == Some(record.amount.as_dong() * 100);
        let verdict = match (
            text("vnp_ResponseCode").as_str(),
            text("vnp_TransactionStatus").as_str(),
        ) {
            ("00", "00") if amount_matches => Some(true),
            ("00", "02") => Some(false),
            ("91", _) if now - record.created_at > chrono::Duration::days(1) => Some(false),
            _ => None,
        };
        match verdict {
            Some(success) => {
                let settled = settle(
                    service,
                    record,
                    success,
                    &text("vnp_TransactionNo"),
                    &answer.to_string(),
                )
                .await
                .map_err(|error| error.to_string())?;
                match settled {
                    Settled::Paid | Settled::RefundDue => report.paid += 1,
                    Settled::Failed => report.failed += 1,
                    Settled::AlreadyFinal => report.unchanged += 1,
                }
            }
            None => report.unchanged += 1,
        }
    }
    Ok(report)
}
