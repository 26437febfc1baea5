//! Applying online: the procedure's e-form, its documents, each mistake answered beside its field.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hoso_engine::case::{
    AUTHORISATION_COMPONENT, ApplicantKind, NotifyChannel, RepresentationBasis, UnitId, countries,
    delivery_label,
};

use hoso_engine::messages::{Denial, Said};
use hoso_engine::procedure::{Delivery, FieldKind, FormField, Procedure};

use serde_json::{Map, Value};

use super::catalogue::current;
use super::{Nav, render, signed_in};
use crate::app::dossiers::{
    self, AddressBody, ApplicantBody, DeliveryBody, RepresentativeBody, SubmitRequest, Submitting,
};
use crate::app::{AppError, AppState};
use crate::documents::DocumentType;
use crate::web::{Lang, Visitor, WebError, Words};

/// One input of the generated e-form.
pub(super) struct InputView {
    pub(super) name: String,
    pub(super) label: String,
    pub(super) input: &'static str,
    pub(super) required: bool,
    pub(super) value: String,
    pub(super) checked: bool,
    pub(super) choices: Vec<String>,
    /// Choices shown by a name other than their value: (value, label).
    pub(super) options: Vec<(String, String)>,
    pub(super) min: String,
    pub(super) max: String,
    pub(super) max_length: String,
    pub(super) pattern: String,
    pub(super) error: String,
    /// Shown but not changed by the visitor: what the session already knows, such as a signed-in
    /// citizen's own number.
    pub(super) readonly: bool,
    /// A date typed as people write it here, dd/mm/yyyy, with that hint shown: the native
    /// picker shows the browser's own order (mm/dd/yyyy on many machines).
    pub(super) date: bool,
}

pub(super) struct UploadView {
    pub(super) name: String,
    pub(super) label: String,
    pub(super) required: bool,
    pub(super) error: String,
    /// The file chosen before the form came back with mistakes, held so it need not be chosen
    /// again.
    pub(super) kept: Option<KeptFile>,
}

impl UploadView {
    /// The document component this input uploads, as the procedure names it.
    pub(super) fn component(&self) -> &str {
        self.name.trim_start_matches("doc:")
    }
}

/// A file held for a form that came back with mistakes.
pub(super) struct KeptFile {
    /// Sent back as `held:{component}` to use it.
    pub(super) handle: String,
    /// The file's name as the applicant chose it.
    pub(super) name: String,
    /// Its size for people, e.g. "120 KB".
    pub(super) size: String,
}

/// A file's size for people: KB below a megabyte, else MB with one decimal.
fn size_for_people(bytes: usize) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// Whose held uploads a visitor may use: a digest of the session's own secret, so a handle
/// seen by someone else is of no use to them.
fn held_owner(visitor: &Visitor) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(
        format!("held-upload:{}", visitor.csrf).as_bytes(),
    ))
}

#[derive(Template)]
#[template(path = "apply.html")]
pub(super) struct ApplyTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) key: String,
    pub(super) applicant: Vec<InputView>,
    pub(super) delivery: Vec<InputView>,
    /// Each unit: its code and what the select box shows.
    pub(super) units: Vec<(String, String)>,
    pub(super) unit: String,
    pub(super) unit_error: String,
    pub(super) inputs: Vec<InputView>,
    pub(super) uploads: Vec<UploadView>,
    /// The largest file the server takes, in MB, as the hint says it.
    pub(super) upload_mb: usize,
    /// The summary above the form, in the form's order: each message with the id of the input
    /// it belongs to (a link to it), or none for what belongs to no single input.
    pub(super) errors: Vec<(Option<String>, String)>,
}

pub(super) fn input_of(field: &FormField, value: &str) -> InputView {
    let input = match field.kind {
        FieldKind::Integer => "number",
        FieldKind::Date => "text",
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
        choices: Vec::new(),
        options: field
            .choices
            .iter()
            .map(|choice| (choice.clone(), field.choice_label(choice).to_owned()))
            .collect(),
        min: field.min.map(|min| min.to_string()).unwrap_or_default(),
        max: field.max.map(|max| max.to_string()).unwrap_or_default(),
        max_length: field
            .max_length
            .map(|length| length.to_string())
            .unwrap_or_default(),
        pattern: match field.kind {
            FieldKind::IdNumber => "[0-9]{12}".to_owned(),
            FieldKind::Date => r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}".to_owned(),
            _ => String::new(),
        },
        error: String::new(),
        readonly: false,
        date: field.kind == FieldKind::Date,
    }
}

