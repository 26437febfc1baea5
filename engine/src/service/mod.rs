//! Runs commands: load the dossier → decide → seal → derive state, outbox and timers → commit
//! through the store. Every command is idempotent by its id.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::case::{
    Actor, Case, Command, Context, Directory, DossierCode, Event, NewEvent, Rejection, ReplayError,
    Status, apply, decide, seal, timers_of,
};
use crate::clock::{Calendars, vietnam};
use crate::ports::{Append, Attention, Change, ChangeRefused, Registration, Store, StoreError};
use crate::procedure::{Procedure, ProcedureCode};

/// Every procedure version hoso knows, pinned dossiers' versions included.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    versions: BTreeMap<(String, u32), Arc<Procedure>>,
    retention: Option<Arc<crate::retention::RetentionSchedule>>,
}

impl Catalogue {
    /// An empty catalogue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts the agency's retention schedule in force: new versions must name a class it defines.
    pub fn set_retention(&mut self, schedule: crate::retention::RetentionSchedule) {
        self.retention = Some(Arc::new(schedule));
    }

    /// The retention schedule in force, when one was given.
    pub fn retention(&self) -> Option<&crate::retention::RetentionSchedule> {
        self.retention.as_deref()
    }

    /// Adds a procedure version.
    pub fn insert(&mut self, procedure: Procedure) {
        self.versions.insert(
            (procedure.code().to_string(), procedure.version()),
            Arc::new(procedure),
        );
    }

    /// The newest version of a procedure: the one new dossiers are submitted under.
    pub fn current(&self, code: &str) -> Option<&Arc<Procedure>> {
        self.versions
            .range((code.to_owned(), 0)..=(code.to_owned(), u32::MAX))
            .next_back()
            .map(|(_, procedure)| procedure)
    }

    /// Every procedure code, once each, in order.
    pub fn codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.versions.keys().map(|(code, _)| code.clone()).collect();
        codes.dedup();
        codes
    }

    /// A specific version.
    pub fn get(&self, code: &str, version: u32) -> Option<&Arc<Procedure>> {
        self.versions.get(&(code.to_owned(), version))
    }

    /// Every version, by code then version.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Procedure>> {
        self.versions.values()
    }

    /// How many versions.
    pub fn len(&self) -> usize {
        self.versions.len()
    }

    /// No versions at all.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }
}

/// What a command is aimed at.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A new dossier under the current version of a procedure.
    New(ProcedureCode),
    /// An existing dossier, read from the store.
    Existing(DossierCode),
    /// An existing dossier as the caller already read it (to check who may act): decided on as
    /// read, so an action reads the dossier once. If the command conflicts or is refused and the
    /// dossier has moved since the read, it is decided again on a fresh read — unless the caller
    /// named the version it saw.
    Read(Box<Case>),
}

/// A command with its id, actor and target.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Unique per intended action; retrying with the same id returns the first result.
    pub command_id: String,
    /// Who sends it.
    pub actor: Actor,
    /// What it is aimed at.
    pub target: Target,
    /// The version the sender saw; a different stored version is a conflict.
    pub expected_version: Option<u64>,
    /// The command.
    pub command: Command,
}

/// The result of a command.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The dossier after it.
    pub case: Case,
    /// The events it wrote (none for a no-op such as a repeated timer).
    pub events: Vec<Event>,
    /// True when the command id had been applied before and this is that first result.
    pub replayed: bool,
}

