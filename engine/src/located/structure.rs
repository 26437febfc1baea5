//! Checks a parsed procedure file against the JSON Schema generated from the format's types,
//! reporting every unknown, missing or mistyped key at once (serde alone stops at the first).
//!
//! It understands the subset of JSON Schema that `schemars` emits for the format: `$ref`,
//! objects with `properties` / `required` / `additionalProperties`, arrays, strings with a
//! `format`, integers with bounds, booleans, string enums (`enum` or `oneOf` of `const`), and
//! externally tagged enums (`oneOf` of one-key objects).

use serde_json::{Map, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{FieldPath, did_you_mean};
use crate::messages::DesignProblem;
use crate::procedure::ProcedureCode;

/// A structural problem with the byte offset it points at.
pub(crate) struct Finding {
    pub(crate) offset: usize,
    pub(crate) path: FieldPath,
    pub(crate) said: DesignProblem,
}

/// Walks a document against a root schema.
pub(crate) struct StructureCheck<'s> {
    definitions: Option<&'s Map<String, Value>>,
    findings: Vec<Finding>,
}

impl<'s> StructureCheck<'s> {
    pub(crate) fn run(schema: &'s Value, document: &Spanned<DeTable<'_>>) -> Vec<Finding> {
        let mut check = Self {
            definitions: schema.get("$defs").and_then(Value::as_object),
            findings: Vec::new(),
        };
        check.table(
            schema,
            document.get_ref(),
            document.span().start,
            &FieldPath::root(),
        );
        check.findings
    }

    fn resolve(&self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/$defs/");
            match self
                .definitions
                .and_then(|definitions| definitions.get(name))
            {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    fn report(&mut self, offset: usize, path: &FieldPath, said: DesignProblem) {
        self.findings.push(Finding {
            offset,
            path: path.clone(),
            said,
        });
    }

    fn value(&mut self, schema: &'s Value, value: &Spanned<DeValue<'_>>, path: &FieldPath) {
        let schema = self.resolve(schema);
        let at = value.span().start;
        if let Some(choices) = string_choices(schema) {
            self.choice(&choices, value, path);
            return;
        }
        // `Option<T>` of a named type: `anyOf: [T, {type: null}]`; TOML has no null, so check T.
        if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
            let mut present = branches
                .iter()
                .filter(|branch| branch.get("type") != Some(&Value::from("null")));
            if let (Some(only), None) = (present.next(), present.next()) {
                self.value(only, value, path);
                return;
            }
        }
        if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
            self.tagged(branches, value, path);
            return;
        }
        let Some(expected) = expected_type(schema) else {
            return;
        };
        match (expected, value.get_ref()) {
            ("object", DeValue::Table(table)) => {
                self.table(schema, table, at, path);
            }
            ("array", DeValue::Array(items)) => {
                let item_schema = schema.get("items").unwrap_or(&Value::Bool(true));
                for (position, item) in items.iter().enumerate() {
                    self.value(item_schema, item, &path.index(position));
                }
            }
            ("string", DeValue::String(text)) => self.string_format(schema, text, at, path),
            ("integer", DeValue::Integer(integer)) => {
                let parsed = i64::from_str_radix(integer.as_str(), integer.radix());
                self.integer_bounds(schema, parsed.ok(), at, path);
            }
            ("boolean", DeValue::Boolean(_)) => {}
            ("string", DeValue::Datetime(datetime)) => self.report(
                at,
                path,
                DesignProblem::BareDate {
                    path: path.to_string(),
                    written: datetime.to_string(),
                },
            ),
            (expected, found) => self.report(
                at,
                path,
                DesignProblem::WrongType {
                    path: path.to_string(),
                    expected: expected.to_owned(),
                    found: found.type_str().to_owned(),
                },
            ),
        }
    }

