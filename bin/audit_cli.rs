//! `hoso audit verify | keygen | checkpoint | export` and `hoso archive`: evidence an auditor can
//! check, in the store and after it left the store.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use hoso_adapters::archive::{self, ArchiveRequest};
use hoso_adapters::audit::{self, CheckpointFile, Finding};
use hoso_adapters::store::AnyStore;
use hoso_engine::audit::{Bundle, verify_bundle};
use hoso_engine::case::DossierCode;
use hoso_engine::retention::RetentionSchedule;

/// Which database to audit.
#[derive(Debug, clap::Args)]
pub struct Database {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB.
    #[arg(
        long = "db",
        env = "HOSO_DATABASE_URL",
        default_value = crate::DEFAULT_DATABASE
    )]
    database_url: String,
}

/// What `hoso archive` archives.
#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// Judge retention on this day (YYYY-MM-DD, Vietnam time); default: today.
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
    /// The archive file to write; refuses to overwrite.
    #[arg(long)]
    out: PathBuf,
    /// The retention schedule: how long each class keeps a closed dossier.
    #[arg(long, default_value = "fixtures/retention.toml")]
    retention: PathBuf,
    /// At most this many dossiers in one archive file; the next run takes the rest.
    #[arg(long, default_value_t = 10_000)]
    limit: usize,
    /// The server's data folder: the archived dossiers' uploaded documents that no other
    /// dossier names are removed from it (the archive keeps their hashes).
    #[arg(long, env = "HOSO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The document key file, when documents are sealed at rest.
    #[arg(long, env = "HOSO_DOCUMENT_KEYS")]
    document_keys: Option<PathBuf>,
    #[command(flatten)]
    db: Database,
}

/// What `hoso audit` does.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute every dossier's hash chain (or one's) and check the signed checkpoints; exit 0
    /// when intact, 1 naming each dossier and its first bad event.
    Verify {
        /// Only this dossier, e.g. 000.00.17.H21-260302-0001.
        code: Option<String>,
        /// Check an exported bundle offline instead of the database.
        #[arg(long, conflicts_with = "code")]
        bundle: Option<PathBuf>,
        /// Also check the database against this checkpoint copy (from `hoso audit checkpoint`).
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The checkpoint signer's public key (hex) the auditor trusts.
        #[arg(long)]
        public_key: Option<String>,
        #[command(flatten)]
        db: Database,
    },
    /// Make a new Ed25519 key file for signing checkpoints and print its public key.
    Keygen {
        /// Where to write the key (refuses to overwrite).
        path: PathBuf,
    },
    /// Print the public key (hex) of a key file, as auditors and `--public-key` take it.
    PublicKey {
        /// The key file (from `hoso audit keygen`).
        path: PathBuf,
    },
    /// Sign a checkpoint over every chain as it is now, store it, and write the auditor's copy.
    Checkpoint {
        /// The signing key file (from `hoso audit keygen`).
        #[arg(long, env = "HOSO_AUDIT_KEY")]
        key: PathBuf,
        /// Where to write the auditor's copy; default: standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: Database,
    },
    /// Write one dossier's self-contained evidence bundle (events, document hashes, checkpoint).
    Export {
        /// The dossier.
        code: String,
        /// Where to write it; default: standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: Database,
    },
}

