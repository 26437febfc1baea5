//! The unit directory: the routes over [`crate::app::units`]. Reading is public (names and codes
//! of state units are public); changes are for administrators.

use axum::extract::State;
use axum::http::StatusCode;

use super::api::{ApiJson, ApiPath};
use super::error::{AppError, Problem};
use crate::app::units::{self, DirectoryView, NewRetirement, NewUnit, RouteView, UnitView};
use crate::app::{AppState, Principal};

/// The unit directory: every unit with its code, name, parent, level and retirement, and every
/// route from (receiving unit, unit kind) to a unit. Public.
#[utoipa::path(get, path = "/api/v1/units", tag = "units",
    responses((status = 200, body = DirectoryView)))]
pub async fn list(State(state): State<AppState>) -> axum::Json<DirectoryView> {
    axum::Json(units::list(&state))
}

/// Adds a unit, or changes an existing unit's name, parent and level. Administrators only.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = NewUnit,
    responses((status = 201, body = UnitView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(unit): ApiJson<NewUnit>,
) -> Result<(StatusCode, axum::Json<UnitView>), AppError> {
    let saved = units::add_unit_as(&state, &principal, &unit).await?;
    Ok((StatusCode::CREATED, axum::Json(saved)))
}

/// Routes a procedure's unit kind, for dossiers received at a unit, to a unit. Administrators
/// only.
#[utoipa::path(post, path = "/api/v1/units/routes", tag = "units", request_body = RouteView,
    responses((status = 201, body = RouteView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn route(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(route): ApiJson<RouteView>,
) -> Result<(StatusCode, axum::Json<RouteView>), AppError> {
    let saved = units::add_route_as(&state, &principal, &route).await?;
    Ok((StatusCode::CREATED, axum::Json(saved)))
}

/// Retires a unit: from the given day its successor handles its work, its routes and its open
/// dossiers. Administrators only.
#[utoipa::path(post, path = "/api/v1/units/{code}/retire", tag = "units", request_body = NewRetirement,
    params(("code" = String, Path, description = "Unit code")),
    responses((status = 200, body = UnitView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn retire(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    ApiJson(retirement): ApiJson<NewRetirement>,
) -> Result<axum::Json<UnitView>, AppError> {
    Ok(axum::Json(
        units::retire_as(&state, &principal, &code, &retirement).await?,
    ))
}