/// Why a command did not take effect.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such procedure code.
    #[error("no procedure {0} in the catalogue")]
    UnknownProcedure(String),
    /// No such dossier.
    #[error("no dossier {0}")]
    UnknownDossier(String),
    /// The dossier's pinned version is missing from the catalogue.
    #[error("dossier {code} runs on procedure {procedure} version {version}, which is not loaded")]
    MissingVersion {
        /// The dossier.
        code: String,
        /// The procedure.
        procedure: String,
        /// The version.
        version: u32,
    },
    /// The command was refused; nothing was written.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// Someone else changed the dossier first; reload and retry if still wanted.
    #[error("dossier {code} is at version {actual}, not {expected}: reload it and try again")]
    Conflict {
        /// The dossier.
        code: String,
        /// The version the caller expected.
        expected: u64,
        /// The version stored.
        actual: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Stored events could not be folded (a bug or corruption).
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

/// Who must act next on a dossier, for the inbox.
pub fn attention(procedure: &Procedure, case: &Case) -> Option<Attention> {
    let intake = || Attention {
        unit: case.receiving_unit.clone(),
        role: procedure.intake_role().to_owned(),
    };
    match case.status {
        Status::Registered | Status::Resolved => Some(intake()),
        Status::Received | Status::Processing => {
            let step = procedure.step(case.step.as_deref()?)?;
            Some(Attention {
                unit: case.unit.clone(),
                role: step.role.clone(),
            })
        }
        _ => None,
    }
}

/// Runs commands against a store.
pub struct Service<S> {
    store: S,
    catalogue: std::sync::RwLock<Catalogue>,
    calendars: std::sync::RwLock<Arc<Calendars>>,
    directory: std::sync::RwLock<Arc<Directory>>,
}

impl<S: Store> Service<S> {
    /// A service over a store with its procedures, calendars and unit routing.
    pub fn new(store: S, catalogue: Catalogue, calendars: Calendars, directory: Directory) -> Self {
        Self {
            store,
            catalogue: std::sync::RwLock::new(catalogue),
            calendars: std::sync::RwLock::new(Arc::new(calendars)),
            directory: std::sync::RwLock::new(Arc::new(directory)),
        }
    }

    /// The unit directory in force now (cheap: shared).
    pub fn directory(&self) -> Arc<Directory> {
        self.directory.read().map_or_else(
            |poisoned| Arc::clone(&poisoned.into_inner()),
            |directory| Arc::clone(&directory),
        )
    }

    /// Puts a changed unit directory in force; dossiers already at a step stay where they are.
    pub fn replace_directory(&self, directory: Directory) {
        let directory = Arc::new(directory);
        match self.directory.write() {
            Ok(mut current) => *current = directory,
            Err(poisoned) => *poisoned.into_inner() = directory,
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// A snapshot of the procedures (cheap: versions are shared).
    pub fn catalogue(&self) -> Catalogue {
        self.catalogue.read().map_or_else(
            |poisoned| poisoned.into_inner().clone(),
            |catalogue| catalogue.clone(),
        )
    }

    /// Adds a newly published version.
    pub fn add_procedure(&self, procedure: Procedure) {
        match self.catalogue.write() {
            Ok(mut catalogue) => catalogue.insert(procedure),
            Err(poisoned) => poisoned.into_inner().insert(procedure),
        }
    }

    /// The newest version of a procedure.
    pub fn current_procedure(&self, code: &str) -> Option<Arc<Procedure>> {
        self.catalogue().current(code).cloned()
    }

    /// The calendars in force now (cheap: shared).
    pub fn calendars(&self) -> Arc<Calendars> {
        self.calendars.read().map_or_else(
            |poisoned| Arc::clone(&poisoned.into_inner()),
            |calendars| Arc::clone(&calendars),
        )
    }

    /// Puts new calendars in force (an official year replacing a draft); commands decided from
    /// now on count on them. Dossiers already computed move only by an audited recompute.
    pub fn replace_calendars(&self, calendars: Calendars) {
        let calendars = Arc::new(calendars);
        match self.calendars.write() {
            Ok(mut current) => *current = calendars,
            Err(poisoned) => *poisoned.into_inner() = calendars,
        }
    }

    /// The procedure version a dossier is pinned to.
    pub fn procedure_of(&self, case: &Case) -> Result<Arc<Procedure>, ServiceError> {
        self.catalogue()
            .get(case.procedure.code.as_str(), case.procedure.version)
            .cloned()
            .ok_or_else(|| ServiceError::MissingVersion {
                code: case.code.to_string(),
                procedure: case.procedure.code.to_string(),
                version: case.procedure.version,
            })
    }

    /// Runs one command at `now`.
    pub async fn execute(
        &self,
        request: Request,
        now: DateTime<Utc>,
    ) -> Result<Executed, ServiceError> {
        if let Some(code) = self.store.command(&request.command_id).await? {
            return self.first_result(&code, &request.command_id).await;
        }
        let mut outcome = self.decide_and_commit(&request, now).await;
        // A dossier decided on as its caller read it may have moved since: a commit that
        // conflicts, or a refusal the moved dossier might not give, is decided once more on a
        // fresh read — unless the caller named the version it saw.
        if let (
            Err(ServiceError::Conflict { .. } | ServiceError::Rejected(_)),
            Target::Read(read),
            None,
        ) = (&outcome, &request.target, request.expected_version)
            && let Some(current) = self.store.load(&read.code).await?
            && current.version != read.version
        {
            let fresh = Request {
                target: Target::Read(Box::new(current)),
                ..request.clone()
            };
            outcome = self.decide_and_commit(&fresh, now).await;
        }
        match outcome {
            // A retry racing its own first attempt can see the state the first attempt made and
            // be refused or conflict; the first result is the answer.
            Err(ServiceError::Rejected(_) | ServiceError::Conflict { .. }) => {
                match self.store.command(&request.command_id).await? {
                    Some(code) => self.first_result(&code, &request.command_id).await,
                    None => outcome,
                }
            }
            other => other,
        }
    }

    async fn decide_and_commit(
        &self,
        request: &Request,
        now: DateTime<Utc>,
    ) -> Result<Executed, ServiceError> {
        let change = self.prepare(request, now).await?;
        let change = match change {
            Prepared::Change(change) => change,
            Prepared::NoOp(case) => {
                return Ok(Executed {
                    case: *case,
                    events: Vec::new(),
                    replayed: false,
                });
            }
        };
        let mut results = self.store.commit(vec![change]).await?;
        match results.pop() {
            Some(Ok(committed)) => Ok(Executed {
                case: committed.case,
                events: committed.events,
                replayed: false,
            }),
            Some(Err(ChangeRefused::Conflict {
                code,
                expected,
                actual,
            })) => Err(ServiceError::Conflict {
                code: code.to_string(),
                expected,
                actual,
            }),
            Some(Err(ChangeRefused::Duplicate { command_id })) => {
                match self.store.command(&command_id).await? {
                    Some(code) => self.first_result(&code, &command_id).await,
                    None => Err(StoreError::Corrupt(format!(
                        "command {command_id} reported applied but not found"
                    ))
                    .into()),
                }
            }
            Some(Err(ChangeRefused::Missing(code))) => {
                Err(ServiceError::UnknownDossier(code.to_string()))
            }
            None => Err(StoreError::Corrupt(
                "the store answered no result for one change".to_owned(),
            )
            .into()),
        }
    }

    async fn first_result(
        &self,
        code: &DossierCode,
        command_id: &str,
    ) -> Result<Executed, ServiceError> {
        let case = self
            .store
            .load(code)
            .await?
            .ok_or_else(|| ServiceError::UnknownDossier(code.to_string()))?;
        let events = self
            .store
            .events(code)
            .await?
            .into_iter()
            .filter(|event| event.command_id == command_id)
            .collect();
        Ok(Executed {
            case,
            events,
            replayed: true,
        })
    }

    async fn prepare(
        &self,
        request: &Request,
        now: DateTime<Utc>,
    ) -> Result<Prepared, ServiceError> {
        let new_events = |kinds: Vec<crate::case::EventKind>| -> Vec<NewEvent> {
            kinds
                .into_iter()
                .map(|kind| NewEvent {
                    at: now,
                    actor: request.actor.clone(),
                    kind,
                    command_id: request.command_id.clone(),
                })
                .collect()
        };
        let case = match &request.target {
            Target::Read(case) => std::borrow::Cow::Borrowed(case.as_ref()),
            Target::Existing(code) => std::borrow::Cow::Owned(
                self.store
                    .load(code)
                    .await?
                    .ok_or_else(|| ServiceError::UnknownDossier(code.to_string()))?,
            ),
            Target::New(procedure_code) => {
                let procedure = self
                    .current_procedure(procedure_code.as_str())
                    .ok_or_else(|| ServiceError::UnknownProcedure(procedure_code.to_string()))?;
                let calendars = self.calendars();
                let directory = self.directory();
                let context = self.context(&procedure, &calendars, &directory);
                let kinds = decide(&context, None, &request.actor, &request.command, now)?;
                let Command::Submit(submission) = &request.command else {
                    return Err(Rejection::NotNow(
                        crate::messages::Refusal::NoDossierYet {
                            command: request.command.name().to_owned(),
                        }
                        .into(),
                    )
                    .into());
                };
                return Ok(Prepared::Change(Change::Register(Registration {
                    receiving_unit: submission.receiving_unit.clone(),
                    day: now.with_timezone(&vietnam()).date_naive(),
                    events: new_events(kinds),
                    attention: Some(Attention {
                        unit: submission.receiving_unit.clone(),
                        role: procedure.intake_role().to_owned(),
                    }),
                })));
            }
        };
        let code = &case.code;
        if let Some(expected) = request.expected_version
            && expected != case.version
        {
            return Err(ServiceError::Conflict {
                code: code.to_string(),
                expected,
                actual: case.version,
            });
        }
        let procedure = self.procedure_of(&case)?;
        let calendars = self.calendars();
        let directory = self.directory();
        let context = self.context(&procedure, &calendars, &directory);
        let kinds = decide(&context, Some(&case), &request.actor, &request.command, now)?;
        if kinds.is_empty() {
            return Ok(Prepared::NoOp(Box::new(case.into_owned())));
        }
        let events = seal(&case.code, case.version, &case.last_hash, new_events(kinds));
        let (after, outbox) = apply(Some(&case), &events)?;
        Ok(Prepared::Change(Change::Append(Box::new(Append {
            code: case.code.clone(),
            expected_version: case.version,
            timers: timers_of(&after, &calendars, procedure.definition().clock.warn_before),
            attention: attention(&procedure, &after),
            events,
            case: after,
            outbox,
        }))))
    }

    /// Rebuilds every dossier's projection from its events, verifying each chain on the way.
    /// Returns how many projections differed from the rebuilt state (and were rewritten).
    pub async fn rebuild_projections(&self) -> Result<RebuildReport, ServiceError> {
        let mut report = RebuildReport::default();
        for code in self.store.codes().await? {
            let events = self.store.events(&code).await?;
            crate::case::verify_chain(&code, &events)
                .map_err(|broken| StoreError::Corrupt(broken.to_string()))?;
            let Some(rebuilt) = crate::case::replay(&events)? else {
                continue;
            };
            report.dossiers += 1;
            let stored = self.store.load(&code).await?;
            if stored.as_ref() != Some(&rebuilt) {
                report.rewritten += 1;
                let procedure = self.procedure_of(&rebuilt)?;
                self.store
                    .replace_projection(&rebuilt, attention(&procedure, &rebuilt).as_ref())
                    .await?;
            }
        }
        Ok(report)
    }

    /// What `decide` is given for a dossier on `procedure`: the same calendars and unit routing
    /// the service itself decides with.
    pub fn context<'a>(
        &'a self,
        procedure: &'a Procedure,
        calendars: &'a Calendars,
        directory: &'a Directory,
    ) -> Context<'a> {
        Context {
            procedure,
            calendars,
            directory,
        }
    }
}

/// What a projection rebuild did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RebuildReport {
    /// Dossiers replayed.
    pub dossiers: u64,
    /// Projections that differed and were rewritten.
    pub rewritten: u64,
}

enum Prepared {
    Change(Change),
    NoOp(Box<Case>),
}

#[cfg(test)]
mod tests;
