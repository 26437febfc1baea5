//! The unit directory: real units (cơ quan, đơn vị) with their national codes, and the routes
//! that say which real unit handles each kind of unit a procedure names.
//!
//! A procedure says "the commune police" (`cong_an_xa`); the directory says that, for dossiers
//! received at commune `000.00.17.H21`, that is unit `000.00.18.H21`. Units are merged, split and
//! renamed (the 2025 reorganisation abolished districts and merged provinces): a retired unit
//! names its successor from a date, and every route and every open dossier follows it. A
//! directory with no units is the single-unit mode of a commune whose desk and officers share one
//! code: every step stays at the receiving unit.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::code::UnitId;

/// The administrative level of a unit (cấp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    /// Trung ương: ministries and central agencies.
    Central,
    /// Cấp tỉnh: provinces and their departments (sở).
    Province,
    /// Cấp huyện: districts, abolished on 1 July 2025; kept for units retired since.
    District,
    /// Cấp xã: communes, wards and their offices.
    Commune,
}

impl UnitLevel {
    /// `central`, `province`, `district` or `commune`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "central" => Some(Self::Central),
            "province" => Some(Self::Province),
            "district" => Some(Self::District),
            "commune" => Some(Self::Commune),
            _ => None,
        }
    }

    /// The code used in files and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Central => "central",
            Self::Province => "province",
            Self::District => "district",
            Self::Commune => "commune",
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Central => "Trung ương",
            Self::Province => "Cấp tỉnh",
            Self::District => "Cấp huyện",
            Self::Commune => "Cấp xã",
        }
    }
}

/// A unit's retirement (giải thể, sáp nhập): from `from`, `successor` takes its work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retirement {
    /// The first day the successor handles the unit's work.
    pub from: NaiveDate,
    /// The unit that takes over.
    pub successor: UnitId,
}

/// A real unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitEntry {
    /// Its national code, e.g. `000.00.17.H21`.
    pub code: UnitId,
    /// Its name, e.g. "UBND xã Tân Lập".
    pub name: String,
    /// The unit it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<UnitId>,
    /// Its administrative level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<UnitLevel>,
    /// The first day it exists, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// The place name its documents are dated from (địa danh), e.g. "Tân Lập".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// Its retirement, once decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<Retirement>,
}

impl UnitEntry {
    /// Whether the unit no longer works on `day`.
    pub fn is_retired_on(&self, day: NaiveDate) -> bool {
        self.retired
            .as_ref()
            .is_some_and(|retired| retired.from <= day)
    }
}

/// A route: for dossiers received at `receiving`, the procedure's unit kind `kind` is `unit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// The receiving unit.
    pub receiving: UnitId,
    /// The unit kind as a procedure names it, e.g. `cong_an_xa`.
    pub kind: String,
    /// The real unit.
    pub unit: UnitId,
}

/// Why a change to the directory was refused; nothing changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    /// The code is not in the national shape.
    #[error(
        "`{0}` is not a unit code in the national format V1V2V3.Z1Z2.Y1Y2.MX1X2 (Circular 10/2016/TT-BTTTT): three digits, two, two, then a capital letter and two digits, e.g. 000.00.17.H21"
    )]
    Malformed(String),
    /// A unit named is not in the directory.
    #[error(
        "unit {0} is not in the directory: add it first with `hoso unit add --code {0} --name …`"
    )]
    Unknown(UnitId),
    /// A route or successor names a unit that is retired.
    #[error("unit {code} was retired on {from}; use its successor {successor}")]
    Retired {
        /// The retired unit.
        code: UnitId,
        /// Since when.
        from: NaiveDate,
        /// Who took over.
        successor: UnitId,
    },
    /// Parents that lead back to the unit.
    #[error("unit {0}'s parents lead back to itself: {1}")]
    ParentCircle(UnitId, String),
    /// Successors that lead back to the unit.
    #[error("unit {0} cannot be succeeded by {1}: {1}'s successors lead back to {0}")]
    SuccessorCircle(UnitId, UnitId),
    /// A name that is empty or too long.
    #[error("unit {0} needs a name of 1–300 characters")]
    Name(UnitId),
    /// A unit kind that is not a procedure identifier.
    #[error("`{0}` is not a unit kind: use the `id` of a procedure's [[units]], e.g. cong_an_xa")]
    Kind(String),
}

