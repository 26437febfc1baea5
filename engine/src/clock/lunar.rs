//! The Vietnamese lunar calendar (âm lịch), computed for UTC+7.
//!
//! Two holidays of the Labour Code (art. 112) are lunar dates: Tết Nguyên đán (the first days of
//! month 1) and Giỗ Tổ Hùng Vương (10/3). Vietnam's calendar follows the same astronomical rules
//! as the Chinese one but is computed at Hà Nội's meridian (UTC+7, China uses UTC+8), so a new
//! moon shortly after 23:00 in Vietnam starts the month a day earlier here: Tết 2007 and Tết 2030
//! fall one day before the Chinese New Year, and 2033 has a leap 11th month here (a leap 7th in
//! China's), which is why Tết 2034 differs again.
//!
//! The rules, as in Hồ Ngọc Đức's public description of the Vietnamese calendar:
//! - a month starts on the local day of a new moon;
//! - the 11th month holds the winter solstice (the sun at 270°);
//! - a year from one 11th month to the next with 13 new moons has a leap month: the first month
//!   after the 11th in which the sun enters no new 30° sector (no "trung khí"); it takes the
//!   number of the month before it.
//!
//! New moons and the sun's longitude come from the series in Jean Meeus, *Astronomical
//! Algorithms* (abridged; errors of minutes, far below the day boundaries that matter here —
//! the tests check every Tết and Giỗ Tổ from 1990 to 2050 against a published table).
//!
//! This is a suggestion engine for drafts: the official holidays are still the Prime Minister's
//! yearly decision, entered in the calendar files.

use std::f64::consts::PI;
use std::fmt;

use chrono::{Datelike, NaiveDate};

/// Hours east of UTC the Vietnamese calendar is computed for.
const TIME_ZONE_HOURS: f64 = 7.0;

/// Mean length of a synodic month, in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// Julian day number of the new moon Meeus counts lunations from (1900-01-01).
const LUNATION_EPOCH: f64 = 2_415_021.076_998_695;

/// Days between chrono's day 1 (0001-01-01, proleptic Gregorian) and Julian day number 0.
const JULIAN_DAY_OF_CE: i64 = 1_721_425;

/// Years this module is checked for; outside them the astronomical series lose accuracy.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// A day of the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LunarDate {
    /// The lunar year (the Gregorian year in which its Tết falls).
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
    /// Whether this is the leap (nhuận) month that repeats `month`.
    pub leap: bool,
    /// The day of the month, 1–30.
    pub day: u32,
}

impl LunarDate {
    /// A regular (non-leap) lunar date.
    pub fn new(year: i32, month: u32, day: u32) -> Self {
        Self {
            year,
            month,
            leap: false,
            day,
        }
    }
}

impl fmt::Display for LunarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let leap = if self.leap { " nhuận" } else { "" };
        write!(
            f,
            "{}/{}{leap} năm {} âm lịch",
            self.day, self.month, self.year
        )
    }
}

/// The Gregorian date of a Julian day number.
fn date_of(julian_day: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(julian_day - JULIAN_DAY_OF_CE).ok()?)
}

/// The Julian day number of a Gregorian date.
fn julian_day(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JULIAN_DAY_OF_CE
}

/// The instant (Julian ephemeris day, fractional) of the `k`-th new moon after 1900-01-01.
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let rad = PI / 180.0;
    let mean = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3
        + 0.000_33 * ((166.56 + 132.87 * t - 0.009_173 * t2) * rad).sin();
    // The sun's and the moon's mean anomalies and the moon's argument of latitude, in degrees.
    let sun = (359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3) * rad;
    let moon = (306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3) * rad;
    let latitude = (21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3) * rad;
    let correction = (0.1734 - 0.000_393 * t) * sun.sin() + 0.0021 * (2.0 * sun).sin()
        - 0.4068 * moon.sin()
        + 0.0161 * (2.0 * moon).sin()
        - 0.0004 * (3.0 * moon).sin()
        + 0.0104 * (2.0 * latitude).sin()
        - 0.0051 * (sun + moon).sin()
        - 0.0074 * (sun - moon).sin()
        + 0.0004 * (2.0 * latitude + sun).sin()
        - 0.0004 * (2.0 * latitude - sun).sin()
        - 0.0006 * (2.0 * latitude + moon).sin()
        + 0.0010 * (2.0 * latitude - moon).sin()
        + 0.0005 * (2.0 * moon + sun).sin();
    // Ephemeris time runs ahead of universal time by ΔT (days).
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    mean + correction - delta_t
}

