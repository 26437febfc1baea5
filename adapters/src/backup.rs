//! `hoso backup` and `hoso restore`: one file holding a consistent snapshot of every table and
//! the stored documents, readable by either store, so a backup of the embedded SQLite file is
//! also how an office moves onto PostgreSQL.
//!
//! The file is gzip over JSON lines: a header, one line per row (`{"table":…,"row":{…}}`), one
//! per document (`{"document":SHA-256,"base64":…}`), and last a manifest signed with the audit
//! checkpoint key, which counts the rows, holds the SHA-256 of every line before it and the
//! latest audit checkpoint in the snapshot. The file is written under a `.partial` name and
//! renamed only once complete and on disk: a backup killed midway leaves no file that looks
//! finished, and a restore refuses any file whose manifest is missing or does not match.

use std::collections::BTreeMap;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey, Verifier as _, VerifyingKey};
use hoso_engine::audit::Checkpoint;
use hoso_engine::ports::StoreError;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tokio::sync::mpsc;

use crate::documents::DocumentStore;
use crate::store::AnyStore;
use crate::store::copy::{BACKED_UP, Row};

/// The format this build writes and reads.
pub const FORMAT: &str = "hoso-backup/1";

/// How many rows wait between the reader of the store and the compressing thread.
const QUEUE: usize = 256;
/// How many documents (up to the upload limit each) wait: memory stays bounded.
const DOCUMENT_QUEUE: usize = 2;
/// How many lines of a backup being restored wait for the store (a line can hold a document).
const RESTORE_QUEUE: usize = 8;

/// What a backup holds, signed: checked before a restore writes anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// The store it was taken from (`sqlite` or `postgres`).
    pub backend: String,
    /// The schema version (last migration) of the snapshot; a restore needs the same.
    pub schema: i64,
    /// When the snapshot was taken.
    pub taken_at: DateTime<Utc>,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// How many documents.
    pub documents: u64,
    /// The SHA-256 of every line before the manifest, hex.
    pub body_sha256: String,
    /// The latest signed audit checkpoint in the snapshot, if any was taken.
    pub checkpoint: Option<Checkpoint>,
}

impl Manifest {
    /// Rows in all tables.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// The last line: the manifest's text and its signature.
#[derive(Serialize, Deserialize)]
struct Signed {
    manifest: String,
    public_key: String,
    signature: String,
}

/// Why a backup or a restore stopped; nothing of a failed restore is left in the store.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    File {
        /// The file or folder.
        path: String,
        /// What the system said.
        error: std::io::Error,
    },
    /// The file is not a complete, intact backup.
    #[error("{path} is not a complete hoso backup: {why}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// The manifest is not signed by the key the operator trusts.
    #[error("{path} is signed by {signer}, not by the trusted key {trusted}")]
    Untrusted {
        /// The file.
        path: String,
        /// Who signed it.
        signer: String,
        /// The key the operator named.
        trusted: String,
    },
    /// A restore goes only into an empty store.
    #[error(
        "the target database is not empty (table `{0}` holds rows): restore into a new, empty database"
    )]
    NotEmpty(&'static str),
    /// The backup's schema differs from this build's.
    #[error(
        "the backup's schema is version {backup} and this hoso's is {target}: restore with the hoso release that took it, then upgrade"
    )]
    Schema {
        /// The backup's.
        backup: i64,
        /// The target's.
        target: i64,
    },
    /// The backup has documents and no folder was given for them.
    #[error("the backup holds {0} documents: give --data-dir for them")]
    NoDocumentFolder(u64),
    /// The file's rows differ from what its manifest counts.
    #[error("the backup holds {found} rows of table `{table}`, its manifest counts {expected}")]
    Count {
        /// The table.
        table: String,
        /// Rows found.
        found: u64,
        /// Rows counted.
        expected: u64,
    },
}

fn file_error(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |error| BackupError::File {
        path: path.display().to_string(),
        error,
    }
}

