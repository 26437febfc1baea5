//! Events — the truth of a dossier — and the tamper-evident chain that links them.
//!
//! `hash = SHA-256(prev_hash || canonical bytes)`, where the canonical bytes are the event's JSON
//! with object keys sorted and no insignificant white space, and `at` in UTC with microseconds.
//! Changing, inserting, removing or reordering a stored event breaks every later hash.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::applicant::{NotifyChannel, ResultDelivery};
use super::code::{DossierCode, UnitId};
use super::model::{
    Applicant, DocumentRef, FeeLine, MissingDocument, ProcedureRef, ResultDocument,
};
use crate::money::Money;
use crate::procedure::{ChannelKind, Outcome, TimeLimit};

/// The hash before a dossier's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acts on a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Actor {
    /// A stable id: the citizen's identification number, a staff user's id, or a system job.
    pub id: String,
    /// What kind of actor, with role and unit for officers.
    pub kind: ActorKind,
    /// The person's name as it was when they acted, so forms and slips name people, not ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The kinds of actor that may change a dossier. Designers, auditors and administrators are not
/// among them: they cannot be expressed here, so they cannot act.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActorKind {
    /// The applicant (công dân, tổ chức).
    Citizen,
    /// A staff member holding a procedure role in a unit.
    Officer {
        /// A role id declared by procedures, e.g. "mot_cua".
        role: String,
        /// The unit they work in.
        unit: UnitId,
    },
    /// hoso itself: timers, payment gateway callbacks.
    System,
}

impl Actor {
    /// A citizen identified by their personal identification number.
    pub fn citizen(citizen_id: impl Into<String>) -> Self {
        Self {
            id: citizen_id.into(),
            kind: ActorKind::Citizen,
            name: None,
        }
    }

    /// An officer.
    pub fn officer(id: impl Into<String>, role: impl Into<String>, unit: UnitId) -> Self {
        Self {
            id: id.into(),
            kind: ActorKind::Officer {
                role: role.into(),
                unit,
            },
            name: None,
        }
    }

    /// The same actor with the person's name recorded.
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.name = (!name.trim().is_empty()).then_some(name);
        self
    }

    /// hoso itself, doing `job`.
    pub fn system(job: impl Into<String>) -> Self {
        Self {
            id: job.into(),
            kind: ActorKind::System,
            name: None,
        }
    }
}

