//! The procedure file format: one version of one administrative procedure (thủ tục hành chính).
//!
//! These types mirror the TOML a designer writes, key for key. The JSON Schema editors use is
//! generated from them (`hoso procedure schema`), and the loader checks a file's structure against
//! that same schema before deserializing, so the format, the schema and the checks cannot drift.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One version of an administrative procedure, as written in a procedure file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcedureDefinition {
    /// What the file describes: an administrative procedure (the default) or citizen feedback.
    #[serde(default)]
    pub kind: ProcedureKind,
    /// National procedure code (mã thủ tục) from the National Database on Administrative
    /// Procedures, e.g. "1.001193"; feedback has no national code and uses a local one, e.g.
    /// "PAKN.1".
    pub code: ProcedureCode,
    /// Version of this definition; a published version never changes, a change is a new version.
    #[schemars(range(min = 1))]
    pub version: u32,
    /// Official name (tên thủ tục), e.g. "Đăng ký khai sinh".
    pub name: String,
    /// Level of government that carries it out (cấp thực hiện).
    pub level: Level,
    /// Field (lĩnh vực), e.g. "Hộ tịch".
    pub field: String,
    /// Kind of online public service: full-process (toàn trình) or partial (một phần).
    pub online_service: OnlineService,
    /// Why a partial service cannot be full-process; required when `online_service = "partial"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<PartialReasons>,
    /// Legal basis (căn cứ pháp lý), each with the dates it is in force.
    pub legal_basis: Vec<LegalBasis>,
    /// How the legal clock runs for this procedure.
    #[serde(default)]
    pub clock: ClockPolicy,
    /// Who may apply (đối tượng thực hiện) and whether a representative may act for them.
    #[serde(default)]
    pub applicants: Applicants,
    /// The result (kết quả thực hiện) the applicant receives.
    pub result: ResultSpec,
    /// Retention class (thời hạn bảo quản) of its closed dossiers, a class of the retention
    /// schedule, e.g. "civil_status_register". Required in files; versions published before the
    /// field existed have none, and their dossiers are never archived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    /// Roles that take part in the internal process.
    pub roles: Vec<Role>,
    /// Units (organisational kinds) that hold the dossier during the internal process.
    pub units: Vec<Unit>,
    /// Submission channels (cách thức thực hiện), each with its own time limit and fees.
    pub channels: Vec<Channel>,
    /// Dossier components (thành phần hồ sơ).
    pub documents: Vec<Document>,
    /// The step a dossier enters when it is received.
    pub start: String,
    /// Steps of the approved internal process (quy trình nội bộ).
    pub steps: Vec<Step>,
    /// Moves between steps, and the final decisions.
    pub actions: Vec<Action>,
    /// Time windows for commands and actions, counted from an anchor (see `docs/procedure-format.md`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<Window>,
}

/// Who may apply for a procedure (đối tượng thực hiện thủ tục hành chính).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Applicants {
    /// The kinds of applicant accepted; citizens only when the section is absent.
    #[serde(default = "citizens_only")]
    pub kinds: Vec<crate::case::ApplicantKind>,
    /// A representative (by law or by authorisation) may submit for the applicant; false for
    /// procedures done in person, e.g. marriage registration.
    #[serde(default = "allowed")]
    pub representation: bool,
}

fn citizens_only() -> Vec<crate::case::ApplicantKind> {
    vec![crate::case::ApplicantKind::Citizen]
}

fn allowed() -> bool {
    true
}

impl Default for Applicants {
    fn default() -> Self {
        Self {
            kinds: citizens_only(),
            representation: true,
        }
    }
}

/// What a procedure file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProcedureKind {
    /// Thủ tục hành chính — an administrative procedure with a national code.
    #[default]
    Administrative,
    /// Phản ánh, kiến nghị (PAKN) — citizen feedback: no national code, a local one instead.
    Feedback,
}

