//! The event store on SQLite (embedded default) and PostgreSQL (production, several nodes).
//!
//! Both run the same SQL through one implementation ([`store_impl!`]): a batch of changes in one
//! transaction, a savepoint per change, events + projection + command record + outbox + timers
//! written together. Instants are stored as integer microseconds (UTC); JSON as text, so what is
//! read back is byte-for-byte what was hashed.

mod group;
mod postgres;
pub(crate) mod rows;
mod sqlite;

use chrono::{DateTime, Utc};
use hoso_engine::case::{Case, DossierCode, Event, OutboxMessage, Timer, UnitId};
use hoso_engine::ports::{
    Attention, CaseQuery, CaseSummary, Change, ChangeRefused, Committed, Published, Store,
    StoreError, StoredProcedure,
};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// The rows a batch writes besides the projections, gathered so each table gets one statement.
#[derive(Default)]
struct Written {
    /// (command id, dossier, when recorded).
    commands: Vec<(String, String, i64)>,
    /// Every sealed event.
    events: Vec<rows::EventRow>,
    /// (idempotency key, topic, payload, dossier).
    outbox: Vec<(String, String, String, String)>,
    /// (idempotency key, retry or drop, when) of operators' decisions on side effects.
    effects: Vec<(String, bool, i64)>,
    /// Dossiers whose timers are replaced.
    retimed: Vec<String>,
    /// (dossier, deadline, passed, due) of the replacing timers.
    timers: Vec<(String, &'static str, i64, i64)>,
}

impl Written {
    /// Adds one change's rows; `timers` is `Some` when the change replaces the dossier's timers.
    fn add(
        &mut self,
        case: &Case,
        events: &[Event],
        outbox: &[OutboxMessage],
        timers: Option<&[Timer]>,
    ) -> Result<(), StoreError> {
        let code = case.code.to_string();
        let now = rows::micros(Utc::now());
        if let Some(first) = events.first() {
            self.commands
                .push((first.command_id.clone(), code.clone(), now));
        }
        for event in events {
            self.events.push(rows::EventRow::from_event(event)?);
            let (key, retry) = match &event.kind {
                hoso_engine::case::EventKind::EffectRetried { idempotency_key } => {
                    (idempotency_key, true)
                }
                hoso_engine::case::EventKind::EffectDropped {
                    idempotency_key, ..
                } => (idempotency_key, false),
                _ => continue,
            };
            self.effects
                .push((key.clone(), retry, rows::micros(event.at)));
        }
        for message in outbox {
            self.outbox.push((
                message.idempotency_key.clone(),
                message.topic.clone(),
                message.payload.to_string(),
                code.clone(),
            ));
        }
        if let Some(timers) = timers {
            self.retimed.push(code.clone());
            for timer in timers {
                self.timers.push((
                    code.clone(),
                    rows::deadline_name(timer.deadline),
                    i64::from(timer.passed),
                    rows::micros(timer.due_at),
                ));
            }
        }
        Ok(())
    }
}

/// The inbox query as `hoso bench --seed` explains it (the store's own lists more columns).
/// Parameters: unit, role.
const INBOX_PLAN: &str = "SELECT code FROM dossiers WHERE attention_unit = $1 AND attention_role = $2 \
     ORDER BY urgency_at IS NULL, urgency_at, submitted_at LIMIT 50";
/// The due-timer scan as `hoso bench --seed` explains it. Parameter: the instant.
const DUE_TIMERS_PLAN: &str = "SELECT case_code FROM timers WHERE due_at <= $1 \
     AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY due_at LIMIT 100";

/// A store chosen by URL at start-up.
pub enum AnyStore {
    /// `sqlite://path` or `sqlite::memory:`.
    Sqlite(SqliteStore),
    /// `postgres://…`.
    Postgres(PostgresStore),
}

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call.await,
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl AnyStore {
    /// Opens the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(SqliteStore::open(url).await?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(PostgresStore::open(url).await?))
        } else {
            Err(StoreError::Unavailable(format!(
                "unsupported database URL `{}`: use sqlite://FILE or postgres://USER@HOST/DB",
                redact(url)
            )))
        }
    }

    /// The database's size on disk, for benchmarks.
    pub async fn database_bytes(&self) -> Result<u64, StoreError> {
        delegate!(self, store => store.database_bytes())
    }

    /// How the database runs the inbox query and the due-timer scan at `at`.
    pub async fn query_plans(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<(&'static str, Vec<String>)>, StoreError> {
        delegate!(self, store => store.query_plans(at))
    }

    /// A short name of the backend, for logs and benchmarks.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// The channel PostgreSQL notifies when outbox rows are committed.
    pub const OUTBOX_CHANNEL: &'static str = "hoso_outbox";

    /// On PostgreSQL, a stream of wake-ups whenever any node commits outbox rows (LISTEN); on
    /// SQLite `None`: its single dispatcher polls.
    pub async fn outbox_wakeups(
        &self,
    ) -> Result<Option<tokio::sync::mpsc::Receiver<()>>, StoreError> {
        let Self::Postgres(store) = self else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect_with(store.pool())
            .await
            .map_err(unavailable)?;
        listener
            .listen(Self::OUTBOX_CHANNEL)
            .await
            .map_err(unavailable)?;
        let (wake, wakeups) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(_) => {
                        // A full channel already holds a wake-up; that is enough.
                        if let Err(tokio::sync::mpsc::error::TrySendError::Closed(())) =
                            wake.try_send(())
                        {
                            return;
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "outbox LISTEN interrupted; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Some(wakeups))
    }

    /// Whether every migration this hoso knows is applied.
    pub async fn migrations_current(&self) -> Result<bool, StoreError> {
        delegate!(self, store => store.migrations_current())
    }

    /// Adds a user.
    pub async fn add_user(
        &self,
        user: &crate::access::User,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.add_user(user, now))
    }

    /// Stores a token's hash.
    pub async fn add_token(
        &self,
        hash: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.add_token(hash, user_id, now, expires_at))
    }

    /// Revokes a user's tokens.
    pub async fn revoke_tokens(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        delegate!(self, store => store.revoke_tokens(user_id, now))
    }

    /// The user holding a live token.
    pub async fn user_by_token(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<crate::access::User>, StoreError> {
        delegate!(self, store => store.user_by_token(hash, now))
    }

    /// Opens a browser session.
    pub async fn add_web_session(
        &self,
        session: &crate::access::NewWebSession<'_>,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.add_web_session(session))
    }

    /// The user and CSRF value of a live browser session.
    pub async fn web_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(crate::access::User, String)>, StoreError> {
        delegate!(self, store => store.web_session(id_hash, now))
    }

    /// Ends a browser session.
    pub async fn end_web_session(&self, id_hash: &str) -> Result<(), StoreError> {
        delegate!(self, store => store.end_web_session(id_hash))
    }

    /// A user by id.
    pub async fn user(&self, id: &str) -> Result<Option<crate::access::User>, StoreError> {
        delegate!(self, store => store.user(id))
    }

    /// Records or reads an Idempotency-Key.
    pub async fn claim_idempotency_key(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
        command_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, String), StoreError> {
        delegate!(self, store => store.claim_idempotency_key(principal, key, request_hash, command_id, now))
    }

    /// Whether the database answers and takes a write (a full disk is not ready).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => store.ping_with_room().await,
            Self::Postgres(store) => store.ping().await,
        }
    }

    /// Records a dossier's rating; false when it was already rated.
    pub async fn insert_rating(
        &self,
        code: &str,
        unit: &str,
        satisfaction: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, store => store.insert_rating(code, unit, satisfaction, now))
    }

    /// Whether the dossier has been rated.
    pub async fn rating_exists(&self, code: &str) -> Result<bool, StoreError> {
        delegate!(self, store => store.rating_exists(code))
    }

    /// Keeps a nonce issued for a sign-in.
    pub async fn insert_nonce(
        &self,
        nonce_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.insert_nonce(nonce_hash, expires_at, now))
    }

    /// Accepts a nonce for a token, once: see the table's migration.
    pub async fn claim_nonce(
        &self,
        nonce_hash: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, store => store.claim_nonce(nonce_hash, token_hash, now))
    }

    /// Whether some event names a document by this SHA-256.
    pub async fn document_referenced(&self, sha256: &str) -> Result<bool, StoreError> {
        delegate!(self, store => store.document_referenced(sha256))
    }

    /// A dossier's record row as stored.
    pub(crate) async fn record_row(
        &self,
        code: &str,
    ) -> Result<Option<rows::RecordRow>, StoreError> {
        delegate!(self, store => store.record_row(code))
    }

    /// Records a calendars version (its years as JSON), once; the first record keeps its time.
    pub async fn record_calendar_version(
        &self,
        version: &str,
        years: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.record_calendar_version(version, years, now))
    }

    /// Every calendars version a node has decided with, oldest first, as (version, years JSON).
    pub async fn calendar_versions(&self) -> Result<Vec<(String, String)>, StoreError> {
        delegate!(self, store => store.calendar_versions())
    }

    /// The units where some officer works.
    pub async fn staffed_units(&self) -> Result<Vec<String>, StoreError> {
        delegate!(self, store => store.staffed_units())
    }

    /// Every rating, by dossier code.
    pub async fn ratings(&self) -> Result<Vec<(String, String)>, StoreError> {
        delegate!(self, store => store.ratings())
    }

    /// Every dossier code found in the events or the projections, as stored (maybe malformed).
    pub async fn audit_codes(&self) -> Result<Vec<String>, StoreError> {
        delegate!(self, store => store.audit_codes())
    }

    /// Whether any event or projection row names this dossier code.
    pub async fn audit_code_known(&self, code: &str) -> Result<bool, StoreError> {
        delegate!(self, store => store.audit_code_known(code))
    }

    /// A dossier's event rows as stored, by sequence, before any parsing.
    pub(crate) async fn audit_rows(&self, code: &str) -> Result<Vec<rows::EventRow>, StoreError> {
        delegate!(self, store => store.audit_rows(code))
    }

    /// Stores a signed checkpoint and the heads it covers.
    pub async fn insert_checkpoint(
        &self,
        checkpoint: &hoso_engine::audit::Checkpoint,
        heads: &[hoso_engine::audit::Head],
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.insert_checkpoint(checkpoint, heads))
    }

    /// The latest checkpoint, without the heads it covers.
    pub async fn latest_checkpoint(
        &self,
    ) -> Result<Option<hoso_engine::audit::Checkpoint>, StoreError> {
        delegate!(self, store => store.latest_checkpoint())
    }

    /// Every stored checkpoint with its heads, oldest first.
    pub async fn checkpoints(
        &self,
    ) -> Result<
        Vec<(
            hoso_engine::audit::Checkpoint,
            Vec<hoso_engine::audit::Head>,
        )>,
        StoreError,
    > {
        delegate!(self, store => store.checkpoints())
    }

    /// Closed dossiers after `after` in code order: (code, procedure code, procedure version).
    pub async fn closed_dossiers(
        &self,
        after: &str,
        limit: u32,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        delegate!(self, store => store.closed_dossiers(after, limit))
    }

    /// A dossier's payment attempts, rating and undelivered message count.
    pub async fn beside_chain(
        &self,
        code: &str,
    ) -> Result<(Vec<crate::archive::ArchivedPayment>, Option<String>, u64), StoreError> {
        delegate!(self, store => store.beside_chain(code))
    }

    /// Removes archived dossiers and records where each went, in one transaction.
    pub async fn remove_archived(
        &self,
        records: &[crate::archive::ArchivedRecord],
    ) -> Result<Result<(), crate::archive::NotArchived>, StoreError> {
        delegate!(self, store => store.remove_archived(records))
    }

    /// Archived dossiers, by code (or only `code`).
    pub async fn archived_dossiers(
        &self,
        code: Option<&str>,
    ) -> Result<Vec<crate::archive::ArchivedRecord>, StoreError> {
        delegate!(self, store => store.archived_dossiers(code))
    }

    /// The codes of the dossiers received at `unit`, in order.
    pub async fn codes_received_at(&self, unit: &str) -> Result<Vec<DossierCode>, StoreError> {
        delegate!(self, store => store.codes_received_at(unit))
    }

    /// Refreshes the planner's statistics, as after a bulk load.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        delegate!(self, store => store.analyze())
    }

    /// Adds timers (for seeding benchmarks).
    pub async fn insert_timers(&self, timers: &[(String, Timer)]) -> Result<(), StoreError> {
        delegate!(self, store => store.insert_timers(timers))
    }

    /// Claims pending outbox messages of these topics (the ones the caller can deliver: the
    /// others wait untouched for a node, or a restart, that can).
    pub async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
        topics: &[&str],
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        delegate!(self, store => store.claim_outbox(now, lease_until, limit, topics))
    }

    /// Records a delivery.
    pub async fn mark_delivered(
        &self,
        id: i64,
        provider_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, store => store.mark_delivered(id, provider_id, now))
    }

    /// Records a failed attempt.
    pub async fn mark_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
        dead: bool,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.mark_failed(id, error, next_attempt_at, dead))
    }

    /// Records a new payment attempt.
    pub async fn insert_payment(
        &self,
        payment: &crate::payment::PaymentRecord,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.insert_payment(payment))
    }

    /// A payment attempt.
    pub async fn payment(
        &self,
        txn_ref: &str,
    ) -> Result<Option<crate::payment::PaymentRecord>, StoreError> {
        delegate!(self, store => store.payment(txn_ref))
    }

    /// A dossier's payment attempts, newest first.
    pub async fn payments_for(
        &self,
        case_code: &str,
    ) -> Result<Vec<crate::payment::PaymentRecord>, StoreError> {
        delegate!(self, store => store.payments_for(case_code))
    }

    /// Attempts in one state, oldest first.
    pub async fn payments_in(
        &self,
        state: &str,
    ) -> Result<Vec<crate::payment::PaymentRecord>, StoreError> {
        delegate!(self, store => store.payments_in(state))
    }

    /// Pending attempts created before `before`.
    pub async fn pending_payments(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<crate::payment::PaymentRecord>, StoreError> {
        delegate!(self, store => store.pending_payments(before))
    }

    /// Settles a pending attempt.
    pub async fn settle_payment(
        &self,
        txn_ref: &str,
        state: &str,
        transaction: &str,
        response: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        delegate!(self, store => store.settle_payment(txn_ref, state, transaction, response, now))
    }

    /// Puts a claimed message back untouched.
    pub async fn defer_outbox(&self, id: i64, until: DateTime<Utc>) -> Result<(), StoreError> {
        delegate!(self, store => store.defer_outbox(id, until))
    }

    /// Records a provider's delivery report.
    pub async fn record_delivery_status(
        &self,
        provider_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        delegate!(self, store => store.record_delivery_status(provider_id, status))
    }

    /// Outbox messages for operators.
    pub async fn outbox_entries(
        &self,
        state: Option<&str>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        delegate!(self, store => store.outbox_entries(state, limit))
    }

    /// One outbox message.
    pub async fn outbox_entry(&self, key: &str) -> Result<Option<OutboxEntry>, StoreError> {
        delegate!(self, store => store.outbox_entry(key))
    }

    /// Outbox messages waiting for delivery.
    pub async fn outbox_backlog(&self) -> Result<u64, StoreError> {
        delegate!(self, store => store.outbox_backlog())
    }
}

