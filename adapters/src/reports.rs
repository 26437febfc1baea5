//! Reports over every stored dossier: the Decision 766 indicators.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use hoso_engine::case::Case;
use hoso_engine::indicators::{self, DossierFacts, Period, Report, Satisfaction, Settings};
use hoso_engine::ports::{Dossiers as _, StoreError};
use hoso_engine::procedure::Procedure;
use hoso_engine::service::Service;

use crate::store::AnyStore;
use hoso_engine::ports::{Delivery as _, Ratings as _};

/// Every dossier received by `unit` or routed to it (every dossier when `None`) with its
/// procedure version, calling
/// `progress(done, total)` as it reads them. A dossier whose procedure version is not in the
/// catalogue cannot be described; it is left out rather than guessed at, and
/// `hoso admin rebuild` reports such dossiers.
async fn cases_of(
    service: &Service<AnyStore>,
    unit: Option<&str>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<(Case, Arc<Procedure>)>, StoreError> {
    let codes = match unit {
        Some(unit) => service.store().codes_handled_by(unit).await?,
        None => service.store().codes().await?,
    };
    let mut cases = Vec::new();
    for (done, code) in codes.iter().enumerate() {
        progress(done + 1, codes.len());
        let Some(case) = service.store().load(code).await? else {
            continue;
        };
        if let Ok(procedure) = service.procedure_of(&case) {
            cases.push((case, procedure));
        }
    }
    Ok(cases)
}

/// The facts of every dossier received by `unit` or routed to it, as that unit saw it (every
/// dossier as its receiving unit saw it when `None`).
pub async fn dossier_facts(
    service: &Service<AnyStore>,
    unit: Option<&str>,
    progress: impl FnMut(usize, usize),
) -> Result<Vec<DossierFacts>, StoreError> {
    let ratings: HashMap<String, Satisfaction> = service
        .store()
        .ratings()
        .await?
        .into_iter()
        .filter_map(|(code, satisfaction)| Some((code, Satisfaction::parse(&satisfaction)?)))
        .collect();
    // The portal holds a dossier once one sync message about it was delivered (1.4).
    let synced: HashSet<String> = service
        .store()
        .delivered_dossiers("portal")
        .await?
        .into_iter()
        .collect();
    let mut facts = Vec::new();
    let calendars = service.calendars();
    let unit_id = unit.and_then(|unit| hoso_engine::case::UnitId::parse(unit).ok());
    for (case, procedure) in cases_of(service, unit, progress).await? {
        let events = service.store().events(&case.code).await?;
        let rating = ratings.get(&case.code.to_string()).copied();
        let whole = DossierFacts {
            synced: synced.contains(&case.code.to_string()),
            ..DossierFacts::of(&case, &events, &procedure, &calendars, rating)
        };
        // A unit's report counts its own stays in the dossiers routed to it.
        match &unit_id {
            Some(unit) => facts.extend(whole.for_unit(&case, unit, &calendars)),
            None => facts.push(whole),
        }
    }
    Ok(facts)
}

/// The indicators of `unit` for `period`.
pub async fn indicator_report(
    service: &Service<AnyStore>,
    period: Period,
    unit: Option<&str>,
    settings: &Settings,
    progress: impl FnMut(usize, usize),
) -> Result<Report, StoreError> {
    let facts = dossier_facts(service, unit, progress).await?;
    Ok(indicators::compute(&facts, period, unit, settings))
}

/// The dossier register (Form 07) of `unit` for `period`.
pub async fn register(
    service: &Service<AnyStore>,
    unit: &str,
    period: Period,
) -> Result<hoso_engine::forms::Register, StoreError> {
    let cases = cases_of(service, Some(unit), |_, _| {}).await?;
    Ok(hoso_engine::forms::register(
        unit,
        period,
        cases
            .iter()
            .map(|(case, procedure)| (case, procedure.as_ref())),
    ))
}

/// The per-dossier evaluation (Circular 01/2018 arts. 13–14) and the internal on-time rate
/// (Decree 61/2018 art. 30) of `unit` for `period`.
pub async fn evaluation(
    service: &Service<AnyStore>,
    unit: &str,
    period: Period,
) -> Result<indicators::Evaluation, StoreError> {
    let ratings: HashMap<String, Satisfaction> = service
        .store()
        .ratings()
        .await?
        .into_iter()
        .filter_map(|(code, satisfaction)| Some((code, Satisfaction::parse(&satisfaction)?)))
        .collect();
    let calendars = service.calendars();
    let directory = service.directory();
    let now = chrono::Utc::now();
    let mut dossiers = Vec::new();
    for (case, procedure) in cases_of(service, Some(unit), |_, _| {}).await? {
        if case.receiving_unit.as_str() != unit {
            continue;
        }
        let events = service.store().events(&case.code).await?;
        let rating = ratings.get(&case.code.to_string()).copied();
        let facts = DossierFacts::of(&case, &events, &procedure, &calendars, rating);
        let names = hoso_engine::case::Names {
            procedure: Some(&procedure),
            directory: Some(&directory),
            people: None,
        };
        let slip = hoso_engine::forms::control_slip(&case, &procedure, &names, now);
        dossiers.push((facts, slip));
    }
    Ok(indicators::evaluation(unit, period, &dossiers))
}
