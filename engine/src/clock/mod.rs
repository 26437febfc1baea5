//! The legal clock: official calendars and working-time arithmetic, exact and fail-closed.
//!
//! Deadlines are counted on the calendar an operator entered from each year's official notice:
//! holidays, swapped working days, office hours and the 15:00 receipt cut-off. Computing into a
//! year without a calendar is an error naming that year — hoso never assumes Monday to Friday.
//!
//! Working hours are counted as a position on the "working timeline" (office seconds since some
//! origin). An instant maps to the smallest instant with the same position, so the end of the
//! morning (11:30) is where two hours after 09:30 lands, not the afternoon opening, and adding
//! working time is associative: `due(due(t, a), b) == due(t, a + b)`.

mod calendar;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use sha2::{Digest, Sha256};

pub use calendar::{
    Calendar, CalendarFile, HolidayEntry, SwappedDay, WeekdayName, ZONE, calendar_schema,
    load_calendar,
};

use crate::located::{Diagnostic, LoadError};
use crate::procedure::{AfterCutoff, TimeLimit};

/// Vietnam's offset from UTC, +07:00 all year.
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// Why a deadline could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The computation reached a year with no calendar file.
    #[error(
        "no calendar for {year}: add fixtures/calendars/{year}.toml from the official holiday notice for {year}"
    )]
    MissingYear {
        /// The year without a calendar.
        year: i32,
    },
}

/// The calendars of every year an agency has entered, with a fingerprint of their contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendars {
    years: BTreeMap<i32, Calendar>,
    version: String,
}

impl Calendars {
    /// Loads a set of calendar files (`(source name, text)`), one per year; every problem in every
    /// file is reported.
    pub fn load(files: &[(String, String)]) -> Result<Self, LoadError> {
        let mut years = BTreeMap::new();
        let mut sources: BTreeMap<i32, &str> = BTreeMap::new();
        let mut diagnostics = Vec::new();
        let mut hasher = Sha256::new();
        let mut sorted: Vec<&(String, String)> = files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (source, text) in sorted {
            match load_calendar(source, text) {
                Ok(calendar) => {
                    if let Some(first) = sources.get(&calendar.year) {
                        diagnostics.push(Diagnostic {
                            source: source.clone(),
                            line: 1,
                            column: 1,
                            path: "year".to_owned(),
                            pointer: "/year".to_owned(),
                            message: format!(
                                "year {} is already covered by {first}",
                                calendar.year
                            ),
                            fix: "keep one calendar file per year".to_owned(),
                        });
                        continue;
                    }
                    hasher.update(calendar.year.to_be_bytes());
                    hasher.update((text.len() as u64).to_be_bytes());
                    hasher.update(text.as_bytes());
                    sources.insert(calendar.year, source);
                    years.insert(calendar.year, calendar);
                }
                Err(error) => diagnostics.extend(error.diagnostics),
            }
        }
        if !diagnostics.is_empty() {
            return Err(LoadError { diagnostics });
        }
        Ok(Self {
            years,
            version: hex::encode(&hasher.finalize()[..8]),
        })
    }

