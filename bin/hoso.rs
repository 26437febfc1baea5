//! The `hoso` command: one binary for designers, officers' servers and operators.

mod audit_cli;
mod backup_cli;
mod bench;
mod calendar_cli;
mod case_cli;
mod demo;
mod operations_cli;
mod procedure_cli;
mod report_cli;
mod serve_cli;
mod unit_cli;
mod user_cli;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use hoso_adapters::boot;

use hoso_engine::procedure;

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
        default_value = DEFAULT_DATABASE
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
    /// The retention schedule (thời hạn bảo quản); every procedure's class must be defined in it.
    #[arg(
        long,
        env = "HOSO_RETENTION",
        default_value = "fixtures/retention.toml"
    )]
    retention: PathBuf,
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
            retention: self.retention.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP API (and the deadline timers) until Ctrl-C or SIGTERM.
    Serve(Box<serve_cli::ServeArgs>),
    /// Staff users and their bearer tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// The unit directory: units, routes of procedure unit kinds, retirements.
    #[command(subcommand)]
    Unit(unit_cli::UnitCommand),
    /// Create or migrate the database and publish the procedure folder.
    Init {
        /// A units file to import (the demo's: fixtures/units.toml; docs/units.md).
        #[arg(long)]
        units: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Walk demo dossiers through real paths and print their timelines (a temporary SQLite
    /// database unless --db is given).
    Demo {
        /// Database URL; default: a new temporary SQLite file.
        #[arg(long = "db")]
        database_url: Option<String>,
        /// The demo's units and routes (docs/units.md).
        #[arg(long, default_value = DEMO_UNITS)]
        units: PathBuf,
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
    /// Write one signed file with every table and document, while the server keeps writing.
    Backup(backup_cli::BackupArgs),
    /// Restore a backup into a new, empty database (either store) and data folder.
    Restore(backup_cli::RestoreArgs),
    /// Uploaded documents at rest: keys that seal them, and moving them onto a new key.
    #[command(subcommand)]
    Documents(backup_cli::DocumentsCommand),
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
    /// The per-dossier evaluation (Circular 01/2018 arts. 13–14) of a unit's dossiers ended in a
    /// period, with the on-time rate of Decree 61/2018 art. 30.
    Evaluation {
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
        vnpay: serve_cli::VnpayArgs,
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
        /// The retention schedule each procedure's retention class must be defined in.
        #[arg(
            long,
            env = "HOSO_RETENTION",
            default_value = "fixtures/retention.toml"
        )]
        retention: PathBuf,
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
        Command::Procedure(command) => procedure_cli::run_procedure(command),
        Command::Calendar(command) => calendar_cli::run_calendar(command),
        Command::Serve(args) => block_on(serve_cli::serve(*args)),
        Command::User(command) => block_on(user_cli::user(command)),
        Command::Unit(command) => block_on(unit_cli::run(command)),
        Command::Init { units, store } => block_on(init(units, store)),
        Command::Demo {
            database_url,
            units,
            files,
        } => block_on(run_demo(database_url, units, files)),
        Command::Case(command) => block_on(run_case(command)),
        Command::Admin(AdminCommand::Rebuild { store }) => block_on(operations_cli::rebuild(store)),
        Command::Timers(command) => block_on(operations_cli::run_timers(command)),
        Command::Outbox(command) => block_on(operations_cli::run_outbox(command)),
        Command::Audit(command) => block_on(audit_cli::run(command)),
        Command::Backup(args) => block_on(backup_cli::backup(args)),
        Command::Restore(args) => block_on(backup_cli::restore(args)),
        Command::Documents(command) => block_on(backup_cli::run_documents(command)),
        Command::Archive(args) => block_on(audit_cli::archive(args)),
        Command::Bench(args) => block_on(bench::run(args)),
        Command::Report(ReportCommand::Register {
            unit,
            from,
            to,
            format,
            store,
        }) => block_on(report_cli::report_register(unit, from, to, format, store)),
        Command::Report(ReportCommand::Evaluation {
            unit,
            from,
            to,
            format,
            store,
        }) => block_on(report_cli::report_evaluation(unit, from, to, format, store)),
        Command::Report(ReportCommand::Indicators {
            unit,
            from,
            to,
            format,
            settings,
            store,
        }) => block_on(report_cli::report_indicators(
            unit, from, to, format, settings, store,
        )),
        Command::Payments(PaymentsCommand::Reconcile {
            older_than_minutes,
            vnpay,
            store,
        }) => block_on(operations_cli::reconcile(older_than_minutes, vnpay, store)),
        Command::Payments(PaymentsCommand::Refunds { store }) => {
            block_on(operations_cli::refunds(store))
        }
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

/// The demo's units and routes.
const DEMO_UNITS: &str = "fixtures/units.toml";

/// The database every command opens when no `--db` is given.
pub(crate) const DEFAULT_DATABASE: &str = "sqlite://hoso.db";

pub(crate) async fn open(
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

/// Imports a units file into the directory, printing what it added.
pub(crate) async fn import_units(
    service: &hoso_engine::service::Service<hoso_adapters::store::AnyStore>,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let parsed = hoso_adapters::app::units::parse_file(&text)
        .map_err(|error| anyhow::anyhow!("{}: {error}", file.display()))?;
    let imported = hoso_adapters::app::units::import(service, &parsed, chrono::Utc::now())
        .await
        .map_err(|error| anyhow::anyhow!("{}: {}", file.display(), unit_cli::refusal(error)))?;
    println!(
        "{}: {} units and {} routes imported",
        file.display(),
        imported.units,
        imported.routes
    );
    Ok(())
}

async fn init(units: Option<PathBuf>, store: StoreArgs) -> anyhow::Result<ExitCode> {
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
    if let Some(file) = units {
        import_units(&service, &file).await?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_demo(
    database_url: Option<String>,
    units: PathBuf,
    files: FileArgs,
) -> anyhow::Result<ExitCode> {
    // Declared first, so it is dropped (its files deleted) after the service closes the database.
    let scratch = demo::Scratch::new();
    let url = database_url.unwrap_or_else(|| scratch.url());
    println!("hoso demo on {}", hoso_adapters::store::redact(&url));
    demo::walk(&files.settings(url), &units).await?;
    Ok(ExitCode::SUCCESS)
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
