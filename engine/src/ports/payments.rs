//! Payment attempts at a gateway: opened when the applicant starts paying, settled once by the
//! gateway's verdict. Money is taken only through a dossier command; an attempt is the gateway's
//! side of it.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::case::DossierCode;
use crate::money::Money;

/// Where an attempt is. Only `Pending` ever changes, and only once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    /// Waiting for the gateway's verdict.
    Pending,
    /// The gateway took the money and the dossier recorded it.
    Paid,
    /// The gateway did not take the money (cancelled, refused).
    Failed,
    /// The gateway took money the dossier could not take (more than was due, or the dossier had
    /// closed): it is owed back, listed by `hoso payments refunds`.
    RefundDue,
}

impl PaymentState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::RefundDue => "refund_due",
        }
    }

    /// The state a stored name stands for.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Paid, Self::Failed, Self::RefundDue]
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// One payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// The gateway reference, unique per attempt.
    pub txn_ref: String,
    /// The dossier.
    pub case_code: DossierCode,
    /// Which gateway.
    pub gateway: String,
    /// The amount asked.
    pub amount: Money,
    /// Where the attempt is.
    pub state: PaymentState,
    /// The creation time as sent to the gateway (VNPAY's vnp_CreateDate).
    pub create_date: String,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// Payment attempts.
pub trait Payments: Send + Sync + 'static {
    /// Records a new attempt.
    fn insert_payment(
        &self,
        payment: &PaymentRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// An attempt by its reference.
    fn payment(
        &self,
        txn_ref: &str,
    ) -> impl Future<Output = Result<Option<PaymentRecord>, StoreError>> + Send;

    /// A dossier's attempts, newest first.
    fn payments_for(
        &self,
        code: &DossierCode,
    ) -> impl Future<Output = Result<Vec<PaymentRecord>, StoreError>> + Send;

    /// The attempts in one state, oldest first.
    fn payments_in(
        &self,
        state: PaymentState,
    ) -> impl Future<Output = Result<Vec<PaymentRecord>, StoreError>> + Send;

    /// Pending attempts created before `before`, oldest first (at most 500).
    fn pending_payments(
        &self,
        before: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<PaymentRecord>, StoreError>> + Send;

    /// Moves a pending attempt to `state`; false when it was no longer pending (another verdict
    /// came first).
    fn settle_payment(
        &self,
        txn_ref: &str,
        state: PaymentState,
        gateway_transaction: &str,
        gateway_response: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
