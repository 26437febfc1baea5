//! The `hoso` command: one binary for designers, officers' servers and operators.

mod audit_cli;
mod bench;
mod calendar_cli;
mod case_cli;
mod demo;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use hoso_adapters::{boot, calendars, catalogue};
use hoso_engine::clock;
use hoso_engine::procedure::{self, GraphFormat};
use hoso_engine::retention::RetentionSchedule;

/// hoso — processes dossiers (hồ sơ) of online public services for Vietnamese state agencies.
#[derive(Debug, Parser)]
#[command(name = "hoso", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the database, procedures and calendars are.
#[derive(Debug, Clone, clap::Args)]
struct StoreArgs {
    /// Database URL: sqlite://FILE (embedded default) or postgres://USER@HOST/DB.
    #[arg(
        long = "db",
        env = "HOSO_DATABASE_URL",
        default_value = "sqlite://hoso.db"
    )]
    database_url: String,
    #[command(flatten)]
    files: FileArgs,
}

/// Where the procedures and calendars are.
#[derive(Debug, Clone, clap::Args)]
struct FileArgs {
    /// The procedure folder; its versions are published to the database at start.
    #[arg(long, env = "HOSO_PROCEDURES", default_value = "procedures")]
    procedures: PathBuf,
    /// The calendar folder, one file per year.
    #[arg(long, env = "HOSO_CALENDARS", default_value = "fixtures/calendars")]
    calendars: PathBuf,
}

impl StoreArgs {
    fn settings(&self) -> boot::Settings {
        self.files.settings(self.database_url.clone())
    }
}

