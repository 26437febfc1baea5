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
mod draft;
pub mod lunar;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use sha2::{Digest, Sha256};

pub use calendar::{
    Calendar, CalendarFile, HolidayEntry, SwappedDay, WeekdayName, ZONE, calendar_schema,
    load_calendar,
};
pub use draft::{DRAFT_YEARS, DraftError, draft_calendar};

use crate::located::{Diagnostic, LoadError};
use crate::messages::DesignProblem;
use crate::procedure::{AfterCutoff, TimeLimit};

/// Vietnam's offset from UTC, +07:00 all year.
pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// The calendar day in Vietnam at an instant: the day units are retired from, routes are checked
/// on, and dossiers are numbered by.
pub fn vietnam_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&vietnam()).date_naive()
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

/// What deadlines depend on in one year's calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct YearState {
    /// [`Calendar::fingerprint`].
    pub fingerprint: String,
    /// Whether the year was a draft.
    pub provisional: bool,
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
        let mut sorted: Vec<&(String, String)> = files.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for (source, text) in sorted {
            match load_calendar(source, text) {
                Ok(calendar) => {
                    if let Some(first) = sources.get(&calendar.year) {
                        // Point at the `year` line, the key that collides.
                        let line = text
                            .lines()
                            .position(|line| line.trim_start().starts_with("year"))
                            .map_or(1, |index| index + 1);
                        diagnostics.push(Diagnostic {
                            source: source.clone(),
                            line,
                            column: 1,
                            path: "year".to_owned(),
                            pointer: "/year".to_owned(),
                            said: DesignProblem::YearTwice {
                                year: calendar.year,
                                first: (*first).to_owned(),
                            },
                        });
                        continue;
                    }
                    sources.insert(calendar.year, source);
                    years.insert(calendar.year, calendar);
                }
                Err(error) => diagnostics.extend(error.diagnostics),
            }
        }
        if !diagnostics.is_empty() {
            return Err(LoadError { diagnostics });
        }
        Ok(Self::from_years(years))
    }

    fn from_years(years: BTreeMap<i32, Calendar>) -> Self {
        let mut hasher = Sha256::new();
        for (year, calendar) in &years {
            hasher.update(year.to_be_bytes());
            hasher.update(calendar.fingerprint().as_bytes());
        }
        Self {
            years,
            version: hex::encode(&hasher.finalize()[..8]),
        }
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

    /// The calendar of one year, if there is one.
    pub fn calendar(&self, year: i32) -> Option<&Calendar> {
        self.years.get(&year)
    }

    /// The years whose file is a provisional draft.
    pub fn provisional_years(&self) -> Vec<i32> {
        self.years
            .values()
            .filter(|calendar| calendar.provisional)
            .map(|calendar| calendar.year)
            .collect()
    }

    /// Each year's fingerprint and whether it is provisional.
    pub fn year_states(&self) -> BTreeMap<i32, YearState> {
        self.years
            .iter()
            .map(|(year, calendar)| {
                (
                    *year,
                    YearState {
                        fingerprint: calendar.fingerprint(),
                        provisional: calendar.provisional,
                    },
                )
            })
            .collect()
    }

    /// The provisional years a span of time crosses: a deadline counted from `from` to `to` is
    /// provisional (tạm tính) when this is not empty.
    pub fn provisional_years_between(
        &self,
        from: DateTime<FixedOffset>,
        to: DateTime<FixedOffset>,
    ) -> Vec<i32> {
        let first = from.with_timezone(&vietnam()).year();
        let last = to.with_timezone(&vietnam()).year();
        self.years
            .range(first.min(last)..=last.max(first))
            .filter(|(_, calendar)| calendar.provisional)
            .map(|(year, _)| *year)
            .collect()
    }

    /// Whether a deadline counted over `span` (from, to) crossed a provisional year.
    pub fn is_provisional_span(&self, span: Option<(DateTime<Utc>, DateTime<Utc>)>) -> bool {
        span.is_some_and(|(from, to)| {
            !self
                .provisional_years_between(from.fixed_offset(), to.fixed_offset())
                .is_empty()
        })
    }

    /// The last day of the last official (not provisional) year reached from `today` without a
    /// gap; `None` when `today`'s own year has no official calendar. Deadlines stop being
    /// certain after it.
    pub fn last_official_day(&self, today: NaiveDate) -> Option<NaiveDate> {
        let mut year = today.year();
        let mut last = None;
        while self
            .years
            .get(&year)
            .is_some_and(|calendar| !calendar.provisional)
        {
            last = NaiveDate::from_ymd_opt(year, 12, 31);
            year += 1;
        }
        last
    }

    /// Days from `today` until the last official day: 0 on that day, -1 when today's own year
    /// has no official calendar.
    pub fn official_days_left(&self, today: NaiveDate) -> i64 {
        self.last_official_day(today)
            .map_or(-1, |last| (last - today).num_days())
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

    /// The office time of a working day in `date`'s year (7.5 hours for 07:30–11:30 and
    /// 13:30–17:00).
    pub fn office_day(&self, date: NaiveDate) -> Result<Duration, ClockError> {
        Ok(self
            .year(date.year())?
            .office_hours
            .iter()
            .map(|(start, end)| *end - *start)
            .sum())
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
            TimeLimit::CalendarDays(days) => Ok(deadline - Duration::days(i64::from(days))),
            TimeLimit::Months(months) => {
                let local = deadline.with_timezone(&vietnam()).naive_local();
                let earlier = local
                    .checked_sub_months(chrono::Months::new(months))
                    .ok_or(ClockError::MissingYear {
                        year: local.year() - 1,
                    })?;
                Ok(local_instant(earlier))
            }
        }
    }

    /// Closing time of the last day of a calendar-day or month limit whose first day is the day
    /// after `day_zero`; a last day off moves to the next working day (Civil Code 2015 art. 148).
    fn due_on_calendar(
        &self,
        day_zero: NaiveDate,
        limit: TimeLimit,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        let beyond = || ClockError::MissingYear {
            year: day_zero.year() + 1,
        };
        let last = match limit {
            TimeLimit::Months(months) => day_zero
                .checked_add_months(chrono::Months::new(months))
                .ok_or_else(beyond)?,
            TimeLimit::CalendarDays(days) => day_zero
                .checked_add_days(chrono::Days::new(u64::from(days)))
                .ok_or_else(beyond)?,
            TimeLimit::WorkingDays(_) | TimeLimit::WorkingHours(_) => day_zero,
        };
        let last = if self.is_working_day(last)? {
            last
        } else {
            self.next_working_day(last)?
        };
        let closing = self.year(last.year())?.closing();
        Ok(local_instant(last.and_time(closing)))
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
            TimeLimit::CalendarDays(_) | TimeLimit::Months(_) => {
                // Receipt on a day off or after the cut-off counts from the next working day.
                let day_zero = self.receipt_day(at, policy)?;
                self.due_on_calendar(day_zero, limit)
            }
        }
    }

    /// When a window or cap opened at `at` closes: working hours are added as office time;
    /// working days end at the closing time of the n-th working day after the day it opened.
    pub fn step_due(
        &self,
        at: DateTime<FixedOffset>,
        allotted: TimeLimit,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        self.due(at, allotted, AfterCutoff::SameDay)
    }

    /// When a unit that received the dossier at `at` must hand it on. A dossier handed over
    /// after the 15:00 cut-off, or outside office days, is forwarded at the start of the next
    /// working day (Decree 61/2018 art. 18.2), so a same-day or hourly allotment counts from that
    /// opening instead of ending the afternoon it arrived; an allotment of working days already
    /// ends on a later day and counts from the day of entry.
    pub fn handover_due(
        &self,
        at: DateTime<FixedOffset>,
        allotted: TimeLimit,
    ) -> Result<DateTime<FixedOffset>, ClockError> {
        match allotted {
            TimeLimit::WorkingHours(hours) => {
                let local = at.with_timezone(&vietnam()).naive_local();
                let day = self.receipt_day(at, AfterCutoff::NextWorkingDay)?;
                let start = if day == local.date() {
                    at
                } else {
                    let opening = self
                        .year(day.year())?
                        .office_hours
                        .first()
                        .map_or(NaiveTime::MIN, |(start, _)| *start);
                    local_instant(day.and_time(opening))
                };
                self.add_working_time(start, Duration::hours(i64::from(hours)))
            }
            TimeLimit::WorkingDays(0) => self.due(at, allotted, AfterCutoff::NextWorkingDay),
            other => self.due(at, other, AfterCutoff::SameDay),
        }
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

/// The shipped calendar files by year, for tests.
#[cfg(test)]
pub(crate) fn shipped_years(years: &[i32]) -> Calendars {
    let text = |year: i32| match year {
        2024 => include_str!("../../../fixtures/calendars/2024.toml"),
        2025 => include_str!("../../../fixtures/calendars/2025.toml"),
        2026 => include_str!("../../../fixtures/calendars/2026.toml"),
        2027 => include_str!("../../../fixtures/calendars/2027.toml"),
        _ => "",
    };
    let files: Vec<(String, String)> = years
        .iter()
        .map(|year| (format!("{year}.toml"), text(*year).to_owned()))
        .collect();
    Calendars::load(&files).expect("the shipped calendars load")
}

/// The Vietnamese name of a weekday as written inside a sentence ("thứ Hai", "Chủ nhật").
pub(crate) fn weekday_vi(day: chrono::Weekday) -> &'static str {
    use chrono::Weekday;
    match day {
        Weekday::Mon => "thứ Hai",
        Weekday::Tue => "thứ Ba",
        Weekday::Wed => "thứ Tư",
        Weekday::Thu => "thứ Năm",
        Weekday::Fri => "thứ Sáu",
        Weekday::Sat => "thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

#[cfg(test)]
mod tests;
