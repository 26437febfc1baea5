//! Builds the configured application and runs it: the JSON API and the pages on one listener,
//! behind the layers every request passes (timeout, request log and metrics, rate limits, body
//! limits, content headers). The binary and the end-to-end harness both start it here. Errors
//! name what failed; their cause is their `source`, printed once by the caller's error chain.

use hoso_engine::messages::Denial;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
        // After the merge: an unknown API path answers as the API does.
        // A browser (asking for HTML) gets a page; an API client the API's problem.
        .fallback(
            |uri: axum::http::Uri, headers: axum::http::HeaderMap| async move {
                let wants_page = headers
                    .get(axum::http::header::ACCEPT)
                    .and_then(|accept| accept.to_str().ok())
                    .is_some_and(|accept| accept.contains("text/html"));
                if uri.path().starts_with("/api/") || !wants_page {
                    AppError::NotFound(Denial::NoSuchResource.into()).into_response()
                } else {
                    crate::web::page_not_found(&headers)
                }
            },
        )
        .layer(middleware::from_fn(method_not_allowed))
        .layer(middleware::from_fn(crate::app::error::in_request_language))
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

/// A route called with a method it does not take answers problem+json — API and pages alike,
/// keeping the router's `Allow` header (the router itself answers an empty 405).
async fn method_not_allowed(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut answer = AppError::MethodNotAllowed(Denial::MethodNotAllowed.into()).into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
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
        return AppError::TooLarge(Denial::BodyTooLarge { limit: Some(limit) }.into())
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

/// Everything `hoso serve` is configured with, already checked for form by the caller.
pub struct Config {
    /// Address to listen on (port 0 picks a free one).
    pub bind: String,
    /// The database and the procedure and calendar folders.
    pub settings: crate::boot::Settings,
    /// Folder for uploaded documents.
    pub data_dir: std::path::PathBuf,
    /// The document key file: with it documents are sealed at rest (`crate::sealing`).
    pub document_keys: Option<std::path::PathBuf>,
    /// Citizens' OpenID Connect provider, when configured.
    pub oidc: Option<crate::oidc::OidcSettings>,
    /// The address people reach this server at, e.g. `https://dichvucong.example.vn`.
    pub public_url: Option<String>,
    /// Requests each caller may make.
    pub rate: crate::limit::RateLimit,
    /// Sizes and time.
    pub limits: crate::app::Limits,
    /// A separate, private address for `/metrics`.
    pub metrics_bind: Option<String>,
    /// A token that reads `/metrics` on the main address.
    pub metrics_token: Option<String>,
    /// Reverse proxies believed about the client's address (addresses or CIDRs).
    pub trusted_proxies: Vec<String>,
    /// How often the calendar folder is read again.
    pub calendar_check_interval: Duration,
    /// How often the unit directory is read again.
    pub directory_check_interval: Duration,
    /// How often due timers are run; `None` turns the in-process timer worker off.
    pub timer_interval: Option<Duration>,
    /// Points and thresholds of the Decision 766 indicators.
    pub indicators: std::path::PathBuf,
    /// Key file for signing audit checkpoints.
    pub audit_key: Option<std::path::PathBuf>,
    /// How often a checkpoint is signed.
    pub checkpoint_every: Duration,
    /// VNPAY, when configured.
    pub vnpay: Option<crate::payment::vnpay::VnpaySettings>,
    /// How often pending VNPAY payments are reconciled, and how old they must be; `None` leaves
    /// it to the operator's `hoso payments reconcile`.
    pub vnpay_reconcile: Option<(Duration, chrono::Duration)>,
    /// The secret in the SMS provider's delivery-report URL.
    pub sms_callback_token: Option<String>,
    /// Where side effects go.
    pub effects: Effects,
    /// Accounts the sign-in page offers (`hoso serve --demo` only; empty otherwise).
    pub demo_accounts: Vec<crate::access::DemoAccount>,
}

/// Where side effects go and how often they are retried.
pub struct Effects {
    /// E-mail notifications, when an SMTP server is configured.
    pub email: Option<crate::notify::email::EmailSettings>,
    /// SMS notifications, when a provider is configured.
    pub sms: Option<crate::notify::sms::SmsSettings>,
    /// The national portal connections file, when configured.
    pub portal_config: Option<std::path::PathBuf>,
    /// Attempts, waits and the time one delivery may take.
    pub retry: crate::worker::RetryPolicy,
    /// How often the outbox is read (PostgreSQL also wakes dispatchers on commit).
    pub outbox_interval: Duration,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database or the folders could not be opened.
    #[error("opening {database}")]
    Open {
        /// The database URL, password hidden.
        database: String,
        /// Why.
        source: crate::boot::BootError,
    },
    /// Putting the calendar folder in force failed.
    #[error("calendars")]
    Calendars(#[from] crate::calendars::ReconcileError),
    /// A setting is wrong; the message says which and how to fix it.
    #[error("{0}")]
    Config(String),
    /// An address could not be bound.
    #[error("binding {address}")]
    Bind {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// The audit key file.
    #[error(transparent)]
    Audit(#[from] crate::audit::AuditError),
    /// The database failed while starting.
    #[error(transparent)]
    Store(#[from] hoso_engine::ports::StoreError),
    /// Serving stopped with an error.
    #[error("serving HTTP")]
    Serve(#[source] std::io::Error),
}

/// A configured application, bound to its address and ready to run.
pub struct Application {
    config: Config,
    service: Arc<hoso_engine::service::Service<crate::store::AnyStore>>,
    state: AppState,
    listener: TcpListener,
    audit_key: Option<ed25519_dalek::SigningKey>,
}

impl Application {
    /// Opens the store and the folders, puts the calendars in force (recomputing dossiers
    /// counted on a replaced year), checks every setting, and binds the listeners. Nothing is
    /// served yet; anything wrong stops here, before the first request.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let (service, _) = crate::boot::open_service(&config.settings)
            .await
            .map_err(|source| StartupError::Open {
                database: crate::store::redact(&config.settings.database_url),
                source,
            })?;
        let service = Arc::new(service);
        // Dossiers counted on a draft that the folder's official year now replaces (or on a
        // year corrected since) are recomputed before the first request; a draft put back over
        // an official year stops the start.
        let report = crate::calendars::reconcile(&service, chrono::Utc::now())
            .await
            .map_err(|error| error.located(&config.settings.calendars))?;
        crate::calendars::log_reconciliation(&report);
        let oidc = config
            .oidc
            .clone()
            .map(crate::oidc::OidcVerifier::new)
            .transpose()
            .map_err(StartupError::Config)?
            .map(Arc::new);
        let audit_key = config
            .audit_key
            .as_deref()
            .map(crate::audit::read_key)
            .transpose()?;
        let mut state = AppState::new(
            Arc::clone(&service),
            oidc,
            config.documents()?,
            config.rate,
            config.limits,
        );
        if let Some(vnpay) = config.vnpay.clone() {
            state = state.with_vnpay(vnpay);
        }
        state.public_url = config.public_url.clone();
        state.demo_accounts = Arc::new(config.demo_accounts.clone());
        state.indicator_settings = match std::fs::read_to_string(&config.indicators) {
            Ok(text) => Some(Arc::new(
                hoso_engine::indicators::Settings::from_toml(&text).map_err(|why| {
                    StartupError::Config(format!("{}: {why}", config.indicators.display()))
                })?,
            )),
            Err(error) => {
                tracing::warn!(path = %config.indicators.display(), %error, "no indicator settings: reports are off");
                None
            }
        };
        state.sms_callback_token = config
            .sms_callback_token
            .clone()
            .filter(|token| token.len() >= 16);
        state.trusted_proxies = Arc::new(trusted_proxies(&config.trusted_proxies)?);
        state.metrics_access = match (&config.metrics_bind, &config.metrics_token) {
            (Some(_), _) => crate::metrics::MetricsAccess::Elsewhere,
            (None, Some(token)) if token.len() >= 16 => crate::metrics::MetricsAccess::token(token),
            (None, Some(_)) => {
                return Err(StartupError::Config(
                    "--metrics-token must be at least 16 characters; make one with `openssl rand -hex 32`"
                        .to_owned(),
                ));
            }
            (None, None) => crate::metrics::MetricsAccess::Loopback,
        };
        if let Some(bind) = &config.metrics_bind {
            let metrics_listener = bind_to(bind).await?;
            if let Ok(address) = metrics_listener.local_addr() {
                tracing::info!(%address, "metrics served on their own address");
            }
            let metrics = crate::http::serve_metrics(metrics_listener, state.clone());
            tokio::spawn(async move {
                if let Err(error) = metrics.await {
                    tracing::error!(%error, "the metrics listener stopped");
                }
            });
        }
        let listener = bind_to(&config.bind).await?;
        // Browsers keep Secure cookies off plain HTTP except on loopback; behind a TLS proxy
        // the server listens elsewhere and the cookies are Secure.
        state.secure_cookies = !listener
            .local_addr()
            .is_ok_and(|address| address.ip().is_loopback());
        Ok(Self {
            config,
            service,
            state,
            listener,
            audit_key,
        })
    }

    /// The address the application listens on (the port chosen when 0 was asked).
    pub fn address(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The store's backend, for the start-up line.
    pub fn backend(&self) -> &'static str {
        self.service.store().backend()
    }

    /// Starts the background workers (outbox, timers, checkpoints, upload sweeper, calendar
    /// watch), serves until `shutdown` completes, finishes the requests in flight, then stops
    /// the workers.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartupError> {
        let Self {
            config,
            service,
            state,
            listener,
            audit_key,
        } = self;
        let workers = Workers::start(&config, &service, &state, audit_key).await?;
        let served = serve(listener, state, shutdown).await;
        workers.stop().await;
        served.map_err(StartupError::Serve)
    }
}

/// The background workers of one server, each with its stop signal.
/// Re-reads the unit directory every `interval`, so a change made by `hoso unit` or another
/// node is in force here within one interval; a failed read keeps the directory in force.
async fn watch_directory(
    service: Arc<hoso_engine::service::Service<crate::store::AnyStore>>,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
        match crate::app::units::reload(&service).await {
            Ok(true) => tracing::info!("unit directory changed; the new one is in force"),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(?error, "unit directory not re-read; the one in force stays")
            }
        }
    }
}

struct Workers {
    stops: Vec<tokio::sync::oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Workers {
    async fn start(
        config: &Config,
        service: &Arc<hoso_engine::service::Service<crate::store::AnyStore>>,
        state: &AppState,
        audit_key: Option<ed25519_dalek::SigningKey>,
    ) -> Result<Self, StartupError> {
        let mut workers = Self {
            stops: Vec::new(),
            tasks: Vec::new(),
        };
        let dispatcher = dispatcher(
            &config.effects,
            Arc::clone(service),
            state.documents.clone(),
        )?;
        let wakeups = service.store().outbox_wakeups().await?;
        let stopped = workers.stop_signal();
        workers.tasks.push(tokio::spawn(dispatcher.run(
            config.effects.outbox_interval.max(Duration::from_secs(1)),
            wakeups,
            stopped,
            |pass| match pass {
                Ok(pass) if pass.delivered + pass.retried + pass.dead > 0 => {
                    tracing::info!(
                        delivered = pass.delivered,
                        retried = pass.retried,
                        dead = pass.dead,
                        "outbox pass"
                    );
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "outbox pass failed; retrying next pass"),
            },
        )));
        if let Some(key) = audit_key {
            let metrics = Arc::clone(&state.metrics);
            let stopped = workers.stop_signal();
            workers
                .tasks
                .push(tokio::spawn(crate::audit::run_checkpoints(
                    Arc::clone(service),
                    key,
                    config.checkpoint_every.max(Duration::from_secs(1)),
                    stopped,
                    move |outcome| match outcome {
                        Ok(Some(file)) => tracing::info!(
                            sequence = file.checkpoint.sequence,
                            dossiers = file.checkpoint.dossiers,
                            root = %file.checkpoint.root,
                            "audit checkpoint signed"
                        ),
                        Ok(None) => {}
                        Err(error) => {
                            metrics.checkpoint_failed();
                            tracing::error!(%error, "audit checkpoint not signed");
                        }
                    },
                )));
        }
        if let (Some(settings), Some((every, after))) =
            (config.vnpay.clone(), config.vnpay_reconcile)
        {
            let stopped = workers.stop_signal();
            workers
                .tasks
                .push(tokio::spawn(crate::payment::run_reconciliation(
                    Arc::clone(service),
                    settings,
                    every,
                    after,
                    stopped,
                )));
        }
        if let Some(interval) = config.timer_interval {
            let metrics = Arc::clone(&state.metrics);
            let stopped = workers.stop_signal();
            workers.tasks.push(tokio::spawn(crate::worker::run_timers(
                Arc::clone(service),
                interval,
                stopped,
                move |pass| match pass {
                    Ok(pass) => metrics.timer_pass(&pass),
                    Err(error) => tracing::warn!(%error, "timer pass failed; retrying next pass"),
                },
            )));
        }
        let stopped = workers.stop_signal();
        workers
            .tasks
            .push(tokio::spawn(crate::documents::run_sweeper(
                state.documents.clone(),
                Arc::clone(service),
                // Held uploads go within a quarter of an hour of their hour.
                Duration::from_secs(900),
                stopped,
            )));
        let stopped = workers.stop_signal();
        workers.tasks.push(tokio::spawn(watch_directory(
            Arc::clone(service),
            config.directory_check_interval,
            stopped,
        )));
        let stopped = workers.stop_signal();
        workers.tasks.push(tokio::spawn(crate::calendars::watch(
            Arc::clone(service),
            config.settings.calendars.clone(),
            config.calendar_check_interval,
            stopped,
            |pass| match pass {
                crate::calendars::WatchPass::Reloaded(report) => {
                    crate::calendars::log_reconciliation(&report);
                }
                crate::calendars::WatchPass::Failed(error) => {
                    tracing::error!(%error, "calendar folder not put in force; the calendars in force stay");
                }
                crate::calendars::WatchPass::EndingSoon {
                    days_left,
                    last_official_day,
                    provisional,
                } => tracing::warn!(
                    days_left,
                    last_official_day = %last_official_day.map_or_else(|| "none".to_owned(), |day| day.to_string()),
                    provisional = ?provisional,
                    "official calendars end soon: add next year's official file (`hoso calendar draft` gives a provisional one meanwhile; docs/calendars.md)"
                ),
            },
        )));
        Ok(workers)
    }

    /// A new worker's stop signal: completes when the workers are stopped.
    fn stop_signal(&mut self) -> impl Future<Output = ()> + Send + 'static {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.stops.push(stop);
        async move {
            let _ = stopped.await;
        }
    }

    /// Stops every worker and waits for each to finish its pass.
    async fn stop(self) {
        for stop in self.stops {
            let _ = stop.send(());
        }
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// The outbox dispatcher with every configured adapter.
fn dispatcher(
    effects: &Effects,
    service: Arc<hoso_engine::service::Service<crate::store::AnyStore>>,
    documents: crate::documents::DocumentStore,
) -> Result<crate::worker::Dispatcher, StartupError> {
    use crate::worker::Dispatcher;
    let mut dispatcher = Dispatcher::new(Arc::clone(&service), effects.retry);
    if let Some(settings) = &effects.email {
        let email =
            crate::notify::email::EmailDeliverer::new(settings).map_err(StartupError::Config)?;
        dispatcher = dispatcher.route("email", Arc::new(email), 4);
    }
    if let Some(settings) = &effects.sms {
        let sms = crate::notify::sms::SmsDeliverer::new(settings.clone())
            .map_err(StartupError::Config)?;
        dispatcher = dispatcher.route("sms", Arc::new(sms), 4);
    }
    if let Some(path) = &effects.portal_config {
        let config = crate::portal::PortalConfig::load(path).map_err(StartupError::Config)?;
        let portal = Arc::new(
            crate::portal::PortalDeliverer::new(service, documents, config)
                .map_err(StartupError::Config)?,
        );
        dispatcher = dispatcher
            .route(
                "portal",
                Arc::clone(&portal) as Arc<dyn crate::worker::Deliverer>,
                2,
            )
            .route("data_store", portal, 1);
    }
    Ok(dispatcher)
}

/// The reverse proxies given as addresses or CIDRs.
impl Config {
    /// The document store under the data folder, sealing with the document keys when given.
    pub fn documents(&self) -> Result<crate::documents::DocumentStore, StartupError> {
        let store = crate::documents::DocumentStore::new(self.data_dir.join("documents"));
        match &self.document_keys {
            Some(path) => Ok(store.with_keys(Arc::new(
                crate::sealing::DocumentKeys::load(path).map_err(StartupError::Config)?,
            ))),
            None => Ok(store),
        }
    }
}

fn trusted_proxies(given: &[String]) -> Result<Vec<ipnet::IpNet>, StartupError> {
    given
        .iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<ipnet::IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    StartupError::Config(format!(
                        "--trusted-proxy {text:?} is not an address or CIDR; write e.g. 10.0.0.5 or 10.0.0.0/24"
                    ))
                })
        })
        .collect()
}

async fn bind_to(address: &str) -> Result<TcpListener, StartupError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| StartupError::Bind {
            address: address.to_owned(),
            source,
        })
}
