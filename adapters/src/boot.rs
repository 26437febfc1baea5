//! Starting hoso: open the store, publish the procedure folder, load every stored version.
//!
//! The procedure folder holds the versions designers publish; the store keeps every version ever
//! published, so a dossier pinned to version 1 keeps running on it after version 2 appears. A
//! file that changes an already-published version is refused: published versions never change.

use std::path::PathBuf;

use chrono::Utc;
use hoso_engine::messages::Lang;
use hoso_engine::ports::{Procedures as _, Published, StoreError};
use hoso_engine::procedure::{Procedure, ProcedureDefinition};
use hoso_engine::service::{Catalogue, Service};

use crate::calendars::{CalendarsError, load_calendars};
use crate::catalogue::{CatalogueError, load_catalogue};
use crate::store::AnyStore;

/// Where hoso finds its database, procedures and calendars.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://FILE` or `postgres://…`.
    pub database_url: String,
    /// The procedure folder.
    pub procedures: PathBuf,
    /// The calendar folder.
    pub calendars: PathBuf,
    /// The retention schedule every procedure's retention class must be defined in.
    pub retention: PathBuf,
}

impl From<CatalogueError> for BootError {
    fn from(error: CatalogueError) -> Self {
        Self::Catalogue(error)
    }
}

impl From<CalendarsError> for BootError {
    fn from(error: CalendarsError) -> Self {
        Self::Calendars(error)
    }
}

/// Why hoso could not start.
#[derive(Debug, thiserror::Error)]
pub enum BootError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    // The two folder errors carry their cause in their message, not as a `source`: an error chain
    // would print it a second time.
    /// The procedure folder.
    #[error("procedures: {0}")]
    Catalogue(CatalogueError),
    /// The calendar folder.
    #[error("calendars: {0}")]
    Calendars(CalendarsError),
    /// The retention schedule.
    #[error("retention schedule: {0}")]
    Retention(String),
    /// A file changes a version that is already published.
    #[error(
        "procedure {code} version {version} is already published with different content; published versions never change — give the changed file `version = {next}`"
    )]
    VersionChanged {
        /// The procedure.
        code: String,
        /// The version.
        version: u32,
        /// The version to use instead.
        next: u32,
    },
    /// A stored version no longer validates (a bug, or a stored row edited by hand).
    #[error("stored procedure {code} version {version} is invalid: {why}")]
    StoredInvalid {
        /// The procedure.
        code: String,
        /// The version.
        version: u32,
        /// The problems.
        why: String,
    },
}

/// What start-up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootReport {
    /// Versions newly published from the folder.
    pub published: usize,
    /// Versions known in total.
    pub versions: usize,
}

/// Opens the store and builds the service.
pub async fn open_service(
    settings: &Settings,
) -> Result<(Service<AnyStore>, BootReport), BootError> {
    let calendars = load_calendars(&settings.calendars)?;
    let schedule = crate::files::read_text(&settings.retention)
        .map_err(|diagnostic| BootError::Retention(diagnostic.to_string()))
        .and_then(|text| {
            hoso_engine::retention::RetentionSchedule::load(
                &settings.retention.display().to_string(),
                &text,
            )
            .map_err(|error| BootError::Retention(error.to_string()))
        })?;
    let files = load_catalogue(&settings.procedures, &schedule)?;
    let store = AnyStore::open(&settings.database_url).await?;
    let mut published = 0;
    for procedure in &files {
        let definition = serde_json::to_string(procedure.definition()).map_err(|error| {
            StoreError::Corrupt(format!("procedure {}: {error}", procedure.code()))
        })?;
        match store
            .publish_procedure(
                procedure.code().as_str(),
                procedure.version(),
                &definition,
                Utc::now(),
            )
            .await?
        {
            Published::New => published += 1,
            Published::Unchanged => {}
            Published::Differs => {
                let newest = store
                    .procedures()
                    .await?
                    .iter()
                    .filter(|stored| stored.code == procedure.code().as_str())
                    .map(|stored| stored.version)
                    .max()
                    .unwrap_or(procedure.version());
                return Err(BootError::VersionChanged {
                    code: procedure.code().to_string(),
                    version: procedure.version(),
                    next: newest + 1,
                });
            }
        }
    }
    let mut catalogue = Catalogue::new();
    catalogue.set_retention(schedule);
    for stored in store.procedures().await? {
        let invalid = |why: String| BootError::StoredInvalid {
            code: stored.code.clone(),
            version: stored.version,
            why,
        };
        let definition: ProcedureDefinition =
            serde_json::from_str(&stored.definition).map_err(|error| invalid(error.to_string()))?;
        let procedure = Procedure::from_stored(definition).map_err(|problems| {
            invalid(
                problems
                    .iter()
                    .map(|problem| format!("{}: {}", problem.path, problem.said.message(Lang::En)))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        catalogue.insert(procedure);
    }
    let report = BootReport {
        published,
        versions: catalogue.len(),
    };
    let directory = hoso_engine::ports::Units::directory(&store).await?;
    Ok((Service::new(store, catalogue, calendars, directory), report))
}
