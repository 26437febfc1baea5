//! The one write path: a batch of changes in one transaction — projections moved on, then one
//! multi-row statement per table for the commands, events, outbox rows and timers of the whole
//! batch. When a command id turns out to be taken, the batch is written again change by change,
//! each in its own savepoint, through the same statements.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use hoso_engine::case::{Case, Event, OutboxMessage, Timer};
use hoso_engine::ports::{Change, ChangeRefused, Committed, StoreError};

use super::group::GroupCommit;
use super::{AnyStore, Conn, on_conn, rows, unavailable, with_pool};

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
            // A dossier changed twice in one batch keeps the timers of its last change.
            if self.retimed.contains(&code) {
                self.timers.retain(|(timed, ..)| *timed != code);
            } else {
                self.retimed.push(code.clone());
            }
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

/// Commits a batch: through the group-commit queue when it is on, else now.
pub(super) async fn commit(
    store: &AnyStore,
    changes: Vec<Change>,
) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
    if let AnyStore::Sqlite(sqlite) = store
        && let Some(writer) = &sqlite.writer
    {
        return writer.commit(changes).await;
    }
    if let AnyStore::Postgres(postgres) = store
        && let Some(writer) = &postgres.writer
    {
        return writer.commit(changes).await;
    }
    match store.group() {
        Some(group) => group.commit(changes).await,
        None => store.commit_now(changes).await,
    }
}

impl AnyStore {
    /// Puts a group-commit writer in front of the store when group commit is on for it: on
    /// PostgreSQL the writer thread, on SQLite without its own writer thread (in memory) the
    /// queue before the sqlx writer.
    pub(super) fn with_group_commit(mut self) -> Result<Self, StoreError> {
        if !super::group::enabled() {
            return Ok(self);
        }
        let direct = self.clone();
        match &mut self {
            Self::Postgres(store) => {
                store.writer = Some(Arc::new(super::postgres_writer::PostgresWriter::start(
                    store.url.clone(),
                )?));
            }
            // SQLite's writer thread batches by itself.
            Self::Sqlite(store) if store.writer.is_some() => {}
            Self::Sqlite(store) => {
                store.group = Some(Arc::new(GroupCommit::start(move |changes| {
                    let direct = direct.clone();
                    async move { direct.commit_now(changes).await }
                })));
            }
        }
        Ok(self)
    }

    /// The group-commit queue, when it is on.
    fn group(&self) -> Option<&Arc<GroupCommit>> {
        match self {
            Self::Sqlite(store) => store.group.as_ref(),
            Self::Postgres(_) => None,
        }
    }

    /// Writes a batch of changes in one transaction, now (group commit calls this), on a
    /// connection of the pool.
    async fn commit_now(
        &self,
        changes: Vec<Change>,
    ) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
        with_pool!(self, |pool| {
            let mut connection = pool.acquire().await.map_err(unavailable)?;
            commit_on(Conn::from(&mut *connection), changes).await
        })
    }
}

/// Writes a batch of changes in one transaction on `connection`: the fast path, with one
/// multi-row statement per table for the whole batch; when a command id turns out to be
/// taken, the careful path, one savepoint per change.
pub(super) async fn commit_on(
    mut connection: Conn<'_>,
    changes: Vec<Change>,
) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
    // Duplicates are rare (a retried command): keep a copy to redo the batch carefully.
    let careful = changes.clone();
    match commit_together(&mut connection, changes).await? {
        Some(results) => Ok(results),
        None => commit_each(&mut connection, careful).await,
    }
}

/// All changes in one transaction with multi-row inserts; `None` (and nothing written) when a
/// command id was already taken.
async fn commit_together(
    connection: &mut Conn<'_>,
    changes: Vec<Change>,
) -> Result<Option<Vec<Result<Committed, ChangeRefused>>>, StoreError> {
    on_conn!(connection, |connection| {
        let mut transaction = backend::begin_on(connection).await.map_err(unavailable)?;
        let mut connection = Conn::from(&mut *transaction);
        let mut written = Written::default();
        let results = stage_all(&mut connection, changes, &mut written).await?;
        if !write_together(&mut connection, &written).await? {
            transaction.rollback().await.map_err(unavailable)?;
            return Ok(None);
        }
        transaction.commit().await.map_err(unavailable)?;
        Ok(Some(results))
    })
}

