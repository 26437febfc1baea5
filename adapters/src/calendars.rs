//! Reading the calendar folder (`fixtures/calendars/`): one TOML file per year; putting a new
//! set in force and recomputing, as audited events, the deadlines of the open dossiers counted
//! over a year that changed (an official year replacing a provisional draft).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use hoso_engine::case::{Actor, CALENDAR_ACTOR, Command, Rejection, Status};
use hoso_engine::clock::{Calendars, YearState, vietnam};
use hoso_engine::located::{Diagnostic, LoadError};
use hoso_engine::ports::{CaseQuery, Dossiers as _, StoreError};
use hoso_engine::service::{Request, Service, ServiceError, Target};

use crate::files::{FilesError, find_toml_files, read_text};
use crate::store::AnyStore;
use hoso_engine::ports::CalendarVersions as _;

/// Why the calendars could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CalendarsError {
    /// The folder could not be read.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// The folder holds no calendar file.
    #[error("no calendar files (*.toml) in {0}: add one file per year, e.g. 2026.toml")]
    Empty(String),
    /// Some files have problems.
    #[error("{0}")]
    Invalid(LoadError),
}

impl CalendarsError {
    /// The located problems, when the files were read but are wrong.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Self::Invalid(error) => &error.diagnostics,
            _ => &[],
        }
    }
}

/// Loads every calendar file in a folder.
pub fn load_calendars(folder: &Path) -> Result<Calendars, CalendarsError> {
    let texts: Vec<(String, String)> = read_folder(folder)?
        .into_iter()
        .map(|(file, text)| (file.display().to_string(), text))
        .collect();
    Calendars::load(&texts).map_err(CalendarsError::Invalid)
}

/// Every calendar file of a folder with its text; an unreadable file is a located problem.
pub fn read_folder(folder: &Path) -> Result<Vec<(PathBuf, String)>, CalendarsError> {
    let files = find_toml_files(&[folder.to_path_buf()])?;
    if files.is_empty() {
        return Err(CalendarsError::Empty(folder.display().to_string()));
    }
    let mut texts = Vec::new();
    let mut unreadable = Vec::new();
    for file in files {
        match read_text(&file) {
            Ok(text) => texts.push((file, text)),
            Err(diagnostic) => unreadable.push(*diagnostic),
        }
    }
    if !unreadable.is_empty() {
        return Err(CalendarsError::Invalid(LoadError {
            diagnostics: unreadable,
        }));
    }
    Ok(texts)
}

/// The year a calendar file covers, when it loads.
pub fn year_of(file: &Path, text: &str) -> Option<i32> {
    hoso_engine::clock::load_calendar(&file.display().to_string(), text)
        .ok()
        .map(|calendar| calendar.year())
}

/// Days from today (in Vietnam) until the last day an official calendar covers; -1 when today's
/// own year has none.
pub fn days_left(calendars: &Calendars) -> i64 {
    calendars.official_days_left(today())
}

/// Today's date in Vietnam.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&vietnam()).date_naive()
}

/// The days left and the last official day, when the official calendars end within `days` of
/// `today` (the log warns from [`LOG_WARNING_DAYS`], the pages from [`BANNER_DAYS`]).
pub fn ending_within(
    calendars: &Calendars,
    today: NaiveDate,
    days: i64,
) -> Option<(i64, Option<NaiveDate>)> {
    let days_left = calendars.official_days_left(today);
    (days_left <= days).then(|| (days_left, calendars.last_official_day(today)))
}

/// From this many days before the last official day, `serve` logs a warning each day.
pub const LOG_WARNING_DAYS: i64 = 90;

/// From this many days before the last official day, officers' and auditors' pages show a banner.
pub const BANNER_DAYS: i64 = 60;

/// Why the calendars in force could not be reconciled with the dossiers.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// The store failed; nothing after the failure was changed, and a later run resumes.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A provisional file came back for a year whose official calendar was already in force.
    #[error(
        "{location}the calendar for {year} is provisional, but an official {year} calendar was already in force (version {official_version}): put the official file for {year} back in the calendar folder; a published year never returns to a draft"
    )]
    DraftAfterOfficial {
        /// The year.
        year: i32,
        /// A recorded version in which the year was official.
        official_version: String,
        /// `file:line: ` of the `provisional` key, once [`ReconcileError::located`] found it.
        location: String,
    },
}

