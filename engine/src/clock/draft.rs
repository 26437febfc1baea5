//! Drafting a provisional calendar year from the fixed rules of the Labour Code 2019.
//!
//! The law fixes the holidays (art. 112.1) and the substitute day for a holiday on the weekly
//! rest (art. 111.3), but leaves two placements to the Prime Minister's yearly decision
//! (art. 112.3): which five days make up Tết Nguyên đán, and which day accompanies 2/9. A draft
//! makes those two choices by a stated rule and says so in a comment beside each, so whoever
//! compares it with the official notice knows exactly what to check. Swapped working days
//! (làm bù) are never drafted: they follow no rule.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::ops::RangeInclusive;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::calendar::Calendar;
use super::lunar;
use crate::located::quoted;

/// Years `hoso calendar draft` accepts.
pub const DRAFT_YEARS: RangeInclusive<i32> = 2000..=2100;

/// Why a year could not be drafted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    /// The year is outside [`DRAFT_YEARS`].
    #[error(
        "cannot draft {year}: drafts cover the years 2000 to 2100, where the lunar calendar is checked; write the file by hand from the official notice"
    )]
    OutOfRange {
        /// The year asked for.
        year: i32,
    },
    /// The basis calendar leaves no working day (every weekday is a rest day).
    #[error("cannot draft {year}: the weekly rest covers every day of the week")]
    NoWorkingDay {
        /// The year asked for.
        year: i32,
    },
}

/// Drafted days off, with the reason a reader needs to check them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DayOff {
    first: NaiveDate,
    last: NaiveDate,
    name: String,
    note: String,
}

impl DayOff {
    fn on(day: NaiveDate, name: &str, note: &str) -> Self {
        Self {
            first: day,
            last: day,
            name: name.to_owned(),
            note: note.to_owned(),
        }
    }

    fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first
            .iter_days()
            .take_while(move |day| *day <= self.last)
    }
}

const DEFAULT_OFFICE_HOURS: [&str; 2] = ["07:30-11:30", "13:30-17:00"];
const DEFAULT_RECEIPT_CUTOFF: &str = "15:00";

