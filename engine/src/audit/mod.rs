//! Evidence an auditor can check without trusting hoso: each dossier's hash chain, signed
//! checkpoints over every chain at a moment, and self-contained bundles that verify offline.
//!
//! A checkpoint is the Merkle root over every dossier's head — (code, last sequence, last hash) —
//! signed with Ed25519 and linked to the checkpoint before it. Rewriting history and recomputing
//! the chains changes some head that an auditor's copy of an old checkpoint still vouches for.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::case::{DossierCode, Event, verify_chain};

/// A dossier's chain head at some moment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Head {
    /// The dossier.
    pub code: String,
    /// Its last sequence number.
    pub seq: u64,
    /// Its last event's hash.
    pub hash: String,
}

fn leaf(head: &Head) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(b"hoso-head\0");
    hasher.update(head.code.as_bytes());
    hasher.update(b"\0");
    hasher.update(head.seq.to_string().as_bytes());
    hasher.update(b"\0");
    hasher.update(head.hash.as_bytes());
    hasher.finalize().into()
}

fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1_u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The level above: pairs hashed together, an odd last node carried up unpaired.
fn parents(level: &[[u8; 32]]) -> Vec<[u8; 32]> {
    level
        .chunks(2)
        .map(|pair| {
            if pair.len() == 2 {
                node(&pair[0], &pair[1])
            } else {
                pair[0]
            }
        })
        .collect()
}

/// One step of a Merkle proof: the sibling hash and whether it sits on the left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofStep {
    /// The sibling, hex.
    pub sibling: String,
    /// The sibling is the left child.
    pub left: bool,
}

/// The Merkle root of heads sorted by code (an odd node is carried up unpaired).
pub fn merkle_root(heads: &[Head]) -> String {
    let mut level: Vec<[u8; 32]> = heads.iter().map(leaf).collect();
    if level.is_empty() {
        return hex::encode(Sha256::digest(b"hoso-empty"));
    }
    while level.len() > 1 {
        level = parents(&level);
    }
    hex::encode(level[0])
}

/// The proof that `heads[index]` is under the root.
pub fn merkle_proof(heads: &[Head], index: usize) -> Vec<ProofStep> {
    let mut level: Vec<[u8; 32]> = heads.iter().map(leaf).collect();
    let mut position = index;
    let mut proof = Vec::new();
    while level.len() > 1 {
        let sibling = position ^ 1;
        if sibling < level.len() {
            proof.push(ProofStep {
                sibling: hex::encode(level[sibling]),
                left: sibling < position,
            });
        }
        level = parents(&level);
        position /= 2;
    }
    proof
}

/// Whether `head` with `proof` leads to `root`.
pub fn proof_leads_to(head: &Head, proof: &[ProofStep], root: &str) -> bool {
    let mut current = leaf(head);
    for step in proof {
        let Ok(sibling) = hex::decode(&step.sibling) else {
            return false;
        };
        let Ok(sibling) = <[u8; 32]>::try_from(sibling.as_slice()) else {
            return false;
        };
        current = if step.left {
            node(&sibling, &current)
        } else {
            node(&current, &sibling)
        };
    }
    hex::encode(current) == root
}

/// A signed statement of every chain's head at a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// 1, 2, 3 …
    pub sequence: u64,
    /// When taken.
    pub at: DateTime<Utc>,
    /// How many dossiers it covers.
    pub dossiers: u64,
    /// The Merkle root of their heads.
    pub root: String,
    /// The previous checkpoint's signature (empty for the first): checkpoints form a chain too.
    pub previous: String,
    /// The signer's Ed25519 public key, hex.
    pub public_key: String,
    /// The Ed25519 signature, hex.
    pub signature: String,
}

impl Checkpoint {
    fn message(
        sequence: u64,
        at: DateTime<Utc>,
        dossiers: u64,
        root: &str,
        previous: &str,
    ) -> String {
        format!(
            "hoso-checkpoint/1\0{sequence}\0{}\0{dossiers}\0{root}\0{previous}",
            at.timestamp_micros()
        )
    }

    /// Signs the heads (sorted here by code) with `key`.
    pub fn sign(
        key: &SigningKey,
        sequence: u64,
        at: DateTime<Utc>,
        heads: &mut [Head],
        previous: &str,
    ) -> Self {
        heads.sort();
        let at = chrono::SubsecRound::trunc_subsecs(at, 6);
        let root = merkle_root(heads);
        let message = Self::message(sequence, at, heads.len() as u64, &root, previous);
        Self {
            sequence,
            at,
            dossiers: heads.len() as u64,
            root,
            previous: previous.to_owned(),
            public_key: hex::encode(key.verifying_key().to_bytes()),
            signature: hex::encode(key.sign(message.as_bytes()).to_bytes()),
        }
    }