pub(super) fn plain_input(
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
        options: Vec::new(),
        min: String::new(),
        max: String::new(),
        max_length: "200".to_owned(),
        pattern: String::new(),
        error: String::new(),
        readonly: false,
        date: false,
    }
}

/// A select input whose options show names for their values.
fn select(
    name: &str,
    label: &str,
    required: bool,
    value: &str,
    options: Vec<(String, String)>,
) -> InputView {
    InputView {
        options,
        ..plain_input(name, label, "select", required, value)
    }
}

/// A checkbox, ticked by default until the form is sent.
fn checkbox(name: &str, label: &str, typed: &Typed) -> InputView {
    let sent = typed.contains_key("submission_key");
    InputView {
        checked: if sent {
            typed.get(name).is_some_and(|value| value == "on")
        } else {
            true
        },
        ..plain_input(name, label, "checkbox", false, "")
    }
}

/// The signed-in citizen's own number when she applies for herself as a citizen: the form
/// shows it fixed and the submission takes it from the session.
fn own_citizen_id(
    procedure: &Procedure,
    typed: &Typed,
    user: Option<&crate::access::User>,
) -> Option<String> {
    let representation = typed.get("applicant:representation").map(String::as_str);
    let for_self = matches!(representation, None | Some("" | "self"));
    let kind = typed
        .get("applicant:kind")
        .and_then(|kind| ApplicantKind::parse(kind))
        .or_else(|| procedure.applicant_kinds().first().copied());
    let user = user.filter(|user| user.kind == crate::access::UserKind::Citizen)?;
    (for_self && kind == Some(ApplicantKind::Citizen))
        .then(|| user.citizen_id.clone())
        .flatten()
}

/// The inputs about who applies, for whom, and how they want to hear and receive.
fn applicant_inputs(
    t: &Words,
    procedure: &Procedure,
    typed: &Typed,
    user: Option<&crate::access::User>,
) -> Vec<InputView> {
    let definition = procedure.definition();
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let kinds = procedure.applicant_kinds();
    let representation = value("applicant:representation");
    let for_self = representation.is_empty() || representation == "self";
    // Applying for oneself, the signed-in person's name and number fill the form.
    let own = |name: &str, fallback: Option<String>| {
        typed
            .get(name)
            .cloned()
            .or(if for_self { fallback } else { None })
            .unwrap_or_default()
    };
    let mut inputs = Vec::new();
    if kinds.len() > 1 {
        inputs.push(select(
            "applicant:kind",
            t.applicant_kind,
            true,
            &typed
                .get("applicant:kind")
                .cloned()
                .unwrap_or_else(|| kinds[0].as_str().to_owned()),
            kinds
                .iter()
                .map(|kind| (kind.as_str().to_owned(), kind.label().to_owned()))
                .collect(),
        ));
    }
    if definition.applicants.representation {
        inputs.push(select(
            "applicant:representation",
            t.representation,
            true,
            if for_self { "self" } else { &representation },
            vec![
                ("self".to_owned(), t.self_applicant.to_owned()),
                ("legal".to_owned(), t.legal_representative.to_owned()),
                ("authorised".to_owned(), t.authorised_person.to_owned()),
            ],
        ));
    }
    inputs.push(plain_input(
        "applicant:name",
        t.full_name,
        "text",
        true,
        &own("applicant:name", user.map(|user| user.name.clone())),
    ));
    let citizens_only = kinds == [ApplicantKind::Citizen];
    let mut id = plain_input(
        "applicant:id_number",
        if citizens_only {
            t.citizen_id
        } else {
            t.id_number
        },
        "text",
        true,
        &own(
            "applicant:id_number",
            user.and_then(|user| user.citizen_id.clone()),
        ),
    );
    if citizens_only {
        id.pattern = "[0-9]{12}".to_owned();
    }
    // A citizen applying for herself applies under her own number: the session's, not typed.
    if let Some(own_id) = own_citizen_id(procedure, typed, user) {
        id.value = own_id;
        id.readonly = true;
    }
    inputs.push(id);
    if kinds.contains(&ApplicantKind::Foreigner) {
        inputs.push(select(
            "applicant:nationality",
            t.nationality,
            false,
            &value("applicant:nationality"),
            countries()
                .into_iter()
                .map(|(code, name)| (code.to_owned(), format!("{code} — {name}")))
                .collect(),
        ));
    }
    inputs.push(plain_input(
        "applicant:phone",
        t.phone,
        "tel",
        false,
        &value("applicant:phone"),
    ));
    inputs.push(plain_input(
        "applicant:email",
        t.email,
        "email",
        false,
        &value("applicant:email"),
    ));
    inputs.push(checkbox("notify:email", t.notify_email, typed));
    inputs.push(checkbox("notify:sms", t.notify_sms, typed));
    inputs
}