impl ReconcileError {
    /// Names the file and line that made a year provisional again, from the calendar folder.
    pub fn located(self, folder: &Path) -> Self {
        match self {
            Self::DraftAfterOfficial {
                year,
                official_version,
                location,
            } if location.is_empty() => Self::DraftAfterOfficial {
                year,
                official_version,
                location: provisional_line(folder, year).unwrap_or_default(),
            },
            other => other,
        }
    }
}

/// `file:line: ` of the `provisional` key in the folder's file for `year`.
fn provisional_line(folder: &Path, year: i32) -> Option<String> {
    let (file, text) = read_folder(folder)
        .ok()?
        .into_iter()
        .find(|(file, text)| year_of(file, text) == Some(year))?;
    let line = text
        .lines()
        .position(|line| line.trim_start().starts_with("provisional"))
        .map_or(1, |index| index + 1);
    Some(format!("{}:{line}: ", file.display()))
}

/// One dossier whose deadlines moved (or were confirmed) on the calendars now in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recomputed {
    /// The dossier.
    pub code: String,
    /// The appointment before.
    pub previous: Option<DateTime<Utc>>,
    /// The appointment now.
    pub appointment: Option<DateTime<Utc>>,
}

/// What putting calendars in force did to open dossiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// The calendars version now in force.
    pub version: String,
    /// Open dossiers looked at.
    pub examined: u64,
    /// Dossiers recomputed through `recompute_deadlines`, each an event and a notification.
    pub recomputed: Vec<Recomputed>,
    /// Dossiers whose appointment is an agreed date (Form 04) over a changed year: kept.
    pub kept_extended: Vec<String>,
    /// Dossiers that could not be recomputed, with why; a later run tries them again.
    pub failed: Vec<(String, String)>,
}

/// The statuses in which a dossier's deadlines run and `recompute_deadlines` applies.
const RUNNING: [Status; 3] = [
    Status::Received,
    Status::Processing,
    Status::FinancialObligationRequested,
];