    /// A short fingerprint of the calendar contents; a dossier records the one its deadlines were
    /// computed with, so a later edit of a calendar never moves them silently.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The years covered.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    fn year(&self, year: i32) -> Result<&Calendar, ClockError> {
        self.years
            .get(&year)
            .ok_or(ClockError::MissingYear { year })
    }

    /// Whether offices work on `date`.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, ClockError> {
        Ok(self.year(date.year())?.is_working_day(date))
    }

    /// The name of the holiday on `date`, if it is one.
    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.years
            .get(&date.year())
            .and_then(|calendar| calendar.holiday(date))
    }

    /// The last working day strictly before `date`.
    pub fn previous_working_day(&self, date: NaiveDate) -> Result<NaiveDate, ClockError> {
        let mut day = date;
        loop {
            day = day.pred_opt().ok_or(ClockError::MissingYear {
                year: date.year() - 1,
            })?;
            if self.is_working_day(day)? {
                return Ok(day);
            }
        }
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, ClockError> {
        let mut day = date;
        loop {
            day = day.succ_opt().ok_or(ClockError::MissingYear {
                year: date.year() + 1,
            })?;
            if self.is_working_day(day)? {
                return Ok(day);
            }
        }
    }

    /// The day a receipt at `at` counts from (D0): the day itself when it is a working day, the
    /// office has not closed, and the receipt is not after the cut-off (or the policy ignores the
    /// cut-off); otherwise the next working day.
    pub fn receipt_day(
        &self,
        at: DateTime<FixedOffset>,
        policy: AfterCutoff,
    ) -> Result<NaiveDate, ClockError> {
        let local = at.with_timezone(&vietnam()).naive_local();
        let calendar = self.year(local.date().year())?;
        // Whatever the policy, a receipt after closing time cannot be due the same evening.
        let counts_today = calendar.is_working_day(local.date())
            && local.time() <= calendar.closing()
            && match policy {
                // "Sau 15 giờ": 15:00:00 itself is not after the cut-off.
                AfterCutoff::NextWorkingDay => local.time() <= calendar.receipt_cutoff,
                AfterCutoff::SameDay => true,
            };
        if counts_today {
            Ok(local.date())
        } else {
            self.next_working_day(local.date())
        }
    }

    /// Closing time of the `days`-th working day after the receipt day (0: the receipt day).
    pub fn due_after_working_days(
        &self,
        at: DateTime<FixedOffset>,
        days: u32,
        policy: AfterCutoff,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        let mut day = self.receipt_day(at, policy)?;
        for _ in 0..days {
            day = self.next_working_day(day)?;
        }
        let closing = self.year(day.year())?.closing();
        Ok(local_instant(day.and_time(closing)))
    }

    /// The instant `amount` of office time after `at`, counted from the next opening when `at`
    /// is outside office hours, skipping lunch, rest days and holidays.
    pub fn add_working_time(
        &self,
        at: DateTime<FixedOffset>,
        amount: Duration,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        let local = at.with_timezone(&vietnam()).naive_local();
        let mut remaining = amount.max(Duration::zero());
        let mut day = local.date();
        let mut cursor = local;
        loop {
            let calendar = self.year(day.year())?;
            if calendar.is_working_day(day) {
                for (start, end) in &calendar.office_hours {
                    let start = day.and_time(*start);
                    let end = day.and_time(*end);
                    if cursor > end {
                        continue;
                    }
                    let from = cursor.max(start);
                    let available = end - from;
                    if remaining <= available {
                        return Ok(local_instant(from + remaining));
                    }
                    remaining -= available;
                    cursor = end;
                }
            }
            day = day.succ_opt().ok_or(ClockError::MissingYear {
                year: day.year() + 1,
            })?;
            cursor = day.and_time(NaiveTime::MIN);
        }
    }

    /// The latest instant `amount` of office time before `at` (walking back over lunch, rest days
    /// and holidays); the mirror of [`Calendars::add_working_time`].
    pub fn subtract_working_time(
        &self,
        at: DateTime<FixedOffset>,
        amount: Duration,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        let local = at.with_timezone(&vietnam()).naive_local();
        let mut remaining = amount.max(Duration::zero());
        let mut day = local.date();
        let mut cursor = local;
        loop {
            let calendar = self.year(day.year())?;
            if calendar.is_working_day(day) {
                for (start, end) in calendar.office_hours.iter().rev() {
                    let start = day.and_time(*start);
                    let end = day.and_time(*end);
                    if cursor < start {
                        continue;
                    }
                    let from = cursor.min(end);
                    let available = from - start;
                    if remaining <= available {
                        return Ok(local_instant(from - remaining));
                    }
                    remaining -= available;
                    cursor = start;
                }
            }
            day = day.pred_opt().ok_or(ClockError::MissingYear {
                year: day.year() - 1,
            })?;
            cursor = day.and_time(NaiveTime::MIN) + Duration::days(1) - Duration::nanoseconds(1);
        }
    }

    /// When to warn that `deadline` is near: `window` working days earlier at the same time of
    /// day, or `window` working hours of office time earlier.
    pub fn warning_before(
        &self,
        deadline: DateTime<FixedOffset>,
        window: TimeLimit,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        match window {
            TimeLimit::WorkingHours(hours) => {
                self.subtract_working_time(deadline, Duration::hours(i64::from(hours)))
            }
            TimeLimit::WorkingDays(days) => {
                let local = deadline.with_timezone(&vietnam()).naive_local();
                let mut day = local.date();
                for _ in 0..days {
                    day = self.previous_working_day(day)?;
                }
                Ok(local_instant(day.and_time(local.time())))
            }
        }
    }

    /// Office time between two instants (zero when `to` is not after `from`).
    pub fn working_time_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Result<Duration, ClockError> {
        if to <= from {
            return Ok(Duration::zero());
        }
        let from = from.with_timezone(&vietnam()).naive_local();
        let to = to.with_timezone(&vietnam()).naive_local();
        let mut total = Duration::zero();
        let mut day = from.date();
        while day <= to.date() {
            let calendar = self.year(day.year())?;
            if calendar.is_working_day(day) {
                for (start, end) in &calendar.office_hours {
                    let start = day.and_time(*start).max(from);
                    let end = day.and_time(*end).min(to);
                    if end > start {
                        total += end - start;
                    }
                }
            }
            day = day.succ_opt().ok_or(ClockError::MissingYear {
                year: day.year() + 1,
            })?;
        }
        Ok(total)
    }

    /// The legal deadline for a time limit counted from a receipt at `at`.
    pub fn due(
        &self,
        at: DateTime<FixedOffset>,
        limit: TimeLimit,
        policy: AfterCutoff,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        match limit {
            TimeLimit::WorkingDays(days) => self.due_after_working_days(at, days, policy),
            TimeLimit::WorkingHours(hours) => {
                self.add_working_time(at, Duration::hours(i64::from(hours)))
            }
        }
    }

    /// When a step entered at `at` is due: working hours are added as office time; working days
    /// end at the closing time of the n-th working day after the day of entry.
    pub fn step_due(
        &self,
        at: DateTime<FixedOffset>,
        allotted: TimeLimit,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        self.due(at, allotted, AfterCutoff::SameDay)
    }
}

impl fmt::Display for Calendars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let years: Vec<String> = self.years.keys().map(ToString::to_string).collect();
        write!(
            f,
            "calendars {} (version {})",
            years.join(", "),
            self.version
        )
    }
}

/// A Vietnam-local wall time as an instant.
fn local_instant(local: NaiveDateTime) -> DateTime<FixedOffset> {
    vietnam().from_utc_datetime(&(local - Duration::hours(7)))
}

#[cfg(test)]
mod tests;
