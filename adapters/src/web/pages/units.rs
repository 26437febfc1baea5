//! The unit directory as a page: every unit with its code, level and parent, retired units with
//! their successor, and the routes of liên thông procedures. Public, as the API's.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{Nav, render};
use crate::app::AppState;
use crate::web::{Lang, Visitor, WebError, Words};

pub(super) struct UnitLine {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) level: String,
    pub(super) parent: String,
    /// "Ngừng hoạt động từ 01/07/2025; đơn vị kế thừa …", or empty.
    pub(super) retired: String,
}

pub(super) struct RouteLine {
    pub(super) receiving: String,
    pub(super) kind: String,
    pub(super) unit: String,
}

#[derive(Template)]
#[template(path = "units.html")]
pub(super) struct UnitsTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) units: Vec<UnitLine>,
    pub(super) routes: Vec<RouteLine>,
}

pub(super) async fn units(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let t = visitor.words();
    let directory = state.service.directory();
    let named = |code: &hoso_engine::case::UnitId| format!("{} ({code})", directory.name_of(code));
    // Unit kinds read as the procedures name them, e.g. "Đăng ký, quản lý cư trú".
    let catalogue = state.service.catalogue();
    let kind_name = |kind: &str| {
        catalogue
            .iter()
            .flat_map(|procedure| procedure.definition().units.iter())
            .find(|unit| unit.id == kind)
            .map_or_else(
                || kind.to_owned(),
                |unit| format!("{} — {}", unit.name, unit.agency),
            )
    };
    let units = directory
        .units()
        .map(|unit| UnitLine {
            code: unit.code.to_string(),
            name: unit.name.clone(),
            level: unit.level.map_or_else(String::new, |level| {
                if visitor.lang == Lang::Vi {
                    level.label().to_owned()
                } else {
                    level.as_str().to_owned()
                }
            }),
            parent: unit.parent.as_ref().map_or_else(String::new, &named),
            retired: unit.retired.as_ref().map_or_else(String::new, |retired| {
                format!(
                    "{} {}; {} {}",
                    t.retired_from,
                    retired.from.format("%d/%m/%Y"),
                    t.successor,
                    named(&retired.successor)
                )
            }),
        })
        .collect();
    let routes = directory
        .routes()
        .map(|route| RouteLine {
            receiving: named(&route.receiving),
            kind: kind_name(&route.kind),
            unit: named(&route.unit),
        })
        .collect();
    let template = UnitsTemplate {
        t,
        nav: Nav::of(&visitor, "/units"),
        units,
        routes,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}
