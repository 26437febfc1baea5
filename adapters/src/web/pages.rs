//! The pages and the forms they post.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use hoso_engine::case::{Status, UnitId};
use hoso_engine::clock::vietnam;
use hoso_engine::ports::{CaseQuery, Store as _};
use hoso_engine::procedure::{FieldKind, FormField, OnlineService, Procedure, TimeLimit};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Lang, Visitor, WebError, Words, encode, local_path, page, print_policy};
use crate::access::UserKind;
use crate::app::actions::{self, ActionRequest};
use crate::app::dossiers::{self, ApplicantBody, SubmitRequest, Submitting};
use crate::app::{AppError, AppState};
use crate::documents::DocumentType;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue))
        .route("/static/hoso.css", get(stylesheet))
        .route("/lang/{code}", get(language))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/procedures/{code}", get(procedure_page))
        .route("/procedures/{code}/apply", get(apply_page).post(apply))
        .route("/my", get(my_dossiers))
        .route("/inbox", get(inbox))
        .route("/audit", get(audit))
        .route("/reports", get(super::reports::indicators))
        .route("/design", get(super::design::list))
        .route("/design/check", post(super::design::check))
        .route("/design/publish", post(super::design::publish))
        .route("/design/{code}/{version}", get(super::design::version))
        .route("/dossiers/{code}", get(dossier_page))
        .route("/dossiers/{code}/act", post(act))
        .route("/dossiers/{code}/rate", post(rate))
        .route("/dossiers/{code}/supplement", post(supplement))
        .route("/dossiers/{code}/pay", post(pay))
        .route("/payments/return", get(payment_return))
        .route("/dossiers/{code}/verify", post(verify))
        .route("/dossiers/{code}/timeline.svg", get(timeline_svg))
        .route("/dossiers/{code}/forms/{form}", get(printable_form))
}

/// What the header shows: who is signed in and what they may open.
pub(super) struct Nav {
    pub(super) user: Option<String>,
    pub(super) citizen: bool,
    pub(super) officer: bool,
    pub(super) auditor: bool,
    pub(super) reports: bool,
    pub(super) designer: bool,
    pub(super) csrf: String,
    pub(super) here: String,
    /// For officers and auditors when the official calendars end soon.
    pub(super) calendar_banner: String,
}

impl Nav {
    pub(super) fn of(visitor: &Visitor, here: &str) -> Self {
        let kind = visitor.user.as_ref().map(|user| user.kind);
        Self {
            user: visitor.user.as_ref().map(|user| user.name.clone()),
            citizen: kind == Some(UserKind::Citizen),
            officer: kind == Some(UserKind::Officer),
            auditor: kind == Some(UserKind::Auditor),
            reports: matches!(kind, Some(UserKind::Auditor | UserKind::Officer)),
            designer: kind == Some(UserKind::Designer),
            csrf: visitor.csrf.clone(),
            here: encode(here),
            calendar_banner: visitor
                .calendar_warning
                .map(|(days, last)| {
                    let t = visitor.words();
                    match last {
                        Some(last) => format!(
                            "{} {} ({} {}). {}",
                            t.calendar_ends,
                            last.format("%d/%m/%Y"),
                            days.max(0),
                            t.calendar_days_left,
                            t.calendar_advice
                        ),
                        None => t.calendar_missing.to_owned(),
                    }
                })
                .unwrap_or_default(),
        }
    }
}

fn secure(state: &AppState) -> bool {
    state.secure_cookies
}

pub(super) fn render(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    template: &impl Template,
) -> Response {
    match template.render() {
        Ok(html) => page(visitor, status, html, secure(state)),
        Err(error) => WebError::Internal(format!("rendering a page: {error}")).into_response(),
    }
}

/// Form fields of an urlencoded body.
pub(super) fn fields(body: &Bytes) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// A field of a form, by name.
pub(super) fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

pub(super) fn signed_in(visitor: &Visitor, here: &str) -> Result<crate::app::Principal, WebError> {
    visitor
        .principal()
        .ok_or_else(|| WebError::SignIn(here.to_owned()))
}

/// Renders the error page (any status) in both languages' framing.
pub(super) fn error_page(status: StatusCode, why: &str) -> String {
    ErrorTemplate {
        t: Lang::Vi.words(),
        status: status.as_u16(),
        why: why.to_owned(),
    }
    .render()
    .unwrap_or_else(|_| why.to_owned())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    t: &'static Words,
    status: u16,
    why: String,
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/hoso.css"),
    )
        .into_response()
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<NextQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Vi);
    let mut response = Redirect::to(&local_path(query.next.as_deref())).into_response();
    super::set_cookie(
        &mut response,
        super::LANG_COOKIE,
        lang.code(),
        Some(365 * 24 * 3600),
        secure(&state),
    );
    response
}

// ---------------------------------------------------------------------------------------------
// Signing in and out

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInTemplate {
    t: &'static Words,
    nav: Nav,
    next: String,
    refused: bool,
}

