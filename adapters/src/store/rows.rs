//! Conversions between the engine's types and database rows, shared by both backends.

use chrono::{DateTime, Utc};
use hoso_engine::case::{
    Actor, Case, Deadline, DossierCode, Event, EventKind, Status, Timer, UnitId,
};
use hoso_engine::ports::{Attention, CaseSummary, StoreError};
use sha2::{Digest, Sha256};

/// Microseconds since the Unix epoch.
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// An instant from microseconds since the Unix epoch.
pub(crate) fn instant(micros: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StoreError::Corrupt(format!("instant {micros} µs")))
}

fn optional_instant(micros: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    micros.map(instant).transpose()
}

pub(crate) fn parse_code(code: &str) -> Result<DossierCode, StoreError> {
    DossierCode::parse(code).map_err(|error| StoreError::Corrupt(error.to_string()))
}

pub(crate) fn parse_state(state: &str) -> Result<Case, StoreError> {
    serde_json::from_str(state)
        .map_err(|error| StoreError::Corrupt(format!("dossier state: {error}")))
}

pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

pub(crate) fn deadline_name(deadline: Deadline) -> &'static str {
    match deadline {
        Deadline::Appointment => "appointment",
        Deadline::Step => "step",
    }
}

pub(crate) fn timer_of(
    (deadline, passed, due_at): (String, i64, i64),
) -> Result<Timer, StoreError> {
    let deadline = match deadline.as_str() {
        "appointment" => Deadline::Appointment,
        "step" => Deadline::Step,
        other => return Err(StoreError::Corrupt(format!("timer deadline {other}"))),
    };
    Ok(Timer {
        deadline,
        passed: passed != 0,
        due_at: instant(due_at)?,
    })
}

fn corrupt(what: &str) -> impl Fn(serde_json::Error) -> StoreError + '_ {
    move |error| StoreError::Corrupt(format!("{what}: {error}"))
}

/// An `events` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EventRow {
    pub(crate) case_code: String,
    pub(crate) seq: i64,
    pub(crate) at: i64,
    pub(crate) actor: String,
    pub(crate) kind: String,
    pub(crate) payload: String,
    pub(crate) command_id: String,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

impl EventRow {
    pub(crate) fn from_event(event: &Event) -> Result<Self, StoreError> {
        Ok(Self {
            case_code: event.case.to_string(),
            seq: i64::try_from(event.seq)
                .map_err(|_| StoreError::Corrupt(format!("sequence {}", event.seq)))?,
            at: micros(event.at),
            actor: serde_json::to_string(&event.actor).map_err(corrupt("actor"))?,
            kind: event.kind.name().to_owned(),
            payload: serde_json::to_string(&event.kind).map_err(corrupt("event payload"))?,
            command_id: event.command_id.clone(),
            prev_hash: event.prev_hash.clone(),
            hash: event.hash.clone(),
        })
    }

