//! The unit directory (danh mục cơ quan, đơn vị): read by everyone — names and codes are
//! public — and changed by administrators through the API or by operators through `hoso unit`.
//! Every change is checked on a copy of the directory in force, written in one transaction, then
//! put in force on this node; other nodes pick it up on their next directory poll.

use chrono::{DateTime, NaiveDate, Utc};
use hoso_engine::case::{
    Directory, DirectoryError, Route, UnitEntry, UnitId, UnitLevel, national_code,
};
use hoso_engine::messages::{Denial, RequestProblem, RoleRule};
use hoso_engine::ports::{Units, UserKind};
use hoso_engine::service::Service;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AppError, AppState, Principal};
use crate::store::AnyStore;

/// A unit as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    /// National code, e.g. 000.00.17.H21.
    pub code: String,
    /// Name.
    pub name: String,
    /// The parent unit's code.
    pub parent: Option<String>,
    /// central, province, district or commune.
    pub level: Option<String>,
    /// The level in Vietnamese.
    pub level_name: Option<String>,
    /// First day it exists.
    pub valid_from: Option<NaiveDate>,
    /// The place name its documents are dated from (địa danh).
    pub place: Option<String>,
    /// The first day its successor handles its work, once retired.
    pub retired_from: Option<NaiveDate>,
    /// The unit that takes over its work.
    pub successor: Option<String>,
}

/// A route as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteView {
    /// The receiving unit's code.
    pub receiving: String,
    /// The unit kind a procedure names (the `id` of its `[[units]]`), e.g. cong_an_xa.
    pub kind: String,
    /// The unit that handles that kind for dossiers received at `receiving`.
    pub unit: String,
}

/// The whole directory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryView {
    /// Units by code.
    pub units: Vec<UnitView>,
    /// Routes by receiving unit and kind.
    pub routes: Vec<RouteView>,
}

/// A unit to add, or the new name, parent and level of an existing one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// National code, e.g. 000.00.17.H21.
    pub code: String,
    /// Name.
    pub name: String,
    /// The parent unit's code.
    #[serde(default)]
    pub parent: Option<String>,
    /// central, province, district or commune.
    #[serde(default)]
    pub level: Option<String>,
    /// First day it exists.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// The place name its documents are dated from (địa danh), e.g. "Tân Lập".
    #[serde(default)]
    pub place: Option<String>,
}

/// A retirement: from `from`, `successor` takes the unit's work.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRetirement {
    /// The successor's code.
    pub successor: String,
    /// The first day the successor handles the work.
    pub from: NaiveDate,
}

/// A unit of an import file: a new unit, optionally already retired.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileUnit {
    /// The unit.
    #[serde(flatten)]
    pub unit: NewUnit,
    /// Its successor, when retired.
    #[serde(default)]
    pub successor: Option<String>,
    /// The first day its successor handles its work.
    #[serde(default)]
    pub retired_from: Option<NaiveDate>,
}

/// A TOML file of units and routes an operator keeps under version control
/// (`hoso unit import`; `fixtures/units.toml` is the demo's).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitsFile {
    /// `[[units]]`.
    #[serde(default)]
    pub units: Vec<FileUnit>,
    /// `[[routes]]`.
    #[serde(default)]
    pub routes: Vec<RouteView>,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    /// Units added or changed.
    pub units: usize,
    /// Routes added or changed.
    pub routes: usize,
}

/// The directory for people to read.
pub fn view(directory: &Directory) -> DirectoryView {
    DirectoryView {
        units: directory.units().map(unit_view).collect(),
        routes: directory
            .routes()
            .map(|route| RouteView {
                receiving: route.receiving.to_string(),
                kind: route.kind,
                unit: route.unit.to_string(),
            })
            .collect(),
    }
}

/// One unit for people to read.
pub fn unit_view(unit: &UnitEntry) -> UnitView {
    UnitView {
        code: unit.code.to_string(),
        name: unit.name.clone(),
        parent: unit.parent.as_ref().map(ToString::to_string),
        level: unit.level.map(|level| level.as_str().to_owned()),
        level_name: unit.level.map(|level| level.label().to_owned()),
        valid_from: unit.valid_from,
        place: unit.place.clone(),
        retired_from: unit.retired.as_ref().map(|retired| retired.from),
        successor: unit
            .retired
            .as_ref()
            .map(|retired| retired.successor.to_string()),
    }
}

fn code_at(pointer: &str, text: &str) -> Result<UnitId, AppError> {
    national_code(text.trim())
        .map_err(|error| AppError::field(pointer, RequestProblem::from(&error)))
}