/// One savepoint per change, each written through the same statements as a batch: a taken
/// command id refuses only its own change.
async fn commit_each(
    connection: &mut Conn<'_>,
    changes: Vec<Change>,
) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
    use sqlx::Acquire as _;
    on_conn!(connection, |connection| {
        let mut transaction = backend::begin_on(connection).await.map_err(unavailable)?;
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            let mut savepoint = transaction.begin().await.map_err(unavailable)?;
            let mut written = Written::default();
            let mut connection = Conn::from(&mut *savepoint);
            let mut outcome = stage(&mut connection, change, &mut written, None).await;
            if let Ok(Ok(committed)) = &outcome
                && !write_together(&mut connection, &written).await?
            {
                let command_id = committed
                    .events
                    .first()
                    .map(|event| event.command_id.clone())
                    .unwrap_or_default();
                outcome = Ok(Err(ChangeRefused::Duplicate { command_id }));
            }
            match outcome {
                Ok(Ok(committed)) => {
                    savepoint.commit().await.map_err(unavailable)?;
                    results.push(Ok(committed));
                }
                Ok(Err(refused)) => {
                    savepoint.rollback().await.map_err(unavailable)?;
                    results.push(Err(refused));
                }
                Err(error) => {
                    savepoint.rollback().await.map_err(unavailable)?;
                    return Err(error);
                }
            }
        }
        transaction.commit().await.map_err(unavailable)?;
        Ok(results)
    })
}

/// Stages a batch's changes in order. On PostgreSQL the version checks and projection writes
/// of the batch's appends are one statement ([`move_together`]): one round trip instead of one
/// per change, which is what kept the server's rate far below pgbench's (BENCHMARKS.md).
async fn stage_all(
    connection: &mut Conn<'_>,
    changes: Vec<Change>,
    written: &mut Written,
) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
    let mut moved = match connection {
        Conn::Postgres(connection) => move_together(connection, &changes).await?,
        Conn::Sqlite(_) => HashMap::new(),
    };
    let mut results = Vec::with_capacity(changes.len());
    for (index, change) in changes.into_iter().enumerate() {
        let outcome = moved.remove(&index);
        results.push(stage(connection, change, written, outcome).await?);
    }
    Ok(results)
}

/// Moves one change's projection on (allocating a new dossier's code) and gathers its rows
/// into `written`; a refused change gathers nothing. `moved` is the outcome when the
/// projection was already moved on with the rest of the batch.
async fn stage(
    connection: &mut Conn<'_>,
    change: Change,
    written: &mut Written,
    moved: Option<Result<(), ChangeRefused>>,
) -> Result<Result<Committed, ChangeRefused>, StoreError> {
    match change {
        Change::Register(registration) => {
            let (case, events, outbox) = register_projection(connection, registration).await?;
            written.add(&case, &events, &outbox, None)?;
            Ok(Ok(Committed { case, events }))
        }
        Change::Append(append) => match match moved {
            Some(outcome) => outcome,
            None => update_projection(connection, &append).await?,
        } {
            Err(refused) => Ok(Err(refused)),
            Ok(()) => {
                let append = *append;
                written.add(
                    &append.case,
                    &append.events,
                    &append.outbox,
                    Some(&append.timers),
                )?;
                Ok(Ok(Committed {
                    case: append.case,
                    events: append.events,
                }))
            }
        },
    }
}