async fn sign_in_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let template = SignInTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, "/"),
        next: local_path(query.next.as_deref()),
        refused: false,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let sent = fields(&body);
    visitor.check_csrf(field(&sent, "csrf"))?;
    let next = local_path(field(&sent, "next"));
    let token = field(&sent, "token").unwrap_or_default();
    if !token.is_empty()
        && token.len() <= 200
        && let Some(response) = super::sign_in(&state, token, &next, secure(&state)).await?
    {
        return Ok(response);
    }
    let template = SignInTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, "/"),
        next,
        refused: true,
    };
    Ok(render(
        &state,
        &visitor,
        StatusCode::UNAUTHORIZED,
        &template,
    ))
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    visitor.check_csrf(field(&fields(&body), "csrf"))?;
    Ok(super::sign_out(&state, &visitor, secure(&state)).await?)
}

// ---------------------------------------------------------------------------------------------
// Catalogue and procedures

struct ProcedureRow {
    code: String,
    name: String,
    field: String,
    full_process: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CatalogueTemplate {
    t: &'static Words,
    nav: Nav,
    query: String,
    rows: Vec<ProcedureRow>,
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

/// Lower-cases and strips Vietnamese diacritics, so "khai sinh" finds "Đăng ký khai sinh".
fn folded(text: &str) -> String {
    const FROM: &str = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ";
    const TO: &str = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd";
    text.to_lowercase()
        .chars()
        .map(|letter| {
            FROM.chars()
                .position(|accented| accented == letter)
                .and_then(|index| TO.chars().nth(index))
                .unwrap_or(letter)
        })
        .collect()
}

async fn catalogue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let asked = query.q.unwrap_or_default();
    let wanted = folded(asked.trim());
    let catalogue = state.service.catalogue();
    let rows = catalogue
        .codes()
        .iter()
        .filter_map(|code| catalogue.current(code))
        .map(|procedure| procedure.definition())
        .filter(|definition| {
            wanted.is_empty()
                || folded(&definition.name).contains(&wanted)
                || folded(&definition.field).contains(&wanted)
                || definition.code.as_str().contains(&wanted)
        })
        .map(|definition| ProcedureRow {
            code: definition.code.to_string(),
            name: definition.name.clone(),
            field: definition.field.clone(),
            full_process: definition.online_service == OnlineService::FullProcess,
        })
        .collect();
    let template = CatalogueTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, "/"),
        query: asked,
        rows,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

struct ChannelRow {
    name: String,
    time_limit: String,
    fees: Vec<String>,
}

struct DocumentRow {
    name: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "procedure.html")]
struct ProcedureTemplate {
    t: &'static Words,
    nav: Nav,
    code: String,
    name: String,
    field: String,
    full_process: bool,
    why_partial: String,
    channels: Vec<ChannelRow>,
    documents: Vec<DocumentRow>,
    legal_basis: Vec<String>,
    result: String,
    online: bool,
}

fn time_limit_text(limit: &TimeLimit, lang: Lang) -> String {
    match lang {
        Lang::Vi => limit.vietnamese(),
        Lang::En => limit.to_string(),
    }
}

fn current(state: &AppState, code: &str) -> Result<std::sync::Arc<Procedure>, WebError> {
    state
        .service
        .current_procedure(code)
        .ok_or_else(|| WebError::NotFound(format!("no procedure {code}")))
}

