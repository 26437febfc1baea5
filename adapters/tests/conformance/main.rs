//! One conformance suite for every store: each test runs on SQLite and on PostgreSQL.

mod backup;
mod harness;
mod outbox;
mod store;
mod timers;
mod units;
