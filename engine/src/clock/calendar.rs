//! One year's official calendar as operators write it from the government's annual notice.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::located::{FieldPath, LoadError, Problem};
use crate::messages::DesignProblem;
use crate::procedure::Date;

/// The only zone hoso computes in: Vietnam keeps UTC+07:00 all year, without daylight saving.
pub const ZONE: &str = "Asia/Ho_Chi_Minh";

/// A calendar file, key for key (`fixtures/calendars/2025.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarFile {
    /// The year the file covers.
    #[schemars(range(min = 2000, max = 2200))]
    pub year: i32,
    /// Drafted from the Labour Code and the lunar calendar before the official notice
    /// (`hoso calendar draft`); deadlines counted on it are shown as provisional (tạm tính) and
    /// recomputed when the official file replaces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
    /// The time zone; must be "Asia/Ho_Chi_Minh".
    pub zone: String,
    /// Office hours of every working day, e.g. ["07:30-11:30", "13:30-17:00"].
    pub office_hours: Vec<String>,
    /// Receipts after this time count from the next working day, e.g. "15:00".
    pub receipt_cutoff: String,
    /// Days of the weekly rest, e.g. ["Sat", "Sun"].
    pub weekly_rest: Vec<WeekdayName>,
    /// Public holidays and days off (ngày nghỉ lễ, Tết, nghỉ bù).
    #[serde(default)]
    pub holidays: Vec<HolidayEntry>,
    /// Swapped working days (ngày làm bù): rest days that are worked.
    #[serde(default)]
    pub working_days: Vec<SwappedDay>,
}

/// A day of the week as written in calendar files.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum WeekdayName {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl From<WeekdayName> for Weekday {
    fn from(name: WeekdayName) -> Self {
        match name {
            WeekdayName::Mon => Weekday::Mon,
            WeekdayName::Tue => Weekday::Tue,
            WeekdayName::Wed => Weekday::Wed,
            WeekdayName::Thu => Weekday::Thu,
            WeekdayName::Fri => Weekday::Fri,
            WeekdayName::Sat => Weekday::Sat,
            WeekdayName::Sun => Weekday::Sun,
        }
    }
}

/// A holiday: one `date`, or a range `from`–`to` inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayEntry {
    /// A single day off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// First day of a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    /// Last day of a range, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Date>,
    /// The holiday's name, e.g. "Tết Nguyên đán".
    pub name: String,
}

/// A rest day that is worked to bridge a holiday (ngày làm bù).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwappedDay {
    /// The day that is worked.
    pub date: Date,
    /// Why, e.g. "Làm bù cho ngày 2/5".
    pub name: String,
}

/// A checked calendar for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub(crate) year: i32,
    pub(crate) provisional: bool,
    /// Office intervals of a working day, sorted, not overlapping.
    pub(crate) office_hours: Vec<(NaiveTime, NaiveTime)>,
    pub(crate) receipt_cutoff: NaiveTime,
    pub(crate) weekly_rest: HashSet<Weekday>,
    pub(crate) holidays: BTreeMap<NaiveDate, String>,
    pub(crate) swapped: BTreeMap<NaiveDate, String>,
}

impl Calendar {
    /// The year it covers.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Whether the file was drafted before the official notice.
    pub fn is_provisional(&self) -> bool {
        self.provisional
    }

    /// A fingerprint of everything deadlines depend on (not comments, not holiday names), so
    /// rewording a file moves no dossier while a moved day or a confirmed draft does.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        let mut add = |part: String| {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        };
        add(format!("{} provisional={}", self.year, self.provisional));
        for (start, end) in &self.office_hours {
            add(format!("hours {start}-{end}"));
        }
        add(format!("cutoff {}", self.receipt_cutoff));
        let mut rest: Vec<u32> = self
            .weekly_rest
            .iter()
            .map(|day| day.num_days_from_monday())
            .collect();
        rest.sort_unstable();
        add(format!("rest {rest:?}"));
        for day in self.holidays.keys() {
            add(format!("holiday {day}"));
        }
        for day in self.swapped.keys() {
            add(format!("worked {day}"));
        }
        hex::encode(&hasher.finalize()[..8])
    }

    /// Whether offices work on `date` (which must be in this year).
    pub(crate) fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.swapped.contains_key(&date) {
            return true;
        }
        !self.holidays.contains_key(&date) && !self.weekly_rest.contains(&date.weekday())
    }

    /// The name of the holiday on `date`, if it is one.
    pub fn holiday(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// Opening of the first and closing of the last office interval.
    pub(crate) fn closing(&self) -> NaiveTime {
        self.office_hours
            .last()
            .map(|(_, end)| *end)
            .unwrap_or(NaiveTime::MIN)
    }
}

/// The JSON Schema of calendar files.
pub fn calendar_schema() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(CalendarFile).to_value())
}

/// Loads and checks one calendar file.
pub fn load_calendar(source: &str, text: &str) -> Result<Calendar, LoadError> {
    let (file, locator) = crate::located::parse::<CalendarFile>(
        source,
        text,
        calendar_schema(),
        "docs/calendars.md",
    )?;
    check(&file).map_err(|problems| locator.locate(problems))
}