/// A window for commands or actions: they must come within `within` of `from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// Identifier, e.g. "yeu_cau_bo_sung".
    pub id: String,
    /// Name shown to people, e.g. "Yêu cầu bổ sung trong 05 ngày làm việc".
    pub name: String,
    /// The built-in commands (e.g. "request_supplement") or action ids the window is for; the
    /// first of them taken meets it.
    pub commands: Vec<String>,
    /// What the window counts from: "submitted", "received", "decided" (the final decision), or
    /// an action id (each time it is taken).
    pub from: String,
    /// How long the window stays open, in working time on the official calendar.
    pub within: TimeLimit,
    /// What happens once it has closed: the commands are refused, or still taken but late.
    #[serde(default)]
    pub after: AfterWindow,
}

/// What a closed window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AfterWindow {
    /// The commands are refused, naming the window and when it closed.
    #[default]
    Refused,
    /// The commands are still taken (the duty remains) and counted late.
    Late,
}

/// Anchors a window may count from besides an action id.
pub const WINDOW_ANCHORS: [&str; 3] = ["submitted", "received", "decided"];

/// A national procedure code such as `1.001193`: one digit, a dot, six digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcedureCode(String);

impl ProcedureCode {
    /// Parses the national form `D.DDDDDD`, or a local code for feedback: 2–10 capital letters,
    /// a dot and 1–6 digits, e.g. `PAKN.1`.
    pub fn parse(text: &str) -> Result<Self, InvalidProcedureCode> {
        let local = text.split_once('.').is_some_and(|(letters, digits)| {
            (2..=10).contains(&letters.len())
                && letters.bytes().all(|byte| byte.is_ascii_uppercase())
                && (1..=6).contains(&digits.len())
                && digits.bytes().all(|byte| byte.is_ascii_digit())
        });
        if Self::is_national_text(text) || local {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidProcedureCode(text.to_owned()))
        }
    }

    fn is_national_text(text: &str) -> bool {
        let bytes = text.as_bytes();
        bytes.len() == 8
            && bytes[0].is_ascii_digit()
            && bytes[1] == b'.'
            && bytes[2..].iter().all(u8::is_ascii_digit)
    }

    /// Whether this is a national code of the National Database (not a local feedback code).
    pub fn is_national(&self) -> bool {
        Self::is_national_text(&self.0)
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Text that is not a national procedure code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a national procedure code")]
pub struct InvalidProcedureCode(String);

impl InvalidProcedureCode {
    /// How to write a valid code.
    pub fn fix(&self) -> &'static str {
        "write one digit, a dot and six digits, as on the National Public Service Portal, e.g. \"1.001193\" (feedback, which has no national code, takes a local one such as \"PAKN.1\")"
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = InvalidProcedureCode;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProcedureCode> for String {
    fn from(code: ProcedureCode) -> Self {
        code.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for ProcedureCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProcedureCode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "National procedure code, e.g. \"1.001193\"; feedback takes a local code, e.g. \"PAKN.1\".",
            "type": "string",
            "format": "procedure-code",
            "pattern": "^([0-9]\\.[0-9]{6}|[A-Z]{2,10}\\.[0-9]{1,6})$"
        })
    }
}

/// A calendar date written as `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

impl JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A date in quotes, \"YYYY-MM-DD\".",
            "type": "string",
            "format": "date"
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Level of government (cấp thực hiện). Since 1/7/2025 there is no district level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Cấp Bộ — a ministry.
    Ministry,
    /// Cấp Tỉnh — a province or centrally-run city.
    Province,
    /// Cấp Xã — a commune, ward or special zone.
    Commune,
}

/// The two kinds of online public service (Decree 42/2022, now Decree 224/2026 Art. 14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineService {
    /// Toàn trình — everything online; result online or by public post.
    FullProcess,
    /// Một phần — some step needs presence, an original, an on-site check or a paper result.
    Partial,
}

/// The published reasons a service is only partial (Decree 224/2026 Art. 14).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartialReasons {
    /// One or more of the reasons the decree allows.
    pub reasons: Vec<PartialReason>,
    /// The explanation published on the National Portal, with its legal basis.
    pub explanation: String,
}

