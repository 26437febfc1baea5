//! What is wrong with the shape of a request (its parameters, parts and codes) and with changes
//! to the unit directory, worded once per language.

use super::{Lang, Said, pick, words};
use crate::case::DirectoryError;

/// What is wrong with a request's shape: one variant per kind of mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestProblem {
    /// A body that does not match its schema (serde's words, for the technical reader).
    BodyShape {
        /// What the JSON reader found.
        detail: String,
    },
    /// A part missing from a multipart request.
    PartMissing {
        /// The part's name.
        part: String,
        /// An example of its content.
        example: String,
    },
    /// A multipart part the endpoint does not take.
    UnexpectedPart {
        /// The parts it takes.
        expected: Vec<String>,
    },
    /// A code that is not a unit code.
    NotAUnitCode {
        /// What was sent.
        given: String,
    },
    /// A code that is not a procedure code.
    NotAProcedureCode {
        /// What was sent.
        given: String,
    },
    /// A procedure the catalogue does not have.
    UnknownProcedure {
        /// The code sent.
        code: String,
    },
    /// A value outside a closed list.
    NotOneOf {
        /// What was sent.
        given: String,
        /// The values allowed.
        allowed: Vec<String>,
    },
    /// A number outside its range.
    OutOfRange {
        /// What was sent.
        given: String,
        /// The least allowed.
        min: String,
        /// The most allowed.
        max: String,
    },
    /// A date not written YYYY-MM-DD.
    NotADate {
        /// What was sent.
        given: String,
    },
    /// A period that ends before it starts.
    PeriodReversed {
        /// First day, dd/mm/yyyy.
        from: String,
        /// Last day, dd/mm/yyyy.
        to: String,
    },
    /// A period longer than a year.
    PeriodTooLong,
    /// A register asked for without its unit.
    RegisterNeedsUnit,
    /// A document by reference from somewhere other than a data store or database.
    ByReferenceProvenance,
    /// A document reference empty or too long.
    ReferenceShape,
    /// Result files described in JSON instead of uploaded.
    ResultsAreUploaded,
    /// A command that has its own endpoint.
    NotThroughThisEndpoint {
        /// The command's name.
        action: String,
    },
    /// Result files sent with an action that issues no result.
    TakesNoResultFiles {
        /// The action's name.
        action: String,
    },
    /// A procedure file that is not UTF-8.
    NotUtf8,
    /// A retired unit without both its successor and its date.
    RetiredNeedsBoth,
    /// A unit code not in the national shape.
    UnitCodeShape {
        /// What was sent.
        given: String,
    },
    /// A unit named that is not in the directory.
    UnitUnknown {
        /// The unit's code.
        unit: String,
    },
    /// A unit named that is retired.
    UnitRetiredOn {
        /// The unit's code.
        unit: String,
        /// Since when, dd/mm/yyyy.
        from: String,
        /// Its successor's code.
        successor: String,
    },
    /// Parents that lead back to the unit.
    ParentCircle {
        /// The unit's code.
        unit: String,
        /// The path that closes the circle.
        path: String,
    },
    /// Successors that lead back to the unit.
    SuccessorCircle {
        /// The unit's code.
        unit: String,
        /// The successor named.
        successor: String,
    },
    /// A unit name empty or too long.
    UnitName {
        /// The unit's code.
        unit: String,
    },
    /// A unit kind that is not an identifier.
    UnitKind {
        /// What was sent.
        given: String,
    },
}

