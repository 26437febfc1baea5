//! Decision 766/QĐ-TTg service-quality indicators (chỉ số 766), as pure functions over the facts
//! of each dossier: portal sync (1.4), on-time rate (2.1), average processing time (2.2), online dossiers (3.3),
//! online payment (3.6), e-results (4.1), digitisation (4.2), re-use of digitised data (4.3) and
//! satisfaction (5.4).
//!
//! The formulas follow the national portal's formula description, "Mô tả công thức tính chỉ số
//! 766" (law-and-process.md §5.2, as transcribed in public code [SECONDARY]): a dossier's end of
//! processing is NgayKetThucXuLy — its decision, its return, a stop, a refusal, a withdrawal, or a
//! supplement request left unanswered; on time means that end by NgayHenTra. The points each
//! indicator is worth and the rate that earns them (`fixtures/indicators.toml`) are the portal's
//! own as its scoring API publishes them per unit (componentIndicators.maxScore, crawled from
//! dichvucong.gov.vn in 2026 [SECONDARY]); each is a setting because the portal may change them.
//! Where the description leaves a choice, the choice is written on the function that makes it.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, Event, EventKind, Provenance, Status, StepVisit, UnitId};
use crate::clock::{Calendars, vietnam};
use crate::forms::escape;
use crate::procedure::{ChannelKind, Delivery, Procedure};

/// How a citizen rated a returned dossier (đánh giá mức độ hài lòng).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// Rất hài lòng.
    VerySatisfied,
    /// Hài lòng.
    Satisfied,
    /// Không hài lòng — counts against indicator 5.4.
    Dissatisfied,
}

impl Satisfaction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::VerySatisfied, Self::Satisfied, Self::Dissatisfied]
            .into_iter()
            .find(|value| value.as_str() == text)
    }
}

/// What the indicators need to know about one dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierFacts {
    /// Its code.
    pub code: String,
    /// The procedure's national code.
    pub procedure: String,
    /// The receiving unit.
    pub unit: String,
    /// Submitted online (KenhThucHien = 2).
    pub online: bool,
    /// When received as complete; `None` when refused at intake or still awaiting receipt.
    pub received_at: Option<DateTime<Utc>>,
    /// When processing ended (NgayKetThucXuLy).
    pub finished_at: Option<DateTime<Utc>>,
    /// The appointment (NgayHenTra), already moved by the time a supplement paused the clock.
    pub appointment: Option<DateTime<Utc>>,
    /// Supplement requests made.
    pub supplement_requests: u32,
    /// Working hours spent processing, pauses excluded (completed dossiers only).
    pub processing_hours: Option<f64>,
    /// Withdrawn by the applicant (not judged for timeliness).
    pub withdrawn: bool,
    /// Some fee was owed.
    pub fee_bearing: bool,
    /// Paid through an online gateway.
    pub paid_online: bool,
    /// The procedure's result is a paper document (returned at the counter or by post).
    pub paper_result: bool,
    /// An electronic result was issued with its file (the portal's MaKetQua and link).
    pub e_result: bool,
    /// Every component is held as a digital copy (uploaded, scanned or taken from a data store).
    pub digitised: bool,
    /// At least one component was re-used from a data store or a database.
    pub reused: bool,
    /// The citizen's rating, if any.
    pub rating: Option<Satisfaction>,
    /// Citizen feedback (PAKN), counted in 5.1–5.3 and not among administrative dossiers.
    #[serde(default)]
    pub feedback: bool,
    /// When submitted.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// The procedure's windows opened on the dossier.
    #[serde(default)]
    pub windows: Vec<WindowFact>,
    /// When a supplement request still unanswered was made: the portal counts it as the end of
    /// processing (2.1).
    #[serde(default)]
    pub waiting_supplement_since: Option<DateTime<Utc>>,
    /// Processed (Đã xử lý xong) or returned (Đã trả kết quả): the dossiers 2.2 averages.
    #[serde(default)]
    pub completed: bool,
    /// Working days spent processing, on the calendar's own office day (7.5 hours in the shipped
    /// calendars), supplement waits excluded.
    #[serde(default)]
    pub processing_days: Option<f64>,
    /// A component taken from, or an e-result sent to, the citizen's data store (4.4).
    #[serde(default)]
    pub data_store: bool,
    /// A component taken from a national database such as the population database (4.5).
    #[serde(default)]
    pub population_data: bool,
    /// The national portal holds it: a sync message about it was delivered (1.4). The dossier
    /// alone does not know; the report reads it from the outbox.
    #[serde(default)]
    pub synced: bool,
}

