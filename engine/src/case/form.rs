//! Checking e-form values and documents against the procedure, every problem with its JSON
//! pointer so an API client can show it next to the field.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::model::{DocumentRef, Provenance};
use crate::procedure::{FieldKind, FormField, Procedure};

/// A problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldProblem {
    /// JSON pointer into the request, e.g. `/form/so_ban_sao`.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl FieldProblem {
    /// A problem at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

fn fields(procedure: &Procedure) -> impl Iterator<Item = &FormField> {
    procedure
        .definition()
        .documents
        .iter()
        .flat_map(|document| &document.fields)
}

/// Checks a complete form: every required field present, every value of its field's kind and
/// within its limits, no unknown field.
pub fn check_form(
    procedure: &Procedure,
    form: &Map<String, Value>,
    problems: &mut Vec<FieldProblem>,
) {
    for (key, value) in form {
        let pointer = format!("/form/{}", key.replace('~', "~0").replace('/', "~1"));
        match fields(procedure).find(|field| &field.id == key) {
            Some(field) => check_value(field, value, &pointer, problems),
            None => {
                let known: Vec<&str> = fields(procedure).map(|field| field.id.as_str()).collect();
                let hint = match crate::located::did_you_mean(key, known.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("the form's fields are: {}", known.join(", ")),
                };
                problems.push(FieldProblem::new(
                    pointer,
                    format!("unknown field `{key}`; {hint}"),
                ));
            }
        }
    }
    for field in fields(procedure) {
        let empty = match form.get(&field.id) {
            None | Some(Value::Null) => true,
            Some(Value::String(text)) => text.trim().is_empty(),
            Some(_) => false,
        };
        if field.required && empty {
            problems.push(FieldProblem::new(
                format!("/form/{}", field.id),
                format!("\"{}\" is required", field.label),
            ));
        }
    }
}

fn check_value(field: &FormField, value: &Value, pointer: &str, problems: &mut Vec<FieldProblem>) {
    let label = &field.label;
    let mut problem = |message: String| problems.push(FieldProblem::new(pointer, message));
    if value.is_null() {
        return;
    }
    match field.kind {
        FieldKind::Text => match value.as_str() {
            Some(text) => {
                if let Some(limit) = field.max_length
                    && text.chars().count() > limit as usize
                {
                    problem(format!("\"{label}\" is longer than {limit} characters"));
                }
                if let Some(hidden) = hidden_character(text) {
                    problem(format!("\"{label}\" {}", hidden_message(hidden)));
                }
            }
            None => problem(format!("\"{label}\" must be text")),
        },
        FieldKind::Integer => match value.as_i64() {
            Some(number) => check_range(field, Decimal::from(number), &mut problem),
            None => problem(format!("\"{label}\" must be a whole number")),
        },
        FieldKind::Decimal => match decimal_of(value) {
            Some(number) => check_range(field, number, &mut problem),
            None => problem(format!("\"{label}\" must be a number, e.g. 12.5")),
        },
        FieldKind::Date => {
            let valid = value
                .as_str()
                .is_some_and(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok());
            if !valid {
                problem(format!("\"{label}\" must be a date written YYYY-MM-DD"));
            }
        }
        FieldKind::Boolean => {
            if !value.is_boolean() {
                problem(format!("\"{label}\" must be true or false"));
            }
        }
        FieldKind::Choice => match value.as_str() {
            Some(text) if field.choices.iter().any(|choice| choice == text) => {}
            _ => problem(format!(
                "\"{label}\" must be one of: {}",
                field.choices.join(", ")
            )),
        },
        FieldKind::Phone => {
            if value.as_str().and_then(normalize_phone).is_none() {
                problem(format!(
                    "\"{label}\" is not a Vietnamese phone number (10 digits from 0, or +84)"
                ));
            }
        }
        FieldKind::Email => {
            if !value.as_str().is_some_and(is_email) {
                problem(format!("\"{label}\" is not an e-mail address"));
            }
        }
        FieldKind::IdNumber => {
            if !value.as_str().is_some_and(is_id_number) {
                problem(format!(
                    "\"{label}\" must be a 12-digit personal identification number"
                ));
            }
        }
    }
}

fn check_range(field: &FormField, number: Decimal, problem: &mut impl FnMut(String)) {
    if let Some(min) = field.min
        && number < Decimal::from(min)
    {
        problem(format!("\"{}\" must be at least {min}", field.label));
    }
    if let Some(max) = field.max
        && number > Decimal::from(max)
    {
        problem(format!("\"{}\" must be at most {max}", field.label));
    }
}

