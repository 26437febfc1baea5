//! What is wrong with the data sent with a command (the reasons, documents, dates and units an
//! officer types), worded once per language.

use super::{Lang, pick, words};

/// A free text a command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Lý do.
    Reason,
    /// Lý do từ chối tiếp nhận (Mẫu 03).
    RefusalReason,
    /// Lý do yêu cầu bổ sung (Mẫu 02).
    SupplementReason,
    /// Lý do dừng xử lý (Mẫu 05).
    StopReason,
    /// Lý do chậm trễ (Mẫu 04).
    DelayReason,
    /// Căn cứ và lý do gia hạn.
    ExtensionGround,
    /// Lý do tính lại thời hạn.
    RecomputeReason,
    /// Lý do bỏ một tác vụ gửi đi.
    DropReason,
    /// Tên giấy tờ.
    DocumentName,
    /// Tên tệp.
    FileName,
    /// Mã giao dịch nộp tiền.
    PaymentReference,
    /// Nội dung xin ý kiến.
    Question,
    /// Nội dung trả lời.
    Answer,
}

impl Text {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Reason => ("lý do", "the reason"),
            Self::RefusalReason => (
                "lý do từ chối tiếp nhận (Mẫu 03)",
                "the reason for refusing (Form 03)",
            ),
            Self::SupplementReason => (
                "lý do yêu cầu bổ sung (Mẫu 02)",
                "the reason for the supplement request (Form 02)",
            ),
            Self::StopReason => (
                "lý do dừng xử lý (Mẫu 05)",
                "the reason for stopping (Form 05)",
            ),
            Self::DelayReason => (
                "lý do chậm trễ (Mẫu 04)",
                "the reason for the delay (Form 04)",
            ),
            Self::ExtensionGround => (
                "căn cứ pháp lý và lý do gia hạn",
                "the legal ground and reason for the extension",
            ),
            Self::RecomputeReason => ("lý do tính lại thời hạn", "the reason for recomputing"),
            Self::DropReason => ("lý do bỏ tác vụ", "the reason for dropping it"),
            Self::DocumentName => ("tên giấy tờ", "the document's name"),
            Self::FileName => ("tên tệp", "the file's name"),
            Self::PaymentReference => ("mã giao dịch nộp tiền", "the payment reference"),
            Self::Question => ("nội dung xin ý kiến", "the question"),
            Self::Answer => ("nội dung trả lời", "the answer"),
        }
    }
}

/// What is wrong with a command's data: one variant per kind of mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionProblem {
    /// A required text left empty.
    TextRequired(Text),
    /// A text longer than 4,000 characters.
    TextTooLong(Text),
    /// An action the procedure does not have.
    UnknownAction {
        /// The procedure's code.
        procedure: String,
        /// The action sent.
        action: String,
        /// The actions from the dossier's step, by name.
        available: Vec<String>,
        /// The actions from the dossier's step, by id.
        available_ids: Vec<String>,
    },
    /// More data than an action takes.
    DataTooLarge,
    /// Refusing to resolve without the reasons.
    RefusalNeedsReasons,
    /// Transferring without naming the competent agency.
    TransferNeedsAgency,
    /// Result documents attached to an action that does not issue the result.
    NotIssuingAction {
        /// The action's name.
        action: String,
        /// The action's id.
        action_id: String,
    },
    /// A result document not named by its SHA-256.
    ResultSha256,
    /// A full-process online result issued without its electronic document.
    ElectronicResultRequired,
    /// Consulting the unit that holds the dossier.
    ConsultOtherUnit,
    /// Answering a consultation that does not exist.
    NoSuchConsultation {
        /// The dossier's code.
        dossier: String,
        /// The consultation's number.
        index: usize,
    },
    /// A result number of the wrong shape.
    ResultCode,
    /// A receiving unit that starts receiving later.
    UnitNotYetReceiving {
        /// The unit, by name.
        unit: String,
        /// Its first day, dd/mm/yyyy.
        from: String,
    },
    /// A unit outside the unit directory.
    UnitNotInDirectory {
        /// The unit's code.
        unit: String,
    },
    /// A retired unit.
    UnitRetired {
        /// The unit, by name.
        unit: String,
        /// Its successor, by name.
        successor: String,
        /// Consulting it, rather than submitting to it.
        consulting: bool,
    },
    /// A channel the procedure does not offer.
    ChannelNotOffered {
        /// The procedure's code.
        procedure: String,
        /// The channel sent.
        channel: String,
        /// The channels offered, by id.
        offered: Vec<String>,
    },
    /// Fees that could not be computed from the form.
    FeeNotComputed {
        /// Why, for operators.
        why: String,
    },
    /// A supplement request that lists nothing.
    SupplementListEmpty,
    /// A supplement that sends nothing.
    SupplementNothingSent,
    /// A payment of nothing.
    PaymentZero,
    /// An outbox key of another dossier.
    NotOwnEffect {
        /// The key sent.
        key: String,
        /// The dossier's code.
        dossier: String,
    },
    /// A new appointment not after the current one.
    NewAppointmentNotLater,
    /// A new appointment later than the procedure allows.
    NewAppointmentTooFar {
        /// The cap, as Vietnamese forms write it ("5 ngày làm việc").
        cap: String,
        /// The cap, in English.
        cap_en: String,
        /// The current appointment, as people write it.
        current: String,
        /// The latest allowed, as people write it.
        latest: String,
    },
}

