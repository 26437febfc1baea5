//! `hoso serve`: its flags, read into the application's configuration, and the run until a
//! signal stops it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;

use crate::StoreArgs;

/// `hoso serve` settings; every one has a flag and a HOSO_* variable.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the chosen address is printed).
    #[arg(long, env = "HOSO_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    #[command(flatten)]
    store: StoreArgs,
    /// Folder for uploaded documents (stored by their SHA-256).
    #[arg(long, env = "HOSO_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Document key file (`hoso documents keygen`): documents are then sealed at rest, named by
    /// a keyed hash (docs/operations.md).
    #[arg(long, env = "HOSO_DOCUMENT_KEYS")]
    document_keys: Option<PathBuf>,
    /// OpenID Connect issuer for citizens (the national SSO); without it only hoso tokens work.
    #[arg(long, env = "HOSO_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// This service's client id at the issuer, expected as the ID token's audience.
    #[arg(long, env = "HOSO_OIDC_AUDIENCE", default_value = "hoso")]
    oidc_audience: String,
    /// The ID-token claim holding the personal identification number.
    #[arg(long, env = "HOSO_OIDC_CITIZEN_CLAIM", default_value = "SoDinhDanh")]
    oidc_citizen_claim: String,
    /// The ID-token claim holding the person's full name.
    #[arg(long, env = "HOSO_OIDC_NAME_CLAIM", default_value = "HoVaTen")]
    oidc_name_claim: String,
    /// The ID-token claim holding the tax code of an organisation account (none by default).
    #[arg(long, env = "HOSO_OIDC_ORGANISATION_CLAIM")]
    oidc_organisation_claim: Option<String>,
    /// The client secret at the issuer; with it, the pages sign citizens in through the
    /// provider (authorization code with PKCE).
    #[arg(long, env = "HOSO_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// The address people reach this server at (e.g. https://dichvucong.example.vn), for the
    /// sign-in redirect and the lookup QR code; taken from the request's Host when absent.
    #[arg(long, env = "HOSO_PUBLIC_URL")]
    public_url: Option<String>,
    /// Requests per second each caller may sustain.
    #[arg(long, env = "HOSO_RATE_LIMIT", default_value_t = 50.0)]
    rate_limit: f64,
    /// Requests each caller may send at once.
    #[arg(long, env = "HOSO_RATE_BURST", default_value_t = 100.0)]
    rate_burst: f64,
    /// Seconds a request may take.
    #[arg(long, env = "HOSO_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// Serve /metrics on this separate, private address (e.g. 127.0.0.1:9100) instead of the
    /// main one. Without it or a token, /metrics answers only callers on this machine.
    #[arg(long, env = "HOSO_METRICS_BIND")]
    metrics_bind: Option<String>,
    /// Let callers that send `Authorization: Bearer TOKEN` read /metrics on the main address.
    #[arg(long, env = "HOSO_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
    /// A reverse proxy (address or CIDR, repeatable or comma-separated) that appends the client
    /// to X-Forwarded-For, for rate limits; from any other peer the header is ignored.
    #[arg(long, env = "HOSO_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxy: Vec<String>,
    /// Seconds between re-reads of the calendar folder (0: once a day, when the daily
    /// warning is checked).
    #[arg(long, env = "HOSO_CALENDAR_CHECK_INTERVAL", default_value_t = 60)]
    calendar_check_interval: u64,
    /// Seconds between re-reads of the unit directory, for changes made by `hoso unit` or by
    /// another node.
    #[arg(long, env = "HOSO_DIRECTORY_CHECK_INTERVAL", default_value_t = 10)]
    directory_check_interval: u64,
    /// Largest uploaded document, in MiB.
    #[arg(long, env = "HOSO_MAX_UPLOAD_MB", default_value_t = 10)]
    max_upload_mb: usize,
    /// Seconds between timer passes; 0 turns the in-process timer worker off.
    #[arg(long, env = "HOSO_TIMER_INTERVAL", default_value_t = 30)]
    timer_interval: u64,
    /// Log format.
    #[arg(long, env = "HOSO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Points and thresholds of the Decision 766 indicators, for GET /api/v1/reports/indicators.
    #[arg(
        long,
        env = "HOSO_INDICATORS",
        default_value = "fixtures/indicators.toml"
    )]
    indicators: PathBuf,
    /// Key file for signing audit checkpoints (`hoso audit keygen`); without it none are signed.
    #[arg(long, env = "HOSO_AUDIT_KEY")]
    audit_key: Option<PathBuf>,
    /// Seconds between signed audit checkpoints.
    #[arg(long, env = "HOSO_CHECKPOINT_EVERY", default_value_t = 86_400)]
    checkpoint_every: u64,
    #[command(flatten)]
    vnpay: VnpayArgs,
    /// Seconds between asks to VNPAY (querydr) about payments still pending, whose IPN may have
    /// been lost; 0 leaves it to `hoso payments reconcile`.
    #[arg(long, env = "HOSO_VNPAY_RECONCILE_EVERY", default_value_t = 300)]
    vnpay_reconcile_every: u64,
    /// Only payments pending at least this many minutes are asked about (the payment page's
    /// lifetime: younger ones may still be paid).
    #[arg(long, env = "HOSO_VNPAY_RECONCILE_AFTER_MINUTES", default_value_t = 15)]
    vnpay_reconcile_after_minutes: i64,
    #[command(flatten)]
    effects: EffectsArgs,
    /// Start on a fresh temporary SQLite file with the demo's units, dossiers in several states
    /// and one account per role, offered on the sign-in page; it never runs on a database you
    /// name, and everything is deleted when the server stops.
    #[arg(long)]
    demo: bool,
}