/// Puts the service's calendars on record and recomputes, as audited events, the deadlines of
/// every open dossier counted over a year that differs from the calendars it was computed with
/// (an official year replacing a draft, or a corrected official year). Safe to run again and on
/// several nodes at once: each recompute's command id names the dossier and the version.
pub async fn reconcile(
    service: &Service<AnyStore>,
    now: DateTime<Utc>,
) -> Result<Reconciliation, ReconcileError> {
    let calendars = service.calendars();
    let current = calendars.year_states();
    let store = service.store();
    let recorded = recorded_versions(store).await?;
    refuse_draft_after_official(&current, &recorded)?;
    let years_json = serde_json::to_string(&current)
        .map_err(|error| StoreError::Corrupt(format!("calendar years: {error}")))?;
    store
        .record_calendar_version(calendars.version(), &years_json, now)
        .await?;
    // A dossier computed before versions were recorded is compared with the first record.
    let baseline = recorded
        .first()
        .map_or_else(|| current.clone(), |(_, years)| years.clone());
    // Years that differ from the current calendars in any version a dossier can carry: when
    // there are none (every ordinary restart), no dossier is read at all.
    let differs = |years: &BTreeMap<i32, YearState>| -> Vec<i32> {
        years
            .keys()
            .chain(current.keys())
            .copied()
            .filter(|year| years.get(year) != current.get(year))
            .collect()
    };
    let earliest_change = recorded
        .iter()
        .map(|(_, years)| years)
        .chain(std::iter::once(&baseline))
        .flat_map(differs)
        .min();
    let by_version: HashMap<String, BTreeMap<i32, YearState>> = recorded.into_iter().collect();

    let mut report = Reconciliation {
        version: calendars.version().to_owned(),
        ..Reconciliation::default()
    };
    let Some(earliest_change) = earliest_change else {
        return Ok(report);
    };
    for status in RUNNING {
        let mut offset = 0;
        loop {
            let page = store
                .list(&CaseQuery {
                    status: Some(status),
                    limit: 500,
                    offset,
                    ..CaseQuery::default()
                })
                .await?;
            offset += 500;
            let last_page = page.len() < 500;
            for summary in page {
                // A deadline counted only over years before every change cannot have moved.
                let last_deadline = summary.appointment.max(summary.step_due);
                if last_deadline
                    .is_none_or(|last| last.with_timezone(&vietnam()).year() < earliest_change)
                {
                    continue;
                }
                report.examined += 1;
                let Some(case) = store.load(&summary.code).await? else {
                    continue;
                };
                if case.calendar_version.as_deref() == Some(calendars.version()) {
                    continue;
                }
                let before = case
                    .calendar_version
                    .as_deref()
                    .and_then(|version| by_version.get(version))
                    .unwrap_or(&baseline);
                let changed = differs(before);
                let touched = |span: Option<(DateTime<Utc>, DateTime<Utc>)>| {
                    span.map(|(from, to)| {
                        let first = from.with_timezone(&vietnam()).year();
                        let last = to.with_timezone(&vietnam()).year();
                        changed
                            .iter()
                            .copied()
                            .filter(|year| (first..=last).contains(year))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                };
                if case.original_appointment.is_some() || case.supplement_requests > 0 {
                    // An agreed date (Form 04) stands; decide refuses to recompute it. A dossier
                    // resumed after a supplement counts from a base the recompute does not know
                    // (the resumption, or a paused clock): an officer recomputes it by hand.
                    let agreed = case.clock_started_at.zip(case.appointment);
                    if !touched(agreed).is_empty() || !touched(case.step_span()).is_empty() {
                        report.kept_extended.push(case.code.to_string());
                    }
                    continue;
                }
                let mut years = touched(case.appointment_span());
                years.extend(touched(case.step_span()));
                years.sort_unstable();
                years.dedup();
                if years.is_empty() {
                    continue;
                }
                let reason = reason_for(&years, before, &current);
                let request = Request {
                    command_id: format!("calendar:{}:{}", case.code, calendars.version()),
                    actor: Actor::system(CALENDAR_ACTOR),
                    target: Target::Existing(case.code.clone()),
                    expected_version: None,
                    command: Command::RecomputeDeadlines { reason },
                };
                match service.execute(request, now).await {
                    Ok(executed) => report.recomputed.push(Recomputed {
                        code: case.code.to_string(),
                        previous: case.appointment,
                        appointment: executed.case.appointment,
                    }),
                    // Already right (another node, or nothing moved and nothing to confirm).
                    Err(ServiceError::Rejected(Rejection::NotNow(_))) => {}
                    Err(error) => report
                        .failed
                        .push((case.code.to_string(), error.to_string())),
                }
            }
            if last_page {
                break;
            }
        }
    }
    Ok(report)
}

/// A year that was official in some recorded version may not come back as a draft.
fn refuse_draft_after_official(
    current: &BTreeMap<i32, YearState>,
    recorded: &[(String, BTreeMap<i32, YearState>)],
) -> Result<(), ReconcileError> {
    for (year, state) in current {
        if !state.provisional {
            continue;
        }
        if let Some((version, _)) = recorded
            .iter()
            .find(|(_, years)| years.get(year).is_some_and(|old| !old.provisional))
        {
            return Err(ReconcileError::DraftAfterOfficial {
                year: *year,
                official_version: version.clone(),
                location: String::new(),
            });
        }
    }
    Ok(())
}

/// The recorded calendars versions, oldest first.
async fn recorded_versions(
    store: &AnyStore,
) -> Result<Vec<(String, BTreeMap<i32, YearState>)>, StoreError> {
    let mut recorded = Vec::new();
    for (version, years) in store.calendar_versions().await? {
        let years = serde_json::from_str(&years)
            .map_err(|error| StoreError::Corrupt(format!("calendar version {version}: {error}")))?;
        recorded.push((version, years));
    }
    Ok(recorded)
}

/// The reason written on the timeline and sent to the applicant, in Vietnamese.
fn reason_for(
    years: &[i32],
    before: &BTreeMap<i32, YearState>,
    current: &BTreeMap<i32, YearState>,
) -> String {
    let list = |years: Vec<i32>| {
        years
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let confirmed: Vec<i32> = years
        .iter()
        .copied()
        .filter(|year| {
            before.get(year).is_none_or(|old| old.provisional)
                && current.get(year).is_some_and(|new| !new.provisional)
        })
        .collect();
    let corrected: Vec<i32> = years
        .iter()
        .copied()
        .filter(|year| !confirmed.contains(year))
        .collect();
    match (confirmed.is_empty(), corrected.is_empty()) {
        (false, true) => format!(
            "Thời hạn được tính lại theo lịch nghỉ lễ chính thức năm {} (thay cho lịch tạm tính)",
            list(confirmed)
        ),
        (true, false) => format!(
            "Thời hạn được tính lại theo lịch nghỉ lễ năm {} đã được điều chỉnh",
            list(corrected)
        ),
        _ => format!(
            "Thời hạn được tính lại theo lịch nghỉ lễ chính thức năm {} (thay cho lịch tạm tính) và lịch nghỉ lễ năm {} đã được điều chỉnh",
            list(confirmed),
            list(corrected)
        ),
    }
}

/// Re-reads the calendar folder; when its contents changed and are valid, puts them in force and
/// reconciles. Returns `None` when nothing changed. An invalid folder leaves the calendars in
/// force untouched and is reported.
pub async fn reload(
    service: &Service<AnyStore>,
    folder: &Path,
    now: DateTime<Utc>,
) -> Result<Option<Reconciliation>, ReloadError> {
    let loaded = load_calendars(folder)?;
    if loaded.version() == service.calendars().version() {
        return Ok(None);
    }
    // Checked before anything decides on them: a draft over an official year never goes in force.
    let recorded = recorded_versions(service.store())
        .await
        .map_err(|error| ReloadError::Reconcile(error.into()))?;
    refuse_draft_after_official(&loaded.year_states(), &recorded)
        .map_err(|error| ReloadError::Reconcile(error.located(folder)))?;
    service.replace_calendars(loaded);
    reconcile(service, now)
        .await
        .map(Some)
        .map_err(ReloadError::Reconcile)
}

/// Why re-reading the calendar folder changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The folder's files are wrong; the calendars in force stay.
    #[error("calendar folder: {0}")]
    Calendars(#[from] CalendarsError),
    /// The new calendars are in force but the dossiers were not all reconciled.
    #[error(transparent)]
    Reconcile(ReconcileError),
}

/// What one pass of [`watch`] saw, for the log.
#[derive(Debug)]
pub enum WatchPass {
    /// The folder changed: the new calendars are in force and the dossiers were reconciled.
    Reloaded(Reconciliation),
    /// The folder could not be put in force; the calendars in force stay.
    Failed(ReloadError),
    /// The official calendars end soon: days left until their last day (once a day).
    EndingSoon {
        /// Days until the last official day; negative once it has passed.
        days_left: i64,
        /// The last official day, if any.
        last_official_day: Option<NaiveDate>,
        /// Years covered only by a provisional draft.
        provisional: Vec<i32>,
    },
}

/// Every `interval`, re-reads the calendar folder (so `hoso calendar publish` takes effect on a
/// running server), and once a day from [`LOG_WARNING_DAYS`] before the last official day reports
/// how many days are left.
pub async fn watch(
    service: std::sync::Arc<Service<AnyStore>>,
    folder: std::path::PathBuf,
    interval: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
    mut on_pass: impl FnMut(WatchPass),
) {
    tokio::pin!(shutdown);
    let mut warned_on: Option<NaiveDate> = None;
    // A broken folder is reported when it breaks (or breaks differently), not every pass.
    let mut last_failure: Option<String> = None;
    // Dossiers a pass could not recompute are tried again each pass until one is clean.
    let mut unfinished = false;
    loop {
        let outcome = if unfinished {
            reconcile(&service, Utc::now())
                .await
                .map(Some)
                .map_err(ReloadError::Reconcile)
        } else {
            reload(&service, &folder, Utc::now()).await
        };
        match outcome {
            Ok(report) => {
                last_failure = None;
                unfinished = report
                    .as_ref()
                    .is_some_and(|report| !report.failed.is_empty());
                if let Some(report) = report {
                    on_pass(WatchPass::Reloaded(report));
                }
            }
            Err(error) => {
                unfinished = matches!(error, ReloadError::Reconcile(ReconcileError::Store(_)));
                let text = error.to_string();
                if last_failure.as_deref() != Some(text.as_str()) {
                    last_failure = Some(text);
                    on_pass(WatchPass::Failed(error));
                }
            }
        }
        let today = today();
        let calendars = service.calendars();
        if warned_on != Some(today)
            && let Some((days_left, last_official_day)) =
                ending_within(&calendars, today, LOG_WARNING_DAYS)
        {
            warned_on = Some(today);
            on_pass(WatchPass::EndingSoon {
                days_left,
                last_official_day,
                provisional: calendars.provisional_years(),
            });
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}
/// Logs what putting calendars in force did to open dossiers, when it did anything.
pub fn log_reconciliation(report: &Reconciliation) {
    if report.recomputed.is_empty() && report.kept_extended.is_empty() && report.failed.is_empty() {
        return;
    }
    tracing::info!(
        version = %report.version,
        examined = report.examined,
        recomputed = report.recomputed.len(),
        kept_extended = report.kept_extended.len(),
        failed = report.failed.len(),
        "calendars put in force; open dossiers recomputed"
    );
    for (code, error) in &report.failed {
        tracing::warn!(%code, %error, "deadlines not recomputed; the next start or reload tries again");
    }
}
