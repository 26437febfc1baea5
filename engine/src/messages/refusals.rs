//! Refusals to act, worded once per language: who may take a command, and why it cannot be taken now.

use super::{Lang, pick, words};

/// Why a command is refused: one variant per reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A command the dossier's status does not allow.
    NotInThisStatus {
        /// What was tried, in English (the operators' words, e.g. "send a supplement").
        doing: String,
        /// The dossier's code.
        dossier: String,
        /// The status's name, in Vietnamese.
        status: String,
        /// The status's code.
        status_code: String,
    },
    /// Someone else changed the dossier first.
    DossierChanged {
        /// The dossier's code.
        dossier: String,
        /// The version the caller saw.
        expected: u64,
        /// The version stored.
        actual: u64,
    },
    /// The appointment was already moved once by an apology (Decree 61/2018 art. 19.9).
    ExtendedOnce,
    /// An apology after the last working day before the appointment.
    ApologyTooLate {
        /// The appointment, as people write it.
        appointment: String,
        /// The last day an apology could come, dd/mm/yyyy.
        last_day: String,
    },
    /// This unit already asked for a supplement (Decree 61/2018 art. 15: once, completely).
    SupplementAlreadyAsked {
        /// The unit, by name.
        unit: String,
    },
    /// Answering a supplement that nobody asked for.
    NoSupplementAwaited,
    /// A consultation answered twice.
    ConsultationAnswered,
    /// A result issued twice.
    ResultAlreadyIssued,
    /// Returning an approved dossier before its result is issued.
    IssueResultFirst,
    /// Returning the result while fees are owed.
    FeesNotPaid {
        /// What is owed, in đồng as people write it.
        owed: String,
    },
    /// Only the agency processing the dossier may apologise and set a new date (Decree 61/2018 art. 19.9).
    ApologyByProcessingAgency,
    /// A dossier without an appointment yet.
    NoAppointmentYet,
    /// Online, a citizen submits in their own name or as the named representative.
    OwnNameOnline,
    /// A supplement asked by someone other than the step's officer or the desk.
    SupplementByStepOrDesk,
    /// A consultation asked by someone other than the step's officer.
    ConsultByStepOfficer,
    /// A result issued by someone other than the deciding unit or the desk.
    IssueByDecidingUnit,
    /// Issuing a result for a dossier that was refused.
    RefusalReturnedAsIs,
    /// A payment recorded by someone other than the gateway or the cashier.
    PaymentsByGatewayOrCashier,
    /// Recomputing deadlines before the legal clock started.
    ClockNotStarted,
    /// Recomputing deadlines that already match the calendars.
    DeadlinesAlreadyMatch,
    /// A dossier held by another unit than the officer's.
    HeldElsewhere {
        /// The dossier's code.
        dossier: String,
        /// The unit holding it, by name.
        holder: String,
        /// The officer's unit.
        unit: String,
    },
    /// A procedure action taken by someone who is not an officer.
    OfficersOnly {
        /// The action's name.
        action: String,
        /// The action's id.
        action_id: String,
    },
    /// An officer whose role may not take the action.
    RoleMayNotTake {
        /// The officer's role, by name.
        role: String,
        /// The officer's role id.
        role_id: String,
        /// The action's name.
        action: String,
        /// The action's id.
        action_id: String,
        /// The roles that may, by name.
        allowed: Vec<String>,
        /// The roles that may, by id.
        allowed_ids: Vec<String>,
    },
    /// A command for the one-stop desk of the receiving unit.
    IntakeOnly {
        /// The desk's role, by name.
        role: String,
        /// The desk's role id.
        role_id: String,
        /// The receiving unit, by name.
        unit: String,
        /// What was tried, in English.
        doing: String,
    },
    /// A command for the applicant.
    ApplicantOnly {
        /// What was tried, in English.
        doing: String,
    },
    /// A command for the one-stop desk or the officer at the current step.
    DeskOrStepOnly {
        /// What was tried, in English.
        doing: String,
    },
    /// A consultation answered by a unit other than the one consulted.
    OnlyConsultedUnit {
        /// The consulted unit, by name.
        unit: String,
    },
    /// A citizen entering a counter or postal submission, which the desk enters.
    DeskEntersChannel {
        /// The channel, in Vietnamese.
        channel: String,
        /// The channel's code.
        channel_id: String,
    },
    /// A counter or postal submission entered by someone other than the receiving unit's desk.
    CounterEntryByDesk {
        /// The desk's role, by name.
        role: String,
        /// The desk's role id.
        role_id: String,
        /// The receiving unit, by name.
        unit: String,
    },
    /// An officer submitting online, which the applicant does.
    OnlineByApplicant,
    /// hoso itself submitting.
    SystemDoesNotSubmit,
    /// Side effects retried or dropped by someone other than an operator.
    OutboxByOperators,
    /// Deadline warnings raised by someone other than hoso's timers.
    DeadlinesByTimers,
    /// An action taken from another step than the dossier's.
    WrongStep {
        /// The action's name.
        action: String,
        /// The action's id.
        action_id: String,
        /// The step it is taken from, by name.
        from: String,
        /// The step it is taken from, by id.
        from_id: String,
        /// The dossier's step, by name.
        at: String,
        /// The dossier's step, by id.
        at_id: String,
    },
    /// An action's condition that could not be evaluated on the dossier's form.
    ConditionUnchecked {
        /// The action's name.
        action: String,
        /// The action's id.
        action_id: String,
        /// Why, for operators.
        why: String,
    },
    /// An action whose condition does not hold.
    ConditionFails {
        /// The action's name.
        action: String,
        /// The action's id.
        action_id: String,
        /// The condition as the procedure writes it.
        guard: String,
    },
    /// A submission by a channel the procedure stopped offering.
    ChannelWithdrawn {
        /// The procedure's code.
        procedure: String,
    },
    /// A command other than submitting, for a dossier that does not exist.
    NoDossierYet {
        /// The command's name.
        command: String,
    },
    /// Submitting a dossier twice.
    AlreadySubmitted {
        /// The dossier's code.
        dossier: String,
    },
    /// A step whose unit has no route from the receiving unit.
    NoRoute {
        /// The receiving unit, by name.
        receiving: String,
        /// The unit kinds without a route, by name and id.
        kinds: Vec<(String, String)>,
        /// Everything missing, in the operators' words (with the command that adds it).
        missing: Vec<String>,
    },
    /// A payment for a dossier that has ended.
    PaymentForClosed {
        /// The dossier's code.
        dossier: String,
        /// Its status, in Vietnamese.
        status: String,
    },
    /// A payment larger than what is owed.
    PaymentTooLarge {
        /// The dossier's code.
        dossier: String,
        /// What is owed, in đồng as people write it.
        owed: String,
        /// What was paid.
        amount: String,
    },
    /// A command whose window closed.
    WindowClosed {
        /// The command's name.
        command: String,
        /// The window's name.
        window: String,
        /// When it closed, HH:MM dd/mm/yyyy.
        closed_at: String,
    },
    /// An extension of a procedure that allows none.
    NoExtensionAllowed {
        /// The procedure's code.
        procedure: String,
    },
    /// As many extensions as the procedure allows, already taken.
    ExtensionsUsed {
        /// How many.
        times: u32,
        /// The procedure's code.
        procedure: String,
    },
    /// Deadlines recomputed after an apology set the appointment.
    AppointmentSetByApology,
    /// A command that had to come before the appointment, which has passed.
    AfterAppointment {
        /// What was tried, in English.
        doing: String,
        /// The appointment, as people write it.
        appointment: String,
    },
    /// An official form that could not be made from the dossier's record.
    FormNotMade {
        /// The form's number.
        form: String,
        /// Why, for operators.
        why: String,
    },
}

