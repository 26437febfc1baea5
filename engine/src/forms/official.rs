//! Forms 01–05 of Circular 01/2018 (03/2025 numbering): receipt and appointment, supplement
//! request, refusal, apology with a new date, and the stop-processing notice. Each is a titled
//! list of labelled fields, an optional table and the signature blocks, printable on A5.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::escape;
use crate::case::{ActorKind, Case, Directory, Event, EventKind, delivery_label, format_instant};
use crate::clock::{Calendars, vietnam};
use crate::procedure::{CopyKind, Outcome, Procedure};

/// One labelled line of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// A stable key for programs, e.g. `appointment`.
    pub key: String,
    /// The printed Vietnamese label.
    pub label: String,
    /// The value as printed.
    pub value: String,
}

/// A table on a form (the documents received, the documents to add).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormTable {
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// Who signs a form: the block's printed title and the person's name (empty where the person
/// signs by hand, e.g. the applicant at the counter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// The block's title, e.g. "NGƯỜI TIẾP NHẬN HỒ SƠ".
    pub title: String,
    /// The signer's full name.
    pub name: String,
}

/// A filled official form, laid out as the appendix of Circular 01/2018 prints it: the issuing
/// agency and the national motto side by side, the number, place and date, the title, the
/// labelled lines, the table and the named signature blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialForm {
    /// Its number under Circular 03/2025, e.g. "01".
    pub form: String,
    /// Its printed title.
    pub title: String,
    /// The dossier.
    pub dossier: String,
    /// The agency the issuing unit belongs to (cơ quan chủ quản), when the directory knows it.
    #[serde(default)]
    pub parent_agency: String,
    /// The issuing agency's name, e.g. "UBND xã Tân Lập".
    #[serde(default)]
    pub agency: String,
    /// The document number line, e.g. "000.00.17.H21-250303-0001/TN".
    #[serde(default)]
    pub number: String,
    /// The place (địa danh) of the date line; empty when the directory does not record it.
    #[serde(default)]
    pub place: String,
    /// When the form was issued: its event's time.
    #[serde(default)]
    pub issued_at: Option<DateTime<Utc>>,
    /// Labelled lines, in printed order.
    pub fields: Vec<FormField>,
    /// Its table, if it has one.
    pub table: Option<FormTable>,
    /// Who signs it.
    pub signatures: Vec<Signatory>,
}

/// Why a form cannot be made for a dossier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// No such form number.
    #[error(
        "no form {0}: available are 01 (receipt), 02 (supplement request), 03 (refusal), 04 (apology and new date), 05 (stop notice) and 06 (process-control slip)"
    )]
    Unknown(String),
    /// The dossier has not been through what the form records.
    #[error("dossier {dossier} has no form {form}: {why}")]
    NotApplicable {
        /// The dossier.
        dossier: String,
        /// The form.
        form: String,
        /// What has not happened.
        why: Absence,
    },
    /// A stored form no longer matches the hash its event recorded.
    #[error(
        "form {form} of dossier {dossier} does not match the hash recorded when it was issued; run `hoso audit verify`"
    )]
    Tampered {
        /// The dossier.
        dossier: String,
        /// The form.
        form: String,
    },
}

/// What a dossier has not been through, so a form that records it cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Absence {
    /// Not received (Form 01).
    NotReceived,
    /// No supplement requested (Form 02).
    NoSupplement,
    /// One supplement requested, asked for by a later number.
    OneSupplement,
    /// Several supplements requested, asked for by a number past the last.
    Supplements(usize),
    /// Not refused (Form 03).
    NotRefused,
    /// Appointment never extended (Form 04).
    NeverExtended,
    /// Processing not stopped (Form 05).
    NotStopped,
    /// The record up to the form's event cannot be replayed.
    Unreplayable(String),
}

/// In English, for logs and the CLI; people read it from the message catalogue.
impl fmt::Display for Absence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotReceived => f.write_str("it has not been received"),
            Self::NoSupplement => f.write_str("no supplement was requested"),
            Self::OneSupplement => {
                f.write_str("one supplement was requested: ask for form 02 or 02-1")
            }
            Self::Supplements(count) => write!(
                f,
                "{count} supplements were requested: ask for form 02-1 … 02-{count}"
            ),
            Self::NotRefused => f.write_str("it was not refused"),
            Self::NeverExtended => f.write_str("its appointment was never extended"),
            Self::NotStopped => f.write_str("its processing was not stopped"),
            Self::Unreplayable(why) => f.write_str(why),
        }
    }
}

