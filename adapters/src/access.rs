//! Who is calling: staff and demo users with opaque bearer tokens, stored only as SHA-256.

use std::fmt;

use chrono::{DateTime, Utc};
use hoso_engine::case::{Actor, UnitId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a user is allowed to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    /// Works dossiers in one unit under a procedure role.
    Officer,
    /// Writes and publishes procedures; never acts on dossiers.
    Designer,
    /// Reads everything; changes nothing.
    Auditor,
    /// Runs hoso: health, metrics, users (through the CLI).
    Admin,
    /// A citizen with a locally minted token, for demos and tests (production citizens sign in
    /// through the national SSO instead).
    Citizen,
}

impl UserKind {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Designer => "designer",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
            Self::Citizen => "citizen",
        }
    }

    /// The kind named `text`.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Officer,
            Self::Designer,
            Self::Auditor,
            Self::Admin,
            Self::Citizen,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What they are.
    pub kind: UserKind,
    /// An officer's procedure role.
    pub role: Option<String>,
    /// An officer's unit.
    pub unit: Option<UnitId>,
    /// A demo citizen's identification number.
    pub citizen_id: Option<String>,
}

impl User {
    /// The actor this user is when acting on a dossier; `None` for those who never act.
    pub fn actor(&self) -> Option<Actor> {
        match self.kind {
            UserKind::Officer => Some(Actor::officer(
                self.id.clone(),
                self.role.clone()?,
                self.unit.clone()?,
            )),
            UserKind::Citizen => Some(Actor::citizen(self.citizen_id.clone()?)),
            UserKind::Designer | UserKind::Auditor | UserKind::Admin => None,
        }
    }
}

/// A browser session to open; every secret is given as its hash.
#[derive(Debug, Clone, Copy)]
pub struct NewWebSession<'a> {
    /// SHA-256 of the session cookie's value.
    pub id_hash: &'a str,
    /// SHA-256 of the token the user signed in with.
    pub token_hash: &'a str,
    /// The value every form of this session sends back.
    pub csrf: &'a str,
    /// When it opens.
    pub now: DateTime<Utc>,
    /// When it ends, whatever happens.
    pub expires_at: DateTime<Utc>,
}

/// A bearer token in clear: shown once when created, never stored, never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh random token `hoso_<64 hex>` (256 bits from the operating system).
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("hoso_{}", hex::encode(bytes))))
    }

    /// Wraps a token received from a client.
    pub fn from_client(text: &str) -> Self {
        Self(text.to_owned())
    }

    /// The token, to show once to the person it was made for.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What is stored: SHA-256 of the token, hex.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print_and_hash_stably() {
        let secret = Secret::generate().unwrap();
        assert!(secret.expose().starts_with("hoso_") && secret.expose().len() == 69);
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.hash(), Secret::from_client(secret.expose()).hash());
        assert_ne!(secret.hash(), Secret::generate().unwrap().hash());
    }
}
