//! Who is calling, from the `Authorization: Bearer` header: a hoso token (staff, or a demo
//! citizen) or an OpenID Connect ID token (citizens through the national SSO).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use hoso_engine::case::Actor;

use super::AppState;
use super::error::ApiError;
use crate::access::{Secret, User, UserKind};

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A citizen, by personal identification number.
    Citizen {
        /// Số định danh cá nhân.
        citizen_id: String,
    },
    /// A staff member (or a demo citizen with a local token).
    Staff(User),
}

impl Principal {
    /// The actor this caller is on a dossier, if they may act at all.
    pub fn actor(&self) -> Option<Actor> {
        match self {
            Self::Citizen { citizen_id } => Some(Actor::citizen(citizen_id.clone())),
            Self::Staff(user) => user.actor(),
        }
    }

    /// A stable key for idempotency records.
    pub fn key(&self) -> String {
        match self {
            Self::Citizen { citizen_id } => format!("citizen:{citizen_id}"),
            Self::Staff(user) => format!("user:{}", user.id),
        }
    }

    /// The citizen's identification number, for citizens (and demo citizens).
    pub fn citizen_id(&self) -> Option<&str> {
        match self {
            Self::Citizen { citizen_id } => Some(citizen_id),
            Self::Staff(user) if user.kind == UserKind::Citizen => user.citizen_id.as_deref(),
            Self::Staff(_) => None,
        }
    }

    /// The kind of staff user, if staff (demo citizens count as citizens).
    pub fn staff_kind(&self) -> Option<UserKind> {
        match self {
            Self::Staff(user) if user.kind != UserKind::Citizen => Some(user.kind),
            _ => None,
        }
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or_else(|| {
                ApiError::Unauthorized("send Authorization: Bearer <token>".to_owned())
            })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty() && token.len() <= 8192)
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the Authorization header must be `Bearer <token>`".to_owned(),
                )
            })?;
        if token.starts_with("hoso_") {
            let hash = Secret::from_client(token).hash();
            return match state
                .service
                .store()
                .user_by_token(&hash, Utc::now())
                .await?
            {
                Some(user) => Ok(Self::Staff(user)),
                None => Err(ApiError::Unauthorized(
                    "the token is unknown, expired or revoked".to_owned(),
                )),
            };
        }
        let Some(oidc) = &state.oidc else {
            return Err(ApiError::Unauthorized(
                "unknown token; this server accepts hoso tokens only".to_owned(),
            ));
        };
        let nonce = parts
            .headers
            .get("oidc-nonce")
            .and_then(|value| value.to_str().ok());
        match oidc.verify(token, nonce).await {
            Ok(citizen_id) => Ok(Self::Citizen { citizen_id }),
            Err(why) => Err(ApiError::Unauthorized(why)),
        }
    }
}