/// Where side effects go: e-mail, SMS, the national portal, and how often to retry.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct EffectsArgs {
    /// SMTP host for e-mail notifications (without it, e-mails wait in the outbox).
    #[arg(long, env = "HOSO_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port.
    #[arg(long, env = "HOSO_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    /// Talk plain SMTP without STARTTLS (only for a server on loopback).
    #[arg(long, env = "HOSO_SMTP_PLAIN")]
    smtp_plain: bool,
    /// SMTP user.
    #[arg(long, env = "HOSO_SMTP_USER")]
    smtp_user: Option<String>,
    /// SMTP password (never printed).
    #[arg(long, env = "HOSO_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// The sender of notifications.
    #[arg(
        long,
        env = "HOSO_SMTP_FROM",
        default_value = "hoso <no-reply@localhost>"
    )]
    smtp_from: String,
    /// The SMS provider's send endpoint (eSMS-style JSON); without it, SMS wait in the outbox.
    #[arg(long, env = "HOSO_SMS_URL")]
    sms_url: Option<String>,
    /// SMS API key.
    #[arg(
        long,
        env = "HOSO_SMS_API_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    sms_api_key: String,
    /// SMS secret key (never printed).
    #[arg(
        long,
        env = "HOSO_SMS_SECRET_KEY",
        hide_env_values = true,
        default_value = ""
    )]
    sms_secret_key: String,
    /// Registered SMS brandname.
    #[arg(long, env = "HOSO_SMS_BRANDNAME", default_value = "HOSO")]
    sms_brandname: String,
    /// Secret token in the SMS provider's delivery-report URL (/api/v1/notifications/sms/TOKEN).
    #[arg(long, env = "HOSO_SMS_CALLBACK_TOKEN", hide_env_values = true)]
    sms_callback_token: Option<String>,
    /// The national portal connections (portal.toml); without it, portal sync waits in the outbox.
    #[arg(long, env = "HOSO_PORTAL_CONFIG")]
    portal_config: Option<PathBuf>,
    /// Seconds between outbox passes (PostgreSQL also wakes dispatchers on commit).
    #[arg(long, env = "HOSO_OUTBOX_INTERVAL", default_value_t = 5)]
    outbox_interval: u64,
    /// Attempts before a side effect becomes a dead letter.
    #[arg(long, env = "HOSO_OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    outbox_max_attempts: u32,
    /// Seconds one delivery may take before it counts as failed; a node's claim on a message lasts
    /// twice this, so the messages of a node that died are taken by another after that.
    #[arg(long, env = "HOSO_OUTBOX_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    outbox_timeout: u64,
}

