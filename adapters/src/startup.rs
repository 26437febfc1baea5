//! Builds the configured application and runs it: the JSON API and the pages on one listener,
//! behind the layers every request passes (timeout, request log and metrics, rate limits, body
//! limits, content headers). The binary and the end-to-end harness both start it here.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Instant;

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;

use crate::app::{AppError, AppState};
use crate::http::client_address;

/// The whole application: the JSON API (`http`) and the pages (`web`), side by side, behind
/// the layers every request passes.
pub fn router(state: AppState) -> Router {
    crate::http::router(&state)
        .merge(
            crate::web::router(state.clone()).layer(axum::extract::DefaultBodyLimit::max(
                state.limits.submission_bytes,
            )),
        )
        .layer(middleware::from_fn(content_headers))
        .layer(middleware::from_fn_with_state(state.clone(), limit_body))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.limits.request_timeout,
        ))
        .with_state(state)
}

/// Counts and times each request by its route, and logs it without personal data.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let took = started.elapsed();
    state.metrics.request(&method, &route, status, took);
    tracing::info!(%method, %route, status, micros = took.as_micros() as u64, "request");
    response
}

/// Every answer says `nosniff`; HTML and SVG answered outside the pages (printable forms, the
/// timeline picture, the payment return page) get the print policy: styles, no script, no frames.
async fn content_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let renders = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html") || value.starts_with("image/svg"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if renders && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let (name, value) = crate::web::print_policy();
        headers.insert(name, value);
    }
    response
}

/// Bodies are small (`body_bytes`) except multipart forms — a dossier submission or a page's
/// apply and supplement forms — which carry documents (`submission_bytes`, each document checked
/// against `upload_bytes` as it is read). The pages answer too-large with a page, the API with
/// problem+json.
async fn limit_body(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_multipart = request.method() == axum::http::Method::POST
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("multipart/form-data"));
    let limit = if is_multipart {
        state.limits.submission_bytes
    } else {
        state.limits.body_bytes
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        if !request.uri().path().starts_with("/api/") {
            return crate::web::WebError::TooLarge(crate::web::too_large_text(&state.limits))
                .into_response();
        }
        return AppError::TooLarge(format!("the body is larger than {limit} bytes"))
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let limited = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, limited)).await
}

/// Token buckets: one per signed-in caller (a bearer token, or a page session's cookie), each
/// also charged to its client address at [`CALLERS_PER_ADDRESS`] times the rate (neither is
/// checked yet, so inventing one per request must not escape the limit); anonymous requests
/// draw on their address's own smaller budget and never on the signed-in callers'.
async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    let address = match client_address(peer, request.headers(), &state.trusted_proxies) {
        Some(address) => format!("address:{address}"),
        None => "anonymous".to_owned(),
    };
    let now = Instant::now();
    let caller = match request.headers().get(header::AUTHORIZATION) {
        Some(value) => Some(format!(
            "token:{}",
            hex::encode(&Sha256::digest(value.as_bytes())[..16])
        )),
        None => crate::web::cookie(request.headers(), crate::web::SESSION_COOKIE).map(|session| {
            format!(
                "session:{}",
                hex::encode(&Sha256::digest(session.as_bytes())[..16])
            )
        }),
    };
    let checked = match caller {
        Some(caller) => state
            .address_limiter
            .check(&address, now)
            .and_then(|()| state.limiter.check(&caller, now)),
        None => state.anonymous_limiter.check(&address, now),
    };
    match checked {
        Ok(()) => next.run(request).await,
        Err(seconds) => AppError::RateLimited(seconds).into_response(),
    }
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