impl RequestProblem {
    /// The problem in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let vi = lang == Lang::Vi;
        match self {
            Self::BodyShape { detail } => pick(
                vi,
                format!("Nội dung gửi lên không đúng cấu trúc: `{detail}`."),
                detail.clone(),
            ),
            Self::PartMissing { part, example } => pick(
                vi,
                format!("Thiếu phần `{part}` trong yêu cầu multipart, ví dụ `{example}`."),
                format!("add a `{part}` part, e.g. {example}"),
            ),
            Self::UnexpectedPart { expected } => pick(
                vi,
                format!("Yêu cầu chỉ nhận các phần: `{}`.", expected.join("`, `")),
                format!("send only the parts {}", expected.join(", ")),
            ),
            Self::NotAUnitCode { given } => pick(
                vi,
                format!("`{given}` không phải mã đơn vị (ví dụ 000.00.17.H21)."),
                format!("`{given}` is not a unit code, e.g. 000.00.17.H21"),
            ),
            Self::NotAProcedureCode { given } => pick(
                vi,
                format!("`{given}` không phải mã thủ tục (ví dụ 1.001193)."),
                format!("`{given}` is not a procedure code, e.g. 1.001193"),
            ),
            Self::UnknownProcedure { code } => pick(
                vi,
                format!("Không có thủ tục {code}; xem danh mục thủ tục."),
                format!("no procedure {code}; see GET /api/v1/procedures"),
            ),
            Self::NotOneOf { given, allowed } => pick(
                vi,
                format!(
                    "`{given}` không phải giá trị được nhận; dùng một trong: `{}`.",
                    allowed.join("`, `")
                ),
                format!(
                    "`{given}` is not allowed: use one of {}",
                    allowed.join(", ")
                ),
            ),
            Self::OutOfRange { given, min, max } => pick(
                vi,
                format!("{given} nằm ngoài khoảng cho phép, từ {min} đến {max}."),
                format!("{given} is outside {min}–{max}"),
            ),
            Self::NotADate { given } => pick(
                vi,
                format!("`{given}` không phải ngày: viết theo dạng YYYY-MM-DD, ví dụ 2026-12-07."),
                format!("`{given}` is not a date: write YYYY-MM-DD"),
            ),
            Self::PeriodReversed { from, to } => pick(
                vi,
                format!("Ngày bắt đầu {from} ở sau ngày kết thúc {to}."),
                format!("{from} is after the last day {to}"),
            ),
            Self::PeriodTooLong => words(
                vi,
                "Mỗi báo cáo tối đa một năm; vui lòng lập riêng cho từng năm.",
                "a report covers at most one year; ask for each year separately",
            ),
            Self::RegisterNeedsUnit => words(
                vi,
                "Sổ theo dõi được lập theo từng đơn vị: vui lòng chọn đơn vị, ví dụ 000.00.17.H21.",
                "the register is kept per unit: give unit=, e.g. 000.00.17.H21",
            ),
            Self::ByReferenceProvenance => words(
                vi,
                "Giấy tờ gửi theo tham chiếu phải lấy từ kho dữ liệu (`data_store`) hoặc cơ sở dữ liệu (`database`); tệp tải lên gửi bằng phần multipart.",
                "by reference, a document comes from data_store or database; upload files as multipart parts",
            ),
            Self::ReferenceShape => words(
                vi,
                "Vui lòng ghi tham chiếu của giấy tờ trong kho (tối đa 500 ký tự).",
                "give the reference in the store (at most 500 characters)",
            ),
            Self::ResultsAreUploaded => words(
                vi,
                "Tệp kết quả được tải lên, không mô tả trong JSON: gửi các phần multipart tên `result` tới `POST /api/v1/dossiers/{code}/result`.",
                "result files are uploaded, never described: send them as multipart parts named `result` to POST /api/v1/dossiers/{code}/result",
            ),
            Self::NotThroughThisEndpoint { action } => pick(
                vi,
                format!("`{action}` không thực hiện qua địa chỉ này."),
                format!("`{action}` is not taken through this endpoint"),
            ),
            Self::TakesNoResultFiles { action } => pick(
                vi,
                format!(
                    "`{action}` không kèm tệp kết quả: gửi tệp kết quả cùng `issue_result` hoặc thao tác ban hành kết quả."
                ),
                format!(
                    "`{action}` takes no result files: send them with issue_result or the action that issues the result"
                ),
            ),
            Self::NotUtf8 => words(
                vi,
                "Tệp thủ tục phải là văn bản UTF-8.",
                "the procedure file must be UTF-8 text",
            ),
            Self::RetiredNeedsBoth => words(
                vi,
                "Đơn vị ngừng hoạt động cần ghi cả đơn vị kế thừa (`successor`) và ngày ngừng (`retired_from`).",
                "a retired unit needs both `successor` and `retired_from`",
            ),
            Self::UnitCodeShape { given } => pick(
                vi,
                format!(
                    "`{given}` không đúng dạng mã đơn vị V1V2V3.Z1Z2.Y1Y2.MX1X2 (Thông tư 10/2016/TT-BTTTT): ba chữ số, hai, hai, rồi một chữ in hoa và hai chữ số, ví dụ 000.00.17.H21."
                ),
                format!(
                    "`{given}` is not a unit code in the national format V1V2V3.Z1Z2.Y1Y2.MX1X2 (Circular 10/2016/TT-BTTTT): three digits, two, two, then a capital letter and two digits, e.g. 000.00.17.H21"
                ),
            ),
            Self::UnitUnknown { unit } => pick(
                vi,
                format!("Đơn vị {unit} chưa có trong danh mục; vui lòng thêm đơn vị trước."),
                format!(
                    "unit {unit} is not in the directory: add it first with `hoso unit add --code {unit} --name …`"
                ),
            ),
            Self::UnitRetiredOn {
                unit,
                from,
                successor,
            } => pick(
                vi,
                format!(
                    "Đơn vị {unit} ngừng hoạt động từ ngày {from}; vui lòng dùng đơn vị kế thừa {successor}."
                ),
                format!("unit {unit} was retired on {from}; use its successor {successor}"),
            ),
            Self::ParentCircle { unit, path } => pick(
                vi,
                format!("Đơn vị cấp trên của {unit} quay vòng về chính nó: {path}."),
                format!("unit {unit}'s parents lead back to itself: {path}"),
            ),
            Self::SuccessorCircle { unit, successor } => pick(
                vi,
                format!(
                    "{successor} không kế thừa được {unit}: chuỗi kế thừa của {successor} quay vòng về {unit}."
                ),
                format!(
                    "unit {unit} cannot be succeeded by {successor}: {successor}'s successors lead back to {unit}"
                ),
            ),
            Self::UnitName { unit } => pick(
                vi,
                format!("Tên đơn vị {unit} dài từ 1 đến 300 ký tự."),
                format!("unit {unit} needs a name of 1–300 characters"),
            ),
            Self::UnitKind { given } => pick(
                vi,
                format!(
                    "`{given}` không phải loại đơn vị: dùng mã (`id`) của một đơn vị khai báo trong thủ tục, ví dụ `cong_an_xa`."
                ),
                format!(
                    "`{given}` is not a unit kind: use the `id` of a procedure's [[units]], e.g. cong_an_xa"
                ),
            ),
        }
    }
}