impl EffectsArgs {
    /// Where side effects go, from the flags.
    fn effects(&self) -> hoso_adapters::startup::Effects {
        let email =
            self.smtp_host
                .as_ref()
                .map(|host| hoso_adapters::notify::email::EmailSettings {
                    host: host.clone(),
                    port: self.smtp_port,
                    starttls: !self.smtp_plain,
                    credentials: self.smtp_user.clone().map(|user| {
                        (
                            user,
                            hoso_adapters::access::Secret::from_client(
                                self.smtp_password.as_deref().unwrap_or_default(),
                            ),
                        )
                    }),
                    from: self.smtp_from.clone(),
                });
        let sms = self
            .sms_url
            .as_ref()
            .map(|url| hoso_adapters::notify::sms::SmsSettings {
                url: url.clone(),
                api_key: hoso_adapters::access::Secret::from_client(&self.sms_api_key),
                secret_key: hoso_adapters::access::Secret::from_client(&self.sms_secret_key),
                brandname: self.sms_brandname.clone(),
            });
        hoso_adapters::startup::Effects {
            email,
            sms,
            portal_config: self.portal_config.clone(),
            retry: hoso_adapters::worker::RetryPolicy {
                max_attempts: self.outbox_max_attempts.max(1),
                timeout: std::time::Duration::from_secs(self.outbox_timeout),
                ..hoso_adapters::worker::RetryPolicy::default()
            },
            outbox_interval: std::time::Duration::from_secs(self.outbox_interval.max(1)),
        }
    }
}

/// VNPAY settings; online payment is on when the terminal code and secret are given.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct VnpayArgs {
    /// VNPAY terminal code (vnp_TmnCode).
    #[arg(long, env = "HOSO_VNPAY_TMN_CODE")]
    vnpay_tmn_code: Option<String>,
    /// VNPAY hash secret (never printed).
    #[arg(long, env = "HOSO_VNPAY_HASH_SECRET", hide_env_values = true)]
    vnpay_hash_secret: Option<String>,
    /// VNPAY payment page.
    #[arg(
        long,
        env = "HOSO_VNPAY_URL",
        default_value = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    )]
    vnpay_url: String,
    /// VNPAY merchant API (querydr).
    #[arg(
        long,
        env = "HOSO_VNPAY_API_URL",
        default_value = "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
    )]
    vnpay_api_url: String,
    /// Where citizens' browsers come back to after paying: the web page `/payments/return`
    /// (`/api/v1/payments/vnpay/return` answers the same in JSON).
    #[arg(
        long,
        env = "HOSO_VNPAY_RETURN_URL",
        default_value = "http://127.0.0.1:8080/payments/return"
    )]
    vnpay_return_url: String,
}