impl DossierFacts {
    /// The facts of a dossier, counting processing time on `calendars` (`None` hours when the
    /// calendars do not cover its dates).
    pub fn of(
        case: &Case,
        events: &[Event],
        procedure: &Procedure,
        calendars: &Calendars,
        rating: Option<Satisfaction>,
    ) -> Self {
        let definition = procedure.definition();
        let paid_online = events.iter().any(|event| {
            matches!(event.kind, EventKind::PaymentRecorded { .. })
                && event.actor.kind == crate::case::ActorKind::System
        });
        // Only a supplement moves the appointment (the clock restarts or resumes); waiting for a
        // fee does not, so it is processing time here as it is on the clock.
        let processing_hours = match (case.received_at, case.finished_at) {
            (Some(received), Some(finished)) => working_hours(calendars, received, finished)
                .and_then(|total| {
                    case.pauses
                        .iter()
                        .filter(|pause| pause.reason == "supplement")
                        .try_fold(total, |left, pause| {
                            let end = pause.ended_at.unwrap_or(finished).min(finished);
                            Some(
                                left - working_hours(
                                    calendars,
                                    pause.started_at.max(received),
                                    end,
                                )?,
                            )
                        })
                }),
            _ => None,
        };
        let processing_days = processing_hours
            .zip(case.received_at)
            .and_then(|(hours, received)| Some(hours.max(0.0) / day_hours(calendars, received)?));
        Self {
            code: case.code.to_string(),
            procedure: case.procedure.code.to_string(),
            unit: case.receiving_unit.to_string(),
            online: case.channel == ChannelKind::Online,
            received_at: case.received_at,
            finished_at: case.finished_at,
            appointment: case.appointment,
            supplement_requests: most_requests_by_one_unit(case),
            processing_hours: processing_hours.map(|hours| hours.max(0.0)),
            withdrawn: case.status == Status::Withdrawn,
            fee_bearing: case.fees.iter().any(|fee| fee.amount.as_dong() > 0),
            paid_online,
            paper_result: definition
                .result
                .delivery
                .iter()
                .any(|delivery| *delivery != Delivery::Online),
            // The portal counts an e-result by its code and the link to its file: a result
            // number without a file is not one.
            e_result: definition.result.electronic
                && case
                    .result
                    .as_ref()
                    .is_some_and(|result| !result.documents.is_empty()),
            // The portal asks for digitised components (files attached or taken from a store),
            // not that every paper be digitised.
            digitised: case
                .documents
                .iter()
                .any(|document| document.sha256.is_some() || document.reference.is_some()),
            reused: case.documents.iter().any(|document| {
                matches!(
                    document.provenance,
                    Provenance::DataStore | Provenance::Database
                )
            }),
            rating,
            feedback: definition.kind == crate::procedure::ProcedureKind::Feedback,
            submitted_at: Some(case.submitted_at),
            windows: case.windows.iter().map(WindowFact::of).collect(),
            waiting_supplement_since: case
                .pending_supplement
                .as_ref()
                .filter(|_| case.status == Status::SupplementRequested)
                .map(|pending| pending.requested_at),
            completed: matches!(case.status, Status::Resolved | Status::ResultReturned),
            processing_days,
            data_store: case
                .documents
                .iter()
                .any(|document| document.provenance == Provenance::DataStore)
                || events.iter().any(|event| {
                    matches!(&event.kind, EventKind::ResultIssued { documents, .. } if !documents.is_empty())
                }),
            population_data: case
                .documents
                .iter()
                .any(|document| document.provenance == Provenance::Database),
            synced: false,
        }
    }
}

/// Office hours in the working day of `at`'s year, as its calendar sets them.
fn day_hours(calendars: &Calendars, at: DateTime<Utc>) -> Option<f64> {
    let hours = calendars
        .office_day(at.with_timezone(&vietnam()).date_naive())
        .ok()?
        .num_seconds() as f64
        / 3600.0;
    (hours > 0.0).then_some(hours)
}