fn check(file: &CalendarFile) -> Result<Calendar, Vec<Problem>> {
    let root = FieldPath::root();
    let mut problems = Vec::new();
    if file.zone != ZONE {
        problems.push(Problem::at(
            root.key("zone"),
            DesignProblem::UnsupportedZone {
                zone: file.zone.clone(),
                supported: ZONE.to_owned(),
            },
        ));
    }

    let mut office_hours = Vec::new();
    for (position, text) in file.office_hours.iter().enumerate() {
        let path = root.key("office_hours").index(position);
        match parse_interval(text) {
            Some((start, end)) if start < end => office_hours.push((start, end, path)),
            Some(_) => problems.push(Problem::at(
                path,
                DesignProblem::OfficeHoursBackwards {
                    written: text.clone(),
                },
            )),
            None => problems.push(Problem::at(
                path,
                DesignProblem::NotOfficeHours {
                    written: text.clone(),
                },
            )),
        }
    }
    if file.office_hours.is_empty() {
        problems.push(Problem::at(
            root.key("office_hours"),
            DesignProblem::NoOfficeHours,
        ));
    }
    office_hours.sort_by_key(|(start, _, _)| *start);
    for pair in office_hours.windows(2) {
        if pair[1].0 < pair[0].1 {
            problems.push(Problem::at(
                pair[1].2.clone(),
                DesignProblem::OfficeHoursOverlap,
            ));
        }
    }

    let receipt_cutoff = match NaiveTime::parse_from_str(&file.receipt_cutoff, "%H:%M") {
        Ok(time) => time,
        Err(_) => {
            problems.push(Problem::at(
                root.key("receipt_cutoff"),
                DesignProblem::NotTimeOfDay {
                    written: file.receipt_cutoff.clone(),
                },
            ));
            NaiveTime::MIN
        }
    };

    let mut weekly_rest = HashSet::new();
    for (position, day) in file.weekly_rest.iter().enumerate() {
        if !weekly_rest.insert(Weekday::from(*day)) {
            problems.push(Problem::at(
                root.key("weekly_rest").index(position),
                DesignProblem::RestDayTwice {
                    day: Weekday::from(*day),
                },
            ));
        }
    }

    let in_year = |date: Date, path: FieldPath, problems: &mut Vec<Problem>| {
        if date.0.year() != file.year {
            problems.push(Problem::at(
                path,
                DesignProblem::OutsideYear {
                    date: date.to_string(),
                    year: file.year,
                    its_year: date.0.year(),
                },
            ));
            false
        } else {
            true
        }
    };

    let mut holidays = BTreeMap::new();
    for (position, entry) in file.holidays.iter().enumerate() {
        let path = root.key("holidays").index(position);
        let (first, last) = match (entry.date, entry.from, entry.to) {
            (Some(date), None, None) => (date, date),
            (None, Some(from), Some(to)) if from <= to => (from, to),
            (None, Some(from), Some(to)) => {
                problems.push(Problem::at(
                    path.key("to"),
                    DesignProblem::HolidayBackwards {
                        name: entry.name.clone(),
                        from: from.to_string(),
                        to: to.to_string(),
                    },
                ));
                continue;
            }
            _ => {
                problems.push(Problem::at(
                    path,
                    DesignProblem::HolidayUndated {
                        name: entry.name.clone(),
                    },
                ));
                continue;
            }
        };
        let key = if entry.date.is_some() { "date" } else { "from" };
        if !in_year(first, path.key(key), &mut problems)
            || !in_year(last, path.key("to"), &mut problems)
        {
            continue;
        }
        let mut day = first.0;
        while day <= last.0 {
            holidays.insert(day, entry.name.clone());
            day = day.succ_opt().unwrap_or(NaiveDate::MAX);
            if day == NaiveDate::MAX {
                break;
            }
        }
    }

    let mut swapped = BTreeMap::new();
    for (position, entry) in file.working_days.iter().enumerate() {
        let path = root.key("working_days").index(position).key("date");
        if !in_year(entry.date, path.clone(), &mut problems) {
            continue;
        }
        if let Some(holiday) = holidays.get(&entry.date.0) {
            problems.push(Problem::at(
                path,
                DesignProblem::HolidayAndWorkingDay {
                    date: entry.date.to_string(),
                    holiday: holiday.clone(),
                },
            ));
        } else if !weekly_rest.contains(&entry.date.0.weekday()) {
            problems.push(Problem::at(
                path,
                DesignProblem::AlreadyWorkingDay {
                    date: entry.date.to_string(),
                    weekday: entry.date.0.weekday(),
                },
            ));
        } else {
            swapped.insert(entry.date.0, entry.name.clone());
        }
    }

    if problems.is_empty() {
        Ok(Calendar {
            year: file.year,
            provisional: file.provisional,
            office_hours: office_hours
                .into_iter()
                .map(|(start, end, _)| (start, end))
                .collect(),
            receipt_cutoff,
            weekly_rest,
            holidays,
            swapped,
        })
    } else {
        Err(problems)
    }
}

fn parse_interval(text: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (start, end) = text.split_once('-')?;
    Some((
        NaiveTime::parse_from_str(start.trim(), "%H:%M").ok()?,
        NaiveTime::parse_from_str(end.trim(), "%H:%M").ok()?,
    ))
}
