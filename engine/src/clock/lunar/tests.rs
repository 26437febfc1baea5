//! The lunar calendar checked against published tables and by its own laws.

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;

use super::*;

/// Mùng 1 Tết and Giỗ Tổ Hùng Vương (10/3), 1990–2050, in Vietnam's calendar.
///
/// Sources, which agree on every row:
/// - Hồ Ngọc Đức's published year tables of the Vietnamese lunar calendar (TK20 for 1900–1999,
///   TK21 for 2000–2099; "Copyright 2004 Ho Ngoc Duc", informatik.uni-leipzig.de/~duc/amlich/),
///   as reproduced in the public `amlich.js` of kimkha/vietlunar;
/// - the tables of the `holidays` package (vacanza/holidays, `holidays/calendars/chinese.py`:
///   `LUNAR_NEW_YEAR_DATES`, `HUNG_KINGS_DATES` and their Vietnamese overrides for 2007, 2030,
///   2009, 2037 and 2038).
///
/// Spot checks in the press: Tết 2007 on 17/2 and Tết 2030 on 2/2, each a day before China's.
const PUBLISHED: [(i32, &str, &str); 61] = [
    (1990, "1990-01-27", "1990-04-05"),
    (1991, "1991-02-15", "1991-04-24"),
    (1992, "1992-02-04", "1992-04-12"),
    (1993, "1993-01-23", "1993-04-01"),
    (1994, "1994-02-10", "1994-04-20"),
    (1995, "1995-01-31", "1995-04-09"),
    (1996, "1996-02-19", "1996-04-27"),
    (1997, "1997-02-07", "1997-04-16"),
    (1998, "1998-01-28", "1998-04-06"),
    (1999, "1999-02-16", "1999-04-25"),
    (2000, "2000-02-05", "2000-04-14"),
    (2001, "2001-01-24", "2001-04-03"),
    (2002, "2002-02-12", "2002-04-22"),
    (2003, "2003-02-01", "2003-04-11"),
    (2004, "2004-01-22", "2004-04-28"),
    (2005, "2005-02-09", "2005-04-18"),
    (2006, "2006-01-29", "2006-04-07"),
    (2007, "2007-02-17", "2007-04-26"),
    (2008, "2008-02-07", "2008-04-15"),
    (2009, "2009-01-26", "2009-04-04"),
    (2010, "2010-02-14", "2010-04-23"),
    (2011, "2011-02-03", "2011-04-12"),
    (2012, "2012-01-23", "2012-03-31"),
    (2013, "2013-02-10", "2013-04-19"),
    (2014, "2014-01-31", "2014-04-09"),
    (2015, "2015-02-19", "2015-04-28"),
    (2016, "2016-02-08", "2016-04-16"),
    (2017, "2017-01-28", "2017-04-06"),
    (2018, "2018-02-16", "2018-04-25"),
    (2019, "2019-02-05", "2019-04-14"),
    (2020, "2020-01-25", "2020-04-02"),
    (2021, "2021-02-12", "2021-04-21"),
    (2022, "2022-02-01", "2022-04-10"),
    (2023, "2023-01-22", "2023-04-29"),
    (2024, "2024-02-10", "2024-04-18"),
    (2025, "2025-01-29", "2025-04-07"),
    (2026, "2026-02-17", "2026-04-26"),
    (2027, "2027-02-06", "2027-04-16"),
    (2028, "2028-01-26", "2028-04-04"),
    (2029, "2029-02-13", "2029-04-23"),
    (2030, "2030-02-02", "2030-04-12"),
    (2031, "2031-01-23", "2031-04-01"),
    (2032, "2032-02-11", "2032-04-19"),
    (2033, "2033-01-31", "2033-04-09"),
    (2034, "2034-02-19", "2034-04-28"),
    (2035, "2035-02-08", "2035-04-17"),
    (2036, "2036-01-28", "2036-04-06"),
    (2037, "2037-02-15", "2037-04-24"),
    (2038, "2038-02-04", "2038-04-13"),
    (2039, "2039-01-24", "2039-04-03"),
    (2040, "2040-02-12", "2040-04-20"),
    (2041, "2041-02-01", "2041-04-10"),
    (2042, "2042-01-22", "2042-04-29"),
    (2043, "2043-02-10", "2043-04-19"),
    (2044, "2044-01-30", "2044-04-07"),
    (2045, "2045-02-17", "2045-04-26"),
    (2046, "2046-02-06", "2046-04-15"),
    (2047, "2047-01-26", "2047-04-04"),
    (2048, "2048-02-14", "2048-04-22"),
    (2049, "2049-02-02", "2049-04-11"),
    (2050, "2050-01-23", "2050-04-01"),
];

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
}

