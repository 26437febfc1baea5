//! Operators' commands: due timers, the outbox and its dead letters, payments to reconcile or
//! refund, projections rebuilt from events.

use std::process::ExitCode;

use anyhow::Context as _;

use crate::serve_cli::{VnpayArgs, shutdown_signal};
use crate::{OutboxCommand, StoreArgs, TimersCommand, open};
use hoso_engine::ports::{Delivery as _, DeliveryState};

pub(crate) async fn run_timers(command: TimersCommand) -> anyhow::Result<ExitCode> {
    match command {
        TimersCommand::Fire { at, store } => {
            let now = match at {
                Some(at) => chrono::DateTime::parse_from_rfc3339(&at)
                    .with_context(|| format!("--at {at:?} is not an RFC 3339 instant"))?
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let service = open(&store.settings()).await?;
            let pass = hoso_adapters::worker::fire_due_timers(&service, now, 200).await?;
            println!(
                "timers at {}: {} deadlines raised, {} released with nothing to do, {} already fired, {} deferred",
                hoso_engine::case::format_instant(now),
                pass.raised,
                pass.released,
                pass.already,
                pass.deferred
            );
            Ok(ExitCode::SUCCESS)
        }
        TimersCommand::Run { interval, store } => {
            let service = std::sync::Arc::new(open(&store.settings()).await?);
            println!("firing due timers every {interval}s; Ctrl-C to stop");
            hoso_adapters::worker::run_timers(
                service,
                std::time::Duration::from_secs(interval.max(1)),
                shutdown_signal(),
                |pass| match pass {
                    Ok(pass) if pass.raised + pass.released > 0 => {
                        println!(
                            "{}: {} raised, {} released",
                            hoso_engine::case::format_instant(chrono::Utc::now()),
                            pass.raised,
                            pass.released
                        );
                    }
                    Ok(_) => {}
                    Err(error) => eprintln!("timer pass failed (will retry): {error}"),
                },
            )
            .await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) async fn run_outbox(command: OutboxCommand) -> anyhow::Result<ExitCode> {
    let (store, key, operator, drop_reason) = match command {
        OutboxCommand::List {
            state,
            limit,
            store,
        } => {
            let state = state
                .as_deref()
                .map(|state| {
                    DeliveryState::parse(state).ok_or_else(|| {
                        anyhow::anyhow!("--state must be pending, delivered, dead or dropped")
                    })
                })
                .transpose()?;
            let service = open(&store.settings()).await?;
            let entries = service.store().outbox_entries(state, limit).await?;
            for entry in &entries {
                println!(
                    "{:<44} {:<7} {:<9} attempts {:<2} next {}  {}",
                    entry.idempotency_key,
                    entry.topic,
                    entry.state.as_str(),
                    entry.attempts,
                    hoso_engine::case::format_instant(entry.next_attempt_at),
                    match (&entry.last_error, &entry.provider_id) {
                        (Some(error), _) if entry.state != DeliveryState::Delivered =>
                            error.clone(),
                        (_, Some(provider)) => format!(
                            "{provider} {}",
                            entry.delivery_status.as_deref().unwrap_or_default()
                        ),
                        _ => String::new(),
                    }
                );
            }
            println!(
                "{} side effect{}",
                entries.len(),
                if entries.len() == 1 { "" } else { "s" }
            );
            return Ok(ExitCode::SUCCESS);
        }
        OutboxCommand::Retry {
            key,
            operator,
            store,
        } => (store, key, operator, None),
        OutboxCommand::Drop {
            key,
            reason,
            operator,
            store,
        } => (store, key, operator, Some(reason)),
    };
    let service = open(&store.settings()).await?;
    let Some(entry) = service.store().outbox_entry(&key).await? else {
        eprintln!("no side effect {key}; see `hoso outbox list`");
        return Ok(ExitCode::FAILURE);
    };
    if entry.state == DeliveryState::Delivered {
        eprintln!(
            "{key} was delivered ({}); there is nothing to retry or drop",
            entry.provider_id.unwrap_or_default()
        );
        return Ok(ExitCode::FAILURE);
    }
    let code = entry
        .case_code
        .ok_or_else(|| anyhow::anyhow!("{key} names no dossier"))?;
    let command = match &drop_reason {
        None => hoso_engine::case::Command::RetryEffect {
            idempotency_key: key.clone(),
        },
        Some(reason) => hoso_engine::case::Command::DropEffect {
            idempotency_key: key.clone(),
            reason: reason.clone(),
        },
    };
    let request = hoso_engine::service::Request {
        command_id: uuid::Uuid::now_v7().to_string(),
        actor: hoso_engine::case::Actor::system(format!("operator:{operator}")),
        target: hoso_engine::service::Target::Existing(code.clone()),
        expected_version: None,
        command,
    };
    let executed = service.execute(request, chrono::Utc::now()).await?;
    let state = service
        .store()
        .outbox_entry(&key)
        .await?
        .map_or("gone", |entry| entry.state.as_str());
    println!(
        "{key}: {} by operator:{operator}, recorded as event {} of {code}; now {state}",
        if drop_reason.is_some() {
            "dropped"
        } else {
            "queued again"
        },
        executed.case.version
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn refunds(store: StoreArgs) -> anyhow::Result<ExitCode> {
    let service = open(&store.settings()).await?;
    let due = hoso_engine::ports::Payments::payments_in(
        service.store(),
        hoso_engine::ports::PaymentState::RefundDue,
    )
    .await?;
    for record in &due {
        println!(
            "{}  {}  {} đồng  {}  {}",
            record.txn_ref,
            record.case_code,
            record.amount.as_dong(),
            record.gateway,
            hoso_engine::case::format_instant(record.created_at)
        );
    }
    println!(
        "{} payment(s) to refund, {} đồng in all",
        due.len(),
        due.iter()
            .map(|record| record.amount.as_dong())
            .sum::<u64>()
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn reconcile(
    older_than_minutes: i64,
    vnpay: VnpayArgs,
    store: StoreArgs,
) -> anyhow::Result<ExitCode> {
    let settings = vnpay
        .settings()
        .context("give --vnpay-tmn-code and --vnpay-hash-secret (or HOSO_VNPAY_TMN_CODE, HOSO_VNPAY_HASH_SECRET)")?;
    let service = open(&store.settings()).await?;
    let report = hoso_adapters::payment::reconcile_vnpay(
        &service,
        &settings,
        chrono::Duration::minutes(older_than_minutes.max(0)),
        chrono::Utc::now(),
    )
    .await
    .map_err(|error| anyhow::anyhow!(error))?;
    println!(
        "checked {} pending payments: {} paid, {} failed, {} unchanged",
        report.checked, report.paid, report.failed, report.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn rebuild(store: StoreArgs) -> anyhow::Result<ExitCode> {
    let service = open(&store.settings()).await?;
    let report = service.rebuild_projections().await?;
    println!(
        "rebuilt {} dossiers from their events: {} projections differed and were rewritten",
        report.dossiers, report.rewritten
    );
    Ok(ExitCode::SUCCESS)
}