/// Runs an audit command.
pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify {
            code,
            bundle: Some(bundle),
            public_key,
            ..
        } => {
            debug_assert!(code.is_none());
            verify_offline(&bundle, public_key.as_deref())
        }
        AuditCommand::Verify {
            code,
            bundle: None,
            checkpoint,
            public_key,
            db,
        } => {
            let code = code
                .map(|code| {
                    DossierCode::parse(&code)
                        .with_context(|| format!("`{code}` is not a dossier code"))
                })
                .transpose()?;
            let store = open(&db.database_url).await?;
            let copy = checkpoint
                .map(|path| read_json::<CheckpointFile>(&path))
                .transpose()?;
            verify_database(&store, code.as_ref(), copy.as_ref(), public_key.as_deref()).await
        }
        AuditCommand::Keygen { path } => {
            let public = audit::generate_key(&path)?;
            println!("signing key written to {} (keep it secret)", path.display());
            println!("public key: {public}");
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::PublicKey { path } => {
            let key = audit::read_key(&path)?;
            println!("{}", hoso_engine::audit::public_key(&key));
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Checkpoint { key, out, db } => {
            let key = audit::read_key(&key)?;
            let store = open(&db.database_url).await?;
            let file = audit::take_checkpoint(&store, &key, chrono::Utc::now()).await?;
            write_json(out.as_deref(), &file)?;
            eprintln!(
                "checkpoint {} over {} dossiers, root {}",
                file.checkpoint.sequence, file.checkpoint.dossiers, file.checkpoint.root
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export { code, out, db } => {
            let code = DossierCode::parse(&code)
                .with_context(|| format!("`{code}` is not a dossier code"))?;
            let store = open(&db.database_url).await?;
            let bundle = audit::export_bundle(&store, &code).await?;
            write_json(out.as_deref(), &bundle)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `hoso archive`.
pub async fn archive(args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.retention).with_context(|| {
        format!(
            "reading the retention schedule {}",
            args.retention.display()
        )
    })?;
    let schedule = RetentionSchedule::load(&args.retention.display().to_string(), &text)?;
    let store = open(&args.db.database_url).await?;
    let now = chrono::Utc::now();
    let request = ArchiveRequest {
        as_of: args.as_of.unwrap_or_else(|| {
            now.with_timezone(&hoso_engine::clock::vietnam())
                .date_naive()
        }),
        out: args.out,
        limit: args.limit,
        now,
    };
    let show_progress = std::io::stderr().is_terminal();
    let summary = archive::archive(&store, &schedule, &request, |done| {
        if show_progress && done % 100 == 0 {
            eprint!("\rreading closed dossiers: {done}");
            let _ = std::io::stderr().flush();
        }
    })
    .await?;
    if show_progress {
        eprintln!();
    }
    for left in &summary.left {
        println!("{left}");
    }
    if let (Some(data_dir), Some(_)) = (&args.data_dir, &summary.file) {
        let documents = crate::backup_cli::documents(Some(data_dir), args.document_keys.as_ref())?
            .context("a data folder")?;
        let removed = archive::remove_documents(&store, &documents, &summary.documents).await?;
        println!(
            "{removed} of the archived dossiers' {} documents removed from {} (the others are named by dossiers still in the store, or were not there)",
            summary.documents.len(),
            data_dir.display()
        );
    }
    match &summary.file {
        Some(file) => println!(
            "{} dossier(s) archived to {}; check it with `hoso audit verify --bundle {}`",
            summary.archived.len(),
            file.display(),
            file.display()
        ),
        None if summary.left.is_empty() => println!(
            "no dossier is past its retention period on {}",
            request.as_of
        ),
        None => println!("nothing archived: every dossier past retention was left (above)"),
    }
    println!(
        "{} closed: {} archived, {} kept permanently, {} within retention, {} without a retention class, {} left (above), {} for the next run",
        summary.closed,
        summary.archived.len(),
        summary.permanent,
        summary.within_retention,
        summary.without_class,
        summary.left.len(),
        summary.deferred
    );
    Ok(if summary.left.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn open(database_url: &str) -> anyhow::Result<AnyStore> {
    AnyStore::open(database_url)
        .await
        .with_context(|| format!("opening {}", hoso_adapters::store::redact(database_url)))
}

async fn verify_database(
    store: &AnyStore,
    code: Option<&DossierCode>,
    copy: Option<&CheckpointFile>,
    public_key: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let show_progress = std::io::stderr().is_terminal();
    let mut report = audit::verify_store(store, code, public_key, |done, total| {
        if show_progress && (done % 100 == 0 || done == total) {
            eprint!(
                "\rchecking chains {done}/{total} [{:<30}]",
                "#".repeat(done * 30 / total.max(1))
            );
            let _ = std::io::stderr().flush();
        }
    })
    .await?;
    if show_progress {
        eprintln!();
    }
    if let Some(copy) = copy {
        report
            .findings
            .extend(audit::verify_against_copy(store, copy, public_key).await?);
    }
    let findings: Vec<&Finding> = report.findings.iter().collect();
    for finding in &findings {
        println!("{finding}");
    }
    let archived = if report.archived > 0 {
        format!(" ({} archived out of the store)", report.archived)
    } else {
        String::new()
    };
    println!(
        "{} dossiers{archived}, {} events, {} checkpoints checked: {}",
        report.dossiers,
        report.events,
        report.checkpoints,
        if findings.is_empty() {
            "intact".to_owned()
        } else {
            format!("{} finding(s)", findings.len())
        }
    );
    Ok(if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn verify_offline(path: &Path, public_key: Option<&str>) -> anyhow::Result<ExitCode> {
    let format: serde_json::Value = read_json(path)?;
    if format.get("format").and_then(serde_json::Value::as_str) == Some(archive::ARCHIVE_FORMAT) {
        let file = archive::archive_from(format)
            .map_err(|why| anyhow::anyhow!("{}: {why}", path.display()))?;
        let (lines, intact) = archive::verify_archive(&file, public_key);
        for line in &lines {
            println!("{line}");
        }
        println!(
            "{} archived dossier(s) checked: {}",
            lines.len(),
            if intact { "intact" } else { "NOT intact" }
        );
        return Ok(if intact {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let bundle: Bundle = serde_json::from_value(format)
        .with_context(|| format!("{} is not a hoso audit bundle", path.display()))?;
    match verify_bundle(&bundle, public_key) {
        Ok(report) => {
            match report.checkpoint {
                Some(sequence) => println!(
                    "{}: {} events intact; checkpoint {sequence} vouches for the history up to its head",
                    bundle.dossier, report.events
                ),
                None => println!(
                    "{}: {} events intact (no checkpoint covers it yet: only internal consistency is shown)",
                    bundle.dossier, report.events
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(why) => {
            println!("{why}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{} is not a hoso audit file", path.display()))
}

fn write_json(out: Option<&Path>, value: &impl serde::Serialize) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    match out {
        Some(path) => {
            std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))
        }
        None => {
            println!("{text}");
            Ok(())
        }
    }
}
