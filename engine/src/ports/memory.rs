//! Every port in memory: the same contract as the SQL stores (the conformance suite runs on all
//! three), so the service and the use cases can be tested without a database. Nothing is
//! durable; a batch is applied under one lock, each change alone or not at all.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use super::{
    Append, Attention, CaseQuery, CaseSummary, Change, ChangeRefused, Committed, Dossiers, Outbox,
    Procedures, Published, Registration, StoreError, StoredProcedure, Timers,
};
use crate::case::{
    Case, DossierCode, Event, EventKind, GENESIS_HASH, OutboxMessage, Timer, UnitId, apply, seal,
};

/// A store kept in memory.
#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

/// An outbox row: the message and where it is in delivery.
#[derive(Clone)]
struct OutboxRow {
    message: OutboxMessage,
    delivery: Delivery,
}

/// Where an outbox message is in delivery, as the operators' commands move it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    Pending,
    Dropped,
}

/// A timer row and the lease on it.
#[derive(Clone)]
struct TimerRow {
    timer: Timer,
    claimed_until: Option<DateTime<Utc>>,
}

#[derive(Default, Clone)]
struct State {
    dossiers: BTreeMap<DossierCode, (Case, Option<Attention>)>,
    events: HashMap<DossierCode, Vec<Event>>,
    commands: HashMap<String, DossierCode>,
    sequences: HashMap<(UnitId, NaiveDate), u32>,
    /// In insertion order, as the SQL stores' row ids.
    outbox: Vec<OutboxRow>,
    timers: HashMap<DossierCode, Vec<TimerRow>>,
    procedures: BTreeMap<(String, u32), StoredProcedure>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        // A panic while the lock was held left a batch half-applied: the store cannot be trusted.
        self.state
            .lock()
            .map_err(|_| StoreError::Corrupt("the in-memory store was poisoned by a panic".into()))
    }
}

impl State {
    fn register(
        &mut self,
        registration: Registration,
    ) -> Result<Result<Committed, ChangeRefused>, StoreError> {
        let command_id = first_command(registration.events.iter().map(|e| &e.command_id));
        if self.commands.contains_key(&command_id) {
            return Ok(Err(ChangeRefused::Duplicate { command_id }));
        }
        let next = self
            .sequences
            .get(&(registration.receiving_unit.clone(), registration.day))
            .map_or(1, |last| last + 1);
        let code = DossierCode::new(registration.receiving_unit.clone(), registration.day, next)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let events = seal(&code, 0, GENESIS_HASH, registration.events);
        let (case, outbox) =
            apply(None, &events).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        self.sequences
            .insert((registration.receiving_unit, registration.day), next);
        self.commands.insert(command_id, code.clone());
        self.add_outbox(outbox);
        self.events.insert(code.clone(), events.clone());
        self.dossiers
            .insert(code, (case.clone(), registration.attention));
        Ok(Ok(Committed { case, events }))
    }

    fn append(&mut self, append: Append) -> Result<Committed, ChangeRefused> {
        let Some((stored, _)) = self.dossiers.get(&append.code) else {
            return Err(ChangeRefused::Missing(append.code));
        };
        if stored.version != append.expected_version {
            return Err(ChangeRefused::Conflict {
                code: append.code,
                expected: append.expected_version,
                actual: stored.version,
            });
        }
        let command_id = first_command(append.events.iter().map(|e| &e.command_id));
        if self.commands.contains_key(&command_id) {
            return Err(ChangeRefused::Duplicate { command_id });
        }
        self.commands.insert(command_id, append.code.clone());
        for event in &append.events {
            self.operate_effect(&event.kind);
        }
        self.add_outbox(append.outbox);
        self.events
            .entry(append.code.clone())
            .or_default()
            .extend(append.events.iter().cloned());
        self.timers.insert(
            append.code.clone(),
            append
                .timers
                .into_iter()
                .map(|timer| TimerRow {
                    timer,
                    claimed_until: None,
                })
                .collect(),
        );
        self.dossiers
            .insert(append.code, (append.case.clone(), append.attention));
        Ok(Committed {
            case: append.case,
            events: append.events,
        })
    }

    /// An operator's retry sends a message again; a drop stops it. A delivered one stays.
    fn operate_effect(&mut self, kind: &EventKind) {
        let (key, delivery) = match kind {
            EventKind::EffectRetried { idempotency_key } => (idempotency_key, Delivery::Pending),
            EventKind::EffectDropped {
                idempotency_key, ..
            } => (idempotency_key, Delivery::Dropped),
            _ => return,
        };
        if let Some(row) = self
            .outbox
            .iter_mut()
            .find(|row| &row.message.idempotency_key == key)
        {
            row.delivery = delivery;
        }
    }