/// The choice of how to receive the result, and the postal address it may need.
fn delivery_inputs(t: &Words, procedure: &Procedure, typed: &Typed) -> Vec<InputView> {
    let value = |name: &str| typed.get(name).cloned().unwrap_or_default();
    let offered = &procedure.definition().result.delivery;
    let mut inputs = vec![select(
        "delivery",
        t.delivery,
        true,
        &typed.get("delivery").cloned().unwrap_or_else(|| {
            offered
                .first()
                .map(|channel| delivery_name(*channel).to_owned())
                .unwrap_or_default()
        }),
        offered
            .iter()
            .map(|channel| {
                (
                    delivery_name(*channel).to_owned(),
                    delivery_label(*channel).to_owned(),
                )
            })
            .collect(),
    )];
    if offered.contains(&Delivery::Postal) {
        for (name, label) in [
            ("addr:recipient", t.address_recipient),
            ("addr:phone", t.address_phone),
            ("addr:street", t.address_street),
            ("addr:ward", t.address_ward),
            ("addr:province", t.address_province),
        ] {
            inputs.push(plain_input(name, label, "text", false, &value(name)));
        }
    }
    inputs
}

/// The API's name of a way of receiving the result.
fn delivery_name(channel: Delivery) -> &'static str {
    match channel {
        Delivery::Online => "online",
        Delivery::Postal => "postal",
        Delivery::Counter => "counter",
    }
}

/// The values the visitor typed, by input name.
type Typed = std::collections::BTreeMap<String, String>;

pub(super) async fn apply_template(
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
    Ok(ApplyTemplate {
        t,
        nav: Nav::of(visitor, &format!("/procedures/{}/apply", definition.code)),
        code: definition.code.to_string(),
        name: definition.name.clone(),
        key,
        applicant: applicant_inputs(t, procedure, typed, user),
        delivery: delivery_inputs(t, procedure, typed),
        units: super::unit_choices(state).await?,
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
                required: document.must_be_attached(),
                error: String::new(),
                kept: None,
            })
            .chain(definition.applicants.representation.then(|| UploadView {
                name: format!("doc:{AUTHORISATION_COMPONENT}"),
                label: t.authorisation.to_owned(),
                required: false,
                error: String::new(),
                kept: None,
            }))
            .collect(),
        errors: Vec::new(),
        upload_mb: state.limits.upload_bytes / (1024 * 1024),
    })
}

