//! Service-quality reports (Decision 766 indicators), official forms, and citizens' ratings.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use hoso_engine::case::Status;
use hoso_engine::indicators::{Period, Satisfaction};
use hoso_engine::ports::Store;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::api::{ApiJson, ApiPath, ApiQuery, load_readable};
use super::auth::Principal;
use super::error::{ApiError, Problem};
use crate::access::UserKind;

/// Which indicators to compute.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct IndicatorQuery {
    /// The receiving unit; officers may only ask for their own (the default for them).
    pub unit: Option<String>,
    /// First day, YYYY-MM-DD (Vietnam time).
    pub from: String,
    /// Last day, YYYY-MM-DD, included.
    pub to: String,
    /// json (default), csv or html.
    pub format: Option<String>,
}

fn day(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::field(
            &format!("/{field}"),
            format!("`{text}` is not a date: write YYYY-MM-DD"),
        )
    })
}

/// The asked format (json by default), if it is one of `allowed`.
fn output_format<'a>(asked: Option<&'a str>, allowed: &[&str]) -> Result<&'a str, ApiError> {
    let format = asked.unwrap_or("json");
    if allowed.contains(&format) {
        Ok(format)
    } else {
        Err(ApiError::field(
            "/format",
            format!("`{format}` is not a format: use {}", alternatives(allowed)),
        ))
    }
}

/// "a, b or c".
fn alternatives(allowed: &[&str]) -> String {
    match allowed.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The unit a caller may report on: auditors any (or all), officers only their own.
pub(crate) fn report_unit(
    principal: &Principal,
    asked: Option<&str>,
) -> Result<Option<String>, ApiError> {
    let Principal::Staff(user) = principal else {
        return Err(ApiError::Forbidden(
            "citizens do not read unit reports".to_owned(),
        ));
    };
    match user.kind {
        UserKind::Auditor => Ok(asked.map(str::to_owned)),
        UserKind::Officer => {
            let own = user.unit.as_ref().map(ToString::to_string);
            match (asked, own) {
                (Some(asked), Some(own)) if asked != own => Err(ApiError::Forbidden(format!(
                    "officers read their own unit's report ({own}), not {asked}"
                ))),
                (_, Some(own)) => Ok(Some(own)),
                (_, None) => Err(ApiError::Forbidden("this officer has no unit".to_owned())),
            }
        }
        _ => Err(ApiError::Forbidden(
            "only auditors and officers read service-quality reports".to_owned(),
        )),
    }
}

/// A period from two dates, at most a year long.
pub(crate) fn report_period(from: &str, to: &str) -> Result<Period, ApiError> {
    let period = Period {
        from: day("from", from)?,
        to: day("to", to)?,
    };
    if period.from > period.to {
        return Err(ApiError::field(
            "/from",
            format!("{from} is after the last day {to}"),
        ));
    }
    if (period.to - period.from).num_days() > 366 {
        return Err(ApiError::field(
            "/to",
            "a report covers at most one year; ask for each year separately",
        ));
    }
    Ok(period)
}

/// The indicators of `unit` (every unit when `None`) for `period`, with this server's settings.
pub(crate) async fn unit_report(
    state: &AppState,
    period: Period,
    unit: Option<&str>,
) -> Result<hoso_engine::indicators::Report, ApiError> {
    let settings = state.indicator_settings.clone().ok_or_else(|| {
        ApiError::NotFound(
            "reports are not configured on this server: start it with --indicators FILE".to_owned(),
        )
    })?;
    Ok(
        crate::reports::indicator_report(&state.service, period, unit, &settings, |_, _| {})
            .await?,
    )
}

/// Decision 766 indicators for a unit and period: auditors for any unit or all, officers for
/// their own unit.
#[utoipa::path(get, path = "/api/v1/reports/indicators", tag = "reports", params(IndicatorQuery),
    responses((status = 200, description = "The report as JSON, CSV or HTML"), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn indicators(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<IndicatorQuery>,
) -> Result<Response, ApiError> {
    let unit = report_unit(&principal, query.unit.as_deref())?;
    let period = report_period(&query.from, &query.to)?;
    let format = output_format(query.format.as_deref(), &["json", "csv", "html"])?;
    let report = unit_report(&state, period, unit.as_deref()).await?;
    Ok(match format {
        "csv" => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            hoso_engine::indicators::to_csv(&report),
        )
            .into_response(),
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            hoso_engine::indicators::to_html(&report),
        )
            .into_response(),
        _ => axum::Json(report).into_response(),
    })
}