async fn procedure_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let procedure = current(&state, &code)?;
    let definition = procedure.definition();
    let t = visitor.words();
    let channels = definition
        .channels
        .iter()
        .map(|channel| ChannelRow {
            name: channel_name(channel.channel.as_str(), visitor.lang),
            time_limit: time_limit_text(&channel.time_limit, visitor.lang),
            fees: channel
                .fees
                .iter()
                .map(|fee| match (fee.amount, &fee.formula) {
                    (Some(amount), _) => format!("{}: {} đ", fee.name, group_digits(amount)),
                    (None, Some(formula)) => format!("{}: {formula}", fee.name),
                    (None, None) => fee.name.clone(),
                })
                .collect(),
        })
        .collect();
    let template = ProcedureTemplate {
        t,
        nav: Nav::of(&visitor, &format!("/procedures/{code}")),
        code: definition.code.to_string(),
        name: definition.name.clone(),
        field: definition.field.clone(),
        full_process: definition.online_service == OnlineService::FullProcess,
        why_partial: definition
            .partial
            .as_ref()
            .map(|partial| partial.explanation.clone())
            .unwrap_or_default(),
        channels,
        documents: definition
            .documents
            .iter()
            .map(|document| DocumentRow {
                name: document.name.clone(),
                required: document.required,
            })
            .collect(),
        legal_basis: definition
            .legal_basis
            .iter()
            .map(|basis| match &basis.article {
                Some(article) => format!("{}, {article}", basis.instrument),
                None => basis.instrument.clone(),
            })
            .collect(),
        result: definition.result.name.clone(),
        online: definition
            .channels
            .iter()
            .any(|channel| channel.channel.as_str() == "online"),
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

fn channel_name(channel: &str, lang: Lang) -> String {
    match (channel, lang) {
        ("online", Lang::Vi) => "Trực tuyến",
        ("direct", Lang::Vi) => "Trực tiếp",
        ("postal", Lang::Vi) => "Qua bưu chính công ích",
        ("online", Lang::En) => "Online",
        ("direct", Lang::En) => "In person",
        ("postal", Lang::En) => "By public post",
        (other, _) => other,
    }
    .to_owned()
}

fn group_digits(amount: u64) -> String {
    let digits = amount.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    grouped
}

// ---------------------------------------------------------------------------------------------
// Applying online

/// One input of the generated e-form.
struct InputView {
    name: String,
    label: String,
    input: &'static str,
    required: bool,
    value: String,
    checked: bool,
    choices: Vec<String>,
    min: String,
    max: String,
    max_length: String,
    pattern: String,
    error: String,
}

struct UploadView {
    name: String,
    label: String,
    required: bool,
    error: String,
}

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyTemplate {
    t: &'static Words,
    nav: Nav,
    code: String,
    name: String,
    key: String,
    applicant: Vec<InputView>,
    units: Vec<String>,
    unit: String,
    unit_error: String,
    inputs: Vec<InputView>,
    uploads: Vec<UploadView>,
    errors: Vec<String>,
}

fn input_of(field: &FormField, value: &str) -> InputView {
    let input = match field.kind {
        FieldKind::Integer => "number",
        FieldKind::Date => "date",
        FieldKind::Boolean => "checkbox",
        FieldKind::Choice => "select",
        FieldKind::Phone => "tel",
        FieldKind::Email => "email",
        FieldKind::Text | FieldKind::Decimal | FieldKind::IdNumber => "text",
    };
    InputView {
        name: format!("form:{}", field.id),
        label: field.label.clone(),
        input,
        required: field.required && field.kind != FieldKind::Boolean,
        value: value.to_owned(),
        checked: value == "on" || value == "true",
        choices: field.choices.clone(),
        min: field.min.map(|min| min.to_string()).unwrap_or_default(),
        max: field.max.map(|max| max.to_string()).unwrap_or_default(),
        max_length: field
            .max_length
            .map(|length| length.to_string())
            .unwrap_or_default(),
        pattern: if field.kind == FieldKind::IdNumber {
            "[0-9]{12}".to_owned()
        } else {
            String::new()
        },
        error: String::new(),
    }
}

fn plain_input(
    name: &str,
    label: &str,
    input: &'static str,
    required: bool,
    value: &str,
) -> InputView {
    InputView {
        name: name.to_owned(),
        label: label.to_owned(),
        input,
        required,
        value: value.to_owned(),
        checked: false,
        choices: Vec::new(),
        min: String::new(),
        max: String::new(),
        max_length: "200".to_owned(),
        pattern: if name == "applicant:citizen_id" {
            "[0-9]{12}".to_owned()
        } else {
            String::new()
        },
        error: String::new(),
    }
}

/// The values the visitor typed, by input name.
type Typed = std::collections::BTreeMap<String, String>;

async fn apply_template(
    state: &AppState,
    visitor: &Visitor,
    procedure: &Procedure,
    typed: &Typed,
    key: String,
) -> Result<ApplyTemplate, WebError> {
    let t = visitor.words();
    let definition = procedure.definition();
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let user = visitor.user.as_ref();
    let citizen_id = typed
        .get("applicant:citizen_id")
        .cloned()
        .or_else(|| user.and_then(|user| user.citizen_id.clone()))
        .unwrap_or_default();
    let name = typed
        .get("applicant:name")
        .cloned()
        .or_else(|| user.map(|user| user.name.clone()))
        .unwrap_or_default();
    Ok(ApplyTemplate {
        t,
        nav: Nav::of(visitor, &format!("/procedures/{}/apply", definition.code)),
        code: definition.code.to_string(),
        name: definition.name.clone(),
        key,
        applicant: vec![
            plain_input("applicant:name", t.full_name, "text", true, &name),
            plain_input(
                "applicant:citizen_id",
                t.citizen_id,
                "text",
                true,
                &citizen_id,
            ),
            plain_input(
                "applicant:phone",
                t.phone,
                "tel",
                false,
                &value("applicant:phone"),
            ),
            plain_input(
                "applicant:email",
                t.email,
                "email",
                false,
                &value("applicant:email"),
            ),
        ],
        units: state.service.store().staffed_units().await?,
        unit: value("receiving_unit"),
        unit_error: String::new(),
        inputs: definition
            .documents
            .iter()
            .flat_map(|document| &document.fields)
            .map(|field| input_of(field, &value(&format!("form:{}", field.id))))
            .collect(),
        uploads: definition
            .documents
            .iter()
            .map(|document| UploadView {
                name: format!("doc:{}", document.id),
                label: document.name.clone(),
                required: document.required,
                error: String::new(),
            })
            .collect(),
        errors: Vec::new(),
    })
}

async fn apply_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    signed_in(&visitor, &format!("/procedures/{code}/apply"))?;
    let procedure = current(&state, &code)?;
    let template = apply_template(
        &state,
        &visitor,
        &procedure,
        &Typed::new(),
        uuid::Uuid::now_v7().to_string(),
    )
    .await?;
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

/// A field's value checked on the page's side, with messages in the visitor's language.
fn typed_value(field: &FormField, text: &str, lang: Lang) -> Result<Option<Value>, String> {
    let label = &field.label;
    let vi = lang == Lang::Vi;
    let text = text.trim();
    if field.kind == FieldKind::Boolean {
        return Ok(Some(Value::Bool(text == "on" || text == "true")));
    }
    if text.is_empty() {
        let verb = match (field.kind, vi) {
            (FieldKind::Choice, true) => "chọn",
            (_, true) => "nhập",
            (FieldKind::Choice, false) => "choose",
            (_, false) => "fill in",
        };
        return if field.required {
            Err(if vi {
                format!("Vui lòng {verb} {label}.")
            } else {
                format!("Please {verb} {label}.")
            })
        } else {
            Ok(None)
        };
    }
    if let Some(limit) = field.max_length
        && text.chars().count() > limit as usize
    {
        return Err(if vi {
            format!("{label} dài quá {limit} ký tự.")
        } else {
            format!("{label} is longer than {limit} characters.")
        });
    }
    match field.kind {
        FieldKind::Integer => {
            let number: i64 = text.parse().map_err(|_| {
                if vi {
                    format!("{label} phải là một số nguyên.")
                } else {
                    format!("{label} must be a whole number.")
                }
            })?;
            let below = field.min.is_some_and(|min| number < min);
            let above = field.max.is_some_and(|max| number > max);
            if below || above {
                let min = field.min.map_or("…".to_owned(), |min| min.to_string());
                let max = field.max.map_or("…".to_owned(), |max| max.to_string());
                return Err(if vi {
                    format!("{label} phải từ {min} đến {max}.")
                } else {
                    format!("{label} must be between {min} and {max}.")
                });
            }
            Ok(Some(Value::from(number)))
        }
        FieldKind::Date => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|_| Some(Value::String(text.to_owned())))
            .map_err(|_| {
                if vi {
                    format!("{label} phải là một ngày hợp lệ.")
                } else {
                    format!("{label} must be a valid date.")
                }
            }),
        FieldKind::IdNumber
            if text.len() != 12 || !text.bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            Err(if vi {
                format!("{label} gồm đúng 12 chữ số.")
            } else {
                format!("{label} has exactly 12 digits.")
            })
        }
        FieldKind::Choice if !field.choices.iter().any(|choice| choice == text) => Err(if vi {
            format!("{label}: hãy chọn một trong các giá trị cho sẵn.")
        } else {
            format!("{label}: choose one of the listed values.")
        }),
        _ => Ok(Some(Value::String(text.to_owned()))),
    }
}