fn invalid(path: &Path, why: impl Into<String>) -> BackupError {
    BackupError::Invalid {
        path: path.display().to_string(),
        why: why.into(),
    }
}

/// What the compressing thread is handed, in order.
/// The rows come straight from the snapshot on their own queue; what follows them on this one.
enum Tail {
    /// The documents follow on their own, shorter queue: (stored name, bytes).
    Documents(mpsc::Receiver<(String, Vec<u8>)>),
    /// Every row and document is in: sign and finish the file.
    End { schema: i64 },
}

/// The compressing thread's two queues: the snapshot's rows, then the [`Tail`].
struct Incoming {
    rows: mpsc::Receiver<Row>,
    tail: mpsc::Receiver<Tail>,
}

/// A finished backup.
#[derive(Debug)]
pub struct Taken {
    /// What it holds.
    pub manifest: Manifest,
    /// The file's size.
    pub bytes: u64,
}

/// Writes a backup of `store` (and of `documents`, when given) to `out`, signed with `key`,
/// while the store goes on taking writes. `progress` hears the lines written so far.
pub async fn take(
    store: &AnyStore,
    documents: Option<&DocumentStore>,
    key: &SigningKey,
    out: &Path,
    progress: impl Fn(u64) + Send + 'static,
) -> Result<Taken, BackupError> {
    let partial = partial_path(out);
    // Created here, before anything is awaited: whenever this future is dropped, the file is
    // there for the writing thread to remove.
    let file = std::fs::File::create(&partial).map_err(file_error(&partial))?;
    let (rows, rows_in) = mpsc::channel::<Row>(QUEUE);
    let (tail, tail_in) = mpsc::channel::<Tail>(1);
    let writer = {
        let partial = partial.clone();
        let out = out.to_owned();
        let key = key.clone();
        let backend = store.backend().to_owned();
        let incoming = Incoming {
            rows: rows_in,
            tail: tail_in,
        };
        std::thread::spawn(move || {
            write_file(file, &partial, &out, &key, backend, incoming, progress)
        })
    };
    let read = read_into(store, documents, rows, &tail).await;
    let schema = match read {
        Ok(schema) => schema,
        Err(error) => {
            drop(tail);
            let _ = writer.join();
            return Err(error);
        }
    };
    // A closed queue means the writer failed; it says why when joined.
    let _ = tail.send(Tail::End { schema }).await;
    drop(tail);
    writer
        .join()
        .unwrap_or_else(|_| Err(invalid(out, "the writing thread panicked")))
}

/// Sends the snapshot's rows, then the documents, to the writing thread.
async fn read_into(
    store: &AnyStore,
    documents: Option<&DocumentStore>,
    rows: mpsc::Sender<Row>,
    tail: &mpsc::Sender<Tail>,
) -> Result<i64, BackupError> {
    // The rows queue closes when the snapshot is done: the thread then turns to the tail.
    let schema = store.snapshot(rows).await?;
    // Documents are read after the rows: one is stored before the commit that names it is
    // acknowledged, so every document the snapshot names is already there.
    if let Some(documents) = documents {
        let addresses = documents
            .addresses()
            .await
            .map_err(file_error(documents.root()))?;
        let (files, queue) = mpsc::channel(DOCUMENT_QUEUE);
        if tail.send(Tail::Documents(queue)).await.is_err() {
            return Ok(schema);
        }
        for address in addresses {
            let Some(bytes) = documents
                .stored(&address)
                .await
                .map_err(file_error(documents.root()))?
            else {
                continue;
            };
            if files.send((address, bytes)).await.is_err() {
                break;
            }
        }
    }
    Ok(schema)
}