/// A citizen's rating of a returned dossier.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// very_satisfied, satisfied or dissatisfied.
    pub satisfaction: String,
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
) -> Result<(StatusCode, axum::Json<RatingRequest>), ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    if principal.citizen_id() != Some(case.applicant.citizen_id.as_str()) {
        return Err(ApiError::Forbidden(
            "only the applicant rates a dossier".to_owned(),
        ));
    }
    let satisfaction = Satisfaction::parse(&request.satisfaction).ok_or_else(|| {
        ApiError::field(
            "/satisfaction",
            format!(
                "`{}` is not a rating: use very_satisfied, satisfied or dissatisfied",
                request.satisfaction
            ),
        )
    })?;
    if case.status != Status::ResultReturned {
        return Err(ApiError::Conflict(format!(
            "dossier {} can be rated once its result is returned; it is {}",
            case.code,
            case.status.label()
        )));
    }
    let recorded = state
        .service
        .store()
        .insert_rating(
            &case.code.to_string(),
            case.receiving_unit.as_str(),
            satisfaction.as_str(),
            Utc::now(),
        )
        .await?;
    if !recorded {
        return Err(ApiError::Conflict(format!(
            "dossier {} has already been rated",
            case.code
        )));
    }
    Ok((
        StatusCode::CREATED,
        axum::Json(RatingRequest {
            satisfaction: satisfaction.as_str().to_owned(),
        }),
    ))
}

/// How a form is returned.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormQuery {
    /// json (default) or html (printable).
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
) -> Result<Response, ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    let format = output_format(query.format.as_deref(), &["json", "html"])?;
    let procedure = state
        .service
        .procedure_of(&case)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let html =
        |page: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    if form == "06" {
        let slip = hoso_engine::forms::control_slip(&case, &procedure, Utc::now());
        return Ok(if format == "html" {
            html(hoso_engine::forms::control_slip_html(&slip))
        } else {
            axum::Json(slip).into_response()
        });
    }
    let events = state.service.store().events(&case.code).await?;
    let filled = hoso_engine::forms::official_form(
        &form,
        &case,
        &events,
        &procedure,
        &state.service.calendars(),
    )
    .map_err(|error| ApiError::NotFound(error.to_string()))?;
    Ok(if format == "html" {
        html(hoso_engine::forms::official_form_html(&filled))
    } else {
        axum::Json(filled).into_response()
    })
}

/// The dossier's timeline as an SVG picture: a lane per unit, each stay against its allotment,
/// pauses shaded, the appointment and any extension marked.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/timeline.svg", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "image/svg+xml"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn timeline_svg(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, ApiError> {
    let case = load_readable(&state, &principal, &code).await?;
    let procedure = state
        .service
        .procedure_of(&case)
        .map_err(|error| ApiError::Internal(error.to_string()))?;
    let now = Utc::now();
    let slip = hoso_engine::forms::control_slip(&case, &procedure, now);
    let svg = hoso_engine::forms::timeline_svg(&case, &slip, now);
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// Which register to print.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RegisterQuery {
    /// The receiving unit (officers: their own, the default).
    pub unit: Option<String>,
    /// First day, YYYY-MM-DD.
    pub from: String,
    /// Last day, YYYY-MM-DD, included.
    pub to: String,
    /// json (default) or html.
    pub format: Option<String>,
}

/// The dossier register (sổ theo dõi hồ sơ, Form 07) of a unit for a period.
#[utoipa::path(get, path = "/api/v1/reports/register", tag = "reports", params(RegisterQuery),
    responses((status = 200, description = "The register as JSON or A4 HTML"), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<RegisterQuery>,
) -> Result<Response, ApiError> {
    let unit = report_unit(&principal, query.unit.as_deref())?.ok_or_else(|| {
        ApiError::field(
            "/unit",
            "the register is kept per unit: give unit=, e.g. 000.00.17.H21",
        )
    })?;
    let period = report_period(&query.from, &query.to)?;
    let format = output_format(query.format.as_deref(), &["json", "html"])?;
    let register = crate::reports::register(&state.service, &unit, period).await?;
    Ok(if format == "html" {
        (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            hoso_engine::forms::register_html(&register),
        )
            .into_response()
    } else {
        axum::Json(register).into_response()
    })
}
