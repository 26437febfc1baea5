//! Checking e-form values and documents against the procedure, every problem with its JSON
//! pointer so an API client can show it next to the field.

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::model::{DocumentRef, Provenance};
use crate::messages::{Lang, Said, Subject};
use crate::procedure::{FieldKind, FormField, Procedure};

/// A problem with one field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// JSON pointer into the request, e.g. `/form/so_ban_sao`.
    pub pointer: String,
    /// What is wrong and how to fix it, worded by the message catalogue.
    pub said: Said,
}

impl FieldProblem {
    /// A problem at `pointer`: a kind of mistake from the catalogue, or English text not yet in it.
    pub fn new(pointer: impl Into<String>, said: impl Into<Said>) -> Self {
        Self {
            pointer: pointer.into(),
            said: said.into(),
        }
    }

    /// What is wrong, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        self.said.text(lang)
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
                let close = crate::located::did_you_mean(key, known.iter().copied());
                problems.push(FieldProblem::new(
                    pointer,
                    Said::UnknownField {
                        key: key.clone(),
                        close: close.map(str::to_owned),
                        known: known.iter().map(|id| (*id).to_owned()).collect(),
                    },
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
                Said::Required {
                    label: field.label.clone(),
                    choose: matches!(field.kind, FieldKind::Choice | FieldKind::Boolean),
                },
            ));
        }
    }
}

fn check_value(field: &FormField, value: &Value, pointer: &str, problems: &mut Vec<FieldProblem>) {
    let label = || field.label.clone();
    let mut problem = |said: Said| problems.push(FieldProblem::new(pointer, said));
    if value.is_null() {
        return;
    }
    match field.kind {
        FieldKind::Text => match value.as_str() {
            Some(text) => {
                if let Some(limit) = field.max_length
                    && text.chars().count() > limit as usize
                {
                    problem(Said::TooLong {
                        label: label(),
                        limit,
                    });
                }
                if let Some(hidden) = hidden_character(text) {
                    problem(Said::Hidden {
                        subject: Subject::Field(label()),
                        code: u32::from(hidden),
                    });
                }
            }
            None => problem(Said::NotText { label: label() }),
        },
        FieldKind::Integer => match value.as_i64() {
            Some(number) => check_range(field, Decimal::from(number), &mut problem),
            None => problem(Said::NotWholeNumber { label: label() }),
        },
        FieldKind::Decimal => match decimal_of(value) {
            Some(number) => check_range(field, number, &mut problem),
            None => problem(Said::NotNumber { label: label() }),
        },
        FieldKind::Date => {
            let valid = value
                .as_str()
                .is_some_and(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok());
            if !valid {
                problem(Said::NotDate { label: label() });
            }
        }
        FieldKind::Boolean => {
            if !value.is_boolean() {
                problem(Said::NotYesNo { label: label() });
            }
        }
        FieldKind::Choice => match value.as_str() {
            Some(text) if field.choices.iter().any(|choice| choice == text) => {}
            _ => problem(Said::NotAChoice {
                label: label(),
                codes: field.choices.clone(),
                names: field
                    .choices
                    .iter()
                    .map(|choice| field.choice_label(choice).to_owned())
                    .collect(),
            }),
        },
        FieldKind::Phone => {
            if value.as_str().and_then(normalize_phone).is_none() {
                problem(Said::NotPhone {
                    label: Some(label()),
                });
            }
        }
        FieldKind::Email => {
            if !value.as_str().is_some_and(is_email) {
                problem(Said::NotEmail {
                    label: Some(label()),
                });
            }
        }
        FieldKind::IdNumber => {
            if !value.as_str().is_some_and(is_id_number) {
                problem(Said::NotIdNumber {
                    label: Some(label()),
                });
            }
        }
    }
}

fn check_range(field: &FormField, number: Decimal, problem: &mut impl FnMut(Said)) {
    if let Some(min) = field.min
        && number < Decimal::from(min)
    {
        problem(Said::BelowMin {
            label: field.label.clone(),
            min,
        });
    }
    if let Some(max) = field.max
        && number > Decimal::from(max)
    {
        problem(Said::AboveMax {
            label: field.label.clone(),
            max,
        });
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

/// The applicant's phone and e-mail, where given: a Vietnamese number and one address, said at
/// `/applicant/phone` and `/applicant/email`. The apply page runs it with the e-form's checks, so
/// every mistake is said in one round.
pub fn check_contact(phone: Option<&str>, email: Option<&str>, problems: &mut Vec<FieldProblem>) {
    if let Some(phone) = phone
        && normalize_phone(phone).is_none()
    {
        problems.push(FieldProblem::new(
            "/applicant/phone",
            Said::NotPhone { label: None },
        ));
    }
    if let Some(email) = email
        && !is_email(email)
    {
        problems.push(FieldProblem::new(
            "/applicant/email",
            Said::NotEmail { label: None },
        ));
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
                Said::UnknownComponent {
                    component: document.component.clone(),
                    known: known.iter().map(|id| (*id).to_owned()).collect(),
                },
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
                Said::NotFromDataStore {
                    name: component.name.clone(),
                },
            ));
        }
        if let Some(hidden) = hidden_character(&document.name) {
            problems.push(FieldProblem::new(
                format!("/documents/{position}/name"),
                Said::Hidden {
                    subject: Subject::DocumentName,
                    code: u32::from(hidden),
                },
            ));
        }
        if let Some(hash) = &document.sha256
            && (hash.len() != 64 || !hash.bytes().all(|byte| byte.is_ascii_hexdigit()))
        {
            problems.push(FieldProblem::new(
                format!("/documents/{position}/sha256"),
                Said::BadSha256,
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
                Said::DocumentMissing {
                    name: component.name.clone(),
                    id: component.id.clone(),
                },
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(kind: &str, limits: Value) -> FormField {
        let mut field = serde_json::json!({ "id": "f", "label": "Trường", "type": kind });
        if let (Some(field), Some(limits)) = (field.as_object_mut(), limits.as_object()) {
            field.extend(limits.clone());
        }
        serde_json::from_value(field).expect("a field")
    }

    fn said(field: &FormField, value: Value) -> Vec<Said> {
        let mut problems = Vec::new();
        check_value(field, &value, "/form/f", &mut problems);
        problems.into_iter().map(|problem| problem.said).collect()
    }

    #[test]
    fn limits_hold_up_to_and_including_their_bounds() {
        let text = field("text", serde_json::json!({ "max_length": 4 }));
        assert_eq!(
            said(&text, Value::from("Bình")),
            [],
            "four characters, five bytes"
        );
        assert_eq!(
            said(&text, Value::from("Bình!")),
            [Said::TooLong {
                label: "Trường".to_owned(),
                limit: 4
            }]
        );
        let number = field("integer", serde_json::json!({ "min": 1, "max": 20 }));
        assert_eq!(said(&number, Value::from(1)), []);
        assert_eq!(said(&number, Value::from(20)), []);
        assert_eq!(
            said(&number, Value::from(0)),
            [Said::BelowMin {
                label: "Trường".to_owned(),
                min: 1
            }]
        );
        assert_eq!(
            said(&number, Value::from(21)),
            [Said::AboveMax {
                label: "Trường".to_owned(),
                max: 20
            }]
        );
        let email = field("email", Value::Null);
        assert_eq!(said(&email, Value::from("binh@example.vn")), []);
        assert_eq!(
            said(&email, Value::from("binh@")),
            [Said::NotEmail {
                label: Some("Trường".to_owned())
            }]
        );
    }

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
