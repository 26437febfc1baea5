//! The state of a dossier (hồ sơ), folded from its events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::applicant::{ApplicantKind, NotifyChannel, Representative, ResultDelivery};
use super::code::{DossierCode, UnitId};
use crate::money::Money;
use crate::procedure::{ChannelKind, Outcome, ProcedureCode, TimeLimit};

/// The canonical status, numbered exactly as the national portal's status codes 1–10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 — submitted, awaiting receipt (chờ tiếp nhận).
    Registered,
    /// 2 — received as complete (đã tiếp nhận), at the first step.
    Received,
    /// 3 — refused at intake (không tiếp nhận), Form 03.
    NotReceived,
    /// 4 — being processed (đang xử lý).
    Processing,
    /// 5 — supplement requested (yêu cầu bổ sung), Form 02.
    SupplementRequested,
    /// 6 — waiting for fees (yêu cầu thực hiện nghĩa vụ tài chính).
    FinancialObligationRequested,
    /// 7 — withdrawn by the applicant (công dân rút hồ sơ).
    Withdrawn,
    /// 8 — processing stopped (dừng xử lý), Form 05.
    Stopped,
    /// 9 — processed (đã xử lý xong): approved or refused to resolve.
    Resolved,
    /// 10 — result returned (đã trả kết quả).
    ResultReturned,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Self; 10] = [
        Self::Registered,
        Self::Received,
        Self::NotReceived,
        Self::Processing,
        Self::SupplementRequested,
        Self::FinancialObligationRequested,
        Self::Withdrawn,
        Self::Stopped,
        Self::Resolved,
        Self::ResultReturned,
    ];

    /// The national portal's status code.
    pub fn code(self) -> u8 {
        match self {
            Self::Registered => 1,
            Self::Received => 2,
            Self::NotReceived => 3,
            Self::Processing => 4,
            Self::SupplementRequested => 5,
            Self::FinancialObligationRequested => 6,
            Self::Withdrawn => 7,
            Self::Stopped => 8,
            Self::Resolved => 9,
            Self::ResultReturned => 10,
        }
    }

    /// The status with a portal code.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// The name used in the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Received => "received",
            Self::NotReceived => "not_received",
            Self::Processing => "processing",
            Self::SupplementRequested => "supplement_requested",
            Self::FinancialObligationRequested => "financial_obligation_requested",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
            Self::Resolved => "resolved",
            Self::ResultReturned => "result_returned",
        }
    }

    /// The Vietnamese label shown to people: the national portal's name for each status code
    /// (its list of dossier statuses, TrangThaiHoSo 1–10 [SECONDARY]), so hoso, the portal and
    /// its reports read alike.
    pub fn label(self) -> &'static str {
        match self {
            Self::Registered => "Mới đăng ký",
            Self::Received => "Được tiếp nhận",
            Self::NotReceived => "Không được tiếp nhận",
            Self::Processing => "Đang xử lý",
            Self::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Self::FinancialObligationRequested => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::Withdrawn => "Công dân yêu cầu rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
            Self::Resolved => "Đã xử lý xong",
            Self::ResultReturned => "Đã trả kết quả",
        }
    }

    /// The status named `text` (API and CLI name).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }

    /// No further processing happens in this status.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Self::NotReceived | Self::Withdrawn | Self::Stopped | Self::ResultReturned
        )
    }
}

/// The pinned procedure version of a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProcedureRef {
    /// National procedure code.
    pub code: ProcedureCode,
    /// The version the dossier was submitted under; it never changes.
    pub version: u32,
}

/// The person or organisation the dossier is for (người nộp hồ sơ).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    /// Citizen, organisation or foreigner; citizen when absent.
    #[serde(default, skip_serializing_if = "ApplicantKind::is_citizen")]
    pub kind: ApplicantKind,
    /// The identifier of the applicant's kind: personal identification number (số định danh cá
    /// nhân), tax code (mã số thuế) or passport number. The name predates the other kinds and
    /// stays, so stored dossiers keep their hashes.
    pub citizen_id: String,
    /// A foreigner's nationality, ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// The person submitting for the applicant, when it is not the applicant themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Box<Representative>>,
    /// Full name.
    pub name: String,
    /// Phone for notifications, normalised `0xxxxxxxxx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail for notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Where a document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Uploaded by the applicant.
    Upload,
    /// Scanned at the counter from paper (số hóa).
    Scan,
    /// Taken from the citizen's data store (kho dữ liệu).
    DataStore,
    /// Taken from a national or sectoral database.
    Database,
}

impl Provenance {
    /// Where the paper came from, as forms and pages say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Upload => "Tệp đính kèm",
            Self::Scan => "Bản quét tại Bộ phận Một cửa",
            Self::DataStore => "Lấy từ Kho dữ liệu điện tử của tổ chức, cá nhân",
            Self::Database => "Lấy từ cơ sở dữ liệu quốc gia",
        }
    }
}

