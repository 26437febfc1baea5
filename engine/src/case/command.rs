//! What actors ask of a dossier.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::code::UnitId;
use super::event::Deadline;
use super::model::{Applicant, DocumentRef, MissingDocument};
use crate::money::Money;
use crate::procedure::ChannelKind;

/// A new dossier as submitted (nộp hồ sơ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Channel: online by the citizen; direct or postal entered by a one-stop officer.
    pub channel: ChannelKind,
    /// The one-stop unit it is submitted to.
    pub receiving_unit: UnitId,
    /// The applicant.
    pub applicant: Applicant,
    /// E-form values by field id.
    #[serde(default)]
    pub form: Map<String, Value>,
    /// Documents, by upload or by reference.
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
}

/// A command on a dossier. Every command names its actor separately; `decide` refuses what that
/// actor may not do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Nộp hồ sơ: register a new dossier.
    Submit(Submission),
    /// Tiếp nhận: accept the dossier as complete; the legal clock starts.
    Receive,
    /// Từ chối tiếp nhận (Form 03).
    RefuseIntake {
        /// The specific reasons.
        reason: String,
    },
    /// Yêu cầu bổ sung (Form 02): once, completely.
    RequestSupplement {
        /// Every document to add or correct.
        missing: Vec<MissingDocument>,
        /// Why.
        reason: String,
    },
    /// The applicant sends what was asked for.
    SubmitSupplement {
        /// E-form values to add or correct.
        #[serde(default)]
        form: Map<String, Value>,
        /// Documents to add.
        #[serde(default)]
        documents: Vec<DocumentRef>,
    },
    /// A procedure-declared action: forward to a step or unit, approve, refuse to resolve.
    TakeAction {
        /// The action id.
        action: String,
        /// A reason or note (required to refuse).
        #[serde(default)]
        reason: Option<String>,
        /// Extra data.
        #[serde(default)]
        data: Map<String, Value>,
    },
    /// Lấy ý kiến: ask another unit.
    Consult {
        /// The unit asked.
        unit: UnitId,
        /// The question.
        question: String,
    },
    /// The consulted unit answers.
    AnswerConsultation {
        /// Which consultation (0-based, in the order asked).
        consultation: usize,
        /// The answer.
        answer: String,
    },
    /// Issue the e-result after approval.
    IssueResult {
        /// The e-result code; generated from the dossier code when absent.
        #[serde(default)]
        result_code: Option<String>,
    },
    /// Trả kết quả.
    ReturnResult,
    /// The applicant withdraws the dossier.
    Withdraw {
        /// The applicant's reason.
        #[serde(default)]
        reason: String,
    },
    /// Dừng xử lý (Form 05).
    Stop {
        /// Why.
        reason: String,
    },
    /// Xin lỗi và hẹn lại (Form 04): once, before the appointment.
    ApologizeAndExtend {
        /// Why the appointment cannot be met.
        reason: String,
        /// The new appointment.
        new_appointment: DateTime<Utc>,
    },
    /// A payment confirmed by the gateway (IPN) or the cashier.
    RecordPayment {
        /// Amount in đồng.
        amount: Money,
        /// Gateway transaction or receipt number.
        reference: String,
    },
    /// Recompute the appointment and step due time on the current calendars (after an operator
    /// corrected a calendar file). Deadlines never move without this command.
    RecomputeDeadlines {
        /// Why, e.g. "the 2026 notice confirmed 2/1 as a day off".
        reason: String,
    },
    /// An operator sends a dead (or stuck) side effect again.
    RetryEffect {
        /// The outbox message's idempotency key.
        idempotency_key: String,
    },
    /// An operator gives up on a side effect, with the reason on record.
    DropEffect {
        /// The outbox message's idempotency key.
        idempotency_key: String,
        /// Why.
        reason: String,
    },
    /// A timer fired for a deadline.
    RaiseDeadline {
        /// Which deadline.
        deadline: Deadline,
        /// True when it passed; false when it is near.
        passed: bool,
    },
}

impl Command {
    /// The command's name, as in the API.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submit(_) => "submit",
            Self::Receive => "receive",
            Self::RefuseIntake { .. } => "refuse_intake",
            Self::RequestSupplement { .. } => "request_supplement",
            Self::SubmitSupplement { .. } => "submit_supplement",
            Self::TakeAction { .. } => "take_action",
            Self::Consult { .. } => "consult",
            Self::AnswerConsultation { .. } => "answer_consultation",
            Self::IssueResult { .. } => "issue_result",
            Self::ReturnResult => "return_result",
            Self::Withdraw { .. } => "withdraw",
            Self::Stop { .. } => "stop",
            Self::ApologizeAndExtend { .. } => "apologize_and_extend",
            Self::RecordPayment { .. } => "record_payment",
            Self::RecomputeDeadlines { .. } => "recompute_deadlines",
            Self::RetryEffect { .. } => "retry_effect",
            Self::DropEffect { .. } => "drop_effect",
            Self::RaiseDeadline { .. } => "raise_deadline",
        }
    }
}
