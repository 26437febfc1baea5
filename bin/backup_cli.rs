//! `hoso backup` and `hoso restore`: a whole office in one signed file, and back into either
//! store (the way to move from the embedded SQLite file onto PostgreSQL; docs/operations.md).

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use hoso_adapters::backup;
use hoso_adapters::documents::DocumentStore;
use hoso_adapters::store::AnyStore;

/// `hoso backup`.
#[derive(Debug, clap::Args)]
pub(crate) struct BackupArgs {
    /// Database URL to back up (it may keep serving meanwhile).
    #[arg(long = "db", env = "HOSO_DATABASE_URL")]
    database_url: String,
    /// The backup file to write; it appears only once complete (`FILE.partial` meanwhile).
    #[arg(long)]
    out: PathBuf,
    /// The server's data folder (`hoso serve --data-dir`), whose documents go in too.
    #[arg(long, env = "HOSO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The audit checkpoint signing key (`hoso audit keygen`), which signs the manifest.
    #[arg(long, env = "HOSO_AUDIT_KEY")]
    key: PathBuf,
}

/// `hoso restore`.
#[derive(Debug, clap::Args)]
pub(crate) struct RestoreArgs {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// Database URL of a new, empty database (sqlite://FILE or postgres://…).
    #[arg(long = "db")]
    database_url: String,
    /// The data folder for the backup's documents (`hoso serve --data-dir` of the new server).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// The public key (hex) the backup must be signed by; by default the key of its latest
    /// audit checkpoint.
    #[arg(long)]
    public_key: Option<String>,
}

/// Where documents live under a data folder, as `hoso serve` keeps them.
fn documents(data_dir: Option<&PathBuf>) -> Option<DocumentStore> {
    data_dir.map(|folder| DocumentStore::new(folder.join("documents")))
}

pub(crate) async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let key = hoso_adapters::audit::read_key(&args.key)?;
    let store = AnyStore::open(&args.database_url).await?;
    let started = std::time::Instant::now();
    let show = std::io::stderr().is_terminal();
    let taken = backup::take(
        &store,
        documents(args.data_dir.as_ref()).as_ref(),
        &key,
        &args.out,
        move |lines| {
            if show {
                eprint!("\r{lines} lines written");
            }
        },
    )
    .await?;
    if show {
        eprintln!();
    }
    println!(
        "backup written to {}: {} rows in {} tables, {} documents, {} bytes, in {:.1} s",
        args.out.display(),
        taken.manifest.total_rows(),
        taken.manifest.rows.len(),
        taken.manifest.documents,
        taken.bytes,
        started.elapsed().as_secs_f64()
    );
    match &taken.manifest.checkpoint {
        Some(checkpoint) => println!(
            "latest audit checkpoint inside: no. {} of {}",
            checkpoint.sequence,
            hoso_engine::case::format_instant(checkpoint.at)
        ),
        None => println!("no audit checkpoint has been signed yet (run `hoso audit checkpoint`)"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let store = AnyStore::open(&args.database_url).await?;
    let started = std::time::Instant::now();
    let show = std::io::stderr().is_terminal();
    let manifest = backup::restore(
        &args.from,
        &store,
        documents(args.data_dir.as_ref()).as_ref(),
        args.public_key.as_deref(),
        |done, total| {
            if show {
                eprint!("\r{done}/{total} restored");
            }
        },
    )
    .await?;
    if show {
        eprintln!();
    }
    println!(
        "restored {} rows and {} documents from a {} backup of {} into {} in {:.1} s",
        manifest.total_rows(),
        manifest.documents,
        manifest.backend,
        hoso_engine::case::format_instant(manifest.taken_at),
        store.backend(),
        started.elapsed().as_secs_f64()
    );
    println!("next: `hoso audit verify --db …` checks every chain against the checkpoints");
    Ok(ExitCode::SUCCESS)
}