impl DossierFacts {
    /// The facts as one unit saw the dossier: the receiving unit answers for the whole dossier;
    /// a unit it was routed to (liên thông) for its own stays — received when the dossier first
    /// reached it, due and finished by its stays (the first that overran decides, else the last),
    /// with its own supplement requests and working hours. Fees, results and the rating belong to
    /// the receiving unit. `None` when the dossier never stayed at `unit`.
    pub fn for_unit(&self, case: &Case, unit: &UnitId, calendars: &Calendars) -> Option<Self> {
        if case.receiving_unit == *unit {
            return Some(self.clone());
        }
        let stays: Vec<&StepVisit> = case
            .visits
            .iter()
            .filter(|visit| &visit.unit == unit)
            .collect();
        let first = stays.first()?;
        let overran = stays
            .iter()
            .find(|visit| visit.left_at.is_some_and(|left| left > visit.due_at));
        let open = stays.iter().any(|visit| visit.left_at.is_none());
        let decisive = overran.or(stays.last())?;
        let finished_at = if overran.is_none() && open {
            None
        } else {
            decisive.left_at
        };
        let processing_hours = if open {
            None
        } else {
            stays.iter().try_fold(0.0, |total, visit| {
                let left = visit.left_at?;
                Some(total + hours_not_paused(case, calendars, visit.entered_at, left)?)
            })
        };
        let requests = case
            .supplement_units
            .iter()
            .filter(|asked| *asked == unit)
            .count();
        Some(Self {
            unit: unit.to_string(),
            received_at: Some(first.entered_at),
            finished_at,
            appointment: Some(decisive.due_at),
            supplement_requests: u32::try_from(requests).unwrap_or(u32::MAX),
            processing_hours: processing_hours.map(|hours| hours.max(0.0)),
            processing_days: processing_hours
                .and_then(|hours| Some(hours.max(0.0) / day_hours(calendars, first.entered_at)?)),
            completed: !open,
            waiting_supplement_since: None,
            fee_bearing: false,
            paid_online: false,
            paper_result: false,
            e_result: false,
            rating: None,
            ..self.clone()
        })
    }
}

/// The most supplement requests any one unit made: each agency may ask once during its own stay
/// (Decree 61/2018 Art. 15), so two agencies asking once each is not "supplemented twice".
fn most_requests_by_one_unit(case: &Case) -> u32 {
    if case.supplement_units.is_empty() {
        // Dossiers from before requests were recorded per unit.
        return case.supplement_requests;
    }
    let mut counts: BTreeMap<&UnitId, u32> = BTreeMap::new();
    for unit in &case.supplement_units {
        *counts.entry(unit).or_default() += 1;
    }
    counts.into_values().max().unwrap_or_default()
}

/// Working hours from `from` to `to`, less the pauses within.
fn hours_not_paused(
    case: &Case,
    calendars: &Calendars,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<f64> {
    case.pauses
        .iter()
        .filter(|pause| pause.reason == "supplement")
        .try_fold(working_hours(calendars, from, to)?, |left, pause| {
            let start = pause.started_at.max(from);
            let end = pause.ended_at.unwrap_or(to).min(to);
            if end <= start {
                return Some(left);
            }
            Some(left - working_hours(calendars, start, end)?)
        })
}

fn working_hours(calendars: &Calendars, from: DateTime<Utc>, to: DateTime<Utc>) -> Option<f64> {
    let between = calendars
        .working_time_between(from.with_timezone(&vietnam()), to.with_timezone(&vietnam()))
        .ok()?;
    Some(between.num_seconds() as f64 / 3600.0)
}

/// Points and thresholds, read from the indicator settings file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Office hours in a working day.
    pub hours_per_working_day: f64,
    /// A fixed share (0–1) of dossiers on the national portal to multiply 3.3 by, e.g. the
    /// portal's own 1.4 figure; without it 3.3 is multiplied by 1.4 as computed from the outbox.
    #[serde(default)]
    pub sync_rate: Option<f64>,
    /// Per indicator id.
    pub indicator: BTreeMap<String, Scoring>,
}