    /// Adds messages whose idempotency keys are new; a key seen before is the same effect.
    fn add_outbox(&mut self, messages: Vec<OutboxMessage>) {
        for message in messages {
            if !self
                .outbox
                .iter()
                .any(|row| row.message.idempotency_key == message.idempotency_key)
            {
                self.outbox.push(OutboxRow {
                    message,
                    delivery: Delivery::Pending,
                });
            }
        }
    }
}

fn first_command<'a>(mut ids: impl Iterator<Item = &'a String>) -> String {
    ids.next().cloned().unwrap_or_default()
}

fn summary(case: &Case) -> CaseSummary {
    CaseSummary {
        code: case.code.clone(),
        procedure_code: case.procedure.code.to_string(),
        procedure_version: case.procedure.version,
        status: case.status,
        step: case.step.clone(),
        unit: case.unit.clone(),
        applicant_name: case.applicant.name.clone(),
        appointment: case.appointment,
        step_due: case.step_due(),
        version: case.version,
        submitted_at: case.submitted_at,
        finished_at: case.finished_at,
    }
}

/// The earlier of the step's due time and the appointment: the inbox's order.
fn urgency(case: &Case) -> Option<DateTime<Utc>> {
    match (case.step_due(), case.appointment) {
        (Some(step), Some(appointment)) => Some(step.min(appointment)),
        (step, appointment) => step.or(appointment),
    }
}

/// The first `limit` (1–500, as the SQL stores clamp it) as summaries.
fn first(cases: Vec<&Case>, limit: u32) -> Vec<CaseSummary> {
    cases
        .into_iter()
        .take(limit.clamp(1, 500) as usize)
        .map(summary)
        .collect()
}

impl Dossiers for MemoryStore {
    async fn commit(
        &self,
        changes: Vec<Change>,
    ) -> Result<Vec<Result<Committed, ChangeRefused>>, StoreError> {
        let mut state = self.state()?;
        // A failure of the store itself leaves nothing of the batch behind, as a rollback does.
        let before = state.clone();
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            let outcome = match change {
                Change::Register(registration) => state.register(registration),
                Change::Append(append) => Ok(state.append(*append)),
            };
            match outcome {
                Ok(result) => results.push(result),
                Err(error) => {
                    *state = before;
                    return Err(error);
                }
            }
        }
        Ok(results)
    }

    async fn load(&self, code: &DossierCode) -> Result<Option<Case>, StoreError> {
        Ok(self
            .state()?
            .dossiers
            .get(code)
            .map(|(case, _)| case.clone()))
    }

    async fn events(&self, code: &DossierCode) -> Result<Vec<Event>, StoreError> {
        Ok(self.state()?.events.get(code).cloned().unwrap_or_default())
    }

    async fn command(&self, command_id: &str) -> Result<Option<DossierCode>, StoreError> {
        Ok(self.state()?.commands.get(command_id).cloned())
    }

    async fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        let state = self.state()?;
        // As in the SQL stores, `%` and `_` are not patterns: they are dropped from the text.
        let text = query
            .text
            .as_ref()
            .map(|text| text.to_lowercase().replace(['%', '_'], ""));
        let mut matching: Vec<&Case> = state
            .dossiers
            .values()
            .map(|(case, _)| case)
            .filter(|case| query.status.is_none_or(|status| case.status == status))
            .filter(|case| {
                query
                    .unit
                    .as_ref()
                    .is_none_or(|unit| &case.unit == unit || &case.receiving_unit == unit)
            })
            .filter(|case| {
                query.party.as_ref().is_none_or(|party| {
                    case.is_party(party)
                        || query
                            .organisation
                            .as_deref()
                            .is_some_and(|organisation| case.organisation() == Some(organisation))
                })
            })
            .filter(|case| {
                text.as_ref().is_none_or(|text| {
                    case.code.to_string().to_lowercase().contains(text.as_str())
                        || case.applicant.name.to_lowercase().contains(text.as_str())
                })
            })
            .collect();
        matching.sort_by(|left, right| {
            (right.submitted_at, &right.code).cmp(&(left.submitted_at, &left.code))
        });
        Ok(matching
            .into_iter()
            .skip(query.offset as usize)
            .take(query.limit.clamp(1, 500) as usize)
            .map(summary)
            .collect())
    }

    async fn inbox(
        &self,
        unit: &UnitId,
        role: &str,
        limit: u32,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let state = self.state()?;
        let mut waiting: Vec<&Case> = state
            .dossiers
            .values()
            .filter(|(_, attention)| {
                attention
                    .as_ref()
                    .is_some_and(|attention| &attention.unit == unit && attention.role == role)
            })
            .map(|(case, _)| case)
            .collect();
        // Dossiers with no deadline come last, as `urgency_at IS NULL` sorts them in SQL.
        waiting.sort_by_key(|case| (urgency(case).is_none(), urgency(case), case.submitted_at));
        Ok(first(waiting, limit))
    }

    async fn consultations_for(
        &self,
        unit: &UnitId,
        limit: u32,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let state = self.state()?;
        let mut waiting: Vec<&Case> = state
            .dossiers
            .values()
            .map(|(case, _)| case)
            .filter(|case| {
                case.consultations
                    .iter()
                    .any(|consultation| &consultation.unit == unit && consultation.answer.is_none())
            })
            .collect();
        waiting.sort_by_key(|case| (case.submitted_at, case.code.clone()));
        Ok(first(waiting, limit))
    }

    async fn codes(&self) -> Result<Vec<DossierCode>, StoreError> {
        Ok(self.state()?.dossiers.keys().cloned().collect())
    }

    async fn replace_projection(
        &self,
        case: &Case,
        attention: Option<&Attention>,
    ) -> Result<(), StoreError> {
        // As an UPDATE: a dossier that is not stored is not created by rewriting its projection.
        if let Some(stored) = self.state()?.dossiers.get_mut(&case.code) {
            *stored = (case.clone(), attention.cloned());
        }
        Ok(())
    }
}