/// Where a backup is written until it is complete.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// The compressing thread: writes each line as it comes, then the signed manifest, and puts
/// the file in place only once it is complete and on disk. Anything short of that removes the
/// partial file.
fn write_file(
    file: std::fs::File,
    partial: &Path,
    out: &Path,
    key: &SigningKey,
    backend: String,
    mut incoming: Incoming,
    progress: impl Fn(u64),
) -> Result<Taken, BackupError> {
    let outcome = (|| {
        let mut sink = Sink {
            gzip: flate2::write::GzEncoder::new(
                std::io::BufWriter::new(file),
                flate2::Compression::fast(),
            ),
            hash: Sha256::new(),
            lines: 0,
        };
        let taken_at = Utc::now();
        let header =
            serde_json::json!({ "format": FORMAT, "backend": backend, "taken_at": taken_at });
        sink.line(header.to_string().as_bytes())
            .map_err(file_error(partial))?;
        let mut rows: BTreeMap<String, u64> = BACKED_UP
            .iter()
            .map(|table| ((*table).to_owned(), 0))
            .collect();
        let mut documents = 0;
        let mut checkpoint: Option<Checkpoint> = None;
        while let Some(row) = incoming.rows.blocking_recv() {
            if row.table == "audit_checkpoints" {
                checkpoint = latest(checkpoint, &row.json);
            }
            *rows.entry(row.table.to_owned()).or_default() += 1;
            let text = format!("{{\"table\":\"{}\",\"row\":{}}}", row.table, row.json);
            sink.line(text.as_bytes()).map_err(file_error(partial))?;
            if sink.lines.is_multiple_of(1000) {
                progress(sink.lines);
            }
        }
        let schema = loop {
            let Some(tail) = incoming.tail.blocking_recv() else {
                return Err(invalid(
                    out,
                    "the backup was interrupted before it finished",
                ));
            };
            match tail {
                Tail::Documents(mut files) => {
                    while let Some((address, bytes)) = files.blocking_recv() {
                        documents += 1;
                        let text = serde_json::json!({
                            "document": address,
                            "base64": base64::engine::general_purpose::STANDARD.encode(bytes),
                        });
                        sink.line(text.to_string().as_bytes())
                            .map_err(file_error(partial))?;
                        progress(sink.lines);
                    }
                }
                Tail::End { schema } => break schema,
            }
        };
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            backend,
            schema,
            taken_at,
            rows,
            documents,
            body_sha256: hex::encode(sink.hash.clone().finalize()),
            checkpoint,
        };
        let text =
            serde_json::to_string(&manifest).map_err(|error| invalid(out, error.to_string()))?;
        let signed = Signed {
            public_key: hoso_engine::audit::public_key(key),
            signature: hex::encode(key.sign(text.as_bytes()).to_bytes()),
            manifest: text,
        };
        let last =
            serde_json::to_string(&signed).map_err(|error| invalid(out, error.to_string()))?;
        sink.gzip
            .write_all(format!("{last}\n").as_bytes())
            .map_err(file_error(partial))?;
        let file = sink
            .gzip
            .finish()
            .map_err(file_error(partial))?
            .into_inner()
            .map_err(|error| file_error(partial)(error.into_error()))?;
        file.sync_all().map_err(file_error(partial))?;
        let bytes = file.metadata().map_err(file_error(partial))?.len();
        drop(file);
        std::fs::rename(partial, out).map_err(file_error(out))?;
        if let Some(folder) = out.parent().filter(|folder| !folder.as_os_str().is_empty()) {
            // The rename itself is on disk only once the folder is.
            std::fs::File::open(folder)
                .and_then(|folder| folder.sync_all())
                .map_err(file_error(folder))?;
        }
        Ok(Taken { manifest, bytes })
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(partial);
    }
    outcome
}

/// The later of `latest` and the checkpoint in an `audit_checkpoints` row.
fn latest(latest: Option<Checkpoint>, row: &str) -> Option<Checkpoint> {
    let found = serde_json::from_str::<serde_json::Value>(row)
        .ok()
        .and_then(|row| row.get("checkpoint")?.as_str().map(str::to_owned))
        .and_then(|text| serde_json::from_str::<Checkpoint>(&text).ok());
    match (latest, found) {
        (Some(latest), Some(found)) if found.sequence <= latest.sequence => Some(latest),
        (latest, found) => found.or(latest),
    }
}