/// How one indicator is scored.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Points at full score.
    pub max_points: f64,
    /// The rate (percent) that earns full points; without it points are proportional to the rate.
    #[serde(default)]
    pub threshold: Option<f64>,
}

impl Settings {
    /// Reads the settings file.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let settings: Self = toml::from_str(text).map_err(|error| error.to_string())?;
        if let Some(rate) = settings.sync_rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(format!(
                "indicator settings: sync_rate = {rate} is not a share between 0 and 1; write e.g. 0.98, or leave it out to use 1.4 as computed"
            ));
        }
        // The feedback indicators and 1.4 carry no points in the 766 formula document: optional
        // here.
        for id in INDICATORS
            .iter()
            .map(|(id, ..)| *id)
            .filter(|id| *id != "1.4" && !FEEDBACK_INDICATORS.contains(id))
        {
            if !settings.indicator.contains_key(id) {
                return Err(format!(
                    "indicator settings: add an [indicator.\"{id}\"] table with max_points"
                ));
            }
        }
        Ok(settings)
    }
}

/// Every indicator computed here: id, Vietnamese name, English name, formula.
const INDICATORS: [(&str, &str, &str, &str); 14] = [
    (
        "1.4",
        "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
        "dossiers synced to the national portal",
        "dossiers received in the period that the national portal holds (a sync message delivered) ÷ dossiers received",
    ),
    (
        "2.1",
        "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
        "dossiers processed early or on time",
        "(early + on time) ÷ dossiers processed in the period or open at its end; a withdrawal or an unanswered supplement request ends processing; more than one supplement request counts late",
    ),
    (
        "2.2",
        "Thời gian giải quyết trung bình",
        "average processing time",
        "Σ working days of dossiers received in the period and processed or returned ÷ their count (supplement waits excluded; the calendar's office day)",
    ),
    (
        "3.3",
        "Tỷ lệ hồ sơ trực tuyến",
        "online dossier rate",
        "online dossiers (with an e-result where the result is on paper) ÷ dossiers received × 1.4 (or the configured sync_rate)",
    ),
    (
        "3.6",
        "Tỷ lệ hồ sơ thanh toán trực tuyến",
        "dossiers paid online",
        "dossiers paid online ÷ dossiers received that owed a fee",
    ),
    (
        "4.1",
        "Tỷ lệ hồ sơ có kết quả điện tử",
        "dossiers with an e-result",
        "dossiers with an e-result ÷ dossiers received whose result is on paper",
    ),
    (
        "4.2",
        "Tỷ lệ hồ sơ thực hiện số hóa",
        "digitised dossiers",
        "dossiers with a digitised component (and an e-result where the result is on paper) ÷ dossiers received",
    ),
    (
        "4.3",
        "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa",
        "re-use of digitised data",
        "dossiers with a component re-used from a data store ÷ dossiers received",
    ),
    (
        "4.4",
        "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng",
        "dossiers connected to the personal data store",
        "dossiers with a component taken from the citizen's data store or an e-result sent to it ÷ dossiers received",
    ),
    (
        "4.5",
        "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư",
        "dossiers using population data",
        "dossiers with a component taken from a national database ÷ dossiers received",
    ),
    (
        "5.1",
        "Tỷ lệ phản ánh, kiến nghị được phân loại, tiếp nhận đúng hạn",
        "feedback with its intake decision on time",
        "feedback whose intake decision (accept or refuse, with reasons) came within its window ÷ feedback submitted in the period whose window has closed or been met",
    ),
    (
        "5.2",
        "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
        "feedback processed on time",
        "feedback accepted in the period, resolved by its appointment with every window (intake decision, supplement request, publication) met in time ÷ feedback judged as in 2.1",
    ),
    (
        "5.3",
        "Tỷ lệ hài lòng về tiếp nhận, xử lý phản ánh, kiến nghị",
        "satisfaction with feedback handling",
        "(feedback accepted in the period − dissatisfied ratings − late by 5.2) ÷ feedback accepted in the period",
    ),
    (
        "5.4",
        "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
        "satisfaction",
        "(dossiers judged in 2.1 − those late or rated dissatisfied) ÷ dossiers judged in 2.1",
    ),
];

