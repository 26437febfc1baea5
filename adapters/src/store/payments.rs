//! Payment attempts at the gateway and how each was settled (the [`Payments`] port).

use chrono::{DateTime, Utc};
use hoso_engine::case::DossierCode;
use hoso_engine::ports::{PaymentRecord, PaymentState, Payments, StoreError};

use super::{AnyStore, rows, unavailable, with_pool};

impl Payments for AnyStore {
    /// Records a new payment attempt.
    async fn insert_payment(&self, payment: &PaymentRecord) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO payments (txn_ref, case_code, gateway, amount, state, create_date, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&payment.txn_ref)
        .bind(payment.case_code.to_string())
        .bind(&payment.gateway)
        .bind(i64::try_from(payment.amount.as_dong()).unwrap_or(i64::MAX))
        .bind(payment.state.as_str())
        .bind(&payment.create_date)
        .bind(rows::micros(payment.created_at))
        .execute(pool)
        .await
        .map_err(unavailable)?;
            Ok(())
        })
    }

    /// A payment attempt by its reference.
    async fn payment(&self, txn_ref: &str) -> Result<Option<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<rows::PaymentRecordColumns> = sqlx::query_as(
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
    async fn payments_for(&self, code: &DossierCode) -> Result<Vec<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::PaymentRecordColumns> = sqlx::query_as(
            "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
             WHERE case_code = $1 ORDER BY created_at DESC, txn_ref",
        )
        .bind(code.to_string())
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter().map(rows::payment_of).collect()
        })
    }

    /// Attempts in one state (e.g. `refund_due`), oldest first.
    async fn payments_in(&self, state: PaymentState) -> Result<Vec<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::PaymentRecordColumns> = sqlx::query_as(
            "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
             WHERE state = $1 ORDER BY created_at, txn_ref",
        )
        .bind(state.as_str())
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter().map(rows::payment_of).collect()
        })
    }

    /// Pending attempts created before `before`, oldest first.
    async fn pending_payments(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::PaymentRecordColumns> = sqlx::query_as(
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
    async fn settle_payment(
        &self,
        txn_ref: &str,
        state: PaymentState,
        gateway_transaction: &str,
        gateway_response: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let updated = sqlx::query(
            "UPDATE payments SET state = $1, gateway_transaction = $2, gateway_response = $3, updated_at = $4 \
             WHERE txn_ref = $5 AND state = 'pending'",
        )
        .bind(state.as_str())
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
