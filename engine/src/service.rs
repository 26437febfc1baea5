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
}

impl Catalogue {
    /// An empty catalogue.
    pub fn new() -> Self {
        Self::default()
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
    directory: Directory,
}

impl<S: Store> Service<S> {
    /// A service over a store with its procedures, calendars and unit routing.
    pub fn new(store: S, catalogue: Catalogue, calendars: Calendars, directory: Directory) -> Self {
        Self {
            store,
            catalogue: std::sync::RwLock::new(catalogue),
            calendars: std::sync::RwLock::new(Arc::new(calendars)),
            directory,
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
                let context = self.context(&procedure, &calendars);
                let kinds = decide(&context, None, &request.actor, &request.command, now)?;
                let Command::Submit(submission) = &request.command else {
                    return Err(Rejection::NotNow(
                        "only a submission creates a dossier".to_owned(),
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
        let context = self.context(&procedure, &calendars);
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
    ) -> Context<'a> {
        Context {
            procedure,
            calendars,
            directory: &self.directory,
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
mod tests {
    //! The service over the in-memory ports: no database, no runtime (the memory store's
    //! futures are ready at once).

    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use chrono::{DateTime, Utc};
    use serde_json::json;

    use super::{Catalogue, Request, Service, ServiceError, Target};
    use crate::case::{
        Actor, Applicant, Command, DocumentRef, Provenance, Rejection, Submission, UnitId,
    };
    use crate::ports::Dossiers as _;
    use crate::ports::memory::MemoryStore;
    use crate::procedure::{ChannelKind, Procedure, ProcedureCode};

    const BIRTH: &str = include_str!("../../procedures/1.001193-dang-ky-khai-sinh.toml");
    const UNIT: &str = "000.00.17.H21";
    const CITIZEN: &str = "001090000001";

    fn run<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut context = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn service() -> Service<MemoryStore> {
        let mut catalogue = Catalogue::new();
        catalogue.insert(Procedure::load("birth.toml", BIRTH).expect("procedure"));
        Service::new(
            MemoryStore::new(),
            catalogue,
            crate::clock::shipped_years(&[2025, 2026]),
            crate::case::Directory::single_units(),
        )
    }

    fn request(actor: Actor, target: Target, command: Command) -> Request {
        Request {
            command_id: next_command_id(),
            actor,
            target,
            expected_version: None,
            command,
        }
    }

    fn next_command_id() -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        format!("command-{}", NEXT.fetch_add(1, Ordering::Relaxed))
    }

    fn desk() -> Actor {
        Actor::officer("desk", "mot_cua", UnitId::parse(UNIT).expect("unit"))
    }

    fn submit(service: &Service<MemoryStore>) -> crate::case::Case {
        let document = |component: &str| DocumentRef {
            component: component.to_owned(),
            name: format!("{component}.pdf"),
            sha256: Some("a".repeat(64)),
            size: Some(1024),
            provenance: Provenance::Upload,
            reference: None,
        };
        let form = json!({
            "ho_ten_tre": "Nguyễn Văn An",
            "ngay_sinh": "2025-01-10",
            "gioi_tinh": "Nam",
            "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
            "so_dinh_danh_nguoi_yeu_cau": CITIZEN,
        });
        let submission = Submission {
            channel: ChannelKind::Online,
            receiving_unit: UnitId::parse(UNIT).expect("unit"),
            applicant: Applicant {
                citizen_id: CITIZEN.to_owned(),
                name: "Nguyễn Văn Bình".to_owned(),
                phone: None,
                email: Some("binh@example.vn".to_owned()),
            },
            form: form.as_object().expect("object").clone(),
            documents: vec![document("to_khai"), document("giay_chung_sinh")],
        };
        let submitted = request(
            Actor::citizen(CITIZEN),
            Target::New(ProcedureCode::parse("1.001193").expect("code")),
            Command::Submit(submission),
        );
        run(service.execute(submitted, at("2025-03-03T09:00:00+07:00")))
            .expect("submitted")
            .case
    }

    #[test]
    fn the_catalogue_lists_each_code_once_with_its_current_version() {
        let service = service();
        let mut newer = Procedure::load("birth.toml", BIRTH)
            .expect("procedure")
            .definition()
            .clone();
        newer.version = 3;
        service.add_procedure(Procedure::from_definition(newer).expect("valid"));
        let catalogue = service.catalogue();
        assert_eq!(catalogue.codes(), vec!["1.001193".to_owned()]);
        assert_eq!(catalogue.current("1.001193").map(|p| p.version()), Some(3));
        assert_eq!(
            catalogue.len(),
            2,
            "both versions stay for the dossiers pinned to them"
        );
    }

    fn inbox(service: &Service<MemoryStore>, role: &str) -> Vec<crate::case::DossierCode> {
        run(service
            .store()
            .inbox(&UnitId::parse(UNIT).expect("unit"), role, 50))
        .expect("inbox")
        .into_iter()
        .map(|row| row.code)
        .collect()
    }

    #[test]
    fn the_dossier_waits_in_the_inbox_of_whoever_must_act_next() {
        let service = service();
        let code = submit(&service).code;
        let send = |actor: Actor, command: Command, now: &str| {
            run(service.execute(
                request(actor, Target::Existing(code.clone()), command),
                at(now),
            ))
            .expect("accepted")
        };
        assert_eq!(inbox(&service, "mot_cua"), vec![code.clone()]);
        send(
            desk(),
            Command::RequestSupplement {
                missing: vec![crate::case::MissingDocument {
                    document: "to_khai".to_owned(),
                    note: "Thiếu chữ ký".to_owned(),
                }],
                reason: "Tờ khai chưa ký".to_owned(),
            },
            "2025-03-03T09:10:00+07:00",
        );
        assert!(
            inbox(&service, "mot_cua").is_empty(),
            "the applicant must act"
        );
        send(
            Actor::citizen(CITIZEN),
            Command::SubmitSupplement {
                form: serde_json::Map::new(),
                documents: vec![DocumentRef {
                    component: "to_khai".to_owned(),
                    name: "to_khai.pdf".to_owned(),
                    sha256: Some("b".repeat(64)),
                    size: Some(2048),
                    provenance: Provenance::Upload,
                    reference: None,
                }],
            },
            "2025-03-04T08:00:00+07:00",
        );
        assert_eq!(
            inbox(&service, "mot_cua"),
            vec![code.clone()],
            "back at the desk"
        );
        send(desk(), Command::Receive, "2025-03-04T08:30:00+07:00");
        send(
            desk(),
            Command::TakeAction {
                action: "chuyen_tham_dinh".to_owned(),
                reason: None,
                data: serde_json::Map::new(),
            },
            "2025-03-04T08:40:00+07:00",
        );
        assert!(inbox(&service, "mot_cua").is_empty());
        assert_eq!(
            inbox(&service, "tu_phap"),
            vec![code],
            "the appraising step's role"
        );
    }

    #[test]
    fn rebuilding_rewrites_only_the_projections_that_differ_from_their_events() {
        let service = service();
        let submitted = submit(&service);
        let second = submit(&service).code;
        let received = run(service.execute(
            request(desk(), Target::Existing(second.clone()), Command::Receive),
            at("2025-03-03T09:10:00+07:00"),
        ))
        .expect("received")
        .case;
        let clean = run(service.rebuild_projections()).expect("rebuilt");
        assert_eq!((clean.dossiers, clean.rewritten), (2, 0));
        // The second dossier's projection is put back to before its receipt.
        let mut stale = received.clone();
        stale.status = submitted.status;
        stale.version = 1;
        run(service.store().replace_projection(&stale, None)).expect("replaced");
        let repaired = run(service.rebuild_projections()).expect("rebuilt");
        assert_eq!((repaired.dossiers, repaired.rewritten), (2, 1));
        assert_eq!(
            run(service.store().load(&second)).expect("load"),
            Some(received)
        );
    }

    #[test]
    fn calendars_put_in_force_are_the_ones_the_service_decides_with() {
        let service = service();
        assert_eq!(
            service.calendars().years().collect::<Vec<_>>(),
            vec![2025, 2026]
        );
        service.replace_calendars(crate::clock::shipped_years(&[2025, 2026, 2027]));
        assert_eq!(
            service.calendars().years().collect::<Vec<_>>(),
            vec![2025, 2026, 2027]
        );
        assert!(Catalogue::new().is_empty());
        assert!(!service.catalogue().is_empty());
        assert_eq!(service.catalogue().iter().count(), 1);
    }

    #[test]
    fn a_command_on_a_read_that_went_stale_is_decided_again_on_a_fresh_read() {
        let service = service();
        let read = submit(&service);
        // Another officer receives the dossier after this one read it.
        let first = request(
            desk(),
            Target::Existing(read.code.clone()),
            Command::Receive,
        );
        run(service.execute(first, at("2025-03-03T09:10:00+07:00"))).expect("received");
        let again = request(
            desk(),
            Target::Read(Box::new(read.clone())),
            Command::Receive,
        );
        let outcome = run(service.execute(again, at("2025-03-03T09:11:00+07:00")));
        assert!(
            matches!(outcome, Err(ServiceError::Rejected(Rejection::NotNow(_)))),
            "decided on the fresh state, where it is already received: {outcome:?}"
        );
    }

    #[test]
    fn a_refusal_on_a_read_that_went_stale_is_decided_again_on_a_fresh_read() {
        let service = service();
        let read = submit(&service);
        // Not yet received when read, so forwarding it would be refused; received meanwhile.
        let first = request(
            desk(),
            Target::Existing(read.code.clone()),
            Command::Receive,
        );
        run(service.execute(first, at("2025-03-03T09:10:00+07:00"))).expect("received");
        let forward = Command::TakeAction {
            action: "chuyen_tham_dinh".to_owned(),
            reason: None,
            data: serde_json::Map::new(),
        };
        let forwarded = request(
            desk(),
            Target::Read(Box::new(read.clone())),
            forward.clone(),
        );
        let executed = run(service.execute(forwarded, at("2025-03-03T09:11:00+07:00")))
            .expect("decided on the fresh read, where it may be forwarded");
        assert_eq!(executed.case.step.as_deref(), Some("tham_dinh"));
        // A refusal on a read that is still current stands, and reads nothing more to decide.
        let repeated = request(
            desk(),
            Target::Read(Box::new(executed.case.clone())),
            Command::Receive,
        );
        let outcome = run(service.execute(repeated, at("2025-03-03T09:12:00+07:00")));
        assert!(
            matches!(outcome, Err(ServiceError::Rejected(_))),
            "{outcome:?}"
        );
        let _ = forward;
    }

    #[test]
    fn a_command_that_names_the_version_it_saw_conflicts_instead() {
        let service = service();
        let read = submit(&service);
        let first = request(
            desk(),
            Target::Existing(read.code.clone()),
            Command::Receive,
        );
        run(service.execute(first, at("2025-03-03T09:10:00+07:00"))).expect("received");
        let mut again = request(
            desk(),
            Target::Read(Box::new(read.clone())),
            Command::Receive,
        );
        again.expected_version = Some(read.version);
        let outcome = run(service.execute(again, at("2025-03-03T09:11:00+07:00")));
        assert!(
            matches!(outcome, Err(ServiceError::Conflict { expected, actual, .. }) if expected == read.version && actual == read.version + 1),
            "{outcome:?}"
        );
    }

    #[test]
    fn a_fresh_read_is_decided_as_read_and_a_retry_returns_the_first_result() {
        let service = service();
        let read = submit(&service);
        let received = request(
            desk(),
            Target::Read(Box::new(read.clone())),
            Command::Receive,
        );
        let first = run(service.execute(received.clone(), at("2025-03-03T09:10:00+07:00")))
            .expect("received");
        assert!(!first.replayed);
        assert_eq!(first.case.version, read.version + 1);
        let retried =
            run(service.execute(received, at("2025-03-03T09:20:00+07:00"))).expect("retry");
        assert!(retried.replayed, "the same command id is the first result");
        assert_eq!(retried.events, first.events);
        let events = run(service.store().events(&read.code)).expect("events");
        assert_eq!(
            events.len() as u64,
            first.case.version,
            "nothing written twice"
        );
    }
}
