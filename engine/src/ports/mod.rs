//! What the engine needs from the outside world, as small traits by concern, implemented in
//! `hoso-adapters` over SQLite and PostgreSQL:
//! - [`Dossiers`] — events, projections, command ids; [`Procedures`] — published versions;
//!   [`Outbox`] — side effects to deliver; [`Timers`] — durable deadlines. A [`Store`] is these
//!   four, all the service needs, and [`memory::MemoryStore`] keeps them in memory for fast tests.
//! - [`Delivery`] — the outbox as dispatchers and operators work it; [`Payments`] — attempts at a
//!   gateway; [`Access`] — users, tokens, sessions, idempotency keys, sign-in nonces;
//!   [`Checkpoints`] — signed audit checkpoints; [`Archive`] — dossiers moved to archive files;
//!   [`Ratings`] — citizens' ratings; [`CalendarVersions`] — calendar files put in force.
//!
//! The store's unit of work is a *batch* of changes committed in one transaction: each change
//! succeeds or fails alone (a savepoint each), and none is acknowledged before the commit. A
//! single command is simply a batch of one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod access;
mod archive;
mod calendar_versions;
mod checkpoints;
mod dossiers;
pub mod memory;
mod outbox;
mod payments;
mod procedures;
mod ratings;
mod timers;
mod units;

pub use access::{Access, CitizenSession, NewWebSession, PendingSignIn, User, UserKind};
pub use archive::{Archive, ArchivedPayment, ArchivedRecord, NotArchived};
pub use calendar_versions::CalendarVersions;
pub use checkpoints::Checkpoints;
pub use dossiers::Dossiers;
pub use outbox::{Delivery, DeliveryState, Outbox, OutboxEntry};
pub use payments::{PaymentRecord, PaymentState, Payments};
pub use procedures::Procedures;
pub use ratings::Ratings;
pub use timers::Timers;
pub use units::Units;

use crate::case::{Case, DossierCode, Event, NewEvent, OutboxMessage, Status, Timer, UnitId};

/// A new dossier to register: the store allocates its code (the next number of the receiving
/// unit's day, in the same transaction, so numbers are never skipped or reused) and seals the
/// events under it.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The receiving unit.
    pub receiving_unit: UnitId,
    /// The day of registration in Vietnam time.
    pub day: NaiveDate,
    /// The events, the first being the submission.
    pub events: Vec<NewEvent>,
    /// Who must act next, for the inbox.
    pub attention: Option<Attention>,
}

/// Events for an existing dossier, sealed after `expected_version`, with everything derived from
/// them: the new state, outbox messages and the dossier's timers (which replace its old ones).
#[derive(Debug, Clone)]
pub struct Append {
    /// The dossier.
    pub code: DossierCode,
    /// The version the events were decided on; another writer's change since is a conflict.
    pub expected_version: u64,
    /// The sealed events.
    pub events: Vec<Event>,
    /// The state after them.
    pub case: Case,
    /// Side effects to deliver.
    pub outbox: Vec<OutboxMessage>,
    /// The dossier's timers from now on.
    pub timers: Vec<Timer>,
    /// Who must act next, for the inbox.
    pub attention: Option<Attention>,
}

/// One change in a batch.
#[derive(Debug, Clone)]
pub enum Change {
    /// Register a new dossier.
    Register(Registration),
    /// Append to an existing one (boxed: it carries the whole new state).
    Append(Box<Append>),
}

/// Who must act next on a dossier: the officer inbox key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    /// The unit.
    pub unit: UnitId,
    /// The procedure role within it.
    pub role: String,
}

/// A change that was committed.
#[derive(Debug, Clone)]
pub struct Committed {
    /// The dossier's state after the change.
    pub case: Case,
    /// The events written.
    pub events: Vec<Event>,
}

/// Why one change of a batch was not committed (the others are unaffected).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeRefused {
    /// Another command changed the dossier first; reload and decide again.
    #[error("dossier {code} changed: expected version {expected}, it is at {actual}")]
    Conflict {
        /// The dossier.
        code: DossierCode,
        /// The version the command was decided on.
        expected: u64,
        /// The version now stored.
        actual: u64,
    },
    /// The command id was already used: the first result stands.
    #[error("command {command_id} was already applied")]
    Duplicate {
        /// The command id.
        command_id: String,
    },
    /// The dossier does not exist.
    #[error("no dossier {0}")]
    Missing(DossierCode),
}

