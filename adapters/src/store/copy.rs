//! Copying a whole store out and in, table by table, as JSON rows that read the same from
//! either backend: what `hoso backup` writes and `hoso restore` reads, so a backup of the
//! embedded SQLite file restores into PostgreSQL and back.

use futures_util::TryStreamExt as _;
use hoso_engine::ports::StoreError;

use super::{AnyStore, unavailable, with_pool};

/// The tables a backup carries, in an order that inserts each row after what it refers to:
/// every table but [`NOT_BACKED_UP`].
pub const BACKED_UP: &[&str] = &[
    "procedures",
    "dossier_sequences",
    "dossiers",
    "events",
    "commands",
    "outbox",
    "timers",
    "users",
    "tokens",
    "idempotency_keys",
    "payments",
    "audit_checkpoints",
    "ratings",
    "archived_dossiers",
    "web_sessions",
    "calendar_versions",
    "oidc_nonces",
    "units",
    "unit_routes",
    "open_consultations",
    "unit_stays",
    "citizen_sessions",
    "oidc_sign_ins",
];

/// The tables a backup leaves out: the two `/readyz` rewrites, and the migrations' own record
/// (the target's migrations write it).
pub const NOT_BACKED_UP: &[&str] = &["_sqlx_migrations", "readiness", "readiness_room"];

/// At most this many rows go into one INSERT of a restore.
const ROWS_PER_INSERT: usize = 500;

/// A row of one table, as a JSON object's text (column name to value; integers as numbers).
pub struct Row {
    /// The table, one of [`BACKED_UP`].
    pub table: &'static str,
    /// The row as a JSON object.
    pub json: String,
}

impl AnyStore {
    /// The schema's version: the last migration applied.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
                .fetch_one(pool)
                .await
                .map_err(unavailable)
        })
    }

    /// Reads every backed-up table in one consistent snapshot (one read transaction, while
    /// others go on writing), sending each row to `rows` in table order; returns the schema
    /// version the snapshot was read at. Stops early, with no error, when `rows` is closed
    /// (its reader failed and says why).
    pub async fn snapshot(&self, rows: tokio::sync::mpsc::Sender<Row>) -> Result<i64, StoreError> {
        with_pool!(self, |pool| {
            let mut transaction = pool.begin().await.map_err(unavailable)?;
            if matches!(self, AnyStore::Postgres(_)) {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *transaction)
                    .await
                    .map_err(unavailable)?;
            }
            let schema: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations")
                    .fetch_one(&mut *transaction)
                    .await
                    .map_err(unavailable)?;
            for &table in BACKED_UP {
                let select = match self {
                    AnyStore::Postgres(_) => {
                        format!("SELECT row_to_json(t)::text FROM {table} AS t")
                    }
                    AnyStore::Sqlite(_) => {
                        let columns: Vec<String> =
                            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                                .bind(table)
                                .fetch_all(&mut *transaction)
                                .await
                                .map_err(unavailable)?;
                        let pairs: Vec<String> = columns
                            .iter()
                            .map(|column| format!("'{column}', \"{column}\""))
                            .collect();
                        format!("SELECT json_object({}) FROM {table}", pairs.join(", "))
                    }
                };
                // Table and column names come from BACKED_UP and the schema, never from input.
                let mut found = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(select))
                    .fetch(&mut *transaction);
                while let Some(json) = found.try_next().await.map_err(unavailable)? {
                    if rows.send(Row { table, json }).await.is_err() {
                        return Ok(schema);
                    }
                }
            }
            transaction.rollback().await.map_err(unavailable)?;
            Ok(schema)
        })
    }

    /// The first backed-up table that holds a row, if any: a restore goes only into an empty
    /// store.
    pub async fn first_table_in_use(&self) -> Result<Option<&'static str>, StoreError> {
        for &table in BACKED_UP {
            let select = format!("SELECT 1 FROM {table} LIMIT 1");
            let found: Option<i32> = with_pool!(self, |pool| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(select))
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?
            });
            if found.is_some() {
                return Ok(Some(table));
            }
        }
        Ok(None)
    }

    /// Every table of the schema, sorted.
    pub async fn tables(&self) -> Result<Vec<String>, StoreError> {
        let select = match self {
            AnyStore::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            AnyStore::Postgres(_) => {
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            }
        };
        with_pool!(self, |pool| {
            sqlx::query_scalar(select)
                .fetch_all(pool)
                .await
                .map_err(unavailable)
        })
    }

    /// How many rows each backed-up table holds.
    pub async fn row_counts(&self) -> Result<Vec<(&'static str, u64)>, StoreError> {
        let mut counts = Vec::with_capacity(BACKED_UP.len());
        for &table in BACKED_UP {
            let select = format!("SELECT COUNT(*) FROM {table}");
            let count: i64 = with_pool!(self, |pool| {
                sqlx::query_scalar(sqlx::AssertSqlSafe(select))
                    .fetch_one(pool)
                    .await
                    .map_err(unavailable)?
            });
            counts.push((table, u64::try_from(count).unwrap_or_default()));
        }
        Ok(counts)
    }
}