pub(super) async fn apply_page(
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

/// A typed value as the JSON the e-form field takes: numbers as numbers, a date typed
/// dd/mm/yyyy as its ISO date, a box as true or false; `None` when left empty. Whatever cannot
/// be read goes on as typed, so the engine's own check — the one message catalogue — says what is
/// wrong with it, in the visitor's language.
pub(super) fn typed_value(field: &FormField, text: &str) -> Option<Value> {
    let text = text.trim();
    if field.kind == FieldKind::Boolean {
        return Some(Value::Bool(text == "on" || text == "true"));
    }
    if text.is_empty() {
        return None;
    }
    let as_typed = || Value::String(text.to_owned());
    Some(match field.kind {
        FieldKind::Integer => text.parse::<i64>().map_or_else(|_| as_typed(), Value::from),
        FieldKind::Date => chrono::NaiveDate::parse_from_str(text, "%d/%m/%Y")
            .or_else(|_| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d"))
            .map_or_else(|_| as_typed(), |date| Value::String(date.to_string())),
        _ => as_typed(),
    })
}

pub(super) async fn apply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/procedures/{code}/apply"))?;
    let procedure = current(&state, &code)?;
    let crate::web::Parts {
        fields: typed,
        files,
    } = crate::web::Parts::read(multipart, &state.limits).await?;
    // The CSRF check comes first: nothing of a forged form is stored.
    visitor.check_csrf(typed.get("csrf").map(String::as_str))?;
    let key = typed
        .get("submission_key")
        .filter(|key| !key.is_empty() && key.len() <= 100)
        .cloned()
        .ok_or_else(|| {
            WebError::from(crate::app::AppError::BadRequest(
                hoso_engine::messages::Denial::FormKeyLost.into(),
            ))
        })?;
    let mut template = apply_template(&state, &visitor, &procedure, &typed, key.clone()).await?;
    let vi = visitor.lang == Lang::Vi;
    // Files held from an earlier round count as chosen again, unless another one was chosen.
    let owner = held_owner(&visitor);
    let mut files = files;
    let mut held = std::collections::BTreeMap::new();
    for upload in &template.uploads {
        let component = upload.component();
        let Some(handle) = typed.get(&format!("held:{component}")) else {
            continue;
        };
        if files.iter().any(|(name, _, _)| name == component) {
            continue;
        }
        let found = state
            .documents
            .held(&owner, handle)
            .await
            .map_err(crate::app::uploads::storing_failed)?;
        if let Some((file_name, bytes)) = found {
            files.push((component.to_owned(), file_name, bytes.into()));
            held.insert(component.to_owned(), handle.clone());
        }
    }

    let mut form = Map::new();
    for (input, field) in template.inputs.iter().zip(
        procedure
            .definition()
            .documents
            .iter()
            .flat_map(|document| &document.fields),
    ) {
        if let Some(value) = typed_value(field, &input.value) {
            form.insert(field.id.clone(), value);
        }
    }
    // The e-form's checks are the engine's, worded by its catalogue: the page keeps no copy.
    let mut problems = Vec::new();
    hoso_engine::case::check_form(&procedure, &form, &mut problems);
    // What the applicant typed in `name`, trimmed; nothing when it is blank.
    let typed_text = |name: &str| {
        typed
            .get(name)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    };
    hoso_engine::case::check_contact(
        typed_text("applicant:phone"),
        typed_text("applicant:email"),
        &mut problems,
    );
    for problem in problems {
        let name = input_name(&problem.pointer);
        if let Some(input) = template
            .inputs
            .iter_mut()
            .chain(template.applicant.iter_mut())
            .find(|input| Some(&input.name) == name.as_ref())
        {
            input.error = problem.message(visitor.lang);
        }
    }
    for input in &mut template.applicant {
        if input.required && input.value.trim().is_empty() {
            input.error = Said::Required {
                label: input.label.clone(),
                choose: false,
            }
            .text(visitor.lang);
        }
    }
    if template.unit.is_empty() || UnitId::parse(&template.unit).is_err() {
        template.unit_error = Said::Required {
            label: visitor.words().receiving_unit.to_owned(),
            choose: true,
        }
        .text(visitor.lang);
    }
    for upload in &mut template.uploads {
        let component = upload.name.trim_start_matches("doc:");
        let given = files.iter().any(|(name, _, _)| name == component);
        if upload.required && !given {
            upload.error = Said::DocumentMissing {
                name: upload.label.clone(),
                id: component.to_owned(),
            }
            .text(visitor.lang);
        }
        if let Some((_, _, bytes)) = files.iter().find(|(name, _, _)| name == component)
            && (bytes.len() > state.limits.upload_bytes || DocumentType::sniff(bytes).is_none())
        {
            upload.error = Said::from(Denial::FilesNotTaken {
                names: vec![upload.label.clone()],
                limit_mb: state.limits.upload_bytes / (1024 * 1024),
                pdf_only: false,
            })
            .text(visitor.lang);
        }
    }
    template.summarise(Vec::new());
    if !template.errors.is_empty() {
        template.keep_files(&state, &owner, &files, &held).await?;
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
    let optional = |name: &str| typed_text(name).map(str::to_owned);
    let representative = match optional("applicant:representation").as_deref() {
        Some("legal") => Some(RepresentationBasis::Legal),
        Some("authorised") => Some(RepresentationBasis::Authorised),
        _ => None,
    }
    .and_then(|basis| {
        let user = visitor.user.as_ref()?;
        Some(RepresentativeBody {
            citizen_id: user.citizen_id.clone()?,
            name: user.name.clone(),
            basis,
        })
    });
    let delivery = optional("delivery").and_then(|name| {
        let channel = [Delivery::Online, Delivery::Postal, Delivery::Counter]
            .into_iter()
            .find(|channel| delivery_name(*channel) == name)?;
        Some(DeliveryBody {
            channel,
            address: (channel == Delivery::Postal).then(|| AddressBody {
                recipient: optional("addr:recipient").unwrap_or_default(),
                phone: optional("addr:phone").unwrap_or_default(),
                street: optional("addr:street").unwrap_or_default(),
                ward: optional("addr:ward").unwrap_or_default(),
                province: optional("addr:province").unwrap_or_default(),
            }),
        })
    });
    // A ticked channel whose contact was left empty has nowhere to send to: the boxes start
    // ticked, and a phone left out means no SMS rather than an error.
    let notify = [
        ("notify:email", "applicant:email", NotifyChannel::Email),
        ("notify:sms", "applicant:phone", NotifyChannel::Sms),
    ]
    .into_iter()
    .filter(|(name, contact, _)| {
        typed.get(*name).is_some_and(|value| value == "on") && optional(contact).is_some()
    })
    .map(|(_, _, channel)| channel)
    .collect();
    let body = SubmitRequest {
        procedure: procedure.definition().code.to_string(),
        channel: "online".to_owned(),
        receiving_unit: template.unit.clone(),
        applicant: ApplicantBody {
            kind: optional("applicant:kind").and_then(|kind| ApplicantKind::parse(&kind)),
            id_number: own_citizen_id(&procedure, &typed, visitor.user.as_ref())
                .or_else(|| optional("applicant:id_number"))
                .unwrap_or_default(),
            nationality: optional("applicant:nationality"),
            representative,
            name: optional("applicant:name").unwrap_or_default(),
            phone: optional("applicant:phone"),
            email: optional("applicant:email"),
        },
        form,
        documents: Vec::new(),
        delivery,
        notify: Some(notify),
    };
    let submitting = Submitting {
        key: format!("web:{key}"),
        body,
        uploads,
        staged,
    };
    let outcome = dossiers::submit(&state, &principal, submitting).await;
    if outcome.is_ok() {
        for handle in held.values() {
            state.documents.release(handle).await;
        }
    } else {
        template.keep_files(&state, &owner, &files, &held).await?;
    }
    match outcome {
        Ok(view) => {
            Ok(Redirect::to(&format!("/dossiers/{}?submitted=1", view.code)).into_response())
        }
        Err(AppError::KeyReused(_)) => {
            // The same form sent again with other values: a new key makes it a new submission.
            template.key = uuid::Uuid::now_v7().to_string();
            template.summarise(vec![if vi {
                "Biểu mẫu này đã được gửi với nội dung khác. Vui lòng kiểm tra và gửi lại."
                    .to_owned()
            } else {
                "This form was already sent with other values. Check it and send it again."
                    .to_owned()
            }]);
            Ok(render(&state, &visitor, StatusCode::CONFLICT, &template))
        }
        Err(AppError::Invalid(problems)) => {
            let mut loose = Vec::new();
            for problem in problems {
                let name = input_name(&problem.pointer);
                let target = template
                    .inputs
                    .iter_mut()
                    .chain(template.applicant.iter_mut())
                    .chain(template.delivery.iter_mut())
                    .find(|input| Some(&input.name) == name.as_ref());
                if let Some(input) = target {
                    input.error = problem.message(visitor.lang);
                } else if let Some(upload) = template
                    .uploads
                    .iter_mut()
                    .find(|upload| Some(&upload.name) == name.as_ref())
                {
                    upload.error = problem.message(visitor.lang);
                } else if name.as_deref() == Some("receiving_unit") {
                    template.unit_error = problem.message(visitor.lang);
                } else {
                    loose.push(problem.message(visitor.lang));
                }
            }
            template.summarise(loose);
            Ok(render(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &template,
            ))
        }
        // Only a claim to apply as someone other than oneself can be refused for whose number it
        // is; any other refusal keeps its own words.
        Err(AppError::Forbidden(_))
            if principal.citizen_id().is_some()
                && own_citizen_id(&procedure, &typed, visitor.user.as_ref()).is_none() =>
        {
            // Who may apply for whom: said on the number's field, the rest of the form kept.
            let why = if vi {
                "Bạn chỉ có thể nộp hồ sơ đứng tên chính mình (số định danh của tài khoản đang đăng nhập). Để nộp cho người khác, hãy chọn nộp thay theo pháp luật hoặc theo ủy quyền và đính kèm giấy tờ ủy quyền."
            } else {
                "You can apply only in your own name (the number of the account signed in). To apply for someone else, choose to apply as their legal representative or by authorisation and attach the authorisation."
            };
            if let Some(input) = template
                .applicant
                .iter_mut()
                .find(|input| input.name == "applicant:id_number")
            {
                input.error = why.to_owned();
            }
            template.summarise(Vec::new());
            Ok(render(&state, &visitor, StatusCode::FORBIDDEN, &template))
        }
        Err(other) => Err(other.into()),
    }
}

impl ApplyTemplate {
    /// Holds every file of a form coming back with mistakes that passed its own checks, so the
    /// applicant sees it kept and need not choose it again; one already held keeps its handle.
    async fn keep_files(
        &mut self,
        state: &AppState,
        owner: &str,
        files: &[(String, String, axum::body::Bytes)],
        held: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), WebError> {
        for upload in &mut self.uploads {
            let component = upload.component();
            let Some((_, file_name, bytes)) = files.iter().find(|(name, _, _)| name == component)
            else {
                continue;
            };
            if bytes.len() > state.limits.upload_bytes || DocumentType::sniff(bytes).is_none() {
                continue;
            }
            let handle = match held.get(component) {
                Some(handle) => handle.clone(),
                None => state
                    .documents
                    .hold(owner, file_name, bytes)
                    .await
                    .map_err(crate::app::uploads::storing_failed)?,
            };
            upload.kept = Some(KeptFile {
                handle,
                name: file_name.clone(),
                size: size_for_people(bytes.len()),
            });
        }
        Ok(())
    }

    /// Gathers every input's message into the summary in the order the form shows them
    /// (applicant, receiving unit, delivery, e-form, papers), then `loose` ones that belong to no
    /// single input.
    fn summarise(&mut self, loose: Vec<String>) {
        let inputs = |inputs: &[InputView]| -> Vec<(Option<String>, String)> {
            inputs
                .iter()
                .filter(|input| !input.error.is_empty())
                .map(|input| (Some(input.name.clone()), input.error.clone()))
                .collect()
        };
        let mut summary = inputs(&self.applicant);
        if !self.unit_error.is_empty() {
            summary.push((Some("receiving_unit".to_owned()), self.unit_error.clone()));
        }
        summary.extend(inputs(&self.delivery));
        summary.extend(inputs(&self.inputs));
        summary.extend(
            self.uploads
                .iter()
                .filter(|upload| !upload.error.is_empty())
                .map(|upload| (Some(upload.name.clone()), upload.error.clone())),
        );
        summary.extend(loose.into_iter().map(|message| (None, message)));
        self.errors = summary;
    }
}

/// The page's input that a request pointer names, e.g. `/applicant/citizen_id` →
/// `applicant:id_number`.
fn input_name(pointer: &str) -> Option<String> {
    let parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    Some(match parts.as_slice() {
        ["form", id, ..] => format!("form:{id}"),
        ["applicant", "citizen_id"] => "applicant:id_number".to_owned(),
        ["applicant", "representative", ..] => "applicant:representation".to_owned(),
        ["applicant", field] => format!("applicant:{field}"),
        ["delivery", "address", field] => format!("addr:{field}"),
        ["delivery", ..] => "delivery".to_owned(),
        ["notify", position] => match position.parse::<usize>() {
            Ok(0) => "notify:email".to_owned(),
            _ => "notify:sms".to_owned(),
        },
        ["documents", component] if !component.bytes().all(|b| b.is_ascii_digit()) => {
            format!("doc:{component}")
        }
        ["receiving_unit"] => "receiving_unit".to_owned(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date_field() -> FormField {
        serde_json::from_value(serde_json::json!({
            "id": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": true
        }))
        .expect("a date field")
    }

    #[test]
    fn a_date_is_read_as_people_write_it_here_and_as_iso() {
        let field = date_field();
        for typed in ["20/11/2026", "2026-11-20", " 20/11/2026 "] {
            assert_eq!(
                typed_value(&field, typed),
                Some(Value::String("2026-11-20".to_owned())),
                "{typed}"
            );
        }
        // What cannot be read goes on as typed, for the engine's check to word the message.
        for wrong in ["11/20/2026", "31/02/2026", "20-11-2026", "hôm qua"] {
            assert_eq!(
                typed_value(&field, wrong),
                Some(Value::String(wrong.to_owned())),
                "{wrong}"
            );
        }
        assert_eq!(typed_value(&field, "  "), None);
        let input = input_of(&field, "20/11/2026");
        assert!(input.date && input.input == "text" && input.value == "20/11/2026");
    }
}
