//! SQLite's writer: one thread owns the database's write connection and commits the changes
//! that queue up while it writes, many to a transaction and one fsync. It speaks to SQLite
//! through its C API (rusqlite, linking the same `libsqlite3-sys` as sqlx), each statement
//! prepared once and kept, so a row costs a few microseconds instead of a message to a
//! connection thread and a wake-up back (what limited the sqlx writer; BENCHMARKS.md). Reads
//! stay on sqlx's pool.
//!
//! Each change is checked before it writes anything — its command id not yet taken, its
//! dossier still at the version it was decided on — so a refused change leaves nothing behind
//! and refuses only itself, without a savepoint. A caller is answered only after the
//! transaction holding its change has committed.

use std::path::Path;
use std::sync::mpsc;

use chrono::Utc;
use hoso_engine::case::{Case, Event, EventKind, OutboxMessage, Timer};
use hoso_engine::ports::{
    Append, Attention, Change, ChangeRefused, Committed, Registration, StoreError,
};
use rusqlite::{Connection, OptionalExtension as _, params};

use super::group::{Answer, Pending, ask, gather};
use super::rows;

/// The queue in front of the writer thread.
pub(crate) struct SqliteWriter {
    queue: mpsc::Sender<Pending>,
}

impl SqliteWriter {
    /// Opens the write connection to the database file at `path` and starts the thread that
    /// owns it; `max_pages` caps the file as the pool's connections do.
    pub(crate) fn start(path: &Path, max_pages: Option<u64>) -> Result<Self, StoreError> {
        let connection = open(path, max_pages)?;
        let (queue, arrivals) = mpsc::channel::<Pending>();
        std::thread::Builder::new()
            .name("hoso-sqlite-writer".to_owned())
            .spawn({
                let path = path.to_path_buf();
                move || run(connection, &arrivals, &path, max_pages)
            })
            .map_err(|error| {
                StoreError::Unavailable(format!("cannot start the SQLite writer: {error}"))
            })?;
        Ok(Self { queue })
    }

    /// Queues `changes` for the next transaction and waits until it has committed.
    pub(crate) async fn commit(&self, changes: Vec<Change>) -> Answer {
        ask(changes, |pending| self.queue.send(pending).is_ok()).await
    }
}

/// A database error as the store's error kinds: a value that cannot be read as its type is
/// corrupt data, the rest is the database being unavailable (as sqlx's errors are mapped).
pub(super) fn unavailable(error: rusqlite::Error) -> StoreError {
    match error {
        rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt(error.to_string()),
        other => StoreError::Unavailable(other.to_string()),
    }
}

/// Runs one statement, prepared once per connection and kept; the number of rows it changed.
fn execute(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<usize, StoreError> {
    connection
        .prepare_cached(sql)
        .and_then(|mut statement| statement.execute(params))
        .map_err(unavailable)
}

/// The write connection, set as the pool's are: WAL, `synchronous = FULL`, a busy timeout (the
/// pool's own short writes — timer claims, sign-ins — share the lock), foreign keys on.
fn open(path: &Path, max_pages: Option<u64>) -> Result<Connection, StoreError> {
    let connection = Connection::open(path)
        .map_err(|error| StoreError::Unavailable(format!("{}: {error}", path.display())))?;
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(unavailable)?;
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )
        .map_err(unavailable)?;
    if let Some(pages) = max_pages {
        connection
            .execute_batch(&format!("PRAGMA max_page_count = {pages};"))
            .map_err(unavailable)?;
    }
    connection.set_prepared_statement_cache_capacity(64);
    Ok(connection)
}

/// The thread's loop: take what has queued (as group commit gathers it), write it in one
/// transaction, answer each caller; until every sender is gone. A batch that panics or leaves
/// the connection inside a transaction it could not roll back is answered as a failure and the
/// connection is opened afresh, so one bad batch never stops the writes after it.
fn run(
    mut connection: Connection,
    arrivals: &mpsc::Receiver<Pending>,
    path: &Path,
    max_pages: Option<u64>,
) {
    while let Ok(first) = arrivals.recv() {
        let (changes, replies) = gather(first, || arrivals.try_recv().ok());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            write_batch(&mut connection, changes)
        }))
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(
                "the SQLite writer failed on this batch; nothing of it was written".to_owned(),
            ))
        });
        if !connection.is_autocommit() {
            let _ = connection.execute_batch("ROLLBACK");
        }
        if !connection.is_autocommit() {
            tracing::error!("the SQLite write connection is stuck in a transaction; reopening it");
            match open(path, max_pages) {
                Ok(fresh) => connection = fresh,
                Err(error) => {
                    tracing::error!(%error, "reopening the SQLite write connection failed")
                }
            }
        }
        replies.answer(outcome);
    }
}