impl VnpayArgs {
    pub(crate) fn settings(&self) -> Option<hoso_adapters::payment::vnpay::VnpaySettings> {
        Some(hoso_adapters::payment::vnpay::VnpaySettings {
            tmn_code: self.vnpay_tmn_code.clone()?,
            hash_secret: hoso_adapters::access::Secret::from_client(
                self.vnpay_hash_secret.as_deref()?,
            ),
            pay_url: self.vnpay_url.clone(),
            api_url: self.vnpay_api_url.clone(),
            return_url: self.vnpay_return_url.clone(),
        })
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

pub(crate) async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOSO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match args.log_format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
    let mut config = args.config();
    let demo = if args.demo {
        Some(prepare_demo(&mut config).await?)
    } else {
        None
    };
    let application = hoso_adapters::startup::Application::build(config).await?;
    let address = application.address().context("reading the bound address")?;
    println!(
        "hoso listening on http://{address} ({})",
        application.backend()
    );
    if demo.is_some() {
        println!(
            "demo mode: open http://{address}/sign-in and pick a role; the temporary database is deleted when the server stops"
        );
    }
    application.run_until_stopped(shutdown_signal()).await?;
    drop(demo);
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Fills a fresh temporary SQLite file with the demo's units, its walks and dossiers waiting
/// now, and points `config` at it with the demo's accounts.
async fn prepare_demo(
    config: &mut hoso_adapters::startup::Config,
) -> anyhow::Result<crate::demo::Scratch> {
    anyhow::ensure!(
        config.settings.database_url == crate::DEFAULT_DATABASE,
        "--demo runs on its own temporary SQLite file and never on a database you name: leave out --db and HOSO_DATABASE_URL"
    );
    let scratch = crate::demo::Scratch::new();
    config.settings.database_url = scratch.url();
    config.data_dir = scratch.documents().to_path_buf();
    let service =
        crate::demo::walk(&config.settings, std::path::Path::new(crate::DEMO_UNITS)).await?;
    config.demo_accounts = crate::demo::live(&service).await?;
    println!(
        "{} demo accounts on the sign-in page, one per role.",
        config.demo_accounts.len()
    );
    Ok(scratch)
}

impl ServeArgs {
    /// The application's configuration, from the flags.
    fn config(&self) -> hoso_adapters::startup::Config {
        let megabytes = self.max_upload_mb.saturating_mul(1024 * 1024);
        hoso_adapters::startup::Config {
            bind: self.bind.clone(),
            settings: self.store.settings(),
            data_dir: self.data_dir.clone(),
            document_keys: self.document_keys.clone(),
            oidc: self
                .oidc_issuer
                .as_ref()
                .map(|issuer| hoso_adapters::oidc::OidcSettings {
                    issuer: issuer.clone(),
                    audience: self.oidc_audience.clone(),
                    citizen_claim: self.oidc_citizen_claim.clone(),
                    name_claim: self.oidc_name_claim.clone(),
                    organisation_claim: self.oidc_organisation_claim.clone(),
                    client_secret: self.oidc_client_secret.clone(),
                }),
            public_url: self
                .public_url
                .as_ref()
                .map(|url| url.trim_end_matches('/').to_owned()),
            rate: hoso_adapters::limit::RateLimit {
                per_second: self.rate_limit.max(0.1),
                burst: self.rate_burst.max(1.0),
            },
            limits: hoso_adapters::app::Limits {
                upload_bytes: megabytes,
                submission_bytes: megabytes.saturating_mul(3).max(1024 * 1024),
                request_timeout: std::time::Duration::from_secs(self.request_timeout.max(1)),
                ..hoso_adapters::app::Limits::default()
            },
            metrics_bind: self.metrics_bind.clone(),
            metrics_token: self.metrics_token.clone(),
            trusted_proxies: self.trusted_proxy.clone(),
            // Off means a day: the daily warning still comes.
            calendar_check_interval: std::time::Duration::from_secs(
                match self.calendar_check_interval {
                    0 => 86_400,
                    seconds => seconds,
                },
            ),
            directory_check_interval: std::time::Duration::from_secs(
                self.directory_check_interval.max(1),
            ),
            timer_interval: (self.timer_interval > 0)
                .then(|| std::time::Duration::from_secs(self.timer_interval)),
            indicators: self.indicators.clone(),
            audit_key: self.audit_key.clone(),
            checkpoint_every: std::time::Duration::from_secs(self.checkpoint_every.max(1)),
            vnpay: self.vnpay.settings(),
            vnpay_reconcile: (self.vnpay_reconcile_every > 0).then(|| {
                (
                    std::time::Duration::from_secs(self.vnpay_reconcile_every),
                    chrono::Duration::minutes(self.vnpay_reconcile_after_minutes.max(0)),
                )
            }),
            sms_callback_token: self.effects.sms_callback_token.clone(),
            effects: self.effects.effects(),
            demo_accounts: Vec::new(),
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