/// A decimal from a JSON number or a numeric string.
pub(crate) fn decimal_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(number) => number.to_string().parse().ok(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// An e-mail address a mail server takes: one `@` between a non-empty local part and a dotted
/// domain, at most 254 bytes, no space or control character (a CR/LF would smuggle a header into
/// the notification and kill it later as a dead letter).
pub fn is_email(text: &str) -> bool {
    let mut parts = text.split('@');
    let shape = matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(local), Some(domain), None)
            if !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
    );
    shape
        && text.len() <= 254
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
}

/// Characters a reader cannot see that change what text says or how it reads: bidirectional
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F,
/// U+061C) reorder a name on screen; zero-width characters (U+200B–U+200D, U+2060, U+FEFF) make two
/// equal-looking names differ.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

/// The first control or invisible character of `text`, if any (a line break included: names,
/// short texts and addresses are one line).
pub fn hidden_character(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control() || is_invisible(*c))
}

/// What to tell a person whose text holds `hidden`.
pub fn hidden_message(hidden: char) -> String {
    format!(
        "contains an invisible or control character (U+{:04X}); type it again instead of pasting it",
        u32::from(hidden)
    )
}

/// Text as stored: Unicode NFC, so a Vietnamese name typed with combining marks (as some keyboards
/// send it) equals the same name typed precomposed, in searches and on forms.
pub fn normalize_text(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}

/// The form with every text field's value in NFC.
pub fn normalize_form(procedure: &Procedure, form: &Map<String, Value>) -> Map<String, Value> {
    form.iter()
        .map(|(key, value)| {
            let text_field = fields(procedure)
                .any(|field| &field.id == key && matches!(field.kind, FieldKind::Text));
            let value = match value {
                Value::String(text) if text_field => Value::String(normalize_text(text)),
                other => other.clone(),
            };
            (key.clone(), value)
        })
        .collect()
}

/// A 12-digit personal identification number (số định danh cá nhân).
pub fn is_id_number(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// A Vietnamese mobile or landline number normalised to `0xxxxxxxxx`, from `0…`, `84…` or `+84…`
/// with spaces, dots or dashes.
pub fn normalize_phone(text: &str) -> Option<String> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+84") {
        format!("0{rest}")
    } else if let Some(rest) = digits.strip_prefix("84").filter(|rest| rest.len() == 9) {
        format!("0{rest}")
    } else {
        digits
    };
    (national.len() == 10
        && national.starts_with('0')
        && national.bytes().all(|byte| byte.is_ascii_digit()))
    .then_some(national)
}

/// Checks documents name known components and every required component is there.
pub fn check_documents(
    procedure: &Procedure,
    documents: &[DocumentRef],
    problems: &mut Vec<FieldProblem>,
) {
    let components = &procedure.definition().documents;
    for (position, document) in documents.iter().enumerate() {
        if !components
            .iter()
            .any(|component| component.id == document.component)
            && document.component != super::AUTHORISATION_COMPONENT
        {
            let known: Vec<&str> = components
                .iter()
                .map(|component| component.id.as_str())
                .collect();
            problems.push(FieldProblem::new(
                format!("/documents/{position}/component"),
                format!(
                    "unknown dossier component `{}`; the procedure's components are: {}",
                    document.component,
                    known.join(", ")
                ),
            ));
        }
        if let Some(component) = components
            .iter()
            .find(|component| component.id == document.component)
            && !component.from_data_store
            && matches!(
                document.provenance,
                Provenance::DataStore | Provenance::Database
            )
        {
            problems.push(FieldProblem::new(
                format!("/documents/{position}/provenance"),
                format!(
                    "\"{}\" cannot be taken from a data store or database for this procedure; upload it (provenance \"upload\") or have it scanned at the counter",
                    component.name
                ),
            ));
        }
        if let Some(hidden) = hidden_character(&document.name) {
            problems.push(FieldProblem::new(
                format!("/documents/{position}/name"),
                format!("the document's name {}", hidden_message(hidden)),
            ));
        }
        if let Some(hash) = &document.sha256
            && (hash.len() != 64 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()))
        {
            problems.push(FieldProblem::new(
                format!("/documents/{position}/sha256"),
                "sha256 must be 64 hexadecimal characters",
            ));
        }
    }
    for component in components
        .iter()
        .filter(|component| component.must_be_attached())
    {
        if !documents
            .iter()
            .any(|document| document.component == component.id)
        {
            problems.push(FieldProblem::new(
                "/documents",
                format!(
                    "the required document \"{}\" (`{}`) is missing",
                    component.name, component.id
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_normalise_to_the_national_form() {
        assert_eq!(
            normalize_phone("0912 345 678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalize_phone("+84912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(
            normalize_phone("84912345678").as_deref(),
            Some("0912345678")
        );
        assert_eq!(normalize_phone("091234567"), None);
        assert_eq!(normalize_phone("09123456789"), None);
        assert_eq!(normalize_phone("abc"), None);
    }
}