/// One transaction for the batch; on any failure (a full disk at COMMIT, say) it is rolled
/// back whole and every caller is told.
fn write_batch(connection: &mut Connection, changes: Vec<Change>) -> Answer {
    connection
        .execute_batch("BEGIN IMMEDIATE")
        .map_err(unavailable)?;
    let outcome = changes
        .into_iter()
        .map(|change| write_change(connection, change))
        .collect::<Result<Vec<_>, StoreError>>();
    let committed = outcome.and_then(|results| {
        connection.execute_batch("COMMIT").map_err(unavailable)?;
        Ok(results)
    });
    if committed.is_err() && !connection.is_autocommit() {
        // Nothing of the batch was acknowledged; what the rollback itself says adds nothing.
        let _ = connection.execute_batch("ROLLBACK");
    }
    committed
}

fn write_change(
    connection: &Connection,
    change: Change,
) -> Result<Result<Committed, ChangeRefused>, StoreError> {
    match change {
        Change::Register(registration) => register(connection, registration),
        Change::Append(append) => append_to(connection, *append),
    }
}

fn command_taken(connection: &Connection, command_id: &str) -> Result<bool, StoreError> {
    connection
        .prepare_cached("SELECT 1 FROM commands WHERE command_id = ?1")
        .and_then(|mut statement| statement.exists([command_id]))
        .map_err(unavailable)
}

/// A new dossier: its number, its sealed events, its projection and rows.
fn register(
    connection: &Connection,
    registration: Registration,
) -> Result<Result<Committed, ChangeRefused>, StoreError> {
    if let Some(first) = registration.events.first()
        && command_taken(connection, &first.command_id)?
    {
        return Ok(Err(ChangeRefused::Duplicate {
            command_id: first.command_id.clone(),
        }));
    }
    let code = allocate_code(connection, &registration)?;
    let events = hoso_engine::case::seal(
        &code,
        0,
        hoso_engine::case::GENESIS_HASH,
        registration.events,
    );
    let (case, outbox) = hoso_engine::case::apply(None, &events)
        .map_err(|error| StoreError::Corrupt(error.to_string()))?;
    insert_projection(connection, &case, registration.attention.as_ref())?;
    write_rows(connection, &case, &events, &outbox, None)?;
    Ok(Ok(Committed { case, events }))
}