/// The local day (Julian day number) on which the `k`-th new moon falls in Vietnam.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE_HOURS / 24.0).floor() as i64
}

/// The sun's apparent longitude, in radians within [0, 2π), at a Julian day (fractional, UT).
fn sun_longitude(julian: f64) -> f64 {
    let t = (julian - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let rad = PI / 180.0;
    let anomaly = (357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2) * rad;
    let mean_longitude = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let centre = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * anomaly.sin()
        + (0.019_993 - 0.000_101 * t) * (2.0 * anomaly).sin()
        + 0.000_290 * (3.0 * anomaly).sin();
    let longitude = (mean_longitude + centre) * rad;
    longitude.rem_euclid(2.0 * PI)
}

/// Which 30° sector (0–11, 0 = spring equinox) the sun is in at the start of a local day.
fn sun_sector(day: i64) -> i64 {
    let midnight_ut = day as f64 - 0.5 - TIME_ZONE_HOURS / 24.0;
    (sun_longitude(midnight_ut) / PI * 6.0).floor() as i64
}

/// The index `k` of the lunation that begins nearest to a local day.
fn lunation_near(day: i64) -> i64 {
    ((day as f64 - LUNATION_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64
}

/// The first day of the lunar 11th month that holds the winter solstice of Gregorian `year`.
fn month_eleven(year: i32) -> i64 {
    let last_day = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, julian_day);
    let k = ((last_day as f64 - LUNATION_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let start = new_moon_day(k);
    // Sector 9 begins at 270°, the winter solstice: a month starting past it is the 12th.
    if sun_sector(start) >= 9 {
        new_moon_day(k - 1)
    } else {
        start
    }
}

/// In a 13-month year that starts at the 11th month `eleven`, how many months after it the leap
/// month comes: the first month during which the sun enters no new sector.
fn leap_month_offset(eleven: i64) -> i64 {
    let k = lunation_near(eleven);
    let mut offset = 1;
    let mut sector = sun_sector(new_moon_day(k + offset));
    loop {
        let previous = sector;
        offset += 1;
        sector = sun_sector(new_moon_day(k + offset));
        if sector == previous || offset >= 14 {
            return offset - 1;
        }
    }
}

/// The lunar date of a Gregorian date, in Vietnam's calendar.
pub fn to_lunar(date: NaiveDate) -> LunarDate {
    let day = julian_day(date);
    // The mean lunation only estimates which new moon began this month: a true new moon can fall
    // a day from the mean one, so the estimate is moved until this month's new moon is on or
    // before the day and the next one after it.
    let mut k = ((day as f64 - LUNATION_EPOCH) / SYNODIC_MONTH).floor() as i64;
    while new_moon_day(k + 1) <= day {
        k += 1;
    }
    while new_moon_day(k) > day {
        k -= 1;
    }
    let month_start = new_moon_day(k);
    let year = date.year();
    let (eleven, next_eleven, mut lunar_year) = {
        let this = month_eleven(year);
        if this >= month_start {
            (month_eleven(year - 1), this, year)
        } else {
            (this, month_eleven(year + 1), year + 1)
        }
    };
    let months_since_eleven = ((month_start - eleven) as f64 / 29.0).floor() as i64;
    let mut leap = false;
    let mut month = months_since_eleven + 11;
    if next_eleven - eleven > 365 {
        let leap_offset = leap_month_offset(eleven);
        if months_since_eleven >= leap_offset {
            month = months_since_eleven + 10;
            leap = months_since_eleven == leap_offset;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && months_since_eleven < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        year: lunar_year,
        month: u32::try_from(month).unwrap_or(1),
        leap,
        day: u32::try_from(day - month_start + 1).unwrap_or(1),
    }
}

/// The first day (as a local Julian day) of a lunar month, or `None` when that month does not
/// exist (a leap month in a year without one, or of another number).
fn month_start(year: i32, month: u32, leap: bool) -> Option<i64> {
    if !(1..=12).contains(&month) {
        return None;
    }
    let (eleven, next_eleven) = if month < 11 {
        (month_eleven(year - 1), month_eleven(year))
    } else {
        (month_eleven(year), month_eleven(year + 1))
    };
    let k = lunation_near(eleven);
    let mut offset = (i64::from(month) - 11).rem_euclid(12);
    if next_eleven - eleven > 365 {
        let leap_offset = leap_month_offset(eleven);
        // Offset 0 is the 11th month, so the leap month repeats month (offset + 10) mod 12.
        let leap_month = (leap_offset + 9).rem_euclid(12) + 1;
        if leap && i64::from(month) != leap_month {
            return None;
        }
        if leap || offset >= leap_offset {
            offset += 1;
        }
    } else if leap {
        return None;
    }
    Some(new_moon_day(k + offset))
}

/// The Gregorian date of a lunar date, or `None` when it does not exist (a leap month that the
/// year lacks, day 30 of a 29-day month, or a year outside [`SUPPORTED_YEARS`]).
pub fn from_lunar(lunar: LunarDate) -> Option<NaiveDate> {
    if !SUPPORTED_YEARS.contains(&lunar.year) || !(1..=30).contains(&lunar.day) {
        return None;
    }
    let start = month_start(lunar.year, lunar.month, lunar.leap)?;
    if lunar.day > month_length(lunar.year, lunar.month, lunar.leap)? {
        return None;
    }
    date_of(start + i64::from(lunar.day) - 1)
}

/// How many days (29 or 30) a lunar month has, or `None` when the month does not exist.
pub fn month_length(year: i32, month: u32, leap: bool) -> Option<u32> {
    let start = month_start(year, month, leap)?;
    let next = new_moon_day(lunation_near(start) + 1);
    u32::try_from(next - start).ok()
}

/// The leap month of a lunar year, if it has one (e.g. 2033 → 11).
pub fn leap_month(year: i32) -> Option<u32> {
    (1..=12).find(|&month| month_start(year, month, true).is_some())
}

/// Mùng 1 Tết: the first day of lunar `year`.
pub fn new_year(year: i32) -> Option<NaiveDate> {
    from_lunar(LunarDate::new(year, 1, 1))
}

/// The last day of lunar `year - 1`, New Year's Eve (giao thừa falls on its night).
pub fn new_years_eve(year: i32) -> Option<NaiveDate> {
    new_year(year)?.pred_opt()
}

/// Giỗ Tổ Hùng Vương, 10/3 of lunar `year`.
pub fn hung_kings_day(year: i32) -> Option<NaiveDate> {
    from_lunar(LunarDate::new(year, 3, 10))
}

/// The traditional name of a lunar year (can chi), e.g. 2027 → "Đinh Mùi".
pub fn year_name(year: i32) -> String {
    const STEMS: [&str; 10] = [
        "Canh", "Tân", "Nhâm", "Quý", "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ",
    ];
    const BRANCHES: [&str; 12] = [
        "Thân", "Dậu", "Tuất", "Hợi", "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi",
    ];
    let stem = STEMS[usize::try_from(year.rem_euclid(10)).unwrap_or(0)];
    let branch = BRANCHES[usize::try_from(year.rem_euclid(12)).unwrap_or(0)];
    format!("{stem} {branch}")
}

#[cfg(test)]
mod tests;