/// A reason the law accepts for providing a service only partially online.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartialReason {
    /// The law requires the applicant to be present (có mặt).
    ApplicantPresence,
    /// The agency must inspect or verify on site (kiểm tra, xác minh tại chỗ).
    OnSiteInspection,
    /// An original paper document or a paper result is required by sectoral law.
    PaperOriginal,
    /// An unresolved technical incident (sự cố kỹ thuật).
    TechnicalIncident,
    /// Another unresolved technical problem.
    OtherTechnical,
}

/// One legal instrument (văn bản) the procedure rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// Number and name of the instrument, e.g. "Luật Hộ tịch 60/2014/QH13".
    pub instrument: String,
    /// The article (điều) relied on, e.g. "Điều 16".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// First day in force.
    pub effective_from: Date,
    /// Last day in force, if it has been replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<Date>,
}

/// How the legal clock treats this procedure (see `docs/procedure-format.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockPolicy {
    /// What a receipt after the calendar's cut-off (15:00) counts from.
    #[serde(default)]
    pub after_cutoff: AfterCutoff,
    /// What a supplement request does to the time limit.
    #[serde(default)]
    pub supplement: SupplementClock,
    /// How long before the appointment officers are warned, so an apology (Form 04) can still be
    /// sent at least a day ahead (Decree 61/2018 Art. 19.9).
    #[serde(default = "one_working_day")]
    pub warn_before: TimeLimit,
    /// The lawful extension (gia hạn) the procedure's law allows, if any: how long and how often.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionPolicy>,
    /// How far past the appointment an apology (Form 04) may set the new date; without it, by
    /// at most the legal time limit in force once more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apology_up_to: Option<TimeLimit>,
}

/// A lawful extension of the time limit (gia hạn), which is not an apology for lateness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionPolicy {
    /// The longest extension, counted from the appointment in force.
    pub up_to: TimeLimit,
    /// How many times a dossier may be extended.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub times: u32,
}

fn one_working_day() -> TimeLimit {
    TimeLimit::WorkingDays(1)
}

impl Default for ClockPolicy {
    fn default() -> Self {
        Self {
            after_cutoff: AfterCutoff::default(),
            supplement: SupplementClock::default(),
            warn_before: one_working_day(),
            extension: None,
            apology_up_to: None,
        }
    }
}

/// Receipts after the daily cut-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AfterCutoff {
    /// Count from the next working day (the usual published wording).
    #[default]
    NextWorkingDay,
    /// Count from the day of receipt regardless of the hour.
    SameDay,
}

/// The clock after a supplement request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplementClock {
    /// Restart from zero when the complete dossier arrives (Decree 61/2018 Art. 19.4).
    #[default]
    Restart,
    /// Pause while waiting, then continue (the national portal's measurement).
    Pause,
}

/// The result (kết quả thực hiện) of the procedure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    /// Name of the result document, e.g. "Giấy khai sinh".
    pub name: String,
    /// An electronic result (kết quả điện tử) is issued.
    pub electronic: bool,
    /// How the result reaches the applicant.
    pub delivery: Vec<Delivery>,
}

/// A way of returning the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Online, as an electronic result.
    Online,
    /// By public postal service (bưu chính công ích).
    Postal,
    /// At the one-stop counter (Bộ phận Một cửa).
    Counter,
}

/// A role that takes part in the internal process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Identifier used by steps and actions, e.g. "mot_cua".
    pub id: String,
    /// Name shown to people, e.g. "Công chức Bộ phận Một cửa".
    pub name: String,
}

/// A kind of unit that holds the dossier during the process; an agency maps it to real units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Identifier used by steps, e.g. "tu_phap".
    pub id: String,
    /// Name shown to people, e.g. "Công chức Tư pháp - Hộ tịch".
    pub name: String,
    /// The agency the unit belongs to; units of different agencies make a liên thông procedure.
    pub agency: String,
}

