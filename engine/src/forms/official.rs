//! Forms 01–05 of Circular 01/2018 (03/2025 numbering): receipt and appointment, supplement
//! request, refusal, apology with a new date, and the stop-processing notice. Each is a titled
//! list of labelled fields, an optional table and the signature blocks, printable on A5.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::escape;
use crate::case::{Case, Event, EventKind, format_instant};
use crate::clock::Calendars;
use crate::procedure::{Delivery, Procedure};

/// One labelled line of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormField {
    /// A stable key for programs, e.g. `appointment`.
    pub key: String,
    /// The printed Vietnamese label.
    pub label: String,
    /// The value as printed.
    pub value: String,
}

/// A table on a form (the documents received, the documents to add).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormTable {
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// A filled official form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialForm {
    /// Its number under Circular 03/2025, e.g. "01".
    pub form: String,
    /// Its printed title.
    pub title: String,
    /// The dossier.
    pub dossier: String,
    /// Labelled lines, in printed order.
    pub fields: Vec<FormField>,
    /// Its table, if it has one.
    pub table: Option<FormTable>,
    /// Who signs it.
    pub signatures: Vec<String>,
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
        why: String,
    },
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

fn last_event<'a, T>(
    events: &'a [Event],
    pick: impl Fn(&'a EventKind) -> Option<T>,
) -> Option<(&'a Event, T)> {
    events
        .iter()
        .rev()
        .find_map(|event| pick(&event.kind).map(|found| (event, found)))
}

