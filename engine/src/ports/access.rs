//! Who may do what: staff and demo users, their tokens and page sessions (stored only as
//! hashes), the idempotency keys callers bind requests to, and citizens' sign-in nonces.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::case::{Actor, UnitId};

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
            UserKind::Officer => Some(
                Actor::officer(self.id.clone(), self.role.clone()?, self.unit.clone()?)
                    .named(self.name.clone()),
            ),
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

/// A citizen signed in on the pages through OpenID Connect (the national SSO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenSession {
    /// Their personal identification number, from the provider's claim.
    pub citizen_id: String,
    /// Their name as the provider states it.
    pub name: String,
    /// The tax code of the organisation the provider vouched this account acts for, if any.
    pub organisation: Option<String>,
}

/// A sign-in in flight through the provider, found again by its `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// The PKCE code verifier sent with the code.
    pub verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where to go once signed in.
    pub next: String,
}

/// Who may do what, as stored.
pub trait Access: Send + Sync + 'static {
    /// Adds a user.
    fn add_user(
        &self,
        user: &User,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a token's hash for a user until `expires_at`.
    fn add_token(
        &self,
        hash: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Revokes every token of a user; returns how many were live.
    fn revoke_tokens(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// The user holding a live (unexpired, unrevoked) token with this hash.
    fn user_by_token(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// Opens a browser session on a signed-in token (both given as hashes), and drops
    /// the sessions that have expired.
    fn add_web_session(
        &self,
        session: &NewWebSession<'_>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The user and CSRF value of a live session: unexpired, on a token still live.
    fn web_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<(User, String)>, StoreError>> + Send;

    /// Ends a browser session (signing out), a token's or a citizen's.
    fn end_web_session(&self, id_hash: &str)
    -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Opens a citizen's browser session after a sign-in through the provider, and drops the
    /// sessions that have expired.
    fn add_citizen_session(
        &self,
        id_hash: &str,
        session: &CitizenSession,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The citizen and CSRF value of a live citizen session.
    fn citizen_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<(CitizenSession, String)>, StoreError>> + Send;

    /// Keeps a sign-in in flight under its state's hash until `expires_at`, forgetting those
    /// that expired.
    fn begin_sign_in(
        &self,
        state_hash: &str,
        pending: &PendingSignIn,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes the sign-in with this state, once: a second call, or one after it expired, finds
    /// nothing.
    fn take_sign_in(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<PendingSignIn>, StoreError>> + Send;

    /// The user with this id.
    fn user(&self, id: &str) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// The units where some officer works: the places a dossier can be received.
    fn staffed_units(&self) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// The request hash and command id first used with an Idempotency-Key; records them
    /// when the key is new. Returns what is stored for the key.
    fn claim_idempotency_key(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
        command_id: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(String, String), StoreError>> + Send;

    /// Keeps a nonce issued for a sign-in (its hash) until `expires_at`, forgetting
    /// nonces that expired a day ago and were never used.
    fn insert_nonce(
        &self,
        nonce_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Accepts a nonce for a token: an unexpired nonce no token has used binds to this
    /// one; a nonce already bound accepts only its own token.
    fn claim_nonce(
        &self,
        nonce_hash: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