impl Procedures for MemoryStore {
    async fn publish_procedure(
        &self,
        code: &str,
        version: u32,
        definition: &str,
        now: DateTime<Utc>,
    ) -> Result<Published, StoreError> {
        let sha256 = hex::encode(Sha256::digest(definition.as_bytes()));
        let mut state = self.state()?;
        if let Some(stored) = state.procedures.get(&(code.to_owned(), version)) {
            return Ok(if stored.sha256 == sha256 {
                Published::Unchanged
            } else {
                Published::Differs
            });
        }
        state.procedures.insert(
            (code.to_owned(), version),
            StoredProcedure {
                code: code.to_owned(),
                version,
                definition: definition.to_owned(),
                sha256,
                published_at: now,
            },
        );
        Ok(Published::New)
    }

    async fn procedures(&self) -> Result<Vec<StoredProcedure>, StoreError> {
        Ok(self.state()?.procedures.values().cloned().collect())
    }
}

impl Outbox for MemoryStore {
    async fn pending_outbox(&self, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        Ok(self
            .state()?
            .outbox
            .iter()
            .filter(|row| row.delivery == Delivery::Pending)
            .take(limit as usize)
            .map(|row| row.message.clone())
            .collect())
    }
}

impl Timers for MemoryStore {
    async fn claim_due_timers(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<(DossierCode, Timer)>, StoreError> {
        let mut state = self.state()?;
        let mut due: Vec<(DateTime<Utc>, DossierCode, usize)> = state
            .timers
            .iter()
            .flat_map(|(code, rows)| {
                rows.iter().enumerate().filter_map(move |(index, row)| {
                    let free = row.claimed_until.is_none_or(|until| until < now);
                    (row.timer.due_at <= now && free)
                        .then(|| (row.timer.due_at, code.clone(), index))
                })
            })
            .collect();
        due.sort();
        due.truncate(limit as usize);
        let mut claimed = Vec::with_capacity(due.len());
        for (_, code, index) in due {
            if let Some(row) = state
                .timers
                .get_mut(&code)
                .and_then(|rows| rows.get_mut(index))
            {
                row.claimed_until = Some(lease_until);
                claimed.push((code, row.timer.clone()));
            }
        }
        Ok(claimed)
    }

    async fn release_timer(&self, code: &DossierCode, timer: &Timer) -> Result<(), StoreError> {
        if let Some(rows) = self.state()?.timers.get_mut(code) {
            rows.retain(|row| &row.timer != timer);
        }
        Ok(())
    }

    async fn timers(&self, code: &DossierCode) -> Result<Vec<Timer>, StoreError> {
        let state = self.state()?;
        let mut timers: Vec<Timer> = state
            .timers
            .get(code)
            .map(|rows| rows.iter().map(|row| row.timer.clone()).collect())
            .unwrap_or_default();
        // As the SQL stores order them: due time, then appointment before step, near before passed.
        timers.sort_by_key(|timer| {
            (
                timer.due_at,
                matches!(timer.deadline, crate::case::Deadline::Step),
                timer.passed,
            )
        });
        Ok(timers)
    }
}