fn field(key: &str, label: &str, value: impl Into<String>) -> FormField {
    FormField {
        key: key.to_owned(),
        label: label.to_owned(),
        value: value.into(),
    }
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(String::new, format_instant)
}

/// An instant as the forms write it: "09 giờ 30 phút, ngày 03 tháng 03 năm 2025".
pub fn long_instant(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%H giờ %M phút, ngày %d tháng %m năm %Y")
        .to_string()
}

/// The date line's date: "ngày 03 tháng 03 năm 2025".
fn long_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("ngày %d tháng %m năm %Y")
        .to_string()
}

/// The form an event issues, by its base number: the receipt (again, when the appointment moves
/// other than by an apology), a supplement request, a refusal at intake or after appraisal
/// (Decree 61/2018 art. 19.8), an apology, a stop.
pub fn form_of(kind: &EventKind) -> Option<&'static str> {
    match kind {
        EventKind::Received { .. }
        | EventKind::SupplementSubmitted {
            appointment: Some(_),
            ..
        }
        | EventKind::TimeLimitExtended { .. }
        | EventKind::DeadlinesRecomputed { .. } => Some("01"),
        EventKind::SupplementRequested { .. } => Some("02"),
        EventKind::RefusedAtIntake { .. }
        | EventKind::ActionTaken {
            outcome: Some(Outcome::Refused),
            ..
        } => Some("03"),
        EventKind::Extended { .. } => Some("04"),
        EventKind::Stopped { .. } => Some("05"),
        _ => None,
    }
}

/// The person who signs for the agency: the name the event recorded for an officer.
fn officer_name(event: &Event) -> String {
    match (&event.actor.kind, &event.actor.name) {
        (ActorKind::Officer { .. }, Some(name)) => name.clone(),
        _ => String::new(),
    }
}

/// How many of a component, and as what kind of paper, as the receipt lists it.
fn copy_label(copy: CopyKind) -> &'static str {
    match copy {
        CopyKind::Original => "Bản chính",
        CopyKind::CertifiedCopy => "Bản sao chứng thực hoặc bản sao điện tử",
        CopyKind::Copy => "Bản chụp",
    }
}

/// Splits "02-3" into the base number and the occurrence.
fn parse_number(number: &str) -> Result<(&str, Option<usize>), FormError> {
    match number.split_once('-') {
        None if matches!(number, "01" | "02" | "03" | "04" | "05") => Ok((number, None)),
        Some(("02", nth)) => match nth.parse::<usize>() {
            Ok(nth) if nth >= 1 => Ok(("02", Some(nth))),
            _ => Err(FormError::Unknown(number.to_owned())),
        },
        _ => Err(FormError::Unknown(number.to_owned())),
    }
}

