//! Dossiers and their events: the projection read for lists and inboxes, the event log, command
//! ids, published procedure versions.

use chrono::{DateTime, Utc};
use hoso_engine::ports::StoreError;

use super::{AnyStore, Conn, with_pool};
use super::{
    rows, unavailable,
    write::{write_projection, write_unit_rows},
};
use hoso_engine::ports::Dossiers;
use hoso_engine::ports::Procedures;

impl AnyStore {
    /// Whether some event names a document by this SHA-256 (a scan: only for the rare
    /// upload a crash left staged).
    pub async fn document_referenced(&self, sha256: &str) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            // `1` is an INT4 on PostgreSQL, an integer on SQLite: both decode as i32.
            let found: Option<i32> =
                sqlx::query_scalar("SELECT 1 FROM events WHERE payload LIKE $1 LIMIT 1")
                    .bind(format!("%\"{sha256}\"%"))
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?;
            Ok(found.is_some())
        })
    }
}

impl Dossiers for AnyStore {
    async fn commit(
        &self,
        changes: Vec<hoso_engine::ports::Change>,
    ) -> Result<
        Vec<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>>,
        StoreError,
    > {
        super::write::commit(self, changes).await
    }

    async fn load(
        &self,
        code: &hoso_engine::case::DossierCode,
    ) -> Result<Option<hoso_engine::case::Case>, StoreError> {
        if let AnyStore::Sqlite(store) = self
            && let Some(file) = &store.file
        {
            return super::sqlite_reads::state(file, &code.to_string())?
                .map(|state| rows::parse_state(&state))
                .transpose();
        }
        with_pool!(self, |pool| {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM dossiers WHERE code = $1")
                    .bind(code.to_string())
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?;
            state.map(|state| rows::parse_state(&state)).transpose()
        })
    }

    async fn events(
        &self,
        code: &hoso_engine::case::DossierCode,
    ) -> Result<Vec<hoso_engine::case::Event>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::EventRow> = sqlx::query_as(
            "SELECT case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash FROM events WHERE case_code = $1 ORDER BY seq",
        )
        .bind(code.to_string())
        .fetch_all(pool)
        .await
        .map_err(unavailable)?;
            rows.into_iter().map(rows::EventRow::into_event).collect()
        })
    }

    async fn command(
        &self,
        command_id: &str,
    ) -> Result<Option<hoso_engine::case::DossierCode>, StoreError> {
        if let AnyStore::Sqlite(store) = self
            && let Some(file) = &store.file
        {
            return super::sqlite_reads::command(file, command_id)?
                .map(|code| rows::parse_code(&code))
                .transpose();
        }
        with_pool!(self, |pool| {
            let code: Option<String> =
                sqlx::query_scalar("SELECT case_code FROM commands WHERE command_id = $1")
                    .bind(command_id)
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?;
            code.map(|code| rows::parse_code(&code)).transpose()
        })
    }

    async fn list(
        &self,
        query: &hoso_engine::ports::CaseQuery,
    ) -> Result<Vec<hoso_engine::ports::CaseSummary>, StoreError> {
        with_pool!(self, |pool| {
            let pattern = query
                .text
                .as_ref()
                .map(|text| format!("%{}%", text.to_lowercase().replace(['%', '_'], "")));
            let rows: Vec<rows::SummaryRow> = sqlx::query_as(concat!(
                "SELECT ",
                rows::summary_columns!(),
                " FROM dossiers ",
                "WHERE ($1 IS NULL OR status = $1) ",
                "AND ($2 IS NULL OR unit = $2 OR receiving_unit = $2) ",
                "AND ($3 IS NULL OR (applicant_kind = 'citizen' AND applicant_id = $3) ",
                "OR representative_id = $3 ",
                "OR (applicant_kind = 'organisation' AND applicant_id = $7)) ",
                "AND ($4 IS NULL OR lower(code) LIKE $4 OR lower(applicant_name) LIKE $4) ",
                "ORDER BY submitted_at DESC, code DESC LIMIT $5 OFFSET $6"
            ))
            .bind(query.status.map(|status| i64::from(status.code())))
            .bind(query.unit.as_ref().map(ToString::to_string))
            .bind(query.party.clone())
            .bind(pattern)
            .bind(i64::from(query.limit.clamp(1, 500)))
            .bind(i64::from(query.offset))
            .bind(query.organisation.clone())
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            rows.into_iter()
                .map(rows::SummaryRow::into_summary)
                .collect()
        })
    }

    async fn inbox(
        &self,
        unit: &hoso_engine::case::UnitId,
        role: &str,
        limit: u32,
    ) -> Result<Vec<hoso_engine::ports::CaseSummary>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::SummaryRow> = sqlx::query_as(concat!(
                "SELECT ",
                rows::summary_columns!(),
                " FROM dossiers ",
                "WHERE attention_unit = $1 AND attention_role = $2 ",
                "ORDER BY urgency_at IS NULL, urgency_at, submitted_at LIMIT $3"
            ))
            .bind(unit.to_string())
            .bind(role)
            .bind(i64::from(limit.clamp(1, 500)))
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            rows.into_iter()
                .map(rows::SummaryRow::into_summary)
                .collect()
        })
    }

    async fn consultations_for(
        &self,
        unit: &hoso_engine::case::UnitId,
        limit: u32,
    ) -> Result<Vec<hoso_engine::ports::CaseSummary>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<rows::SummaryRow> = sqlx::query_as(concat!(
                "SELECT ",
                rows::summary_columns!(),
                " FROM dossiers WHERE code IN ",
                "(SELECT case_code FROM open_consultations WHERE unit = $1) ",
                "ORDER BY submitted_at, code LIMIT $2"
            ))
            .bind(unit.to_string())
            .bind(i64::from(limit.clamp(1, 500)))
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            rows.into_iter()
                .map(rows::SummaryRow::into_summary)
                .collect()
        })
    }

    async fn codes(&self) -> Result<Vec<hoso_engine::case::DossierCode>, StoreError> {
        with_pool!(self, |pool| {
            let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM dossiers ORDER BY code")
                .fetch_all(pool)
                .await
                .map_err(unavailable)?;
            codes.iter().map(|code| rows::parse_code(code)).collect()
        })
    }

    async fn replace_projection(
        &self,
        case: &hoso_engine::case::Case,
        attention: Option<&hoso_engine::ports::Attention>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            // The projection and its per-unit rows change together, or not at all.
            let mut transaction = backend::begin(pool).await.map_err(unavailable)?;
            write_projection(&mut Conn::from(&mut *transaction), case, attention, None).await?;
            write_unit_rows(&mut Conn::from(&mut *transaction), case).await?;
            transaction.commit().await.map_err(unavailable)?;
            Ok(())
        })
    }
}

