//! The `hoso` command: one binary for designers, officers' servers and operators.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use hoso_adapters::{calendars, catalogue};
use hoso_engine::clock;
use hoso_engine::procedure::{self, GraphFormat};

/// hoso — processes dossiers (hồ sơ) of online public services for Vietnamese state agencies.
#[derive(Debug, Parser)]
#[command(name = "hoso", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with procedure files: validate, draw, print the schema.
    #[command(subcommand)]
    Procedure(ProcedureCommand),
    /// Official calendars and legal deadlines.
    #[command(subcommand)]
    Calendar(CalendarCommand),
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Check the calendar files of a folder (one per year).
    Check {
        /// The folder, e.g. fixtures/calendars.
        folder: PathBuf,
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
    },
    /// Draw a procedure's steps and actions.
    Graph {
        /// The procedure file.
        file: PathBuf,
        /// Diagram language.
        #[arg(long, value_enum, default_value_t = GraphLanguage::Mermaid)]
        format: GraphLanguage,
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
enum GraphLanguage {
    /// Mermaid flowchart (renders in Markdown).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Procedure(command) => run_procedure(command),
        Command::Calendar(command) => run_calendar(command),
    }
}

fn run_procedure(command: ProcedureCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProcedureCommand::Validate { paths } => validate(&paths),
        ProcedureCommand::Graph { file, format } => {
            let Some(procedure) = load_one(&file) else {
                return Ok(ExitCode::FAILURE);
            };
            let format = match format {
                GraphLanguage::Mermaid => GraphFormat::Mermaid,
                GraphLanguage::Dot => GraphFormat::Dot,
            };
            print!("{}", procedure::render_graph(&procedure, format));
            Ok(ExitCode::SUCCESS)
        }
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

fn run_calendar(command: CalendarCommand) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Check { folder } => match calendars::load_calendars(&folder) {
            Ok(loaded) => {
                println!("ok {}: {loaded}", folder.display());
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => report_calendar_error(error),
        },
        CalendarCommand::Due {
            calendar,
            from,
            working_days,
            working_hours,
            ignore_cutoff,
        } => {
            let from = chrono::DateTime::parse_from_rfc3339(&from).with_context(|| {
                format!("--from {from:?} is not an RFC 3339 instant; write e.g. 2025-01-24T10:00:00+07:00")
            })?;
            let loaded = match calendars::load_calendars(&calendar) {
                Ok(loaded) => loaded,
                Err(error) => return report_calendar_error(error),
            };
            let limit = match (working_days, working_hours) {
                (Some(days), _) => procedure::TimeLimit::WorkingDays(days),
                (None, Some(hours)) => procedure::TimeLimit::WorkingHours(hours),
                (None, None) => anyhow::bail!("give --working-days N or --working-hours H"),
            };
            let policy = if ignore_cutoff {
                procedure::AfterCutoff::SameDay
            } else {
                procedure::AfterCutoff::NextWorkingDay
            };
            let due = loaded.due(from, limit, policy)?;
            println!("{}", due.with_timezone(&clock::vietnam()).to_rfc3339());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn report_calendar_error(error: calendars::CalendarsError) -> anyhow::Result<ExitCode> {
    if error.diagnostics().is_empty() {
        return Err(error.into());
    }
    for diagnostic in error.diagnostics() {
        eprintln!("{diagnostic}");
    }
    Ok(ExitCode::FAILURE)
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

fn validate(paths: &[PathBuf]) -> anyhow::Result<ExitCode> {
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