/// Which deadline a timer watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// The appointment for the result.
    Appointment,
    /// The current step's allotted time.
    Step,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Nộp hồ sơ — the dossier was submitted and registered.
    Submitted {
        /// The pinned procedure version.
        procedure: ProcedureRef,
        /// Channel.
        channel: ChannelKind,
        /// The receiving one-stop unit.
        receiving_unit: UnitId,
        /// The applicant.
        applicant: Applicant,
        /// E-form values.
        form: Map<String, Value>,
        /// Documents.
        documents: Vec<DocumentRef>,
        /// Fees computed from the procedure for this channel and form.
        fees: Vec<FeeLine>,
        /// How the applicant chose to receive the result.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delivery: Option<ResultDelivery>,
        /// The channels the applicant chose to be told by.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notify: Option<Vec<NotifyChannel>>,
        /// The public lookup key (mã tra cứu).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lookup_key: Option<String>,
        /// Submitted from an account authenticated through VNeID.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        vneid: bool,
    },
    /// Tiếp nhận — received as complete; the legal clock starts.
    Received {
        /// The first step.
        step: String,
        /// The unit holding it there.
        unit: UnitId,
        /// The legal time limit for the channel.
        time_limit: TimeLimit,
        /// The appointment for the result.
        appointment: DateTime<Utc>,
        /// When the first step is due.
        step_due: DateTime<Utc>,
        /// Fingerprint of the calendars used.
        calendar_version: String,
    },
    /// Từ chối tiếp nhận (Form 03).
    RefusedAtIntake {
        /// The specific reasons.
        reason: String,
    },
    /// Yêu cầu bổ sung, hoàn thiện hồ sơ (Form 02).
    SupplementRequested {
        /// What to add.
        missing: Vec<MissingDocument>,
        /// Why.
        reason: String,
    },
    /// The applicant sent the supplement.
    SupplementSubmitted {
        /// Changed e-form values.
        form: Map<String, Value>,
        /// Added documents.
        documents: Vec<DocumentRef>,
        /// The new appointment when processing resumes (the clock restarts or continues).
        appointment: Option<DateTime<Utc>>,
        /// When the resumed step is due.
        step_due: Option<DateTime<Utc>>,
    },
    /// A procedure-declared action was taken.
    ActionTaken {
        /// The action id.
        action: String,
        /// The step it was taken from.
        from: String,
        /// The step moved to, if any.
        to: Option<String>,
        /// The unit now holding the dossier.
        unit: UnitId,
        /// The decision, if the action decides.
        outcome: Option<Outcome>,
        /// The officer's reason or note.
        reason: Option<String>,
        /// Extra data given with the action.
        data: Map<String, Value>,
        /// When the new step is due.
        step_due: Option<DateTime<Utc>>,
        /// A new legal time limit, when the action sets one.
        time_limit: Option<TimeLimit>,
        /// The appointment recomputed for that new limit.
        appointment: Option<DateTime<Utc>>,
        /// The legal clock started afresh at this action (`starts_time_limit`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        clock_started: bool,
    },
    /// Yêu cầu thực hiện nghĩa vụ tài chính.
    PaymentRequested {
        /// The amount owed.
        amount: Money,
    },
    /// A payment was confirmed by the gateway or the cashier.
    PaymentRecorded {
        /// Amount paid.
        amount: Money,
        /// Gateway or receipt reference.
        reference: String,
    },
    /// Hoàn trả — the gateway took money the dossier cannot take (more than is still due, or
    /// the dossier had closed): owed back to the applicant, never counted as paid.
    RefundDue {
        /// The amount taken.
        amount: Money,
        /// Gateway or receipt reference.
        reference: String,
        /// Why it cannot be taken, in Vietnamese.
        reason: String,
    },
    /// Lấy ý kiến another unit.
    ConsultationRequested {
        /// The unit asked.
        unit: UnitId,
        /// The question.
        question: String,
    },
    /// The consulted unit's answer.
    ConsultationAnswered {
        /// Which consultation (0-based).
        consultation: usize,
        /// The answer.
        answer: String,
    },
    /// Ban hành kết quả — the e-result was issued.
    ResultIssued {
        /// The e-result code.
        result_code: String,
        /// The electronic result documents, their hashes chained with the event.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<ResultDocument>,
    },
    /// Trả kết quả.
    ResultReturned,
    /// Công dân rút hồ sơ.
    Withdrawn {
        /// The applicant's reason.
        reason: String,
    },
    /// Dừng xử lý (Form 05).
    Stopped {
        /// Why.
        reason: String,
    },
    /// Xin lỗi và hẹn lại ngày trả kết quả (Form 04), once.
    Extended {
        /// Why the deadline cannot be met.
        reason: String,
        /// The appointment before.
        previous: DateTime<Utc>,
        /// The new appointment.
        appointment: DateTime<Utc>,
    },
    /// Gia hạn — a lawful extension of the time limit, within the procedure's cap; not an apology.
    TimeLimitExtended {
        /// The legal ground and reason, which the applicant's notice quotes.
        reason: String,
        /// The appointment before.
        previous: DateTime<Utc>,
        /// The new appointment.
        appointment: DateTime<Utc>,
    },
    /// The procedure's windows that an event of the same command opened.
    WindowsOpened {
        /// The windows, with when each closes.
        windows: Vec<super::model::OpenWindow>,
    },
    /// Deadlines recomputed on corrected calendars, by an explicit command.
    DeadlinesRecomputed {
        /// Why.
        reason: String,
        /// The appointment before.
        previous: Option<DateTime<Utc>>,
        /// The recomputed appointment.
        appointment: DateTime<Utc>,
        /// The recomputed due time of the current step.
        step_due: Option<DateTime<Utc>>,
        /// Fingerprint of the calendars used now.
        calendar_version: String,
    },
    /// An operator had a side effect sent again.
    EffectRetried {
        /// The outbox message's idempotency key.
        idempotency_key: String,
    },
    /// An operator gave up on a side effect.
    EffectDropped {
        /// The outbox message's idempotency key.
        idempotency_key: String,
        /// Why.
        reason: String,
    },
    /// An official form was issued (Circular 01/2018 art. 10.1: recorded in the system): its
    /// content as issued, kept in the chain so it is served as issued, never rebuilt.
    FormIssued {
        /// The form's number, "02-N" for the N-th supplement request.
        number: String,
        /// SHA-256 of the form's JSON (its content address).
        sha256: String,
        /// The hash of the copy of this form it replaces, when the appointment moved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<String>,
        /// The form as issued.
        form: Box<crate::forms::OfficialForm>,
    },
    /// A deadline is near (raised by a timer).
    DeadlineNear {
        /// Which deadline.
        deadline: Deadline,
    },
    /// A deadline passed (raised by a timer).
    DeadlinePassed {
        /// Which deadline.
        deadline: Deadline,
    },
}