/// The compressed file and the hash of what went into it.
struct Sink {
    gzip: flate2::write::GzEncoder<std::io::BufWriter<std::fs::File>>,
    hash: Sha256,
    lines: u64,
}

impl Sink {
    fn line(&mut self, text: &[u8]) -> std::io::Result<()> {
        self.hash.update(text);
        self.hash.update(b"\n");
        self.lines += 1;
        self.gzip.write_all(text)?;
        self.gzip.write_all(b"\n")
    }
}

/// Reads a backup through once and checks it: complete, intact, its manifest signed by
/// `trusted` (a hex public key: the office's audit key, which an operator names; a key read
/// from the file itself would prove nothing), and its latest audit checkpoint too. Returns the
/// manifest.
pub fn check(from: &Path, trusted: &str) -> Result<Manifest, BackupError> {
    let mut reader = open(from)?;
    let mut hash = Sha256::new();
    let mut previous: Option<String> = None;
    let mut line = String::new();
    let mut first = true;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|error| invalid(from, format!("cannot be read to the end ({error})")))?;
        if read == 0 {
            break;
        }
        if first {
            header(from, &line)?;
            first = false;
        }
        if let Some(before) = previous.replace(line.clone()) {
            hash.update(before.as_bytes());
        }
    }
    let last = previous.ok_or_else(|| invalid(from, "it is empty"))?;
    let signed: Signed = serde_json::from_str(&last).map_err(|_| {
        invalid(
            from,
            "its last line is not a signed manifest (was the backup cut short?)",
        )
    })?;
    let manifest: Manifest = serde_json::from_str(&signed.manifest)
        .map_err(|error| invalid(from, format!("its manifest cannot be read ({error})")))?;
    let key = hex::decode(&signed.public_key)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
        .ok_or_else(|| invalid(from, "its manifest names no valid public key"))?;
    let signature = hex::decode(&signed.signature)
        .ok()
        .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
        .map(|bytes| ed25519_dalek::Signature::from_bytes(&bytes))
        .ok_or_else(|| invalid(from, "its manifest's signature is malformed"))?;
    if !trusted.eq_ignore_ascii_case(&signed.public_key) {
        return Err(BackupError::Untrusted {
            path: from.display().to_string(),
            signer: signed.public_key,
            trusted: trusted.to_owned(),
        });
    }
    key.verify(signed.manifest.as_bytes(), &signature)
        .map_err(|_| invalid(from, "its manifest's signature does not match"))?;
    if let Some(checkpoint) = &manifest.checkpoint {
        checkpoint
            .verify(Some(trusted))
            .map_err(|why| invalid(from, format!("its latest checkpoint: {why}")))?;
    }
    if manifest.format != FORMAT {
        return Err(invalid(
            from,
            format!(
                "its format is {}, this hoso reads {FORMAT}",
                manifest.format
            ),
        ));
    }
    if hex::encode(hash.finalize()) != manifest.body_sha256 {
        return Err(invalid(
            from,
            "its content does not match the manifest's hash",
        ));
    }
    Ok(manifest)
}

fn open(from: &Path) -> Result<impl std::io::BufRead, BackupError> {
    let file = std::fs::File::open(from).map_err(file_error(from))?;
    Ok(std::io::BufReader::new(flate2::read::GzDecoder::new(
        std::io::BufReader::new(file),
    )))
}

fn header(from: &Path, line: &str) -> Result<(), BackupError> {
    let header: serde_json::Value = serde_json::from_str(line)
        .map_err(|_| invalid(from, "it does not start with a hoso backup header"))?;
    match header.get("format").and_then(serde_json::Value::as_str) {
        Some(FORMAT) => Ok(()),
        Some(other) => Err(invalid(
            from,
            format!("its format is {other}, this hoso reads {FORMAT}"),
        )),
        None => Err(invalid(from, "it does not start with a hoso backup header")),
    }
}

/// One line of the body, as read back.
#[derive(Deserialize)]
struct BodyLine<'a> {
    #[serde(borrow)]
    table: Option<&'a str>,
    #[serde(borrow)]
    row: Option<&'a serde_json::value::RawValue>,
    document: Option<String>,
    base64: Option<String>,
}

