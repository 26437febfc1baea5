//! `hoso bench`: the dossier workload on a fresh database, printed as one JSON line per run.

use std::io::{IsTerminal as _, Write as _};
use std::sync::Arc;

use anyhow::Context as _;
use hoso_adapters::bench::{self, WorkloadFigures};
use hoso_adapters::store::PostgresStore;

/// Which store to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchStore {
    /// A new SQLite file in the temporary folder (WAL, synchronous = FULL).
    Sqlite,
    /// A new database on the PostgreSQL server of `--postgres`.
    Postgres,
}

/// What `hoso bench` runs.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The store to measure.
    #[arg(long, value_enum, default_value_t = BenchStore::Sqlite)]
    store: BenchStore,
    /// Dossiers to walk from submission to returned result.
    #[arg(long, default_value_t = 2_000)]
    cases: usize,
    /// Concurrent clients, each walking one dossier at a time.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Instead of the workload: store this many dossiers (one in ten open, with timers), then time
    /// the inbox query, the due-timer scan and a unit's monthly indicator report, with query plans.
    #[arg(long)]
    seed: Option<usize>,
    /// Keep the bench database afterwards (its URL is printed on standard error) to inspect it.
    #[arg(long)]
    keep: bool,
    /// Indicator settings for the report timed by --seed.
    #[arg(long, default_value = "fixtures/indicators.toml")]
    indicators: std::path::PathBuf,
    /// The PostgreSQL server (any database on it) on which the bench creates, and afterwards drops,
    /// its own database.
    #[arg(
        long,
        env = "HOSO_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres: String,
    #[command(flatten)]
    files: crate::FileArgs,
}

/// Runs one bench and prints its JSON line.
pub async fn run(args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::ensure!(args.cases > 0, "--cases must be at least 1");
    anyhow::ensure!(
        (1..=4096).contains(&args.concurrency),
        "--concurrency must be between 1 and 4096"
    );
    let name = format!("hoso_bench_{}", uuid::Uuid::now_v7().simple());
    let (url, scratch) = match args.store {
        BenchStore::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            (
                format!("sqlite://{}", path.display()),
                Scratch::Sqlite(path),
            )
        }
        BenchStore::Postgres => (
            PostgresStore::create_database(&args.postgres, &name)
                .await
                .context("creating the bench database")?,
            Scratch::Postgres(args.postgres.clone(), name),
        ),
    };
    let outcome = match args.seed {
        Some(dossiers) => measure_at_scale(&args, &url, dossiers).await,
        None => measure(&args, &url).await,
    };
    if args.keep {
        eprintln!(
            "kept the bench database: {}",
            hoso_adapters::store::redact(&url)
        );
    } else {
        scratch.remove().await;
    }
    let line = outcome?;
    println!("{line}");
    Ok(std::process::ExitCode::SUCCESS)
}

async fn measure(args: &BenchArgs, url: &str) -> anyhow::Result<serde_json::Value> {
    // The limit the workload is measured against, on the same disk, just before it.
    let fsync_limit = match args.store {
        BenchStore::Sqlite => {
            bench::sqlite_commit_rate(&std::env::temp_dir()).context("measuring the disk")?
        }
        BenchStore::Postgres => bench::postgres_commit_rate(url)
            .await
            .context("measuring the server's single-insert rate")?,
    };
    let service = Arc::new(crate::open(&args.files.settings(url.to_owned())).await?);
    let cases = args.cases;
    let progress: Arc<dyn Fn(usize) + Send + Sync> = if std::io::stderr().is_terminal() {
        let step = (cases / 200).max(1);
        Arc::new(move |done: usize| {
            if done.is_multiple_of(step) || done == cases {
                eprint!(
                    "\rdossiers {done}/{cases} [{:<40}]",
                    "#".repeat(done * 40 / cases)
                );
                let _ = std::io::stderr().flush();
            }
        })
    } else {
        Arc::new(|_| {})
    };
    let cpu_before = bench::cpu_seconds();
    let figures = bench::run_workload(Arc::clone(&service), 0, cases, args.concurrency, progress)
        .await
        .context("the workload stopped")?;
    let cpu = cpu_before
        .zip(bench::cpu_seconds())
        .map(|(before, after)| after - before);
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    let bytes = service.store().database_bytes().await?;
    Ok(line(
        args,
        service.store().backend(),
        &figures,
        bytes,
        Limits { fsync_limit, cpu },
    ))
}

