//! hoso-engine — the pure core of hoso: procedures, dossiers, the legal clock and audit.
//!
//! Nothing here reads the clock, the database, the network or the file system: callers pass
//! text, instants and stored events in, and get decisions back. `cargo tree -p hoso-engine`
//! stays free of sqlx, axum, reqwest and lettre.
//!
//! # Layout
//! - [`audit`] — signed checkpoints over every chain, offline-verifiable bundles.
//! - [`case`] — dossiers: commands, events, `decide`, `evolve`, the hash chain, effects.
//! - [`clock`] — official calendars and working-time arithmetic for legal deadlines.
//! - [`forms`] — official one-stop forms from dossier data (the process-control slip).
//! - [`indicators`] — Decision 766 service-quality indicators over dossier facts.
//! - [`located`] — hand-written TOML files read with `file:line:column` diagnostics.
//! - [`procedure`] — the procedure file format, loading with located errors, validation,
//!   expressions (guards, fee formulas), diagrams.
//! - [`retention`] — the retention schedule: how long closed dossiers stay before archiving.
//! - [`money`] — whole đồng.
//! - [`ports`] — the traits the outside world implements (the store).
//! - [`service`] — runs commands: load → decide → seal → commit, idempotently.

pub mod audit;
pub mod case;
pub mod clock;
pub mod forms;
pub mod indicators;
pub mod located;
pub mod messages;
pub mod money;
pub mod ports;
pub mod procedure;
pub mod retention;
pub mod service;
