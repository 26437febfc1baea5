//! Reports over every stored dossier: the Decision 766 indicators.

use hoso_engine::indicators::{self, DossierFacts, Period, Report, Satisfaction, Settings};
use hoso_engine::ports::{Store, StoreError};
use hoso_engine::service::Service;

use crate::store::AnyStore;

/// The facts of every dossier received by `unit` (every unit when `None`), calling
/// `progress(done, total)` as it reads them.
pub async fn dossier_facts(
    service: &Service<AnyStore>,
    unit: Option<&str>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<DossierFacts>, StoreError> {
    let ratings: std::collections::HashMap<String, Satisfaction> = service
        .store()
        .ratings()
        .await?
        .into_iter()
        .filter_map(|(code, satisfaction)| Some((code, Satisfaction::parse(&satisfaction)?)))
        .collect();
    let codes = service.store().codes().await?;
    let mut facts = Vec::with_capacity(codes.len());
    for (done, code) in codes.iter().enumerate() {
        progress(done + 1, codes.len());
        if unit.is_some_and(|unit| code.unit().to_string() != unit) {
            continue;
        }
        let Some(case) = service.store().load(code).await? else {
            continue;
        };
        let events = service.store().events(code).await?;
        // A dossier whose procedure version is not in the catalogue cannot be described; it is
        // left out rather than guessed at, and `hoso admin rebuild` reports such dossiers.
        let Ok(procedure) = service.procedure_of(&case) else {
            continue;
        };
        facts.push(DossierFacts::of(
            &case,
            &events,
            &procedure,
            service.calendars(),
            ratings.get(&code.to_string()).copied(),
        ));
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
    let mut dossiers = Vec::new();
    for code in service.store().codes().await? {
        if code.unit().as_str() != unit {
            continue;
        }
        let Some(case) = service.store().load(&code).await? else {
            continue;
        };
        let Ok(procedure) = service.procedure_of(&case) else {
            continue;
        };
        dossiers.push((case, procedure));
    }
    let borrowed: Vec<(hoso_engine::case::Case, &hoso_engine::procedure::Procedure)> = dossiers
        .iter()
        .map(|(case, procedure)| (case.clone(), procedure.as_ref()))
        .collect();
    Ok(hoso_engine::forms::register(unit, period, &borrowed))
}