    pub(crate) fn into_event(self) -> Result<Event, StoreError> {
        let actor: Actor = serde_json::from_str(&self.actor).map_err(corrupt("actor"))?;
        let kind: EventKind =
            serde_json::from_str(&self.payload).map_err(corrupt("event payload"))?;
        Ok(Event {
            case: parse_code(&self.case_code)?,
            seq: u64::try_from(self.seq)
                .map_err(|_| StoreError::Corrupt(format!("sequence {}", self.seq)))?,
            at: instant(self.at)?,
            actor,
            kind,
            command_id: self.command_id,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// The columns of a `dossiers` row, in the order `summary_columns!` lists them.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SummaryRow {
    code: String,
    procedure_code: String,
    procedure_version: i64,
    status: i64,
    step: Option<String>,
    unit: String,
    applicant_name: String,
    appointment_at: Option<i64>,
    step_due_at: Option<i64>,
    version: i64,
    submitted_at: i64,
    finished_at: Option<i64>,
}

macro_rules! summary_columns {
    () => {
        "code, procedure_code, procedure_version, status, step, unit, applicant_name, appointment_at, step_due_at, version, submitted_at, finished_at"
    };
}
pub(crate) use summary_columns;

impl SummaryRow {
    pub(crate) fn into_summary(self) -> Result<CaseSummary, StoreError> {
        let status = u8::try_from(self.status)
            .ok()
            .and_then(Status::from_code)
            .ok_or_else(|| StoreError::Corrupt(format!("status {}", self.status)))?;
        Ok(CaseSummary {
            code: parse_code(&self.code)?,
            procedure_code: self.procedure_code,
            procedure_version: u32::try_from(self.procedure_version)
                .map_err(|_| StoreError::Corrupt("procedure version".to_owned()))?,
            status,
            step: self.step,
            unit: UnitId::parse(&self.unit)
                .map_err(|error| StoreError::Corrupt(error.to_string()))?,
            applicant_name: self.applicant_name,
            appointment: optional_instant(self.appointment_at)?,
            step_due: optional_instant(self.step_due_at)?,
            version: u64::try_from(self.version)
                .map_err(|_| StoreError::Corrupt("version".to_owned()))?,
            submitted_at: instant(self.submitted_at)?,
            finished_at: optional_instant(self.finished_at)?,
        })
    }
}

/// A `dossiers` row as stored, every column an auditor compares with the replayed events (not
/// the inbox hints `attention_*` nor `updated_at`).
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct RecordRow {
    pub(crate) code: String,
    pub(crate) procedure_code: String,
    pub(crate) procedure_version: i64,
    pub(crate) receiving_unit: String,
    pub(crate) unit: String,
    pub(crate) status: i64,
    pub(crate) step: Option<String>,
    pub(crate) applicant_id: String,
    pub(crate) applicant_name: String,
    pub(crate) applicant_kind: String,
    pub(crate) representative_id: Option<String>,
    pub(crate) appointment_at: Option<i64>,
    pub(crate) step_due_at: Option<i64>,
    pub(crate) urgency_at: Option<i64>,
    pub(crate) finished_at: Option<i64>,
    pub(crate) submitted_at: i64,
    pub(crate) version: i64,
    pub(crate) state: String,
}

impl RecordRow {
    /// The columns that differ from what `expected` (derived from the replayed events) holds,
    /// by name, with the stored and the expected value.
    pub(crate) fn differences(
        &self,
        expected: &ProjectionRow,
    ) -> Vec<(&'static str, String, String)> {
        let mut differences = Vec::new();
        let mut compare = |name: &'static str, stored: String, wanted: String| {
            if stored != wanted {
                differences.push((name, stored, wanted));
            }
        };
        let show = |value: &Option<i64>| value.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
        compare("code", self.code.clone(), expected.code.clone());
        compare(
            "procedure_code",
            self.procedure_code.clone(),
            expected.procedure_code.clone(),
        );
        compare(
            "procedure_version",
            self.procedure_version.to_string(),
            expected.procedure_version.to_string(),
        );
        compare(
            "receiving_unit",
            self.receiving_unit.clone(),
            expected.receiving_unit.clone(),
        );
        compare("unit", self.unit.clone(), expected.unit.clone());
        compare(
            "status",
            self.status.to_string(),
            expected.status.to_string(),
        );
        compare(
            "step",
            self.step.clone().unwrap_or_default(),
            expected.step.clone().unwrap_or_default(),
        );
        compare(
            "applicant_id",
            self.applicant_id.clone(),
            expected.applicant_id.clone(),
        );
        compare(
            "applicant_name",
            self.applicant_name.clone(),
            expected.applicant_name.clone(),
        );
        compare(
            "applicant_kind",
            self.applicant_kind.clone(),
            expected.applicant_kind.clone(),
        );
        compare(
            "representative_id",
            self.representative_id.clone().unwrap_or_default(),
            expected.representative_id.clone().unwrap_or_default(),
        );
        compare(
            "appointment_at",
            show(&self.appointment_at),
            show(&expected.appointment_at),
        );
        compare(
            "step_due_at",
            show(&self.step_due_at),
            show(&expected.step_due_at),
        );
        compare(
            "urgency_at",
            show(&self.urgency_at),
            show(&expected.urgency_at),
        );
        compare(
            "finished_at",
            show(&self.finished_at),
            show(&expected.finished_at),
        );
        compare(
            "submitted_at",
            self.submitted_at.to_string(),
            expected.submitted_at.to_string(),
        );
        compare(
            "version",
            self.version.to_string(),
            expected.version.to_string(),
        );
        differences
    }
}

/// Values of a `dossiers` row derived from a state.
pub(crate) struct ProjectionRow {
    pub(crate) code: String,
    pub(crate) procedure_code: String,
    pub(crate) procedure_version: i64,
    pub(crate) receiving_unit: String,
    pub(crate) unit: String,
    pub(crate) status: i64,
    pub(crate) step: Option<String>,
    pub(crate) applicant_id: String,
    pub(crate) applicant_name: String,
    pub(crate) applicant_kind: String,
    pub(crate) representative_id: Option<String>,
    pub(crate) attention_unit: Option<String>,
    pub(crate) attention_role: Option<String>,
    pub(crate) appointment_at: Option<i64>,
    pub(crate) step_due_at: Option<i64>,
    pub(crate) urgency_at: Option<i64>,
    pub(crate) finished_at: Option<i64>,
    pub(crate) submitted_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) version: i64,
    pub(crate) state: String,
}

impl ProjectionRow {
    pub(crate) fn of(case: &Case, attention: Option<&Attention>) -> Result<Self, StoreError> {
        let appointment_at = case.appointment.map(micros);
        let step_due_at = case.step_due().map(micros);
        let urgency_at = match (step_due_at, appointment_at) {
            (Some(step), Some(appointment)) => Some(step.min(appointment)),
            (step, appointment) => step.or(appointment),
        };
        Ok(Self {
            code: case.code.to_string(),
            procedure_code: case.procedure.code.to_string(),
            procedure_version: i64::from(case.procedure.version),
            receiving_unit: case.receiving_unit.to_string(),
            unit: case.unit.to_string(),
            status: i64::from(case.status.code()),
            step: case.step.clone(),
            applicant_id: case.applicant.citizen_id.clone(),
            applicant_name: case.applicant.name.clone(),
            applicant_kind: case.applicant.kind.as_str().to_owned(),
            representative_id: case
                .applicant
                .representative
                .as_ref()
                .map(|representative| representative.citizen_id.clone()),
            attention_unit: attention.map(|attention| attention.unit.to_string()),
            attention_role: attention.map(|attention| attention.role.clone()),
            appointment_at,
            step_due_at,
            urgency_at,
            finished_at: case.finished_at.map(micros),
            submitted_at: micros(case.submitted_at),
            updated_at: micros(Utc::now()),
            version: i64::try_from(case.version)
                .map_err(|_| StoreError::Corrupt("version".to_owned()))?,
            state: serde_json::to_string(case).map_err(corrupt("dossier state"))?,
        })
    }
}

/// A new dossier's row, parameters numbered in the order they appear (as SQLite assigns `$N`,
/// so the text serves sqlx on both stores and the SQLite writer alike), in
/// [`ProjectionRow`]'s bind order.
pub(crate) const INSERT_DOSSIER: &str = "INSERT INTO dossiers (code, procedure_code, procedure_version, \
     receiving_unit, unit, status, step, applicant_id, applicant_name, attention_unit, attention_role, \
     appointment_at, step_due_at, urgency_at, submitted_at, updated_at, version, state, applicant_kind, \
     representative_id, finished_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)";

/// Whether appended events change the per-unit rows: a stay begins away from the receiving unit
/// (liên thông), or a consultation is asked or answered. Most commands change neither.
pub(crate) fn touches_unit_rows(append: &hoso_engine::ports::Append) -> bool {
    append.events.iter().any(|event| match &event.kind {
        EventKind::ConsultationRequested { .. } | EventKind::ConsultationAnswered { .. } => true,
        EventKind::Received { unit, .. } | EventKind::ActionTaken { unit, .. } => {
            *unit != append.case.receiving_unit
        }
        _ => false,
    })
}

/// A dossier's per-unit rows from its state: the units it stayed at besides the receiving one
/// (`unit_stays`), and, when it ever had consultations (`Some`), the units whose answer is still
/// awaited (`open_consultations`, rewritten whole).
pub(crate) fn unit_rows(
    case: &Case,
) -> (
    std::collections::BTreeSet<String>,
    Option<std::collections::BTreeSet<String>>,
) {
    let away = case
        .visits
        .iter()
        .filter(|visit| visit.unit != case.receiving_unit)
        .map(|visit| visit.unit.to_string())
        .collect();
    // Consultations are never removed from a dossier: one that never had any has no rows.
    let open = (!case.consultations.is_empty()).then(|| {
        case.consultations
            .iter()
            .filter(|consultation| consultation.answer.is_none())
            .map(|consultation| consultation.unit.to_string())
            .collect()
    });
    (away, open)
}

/// A user as stored: id, name, kind, role, unit, citizen id.
pub(crate) type UserColumns = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A payment attempt as archived: reference, gateway, amount, state, the gateway's
/// transaction, created and updated (microseconds).
pub(crate) type PaymentColumns = (String, String, i64, String, Option<String>, i64, i64);

pub(crate) fn user_of(
    (id, name, kind, role, unit, citizen_id): (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
) -> Result<crate::access::User, StoreError> {
    Ok(crate::access::User {
        kind: crate::access::UserKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("user kind {kind}")))?,
        unit: unit
            .map(|unit| {
                UnitId::parse(&unit).map_err(|error| StoreError::Corrupt(error.to_string()))
            })
            .transpose()?,
        id,
        name,
        role,
        citizen_id,
    })
}