/// A step's unit kind with no route from a receiving unit, outside the receiving agency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no route for unit kind `{kind}` from receiving unit {receiving}: add one with `hoso unit route --receiving {receiving} --kind {kind} --unit CODE`"
)]
pub struct MissingRoute {
    /// The receiving unit.
    pub receiving: UnitId,
    /// The unit kind.
    pub kind: String,
}

/// Units and the routes between them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    units: BTreeMap<UnitId, UnitEntry>,
    routes: BTreeMap<UnitId, BTreeMap<String, UnitId>>,
}

/// Checks the national shape `V1V2V3.Z1Z2.Y1Y2.MX1X2`, e.g. `000.00.17.H21`.
pub fn national_code(text: &str) -> Result<UnitId, DirectoryError> {
    let malformed = || DirectoryError::Malformed(text.to_owned());
    let parts: Vec<&str> = text.split('.').collect();
    let digits = |part: &str, count: usize| {
        part.len() == count && part.bytes().all(|byte| byte.is_ascii_digit())
    };
    let [v, z, y, m] = parts.as_slice() else {
        return Err(malformed());
    };
    let level_one = m.len() == 3
        && m.as_bytes()[0].is_ascii_uppercase()
        && m.bytes().skip(1).all(|byte| byte.is_ascii_digit());
    if digits(v, 3) && digits(z, 2) && digits(y, 2) && level_one {
        UnitId::parse(text).map_err(|_| malformed())
    } else {
        Err(malformed())
    }
}

fn is_kind(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_')
}

impl Directory {
    /// A directory where every receiving unit handles every step itself.
    pub fn single_units() -> Self {
        Self::default()
    }

    /// A directory as stored, trusted: it was checked when each part was added.
    pub fn from_parts(units: Vec<UnitEntry>, routes: Vec<Route>) -> Self {
        let mut directory = Self::default();
        for unit in units {
            directory.units.insert(unit.code.clone(), unit);
        }
        for route in routes {
            directory
                .routes
                .entry(route.receiving)
                .or_default()
                .insert(route.kind, route.unit);
        }
        directory
    }

    /// No units: the single-unit mode.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// A unit by code.
    pub fn unit(&self, code: &UnitId) -> Option<&UnitEntry> {
        self.units.get(code)
    }

    /// Every unit, by code.
    pub fn units(&self) -> impl Iterator<Item = &UnitEntry> {
        self.units.values()
    }