async fn apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/procedures/{code}/apply"))?;
    let procedure = current(&state, &code)?;
    let super::Parts {
        fields: typed,
        files,
    } = super::Parts::read(multipart, &state.limits).await?;
    // The CSRF check comes first: nothing of a forged form is stored.
    visitor.check_csrf(typed.get("csrf").map(String::as_str))?;
    let key = typed
        .get("submission_key")
        .filter(|key| !key.is_empty() && key.len() <= 100)
        .cloned()
        .ok_or_else(|| {
            WebError::BadRequest("the form lost its submission key; reload the page".to_owned())
        })?;
    let mut template = apply_template(&state, &visitor, &procedure, &typed, key.clone()).await?;
    let vi = visitor.lang == Lang::Vi;

    let mut form = Map::new();
    for (input, field) in template.inputs.iter_mut().zip(
        procedure
            .definition()
            .documents
            .iter()
            .flat_map(|document| &document.fields),
    ) {
        match typed_value(field, &input.value, visitor.lang) {
            Ok(Some(value)) => {
                form.insert(field.id.clone(), value);
            }
            Ok(None) => {}
            Err(message) => input.error = message,
        }
    }
    for input in &mut template.applicant {
        if input.required && input.value.trim().is_empty() {
            input.error = if vi {
                format!("Vui lòng nhập {}.", input.label)
            } else {
                format!("Please fill in {}.", input.label)
            };
        }
    }
    if template.unit.is_empty() || UnitId::parse(&template.unit).is_err() {
        template.unit_error = if vi {
            "Vui lòng chọn nơi tiếp nhận hồ sơ.".to_owned()
        } else {
            "Please choose where the dossier is received.".to_owned()
        };
    }
    for upload in &mut template.uploads {
        let component = upload.name.trim_start_matches("doc:");
        let given = files.iter().any(|(name, _, _)| name == component);
        if upload.required && !given {
            upload.error = if vi {
                format!("Vui lòng đính kèm {}.", upload.label)
            } else {
                format!("Please attach {}.", upload.label)
            };
        }
        if let Some((_, _, bytes)) = files.iter().find(|(name, _, _)| name == component) {
            if bytes.len() > state.limits.upload_bytes {
                upload.error = if vi {
                    format!(
                        "{}: tệp lớn hơn {} MB.",
                        upload.label,
                        state.limits.upload_bytes / (1024 * 1024)
                    )
                } else {
                    format!(
                        "{}: the file is larger than {} MB.",
                        upload.label,
                        state.limits.upload_bytes / (1024 * 1024)
                    )
                };
            } else if DocumentType::sniff(bytes).is_none() {
                upload.error = if vi {
                    format!("{}: chỉ nhận tệp PDF, PNG hoặc JPEG.", upload.label)
                } else {
                    format!(
                        "{}: only PDF, PNG or JPEG files are accepted.",
                        upload.label
                    )
                };
            }
        }
    }
    let field_errors = template
        .inputs
        .iter()
        .map(|input| &input.error)
        .chain(template.applicant.iter().map(|input| &input.error))
        .chain(template.uploads.iter().map(|upload| &upload.error))
        .chain(std::iter::once(&template.unit_error))
        .filter(|error| !error.is_empty())
        .cloned()
        .collect::<Vec<_>>();
    if !field_errors.is_empty() {
        template.errors = field_errors;
        return Ok(render(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &template,
        ));
    }

    let mut uploads = Vec::new();
    let mut staged = Vec::new();
    for (component, file_name, bytes) in &files {
        let (document, file) =
            crate::app::uploads::stage(&state, component, file_name, bytes).await?;
        uploads.push(document);
        staged.push(file);
    }
    let optional = |name: &str| {
        typed
            .get(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let body = SubmitRequest {
        procedure: procedure.definition().code.to_string(),
        channel: "online".to_owned(),
        receiving_unit: template.unit.clone(),
        applicant: ApplicantBody {
            citizen_id: optional("applicant:citizen_id").unwrap_or_default(),
            name: optional("applicant:name").unwrap_or_default(),
            phone: optional("applicant:phone"),
            email: optional("applicant:email"),
        },
        form,
        documents: Vec::new(),
    };
    let submitting = Submitting {
        key: format!("web:{key}"),
        body,
        uploads,
        staged,
    };
    match dossiers::submit(&state, &principal, submitting).await {
        Ok(view) => {
            Ok(Redirect::to(&format!("/dossiers/{}?submitted=1", view.code)).into_response())
        }
        Err(AppError::KeyReused(_)) => {
            // The same form sent again with other values: a new key makes it a new submission.
            template.key = uuid::Uuid::now_v7().to_string();
            template.errors = vec![if vi {
                "Biểu mẫu này đã được gửi với nội dung khác. Vui lòng kiểm tra và gửi lại."
                    .to_owned()
            } else {
                "This form was already sent with other values. Check it and send it again."
                    .to_owned()
            }];
            Ok(render(&state, &visitor, StatusCode::CONFLICT, &template))
        }
        Err(AppError::Invalid(_, problems)) => {
            for problem in problems {
                let target = problem.pointer.strip_prefix("/form/").and_then(|id| {
                    template
                        .inputs
                        .iter_mut()
                        .find(|input| input.name == format!("form:{id}"))
                });
                if let Some(input) = target {
                    input.error = problem.detail.clone();
                }
                template.errors.push(problem.detail);
            }
            Ok(render(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &template,
            ))
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

struct DossierLine {
    code: String,
    procedure: String,
    status: String,
    applicant: String,
    due: String,
    urgency: &'static str,
    urgency_label: &'static str,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListTemplate {
    t: &'static Words,
    nav: Nav,
    title: &'static str,
    query: Option<String>,
    lines: Vec<DossierLine>,
}

fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

fn lines(
    state: &AppState,
    t: &'static Words,
    summaries: Vec<hoso_engine::ports::CaseSummary>,
) -> Vec<DossierLine> {
    let now = Utc::now();
    let mut lines: Vec<(Option<DateTime<Utc>>, DossierLine)> = summaries
        .into_iter()
        .map(|summary| {
            let due = match (summary.step_due, summary.appointment) {
                (Some(step), Some(appointment)) => Some(step.min(appointment)),
                (step, appointment) => step.or(appointment),
            };
            let open = !summary.status.is_closed();
            let (urgency, urgency_label) = match due {
                Some(due) if open && due < now => ("overdue", t.overdue),
                Some(due)
                    if open
                        && state
                            .service
                            .calendars()
                            .working_time_between(
                                now.with_timezone(&vietnam()),
                                due.with_timezone(&vietnam()),
                            )
                            .is_ok_and(|left| left.num_hours() < 8) =>
                {
                    ("soon", t.due_soon)
                }
                _ => ("ok", t.on_time),
            };
            (
                due.filter(|_| open),
                DossierLine {
                    code: summary.code.to_string(),
                    procedure: summary.procedure_code.clone(),
                    status: summary.status.label().to_owned(),
                    applicant: summary.applicant_name.clone(),
                    due: due.map(local_time).unwrap_or_default(),
                    urgency,
                    urgency_label,
                },
            )
        })
        .collect();
    // Most urgent first: the earliest due time, then those with none.
    lines.sort_by_key(|(due, _)| (due.is_none(), *due));
    lines.into_iter().map(|(_, line)| line).collect()
}

fn list_page(
    state: &AppState,
    visitor: &Visitor,
    here: &str,
    title: &'static str,
    query: Option<String>,
    summaries: Vec<hoso_engine::ports::CaseSummary>,
) -> Response {
    let t = visitor.words();
    let template = ListTemplate {
        t,
        nav: Nav::of(visitor, here),
        title,
        query,
        lines: lines(state, t, summaries),
    };
    render(state, visitor, StatusCode::OK, &template)
}

async fn inbox(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    signed_in(&visitor, "/inbox")?;
    let t = visitor.words();
    let Some(user) = visitor
        .user
        .as_ref()
        .filter(|user| user.kind == UserKind::Officer)
    else {
        return Err(WebError::Forbidden(t.inbox.to_owned() + ": officers only"));
    };
    let (Some(role), Some(unit)) = (&user.role, &user.unit) else {
        return Err(WebError::Forbidden(
            "this officer has no role or unit".to_owned(),
        ));
    };
    let summaries = state.service.store().inbox(unit, role, 200).await?;
    Ok(list_page(
        &state, &visitor, "/inbox", t.inbox, None, summaries,
    ))
}

async fn my_dossiers(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, "/my")?;
    let t = visitor.words();
    let Some(citizen_id) = principal.citizen_id() else {
        return Err(WebError::Forbidden(
            "only citizens have their own dossiers here".to_owned(),
        ));
    };
    let summaries = state
        .service
        .store()
        .list(&CaseQuery {
            status: None,
            unit: None,
            applicant: Some(citizen_id.to_owned()),
            text: None,
            limit: 200,
            offset: 0,
        })
        .await?;
    Ok(list_page(
        &state,
        &visitor,
        "/my",
        t.my_dossiers,
        None,
        summaries,
    ))
}

async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    signed_in(&visitor, "/audit")?;
    let t = visitor.words();
    if visitor.user.as_ref().map(|user| user.kind) != Some(UserKind::Auditor) {
        return Err(WebError::Forbidden(
            "the audit search is for auditors".to_owned(),
        ));
    }
    let text = query
        .q
        .map(|text| text.trim().chars().take(100).collect::<String>());
    let summaries = state
        .service
        .store()
        .list(&CaseQuery {
            status: None,
            unit: None,
            applicant: None,
            text: text.clone().filter(|text| !text.is_empty()),
            limit: 100,
            offset: 0,
        })
        .await?;
    Ok(list_page(
        &state,
        &visitor,
        "/audit",
        t.audit,
        Some(text.unwrap_or_default()),
        summaries,
    ))
}

// ---------------------------------------------------------------------------------------------
// One dossier

struct EventLine {
    at: String,
    who: String,
    what: String,
}

/// One action the visitor may take, with the form its command needs.
struct ActionButton {
    id: String,
    label: String,
    /// Which inputs: plain, reason, reason_required, supplement_request, supplement_answer,
    /// extend, consult, answer or payment.
    form: &'static str,
    /// Documents to pick (a supplement request) or to upload (its answer): (id, name).
    documents: Vec<(String, String)>,
}

fn form_of(action: &str) -> &'static str {
    match action {
        "receive" | "issue_result" | "return_result" => "plain",
        "refuse_intake" | "stop" | "recompute_deadlines" => "reason_required",
        "request_supplement" => "supplement_request",
        "submit_supplement" => "supplement_answer",
        "apologize_and_extend" => "extend",
        "consult" => "consult",
        "answer_consultation" => "answer",
        "record_payment" => "payment",
        _ => "reason",
    }
}

#[derive(Template)]
#[template(path = "dossier.html")]
struct DossierTemplate {
    t: &'static Words,
    nav: Nav,
    code: String,
    procedure: String,
    status: String,
    step: String,
    unit: String,
    appointment: String,
    /// Counted over a provisional calendar year (ngày hẹn tạm tính).
    appointment_provisional: bool,
    remaining: String,
    submitted: bool,
    documents: Vec<String>,
    events: Vec<EventLine>,
    actions: Vec<ActionButton>,
    can_rate: bool,
    rated: bool,
    auditor: bool,
    verified: Option<(bool, String)>,
    notice: String,
    /// Fees still owed, in đồng, when the applicant can pay them online now.
    can_pay: Option<String>,
    /// Money the gateway took that the dossier could not take, owed back (hoàn trả), in đồng.
    refund_due: String,
}

fn built_in_label(action: &str, lang: Lang) -> Option<&'static str> {
    let (vi, en) = match action {
        "receive" => ("Tiếp nhận hồ sơ", "Receive"),
        "refuse_intake" => ("Từ chối tiếp nhận", "Refuse intake"),
        "request_supplement" => ("Yêu cầu bổ sung", "Request a supplement"),
        "submit_supplement" => ("Nộp bổ sung", "Submit the supplement"),
        "issue_result" => ("Ban hành kết quả", "Issue the result"),
        "return_result" => ("Trả kết quả", "Return the result"),
        "withdraw" => ("Rút hồ sơ", "Withdraw"),
        "stop" => ("Dừng xử lý", "Stop processing"),
        "apologize_and_extend" => (
            "Xin lỗi và hẹn lại ngày trả",
            "Apologise and set a new date",
        ),
        "record_payment" => ("Ghi nhận nộp phí", "Record a payment"),
        "consult" => ("Lấy ý kiến", "Consult"),
        "answer_consultation" => ("Trả lời ý kiến", "Answer a consultation"),
        "recompute_deadlines" => ("Tính lại thời hạn", "Recompute deadlines"),
        _ => return None,
    };
    Some(if lang == Lang::Vi { vi } else { en })
}

