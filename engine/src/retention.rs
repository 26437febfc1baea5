//! Retention (thời hạn bảo quản): how long a closed dossier stays in the working store before
//! `hoso archive` moves it, chain intact, to an archive file.
//!
//! Each procedure names a retention class; the schedule file says what each class keeps. The
//! periods belong to the Law on Archives 33/2024/QH15 and the retention schedules issued under it,
//! which hoso does not carry as constants: the schedule is configuration an archivist signs off.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike as _, NaiveDate};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::located::{FieldPath, LoadError, Problem};
use crate::messages::DesignProblem;

/// The retention schedule: every class a procedure may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionSchedule {
    classes: BTreeMap<String, Keep>,
}

/// How long one class keeps a closed dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Kept for good (bảo quản vĩnh viễn): never archived out of the store.
    Permanent,
    /// Kept this many whole years after the year the dossier closed (bảo quản có thời hạn).
    Years(u32),
}

/// The schedule file as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ScheduleFile {
    /// Retention classes by name, e.g. `[classes.civil_status_register]`.
    classes: BTreeMap<String, ClassFile>,
}

/// One class as written: exactly one of `permanent = true` or `years = N`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ClassFile {
    /// What the class holds, in Vietnamese as the schedule names it.
    description: String,
    /// Kept for good.
    #[serde(default)]
    permanent: bool,
    /// Whole years kept after the year the dossier closed.
    #[serde(default)]
    years: Option<u32>,
}

fn schedule_schema() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(ScheduleFile).to_value())
}

impl RetentionSchedule {
    /// Reads a schedule file; `source` names it in messages.
    pub fn load(source: &str, text: &str) -> Result<Self, LoadError> {
        let (file, locator) = crate::located::parse::<ScheduleFile>(
            source,
            text,
            schedule_schema(),
            "docs/audit.md",
        )?;
        let mut problems = Vec::new();
        let mut classes = BTreeMap::new();
        for (name, class) in file.classes {
            let path = FieldPath::root().key("classes").key(&name);
            if !is_class_name(&name) {
                problems.push(Problem::at_key(
                    path.clone(),
                    DesignProblem::NotClassName { name: name.clone() },
                ));
            }
            if class.description.trim().is_empty() {
                problems.push(Problem::at(
                    path.key("description"),
                    DesignProblem::ClassUndescribed { name: name.clone() },
                ));
            }
            match (class.permanent, class.years) {
                (true, None) => {
                    classes.insert(name, Keep::Permanent);
                }
                (false, Some(0)) => problems.push(Problem::at(
                    path.key("years"),
                    DesignProblem::ClassZeroYears { name: name.clone() },
                )),
                (false, Some(years)) => {
                    classes.insert(name, Keep::Years(years));
                }
                (true, Some(_)) => problems.push(Problem::at_key(
                    path,
                    DesignProblem::ClassPermanentAndYears { name: name.clone() },
                )),
                (false, None) => problems.push(Problem::at_key(
                    path,
                    DesignProblem::ClassNoTerm { name: name.clone() },
                )),
            }
        }
        if problems.is_empty() {
            Ok(Self { classes })
        } else {
            Err(locator.locate(problems))
        }
    }

    /// What `class` keeps, if the schedule defines it.
    pub fn keep(&self, class: &str) -> Option<Keep> {
        self.classes.get(class).copied()
    }

    /// The class names, sorted.
    pub fn class_names(&self) -> impl Iterator<Item = &str> {
        self.classes.keys().map(String::as_str)
    }
}

impl Keep {
    /// The first day a dossier closed on `closed_on` may leave the store; `None` when never.
    ///
    /// Periods run from the end of the year the dossier closed (as archival periods are counted
    /// from the year the work ended), so a 10-year dossier closed in 2020 leaves on 2031-01-01.
    pub fn archivable_from(self, closed_on: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Permanent => None,
            Self::Years(years) => {
                let year = closed_on
                    .year()
                    .checked_add_unsigned(years)?
                    .checked_add(1)?;
                NaiveDate::from_ymd_opt(year, 1, 1)
            }
        }
    }
}

