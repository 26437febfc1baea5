//! Who is calling, from the `Authorization: Bearer` header: a hoso token (staff, or a demo
//! citizen) or an OpenID Connect ID token (citizens through the national SSO).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use hoso_engine::messages::Denial;
use sha2::Digest as _;

use super::AppState;
use super::error::AppError;
use crate::access::Secret;
pub use crate::app::Principal;
use hoso_engine::ports::Access as _;

impl FromRequestParts<AppState> for Principal {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| AppError::Unauthorized(Denial::TokenMissing.into()))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 8192)
            .ok_or_else(|| AppError::Unauthorized(Denial::TokenMalformed.into()))?;
        if token.starts_with("hoso_") {
            let hash = Secret::from_client(token).hash();
            return match state
                .service
                .store()
                .user_by_token(&hash, Utc::now())
                .await?
            {
                Some(user) => Ok(Self::Staff(user)),
                None => Err(AppError::Unauthorized(Denial::TokenUnknown.into())),
            };
        }
        let Some(oidc) = &state.oidc else {
            return Err(AppError::Unauthorized(Denial::TokenForeign.into()));
        };
        let identity = oidc
            .verify(token)
            .await
            .map_err(|why| AppError::Unauthorized(Denial::IdTokenRejected { why }.into()))?;
        let digest = |text: &str| hex::encode(sha2::Sha256::digest(text.as_bytes()));
        if !state
            .service
            .store()
            .claim_nonce(&digest(&identity.nonce), &digest(token), Utc::now())
            .await?
        {
            return Err(AppError::Unauthorized(Denial::NonceUnknown.into()));
        }
        Ok(Self::Citizen {
            citizen_id: identity.citizen_id,
            organisation: identity.organisation,
        })
    }
}

/// A nonce for one citizen's sign-in.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SignInNonce {
    /// Put it in the provider's authorization request (`nonce=`); the ID token must carry it.
    pub nonce: String,
    /// Until when a sign-in may start with it.
    pub expires_at: chrono::DateTime<Utc>,
}

/// How long a sign-in may take from the nonce to the first use of its ID token.
const NONCE_MINUTES: i64 = 10;

/// Starts a citizen's OpenID Connect sign-in: a fresh nonce, kept (hashed) for ten minutes. The
/// first ID token that carries it is bound to it; no other token is accepted with it.
#[utoipa::path(post, path = "/api/v1/auth/oidc/nonce", tag = "sign-in",
    responses((status = 201, body = SignInNonce), (status = 404, body = super::error::Problem)))]
pub async fn oidc_nonce(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<(axum::http::StatusCode, axum::Json<SignInNonce>), AppError> {
    if state.oidc.is_none() {
        return Err(AppError::NotFound(Denial::SignInNotConfigured.into()));
    }
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness: {error}")))?;
    let nonce = hex::encode(bytes);
    let now = Utc::now();
    let expires_at = now + chrono::Duration::minutes(NONCE_MINUTES);
    state
        .service
        .store()
        .insert_nonce(
            &hex::encode(sha2::Sha256::digest(nonce.as_bytes())),
            expires_at,
            now,
        )
        .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(SignInNonce { nonce, expires_at }),
    ))
}
