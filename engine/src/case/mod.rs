//! Dossiers (hồ sơ) as event-sourced state machines.
//!
//! [`decide`] turns a command from an actor into events, or a [`Rejection`] a person can act on;
//! [`evolve`] folds events into a [`Case`]; [`seal`] chains events with SHA-256 so any later
//! change is detectable. Procedure steps live inside the canonical [`Status`]es, which map 1:1
//! onto the national portal's codes.

mod applicant;
mod code;
mod command;
mod decide;
mod directory;
mod effects;
mod event;
mod evolve;
mod form;
mod model;
mod timeline;

pub use applicant::{
    AUTHORISATION_COMPONENT, ApplicantKind, NotifyChannel, PostalAddress, RepresentationBasis,
    Representative, ResultDelivery, countries, country_name, delivery_label, is_country_code,
    is_passport_number, is_tax_code,
};
pub use code::{DossierCode, InvalidCode, UnitId};
pub use command::{BUILT_IN, BuiltIn, Command, DataField, Input, Submission, data_reference};
pub use decide::{CALENDAR_ACTOR, Context, Rejection, available_commands, decide};
pub use directory::{
    Directory, DirectoryError, MissingRoute, Retirement, Route, UnitEntry, UnitLevel, national_code,
};
pub use effects::{Notification, OutboxMessage, Timer, effects_of, timers_of};
pub use event::{
    Actor, ActorKind, ChainBreak, Deadline, Event, EventKind, GENESIS_HASH, NewEvent, seal,
    verify_chain, write_canonical,
};
pub use evolve::{ReplayError, apply, evolve, replay};
pub(crate) use form::decimal_of;
pub use form::{FieldProblem, check_contact, check_form, is_id_number, normalize_phone};
pub use model::{
    Applicant, Case, Consultation, DocumentRef, FeeLine, IssuedResult, MissingDocument, OpenWindow,
    Pause, ProcedureRef, Provenance, ResultDocument, Status, StepVisit, SupplementRequest,
};
pub use timeline::{
    Names, describe, describe_actor, describe_actor_named, describe_named, format_instant,
};

#[cfg(test)]
mod tests;