impl From<RequestProblem> for Said {
    fn from(problem: RequestProblem) -> Self {
        Self::Request(problem)
    }
}

impl From<&DirectoryError> for RequestProblem {
    fn from(error: &DirectoryError) -> Self {
        match error {
            DirectoryError::Malformed(given) => Self::UnitCodeShape {
                given: given.clone(),
            },
            DirectoryError::Unknown(unit) => Self::UnitUnknown {
                unit: unit.to_string(),
            },
            DirectoryError::Retired {
                code,
                from,
                successor,
            } => Self::UnitRetiredOn {
                unit: code.to_string(),
                from: from.format("%d/%m/%Y").to_string(),
                successor: successor.to_string(),
            },
            DirectoryError::ParentCircle(unit, path) => Self::ParentCircle {
                unit: unit.to_string(),
                path: path.clone(),
            },
            DirectoryError::SuccessorCircle(unit, successor) => Self::SuccessorCircle {
                unit: unit.to_string(),
                successor: successor.to_string(),
            },
            DirectoryError::Name(unit) => Self::UnitName {
                unit: unit.to_string(),
            },
            DirectoryError::Kind(given) => Self::UnitKind {
                given: given.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_problem_is_worded_in_vietnamese_and_english() {
        let given = || "x.y".to_owned();
        let unit = || "000.00.17.H21".to_owned();
        let all = [
            RequestProblem::BodyShape {
                detail: "missing field `procedure`".to_owned(),
            },
            RequestProblem::PartMissing {
                part: "request".to_owned(),
                example: "{\"action\":\"issue_result\"}".to_owned(),
            },
            RequestProblem::UnexpectedPart {
                expected: vec!["request".to_owned(), "result".to_owned()],
            },
            RequestProblem::NotAUnitCode { given: given() },
            RequestProblem::NotAProcedureCode { given: given() },
            RequestProblem::UnknownProcedure {
                code: "1.000001".to_owned(),
            },
            RequestProblem::NotOneOf {
                given: given(),
                allowed: vec!["json".to_owned(), "csv".to_owned()],
            },
            RequestProblem::NotADate { given: given() },
            RequestProblem::OutOfRange {
                given: "0".to_owned(),
                min: "1".to_owned(),
                max: "200".to_owned(),
            },
            RequestProblem::PeriodReversed {
                from: "02/01/2026".to_owned(),
                to: "01/01/2026".to_owned(),
            },
            RequestProblem::PeriodTooLong,
            RequestProblem::RegisterNeedsUnit,
            RequestProblem::ByReferenceProvenance,
            RequestProblem::ReferenceShape,
            RequestProblem::ResultsAreUploaded,
            RequestProblem::NotThroughThisEndpoint {
                action: "submit".to_owned(),
            },
            RequestProblem::TakesNoResultFiles {
                action: "receive".to_owned(),
            },
            RequestProblem::NotUtf8,
            RequestProblem::RetiredNeedsBoth,
            RequestProblem::UnitCodeShape { given: given() },
            RequestProblem::UnitUnknown { unit: unit() },
            RequestProblem::UnitRetiredOn {
                unit: unit(),
                from: "01/07/2025".to_owned(),
                successor: "000.00.18.H21".to_owned(),
            },
            RequestProblem::ParentCircle {
                unit: unit(),
                path: "000.00.17.H21 → 000.00.17.H21".to_owned(),
            },
            RequestProblem::SuccessorCircle {
                unit: unit(),
                successor: "000.00.18.H21".to_owned(),
            },
            RequestProblem::UnitName { unit: unit() },
            RequestProblem::UnitKind { given: given() },
        ];
        for problem in &all {
            super::super::tests::worded_in_both(
                &problem.text(Lang::Vi),
                &problem.text(Lang::En),
                problem,
            );
        }
        let retired = DirectoryError::Retired {
            code: crate::case::UnitId::parse("000.00.17.H21").unwrap(),
            from: chrono::NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            successor: crate::case::UnitId::parse("000.00.18.H21").unwrap(),
        };
        assert_eq!(
            RequestProblem::from(&retired).text(Lang::En),
            retired.to_string().replace("2025-07-01", "01/07/2025"),
            "the English wording stays the directory's own"
        );
    }
}
