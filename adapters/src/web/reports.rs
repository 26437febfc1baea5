//! The Decision 766 indicators page: a unit and a period, a table and two small SVG charts drawn
//! here (points earned per indicator; dossiers early, on time and late).

use std::fmt::Write as _;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Datelike;
use hoso_engine::forms::escape;
use hoso_engine::indicators::Report;
use serde::Deserialize;

use super::pages::{Nav, render, signed_in};
use super::{Lang, Visitor, WebError, Words};
use crate::app::AppError;
use crate::app::AppState;

/// One row of the indicator table.
pub(super) struct IndicatorRow {
    id: String,
    name: String,
    counted: String,
    value: String,
    threshold: String,
    points: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
pub(super) struct IndicatorsTemplate {
    t: &'static Words,
    nav: Nav,
    unit: String,
    /// Each unit: its code and what the select box shows.
    units: Vec<(String, String)>,
    any_unit: bool,
    from: String,
    to: String,
    error: String,
    rows: Vec<IndicatorRow>,
    received: u64,
    points_chart: String,
    timeliness_chart: String,
}

#[derive(Deserialize)]
pub(super) struct ReportQuery {
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// GET /reports: the form, and the report once a period is given.
pub(super) async fn indicators(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, "/reports")?;
    let t = visitor.words();
    let asked_unit = query.unit.clone().filter(|unit| !unit.is_empty());
    let unit = crate::app::reports::report_unit(&principal, asked_unit.as_deref())?;
    let today = crate::calendars::today();
    let first_of_month = today.with_day(1).unwrap_or(today);
    // Dates are read and shown as people write them here, dd/mm/yyyy (ISO dates still work).
    let from = query.from.as_deref().map_or_else(
        || first_of_month.format("%d/%m/%Y").to_string(),
        str::to_owned,
    );
    let to = query
        .to
        .as_deref()
        .map_or_else(|| today.format("%d/%m/%Y").to_string(), str::to_owned);
    let any_unit =
        visitor.user.as_ref().map(|user| user.kind) == Some(crate::access::UserKind::Auditor);
    let mut template = IndicatorsTemplate {
        t,
        nav: Nav::of(&visitor, "/reports"),
        unit: unit.clone().unwrap_or_default(),
        units: super::pages::unit_choices(&state).await?,
        any_unit,
        from: from.clone(),
        to: to.clone(),
        error: String::new(),
        rows: Vec::new(),
        received: 0,
        points_chart: String::new(),
        timeliness_chart: String::new(),
    };
    let period = match crate::app::reports::report_period(&iso_date(&from), &iso_date(&to)) {
        Ok(period) => period,
        Err(AppError::Invalid(problems)) => {
            template.error = crate::app::error::summary(&problems, visitor.lang);
            return Ok(render(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &template,
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let report = crate::app::reports::unit_report(&state, period, unit.as_deref()).await?;
    template.received = report.received;
    template.rows = report
        .indicators
        .iter()
        .map(|indicator| IndicatorRow {
            id: indicator.id.clone(),
            name: if visitor.lang == Lang::Vi {
                indicator.name.clone()
            } else {
                indicator.name_en.clone()
            },
            counted: format!("{} / {}", indicator.numerator, indicator.denominator),
            value: if indicator.id == "2.2" {
                format!(
                    "{} {}",
                    decimal(indicator.value, visitor.lang),
                    t.working_days_unit
                )
            } else {
                format!("{}%", decimal(indicator.value, visitor.lang))
            },
            threshold: indicator
                .threshold
                .map(|threshold| format!("{}%", decimal(threshold, visitor.lang)))
                .unwrap_or_default(),
            points: format!(
                "{} / {}",
                decimal(indicator.points, visitor.lang),
                decimal(indicator.max_points, visitor.lang)
            ),
        })
        .collect();
    template.points_chart = points_chart(&report, visitor.lang);
    template.timeliness_chart = timeliness_chart(&report, visitor.lang);
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

/// A number with two decimals as the page's language writes it: "73,08" in Vietnamese.
fn decimal(value: f64, lang: Lang) -> String {
    let text = format!("{value:.2}");
    if lang == Lang::Vi {
        text.replace('.', ",")
    } else {
        text
    }
}

/// A date typed as dd/mm/yyyy, as the ISO date the report reads; anything else as typed, so the
/// period's own check names what is wrong.
fn iso_date(typed: &str) -> String {
    chrono::NaiveDate::parse_from_str(typed.trim(), "%d/%m/%Y")
        .map_or_else(|_| typed.trim().to_owned(), |date| date.to_string())
}

/// One bar per indicator: points earned out of points possible.
fn points_chart(report: &Report, lang: Lang) -> String {
    let rows = report.indicators.len().max(1);
    let (width, bar, gap, label) = (640.0, 18.0, 8.0, 56.0);
    let height = rows as f64 * (bar + gap) + 30.0;
    let title = if lang == Lang::Vi {
        "Điểm đạt được theo từng chỉ số"
    } else {
        "Points earned per indicator"
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"points-title\" class=\"chart\"><title id=\"points-title\">{title}</title>"
    );
    for (index, indicator) in report.indicators.iter().enumerate() {
        let y = index as f64 * (bar + gap) + 10.0;
        let share = if indicator.max_points > 0.0 {
            (indicator.points / indicator.max_points).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let full = width - label - 120.0;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{ty}\" font-size=\"13\" fill=\"#1a1a1a\">{id}</text><rect x=\"{label}\" y=\"{y}\" width=\"{full}\" height=\"{bar}\" fill=\"#e6e6e6\"/><rect x=\"{label}\" y=\"{y}\" width=\"{filled:.1}\" height=\"{bar}\" fill=\"#0b4f9c\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"13\" fill=\"#1a1a1a\">{points:.2} / {max:.2}</text>",
            ty = y + 14.0,
            id = escape(&indicator.id),
            filled = full * share,
            tx = label + full + 8.0,
            points = indicator.points,
            max = indicator.max_points,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One stacked bar: dossiers resolved early, on time and late (indicator 2.1).
fn timeliness_chart(report: &Report, lang: Lang) -> String {
    let total = (report.early + report.on_time + report.late) as f64;
    let (early, on_time, late) = if lang == Lang::Vi {
        ("Trước hạn", "Đúng hạn", "Quá hạn")
    } else {
        ("Early", "On time", "Late")
    };
    let title = if lang == Lang::Vi {
        "Hồ sơ giải quyết trước hạn, đúng hạn, quá hạn"
    } else {
        "Dossiers resolved early, on time, late"
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 640 80\" role=\"img\" aria-labelledby=\"timeliness-title\" class=\"chart\"><title id=\"timeliness-title\">{title}: {early} {}, {on_time} {}, {late} {}</title>",
        report.early, report.on_time, report.late
    );
    let mut x = 0.0;
    for (count, colour) in [
        (report.early, "#1d6b2f"),
        (report.on_time, "#0b4f9c"),
        (report.late, "#a3161a"),
    ] {
        let share = if total > 0.0 {
            count as f64 / total
        } else {
            0.0
        };
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"0\" width=\"{:.1}\" height=\"30\" fill=\"{colour}\"/>",
            640.0 * share
        );
        x += 640.0 * share;
    }
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"55\" font-size=\"14\" fill=\"#1d6b2f\">■ {early}: {}</text><text x=\"220\" y=\"55\" font-size=\"14\" fill=\"#0b4f9c\">■ {on_time}: {}</text><text x=\"440\" y=\"55\" font-size=\"14\" fill=\"#a3161a\">■ {late}: {}</text></svg>",
        report.early, report.on_time, report.late
    );
    svg
}
