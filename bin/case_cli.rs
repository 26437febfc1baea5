//! `hoso case show | list` and the timeline printing the demo shares.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Utc;
use hoso_adapters::store::AnyStore;
use hoso_engine::case::{
    Case, DossierCode, Event, Names, Status, UnitId, describe_actor_named, describe_named,
    format_instant, verify_chain,
};
use hoso_engine::clock::vietnam;
use hoso_engine::ports::{CaseQuery, Dossiers as _};
use hoso_engine::service::Service;

/// Prints a dossier: code, procedure, status, step and deadlines, then its timeline.
pub async fn print_case(service: &Service<AnyStore>, case: &Case, events: &[Event]) {
    let procedure = service.procedure_of(case).ok();
    let directory = service.directory();
    let people = hoso_adapters::app::dossiers::people_of(service.store(), events)
        .await
        .unwrap_or_default();
    let names = Names {
        procedure: procedure.as_deref(),
        directory: Some(&directory),
        people: Some(&people),
    };
    let name = procedure.as_ref().map_or(String::new(), |procedure| {
        procedure.definition().name.clone()
    });
    println!("● {}  {} — {}", case.code, case.procedure.code, name);
    println!(
        "  status: {} ({}, {})",
        case.status.label(),
        case.status.as_str(),
        case.status.code()
    );
    if let Some(step) = &case.step {
        let step_name = procedure
            .as_ref()
            .and_then(|procedure| procedure.step(step))
            .map_or(String::new(), |step| format!(" — {}", step.name));
        let due = case.step_due().map(format_instant).unwrap_or_default();
        println!(
            "  step: {step}{step_name} at {}, due {due}",
            names.unit(&case.unit)
        );
    }
    if let Some(appointment) = case.appointment {
        let mut line = format!(
            "  appointment (ngày hẹn trả): {}",
            format_instant(appointment)
        );
        if let Some(original) = case.original_appointment {
            line.push_str(&format!(
                " (extended once from {})",
                format_instant(original)
            ));
        }
        match case.finished_at {
            Some(finished) if finished <= appointment => line.push_str(" — finished on time"),
            Some(_) => line.push_str(" — finished late"),
            None if !case.status.is_closed() => {
                let now = Utc::now().with_timezone(&vietnam());
                match service
                    .calendars()
                    .working_time_between(now, appointment.with_timezone(&vietnam()))
                {
                    Ok(left) if Utc::now() < appointment => {
                        line.push_str(&format!(
                            " — {}h{:02} of working time left",
                            left.num_hours(),
                            left.num_minutes() % 60
                        ));
                    }
                    Ok(_) => line.push_str(" — overdue"),
                    Err(error) => line.push_str(&format!(" — {error}")),
                }
            }
            None => {}
        }
        println!("{line}");
    }
    for event in events {
        println!(
            "  {:>3}  {}  {}: {}",
            event.seq,
            format_instant(event.at),
            describe_actor_named(event, &names),
            describe_named(event, &names)
        );
    }
    match verify_chain(&case.code, events) {
        Ok(()) => println!("  chain: {} events, verified", events.len()),
        Err(broken) => println!("  chain: BROKEN — {broken}"),
    }
}

/// `hoso case show CODE`.
pub async fn show(service: &Service<AnyStore>, code: &str) -> anyhow::Result<ExitCode> {
    let code = DossierCode::parse(code).map_err(|error| anyhow::anyhow!("{error}"))?;
    let Some(case) = service.store().load(&code).await? else {
        eprintln!("no dossier {code} in this database");
        return Ok(ExitCode::FAILURE);
    };
    let events = service.store().events(&code).await?;
    print_case(service, &case, &events).await;
    Ok(ExitCode::SUCCESS)
}

/// `hoso case list`.
pub async fn list(
    service: &Service<AnyStore>,
    status: Option<String>,
    unit: Option<String>,
    text: Option<String>,
    limit: u32,
) -> anyhow::Result<ExitCode> {
    let status = status
        .map(|status| {
            Status::parse(&status).with_context(|| {
                format!(
                    "unknown status `{status}`; use one of: {}",
                    Status::ALL
                        .iter()
                        .map(|status| status.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
        })
        .transpose()?;
    let unit = unit
        .map(|unit| UnitId::parse(&unit).map_err(|error| anyhow::anyhow!("{error}")))
        .transpose()?;
    let rows = service
        .store()
        .list(&CaseQuery {
            status,
            unit,
            text,
            limit,
            ..CaseQuery::default()
        })
        .await?;
    for row in &rows {
        println!(
            "{}  {:<9} v{}  {:<32}  {:<12}  hẹn trả {}  {}",
            row.code,
            row.procedure_code,
            row.procedure_version,
            row.status.label(),
            row.step.as_deref().unwrap_or("-"),
            row.appointment
                .map(format_instant)
                .unwrap_or_else(|| "-".to_owned()),
            row.applicant_name
        );
    }
    println!(
        "{} dossier{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Prints an official form of a dossier as JSON or printable HTML.
pub async fn form(
    service: &Service<AnyStore>,
    code: &str,
    form: &str,
    html: bool,
) -> anyhow::Result<ExitCode> {
    let (code, case, procedure) = load_with_procedure(service, code).await?;
    let text = if form == "06" {
        let slip =
            hoso_adapters::app::reports::control_slip(service, &case, &procedure, Utc::now())
                .await
                .map_err(crate::unit_cli::refusal)?;
        if html {
            hoso_engine::forms::control_slip_html(&slip)
        } else {
            serde_json::to_string_pretty(&slip)? + "\n"
        }
    } else {
        let events = service.store().events(&code).await?;
        let filled = hoso_engine::forms::issued_form(
            form,
            &case,
            &events,
            &procedure,
            &service.calendars(),
            &service.directory(),
        )?;
        if html {
            hoso_engine::forms::official_form_html(&filled)
        } else {
            serde_json::to_string_pretty(&filled)? + "\n"
        }
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Prints a dossier's timeline as SVG.
pub async fn svg(service: &Service<AnyStore>, code: &str) -> anyhow::Result<ExitCode> {
    let (_, case, procedure) = load_with_procedure(service, code).await?;
    let now = Utc::now();
    let slip = hoso_adapters::app::reports::control_slip(service, &case, &procedure, now)
        .await
        .map_err(crate::unit_cli::refusal)?;
    print!("{}", hoso_engine::forms::timeline_svg(&case, &slip, now));
    Ok(ExitCode::SUCCESS)
}

/// A dossier and its procedure version, or an error naming what is missing.
async fn load_with_procedure(
    service: &Service<AnyStore>,
    code: &str,
) -> anyhow::Result<(
    DossierCode,
    Case,
    std::sync::Arc<hoso_engine::procedure::Procedure>,
)> {
    let code =
        DossierCode::parse(code).with_context(|| format!("`{code}` is not a dossier code"))?;
    let case = service
        .store()
        .load(&code)
        .await?
        .with_context(|| format!("no dossier {code}"))?;
    let procedure = service.procedure_of(&case)?;
    Ok((code, case, procedure))
}