/// Builds form `number` (01–05) for a dossier from its state and events. Form 02 is the latest
/// supplement request's; `02-N` is the N-th request's (each agency of a liên thông dossier may
/// ask once, each with its own Form 02).
pub fn official_form(
    number: &str,
    case: &Case,
    events: &[Event],
    procedure: &Procedure,
    calendars: &Calendars,
) -> Result<OfficialForm, FormError> {
    let (number, occurrence) = match number.split_once('-') {
        None => (number, None),
        Some(("02", nth)) => match nth.parse::<usize>() {
            Ok(nth) if nth >= 1 => ("02", Some(nth)),
            _ => return Err(FormError::Unknown(number.to_owned())),
        },
        Some(_) => return Err(FormError::Unknown(number.to_owned())),
    };
    let definition = procedure.definition();
    let dossier = case.code.to_string();
    let not_applicable = |why: &str| FormError::NotApplicable {
        dossier: dossier.clone(),
        form: number.to_owned(),
        why: why.to_owned(),
    };
    let applicant = [
        field(
            "receiving_unit",
            "Bộ phận tiếp nhận và trả kết quả",
            case.receiving_unit.to_string(),
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
    let (title, mut fields, table, signatures) = match number {
        "01" => {
            let received = case
                .received_at
                .ok_or_else(|| not_applicable("it has not been received"))?;
            // The applicant's choice; dossiers from before the choice list what was offered.
            let delivery = match &case.delivery {
                Some(chosen) => chosen.describe(),
                None => definition
                    .result
                    .delivery
                    .iter()
                    .map(|delivery| match delivery {
                        Delivery::Online => "trực tuyến",
                        Delivery::Postal => "qua dịch vụ bưu chính",
                        Delivery::Counter => "tại Bộ phận Một cửa",
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let provisional = calendars.is_provisional_span(case.appointment_span());
            let rows = case
                .documents
                .iter()
                .enumerate()
                .map(|(index, document)| {
                    vec![
                        (index + 1).to_string(),
                        document.component.clone(),
                        document.name.clone(),
                    ]
                })
                .collect();
            (
                "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                vec![
                    field("sets", "Số lượng hồ sơ", "01 (bộ)"),
                    field(
                        "time_limit",
                        "Thời gian giải quyết hồ sơ theo quy định",
                        case.time_limit
                            .map(|limit| limit.to_string())
                            .unwrap_or_default(),
                    ),
                    field(
                        "received_at",
                        "Thời gian nhận hồ sơ",
                        format_instant(received),
                    ),
                    field(
                        "appointment",
                        "Thời gian trả kết quả giải quyết hồ sơ",
                        if provisional {
                            format!("{} (ngày hẹn tạm tính)", when(case.appointment))
                        } else {
                            when(case.appointment)
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
                .chain(provisional.then(|| {
                    field(
                        "appointment_note",
                        "Ghi chú",
                        "Ngày hẹn được tính theo lịch nghỉ lễ dự kiến của năm chưa có thông báo chính thức; nếu lịch chính thức khác, ngày hẹn sẽ được tính lại và thông báo cho ông/bà.",
                    )
                }))
                .collect(),
                Some(FormTable {
                    columns: vec![
                        "STT".into(),
                        "Thành phần hồ sơ".into(),
                        "Tên giấy tờ".into(),
                    ],
                    rows,
                }),
                vec![
                    "NGƯỜI NỘP HỒ SƠ".to_owned(),
                    "NGƯỜI TIẾP NHẬN HỒ SƠ".to_owned(),
                ],
            )
        }
        "02" => {
            fn requested(
                kind: &EventKind,
            ) -> Option<(&Vec<crate::case::MissingDocument>, &String)> {
                match kind {
                    EventKind::SupplementRequested { missing, reason } => Some((missing, reason)),
                    _ => None,
                }
            }
            let found = match occurrence {
                None => last_event(events, requested),
                Some(nth) => events
                    .iter()
                    .filter_map(|event| requested(&event.kind).map(|found| (event, found)))
                    .nth(nth - 1),
            };
            let (event, (missing, reason)) = found.ok_or_else(|| {
                let count = events
                    .iter()
                    .filter(|event| requested(&event.kind).is_some())
                    .count();
                match count {
                    0 => not_applicable("no supplement was requested"),
                    1 => not_applicable("one supplement was requested: ask for form 02 or 02-1"),
                    count => not_applicable(&format!(
                        "{count} supplements were requested: ask for form 02-1 … 02-{count}"
                    )),
                }
            })?;
            let rows = missing
                .iter()
                .enumerate()
                .map(|(index, missing)| {
                    vec![
                        (index + 1).to_string(),
                        missing.document.clone(),
                        missing.note.clone(),
                    ]
                })
                .collect();
            (
                "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
                vec![
                    field("requested_at", "Ngày yêu cầu", format_instant(event.at)),
                    field("reason", "Lý do", reason.clone()),
                ],
                Some(FormTable {
                    columns: vec![
                        "STT".into(),
                        "Giấy tờ cần bổ sung".into(),
                        "Nội dung".into(),
                    ],
                    rows,
                }),
                vec!["NGƯỜI HƯỚNG DẪN".to_owned()],
            )
        }
        "03" => {
            let (event, reason) = last_event(events, |kind| match kind {
                EventKind::RefusedAtIntake { reason } => Some(reason),
                _ => None,
            })
            .ok_or_else(|| not_applicable("it was not refused"))?;
            (
                "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
                vec![
                    field("refused_at", "Ngày từ chối", format_instant(event.at)),
                    field(
                        "reason",
                        "Không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau",
                        reason.clone(),
                    ),
                ],
                None,
                vec!["NGƯỜI TIẾP NHẬN HỒ SƠ".to_owned()],
            )
        }
        "04" => {
            let (event, (reason, previous, appointment)) = last_event(events, |kind| match kind {
                EventKind::Extended {
                    reason,
                    previous,
                    appointment,
                } => Some((reason, *previous, *appointment)),
                _ => None,
            })
            .ok_or_else(|| not_applicable("its appointment was never extended"))?;
            (
                "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
                vec![
                    field(
                        "received_at",
                        "Ngày tiếp nhận hồ sơ",
                        when(case.received_at),
                    ),
                    field(
                        "previous_appointment",
                        "Hẹn trả kết quả ngày",
                        format_instant(previous),
                    ),
                    field("reason", "Đến nay chưa trả kết quả. Lý do", reason.clone()),
                    field(
                        "apology",
                        "Xin lỗi",
                        "Cơ quan xin lỗi Ông/Bà vì sự chậm trễ này.",
                    ),
                    field(
                        "appointment",
                        "Hẹn lại ngày trả kết quả",
                        format_instant(appointment),
                    ),
                    field("issued_at", "Ngày lập", format_instant(event.at)),
                ],
                None,
                vec!["THỦ TRƯỞNG CƠ QUAN".to_owned()],
            )
        }
        "05" => {
            let (event, reason) = last_event(events, |kind| match kind {
                EventKind::Stopped { reason } => Some(reason),
                _ => None,
            })
            .ok_or_else(|| not_applicable("its processing was not stopped"))?;
            (
                "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
                vec![
                    field(
                        "stopped_at",
                        "Ngày dừng giải quyết",
                        format_instant(event.at),
                    ),
                    field("reason", "Lý do", reason.clone()),
                ],
                None,
                vec!["THỦ TRƯỞNG CƠ QUAN".to_owned()],
            )
        }
        other => return Err(FormError::Unknown(other.to_owned())),
    };
    let mut all: Vec<FormField> = applicant;
    all.append(&mut fields);
    Ok(OfficialForm {
        form: number.to_owned(),
        title: title.to_owned(),
        dossier,
        fields: all,
        table,
        signatures,
    })
}

/// The form as a printable A5 page.
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
        .map(|who| {
            format!(
                "<div class=sign><b>{}</b><br><i>(Ký, ghi rõ họ tên)</i></div>",
                escape(who)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=vi><head><meta charset=utf-8><title>Mẫu {number} — {dossier}</title>\n<style>@page {{ size: A5; margin: 12mm }} body {{ font-family: 'Times New Roman', serif; font-size: 12pt }} h1 {{ font-size: 14pt; text-align: center }} table {{ border-collapse: collapse; width: 100% }} td, th {{ border: 1px solid #444; padding: 3px 5px }} .signs {{ display: flex; justify-content: space-around; margin-top: 12mm; text-align: center }}</style></head>\n<body><p>Mẫu số {number}</p><h1>{title}</h1>\n{body}<div class=signs>{signatures}</div></body></html>\n",
        number = escape(&form.form),
        dossier = escape(&form.dossier),
        title = escape(&form.title),
    )
}