impl FileArgs {
    fn settings(&self, database_url: String) -> boot::Settings {
        boot::Settings {
            database_url,
            procedures: self.procedures.clone(),
            calendars: self.calendars.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API (and the deadline timers) until Ctrl-C or SIGTERM.
    Serve(Box<ServeArgs>),
    /// Staff users and their bearer tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// Create or migrate the database and publish the procedure folder.
    Init {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Walk demo dossiers through real paths and print their timelines (a temporary SQLite
    /// database unless --db is given).
    Demo {
        /// Database URL; default: a new temporary SQLite file.
        #[arg(long = "db")]
        database_url: Option<String>,
        #[command(flatten)]
        files: FileArgs,
    },
    /// Look at dossiers.
    #[command(subcommand)]
    Case(CaseCommand),
    /// Maintenance.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Durable deadline timers: warnings before the appointment, overdue marks.
    #[command(subcommand)]
    Timers(TimersCommand),
    /// Online payments.
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// Side effects waiting or dead: list, retry, drop (each an audited event on the dossier).
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Work with procedure files: validate, draw, print the schema.
    #[command(subcommand)]
    Procedure(ProcedureCommand),
    /// Official calendars and legal deadlines.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Reports: the Decision 766 service-quality indicators.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Measure the dossier workload (submit → … → return, 20 % with a supplement) on a fresh
    /// database: one JSON line with throughput, latency percentiles, memory and bytes per dossier.
    Bench(bench::BenchArgs),
    /// Move closed dossiers past their retention period (thời hạn bảo quản) to an archive file,
    /// chains intact; `hoso audit verify --bundle FILE` checks the file offline.
    Archive(audit_cli::ArchiveArgs),
    /// Tamper evidence: verify the hash chains, sign checkpoints, export bundles.
    #[command(subcommand)]
    Audit(audit_cli::AuditCommand),
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// A dossier's status, step, deadlines and timeline, with its chain verified.
    Show {
        /// The dossier code, e.g. 000.00.17.H21-260302-0001.
        code: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// An official form of a dossier: 01 receipt, 02 supplement request, 03 refusal, 04 apology
    /// and new date, 05 stop notice, 06 process-control slip (Circular 03/2025 numbering).
    Form {
        /// The dossier code.
        code: String,
        /// The form number, 01–06.
        form: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
        format: ReportFormat,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// A dossier's timeline as an SVG picture (lanes per unit, allotments, pauses, appointment).
    Svg {
        /// The dossier code.
        code: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Dossiers, newest first.
    List {
        /// Only this status (e.g. processing, supplement_requested).
        #[arg(long)]
        status: Option<String>,
        /// Only dossiers held by or received at this unit.
        #[arg(long)]
        unit: Option<String>,
        /// Text in the code or the applicant's name.
        #[arg(long)]
        text: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `hoso serve` settings; every one has a flag and a HOSO_* variable.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the chosen address is printed).
    #[arg(long, env = "HOSO_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    #[command(flatten)]
    store: StoreArgs,
    /// Folder for uploaded documents (stored by their SHA-256).
    #[arg(long, env = "HOSO_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// OpenID Connect issuer for citizens (the national SSO); without it only hoso tokens work.
    #[arg(long, env = "HOSO_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// This service's client id at the issuer, expected as the ID token's audience.
    #[arg(long, env = "HOSO_OIDC_AUDIENCE", default_value = "hoso")]
    oidc_audience: String,
    /// The ID-token claim holding the personal identification number.
    #[arg(long, env = "HOSO_OIDC_CITIZEN_CLAIM", default_value = "SoDinhDanh")]
    oidc_citizen_claim: String,
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
    #[command(flatten)]
    effects: EffectsArgs,
}

/// Where side effects go: e-mail, SMS, the national portal, and how often to retry.
#[derive(Debug, Clone, clap::Args)]
struct EffectsArgs {
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
    /// The dispatcher with every configured adapter.
    fn dispatcher(
        &self,
        service: std::sync::Arc<hoso_engine::service::Service<hoso_adapters::store::AnyStore>>,
    ) -> anyhow::Result<hoso_adapters::worker::Dispatcher> {
        use hoso_adapters::worker::{Dispatcher, RetryPolicy};
        let policy = RetryPolicy {
            max_attempts: self.outbox_max_attempts.max(1),
            timeout: std::time::Duration::from_secs(self.outbox_timeout),
            ..RetryPolicy::default()
        };
        let mut dispatcher = Dispatcher::new(std::sync::Arc::clone(&service), policy);
        if let Some(host) = &self.smtp_host {
            let settings = hoso_adapters::notify::email::EmailSettings {
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
            };
            let email = hoso_adapters::notify::email::EmailDeliverer::new(&settings)
                .map_err(|error| anyhow::anyhow!(error))?;
            dispatcher = dispatcher.route("email", std::sync::Arc::new(email), 4);
        }
        if let Some(url) = &self.sms_url {
            let sms = hoso_adapters::notify::sms::SmsDeliverer::new(
                hoso_adapters::notify::sms::SmsSettings {
                    url: url.clone(),
                    api_key: hoso_adapters::access::Secret::from_client(&self.sms_api_key),
                    secret_key: hoso_adapters::access::Secret::from_client(&self.sms_secret_key),
                    brandname: self.sms_brandname.clone(),
                },
            )
            .map_err(|error| anyhow::anyhow!(error))?;
            dispatcher = dispatcher.route("sms", std::sync::Arc::new(sms), 4);
        }
        if let Some(path) = &self.portal_config {
            let config = hoso_adapters::portal::PortalConfig::load(path)
                .map_err(|error| anyhow::anyhow!(error))?;
            let portal = hoso_adapters::portal::PortalDeliverer::new(service, config)
                .map_err(|error| anyhow::anyhow!(error))?;
            dispatcher = dispatcher.route("portal", std::sync::Arc::new(portal), 2);
        }
        Ok(dispatcher)
    }
}

/// VNPAY settings; online payment is on when the terminal code and secret are given.
#[derive(Debug, Clone, clap::Args)]
struct VnpayArgs {
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
    fn settings(&self) -> Option<hoso_adapters::payment::vnpay::VnpaySettings> {
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

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user and print their bearer token once.
    Add {
        /// designer, auditor, admin, citizen (a local demo token), or a procedure role such as
        /// mot_cua for an officer.
        #[arg(long)]
        role: String,
        /// The officer's unit code, e.g. 000.00.17.H21.
        #[arg(long)]
        unit: Option<String>,
        /// Display name.
        #[arg(long)]
        name: String,
        /// A demo citizen's 12-digit identification number.
        #[arg(long)]
        citizen_id: Option<String>,
        /// Days until the token expires.
        #[arg(long, default_value_t = 90)]
        days: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke every token of a user.
    Revoke {
        /// The user id printed by `user add`.
        user: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// The dossier register (sổ theo dõi hồ sơ, Form 07) of a unit for a period.
    Register {
        /// The receiving unit, e.g. 000.00.17.H21.
        #[arg(long)]
        unit: String,
        /// First day, YYYY-MM-DD (Vietnam time).
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD, included.
        #[arg(long)]
        to: String,
        /// Output format (json or html).
        #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
        format: ReportFormat,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Decision 766 indicators (2.1 on-time … 5.4 satisfaction) for a unit and period.
    Indicators {
        /// The receiving unit, e.g. 000.00.17.H21; default: every unit.
        #[arg(long)]
        unit: Option<String>,
        /// First day, YYYY-MM-DD (Vietnam time).
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD, included.
        #[arg(long)]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Json)]
        format: ReportFormat,
        /// Points and thresholds per indicator.
        #[arg(
            long,
            env = "HOSO_INDICATORS",
            default_value = "fixtures/indicators.toml"
        )]
        settings: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// JSON, for programs.
    Json,
    /// CSV, for spreadsheets.
    Csv,
    /// A printable HTML page.
    Html,
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Side effects, newest first.
    List {
        /// Only this state: pending, delivered, dead or dropped.
        #[arg(long)]
        state: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Send a dead (or stuck) side effect again, now.
    Retry {
        /// Its idempotency key, e.g. 000.00.17.H21-260302-0001:2:sms.
        key: String,
        /// Who is acting, recorded on the dossier.
        #[arg(long, env = "USER", default_value = "operator")]
        operator: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Give up on a side effect, with the reason on record.
    Drop {
        /// Its idempotency key.
        key: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Who is acting, recorded on the dossier.
        #[arg(long, env = "USER", default_value = "operator")]
        operator: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum PaymentsCommand {
    /// List payments the gateway took that no dossier could take (more than was due, or the
    /// dossier had closed): each is owed back to the applicant.
    Refunds {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Ask VNPAY about payments still pending (their IPN may have been lost) and settle them.
    Reconcile {
        /// Only attempts older than this many minutes.
        #[arg(long, default_value_t = 15)]
        older_than_minutes: i64,
        #[command(flatten)]
        vnpay: VnpayArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum TimersCommand {
    /// Fire every timer due now (or at --at) once, and print what happened.
    Fire {
        /// Fire as if it were this instant (RFC 3339); default now.
        #[arg(long)]
        at: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Keep firing due timers until Ctrl-C or SIGTERM.
    Run {
        /// Seconds between passes.
        #[arg(long, default_value_t = 30)]
        interval: u64,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Rebuild every dossier's projection from its events, verifying each chain.
    Rebuild {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Check the calendar files of a folder (one per year).
    Check {
        /// The folder, e.g. fixtures/calendars.
        folder: PathBuf,
    },
    /// Print a provisional calendar file for YEAR (2000–2100) drafted from the Labour Code and the
    /// lunar calendar; office hours and the cut-off come from the year before's file.
    Draft {
        /// The year to draft.
        year: i32,
        /// The calendar folder holding the year before, if any.
        #[arg(long, env = "HOSO_CALENDARS", default_value = "fixtures/calendars")]
        calendar: PathBuf,
    },
    /// Put an official calendar year in force: check FILE with the folder's other years, write it
    /// into the folder as YEAR.toml (replacing the provisional draft), and recompute the open
    /// dossiers counted over that year, each an event on its timeline and a notice to the
    /// applicant. Running `serve` nodes that read the same folder pick it up within a minute.
    Publish {
        /// The official calendar file (without `provisional = true`).
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the deadline for a time limit counted from an instant, as RFC 3339 in +07:00.
    Due {
        /// The calendar folder.
        #[arg(long, env = "HOSO_CALENDARS", default_value = "fixtures/calendars")]
        calendar: PathBuf,
        /// The instant of receipt, RFC 3339 (e.g. 2025-01-24T10:00:00+07:00).
        #[arg(long)]
        from: String,
        /// A limit in working days (0 = the same day), counted from the receipt day.
        #[arg(
            long,
            conflicts_with = "working_hours",
            required_unless_present = "working_hours"
        )]
        working_days: Option<u32>,
        /// A limit in working hours of office time.
        #[arg(long)]
        working_hours: Option<u32>,
        /// Count a receipt after the calendar's cut-off from the same day instead of the next.
        #[arg(long)]
        ignore_cutoff: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ProcedureCommand {
    /// Check procedure files (or folders of them); prints `file:line:column: problem — fix`.
    Validate {
        /// Files or folders; folders are searched for *.toml.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Also check that each retention class is defined in this schedule
        /// (e.g. fixtures/retention.toml).
        #[arg(long)]
        retention: Option<PathBuf>,
    },
    /// Draw a procedure's steps and actions.
    Graph {
        /// The procedure file.
        file: PathBuf,
        /// Diagram language.
        #[arg(long, value_enum, default_value_t = GraphLanguage::Mermaid)]
        format: GraphLanguage,
    },
    /// Every path from receipt to each outcome, with the appointment and each step's due time.
    Simulate {
        /// The procedure file.
        file: PathBuf,
        /// The instant of receipt, RFC 3339 (e.g. 2025-01-24T10:00:00+07:00).
        #[arg(long)]
        received_at: String,
        /// The calendar folder.
        #[arg(long, env = "HOSO_CALENDARS", default_value = "fixtures/calendars")]
        calendar: PathBuf,
        /// The submission channel whose time limit applies.
        #[arg(long, value_enum, default_value_t = Channel::Online)]
        channel: Channel,
    },
    /// Print a Markdown page for a procedure: summary, channels, documents, diagram.
    Doc {
        /// The procedure file.
        file: PathBuf,
    },
    /// Print the JSON Schema of the procedure format (for editors).
    Schema,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Channel {
    /// At the one-stop counter.
    Direct,
    /// On the public service portal.
    Online,
    /// By public post.
    Postal,
}

impl From<Channel> for procedure::ChannelKind {
    fn from(channel: Channel) -> Self {
        match channel {
            Channel::Direct => Self::Direct,
            Channel::Online => Self::Online,
            Channel::Postal => Self::Postal,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum GraphLanguage {
    /// Mermaid flowchart (renders in Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// SVG drawn by hoso (no Graphviz needed).
    Svg,
}

fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// `hoso case show CODE | head`: once the reader has gone, printing fails with EPIPE, and
/// `println!` panics on it. Every Unix tool just stops there; so does hoso, with no message and
/// exit status 0 (the reader took what it wanted). Any other panic is reported as before.
fn end_quietly_on_a_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        report(info);
    }));
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Procedure(command) => run_procedure(command),
        Command::Calendar(command) => calendar_cli::run_calendar(command),
        Command::Serve(args) => block_on(serve(*args)),
        Command::User(command) => block_on(user(command)),
        Command::Init { store } => block_on(init(store)),
        Command::Demo {
            database_url,
            files,
        } => block_on(run_demo(database_url, files)),
        Command::Case(command) => block_on(run_case(command)),
        Command::Admin(AdminCommand::Rebuild { store }) => block_on(rebuild(store)),
        Command::Timers(command) => block_on(run_timers(command)),
        Command::Outbox(command) => block_on(run_outbox(command)),
        Command::Audit(command) => block_on(audit_cli::run(command)),
        Command::Archive(args) => block_on(audit_cli::archive(args)),
        Command::Bench(args) => block_on(bench::run(args)),
        Command::Report(ReportCommand::Register {
            unit,
            from,
            to,
            format,
            store,
        }) => block_on(report_register(unit, from, to, format, store)),
        Command::Report(ReportCommand::Indicators {
            unit,
            from,
            to,
            format,
            settings,
            store,
        }) => block_on(report_indicators(unit, from, to, format, settings, store)),
        Command::Payments(PaymentsCommand::Reconcile {
            older_than_minutes,
            vnpay,
            store,
        }) => block_on(reconcile(older_than_minutes, vnpay, store)),
        Command::Payments(PaymentsCommand::Refunds { store }) => block_on(refunds(store)),
    }
}

fn block_on<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    future: F,
) -> anyhow::Result<ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(future)
}

async fn open(
    settings: &boot::Settings,
) -> anyhow::Result<hoso_engine::service::Service<hoso_adapters::store::AnyStore>> {
    let (service, _) = boot::open_service(settings).await.with_context(|| {
        format!(
            "opening {}",
            hoso_adapters::store::redact(&settings.database_url)
        )
    })?;
    Ok(service)
}

async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
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
    let service = std::sync::Arc::new(open(&args.store.settings()).await?);
    // Dossiers counted on a draft that the folder's official year now replaces (or on a year
    // corrected since) are recomputed before the first request; a draft put back over an
    // official year stops the start.
    let report = calendars::reconcile(&service, chrono::Utc::now())
        .await
        .map_err(|error| error.located(&args.store.files.calendars))
        .context("calendars")?;
    calendar_cli::log_reconciliation(&report);
    let oidc = match &args.oidc_issuer {
        Some(issuer) => Some(std::sync::Arc::new(
            hoso_adapters::oidc::OidcVerifier::new(hoso_adapters::oidc::OidcSettings {
                issuer: issuer.clone(),
                audience: args.oidc_audience.clone(),
                citizen_claim: args.oidc_citizen_claim.clone(),
            })
            .map_err(|error| anyhow::anyhow!(error))?,
        )),
        None => None,
    };
    // A bad key file stops the start, before anything listens.
    let audit_key = args
        .audit_key
        .as_deref()
        .map(hoso_adapters::audit::read_key)
        .transpose()?;
    let limits = hoso_adapters::app::Limits {
        upload_bytes: args.max_upload_mb.saturating_mul(1024 * 1024),
        submission_bytes: args
            .max_upload_mb
            .saturating_mul(1024 * 1024)
            .saturating_mul(3)
            .max(1024 * 1024),
        request_timeout: std::time::Duration::from_secs(args.request_timeout.max(1)),
        ..hoso_adapters::app::Limits::default()
    };
    let mut state = hoso_adapters::app::AppState::new(
        std::sync::Arc::clone(&service),
        oidc,
        hoso_adapters::documents::DocumentStore::new(args.data_dir.join("documents")),
        hoso_adapters::limit::RateLimit {
            per_second: args.rate_limit.max(0.1),
            burst: args.rate_burst.max(1.0),
        },
        limits,
    );
    if let Some(vnpay) = args.vnpay.settings() {
        state = state.with_vnpay(vnpay);
    }
    state.indicator_settings = match std::fs::read_to_string(&args.indicators) {
        Ok(text) => Some(std::sync::Arc::new(
            hoso_engine::indicators::Settings::from_toml(&text)
                .map_err(|why| anyhow::anyhow!("{}: {why}", args.indicators.display()))?,
        )),
        Err(error) => {
            tracing::warn!(path = %args.indicators.display(), %error, "no indicator settings: reports are off");
            None
        }
    };
    state.sms_callback_token = args
        .effects
        .sms_callback_token
        .clone()
        .filter(|token| token.len() >= 16);
    let trusted_proxies = args
        .trusted_proxy
        .iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<ipnet::IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "--trusted-proxy {text:?} is not an address or CIDR; write e.g. 10.0.0.5 or 10.0.0.0/24"
                    )
                })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    state.trusted_proxies = std::sync::Arc::new(trusted_proxies);
    state.metrics_access = match (&args.metrics_bind, &args.metrics_token) {
        (Some(_), _) => hoso_adapters::metrics::MetricsAccess::Elsewhere,
        (None, Some(token)) if token.len() >= 16 => {
            hoso_adapters::metrics::MetricsAccess::token(token)
        }
        (None, Some(_)) => anyhow::bail!(
            "--metrics-token must be at least 16 characters; make one with `openssl rand -hex 32`"
        ),
        (None, None) => hoso_adapters::metrics::MetricsAccess::Loopback,
    };
    if let Some(bind) = &args.metrics_bind {
        let metrics_listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding --metrics-bind {bind}"))?;
        let address = metrics_listener
            .local_addr()
            .context("reading the metrics address")?;
        tracing::info!(%address, "metrics served on their own address");
        let metrics = hoso_adapters::http::serve_metrics(metrics_listener, state.clone());
        tokio::spawn(async move {
            if let Err(error) = metrics.await {
                tracing::error!(%error, "the metrics listener stopped");
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    let address = listener.local_addr().context("reading the bound address")?;
    // Browsers keep Secure cookies off plain HTTP except on loopback; behind a TLS proxy the
    // server listens elsewhere and the cookies are Secure.
    state.secure_cookies = !address.ip().is_loopback();
    println!(
        "hoso listening on http://{address} ({})",
        service.store().backend()
    );
    let dispatcher = args.effects.dispatcher(std::sync::Arc::clone(&service))?;
    let wakeups = service.store().outbox_wakeups().await?;
    let (stop_outbox, outbox_stopped) = tokio::sync::oneshot::channel::<()>();
    let outbox = tokio::spawn(dispatcher.run(
        std::time::Duration::from_secs(args.effects.outbox_interval.max(1)),
        wakeups,
        async move {
            let _ = outbox_stopped.await;
        },
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
    ));
    let (stop_checkpoints, checkpoints_stopped) = tokio::sync::oneshot::channel::<()>();
    let checkpoints = match audit_key {
        Some(key) => Some(tokio::spawn(hoso_adapters::audit::run_checkpoints(
            std::sync::Arc::clone(&service),
            key,
            std::time::Duration::from_secs(args.checkpoint_every.max(1)),
            async move {
                let _ = checkpoints_stopped.await;
            },
            |outcome| match outcome {
                Ok(Some(file)) => tracing::info!(
                    sequence = file.checkpoint.sequence,
                    dossiers = file.checkpoint.dossiers,
                    root = %file.checkpoint.root,
                    "audit checkpoint signed"
                ),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, "audit checkpoint not signed"),
            },
        ))),
        None => None,
    };
    let (stop_timers, timers_stopped) = tokio::sync::oneshot::channel::<()>();
    let timers = (args.timer_interval > 0).then(|| {
        let metrics = std::sync::Arc::clone(&state.metrics);
        tokio::spawn(hoso_adapters::worker::run_timers(
            std::sync::Arc::clone(&service),
            std::time::Duration::from_secs(args.timer_interval),
            async move {
                let _ = timers_stopped.await;
            },
            move |pass| match pass {
                Ok(pass) => metrics.timer_pass(&pass),
                Err(error) => tracing::warn!(%error, "timer pass failed; retrying next pass"),
            },
        ))
    });
    let (stop_sweeper, sweeper_stopped) = tokio::sync::oneshot::channel::<()>();
    let sweeper = tokio::spawn(hoso_adapters::documents::run_sweeper(
        state.documents.clone(),
        std::sync::Arc::clone(&service),
        std::time::Duration::from_secs(3600),
        async move {
            let _ = sweeper_stopped.await;
        },
    ));
    let (stop_calendars, calendars_stopped) = tokio::sync::oneshot::channel::<()>();
    let calendar_watch = tokio::spawn(calendars::watch(
        std::sync::Arc::clone(&service),
        args.store.files.calendars.clone(),
        // Off means a day: the daily warning still comes.
        std::time::Duration::from_secs(match args.calendar_check_interval {
            0 => 86_400,
            seconds => seconds,
        }),
        async move {
            let _ = calendars_stopped.await;
        },
        |pass| match pass {
            calendars::WatchPass::Reloaded(report) => calendar_cli::log_reconciliation(&report),
            calendars::WatchPass::Failed(error) => {
                tracing::error!(%error, "calendar folder not put in force; the calendars in force stay");
            }
            calendars::WatchPass::EndingSoon {
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
    ));
    hoso_adapters::startup::serve(listener, state, shutdown_signal())
        .await
        .context("serving HTTP")?;
    let _ = stop_calendars.send(());
    let _ = calendar_watch.await;
    let _ = stop_sweeper.send(());
    let _ = sweeper.await;
    let _ = stop_timers.send(());
    let _ = stop_checkpoints.send(());
    if let Some(checkpoints) = checkpoints {
        let _ = checkpoints.await;
    }
    let _ = stop_outbox.send(());
    let _ = outbox.await;
    if let Some(timers) = timers {
        let _ = timers.await;
    }
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    use hoso_adapters::access::{Secret, User, UserKind};
    match command {
        UserCommand::Add {
            role,
            unit,
            name,
            citizen_id,
            days,
            store,
        } => {
            let kind = UserKind::parse(&role).unwrap_or(UserKind::Officer);
            let unit = unit
                .map(|unit| {
                    hoso_engine::case::UnitId::parse(&unit)
                        .map_err(|error| anyhow::anyhow!("--unit: {error}"))
                })
                .transpose()?;
            if kind == UserKind::Officer {
                let service = open(&store.settings()).await?;
                let known = service
                    .catalogue()
                    .iter()
                    .flat_map(|procedure| {
                        procedure
                            .definition()
                            .roles
                            .iter()
                            .map(|role| role.id.clone())
                            .collect::<Vec<_>>()
                    })
                    .any(|known| known == role);
                anyhow::ensure!(
                    known,
                    "`{role}` is neither designer, auditor, admin, citizen nor a role of any published procedure"
                );
                anyhow::ensure!(
                    unit.is_some(),
                    "an officer needs --unit, the unit they work in"
                );
            }
            if kind == UserKind::Citizen {
                let valid = citizen_id
                    .as_deref()
                    .is_some_and(hoso_engine::case::is_id_number);
                anyhow::ensure!(
                    valid,
                    "a citizen needs --citizen-id, a 12-digit personal identification number"
                );
            }
            anyhow::ensure!((1..=3650).contains(&days), "--days must be from 1 to 3650");
            let service = open(&store.settings()).await?;
            let user = User {
                id: format!("u-{}", uuid::Uuid::now_v7().simple()),
                name,
                kind,
                role: (kind == UserKind::Officer).then(|| role.clone()),
                unit: if kind == UserKind::Officer {
                    unit
                } else {
                    None
                },
                citizen_id: if kind == UserKind::Citizen {
                    citizen_id
                } else {
                    None
                },
            };
            let now = chrono::Utc::now();
            service.store().add_user(&user, now).await?;
            let secret = Secret::generate()
                .map_err(|error| anyhow::anyhow!("no randomness from the OS: {error}"))?;
            service
                .store()
                .add_token(
                    &secret.hash(),
                    &user.id,
                    now,
                    now + chrono::Duration::days(days),
                )
                .await?;
            println!(
                "user {} ({}) added; token (shown once, keep it secret):",
                user.id,
                user.kind.as_str()
            );
            println!("{}", secret.expose());
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Revoke { user, store } => {
            let service = open(&store.settings()).await?;
            if service.store().user(&user).await?.is_none() {
                eprintln!("no user {user}");
                return Ok(ExitCode::FAILURE);
            }
            let revoked = service
                .store()
                .revoke_tokens(&user, chrono::Utc::now())
                .await?;
            println!("revoked {revoked} token(s) of {user}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn init(store: StoreArgs) -> anyhow::Result<ExitCode> {
    let settings = store.settings();
    let (service, report) = boot::open_service(&settings).await.with_context(|| {
        format!(
            "opening {}",
            hoso_adapters::store::redact(&settings.database_url)
        )
    })?;
    println!(
        "database ready: {} ({}), {} procedure versions ({} newly published), {}",
        hoso_adapters::store::redact(&settings.database_url),
        service.store().backend(),
        report.versions,
        report.published,
        service.calendars()
    );
    Ok(ExitCode::SUCCESS)
}

async fn run_demo(database_url: Option<String>, files: FileArgs) -> anyhow::Result<ExitCode> {
    let temporary = database_url
        .is_none()
        .then(|| std::env::temp_dir().join(format!("hoso-demo-{}.db", uuid::Uuid::now_v7())));
    let url = match (&database_url, &temporary) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => format!("sqlite://{}", path.display()),
        (None, None) => unreachable!("a temporary path exists when no URL is given"),
    };
    let service = open(&files.settings(url.clone())).await?;
    println!("hoso demo on {}", hoso_adapters::store::redact(&url));
    let outcome = demo::run(&service).await;
    drop(service);
    if let Some(path) = temporary {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    outcome.map(|()| ExitCode::SUCCESS)
}

async fn run_case(command: CaseCommand) -> anyhow::Result<ExitCode> {
    match command {
        CaseCommand::Show { code, store } => {
            case_cli::show(&open(&store.settings()).await?, &code).await
        }
        CaseCommand::Svg { code, store } => {
            case_cli::svg(&open(&store.settings()).await?, &code).await
        }
        CaseCommand::Form {
            code,
            form,
            format,
            store,
        } => {
            let html = match format {
                ReportFormat::Json => false,
                ReportFormat::Html => true,
                ReportFormat::Csv => anyhow::bail!("forms are printed as json or html, not csv"),
            };
            case_cli::form(&open(&store.settings()).await?, &code, &form, html).await
        }
        CaseCommand::List {
            status,
            unit,
            text,
            limit,
            store,
        } => case_cli::list(&open(&store.settings()).await?, status, unit, text, limit).await,
    }
}

async fn run_timers(command: TimersCommand) -> anyhow::Result<ExitCode> {
    match command {
        TimersCommand::Fire { at, store } => {
            let now = match at {
                Some(at) => chrono::DateTime::parse_from_rfc3339(&at)
                    .with_context(|| format!("--at {at:?} is not an RFC 3339 instant"))?
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let service = open(&store.settings()).await?;
            let pass = hoso_adapters::worker::fire_due_timers(&service, now, 200).await?;
            println!(
                "timers at {}: {} deadlines raised, {} released with nothing to do, {} already fired, {} deferred",
                hoso_engine::case::format_instant(now),
                pass.raised,
                pass.released,
                pass.already,
                pass.deferred
            );
            Ok(ExitCode::SUCCESS)
        }
        TimersCommand::Run { interval, store } => {
            let service = std::sync::Arc::new(open(&store.settings()).await?);
            println!("firing due timers every {interval}s; Ctrl-C to stop");
            hoso_adapters::worker::run_timers(
                service,
                std::time::Duration::from_secs(interval.max(1)),
                shutdown_signal(),
                |pass| match pass {
                    Ok(pass) if pass.raised + pass.released > 0 => {
                        println!(
                            "{}: {} raised, {} released",
                            hoso_engine::case::format_instant(chrono::Utc::now()),
                            pass.raised,
                            pass.released
                        );
                    }
                    Ok(_) => {}
                    Err(error) => eprintln!("timer pass failed (will retry): {error}"),
                },
            )
            .await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
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

async fn run_outbox(command: OutboxCommand) -> anyhow::Result<ExitCode> {
    let (store, key, operator, drop_reason) = match command {
        OutboxCommand::List {
            state,
            limit,
            store,
        } => {
            if let Some(state) = &state {
                anyhow::ensure!(
                    ["pending", "delivered", "dead", "dropped"].contains(&state.as_str()),
                    "--state must be pending, delivered, dead or dropped"
                );
            }
            let service = open(&store.settings()).await?;
            let entries = service
                .store()
                .outbox_entries(state.as_deref(), limit)
                .await?;
            for entry in &entries {
                println!(
                    "{:<44} {:<7} {:<9} attempts {:<2} next {}  {}",
                    entry.idempotency_key,
                    entry.topic,
                    entry.state,
                    entry.attempts,
                    hoso_engine::case::format_instant(entry.next_attempt_at),
                    match (&entry.last_error, &entry.provider_id) {
                        (Some(error), _) if entry.state != "delivered" => error.clone(),
                        (_, Some(provider)) => format!(
                            "{provider} {}",
                            entry.delivery_status.as_deref().unwrap_or_default()
                        ),
                        _ => String::new(),
                    }
                );
            }
            println!(
                "{} side effect{}",
                entries.len(),
                if entries.len() == 1 { "" } else { "s" }
            );
            return Ok(ExitCode::SUCCESS);
        }
        OutboxCommand::Retry {
            key,
            operator,
            store,
        } => (store, key, operator, None),
        OutboxCommand::Drop {
            key,
            reason,
            operator,
            store,
        } => (store, key, operator, Some(reason)),
    };
    let service = open(&store.settings()).await?;
    let Some(entry) = service.store().outbox_entry(&key).await? else {
        eprintln!("no side effect {key}; see `hoso outbox list`");
        return Ok(ExitCode::FAILURE);
    };
    if entry.state == "delivered" {
        eprintln!(
            "{key} was delivered ({}); there is nothing to retry or drop",
            entry.provider_id.unwrap_or_default()
        );
        return Ok(ExitCode::FAILURE);
    }
    let code =
        hoso_engine::case::DossierCode::parse(entry.case_code.as_deref().unwrap_or_default())
            .map_err(|error| anyhow::anyhow!("{key} names no dossier: {error}"))?;
    let command = match &drop_reason {
        None => hoso_engine::case::Command::RetryEffect {
            idempotency_key: key.clone(),
        },
        Some(reason) => hoso_engine::case::Command::DropEffect {
            idempotency_key: key.clone(),
            reason: reason.clone(),
        },
    };
    let request = hoso_engine::service::Request {
        command_id: uuid::Uuid::now_v7().to_string(),
        actor: hoso_engine::case::Actor::system(format!("operator:{operator}")),
        target: hoso_engine::service::Target::Existing(code.clone()),
        expected_version: None,
        command,
    };
    let executed = service.execute(request, chrono::Utc::now()).await?;
    let state = service
        .store()
        .outbox_entry(&key)
        .await?
        .map(|entry| entry.state)
        .unwrap_or_default();
    println!(
        "{key}: {} by operator:{operator}, recorded as event {} of {code}; now {state}",
        if drop_reason.is_some() {
            "dropped"
        } else {
            "queued again"
        },
        executed.case.version
    );
    Ok(ExitCode::SUCCESS)
}

async fn refunds(store: StoreArgs) -> anyhow::Result<ExitCode> {
    let service = open(&store.settings()).await?;
    let due = service.store().payments_in("refund_due").await?;
    for record in &due {
        println!(
            "{}  {}  {} đồng  {}  {}",
            record.txn_ref,
            record.case_code,
            record.amount,
            record.gateway,
            hoso_engine::case::format_instant(record.created_at)
        );
    }
    println!(
        "{} payment(s) to refund, {} đồng in all",
        due.len(),
        due.iter().map(|record| record.amount).sum::<u64>()
    );
    Ok(ExitCode::SUCCESS)
}

async fn reconcile(
    older_than_minutes: i64,
    vnpay: VnpayArgs,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let settings = vnpay
        .settings()
        .context("give --vnpay-tmn-code and --vnpay-hash-secret (or HOSO_VNPAY_TMN_CODE, HOSO_VNPAY_HASH_SECRET)")?;
    let service = open(&store.settings()).await?;
    let report = hoso_adapters::payment::reconcile_vnpay(
        &service,
        &settings,
        chrono::Duration::minutes(older_than_minutes.max(0)),
        chrono::Utc::now(),
    )
    .await
    .map_err(|error| anyhow::anyhow!(error))?;
    println!(
        "checked {} pending payments: {} paid, {} failed, {} unchanged",
        report.checked, report.paid, report.failed, report.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

async fn rebuild(store: StoreArgs) -> anyhow::Result<ExitCode> {
    let service = open(&store.settings()).await?;
    let report = service.rebuild_projections().await?;
    println!(
        "rebuilt {} dossiers from their events: {} projections differed and were rewritten",
        report.dossiers, report.rewritten
    );
    Ok(ExitCode::SUCCESS)
}

fn run_procedure(command: ProcedureCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProcedureCommand::Validate { paths, retention } => validate(&paths, retention.as_deref()),
        ProcedureCommand::Graph { file, format } => {
            let Some(procedure) = load_one(&file) else {
                return Ok(ExitCode::FAILURE);
            };
            let format = match format {
                GraphLanguage::Mermaid => GraphFormat::Mermaid,
                GraphLanguage::Dot => GraphFormat::Dot,
                GraphLanguage::Svg => GraphFormat::Svg,
            };
            print!("{}", procedure::render_graph(&procedure, format));
            Ok(ExitCode::SUCCESS)
        }
        ProcedureCommand::Simulate {
            file,
            received_at,
            calendar,
            channel,
        } => simulate(&file, &received_at, &calendar, channel.into()),
        ProcedureCommand::Doc { file } => {
            let Some(procedure) = load_one(&file) else {
                return Ok(ExitCode::FAILURE);
            };
            print!("{}", procedure::render_page(&procedure));
            Ok(ExitCode::SUCCESS)
        }
        ProcedureCommand::Schema => {
            let text = serde_json::to_string_pretty(procedure::json_schema())
                .context("rendering the schema")?;
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn simulate(
    file: &std::path::Path,
    received_at: &str,
    calendar: &std::path::Path,
    channel: procedure::ChannelKind,
) -> anyhow::Result<ExitCode> {
    let received_at = chrono::DateTime::parse_from_rfc3339(received_at).with_context(|| {
        format!("--received-at {received_at:?} is not an RFC 3339 instant; write e.g. 2025-01-24T10:00:00+07:00")
    })?;
    let Some(procedure) = load_one(file) else {
        return Ok(ExitCode::FAILURE);
    };
    let loaded = match calendars::load_calendars(calendar) {
        Ok(loaded) => loaded,
        Err(error) => return calendar_cli::report_calendar_error(error),
    };
    let paths = procedure::simulate(&procedure, &loaded, channel, received_at)?;
    let definition = procedure.definition();
    let show = |at: chrono::DateTime<chrono::FixedOffset>| {
        at.with_timezone(&clock::vietnam())
            .format("%H:%M %d/%m/%Y")
            .to_string()
    };
    println!(
        "{} v{} {} — {}, received {} ({})",
        definition.code,
        definition.version,
        definition.name,
        channel.as_str(),
        show(received_at),
        loaded
    );
    for (number, path) in paths.iter().enumerate() {
        println!(
            "\nPath {}: {} ({})",
            number + 1,
            path.outcome.as_str(),
            path.actions.join(" → ")
        );
        println!(
            "  legal limit {}, appointment (ngày hẹn trả) {}",
            path.time_limit.vietnamese(),
            show(path.appointment)
        );
        for step in &path.steps {
            println!(
                "  {:<14} {:<48} arrives {}  due {}",
                step.step,
                step.name,
                show(step.entered_at),
                show(step.due_at)
            );
        }
        if let Some(end) = path.process_ends() {
            let verdict = if path.fits() {
                "within the legal limit"
            } else {
                "OVER the legal limit: the allotments do not fit"
            };
            println!("  the internal process ends {} — {verdict}", show(end));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads one procedure file, printing its problems when it has any.
fn load_one(file: &std::path::Path) -> Option<procedure::Procedure> {
    match catalogue::load_file(file) {
        Ok(procedure) => Some(procedure),
        Err(diagnostics) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            None
        }
    }
}

fn validate(paths: &[PathBuf], retention: Option<&Path>) -> anyhow::Result<ExitCode> {
    let schedule = retention
        .map(|path| -> anyhow::Result<RetentionSchedule> {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the retention schedule {}", path.display()))?;
            Ok(RetentionSchedule::load(&path.display().to_string(), &text)?)
        })
        .transpose()?;
    let files = hoso_adapters::files::find_toml_files(paths)?;
    if files.is_empty() {
        anyhow::bail!(
            "no procedure files (*.toml) under {}",
            paths
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let mut bad_files = 0;
    let mut problems = 0;
    for file in catalogue::load_files(&files) {
        match file.outcome {
            Ok(procedure) => {
                let definition = procedure.definition();
                if let (Some(schedule), Some(retention), Some(class)) =
                    (&schedule, retention, &definition.retention)
                    && schedule.keep(class).is_none()
                {
                    bad_files += 1;
                    problems += 1;
                    let line = std::fs::read_to_string(&file.path)
                        .ok()
                        .and_then(|text| {
                            text.lines()
                                .position(|line| line.trim_start().starts_with("retention"))
                        })
                        .map_or(1, |index| index + 1);
                    writeln!(
                        stderr,
                        "{}:{line}:1: retention class `{class}` is not defined in {} — use one of {}, or add [classes.{class}] to the schedule",
                        file.path.display(),
                        retention.display(),
                        schedule.class_names().collect::<Vec<_>>().join(", ")
                    )?;
                    continue;
                }
                writeln!(
                    stdout,
                    "ok {}: {} v{} {} ({}, {} steps, {} actions)",
                    file.path.display(),
                    definition.code,
                    definition.version,
                    definition.name,
                    match definition.online_service {
                        procedure::OnlineService::FullProcess => "full-process",
                        procedure::OnlineService::Partial => "partial",
                    },
                    definition.steps.len(),
                    definition.actions.len()
                )?;
            }
            Err(diagnostics) => {
                bad_files += 1;
                problems += diagnostics.len();
                for diagnostic in diagnostics {
                    writeln!(stderr, "{diagnostic}")?;
                }
            }
        }
    }
    if bad_files == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        writeln!(
            stderr,
            "{problems} problem{} in {bad_files} of {} file{}",
            if problems == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )?;
        Ok(ExitCode::FAILURE)
    }
}

async fn report_indicators(
    unit: Option<String>,
    from: String,
    to: String,
    format: ReportFormat,
    settings: PathBuf,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let period = report_period(&from, &to)?;
    if let Some(unit) = &unit {
        hoso_engine::case::UnitId::parse(unit)
            .with_context(|| format!("--unit {unit:?} is not a unit code like 000.00.17.H21"))?;
    }
    let text = std::fs::read_to_string(&settings)
        .with_context(|| format!("reading the indicator settings {}", settings.display()))?;
    let settings = hoso_engine::indicators::Settings::from_toml(&text)
        .map_err(|why| anyhow::anyhow!("{}: {why}", settings.display()))?;
    let service = open(&store.settings()).await?;
    let show_progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let report = hoso_adapters::reports::indicator_report(
        &service,
        period,
        unit.as_deref(),
        &settings,
        |done, total| {
            if show_progress && (done % 200 == 0 || done == total) {
                eprint!("\rreading dossiers {done}/{total}");
            }
        },
    )
    .await?;
    if show_progress {
        eprintln!();
    }
    if report.received + report.early + report.on_time + report.late == 0 {
        eprintln!(
            "note: no dossier of {} was received or processed from {from} to {to}",
            unit.as_deref().unwrap_or("any unit")
        );
    }
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Csv => print!("{}", hoso_engine::indicators::to_csv(&report)),
        ReportFormat::Html => print!("{}", hoso_engine::indicators::to_html(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

fn report_period(from: &str, to: &str) -> anyhow::Result<hoso_engine::indicators::Period> {
    let day = |flag: &str, text: &str| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .with_context(|| format!("--{flag} {text:?} is not a date: write YYYY-MM-DD"))
    };
    let period = hoso_engine::indicators::Period {
        from: day("from", from)?,
        to: day("to", to)?,
    };
    anyhow::ensure!(period.from <= period.to, "--from {from} is after --to {to}");
    Ok(period)
}

async fn report_register(
    unit: String,
    from: String,
    to: String,
    format: ReportFormat,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let period = report_period(&from, &to)?;
    hoso_engine::case::UnitId::parse(&unit)
        .with_context(|| format!("--unit {unit:?} is not a unit code like 000.00.17.H21"))?;
    let service = open(&store.settings()).await?;
    let register = hoso_adapters::reports::register(&service, &unit, period).await?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&register)?),
        ReportFormat::Html => print!("{}", hoso_engine::forms::register_html(&register)),
        ReportFormat::Csv => anyhow::bail!("the register is printed as json or html, not csv"),
    }
    Ok(ExitCode::SUCCESS)
}