/// The version check and projection write of the batch's appends in one statement
/// (`UPDATE … FROM UNNEST(…)`), keyed by the change's index; the refused ones are told apart
/// (conflict or missing) by one more query. A dossier's second change in the same batch is
/// left out, to be moved on after its first, one by one in order; so is a batch with fewer
/// than two appends, for which one statement per change is already one round trip.
async fn move_together(
    connection: &mut sqlx::PgConnection,
    changes: &[Change],
) -> Result<HashMap<usize, Result<(), ChangeRefused>>, StoreError> {
    let mut seen = HashSet::new();
    let mut firsts: Vec<(usize, &hoso_engine::ports::Append)> = changes
        .iter()
        .enumerate()
        .filter_map(|(index, change)| match change {
            Change::Append(append) if seen.insert(&append.code) => Some((index, &**append)),
            _ => None,
        })
        .collect();
    if firsts.len() < 2 {
        return Ok(HashMap::new());
    }
    // Rows in one order on every node, so two nodes' batches wait for each other rather than
    // deadlock (the writer retries a batch that still does, once).
    firsts.sort_by_key(|(_, append)| append.code.to_string());
    let mut columns = Columns::default();
    for (_, append) in &firsts {
        let row = rows::ProjectionRow::of(&append.case, append.attention.as_ref())?;
        columns.push(row, append.expected_version);
    }
    let moved: HashSet<String> = sqlx::query_scalar(
        "UPDATE dossiers AS d SET unit = v.unit, status = v.status, step = v.step, \
         applicant_name = v.applicant_name, attention_unit = v.attention_unit, \
         attention_role = v.attention_role, appointment_at = v.appointment_at, \
         step_due_at = v.step_due_at, urgency_at = v.urgency_at, updated_at = v.updated_at, \
         version = v.version, state = v.state, finished_at = v.finished_at \
         FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::int8[], $5::text[], $6::text[], \
         $7::text[], $8::text[], $9::int8[], $10::int8[], $11::int8[], $12::int8[], $13::int8[], \
         $14::text[], $15::int8[]) AS v(code, expected, unit, status, step, applicant_name, \
         attention_unit, attention_role, appointment_at, step_due_at, urgency_at, updated_at, \
         version, state, finished_at) \
         WHERE d.code = v.code AND d.version = v.expected RETURNING d.code",
    )
    .bind(&columns.code)
    .bind(&columns.expected)
    .bind(&columns.unit)
    .bind(&columns.status)
    .bind(&columns.step)
    .bind(&columns.applicant_name)
    .bind(&columns.attention_unit)
    .bind(&columns.attention_role)
    .bind(&columns.appointment_at)
    .bind(&columns.step_due_at)
    .bind(&columns.urgency_at)
    .bind(&columns.updated_at)
    .bind(&columns.version)
    .bind(&columns.state)
    .bind(&columns.finished_at)
    .fetch_all(&mut *connection)
    .await
    .map_err(unavailable)?
    .into_iter()
    .collect();
    let refused: Vec<String> = columns
        .code
        .iter()
        .filter(|code| !moved.contains(*code))
        .cloned()
        .collect();
    let actual: HashMap<String, i64> = if refused.is_empty() {
        HashMap::new()
    } else {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT code, version FROM dossiers WHERE code = ANY($1)",
        )
        .bind(&refused)
        .fetch_all(&mut *connection)
        .await
        .map_err(unavailable)?
        .into_iter()
        .collect()
    };
    let mut outcomes = HashMap::with_capacity(firsts.len());
    for (index, append) in firsts {
        let code = append.code.to_string();
        let outcome = if moved.contains(&code) {
            if rows::touches_unit_rows(append) {
                write_unit_rows(&mut Conn::from(&mut *connection), &append.case).await?;
            }
            Ok(())
        } else {
            Err(refusal(append, actual.get(&code).copied()))
        };
        outcomes.insert(index, outcome);
    }
    Ok(outcomes)
}

/// The projection columns of a batch's appends, one array per column, as `UNNEST` takes them.
#[derive(Default)]
struct Columns {
    code: Vec<String>,
    expected: Vec<i64>,
    unit: Vec<String>,
    status: Vec<i64>,
    step: Vec<Option<String>>,
    applicant_name: Vec<String>,
    attention_unit: Vec<Option<String>>,
    attention_role: Vec<Option<String>>,
    appointment_at: Vec<Option<i64>>,
    step_due_at: Vec<Option<i64>>,
    urgency_at: Vec<Option<i64>>,
    updated_at: Vec<i64>,
    version: Vec<i64>,
    state: Vec<String>,
    finished_at: Vec<Option<i64>>,
}

impl Columns {
    fn push(&mut self, row: rows::ProjectionRow, expected: u64) {
        self.code.push(row.code);
        self.expected
            .push(i64::try_from(expected).unwrap_or(i64::MAX));
        self.unit.push(row.unit);
        self.status.push(row.status);
        self.step.push(row.step);
        self.applicant_name.push(row.applicant_name);
        self.attention_unit.push(row.attention_unit);
        self.attention_role.push(row.attention_role);
        self.appointment_at.push(row.appointment_at);
        self.step_due_at.push(row.step_due_at);
        self.urgency_at.push(row.urgency_at);
        self.updated_at.push(row.updated_at);
        self.version.push(row.version);
        self.state.push(row.state);
        self.finished_at.push(row.finished_at);
    }
}

/// Why an append was refused: the dossier moved on to `actual`, or there is none.
fn refusal(append: &hoso_engine::ports::Append, actual: Option<i64>) -> ChangeRefused {
    match actual {
        Some(actual) => ChangeRefused::Conflict {
            code: append.code.clone(),
            expected: append.expected_version,
            actual: u64::try_from(actual).unwrap_or_default(),
        },
        None => ChangeRefused::Missing(append.code.clone()),
    }
}

