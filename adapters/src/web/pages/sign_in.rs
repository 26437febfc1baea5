//! Signing in with a hoso token, and out.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{Nav, NextQuery, field, fields, render, secure};
use crate::app::AppState;
use crate::web::{Visitor, WebError, Words, local_path};

#[derive(Template)]
#[template(path = "sign_in.html")]
pub(super) struct SignInTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) next: String,
    pub(super) refused: bool,
}

pub(super) async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let template = SignInTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, "/"),
        next: local_path(query.next.as_deref()),
        refused: false,
    };
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
        t: visitor.words(),
        nav: Nav::of(&visitor, "/"),
        next,
        refused: true,
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
    Ok(crate::web::sign_out(&state, &visitor, secure(&state)).await?)
}