async fn dossier_template(
    state: &AppState,
    visitor: &Visitor,
    principal: &crate::app::Principal,
    code: &str,
) -> Result<DossierTemplate, WebError> {
    let t = visitor.words();
    let case = dossiers::load_readable(state, principal, code).await?;
    let actor = principal.actor();
    let view = dossiers::view(state, &case, actor.as_ref())?;
    let procedure = state.service.procedure_of(&case).map_err(AppError::from)?;
    let is_citizen = principal.citizen_id().is_some();
    let events = state.service.store().events(&case.code).await?;
    let events = events
        .iter()
        .map(|event| EventLine {
            at: local_time(event.at),
            who: match &event.actor.kind {
                hoso_engine::case::ActorKind::Citizen => t.applicant.to_owned(),
                hoso_engine::case::ActorKind::Officer { role, unit } => {
                    let role = procedure
                        .definition()
                        .roles
                        .iter()
                        .find(|known| known.id == *role)
                        .map_or(role.clone(), |known| known.name.clone());
                    if is_citizen {
                        role
                    } else {
                        format!("{role} ({unit}, {})", event.actor.id)
                    }
                }
                hoso_engine::case::ActorKind::System => "hoso".to_owned(),
            },
            what: hoso_engine::case::describe(event),
        })
        .collect();
    let actions = view
        .available_actions
        .iter()
        .map(|id| ActionButton {
            id: id.clone(),
            label: built_in_label(id, visitor.lang)
                .map(str::to_owned)
                .or_else(|| {
                    procedure
                        .definition()
                        .actions
                        .iter()
                        .find(|action| &action.id == id)
                        .map(|action| action.name.clone())
                })
                .unwrap_or_else(|| id.clone()),
            form: form_of(id),
            documents: match form_of(id) {
                "supplement_request" => procedure
                    .definition()
                    .documents
                    .iter()
                    .map(|document| (document.id.clone(), document.name.clone()))
                    .collect(),
                "supplement_answer" => case
                    .pending_supplement
                    .iter()
                    .flat_map(|request| &request.missing)
                    .map(|missing| {
                        let name = procedure
                            .definition()
                            .documents
                            .iter()
                            .find(|document| document.id == missing.document)
                            .map_or(missing.document.clone(), |document| document.name.clone());
                        (
                            missing.document.clone(),
                            format!("{name}: {}", missing.note),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            },
        })
        .collect();
    let applicant = principal.citizen_id() == Some(case.applicant.citizen_id.as_str());
    let rated = applicant
        && case.status == Status::ResultReturned
        && state
            .service
            .store()
            .rating_exists(&case.code.to_string())
            .await?;
    Ok(DossierTemplate {
        refund_due: if case.refund_due.is_zero() {
            String::new()
        } else {
            case.refund_due.to_string()
        },
        t,
        nav: Nav::of(visitor, &format!("/dossiers/{code}")),
        code: view.code.clone(),
        procedure: format!("{} — {}", view.procedure, view.procedure_name),
        status: view.status_label.clone(),
        step: view.step_name.clone().unwrap_or_default(),
        unit: view.unit.clone(),
        appointment: view.appointment.map(local_time).unwrap_or_default(),
        appointment_provisional: view.appointment_provisional,
        remaining: view
            .remaining_working_minutes
            .map(|minutes| format!("{} {}", minutes.max(0), t.minutes))
            .unwrap_or_default(),
        submitted: false,
        documents: case
            .documents
            .iter()
            .map(|document| document.name.clone())
            .collect(),
        events,
        actions,
        can_rate: applicant && case.status == Status::ResultReturned && !rated,
        rated,
        auditor: visitor.user.as_ref().map(|user| user.kind) == Some(UserKind::Auditor),
        verified: None,
        notice: String::new(),
        can_pay: (applicant
            && state.vnpay.is_some()
            && case.outstanding().as_dong() > 0
            && !matches!(
                case.status,
                Status::NotReceived | Status::Withdrawn | Status::Stopped | Status::ResultReturned
            ))
        .then(|| group_digits(case.outstanding().as_dong())),
    })
}

#[derive(Deserialize)]
struct DossierQuery {
    submitted: Option<String>,
    rated: Option<String>,
}

async fn dossier_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<DossierQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let mut template = dossier_template(&state, &visitor, &principal, &code).await?;
    template.submitted = query.submitted.is_some();
    if query.rated.is_some() {
        template.notice = visitor.words().rated.to_owned();
    }
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

/// A form posted from a dossier page by a signed-in visitor, its CSRF value checked.
async fn posted_form(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    body: &Bytes,
) -> Result<(Visitor, crate::app::Principal, Vec<(String, String)>), WebError> {
    let visitor = Visitor::of(state, headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let sent = fields(body);
    visitor.check_csrf(field(&sent, "csrf"))?;
    Ok((visitor, principal, sent))
}

async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (visitor, principal, sent) = posted_form(&state, &headers, &code, &body).await?;
    let request = ActionRequest {
        action: field(&sent, "action").unwrap_or_default().to_owned(),
        expected_version: field(&sent, "version").and_then(|version| version.parse().ok()),
        reason: field(&sent, "reason")
            .map(str::trim)
            .filter(|reason| !reason.is_empty())
            .map(str::to_owned),
        data: action_data(&sent),
    };
    let outcome = actions::act(&state, &principal, &code, None, &request).await;
    after_command(&state, &visitor, &principal, &code, outcome.map(|_| ())).await
}

/// After a command sent from a dossier page: back to the page, or the page again saying why
/// not — 409 when the dossier is not in a state for it, 422 when what was sent is wrong.
async fn after_command(
    state: &AppState,
    visitor: &Visitor,
    principal: &crate::app::Principal,
    code: &str,
    outcome: Result<(), AppError>,
) -> Result<Response, WebError> {
    let (status, why) = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/dossiers/{code}")).into_response()),
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, why),
        Err(AppError::BadRequest(why) | AppError::Invalid(why, _)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, why)
        }
        Err(other) => return Err(other.into()),
    };
    let mut template = dossier_template(state, visitor, principal, code).await?;
    template.notice = why;
    Ok(render(state, visitor, status, &template))
}

