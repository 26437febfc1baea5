//! `hoso serve`: the HTTP API for citizens, officers, designers and auditors.
//!
//! Every caller sees and does only what their role and unit allow (the rules live in the
//! engine's `decide`; this layer adds who may *read* what). Every error is problem+json. Bodies,
//! uploads, time and request rates are limited; nothing a request sends can make the server
//! answer 5xx except the database being down.

pub mod api;
pub mod auth;
pub mod callbacks;
pub mod error;
pub mod limit;
pub mod metrics;
pub mod oidc;
pub mod payments;
pub mod reports;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use hoso_engine::service::{Executed, Request as CommandRequest, Service, ServiceError};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::documents::DocumentStore;
use crate::store::AnyStore;
use error::ApiError;
use limit::{RateLimit, RateLimiter};
use metrics::Metrics;
use oidc::OidcVerifier;

/// Size limits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest JSON or TOML body.
    pub body_bytes: usize,
    /// Largest single uploaded document.
    pub upload_bytes: usize,
    /// Largest multipart submission in total.
    pub submission_bytes: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1024 * 1024,
            upload_bytes: 10 * 1024 * 1024,
            submission_bytes: 32 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// How many callers' worth of requests one address may carry when the requests name callers.
pub const CALLERS_PER_ADDRESS: f64 = 10.0;

/// The anonymous requests of one address get this share of one caller's budget: enough to read
/// the catalogue and sign in, too little to crowd anything out.
pub const ANONYMOUS_SHARE: f64 = 0.5;

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    /// Runs commands.
    pub service: Arc<Service<AnyStore>>,
    /// Verifies citizens' ID tokens, when an issuer is configured.
    pub oidc: Option<Arc<OidcVerifier>>,
    /// Uploaded documents.
    pub documents: DocumentStore,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// Per-caller request rate.
    pub limiter: Arc<RateLimiter>,
    /// Per-address request rate for requests that name a caller: looser than a caller's (an
    /// office or a NAT carries many), but a client inventing a token per request cannot escape it.
    pub address_limiter: Arc<RateLimiter>,
    /// Sizes and time.
    pub limits: Limits,
    /// VNPAY, when configured.
    pub vnpay: Option<Arc<crate::payment::vnpay::VnpaySettings>>,
    /// The secret in the SMS provider's callback URL, when configured.
    pub sms_callback_token: Option<String>,
    /// Points and thresholds of the Decision 766 indicators, when loaded.
    pub indicator_settings: Option<Arc<hoso_engine::indicators::Settings>>,
    /// Mark the web pages' cookies Secure: on unless the server listens on loopback only
    /// (a browser sends Secure cookies over plain HTTP to loopback, never to other hosts).
    pub secure_cookies: bool,
    /// Who may read `/metrics` on this listener.
    pub metrics_access: MetricsAccess,
    /// Requests with neither a token nor a session, per client address: a smaller budget of
    /// its own, so an anonymous flood cannot starve signed-in callers behind the same address.
    pub anonymous_limiter: Arc<RateLimiter>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// The last readiness answer and when it was found.
    pub readiness: Arc<tokio::sync::Mutex<Option<Readiness>>>,
}

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

/// Who may read `/metrics`: it tells an outsider the routes, the load and the backlog, so it is
/// never open to everyone.
#[derive(Clone, Default)]
pub enum MetricsAccess {
    /// Callers on this machine (loopback) only: a Prometheus agent beside the server.
    #[default]
    Loopback,
    /// Callers that send `Authorization: Bearer <token>`; the SHA-256 of the token is kept.
    Token([u8; 32]),
    /// Served on a separate, private address (`--metrics-bind`); not on this listener.
    Elsewhere,
    /// Anyone who reaches the listener: only the private metrics listener itself.
    Open,
}

impl MetricsAccess {
    /// Token access, keeping only the token's hash.
    pub fn token(token: &str) -> Self {
        Self::Token(Sha256::digest(token.as_bytes()).into())
    }

    /// Whether a request from `peer` with this `Authorization` header may read the metrics.
    pub fn allows(
        &self,
        peer: Option<std::net::IpAddr>,
        authorization: Option<&str>,
        proxied: bool,
    ) -> bool {
        match self {
            Self::Open => true,
            Self::Elsewhere => false,
            // A request a local proxy forwarded looks local but comes from anywhere.
            Self::Loopback => peer.is_some_and(|peer| peer.is_loopback()) && !proxied,
            Self::Token(expected) => authorization
                .and_then(|value| value.strip_prefix("Bearer "))
                .is_some_and(|token| {
                    let sent: [u8; 32] = Sha256::digest(token.as_bytes()).into();
                    // Equal-length hashes compared without an early exit.
                    sent.iter()
                        .zip(expected)
                        .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
                        == 0
                }),
        }
    }
}

