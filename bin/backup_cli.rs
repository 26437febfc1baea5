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
    /// The document key file the backup's sealed documents were sealed with (`hoso serve
    /// --document-keys`).
    #[arg(long, env = "HOSO_DOCUMENT_KEYS")]
    document_keys: Option<PathBuf>,
    /// The office's audit public key (hex, `hoso audit public-key FILE`): only a backup signed
    /// by it is restored.
    #[arg(long)]
    public_key: Option<String>,
    /// Or the audit key file itself, whose public key is taken.
    #[arg(long, env = "HOSO_AUDIT_KEY")]
    key: Option<PathBuf>,
}

/// `hoso documents`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum DocumentsCommand {
    /// Put a new key first in a document key file (made if missing, readable by its owner
    /// only): it seals from now on, the older keys still open; then run `rekey`.
    Keygen {
        /// The key file.
        path: PathBuf,
    },
    /// Move every stored document onto the key file's first key: plain ones are sealed, ones
    /// sealed under an older key get their data key sealed again, each renamed.
    Rekey {
        /// The server's data folder (`hoso serve --data-dir`).
        #[arg(long, env = "HOSO_DATA_DIR", default_value = "data")]
        data_dir: PathBuf,
        /// The document key file.
        #[arg(long, env = "HOSO_DOCUMENT_KEYS")]
        document_keys: PathBuf,
    },
}

/// Where documents live under a data folder, as `hoso serve` keeps them, opened with the
/// document keys when given.
pub(crate) fn documents(
    data_dir: Option<&PathBuf>,
    keys: Option<&PathBuf>,
) -> anyhow::Result<Option<DocumentStore>> {
    let Some(folder) = data_dir else {
        return Ok(None);
    };
    let store = DocumentStore::new(folder.join("documents"));
    Ok(Some(match keys {
        Some(path) => store.with_keys(std::sync::Arc::new(
            hoso_adapters::sealing::DocumentKeys::load(path).map_err(anyhow::Error::msg)?,
        )),
        None => store,
    }))
}

pub(crate) async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let key = hoso_adapters::audit::read_key(&args.key)?;
    // Opening would make an empty database where none is: a mistyped path must not give a
    // backup of nothing.
    if let Some(rest) = args.database_url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        anyhow::ensure!(
            path == ":memory:" || std::path::Path::new(path).exists(),
            "no database at {path}: give the server's --db"
        );
    }
    let store = AnyStore::open(&args.database_url).await?;
    let started = std::time::Instant::now();
    let show = std::io::stderr().is_terminal();
    let taken = backup::take(
        &store,
        documents(args.data_dir.as_ref(), None)?.as_ref(),
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
    let trusted = match (&args.public_key, &args.key) {
        (Some(public), _) => public.clone(),
        (None, Some(path)) => {
            hoso_engine::audit::public_key(&hoso_adapters::audit::read_key(path)?)
        }
        (None, None) => anyhow::bail!(
            "give --public-key (`hoso audit public-key FILE` prints it) or --key FILE: a backup is restored only when the office's audit key signed it"
        ),
    };
    let documents = documents(args.data_dir.as_ref(), args.document_keys.as_ref())?;
    let store = AnyStore::open(&args.database_url).await?;
    let started = std::time::Instant::now();
    let show = std::io::stderr().is_terminal();
    let manifest = backup::restore(
        &args.from,
        &store,
        documents.as_ref(),
        &trusted,
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

pub(crate) async fn run_documents(command: DocumentsCommand) -> anyhow::Result<ExitCode> {
    match command {
        DocumentsCommand::Keygen { path } => {
            let line = hoso_adapters::sealing::DocumentKeys::new_line()?;
            let before = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(error) => anyhow::bail!("{}: {error}", path.display()),
            };
            let after = format!("{line}\n{before}");
            // A file that would not load is never written.
            hoso_adapters::sealing::DocumentKeys::parse(&after)
                .map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?;
            std::io::Write::write_all(&mut file, after.as_bytes())?;
            file.sync_all()?;
            let id = line.split_whitespace().next().unwrap_or_default();
            println!(
                "key {id} put first in {} (keep the file secret and backed up apart from the backups); run `hoso documents rekey` to move the stored documents onto it",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        DocumentsCommand::Rekey {
            data_dir,
            document_keys,
        } => {
            let Some(store) = documents(Some(&data_dir), Some(&document_keys))? else {
                anyhow::bail!("no data folder");
            };
            let (moved, already) = store.rekey().await?;
            println!("{moved} documents moved onto the first key, {already} already there");
            Ok(ExitCode::SUCCESS)
        }
    }
}