/// The fields of an action form that its command takes as data; a date and time typed on the
/// page is Vietnam time.
fn action_data(sent: &[(String, String)]) -> Map<String, Value> {
    let mut data = Map::new();
    let reason = field(sent, "reason").unwrap_or_default().trim().to_owned();
    let missing: Vec<Value> = sent
        .iter()
        .filter(|(key, _)| key == "missing")
        .map(|(_, document)| serde_json::json!({ "document": document, "note": reason }))
        .collect();
    if !missing.is_empty() || field(sent, "action") == Some("request_supplement") {
        data.insert("missing".to_owned(), Value::Array(missing));
    }
    if let Some(local) = field(sent, "new_appointment").filter(|text| !text.is_empty()) {
        let parsed = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|naive| naive.and_local_timezone(vietnam()).single())
            .map(|at| at.with_timezone(&Utc).to_rfc3339());
        // An unreadable date goes on as typed, so the command's own check names the field.
        data.insert(
            "new_appointment".to_owned(),
            Value::String(parsed.unwrap_or_else(|| local.to_owned())),
        );
    }
    for name in ["unit", "question", "answer", "reference"] {
        if let Some(value) = field(sent, name) {
            data.insert(name.to_owned(), Value::String(value.trim().to_owned()));
        }
    }
    for name in ["consultation", "amount"] {
        if let Some(value) = field(sent, name) {
            data.insert(
                name.to_owned(),
                value
                    .trim()
                    .parse::<u64>()
                    .map_or_else(|_| Value::String(value.to_owned()), Value::from),
            );
        }
    }
    data
}

