//! `hoso serve`: the HTTP API for citizens, officers, designers and auditors.
//!
//! Every caller sees and does only what their role and unit allow (the rules live in the
//! engine's `decide`; this layer adds who may *read* what). Every error is problem+json. Bodies,
//! uploads, time and request rates are limited; nothing a request sends can make the server
//! answer 5xx except the database being down.

pub mod api;
pub mod auth;
pub mod callbacks;
pub mod contract;
pub mod error;
pub mod payments;
pub mod reports;
pub mod units;

use hoso_engine::messages::Denial;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;
use crate::metrics::MetricsAccess;
use error::AppError;

/// The client's address: the peer, or — when the peer is a trusted proxy — the nearest address
/// in `X-Forwarded-For` that is not itself a trusted proxy. Addresses a client wrote further left
/// are never believed: only the proxies append.
pub fn client_address(
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> Option<std::net::IpAddr> {
    let peer = peer?;
    let is_trusted = |address: &std::net::IpAddr| trusted.iter().any(|net| net.contains(address));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    // Only X-Forwarded-For, the header a proxy appends to: were a second header read, a client
    // could write the one its proxy does not and choose its own address.
    let hops: Vec<String> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|part| part.trim().to_owned())
        .collect();
    let parse = |hop: &str| -> Option<std::net::IpAddr> {
        // "[2001:db8::1]:4711" and "192.0.2.1:4711" carry ports; plain addresses do not.
        let hop = hop.trim();
        if let Ok(address) = hop.parse() {
            return Some(address);
        }
        if let Ok(socket) = hop.parse::<SocketAddr>() {
            return Some(socket.ip());
        }
        hop.trim_start_matches('[')
            .split(']')
            .next()
            .and_then(|inner| inner.parse().ok())
    };
    for hop in hops.iter().rev() {
        match parse(hop) {
            Some(address) if is_trusted(&address) => continue,
            Some(address) => return Some(address),
            // Unparseable (or "unknown"): stop believing the chain here.
            None => return Some(peer),
        }
    }
    Some(peer)
}

/// The OpenAPI document's header.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "hoso", description = "Online public services: dossiers, procedures, the legal clock."),
    components(schemas(error::Problem, error::FieldError)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The JSON API under `/api/v1`, `/openapi.json` and the operations endpoints (`/healthz`,
/// `/readyz`, `/metrics`); [`crate::startup::router`] adds the pages and the problem+json
/// answers for routes and methods that do not exist.
pub fn router(state: &AppState) -> Router<AppState> {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::oidc_nonce))
        .routes(routes!(api::list_procedures, api::publish_procedure))
        .routes(routes!(api::get_procedure))
        .routes(routes!(api::submit_dossier, api::list_dossiers))
        .routes(routes!(api::get_dossier))
        .routes(routes!(api::take_action))
        .routes(routes!(api::answer_supplement))
        .routes(routes!(api::issue_result))
        .routes(routes!(api::lookup))
        .routes(routes!(api::inbox))
        .routes(routes!(api::timeline))
        .routes(routes!(api::document))
        .routes(routes!(payments::start))
        .routes(routes!(payments::ipn))
        .routes(routes!(payments::return_page))
        .routes(routes!(callbacks::sms_report))
        .routes(routes!(reports::indicators))
        .routes(routes!(reports::rate))
        .routes(routes!(reports::form))
        .routes(routes!(reports::evaluation))
        .routes(routes!(reports::timeline_svg))
        .routes(routes!(reports::register))
        .routes(routes!(units::list, units::add))
        .routes(routes!(units::route))
        .routes(routes!(units::retire))
        .split_for_parts();
    let openapi_json =
        serde_json::to_string_pretty(&contract::complete(&openapi)).unwrap_or_default();
    Router::new()
        .merge(api.layer(DefaultBodyLimit::max(state.limits.submission_bytes)))
        .route(
            "/openapi.json",
            axum::routing::get(move || async move {
                ([(header::CONTENT_TYPE, "application/json")], openapi_json)
            }),
        )
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics))
}

/// How long a readiness answer is reused: the check writes to the database, and a flood of
/// probes must not compete with the writer.
const READINESS_TTL: Duration = Duration::from_secs(1);