/// A document attached to a dossier; the content lives in the document store, its hash in the
/// event chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// The dossier component (thành phần hồ sơ) it satisfies.
    pub component: String,
    /// File name or title.
    pub name: String,
    /// SHA-256 of the content, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Where it came from.
    pub provenance: Provenance,
    /// A reference into the store or database it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// One fee line as charged to this dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    /// Name of the fee.
    pub name: String,
    /// Amount due after any exemption.
    pub amount: Money,
    /// The fee was waived by its exemption condition.
    pub exempt: bool,
}

/// A document the applicant must add (a row of Form 02).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingDocument {
    /// The component id or name.
    pub document: String,
    /// What is wrong or missing about it.
    pub note: String,
}

/// An open or answered supplement request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRequest {
    /// What to add.
    pub missing: Vec<MissingDocument>,
    /// Why.
    pub reason: String,
    /// When it was asked.
    pub requested_at: DateTime<Utc>,
    /// The status to return to when the supplement arrives.
    pub resume: Status,
}

/// A span of time the legal clock did not run (waiting for a supplement or for fees).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End, when over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Why: "supplement" or "payment".
    pub reason: String,
}

/// A consultation of another unit (lấy ý kiến, Decree 61/2018 Art. 19.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consultation {
    /// The unit asked.
    pub unit: UnitId,
    /// The question.
    pub question: String,
    /// When asked.
    pub asked_at: DateTime<Utc>,
    /// The answer, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// When answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<DateTime<Utc>>,
}

/// One stay of the dossier at a step (a row of the process-control slip, Form 06).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepVisit {
    /// The step.
    pub step: String,
    /// The unit that held the dossier.
    pub unit: UnitId,
    /// Who handed it over.
    pub from_actor: String,
    /// Their name, when the event recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    /// When it arrived.
    pub entered_at: DateTime<Utc>,
    /// When it was due to leave.
    pub due_at: DateTime<Utc>,
    /// When it left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<DateTime<Utc>>,
    /// A warning before the step's due time was raised.
    #[serde(default)]
    pub warned: bool,
    /// The step overran its allotted time.
    #[serde(default)]
    pub overdue: bool,
}

/// A window a procedure opened on this dossier: some commands must come before it closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenWindow {
    /// The procedure's window id.
    pub id: String,
    /// The built-in commands or action ids that meet it.
    pub commands: Vec<String>,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
    /// Once closed, its commands are refused (rather than taken late).
    pub refuses: bool,
    /// When one of its commands was taken, if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met_at: Option<DateTime<Utc>>,
}

impl OpenWindow {
    /// Met after it closed, or still unmet past its close at `now`.
    pub fn is_late(&self, now: DateTime<Utc>) -> bool {
        self.met_at.unwrap_or(now) > self.closes_at
    }
}

/// The result issued (kết quả), with its e-result code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedResult {
    /// The e-result code (MaKetQua).
    pub code: String,
    /// When issued.
    pub issued_at: DateTime<Utc>,
    /// The electronic result documents (tệp kết quả điện tử).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<ResultDocument>,
}

/// An electronic result document: a PDF in the document store, its hash in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultDocument {
    /// File name.
    pub name: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The file carries a digital signature (chữ ký số).
    #[serde(default)]
    pub signed: bool,
    /// The signers' names as the signatures state them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<String>,
}

