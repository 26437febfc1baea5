//! The pages and the forms they post.

use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use serde::Deserialize;

use super::{Lang, Visitor, WebError, Words, encode, local_path, page};
use crate::access::UserKind;
use crate::app::AppState;

mod apply;
mod catalogue;
mod dossier;
mod dossier_forms;
mod lists;
pub(super) use lists::local_time;
mod sign_in;
mod units;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(catalogue::catalogue))
        .route("/static/hoso.css", get(stylesheet))
        .route("/lang/{code}", get(language))
        .route(
            "/sign-in",
            get(sign_in::sign_in_page).post(sign_in::sign_in),
        )
        .route("/sign-out", post(sign_in::sign_out))
        .route("/dang-nhap/vneid", get(sign_in::sso_start))
        .route("/dang-nhap/sso", get(sign_in::sso_callback))
        .route("/procedures/{code}", get(catalogue::procedure_page))
        .route(
            "/procedures/{code}/apply",
            get(apply::apply_page).post(apply::apply),
        )
        .route("/my", get(lists::my_dossiers))
        .route("/inbox", get(lists::inbox))
        .route("/units", get(units::units))
        .route("/audit", get(lists::audit))
        .route("/reports", get(super::reports::indicators))
        .route("/design", get(super::design::list))
        .route("/design/check", post(super::design::check))
        .route("/design/publish", post(super::design::publish))
        .route("/design/{code}/{version}", get(super::design::version))
        .route("/dossiers/{code}", get(dossier::dossier_page))
        .route("/dossiers/{code}/act", post(dossier_forms::act))
        .route("/dossiers/{code}/rate", post(dossier_forms::rate))
        .route(
            "/dossiers/{code}/supplement",
            post(dossier_forms::supplement),
        )
        .route("/dossiers/{code}/pay", post(dossier_forms::pay))
        .route("/dossiers/{code}/result", post(dossier_forms::issue_result))
        .route(
            "/dossiers/{code}/documents/{id}",
            get(dossier_forms::download),
        )
        .route("/tra-cuu", get(super::lookup::lookup_page))
        .route("/payments/return", get(dossier_forms::payment_return))
        .route("/dossiers/{code}/verify", post(dossier_forms::verify))
        .route(
            "/dossiers/{code}/timeline.svg",
            get(dossier_forms::timeline_svg),
        )
        .route(
            "/dossiers/{code}/forms/{form}",
            get(dossier_forms::printable_form),
        )
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

/// Renders the error page (any status) in the visitor's language.
pub(super) fn error_page(status: StatusCode, why: &str, lang: Lang) -> String {
    let t = crate::web::Speaks::words(lang);
    // A heading for what happened, in the words of the portal's own error pages.
    let heading = match status {
        StatusCode::NOT_FOUND => t.heading_not_found,
        StatusCode::FORBIDDEN => t.heading_forbidden,
        StatusCode::BAD_REQUEST => t.heading_bad_request,
        StatusCode::PAYLOAD_TOO_LARGE => t.heading_too_large,
        StatusCode::SERVICE_UNAVAILABLE => t.heading_unavailable,
        StatusCode::INTERNAL_SERVER_ERROR => t.heading_failed,
        _ => t.heading_not_done,
    };
    ErrorTemplate {
        t,
        lang: lang.code(),
        status: status.as_u16(),
        heading,
        why: why.to_owned(),
    }
    .render()
    .unwrap_or_else(|_| why.to_owned())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    t: &'static Words,
    /// The page's `lang`.
    lang: &'static str,
    status: u16,
    heading: &'static str,
    why: String,
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/hoso.css"),
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

/// The units that have staff, as select boxes offer them: the code as the value, the name people
/// know with the code in small print after it (the code alone where the directory names none).
pub(in crate::web) async fn unit_choices(
    state: &AppState,
) -> Result<Vec<(String, String)>, WebError> {
    use hoso_engine::ports::Access as _;
    let directory = state.service.directory();
    Ok(state
        .service
        .store()
        .staffed_units()
        .await?
        .into_iter()
        .map(|code| {
            let name = hoso_engine::case::UnitId::parse(&code)
                .ok()
                .and_then(|id| directory.unit(&id).map(|entry| entry.name.clone()));
            let label = name.map_or_else(|| code.clone(), |name| format!("{name} ({code})"));
            (code, label)
        })
        .collect())
}