/// The applicant's answer to a supplement request: the files asked for.
async fn supplement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let parts = super::Parts::read(multipart, &state.limits).await?;
    let files = &parts.files;
    visitor.check_csrf(parts.field("csrf"))?;
    let mut documents = Vec::new();
    let mut staged = Vec::new();
    let mut problems = Vec::new();
    for (component, file_name, bytes) in files {
        if bytes.len() > state.limits.upload_bytes || DocumentType::sniff(bytes).is_none() {
            problems.push(format!(
                "{file_name}: PDF, PNG, JPEG ≤ {} MB",
                state.limits.upload_bytes / (1024 * 1024)
            ));
            continue;
        }
        let (document, file) =
            crate::app::uploads::stage(&state, component, file_name, bytes).await?;
        documents.push(document);
        staged.push(file);
    }
    let outcome = if problems.is_empty() {
        actions::answer_supplement(&state, &principal, &code, documents, staged)
            .await
            .map(|_| ())
    } else {
        Err(AppError::BadRequest(problems.join("; ")))
    };
    after_command(&state, &visitor, &principal, &code, outcome).await
}

/// The applicant starts an online payment and is sent to the gateway.
async fn pay(
    State(state): State<AppState>,
    connection: axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (_, principal, _) = posted_form(&state, &headers, &code, &body).await?;
    let attempt = crate::app::payments::start(&state, &principal, &code, connection.0.ip()).await?;
    Ok(Redirect::to(&attempt.started.payment_url).into_response())
}

