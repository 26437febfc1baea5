//! Identifiers of units and dossiers, parsed once at the edge.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The code of a real unit (mã định danh đơn vị), e.g. `000.00.17.H21`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitId(String);

/// Text that is not a unit code or dossier code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidCode(String);

impl UnitId {
    /// Parses a unit code: 1–40 ASCII letters, digits and dots, not starting or ending with a dot.
    pub fn parse(text: &str) -> Result<Self, InvalidCode> {
        let valid = !text.is_empty()
            && text.len() <= 40
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'.')
            && !text.starts_with('.')
            && !text.ends_with('.');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidCode(format!(
                "`{text}` is not a unit code: use 1–40 letters, digits and dots, e.g. \"000.00.17.H21\""
            )))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UnitId {
    type Error = InvalidCode;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<UnitId> for String {
    fn from(unit: UnitId) -> Self {
        unit.0
    }
}

impl FromStr for UnitId {
    type Err = InvalidCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for UnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A dossier code (mã số hồ sơ) `<receiving unit>-YYMMDD-NNNN`, e.g. `000.00.17.H21-250124-0001`:
/// the sequence counts per receiving unit per day from 0001, without gaps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DossierCode {
    unit: UnitId,
    day: NaiveDate,
    sequence: u32,
}

impl DossierCode {
    /// A code from its parts; the day must be in 2000–2099 and the sequence at least 1.
    pub fn new(unit: UnitId, day: NaiveDate, sequence: u32) -> Result<Self, InvalidCode> {
        if !(2000..=2099).contains(&day.year()) || sequence == 0 {
            return Err(InvalidCode(format!(
                "a dossier code needs a day in 2000–2099 and a sequence from 1, not {day} and {sequence}"
            )));
        }
        Ok(Self {
            unit,
            day,
            sequence,
        })
    }

    /// Parses the canonical form.
    pub fn parse(text: &str) -> Result<Self, InvalidCode> {
        let invalid = || {
            InvalidCode(format!(
                "`{text}` is not a dossier code: expected <unit>-YYMMDD-NNNN, e.g. \"000.00.17.H21-250124-0001\""
            ))
        };
        let mut parts = text.rsplitn(3, '-');
        let (Some(sequence), Some(day), Some(unit)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if sequence.len() < 4
            || !sequence.bytes().all(|byte| byte.is_ascii_digit())
            || day.len() != 6
        {
            return Err(invalid());
        }
        let day =
            NaiveDate::parse_from_str(&format!("20{day}"), "%Y%m%d").map_err(|_| invalid())?;
        let sequence: u32 = sequence.parse().map_err(|_| invalid())?;
        let unit = UnitId::parse(unit).map_err(|_| invalid())?;
        Self::new(unit, day, sequence).map_err(|_| invalid())
    }

    /// The receiving unit.
    pub fn unit(&self) -> &UnitId {
        &self.unit
    }

    /// The day of registration.
    pub fn day(&self) -> NaiveDate {
        self.day
    }

    /// The sequence within the unit's day.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl TryFrom<String> for DossierCode {
    type Error = InvalidCode;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DossierCode> for String {
    fn from(code: DossierCode) -> Self {
        code.to_string()
    }
}

impl FromStr for DossierCode {
    type Err = InvalidCode;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.unit,
            self.day.format("%y%m%d"),
            self.sequence
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dossier_codes_round_trip_their_canonical_form() {
        let code = DossierCode::parse("000.00.17.H21-250124-0001").unwrap();
        assert_eq!(code.unit().as_str(), "000.00.17.H21");
        assert_eq!(code.day(), NaiveDate::from_ymd_opt(2025, 1, 24).unwrap());
        assert_eq!(code.sequence(), 1);
        assert_eq!(code.to_string(), "000.00.17.H21-250124-0001");
        assert_eq!(
            DossierCode::parse("H21-251231-12345").unwrap().to_string(),
            "H21-251231-12345"
        );
    }

    #[test]
    fn malformed_dossier_codes_are_refused() {
        for bad in [
            "",
            "H21",
            "H21-250124",
            "H21-250124-01",
            "H21-250230-0001",
            "H21-250124-0000",
            "-250124-0001",
            "H 21-250124-0001",
            "../x-250124-0001",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad}");
        }
    }
}