/// Prints a provisional calendar file for `year`, taking office hours, the receipt cut-off and
/// the weekly rest from `previous` (the year before's calendar) when there is one.
pub fn draft_calendar(year: i32, previous: Option<&Calendar>) -> Result<String, DraftError> {
    if !DRAFT_YEARS.contains(&year) {
        return Err(DraftError::OutOfRange { year });
    }
    let rest: HashSet<Weekday> = previous.map_or_else(
        || [Weekday::Sat, Weekday::Sun].into_iter().collect(),
        |calendar| calendar.weekly_rest.clone(),
    );
    if rest.len() >= 7 {
        return Err(DraftError::NoWorkingDay { year });
    }
    let is_rest = |day: NaiveDate| rest.contains(&day.weekday());
    let out_of_range = || DraftError::OutOfRange { year };
    let date = |month, day| NaiveDate::from_ymd_opt(year, month, day).ok_or_else(out_of_range);

    let new_year = lunar::new_year(year).ok_or_else(out_of_range)?;
    let hung_kings = lunar::hung_kings_day(year).ok_or_else(out_of_range)?;
    let tet = tet_days(new_year, &is_rest);
    let national_day = date(9, 2)?;
    let (companion, companion_note) = national_day_companion(national_day, &is_rest);
    let mut entries = vec![
        DayOff::on(date(1, 1)?, "Tết Dương lịch", "art. 112.1.a: 1/1"),
        DayOff {
            first: tet.first,
            last: tet.last,
            name: format!("Tết Nguyên đán {}", lunar::year_name(year)),
            note: tet.note,
        },
        DayOff::on(
            hung_kings,
            "Giỗ Tổ Hùng Vương",
            "art. 112.1.e: 10/3 âm lịch",
        ),
        DayOff::on(date(4, 30)?, "Ngày Chiến thắng", "art. 112.1.c: 30/4"),
        DayOff::on(date(5, 1)?, "Quốc tế Lao động", "art. 112.1.d: 1/5"),
        DayOff {
            first: national_day.min(companion),
            last: national_day.max(companion),
            name: "Quốc khánh".to_owned(),
            note: format!("art. 112.1.đ: 2/9 and a day beside it; {companion_note}"),
        },
    ];

    // Art. 111.3: a holiday on the weekly rest is taken on the next working day.
    let legal: BTreeMap<NaiveDate, String> = entries
        .iter()
        .flat_map(|entry| entry.days().map(|day| (day, entry.name.clone())))
        .collect();
    let mut substitutes: BTreeMap<NaiveDate, DayOff> = BTreeMap::new();
    for (day, name) in &legal {
        if !is_rest(*day) {
            continue;
        }
        let mut candidate = *day + Duration::days(1);
        while is_rest(candidate)
            || legal.contains_key(&candidate)
            || substitutes.contains_key(&candidate)
        {
            candidate += Duration::days(1);
        }
        let note = format!(
            "art. 111.3: {} ({}) falls on the weekly rest",
            short(*day),
            weekday_vi(*day)
        );
        substitutes.insert(
            candidate,
            DayOff::on(candidate, &format!("Nghỉ bù {name}"), &note),
        );
    }
    entries.extend(substitutes.into_values());
    entries.sort_by_key(|entry| entry.first);

    let (office_hours, receipt_cutoff, rest_names) = basis(previous, &rest);
    let mut text = String::new();
    let source = if previous.is_some() {
        format!("taken from the {} file", year - 1)
    } else {
        "hoso's defaults (no file for the year before)".to_owned()
    };
    let _ = writeln!(
        text,
        "# PROVISIONAL calendar for {year}, drafted by `hoso calendar draft {year}` from the Labour Code 2019\n\
         # (arts. 111–112) and the Vietnamese lunar calendar (UTC+7), before the official notice.\n\
         # Deadlines counted on it are shown as provisional (ngày hẹn tạm tính). When the Prime Minister's\n\
         # decision is published, correct the days below, remove `provisional = true`, and run\n\
         # `hoso calendar publish` (docs/calendars.md): open dossiers are then recomputed and told.\n\
         # Choices to check against the notice are marked CHOICE. Swapped working days (làm bù) are\n\
         # announced each year and never drafted. Office hours, cut-off and weekly rest: {source}.\n\
         # Mùng 1 Tết {}: {} ({}); Giỗ Tổ Hùng Vương: {} ({}).",
        lunar::year_name(year),
        short(new_year),
        weekday_vi(new_year),
        short(hung_kings),
        weekday_vi(hung_kings),
    );
    let _ = writeln!(text, "year = {year}");
    let _ = writeln!(text, "provisional = true");
    let _ = writeln!(text, "zone = \"{}\"", super::ZONE);
    let _ = writeln!(text, "office_hours = [{}]", quoted(&office_hours));
    let _ = writeln!(text, "receipt_cutoff = \"{receipt_cutoff}\"");
    let _ = writeln!(text, "weekly_rest = [{}]", quoted(&rest_names));
    let _ = writeln!(text, "holidays = [");
    for entry in &entries {
        let days = if entry.first == entry.last {
            format!("date = \"{}\"", entry.first)
        } else {
            format!("from = \"{}\", to = \"{}\"", entry.first, entry.last)
        };
        let weekdays = if entry.first == entry.last {
            weekday_vi(entry.first)
        } else {
            format!("{} – {}", weekday_vi(entry.first), weekday_vi(entry.last))
        };
        let _ = writeln!(
            text,
            "  {{ {days}, name = \"{}\" }},   # {weekdays}; {}",
            entry.name, entry.note
        );
    }
    let _ = writeln!(text, "]");
    let _ = writeln!(text, "working_days = []");
    Ok(text)
}

/// The five days of Tết and why those.
struct TetPlacement {
    first: NaiveDate,
    last: NaiveDate,
    note: String,
}

/// Art. 112.3 leaves the placement to the Prime Minister, who has chosen either the last day of
/// the old year and four of the new, or two and three. The draft takes the placement with fewer
/// days on the weekly rest (each of which costs a substitute day), and on a tie two and three:
/// this rule reproduces every decision from 2020 to 2026.
fn tet_days(new_year: NaiveDate, is_rest: &impl Fn(NaiveDate) -> bool) -> TetPlacement {
    let on_rest = |before: i64| {
        (0..5)
            .filter(|offset| is_rest(new_year + Duration::days(offset - before)))
            .count()
    };
    let (before, chosen, other) = if on_rest(1) < on_rest(2) {
        (
            1,
            "the day before mùng 1, mùng 1 and the 3 days after",
            "2 + 3",
        )
    } else {
        (
            2,
            "the 2 days before mùng 1, mùng 1 and the 2 days after",
            "1 + 4",
        )
    };
    let note = format!(
        "CHOICE (art. 112.3): {chosen}, fewer days on the weekly rest than {other}; mùng 1 = {}",
        short(new_year)
    );
    TetPlacement {
        first: new_year - Duration::days(before),
        last: new_year + Duration::days(4 - before),
        note,
    }
}

