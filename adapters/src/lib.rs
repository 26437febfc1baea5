//! hoso-adapters — every piece of I/O behind the engine's ports: files, stores, HTTP, mail,
//! payments, portal sync.
//!
//! # Layout
//! - [`access`] — users and bearer tokens (hashed at rest).
//! - [`archive`] — moving closed dossiers past retention to archive files (`hoso archive`).
//! - [`bench`] — the `hoso bench` workload, through the same service as the API.
//! - [`boot`] — start-up: store, procedure publication, catalogue of every stored version.
//! - [`documents`] — uploaded documents, content-addressed on disk.
//! - [`notify`] — notifications: Vietnamese messages by e-mail (SMTP) and SMS (HTTP).
//! - [`payment`] — online fee payment: VNPAY 2.1.0.
//! - [`portal`] — synchronising dossiers with the National Public Service Portal.
//! - [`http`] — the HTTP API (`hoso serve`).
//! - [`files`] — finding and reading hand-written TOML files.
//! - [`catalogue`] — procedure files and folders.
//! - [`calendars`] — the calendar folder, one file per year.
//! - [`store`] — the event store on SQLite and PostgreSQL.
//! - [`testing`] — real peers for hoso's tests (an SMTP server).
//! - [`web`] — the web pages for citizens, officers and auditors (`/`).
//! - [`worker`] — background runners: durable timers, the outbox dispatcher.

pub mod access;
pub mod app;
pub mod archive;
pub mod audit;
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
pub mod portal;
pub mod reports;
pub mod startup;
pub mod store;
pub mod testing;
pub mod tls;
pub mod web;
pub mod worker;