impl AppState {
    /// A state with the default limits and `rate` per caller.
    pub fn new(
        service: Arc<Service<AnyStore>>,
        oidc: Option<Arc<OidcVerifier>>,
        documents: DocumentStore,
        rate: RateLimit,
        limits: Limits,
    ) -> Self {
        Self {
            service,
            oidc,
            documents,
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(RateLimiter::new(rate)),
            address_limiter: Arc::new(RateLimiter::new(RateLimit {
                per_second: rate.per_second * CALLERS_PER_ADDRESS,
                burst: rate.burst * CALLERS_PER_ADDRESS,
            })),
            limits,
            vnpay: None,
            sms_callback_token: None,
            indicator_settings: None,
            secure_cookies: true,
            metrics_access: MetricsAccess::default(),
            anonymous_limiter: Arc::new(RateLimiter::new(RateLimit {
                per_second: rate.per_second * ANONYMOUS_SHARE,
                burst: rate.burst * ANONYMOUS_SHARE,
            })),
            trusted_proxies: Arc::new(Vec::new()),
            readiness: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    /// With VNPAY configured.
    pub fn with_vnpay(mut self, settings: crate::payment::vnpay::VnpaySettings) -> Self {
        self.vnpay = Some(Arc::new(settings));
        self
    }

    /// Runs a command, counting it by outcome.
    pub async fn execute(&self, request: CommandRequest) -> Result<Executed, ServiceError> {
        let name = request.command.name();
        let outcome = self.service.execute(request, Utc::now()).await;
        let label = match &outcome {
            Ok(_) => "ok",
            Err(ServiceError::Rejected(_)) => "refused",
            Err(ServiceError::Conflict { .. }) => "conflict",
            Err(_) => "error",
        };
        self.metrics.command(name, label);
        outcome
    }
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

/// The application: API routes, operations endpoints, and the layers every request passes.
pub fn router(state: AppState) -> Router {
    let (api, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::oidc_nonce))
        .routes(routes!(api::list_procedures, api::publish_procedure))
        .routes(routes!(api::get_procedure))
        .routes(routes!(api::submit_dossier, api::list_dossiers))
        .routes(routes!(api::get_dossier))
        .routes(routes!(api::take_action))
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
        .routes(routes!(reports::timeline_svg))
        .routes(routes!(reports::register))
        .split_for_parts();
    let openapi_json = serde_json::to_string_pretty(&openapi).unwrap_or_default();
    Router::new()
        .merge(api.layer(DefaultBodyLimit::max(state.limits.submission_bytes)))
        .merge(
            crate::web::router(state.clone())
                .layer(DefaultBodyLimit::max(state.limits.submission_bytes)),
        )
        .route(
            "/openapi.json",
            axum::routing::get(move || async move {
                ([(header::CONTENT_TYPE, "application/json")], openapi_json)
            }),
        )
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/readyz", axum::routing::get(readyz))
        .route("/metrics", axum::routing::get(metrics))
        .fallback(|| async { ApiError::NotFound("no such resource; see /openapi.json".to_owned()) })
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                ApiError::BadRequest(
                    "this method is not allowed here; see /openapi.json".to_owned(),
                )
                .into_response()
                .into_body(),
            )
                .into_response()
        })
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

/// Database reachable and migrations current.
/// A readiness answer (why not ready, if not) and when it was found.
pub type Readiness = (Instant, Result<(), String>);

/// How long a readiness answer is reused: the check writes to the database, and a flood of
/// probes must not compete with the writer.
const READINESS_TTL: Duration = Duration::from_secs(1);

async fn readyz(State(state): State<AppState>) -> Result<axum::Json<serde_json::Value>, ApiError> {
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
    answer.map_err(ApiError::Unavailable)?;
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
            MetricsAccess::Token(_) => ApiError::Unauthorized(
                "send Authorization: Bearer <the metrics token> (--metrics-token)".to_owned(),
            )
            .into_response(),
            _ => {
                ApiError::NotFound("no such resource; see /openapi.json".to_owned()).into_response()
            }
        };
    }
    let backlog = state.service.store().outbox_backlog().await.ok();
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        state.metrics.render(
            backlog,
            crate::calendars::days_left(&state.service.calendars()),
        ),
    )
        .into_response()
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
        return ApiError::TooLarge(format!("the body is larger than {limit} bytes"))
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
        Err(seconds) => ApiError::RateLimited(seconds).into_response(),
    }
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

#[cfg(test)]
mod tests {
    use super::MetricsAccess;

    #[test]
    fn metrics_answer_only_this_machine_unless_a_token_or_a_private_address_is_set() {
        let local: std::net::IpAddr = "127.0.0.1".parse().expect("address");
        let remote: std::net::IpAddr = "203.0.113.7".parse().expect("address");
        let loopback = MetricsAccess::Loopback;
        assert!(loopback.allows(Some(local), None, false));
        assert!(loopback.allows(Some("::1".parse().expect("address")), None, false));
        assert!(!loopback.allows(Some(remote), None, false));
        assert!(!loopback.allows(None, None, false));
        assert!(
            !loopback.allows(Some(local), None, true),
            "forwarded by a local proxy: from anywhere"
        );

        let token = MetricsAccess::token("a-long-metrics-token");
        assert!(token.allows(Some(remote), Some("Bearer a-long-metrics-token"), true));
        assert!(
            !token.allows(Some(local), None, false),
            "the token is asked of everyone"
        );
        assert!(!token.allows(Some(remote), Some("Bearer a-long-metrics-tokem"), false));
        assert!(!token.allows(Some(remote), Some("a-long-metrics-token"), false));

        assert!(!MetricsAccess::Elsewhere.allows(Some(local), None, false));
        assert!(MetricsAccess::Open.allows(Some(remote), None, true));
    }
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