    /// Every route, by receiving unit and kind.
    pub fn routes(&self) -> impl Iterator<Item = Route> + '_ {
        self.routes.iter().flat_map(|(receiving, kinds)| {
            kinds.iter().map(|(kind, unit)| Route {
                receiving: receiving.clone(),
                kind: kind.clone(),
                unit: unit.clone(),
            })
        })
    }

    /// A unit's name, or its code when it is not in the directory.
    pub fn name_of(&self, code: &UnitId) -> String {
        self.units
            .get(code)
            .map_or_else(|| code.to_string(), |unit| unit.name.clone())
    }

    /// Adds a unit, or changes its name, parent and level; its retirement stays as it was.
    pub fn add_unit(&mut self, mut entry: UnitEntry) -> Result<&UnitEntry, DirectoryError> {
        national_code(entry.code.as_str())?;
        entry.name = entry.name.trim().to_owned();
        if entry.name.is_empty() || entry.name.chars().count() > 300 {
            return Err(DirectoryError::Name(entry.code));
        }
        if let Some(parent) = &entry.parent {
            if !self.units.contains_key(parent) && parent != &entry.code {
                return Err(DirectoryError::Unknown(parent.clone()));
            }
            let mut chain = vec![entry.code.to_string()];
            let mut next = Some(parent.clone());
            while let Some(current) = next {
                chain.push(current.to_string());
                if current == entry.code {
                    return Err(DirectoryError::ParentCircle(
                        entry.code.clone(),
                        chain.join(" → "),
                    ));
                }
                next = self
                    .units
                    .get(&current)
                    .and_then(|unit| unit.parent.clone());
            }
        }
        if let Some(existing) = self.units.get(&entry.code) {
            entry.retired = existing.retired.clone();
        }
        let code = entry.code.clone();
        self.units.insert(code.clone(), entry);
        Ok(&self.units[&code])
    }

    /// Routes `kind` for dossiers received at `receiving` to `unit`, checked on `day`.
    pub fn add_route(&mut self, route: Route, day: NaiveDate) -> Result<(), DirectoryError> {
        if !is_kind(&route.kind) {
            return Err(DirectoryError::Kind(route.kind));
        }
        self.known(&route.receiving)?;
        self.working(&route.unit, day)?;
        self.routes
            .entry(route.receiving)
            .or_default()
            .insert(route.kind, route.unit);
        Ok(())
    }

    /// Retires `code` from `from`, its work passing to `successor`.
    pub fn retire(
        &mut self,
        code: &UnitId,
        successor: &UnitId,
        from: NaiveDate,
    ) -> Result<&UnitEntry, DirectoryError> {
        self.known(code)?;
        self.working(successor, from)?;
        if code == successor || self.current(successor, NaiveDate::MAX) == *code {
            return Err(DirectoryError::SuccessorCircle(
                code.clone(),
                successor.clone(),
            ));
        }
        let entry = self
            .units
            .get_mut(code)
            .ok_or_else(|| DirectoryError::Unknown(code.clone()))?;
        entry.retired = Some(Retirement {
            from,
            successor: successor.clone(),
        });
        Ok(entry)
    }

    fn known(&self, code: &UnitId) -> Result<&UnitEntry, DirectoryError> {
        self.units
            .get(code)
            .ok_or_else(|| DirectoryError::Unknown(code.clone()))
    }

    fn working(&self, code: &UnitId, day: NaiveDate) -> Result<(), DirectoryError> {
        let unit = self.known(code)?;
        match &unit.retired {
            Some(retired) if retired.from <= day => Err(DirectoryError::Retired {
                code: code.clone(),
                from: retired.from,
                successor: retired.successor.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// The unit doing `code`'s work on `day`: itself, or its successor once retired.
    pub fn current(&self, code: &UnitId, day: NaiveDate) -> UnitId {
        let mut current = code.clone();
        // A chain is at most as long as the directory; the bound also stops a stored circle.
        for _ in 0..=self.units.len() {
            match self
                .units
                .get(&current)
                .and_then(|unit| unit.retired.as_ref())
            {
                Some(retired) if retired.from <= day => current = retired.successor.clone(),
                _ => break,
            }
        }
        current
    }

    /// The units whose work `code` does on `day` (itself first, then those retired into it).
    pub fn acting_for(&self, code: &UnitId, day: NaiveDate) -> Vec<UnitId> {
        let mut units = vec![code.clone()];
        units.extend(
            self.units
                .values()
                .filter(|other| other.retired.is_some() && other.code != *code)
                .filter(|other| self.current(&other.code, day) == *code)
                .map(|other| other.code.clone()),
        );
        units
    }

    /// Whether an officer of `actor_unit` works for `holding` on `day`.
    pub fn works_for(&self, actor_unit: &UnitId, holding: &UnitId, day: NaiveDate) -> bool {
        actor_unit == holding || self.current(holding, day) == *actor_unit
    }

    /// The real unit that handles `kind` for dossiers received at `receiving` on `day`. A kind
    /// without a route stays at the receiving unit when it belongs to the receiving agency
    /// (`own_agency`) or when the directory is empty; otherwise the route is missing.
    pub fn resolve(
        &self,
        receiving: &UnitId,
        kind: &str,
        own_agency: bool,
        day: NaiveDate,
    ) -> Result<UnitId, MissingRoute> {
        let routed = self
            .routes
            .get(receiving)
            .and_then(|routes| routes.get(kind));
        match routed {
            Some(unit) => Ok(self.current(unit, day)),
            None if own_agency || self.is_empty() => Ok(self.current(receiving, day)),
            None => Err(MissingRoute {
                receiving: receiving.clone(),
                kind: kind.to_owned(),
            }),
        }
    }
}

impl fmt::Display for UnitEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> UnitId {
        UnitId::parse(text).expect("a code")
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    fn unit(text: &str, parent: Option<&str>) -> UnitEntry {
        UnitEntry {
            code: code(text),
            name: format!("Đơn vị {text}"),
            parent: parent.map(code),
            level: Some(UnitLevel::Commune),
            valid_from: None,
            place: None,
            retired: None,
        }
    }

    fn three_units() -> Directory {
        let mut directory = Directory::default();
        for text in ["000.00.17.H21", "000.00.18.H21", "000.00.01.H21"] {
            directory.add_unit(unit(text, None)).expect("added");
        }
        directory
    }

    #[test]
    fn national_codes_have_four_parts_of_fixed_shape() {
        assert!(national_code("000.00.17.H21").is_ok());
        assert!(national_code("123.45.67.G09").is_ok());
        for bad in [
            "000.00.17",
            "00.00.17.H21",
            "000.0.17.H21",
            "000.00.1.H21",
            "000.00.17.h21",
            "000.00.17.H2",
            "000.00.17.HH1",
            "000.00.17.H21.1",
            "a00.00.17.H21",
            "",
        ] {
            assert_eq!(
                national_code(bad),
                Err(DirectoryError::Malformed(bad.to_owned())),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_empty_directory_keeps_every_step_at_the_receiving_unit() {
        let directory = Directory::single_units();
        assert_eq!(
            directory.resolve(
                &code("000.00.17.H21"),
                "cong_an_xa",
                false,
                day("2026-12-04")
            ),
            Ok(code("000.00.17.H21"))
        );
    }

    #[test]
    fn routes_resolve_and_unrouted_kinds_stay_only_within_the_receiving_agency() {
        let mut directory = three_units();
        let commune = code("000.00.17.H21");
        let today = day("2026-12-04");
        directory
            .add_route(
                Route {
                    receiving: commune.clone(),
                    kind: "cong_an_xa".into(),
                    unit: code("000.00.18.H21"),
                },
                today,
            )
            .expect("routed");
        assert_eq!(
            directory.resolve(&commune, "cong_an_xa", false, today),
            Ok(code("000.00.18.H21"))
        );
        assert_eq!(
            directory.resolve(&commune, "tu_phap", true, today),
            Ok(commune.clone())
        );
        let missing = directory
            .resolve(&commune, "bao_hiem_xa_hoi", false, today)
            .expect_err("no route");
        assert!(missing.to_string().contains("bao_hiem_xa_hoi"), "{missing}");
        assert!(missing.to_string().contains("000.00.17.H21"), "{missing}");
        // A route from another receiving unit does not count.
        assert!(
            directory
                .resolve(&code("000.00.01.H21"), "cong_an_xa", false, today)
                .is_err()
        );
    }

    #[test]
    fn retired_units_hand_their_work_to_successors_from_the_date() {
        let mut directory = three_units();
        let old = code("000.00.18.H21");
        let new = code("000.00.01.H21");
        let commune = code("000.00.17.H21");
        directory
            .add_route(
                Route {
                    receiving: commune.clone(),
                    kind: "cong_an_xa".into(),
                    unit: old.clone(),
                },
                day("2026-12-01"),
            )
            .expect("routed");
        directory
            .retire(&old, &new, day("2026-12-10"))
            .expect("retired");
        assert_eq!(
            directory.resolve(&commune, "cong_an_xa", false, day("2026-12-09")),
            Ok(old.clone())
        );
        assert_eq!(
            directory.resolve(&commune, "cong_an_xa", false, day("2026-12-10")),
            Ok(new.clone())
        );
        assert!(directory.works_for(&new, &old, day("2026-12-10")));
        assert!(!directory.works_for(&new, &old, day("2026-12-09")));
        assert!(directory.works_for(&old, &old, day("2026-12-10")));
        assert_eq!(
            directory.acting_for(&new, day("2026-12-10")),
            vec![new.clone(), old.clone()]
        );
        assert_eq!(
            directory.acting_for(&new, day("2026-12-09")),
            vec![new.clone()]
        );
        // A route to a retired unit is refused, naming the successor.
        let refused = directory
            .add_route(
                Route {
                    receiving: commune.clone(),
                    kind: "bhxh".into(),
                    unit: old.clone(),
                },
                day("2026-12-11"),
            )
            .expect_err("retired");
        assert_eq!(
            refused,
            DirectoryError::Retired {
                code: old.clone(),
                from: day("2026-12-10"),
                successor: new.clone()
            }
        );
        // Successors cannot go round.
        assert_eq!(
            directory.retire(&new, &old, day("2026-12-01")),
            Err(DirectoryError::SuccessorCircle(new.clone(), old.clone()))
        );
        assert_eq!(
            directory.retire(&new, &new, day("2026-12-01")),
            Err(DirectoryError::SuccessorCircle(new.clone(), new.clone()))
        );
        // Re-adding a retired unit keeps its retirement.
        let readded = directory
            .add_unit(unit("000.00.18.H21", None))
            .expect("renamed");
        assert!(readded.is_retired_on(day("2026-12-10")));
        assert!(!readded.is_retired_on(day("2026-12-09")));
    }

    #[test]
    fn levels_read_and_print_as_files_and_people_write_them() {
        for (text, label) in [
            ("central", "Trung ương"),
            ("province", "Cấp tỉnh"),
            ("district", "Cấp huyện"),
            ("commune", "Cấp xã"),
        ] {
            let level = UnitLevel::parse(text).expect(text);
            assert_eq!(level.as_str(), text);
            assert_eq!(level.label(), label);
        }
        assert_eq!(UnitLevel::parse("xa"), None);
    }

    #[test]
    fn a_stored_directory_reads_back_whole_with_names() {
        let units = vec![unit("000.00.17.H21", None), unit("000.00.18.H21", None)];
        let routes = vec![Route {
            receiving: code("000.00.17.H21"),
            kind: "cong_an_xa".into(),
            unit: code("000.00.18.H21"),
        }];
        let directory = Directory::from_parts(units.clone(), routes.clone());
        assert_eq!(directory.units().cloned().collect::<Vec<_>>(), units);
        assert_eq!(directory.routes().collect::<Vec<_>>(), routes);
        assert_eq!(
            directory.name_of(&code("000.00.18.H21")),
            "Đơn vị 000.00.18.H21"
        );
        assert_eq!(
            directory.name_of(&code("000.00.99.H21")),
            "000.00.99.H21",
            "a code outside the directory reads as itself"
        );
        assert_eq!(
            unit("000.00.17.H21", None).to_string(),
            "Đơn vị 000.00.17.H21 (000.00.17.H21)"
        );
    }

    #[test]
    fn names_may_have_up_to_300_characters() {
        let mut directory = Directory::default();
        let mut long = unit("000.00.17.H21", None);
        long.name = "a".repeat(300);
        assert!(directory.add_unit(long.clone()).is_ok());
        long.name.push('a');
        assert_eq!(
            directory.add_unit(long),
            Err(DirectoryError::Name(code("000.00.17.H21")))
        );
    }

    #[test]
    fn parents_must_exist_and_never_circle() {
        let mut directory = Directory::default();
        assert_eq!(
            directory.add_unit(unit("000.00.17.H21", Some("000.00.00.H21"))),
            Err(DirectoryError::Unknown(code("000.00.00.H21")))
        );
        directory
            .add_unit(unit("000.00.00.H21", None))
            .expect("province");
        directory
            .add_unit(unit("000.00.17.H21", Some("000.00.00.H21")))
            .expect("commune");
        let circle = directory
            .add_unit(unit("000.00.00.H21", Some("000.00.17.H21")))
            .expect_err("circle");
        assert_eq!(
            circle,
            DirectoryError::ParentCircle(
                code("000.00.00.H21"),
                "000.00.00.H21 → 000.00.17.H21 → 000.00.00.H21".into()
            )
        );
        assert!(matches!(
            directory.add_unit(unit("000.00.19.H21", Some("000.00.19.H21"))),
            Err(DirectoryError::ParentCircle(..))
        ));
        let mut unnamed = unit("000.00.20.H21", None);
        unnamed.name = "  ".into();
        assert_eq!(
            directory.add_unit(unnamed),
            Err(DirectoryError::Name(code("000.00.20.H21")))
        );
    }

    #[test]
    fn routes_need_known_units_and_a_kind() {
        let mut directory = three_units();
        let today = day("2026-12-04");
        let route = |receiving: &str, kind: &str, to: &str| Route {
            receiving: code(receiving),
            kind: kind.into(),
            unit: code(to),
        };
        assert_eq!(
            directory.add_route(route("000.00.17.H21", "cong_an_xa", "000.00.99.H21"), today),
            Err(DirectoryError::Unknown(code("000.00.99.H21")))
        );
        assert_eq!(
            directory.add_route(route("000.00.99.H21", "cong_an_xa", "000.00.18.H21"), today),
            Err(DirectoryError::Unknown(code("000.00.99.H21")))
        );
        assert_eq!(
            directory.add_route(route("000.00.17.H21", "Công an", "000.00.18.H21"), today),
            Err(DirectoryError::Kind("Công an".into()))
        );
        assert_eq!(directory.routes().count(), 0);
    }
}
