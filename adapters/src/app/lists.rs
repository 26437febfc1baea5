//! Lists of dossiers: the searchable, filtered list each caller may see and an officer's inbox,
//! most urgent first.

use chrono::{DateTime, Utc};
use hoso_engine::case::UnitId;
use hoso_engine::messages::{Denial, RequestProblem, RoleRule};
use hoso_engine::ports::{CaseQuery, Dossiers as _};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AppError, AppState, Principal};
use crate::access::UserKind;

/// Filters for the dossier list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Status name, e.g. processing.
    #[param(
        pattern = "^(registered|received|not_received|processing|supplement_requested|financial_obligation_requested|withdrawn|stopped|resolved|result_returned)$"
    )]
    pub status: Option<String>,
    /// Unit code (officers always see their own unit).
    #[param(pattern = "^[A-Za-z0-9]([A-Za-z0-9.]{0,38}[A-Za-z0-9])?$")]
    pub unit: Option<String>,
    /// Text in the code or the applicant's name (the first 100 characters count).
    pub q: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// Rows to skip, at most 1,000,000.
    #[param(minimum = 0, maximum = 1_000_000)]
    pub offset: Option<u32>,
}

/// `value` when it lies in `min..=max`, as the API document declares; else the field's problem.
fn within(pointer: &str, value: u32, min: u32, max: u32) -> Result<u32, AppError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::field(
            pointer,
            RequestProblem::OutOfRange {
                given: value.to_string(),
                min: min.to_string(),
                max: max.to_string(),
            },
        ))
    }
}

/// A row of a dossier list.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierRow {
    /// Dossier code.
    pub code: String,
    /// Procedure code.
    pub procedure: String,
    /// Status name.
    pub status: String,
    /// Current step.
    pub step: Option<String>,
    /// Holding unit.
    pub unit: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Appointment.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub appointment: Option<DateTime<Utc>>,
    /// Current step due.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub step_due: Option<DateTime<Utc>>,
    /// Version.
    pub version: u64,
    /// In an inbox: waiting for the unit's answer to a consultation (lấy ý kiến), not for its
    /// step.
    pub consultation: bool,
}

/// A page of dossiers.
#[derive(Debug, Serialize, ToSchema)]
pub struct DossierPage {
    /// The rows.
    pub items: Vec<DossierRow>,
    /// Page size used.
    pub limit: u32,
    /// Rows skipped.
    pub offset: u32,
}

/// List rows from store summaries.
pub fn rows(summaries: Vec<hoso_engine::ports::CaseSummary>) -> Vec<DossierRow> {
    summaries
        .into_iter()
        .map(|summary| row(summary, false))
        .collect()
}

fn row(summary: hoso_engine::ports::CaseSummary, consultation: bool) -> DossierRow {
    DossierRow {
        code: summary.code.to_string(),
        procedure: summary.procedure_code,
        status: summary.status.as_str().to_owned(),
        step: summary.step,
        unit: summary.unit.to_string(),
        applicant_name: summary.applicant_name,
        appointment: summary.appointment,
        step_due: summary.step_due,
        version: summary.version,
        consultation,
    }
}

/// Dossiers, newest first: auditors see all, officers their unit's, citizens their own.
pub async fn list(
    state: &AppState,
    principal: &Principal,
    query: ListQuery,
) -> Result<DossierPage, AppError> {
    let status = query
        .status
        .as_deref()
        .map(|status| {
            hoso_engine::case::Status::parse(status).ok_or_else(|| {
                AppError::field(
                    "/status",
                    RequestProblem::NotOneOf {
                        given: status.to_owned(),
                        allowed: hoso_engine::case::Status::ALL
                            .iter()
                            .map(|status| status.as_str().to_owned())
                            .collect(),
                    },
                )
            })
        })
        .transpose()?;
    let unit = query
        .unit
        .as_deref()
        .map(|unit| {
            UnitId::parse(unit).map_err(|_| {
                AppError::field(
                    "/unit",
                    RequestProblem::NotAUnitCode {
                        given: unit.to_owned(),
                    },
                )
            })
        })
        .transpose()?;
    let limit = within("/limit", query.limit.unwrap_or(50), 1, 200)?;
    let offset = within("/offset", query.offset.unwrap_or(0), 0, 1_000_000)?;
    let text = query
        .q
        .map(|text| text.chars().take(100).collect::<String>());
    let mut filter = CaseQuery {
        status,
        unit,
        party: None,
        organisation: None,
        text,
        limit,
        offset,
    };
    match principal {
        Principal::Staff(user) if user.kind == UserKind::Auditor => {}
        Principal::Staff(user) if user.kind == UserKind::Officer => {
            if filter
                .unit
                .as_ref()
                .is_some_and(|unit| Some(unit) != user.unit.as_ref())
            {
                return Err(AppError::Forbidden(
                    Denial::RoleOnly(RoleRule::OwnUnitList).into(),
                ));
            }
            filter.unit = user.unit.clone();
        }
        other => match other.citizen_id() {
            Some(citizen_id) => {
                filter.party = Some(citizen_id.to_owned());
                filter.organisation = other.organisation().map(str::to_owned);
            }
            None => {
                return Err(AppError::Forbidden(
                    Denial::RoleOnly(RoleRule::NotForDesignersOrAdmins).into(),
                ));
            }
        },
    }
    let items = rows(state.service.store().list(&filter).await?);
    Ok(DossierPage {
        items,
        limit,
        offset,
    })
}

/// A dossier waiting in an officer's inbox, and why.
pub struct InboxEntry {
    /// The dossier.
    pub summary: hoso_engine::ports::CaseSummary,
    /// Waiting for the unit's answer to a consultation (lấy ý kiến), not for its step.
    pub consultation: bool,
}

/// What waits for the calling officer: the dossiers at a step of their role in their unit (or in
/// a unit retired into it), most urgent first, then the consultations their unit is asked.
pub async fn inbox_entries(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<InboxEntry>, AppError> {
    let Principal::Staff(user) = principal else {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::InboxForOfficers).into(),
        ));
    };
    let (Some(role), Some(unit), UserKind::Officer) = (&user.role, &user.unit, user.kind) else {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::InboxForOfficers).into(),
        ));
    };
    let today = hoso_engine::clock::vietnam_day(chrono::Utc::now());
    let store = state.service.store();
    let mut waiting = Vec::new();
    let mut consulted = Vec::new();
    let units = state.service.directory().acting_for(unit, today);
    for unit in &units {
        waiting.extend(store.inbox(unit, role, 200).await?);
        consulted.extend(store.consultations_for(unit, 200).await?);
    }
    if units.len() > 1 {
        // The store's order, across the units: the nearer of step due and appointment first.
        waiting.sort_by_key(|summary| {
            let urgency = summary.urgency();
            (urgency.is_none(), urgency, summary.submitted_at)
        });
    }
    let mut entries: Vec<InboxEntry> = waiting
        .into_iter()
        .map(|summary| InboxEntry {
            summary,
            consultation: false,
        })
        .chain(consulted.into_iter().map(|summary| InboxEntry {
            summary,
            consultation: true,
        }))
        .collect();
    entries.truncate(200);
    Ok(entries)
}

/// The inbox as list rows.
pub async fn inbox(state: &AppState, principal: &Principal) -> Result<Vec<DossierRow>, AppError> {
    Ok(inbox_entries(state, principal)
        .await?
        .into_iter()
        .map(|entry| row(entry.summary, entry.consultation))
        .collect())
}