/// Rows going into a store in one transaction: nothing is visible, and nothing is left
/// behind, until [`Filling::finish`] commits.
pub struct Filling {
    transaction: Transaction,
    /// Rows of one table waiting for the next INSERT.
    waiting: Vec<String>,
    waiting_table: Option<&'static str>,
}

enum Transaction {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl AnyStore {
    /// Begins filling this store; rows go in with [`Filling::add`].
    pub async fn fill(&self) -> Result<Filling, StoreError> {
        let transaction = match self {
            AnyStore::Sqlite(store) => {
                Transaction::Sqlite(store.pool().begin().await.map_err(unavailable)?)
            }
            AnyStore::Postgres(store) => {
                Transaction::Postgres(store.pool().begin().await.map_err(unavailable)?)
            }
        };
        Ok(Filling {
            transaction,
            waiting: Vec::new(),
            waiting_table: None,
        })
    }
}

impl Filling {
    /// Adds a row of `table` (a JSON object's text, as [`AnyStore::snapshot`] reads it).
    pub async fn add(&mut self, table: &'static str, json: String) -> Result<(), StoreError> {
        if self.waiting_table != Some(table) || self.waiting.len() >= ROWS_PER_INSERT {
            self.flush().await?;
            self.waiting_table = Some(table);
        }
        self.waiting.push(json);
        Ok(())
    }

    /// Inserts the rows waiting, one statement for them all.
    async fn flush(&mut self) -> Result<(), StoreError> {
        let Some(table) = self.waiting_table else {
            return Ok(());
        };
        if self.waiting.is_empty() {
            return Ok(());
        }
        let array = format!("[{}]", self.waiting.join(","));
        self.waiting.clear();
        match &mut self.transaction {
            Transaction::Postgres(transaction) => {
                // PostgreSQL types each value by the table's own row type.
                let insert = format!(
                    "INSERT INTO {table} SELECT * FROM json_populate_recordset(NULL::{table}, $1::json)"
                );
                sqlx::query(sqlx::AssertSqlSafe(insert))
                    .bind(array)
                    .execute(&mut **transaction)
                    .await
                    .map_err(unavailable)?;
            }
            Transaction::Sqlite(transaction) => {
                let columns: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                        .bind(table)
                        .fetch_all(&mut **transaction)
                        .await
                        .map_err(unavailable)?;
                let values: Vec<String> = columns
                    .iter()
                    .map(|column| format!("json_extract(value, '$.\"{column}\"')"))
                    .collect();
                let insert = format!(
                    "INSERT INTO {table} ({}) SELECT {} FROM json_each($1)",
                    columns
                        .iter()
                        .map(|column| format!("\"{column}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    values.join(", ")
                );
                sqlx::query(sqlx::AssertSqlSafe(insert))
                    .bind(array)
                    .execute(&mut **transaction)
                    .await
                    .map_err(unavailable)?;
            }
        }
        Ok(())
    }

    /// Inserts what is still waiting, moves PostgreSQL's outbox numbering past the rows
    /// restored, and commits.
    pub async fn finish(mut self) -> Result<(), StoreError> {
        self.flush().await?;
        match self.transaction {
            Transaction::Postgres(mut transaction) => {
                sqlx::query(
                    "SELECT setval(pg_get_serial_sequence('outbox', 'id'), \
                     COALESCE((SELECT MAX(id) FROM outbox), 0) + 1, false)",
                )
                .execute(&mut *transaction)
                .await
                .map_err(unavailable)?;
                transaction.commit().await.map_err(unavailable)?;
            }
            Transaction::Sqlite(transaction) => {
                transaction.commit().await.map_err(unavailable)?;
            }
        }
        Ok(())
    }
}