/// The next dossier number of the receiving unit's day.
fn allocate_code(
    connection: &Connection,
    registration: &Registration,
) -> Result<hoso_engine::case::DossierCode, StoreError> {
    let sequence: i64 = connection
        .prepare_cached(
            "INSERT INTO dossier_sequences (unit, day, last) VALUES (?1, ?2, 1) \
             ON CONFLICT (unit, day) DO UPDATE SET last = dossier_sequences.last + 1 RETURNING last",
        )
        .and_then(|mut statement| {
            statement.query_row(
                params![
                    registration.receiving_unit.to_string(),
                    registration.day.format("%Y-%m-%d").to_string()
                ],
                |row| row.get(0),
            )
        })
        .map_err(unavailable)?;
    let sequence = u32::try_from(sequence)
        .map_err(|_| StoreError::Corrupt(format!("dossier sequence {sequence}")))?;
    hoso_engine::case::DossierCode::new(
        registration.receiving_unit.clone(),
        registration.day,
        sequence,
    )
    .map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// Events for an existing dossier, if it is still at the version they were decided on and
/// their command id is not taken (the version is checked first, as the sqlx path did).
fn append_to(
    connection: &Connection,
    append: Append,
) -> Result<Result<Committed, ChangeRefused>, StoreError> {
    let command_id = append.events.first().map(|event| event.command_id.clone());
    let taken = match &command_id {
        Some(command_id) => command_taken(connection, command_id)?,
        None => false,
    };
    let moved = !taken
        && update_projection(
            connection,
            &append.case,
            append.attention.as_ref(),
            append.expected_version,
        )?;
    if !moved {
        let actual: Option<i64> = connection
            .prepare_cached("SELECT version FROM dossiers WHERE code = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([append.code.to_string()], |row| row.get(0))
                    .optional()
            })
            .map_err(unavailable)?;
        let actual = actual.map(|actual| u64::try_from(actual).unwrap_or_default());
        return Ok(Err(match (actual, command_id) {
            (None, _) => ChangeRefused::Missing(append.code),
            (Some(actual), _) if actual != append.expected_version => ChangeRefused::Conflict {
                code: append.code,
                expected: append.expected_version,
                actual,
            },
            (Some(_), command_id) => ChangeRefused::Duplicate {
                command_id: command_id.unwrap_or_default(),
            },
        }));
    }
    if rows::touches_unit_rows(&append) {
        write_unit_rows(connection, &append.case)?;
    }
    write_rows(
        connection,
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

fn insert_projection(
    connection: &Connection,
    case: &Case,
    attention: Option<&Attention>,
) -> Result<(), StoreError> {
    let row = rows::ProjectionRow::of(case, attention)?;
    execute(
        connection,
        rows::INSERT_DOSSIER,
        params![
            row.code,
            row.procedure_code,
            row.procedure_version,
            row.receiving_unit,
            row.unit,
            row.status,
            row.step,
            row.applicant_id,
            row.applicant_name,
            row.attention_unit,
            row.attention_role,
            row.appointment_at,
            row.step_due_at,
            row.urgency_at,
            row.submitted_at,
            row.updated_at,
            row.version,
            row.state,
            row.applicant_kind,
            row.representative_id,
            row.finished_at,
        ],
    )?;
    Ok(())
}

/// Moves a dossier's projection on if it is still at `expected`; false when it is not.
fn update_projection(
    connection: &Connection,
    case: &Case,
    attention: Option<&Attention>,
    expected: u64,
) -> Result<bool, StoreError> {
    let row = rows::ProjectionRow::of(case, attention)?;
    let expected = i64::try_from(expected).unwrap_or(i64::MAX);
    let updated = execute(
        connection,
        "UPDATE dossiers SET unit = ?1, status = ?2, step = ?3, applicant_name = ?4, attention_unit = ?5, \
             attention_role = ?6, appointment_at = ?7, step_due_at = ?8, urgency_at = ?9, updated_at = ?10, \
             version = ?11, state = ?12, finished_at = ?15 WHERE code = ?13 AND version = ?14",
        params![
            row.unit,
            row.status,
            row.step,
            row.applicant_name,
            row.attention_unit,
            row.attention_role,
            row.appointment_at,
            row.step_due_at,
            row.urgency_at,
            row.updated_at,
            row.version,
            row.state,
            row.code,
            expected,
            row.finished_at,
        ],
    )?;
    Ok(updated == 1)
}

/// A dossier's stays away from its receiving unit and its unanswered consultations.
fn write_unit_rows(connection: &Connection, case: &Case) -> Result<(), StoreError> {
    let code = case.code.to_string();
    let (away, open) = rows::unit_rows(case);
    for unit in away {
        execute(
            connection,
            "INSERT INTO unit_stays (unit, case_code) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![unit, code],
        )?;
    }
    if let Some(open) = open {
        execute(
            connection,
            "DELETE FROM open_consultations WHERE case_code = ?1",
            [&code],
        )?;
        for unit in open {
            execute(
                connection,
                "INSERT INTO open_consultations (case_code, unit) VALUES (?1, ?2)",
                params![code, unit],
            )?;
        }
    }
    Ok(())
}

/// The change's command, events, outbox rows, operators' decisions on effects and (when
/// `timers` is given) its replacing timers.
fn write_rows(
    connection: &Connection,
    case: &Case,
    events: &[Event],
    outbox: &[OutboxMessage],
    timers: Option<&[Timer]>,
) -> Result<(), StoreError> {
    let code = case.code.to_string();
    let now = rows::micros(Utc::now());
    if let Some(first) = events.first() {
        execute(
            connection,
            "INSERT INTO commands (command_id, case_code, at) VALUES (?1, ?2, ?3)",
            params![first.command_id, code, now],
        )?;
    }
    for event in events {
        let row = rows::EventRow::from_event(event)?;
        execute(
            connection,
            "INSERT INTO events (case_code, seq, at, actor, kind, payload, command_id, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                row.case_code,
                row.seq,
                row.at,
                row.actor,
                row.kind,
                row.payload,
                row.command_id,
                row.prev_hash,
                row.hash,
            ],
        )?;
        let (key, sql) = match &event.kind {
            EventKind::EffectRetried { idempotency_key } => (
                idempotency_key,
                "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?1, claimed_until = NULL \
                 WHERE idempotency_key = ?2 AND state <> 'delivered'",
            ),
            EventKind::EffectDropped {
                idempotency_key, ..
            } => (
                idempotency_key,
                "UPDATE outbox SET state = 'dropped', next_attempt_at = ?1, claimed_until = NULL \
                 WHERE idempotency_key = ?2 AND state <> 'delivered'",
            ),
            _ => continue,
        };
        execute(connection, sql, params![row.at, key])?;
    }
    for message in outbox {
        execute(
            connection,
            "INSERT INTO outbox (idempotency_key, topic, payload, case_code, next_attempt_at, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (idempotency_key) DO NOTHING",
            params![
                message.idempotency_key,
                message.topic,
                message.payload.to_string(),
                code,
                now,
            ],
        )?;
    }
    if let Some(timers) = timers {
        execute(
            connection,
            "DELETE FROM timers WHERE case_code = ?1",
            [&code],
        )?;
        for timer in timers {
            execute(
                connection,
                "INSERT INTO timers (case_code, deadline, passed, due_at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    code,
                    rows::deadline_name(timer.deadline),
                    i64::from(timer.passed),
                    rows::micros(timer.due_at),
                ],
            )?;
        }
    }
    Ok(())
}
