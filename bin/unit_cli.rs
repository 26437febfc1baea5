//! `hoso unit`: the unit directory — units with their national codes, routes from a receiving
//! unit's procedure unit kinds to units, retirements with successors, and a file that holds all
//! three (docs/units.md).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use hoso_adapters::app::AppError;
use hoso_adapters::app::units::{self, NewRetirement, NewUnit, RouteView};

use crate::{StoreArgs, open};

/// The unit directory.
#[derive(Debug, Subcommand)]
pub(crate) enum UnitCommand {
    /// Add a unit, or change an existing unit's name, parent and level.
    Add {
        /// National code V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g. 000.00.17.H21.
        #[arg(long)]
        code: String,
        /// Name, e.g. "UBND xã Tân Lập".
        #[arg(long)]
        name: String,
        /// The parent unit's code.
        #[arg(long)]
        parent: Option<String>,
        /// central, province, district or commune.
        #[arg(long)]
        level: Option<String>,
        /// The first day it exists (YYYY-MM-DD); before it, it receives no dossier.
        #[arg(long)]
        valid_from: Option<chrono::NaiveDate>,
        /// The place name its forms are dated from (địa danh), e.g. "Tân Lập".
        #[arg(long)]
        place: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Route a procedure's unit kind, for dossiers received at a unit, to a unit.
    Route {
        /// The receiving unit's code.
        #[arg(long)]
        receiving: String,
        /// The unit kind as procedures name it (the `id` of a `[[units]]`), e.g. cong_an_xa.
        #[arg(long)]
        kind: String,
        /// The unit that handles it.
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Every unit and route.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Retire a unit: from DATE its successor handles its work, its routes and its open dossiers.
    Retire {
        /// The unit's code.
        #[arg(long)]
        code: String,
        /// The successor's code.
        #[arg(long)]
        successor: String,
        /// The first day the successor handles the work (YYYY-MM-DD).
        #[arg(long)]
        from: chrono::NaiveDate,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Import a TOML file of units and routes: all of it, or nothing.
    Import {
        /// The file, e.g. fixtures/units.toml.
        file: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// An application refusal as one line per field.
pub(crate) fn refusal(error: AppError) -> anyhow::Error {
    match error {
        AppError::Invalid(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|field| format!(
                    "{}: {}",
                    field.pointer.trim_start_matches('/'),
                    field.message(hoso_engine::messages::Lang::En)
                ))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        AppError::Unavailable(detail) => anyhow::anyhow!("the database is unreachable: {detail}"),
        AppError::Internal(detail) => anyhow::anyhow!("{detail}"),
        other => anyhow::anyhow!("{other:?}"),
    }
}

pub(crate) async fn run(command: UnitCommand) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now();
    match command {
        UnitCommand::Add {
            code,
            name,
            parent,
            level,
            valid_from,
            place,
            store,
        } => {
            let service = open(&store.settings()).await?;
            let unit = NewUnit {
                code,
                name,
                parent,
                level,
                valid_from,
                place,
            };
            let saved = units::add_unit(&service, &unit, now)
                .await
                .map_err(refusal)?;
            println!("unit {saved} saved");
        }
        UnitCommand::Route {
            receiving,
            kind,
            unit,
            store,
        } => {
            let service = open(&store.settings()).await?;
            let route = RouteView {
                receiving,
                kind,
                unit,
            };
            let saved = units::add_route(&service, &route, now)
                .await
                .map_err(refusal)?;
            let directory = service.directory();
            println!(
                "dossiers received at {} go to {} for `{}`",
                directory.name_of(&saved.receiving),
                directory.name_of(&saved.unit),
                saved.kind
            );
        }
        UnitCommand::List { store } => {
            let service = open(&store.settings()).await?;
            print!("{}", listing(&service.directory()));
        }
        UnitCommand::Retire {
            code,
            successor,
            from,
            store,
        } => {
            let service = open(&store.settings()).await?;
            let retirement = NewRetirement { successor, from };
            let saved = units::retire(&service, &code, &retirement, now)
                .await
                .map_err(refusal)?;
            let directory = service.directory();
            println!(
                "{saved} retired from {from}: {} takes its work, its routes and its open dossiers",
                directory.name_of(&directory.current(&saved.code, from))
            );
        }
        UnitCommand::Import { file, store } => {
            crate::import_units(&open(&store.settings()).await?, &file).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The directory as a table: units (retired ones with their successor), then routes.
fn listing(directory: &hoso_engine::case::Directory) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if directory.is_empty() {
        out.push_str("no units: every step stays at the receiving unit (docs/units.md)\n");
        return out;
    }
    let _ = writeln!(out, "{:<15} {:<10} {:<15} name", "code", "level", "parent");
    for unit in directory.units() {
        let retired = unit.retired.as_ref().map_or_else(String::new, |retired| {
            format!("  (retired from {}: → {})", retired.from, retired.successor)
        });
        let _ = writeln!(
            out,
            "{:<15} {:<10} {:<15} {}{retired}",
            unit.code.as_str(),
            unit.level.map_or("-", |level| level.as_str()),
            unit.parent.as_ref().map_or("-", |parent| parent.as_str()),
            unit.name
        );
    }
    let routes: Vec<_> = directory.routes().collect();
    if !routes.is_empty() {
        let _ = writeln!(out, "\n{:<15} {:<20} unit", "receiving", "kind");
        for route in routes {
            let _ = writeln!(
                out,
                "{:<15} {:<20} {} ({})",
                route.receiving.as_str(),
                route.kind,
                route.unit.as_str(),
                directory.name_of(&route.unit)
            );
        }
    }
    out
}