/// A reporting period: whole days in Vietnam time, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl Period {
    fn start(&self) -> DateTime<Utc> {
        local_midnight(self.from)
    }

    /// The first instant after the period.
    fn end(&self) -> DateTime<Utc> {
        local_midnight(self.to) + Duration::days(1)
    }

    /// Whether `at` falls in the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start() <= at && at < self.end()
    }
}

fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let offset: FixedOffset = vietnam();
    day.and_hms_opt(0, 0, 0)
        .and_then(|midnight| midnight.and_local_timezone(offset).single())
        .map_or_else(
            || DateTime::<Utc>::MIN_UTC,
            |local| local.with_timezone(&Utc),
        )
}

/// How a dossier judged for 2.1 ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Finished on a day before the appointment day (trước hạn).
    Early,
    /// Finished on the appointment day, by the appointment (đúng hạn).
    OnTime,
    /// Finished after the appointment, still open past it at period end, or supplemented more
    /// than once (quá hạn).
    Late,
}

/// Judges a dossier for 2.1, or `None` when 2.1 does not count it: not received by the period's
/// end, finished before the period, or without an appointment. A withdrawal ends processing
/// like any other end; a supplement request still unanswered at the period's end counts as the
/// end, judged when it was made (the portal's rule: asking once is not late).
pub fn timeliness(facts: &DossierFacts, period: &Period) -> Option<Timeliness> {
    let end = period.end();
    let received = facts.received_at?;
    if received >= end {
        return None;
    }
    let ended = facts
        .finished_at
        .or(facts.waiting_supplement_since.filter(|asked| *asked < end));
    let judged_at = match ended {
        Some(finished) if finished < period.start() => return None,
        Some(finished) if finished < end => finished,
        // Open at the end of the period: judged as of then.
        _ => end,
    };
    let appointment = facts.appointment?;
    if facts.supplement_requests > 1 || judged_at > appointment {
        return Some(Timeliness::Late);
    }
    let day = |at: DateTime<Utc>| at.with_timezone(&vietnam()).date_naive();
    if facts.finished_at.is_some_and(|finished| finished < end) && day(judged_at) < day(appointment)
    {
        Some(Timeliness::Early)
    } else {
        Some(Timeliness::OnTime)
    }
}

/// One indicator's value for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Its id in Decision 766's formula document, e.g. "2.1".
    pub id: String,
    /// Vietnamese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// How it is computed.
    pub formula: String,
    /// What was counted.
    pub numerator: f64,
    /// Out of what (0 means the indicator is not applicable).
    pub denominator: f64,
    /// The rate in percent (the average in working days for 2.2), 2 decimals.
    pub value: f64,
    /// The rate that earns full points.
    pub threshold: Option<f64>,
    /// Points earned.
    pub points: f64,
    /// Points possible.
    pub max_points: f64,
}

/// Average processing time of one procedure (2.2).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessingTime {
    /// The procedure.
    pub procedure: String,
    /// Completed dossiers counted.
    pub dossiers: u64,
    /// Average working days.
    pub average_working_days: f64,
}

/// Every indicator for a unit's period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The unit, or every unit.
    pub unit: Option<String>,
    /// Dossiers received in the period.
    pub received: u64,
    /// Dossiers judged for 2.1, by outcome.
    pub early: u64,
    /// On time.
    pub on_time: u64,
    /// Late.
    pub late: u64,
    /// The indicators, in id order.
    pub indicators: Vec<Indicator>,
    /// 2.2 per procedure.
    pub processing_time: Vec<ProcessingTime>,
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn percent(numerator: u64, denominator: u64) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        round2(numerator as f64 * 100.0 / denominator as f64)
    }
}