impl EventKind {
    /// The event's type name as stored, e.g. "received".
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submitted { .. } => "submitted",
            Self::Received { .. } => "received",
            Self::RefusedAtIntake { .. } => "refused_at_intake",
            Self::SupplementRequested { .. } => "supplement_requested",
            Self::SupplementSubmitted { .. } => "supplement_submitted",
            Self::ActionTaken { .. } => "action_taken",
            Self::PaymentRequested { .. } => "payment_requested",
            Self::PaymentRecorded { .. } => "payment_recorded",
            Self::RefundDue { .. } => "refund_due",
            Self::ConsultationRequested { .. } => "consultation_requested",
            Self::ConsultationAnswered { .. } => "consultation_answered",
            Self::ResultIssued { .. } => "result_issued",
            Self::ResultReturned => "result_returned",
            Self::Withdrawn { .. } => "withdrawn",
            Self::Stopped { .. } => "stopped",
            Self::Extended { .. } => "extended",
            Self::TimeLimitExtended { .. } => "time_limit_extended",
            Self::WindowsOpened { .. } => "windows_opened",
            Self::DeadlinesRecomputed { .. } => "deadlines_recomputed",
            Self::EffectRetried { .. } => "effect_retried",
            Self::EffectDropped { .. } => "effect_dropped",
            Self::FormIssued { .. } => "form_issued",
            Self::DeadlineNear { .. } => "deadline_near",
            Self::DeadlinePassed { .. } => "deadline_passed",
        }
    }
}

impl EventKind {
    /// The command (built-in name or procedure action id) this event records being taken, for
    /// meeting windows; `None` for events no person's command makes.
    pub fn command(&self) -> Option<&str> {
        Some(match self {
            Self::Received { .. } => "receive",
            Self::RefusedAtIntake { .. } => "refuse_intake",
            Self::SupplementRequested { .. } => "request_supplement",
            Self::SupplementSubmitted { .. } => "submit_supplement",
            Self::ActionTaken { action, .. } => action,
            Self::ConsultationRequested { .. } => "consult",
            Self::ConsultationAnswered { .. } => "answer_consultation",
            Self::ResultIssued { .. } => "issue_result",
            Self::ResultReturned => "return_result",
            Self::Withdrawn { .. } => "withdraw",
            Self::Stopped { .. } => "stop",
            Self::Extended { .. } => "apologize_and_extend",
            Self::TimeLimitExtended { .. } => "extend_time_limit",
            _ => return None,
        })
    }
}

