//! Service-quality reports (Decision 766 indicators), official forms, the register, citizens'
//! ratings: the routes over [`crate::app::reports`].

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hoso_engine::messages::RequestProblem;
use serde::Deserialize;
use utoipa::IntoParams;

use super::api::{ApiJson, ApiPath, ApiQuery};
use super::error::{AppError, Problem};
use crate::app::reports::{self, RatingRequest};
use crate::app::{AppState, Principal};

/// Which indicators to compute.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// The receiving unit; officers may only ask for their own (the default for them).
    #[param(pattern = "^[A-Za-z0-9]([A-Za-z0-9.]{0,38}[A-Za-z0-9])?$")]
    pub unit: Option<String>,
    /// First day, YYYY-MM-DD (Vietnam time).
    #[param(format = Date)]
    pub from: String,
    /// Last day, YYYY-MM-DD, included; at most a year after `from`.
    #[param(format = Date)]
    pub to: String,
    /// json (default), csv or html.
    #[param(pattern = "^(json|csv|html)$")]
    pub format: Option<String>,
}

/// The asked format (json by default), if it is one of `allowed`.
fn output_format<'a>(asked: Option<&'a str>, allowed: &[&str]) -> Result<&'a str, AppError> {
    let format = asked.unwrap_or("json");
    if allowed.contains(&format) {
        Ok(format)
    } else {
        Err(AppError::field(
            "/format",
            RequestProblem::NotOneOf {
                given: format.to_owned(),
                allowed: allowed.iter().map(ToString::to_string).collect(),
            },
        ))
    }
}

fn html(page: String) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

/// Decision 766 indicators for a unit and period: auditors for any unit or all, officers for
/// their own unit.
#[utoipa::path(get, path = "/api/v1/reports/indicators", tag = "reports", params(IndicatorQuery),
    responses((status = 200, description = "The report as JSON, CSV or HTML"), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn indicators(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<Response, AppError> {
    let period = (query.from.as_str(), query.to.as_str());
    let scope = reports::indicator_scope(&principal, query.unit.as_deref(), period)?;
    let format = output_format(query.format.as_deref(), &["json", "csv", "html"])?;
    let report = reports::indicators(&state, scope).await?;
    Ok(match format {
        "csv" => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            hoso_engine::indicators::to_csv(&report),
        )
            .into_response(),
        "html" => html(hoso_engine::indicators::to_html(&report)),
        _ => axum::Json(report).into_response(),
    })
}

/// The applicant rates their returned dossier, once. The rating is kept without their identity
/// and appears only in aggregate (indicator 5.4), never on the dossier's timeline.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/rating", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    request_body = RatingRequest,
    responses((status = 201, body = RatingRequest), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    ApiJson(request): ApiJson<RatingRequest>,
) -> Result<(StatusCode, axum::Json<RatingRequest>), AppError> {
    let rated = reports::rate(&state, &principal, &code, &request.satisfaction).await?;
    Ok((StatusCode::CREATED, axum::Json(rated)))
}

/// How a form is returned.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FormQuery {
    /// json (default) or html (printable).
    #[param(pattern = "^(json|html)$")]
    pub format: Option<String>,
}

/// An official form of a dossier, for whoever may read the dossier: 01 receipt, 02 supplement
/// request, 03 refusal, 04 apology and new date, 05 stop notice, 06 process-control slip.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/forms/{form}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("form" = String, Path, description = "Form number: 01–06"), FormQuery),
    responses((status = 200, description = "The form as JSON or HTML"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn form(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((code, form)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<FormQuery>,
) -> Result<Response, AppError> {
    let case = crate::app::dossiers::load_readable(&state, &principal, &code).await?;
    let format = output_format(query.format.as_deref(), &["json", "html"])?;
    let filled = reports::fill(&state, &case, &form).await?;
    Ok(if format == "html" {
        html(filled.html())
    } else {
        axum::Json(filled.json()).into_response()
    })
}

/// How the timeline picture is laid out.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimelineQuery {
    /// lanes (default: a lane per unit, time left to right) or vertical (stays top to bottom,
    /// for a narrow screen).
    #[param(pattern = "^(lanes|vertical)$")]
    pub layout: Option<String>,
}

/// The dossier's timeline as an SVG picture: a lane per unit, each stay against its allotment,
/// pauses shaded, the appointment and any extension marked.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/timeline.svg", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), TimelineQuery),
    responses((status = 200, description = "image/svg+xml"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn timeline_svg(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<TimelineQuery>,
) -> Result<Response, AppError> {
    let layout = match query.layout.as_deref() {
        None => "lanes",
        Some(asked) => ["lanes", "vertical"]
            .into_iter()
            .find(|layout| *layout == asked)
            .ok_or_else(|| {
                AppError::field(
                    "/layout",
                    RequestProblem::NotOneOf {
                        given: asked.to_owned(),
                        allowed: vec!["lanes".to_owned(), "vertical".to_owned()],
                    },
                )
            })?,
    };
    let svg = reports::timeline_svg(&state, &principal, &code, layout == "vertical").await?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// Which register to print.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    /// The receiving unit (officers: their own, the default).
    #[param(pattern = "^[A-Za-z0-9]([A-Za-z0-9.]{0,38}[A-Za-z0-9])?$")]
    pub unit: Option<String>,
    /// First day, YYYY-MM-DD.
    #[param(format = Date)]
    pub from: String,
    /// Last day, YYYY-MM-DD, included; at most a year after `from`.
    #[param(format = Date)]
    pub to: String,
    /// json (default) or html.
    #[param(pattern = "^(json|html)$")]
    pub format: Option<String>,
}

/// The per-dossier evaluation of a unit's dossiers ended in a period (Circular 01/2018 arts.
/// 13–14: criteria 1–4, 6, 7 at 0–2 points) with its on-time rate (Decree 61/2018 art. 30).
#[utoipa::path(get, path = "/api/v1/reports/evaluation", tag = "reports", params(RegisterQuery),
    responses((status = 200, description = "The evaluation as JSON or A4 HTML"), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn evaluation(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<RegisterQuery>,
) -> Result<Response, AppError> {
    let period = (query.from.as_str(), query.to.as_str());
    let scope = reports::register_scope(&principal, query.unit.as_deref(), period)?;
    let format = output_format(query.format.as_deref(), &["json", "html"])?;
    let evaluation = reports::evaluation(&state, scope).await?;
    Ok(if format == "html" {
        html(hoso_engine::indicators::evaluation_html(&evaluation))
    } else {
        axum::Json(evaluation).into_response()
    })
}

/// The dossier register (sổ theo dõi hồ sơ, Form 07) of a unit for a period.
#[utoipa::path(get, path = "/api/v1/reports/register", tag = "reports", params(RegisterQuery),
    responses((status = 200, description = "The register as JSON or A4 HTML"), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<RegisterQuery>,
) -> Result<Response, AppError> {
    let period = (query.from.as_str(), query.to.as_str());
    let scope = reports::register_scope(&principal, query.unit.as_deref(), period)?;
    let format = output_format(query.format.as_deref(), &["json", "html"])?;
    let register = reports::register(&state, scope).await?;
    Ok(if format == "html" {
        html(hoso_engine::forms::register_html(&register))
    } else {
        axum::Json(register).into_response()
    })
}
