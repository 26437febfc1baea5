//! Evidence: the dossiers an auditor can name, signed checkpoints, and archiving past retention.

use hoso_engine::ports::StoreError;

use hoso_engine::ports::{Archive, ArchivedPayment, ArchivedRecord, Checkpoints, NotArchived};

use super::{AnyStore, rows, unavailable, with_pool};

impl AnyStore {
    /// A dossier's record row as stored, for the auditor's comparison with its events.
    pub(crate) async fn record_row(
        &self,
        code: &str,
    ) -> Result<Option<rows::RecordRow>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT code, procedure_code, procedure_version, receiving_unit, unit, status, step, applicant_id, applicant_name, applicant_kind, representative_id, \
             appointment_at, step_due_at, urgency_at, finished_at, submitted_at, version, state FROM dossiers WHERE code = $1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(unavailable)
        })
    }

    /// A dossier's raw event rows, by sequence.
    pub(crate) async fn audit_rows(&self, code: &str) -> Result<Vec<rows::EventRow>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash FROM events WHERE case_code = $1 ORDER BY seq",
        )
        .bind(code)
        .fetch_all(pool)
        .await
        .map_err(unavailable)
        })
    }

    /// Every dossier code in the events or the projections.
    pub async fn audit_codes(&self) -> Result<Vec<String>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT case_code FROM events UNION SELECT code FROM dossiers ORDER BY 1",
            )
            .fetch_all(pool)
            .await
            .map_err(unavailable)
        })
    }

    /// Whether any event or projection row names this dossier code.
    pub async fn audit_code_known(&self, code: &str) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            let found: Option<i32> = sqlx::query_scalar(
            "SELECT 1 FROM events WHERE case_code = $1 UNION SELECT 1 FROM dossiers WHERE code = $1 LIMIT 1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await
        .map_err(unavailable)?;
            Ok(found.is_some())
        })
    }

    /// The codes of the dossiers received at `unit` or routed to it (liên thông), in order.
    pub async fn codes_handled_by(
        &self,
        unit: &str,
    ) -> Result<Vec<hoso_engine::case::DossierCode>, StoreError> {
        with_pool!(self, |pool| {
            let codes: Vec<String> = sqlx::query_scalar(
                "SELECT code FROM dossiers WHERE receiving_unit = $1 \
                 UNION SELECT case_code FROM unit_stays WHERE unit = $1 ORDER BY 1",
            )
            .bind(unit)
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            codes.iter().map(|code| rows::parse_code(code)).collect()
        })
    }
}

impl Checkpoints for AnyStore {
    /// Stores a checkpoint; a sequence already taken is refused by the primary key.
    async fn insert_checkpoint(
        &self,
        checkpoint: &hoso_engine::audit::Checkpoint,
        heads: &[hoso_engine::audit::Head],
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let body = serde_json::to_string(checkpoint)
                .map_err(|error| StoreError::Corrupt(error.to_string()))?;
            let heads = serde_json::to_string(heads)
                .map_err(|error| StoreError::Corrupt(error.to_string()))?;
            sqlx::query("INSERT INTO audit_checkpoints (sequence, at, checkpoint, heads) VALUES ($1, $2, $3, $4)")
            .bind(i64::try_from(checkpoint.sequence).unwrap_or(i64::MAX))
            .bind(rows::micros(checkpoint.at))
            .bind(body)
            .bind(heads)
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    /// The latest checkpoint; its heads are not read (they grow with the dossiers).
    async fn latest_checkpoint(
        &self,
    ) -> Result<Option<hoso_engine::audit::Checkpoint>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<String> = sqlx::query_scalar(
                "SELECT checkpoint FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1",
            )
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?;
            row.map(|checkpoint| {
                serde_json::from_str(&checkpoint)
                    .map_err(|error| StoreError::Corrupt(format!("audit checkpoint: {error}")))
            })
            .transpose()
        })
    }

    /// Every checkpoint, oldest first.
    async fn checkpoints(
        &self,
    ) -> Result<
        Vec<(
            hoso_engine::audit::Checkpoint,
            Vec<hoso_engine::audit::Head>,
        )>,
        StoreError,
    > {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT checkpoint, heads FROM audit_checkpoints ORDER BY sequence")
                    .fetch_all(pool)
                    .await
                    .map_err(unavailable)?;
            rows.into_iter()
                .map(|(checkpoint, heads)| {
                    let corrupt = |error: serde_json::Error| {
                        StoreError::Corrupt(format!("audit checkpoint: {error}"))
                    };
                    Ok((
                        serde_json::from_str(&checkpoint).map_err(corrupt)?,
                        serde_json::from_str(&heads).map_err(corrupt)?,
                    ))
                })
                .collect()
        })
    }
}

