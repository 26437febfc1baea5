//! Checking stored history the way an auditor would: every dossier's chain read row by row, each
//! chain's head against the dossier's record, and every signed checkpoint against today's chains.
//!
//! The checks read the raw rows, never the parsed model alone, so an edited row that no longer
//! parses is a finding about that row and not an error that stops the audit.

pub mod archived;

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use hoso_engine::audit::{self, Bundle, Checkpoint, DocumentDigest, Head};
use hoso_engine::case::{DossierCode, Event, verify_chain};
use hoso_engine::ports::{Dossiers as _, StoreError};
use serde::{Deserialize, Serialize};

use crate::store::AnyStore;
use crate::store::ArchivedRecord;
use hoso_engine::ports::Archive as _;
use hoso_engine::ports::Checkpoints as _;

/// One thing wrong with the stored history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The dossier (as stored, possibly malformed).
    pub dossier: String,
    /// The first bad sequence number (0 when the dossier's record itself is unreadable).
    pub seq: u64,
    /// What is wrong there.
    pub why: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "dossier {}: first bad event {}: {}",
            self.dossier, self.seq, self.why
        )
    }
}

/// The result of an audit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Dossiers checked.
    pub dossiers: usize,
    /// Events checked.
    pub events: usize,
    /// Checkpoints checked.
    pub checkpoints: usize,
    /// Dossiers archived out of the store (`hoso archive`), whose checkpoint heads were checked
    /// against the head recorded when they left.
    pub archived: usize,
    /// Everything wrong, by dossier.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether nothing was wrong.
    pub fn intact(&self) -> bool {
        self.findings.is_empty()
    }
}

/// A checkpoint as an auditor keeps it: the signed statement and the heads it was taken over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointFile {
    /// Always "hoso-checkpoint/1".
    pub format: String,
    /// The signed statement.
    pub checkpoint: Checkpoint,
    /// Every dossier head it covers, sorted by code.
    pub heads: Vec<Head>,
}

/// Why an audit operation could not run.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Refused: signing over broken history would vouch for it.
    #[error("refusing to sign a checkpoint over broken history ({} finding(s)); first: {first}", .count)]
    BrokenHistory {
        /// How many findings.
        count: usize,
        /// The first one.
        first: Finding,
    },
    /// The dossier does not exist.
    #[error("no dossier {0}")]
    NoDossier(String),
    /// The dossier was archived out of the store.
    #[error(
        "dossier {code} was archived on {at} to {file}; check it there with `hoso audit verify --bundle {file}`"
    )]
    Archived {
        /// The dossier.
        code: String,
        /// The archive file.
        file: String,
        /// When it was archived.
        at: DateTime<Utc>,
    },
    /// A key file could not be used.
    #[error("key file {path}: {why}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong with it.
        why: String,
    },
}

/// What checking one dossier found.
pub(crate) struct DossierCheck {
    /// The hashes of its events that parsed, in order.
    pub(crate) hashes: Vec<String>,
    /// The first thing wrong, if anything.
    pub(crate) finding: Option<Finding>,
}