/// A submission channel (hình thức nộp) with its own time limit and fees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Which channel: direct (1), online (2) or postal (3), as the national portal numbers them.
    pub channel: ChannelKind,
    /// Legal time limit (thời hạn giải quyết) counted from receipt of a complete dossier.
    pub time_limit: TimeLimit,
    /// Fees and charges (phí, lệ phí); empty when free.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Fees on this channel can be paid online (thanh toán trực tuyến).
    #[serde(default)]
    pub online_payment: bool,
}

/// A submission channel, numbered as the national portal's KenhThucHien.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Trực tiếp — at the one-stop counter (1).
    Direct,
    /// Trực tuyến — on the public service portal (2).
    Online,
    /// Bưu chính công ích — by public post (3).
    Postal,
}

impl ChannelKind {
    /// How Vietnamese sentences name the channel: "nộp {trực tiếp}".
    pub fn vietnamese(self) -> &'static str {
        match self {
            Self::Direct => "trực tiếp",
            Self::Online => "trực tuyến",
            Self::Postal => "qua bưu chính công ích",
        }
    }

    /// The name used in procedure files and expressions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Online => "online",
            Self::Postal => "postal",
        }
    }
}

/// A time limit as the law writes it; `{ working_days = 0 }` means the same day (ngay trong ngày).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TimeLimit {
    /// Working days (ngày làm việc) on the official calendar.
    WorkingDays(u32),
    /// Working hours of office time.
    WorkingHours(u32),
    /// Calendar days (ngày), e.g. "không quá 10 ngày" of the Law on Judicial Records: counted from
    /// the day after receipt; a last day that is a day off moves to the next working day (Civil
    /// Code 2015 arts. 147–148).
    CalendarDays(u32),
    /// Months (tháng): ends on the same day of the last month, or that month's last day when it
    /// has no such day; a day off moves to the next working day (Civil Code 2015 art. 148).
    Months(u32),
}

/// Office hours in a working day (8 hours, Labour Code Art. 105), for adding up allotments in
/// hours and days before any calendar is known.
pub const OFFICE_HOURS_PER_DAY: u32 = 8;

impl TimeLimit {
    /// The limit in office hours, a working day counted as [`OFFICE_HOURS_PER_DAY`]; calendar
    /// days and months count the working days they hold at least in weeks without holidays (five
    /// in seven, twenty in a month), so step allotments checked against them stay safe.
    pub fn office_hours(self) -> u32 {
        match self {
            Self::WorkingDays(days) => days.saturating_mul(OFFICE_HOURS_PER_DAY),
            Self::WorkingHours(hours) => hours,
            Self::CalendarDays(days) => {
                (days.saturating_mul(5) / 7).saturating_mul(OFFICE_HOURS_PER_DAY)
            }
            Self::Months(months) => months
                .saturating_mul(20)
                .saturating_mul(OFFICE_HOURS_PER_DAY),
        }
    }

    /// Office hours written as days and hours, e.g. "2 working days and 5 working hours".
    pub fn describe_office_hours(hours: u32) -> String {
        match (hours / OFFICE_HOURS_PER_DAY, hours % OFFICE_HOURS_PER_DAY) {
            (days, 0) => Self::WorkingDays(days).to_string(),
            (0, rest) => Self::WorkingHours(rest).to_string(),
            (days, rest) => format!(
                "{} and {}",
                Self::WorkingDays(days),
                Self::WorkingHours(rest)
            ),
        }
    }

