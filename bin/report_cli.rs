//! `hoso report`: Decision 766 indicators and the dossier register, from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::{ReportFormat, StoreArgs, open};

pub(crate) async fn report_indicators(
    unit: Option<String>,
    from: String,
    to: String,
    format: ReportFormat,
    settings: PathBuf,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let period = report_period(&from, &to)?;
    if let Some(unit) = &unit {
        hoso_engine::case::UnitId::parse(unit)
            .with_context(|| format!("--unit {unit:?} is not a unit code like 000.00.17.H21"))?;
    }
    let text = std::fs::read_to_string(&settings)
        .with_context(|| format!("reading the indicator settings {}", settings.display()))?;
    let settings = hoso_engine::indicators::Settings::from_toml(&text)
        .map_err(|why| anyhow::anyhow!("{}: {why}", settings.display()))?;
    let service = open(&store.settings()).await?;
    let show_progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let report = hoso_adapters::reports::indicator_report(
        &service,
        period,
        unit.as_deref(),
        &settings,
        |done, total| {
            if show_progress && (done % 200 == 0 || done == total) {
                eprint!("\rreading dossiers {done}/{total}");
            }
        },
    )
    .await?;
    if show_progress {
        eprintln!();
    }
    if report.received + report.early + report.on_time + report.late == 0 {
        eprintln!(
            "note: no dossier of {} was received or processed from {from} to {to}",
            unit.as_deref().unwrap_or("any unit")
        );
    }
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ReportFormat::Csv => print!("{}", hoso_engine::indicators::to_csv(&report)),
        ReportFormat::Html => print!("{}", hoso_engine::indicators::to_html(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn report_period(
    from: &str,
    to: &str,
) -> anyhow::Result<hoso_engine::indicators::Period> {
    let day = |flag: &str, text: &str| {
        chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .with_context(|| format!("--{flag} {text:?} is not a date: write YYYY-MM-DD"))
    };
    let period = hoso_engine::indicators::Period {
        from: day("from", from)?,
        to: day("to", to)?,
    };
    anyhow::ensure!(period.from <= period.to, "--from {from} is after --to {to}");
    Ok(period)
}

pub(crate) async fn report_evaluation(
    unit: String,
    from: String,
    to: String,
    format: ReportFormat,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let period = report_period(&from, &to)?;
    hoso_engine::case::UnitId::parse(&unit)
        .with_context(|| format!("--unit {unit:?} is not a unit code like 000.00.17.H21"))?;
    let service = open(&store.settings()).await?;
    let evaluation = hoso_adapters::reports::evaluation(&service, &unit, period).await?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&evaluation)?),
        ReportFormat::Html => print!("{}", hoso_engine::indicators::evaluation_html(&evaluation)),
        ReportFormat::Csv => anyhow::bail!("the evaluation is printed as json or html, not csv"),
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn report_register(
    unit: String,
    from: String,
    to: String,
    format: ReportFormat,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let period = report_period(&from, &to)?;
    hoso_engine::case::UnitId::parse(&unit)
        .with_context(|| format!("--unit {unit:?} is not a unit code like 000.00.17.H21"))?;
    let service = open(&store.settings()).await?;
    let register = hoso_adapters::reports::register(&service, &unit, period).await?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&register)?),
        ReportFormat::Html => print!("{}", hoso_engine::forms::register_html(&register)),
        ReportFormat::Csv => anyhow::bail!("the register is printed as json or html, not csv"),
    }
    Ok(ExitCode::SUCCESS)
}