fn entry_of(prefix: &str, unit: &NewUnit) -> Result<UnitEntry, AppError> {
    let level = unit
        .level
        .as_deref()
        .map(|level| {
            UnitLevel::parse(level).ok_or_else(|| {
                AppError::field(
                    &format!("{prefix}/level"),
                    RequestProblem::NotOneOf {
                        given: level.to_owned(),
                        allowed: ["central", "province", "district", "commune"]
                            .map(str::to_owned)
                            .to_vec(),
                    },
                )
            })
        })
        .transpose()?;
    Ok(UnitEntry {
        code: code_at(&format!("{prefix}/code"), &unit.code)?,
        name: unit.name.clone(),
        parent: unit
            .parent
            .as_deref()
            .map(|parent| code_at(&format!("{prefix}/parent"), parent))
            .transpose()?,
        level,
        valid_from: unit.valid_from,
        place: unit
            .place
            .as_deref()
            .map(str::trim)
            .filter(|place| !place.is_empty())
            .map(str::to_owned),
        retired: None,
    })
}

fn route_of(prefix: &str, route: &RouteView) -> Result<Route, AppError> {
    Ok(Route {
        receiving: code_at(&format!("{prefix}/receiving"), &route.receiving)?,
        kind: route.kind.trim().to_owned(),
        unit: code_at(&format!("{prefix}/unit"), &route.unit)?,
    })
}

/// A directory refusal as a field error under `prefix` (e.g. `/units/2`); `unit_field` names the
/// field that holds a unit the directory does not know or has retired.
fn refused(
    prefix: &str,
    error: &DirectoryError,
    unit_field: impl Fn(&UnitId) -> &'static str,
) -> AppError {
    let field = match error {
        DirectoryError::Malformed(_) => "code",
        DirectoryError::Unknown(code) | DirectoryError::Retired { code, .. } => unit_field(code),
        DirectoryError::ParentCircle(..) => "parent",
        DirectoryError::SuccessorCircle(..) => "successor",
        DirectoryError::Name(_) => "name",
        DirectoryError::Kind(_) => "kind",
    };
    AppError::field(&format!("{prefix}/{field}"), RequestProblem::from(error))
}

/// A unit's only reference to another unit is its parent.
fn parent_field(_: &UnitId) -> &'static str {
    "parent"
}

/// The field of a route that names `unit`.
fn route_field(route: &Route) -> impl Fn(&UnitId) -> &'static str + '_ {
    |unit| {
        if *unit == route.receiving {
            "receiving"
        } else {
            "unit"
        }
    }
}

/// The field of a retirement that names `unit`: the retired unit, or its successor.
fn retirement_field(code: &UnitId) -> impl Fn(&UnitId) -> &'static str + '_ {
    move |unit| if unit == code { "code" } else { "successor" }
}

/// Changes a copy of the directory in force with `edit`, which returns the units and routes to
/// save; saves them in one transaction, then puts the copy in force on this node.
async fn change<T>(
    service: &Service<AnyStore>,
    now: DateTime<Utc>,
    edit: impl FnOnce(&mut Directory) -> Result<(Vec<UnitEntry>, Vec<Route>, T), AppError>,
) -> Result<T, AppError> {
    let mut directory = (*service.directory()).clone();
    let (units, routes, outcome) = edit(&mut directory)?;
    service.store().save_units(&units, &routes, now).await?;
    service.replace_directory(directory);
    Ok(outcome)
}

/// Adds a unit (or changes one's name, parent and level).
pub async fn add_unit(
    service: &Service<AnyStore>,
    unit: &NewUnit,
    now: DateTime<Utc>,
) -> Result<UnitEntry, AppError> {
    let entry = entry_of("", unit)?;
    change(service, now, |directory| {
        let saved = directory
            .add_unit(entry)
            .map_err(|error| refused("", &error, parent_field))?
            .clone();
        Ok((vec![saved.clone()], Vec::new(), saved))
    })
    .await
}

/// Routes a unit kind for a receiving unit.
pub async fn add_route(
    service: &Service<AnyStore>,
    route: &RouteView,
    now: DateTime<Utc>,
) -> Result<Route, AppError> {
    let route = route_of("", route)?;
    change(service, now, |directory| {
        directory
            .add_route(route.clone(), hoso_engine::clock::vietnam_day(now))
            .map_err(|error| refused("", &error, route_field(&route)))?;
        Ok((Vec::new(), vec![route.clone()], route))
    })
    .await
}

/// Retires a unit: from `from`, its successor handles its work.
pub async fn retire(
    service: &Service<AnyStore>,
    code: &str,
    retirement: &NewRetirement,
    now: DateTime<Utc>,
) -> Result<UnitEntry, AppError> {
    let code = code_at("/code", code)?;
    let successor = code_at("/successor", &retirement.successor)?;
    change(service, now, |directory| {
        let saved = directory
            .retire(&code, &successor, retirement.from)
            .map_err(|error| refused("", &error, retirement_field(&code)))?
            .clone();
        Ok((vec![saved.clone()], Vec::new(), saved))
    })
    .await
}

/// Reads an import file; a TOML mistake names its line.
pub fn parse_file(text: &str) -> Result<UnitsFile, String> {
    toml::from_str(text).map_err(|error| error.to_string())
}