    /// The limit as Vietnamese forms and diagrams write it, e.g. "3 ngày làm việc".
    pub fn vietnamese(&self) -> String {
        match self {
            Self::WorkingDays(0) => "trong ngày".to_owned(),
            Self::WorkingDays(n) => format!("{n} ngày làm việc"),
            Self::WorkingHours(n) => format!("{n} giờ làm việc"),
            Self::CalendarDays(n) => format!("{n} ngày"),
            Self::Months(n) => format!("{n} tháng"),
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WorkingDays(0) => f.write_str("same day"),
            Self::WorkingDays(n) => write!(f, "{n} working day{}", if *n == 1 { "" } else { "s" }),
            Self::WorkingHours(n) => {
                write!(f, "{n} working hour{}", if *n == 1 { "" } else { "s" })
            }
            Self::CalendarDays(n) => {
                write!(f, "{n} calendar day{}", if *n == 1 { "" } else { "s" })
            }
            Self::Months(n) => write!(f, "{n} month{}", if *n == 1 { "" } else { "s" }),
        }
    }
}

/// A fee or charge line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Name of the fee, e.g. "Lệ phí cấp bản sao trích lục hộ tịch".
    pub name: String,
    /// A fixed amount in đồng; write this or `formula`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<u64>,
    /// An expression over the e-form fields giving the amount in đồng, e.g. "8000 * so_ban_sao".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// An expression that, when true, exempts the applicant (miễn phí, lệ phí).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempt_when: Option<String>,
    /// The instrument that sets the fee, e.g. "Thông tư 281/2016/TT-BTC".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// A dossier component (thành phần hồ sơ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Identifier, e.g. "to_khai".
    pub id: String,
    /// Name of the paper, e.g. "Tờ khai đăng ký khai sinh".
    pub name: String,
    /// The dossier is incomplete without it.
    pub required: bool,
    /// Which form of the paper is accepted.
    pub copy: CopyKind,
    /// How many are needed.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub quantity: u32,
    /// May be taken from the citizen's data store or a national database instead of uploaded.
    #[serde(default)]
    pub from_data_store: bool,
    /// Fields of the electronic form (biểu mẫu điện tử) when this component is a declaration.
    #[serde(default)]
    pub fields: Vec<FormField>,
}

fn one() -> u32 {
    1
}

impl Document {
    /// A dossier is incomplete without a file or reference for it: required, and not a
    /// declaration filled in on its e-form (biểu mẫu điện tử tương tác), whose fields are checked
    /// instead.
    pub fn must_be_attached(&self) -> bool {
        self.required && self.fields.is_empty()
    }
}

/// Original or copy (bản chính / bản sao).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// Bản chính.
    Original,
    /// Bản sao có chứng thực or bản sao điện tử — a certified or electronic copy.
    CertifiedCopy,
    /// Bản chụp — a plain copy.
    Copy,
}

/// One field of an electronic form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// Identifier, also the variable name in guards and fee formulas, e.g. "so_ban_sao".
    pub id: String,
    /// Label shown to the applicant, e.g. "Số bản sao yêu cầu".
    pub label: String,
    /// The kind of value.
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// The form cannot be submitted without it.
    #[serde(default)]
    pub required: bool,
    /// Smallest allowed value (integer and decimal fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Largest allowed value (integer and decimal fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// Longest allowed text, in characters (text fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Allowed values (choice fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// What people read for a choice stored as a code, e.g. `khai_sinh = "Trích lục khai sinh"`;
    /// a choice without a label is shown as written.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub choice_labels: BTreeMap<String, String>,
}

impl FormField {
    /// What people read for `value`: its choice label, else the value itself.
    pub fn choice_label<'a>(&'a self, value: &'a str) -> &'a str {
        self.choice_labels.get(value).map_or(value, String::as_str)
    }
}

/// The kind of value a form field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// An exact decimal number.
    Decimal,
    /// A date, "YYYY-MM-DD".
    Date,
    /// Yes or no.
    Boolean,
    /// One of `choices`.
    Choice,
    /// A Vietnamese phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A 12-digit personal identification number (số định danh cá nhân).
    IdNumber,
}

/// A step of the internal process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Identifier, e.g. "tham_dinh".
    pub id: String,
    /// Name shown to people, e.g. "Thẩm định hồ sơ".
    pub name: String,
    /// The role that works on the dossier at this step.
    pub role: String,
    /// The unit that holds the dossier at this step.
    pub unit: String,
    /// Working time allotted to this step by the approved internal process.
    pub allotted: TimeLimit,
    /// The applicant must be present at this step (có mặt trực tiếp).
    #[serde(default)]
    pub in_person: bool,
}

