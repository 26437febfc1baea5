//! Signing in with a hoso token, and out.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hoso_engine::ports::{Access as _, CitizenSession, PendingSignIn};
use sha2::Digest as _;

use super::{Nav, NextQuery, field, fields, render, secure};
use crate::access::DemoAccount;
use crate::app::{AppError, AppState};
use crate::web::{Visitor, WebError, Words, local_path};

#[derive(Template)]
#[template(path = "sign_in.html")]
pub(super) struct SignInTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) next: String,
    pub(super) refused: bool,
    /// The provider's sign-in is offered.
    pub(super) sso: bool,
    /// Why a sign-in through the provider failed, in the visitor's words.
    pub(super) sso_error: String,
    /// The demo's accounts, one button each (`hoso serve --demo` only).
    pub(super) demo_accounts: Vec<DemoAccount>,
}

impl SignInTemplate {
    /// The page as first shown: nothing refused yet.
    fn new(state: &AppState, visitor: &Visitor, next: String) -> Self {
        Self {
            t: visitor.words(),
            nav: Nav::of(visitor, "/"),
            next,
            refused: false,
            sso: offers_sso(state),
            sso_error: String::new(),
            demo_accounts: state.demo_accounts.to_vec(),
        }
    }

    /// `next=…` for the link that starts a sign-in through the provider.
    pub(super) fn sso_query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &self.next)
            .finish()
    }
}

pub(super) async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let template = SignInTemplate::new(&state, &visitor, local_path(query.next.as_deref()));
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let sent = fields(&body);
    visitor.check_csrf(field(&sent, "csrf"))?;
    let next = local_path(field(&sent, "next"));
    let token = field(&sent, "token").unwrap_or_default();
    if !token.is_empty()
        && token.len() <= 200
        && let Some(response) = crate::web::sign_in(&state, token, &next, secure(&state)).await?
    {
        return Ok(response);
    }
    let template = SignInTemplate {
        refused: true,
        ..SignInTemplate::new(&state, &visitor, next)
    };
    Ok(render(
        &state,
        &visitor,
        StatusCode::UNAUTHORIZED,
        &template,
    ))
}

pub(super) async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    visitor.check_csrf(field(&fields(&body), "csrf"))?;
    let mut response = crate::web::sign_out(&state, &visitor, secure(&state)).await?;
    // Signed in through the provider: end its session too, where it offers that. A page that
    // moves on by itself, not a redirect: the pages' policy (form-action 'self') stops a form's
    // redirect to another site.
    if visitor.sso.is_some()
        && let Some(oidc) = &state.oidc
        && let Some(url) = oidc
            .logout_url(&format!("{}/", state.public_base(&headers)))
            .await
    {
        let escaped = url.replace('&', "&amp;").replace('"', "&quot;");
        let cookies: Vec<HeaderValue> = response
            .headers()
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        response = axum::response::Html(format!(
            "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={escaped}\"><title>Đăng xuất</title></head><body><p>Đã đăng xuất khỏi hệ thống. <a id=\"provider-logout\" href=\"{escaped}\">Đăng xuất khỏi tài khoản định danh điện tử</a></p></body></html>"
        ))
        .into_response();
        for cookie in cookies {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, cookie);
        }
    }
    Ok(response)
}

/// The pages offer sign-in through the OpenID provider: one is configured with a secret.
fn offers_sso(state: &AppState) -> bool {
    state
        .oidc
        .as_ref()
        .is_some_and(|oidc| oidc.offers_sign_in())
}

/// The cookie that binds a sign-in in flight to this browser, so nobody can make a visitor
/// finish a sign-in they started (login CSRF).
const SIGN_IN_COOKIE: &str = "hoso_sso";

/// How long a sign-in through the provider may take.
const SIGN_IN_MINUTES: i64 = 10;