/// A dossier's state: a fold of its events, never edited directly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// Its code.
    pub code: DossierCode,
    /// The pinned procedure version.
    pub procedure: ProcedureRef,
    /// Submission channel.
    pub channel: ChannelKind,
    /// The one-stop unit that received it.
    pub receiving_unit: UnitId,
    /// The applicant.
    pub applicant: Applicant,
    /// E-form values by field id.
    pub form: Map<String, Value>,
    /// Attached documents.
    pub documents: Vec<DocumentRef>,
    /// Fees charged.
    pub fees: Vec<FeeLine>,
    /// Fees paid so far.
    pub paid: Money,
    /// Money the gateway took that the dossier could not take, owed back (hoàn trả).
    #[serde(default, skip_serializing_if = "Money::is_zero")]
    pub refund_due: Money,
    /// Canonical status.
    pub status: Status,
    /// The final decision, once taken.
    pub outcome: Option<Outcome>,
    /// The step the dossier is at, while it is being processed.
    pub step: Option<String>,
    /// The unit holding the dossier now.
    pub unit: UnitId,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When the complete dossier was received.
    pub received_at: Option<DateTime<Utc>>,
    /// When the legal clock last started (receipt, or a complete supplement).
    pub clock_started_at: Option<DateTime<Utc>>,
    /// The legal time limit in force for this dossier.
    pub time_limit: Option<TimeLimit>,
    /// The appointment for the result (ngày hẹn trả).
    pub appointment: Option<DateTime<Utc>>,
    /// The appointment before the one extension, if extended.
    pub original_appointment: Option<DateTime<Utc>>,
    /// Lawful extensions of the time limit (gia hạn) granted so far.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extensions: u32,
    /// The procedure's windows opened on this dossier, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<OpenWindow>,
    /// The fingerprint of the calendars the appointment was computed with.
    pub calendar_version: Option<String>,
    /// Visits to steps, in order.
    pub visits: Vec<StepVisit>,
    /// Spans the clock did not run.
    pub pauses: Vec<Pause>,
    /// How many supplement requests were made.
    pub supplement_requests: u32,
    /// The unit holding the dossier at each supplement request, in order: each agency asks
    /// once, during its own stay.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supplement_units: Vec<UnitId>,
    /// The supplement request being waited for.
    pub pending_supplement: Option<SupplementRequest>,
    /// Consultations of other units.
    pub consultations: Vec<Consultation>,
    /// The result, once issued.
    pub result: Option<IssuedResult>,
    /// When processing ended (NgayKetThucXuLy).
    pub finished_at: Option<DateTime<Utc>>,
    /// When the result was returned.
    pub returned_at: Option<DateTime<Utc>>,
    /// A warning before the appointment was raised.
    pub warned: bool,
    /// The appointment passed before processing ended.
    pub overdue: bool,
    /// How the applicant chose to receive the result; none on dossiers from before the choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<ResultDelivery>,
    /// The channels the applicant chose to be told by; none means every contact they gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Vec<NotifyChannel>>,
    /// With the code, opens the public status lookup (mã tra cứu), printed on Form 01.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup_key: Option<String>,
    /// Submitted from an account authenticated through VNeID (the national SSO).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vneid: bool,
    /// The official forms issued, by number ("02-N" for the N-th supplement request), each the
    /// SHA-256 of its latest copy.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub forms: std::collections::BTreeMap<String, String>,
    /// The sequence number of the last event (optimistic-concurrency version).
    pub version: u64,
    /// The hash of the last event.
    pub last_hash: String,
}

fn is_zero(count: &u32) -> bool {
    *count == 0
}

impl Case {
    /// A person with this personal identification number may follow the dossier: the citizen it
    /// is for, or the representative who submitted it.
    pub fn is_party(&self, citizen_id: &str) -> bool {
        (self.applicant.kind == ApplicantKind::Citizen && self.applicant.citizen_id == citizen_id)
            || self
                .applicant
                .representative
                .as_ref()
                .is_some_and(|representative| representative.citizen_id == citizen_id)
    }

    /// The organisation's tax code, when the dossier is an organisation's.
    pub fn organisation(&self) -> Option<&str> {
        (self.applicant.kind == ApplicantKind::Organisation)
            .then_some(self.applicant.citizen_id.as_str())
    }

    /// The channels the applicant is told by: those chosen, each only with its contact given;
    /// on dossiers from before the choice, every contact given.
    pub fn notify_channels(&self) -> Vec<NotifyChannel> {
        let reachable = |channel: &NotifyChannel| match channel {
            NotifyChannel::Email => self.applicant.email.is_some(),
            NotifyChannel::Sms => self.applicant.phone.is_some(),
        };
        match &self.notify {
            Some(chosen) => chosen.iter().copied().filter(reachable).collect(),
            None => [NotifyChannel::Email, NotifyChannel::Sms]
                .into_iter()
                .filter(reachable)
                .collect(),
        }
    }

    /// The current step visit, if the dossier is at a step.
    pub fn current_visit(&self) -> Option<&StepVisit> {
        self.visits.last().filter(|visit| visit.left_at.is_none())
    }

    /// When the current step is due.
    pub fn step_due(&self) -> Option<DateTime<Utc>> {
        self.current_visit().map(|visit| visit.due_at)
    }

    /// The stretch the legal clock counted over for the appointment in force: from the clock's
    /// last start to the appointment. `None` once the appointment is an agreed date (Form 04) or
    /// the dossier has none.
    pub fn appointment_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.original_appointment.is_some() {
            return None;
        }
        Some((self.clock_started_at?, self.appointment?))
    }

    /// The stretch the current step's due time was counted over.
    pub fn step_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.current_visit()
            .map(|visit| (visit.entered_at, visit.due_at))
    }

    /// Fees still owed.
    pub fn outstanding(&self) -> Money {
        let due = self
            .fees
            .iter()
            .fold(Money::ZERO, |sum, fee| sum + fee.amount);
        Money::dong(due.as_dong().saturating_sub(self.paid.as_dong()))
    }
}