/// Computes the indicators of `unit` (every unit when `None`) for `period`.
pub fn compute(
    facts: &[DossierFacts],
    period: Period,
    unit: Option<&str>,
    settings: &Settings,
) -> Report {
    let (feedback, ours): (Vec<&DossierFacts>, Vec<&DossierFacts>) = facts
        .iter()
        .filter(|facts| unit.is_none_or(|unit| facts.unit == unit))
        .partition(|facts| facts.feedback);
    let feedback_values = feedback_indicators(&feedback, &period);
    let received: Vec<&DossierFacts> = ours
        .iter()
        .copied()
        .filter(|facts| facts.received_at.is_some_and(|at| period.contains(at)))
        .collect();
    let count = |filter: &dyn Fn(&DossierFacts) -> bool| {
        received.iter().filter(|facts| filter(facts)).count() as u64
    };
    let judged: Vec<(Timeliness, &DossierFacts)> = ours
        .iter()
        .filter_map(|facts| Some((timeliness(facts, &period)?, *facts)))
        .collect();
    let tally = |wanted: Timeliness| {
        judged
            .iter()
            .filter(|(judged, _)| *judged == wanted)
            .count() as u64
    };
    let (early, on_time, late) = (
        tally(Timeliness::Early),
        tally(Timeliness::OnTime),
        tally(Timeliness::Late),
    );
    let total = received.len() as u64;

    let mut by_procedure: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    // Completed dossiers received in the period, whenever they finished (the portal's 2.2).
    for facts in received.iter().filter(|facts| facts.completed) {
        let days = facts.processing_days.or_else(|| {
            facts
                .processing_hours
                .map(|hours| hours / settings.hours_per_working_day)
        });
        if let Some(days) = days {
            let entry = by_procedure.entry(facts.procedure.as_str()).or_default();
            entry.0 += 1;
            entry.1 += days;
        }
    }
    let processing_time: Vec<ProcessingTime> = by_procedure
        .iter()
        .map(|(procedure, (dossiers, days))| ProcessingTime {
            procedure: (*procedure).to_owned(),
            dossiers: *dossiers,
            average_working_days: round2(days / *dossiers as f64),
        })
        .collect();
    let (completed, completed_days) = by_procedure
        .values()
        .fold((0, 0.0), |(count, days), (dossiers, sum)| {
            (count + dossiers, days + sum)
        });

    let online = count(&|facts| facts.online && (!facts.paper_result || facts.e_result));
    let fee_bearing = count(&|facts| facts.fee_bearing);
    let paid_online = count(&|facts| facts.fee_bearing && facts.paid_online);
    let paper = count(&|facts| facts.paper_result);
    let paper_with_e_result = count(&|facts| facts.paper_result && facts.e_result);
    let digitised = count(&|facts| facts.digitised && (!facts.paper_result || facts.e_result));
    let reused = count(&|facts| facts.reused);
    let data_store = count(&|facts| facts.data_store);
    let population = count(&|facts| facts.population_data);
    let synced = count(&|facts| facts.synced);
    let sync_share = settings
        .sync_rate
        .unwrap_or_else(|| percent(synced, total) / 100.0);
    let judged_total = early + on_time + late;
    // 5.4 = 100% − (late + disliked) over the dossiers 2.1 judges, one denominator, each dossier
    // counted once (the portal's DOSSIER_RECEIVING_SATISFACTION: 653 of 654 with one late).
    let unhappy = judged
        .iter()
        .filter(|(judged, facts)| {
            *judged == Timeliness::Late || facts.rating == Some(Satisfaction::Dissatisfied)
        })
        .count() as u64;
    let satisfied = judged_total - unhappy;

    let values: [(f64, f64, f64); 14] = [
        (synced as f64, total as f64, percent(synced, total)),
        (
            (early + on_time) as f64,
            judged_total as f64,
            percent(early + on_time, judged_total),
        ),
        (
            round2(completed_days),
            completed as f64,
            if completed == 0 {
                0.0
            } else {
                round2(completed_days / completed as f64)
            },
        ),
        (
            online as f64,
            total as f64,
            round2(percent(online, total) * sync_share),
        ),
        (
            paid_online as f64,
            fee_bearing as f64,
            percent(paid_online, fee_bearing),
        ),
        (
            paper_with_e_result as f64,
            paper as f64,
            percent(paper_with_e_result, paper),
        ),
        (digitised as f64, total as f64, percent(digitised, total)),
        (reused as f64, total as f64, percent(reused, total)),
        (data_store as f64, total as f64, percent(data_store, total)),
        (population as f64, total as f64, percent(population, total)),
        feedback_values[0],
        feedback_values[1],
        feedback_values[2],
        (
            satisfied as f64,
            judged_total as f64,
            percent(satisfied, judged_total),
        ),
    ];
    let indicators = INDICATORS
        .iter()
        .zip(values)
        .map(
            |((id, name, name_en, formula), (numerator, denominator, value))| {
                let scoring = settings.indicator.get(*id).cloned().unwrap_or(Scoring {
                    max_points: 0.0,
                    threshold: None,
                });
                // 2.2 is a duration, not a rate: it carries no points of its own here.
                let points = if *id == "2.2" {
                    0.0
                } else {
                    match scoring.threshold {
                        Some(threshold) if threshold > 0.0 => {
                            round2(value.min(threshold) / threshold * scoring.max_points)
                        }
                        _ => round2(value / 100.0 * scoring.max_points),
                    }
                };
                Indicator {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                    name_en: (*name_en).to_owned(),
                    formula: (*formula).to_owned(),
                    numerator,
                    denominator,
                    value,
                    threshold: scoring.threshold,
                    points,
                    max_points: scoring.max_points,
                }
            },
        )
        .collect();
    Report {
        period,
        unit: unit.map(str::to_owned),
        received: total,
        early,
        on_time,
        late,
        indicators,
        processing_time,
    }
}

