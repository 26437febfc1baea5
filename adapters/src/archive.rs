//! `hoso archive`: moves closed dossiers whose retention period has passed out of the working
//! store into an archive file, with their chains intact and verifiable offline.
//!
//! The file is written and synced before anything is removed, then every archived dossier's rows go
//! in one transaction that also records where each went. A crash between the two leaves the
//! dossiers in the store (and an unused file); a run never leaves a dossier in neither place.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use hoso_engine::audit::{Checkpoint, Head};
use hoso_engine::case::DossierCode;
use hoso_engine::clock::vietnam;
use hoso_engine::ports::{Dossiers as _, Procedures as _, StoreError};
use hoso_engine::procedure::ProcedureDefinition;
use hoso_engine::retention::{Keep, RetentionSchedule};
use serde::Serialize;

pub use crate::audit::archived::{
    ARCHIVE_FORMAT, ArchiveEntry, ArchiveFile, archive_from, check_archived, read_archive,
    verify_archive,
};
use crate::audit::{self, AuditError};
use crate::store::AnyStore;
pub use crate::store::{ArchivedPayment, ArchivedRecord, NotArchived};
use hoso_engine::ports::Archive as _;
use hoso_engine::ports::Checkpoints as _;

/// What to archive.
#[derive(Debug, Clone)]
pub struct ArchiveRequest {
    /// Retention is judged on this day (Vietnam time).
    pub as_of: NaiveDate,
    /// Where to write the archive file; it must not exist yet.
    pub out: PathBuf,
    /// At most this many dossiers in one file.
    pub limit: usize,
    /// The time recorded as the archiving time.
    pub now: DateTime<Utc>,
}

/// What an archive run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArchiveSummary {
    /// Closed dossiers looked at.
    pub closed: usize,
    /// Dossiers archived, by code.
    pub archived: Vec<String>,
    /// Closed dossiers whose class keeps them permanently.
    pub permanent: usize,
    /// Closed dossiers still inside their retention period.
    pub within_retention: usize,
    /// Closed dossiers whose procedure version names no retention class (published before the
    /// field existed); they stay until a designer decides.
    pub without_class: usize,
    /// Dossiers past retention that were left in the store, and why (broken chain, undelivered).
    pub left: Vec<NotArchived>,
    /// Past retention but over the batch limit: the next run takes them.
    pub deferred: usize,
    /// The archive file written, if any dossier was archived.
    pub file: Option<PathBuf>,
    /// SHA-256 of the uploaded documents the archived dossiers named (a store reference is
    /// not one), sorted, once each: [`remove_documents`] takes those no other dossier names.
    pub documents: Vec<String>,
}

/// Why an archive run could not go ahead.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An archived dossier's document could not be removed.
    #[error("removing archived documents: {0}")]
    Documents(String),
    /// Reading a dossier's evidence failed.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// Published procedures name classes the schedule does not define.
    #[error(
        "the retention schedule does not define {}; add a [classes.NAME] table for each (the schedule defines: {defined})",
        .unknown.join(", ")
    )]
    UnknownClasses {
        /// Each as "class `NAME` (named by procedure CODE version N)".
        unknown: Vec<String>,
        /// The classes the schedule defines.
        defined: String,
    },
    /// The output file exists.
    #[error("{0} already exists; archive files are never overwritten, choose a new name")]
    Exists(String),
    /// Writing the output file failed; nothing was removed.
    #[error("writing {path}: {why}; nothing was removed from the store")]
    Write {
        /// The file.
        path: String,
        /// What failed.
        why: String,
    },
    /// A dossier changed between being read and being removed; nothing was removed.
    #[error("{0}; nothing was removed from the store and the archive file was deleted — run again")]
    Raced(NotArchived),
}

/// Archives the closed dossiers whose retention has passed on `request.as_of`, calling
/// `progress(done, total)` as it reads them.
pub async fn archive(
    store: &AnyStore,
    schedule: &RetentionSchedule,
    request: &ArchiveRequest,
    mut progress: impl FnMut(usize),
) -> Result<ArchiveSummary, ArchiveError> {
    if request.out.exists() {
        return Err(ArchiveError::Exists(request.out.display().to_string()));
    }
    let classes = retention_classes(store, schedule).await?;
    // Read once: every archived dossier's bundle takes its proof from them.
    let checkpoints = store.checkpoints().await?;
    let mut summary = ArchiveSummary::default();
    let mut entries = Vec::new();
    let mut after = String::new();
    loop {
        let page = store.closed_dossiers(&after, 500).await?;
        let Some((last, _, _)) = page.last() else {
            break;
        };
        after = last.clone();
        for (code, procedure, version) in page {
            summary.closed += 1;
            progress(summary.closed);
            let version = u32::try_from(version).unwrap_or_default();
            let Some((class, keep)) = classes.get(&(procedure, version)).cloned().flatten() else {
                summary.without_class += 1;
                continue;
            };
            let Ok(parsed) = DossierCode::parse(&code) else {
                summary.left.push(NotArchived {
                    code,
                    why: "its stored code is malformed; run `hoso audit verify`".to_owned(),
                });
                continue;
            };
            let events = store.events(&parsed).await?;
            let Some(closed_at) = events.last().map(|event| event.at) else {
                continue;
            };
            match keep.archivable_from(closed_at.with_timezone(&vietnam()).date_naive()) {
                None => summary.permanent += 1,
                Some(from) if from > request.as_of => summary.within_retention += 1,
                Some(_) if entries.len() >= request.limit => summary.deferred += 1,
                Some(_) => {
                    if let Some(entry) =
                        entry_for(store, &parsed, class, closed_at, &checkpoints, &mut summary)
                            .await?
                    {
                        entries.push(entry);
                    }
                }
            }
        }
    }
    if entries.is_empty() {
        return Ok(summary);
    }
    let file = write_archive(&request.out, request, entries)?;
    let documents: std::collections::BTreeSet<String> = file
        .entries
        .iter()
        .flat_map(|entry| &entry.bundle.documents)
        .filter(|document| is_sha256(&document.digest))
        .map(|document| document.digest.clone())
        .collect();
    let records: Vec<ArchivedRecord> = file
        .entries
        .iter()
        .map(|entry| {
            let last = entry.bundle.events.last();
            ArchivedRecord {
                code: entry.bundle.dossier.clone(),
                archive_file: absolute(&request.out),
                last_seq: last.map_or(0, |event| event.seq),
                last_hash: last.map(|event| event.hash.clone()).unwrap_or_default(),
                closed_at: entry.closed_at,
                archived_at: request.now,
            }
        })
        .collect();
    if let Err(raced) = store.remove_archived(&records).await? {
        let _ = std::fs::remove_file(&request.out);
        return Err(ArchiveError::Raced(raced));
    }
    summary.archived = records.into_iter().map(|record| record.code).collect();
    summary.file = Some(request.out.clone());
    summary.documents = documents.into_iter().collect();
    Ok(summary)
}

fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_hexdigit() && !byte.is_ascii_uppercase())
}

/// Removes from `documents` those of `archived` (SHA-256s, as [`ArchiveSummary::documents`])
/// that no dossier still in the store names: under retention a dossier's documents go with it
/// (the archive keeps their hashes, which prove what they were). Returns how many were removed.
pub async fn remove_documents(
    store: &AnyStore,
    documents: &crate::documents::DocumentStore,
    archived: &[String],
) -> Result<usize, ArchiveError> {
    let mut removed = 0;
    for sha256 in archived {
        if store.document_referenced(sha256).await? {
            continue;
        }
        if documents
            .remove(sha256)
            .await
            .map_err(|error| ArchiveError::Documents(error.to_string()))?
        {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Each published version's retention class and what the schedule keeps for it; refuses a class
/// the schedule does not define before anything is read or written.
async fn retention_classes(
    store: &AnyStore,
    schedule: &RetentionSchedule,
) -> Result<HashMap<(String, u32), Option<(String, Keep)>>, ArchiveError> {
    let mut classes = HashMap::new();
    let mut unknown = Vec::new();
    for stored in store.procedures().await? {
        let definition: ProcedureDefinition = serde_json::from_str(&stored.definition)
            .map_err(|error| StoreError::Corrupt(format!("procedure {}: {error}", stored.code)))?;
        let class = match definition.retention {
            None => None,
            Some(class) => match schedule.keep(&class) {
                Some(keep) => Some((class, keep)),
                None => {
                    unknown.push(format!(
                        "class `{class}` (named by procedure {} version {})",
                        stored.code, stored.version
                    ));
                    None
                }
            },
        };
        classes.insert((stored.code, stored.version), class);
    }
    if unknown.is_empty() {
        Ok(classes)
    } else {
        Err(ArchiveError::UnknownClasses {
            unknown,
            defined: schedule.class_names().collect::<Vec<_>>().join(", "),
        })
    }
}

/// The archive entry of a dossier past retention, or `None` (noted in `summary`) when it must stay.
async fn entry_for(
    store: &AnyStore,
    code: &DossierCode,
    retention: String,
    closed_at: DateTime<Utc>,
    checkpoints: &[(Checkpoint, Vec<Head>)],
    summary: &mut ArchiveSummary,
) -> Result<Option<ArchiveEntry>, ArchiveError> {
    let mut leave = |why: String| {
        summary.left.push(NotArchived {
            code: code.to_string(),
            why,
        });
        Ok(None)
    };
    // Archiving a broken chain would move the damage out of the auditor's sight.
    if let Some(finding) = audit::check_dossier(store, &code.to_string())
        .await?
        .finding
    {
        return leave(format!("its history does not verify ({finding})"));
    }
    let (payments, rating, undelivered) = store.beside_chain(&code.to_string()).await?;
    if undelivered > 0 {
        return leave(format!(
            "{undelivered} message(s) in the outbox are still undelivered"
        ));
    }
    let bundle = audit::bundle_under(store, code, checkpoints).await?;
    Ok(Some(ArchiveEntry {
        retention,
        closed_at,
        bundle,
        payments,
        rating,
    }))
}

fn write_archive(
    path: &Path,
    request: &ArchiveRequest,
    entries: Vec<ArchiveEntry>,
) -> Result<ArchiveFile, ArchiveError> {
    let file = ArchiveFile {
        format: ARCHIVE_FORMAT.to_owned(),
        created_at: request.now,
        as_of: request.as_of,
        entries,
    };
    let failed = |why: String| ArchiveError::Write {
        path: path.display().to_string(),
        why,
    };
    let text = serde_json::to_vec_pretty(&file).map_err(|error| failed(error.to_string()))?;
    let mut handle = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::AlreadyExists => ArchiveError::Exists(path.display().to_string()),
            _ => failed(error.to_string()),
        })?;
    let written = handle
        .write_all(&text)
        .and_then(|()| handle.write_all(b"\n"))
        .and_then(|()| handle.sync_all());
    if let Err(error) = written {
        drop(handle);
        let _ = std::fs::remove_file(path);
        return Err(failed(error.to_string()));
    }
    // The file's directory entry must be durable too before the rows go.
    if let Some(directory) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        && let Ok(directory) = std::fs::File::open(directory)
    {
        let _ = directory.sync_all();
    }
    Ok(file)
}

fn absolute(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