/// Whether `name` can name a retention class.
pub fn is_class_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|char| char.is_ascii_lowercase() || char.is_ascii_digit() || char == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Lang;

    fn date(text: &str) -> NaiveDate {
        text.parse().expect("test date")
    }

    #[test]
    fn periods_run_from_the_end_of_the_closing_year() {
        let ten = Keep::Years(10);
        assert_eq!(
            ten.archivable_from(date("2020-01-02")),
            Some(date("2031-01-01"))
        );
        assert_eq!(
            ten.archivable_from(date("2020-12-31")),
            Some(date("2031-01-01"))
        );
        assert_eq!(Keep::Permanent.archivable_from(date("2020-12-31")), None);
    }

    #[test]
    fn the_schedule_reads_permanent_and_yearly_classes() {
        let schedule = RetentionSchedule::load(
            "retention.toml",
            "[classes.register]\ndescription = \"Sổ\"\npermanent = true\n\n[classes.copy]\ndescription = \"Bản sao\"\nyears = 5\n",
        )
        .expect("valid schedule");
        assert_eq!(schedule.keep("register"), Some(Keep::Permanent));
        assert_eq!(schedule.keep("copy"), Some(Keep::Years(5)));
        assert_eq!(schedule.keep("other"), None);
        assert_eq!(
            schedule.class_names().collect::<Vec<_>>(),
            ["copy", "register"]
        );
    }

    #[test]
    fn a_version_stored_before_retention_existed_still_loads_but_a_file_needs_it() {
        let text = include_str!("../../procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml");
        let procedure = crate::procedure::Procedure::load("2.000635.toml", text).expect("loads");
        assert_eq!(
            procedure.definition().retention.as_deref(),
            Some("civil_status_copy")
        );
        let mut stored = procedure.definition().clone();
        stored.retention = None;
        assert!(crate::procedure::Procedure::from_definition(stored).is_ok());
        let without = text.replace("retention = \"civil_status_copy\"", "");
        let error = crate::procedure::Procedure::load("2.000635.toml", &without)
            .expect_err("a file without a retention class is refused")
            .to_string();
        assert!(error.contains("names no retention class"), "{error}");
    }

    #[test]
    fn a_procedure_loaded_with_a_schedule_must_name_one_of_its_classes() {
        let schedule = RetentionSchedule::load(
            "retention.toml",
            "[classes.civil_status_register]\ndescription = \"Hộ tịch\"\npermanent = true\n",
        )
        .expect("schedule");
        let text = include_str!("../../procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml");
        let error = crate::procedure::Procedure::load_with("2.000635.toml", text, Some(&schedule))
            .expect_err("civil_status_copy is not in this schedule");
        assert_eq!(error.diagnostics.len(), 1, "{error}");
        assert!(
            error.diagnostics[0].message(Lang::En).contains(
                "retention class `civil_status_copy` is not defined in the retention schedule"
            ),
            "{error}"
        );
        // A class that is not even a name gets its own message, once.
        let phrase = text.replace("\"civil_status_copy\"", "\"Hộ tịch 10 năm\"");
        let error =
            crate::procedure::Procedure::load_with("2.000635.toml", &phrase, Some(&schedule))
                .expect_err("not a class name");
        assert_eq!(error.diagnostics.len(), 1, "{error}");
        assert!(
            error.diagnostics[0]
                .message(Lang::En)
                .contains("is not a retention class name")
        );
        let register = text.replace("\"civil_status_copy\"", "\"civil_status_register\"");
        let procedure =
            crate::procedure::Procedure::load_with("2.000635.toml", &register, Some(&schedule))
                .expect("a class the schedule defines");
        assert!(procedure.retention_problem(&schedule).is_none());
        let loaded = crate::procedure::Procedure::load("2.000635.toml", text).expect("loads");
        assert!(
            loaded
                .retention_problem(&schedule)
                .is_some_and(|problem| problem
                    .said
                    .fix(Lang::En)
                    .contains("civil_status_register"))
        );
        let mut catalogue = crate::service::Catalogue::new();
        assert!(catalogue.retention().is_none());
        catalogue.set_retention(schedule);
        assert_eq!(
            catalogue
                .retention()
                .map(|schedule| schedule.class_names().collect::<Vec<_>>()),
            Some(vec!["civil_status_register"])
        );
    }

    #[test]
    fn a_bad_schedule_is_refused_at_the_class_with_a_fix() {
        let cases = [
            (
                "[classes.both]\ndescription = \"x\"\npermanent = true\nyears = 3\n",
                "retention.toml:1:10: class `both` is both permanent and kept for some years",
            ),
            (
                "[classes.neither]\ndescription = \"x\"\n",
                "retention.toml:1:10: class `neither` says neither how long nor permanent",
            ),
            (
                "[classes.Bad]\ndescription = \"x\"\nyears = 3\n",
                "retention.toml:1:10: `Bad` is not a retention class name",
            ),
            (
                "[classes.zero]\ndescription = \"x\"\nyears = 0\n",
                "retention.toml:3:9",
            ),
            (
                "[classes.typo]\ndescription = \"x\"\nyaers = 3\n",
                "retention.toml:3:1",
            ),
        ];
        for (text, expected) in cases {
            let error = RetentionSchedule::load("retention.toml", text)
                .expect_err("a bad schedule is refused")
                .to_string();
            assert!(error.starts_with(expected), "{text:?} gave {error}");
        }
    }
}
