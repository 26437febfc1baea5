//! hoso-adapters — every piece of I/O behind the engine's ports: files, stores, HTTP, mail,
//! payments, portal sync.
//!
//! # Layout
//! - [`catalogue`] — reading procedure files and folders from disk.

pub mod catalogue;
