//! Who may do what: users, their tokens (hashed) and page sessions, idempotency keys, the
//! OpenID Connect sign-in nonces.

use chrono::{DateTime, Utc};
use hoso_engine::ports::{Access, CitizenSession, PendingSignIn, StoreError};

use super::{AnyStore, rows, unavailable, with_pool};

/// A session's user (as [`rows::UserColumns`]) and its CSRF value.
type SessionColumns = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

impl Access for AnyStore {
    /// Adds a user.
    async fn add_user(
        &self,
        user: &crate::access::User,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("INSERT INTO users (id, name, kind, role, unit, citizen_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&user.id)
            .bind(&user.name)
            .bind(user.kind.as_str())
            .bind(user.role.clone())
            .bind(user.unit.as_ref().map(ToString::to_string))
            .bind(user.citizen_id.clone())
            .bind(rows::micros(now))
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Stores a token's hash for a user until `expires_at`.
    async fn add_token(
        &self,
        hash: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("INSERT INTO tokens (hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash)
            .bind(user_id)
            .bind(rows::micros(now))
            .bind(rows::micros(expires_at))
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Revokes every token of a user; returns how many were live.
    async fn revoke_tokens(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        with_pool!(self, |pool| {
            let revoked = sqlx::query(
                "UPDATE tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(rows::micros(now))
            .bind(user_id)
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(revoked.rows_affected())
        })
    }

    /// The user holding a live (unexpired, unrevoked) token with this hash.
    async fn user_by_token(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<crate::access::User>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<rows::UserColumns> = sqlx::query_as(
            "SELECT users.id, users.name, users.kind, users.role, users.unit, users.citizen_id FROM tokens \
             JOIN users ON users.id = tokens.user_id \
             WHERE tokens.hash = $1 AND tokens.revoked_at IS NULL AND tokens.expires_at > $2",
        )
        .bind(hash)
        .bind(rows::micros(now))
        .fetch_optional(pool)
        .await
        .map_err(unavailable)?;
            row.map(rows::user_of).transpose()
        })
    }

    /// Opens a browser session on a signed-in token (both given as hashes), and drops
    /// the sessions that have expired.
    async fn add_web_session(
        &self,
        session: &crate::access::NewWebSession<'_>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let mut transaction = pool.begin().await.map_err(unavailable)?;
            sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                .bind(rows::micros(session.now))
                .execute(&mut *transaction)
                .await
                .map_err(unavailable)?;
            sqlx::query("INSERT INTO web_sessions (id_hash, token_hash, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(session.id_hash)
            .bind(session.token_hash)
            .bind(session.csrf)
            .bind(rows::micros(session.now))
            .bind(rows::micros(session.expires_at))
            .execute(&mut *transaction)
            .await
            .map_err(unavailable)?;
            transaction.commit().await.map_err(unavailable)
        })
    }

    /// The user and CSRF value of a live session: unexpired, on a token still live.
    async fn web_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(crate::access::User, String)>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<SessionColumns> = sqlx::query_as(
            "SELECT users.id, users.name, users.kind, users.role, users.unit, users.citizen_id, web_sessions.csrf \
             FROM web_sessions JOIN tokens ON tokens.hash = web_sessions.token_hash \
             JOIN users ON users.id = tokens.user_id \
             WHERE web_sessions.id_hash = $1 AND web_sessions.expires_at > $2 \
             AND tokens.revoked_at IS NULL AND tokens.expires_at > $2",
        )
        .bind(id_hash)
        .bind(rows::micros(now))
        .fetch_optional(pool)
        .await
        .map_err(unavailable)?;
            row.map(|(id, name, kind, role, unit, citizen_id, csrf)| {
                rows::user_of((id, name, kind, role, unit, citizen_id)).map(|user| (user, csrf))
            })
            .transpose()
        })
    }

    /// Ends a browser session (signing out), a token's or a citizen's.
    async fn end_web_session(&self, id_hash: &str) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            for statement in [
                "DELETE FROM web_sessions WHERE id_hash = $1",
                "DELETE FROM citizen_sessions WHERE id_hash = $1",
            ] {
                sqlx::query(statement)
                    .bind(id_hash)
                    .execute(pool)
                    .await
                    .map_err(unavailable)?;
            }
            Ok(())
        })
    }

    /// Opens a citizen's browser session after a sign-in through the provider, and drops the
    /// sessions that have expired.
    async fn add_citizen_session(
        &self,
        id_hash: &str,
        session: &CitizenSession,
        csrf: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let mut transaction = pool.begin().await.map_err(unavailable)?;
            sqlx::query("DELETE FROM citizen_sessions WHERE expires_at <= $1")
                .bind(rows::micros(now))
                .execute(&mut *transaction)
                .await
                .map_err(unavailable)?;
            sqlx::query(
                "INSERT INTO citizen_sessions (id_hash, citizen_id, name, organisation, csrf, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id_hash)
            .bind(&session.citizen_id)
            .bind(&session.name)
            .bind(&session.organisation)
            .bind(csrf)
            .bind(rows::micros(now))
            .bind(rows::micros(expires_at))
            .execute(&mut *transaction)
            .await
            .map_err(unavailable)?;
            transaction.commit().await.map_err(unavailable)
        })
    }

    /// The citizen and CSRF value of a live citizen session.
    async fn citizen_session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(CitizenSession, String)>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<(String, String, Option<String>, String)> = sqlx::query_as(
                "SELECT citizen_id, name, organisation, csrf FROM citizen_sessions \
                 WHERE id_hash = $1 AND expires_at > $2",
            )
            .bind(id_hash)
            .bind(rows::micros(now))
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?;
            Ok(row.map(|(citizen_id, name, organisation, csrf)| {
                (
                    CitizenSession {
                        citizen_id,
                        name,
                        organisation,
                    },
                    csrf,
                )
            }))
        })
    }

    /// Keeps a sign-in in flight under its state's hash until `expires_at`, forgetting those
    /// that expired.
    async fn begin_sign_in(
        &self,
        state_hash: &str,
        pending: &PendingSignIn,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM oidc_sign_ins WHERE expires_at <= $1")
                .bind(rows::micros(now))
                .execute(pool)
                .await
                .map_err(unavailable)?;
            sqlx::query(
                "INSERT INTO oidc_sign_ins (state_hash, verifier, nonce, next, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(state_hash)
            .bind(&pending.verifier)
            .bind(&pending.nonce)
            .bind(&pending.next)
            .bind(rows::micros(expires_at))
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Takes the sign-in with this state, once: a second call, or one after it expired, finds
    /// nothing.
    async fn take_sign_in(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PendingSignIn>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<(String, String, String, i64)> = sqlx::query_as(
                "DELETE FROM oidc_sign_ins WHERE state_hash = $1 RETURNING verifier, nonce, next, expires_at",
            )
            .bind(state_hash)
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?;
            Ok(row
                .filter(|(_, _, _, expires_at)| *expires_at > rows::micros(now))
                .map(|(verifier, nonce, next, _)| PendingSignIn {
                    verifier,
                    nonce,
                    next,
                }))
        })
    }

    /// The user with this id.
    async fn user(&self, id: &str) -> Result<Option<crate::access::User>, StoreError> {
        with_pool!(self, |pool| {
            let row: Option<rows::UserColumns> = sqlx::query_as(
                "SELECT id, name, kind, role, unit, citizen_id FROM users WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(unavailable)?;
            row.map(rows::user_of).transpose()
        })
    }

    /// The units where some officer works: the places a dossier can be received.
    async fn staffed_units(&self) -> Result<Vec<String>, StoreError> {
        with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT DISTINCT unit FROM users WHERE kind = 'officer' AND unit IS NOT NULL ORDER BY unit")
            .fetch_all(pool)
            .await
            .map_err(unavailable)
        })
    }

    /// The request hash and command id first used with an Idempotency-Key; records them
    /// when the key is new. Returns what is stored for the key.
    async fn claim_idempotency_key(
        &self,
        principal: &str,
        key: &str,
        request_hash: &str,
        command_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(String, String), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query(
            "INSERT INTO idempotency_keys (principal, key, request_hash, command_id, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (principal, key) DO NOTHING",
        )
        .bind(principal)
        .bind(key)
        .bind(request_hash)
        .bind(command_id)
        .bind(rows::micros(now))
        .execute(pool)
        .await
        .map_err(unavailable)?;
            sqlx::query_as("SELECT request_hash, command_id FROM idempotency_keys WHERE principal = $1 AND key = $2")
            .bind(principal)
            .bind(key)
            .fetch_one(pool)
            .await
            .map_err(unavailable)
        })
    }

    /// Keeps a nonce issued for a sign-in (its hash) until `expires_at`, forgetting
    /// nonces that expired a day ago and were never used.
    async fn insert_nonce(
        &self,
        nonce_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM oidc_nonces WHERE token_hash IS NULL AND expires_at < $1")
                .bind(rows::micros(now - chrono::Duration::days(1)))
                .execute(pool)
                .await
                .map_err(unavailable)?;
            sqlx::query("INSERT INTO oidc_nonces (nonce_hash, expires_at) VALUES ($1, $2)")
                .bind(nonce_hash)
                .bind(rows::micros(expires_at))
                .execute(pool)
                .await
                .map_err(unavailable)?;
            Ok(())
        })
    }

    /// Accepts a nonce for a token: an unexpired nonce no token has used binds to this
    /// one; a nonce already bound accepts only its own token.
    async fn claim_nonce(
        &self,
        nonce_hash: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        with_pool!(self, |pool| {
            // Reads first: a token already bound (every request after the first) writes nothing.
            let bound: Option<Option<String>> =
                sqlx::query_scalar("SELECT token_hash FROM oidc_nonces WHERE nonce_hash = $1")
                    .bind(nonce_hash)
                    .fetch_optional(pool)
                    .await
                    .map_err(unavailable)?;
            match bound {
                None => return Ok(false),
                Some(Some(bound)) => return Ok(bound == token_hash),
                Some(None) => {}
            }
            let updated = sqlx::query(
                "UPDATE oidc_nonces SET token_hash = $2 WHERE nonce_hash = $1 \
             AND ((token_hash IS NULL AND expires_at > $3) OR token_hash = $2)",
            )
            .bind(nonce_hash)
            .bind(token_hash)
            .bind(rows::micros(now))
            .execute(pool)
            .await
            .map_err(unavailable)?;
            Ok(updated.rows_affected() == 1)
        })
    }
}