/// An outbox message with its delivery state, as operators see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEntry {
    /// Row id.
    pub id: i64,
    /// Idempotency key, sent to the peer.
    pub idempotency_key: String,
    /// Which adapter delivers it.
    pub topic: String,
    /// What to deliver.
    pub payload: serde_json::Value,
    /// The dossier it is about.
    pub case_code: Option<String>,
    /// pending, delivered, dead or dropped.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it will be tried next.
    pub next_attempt_at: DateTime<Utc>,
    /// The provider's id for the delivered message.
    pub provider_id: Option<String>,
    /// What the provider last reported: accepted, then its delivery report.
    pub delivery_status: Option<String>,
}

/// A database URL with any password replaced, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl Store for AnyStore {
    async fn commit(
        &self,
        changes: Vec<Change>,
    ) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
        delegate!(self, store => store.commit(changes))
    }
    async fn load(&self, code: &DossierCode) -> Result<Option<Case>, StoreError> {
        delegate!(self, store => store.load(code))
    }
    async fn events(&self, code: &DossierCode) -> Result<Vec<Event>, StoreError> {
        delegate!(self, store => store.events(code))
    }
    async fn command(&self, command_id: &str) -> Result<Option<DossierCode>, StoreError> {
        delegate!(self, store => store.command(command_id))
    }
    async fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        delegate!(self, store => store.list(query))
    }
    async fn inbox(
        &self,
        unit: &UnitId,
        role: &str,
        limit: u32,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        delegate!(self, store => store.inbox(unit, role, limit))
    }
    async fn publish_procedure(
        &self,
        code: &str,
        version: u32,
        definition: &str,
        now: DateTime<Utc>,
    ) -> Result<Published, StoreError> {
        delegate!(self, store => store.publish_procedure(code, version, definition, now))
    }
    async fn procedures(&self) -> Result<Vec<StoredProcedure>, StoreError> {
        delegate!(self, store => store.procedures())
    }
    async fn codes(&self) -> Result<Vec<DossierCode>, StoreError> {
        delegate!(self, store => store.codes())
    }
    async fn replace_projection(
        &self,
        case: &Case,
        attention: Option<&Attention>,
    ) -> Result<(), StoreError> {
        delegate!(self, store => store.replace_projection(case, attention))
    }
    async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        delegate!(self, store => store.pending_outbox(limit))
    }
    async fn timers(&self, code: &DossierCode) -> Result<Vec<Timer>, StoreError> {
        delegate!(self, store => store.timers(code))
    }
    async fn claim_due_timers(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(DossierCode, Timer)>, StoreError> {
        delegate!(self, store => store.claim_due_timers(now, lease_until, limit))
    }
    async fn release_timer(&self, code: &DossierCode, timer: &Timer) -> Result<(), StoreError> {
        delegate!(self, store => store.release_timer(code, timer))
    }
}

/// Maps a database error to the store's error kinds.
fn unavailable(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_) => StoreError::Corrupt(error.to_string()),
        other => StoreError::Unavailable(other.to_string()),
    }
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database) if database.is_unique_violation())
}