/// Database reachable, writable, and migrations current.
async fn readyz(State(state): State<AppState>) -> Result<axum::Json<serde_json::Value>, AppError> {
    // One check at a time; callers within a second of it share its answer.
    let mut cached = state.readiness.lock().await;
    let answer = match cached.as_ref() {
        Some((at, answer)) if at.elapsed() < READINESS_TTL => answer.clone(),
        _ => {
            let answer = check_ready(&state).await;
            *cached = Some((Instant::now(), answer.clone()));
            answer
        }
    };
    drop(cached);
    answer.map_err(AppError::Unavailable)?;
    Ok(axum::Json(
        serde_json::json!({ "database": "ok", "migrations": "current" }),
    ))
}

/// Database reachable, writable, and migrations current; else why not.
async fn check_ready(state: &AppState) -> Result<(), String> {
    let store = state.service.store();
    // The cause goes to the log, never to the caller.
    let unavailable = |error: hoso_engine::ports::StoreError| {
        tracing::warn!(%error, "not ready: the database cannot take a write");
        "the database cannot be reached or cannot take a write now; see the server log".to_owned()
    };
    store.ping().await.map_err(unavailable)?;
    if !store.migrations_current().await.map_err(unavailable)? {
        return Err("the database schema is behind this hoso: run `hoso init`".to_owned());
    }
    Ok(())
}

async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let proxied = request.headers().contains_key("x-forwarded-for")
        || request.headers().contains_key(header::FORWARDED);
    if !state.metrics_access.allows(peer, authorization, proxied) {
        return match state.metrics_access {
            MetricsAccess::Token(_) => {
                AppError::Unauthorized(Denial::MetricsToken.into()).into_response()
            }
            _ => AppError::NotFound(Denial::NoSuchResource.into()).into_response(),
        };
    }
    let now = chrono::Utc::now();
    let store = state.service.store();
    let gauges = store.gauges(now).await.ok();
    let checkpoint_age = hoso_engine::ports::Checkpoints::latest_checkpoint(store)
        .await
        .ok()
        .flatten()
        .map(|checkpoint| (now - checkpoint.at).num_seconds().max(0));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        state.metrics.render(
            gauges,
            checkpoint_age,
            crate::calendars::days_left(&state.service.calendars()),
        ),
    )
        .into_response()
}

/// Serves `/metrics` alone on a private listener (`--metrics-bind`), open to whoever reaches it.
pub fn serve_metrics(
    listener: TcpListener,
    mut state: AppState,
) -> impl Future<Output = std::io::Result<()>> + Send {
    state.metrics_access = MetricsAccess::Open;
    let app = Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .with_state(state);
    async move { axum::serve(listener, app).await }
}

#[cfg(test)]
mod address_tests {
    use axum::http::HeaderMap;

    use super::client_address;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                value.parse().expect("value"),
            );
        }
        headers
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies_and_only_from_the_right() {
        let ip = |text: &str| text.parse::<std::net::IpAddr>().expect("address");
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/24".parse().expect("net")];
        let spoofing = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(
            client_address(Some(ip("203.0.113.9")), &spoofing, &proxies),
            Some(ip("203.0.113.9")),
            "a client that is no proxy cannot name another address"
        );
        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.7, 10.0.0.4")]);
        assert_eq!(
            client_address(Some(ip("10.0.0.5")), &chain, &proxies),
            Some(ip("203.0.113.7")),
            "the nearest address a trusted proxy did not write; the leftmost is the client's own claim"
        );
        let spoofed_other_header = headers(&[
            ("forwarded", "for=198.51.100.1"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(
            client_address(Some(ip("10.0.0.5")), &spoofed_other_header, &proxies),
            Some(ip("203.0.113.7")),
            "only X-Forwarded-For is read"
        );
        let with_port = headers(&[("x-forwarded-for", "[2001:db8::1]:4711")]);
        assert_eq!(
            client_address(Some(ip("10.0.0.5")), &with_port, &proxies),
            Some(ip("2001:db8::1"))
        );
        let garbage = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(
            client_address(Some(ip("10.0.0.5")), &garbage, &proxies),
            Some(ip("10.0.0.5"))
        );
        assert_eq!(
            client_address(Some(ip("10.0.0.5")), &HeaderMap::new(), &proxies),
            Some(ip("10.0.0.5"))
        );
        assert_eq!(client_address(None, &chain, &proxies), None);
    }
}