impl ActionProblem {
    /// The problem in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Self::TextRequired(text) => {
                let (vi_name, en_name) = text.names();
                pick(
                    vi,
                    format!("Vui lòng nhập {vi_name}."),
                    format!("{en_name} is required"),
                )
            }
            Self::TextTooLong(text) => {
                let (vi_name, en_name) = text.names();
                pick(
                    vi,
                    format!("{} dài quá 4000 ký tự.", capitalised(vi_name)),
                    format!("{en_name} is longer than 4000 characters"),
                )
            }
            Self::UnknownAction {
                procedure,
                action,
                available,
                available_ids,
            } => pick(
                vi,
                format!(
                    "Thủ tục {procedure} không có thao tác `{action}`; ở bước này có thể: {}.",
                    available.join("; ")
                ),
                format!(
                    "procedure {procedure} has no action `{action}`; from this step: {}",
                    available_ids.join(", ")
                ),
            ),
            Self::DataTooLarge => words(
                vi,
                "Dữ liệu kèm theo thao tác tối đa 50 mục và 16 KiB.",
                "at most 50 keys and 16 KiB of data",
            ),
            Self::RefusalNeedsReasons => words(
                vi,
                "Vui lòng ghi rõ lý do không giải quyết; người nộp sẽ đọc lý do này (Nghị định 61/2018, Điều 19 khoản 8).",
                "refusing to resolve needs the reasons, which the applicant will read (Decree 61/2018 Art. 19.8)",
            ),
            Self::TransferNeedsAgency => words(
                vi,
                "Vui lòng ghi cơ quan có thẩm quyền và lý do chuyển; thông báo gửi người nộp sẽ trích nội dung này.",
                "a transfer names the competent agency and why, which the applicant's notice quotes",
            ),
            Self::NotIssuingAction { action, action_id } => pick(
                vi,
                format!(
                    "\"{action}\" không ban hành kết quả; vui lòng đính kèm văn bản kết quả ở thao tác ban hành kết quả."
                ),
                format!(
                    "`{action_id}` does not issue the result; attach the result documents to the action that does"
                ),
            ),
            Self::ResultSha256 => words(
                vi,
                "Văn bản kết quả được xác định bằng mã băm SHA-256 của nội dung (64 chữ số thập lục phân).",
                "a result document is named by the SHA-256 of its content (64 hex digits)",
            ),
            Self::ElectronicResultRequired => words(
                vi,
                "Người nộp chọn nhận kết quả trực tuyến: vui lòng đính kèm kết quả điện tử (PDF) khi ban hành.",
                "the applicant chose to receive this full-process service's result online: attach the electronic result (PDF) when issuing it",
            ),
            Self::ConsultOtherUnit => words(
                vi,
                "Vui lòng chọn một đơn vị khác với đơn vị đang giữ hồ sơ.",
                "consult a unit other than the one holding the dossier",
            ),
            Self::NoSuchConsultation { dossier, index } => pick(
                vi,
                format!("Hồ sơ {dossier} không có nội dung xin ý kiến số {index}."),
                format!("dossier {dossier} has no consultation {index}"),
            ),
            Self::ResultCode => words(
                vi,
                "Số, ký hiệu kết quả gồm tối đa 64 chữ cái, chữ số và các dấu `- . _ /`.",
                "use at most 64 letters, digits and - . _ /",
            ),
            Self::UnitNotYetReceiving { unit, from } => pick(
                vi,
                format!("{unit} nhận hồ sơ từ ngày {from}."),
                format!("{unit} receives dossiers from {from}"),
            ),
            Self::UnitNotInDirectory { unit } => pick(
                vi,
                format!(
                    "Đơn vị {unit} không có trong danh mục đơn vị; vui lòng chọn một đơn vị trong danh mục."
                ),
                format!(
                    "unit {unit} is not in the unit directory; pick one from GET /api/v1/units"
                ),
            ),
            Self::UnitRetired {
                unit,
                successor,
                consulting,
            } => pick(
                vi,
                format!(
                    "{unit} đã ngừng hoạt động; vui lòng chọn đơn vị kế thừa: {successor}."
                ),
                format!(
                    "{unit} is retired; {} its successor {successor}",
                    if *consulting { "consult" } else { "submit to" }
                ),
            ),
            Self::ChannelNotOffered {
                procedure,
                channel,
                offered,
            } => pick(
                vi,
                format!("Thủ tục {procedure} không nhận hồ sơ qua kênh `{channel}`."),
                format!(
                    "procedure {procedure} is not offered {channel}; channels: {}",
                    offered.join(", ")
                ),
            ),
            Self::FeeNotComputed { why } => pick(
                vi,
                "Không tính được phí, lệ phí từ dữ liệu trên biểu mẫu; vui lòng kiểm tra lại các trường số.".to_owned(),
                why.clone(),
            ),
            Self::SupplementListEmpty => words(
                vi,
                "Vui lòng liệt kê đầy đủ, trong một lần, các giấy tờ cần bổ sung hoặc sửa đổi.",
                "list every document to add or correct, once and completely",
            ),
            Self::SupplementNothingSent => words(
                vi,
                "Vui lòng gửi các giấy tờ hoặc nội dung sửa đổi đã được yêu cầu.",
                "send the documents or corrections that were asked for",
            ),
            Self::PaymentZero => words(
                vi,
                "Số tiền nộp phải lớn hơn 0 đồng.",
                "a payment must be more than 0 đồng",
            ),
            Self::NotOwnEffect { key, dossier } => pick(
                vi,
                format!("`{key}` không phải tác vụ gửi đi của hồ sơ {dossier}."),
                format!("`{key}` is not a side effect of dossier {dossier}"),
            ),
            Self::NewAppointmentNotLater => words(
                vi,
                "Ngày hẹn mới phải sau ngày hẹn hiện tại.",
                "the new appointment must be after the current one",
            ),
            Self::NewAppointmentTooFar {
                cap,
                cap_en,
                current,
                latest,
            } => pick(
                vi,
                format!(
                    "Ngày hẹn mới chậm nhất là {latest} (không quá {cap} sau ngày hẹn hiện tại {current})."
                ),
                format!(
                    "the new appointment may be at most {cap_en} after the current one ({current}), so by {latest} at the latest"
                ),
            ),
        }
    }
}

