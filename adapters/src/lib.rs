//! hoso-adapters — every piece of I/O behind the engine's ports: the application's use cases, the
//! JSON API and the pages over them, the stores, mail, SMS, payments, portal sync.
//!
//! # How things flow
//!
//! **A request.** [`startup::router`] puts the JSON API ([`http`]) and the pages ([`web`]) behind
//! the same layers (timeout, request log, rate limits, body limits, content headers). A handler
//! only translates: `http::api::take_action` reads the path, the `Idempotency-Key` header and the
//! JSON body, finds the caller (`http::auth`, a [`app::Principal`]), and calls one use case,
//! [`app::actions::act`]; the page's form (`web::pages::dossier_forms::act`) calls the same one.
//! The use case reads the dossier once ([`app::dossiers::load_readable`], which also decides who
//! may *read* it), claims the idempotency key ([`app::idempotency`]), and hands the dossier as it
//! read it to the engine's `Service::execute` (`Target::Read`). Its answer is a view model
//! ([`app::dossiers::DossierView`]) that `http` writes as JSON and `web` as a page.
//!
//! **A command.** `Service::execute` (in `hoso-engine`) asks the pure `decide` what the command
//! does, seals the events into the hash chain, folds them into the new state with its outbox
//! messages and timers, and commits one [`hoso_engine::ports::Change`] through the
//! [`hoso_engine::ports::Dossiers`] port. On SQL that is [`store::AnyStore`]: the group-commit
//! queue (`store::group`) gathers concurrent changes, and `store::write` applies the batch in one
//! transaction — projections moved on, then one multi-row statement per table for the command
//! ids, events, outbox rows and timers — and answers each change only after COMMIT.
//!
//! **A timer.** [`worker::run_timers`] claims due timers under a lease (`store::timers`), sends
//! each as a `raise_deadline` command whose id is derived from the timer (two firings are one
//! command), and releases a timer that had nothing left to do.
//!
//! **An outbox row.** Written in the same transaction as its events, it is claimed by the
//! [`worker::Dispatcher`] (`store::outbox`), handed to its topic's deliverer — [`notify`] (e-mail,
//! SMS), [`portal`] — with its idempotency key, and marked delivered, retried with backoff, or
//! kept as a dead letter an operator can retry (`hoso outbox`). On PostgreSQL the commit also
//! wakes the dispatchers of every node.
//!
//! # Layout
//! - [`app`] — the use cases: one per thing a person does, each checking access and idempotency.
//! - [`http`] — the JSON API over [`app`] (problem+json, OpenAPI, sign-in, payments' callbacks).
//! - [`web`] — the pages over [`app`] (askama, CSRF, sessions, Vietnamese first).
//! - [`startup`] — builds the configured application and runs it (`hoso serve`).
//! - [`store`] — the event store on SQLite and PostgreSQL, one file per concern.
//! - [`worker`] — background runners: durable timers, the outbox dispatcher.
//! - [`notify`] — notifications: Vietnamese messages by e-mail (SMTP) and SMS (HTTP).
//! - [`payment`] — online fee payment: VNPAY 2.1.0.
//! - [`portal`] — synchronising dossiers with the National Public Service Portal.
//! - [`audit`] — verifying chains, signed checkpoints, archive files as evidence.
//! - [`archive`] — moving closed dossiers past retention to archive files (`hoso archive`).
//! - [`access`] — users and bearer tokens (hashed at rest).
//! - [`oidc`] — citizens' ID tokens from the national SSO.
//! - [`metrics`], [`limit`], [`tls`] — Prometheus counters, per-caller rate limits, outbound TLS.
//! - [`bench`] — the `hoso bench` workload, through the same service as the API.
//! - [`boot`] — opening the store, publishing procedure files, the catalogue of every version.
//! - [`documents`] — uploaded documents, content-addressed on disk.
//! - [`files`], [`catalogue`], [`calendars`] — hand-written TOML: procedures and calendar years.
//! - [`reports`] — Decision 766 indicators and the register from stored dossiers.
//! - [`testing`] — real peers for hoso's tests (an SMTP server).

pub mod access;
pub mod app;
pub mod archive;
pub mod audit;
pub mod backup;
pub mod bench;
pub mod boot;
pub mod calendars;
pub mod catalogue;
pub mod documents;
pub mod files;
pub mod http;
pub mod limit;
pub mod metrics;
pub mod notify;
pub mod oidc;
pub mod payment;
pub mod pdf;
pub mod portal;
pub mod reports;
pub mod sealing;
pub mod startup;
pub mod store;
pub mod testing;
pub mod text;
pub mod tls;
pub mod web;
pub mod worker;