/// Allocates a new dossier's number, seals its events and inserts its projection.
async fn register_projection(
    connection: &mut Conn<'_>,
    registration: hoso_engine::ports::Registration,
) -> Result<
    (
        hoso_engine::case::Case,
        Vec<hoso_engine::case::Event>,
        Vec<hoso_engine::case::OutboxMessage>,
    ),
    StoreError,
> {
    on_conn!(connection, |connection| {
        let code = allocate_code(&mut Conn::from(&mut *connection), &registration).await?;
        let events = hoso_engine::case::seal(
            &code,
            0,
            hoso_engine::case::GENESIS_HASH,
            registration.events,
        );
        let (case, outbox) = hoso_engine::case::apply(None, &events)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        insert_projection(
            &mut Conn::from(&mut *connection),
            &case,
            registration.attention.as_ref(),
        )
        .await?;
        Ok((case, events, outbox))
    })
}

/// The next dossier code of the receiving unit's day.
async fn allocate_code(
    connection: &mut Conn<'_>,
    registration: &hoso_engine::ports::Registration,
) -> Result<hoso_engine::case::DossierCode, StoreError> {
    on_conn!(connection, |connection| {
        let day = registration.day.format("%Y-%m-%d").to_string();
        let sequence: i64 = sqlx::query_scalar(
            "INSERT INTO dossier_sequences (unit, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (unit, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last",
        )
        .bind(registration.receiving_unit.to_string())
        .bind(&day)
        .fetch_one(&mut *connection)
        .await
        .map_err(unavailable)?;
        let sequence = u32::try_from(sequence)
            .map_err(|_| StoreError::Corrupt(format!("dossier sequence {sequence}")))?;
        hoso_engine::case::DossierCode::new(
            registration.receiving_unit.clone(),
            registration.day,
            sequence,
        )
        .map_err(|error| StoreError::Corrupt(error.to_string()))
    })
}

/// Moves an existing dossier's projection on, if it is still at the expected version.
async fn update_projection(
    connection: &mut Conn<'_>,
    append: &hoso_engine::ports::Append,
) -> Result<Result<(), hoso_engine::ports::ChangeRefused>, StoreError> {
    on_conn!(connection, |connection| {
        if write_projection(
            &mut Conn::from(&mut *connection),
            &append.case,
            append.attention.as_ref(),
            Some(append.expected_version),
        )
        .await?
        {
            if rows::touches_unit_rows(append) {
                write_unit_rows(&mut Conn::from(&mut *connection), &append.case).await?;
            }
            return Ok(Ok(()));
        }
        let actual: Option<i64> =
            sqlx::query_scalar("SELECT version FROM dossiers WHERE code = $1")
                .bind(append.code.to_string())
                .fetch_optional(&mut *connection)
                .await
                .map_err(unavailable)?;
        Ok(Err(refusal(append, actual)))
    })
}

async fn insert_projection(
    connection: &mut Conn<'_>,
    case: &hoso_engine::case::Case,
    attention: Option<&hoso_engine::ports::Attention>,
) -> Result<(), StoreError> {
    on_conn!(connection, |connection| {
        let row = rows::ProjectionRow::of(case, attention)?;
        sqlx::query(rows::INSERT_DOSSIER)
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
            .bind(row.applicant_kind)
            .bind(row.representative_id)
            .bind(row.finished_at)
            .execute(&mut *connection)
            .await
            .map_err(unavailable)?;
        Ok(())
    })
}

