//! The `hoso` command: one binary for designers, officers' servers and operators.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use hoso_adapters::catalogue;
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
    let files = catalogue::find_procedure_files(paths)?;
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