    /// Checks the signature — and, when the auditor holds one, that it is their trusted key.
    pub fn verify(&self, trusted_key: Option<&str>) -> Result<(), String> {
        if let Some(trusted) = trusted_key
            && !trusted.eq_ignore_ascii_case(&self.public_key)
        {
            return Err(format!(
                "checkpoint {} is signed by {}, not the trusted key {trusted}",
                self.sequence, self.public_key
            ));
        }
        let key = hex::decode(&self.public_key)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok())
            .and_then(|bytes| VerifyingKey::from_bytes(&bytes).ok())
            .ok_or_else(|| format!("checkpoint {} has no valid public key", self.sequence))?;
        let signature = hex::decode(&self.signature)
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes.as_slice()).ok())
            .map(|bytes| Signature::from_bytes(&bytes))
            .ok_or_else(|| format!("checkpoint {} has no valid signature", self.sequence))?;
        let message = Self::message(
            self.sequence,
            self.at,
            self.dossiers,
            &self.root,
            &self.previous,
        );
        key.verify_strict(message.as_bytes(), &signature)
            .map_err(|_| {
                format!(
                    "checkpoint {}'s signature does not verify: it was altered",
                    self.sequence
                )
            })
    }
}

/// A signing key from 32 bytes (the operator's key file holds them in hex).
pub fn signing_key(seed: [u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&seed)
}

/// The public key of a signing key, hex.
pub fn public_key(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

/// A document a dossier's events refer to, by hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDigest {
    /// The dossier component.
    pub component: String,
    /// Its name.
    pub name: String,
    /// SHA-256 of its content, or its store reference when it was not uploaded.
    pub digest: String,
}

/// Everything needed to check one dossier's history offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Always "hoso-audit-bundle/1".
    pub format: String,
    /// The dossier.
    pub dossier: String,
    /// Its events, in order.
    pub events: Vec<Event>,
    /// The documents its events name.
    pub documents: Vec<DocumentDigest>,
    /// The latest checkpoint covering it, if any.
    pub checkpoint: Option<Checkpoint>,
    /// Its head at that checkpoint.
    pub head_at_checkpoint: Option<Head>,
    /// The Merkle proof of that head under the checkpoint's root.
    pub proof: Vec<ProofStep>,
}

/// What an offline bundle check established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleReport {
    /// Events whose chain verified.
    pub events: usize,
    /// The checkpoint that vouches for the history up to its head, if the bundle has one.
    pub checkpoint: Option<u64>,
}

/// Checks a bundle: the chain, the checkpoint's signature, the Merkle proof, and that the events
/// up to the checkpointed head are exactly those the checkpoint vouches for.
pub fn verify_bundle(bundle: &Bundle, trusted_key: Option<&str>) -> Result<BundleReport, String> {
    if bundle.format != "hoso-audit-bundle/1" {
        return Err(format!("unknown bundle format `{}`", bundle.format));
    }
    let code = DossierCode::parse(&bundle.dossier).map_err(|error| error.to_string())?;
    verify_chain(&code, &bundle.events).map_err(|broken| broken.to_string())?;
    let Some(checkpoint) = &bundle.checkpoint else {
        return Ok(BundleReport {
            events: bundle.events.len(),
            checkpoint: None,
        });
    };
    checkpoint.verify(trusted_key)?;
    let head = bundle
        .head_at_checkpoint
        .as_ref()
        .ok_or("the bundle has a checkpoint but no head")?;
    if head.code != bundle.dossier {
        return Err("the checkpointed head is another dossier's".to_owned());
    }
    if !proof_leads_to(head, &bundle.proof, &checkpoint.root) {
        return Err(format!(
            "dossier {}'s head is not under checkpoint {}'s root",
            bundle.dossier, checkpoint.sequence
        ));
    }
    let at_head = usize::try_from(head.seq)
        .ok()
        .and_then(|seq| seq.checked_sub(1))
        .and_then(|index| bundle.events.get(index));
    match at_head {
        Some(event) if event.hash == head.hash => Ok(BundleReport {
            events: bundle.events.len(),
            checkpoint: Some(checkpoint.sequence),
        }),
        _ => Err(format!(
            "dossier {}: history was rewritten — event {} no longer matches checkpoint {}",
            bundle.dossier, head.seq, checkpoint.sequence
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads(count: usize) -> Vec<Head> {
        (0..count)
            .map(|n| Head {
                code: format!("H21-250303-{:04}", n + 1),
                seq: n as u64 + 1,
                hash: format!("{n:064x}"),
            })
            .collect()
    }

    #[test]
    fn every_head_has_a_proof_to_the_root_and_no_other_head_does() {
        for count in [1, 2, 3, 7, 8, 13] {
            let heads = heads(count);
            let root = merkle_root(&heads);
            for (index, head) in heads.iter().enumerate() {
                let proof = merkle_proof(&heads, index);
                assert!(
                    proof_leads_to(head, &proof, &root),
                    "{count} heads, index {index}"
                );
                let mut forged = head.clone();
                forged.hash = "f".repeat(64);
                assert!(!proof_leads_to(&forged, &proof, &root));
            }
        }
    }

    #[test]
    fn checkpoints_verify_and_any_change_or_other_key_is_caught() {
        let key = signing_key([7; 32]);
        let mut heads = heads(5);
        let checkpoint = Checkpoint::sign(&key, 1, Utc::now(), &mut heads, "");
        assert!(checkpoint.verify(Some(&public_key(&key))).is_ok());
        let mut altered = checkpoint.clone();
        altered.root = merkle_root(&heads[..4]);
        assert!(altered.verify(None).unwrap_err().contains("altered"));
        assert!(
            checkpoint
                .verify(Some(&public_key(&signing_key([8; 32]))))
                .unwrap_err()
                .contains("not the trusted key")
        );
    }
}
