//! The public lookup page (tra cứu hồ sơ): the code and key from the receipt, no sign-in.

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::pages::{Nav, render};
use super::{Visitor, WebError, Words};
use crate::app::{AppError, AppState};

#[derive(Template)]
#[template(path = "lookup.html")]
pub(super) struct LookupTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) code: String,
    pub(super) key: String,
    /// What was found: (label, value) rows.
    pub(super) found: Vec<(String, String)>,
    pub(super) error: String,
}

/// The lookup's query: `ma` (the code, as the QR code writes it) and `key`.
#[derive(Debug, Deserialize)]
pub(super) struct LookupQuery {
    ma: Option<String>,
    key: Option<String>,
}

/// The form, and what the code and key find.
pub(super) async fn lookup_page(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<LookupQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let t = visitor.words();
    let code: String = query
        .ma
        .unwrap_or_default()
        .trim()
        .chars()
        .take(64)
        .collect();
    let key: String = query
        .key
        .unwrap_or_default()
        .trim()
        .chars()
        .take(32)
        .collect();
    let mut template = LookupTemplate {
        t,
        nav: Nav::of(&visitor, "/tra-cuu"),
        code: code.clone(),
        key: key.clone(),
        found: Vec::new(),
        error: String::new(),
    };
    if code.is_empty() && key.is_empty() {
        return Ok(render(&state, &visitor, StatusCode::OK, &template));
    }
    let address = crate::http::client_address(Some(peer.ip()), &headers, &state.trusted_proxies);
    let status = match crate::app::lookup::lookup(&state, address, &code, &key).await {
        Ok(view) => {
            template.found = [
                Some((t.dossier_code.to_owned(), view.code)),
                Some((t.catalogue.to_owned(), view.procedure_name)),
                Some((t.status.to_owned(), view.status_label)),
                view.step_name
                    .map(|step| (t.step.to_owned(), format!("{step} ({})", view.unit_name))),
                view.appointment
                    .map(|at| (t.appointment.to_owned(), super::pages::local_time(at))),
                Some((t.timeliness.to_owned(), view.timeliness_label)),
            ]
            .into_iter()
            .flatten()
            .collect();
            StatusCode::OK
        }
        Err(AppError::NotFound(_)) => {
            template.error = t.lookup_not_found.to_owned();
            StatusCode::NOT_FOUND
        }
        Err(AppError::RateLimited(seconds)) => {
            template.error = format!("{} ({seconds} s)", t.lookup_slow_down);
            StatusCode::TOO_MANY_REQUESTS
        }
        Err(other) => return Err(other.into()),
    };
    Ok(render(&state, &visitor, status, &template))
}