/// `text` with its first letter in capitals, for a name that starts a sentence.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: [Text; 13] = [
        Text::Reason,
        Text::RefusalReason,
        Text::SupplementReason,
        Text::StopReason,
        Text::DelayReason,
        Text::ExtensionGround,
        Text::RecomputeReason,
        Text::DropReason,
        Text::DocumentName,
        Text::FileName,
        Text::PaymentReference,
        Text::Question,
        Text::Answer,
    ];

    #[test]
    fn every_problem_is_worded_in_vietnamese_and_english() {
        let dossier = || "000.00.17.H21-261207-0001".to_owned();
        let mut all: Vec<ActionProblem> = TEXTS
            .iter()
            .flat_map(|text| {
                [
                    ActionProblem::TextRequired(*text),
                    ActionProblem::TextTooLong(*text),
                ]
            })
            .collect();
        all.extend([
            ActionProblem::UnknownAction {
                procedure: "1.001193".to_owned(),
                action: "trinh".to_owned(),
                available: vec!["Trình ký".to_owned()],
                available_ids: vec!["trinh_ky".to_owned()],
            },
            ActionProblem::DataTooLarge,
            ActionProblem::RefusalNeedsReasons,
            ActionProblem::TransferNeedsAgency,
            ActionProblem::NotIssuingAction {
                action: "Trình ký".to_owned(),
                action_id: "trinh_ky".to_owned(),
            },
            ActionProblem::ResultSha256,
            ActionProblem::ElectronicResultRequired,
            ActionProblem::ConsultOtherUnit,
            ActionProblem::NoSuchConsultation {
                dossier: dossier(),
                index: 2,
            },
            ActionProblem::ResultCode,
            ActionProblem::UnitNotYetReceiving {
                unit: "UBND xã Tân Lập".to_owned(),
                from: "01/01/2027".to_owned(),
            },
            ActionProblem::UnitNotInDirectory {
                unit: "000.00.17.H99".to_owned(),
            },
            ActionProblem::UnitRetired {
                unit: "UBND xã Tân Lập".to_owned(),
                successor: "UBND xã Tân Hòa".to_owned(),
                consulting: true,
            },
            ActionProblem::ChannelNotOffered {
                procedure: "1.001193".to_owned(),
                channel: "postal".to_owned(),
                offered: vec!["online".to_owned()],
            },
            ActionProblem::FeeNotComputed {
                why: "unknown field".to_owned(),
            },
            ActionProblem::SupplementListEmpty,
            ActionProblem::SupplementNothingSent,
            ActionProblem::PaymentZero,
            ActionProblem::NotOwnEffect {
                key: "x:1".to_owned(),
                dossier: dossier(),
            },
            ActionProblem::NewAppointmentNotLater,
            ActionProblem::NewAppointmentTooFar {
                cap: "5 ngày làm việc".to_owned(),
                cap_en: "5 working days".to_owned(),
                current: "17:00 20/11/2026".to_owned(),
                latest: "17:00 27/11/2026".to_owned(),
            },
        ]);
        for problem in &all {
            super::super::tests::worded_in_both(
                &problem.text(Lang::Vi),
                &problem.text(Lang::En),
                problem,
            );
        }
        assert_eq!(
            ActionProblem::TextTooLong(Text::Question).text(Lang::Vi),
            "Nội dung xin ý kiến dài quá 4000 ký tự."
        );
    }
}