/// An event decided but not yet placed in a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// When it happened (truncated to microseconds, as stored).
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub kind: EventKind,
    /// The command that caused it; a retried command carries the same id.
    pub command_id: String,
}

/// A stored event, chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The dossier.
    pub case: DossierCode,
    /// Position in the dossier's chain, from 1.
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub kind: EventKind,
    /// The command that caused it.
    pub command_id: String,
    /// The previous event's hash (or [`GENESIS_HASH`]).
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

impl Event {
    /// The hash this event should have, recomputed from its content and `prev_hash`.
    pub fn expected_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            &canonical_bytes(
                &self.case,
                self.seq,
                self.at,
                &self.actor,
                &self.kind,
                &self.command_id,
            ),
        )
    }
}

/// Places new events after `(version, last_hash)` in a dossier's chain.
pub fn seal(
    case: &DossierCode,
    version: u64,
    last_hash: &str,
    events: Vec<NewEvent>,
) -> Vec<Event> {
    let mut previous = last_hash.to_owned();
    events
        .into_iter()
        .enumerate()
        .map(|(offset, event)| {
            let seq = version + 1 + offset as u64;
            let at = event.at.trunc_subsecs(6);
            let hash = chain_hash(
                &previous,
                &canonical_bytes(case, seq, at, &event.actor, &event.kind, &event.command_id),
            );
            let sealed = Event {
                case: case.clone(),
                seq,
                at,
                actor: event.actor,
                kind: event.kind,
                command_id: event.command_id,
                prev_hash: previous.clone(),
                hash: hash.clone(),
            };
            previous = hash;
            sealed
        })
        .collect()
}

/// Where a chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dossier {case}: the chain breaks at event {seq}: {why}")]
pub struct ChainBreak {
    /// The dossier.
    pub case: String,
    /// The first bad sequence number.
    pub seq: u64,
    /// What is wrong there.
    pub why: String,
}

/// Checks a dossier's events are numbered 1, 2, 3 … and each hash links to the one before.
pub fn verify_chain(case: &DossierCode, events: &[Event]) -> Result<(), ChainBreak> {
    let mut previous = GENESIS_HASH.to_owned();
    for (position, event) in events.iter().enumerate() {
        let expected_seq = position as u64 + 1;
        let broken = |why: String| ChainBreak {
            case: case.to_string(),
            seq: expected_seq,
            why,
        };
        if &event.case != case {
            return Err(broken(format!("the event belongs to {}", event.case)));
        }
        if event.seq != expected_seq {
            return Err(broken(format!(
                "found sequence {} where {expected_seq} belongs (an event was removed, inserted or reordered)",
                event.seq
            )));
        }
        if event.prev_hash != previous {
            return Err(broken(
                "its previous-hash does not match the event before it".to_owned(),
            ));
        }
        if event.expected_hash() != event.hash {
            return Err(broken(
                "its content does not match its hash (the event was altered)".to_owned(),
            ));
        }
        previous = event.hash.clone();
    }
    Ok(())
}

fn chain_hash(previous: &str, canonical: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(canonical);
    hex::encode(hasher.finalize())
}

fn canonical_bytes(
    case: &DossierCode,
    seq: u64,
    at: DateTime<Utc>,
    actor: &Actor,
    kind: &EventKind,
    command_id: &str,
) -> Vec<u8> {
    let value = serde_json::json!({
        "case": case.to_string(),
        "seq": seq,
        "at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor": actor,
        "kind": kind,
        "command_id": command_id,
    });
    let mut out = Vec::new();
    write_canonical(&value, &mut out);
    out
}

/// JSON with object keys sorted, so the bytes do not depend on insertion order.
pub fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            out.push(b'{');
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for (position, key) in keys.into_iter().enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                out.extend(serde_json::to_string(key).unwrap_or_default().as_bytes());
                out.push(b':');
                if let Some(inner) = map.get(key) {
                    write_canonical(inner, out);
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (position, item) in items.iter().enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        other => out.extend(other.to_string().as_bytes()),
    }
}
