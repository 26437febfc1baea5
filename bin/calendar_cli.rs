//! `hoso calendar check | draft | due | publish`, and how `serve` logs the calendars it puts in
//! force.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use hoso_adapters::calendars;
use hoso_engine::{clock, procedure};

use crate::{CalendarCommand, StoreArgs, block_on, open};

pub fn run_calendar(command: CalendarCommand) -> anyhow::Result<ExitCode> {
    match command {
        CalendarCommand::Check { folder } => match calendars::load_calendars(&folder) {
            Ok(loaded) => {
                println!("ok {}: {loaded}", folder.display());
                let provisional = loaded.provisional_years();
                if !provisional.is_empty() {
                    let years: Vec<String> = provisional.iter().map(ToString::to_string).collect();
                    println!(
                        "provisional (drafted, not yet the official notice): {}",
                        years.join(", ")
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => report_calendar_error(error),
        },
        CalendarCommand::Publish { file, store } => block_on(publish_calendar(file, store)),
        CalendarCommand::Draft { year, calendar } => {
            // The year before is a basis when it is there; a draft needs no folder at all, but a
            // folder with a broken file is reported rather than silently ignored.
            let loaded = if calendar.is_dir() {
                match calendars::load_calendars(&calendar) {
                    Ok(loaded) => Some(loaded),
                    Err(calendars::CalendarsError::Empty(_)) => None,
                    Err(error) => return report_calendar_error(error),
                }
            } else {
                None
            };
            let previous = loaded.as_ref().and_then(|loaded| loaded.calendar(year - 1));
            print!("{}", clock::draft_calendar(year, previous)?);
            Ok(ExitCode::SUCCESS)
        }
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
            let provisional = loaded.provisional_years_between(from, due);
            if !provisional.is_empty() {
                let years: Vec<String> = provisional.iter().map(ToString::to_string).collect();
                eprintln!(
                    "provisional (tạm tính): counted on the drafted calendar of {}; it moves if the official notice differs",
                    years.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn publish_calendar(file: PathBuf, store: StoreArgs) -> anyhow::Result<ExitCode> {
    let settings = store.settings();
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let source = file.display().to_string();
    let official = match clock::load_calendar(&source, &text) {
        Ok(calendar) => calendar,
        Err(error) => {
            for diagnostic in &error.diagnostics {
                eprintln!("{diagnostic}");
            }
            return Ok(ExitCode::FAILURE);
        }
    };
    let year = official.year();
    anyhow::ensure!(
        !official.is_provisional(),
        "{source}: the {year} file says `provisional = true`; publish takes the official notice: check every day against it, delete the `provisional` line, and publish again"
    );
    let target = settings.calendars.join(format!("{year}.toml"));
    let same_file = std::fs::canonicalize(&file).ok() == std::fs::canonicalize(&target).ok();
    // Check the year together with the folder's other years before anything is written.
    let mut texts = Vec::new();
    let others = match calendars::read_folder(&settings.calendars) {
        Err(calendars::CalendarsError::Empty(_)) => Vec::new(),
        others => others?,
    };
    for (other, other_text) in others {
        if calendars::year_of(&other, &other_text) == Some(year) {
            anyhow::ensure!(
                other.file_name() == target.file_name(),
                "{} also covers {year}: rename it to {year}.toml or remove it, then publish again",
                other.display()
            );
            continue;
        }
        texts.push((other.display().to_string(), other_text));
    }
    texts.push((source.clone(), text.clone()));
    if let Err(error) = clock::Calendars::load(&texts) {
        for diagnostic in &error.diagnostics {
            eprintln!("{diagnostic}");
        }
        return Ok(ExitCode::FAILURE);
    }
    if !same_file {
        // Write beside the target and rename, so a running server never reads half a file.
        let staging = settings.calendars.join(format!(".{year}.toml.publishing"));
        std::fs::write(&staging, &text)
            .with_context(|| format!("writing {}", staging.display()))?;
        std::fs::rename(&staging, &target)
            .with_context(|| format!("replacing {}", target.display()))?;
    }
    println!("{year}: official calendar written to {}", target.display());
    let service = open(&settings).await?;
    let report = calendars::reconcile(&service, chrono::Utc::now()).await?;
    print_reconciliation(&report);
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_reconciliation(report: &calendars::Reconciliation) {
    let show = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map_or_else(|| "-".to_owned(), hoso_engine::case::format_instant)
    };
    println!(
        "calendars version {}: {} open dossiers looked at, {} recomputed",
        report.version,
        report.examined,
        report.recomputed.len()
    );
    for recomputed in &report.recomputed {
        println!(
            "  {}: appointment {} → {}",
            recomputed.code,
            show(recomputed.previous),
            show(recomputed.appointment)
        );
    }
    for code in &report.kept_extended {
        println!(
            "  {code}: kept (its appointment was agreed by an apology and extension, Form 04)"
        );
    }
    for (code, why) in &report.failed {
        eprintln!("  {code}: not recomputed: {why} (the next start or publish tries again)");
    }
}

pub fn report_calendar_error(error: calendars::CalendarsError) -> anyhow::Result<ExitCode> {
    if error.diagnostics().is_empty() {
        return Err(error.into());
    }
    for diagnostic in error.diagnostics() {
        eprintln!("{diagnostic}");
    }
    Ok(ExitCode::FAILURE)
}