/// Builds form `number` (01–05) from a dossier as it stood when the form's event happened:
/// `case` is the state right after that event and `events` end with it (or later events that
/// issue no other copy of the form). Form 02 is the latest supplement request's; `02-N` is the
/// N-th request's (each agency of a liên thông dossier may ask once, each with its own Form 02).
pub fn official_form(
    number: &str,
    case: &Case,
    events: &[Event],
    procedure: &Procedure,
    calendars: &Calendars,
    directory: &Directory,
) -> Result<OfficialForm, FormError> {
    let (number, occurrence) = parse_number(number)?;
    let definition = procedure.definition();
    let dossier = case.code.to_string();
    let not_applicable = |why: Absence| FormError::NotApplicable {
        dossier: dossier.clone(),
        form: number.to_owned(),
        why,
    };
    let issuing = |kind: &EventKind| form_of(kind) == Some(number);
    let found = match occurrence {
        None => events.iter().rev().find(|event| issuing(&event.kind)),
        Some(nth) => events
            .iter()
            .filter(|event| issuing(&event.kind))
            .nth(nth - 1),
    };
    let Some(event) = found else {
        let count = events.iter().filter(|event| issuing(&event.kind)).count();
        return Err(match (number, count) {
            ("01", _) => not_applicable(Absence::NotReceived),
            ("02", 0) => not_applicable(Absence::NoSupplement),
            ("02", 1) => not_applicable(Absence::OneSupplement),
            ("02", count) => not_applicable(Absence::Supplements(count)),
            ("03", _) => not_applicable(Absence::NotRefused),
            ("04", _) => not_applicable(Absence::NeverExtended),
            _ => not_applicable(Absence::NotStopped),
        });
    };
    let unit_name = |code: &crate::case::UnitId| {
        directory
            .unit(code)
            .map_or_else(|| code.to_string(), |unit| unit.name.clone())
    };
    let receiving = directory.unit(&case.receiving_unit);
    let agency = unit_name(&case.receiving_unit);
    let parent_agency = receiving
        .and_then(|unit| unit.parent.as_ref())
        .map(unit_name)
        .unwrap_or_default();
    let place = receiving
        .and_then(|unit| unit.place.clone())
        .unwrap_or_default();
    let applicant = [
        field(
            "receiving_unit",
            "Bộ phận tiếp nhận và trả kết quả",
            format!("Bộ phận Một cửa — {agency}"),
        ),
        field("dossier", "Mã hồ sơ", dossier.clone()),
        field(
            "applicant",
            "Tiếp nhận hồ sơ của",
            case.applicant.name.clone(),
        ),
        field(
            "applicant_id",
            case.applicant.kind.identifier_label(),
            match &case.applicant.nationality {
                Some(nationality) => format!("{} ({nationality})", case.applicant.citizen_id),
                None => case.applicant.citizen_id.clone(),
            },
        ),
    ]
    .into_iter()
    .chain(
        case.applicant
            .representative
            .as_ref()
            .map(|representative| {
                field(
                    "representative",
                    representative.basis.label(),
                    format!(
                        "{} — số định danh cá nhân {}",
                        representative.name, representative.citizen_id
                    ),
                )
            }),
    )
    .chain([
        field(
            "phone",
            "Số điện thoại",
            case.applicant.phone.clone().unwrap_or_default(),
        ),
        field(
            "email",
            "Email",
            case.applicant.email.clone().unwrap_or_default(),
        ),
        field(
            "request",
            "Nội dung yêu cầu giải quyết",
            definition.name.clone(),
        ),
    ]);
    let applicant: Vec<FormField> = applicant.collect();
    let signer = officer_name(event);
    let sign = |title: &str, name: String| Signatory {
        title: title.to_owned(),
        name,
    };
    let (title, suffix, mut fields, table, signatures) = match &event.kind {
        _ if number == "01" => {
            let received = case
                .received_at
                .ok_or_else(|| not_applicable(Absence::NotReceived))?;
            // The applicant's choice; dossiers from before the choice list what was offered.
            let delivery = match &case.delivery {
                Some(chosen) => chosen.describe(),
                None => format!(
                    "chưa chọn; thủ tục cho phép: {}",
                    definition
                        .result
                        .delivery
                        .iter()
                        .map(|delivery| delivery_label(*delivery))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            };
            let provisional = calendars.is_provisional_span(case.appointment_span());
            let rows = case
                .documents
                .iter()
                .enumerate()
                .map(|(index, document)| {
                    let declared = procedure.document(&document.component);
                    vec![
                        (index + 1).to_string(),
                        declared.map_or_else(
                            || document.name.clone(),
                            |declared| declared.name.clone(),
                        ),
                        declared.map_or(1, |declared| declared.quantity).to_string(),
                        declared
                            .map_or("", |declared| copy_label(declared.copy))
                            .to_owned(),
                        document.provenance.label().to_owned(),
                    ]
                })
                .collect();
            // The receiving officer signs; a later copy keeps the first receipt's officer.
            let receiver = events
                .iter()
                .find(|event| matches!(event.kind, EventKind::Received { .. }))
                .map(officer_name)
                .unwrap_or_default();
            let reissued = !matches!(event.kind, EventKind::Received { .. });
            (
                "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                "TN",
                [
                    field("sets", "Số lượng hồ sơ", "01 (bộ)"),
                    field(
                        "time_limit",
                        "Thời gian giải quyết hồ sơ theo quy định",
                        case.time_limit
                            .map(|limit| limit.vietnamese())
                            .unwrap_or_default(),
                    ),
                    field("received_at", "Thời gian nhận hồ sơ", long_instant(received)),
                    field(
                        "appointment",
                        "Thời gian trả kết quả giải quyết hồ sơ",
                        match case.appointment {
                            Some(at) if provisional => {
                                format!("{} (ngày hẹn tạm tính)", long_instant(at))
                            }
                            Some(at) => long_instant(at),
                            None => String::new(),
                        },
                    ),
                    field("delivery", "Đăng ký nhận kết quả tại", delivery),
                ]
                .into_iter()
                .chain(case.lookup_key.as_ref().map(|key| {
                    field(
                        "lookup_key",
                        "Mã tra cứu (tra cứu hồ sơ không cần đăng nhập, cùng mã hồ sơ)",
                        key.clone(),
                    )
                }))
                .chain(reissued.then(|| {
                    field(
                        "reissued",
                        "Ghi chú",
                        format!(
                            "Giấy này thay Giấy tiếp nhận đã cấp trước đó vì ngày hẹn trả kết quả thay đổi ({}).",
                            reissue_reason(&event.kind)
                        ),
                    )
                }))
                .chain(provisional.then(|| {
                    field(
                        "appointment_note",
                        "Ghi chú về ngày hẹn",
                        "Ngày hẹn được tính theo lịch nghỉ lễ dự kiến của năm chưa có thông báo chính thức; nếu lịch chính thức khác, ngày hẹn sẽ được tính lại và thông báo cho ông/bà.",
                    )
                }))
                .collect(),
                Some(FormTable {
                    columns: vec![
                        "STT".into(),
                        "Tên giấy tờ".into(),
                        "Số lượng".into(),
                        "Loại bản".into(),
                        "Hình thức nộp".into(),
                    ],
                    rows,
                }),
                vec![
                    sign("NGƯỜI NỘP HỒ SƠ", case.applicant.name.clone()),
                    sign("NGƯỜI TIẾP NHẬN HỒ SƠ", receiver),
                ],
            )
        }
        EventKind::SupplementRequested { missing, reason } => {
            let rows = missing
                .iter()
                .enumerate()
                .map(|(index, missing)| {
                    let declared = procedure.document(&missing.document);
                    vec![
                        (index + 1).to_string(),
                        declared.map_or_else(
                            || missing.document.clone(),
                            |declared| declared.name.clone(),
                        ),
                        declared.map_or(1, |declared| declared.quantity).to_string(),
                        declared
                            .map_or("", |declared| copy_label(declared.copy))
                            .to_owned(),
                        missing.note.clone(),
                    ]
                })
                .collect();
            (
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                "BS",
                vec![
                    field("requested_at", "Ngày yêu cầu", long_instant(event.at)),
                    field("reason", "Lý do", reason.clone()),
                ],
                Some(FormTable {
                    columns: vec![
                        "STT".into(),
                        "Tên giấy tờ cần bổ sung".into(),
                        "Số lượng".into(),
                        "Loại bản".into(),
                        "Nội dung cần bổ sung, hoàn thiện".into(),
                    ],
                    rows,
                }),
                vec![sign("NGƯỜI HƯỚNG DẪN", signer)],
            )
        }
        EventKind::RefusedAtIntake { reason } => (
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "TC",
            vec![
                field("refused_at", "Ngày từ chối", long_instant(event.at)),
                field(
                    "reason",
                    "Không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau",
                    reason.clone(),
                ),
            ],
            None,
            vec![sign("NGƯỜI TIẾP NHẬN HỒ SƠ", signer)],
        ),
        EventKind::ActionTaken { action, reason, .. } => (
            "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ",
            "TC",
            vec![
                field(
                    "received_at",
                    "Ngày tiếp nhận hồ sơ",
                    when(case.received_at),
                ),
                field("refused_at", "Ngày từ chối", long_instant(event.at)),
                field(
                    "decision",
                    "Quyết định",
                    definition
                        .actions
                        .iter()
                        .find(|declared| &declared.id == action)
                        .map_or_else(|| action.clone(), |declared| declared.name.clone()),
                ),
                field(
                    "reason",
                    "Sau khi thẩm định, hồ sơ không đủ điều kiện giải quyết với lý do cụ thể như sau",
                    reason.clone().unwrap_or_default(),
                ),
                field(
                    "basis",
                    "Căn cứ",
                    "Khoản 8 Điều 19 Nghị định số 61/2018/NĐ-CP; phiếu được chuyển qua Bộ phận Một cửa và ghi nhận khi trả kết quả",
                ),
            ],
            None,
            vec![sign("THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT", signer)],
        ),
        EventKind::Extended {
            reason,
            previous,
            appointment,
        } => (
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "XL",
            vec![
                field(
                    "received_at",
                    "Ngày tiếp nhận hồ sơ",
                    when(case.received_at),
                ),
                field(
                    "previous_appointment",
                    "Hẹn trả kết quả ngày",
                    format_instant(*previous),
                ),
                field("reason", "Đến nay chưa trả kết quả. Lý do", reason.clone()),
                field(
                    "apology",
                    "Xin lỗi",
                    format!("{agency} xin lỗi Ông/Bà vì sự chậm trễ này."),
                ),
                field(
                    "appointment",
                    "Hẹn lại ngày trả kết quả",
                    format_instant(*appointment),
                ),
                field("issued_at", "Ngày lập", format_instant(event.at)),
            ],
            None,
            vec![sign("THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT", signer)],
        ),
        EventKind::Stopped { reason } => (
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "DXL",
            vec![
                field("stopped_at", "Ngày dừng giải quyết", long_instant(event.at)),
                field("reason", "Lý do", reason.clone()),
            ],
            None,
            vec![sign("THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT", signer)],
        ),
        _ => return Err(FormError::Unknown(number.to_owned())),
    };
    let mut all: Vec<FormField> = applicant;
    all.append(&mut fields);
    let number_line = match occurrence {
        Some(nth) => format!("{dossier}/{suffix}-{nth}"),
        None if number == "02" => format!(
            "{dossier}/{suffix}-{}",
            events.iter().filter(|event| issuing(&event.kind)).count()
        ),
        None => format!("{dossier}/{suffix}"),
    };
    Ok(OfficialForm {
        form: number.to_owned(),
        title: title.to_owned(),
        dossier,
        parent_agency,
        agency,
        number: number_line,
        place,
        issued_at: Some(event.at),
        fields: all,
        table,
        signatures,
    })
}

fn reissue_reason(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::SupplementSubmitted { .. } => "hồ sơ đã được bổ sung, thời hạn tính lại",
        EventKind::TimeLimitExtended { .. } => "gia hạn thời hạn giải quyết theo quy định",
        _ => "tính lại theo lịch làm việc chính thức",
    }
}