macro_rules! outbox_columns {
    () => {
        "id, idempotency_key, topic, payload, case_code, state, attempts, last_error, next_attempt_at, provider_id, delivery_status"
    };
}
pub(crate) use outbox_columns;

/// An `outbox` row.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    idempotency_key: String,
    topic: String,
    payload: String,
    case_code: Option<String>,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    next_attempt_at: i64,
    provider_id: Option<String>,
    delivery_status: Option<String>,
}

impl OutboxRow {
    pub(crate) fn into_entry(self) -> Result<hoso_engine::ports::OutboxEntry, StoreError> {
        Ok(hoso_engine::ports::OutboxEntry {
            id: self.id,
            payload: serde_json::from_str(&self.payload).map_err(corrupt("outbox payload"))?,
            idempotency_key: self.idempotency_key,
            topic: self.topic,
            case_code: self.case_code.as_deref().map(parse_code).transpose()?,
            state: hoso_engine::ports::DeliveryState::parse(&self.state)
                .ok_or_else(|| StoreError::Corrupt(format!("outbox state {}", self.state)))?,
            attempts: u32::try_from(self.attempts).unwrap_or(u32::MAX),
            last_error: self.last_error,
            next_attempt_at: instant(self.next_attempt_at)?,
            provider_id: self.provider_id,
            delivery_status: self.delivery_status,
        })
    }
}

/// A payment attempt as the payments table holds it: reference, dossier, gateway, amount, state,
/// the gateway's creation time, created (microseconds).
pub(crate) type PaymentRecordColumns = (String, String, String, i64, String, String, i64);

pub(crate) fn payment_of(
    (txn_ref, case_code, gateway, amount, state, create_date, created_at): PaymentRecordColumns,
) -> Result<hoso_engine::ports::PaymentRecord, StoreError> {
    Ok(hoso_engine::ports::PaymentRecord {
        txn_ref,
        case_code: parse_code(&case_code)?,
        gateway,
        amount: hoso_engine::money::Money::dong(
            u64::try_from(amount)
                .map_err(|_| StoreError::Corrupt(format!("payment amount {amount}")))?,
        ),
        state: hoso_engine::ports::PaymentState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("payment state {state}")))?,
        create_date,
        created_at: instant(created_at)?,
    })
}