/// Restores a backup into `store`, which must be empty and at the backup's schema, and its
/// documents into `documents`. The file is checked first ([`check`]); the rows go in in one
/// transaction, so a failed restore leaves the store as empty as it was.
pub async fn restore(
    from: &Path,
    store: &AnyStore,
    documents: Option<&DocumentStore>,
    trusted: &str,
    progress: impl Fn(u64, u64),
) -> Result<Manifest, BackupError> {
    let manifest = {
        let checking = from.to_owned();
        let trusted = trusted.to_owned();
        tokio::task::spawn_blocking(move || check(&checking, &trusted))
            .await
            .map_err(|_| invalid(from, "the checking thread panicked"))??
    };
    let target = store.schema_version().await?;
    if target != manifest.schema {
        return Err(BackupError::Schema {
            backup: manifest.schema,
            target,
        });
    }
    if let Some(table) = store.first_table_in_use().await? {
        return Err(BackupError::NotEmpty(table));
    }
    if manifest.documents > 0 && documents.is_none() {
        return Err(BackupError::NoDocumentFolder(manifest.documents));
    }
    let total = manifest.total_rows() + manifest.documents;
    let (lines, mut received) = mpsc::channel::<String>(RESTORE_QUEUE);
    let reader = {
        let from = from.to_owned();
        std::thread::spawn(move || -> Result<(), BackupError> {
            let mut reader = open(&from)?;
            loop {
                let mut line = String::new();
                let read = reader
                    .read_line(&mut line)
                    .map_err(|error| invalid(&from, error.to_string()))?;
                if read == 0 || lines.blocking_send(line).is_err() {
                    return Ok(());
                }
            }
        })
    };
    let mut filling = store.fill().await?;
    let mut added: BTreeMap<String, u64> = BTreeMap::new();
    let mut done: u64 = 0;
    let mut number: u64 = 0;
    // What is written is hashed again as it goes: the file could change after the check.
    let mut hash = Sha256::new();
    let mut whole = false;
    while let Some(line) = received.recv().await {
        number += 1;
        if number == 1 {
            hash.update(line.as_bytes());
            continue;
        }
        let body: BodyLine<'_> = serde_json::from_str(&line)
            .map_err(|error| invalid(from, format!("line {number}: {error}")))?;
        match (body.table, body.row, body.document, body.base64) {
            (Some(table), Some(row), _, _) => {
                let table = BACKED_UP
                    .iter()
                    .find(|known| **known == table)
                    .ok_or_else(|| invalid(from, format!("unknown table `{table}`")))?;
                filling.add(table, row.get().to_owned()).await?;
                *added.entry((*table).to_owned()).or_default() += 1;
            }
            (_, _, Some(address), Some(encoded)) => {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .map_err(|error| invalid(from, format!("document {address}: {error}")))?;
                if let Some(documents) = documents {
                    documents
                        .put_stored(&address, &bytes)
                        .await
                        .map_err(file_error(documents.root()))?;
                }
            }
            // The signed manifest, already checked: what came before it must be what was.
            _ => {
                whole = hex::encode(hash.clone().finalize()) == manifest.body_sha256;
                break;
            }
        }
        hash.update(line.as_bytes());
        done += 1;
        if done.is_multiple_of(1000) {
            progress(done, total);
        }
    }
    drop(received);
    reader
        .join()
        .unwrap_or_else(|_| Err(invalid(from, "the reading thread panicked")))?;
    // Dropping `filling` without finishing rolls every row back.
    if !whole {
        return Err(invalid(from, "it changed while it was being restored"));
    }
    for (table, expected) in &manifest.rows {
        let found = added.get(table).copied().unwrap_or_default();
        if found != *expected {
            return Err(BackupError::Count {
                table: table.clone(),
                found,
                expected: *expected,
            });
        }
    }
    filling.finish().await?;
    progress(total, total);
    Ok(manifest)
}