/// Rewrites a dossier's projection; with `expected`, only if it is still at that version.
pub(super) async fn write_projection(
    connection: &mut Conn<'_>,
    case: &hoso_engine::case::Case,
    attention: Option<&hoso_engine::ports::Attention>,
    expected: Option<u64>,
) -> Result<bool, StoreError> {
    on_conn!(connection, |connection| {
        let row = rows::ProjectionRow::of(case, attention)?;
        let expected = expected.map(|version| i64::try_from(version).unwrap_or(i64::MAX));
        let updated = sqlx::query(
        "UPDATE dossiers SET unit = $1, status = $2, step = $3, applicant_name = $4, attention_unit = $5, \
         attention_role = $6, appointment_at = $7, step_due_at = $8, urgency_at = $9, updated_at = $10, \
         version = $11, state = $12, finished_at = $15 WHERE code = $13 AND ($14 IS NULL OR version = $14)",
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
    .bind(row.finished_at)
    .execute(&mut *connection)
    .await
    .map_err(unavailable)?;
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
        Ok(true)
    })
}

/// Rewrites a dossier's per-unit rows from its state: the units it stayed at besides the
/// receiving one (`unit_stays`), and the consultations still waiting (`open_consultations`).
pub(super) async fn write_unit_rows(
    connection: &mut Conn<'_>,
    case: &hoso_engine::case::Case,
) -> Result<(), StoreError> {
    on_conn!(connection, |connection| {
        let code = case.code.to_string();
        let (away, open) = rows::unit_rows(case);
        for unit in away {
            sqlx::query(
                "INSERT INTO unit_stays (unit, case_code) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(unit)
            .bind(&code)
            .execute(&mut *connection)
            .await
            .map_err(unavailable)?;
        }
        if let Some(open) = open {
            sqlx::query("DELETE FROM open_consultations WHERE case_code = $1")
                .bind(&code)
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
            for unit in open {
                sqlx::query("INSERT INTO open_consultations (case_code, unit) VALUES ($1, $2)")
                    .bind(&code)
                    .bind(unit)
                    .execute(&mut *connection)
                    .await
                    .map_err(unavailable)?;
            }
        }
        Ok(())
    })
}

/// The batch's rows, one multi-row statement per table; false when a command id was
/// already taken (the caller rolls back).
async fn write_together(connection: &mut Conn<'_>, written: &Written) -> Result<bool, StoreError> {
    on_conn!(connection, |connection| {
        for chunk in written.commands.chunks(1000) {
            let mut insert =
                sqlx::QueryBuilder::<Db>::new("INSERT INTO commands (command_id, case_code, at) ");
            insert.push_values(chunk, |mut row, (command_id, code, at)| {
                row.push_bind(command_id).push_bind(code).push_bind(at);
            });
            insert.push(" ON CONFLICT (command_id) DO NOTHING RETURNING command_id");
            let inserted: Vec<String> = insert
                .build_query_scalar()
                .fetch_all(&mut *connection)
                .await
                .map_err(unavailable)?;
            if inserted.len() != chunk.len() {
                return Ok(false);
            }
        }
        for chunk in written.events.chunks(1000) {
            let mut insert = sqlx::QueryBuilder::<Db>::new(
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
            insert
                .build()
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
        }
        let now = rows::micros(Utc::now());
        for chunk in written.outbox.chunks(1000) {
            let mut insert = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO outbox (idempotency_key, topic, payload, case_code, next_attempt_at, created_at) ",
            );
            insert.push_values(chunk, |mut row, (key, topic, payload, code)| {
                row.push_bind(key)
                    .push_bind(topic)
                    .push_bind(payload)
                    .push_bind(code)
                    .push_bind(now)
                    .push_bind(now);
            });
            insert.push(" ON CONFLICT (idempotency_key) DO NOTHING");
            insert
                .build()
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
        }
        for (key, retry, at) in &written.effects {
            let sql = if *retry {
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL WHERE idempotency_key = $2 AND state <> 'delivered'"
            } else {
                "UPDATE outbox SET state = 'dropped', next_attempt_at = $1, claimed_until = NULL WHERE idempotency_key = $2 AND state <> 'delivered'"
            };
            sqlx::query(sql)
                .bind(at)
                .bind(key)
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
        }
        for chunk in written.retimed.chunks(1000) {
            let mut delete =
                sqlx::QueryBuilder::<Db>::new("DELETE FROM timers WHERE case_code IN (");
            let mut codes = delete.separated(", ");
            for code in chunk {
                codes.push_bind(code);
            }
            delete.push(")");
            delete
                .build()
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
        }
        for chunk in written.timers.chunks(1000) {
            let mut insert = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO timers (case_code, deadline, passed, due_at) ",
            );
            insert.push_values(chunk, |mut row, (code, deadline, passed, due_at)| {
                row.push_bind(code)
                    .push_bind(deadline)
                    .push_bind(passed)
                    .push_bind(due_at);
            });
            insert
                .build()
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
        }
        // Wake dispatchers on other nodes when this transaction commits.
        let notify: Option<&'static str> = backend::NOTIFY_OUTBOX;
        if let (Some(sql), false) = (notify, written.outbox.is_empty()) {
            sqlx::query(sql)
                .execute(&mut *connection)
                .await
                .map_err(unavailable)?;
        }
        Ok(true)
    })
}
