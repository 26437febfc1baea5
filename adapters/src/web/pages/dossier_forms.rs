//! What a dossier page posts: an action, a supplement, a payment, a rating, a verification; and
//! what it links to: the timeline picture, the printable forms, the payment's return.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use hoso_engine::clock::vietnam;

use serde_json::{Map, Value};

use super::dossier::{Tone, dossier_template};
use super::{Nav, field, fields, render, signed_in};
use crate::app::actions::{self, ActionRequest};
use crate::app::{AppError, AppState};
use crate::web::{Visitor, WebError, Words, print_policy};

/// A form posted from a dossier page by a signed-in visitor, its CSRF value checked.
pub(super) async fn posted_form(
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

/// A form with files posted from a dossier page by a signed-in visitor, its CSRF value checked.
async fn posted_files(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
    multipart: Multipart,
) -> Result<(Visitor, crate::app::Principal, crate::web::Parts), WebError> {
    let visitor = Visitor::of(state, headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let parts = crate::web::Parts::read(multipart, &state.limits).await?;
    visitor.check_csrf(parts.field("csrf"))?;
    Ok((visitor, principal, parts))
}

pub(super) async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (visitor, principal, sent) = posted_form(&state, &headers, &code, &body).await?;
    let action = field(&sent, "action").unwrap_or_default();
    // A built-in command is weighed by its name; only a procedure's own action needs the
    // dossier's pinned procedure to know whether it ends the dossier.
    let tone = match Tone::of_built_in(action) {
        Some(tone) => tone,
        None => {
            let case = crate::app::dossiers::load_readable(&state, &principal, &code).await?;
            let procedure = state.service.procedure_of(&case).map_err(AppError::from)?;
            Tone::of(action, &procedure)
        }
    };
    let outcome = match unreadable_on_the_page(&sent, tone) {
        Some(why) => Err(AppError::BadRequest(hoso_engine::messages::Said::Verbatim(
            why.to_owned(),
        ))),
        None => {
            let request = ActionRequest {
                action: action.to_owned(),
                expected_version: field(&sent, "version").and_then(|version| version.parse().ok()),
                reason: field(&sent, "reason")
                    .map(str::trim)
                    .filter(|reason| !reason.is_empty())
                    .map(str::to_owned),
                data: action_data(&sent),
            };
            actions::act(&state, &principal, &code, None, &request)
                .await
                .map(|_| ())
        }
    };
    after_command(&state, &visitor, &principal, &code, outcome).await
}

/// What a page's action form must hold before its command is tried, said in Vietnamese: a new
/// appointment written as people write dates, and for an end its reason and the ticked box
/// (whatever the browser let through).
fn unreadable_on_the_page(sent: &[(String, String)], tone: Tone) -> Option<&'static str> {
    if field(sent, "new_appointment")
        .is_some_and(|typed| !typed.trim().is_empty() && typed_instant(typed).is_none())
    {
        return Some(
            "Chưa thực hiện: ngày, giờ hẹn trả kết quả mới phải viết theo dạng ngày/tháng/năm giờ:phút, ví dụ 15/12/2026 16:30.",
        );
    }
    (tone == Tone::Ending
        && (field(sent, "confirm") != Some("1")
            || field(sent, "reason").is_none_or(|reason| reason.trim().is_empty())))
    .then_some(
        "Chưa thực hiện: hãy ghi lý do và đánh dấu ô xác nhận trước khi thực hiện thao tác kết thúc hồ sơ này.",
    )
}

/// After a command sent from a dossier page: back to the page, or the page again saying why
/// not — 409 when the dossier is not in a state for it, 422 when what was sent is wrong.
pub(super) async fn after_command(
    state: &AppState,
    visitor: &Visitor,
    principal: &crate::app::Principal,
    code: &str,
    outcome: Result<(), AppError>,
) -> Result<Response, WebError> {
    let (status, why) = match outcome {
        Ok(()) => return Ok(Redirect::to(&format!("/dossiers/{code}")).into_response()),
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, why.text(visitor.lang)),
        Err(AppError::BadRequest(why)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, why.text(visitor.lang))
        }
        Err(AppError::Invalid(problems)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            crate::app::error::summary(&problems, visitor.lang),
        ),
        Err(other) => return Err(other.into()),
    };
    let mut template = dossier_template(state, visitor, principal, code).await?;
    template.notice = why;
    template.notice_is_error = true;
    Ok(render(state, visitor, status, &template))
}

