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
    let outcome = measure(&args, &url).await;
    scratch.remove().await;
    let line = outcome?;
    println!("{line}");
    Ok(std::process::ExitCode::SUCCESS)
}

async fn measure(args: &BenchArgs, url: &str) -> anyhow::Result<serde_json::Value> {
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
    let figures = bench::run_workload(Arc::clone(&service), 0, cases, args.concurrency, progress)
        .await
        .context("the workload stopped")?;
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
    let bytes = service.store().database_bytes().await?;
    Ok(line(args, service.store().backend(), &figures, bytes))
}

fn line(args: &BenchArgs, store: &str, figures: &WorkloadFigures, bytes: u64) -> serde_json::Value {
    let round = |value: f64| (value * 100.0).round() / 100.0;
    serde_json::json!({
        "store": store,
        "cases": figures.cases,
        "concurrency": args.concurrency,
        "transitions": figures.transitions,
        "seconds": round(figures.seconds),
        "transitions_per_s": round(figures.transitions as f64 / figures.seconds.max(1e-9)),
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