/// The day beside 2/9: a working day, preferably one that joins 2/9 to the weekly rest (a
/// Monday or a Friday); the day before when both serve alike. Reproduces 2021–2025.
fn national_day_companion(
    national_day: NaiveDate,
    is_rest: &impl Fn(NaiveDate) -> bool,
) -> (NaiveDate, String) {
    let before = national_day - Duration::days(1);
    let after = national_day + Duration::days(1);
    // The day after wins when it is worked and joins 2/9 to the rest after it (2/9 a Thursday),
    // or when the day before is no working day at all (2/9 a Monday or a Sunday).
    let after_bridges = !is_rest(after) && is_rest(after + Duration::days(1));
    let (chosen, why) = if after_bridges {
        (after, "a working day joining 2/9 to the weekly rest")
    } else if is_rest(before) && !is_rest(after) {
        (after, "a working day (the day before is the weekly rest)")
    } else if is_rest(before - Duration::days(1)) {
        (before, "a working day joining the weekly rest to 2/9")
    } else {
        (
            before,
            "the day before, when neither side joins the weekly rest",
        )
    };
    let note = format!(
        "CHOICE (art. 112.3): {} ({}), {why}",
        short(chosen),
        weekday_vi(chosen),
    );
    (chosen, note)
}

/// Office hours, cut-off and weekly rest as written in a file.
fn basis(
    previous: Option<&Calendar>,
    rest: &HashSet<Weekday>,
) -> (Vec<String>, String, Vec<String>) {
    let order = [
        (Weekday::Mon, "Mon"),
        (Weekday::Tue, "Tue"),
        (Weekday::Wed, "Wed"),
        (Weekday::Thu, "Thu"),
        (Weekday::Fri, "Fri"),
        (Weekday::Sat, "Sat"),
        (Weekday::Sun, "Sun"),
    ];
    let rest_names = order
        .iter()
        .filter(|(day, _)| rest.contains(day))
        .map(|(_, name)| (*name).to_owned())
        .collect();
    match previous {
        Some(calendar) => (
            calendar
                .office_hours
                .iter()
                .map(|(start, end)| format!("{}-{}", start.format("%H:%M"), end.format("%H:%M")))
                .collect(),
            calendar.receipt_cutoff.format("%H:%M").to_string(),
            rest_names,
        ),
        None => (
            DEFAULT_OFFICE_HOURS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            DEFAULT_RECEIPT_CUTOFF.to_owned(),
            rest_names,
        ),
    }
}