impl Refusal {
    /// The refusal in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Self::NotInThisStatus {
                doing,
                dossier,
                status,
                status_code,
            } => pick(
                vi,
                format!(
                    "Không thực hiện được việc này: hồ sơ {dossier} đang ở trạng thái \"{status}\"."
                ),
                format!("cannot {doing}: dossier {dossier} is \"{status}\" ({status_code})"),
            ),
            Self::DossierChanged {
                dossier,
                expected,
                actual,
            } => pick(
                vi,
                format!(
                    "Hồ sơ {dossier} vừa được người khác cập nhật. Vui lòng tải lại trang, xem lại hồ sơ rồi thực hiện lại nếu vẫn cần."
                ),
                format!(
                    "dossier {dossier} is at version {actual}, not {expected}: reload it and try again"
                ),
            ),
            Self::ExtendedOnce => words(
                vi,
                "Ngày hẹn trả đã được gia hạn một lần; pháp luật chỉ cho phép một lần (Nghị định 61/2018, Điều 19 khoản 9).",
                "the appointment was already extended once; the law allows one extension (Decree 61/2018 Art. 19.9)",
            ),
            Self::ApologyTooLate {
                appointment,
                last_day,
            } => pick(
                vi,
                format!(
                    "Văn bản xin lỗi và hẹn lại phải gửi chậm nhất một ngày làm việc trước ngày hẹn trả ({appointment}), tức là trong ngày {last_day} (Nghị định 61/2018, Điều 19 khoản 9); hồ sơ sẽ được tính là quá hạn."
                ),
                format!(
                    "an apology and new date must come at least one working day before the appointment ({appointment}), so by the end of {last_day} (Decree 61/2018 Art. 19.9); the dossier will be counted late"
                ),
            ),
            Self::SupplementAlreadyAsked { unit } => pick(
                vi,
                format!(
                    "{unit} đã yêu cầu bổ sung hồ sơ này; pháp luật yêu cầu mỗi cơ quan nêu đầy đủ những gì cần bổ sung trong một lần (Nghị định 61/2018, Điều 15)."
                ),
                format!(
                    "{unit} already asked for a supplement for this dossier; the law asks each agency for everything missing at once (Decree 61/2018 Art. 15)"
                ),
            ),
            Self::NoSupplementAwaited => words(
                vi,
                "Hồ sơ không có yêu cầu bổ sung nào đang chờ.",
                "no supplement is being waited for",
            ),
            Self::ConsultationAnswered => words(
                vi,
                "Nội dung xin ý kiến này đã được trả lời.",
                "this consultation was already answered",
            ),
            Self::ResultAlreadyIssued => words(
                vi,
                "Kết quả đã được ban hành.",
                "the result was already issued",
            ),
            Self::IssueResultFirst => words(
                vi,
                "Vui lòng ban hành kết quả trước khi trả kết quả.",
                "issue the result before returning it",
            ),
            Self::FeesNotPaid { owed } => pick(
                vi,
                format!("Người nộp chưa nộp đủ phí, lệ phí: còn {owed}."),
                format!("fees of {owed} are not paid yet"),
            ),
            Self::ApologyByProcessingAgency => words(
                vi,
                "Chỉ cơ quan đang giải quyết hồ sơ (cán bộ ở bước hiện tại) mới được xin lỗi và hẹn lại ngày trả; Bộ phận Một cửa sau đó thông báo cho người nộp (Nghị định 61/2018, Điều 19 khoản 9).",
                "only the agency processing the dossier (the officer at its current step) may apologise and set a new date; the one-stop desk then informs the applicant (Decree 61/2018 Art. 19.9)",
            ),
            Self::NoAppointmentYet => words(
                vi,
                "Hồ sơ chưa có ngày hẹn trả kết quả.",
                "the dossier has no appointment yet",
            ),
            Self::OwnNameOnline => words(
                vi,
                "Khi nộp trực tuyến, công dân nộp hồ sơ đứng tên chính mình, hoặc với tư cách người đại diện được ghi trong hồ sơ: số định danh của người nộp (hoặc của người đại diện) phải là của bạn.",
                "online, a citizen submits in their own name, or as the representative named in the dossier: the applicant's (or the representative's) identification number must be yours",
            ),
            Self::SupplementByStepOrDesk => words(
                vi,
                "Chỉ cán bộ ở bước hiện tại của hồ sơ, hoặc Bộ phận Một cửa, mới được yêu cầu bổ sung.",
                "only the officer at the dossier's current step, or the one-stop desk, may ask for a supplement",
            ),
            Self::ConsultByStepOfficer => words(
                vi,
                "Chỉ cán bộ ở bước hiện tại của hồ sơ mới được xin ý kiến đơn vị khác.",
                "only the officer at the dossier's current step may consult another unit",
            ),
            Self::IssueByDecidingUnit => words(
                vi,
                "Chỉ đơn vị đã quyết định, hoặc Bộ phận Một cửa, mới được ban hành kết quả.",
                "only the unit that decided, or the one-stop desk, may issue the result",
            ),
            Self::RefusalReturnedAsIs => words(
                vi,
                "Hồ sơ không được chấp thuận; văn bản từ chối được trả như đã ban hành.",
                "the dossier was not approved; its refusal is returned as is",
            ),
            Self::PaymentsByGatewayOrCashier => words(
                vi,
                "Khoản nộp chỉ được ghi nhận bởi cổng thanh toán hoặc cán bộ thu tại Bộ phận Một cửa.",
                "payments are recorded by the gateway or the one-stop cashier",
            ),
            Self::ClockNotStarted => words(
                vi,
                "Thời hạn giải quyết chưa bắt đầu tính.",
                "the legal clock has not started",
            ),
            Self::DeadlinesAlreadyMatch => words(
                vi,
                "Thời hạn của hồ sơ đã khớp với lịch hiện hành.",
                "the deadlines already match the current calendars",
            ),
            Self::HeldElsewhere {
                dossier,
                holder,
                unit,
            } => pick(
                vi,
                format!(
                    "Hồ sơ {dossier} đang do {holder} xử lý, không thuộc đơn vị của bạn ({unit})."
                ),
                format!("dossier {dossier} is held by {holder}, not by your unit ({unit})"),
            ),
            Self::OfficersOnly { action, action_id } => pick(
                vi,
                format!("\"{action}\" do cán bộ thực hiện."),
                format!("action `{action_id}` is taken by officers"),
            ),
            Self::RoleMayNotTake {
                role,
                role_id,
                action,
                action_id,
                allowed,
                allowed_ids,
            } => pick(
                vi,
                format!(
                    "Vai trò \"{role}\" không thực hiện được \"{action}\"; việc này dành cho: {}.",
                    allowed.join("; ")
                ),
                format!(
                    "your role `{role_id}` may not take `{action_id}`; it is for: {}",
                    allowed_ids.join(", ")
                ),
            ),
            Self::IntakeOnly {
                role,
                role_id,
                unit,
                doing,
            } => pick(
                vi,
                format!("Chỉ {role} của {unit} mới thực hiện được việc này."),
                format!("only the role `{role_id}` of the receiving unit {unit} may {doing}"),
            ),
            Self::ApplicantOnly { doing } => pick(
                vi,
                "Chỉ người nộp hồ sơ mới thực hiện được việc này.".to_owned(),
                format!("only the applicant may {doing}"),
            ),
            Self::DeskOrStepOnly { doing } => pick(
                vi,
                "Chỉ Bộ phận Một cửa hoặc cán bộ ở bước hiện tại của hồ sơ mới thực hiện được việc này."
                    .to_owned(),
                format!("only the one-stop desk or the officer at the current step may {doing}"),
            ),
            Self::OnlyConsultedUnit { unit } => pick(
                vi,
                format!("Chỉ {unit} mới trả lời được nội dung xin ý kiến này."),
                format!("only {unit} may answer this consultation"),
            ),
            Self::DeskEntersChannel {
                channel,
                channel_id,
            } => pick(
                vi,
                format!(
                    "Hồ sơ nộp {channel} do Bộ phận Một cửa tiếp nhận và nhập; vui lòng nộp trực tuyến."
                ),
                format!(
                    "a {channel_id} submission is entered by the one-stop desk; submit online instead"
                ),
            ),
            Self::CounterEntryByDesk {
                role,
                role_id,
                unit,
            } => pick(
                vi,
                format!(
                    "Hồ sơ nộp trực tiếp hoặc qua bưu chính do {role} của đơn vị tiếp nhận ({unit}) nhập."
                ),
                format!(
                    "counter and postal dossiers are entered by the role `{role_id}` of the receiving unit {unit}"
                ),
            ),
            Self::OnlineByApplicant => words(
                vi,
                "Hồ sơ trực tuyến do chính người nộp gửi trên Cổng dịch vụ công.",
                "online dossiers are submitted by the applicant",
            ),
            Self::SystemDoesNotSubmit => words(
                vi,
                "Hệ thống không tự nộp hồ sơ.",
                "hoso itself does not submit dossiers",
            ),
            Self::OutboxByOperators => words(
                vi,
                "Việc gửi lại hoặc bỏ một tác vụ gửi đi do người vận hành thực hiện bằng lệnh `hoso outbox`.",
                "side effects are retried or dropped by operators with `hoso outbox`",
            ),
            Self::DeadlinesByTimers => words(
                vi,
                "Cảnh báo sắp đến hạn và quá hạn do bộ hẹn giờ của hệ thống phát ra.",
                "deadlines are raised by hoso's timers",
            ),
            Self::WrongStep {
                action,
                action_id,
                from,
                from_id,
                at,
                at_id,
            } => pick(
                vi,
                format!(
                    "\"{action}\" được thực hiện ở bước \"{from}\"; hồ sơ đang ở bước \"{at}\"."
                ),
                format!(
                    "`{action_id}` is taken from step `{from_id}`, but the dossier is at `{at_id}`"
                ),
            ),
            Self::ConditionUnchecked {
                action,
                action_id,
                why,
            } => pick(
                vi,
                format!(
                    "Không kiểm tra được điều kiện của \"{action}\" trên dữ liệu của hồ sơ này; vui lòng báo người quản trị thủ tục."
                ),
                format!("the condition of `{action_id}` could not be checked: {why}"),
            ),
            Self::ConditionFails {
                action,
                action_id,
                guard,
            } => pick(
                vi,
                format!("Hồ sơ này không đáp ứng điều kiện của \"{action}\" (`{guard}`)."),
                format!("the condition of `{action_id}` does not hold for this dossier: {guard}"),
            ),
            Self::ChannelWithdrawn { procedure } => pick(
                vi,
                format!("Thủ tục {procedure} không còn nhận hồ sơ qua kênh này."),
                format!("procedure {procedure} no longer offers this channel"),
            ),
            Self::NoDossierYet { command } => pick(
                vi,
                "Hồ sơ chưa được nộp; việc này chỉ thực hiện được với hồ sơ đã nộp.".to_owned(),
                format!("`{command}` needs an existing dossier"),
            ),
            Self::AlreadySubmitted { dossier } => pick(
                vi,
                format!("Hồ sơ {dossier} đã được nộp."),
                format!("dossier {dossier} is already submitted"),
            ),
            Self::NoRoute {
                receiving,
                kinds,
                missing,
            } => pick(
                vi,
                format!(
                    "Hồ sơ chưa chuyển được: {receiving} chưa được gắn đơn vị xử lý cho {}; vui lòng báo người quản trị danh mục đơn vị.",
                    kinds
                        .iter()
                        .map(|(name, id)| format!("{name} (`{id}`)"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                missing.join("; "),
            ),
            Self::PaymentForClosed { dossier, status } => pick(
                vi,
                format!("Hồ sơ {dossier} đã kết thúc ({status}); không nhận thêm khoản nộp."),
                format!("dossier {dossier} is closed"),
            ),
            Self::PaymentTooLarge {
                dossier,
                owed,
                amount,
            } => pick(
                vi,
                format!(
                    "Khoản nộp {amount} vượt số phí, lệ phí hồ sơ {dossier} còn phải nộp ({owed})."
                ),
                format!(
                    "dossier {dossier} owes {owed}; a payment of {amount} is more than is due"
                ),
            ),
            Self::WindowClosed {
                command,
                window,
                closed_at,
            } => pick(
                vi,
                format!(
                    "Việc này chỉ thực hiện được trong thời hạn \"{window}\", đã hết lúc {closed_at}."
                ),
                format!(
                    "`{command}` may only be taken within the window \"{window}\", which closed at {closed_at}"
                ),
            ),
            Self::NoExtensionAllowed { procedure } => pick(
                vi,
                format!(
                    "Thủ tục {procedure} không cho phép gia hạn thời hạn giải quyết; khi hồ sơ sẽ trễ hạn, vui lòng xin lỗi và hẹn lại ngày trả (Mẫu 04)."
                ),
                format!(
                    "procedure {procedure} allows no extension of its time limit (gia hạn); when a dossier will be late, apologise and set a new date (`apologize_and_extend`, Form 04)"
                ),
            ),
            Self::ExtensionsUsed { times, procedure } => pick(
                vi,
                format!(
                    "Thời hạn giải quyết đã được gia hạn {times} lần, bằng số lần thủ tục {procedure} cho phép."
                ),
                format!(
                    "the time limit was already extended {times} time(s), as often as procedure {procedure} allows"
                ),
            ),
            Self::AppointmentSetByApology => words(
                vi,
                "Ngày hẹn trả đã được ấn định theo văn bản xin lỗi và hẹn lại (Mẫu 04); ngày đó được giữ nguyên.",
                "the appointment was set by an apology and extension (Form 04); that date stands",
            ),
            Self::AfterAppointment { doing, appointment } => pick(
                vi,
                format!(
                    "Việc này phải thực hiện trước ngày hẹn trả kết quả ({appointment}), mà ngày đó đã qua."
                ),
                format!(
                    "cannot {doing}: that must come before the appointment ({appointment}), and it has passed"
                ),
            ),
            Self::FormNotMade { form, why } => pick(
                vi,
                format!(
                    "Không lập được Mẫu {form} từ hồ sơ này; vui lòng báo người quản trị hệ thống."
                ),
                format!("form {form} could not be made: {why}"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_is_worded_in_vietnamese_and_english() {
        let all = [
            Refusal::NotInThisStatus {
                doing: "send a supplement".to_owned(),
                dossier: "000.00.17.H21-261207-0001".to_owned(),
                status: "Mới đăng ký".to_owned(),
                status_code: "registered".to_owned(),
            },
            Refusal::ApologyByProcessingAgency,
            Refusal::NoAppointmentYet,
            Refusal::OwnNameOnline,
            Refusal::SupplementByStepOrDesk,
            Refusal::ConsultByStepOfficer,
            Refusal::IssueByDecidingUnit,
            Refusal::RefusalReturnedAsIs,
            Refusal::PaymentsByGatewayOrCashier,
            Refusal::ClockNotStarted,
            Refusal::DeadlinesAlreadyMatch,
            Refusal::HeldElsewhere {
                dossier: "000.00.17.H21-261207-0001".to_owned(),
                holder: "Công an xã Tân Lập".to_owned(),
                unit: "000.00.17.H21".to_owned(),
            },
            Refusal::DossierChanged {
                dossier: "000.00.17.H21-261207-0001".to_owned(),
                expected: 3,
                actual: 4,
            },
            Refusal::ExtendedOnce,
            Refusal::ApologyTooLate {
                appointment: "17:00 20/11/2026".to_owned(),
                last_day: "19/11/2026".to_owned(),
            },
            Refusal::SupplementAlreadyAsked {
                unit: "UBND xã Tân Lập".to_owned(),
            },
            Refusal::NoSupplementAwaited,
            Refusal::ConsultationAnswered,
            Refusal::ResultAlreadyIssued,
            Refusal::IssueResultFirst,
            Refusal::FeesNotPaid {
                owed: "16.000 đồng".to_owned(),
            },
            Refusal::OfficersOnly {
                action: "Trình ký".to_owned(),
                action_id: "trinh_ky".to_owned(),
            },
            Refusal::RoleMayNotTake {
                role: "Lãnh đạo".to_owned(),
                role_id: "lanh_dao".to_owned(),
                action: "Trình ký".to_owned(),
                action_id: "trinh_ky".to_owned(),
                allowed: vec!["Công chức Tư pháp - Hộ tịch".to_owned()],
                allowed_ids: vec!["tu_phap".to_owned()],
            },
            Refusal::IntakeOnly {
                role: "Công chức Bộ phận Một cửa".to_owned(),
                role_id: "mot_cua".to_owned(),
                unit: "UBND xã Tân Lập".to_owned(),
                doing: "receive".to_owned(),
            },
            Refusal::ApplicantOnly {
                doing: "withdraw".to_owned(),
            },
            Refusal::DeskOrStepOnly {
                doing: "stop processing".to_owned(),
            },
            Refusal::OnlyConsultedUnit {
                unit: "Công an xã Tân Lập".to_owned(),
            },
            Refusal::DeskEntersChannel {
                channel: "trực tiếp".to_owned(),
                channel_id: "direct".to_owned(),
            },
            Refusal::CounterEntryByDesk {
                role: "Công chức Bộ phận Một cửa".to_owned(),
                role_id: "mot_cua".to_owned(),
                unit: "UBND xã Tân Lập".to_owned(),
            },
            Refusal::OnlineByApplicant,
            Refusal::SystemDoesNotSubmit,
            Refusal::OutboxByOperators,
            Refusal::DeadlinesByTimers,
            Refusal::WrongStep {
                action: "Trình ký".to_owned(),
                action_id: "trinh_ky".to_owned(),
                from: "Thẩm định".to_owned(),
                from_id: "tham_dinh".to_owned(),
                at: "Ký duyệt".to_owned(),
                at_id: "ky_duyet".to_owned(),
            },
            Refusal::ConditionUnchecked {
                action: "Trình ký".to_owned(),
                action_id: "trinh_ky".to_owned(),
                why: "unknown field".to_owned(),
            },
            Refusal::ConditionFails {
                action: "Trình ký".to_owned(),
                action_id: "trinh_ky".to_owned(),
                guard: "so_ban_sao > 0".to_owned(),
            },
            Refusal::ChannelWithdrawn {
                procedure: "1.001193".to_owned(),
            },
            Refusal::NoDossierYet {
                command: "receive".to_owned(),
            },
            Refusal::AlreadySubmitted {
                dossier: "000.00.17.H21-261207-0001".to_owned(),
            },
            Refusal::NoRoute {
                receiving: "UBND xã Tân Lập".to_owned(),
                kinds: vec![("Công an xã".to_owned(), "cong_an_xa".to_owned())],
                missing: vec!["no route for unit kind `cong_an`".to_owned()],
            },
            Refusal::PaymentForClosed {
                dossier: "000.00.17.H21-261207-0001".to_owned(),
                status: "Đã trả kết quả".to_owned(),
            },
            Refusal::PaymentTooLarge {
                dossier: "000.00.17.H21-261207-0001".to_owned(),
                owed: "8.000 đồng".to_owned(),
                amount: "16.000 đồng".to_owned(),
            },
            Refusal::WindowClosed {
                command: "feedback".to_owned(),
                window: "Góp ý dự thảo".to_owned(),
                closed_at: "17:00 20/11/2026".to_owned(),
            },
            Refusal::NoExtensionAllowed {
                procedure: "1.001193".to_owned(),
            },
            Refusal::ExtensionsUsed {
                times: 1,
                procedure: "1.001193".to_owned(),
            },
            Refusal::AppointmentSetByApology,
            Refusal::AfterAppointment {
                doing: "apologise".to_owned(),
                appointment: "17:00 20/11/2026".to_owned(),
            },
            Refusal::FormNotMade {
                form: "01".to_owned(),
                why: "not received".to_owned(),
            },
        ];
        for refusal in &all {
            super::super::tests::worded_in_both(
                &refusal.text(Lang::Vi),
                &refusal.text(Lang::En),
                refusal,
            );
        }
    }
}
