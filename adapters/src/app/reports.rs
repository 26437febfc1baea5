//! Service quality and evidence: Decision 766 indicators and the dossier register for a unit,
//! a citizen's rating, a dossier's official forms and its timeline picture.

use chrono::{NaiveDate, Utc};
use hoso_engine::case::Status;
use hoso_engine::forms::{ControlSlip, OfficialForm, Register};
use hoso_engine::indicators::{Period, Report, Satisfaction};
use hoso_engine::messages::{Denial, Feature, RequestProblem, RoleRule, Said};
use hoso_engine::ports::Dossiers as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dossiers::load_readable;
use super::{AppError, AppState, Principal};
use crate::access::UserKind;
use hoso_engine::ports::Ratings as _;

fn day(field: &str, text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        AppError::field(
            &format!("/{field}"),
            RequestProblem::NotADate {
                given: text.to_owned(),
            },
        )
    })
}

/// The unit a caller may report on: auditors any (or all), officers only their own.
pub fn report_unit(principal: &Principal, asked: Option<&str>) -> Result<Option<String>, AppError> {
    let Principal::Staff(user) = principal else {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::NoReportsForCitizens).into(),
        ));
    };
    match user.kind {
        UserKind::Auditor => Ok(asked.map(str::to_owned)),
        UserKind::Officer => {
            let own = user.unit.as_ref().map(ToString::to_string);
            match (asked, own) {
                (Some(asked), Some(own)) if asked != own => Err(AppError::Forbidden(
                    Denial::OwnUnitReport {
                        own,
                        asked: asked.to_owned(),
                    }
                    .into(),
                )),
                (_, Some(own)) => Ok(Some(own)),
                (_, None) => Err(AppError::Forbidden(
                    Denial::RoleOnly(RoleRule::OfficerWithoutUnit).into(),
                )),
            }
        }
        _ => Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::ReportsForAuditorsAndOfficers).into(),
        )),
    }
}

/// A period from two dates, at most a year long.
pub fn report_period(from: &str, to: &str) -> Result<Period, AppError> {
    let period = Period {
        from: day("from", from)?,
        to: day("to", to)?,
    };
    if period.from > period.to {
        return Err(AppError::field(
            "/from",
            RequestProblem::PeriodReversed {
                from: period.from.format("%d/%m/%Y").to_string(),
                to: period.to.format("%d/%m/%Y").to_string(),
            },
        ));
    }
    if (period.to - period.from).num_days() > 366 {
        return Err(AppError::field("/to", RequestProblem::PeriodTooLong));
    }
    Ok(period)
}