/// A move a role may make from a step: to another step, or a final decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Identifier, e.g. "trinh_ky".
    pub id: String,
    /// Name shown on the button, e.g. "Trình ký".
    pub name: String,
    /// The step the dossier must be at.
    pub from: String,
    /// The step the dossier moves to; write this or `outcome`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The final decision this action takes; write this or `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Roles that may take it.
    pub roles: Vec<String>,
    /// An expression over the e-form fields that must be true for the action to be allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
    /// What else happens when it is taken.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    /// Taking this action sets the dossier's legal time limit, counted from receipt
    /// (e.g. a verification branch that the law allows more time for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets_time_limit: Option<TimeLimit>,
    /// Taking this action starts the legal time limit afresh, counted from the action (e.g. 15
    /// working days from the acceptance of feedback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_time_limit: Option<TimeLimit>,
}

/// A final decision on a dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Approved (phê duyệt): the result is issued and returned.
    Approved,
    /// Refused to resolve (từ chối giải quyết, Decree 61/2018 Art. 19.8), with reasons.
    Refused,
    /// Transferred to the competent agency (chuyển đến cơ quan có thẩm quyền), with a notice
    /// to the applicant naming it.
    Transferred,
}

impl Outcome {
    /// The name used in procedure files and diagrams.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Refused => "refused",
            Self::Transferred => "transferred",
        }
    }
}

/// A side effect of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Tell the applicant (e-mail, SMS).
    Notify,
    /// Ask the applicant to pay the fees (yêu cầu thực hiện nghĩa vụ tài chính).
    RequestPayment,
    /// Issue the result (ban hành kết quả).
    IssueResult,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_reads_as_its_label_and_an_unlabelled_one_as_written() {
        let field: FormField = toml::from_str(
            "id = \"loai\"\nlabel = \"Loại\"\ntype = \"choice\"\nchoices = [\"phan_anh\", \"Khác\"]\nchoice_labels = { phan_anh = \"Phản ánh\" }\n",
        )
        .expect("a field");
        assert_eq!(field.choice_label("phan_anh"), "Phản ánh");
        assert_eq!(field.choice_label("Khác"), "Khác");
    }

    #[test]
    fn procedure_codes_are_national_or_local_and_nothing_else() {
        for national in ["1.001193", "2.000635"] {
            let code = ProcedureCode::parse(national).expect(national);
            assert!(code.is_national(), "{national}");
        }
        for local in ["PAKN.1", "PA.123456", "ABCDEFGHIJ.9"] {
            let code = ProcedureCode::parse(local).expect(local);
            assert!(!code.is_national(), "{local}");
        }
        for bad in [
            "P.1",
            "ABCDEFGHIJK.1",
            "pakn.1",
            "PAKN.",
            "PAKN.1234567",
            "PAKN.1a",
            "PAKN1",
            ".1",
            "1.00119",
            "1.0011933",
            "A.001193",
            "1-001193",
        ] {
            assert!(ProcedureCode::parse(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn office_hours_add_days_and_hours() {
        assert_eq!(TimeLimit::WorkingDays(2).office_hours(), 16);
        assert_eq!(TimeLimit::WorkingHours(5).office_hours(), 5);
        // Ten calendar days hold at least seven working days (five in seven, rounded down).
        assert_eq!(TimeLimit::CalendarDays(10).office_hours(), 7 * 8);
        assert_eq!(TimeLimit::Months(1).office_hours(), 20 * 8);
        assert_eq!(
            TimeLimit::describe_office_hours(21),
            "2 working days and 5 working hours"
        );
        assert_eq!(TimeLimit::describe_office_hours(16), "2 working days");
        assert_eq!(TimeLimit::describe_office_hours(3), "3 working hours");
    }
}