/// The national motto and slogan over every form (Quốc hiệu, tiêu ngữ).
const MOTTO: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const SLOGAN: &str = "Độc lập - Tự do - Hạnh phúc";

/// The form as a printable A5 page (A4 when printed larger), as the appendix lays it out.
pub fn official_form_html(form: &OfficialForm) -> String {
    let mut body = String::new();
    for field in &form.fields {
        body.push_str(&format!(
            "<p><b>{}:</b> {}</p>\n",
            escape(&field.label),
            escape(&field.value)
        ));
    }
    if let Some(table) = &form.table {
        body.push_str("<table><tr>");
        for column in &table.columns {
            body.push_str(&format!("<th>{}</th>", escape(column)));
        }
        body.push_str("</tr>\n");
        for row in &table.rows {
            body.push_str("<tr>");
            for cell in row {
                body.push_str(&format!("<td>{}</td>", escape(cell)));
            }
            body.push_str("</tr>\n");
        }
        body.push_str("</table>\n");
    }
    let signatures: String = form
        .signatures
        .iter()
        .map(|signatory| {
            format!(
                "<div class=sign><b>{}</b><br><i>(Ký, ghi rõ họ tên)</i><div class=space></div>{}</div>",
                escape(&signatory.title),
                escape(&signatory.name)
            )
        })
        .collect();
    let place = if form.place.is_empty() {
        "……………".to_owned()
    } else {
        escape(&form.place)
    };
    let date = form
        .issued_at
        .map_or_else(|| "ngày … tháng … năm …".to_owned(), long_date);
    format!(
        "<!doctype html>\n<html lang=vi><head><meta charset=utf-8><title>Mẫu {number} — {dossier}</title>\n<style>@page {{ size: A5; margin: 12mm }} body {{ font-family: 'Times New Roman', serif; font-size: 12pt }} .head {{ display: flex; justify-content: space-between; text-align: center }} .head div {{ flex: 1 }} .motto {{ font-weight: bold }} .slogan {{ font-weight: bold; text-decoration: underline }} .date {{ text-align: right; font-style: italic }} h1 {{ font-size: 14pt; text-align: center }} table {{ border-collapse: collapse; width: 100% }} td, th {{ border: 1px solid #444; padding: 3px 5px }} .signs {{ display: flex; justify-content: space-around; margin-top: 8mm; text-align: center }} .space {{ height: 16mm }} .form-number {{ text-align: right; font-size: 10pt }}</style></head>\n<body><p class=form-number>Mẫu số {number}</p>\n<div class=head><div>{parent}<b>{agency}</b><br>Số: {document_number}</div><div><span class=motto>{MOTTO}</span><br><span class=slogan>{SLOGAN}</span></div></div>\n<p class=date>{place}, {date}</p>\n<h1>{title}</h1>\n{body}<div class=signs>{signatures}</div></body></html>\n",
        number = escape(&form.form),
        dossier = escape(&form.dossier),
        parent = if form.parent_agency.is_empty() {
            String::new()
        } else {
            format!("{}<br>", escape(&form.parent_agency.to_uppercase()))
        },
        agency = escape(&form.agency.to_uppercase()),
        document_number = escape(&form.number),
        title = escape(&form.title),
    )
}