async fn measure_at_scale(
    args: &BenchArgs,
    url: &str,
    dossiers: usize,
) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(dossiers >= 10, "--seed must be at least 10");
    let settings_text = std::fs::read_to_string(&args.indicators)
        .with_context(|| format!("reading {}", args.indicators.display()))?;
    let settings = hoso_engine::indicators::Settings::from_toml(&settings_text)
        .map_err(|why| anyhow::anyhow!("{}: {why}", args.indicators.display()))?;
    let service = crate::open(&args.files.settings(url.to_owned())).await?;
    let tty = std::io::stderr().is_terminal();
    let progress = move |done: usize| {
        if tty && (done.is_multiple_of(10_000) || done == dossiers) {
            eprint!(
                "\rseeding {done}/{dossiers} [{:<40}]",
                "#".repeat(done * 40 / dossiers)
            );
            let _ = std::io::stderr().flush();
        }
    };
    let seeded = bench::seed(&service, dossiers, &progress)
        .await
        .context("seeding")?;
    if tty {
        eprintln!();
    }
    let store = service.store();
    // What an operator does after a bulk load; without it PostgreSQL plans the per-dossier reads
    // of the report as parallel scans (BENCHMARKS.md).
    store.analyze().await?;
    let bytes = store.database_bytes().await?;
    let unit = bench::seed_unit(0);
    let mut inbox = Vec::new();
    let mut inbox_rows = 0;
    for _ in 0..21 {
        let started = std::time::Instant::now();
        inbox_rows = hoso_engine::ports::Dossiers::inbox(store, &unit, "tu_phap", 50)
            .await?
            .len();
        inbox.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    // Every seeded timer is due by then. Each scan claims the 100 most overdue for a minute and
    // runs ten minutes after the last, when those claims have expired, as a node's timer loop would.
    let late = chrono::DateTime::parse_from_rfc3339("2026-12-31T00:00:00+07:00")?.to_utc();
    let mut scans = Vec::new();
    let mut timer_rows = 0;
    for scan in 0..21 {
        let now = late + chrono::Duration::minutes(10 * scan);
        let started = std::time::Instant::now();
        timer_rows = hoso_engine::ports::Timers::claim_due_timers(
            store,
            now,
            now + chrono::Duration::minutes(1),
            100,
        )
        .await?
        .len();
        scans.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let period = hoso_engine::indicators::Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).context("date")?,
        to: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).context("date")?,
    };
    let started = std::time::Instant::now();
    let report = hoso_adapters::reports::indicator_report(
        &service,
        period,
        Some(unit.as_str()),
        &settings,
        |_, _| {},
    )
    .await?;
    let report_seconds = started.elapsed().as_secs_f64();
    let plans: serde_json::Map<String, serde_json::Value> = store
        .query_plans(late)
        .await?
        .into_iter()
        .map(|(name, plan)| (name.to_owned(), serde_json::json!(plan)))
        .collect();
    let round = |value: f64| (value * 100.0).round() / 100.0;
    Ok(serde_json::json!({
        "mode": "seed",
        "store": store.backend(),
        "dossiers": seeded.dossiers,
        "open": seeded.open,
        "seed_seconds": round(seeded.seconds),
        "seed_dossiers_per_s": round(seeded.dossiers as f64 / seeded.seconds.max(1e-9)),
        "db_bytes_per_dossier": bytes / u64::try_from(seeded.dossiers.max(1)).unwrap_or(1),
        "inbox_ms_median": round(median(&mut inbox)),
        "inbox_rows": inbox_rows,
        "timer_scan_ms_median": round(median(&mut scans)),
        "timer_scan_rows": timer_rows,
        "indicator_report_unit": unit.as_str(),
        "indicator_report_seconds": round(report_seconds),
        "indicator_report_received": report.received,
        "plans": plans,
        "peak_rss_mb": round(peak_rss_mb()),
    }))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// What a run is measured against: the disk's single-commit rate, and the CPU the run used.
struct Limits {
    /// Single-row durable commits per second on the same disk (or server), just before.
    fsync_limit: f64,
    /// User plus system CPU seconds of the workload.
    cpu: Option<f64>,
}

fn line(
    args: &BenchArgs,
    store: &str,
    figures: &WorkloadFigures,
    bytes: u64,
    limits: Limits,
) -> serde_json::Value {
    let round = |value: f64| (value * 100.0).round() / 100.0;
    let rate = figures.transitions as f64 / figures.seconds.max(1e-9);
    serde_json::json!({
        "store": store,
        "cases": figures.cases,
        "concurrency": args.concurrency,
        "transitions": figures.transitions,
        "seconds": round(figures.seconds),
        "transitions_per_s": round(rate),
        "fsync_limit_per_s": round(limits.fsync_limit),
        "ratio_to_fsync_limit": round(rate / limits.fsync_limit.max(1e-9)),
        "cpu_us_per_transition": limits.cpu.map(|cpu| round(cpu * 1e6 / figures.transitions.max(1) as f64)),
        "sqlite_writer": (store == "sqlite").then(|| {
            std::env::var("HOSO_SQLITE_WRITER").unwrap_or_else(|_| "thread".to_owned())
        }),
        "p50_ms": round(figures.percentile_ms(0.50)),
        "p95_ms": round(figures.percentile_ms(0.95)),
        "p99_ms": round(figures.percentile_ms(0.99)),
        "peak_rss_mb": round(peak_rss_mb()),
        "db_bytes_per_dossier": bytes / u64::try_from(figures.cases.max(1)).unwrap_or(1),
        "supplement_share": 0.2,
        "hoso": env!("CARGO_PKG_VERSION"),
    })
}

/// The process's peak resident memory (VmHWM), in MiB; 0 where /proc is not available.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                let kib = line.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?;
                kib.trim().parse::<f64>().ok()
            })
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// The bench's own database, removed after the run.
enum Scratch {
    Sqlite(std::path::PathBuf),
    Postgres(String, String),
}

impl Scratch {
    async fn remove(self) {
        match self {
            Self::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Self::Postgres(admin, name) => {
                if let Err(error) = PostgresStore::drop_database(&admin, &name).await {
                    eprintln!("could not drop the bench database {name}: {error}");
                }
            }
        }
    }
}
