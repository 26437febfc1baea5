//! `hoso user`: staff accounts and their tokens (shown once, stored hashed).

use std::process::ExitCode;

use crate::{UserCommand, open};
use hoso_engine::ports::Access as _;

pub(crate) async fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    use hoso_adapters::access::{Secret, User, UserKind};
    match command {
        UserCommand::Add {
            role,
            unit,
            name,
            citizen_id,
            days,
            store,
        } => {
            let kind = UserKind::parse(&role).unwrap_or(UserKind::Officer);
            let unit = unit
                .map(|unit| {
                    hoso_engine::case::UnitId::parse(&unit)
                        .map_err(|error| anyhow::anyhow!("--unit: {error}"))
                })
                .transpose()?;
            if kind == UserKind::Officer {
                let service = open(&store.settings()).await?;
                let known = service
                    .catalogue()
                    .iter()
                    .flat_map(|procedure| {
                        procedure
                            .definition()
                            .roles
                            .iter()
                            .map(|role| role.id.clone())
                            .collect::<Vec<_>>()
                    })
                    .any(|known| known == role);
                anyhow::ensure!(
                    known,
                    "`{role}` is neither designer, auditor, admin, citizen nor a role of any published procedure"
                );
                anyhow::ensure!(
                    unit.is_some(),
                    "an officer needs --unit, the unit they work in"
                );
            }
            if kind == UserKind::Citizen {
                let valid = citizen_id
                    .as_deref()
                    .is_some_and(hoso_engine::case::is_id_number);
                anyhow::ensure!(
                    valid,
                    "a citizen needs --citizen-id, a 12-digit personal identification number"
                );
            }
            anyhow::ensure!((1..=3650).contains(&days), "--days must be from 1 to 3650");
            let service = open(&store.settings()).await?;
            if let Some(unit) = unit.as_ref().filter(|_| kind == UserKind::Officer) {
                let directory = service.directory();
                let today = hoso_engine::clock::vietnam_day(chrono::Utc::now());
                match directory.unit(unit) {
                    None if !directory.is_empty() => anyhow::bail!(
                        "--unit: unit {unit} is not in the unit directory; add it with `hoso unit add --code {unit} --name …` or pick one from `hoso unit list`"
                    ),
                    Some(entry) if entry.is_retired_on(today) => anyhow::bail!(
                        "--unit: {entry} is retired; its work is done by {}",
                        directory.current(unit, today)
                    ),
                    _ => {}
                }
            }
            let user = User {
                id: format!("u-{}", uuid::Uuid::now_v7().simple()),
                name,
                kind,
                role: (kind == UserKind::Officer).then(|| role.clone()),
                unit: if kind == UserKind::Officer {
                    unit
                } else {
                    None
                },
                citizen_id: if kind == UserKind::Citizen {
                    citizen_id
                } else {
                    None
                },
            };
            let now = chrono::Utc::now();
            service.store().add_user(&user, now).await?;
            let secret = Secret::generate()
                .map_err(|error| anyhow::anyhow!("no randomness from the OS: {error}"))?;
            service
                .store()
                .add_token(
                    &secret.hash(),
                    &user.id,
                    now,
                    now + chrono::Duration::days(days),
                )
                .await?;
            println!(
                "user {} ({}) added; token (shown once, keep it secret):",
                user.id,
                user.kind.as_str()
            );
            println!("{}", secret.expose());
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Revoke { user, store } => {
            let service = open(&store.settings()).await?;
            if service.store().user(&user).await?.is_none() {
                eprintln!("no user {user}");
                return Ok(ExitCode::FAILURE);
            }
            let revoked = service
                .store()
                .revoke_tokens(&user, chrono::Utc::now())
                .await?;
            println!("revoked {revoked} token(s) of {user}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