/// A date and time as typed on a page, in Vietnam time: "15/12/2026 16:30" as people write it
/// (or the ISO form an older page sent).
fn typed_instant(text: &str) -> Option<chrono::DateTime<Utc>> {
    let text = text.trim();
    ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|naive| naive.and_local_timezone(vietnam()).single())
        .map(|at| at.with_timezone(&Utc))
}

/// The fields of an action form that its command takes as data; a date and time typed on the
/// page is Vietnam time.
pub(super) fn action_data(sent: &[(String, String)]) -> Map<String, Value> {
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
        let parsed = typed_instant(local).map(|at| at.to_rfc3339());
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
pub(super) async fn supplement(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let (visitor, principal, parts) = posted_files(&state, &headers, &code, multipart).await?;
    let uploads = actions::uploads(&parts.files);
    let outcome = actions::answer_supplement(&state, &principal, &code, &uploads)
        .await
        .map(|_| ());
    after_command(&state, &visitor, &principal, &code, outcome).await
}

/// The decision that issues the result, with its files (PDF), from the dossier page.
pub(super) async fn issue_result(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let (visitor, principal, parts) = posted_files(&state, &headers, &code, multipart).await?;
    let request = ActionRequest {
        action: parts.field("action").unwrap_or_default().to_owned(),
        expected_version: None,
        reason: parts
            .field("reason")
            .map(str::trim)
            .filter(|reason| !reason.is_empty())
            .map(str::to_owned),
        data: Map::new(),
    };
    let files: Vec<_> = parts
        .files
        .iter()
        .filter(|(name, _, _)| name == "result")
        .cloned()
        .collect();
    let uploads = actions::uploads(&files);
    let outcome = actions::act_with_results(&state, &principal, &code, &request, &uploads)
        .await
        .map(|_| ());
    after_command(&state, &visitor, &principal, &code, outcome).await
}

/// A document of the dossier, or one of its electronic results, for those who may read it.
pub(super) async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let download = crate::app::downloads::document(&state, &principal, &code, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, download.media_type.to_owned()),
            (header::CONTENT_DISPOSITION, download.content_disposition()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        download.bytes,
    )
        .into_response())
}

/// The applicant starts an online payment and is sent to the gateway.
pub(super) async fn pay(
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
pub(super) struct PaymentReturnTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) state: String,
    pub(super) dossier: String,
    pub(super) amount: String,
    pub(super) cancelled: bool,
    pub(super) txn_ref: String,
    pub(super) gateway_transaction: String,
}

/// Where the gateway sends the citizen's browser back. It shows what the store knows: the fee
/// is paid only once the gateway's IPN has said so, so a fresh return usually says "pending".
/// The session cookie is SameSite=Strict and does not come along from the gateway's site, so
/// this page needs no session; the link to the dossier does.
pub(super) async fn payment_return(
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
        amount: format!("{} đ", super::catalogue::group_digits(status.amount)),
        cancelled: status.cancelled,
        txn_ref: status.txn_ref,
        gateway_transaction: status.gateway_transaction.unwrap_or_default(),
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

pub(super) async fn rate(
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

pub(super) async fn verify(
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
        (
            true,
            format!("{} — {} {}", t.intact, report.events, t.events_checked),
        )
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

pub(super) async fn timeline_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    // The page asks for the top-to-bottom picture on a narrow screen.
    let narrow = query.as_deref() == Some("layout=vertical");
    let svg = crate::app::reports::timeline_svg(&state, &principal, &code, narrow).await?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

pub(super) async fn printable_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, form)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, &format!("/dossiers/{code}"))?;
    let filled = crate::app::reports::form(&state, &principal, &code, &form).await?;
    let mut html = filled.html();
    if form == "01" {
        let case = crate::app::dossiers::load_readable(&state, &principal, &code).await?;
        html = crate::app::lookup::with_lookup_qr(html, &state.public_base(&headers), &case);
    }
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    let (name, value) = print_policy();
    response.headers_mut().insert(name, value);
    Ok(response)
}