/// The report as CSV (one row per indicator).
pub fn to_csv(report: &Report) -> String {
    let mut out =
        String::from("id,name,name_en,numerator,denominator,value,threshold,points,max_points\n");
    for indicator in &report.indicators {
        out.push_str(&format!(
            "{},\"{}\",\"{}\",{},{},{},{},{},{}\n",
            indicator.id,
            indicator.name,
            indicator.name_en,
            indicator.numerator,
            indicator.denominator,
            indicator.value,
            indicator
                .threshold
                .map_or(String::new(), |threshold| threshold.to_string()),
            indicator.points,
            indicator.max_points
        ));
    }
    out
}

/// The report as a printable HTML page with Vietnamese labels.
pub fn to_html(report: &Report) -> String {
    let mut rows = String::new();
    for indicator in &report.indicators {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}<br><small>{}</small></td><td class=n>{} / {}</td><td class=n>{}{}</td><td class=n>{} / {}</td></tr>\n",
            escape(&indicator.id),
            escape(&indicator.name),
            escape(&indicator.name_en),
            indicator.numerator,
            indicator.denominator,
            indicator.value,
            if indicator.id == "2.2" { " ngày" } else { "%" },
            indicator.points,
            indicator.max_points
        ));
    }
    format!(
        "<!doctype html>\n<html lang=vi><head><meta charset=utf-8><title>Chỉ số 766 — {unit}</title>\n<style>@page {{ size: A4; margin: 15mm }} body {{ font-family: 'Times New Roman', serif }} table {{ border-collapse: collapse; width: 100% }} td, th {{ border: 1px solid #444; padding: 4px 6px }} .n {{ text-align: right; white-space: nowrap }}</style></head>\n<body><h1>Báo cáo chỉ số chất lượng phục vụ (Quyết định 766/QĐ-TTg)</h1>\n<p>Đơn vị: {unit} · Từ ngày {from} đến ngày {to} · Hồ sơ tiếp nhận: {received} · Trước hạn: {early} · Đúng hạn: {on_time} · Quá hạn: {late}</p>\n<table><tr><th>Mã</th><th>Chỉ số</th><th>Tử số / mẫu số</th><th>Giá trị</th><th>Điểm</th></tr>\n{rows}</table></body></html>\n",
        unit = escape(report.unit.as_deref().unwrap_or("tất cả")),
        from = report.period.from.format("%d/%m/%Y"),
        to = report.period.to.format("%d/%m/%Y"),
        received = report.received,
        early = report.early,
        on_time = report.on_time,
        late = report.late,
    )
}

mod evaluation;
mod feedback;

pub use evaluation::{
    Criterion, DossierEvaluation, Evaluation, evaluate_dossier, evaluation, evaluation_html,
};
pub use feedback::WindowFact;
use feedback::{FEEDBACK_INDICATORS, feedback_indicators};

#[cfg(test)]
mod tests;
