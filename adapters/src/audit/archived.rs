//! Archive files as evidence: their format, reading one, verifying its chains offline, and
//! checking that what the store recorded as archived is in its file and ends where it did.
//! `archive` writes these files; the auditor's checks read them.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use hoso_engine::audit::{Bundle, verify_bundle};
use serde::{Deserialize, Serialize};

use super::Finding;
use crate::store::{ArchivedPayment, ArchivedRecord};

/// The format tag of an archive file.
pub const ARCHIVE_FORMAT: &str = "hoso-archive/1";

/// One dossier in an archive file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveEntry {
    /// The retention class it was kept under.
    pub retention: String,
    /// When it closed.
    pub closed_at: DateTime<Utc>,
    /// Its evidence, as `hoso audit export` writes it.
    pub bundle: Bundle,
    /// Its payment attempts.
    pub payments: Vec<ArchivedPayment>,
    /// The citizen's satisfaction rating, if any (never with an identity).
    pub rating: Option<String>,
}

/// An archive file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArchiveFile {
    /// Always [`ARCHIVE_FORMAT`].
    pub format: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// The day retention was judged on.
    pub as_of: NaiveDate,
    /// The archived dossiers, by code.
    pub entries: Vec<ArchiveEntry>,
}

/// Reads an archive file.
pub fn read_archive(path: &Path) -> Result<ArchiveFile, String> {
    let text = std::fs::read_to_string(path).map_err(|error| error.to_string())?;
    archive_from(serde_json::from_str(&text).map_err(|error| error.to_string())?)
}

/// An archive file from its parsed JSON, for a caller that has already read it.
pub fn archive_from(value: serde_json::Value) -> Result<ArchiveFile, String> {
    let file: ArchiveFile = serde_json::from_value(value)
        .map_err(|error| format!("not a hoso archive file: {error}"))?;
    if file.format != ARCHIVE_FORMAT {
        return Err(format!(
            "unknown archive format `{}` (expected {ARCHIVE_FORMAT})",
            file.format
        ));
    }
    Ok(file)
}

/// Checks every entry of an archive file offline: each chain, checkpoint and Merkle proof.
/// Returns one line per dossier and whether all were intact.
pub fn verify_archive(file: &ArchiveFile, trusted_key: Option<&str>) -> (Vec<String>, bool) {
    let mut intact = true;
    let lines = file
        .entries
        .iter()
        .map(|entry| match verify_bundle(&entry.bundle, trusted_key) {
            Ok(report) => format!(
                "{}: {} events intact{}",
                entry.bundle.dossier,
                report.events,
                report.checkpoint.map_or_else(
                    || " (no checkpoint covers it)".to_owned(),
                    |sequence| format!("; checkpoint {sequence} vouches for it"),
                )
            ),
            Err(why) => {
                intact = false;
                format!("{}: {why}", entry.bundle.dossier)
            }
        })
        .collect();
    (lines, intact)
}

/// Checks archived dossiers against their archive files where the files are at hand: the entry
/// exists, its chain verifies and ends at the head the store recorded.
pub fn check_archived(records: &[ArchivedRecord]) -> Vec<Finding> {
    let mut files: HashMap<&str, Option<ArchiveFile>> = HashMap::new();
    let mut findings = Vec::new();
    for record in records {
        let file = files
            .entry(record.archive_file.as_str())
            .or_insert_with(|| read_archive(Path::new(&record.archive_file)).ok());
        // An archive moved to offline storage is checked there, with `--bundle`.
        let Some(file) = file else { continue };
        let finding = |why: String| Finding {
            dossier: record.code.clone(),
            seq: record.last_seq,
            why,
        };
        match file
            .entries
            .iter()
            .find(|entry| entry.bundle.dossier == record.code)
        {
            None => findings.push(finding(format!(
                "recorded as archived to {} but the file has no entry for it",
                record.archive_file
            ))),
            Some(entry) => {
                let last = entry.bundle.events.last();
                if let Err(why) = verify_bundle(&entry.bundle, None) {
                    findings.push(finding(format!(
                        "its archived evidence does not verify: {why}"
                    )));
                } else if last.map(|event| (event.seq, event.hash.as_str()))
                    != Some((record.last_seq, record.last_hash.as_str()))
                {
                    findings.push(finding(
                        "its archived chain does not end at the head recorded when it was archived"
                            .to_owned(),
                    ));
                }
            }
        }
    }
    findings
}