impl Procedures for AnyStore {
    async fn publish_procedure(
        &self,
        code: &str,
        version: u32,
        definition: &str,
        now: DateTime<Utc>,
    ) -> Result<hoso_engine::ports::Published, StoreError> {
        with_pool!(self, |pool| {
            let sha256 = rows::sha256_hex(definition);
            let inserted = sqlx::query(
            "INSERT INTO procedures (code, version, definition, sha256, published_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code, version) DO NOTHING",
        )
        .bind(code)
        .bind(i64::from(version))
        .bind(definition)
        .bind(&sha256)
        .bind(rows::micros(now))
        .execute(pool)
        .await
        .map_err(unavailable)?;
            if inserted.rows_affected() == 1 {
                return Ok(hoso_engine::ports::Published::New);
            }
            let stored: String = sqlx::query_scalar(
                "SELECT sha256 FROM procedures WHERE code = $1 AND version = $2",
            )
            .bind(code)
            .bind(i64::from(version))
            .fetch_one(pool)
            .await
            .map_err(unavailable)?;
            Ok(if stored == sha256 {
                hoso_engine::ports::Published::Unchanged
            } else {
                hoso_engine::ports::Published::Differs
            })
        })
    }

    async fn procedures(&self) -> Result<Vec<hoso_engine::ports::StoredProcedure>, StoreError> {
        with_pool!(self, |pool| {
            let rows: Vec<(String, i64, String, String, i64)> =
            sqlx::query_as("SELECT code, version, definition, sha256, published_at FROM procedures ORDER BY code, version")
                .fetch_all(pool)
                .await
                .map_err(unavailable)?;
            rows.into_iter()
                .map(|(code, version, definition, sha256, published_at)| {
                    Ok(hoso_engine::ports::StoredProcedure {
                        code,
                        version: u32::try_from(version).map_err(|_| {
                            StoreError::Corrupt(format!("procedure version {version}"))
                        })?,
                        definition,
                        sha256,
                        published_at: rows::instant(published_at)?,
                    })
                })
                .collect()
        })
    }
}