/// The indicators of `unit` (every unit when `None`) for `period`, with this server's settings.
pub async fn unit_report(
    state: &AppState,
    period: Period,
    unit: Option<&str>,
) -> Result<Report, AppError> {
    let settings = state
        .indicator_settings
        .clone()
        .ok_or_else(|| AppError::NotFound(Denial::NotConfigured(Feature::Reports).into()))?;
    Ok(
        crate::reports::indicator_report(&state.service, period, unit, &settings, |_, _| {})
            .await?,
    )
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
pub async fn rate(
    state: &AppState,
    principal: &Principal,
    code: &str,
    satisfaction: &str,
) -> Result<RatingRequest, AppError> {
    let case = load_readable(state, principal, code).await?;
    if !principal.follows(&case) {
        return Err(AppError::Forbidden(
            Denial::RoleOnly(RoleRule::ApplicantRates).into(),
        ));
    }
    let satisfaction = Satisfaction::parse(satisfaction).ok_or_else(|| {
        AppError::field(
            "/satisfaction",
            RequestProblem::NotOneOf {
                given: satisfaction.to_owned(),
                allowed: ["very_satisfied", "satisfied", "dissatisfied"]
                    .map(str::to_owned)
                    .to_vec(),
            },
        )
    })?;
    if case.status != Status::ResultReturned {
        return Err(AppError::Conflict(
            Denial::RateAfterReturn {
                dossier: case.code.to_string(),
                status: case.status.label().to_owned(),
            }
            .into(),
        ));
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
        return Err(AppError::Conflict(
            Denial::AlreadyRated {
                dossier: case.code.to_string(),
            }
            .into(),
        ));
    }
    Ok(RatingRequest {
        satisfaction: satisfaction.as_str().to_owned(),
    })
}

/// An official form of a dossier, filled: 06 is the process-control slip, 01–05 the others.
pub enum Filled {
    /// Form 06, phiếu kiểm soát quá trình giải quyết hồ sơ.
    Slip(ControlSlip),
    /// Forms 01–05.
    Official(Box<OfficialForm>),
}

impl Filled {
    /// The printable A4 page.
    pub fn html(&self) -> String {
        match self {
            Self::Slip(slip) => hoso_engine::forms::control_slip_html(slip),
            Self::Official(form) => hoso_engine::forms::official_form_html(form),
        }
    }

    /// The form's data as JSON.
    pub fn json(&self) -> serde_json::Value {
        match self {
            Self::Slip(slip) => serde_json::to_value(slip),
            Self::Official(form) => serde_json::to_value(form),
        }
        .unwrap_or_default()
    }
}

/// An official form of a dossier, for whoever may read the dossier: 01 receipt, 02 supplement
/// request, 03 refusal, 04 apology and new date, 05 stop notice, 06 process-control slip.
pub async fn form(
    state: &AppState,
    principal: &Principal,
    code: &str,
    form: &str,
) -> Result<Filled, AppError> {
    let case = load_readable(state, principal, code).await?;
    fill(state, &case, form).await
}

/// Fills form `form` for a dossier the caller may read.
pub async fn fill(
    state: &AppState,
    case: &hoso_engine::case::Case,
    form: &str,
) -> Result<Filled, AppError> {
    let procedure = state
        .service
        .procedure_of(case)
        .map_err(|error| AppError::Internal(error.to_string()))?;
    if form == "06" {
        return Ok(Filled::Slip(
            control_slip(&state.service, case, &procedure, Utc::now()).await?,
        ));
    }
    let events = state.service.store().events(&case.code).await?;
    let filled = hoso_engine::forms::issued_form(
        form,
        case,
        &events,
        &procedure,
        &state.service.calendars(),
        &state.service.directory(),
    )
    .map_err(|error| match error {
        // A kept form that no longer matches its hash is damage an operator must see.
        hoso_engine::forms::FormError::Tampered { .. } => AppError::Unavailable(error.to_string()),
        other => AppError::NotFound(Said::NoForm(Box::new(other))),
    })?;
    Ok(Filled::Official(Box::new(filled)))
}

/// The dossier's timeline as an SVG picture: a lane per unit, each stay against its allotment,
/// pauses shaded, the appointment and any extension marked.
pub async fn timeline_svg(
    state: &AppState,
    principal: &Principal,
    code: &str,
    narrow: bool,
) -> Result<String, AppError> {
    let case = load_readable(state, principal, code).await?;
    let procedure = state
        .service
        .procedure_of(&case)
        .map_err(|error| AppError::Internal(error.to_string()))?;
    let now = Utc::now();
    let slip = control_slip(&state.service, &case, &procedure, now).await?;
    Ok(if narrow {
        hoso_engine::forms::timeline_svg_vertical(&case, &slip, now)
    } else {
        hoso_engine::forms::timeline_svg(&case, &slip, now)
    })
}

/// Form 06 of a dossier, with units named from the directory and officers by name.
pub async fn control_slip(
    service: &hoso_engine::service::Service<crate::store::AnyStore>,
    case: &hoso_engine::case::Case,
    procedure: &hoso_engine::procedure::Procedure,
    now: chrono::DateTime<Utc>,
) -> Result<hoso_engine::forms::ControlSlip, AppError> {
    let events = service.store().events(&case.code).await?;
    let people = super::dossiers::people_of(service.store(), &events).await?;
    let directory = service.directory();
    let names = hoso_engine::case::Names {
        procedure: Some(procedure),
        directory: Some(&directory),
        people: Some(&people),
    };
    Ok(hoso_engine::forms::control_slip(
        case, procedure, &names, now,
    ))
}

/// A unit and period a caller was allowed to print the register of; only
/// [`register_scope`] makes one, so the register is never printed unchecked.
pub struct RegisterScope {
    unit: String,
    period: Period,
}

/// The unit and period of a register a caller may print: the unit is required, and officers
/// print their own.
pub fn register_scope(
    principal: &Principal,
    asked_unit: Option<&str>,
    (from, to): (&str, &str),
) -> Result<RegisterScope, AppError> {
    let unit = report_unit(principal, asked_unit)?
        .ok_or_else(|| AppError::field("/unit", RequestProblem::RegisterNeedsUnit))?;
    Ok(RegisterScope {
        unit,
        period: report_period(from, to)?,
    })
}

/// The dossier register (sổ theo dõi hồ sơ, Form 07) of a unit for a period, once
/// [`register_scope`] has allowed it.
pub async fn register(state: &AppState, scope: RegisterScope) -> Result<Register, AppError> {
    Ok(crate::reports::register(&state.service, &scope.unit, scope.period).await?)
}

/// The per-dossier evaluation (Circular 01/2018 arts. 13–14) of a unit for a period, under the
/// register's rules of who may read what ([`register_scope`]).
pub async fn evaluation(
    state: &AppState,
    scope: RegisterScope,
) -> Result<hoso_engine::indicators::Evaluation, AppError> {
    Ok(crate::reports::evaluation(&state.service, &scope.unit, scope.period).await?)
}

/// A unit (or every unit) and period a caller was allowed to read the indicators of; only
/// [`indicator_scope`] makes one.
pub struct IndicatorScope {
    unit: Option<String>,
    period: Period,
}

/// The unit (or all, `None`) and period of indicators a caller may read: auditors any unit or
/// all, officers their own.
pub fn indicator_scope(
    principal: &Principal,
    asked_unit: Option<&str>,
    (from, to): (&str, &str),
) -> Result<IndicatorScope, AppError> {
    Ok(IndicatorScope {
        unit: report_unit(principal, asked_unit)?,
        period: report_period(from, to)?,
    })
}

/// The indicators of a scope [`indicator_scope`] allowed.
pub async fn indicators(state: &AppState, scope: IndicatorScope) -> Result<Report, AppError> {
    unit_report(state, scope.period, scope.unit.as_deref()).await
}
