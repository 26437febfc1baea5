//! The unit directory: units and routes, read whole (it is small) and written together.

use chrono::{DateTime, NaiveDate, Utc};
use hoso_engine::case::{Directory, Retirement, Route, UnitEntry, UnitId, UnitLevel};
use hoso_engine::ports::{StoreError, Units};

use super::{AnyStore, rows, unavailable, with_pool};

/// A `units` row.
#[derive(sqlx::FromRow)]
struct UnitRow {
    code: String,
    name: String,
    parent: Option<String>,
    level: Option<String>,
    valid_from: Option<String>,
    place: Option<String>,
    retired_from: Option<String>,
    successor: Option<String>,
}

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("units: {what} `{text}` is not valid"))
}

fn unit_code(text: &str) -> Result<UnitId, StoreError> {
    UnitId::parse(text).map_err(|_| corrupt("unit code", text))
}

fn day(text: &str) -> Result<NaiveDate, StoreError> {
    text.parse().map_err(|_| corrupt("date", text))
}

impl UnitRow {
    fn into_entry(self) -> Result<UnitEntry, StoreError> {
        let retired = match (self.retired_from, self.successor) {
            (Some(from), Some(successor)) => Some(Retirement {
                from: day(&from)?,
                successor: unit_code(&successor)?,
            }),
            _ => None,
        };
        Ok(UnitEntry {
            code: unit_code(&self.code)?,
            name: self.name,
            parent: self.parent.as_deref().map(unit_code).transpose()?,
            level: self
                .level
                .as_deref()
                .map(|level| UnitLevel::parse(level).ok_or_else(|| corrupt("level", level)))
                .transpose()?,
            valid_from: self.valid_from.as_deref().map(day).transpose()?,
            place: self.place,
            retired,
        })
    }
}

impl Units for AnyStore {
    async fn directory(&self) -> Result<Directory, StoreError> {
        with_pool!(self, |pool| {
            let units: Vec<UnitRow> = sqlx::query_as(
                "SELECT code, name, parent, level, valid_from, place, retired_from, successor \
                 FROM units ORDER BY code",
            )
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            let routes: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT receiving, kind, unit FROM unit_routes ORDER BY receiving, kind",
            )
            .fetch_all(pool)
            .await
            .map_err(unavailable)?;
            let units = units
                .into_iter()
                .map(UnitRow::into_entry)
                .collect::<Result<Vec<_>, _>>()?;
            let routes = routes
                .into_iter()
                .map(|(receiving, kind, unit)| {
                    Ok(Route {
                        receiving: unit_code(&receiving)?,
                        kind,
                        unit: unit_code(&unit)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(Directory::from_parts(units, routes))
        })
    }

    async fn save_units(
        &self,
        units: &[UnitEntry],
        routes: &[Route],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_pool!(self, |pool| {
            let mut transaction = backend::begin(pool).await.map_err(unavailable)?;
            for unit in units {
                sqlx::query(
                    "INSERT INTO units (code, name, parent, level, valid_from, retired_from, successor, updated_at, place) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent, \
                     level = excluded.level, valid_from = excluded.valid_from, place = excluded.place, \
                     retired_from = excluded.retired_from, successor = excluded.successor, \
                     updated_at = excluded.updated_at",
                )
                .bind(unit.code.to_string())
                .bind(&unit.name)
                .bind(unit.parent.as_ref().map(ToString::to_string))
                .bind(unit.level.map(UnitLevel::as_str))
                .bind(unit.valid_from.map(|day| day.to_string()))
                .bind(unit.retired.as_ref().map(|retired| retired.from.to_string()))
                .bind(unit.retired.as_ref().map(|retired| retired.successor.to_string()))
                .bind(rows::micros(now))
                .bind(unit.place.as_deref())
                .execute(&mut *transaction)
                .await
                .map_err(unavailable)?;
            }
            for route in routes {
                sqlx::query(
                    "INSERT INTO unit_routes (receiving, kind, unit, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (receiving, kind) DO UPDATE SET unit = excluded.unit, \
                     updated_at = excluded.updated_at",
                )
                .bind(route.receiving.to_string())
                .bind(&route.kind)
                .bind(route.unit.to_string())
                .bind(rows::micros(now))
                .execute(&mut *transaction)
                .await
                .map_err(unavailable)?;
            }
            transaction.commit().await.map_err(unavailable)?;
            Ok(())
        })
    }
}