fn short(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The Vietnamese name of a day's weekday, capitalised as a draft's comments begin with it.
fn weekday_vi(day: NaiveDate) -> String {
    let name = super::weekday_vi(day.weekday());
    let mut letters = name.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

/// The days a draft sets off, for tests: the loaded calendar's holidays.
#[cfg(test)]
pub(crate) fn days_off(calendar: &Calendar) -> std::collections::BTreeSet<NaiveDate> {
    calendar.holidays.keys().copied().collect()
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Duration, NaiveDate};

    use super::*;
    use crate::clock::load_calendar;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("test date")
    }

    fn drafted(year: i32) -> Calendar {
        let text = draft_calendar(year, None).expect("a year in range");
        load_calendar(&format!("{year}.toml"), &text)
            .unwrap_or_else(|error| panic!("the draft for {year} loads: {error}\n{text}"))
    }

    /// Weekdays off from `from` to `to`, inclusive.
    fn weekdays_off(calendar: &Calendar, from: &str, to: &str) -> Vec<NaiveDate> {
        let (from, to) = (date(from), date(to));
        days_off(calendar)
            .into_iter()
            .filter(|day| *day >= from && *day <= to && day.weekday().num_days_from_monday() < 5)
            .collect()
    }

    fn span(from: &str, to: &str) -> Vec<NaiveDate> {
        let (mut day, to) = (date(from), date(to));
        let mut days = Vec::new();
        while day <= to {
            if day.weekday().num_days_from_monday() < 5 {
                days.push(day);
            }
            day += Duration::days(1);
        }
        days
    }

    #[test]
    fn drafted_tet_matches_every_official_decision_from_2020_to_2026() {
        // The Prime Minister's decisions: weekdays off around Tết.
        let decided = [
            (2020, "2020-01-23", "2020-01-29"),
            (2021, "2021-02-10", "2021-02-16"),
            (2022, "2022-01-31", "2022-02-04"),
            (2023, "2023-01-20", "2023-01-26"),
            (2024, "2024-02-08", "2024-02-14"),
            (2025, "2025-01-27", "2025-01-31"),
            (2026, "2026-02-16", "2026-02-20"),
        ];
        for (year, from, to) in decided {
            let calendar = drafted(year);
            let window = (format!("{year}-01-10"), format!("{year}-02-28"));
            assert_eq!(
                weekdays_off(&calendar, &window.0, &window.1),
                span(from, to),
                "Tết {year}"
            );
        }
    }

    #[test]
    fn drafted_national_day_matches_the_decisions_from_2021_to_2025() {
        let decided = [
            (2021, "2021-09-02", "2021-09-03"),
            (2022, "2022-09-01", "2022-09-02"),
            // 2/9/2023 was a Saturday: Friday 1/9 beside it, Monday 4/9 in its place.
            (2023, "2023-09-01", "2023-09-04"),
            (2024, "2024-09-02", "2024-09-03"),
            (2025, "2025-09-01", "2025-09-02"),
        ];
        for (year, from, to) in decided {
            let calendar = drafted(year);
            assert_eq!(
                weekdays_off(
                    &calendar,
                    &format!("{year}-08-25"),
                    &format!("{year}-09-10")
                ),
                span(from, to),
                "Quốc khánh {year}"
            );
        }
    }

    #[test]
    fn drafts_from_2027_to_2040_put_tet_and_hung_kings_day_on_their_lunar_dates() {
        for year in 2027..=2040 {
            let calendar = drafted(year);
            assert!(calendar.is_provisional(), "{year}");
            let tet = lunar::new_year(year).expect("Tết");
            let name = calendar.holiday(tet).unwrap_or_default().to_owned();
            assert!(name.starts_with("Tết Nguyên đán"), "{year}: {name}");
            let hung = lunar::hung_kings_day(year).expect("Giỗ Tổ");
            assert_eq!(calendar.holiday(hung), Some("Giỗ Tổ Hùng Vương"), "{year}");
            // Five days of Tết around mùng 1, plus one weekday off for each that fell on a weekend.
            let tet_days: Vec<NaiveDate> = days_off(&calendar)
                .into_iter()
                .filter(|day| calendar.holiday(*day) == Some(&name))
                .collect();
            assert_eq!(tet_days.len(), 5, "{year}");
            assert!(tet_days.contains(&(tet - Duration::days(1))), "{year}");
            assert!(tet_days.contains(&(tet + Duration::days(2))), "{year}");
            for day in days_off(&calendar) {
                let weekday = day.weekday().num_days_from_monday();
                let name = calendar.holiday(day).unwrap_or_default();
                if name.starts_with("Nghỉ bù") {
                    assert!(weekday < 5, "{year}: substitute {day} on a weekend");
                }
            }
            for (month, day) in [(1, 1), (4, 30), (5, 1), (9, 2)] {
                let day = NaiveDate::from_ymd_opt(year, month, day).expect("date");
                assert!(calendar.holiday(day).is_some(), "{year}: {day}");
            }
        }
    }

    #[test]
    fn the_2027_draft_is_what_the_shipped_file_says() {
        let calendar = drafted(2027);
        let off = weekdays_off(&calendar, "2027-01-01", "2027-12-31");
        let expected: Vec<NaiveDate> = [
            "2027-01-01",
            // Tết Đinh Mùi, mùng 1 Saturday 6/2: Thu 4/2 – Mon 8/2, Tue 9 and Wed 10 in place of
            // the weekend.
            "2027-02-04",
            "2027-02-05",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
            "2027-04-16",
            "2027-04-30",
            // 1/5 is a Saturday.
            "2027-05-03",
            "2027-09-02",
            "2027-09-03",
        ]
        .iter()
        .map(|text| date(text))
        .collect();
        assert_eq!(off, expected);
        assert_eq!(
            calendar.holiday(date("2027-05-03")),
            Some("Nghỉ bù Quốc tế Lao động")
        );
        let shipped = load_calendar(
            "2027.toml",
            include_str!("../../../fixtures/calendars/2027.toml"),
        )
        .expect("the shipped 2027 file loads");
        assert!(shipped.is_provisional());
        assert_eq!(shipped.fingerprint(), calendar.fingerprint());
    }

    #[test]
    fn substitute_days_skip_each_other_and_the_holidays_beside_them() {
        // 2028: 30/4 Sunday, 1/5 Monday → the substitute for 30/4 is Tuesday 2/5.
        let calendar = drafted(2028);
        assert_eq!(
            calendar.holiday(date("2028-05-02")),
            Some("Nghỉ bù Ngày Chiến thắng")
        );
        // 2034: 2/9 Saturday → Friday 1/9 beside it, Monday 4/9 in its place.
        let calendar = drafted(2034);
        assert_eq!(calendar.holiday(date("2034-09-01")), Some("Quốc khánh"));
        assert_eq!(
            calendar.holiday(date("2034-09-04")),
            Some("Nghỉ bù Quốc khánh")
        );
    }

    #[test]
    fn a_draft_keeps_the_office_hours_of_the_year_before() {
        let previous = load_calendar(
            "2026.toml",
            "year = 2026\nzone = \"Asia/Ho_Chi_Minh\"\noffice_hours = [\"08:00-12:00\", \"13:00-17:30\"]\nreceipt_cutoff = \"16:00\"\nweekly_rest = [\"Sun\"]\n",
        )
        .expect("a calendar");
        let text = draft_calendar(2027, Some(&previous)).expect("a draft");
        assert!(
            text.contains("office_hours = [\"08:00-12:00\", \"13:00-17:30\"]"),
            "{text}"
        );
        assert!(text.contains("receipt_cutoff = \"16:00\""), "{text}");
        assert!(text.contains("weekly_rest = [\"Sun\"]"), "{text}");
        assert!(text.contains("taken from the 2026 file"), "{text}");
        let calendar = load_calendar("2027.toml", &text).expect("loads");
        // With only Sunday off, Saturday 6/2 (mùng 1) is a working day's holiday: no substitute.
        assert_eq!(calendar.holiday(date("2027-02-11")), None);
        let defaults = draft_calendar(2027, None).expect("a draft");
        assert!(defaults.contains("office_hours = [\"07:30-11:30\", \"13:30-17:00\"]"));
        assert!(defaults.contains("receipt_cutoff = \"15:00\""));
    }

    #[test]
    fn years_outside_2000_to_2100_are_refused() {
        for year in [1999, 2101, -5] {
            let error = draft_calendar(year, None).unwrap_err();
            assert_eq!(error, DraftError::OutOfRange { year });
            assert!(error.to_string().contains("2000 to 2100"));
        }
        assert!(draft_calendar(2000, None).is_ok());
        assert!(draft_calendar(2100, None).is_ok());
    }

    #[test]
    fn each_placement_choice_is_named_in_a_comment() {
        let text = draft_calendar(2027, None).expect("a draft");
        assert!(text.contains("provisional = true"));
        assert_eq!(text.matches("CHOICE (art. 112.3)").count(), 2, "{text}");
        assert!(
            text.contains("the 2 days before mùng 1, mùng 1 and the 2 days after"),
            "{text}"
        );
        assert!(
            text.contains("Mùng 1 Tết Đinh Mùi: 06/02/2027 (Thứ Bảy)"),
            "{text}"
        );
        assert!(text.contains("# Thứ Năm – Thứ Hai; CHOICE"), "{text}");
        assert!(
            text.contains("03/09/2027 (Thứ Sáu), a working day joining 2/9 to the weekly rest"),
            "{text}"
        );
        // 2/9/2026 is a Wednesday: neither side joins the weekend, the day before is taken.
        let text = draft_calendar(2026, None).expect("a draft");
        assert!(
            text.contains("01/09/2026 (Thứ Ba), the day before, when neither side joins"),
            "{text}"
        );
        // 2/9/2024 is a Monday: Sunday before it is no working day, so Tuesday 3/9.
        let text = draft_calendar(2024, None).expect("a draft");
        assert!(
            text.contains("03/09/2024 (Thứ Ba), a working day (the day before is the weekly rest)"),
            "{text}"
        );
        // 2/9/2025 is a Tuesday: Monday 1/9 joins the weekend to it.
        let text = draft_calendar(2025, None).expect("a draft");
        assert!(
            text.contains("01/09/2025 (Thứ Hai), a working day joining the weekly rest to 2/9"),
            "{text}"
        );
    }
}