/// Checks one dossier's stored rows: chain, readability, and its record's version and last hash.
pub(crate) async fn check_dossier(
    store: &AnyStore,
    stored_code: &str,
) -> Result<DossierCheck, StoreError> {
    let rows = store.audit_rows(stored_code).await?;
    let finding = |seq: u64, why: String| {
        Some(Finding {
            dossier: stored_code.to_owned(),
            seq,
            why,
        })
    };
    let Ok(code) = DossierCode::parse(stored_code) else {
        return Ok(DossierCheck {
            hashes: Vec::new(),
            finding: finding(
                1,
                "the dossier code itself is malformed (altered)".to_owned(),
            ),
        });
    };
    let mut events: Vec<Event> = Vec::with_capacity(rows.len());
    let mut unreadable = None;
    for (position, row) in rows.into_iter().enumerate() {
        match row.into_event() {
            Ok(event) => events.push(event),
            Err(error) => {
                unreadable = Some((position as u64 + 1, error.to_string()));
                break;
            }
        }
    }
    let hashes = events.iter().map(|event| event.hash.clone()).collect();
    if let Err(broken) = verify_chain(&code, &events) {
        return Ok(DossierCheck {
            hashes,
            finding: finding(broken.seq, broken.why),
        });
    }
    if let Some((seq, why)) = unreadable {
        return Ok(DossierCheck {
            hashes,
            finding: finding(
                seq,
                format!("the stored row cannot be read (altered): {why}"),
            ),
        });
    }
    let count = events.len() as u64;
    if let Some(finding) = record_against_events(store, stored_code, &events).await? {
        return Ok(DossierCheck {
            hashes,
            finding: Some(finding),
        });
    }
    let finding = match store.load(&code).await {
        Err(error) => finding(0, format!("the dossier's record cannot be read: {error}")),
        Ok(None) => finding(1, "events exist but the dossier has no record".to_owned()),
        Ok(Some(case)) if count < case.version => finding(
            count + 1,
            format!(
                "missing: the dossier's record counts {} events but only {count} are stored (removed)",
                case.version
            ),
        ),
        Ok(Some(case)) if count > case.version => finding(
            case.version + 1,
            format!(
                "the dossier's record counts {} events; event {} and after were added outside hoso (inserted)",
                case.version,
                case.version + 1
            ),
        ),
        Ok(Some(case))
            if events
                .last()
                .is_some_and(|last| last.hash != case.last_hash) =>
        {
            finding(
                count,
                "the last event is not the one the dossier's record names (replaced)".to_owned(),
            )
        }
        Ok(Some(_)) => None,
    };
    Ok(DossierCheck { hashes, finding })
}

/// The dossier's record — every stored column and the stored state — against the state its events
/// replay to. Access checks read the record (it is fast), so an edit there (another citizen's ID
/// in `applicant_id`) must not pass as intact. A record that counts more or fewer events than
/// are stored is left to the count checks, which name the added or removed events.
async fn record_against_events(
    store: &AnyStore,
    stored_code: &str,
    events: &[Event],
) -> Result<Option<Finding>, StoreError> {
    let Some(row) = store.record_row(stored_code).await? else {
        return Ok(None);
    };
    if u64::try_from(row.version).ok() != Some(events.len() as u64) {
        return Ok(None);
    }
    let finding = |why: String| {
        Some(Finding {
            dossier: stored_code.to_owned(),
            seq: 0,
            why,
        })
    };
    let rebuilt = match hoso_engine::case::replay(events) {
        Ok(Some(rebuilt)) => rebuilt,
        Ok(None) => return Ok(None),
        Err(error) => return Ok(finding(format!("the events do not replay: {error}"))),
    };
    let expected = crate::store::rows::ProjectionRow::of(&rebuilt, None)?;
    let mut differences: Vec<String> = row
        .differences(&expected)
        .into_iter()
        .map(|(column, stored, wanted)| {
            format!("column {column} holds {stored:?} but the events say {wanted:?}")
        })
        .collect();
    match crate::store::rows::parse_state(&row.state) {
        Ok(stored) if stored == rebuilt => {}
        Ok(stored) => {
            let stored = serde_json::to_value(&stored).unwrap_or_default();
            let wanted = serde_json::to_value(&rebuilt).unwrap_or_default();
            let fields: Vec<String> = wanted
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(key, value)| stored.get(key.as_str()) != Some(*value))
                .map(|(key, _)| key.clone())
                .collect();
            differences.push(format!(
                "the stored state differs from the events in {}",
                if fields.is_empty() {
                    "its fields".to_owned()
                } else {
                    fields.join(", ")
                }
            ));
        }
        Err(error) => differences.push(format!("the stored state cannot be read: {error}")),
    }
    if differences.is_empty() {
        return Ok(None);
    }
    Ok(finding(format!(
        "the dossier's record was edited outside hoso: {}",
        differences.join("; ")
    )))
}