/// The implementation shared by both backends. `$begin` opens the outer write transaction.
macro_rules! store_impl {
    ($store:ty, $db:ty, |$pool:ident| $begin:expr, $claim_timers:expr, $claim_outbox:expr, $notify_outbox:expr, $explain:expr) => {
        impl $store {
            /// Whether every migration this hoso knows is applied (the caller's `MIGRATOR`).
            pub async fn migrations_current(&self) -> Result<bool, hoso_engine::ports::StoreError> {
                let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(usize::try_from(applied).unwrap_or_default() == MIGRATOR.iter().count())
            }

            /// Adds a user.
            pub async fn add_user(&self, user: &$crate::access::User, now: chrono::DateTime<chrono::Utc>) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("INSERT INTO users (id, name, kind, role, unit, citizen_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(&user.id)
                    .bind(&user.name)
                    .bind(user.kind.as_str())
                    .bind(user.role.clone())
                    .bind(user.unit.as_ref().map(ToString::to_string))
                    .bind(user.citizen_id.clone())
                    .bind($crate::store::rows::micros(now))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Stores a token's hash for a user until `expires_at`.
            pub async fn add_token(
                &self,
                hash: &str,
                user_id: &str,
                now: chrono::DateTime<chrono::Utc>,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(hash)
                    .bind(user_id)
                    .bind($crate::store::rows::micros(now))
                    .bind($crate::store::rows::micros(expires_at))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Revokes every token of a user; returns how many were live.
            pub async fn revoke_tokens(&self, user_id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<u64, hoso_engine::ports::StoreError> {
                let revoked = sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind($crate::store::rows::micros(now))
                    .bind(user_id)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(revoked.rows_affected())
            }

            /// The user holding a live (unexpired, unrevoked) token with this hash.
            pub async fn user_by_token(&self, hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<$crate::access::User>, hoso_engine::ports::StoreError> {
                let row: Option<(String, String, String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT users.id, users.name, users.kind, users.role, users.unit, users.citizen_id FROM tokens \
                     JOIN users ON users.id = tokens.user_id \
                     WHERE tokens.hash = $1 AND tokens.revoked_at IS NULL AND tokens.expires_at > $2",
                )
                .bind(hash)
                .bind($crate::store::rows::micros(now))
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                row.map($crate::store::rows::user_of).transpose()
            }

            /// Opens a browser session on a signed-in token (both given as hashes), and drops
            /// the sessions that have expired.
            pub async fn add_web_session(&self, session: &$crate::access::NewWebSession<'_>) -> Result<(), hoso_engine::ports::StoreError> {
                let mut transaction = self.pool.begin().await.map_err($crate::store::unavailable)?;
                sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                    .bind($crate::store::rows::micros(session.now))
                    .execute(&mut *transaction)
                    .await
                    .map_err($crate::store::unavailable)?;
                sqlx::query("INSERT INTO web_sessions (id_hash, token_hash, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(session.id_hash)
                    .bind(session.token_hash)
                    .bind(session.csrf)
                    .bind($crate::store::rows::micros(session.now))
                    .bind($crate::store::rows::micros(session.expires_at))
                    .execute(&mut *transaction)
                    .await
                    .map_err($crate::store::unavailable)?;
                transaction.commit().await.map_err($crate::store::unavailable)
            }

            /// The user and CSRF value of a live session: unexpired, on a token still live.
            pub async fn web_session(&self, id_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<($crate::access::User, String)>, hoso_engine::ports::StoreError> {
                let row: Option<(String, String, String, Option<String>, Option<String>, Option<String>, String)> = sqlx::query_as(
                    "SELECT users.id, users.name, users.kind, users.role, users.unit, users.citizen_id, web_sessions.csrf \
                     FROM web_sessions JOIN tokens ON tokens.hash = web_sessions.token_hash \
                     JOIN users ON users.id = tokens.user_id \
                     WHERE web_sessions.id_hash = $1 AND web_sessions.expires_at > $2 \
                     AND tokens.revoked_at IS NULL AND tokens.expires_at > $2",
                )
                .bind(id_hash)
                .bind($crate::store::rows::micros(now))
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                row.map(|(id, name, kind, role, unit, citizen_id, csrf)| {
                    $crate::store::rows::user_of((id, name, kind, role, unit, citizen_id)).map(|user| (user, csrf))
                })
                .transpose()
            }

            /// Ends a browser session (signing out).
            pub async fn end_web_session(&self, id_hash: &str) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// The user with this id.
            pub async fn user(&self, id: &str) -> Result<Option<$crate::access::User>, hoso_engine::ports::StoreError> {
                let row: Option<(String, String, String, Option<String>, Option<String>, Option<String>)> =
                    sqlx::query_as("SELECT id, name, kind, role, unit, citizen_id FROM users WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($crate::store::unavailable)?;
                row.map($crate::store::rows::user_of).transpose()
            }

            /// The request hash and command id first used with an Idempotency-Key; records them
            /// when the key is new. Returns what is stored for the key.
            pub async fn claim_idempotency_key(
                &self,
                principal: &str,
                key: &str,
                request_hash: &str,
                command_id: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(String, String), hoso_engine::ports::StoreError> {
                sqlx::query(
                    "INSERT INTO idempotency_keys (principal, key, request_hash, command_id, created_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (principal, key) DO NOTHING",
                )
                .bind(principal)
                .bind(key)
                .bind(request_hash)
                .bind(command_id)
                .bind($crate::store::rows::micros(now))
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                sqlx::query_as("SELECT request_hash, command_id FROM idempotency_keys WHERE principal = $1 AND key = $2")
                    .bind(principal)
                    .bind(key)
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)
            }

            /// Claims up to `limit` pending outbox messages due at `now` until `lease_until`.
            pub async fn claim_outbox(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: u32,
                topics: &[&str],
            ) -> Result<Vec<$crate::store::OutboxEntry>, hoso_engine::ports::StoreError> {
                if topics.is_empty() {
                    return Ok(Vec::new());
                }
                let rows: Vec<$crate::store::rows::OutboxRow> = sqlx::query_as($claim_outbox)
                    .bind($crate::store::rows::micros(lease_until))
                    .bind($crate::store::rows::micros(now))
                    .bind(i64::from(limit))
                    // Topics are plain words: a comma-separated list is unambiguous.
                    .bind(topics.join(","))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                let mut entries = rows.into_iter().map($crate::store::rows::OutboxRow::into_entry).collect::<Result<Vec<_>, _>>()?;
                entries.sort_by_key(|entry| entry.id);
                Ok(entries)
            }

            /// Records a delivery; false when the message was no longer pending.
            pub async fn mark_delivered(&self, id: i64, provider_id: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool, hoso_engine::ports::StoreError> {
                let updated = sqlx::query(
                    "UPDATE outbox SET state = 'delivered', delivered_at = $1, provider_id = $2, claimed_until = NULL, attempts = attempts + 1, \
                     delivery_status = 'accepted' WHERE id = $3 AND state = 'pending'",
                )
                .bind($crate::store::rows::micros(now))
                .bind(provider_id)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(updated.rows_affected() == 1)
            }

            /// Records a failed attempt: retried at `next_attempt_at`, or dead when `dead`.
            pub async fn mark_failed(
                &self,
                id: i64,
                error: &str,
                next_attempt_at: chrono::DateTime<chrono::Utc>,
                dead: bool,
            ) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, claimed_until = NULL, \
                     state = CASE WHEN $3 = 1 THEN 'dead' ELSE 'pending' END WHERE id = $4 AND state = 'pending'",
                )
                .bind(error.chars().take(1000).collect::<String>())
                .bind($crate::store::rows::micros(next_attempt_at))
                .bind(i64::from(dead))
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Puts a claimed message back untouched, to be tried again at `until`.
            pub async fn defer_outbox(&self, id: i64, until: chrono::DateTime<chrono::Utc>) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("UPDATE outbox SET next_attempt_at = $1, claimed_until = NULL WHERE id = $2 AND state = 'pending'")
                    .bind($crate::store::rows::micros(until))
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Records what the provider reports about a delivered message; false when no message
            /// has that provider id.
            pub async fn record_delivery_status(&self, provider_id: &str, status: &str) -> Result<bool, hoso_engine::ports::StoreError> {
                let updated = sqlx::query("UPDATE outbox SET delivery_status = $1 WHERE provider_id = $2")
                    .bind(status.chars().take(200).collect::<String>())
                    .bind(provider_id)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(updated.rows_affected() > 0)
            }

            /// Outbox messages for operators, newest first, optionally in one state.
            pub async fn outbox_entries(&self, state: Option<&str>, limit: u32) -> Result<Vec<$crate::store::OutboxEntry>, hoso_engine::ports::StoreError> {
                let rows: Vec<$crate::store::rows::OutboxRow> = sqlx::query_as(concat!(
                    "SELECT ", $crate::store::rows::outbox_columns!(), " FROM outbox WHERE ($1 IS NULL OR state = $1) ORDER BY id DESC LIMIT $2"
                ))
                .bind(state)
                .bind(i64::from(limit.clamp(1, 1000)))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::OutboxRow::into_entry).collect()
            }

            /// One outbox message by its idempotency key.
            pub async fn outbox_entry(&self, key: &str) -> Result<Option<$crate::store::OutboxEntry>, hoso_engine::ports::StoreError> {
                let row: Option<$crate::store::rows::OutboxRow> =
                    sqlx::query_as(concat!("SELECT ", $crate::store::rows::outbox_columns!(), " FROM outbox WHERE idempotency_key = $1"))
                        .bind(key)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err($crate::store::unavailable)?;
                row.map($crate::store::rows::OutboxRow::into_entry).transpose()
            }

            /// Records a new payment attempt.
            pub async fn insert_payment(&self, payment: &$crate::payment::PaymentRecord) -> Result<(), hoso_engine::ports::StoreError> {
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
                .bind($crate::store::rows::micros(payment.created_at))
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// A payment attempt by its reference.
            pub async fn payment(&self, txn_ref: &str) -> Result<Option<$crate::payment::PaymentRecord>, hoso_engine::ports::StoreError> {
                let row: Option<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
                    "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments WHERE txn_ref = $1",
                )
                .bind(txn_ref)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                row.map($crate::store::rows::payment_of).transpose()
            }

            /// A dossier's payment attempts, newest first.
            pub async fn payments_for(&self, case_code: &str) -> Result<Vec<$crate::payment::PaymentRecord>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
                    "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
                     WHERE case_code = $1 ORDER BY created_at DESC, txn_ref",
                )
                .bind(case_code)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::payment_of).collect()
            }

            /// Attempts in one state (e.g. `refund_due`), oldest first.
            pub async fn payments_in(&self, state: &str) -> Result<Vec<$crate::payment::PaymentRecord>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
                    "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
                     WHERE state = $1 ORDER BY created_at, txn_ref",
                )
                .bind(state)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::payment_of).collect()
            }

            /// Pending attempts created before `before`, oldest first.
            pub async fn pending_payments(&self, before: chrono::DateTime<chrono::Utc>) -> Result<Vec<$crate::payment::PaymentRecord>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String, String, i64, String, String, i64)> = sqlx::query_as(
                    "SELECT txn_ref, case_code, gateway, amount, state, create_date, created_at FROM payments \
                     WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 500",
                )
                .bind($crate::store::rows::micros(before))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::payment_of).collect()
            }

            /// Moves a pending attempt to `state`; false when it was no longer pending.
            pub async fn settle_payment(
                &self,
                txn_ref: &str,
                state: &str,
                gateway_transaction: &str,
                gateway_response: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, hoso_engine::ports::StoreError> {
                let updated = sqlx::query(
                    "UPDATE payments SET state = $1, gateway_transaction = $2, gateway_response = $3, updated_at = $4 \
                     WHERE txn_ref = $5 AND state = 'pending'",
                )
                .bind(state)
                .bind(gateway_transaction)
                .bind(gateway_response.chars().take(4000).collect::<String>())
                .bind($crate::store::rows::micros(now))
                .bind(txn_ref)
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(updated.rows_affected() == 1)
            }

            /// Records a rating unless the dossier has one.
            pub async fn insert_rating(
                &self,
                code: &str,
                unit: &str,
                satisfaction: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, hoso_engine::ports::StoreError> {
                let inserted = sqlx::query(
                    "INSERT INTO ratings (case_code, unit, satisfaction, rated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (case_code) DO NOTHING",
                )
                .bind(code)
                .bind(unit)
                .bind(satisfaction)
                .bind($crate::store::rows::micros(now))
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(inserted.rows_affected() == 1)
            }

            /// Whether the dossier has been rated.
            pub async fn rating_exists(&self, code: &str) -> Result<bool, hoso_engine::ports::StoreError> {
                let found: Option<String> = sqlx::query_scalar("SELECT case_code FROM ratings WHERE case_code = $1")
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(found.is_some())
            }

            /// The units where some officer works: the places a dossier can be received.
            pub async fn staffed_units(&self) -> Result<Vec<String>, hoso_engine::ports::StoreError> {
                sqlx::query_scalar("SELECT DISTINCT unit FROM users WHERE kind = 'officer' AND unit IS NOT NULL ORDER BY unit")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)
            }

            /// Every rating as (dossier code, satisfaction).
            pub async fn ratings(&self) -> Result<Vec<(String, String)>, hoso_engine::ports::StoreError> {
                sqlx::query_as("SELECT case_code, satisfaction FROM ratings")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)
            }

            /// Whether some event names a document by this SHA-256 (a scan: only for the rare
            /// upload a crash left staged).
            pub async fn document_referenced(&self, sha256: &str) -> Result<bool, hoso_engine::ports::StoreError> {
                let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM events WHERE payload LIKE $1 LIMIT 1")
                    .bind(format!("%\"{sha256}\"%"))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(found.is_some())
            }

            /// Keeps a nonce issued for a sign-in (its hash) until `expires_at`, forgetting
            /// nonces that expired a day ago and were never used.
            pub async fn insert_nonce(&self, nonce_hash: &str, expires_at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("DELETE FROM oidc_nonces WHERE token_hash IS NULL AND expires_at < $1")
                    .bind($crate::store::rows::micros(now - chrono::Duration::days(1)))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                sqlx::query("INSERT INTO oidc_nonces (nonce_hash, expires_at) VALUES ($1, $2)")
                    .bind(nonce_hash)
                    .bind($crate::store::rows::micros(expires_at))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Accepts a nonce for a token: an unexpired nonce no token has used binds to this
            /// one; a nonce already bound accepts only its own token.
            pub async fn claim_nonce(&self, nonce_hash: &str, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Result<bool, hoso_engine::ports::StoreError> {
                // Reads first: a token already bound (every request after the first) writes nothing.
                let bound: Option<Option<String>> = sqlx::query_scalar("SELECT token_hash FROM oidc_nonces WHERE nonce_hash = $1")
                    .bind(nonce_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                match bound {
                    None => return Ok(false),
                    Some(Some(bound)) => return Ok(bound == token_hash),
                    Some(None) => {}
                }
                let updated = sqlx::query(
                    "UPDATE oidc_nonces SET token_hash = $2 WHERE nonce_hash = $1 \
                     AND ((token_hash IS NULL AND expires_at > $3) OR token_hash = $2)",
                )
                .bind(nonce_hash)
                .bind(token_hash)
                .bind($crate::store::rows::micros(now))
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(updated.rows_affected() == 1)
            }

            /// A dossier's record row as stored, for the auditor's comparison with its events.
            pub(crate) async fn record_row(&self, code: &str) -> Result<Option<$crate::store::rows::RecordRow>, hoso_engine::ports::StoreError> {
                sqlx::query_as(
                    "SELECT code, procedure_code, procedure_version, receiving_unit, unit, status, step, applicant_id, applicant_name, \
                     appointment_at, step_due_at, urgency_at, submitted_at, version, state FROM dossiers WHERE code = $1",
                )
                .bind(code)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::store::unavailable)
            }

            /// Records a calendars version and its years, once.
            pub async fn record_calendar_version(
                &self,
                version: &str,
                years: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query(
                    "INSERT INTO calendar_versions (version, years, recorded_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (version) DO NOTHING",
                )
                .bind(version)
                .bind(years)
                .bind($crate::store::rows::micros(now))
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Every recorded calendars version with its years, oldest first.
            pub async fn calendar_versions(&self) -> Result<Vec<(String, String)>, hoso_engine::ports::StoreError> {
                sqlx::query_as("SELECT version, years FROM calendar_versions ORDER BY recorded_at, version")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)
            }

            /// Every dossier code in the events or the projections.
            pub async fn audit_codes(&self) -> Result<Vec<String>, hoso_engine::ports::StoreError> {
                sqlx::query_scalar("SELECT case_code FROM events UNION SELECT code FROM dossiers ORDER BY 1")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)
            }

            /// Whether any event or projection row names this dossier code.
            pub async fn audit_code_known(&self, code: &str) -> Result<bool, hoso_engine::ports::StoreError> {
                let found: Option<i32> = sqlx::query_scalar(
                    "SELECT 1 FROM events WHERE case_code = $1 UNION SELECT 1 FROM dossiers WHERE code = $1 LIMIT 1",
                )
                .bind(code)
                .fetch_optional(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(found.is_some())
            }

            /// A dossier's raw event rows, by sequence.
            pub(crate) async fn audit_rows(&self, code: &str) -> Result<Vec<$crate::store::rows::EventRow>, hoso_engine::ports::StoreError> {
                sqlx::query_as(
                    "SELECT case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash FROM events WHERE case_code = $1 ORDER BY seq",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)
            }

            /// Stores a checkpoint; a sequence already taken is refused by the primary key.
            pub async fn insert_checkpoint(
                &self,
                checkpoint: &hoso_engine::audit::Checkpoint,
                heads: &[hoso_engine::audit::Head],
            ) -> Result<(), hoso_engine::ports::StoreError> {
                let body = serde_json::to_string(checkpoint).map_err(|error| hoso_engine::ports::StoreError::Corrupt(error.to_string()))?;
                let heads = serde_json::to_string(heads).map_err(|error| hoso_engine::ports::StoreError::Corrupt(error.to_string()))?;
                sqlx::query("INSERT INTO audit_checkpoints (sequence, at, checkpoint, heads) VALUES ($1, $2, $3, $4)")
                    .bind(i64::try_from(checkpoint.sequence).unwrap_or(i64::MAX))
                    .bind($crate::store::rows::micros(checkpoint.at))
                    .bind(body)
                    .bind(heads)
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// The latest checkpoint; its heads are not read (they grow with the dossiers).
            pub async fn latest_checkpoint(&self) -> Result<Option<hoso_engine::audit::Checkpoint>, hoso_engine::ports::StoreError> {
                let row: Option<String> = sqlx::query_scalar("SELECT checkpoint FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1")
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                row.map(|checkpoint| {
                    serde_json::from_str(&checkpoint)
                        .map_err(|error| hoso_engine::ports::StoreError::Corrupt(format!("audit checkpoint: {error}")))
                })
                .transpose()
            }

            /// Every checkpoint, oldest first.
            pub async fn checkpoints(
                &self,
            ) -> Result<Vec<(hoso_engine::audit::Checkpoint, Vec<hoso_engine::audit::Head>)>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String)> = sqlx::query_as("SELECT checkpoint, heads FROM audit_checkpoints ORDER BY sequence")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                rows.into_iter()
                    .map(|(checkpoint, heads)| {
                        let corrupt = |error: serde_json::Error| hoso_engine::ports::StoreError::Corrupt(format!("audit checkpoint: {error}"));
                        Ok((serde_json::from_str(&checkpoint).map_err(corrupt)?, serde_json::from_str(&heads).map_err(corrupt)?))
                    })
                    .collect()
            }

            /// Closed dossiers after `after` in code order: (code, procedure code, procedure version).
            pub async fn closed_dossiers(
                &self,
                after: &str,
                limit: u32,
            ) -> Result<Vec<(String, String, i64)>, hoso_engine::ports::StoreError> {
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "SELECT code, procedure_code, procedure_version FROM dossiers WHERE status IN (",
                );
                let mut closed = query.separated(", ");
                for status in hoso_engine::case::Status::ALL.into_iter().filter(|status| status.is_closed()) {
                    closed.push_bind(i64::from(status.code()));
                }
                query.push(") AND code > ").push_bind(after);
                query.push(" ORDER BY code LIMIT ").push_bind(i64::from(limit));
                query
                    .build_query_as()
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)
            }

            /// A dossier's payment attempts and rating, which live beside its chain.
            pub async fn beside_chain(
                &self,
                code: &str,
            ) -> Result<(Vec<$crate::archive::ArchivedPayment>, Option<String>, u64), hoso_engine::ports::StoreError> {
                let payments: Vec<(String, String, i64, String, Option<String>, i64, i64)> = sqlx::query_as(
                    "SELECT txn_ref, gateway, amount, state, gateway_transaction, created_at, updated_at \
                     FROM payments WHERE case_code = $1 ORDER BY created_at, txn_ref",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                let rating: Option<String> = sqlx::query_scalar("SELECT satisfaction FROM ratings WHERE case_code = $1")
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                let undelivered: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE case_code = $1 AND state = 'pending'")
                    .bind(code)
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                let payments = payments
                    .into_iter()
                    .map(|(txn_ref, gateway, amount, state, gateway_transaction, created_at, updated_at)| {
                        Ok($crate::archive::ArchivedPayment {
                            txn_ref,
                            gateway,
                            amount: u64::try_from(amount).unwrap_or_default(),
                            state,
                            gateway_transaction,
                            created_at: $crate::store::rows::instant(created_at)?,
                            updated_at: $crate::store::rows::instant(updated_at)?,
                        })
                    })
                    .collect::<Result<Vec<_>, hoso_engine::ports::StoreError>>()?;
                Ok((payments, rating, u64::try_from(undelivered).unwrap_or_default()))
            }

            /// Removes archived dossiers and records where each went, all in one transaction. A
            /// dossier that moved on since it was read (its version changed) or has undelivered
            /// messages stops the whole batch, which then leaves the store as it was.
            pub async fn remove_archived(
                &self,
                records: &[$crate::archive::ArchivedRecord],
            ) -> Result<Result<(), $crate::archive::NotArchived>, hoso_engine::ports::StoreError> {
                let $pool = &self.pool;
                let mut transaction = $begin.await.map_err($crate::store::unavailable)?;
                for record in records {
                    let not_archived = |why: &str| $crate::archive::NotArchived { code: record.code.clone(), why: why.to_owned() };
                    let undelivered: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE case_code = $1 AND state = 'pending'")
                        .bind(&record.code)
                        .fetch_one(&mut *transaction)
                        .await
                        .map_err($crate::store::unavailable)?;
                    if undelivered > 0 {
                        return Ok(Err(not_archived("it has undelivered messages in the outbox")));
                    }
                    let seq = i64::try_from(record.last_seq).unwrap_or(i64::MAX);
                    let removed = sqlx::query("DELETE FROM dossiers WHERE code = $1 AND version = $2")
                        .bind(&record.code)
                        .bind(seq)
                        .execute(&mut *transaction)
                        .await
                        .map_err($crate::store::unavailable)?;
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
                    ] {
                        sqlx::query(statement)
                            .bind(&record.code)
                            .execute(&mut *transaction)
                            .await
                            .map_err($crate::store::unavailable)?;
                    }
                    sqlx::query(
                        "INSERT INTO archived_dossiers (code, archive_file, last_seq, last_hash, closed_at, archived_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&record.code)
                    .bind(&record.archive_file)
                    .bind(seq)
                    .bind(&record.last_hash)
                    .bind($crate::store::rows::micros(record.closed_at))
                    .bind($crate::store::rows::micros(record.archived_at))
                    .execute(&mut *transaction)
                    .await
                    .map_err($crate::store::unavailable)?;
                }
                transaction.commit().await.map_err($crate::store::unavailable)?;
                Ok(Ok(()))
            }

            /// Every archived dossier, by code (or only `code`).
            pub async fn archived_dossiers(
                &self,
                code: Option<&str>,
            ) -> Result<Vec<$crate::archive::ArchivedRecord>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String, i64, String, i64, i64)> = sqlx::query_as(
                    "SELECT code, archive_file, last_seq, last_hash, closed_at, archived_at FROM archived_dossiers \
                     WHERE $1 IS NULL OR code = $1 ORDER BY code",
                )
                .bind(code)
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter()
                    .map(|(code, archive_file, last_seq, last_hash, closed_at, archived_at)| {
                        Ok($crate::archive::ArchivedRecord {
                            code,
                            archive_file,
                            last_seq: u64::try_from(last_seq).unwrap_or_default(),
                            last_hash,
                            closed_at: $crate::store::rows::instant(closed_at)?,
                            archived_at: $crate::store::rows::instant(archived_at)?,
                        })
                    })
                    .collect()
            }

            /// The codes of the dossiers received at `unit`, in order (by the receiving-unit index).
            pub async fn codes_received_at(&self, unit: &str) -> Result<Vec<hoso_engine::case::DossierCode>, hoso_engine::ports::StoreError> {
                let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM dossiers WHERE receiving_unit = $1 ORDER BY code")
                    .bind(unit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                codes.iter().map(|code| $crate::store::rows::parse_code(code)).collect()
            }

            /// How the database runs the inbox query and the due-timer scan at `at`; each plan
            /// line is the last column of the backend's EXPLAIN output.
            pub async fn query_plans(
                &self,
                at: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<(&'static str, Vec<String>)>, hoso_engine::ports::StoreError> {
                use sqlx::Row as _;
                let explain: &str = $explain;
                let lines = |rows: Vec<<$db as sqlx::Database>::Row>| -> Result<Vec<String>, hoso_engine::ports::StoreError> {
                    rows.iter()
                        .map(|row| row.try_get::<String, usize>(row.len() - 1).map_err($crate::store::unavailable))
                        .collect()
                };
                let inbox = sqlx::query(sqlx::AssertSqlSafe(format!("{explain} {}", $crate::store::INBOX_PLAN)))
                    .bind("000.00.100.H21")
                    .bind("tu_phap")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                let timers = sqlx::query(sqlx::AssertSqlSafe(format!("{explain} {}", $crate::store::DUE_TIMERS_PLAN)))
                    .bind($crate::store::rows::micros(at))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(vec![("inbox", lines(inbox)?), ("due_timers", lines(timers)?)])
            }

            /// Refreshes the planner's statistics, as after a bulk load: on PostgreSQL a table loaded
            /// and not yet analysed gets generic plans that scan it in parallel (measured: 64 ms
            /// instead of 0.06 ms for one dossier's events).
            pub async fn analyze(&self) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("ANALYZE").execute(&self.pool).await.map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Adds timers, one multi-row statement per thousand (for seeding benchmarks).
            pub async fn insert_timers(
                &self,
                timers: &[(String, hoso_engine::case::Timer)],
            ) -> Result<(), hoso_engine::ports::StoreError> {
                for chunk in timers.chunks(1000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO timers (case_code, deadline, passed, due_at) ");
                    insert.push_values(chunk, |mut row, (code, timer)| {
                        row.push_bind(code)
                            .push_bind($crate::store::rows::deadline_name(timer.deadline))
                            .push_bind(i64::from(timer.passed))
                            .push_bind($crate::store::rows::micros(timer.due_at));
                    });
                    insert.build().execute(&self.pool).await.map_err($crate::store::unavailable)?;
                }
                Ok(())
            }

            /// Whether the database answers and takes a write.
            pub async fn ping(&self) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("UPDATE readiness SET checked_at = $1 WHERE id = 1")
                    .bind($crate::store::rows::micros(chrono::Utc::now()))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Outbox messages waiting for delivery.
            pub async fn outbox_backlog(&self) -> Result<u64, hoso_engine::ports::StoreError> {
                let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox WHERE state = 'pending'")
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(u64::try_from(count).unwrap_or_default())
            }

            /// Registers a new dossier inside the batch transaction.
            async fn register(
                connection: &mut <$db as sqlx::Database>::Connection,
                registration: hoso_engine::ports::Registration,
            ) -> Result<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>, hoso_engine::ports::StoreError> {
                let code = Self::allocate_code(&mut *connection, &registration).await?;
                let command_id = registration.events.first().map(|event| event.command_id.clone()).unwrap_or_default();
                let events = hoso_engine::case::seal(&code, 0, hoso_engine::case::GENESIS_HASH, registration.events);
                let (case, outbox) = hoso_engine::case::apply(None, &events)
                    .map_err(|error| hoso_engine::ports::StoreError::Corrupt(error.to_string()))?;
                if !Self::record_command(&mut *connection, &command_id, &case).await? {
                    return Ok(Err(hoso_engine::ports::ChangeRefused::Duplicate { command_id }));
                }
                Self::insert_projection(&mut *connection, &case, registration.attention.as_ref()).await?;
                Self::write_events(&mut *connection, &events, &outbox).await?;
                Ok(Ok(hoso_engine::ports::Committed { case, events }))
            }

            /// Appends to an existing dossier inside the batch transaction.
            async fn append(
                connection: &mut <$db as sqlx::Database>::Connection,
                append: hoso_engine::ports::Append,
            ) -> Result<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>, hoso_engine::ports::StoreError> {
                let command_id = append.events.first().map(|event| event.command_id.clone()).unwrap_or_default();
                if let Err(refused) = Self::update_projection(&mut *connection, &append).await? {
                    return Ok(Err(refused));
                }
                if !Self::record_command(&mut *connection, &command_id, &append.case).await? {
                    return Ok(Err(hoso_engine::ports::ChangeRefused::Duplicate { command_id }));
                }
                Self::write_events(&mut *connection, &append.events, &append.outbox).await?;
                for event in &append.events {
                    let (key, retry) = match &event.kind {
                        hoso_engine::case::EventKind::EffectRetried { idempotency_key } => (idempotency_key, true),
                        hoso_engine::case::EventKind::EffectDropped { idempotency_key, .. } => (idempotency_key, false),
                        _ => continue,
                    };
                    let sql = if retry {
                        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL WHERE idempotency_key = $2 AND state <> 'delivered'"
                    } else {
                        "UPDATE outbox SET state = 'dropped', next_attempt_at = $1, claimed_until = NULL WHERE idempotency_key = $2 AND state <> 'delivered'"
                    };
                    sqlx::query(sql)
                        .bind($crate::store::rows::micros(event.at))
                        .bind(key)
                        .execute(&mut *connection)
                        .await
                        .map_err($crate::store::unavailable)?;
                }
                sqlx::query("DELETE FROM timers WHERE case_code = $1")
                    .bind(append.code.to_string())
                    .execute(&mut *connection)
                    .await
                    .map_err($crate::store::unavailable)?;
                for timer in &append.timers {
                    sqlx::query("INSERT INTO timers (case_code, deadline, passed, due_at) VALUES ($1, $2, $3, $4)")
                        .bind(append.code.to_string())
                        .bind($crate::store::rows::deadline_name(timer.deadline))
                        .bind(i64::from(timer.passed))
                        .bind($crate::store::rows::micros(timer.due_at))
                        .execute(&mut *connection)
                        .await
                        .map_err($crate::store::unavailable)?;
                }
                Ok(Ok(hoso_engine::ports::Committed { case: append.case, events: append.events }))
            }

            /// Records a command id; false when it was already applied.
            async fn record_command(
                connection: &mut <$db as sqlx::Database>::Connection,
                command_id: &str,
                case: &hoso_engine::case::Case,
            ) -> Result<bool, hoso_engine::ports::StoreError> {
                let inserted = sqlx::query("INSERT INTO commands (command_id, case_code, at) VALUES ($1, $2, $3)")
                    .bind(command_id)
                    .bind(case.code.to_string())
                    .bind($crate::store::rows::micros(chrono::Utc::now()))
                    .execute(&mut *connection)
                    .await;
                match inserted {
                    Ok(_) => Ok(true),
                    Err(error) if $crate::store::is_unique_violation(&error) => Ok(false),
                    Err(error) => Err($crate::store::unavailable(error)),
                }
            }

            async fn insert_projection(
                connection: &mut <$db as sqlx::Database>::Connection,
                case: &hoso_engine::case::Case,
                attention: Option<&hoso_engine::ports::Attention>,
            ) -> Result<(), hoso_engine::ports::StoreError> {
                let row = $crate::store::rows::ProjectionRow::of(case, attention)?;
                sqlx::query(
                    "INSERT INTO dossiers (code, procedure_code, procedure_version, receiving_unit, unit, status, step, \
                     applicant_id, applicant_name, attention_unit, attention_role, appointment_at, step_due_at, urgency_at, \
                     submitted_at, updated_at, version, state) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
                )
                .bind(row.code)
                .bind(row.procedure_code)
                .bind(row.procedure_version)
                .bind(row.receiving_unit)
                .bind(row.unit)
                .bind(row.status)
                .bind(row.step)
                .bind(row.applicant_id)
                .bind(row.applicant_name)
                .bind(row.attention_unit)
                .bind(row.attention_role)
                .bind(row.appointment_at)
                .bind(row.step_due_at)
                .bind(row.urgency_at)
                .bind(row.submitted_at)
                .bind(row.updated_at)
                .bind(row.version)
                .bind(row.state)
                .execute(&mut *connection)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(())
            }

            /// Rewrites a dossier's projection; with `expected`, only if it is still at that version.
            async fn write_projection(
                connection: &mut <$db as sqlx::Database>::Connection,
                case: &hoso_engine::case::Case,
                attention: Option<&hoso_engine::ports::Attention>,
                expected: Option<u64>,
            ) -> Result<bool, hoso_engine::ports::StoreError> {
                let row = $crate::store::rows::ProjectionRow::of(case, attention)?;
                let expected = expected.map(|version| i64::try_from(version).unwrap_or(i64::MAX));
                let updated = sqlx::query(
                    "UPDATE dossiers SET unit = $1, status = $2, step = $3, applicant_name = $4, attention_unit = $5, \
                     attention_role = $6, appointment_at = $7, step_due_at = $8, urgency_at = $9, updated_at = $10, \
                     version = $11, state = $12 WHERE code = $13 AND ($14 IS NULL OR version = $14)",
                )
                .bind(row.unit)
                .bind(row.status)
                .bind(row.step)
                .bind(row.applicant_name)
                .bind(row.attention_unit)
                .bind(row.attention_role)
                .bind(row.appointment_at)
                .bind(row.step_due_at)
                .bind(row.urgency_at)
                .bind(row.updated_at)
                .bind(row.version)
                .bind(row.state)
                .bind(row.code)
                .bind(expected)
                .execute(&mut *connection)
                .await
                .map_err($crate::store::unavailable)?;
                Ok(updated.rows_affected() == 1)
            }

            async fn write_events(
                connection: &mut <$db as sqlx::Database>::Connection,
                events: &[hoso_engine::case::Event],
                outbox: &[hoso_engine::case::OutboxMessage],
            ) -> Result<(), hoso_engine::ports::StoreError> {
                for event in events {
                    let row = $crate::store::rows::EventRow::from_event(event)?;
                    sqlx::query(
                        "INSERT INTO events (case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(row.case_code)
                    .bind(row.seq)
                    .bind(row.at)
                    .bind(row.actor)
                    .bind(row.kind)
                    .bind(row.payload)
                    .bind(row.command_id)
                    .bind(row.prev_hash)
                    .bind(row.hash)
                    .execute(&mut *connection)
                    .await
                    .map_err($crate::store::unavailable)?;
                }
                let now = $crate::store::rows::micros(chrono::Utc::now());
                for message in outbox {
                    sqlx::query(
                        "INSERT INTO outbox (idempotency_key, topic, payload, case_code, next_attempt_at, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (idempotency_key) DO NOTHING",
                    )
                    .bind(&message.idempotency_key)
                    .bind(&message.topic)
                    .bind(message.payload.to_string())
                    .bind(events.first().map(|event| event.case.to_string()))
                    .bind(now)
                    .execute(&mut *connection)
                    .await
                    .map_err($crate::store::unavailable)?;
                }
                // Wake dispatchers on other nodes when this transaction commits.
                let notify: Option<&'static str> = $notify_outbox;
                if let (Some(sql), false) = (notify, outbox.is_empty()) {
                    sqlx::query(sql).execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                Ok(())
            }
        }

        impl $store {
            /// Puts the group-commit queue in front of the writer when it is on for this backend.
            fn with_group_commit(self, by_default: bool) -> Self {
                let group = $crate::store::group::enabled(by_default).then(|| {
                    let direct = self.clone();
                    std::sync::Arc::new($crate::store::group::GroupCommit::start(move |changes| {
                        let direct = direct.clone();
                        async move { direct.commit_now(changes).await }
                    }))
                });
                Self { group, ..self }
            }

            /// Writes a batch of changes in one transaction, now (group commit calls this): the
            /// fast path, with one multi-row statement per table for the whole batch; when a
            /// command id turns out to be taken, the careful path, one savepoint per change.
            async fn commit_now(
                &self,
                changes: Vec<hoso_engine::ports::Change>,
            ) -> Result<Vec<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>>, hoso_engine::ports::StoreError> {
                // Duplicates are rare (a retried command): keep a copy to redo the batch carefully.
                let careful = changes.clone();
                match self.commit_together(changes).await? {
                    Some(results) => Ok(results),
                    None => self.commit_each(careful).await,
                }
            }

            /// All changes in one transaction with multi-row inserts; `None` (and nothing
            /// written) when a command id was already taken.
            async fn commit_together(
                &self,
                changes: Vec<hoso_engine::ports::Change>,
            ) -> Result<Option<Vec<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>>>, hoso_engine::ports::StoreError> {
                let $pool = &self.pool;
                let mut transaction = $begin.await.map_err($crate::store::unavailable)?;
                let mut results = Vec::with_capacity(changes.len());
                let mut written = $crate::store::Written::default();
                for change in changes {
                    let outcome = match change {
                        hoso_engine::ports::Change::Register(registration) => {
                            let (case, events, outbox) = Self::register_projection(&mut *transaction, registration).await?;
                            written.add(&case, &events, &outbox, None)?;
                            Ok(hoso_engine::ports::Committed { case, events })
                        }
                        hoso_engine::ports::Change::Append(append) => {
                            match Self::update_projection(&mut *transaction, &append).await? {
                                Err(refused) => Err(refused),
                                Ok(()) => {
                                    let append = *append;
                                    written.add(&append.case, &append.events, &append.outbox, Some(&append.timers))?;
                                    Ok(hoso_engine::ports::Committed { case: append.case, events: append.events })
                                }
                            }
                        }
                    };
                    results.push(outcome);
                }
                if !Self::write_together(&mut *transaction, &written).await? {
                    transaction.rollback().await.map_err($crate::store::unavailable)?;
                    return Ok(None);
                }
                transaction.commit().await.map_err($crate::store::unavailable)?;
                Ok(Some(results))
            }

            /// Allocates a new dossier's number, seals its events and inserts its projection.
            async fn register_projection(
                connection: &mut <$db as sqlx::Database>::Connection,
                registration: hoso_engine::ports::Registration,
            ) -> Result<(hoso_engine::case::Case, Vec<hoso_engine::case::Event>, Vec<hoso_engine::case::OutboxMessage>), hoso_engine::ports::StoreError> {
                let code = Self::allocate_code(&mut *connection, &registration).await?;
                let events = hoso_engine::case::seal(&code, 0, hoso_engine::case::GENESIS_HASH, registration.events);
                let (case, outbox) = hoso_engine::case::apply(None, &events)
                    .map_err(|error| hoso_engine::ports::StoreError::Corrupt(error.to_string()))?;
                Self::insert_projection(&mut *connection, &case, registration.attention.as_ref()).await?;
                Ok((case, events, outbox))
            }

            /// The next dossier code of the receiving unit's day.
            async fn allocate_code(
                connection: &mut <$db as sqlx::Database>::Connection,
                registration: &hoso_engine::ports::Registration,
            ) -> Result<hoso_engine::case::DossierCode, hoso_engine::ports::StoreError> {
                let day = registration.day.format("%Y-%m-%d").to_string();
                let sequence: i64 = sqlx::query_scalar(
                    "INSERT INTO dossier_sequences (unit, day, last) VALUES ($1, $2, 1) \
                     ON CONFLICT (unit, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last",
                )
                .bind(registration.receiving_unit.to_string())
                .bind(&day)
                .fetch_one(&mut *connection)
                .await
                .map_err($crate::store::unavailable)?;
                let sequence = u32::try_from(sequence)
                    .map_err(|_| hoso_engine::ports::StoreError::Corrupt(format!("dossier sequence {sequence}")))?;
                hoso_engine::case::DossierCode::new(registration.receiving_unit.clone(), registration.day, sequence)
                    .map_err(|error| hoso_engine::ports::StoreError::Corrupt(error.to_string()))
            }

            /// Moves an existing dossier's projection on, if it is still at the expected version.
            async fn update_projection(
                connection: &mut <$db as sqlx::Database>::Connection,
                append: &hoso_engine::ports::Append,
            ) -> Result<Result<(), hoso_engine::ports::ChangeRefused>, hoso_engine::ports::StoreError> {
                if Self::write_projection(&mut *connection, &append.case, append.attention.as_ref(), Some(append.expected_version)).await? {
                    return Ok(Ok(()));
                }
                let actual: Option<i64> = sqlx::query_scalar("SELECT version FROM dossiers WHERE code = $1")
                    .bind(append.code.to_string())
                    .fetch_optional(&mut *connection)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(Err(match actual {
                    Some(actual) => hoso_engine::ports::ChangeRefused::Conflict {
                        code: append.code.clone(),
                        expected: append.expected_version,
                        actual: u64::try_from(actual).unwrap_or_default(),
                    },
                    None => hoso_engine::ports::ChangeRefused::Missing(append.code.clone()),
                }))
            }

            /// The batch's rows, one multi-row statement per table; false when a command id was
            /// already taken (the caller rolls back).
            async fn write_together(
                connection: &mut <$db as sqlx::Database>::Connection,
                written: &$crate::store::Written,
            ) -> Result<bool, hoso_engine::ports::StoreError> {
                for chunk in written.commands.chunks(1000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO commands (command_id, case_code, at) ");
                    insert.push_values(chunk, |mut row, (command_id, code, at)| {
                        row.push_bind(command_id).push_bind(code).push_bind(at);
                    });
                    insert.push(" ON CONFLICT (command_id) DO NOTHING RETURNING command_id");
                    let inserted: Vec<String> = insert
                        .build_query_scalar()
                        .fetch_all(&mut *connection)
                        .await
                        .map_err($crate::store::unavailable)?;
                    if inserted.len() != chunk.len() {
                        return Ok(false);
                    }
                }
                for chunk in written.events.chunks(1000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO events (case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash) ",
                    );
                    insert.push_values(chunk, |mut row, event| {
                        row.push_bind(&event.case_code)
                            .push_bind(event.seq)
                            .push_bind(event.at)
                            .push_bind(&event.actor)
                            .push_bind(&event.kind)
                            .push_bind(&event.payload)
                            .push_bind(&event.command_id)
                            .push_bind(&event.prev_hash)
                            .push_bind(&event.hash);
                    });
                    insert.build().execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                let now = $crate::store::rows::micros(chrono::Utc::now());
                for chunk in written.outbox.chunks(1000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO outbox (idempotency_key, topic, payload, case_code, next_attempt_at, created_at) ",
                    );
                    insert.push_values(chunk, |mut row, (key, topic, payload, code)| {
                        row.push_bind(key).push_bind(topic).push_bind(payload).push_bind(code).push_bind(now).push_bind(now);
                    });
                    insert.push(" ON CONFLICT (idempotency_key) DO NOTHING");
                    insert.build().execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                for (key, retry, at) in &written.effects {
                    let sql = if *retry {
                        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL WHERE idempotency_key = $2 AND state <> 'delivered'"
                    } else {
                        "UPDATE outbox SET state = 'dropped', next_attempt_at = $1, claimed_until = NULL WHERE idempotency_key = $2 AND state <> 'delivered'"
                    };
                    sqlx::query(sql).bind(at).bind(key).execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                for chunk in written.retimed.chunks(1000) {
                    let mut delete = sqlx::QueryBuilder::<$db>::new("DELETE FROM timers WHERE case_code IN (");
                    let mut codes = delete.separated(", ");
                    for code in chunk {
                        codes.push_bind(code);
                    }
                    delete.push(")");
                    delete.build().execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                for chunk in written.timers.chunks(1000) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO timers (case_code, deadline, passed, due_at) ");
                    insert.push_values(chunk, |mut row, (code, deadline, passed, due_at)| {
                        row.push_bind(code).push_bind(deadline).push_bind(passed).push_bind(due_at);
                    });
                    insert.build().execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                // Wake dispatchers on other nodes when this transaction commits.
                let notify: Option<&'static str> = $notify_outbox;
                if let (Some(sql), false) = (notify, written.outbox.is_empty()) {
                    sqlx::query(sql).execute(&mut *connection).await.map_err($crate::store::unavailable)?;
                }
                Ok(true)
            }

            /// One savepoint per change: a taken command id refuses only its own change.
            async fn commit_each(
                &self,
                changes: Vec<hoso_engine::ports::Change>,
            ) -> Result<Vec<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>>, hoso_engine::ports::StoreError> {
                use sqlx::Acquire as _;
                let $pool = &self.pool;
                let mut transaction = $begin.await.map_err($crate::store::unavailable)?;
                let mut results = Vec::with_capacity(changes.len());
                for change in changes {
                    let mut savepoint = transaction.begin().await.map_err($crate::store::unavailable)?;
                    let outcome = match change {
                        hoso_engine::ports::Change::Register(registration) => Self::register(&mut *savepoint, registration).await,
                        hoso_engine::ports::Change::Append(append) => Self::append(&mut *savepoint, *append).await,
                    };
                    match outcome {
                        Ok(Ok(committed)) => {
                            savepoint.commit().await.map_err($crate::store::unavailable)?;
                            results.push(Ok(committed));
                        }
                        Ok(Err(refused)) => {
                            savepoint.rollback().await.map_err($crate::store::unavailable)?;
                            results.push(Err(refused));
                        }
                        Err(error) => {
                            savepoint.rollback().await.map_err($crate::store::unavailable)?;
                            return Err(error);
                        }
                    }
                }
                transaction.commit().await.map_err($crate::store::unavailable)?;
                Ok(results)
            }
        }

        impl hoso_engine::ports::Store for $store {
            async fn commit(
                &self,
                changes: Vec<hoso_engine::ports::Change>,
            ) -> Result<Vec<Result<hoso_engine::ports::Committed, hoso_engine::ports::ChangeRefused>>, hoso_engine::ports::StoreError> {
                match &self.group {
                    Some(group) => group.commit(changes).await,
                    None => self.commit_now(changes).await,
                }
            }

            async fn load(&self, code: &hoso_engine::case::DossierCode) -> Result<Option<hoso_engine::case::Case>, hoso_engine::ports::StoreError> {
                let state: Option<String> = sqlx::query_scalar("SELECT state FROM dossiers WHERE code = $1")
                    .bind(code.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                state.map(|state| $crate::store::rows::parse_state(&state)).transpose()
            }

            async fn events(&self, code: &hoso_engine::case::DossierCode) -> Result<Vec<hoso_engine::case::Event>, hoso_engine::ports::StoreError> {
                let rows: Vec<$crate::store::rows::EventRow> = sqlx::query_as(
                    "SELECT case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash FROM events WHERE case_code = $1 ORDER BY seq",
                )
                .bind(code.to_string())
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::EventRow::into_event).collect()
            }

            async fn command(&self, command_id: &str) -> Result<Option<hoso_engine::case::DossierCode>, hoso_engine::ports::StoreError> {
                let code: Option<String> = sqlx::query_scalar("SELECT case_code FROM commands WHERE command_id = $1")
                    .bind(command_id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                code.map(|code| $crate::store::rows::parse_code(&code)).transpose()
            }

            async fn list(&self, query: &hoso_engine::ports::CaseQuery) -> Result<Vec<hoso_engine::ports::CaseSummary>, hoso_engine::ports::StoreError> {
                let pattern = query.text.as_ref().map(|text| format!("%{}%", text.to_lowercase().replace('%', "").replace('_', "")));
                let rows: Vec<$crate::store::rows::SummaryRow> = sqlx::query_as(concat!(
                    "SELECT ", $crate::store::rows::summary_columns!(), " FROM dossiers ",
                    "WHERE ($1 IS NULL OR status = $1) ",
                    "AND ($2 IS NULL OR unit = $2 OR receiving_unit = $2) ",
                    "AND ($3 IS NULL OR applicant_id = $3) ",
                    "AND ($4 IS NULL OR lower(code) LIKE $4 OR lower(applicant_name) LIKE $4) ",
                    "ORDER BY submitted_at DESC, code DESC LIMIT $5 OFFSET $6"
                ))
                .bind(query.status.map(|status| i64::from(status.code())))
                .bind(query.unit.as_ref().map(ToString::to_string))
                .bind(query.applicant.clone())
                .bind(pattern)
                .bind(i64::from(query.limit.clamp(1, 500)))
                .bind(i64::from(query.offset))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::SummaryRow::into_summary).collect()
            }

            async fn inbox(&self, unit: &hoso_engine::case::UnitId, role: &str, limit: u32) -> Result<Vec<hoso_engine::ports::CaseSummary>, hoso_engine::ports::StoreError> {
                let rows: Vec<$crate::store::rows::SummaryRow> = sqlx::query_as(concat!(
                    "SELECT ", $crate::store::rows::summary_columns!(), " FROM dossiers ",
                    "WHERE attention_unit = $1 AND attention_role = $2 ",
                    "ORDER BY urgency_at IS NULL, urgency_at, submitted_at LIMIT $3"
                ))
                .bind(unit.to_string())
                .bind(role)
                .bind(i64::from(limit.clamp(1, 500)))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::SummaryRow::into_summary).collect()
            }

            async fn publish_procedure(
                &self,
                code: &str,
                version: u32,
                definition: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<hoso_engine::ports::Published, hoso_engine::ports::StoreError> {
                let sha256 = $crate::store::rows::sha256_hex(definition);
                let inserted = sqlx::query(
                    "INSERT INTO procedures (code, version, definition, sha256, published_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code, version) DO NOTHING",
                )
                .bind(code)
                .bind(i64::from(version))
                .bind(definition)
                .bind(&sha256)
                .bind($crate::store::rows::micros(now))
                .execute(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                if inserted.rows_affected() == 1 {
                    return Ok(hoso_engine::ports::Published::New);
                }
                let stored: String = sqlx::query_scalar("SELECT sha256 FROM procedures WHERE code = $1 AND version = $2")
                    .bind(code)
                    .bind(i64::from(version))
                    .fetch_one(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(if stored == sha256 {
                    hoso_engine::ports::Published::Unchanged
                } else {
                    hoso_engine::ports::Published::Differs
                })
            }

            async fn procedures(&self) -> Result<Vec<hoso_engine::ports::StoredProcedure>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, i64, String, String, i64)> =
                    sqlx::query_as("SELECT code, version, definition, sha256, published_at FROM procedures ORDER BY code, version")
                        .fetch_all(&self.pool)
                        .await
                        .map_err($crate::store::unavailable)?;
                rows.into_iter()
                    .map(|(code, version, definition, sha256, published_at)| {
                        Ok(hoso_engine::ports::StoredProcedure {
                            code,
                            version: u32::try_from(version).map_err(|_| hoso_engine::ports::StoreError::Corrupt(format!("procedure version {version}")))?,
                            definition,
                            sha256,
                            published_at: $crate::store::rows::instant(published_at)?,
                        })
                    })
                    .collect()
            }

            async fn codes(&self) -> Result<Vec<hoso_engine::case::DossierCode>, hoso_engine::ports::StoreError> {
                let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM dossiers ORDER BY code")
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                codes.iter().map(|code| $crate::store::rows::parse_code(code)).collect()
            }

            async fn replace_projection(
                &self,
                case: &hoso_engine::case::Case,
                attention: Option<&hoso_engine::ports::Attention>,
            ) -> Result<(), hoso_engine::ports::StoreError> {
                let mut connection = self.pool.acquire().await.map_err($crate::store::unavailable)?;
                Self::write_projection(&mut *connection, case, attention, None).await?;
                Ok(())
            }

            async fn pending_outbox(&self, limit: u32) -> Result<Vec<hoso_engine::case::OutboxMessage>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT idempotency_key, topic, payload FROM outbox WHERE state = 'pending' ORDER BY id LIMIT $1",
                )
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err($crate::store::unavailable)?;
                rows.into_iter()
                    .map(|(idempotency_key, topic, payload)| {
                        Ok(hoso_engine::case::OutboxMessage {
                            idempotency_key,
                            topic,
                            payload: serde_json::from_str(&payload).map_err(|error| hoso_engine::ports::StoreError::Corrupt(format!("outbox payload: {error}")))?,
                        })
                    })
                    .collect()
            }

            async fn claim_due_timers(
                &self,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: u32,
            ) -> Result<Vec<(hoso_engine::case::DossierCode, hoso_engine::case::Timer)>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, String, i64, i64)> = sqlx::query_as($claim_timers)
                    .bind($crate::store::rows::micros(lease_until))
                    .bind($crate::store::rows::micros(now))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                let mut claimed = rows
                    .into_iter()
                    .map(|(code, deadline, passed, due_at)| {
                        Ok(($crate::store::rows::parse_code(&code)?, $crate::store::rows::timer_of((deadline, passed, due_at))?))
                    })
                    .collect::<Result<Vec<_>, hoso_engine::ports::StoreError>>()?;
                claimed.sort_by_key(|(_, timer)| timer.due_at);
                Ok(claimed)
            }

            async fn release_timer(&self, code: &hoso_engine::case::DossierCode, timer: &hoso_engine::case::Timer) -> Result<(), hoso_engine::ports::StoreError> {
                sqlx::query("DELETE FROM timers WHERE case_code = $1 AND deadline = $2 AND passed = $3 AND due_at = $4")
                    .bind(code.to_string())
                    .bind($crate::store::rows::deadline_name(timer.deadline))
                    .bind(i64::from(timer.passed))
                    .bind($crate::store::rows::micros(timer.due_at))
                    .execute(&self.pool)
                    .await
                    .map_err($crate::store::unavailable)?;
                Ok(())
            }

            async fn timers(&self, code: &hoso_engine::case::DossierCode) -> Result<Vec<hoso_engine::case::Timer>, hoso_engine::ports::StoreError> {
                let rows: Vec<(String, i64, i64)> =
                    sqlx::query_as("SELECT deadline, passed, due_at FROM timers WHERE case_code = $1 ORDER BY due_at, deadline, passed")
                        .bind(code.to_string())
                        .fetch_all(&self.pool)
                        .await
                        .map_err($crate::store::unavailable)?;
                rows.into_iter().map($crate::store::rows::timer_of).collect()
            }
        }
    };
}

pub(crate) use store_impl;

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            redact("postgres://hoso:s3cret@db:5432/hoso"),
            "postgres://hoso:***@db:5432/hoso"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("sqlite://hoso.db"), "sqlite://hoso.db");
    }
}