/// Imports a file of units (parents in any order), retirements and routes: all of it, or
/// nothing when any part is refused.
pub async fn import(
    service: &Service<AnyStore>,
    file: &UnitsFile,
    now: DateTime<Utc>,
) -> Result<Imported, AppError> {
    let entries: Vec<(usize, UnitEntry)> = file
        .units
        .iter()
        .enumerate()
        .map(|(index, unit)| Ok((index, entry_of(&format!("/units/{index}"), &unit.unit)?)))
        .collect::<Result<_, AppError>>()?;
    change(service, now, |directory| {
        add_in_any_order(directory, entries.clone())?;
        for (index, unit) in file.units.iter().enumerate() {
            let prefix = format!("/units/{index}");
            match (&unit.successor, unit.retired_from) {
                (None, None) => {}
                (Some(successor), Some(from)) => {
                    let code = &entries[index].1.code;
                    let successor = code_at(&format!("{prefix}/successor"), successor)?;
                    directory
                        .retire(code, &successor, from)
                        .map_err(|error| refused(&prefix, &error, retirement_field(code)))?;
                }
                _ => {
                    return Err(AppError::field(
                        &format!("{prefix}/retired_from"),
                        RequestProblem::RetiredNeedsBoth,
                    ));
                }
            }
        }
        let mut routes = Vec::with_capacity(file.routes.len());
        for (index, route) in file.routes.iter().enumerate() {
            let prefix = format!("/routes/{index}");
            let route = route_of(&prefix, route)?;
            directory
                .add_route(route.clone(), hoso_engine::clock::vietnam_day(now))
                .map_err(|error| refused(&prefix, &error, route_field(&route)))?;
            routes.push(route);
        }
        let units: Vec<UnitEntry> = entries
            .iter()
            .filter_map(|(_, entry)| directory.unit(&entry.code).cloned())
            .collect();
        let imported = Imported {
            units: units.len(),
            routes: routes.len(),
        };
        Ok((units, routes, imported))
    })
    .await
}

/// Adds units whose parents may come later in the list: what can be added is, until nothing
/// moves; then the last refusal left is reported at its entry.
fn add_in_any_order(
    directory: &mut Directory,
    mut pending: Vec<(usize, UnitEntry)>,
) -> Result<(), AppError> {
    while !pending.is_empty() {
        let before = pending.len();
        let mut waiting = Vec::new();
        let mut last_error = None;
        for (index, entry) in pending {
            match directory.add_unit(entry.clone()) {
                Ok(_) => {}
                Err(error @ DirectoryError::Unknown(_)) => {
                    last_error = Some((index, error));
                    waiting.push((index, entry));
                }
                Err(error) => {
                    return Err(refused(&format!("/units/{index}"), &error, parent_field));
                }
            }
        }
        if waiting.len() == before
            && let Some((index, error)) = last_error
        {
            return Err(refused(&format!("/units/{index}"), &error, parent_field));
        }
        pending = waiting;
    }
    Ok(())
}

/// Puts the stored directory in force when another process changed it (`hoso unit` while the
/// server runs); true when it changed.
pub async fn reload(service: &Service<AnyStore>) -> Result<bool, AppError> {
    let stored = service.store().directory().await?;
    if *service.directory() == stored {
        return Ok(false);
    }
    service.replace_directory(stored);
    Ok(true)
}

fn require_admin(principal: &Principal) -> Result<(), AppError> {
    match principal {
        Principal::Staff(user) if user.kind == UserKind::Admin => Ok(()),
        _ => Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::AdminsChangeUnits).into(),
        )),
    }
}

/// The directory, for anyone.
pub fn list(state: &AppState) -> DirectoryView {
    view(&state.service.directory())
}

/// Adds or changes a unit; administrators only.
pub async fn add_unit_as(
    state: &AppState,
    principal: &Principal,
    unit: &NewUnit,
) -> Result<UnitView, AppError> {
    require_admin(principal)?;
    Ok(unit_view(
        &add_unit(&state.service, unit, Utc::now()).await?,
    ))
}

/// Adds or changes a route; administrators only.
pub async fn add_route_as(
    state: &AppState,
    principal: &Principal,
    route: &RouteView,
) -> Result<RouteView, AppError> {
    require_admin(principal)?;
    let route = add_route(&state.service, route, Utc::now()).await?;
    Ok(RouteView {
        receiving: route.receiving.to_string(),
        kind: route.kind,
        unit: route.unit.to_string(),
    })
}

/// Retires a unit; administrators only.
pub async fn retire_as(
    state: &AppState,
    principal: &Principal,
    code: &str,
    retirement: &NewRetirement,
) -> Result<UnitView, AppError> {
    require_admin(principal)?;
    Ok(unit_view(
        &retire(&state.service, code, retirement, Utc::now()).await?,
    ))
}
