//! Instants as the API writes them: RFC 3339 with the legal zone's offset (`+07:00`), the time
//! the forms and pages show, so an integrator never converts from UTC to tell a date. Stored
//! events keep the instants they were hashed with.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serializer;

/// `at` in Vietnam time, e.g. `2026-12-08T17:00:00+07:00`.
pub fn vietnam<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&written(at))
}

/// [`vietnam`] for an instant that may be absent (`null`).
pub fn vietnam_optional<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_str(&written(at)),
        None => serializer.serialize_none(),
    }
}

fn written(at: &DateTime<Utc>) -> String {
    at.with_timezone(&hoso_engine::clock::vietnam())
        .to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Shown {
        #[serde(serialize_with = "vietnam")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "vietnam_optional")]
        due: Option<DateTime<Utc>>,
        #[serde(serialize_with = "vietnam_optional")]
        none: Option<DateTime<Utc>>,
    }

    #[test]
    fn instants_carry_the_legal_zone_and_read_back_as_the_same_instant() {
        let at: DateTime<Utc> = "2026-12-07T17:30:00Z".parse().expect("instant");
        let shown = serde_json::to_value(Shown {
            at,
            due: Some(at),
            none: None,
        })
        .expect("json");
        assert_eq!(shown["at"], "2026-12-08T00:30:00+07:00");
        assert_eq!(shown["due"], "2026-12-08T00:30:00+07:00");
        assert!(shown["none"].is_null());
        let back: DateTime<Utc> = shown["at"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .expect("parses");
        assert_eq!(back, at);
    }
}