/// A failure of the store itself (not of one change). Says whether retrying may help.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or failed; retrying later may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Stored data could not be read back (corruption or a bug); retrying will not help.
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// The database schema is older or newer than this hoso.
    #[error("database schema: {0}")]
    Schema(String),
}

/// A row of a dossier list or inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Code.
    pub code: DossierCode,
    /// Procedure code.
    pub procedure_code: String,
    /// Procedure version.
    pub procedure_version: u32,
    /// Status.
    pub status: Status,
    /// Current step.
    pub step: Option<String>,
    /// Holding unit.
    pub unit: UnitId,
    /// Applicant's name.
    pub applicant_name: String,
    /// Appointment.
    pub appointment: Option<DateTime<Utc>>,
    /// Current step's due time.
    pub step_due: Option<DateTime<Utc>>,
    /// Version.
    pub version: u64,
    /// Submitted at.
    pub submitted_at: DateTime<Utc>,
    /// When processing ended (NgayKetThucXuLy): decided, stopped, refused or withdrawn.
    pub finished_at: Option<DateTime<Utc>>,
}

impl CaseSummary {
    /// What the dossier is due by first: the nearer of its step's due time and its appointment.
    pub fn urgency(&self) -> Option<DateTime<Utc>> {
        match (self.step_due, self.appointment) {
            (Some(step), Some(appointment)) => Some(step.min(appointment)),
            (step, appointment) => step.or(appointment),
        }
    }
}

/// A filter over dossiers; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseQuery {
    /// Only this status.
    pub status: Option<Status>,
    /// Only dossiers held by, or received at, this unit.
    pub unit: Option<UnitId>,
    /// Only the dossiers this person follows (a citizen's own, and those they represent), by
    /// personal identification number.
    pub party: Option<String>,
    /// With `party`: also the dossiers of the organisation with this tax code, for an account
    /// the sign-in vouched for as that organisation's.
    pub organisation: Option<String>,
    /// Text in the code or the applicant's name.
    pub text: Option<String>,
    /// Page size (at most 500).
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
}

/// A published procedure version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProcedure {
    /// National code.
    pub code: String,
    /// Version.
    pub version: u32,
    /// The definition as JSON.
    pub definition: String,
    /// SHA-256 of the definition.
    pub sha256: String,
    /// When published.
    pub published_at: DateTime<Utc>,
}

/// What publishing a procedure version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// It was new and is now stored.
    New,
    /// The same content was already stored under that version.
    Unchanged,
    /// A different content is already stored under that version: published versions never change.
    Differs,
}

/// Everything the service needs from storage: every port at once.
pub trait Store: Dossiers + Procedures + Outbox + Timers {}

impl<T: Dossiers + Procedures + Outbox + Timers> Store for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_is_due_by_the_nearer_of_its_step_and_its_appointment() {
        let at = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .expect("instant")
                .with_timezone(&Utc)
        };
        let mut summary = CaseSummary {
            code: DossierCode::parse("000.00.17.H21-261204-0001").expect("code"),
            procedure_code: "1.001193".to_owned(),
            procedure_version: 1,
            status: Status::Processing,
            step: Some("tham_dinh".to_owned()),
            unit: UnitId::parse("000.00.17.H21").expect("unit"),
            applicant_name: "Nguyễn Văn Bình".to_owned(),
            appointment: Some(at("2026-12-08T17:00:00+07:00")),
            step_due: Some(at("2026-12-04T10:00:00+07:00")),
            version: 3,
            submitted_at: at("2026-12-04T08:00:00+07:00"),
            finished_at: None,
        };
        assert_eq!(summary.urgency(), Some(at("2026-12-04T10:00:00+07:00")));
        summary.step_due = Some(at("2026-12-09T10:00:00+07:00"));
        assert_eq!(summary.urgency(), Some(at("2026-12-08T17:00:00+07:00")));
        summary.step_due = None;
        assert_eq!(summary.urgency(), Some(at("2026-12-08T17:00:00+07:00")));
        summary.appointment = None;
        summary.step_due = Some(at("2026-12-09T10:00:00+07:00"));
        assert_eq!(summary.urgency(), Some(at("2026-12-09T10:00:00+07:00")));
        summary.step_due = None;
        assert_eq!(summary.urgency(), None);
    }
}