/// Checks every dossier (or one) and every checkpoint, calling `progress(done, total)` as it goes.
pub async fn verify_store(
    store: &AnyStore,
    only: Option<&DossierCode>,
    trusted_key: Option<&str>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, AuditError> {
    let codes = match only {
        Some(code) => {
            let code = code.to_string();
            if !store.audit_code_known(&code).await? {
                return Err(match store.archived_dossiers(Some(&code)).await?.pop() {
                    Some(record) => AuditError::Archived {
                        code,
                        file: record.archive_file,
                        at: record.archived_at,
                    },
                    None => AuditError::NoDossier(code),
                });
            }
            vec![code]
        }
        None => store.audit_codes().await?,
    };
    let archived_records = match only {
        Some(_) => Vec::new(),
        None => store.archived_dossiers(None).await?,
    };
    let mut report = Report {
        dossiers: codes.len(),
        archived: archived_records.len(),
        findings: archived::check_archived(&archived_records),
        ..Report::default()
    };
    let archived: HashMap<String, ArchivedRecord> = archived_records
        .into_iter()
        .map(|record| (record.code.clone(), record))
        .collect();
    let mut chains: HashMap<String, Vec<String>> = HashMap::new();
    for (done, code) in codes.iter().enumerate() {
        let check = check_dossier(store, code).await?;
        report.events += check.hashes.len();
        report.findings.extend(check.finding);
        chains.insert(code.clone(), check.hashes);
        progress(done + 1, codes.len());
    }
    let checkpoints = store.checkpoints().await?;
    report.checkpoints = checkpoints.len();
    let mut previous = String::new();
    for (position, (checkpoint, heads)) in checkpoints.iter().enumerate() {
        let whole = |why: String| Finding {
            dossier: "*".to_owned(),
            seq: 0,
            why,
        };
        if checkpoint.sequence != position as u64 + 1 || checkpoint.previous != previous {
            report.findings.push(whole(format!(
                "checkpoint {} does not follow checkpoint {position}: a checkpoint was removed, inserted or replaced",
                checkpoint.sequence
            )));
        }
        if let Err(why) = checkpoint.verify(trusted_key) {
            report.findings.push(whole(why));
        }
        if audit::merkle_root(heads) != checkpoint.root {
            report.findings.push(whole(format!(
                "checkpoint {}'s stored heads are not those it signed",
                checkpoint.sequence
            )));
        }
        report.findings.extend(heads_against_chains(
            checkpoint,
            heads,
            &chains,
            &archived,
            only.is_none(),
        ));
        previous = checkpoint.signature.clone();
    }
    report.findings.sort_by(|left, right| {
        left.dossier
            .cmp(&right.dossier)
            .then(left.seq.cmp(&right.seq))
    });
    report
        .findings
        .dedup_by(|later, earlier| later.dossier == earlier.dossier && later.dossier != "*");
    Ok(report)
}

/// The heads a checkpoint vouches for that today's chains no longer hold.
fn heads_against_chains(
    checkpoint: &Checkpoint,
    heads: &[Head],
    chains: &HashMap<String, Vec<String>>,
    archived: &HashMap<String, ArchivedRecord>,
    every_dossier: bool,
) -> Vec<Finding> {
    heads
        .iter()
        .filter_map(|head| {
            let Some(hashes) = chains.get(&head.code) else {
                if let Some(record) = archived.get(&head.code) {
                    // Earlier heads are checked against the archive file itself (its bundle).
                    let consistent = head.seq < record.last_seq
                        || (head.seq == record.last_seq && head.hash == record.last_hash);
                    return (!consistent).then(|| Finding {
                        dossier: head.code.clone(),
                        seq: head.seq.min(record.last_seq + 1),
                        why: format!(
                            "archived to {} ending at event {}, but checkpoint {} vouches for event {} with another history (rewritten before archiving)",
                            record.archive_file, record.last_seq, checkpoint.sequence, head.seq
                        ),
                    });
                }
                return every_dossier.then(|| Finding {
                    dossier: head.code.clone(),
                    seq: 1,
                    why: format!("checkpoint {} covers this dossier but it is gone (removed)", checkpoint.sequence),
                });
            };
            let index = usize::try_from(head.seq).ok()?.checked_sub(1)?;
            match hashes.get(index) {
                Some(hash) if *hash == head.hash => None,
                // The checkpoint holds only the head, so the rewrite began at this event or before.
                _ => Some(Finding {
                    dossier: head.code.clone(),
                    seq: head.seq.min(hashes.len() as u64 + 1),
                    why: format!(
                        "history was rewritten: event {} is not the one checkpoint {} vouches for (the rewrite began there or earlier)",
                        head.seq, checkpoint.sequence
                    ),
                }),
            }
        })
        .collect()
}

/// Checks an auditor's copy of a checkpoint against the store: its signature (by the trusted key),
/// its heads against today's chains, and that the store still holds the same checkpoint.
pub async fn verify_against_copy(
    store: &AnyStore,
    copy: &CheckpointFile,
    trusted_key: Option<&str>,
) -> Result<Vec<Finding>, AuditError> {
    let whole = |why: String| Finding {
        dossier: "*".to_owned(),
        seq: 0,
        why,
    };
    let mut findings = Vec::new();
    if let Err(why) = copy.checkpoint.verify(trusted_key) {
        findings.push(whole(format!("the auditor's copy: {why}")));
        return Ok(findings);
    }
    if audit::merkle_root(&copy.heads) != copy.checkpoint.root {
        findings.push(whole(
            "the auditor's copy: its heads are not those the checkpoint signed".to_owned(),
        ));
        return Ok(findings);
    }
    let stored = store.checkpoints().await?;
    match stored.iter().find(|(checkpoint, _)| checkpoint.sequence == copy.checkpoint.sequence) {
        Some((checkpoint, _)) if checkpoint == &copy.checkpoint => {}
        _ => findings.push(whole(format!(
            "the store no longer holds checkpoint {} as the auditor received it: the checkpoints were rewritten",
            copy.checkpoint.sequence
        ))),
    }
    let mut chains = HashMap::new();
    for head in &copy.heads {
        let check = check_dossier(store, &head.code).await?;
        chains.insert(head.code.clone(), check.hashes);
    }
    chains.retain(|_, hashes| !hashes.is_empty());
    let archived: HashMap<String, ArchivedRecord> = store
        .archived_dossiers(None)
        .await?
        .into_iter()
        .map(|record| (record.code.clone(), record))
        .collect();
    findings.extend(heads_against_chains(
        &copy.checkpoint,
        &copy.heads,
        &chains,
        &archived,
        true,
    ));
    Ok(findings)
}

/// Signs a checkpoint over every chain as it is now and stores it; refuses over broken history.
pub async fn take_checkpoint(
    store: &AnyStore,
    key: &SigningKey,
    now: DateTime<Utc>,
) -> Result<CheckpointFile, AuditError> {
    let mut heads = Vec::new();
    let mut findings = Vec::new();
    for code in store.audit_codes().await? {
        let check = check_dossier(store, &code).await?;
        match (check.finding, check.hashes.last()) {
            (Some(finding), _) => findings.push(finding),
            (None, Some(hash)) => heads.push(Head {
                code,
                seq: check.hashes.len() as u64,
                hash: hash.clone(),
            }),
            (None, None) => {}
        }
    }
    if let Some(first) = findings.first() {
        return Err(AuditError::BrokenHistory {
            count: findings.len(),
            first: first.clone(),
        });
    }
    let (sequence, previous) = store
        .latest_checkpoint()
        .await?
        .map_or((1, String::new()), |last| {
            (last.sequence + 1, last.signature)
        });
    let checkpoint = Checkpoint::sign(key, sequence, now, &mut heads, &previous);
    store.insert_checkpoint(&checkpoint, &heads).await?;
    Ok(CheckpointFile {
        format: "hoso-checkpoint/1".to_owned(),
        checkpoint,
        heads,
    })
}

/// One dossier's self-contained evidence: events, document digests, the latest checkpoint that
/// covers it and the Merkle proof of its head under that checkpoint.
pub async fn export_bundle(store: &AnyStore, code: &DossierCode) -> Result<Bundle, AuditError> {
    bundle_under(store, code, &store.checkpoints().await?).await
}

/// A dossier's bundle under the given checkpoints (oldest first), read once by a caller that
/// exports many dossiers.
pub(crate) async fn bundle_under(
    store: &AnyStore,
    code: &DossierCode,
    checkpoints: &[(Checkpoint, Vec<Head>)],
) -> Result<Bundle, AuditError> {
    let case = store
        .load(code)
        .await?
        .ok_or_else(|| AuditError::NoDossier(code.to_string()))?;
    let events = store.events(code).await?;
    let documents = case
        .documents
        .iter()
        .map(|document| DocumentDigest {
            component: document.component.clone(),
            name: document.name.clone(),
            digest: document
                .sha256
                .clone()
                .unwrap_or_else(|| "not uploaded".to_owned()),
        })
        .collect();
    let wanted = code.to_string();
    let covering = checkpoints.iter().rev().find_map(|(checkpoint, heads)| {
        let index = heads.iter().position(|head| head.code == wanted)?;
        Some((
            audit::merkle_proof(heads, index),
            heads[index].clone(),
            checkpoint.clone(),
        ))
    });
    let (proof, head, checkpoint) = match covering {
        Some((proof, head, checkpoint)) => (proof, Some(head), Some(checkpoint)),
        None => (Vec::new(), None, None),
    };
    Ok(Bundle {
        format: "hoso-audit-bundle/1".to_owned(),
        dossier: wanted,
        events,
        documents,
        checkpoint,
        head_at_checkpoint: head,
        proof,
    })
}

/// Makes a new signing key file (hex seed, readable by its owner only); returns the public key.
pub fn generate_key(path: &Path) -> Result<String, AuditError> {
    let key_error = |why: String| AuditError::Key {
        path: path.display().to_string(),
        why,
    };
    if path.exists() {
        return Err(key_error(
            "already exists; refusing to overwrite a signing key".to_owned(),
        ));
    }
    let mut seed = [0_u8; 32];
    getrandom::fill(&mut seed).map_err(|error| key_error(format!("no randomness: {error}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|error| key_error(error.to_string()))?;
    std::io::Write::write_all(&mut file, format!("{}\n", hex::encode(seed)).as_bytes())
        .map_err(|error| key_error(error.to_string()))?;
    Ok(audit::public_key(&audit::signing_key(seed)))
}

/// Reads a signing key file written by [`generate_key`].
pub fn read_key(path: &Path) -> Result<SigningKey, AuditError> {
    let key_error = |why: String| AuditError::Key {
        path: path.display().to_string(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|error| key_error(error.to_string()))?;
    let seed = hex::decode(text.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| {
            key_error("expected 64 hexadecimal characters (run `hoso audit keygen`)".to_owned())
        })?;
    Ok(audit::signing_key(seed))
}

/// Signs a checkpoint whenever the latest is older than `every`, until `stop` completes; each
/// outcome goes to `report` (`Ok(None)` when none was due). Several servers may run this: the
/// checkpoint sequence's primary key lets only one of them sign each one.
pub async fn run_checkpoints(
    store: std::sync::Arc<hoso_engine::service::Service<AnyStore>>,
    key: SigningKey,
    every: std::time::Duration,
    stop: impl Future<Output = ()>,
    mut report: impl FnMut(Result<Option<CheckpointFile>, AuditError>),
) {
    let every_chrono = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::days(1));
    // Look often enough that a restart never delays a checkpoint by much more than `every`.
    let poll = every.min(std::time::Duration::from_secs(300));
    tokio::pin!(stop);
    loop {
        let now = Utc::now();
        let due = match store.store().latest_checkpoint().await {
            Ok(last) => Ok(last.is_none_or(|last| last.at + every_chrono <= now)),
            Err(error) => Err(AuditError::from(error)),
        };
        match due {
            Ok(true) => report(take_checkpoint(store.store(), &key, now).await.map(Some)),
            Ok(false) => report(Ok(None)),
            Err(error) => report(Err(error)),
        }
        tokio::select! {
            () = &mut stop => return,
            () = tokio::time::sleep(poll) => {}
        }
    }
}