#[derive(Template)]
#[template(path = "payment_return.html")]
struct PaymentReturnTemplate {
    t: &'static Words,
    nav: Nav,
    state: String,
    dossier: String,
}

/// Where the gateway sends the citizen's browser back. It shows what the store knows: the fee
/// is paid only once the gateway's IPN has said so, so a fresh return usually says "pending".
/// The session cookie is SameSite=Strict and does not come along from the gateway's site, so
/// this page needs no session; the link to the dossier does.
async fn payment_return(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let status = crate::app::payments::returned(&state, query.0.as_deref()).await?;
    let template = PaymentReturnTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, &format!("/dossiers/{}", status.dossier)),
        state: status.state,
        dossier: status.dossier,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

async fn rate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (_, principal, sent) = posted_form(&state, &headers, &code, &body).await?;
    let satisfaction = field(&sent, "satisfaction").unwrap_or_default().to_owned();
    crate::app::reports::rate(&state, &principal, &code, &satisfaction).await?;
    Ok(Redirect::to(&format!("/dossiers/{code}?rated=1")).into_response())
}

async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (visitor, principal, _) = posted_form(&state, &headers, &code, &body).await?;
    let report = crate::app::verify::verify(&state, &principal, &code).await?;
    let mut template = dossier_template(&state, &visitor, &principal, &code).await?;
    let t = visitor.words();
    template.verified = Some(if report.intact() {
        (true, format!("{} — {} events", t.intact, report.events))
    } else {
        (
            false,
            report
                .findings
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    });
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

async fn timeline_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let svg = crate::app::reports::timeline_svg(&state, &principal, &code).await?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

async fn printable_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let filled = crate::app::reports::form(&state, &principal, &code, &form).await?;
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        filled.html(),
    )
        .into_response();
    let (name, value) = print_policy();
    response.headers_mut().insert(name, value);
    Ok(response)
}
