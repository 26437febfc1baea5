//! The application: one use case per thing a person does — submit, act, answer a supplement,
//! pay, rate, read a dossier, list and inbox, publish a procedure, report. Each takes the caller
//! ([`Principal`]) and a typed request, checks access, handles idempotency, runs the engine's
//! `Service` once, and returns a view model. The JSON API (`http`) and the pages (`web`) are
//! translators over these functions; neither calls the other.

pub mod action_schemas;
pub mod actions;
pub mod dossiers;
pub mod downloads;
pub mod error;
pub mod idempotency;
pub mod instant;
pub mod lists;
pub mod lookup;
pub mod payments;
pub mod principal;
pub mod procedures;
pub mod reports;
pub mod units;
pub mod uploads;
pub mod verify;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hoso_engine::service::{Executed, Request as CommandRequest, Service, ServiceError};

use crate::documents::DocumentStore;
use crate::limit::{RateLimit, RateLimiter};
use crate::metrics::{Metrics, MetricsAccess};
use crate::oidc::OidcVerifier;
use crate::store::AnyStore;
pub use error::{AppError, FieldError};
pub use principal::Principal;

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
    /// The public status lookup, per client address: a few tries a minute, so lookup keys
    /// cannot be guessed.
    pub lookup_limiter: Arc<RateLimiter>,
    /// The address people reach this server at, for the sign-in redirect and the lookup QR
    /// code; the request's Host when absent.
    pub public_url: Option<String>,
    /// Accounts the sign-in page offers: only those `hoso serve --demo` made, never on a real
    /// database.
    pub demo_accounts: Arc<Vec<crate::access::DemoAccount>>,
}

/// A readiness answer (why not ready, if not) and when it was found.
pub type Readiness = (Instant, Result<(), String>);

/// Public lookups per client address: 10 at once, then one every 6 seconds.
const LOOKUP_RATE: RateLimit = RateLimit {
    per_second: 1.0 / 6.0,
    burst: 10.0,
};

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
            lookup_limiter: Arc::new(RateLimiter::new(LOOKUP_RATE)),
            public_url: None,
            demo_accounts: Arc::new(Vec::new()),
        }
    }

    /// `scheme://host` people reach this server at: the configured public URL, else the Host the
    /// browser used (a forged Host only yields a sign-in redirect the provider refuses, or a QR
    /// code on the forger's own receipt).
    pub fn public_base(&self, headers: &axum::http::HeaderMap) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|value| value.to_str().ok())
            .filter(|host| {
                !host.is_empty()
                    && host
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || b".-:[]".contains(&byte))
            })
            .unwrap_or("localhost");
        let scheme = if self.secure_cookies { "https" } else { "http" };
        format!("{scheme}://{host}")
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