#[test]
fn tet_and_hung_kings_day_match_the_published_table_from_1990_to_2050() {
    let mut wrong = Vec::new();
    for (year, tet, hung_kings) in PUBLISHED {
        if new_year(year) != Some(date(tet)) {
            wrong.push(format!("{year}: Tết {:?}, published {tet}", new_year(year)));
        }
        if hung_kings_day(year) != Some(date(hung_kings)) {
            wrong.push(format!(
                "{year}: Giỗ Tổ {:?}, published {hung_kings}",
                hung_kings_day(year)
            ));
        }
        assert_eq!(to_lunar(date(tet)), LunarDate::new(year, 1, 1), "{year}");
        assert_eq!(
            to_lunar(date(hung_kings)),
            LunarDate::new(year, 3, 10),
            "{year}"
        );
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn vietnam_counts_at_utc_plus_seven_so_tet_2007_and_2030_come_a_day_before_chinas() {
    // The new moons fall between 23:00 and midnight in Hà Nội, after midnight in Beijing.
    assert_eq!(new_year(2007), Some(date("2007-02-17")));
    assert_eq!(new_year(2030), Some(date("2030-02-02")));
    let eve = to_lunar(date("2030-02-01"));
    assert_eq!((eve.year, eve.month), (2029, 12));
    assert_eq!(month_length(2029, 12, false), Some(eve.day));
}

#[test]
fn the_year_2033_has_a_leap_eleventh_month() {
    assert_eq!(leap_month(2033), Some(11));
    let regular = from_lunar(LunarDate::new(2033, 11, 1)).expect("month 11");
    let leap = from_lunar(LunarDate {
        year: 2033,
        month: 11,
        leap: true,
        day: 1,
    })
    .expect("leap month 11");
    assert!(leap > regular);
    assert_eq!(
        to_lunar(leap),
        LunarDate {
            year: 2033,
            month: 11,
            leap: true,
            day: 1
        }
    );
    assert_eq!(new_year(2034), Some(date("2034-02-19")));
}

#[test]
fn leap_months_fall_where_the_tables_put_them() {
    assert_eq!(leap_month(2023), Some(2));
    assert_eq!(leap_month(2025), Some(6));
    assert_eq!(leap_month(2028), Some(5));
    assert_eq!(leap_month(2031), Some(3));
    assert_eq!(leap_month(2024), None);
    assert_eq!(leap_month(2026), None);
    assert_eq!(leap_month(2027), None);
}

#[test]
fn dates_that_do_not_exist_are_refused() {
    // No leap month in 2027; month 13 and day 31 never exist; 2026's 12th month has 29 days.
    let leap = LunarDate {
        year: 2027,
        month: 3,
        leap: true,
        day: 1,
    };
    assert_eq!(from_lunar(leap), None);
    assert_eq!(from_lunar(LunarDate::new(2027, 13, 1)), None);
    assert_eq!(from_lunar(LunarDate::new(2027, 1, 31)), None);
    assert_eq!(from_lunar(LunarDate::new(2027, 1, 0)), None);
    assert_eq!(month_length(2026, 12, false), Some(29));
    assert_eq!(from_lunar(LunarDate::new(2026, 12, 30)), None);
    assert_eq!(
        from_lunar(LunarDate::new(2026, 12, 29)),
        Some(date("2027-02-05"))
    );
    assert_eq!(from_lunar(LunarDate::new(1800, 1, 1)), None);
}

#[test]
fn new_years_eve_is_the_day_before_tet_and_years_are_named() {
    assert_eq!(new_years_eve(2027), Some(date("2027-02-05")));
    assert_eq!(year_name(2024), "Giáp Thìn");
    assert_eq!(year_name(2025), "Ất Tỵ");
    assert_eq!(year_name(2026), "Bính Ngọ");
    assert_eq!(year_name(2027), "Đinh Mùi");
    assert_eq!(year_name(2033), "Quý Sửu");
    assert_eq!(
        LunarDate {
            year: 2033,
            month: 11,
            leap: true,
            day: 5
        }
        .to_string(),
        "5/11 nhuận năm 2033 âm lịch"
    );
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    let first = date("1950-01-01");
    (0i64..54_000).prop_map(move |offset| first + Duration::days(offset))
}

/// Every day the drafts can reach, not a sample: a random day of 2054 once found a month whose
/// new moon the mean lunation had put on the wrong side of the day.
#[test]
fn every_day_from_2000_to_2100_converts_to_lunar_and_back() {
    let mut day = NaiveDate::from_ymd_opt(2000, 1, 1).expect("day");
    let last = NaiveDate::from_ymd_opt(2100, 12, 31).expect("day");
    while day <= last {
        let lunar = to_lunar(day);
        assert!((1..=12).contains(&lunar.month), "{day}: {lunar}");
        assert!((1..=30).contains(&lunar.day), "{day}: {lunar}");
        assert_eq!(from_lunar(lunar), Some(day), "{day}: {lunar}");
        day += Duration::days(1);
    }
    let found = to_lunar(NaiveDate::from_ymd_opt(2054, 5, 7).expect("day"));
    assert!((1..=30).contains(&found.day), "{found}");
}

proptest! {
    #[test]
    fn every_day_converts_to_lunar_and_back(day in any_day()) {
        let lunar = to_lunar(day);
        prop_assert!((1..=12).contains(&lunar.month));
        prop_assert!((1..=30).contains(&lunar.day));
        prop_assert_eq!(from_lunar(lunar), Some(day), "{}", lunar);
    }

    #[test]
    fn consecutive_days_are_consecutive_lunar_days_or_a_new_month(day in any_day()) {
        let today = to_lunar(day);
        let tomorrow = to_lunar(day + Duration::days(1));
        if tomorrow.day == 1 {
            let length = month_length(today.year, today.month, today.leap);
            prop_assert_eq!(length, Some(today.day));
            prop_assert!(today.day == 29 || today.day == 30);
            if tomorrow.month == 1 && !tomorrow.leap {
                prop_assert_eq!(tomorrow.year, today.year + 1);
                prop_assert_eq!(new_year(tomorrow.year), Some(day + Duration::days(1)));
            }
        } else {
            prop_assert_eq!(tomorrow, LunarDate { day: today.day + 1, ..today });
        }
    }

    #[test]
    fn every_lunar_year_has_twelve_or_thirteen_months_of_29_or_30_days(year in 1950i32..2100) {
        let start = new_year(year).expect("Tết");
        let next = new_year(year + 1).expect("next Tết");
        let mut days = 0;
        let mut months = 0;
        for month in 1..=12 {
            for leap in [false, true] {
                if let Some(length) = month_length(year, month, leap) {
                    prop_assert!(length == 29 || length == 30);
                    days += i64::from(length);
                    months += 1;
                }
            }
        }
        prop_assert_eq!(months, if leap_month(year).is_some() { 13 } else { 12 });
        prop_assert_eq!(days, (next - start).num_days());
        prop_assert!(start.month() <= 2 && (start.month() == 2 || start.day() >= 20));
    }
}

/// New moons at the instants of well-documented solar eclipses and the millennium's first new
/// moon (UT, to the minute, as the almanacs publish them): the series lands within ten minutes,
/// far inside the day that matters.
#[test]
fn new_moons_fall_within_minutes_of_the_published_instants() {
    let published = [
        "1999-08-11T11:08:00Z",
        "2000-01-06T18:14:00Z",
        "2017-08-21T18:30:00Z",
        "2024-04-08T18:21:00Z",
        "2026-02-17T12:01:00Z",
    ];
    for instant in published {
        let at = chrono::DateTime::parse_from_rfc3339(instant).expect("instant");
        let julian = 2_440_587.5 + at.timestamp() as f64 / 86_400.0;
        let k = ((julian - 2_415_020.759_33) / 29.530_588_68).round() as i64;
        let minutes = (new_moon(k) - julian).abs() * 24.0 * 60.0;
        assert!(minutes < 10.0, "{instant}: off by {minutes:.1} minutes");
    }
}