    fn table(&mut self, schema: &'s Value, table: &DeTable<'_>, at: usize, path: &FieldPath) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let known = || {
            properties
                .into_iter()
                .flat_map(|map| map.keys().map(String::as_str))
        };
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        // A misspelt required key is reported once, as unknown with a suggestion, not twice.
        let mut suggested: Vec<&str> = Vec::new();
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            let child = path.key(name);
            match properties.and_then(|map| map.get(name)) {
                Some(property) => self.value(property, value, &child),
                None if closed => {
                    let close = did_you_mean(name, known());
                    suggested.extend(close);
                    self.report(
                        key.span().start,
                        &child,
                        DesignProblem::UnknownKey {
                            key: name.to_owned(),
                            within: path.to_string(),
                            close: close.map(str::to_owned),
                            allowed: known().map(str::to_owned).collect(),
                        },
                    );
                }
                None => {}
            }
        }
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if table.get(required).is_none() && !suggested.contains(&required) {
                let hint = properties
                    .and_then(|map| map.get(required))
                    .and_then(|property| property.get("description"))
                    .and_then(Value::as_str)
                    .map(|description| description.trim_end_matches('.').to_owned());
                self.report(
                    at,
                    &path.key(required),
                    DesignProblem::MissingKey {
                        key: required.to_owned(),
                        within: path.to_string(),
                        hint,
                    },
                );
            }
        }
    }

    fn choice(&mut self, choices: &[&str], value: &Spanned<DeValue<'_>>, path: &FieldPath) {
        let listed = || choices.iter().map(|choice| (*choice).to_owned()).collect();
        let at = value.span().start;
        match value.get_ref() {
            DeValue::String(text) if choices.contains(&text.as_ref()) => {}
            DeValue::String(text) => self.report(
                at,
                path,
                DesignProblem::NotAChoice {
                    path: path.to_string(),
                    written: text.to_string(),
                    close: did_you_mean(text, choices.iter().copied()).map(str::to_owned),
                    choices: listed(),
                },
            ),
            other => self.report(
                at,
                path,
                DesignProblem::ChoiceNotWord {
                    path: path.to_string(),
                    found: other.type_str().to_owned(),
                    choices: listed(),
                },
            ),
        }
    }

    /// An externally tagged enum: a table with exactly one of the branch keys.
    fn tagged(&mut self, branches: &'s [Value], value: &Spanned<DeValue<'_>>, path: &FieldPath) {
        let tags: Vec<&str> = branches
            .iter()
            .filter_map(|branch| self.resolve(branch).get("required")?.get(0)?.as_str())
            .collect();
        let owned_tags = || tags.iter().map(|tag| (*tag).to_owned()).collect();
        let at = value.span().start;
        let DeValue::Table(table) = value.get_ref() else {
            self.report(
                at,
                path,
                DesignProblem::TaggedNotTable {
                    path: path.to_string(),
                    found: value.get_ref().type_str().to_owned(),
                    tags: owned_tags(),
                },
            );
            return;
        };
        let present: Vec<&str> = tags
            .iter()
            .copied()
            .filter(|tag| table.get(*tag).is_some())
            .collect();
        match present.as_slice() {
            [tag] => {
                if let Some(branch) = branches.iter().find(|branch| {
                    self.resolve(branch).get("required").and_then(|r| r.get(0))
                        == Some(&Value::from(*tag))
                }) {
                    self.table(self.resolve(branch), table, at, path);
                }
            }
            [] => {
                let written: Vec<String> = table
                    .iter()
                    .map(|(key, _)| key.get_ref().to_string())
                    .collect();
                let close = written
                    .iter()
                    .find_map(|key| did_you_mean(key, tags.iter().copied()));
                self.report(
                    at,
                    path,
                    DesignProblem::TaggedNone {
                        path: path.to_string(),
                        tags: owned_tags(),
                        close: close.map(str::to_owned),
                    },
                );
            }
            _ => self.report(
                at,
                path,
                DesignProblem::TaggedMany {
                    path: path.to_string(),
                    present: present.iter().map(|tag| (*tag).to_owned()).collect(),
                },
            ),
        }
    }

    fn string_format(&mut self, schema: &Value, text: &str, at: usize, path: &FieldPath) {
        let problem = match schema.get("format").and_then(Value::as_str) {
            Some("date") => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .err()
                .map(|_| DesignProblem::NotADate {
                    path: path.to_string(),
                    written: text.to_owned(),
                }),
            Some("procedure-code") => {
                ProcedureCode::parse(text)
                    .err()
                    .map(|_| DesignProblem::NotAProcedureCode {
                        written: text.to_owned(),
                    })
            }
            _ => None,
        };
        if let Some(said) = problem {
            self.report(at, path, said);
        }
    }

    fn integer_bounds(&mut self, schema: &Value, value: Option<i64>, at: usize, path: &FieldPath) {
        let minimum = schema.get("minimum").and_then(Value::as_i64);
        let maximum = schema.get("maximum").and_then(Value::as_i64).or_else(|| {
            match schema.get("format").and_then(Value::as_str) {
                Some("uint32") => Some(i64::from(u32::MAX)),
                _ => None,
            }
        });
        let fits = value.is_some_and(|value| {
            minimum.is_none_or(|minimum| value >= minimum)
                && maximum.is_none_or(|maximum| value <= maximum)
        });
        if !fits {
            self.report(
                at,
                path,
                DesignProblem::OutOfRange {
                    path: path.to_string(),
                    minimum,
                    maximum,
                },
            );
        }
    }
}

/// The allowed words, when the schema is a string enum.
fn string_choices(schema: &Value) -> Option<Vec<&str>> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().map(Value::as_str).collect();
    }
    let branches = schema.get("oneOf")?.as_array()?;
    branches
        .iter()
        .map(|branch| branch.get("const").and_then(Value::as_str))
        .collect()
}

/// The JSON type a schema wants, ignoring `null` (optional keys are simply left out in TOML).
fn expected_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(kind) => Some(kind),
        Value::Array(kinds) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null"),
        _ => None,
    }
}
