//! Payment attempts at the gateway and how each was settled.

use chrono::{DateTime, Utc};
use hoso_engine::ports::StoreError;

use super::{AnyStore, rows, unavailable, with_pool};

/// One payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// The gateway reference, unique per attempt.
    pub txn_ref: String,
    /// The dossier.
    pub case_code: String,
    /// Which gateway.
    pub gateway: String,
    /// Amount in đồng.
    pub amount: u64,
    /// pending, paid, failed, or refund_due (the money was taken but the dossier could not take
    /// it: more than was due, or the dossier closed meanwhile).
    pub state: String,
    /// The creation time as sent to the gateway (VNPAY's vnp_CreateDate).
    pub create_date: String,
    /// When created.
    pub created_at: DateTime<Utc>,
}

impl AnyStore {
    /// Records a new payment attempt.
    pub async fn insert_payment(&self, payment: &PaymentRecord) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO payments (txn_ref, case_code, gateway, amount, state, create_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&payment.txn_ref)
        .bind(&payment.case_code)
        .bind(&payment.gateway)
        .bind(i64::try_from(payment.amount).unwrap_or(i64::MAX))
        .bind(&payment.state)
        .bind(&payment.create_date)
        .bind(rows::micros(payment.created_at))
        .execute(pool)
        .await
        .map_err(unavailable)?;
            Ok(())
        })
    }

    /// A payment attempt by its reference.
    pub async fn payment(&self, txn_ref: &str) -> Result<Option<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments WHERE txn_ref = $1",
        )
        .bind(txn_ref)
        .fetch_optional(pool)
        .await
        .map_err(unavailable)?;
            row.map(rows::payment_of).transpose()
        })
    }

    /// A dossier's payment attempts, newest first.
    pub async fn payments_for(&self, case_code: &str) -> Result<Vec<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
             WHERE case_code = $1 ORDER BY created_at DESC, txn_ref",
        )
        .bind(case_code)
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter().map(rows::payment_of).collect()
        })
    }

    /// Attempts in one state (e.g. `refund_due`), oldest first.
    pub async fn payments_in(&self, state: &str) -> Result<Vec<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
             WHERE state = $1 ORDER BY created_at, txn_ref",
        )
        .bind(state)
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter().map(rows::payment_of).collect()
        })
    }

    /// Pending attempts created before `before`, oldest first.
    pub async fn pending_payments(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
             WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 500",
        )
        .bind(rows::micros(before))
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter().map(rows::payment_of).collect()
        })
    }

    /// Moves a pending attempt to `state`; false when it was no longer pending.
    pub async fn settle_payment(
        &self,
        txn_ref: &str,
        state: &str,
        gateway_transaction: &str,
        gateway_response: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let updated = sqlx::query(
            "UPDATE payments SET state = $1, gateway_transaction = $2, gateway_response = $3, updated_at = $4 \
             WHERE txn_ref = $5 AND state = 'pending'",
        )
        .bind(state)
        .bind(gateway_transaction)
        .bind(gateway_response.chars().take(4000).collect::<String>())
        .bind(rows::micros(now))
        .bind(txn_ref)
        .execute(pool)
        .await
        .map_err(unavailable)?;
            Ok(updated.rows_affected() == 1)
        })
    }
}