impl Archive for AnyStore {
    /// Closed dossiers after `after` in code order: (code, procedure code, procedure version).
    async fn closed_dossiers(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "SELECT code, procedure_code, procedure_version FROM dossiers WHERE status IN (",
            );
            let mut closed = query.separated(", ");
            for status in hoso_engine::case::Status::ALL
                .into_iter()
                .filter(|status| status.is_closed())
            {
                closed.push_bind(i64::from(status.code()));
            }
            query.push(") AND code > ").push_bind(after);
            query
                .push(" ORDER BY code LIMIT ")
                .push_bind(i64::from(limit));
            query
                .build_query_as()
                .fetch_all(pool)
                .await
                .map_err(unavailable)
        })
    }

    /// A dossier's payment attempts and rating, which live beside its chain.
    async fn beside_chain(
        &self,
        code: &str,
    ) -> Result<(Vec<ArchivedPayment>, Option<String>, u64), StoreError> {
        with_pool!(self, |pool| {
            let payments: Vec<rows::PaymentColumns> = sqlx::query_as(
            "SELECT txn_ref, gateway, amount, state, gateway_transaction, created_at, updated_at \
             FROM payments WHERE case_code = $1 ORDER BY created_at, txn_ref",
        )
        .bind(code)
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            let rating: Option<String> =
                sqlx::query_scalar("SELECT satisfaction FROM ratings WHERE case_code = $1")
                    .bind(code)
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?;
            let undelivered: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE case_code = $1 AND state = 'pending'",
            )
            .bind(code)
            .fetch_one(pool)
            .await
            .map_err(unavailable)?;
            let payments = payments
                .into_iter()
                .map(
                    |(
                        txn_ref,
                        gateway,
                        amount,
                        state,
                        gateway_transaction,
                        created_at,
                        updated_at,
                    )| {
                        Ok(ArchivedPayment {
                            txn_ref,
                            gateway,
                            amount: u64::try_from(amount).unwrap_or_default(),
                            state,
                            gateway_transaction,
                            created_at: rows::instant(created_at)?,
                            updated_at: rows::instant(updated_at)?,
                        })
                    },
                )
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok((
                payments,
                rating,
                u64::try_from(undelivered).unwrap_or_default(),
            ))
        })
    }

    /// Removes archived dossiers and records where each went, all in one transaction. A
    /// dossier that moved on since it was read (its version changed) or has undelivered
    /// messages stops the whole batch, which then leaves the store as it was.
    async fn remove_archived(
        &self,
        records: &[ArchivedRecord],
    ) -> Result<Result<(), NotArchived>, StoreError> {
        with_pool!(self, |pool| {
            let mut transaction = backend::begin(pool).await.map_err(unavailable)?;
            for record in records {
                let not_archived = |why: &str| NotArchived {
                    code: record.code.clone(),
                    why: why.to_owned(),
                };
                let undelivered: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM outbox WHERE case_code = $1 AND state = 'pending'",
                )
                .bind(&record.code)
                .fetch_one(&mut *transaction)
                .await
                .map_err(unavailable)?;
                if undelivered > 0 {
                    return Ok(Err(not_archived(
                        "it has undelivered messages in the outbox",
                    )));
                }
                let seq = i64::try_from(record.last_seq).unwrap_or(i64::MAX);
                let removed = sqlx::query("DELETE FROM dossiers WHERE code = $1 AND version = $2")
                    .bind(&record.code)
                    .bind(seq)
                    .execute(&mut *transaction)
                    .await
                    .map_err(unavailable)?;
                if removed.rows_affected() != 1 {
                    return Ok(Err(not_archived("it changed while it was being archived")));
                }
                for statement in [
                    "DELETE FROM events WHERE case_code = $1",
                    "DELETE FROM commands WHERE case_code = $1",
                    "DELETE FROM timers WHERE case_code = $1",
                    "DELETE FROM outbox WHERE case_code = $1",
                    "DELETE FROM payments WHERE case_code = $1",
                    "DELETE FROM ratings WHERE case_code = $1",
                    "DELETE FROM unit_stays WHERE case_code = $1",
                    "DELETE FROM open_consultations WHERE case_code = $1",
                ] {
                    sqlx::query(statement)
                        .bind(&record.code)
                        .execute(&mut *transaction)
                        .await
                        .map_err(unavailable)?;
                }
                sqlx::query(
                "INSERT INTO archived_dossiers (code, archive_file, last_seq, last_hash, closed_at, archived_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&record.code)
            .bind(&record.archive_file)
            .bind(seq)
            .bind(&record.last_hash)
            .bind(rows::micros(record.closed_at))
            .bind(rows::micros(record.archived_at))
            .execute(&mut *transaction)
            .await
            .map_err(unavailable)?;
            }
            transaction.commit().await.map_err(unavailable)?;
            Ok(Ok(()))
        })
    }

    /// Every archived dossier, by code (or only `code`).
    async fn archived_dossiers(
        &self,
        code: Option<&str>,
    ) -> Result<Vec<ArchivedRecord>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, String, i64, String, i64, i64)> = sqlx::query_as(
            "SELECT code, archive_file, last_seq, last_hash, closed_at, archived_at FROM archived_dossiers \
             WHERE $1 IS NULL OR code = $1 ORDER BY code",
        )
        .bind(code)
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter()
                .map(
                    |(code, archive_file, last_seq, last_hash, closed_at, archived_at)| {
                        Ok(ArchivedRecord {
                            code,
                            archive_file,
                            last_seq: u64::try_from(last_seq).unwrap_or_default(),
                            last_hash,
                            closed_at: rows::instant(closed_at)?,
                            archived_at: rows::instant(archived_at)?,
                        })
                    },
                )
                .collect()
        })
    }
}