fn digest(text: &str) -> String {
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

fn no_randomness(error: getrandom::Error) -> WebError {
    WebError::from(AppError::Internal(format!("no randomness: {error}")))
}

/// Starts a sign-in through the provider: a fresh state, nonce and PKCE verifier, kept for ten
/// minutes; the browser goes to the provider's authorization endpoint.
pub(super) async fn sso_start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let Some(oidc) = state.oidc.as_ref().filter(|oidc| oidc.offers_sign_in()) else {
        return Err(WebError::from(AppError::NotFound(
            hoso_engine::messages::Denial::SignInNotConfigured.into(),
        )));
    };
    let sign_in_state = crate::oidc::random_value().map_err(no_randomness)?;
    let pending = PendingSignIn {
        verifier: crate::oidc::random_value().map_err(no_randomness)?,
        nonce: crate::oidc::random_value().map_err(no_randomness)?,
        next: local_path(query.next.as_deref()),
    };
    let now = Utc::now();
    state
        .service
        .store()
        .begin_sign_in(
            &digest(&sign_in_state),
            &pending,
            now + chrono::Duration::minutes(SIGN_IN_MINUTES),
            now,
        )
        .await
        .map_err(AppError::from)?;
    let redirect_uri = format!("{}/dang-nhap/sso", state.public_base(&headers));
    let url = oidc
        .authorization_url(
            &redirect_uri,
            &sign_in_state,
            &pending.nonce,
            &pending.verifier,
        )
        .await
        .map_err(|why| {
            AppError::Unavailable(format!(
                "the sign-in provider cannot be reached now ({why}); try again later"
            ))
        })?;
    let mut response = Redirect::to(&url).into_response();
    // Lax, not Strict: the provider sends the browser back with a top-level GET.
    let mut cookie = format!(
        "{SIGN_IN_COOKIE}={sign_in_state}; Path=/dang-nhap; HttpOnly; SameSite=Lax; Max-Age={}",
        SIGN_IN_MINUTES * 60
    );
    if secure(&state) {
        cookie.push_str("; Secure");
    }
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, value);
    }
    Ok(response)
}

/// What the provider sends back.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider sent the browser back: the state must be this browser's and unused, the code is
/// exchanged with the PKCE verifier, the ID token verified and its nonce matched; then a
/// citizen's session opens.
pub(super) async fn sso_callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(callback): Query<Callback>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let t = visitor.words();
    let refuse = |message: &str, status: StatusCode| {
        let template = SignInTemplate {
            sso_error: message.to_owned(),
            ..SignInTemplate::new(&state, &visitor, "/".to_owned())
        };
        render(&state, &visitor, status, &template)
    };
    let Some(oidc) = state.oidc.as_ref().filter(|oidc| oidc.offers_sign_in()) else {
        return Ok(refuse(t.sso_unavailable, StatusCode::NOT_FOUND));
    };
    if callback.error.is_some() {
        return Ok(refuse(t.sso_cancelled, StatusCode::UNAUTHORIZED));
    }
    let (Some(code), Some(sent_state)) = (callback.code, callback.state) else {
        return Ok(refuse(t.sso_forged, StatusCode::BAD_REQUEST));
    };
    let ours = crate::web::cookie(&headers, SIGN_IN_COOKIE);
    if ours.as_deref().map(digest) != Some(digest(&sent_state)) {
        return Ok(refuse(t.sso_forged, StatusCode::BAD_REQUEST));
    }
    let now = Utc::now();
    let Some(pending) = state
        .service
        .store()
        .take_sign_in(&digest(&sent_state), now)
        .await
        .map_err(AppError::from)?
    else {
        return Ok(refuse(t.sso_forged, StatusCode::BAD_REQUEST));
    };
    let redirect_uri = format!("{}/dang-nhap/sso", state.public_base(&headers));
    let identity = match oidc.exchange(&code, &pending.verifier, &redirect_uri).await {
        Ok(token) => oidc.verify(&token).await,
        Err(why) => Err(why),
    };
    let identity = match identity {
        Ok(identity) if identity.nonce == pending.nonce => identity,
        Ok(_) => return Ok(refuse(t.sso_forged, StatusCode::BAD_REQUEST)),
        Err(why) => {
            tracing::warn!(%why, "a sign-in through the provider was refused");
            return Ok(refuse(t.sso_refused, StatusCode::UNAUTHORIZED));
        }
    };
    let session = CitizenSession {
        name: identity
            .name
            .clone()
            .unwrap_or_else(|| identity.citizen_id.clone()),
        citizen_id: identity.citizen_id,
        organisation: identity.organisation,
    };
    let response = crate::web::open_citizen_session(&state, &session, &pending.next).await?;
    Ok(response)
}
