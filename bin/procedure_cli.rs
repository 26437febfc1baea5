//! `hoso procedure`: validate, draw, simulate and describe procedure files, for designers.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;

use hoso_adapters::{calendars, catalogue};
use hoso_engine::clock;
use hoso_engine::procedure::{self, GraphFormat};
use hoso_engine::retention::RetentionSchedule;

use crate::{GraphLanguage, ProcedureCommand};

pub(crate) fn run_procedure(command: ProcedureCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProcedureCommand::Validate { paths, retention } => validate(&paths, &retention),
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

pub(crate) fn simulate(
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
        Err(error) => return crate::calendar_cli::report_calendar_error(error),
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
    println!(
        "{} path(s) from receipt to a decision; a loop back to an earlier step is followed once, and each step uses its whole allotment",
        paths.len()
    );
    for (number, path) in paths.iter().enumerate() {
        println!(
            "\nPath {}: {} ({})",
            number + 1,
            path.outcome.as_str(),
            path.actions.join(" → ")
        );
        if !path.loops.is_empty() {
            println!("  loops once through: {}", path.loops.join(", "));
        }
        println!(
            "  legal limit {}, appointment (ngày hẹn trả) {}",
            path.time_limit.vietnamese(),
            show(path.appointment)
        );
        let limit_hours = path.time_limit.office_hours();
        println!(
            "  allotted in all {} against the legal limit of {}{}",
            procedure::TimeLimit::describe_office_hours(path.allotted_hours),
            path.time_limit,
            if path.allotted_hours > limit_hours.max(procedure::OFFICE_HOURS_PER_DAY) {
                " — OVER"
            } else {
                ""
            }
        );
        for window in &path.windows {
            println!(
                "  window {:<28} closes {}",
                window.name,
                show(window.closes_at)
            );
        }
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
pub(crate) fn load_one(file: &std::path::Path) -> Option<procedure::Procedure> {
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

pub(crate) fn validate(paths: &[PathBuf], retention: &Path) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(retention).with_context(|| {
        format!(
            "reading the retention schedule {} (give another with --retention)",
            retention.display()
        )
    })?;
    let schedule = RetentionSchedule::load(&retention.display().to_string(), &text)?;
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
    for file in catalogue::load_files(&files, Some(&schedule)) {
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
