//! Official one-stop forms built from dossier data (Circular 01/2018/TT-VPCP, renumbered by
//! Circular 03/2025): forms 01–05 in [`official_form`], and here the process-control slip (phiếu kiểm soát quá trình giải
//! quyết hồ sơ, Form 06 since 2025, Form 05 before): every handover of the dossier with the
//! giver, the holding unit, the times, and early / on time / late against that unit's allotment.

mod issue;
mod official;
mod register;
mod svg;

pub(crate) use issue::issue;
pub use issue::{form_hash, issued_form, title_case};
pub use official::{
    Absence, FormError, FormField, FormTable, OfficialForm, Signatory, form_of, long_instant,
    official_form, official_form_html,
};
pub use register::{Register, RegisterRow, register, register_html};
pub use svg::{timeline_svg, timeline_svg_vertical};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::case::{Case, Names, Status, format_instant};
use crate::clock::vietnam;
use crate::procedure::{Outcome, Procedure};

/// How a unit did against its allotted time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowResult {
    /// Trước hạn — handed on before the due day.
    Early,
    /// Đúng hạn — handed on on the due day, by the due time.
    OnTime,
    /// Quá hạn — handed on after the due time, or still held past it.
    Late,
    /// Đang xử lý — still held, not yet due.
    InProgress,
}

impl RowResult {
    /// The label printed on the slip.
    pub fn label(self) -> &'static str {
        match self {
            Self::Early => "Trước hạn",
            Self::OnTime => "Đúng hạn",
            Self::Late => "Quá hạn",
            Self::InProgress => "Đang xử lý",
        }
    }
}

/// One handover row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlipRow {
    /// The code of the unit that held the dossier.
    pub unit: String,
    /// That unit's name in the unit directory, e.g. "Công an xã Tân Lập" (the procedure's name for
    /// the kind when the directory does not know it).
    pub unit_name: String,
    /// The part of the process the unit played, as the procedure names it, e.g. "Tư pháp - Hộ
    /// tịch".
    pub unit_kind_name: String,
    /// The step it held it for.
    pub step: String,
    /// The step's name.
    pub step_name: String,
    /// Who handed the dossier over to it, by name (their user id when not a user).
    pub given_by: String,
    /// Their user id, for the audit trail.
    pub given_by_id: String,
    /// When it received the dossier.
    pub received_at: DateTime<Utc>,
    /// When it was due to hand it on (its allotment, counted on the official calendar).
    pub due_at: DateTime<Utc>,
    /// When it handed it on, if it has.
    pub handed_on_at: Option<DateTime<Utc>>,
    /// Early, on time or late.
    pub result: RowResult,
    /// The GHI CHÚ column: how the stay ended when it ended the dossier, e.g. a refusal.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// The process-control slip of one dossier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControlSlip {
    /// Always "06" (Circular 03/2025 numbering).
    pub form: String,
    /// The dossier code.
    pub dossier: String,
    /// The receiving agency's name, from the unit directory.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub agency: String,
    /// The procedure's name.
    pub procedure: String,
    /// The applicant.
    pub applicant: String,
    /// The appointment for the result.
    pub appointment: Option<DateTime<Utc>>,
    /// One row per unit the dossier passed through, in order.
    pub rows: Vec<SlipRow>,
    /// When the result was returned to the applicant (the slip's last line).
    pub returned_at: Option<DateTime<Utc>>,
}

/// Judges one stay: after the due time is late; on an earlier day than the due day is early;
/// otherwise on time. Days are Vietnam calendar days, as on the printed slip.
pub fn judge(
    handed_on_at: Option<DateTime<Utc>>,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> RowResult {
    let day = |at: DateTime<Utc>| at.with_timezone(&vietnam()).date_naive();
    match handed_on_at {
        None if now > due_at => RowResult::Late,
        None => RowResult::InProgress,
        Some(at) if at > due_at => RowResult::Late,
        Some(at) if day(at) < day(due_at) => RowResult::Early,
        Some(_) => RowResult::OnTime,
    }
}

/// Builds the slip from the dossier's step visits, naming units from the directory and officers
/// from `names`; `now` judges a stay still open.
pub fn control_slip(
    case: &Case,
    procedure: &Procedure,
    names: &Names<'_>,
    now: DateTime<Utc>,
) -> ControlSlip {
    let definition = procedure.definition();
    let rows = case
        .visits
        .iter()
        .map(|visit| {
            let step = procedure.step(&visit.step);
            let unit_kind = step.map(|step| step.unit.as_str()).unwrap_or_default();
            let unit_kind_name = definition
                .units
                .iter()
                .find(|unit| unit.id == unit_kind)
                .map_or_else(|| visit.unit.to_string(), |unit| unit.name.clone());
            let unit_name = names
                .directory
                .and_then(|directory| directory.unit(&visit.unit))
                .map_or_else(|| unit_kind_name.clone(), |unit| unit.name.clone());
            let ended_it = visit.left_at.is_some() && visit.left_at == case.finished_at;
            SlipRow {
                unit: visit.unit.to_string(),
                unit_name,
                unit_kind_name,
                step: visit.step.clone(),
                step_name: step.map_or_else(|| visit.step.clone(), |step| step.name.clone()),
                given_by: person(case, names, &visit.from_actor, visit.from_name.as_deref()),
                given_by_id: visit.from_actor.clone(),
                received_at: visit.entered_at,
                due_at: visit.due_at,
                handed_on_at: visit.left_at,
                result: judge(visit.left_at, visit.due_at, now),
                note: match (ended_it, case.outcome, case.status) {
                    (true, Some(Outcome::Refused), _) => {
                        "Từ chối giải quyết hồ sơ (Mẫu số 03)".to_owned()
                    }
                    (true, _, Status::Stopped) => "Dừng giải quyết hồ sơ (Mẫu số 05)".to_owned(),
                    (true, _, Status::Withdrawn) => "Công dân rút hồ sơ".to_owned(),
                    _ => String::new(),
                },
            }
        })
        .collect::<Vec<_>>();
    // A dossier refused at the desk never reached a step: its one row is the desk's check, from
    // submission to the refusal handed to the applicant.
    let mut rows = rows;
    if rows.is_empty() && case.status == Status::NotReceived {
        let refused_at = case.finished_at.unwrap_or(case.submitted_at);
        let due_at = case
            .windows
            .iter()
            .map(|window| window.closes_at)
            .min()
            .unwrap_or(refused_at);
        let desk = names
            .directory
            .and_then(|directory| directory.unit(&case.receiving_unit))
            .map_or_else(|| case.receiving_unit.to_string(), |unit| unit.name.clone());
        rows.push(SlipRow {
            unit: case.receiving_unit.to_string(),
            unit_name: desk,
            unit_kind_name: "Bộ phận Một cửa".to_owned(),
            step: "tiep_nhan".to_owned(),
            step_name: "Kiểm tra, tiếp nhận hồ sơ".to_owned(),
            given_by: case.applicant.name.clone(),
            given_by_id: case.applicant.citizen_id.clone(),
            received_at: case.submitted_at,
            due_at,
            handed_on_at: Some(refused_at),
            result: judge(Some(refused_at), due_at, now),
            note: "Từ chối tiếp nhận hồ sơ (Mẫu số 03)".to_owned(),
        });
    }
    ControlSlip {
        form: "06".to_owned(),
        dossier: case.code.to_string(),
        agency: names
            .directory
            .and_then(|directory| directory.unit(&case.receiving_unit))
            .map_or_else(|| case.receiving_unit.to_string(), |unit| unit.name.clone()),
        procedure: definition.name.clone(),
        applicant: case.applicant.name.clone(),
        appointment: case.appointment,
        rows,
        // A refusal is handed back to the applicant as the dossier's result (art. 19.8).
        returned_at: case.returned_at.or(match case.status {
            Status::NotReceived => case.finished_at,
            _ => None,
        }),
    }
}

/// Who handed a dossier over, by name: as the event recorded it, from the staff list, or the
/// applicant; never an internal id.
fn person(case: &Case, names: &Names<'_>, id: &str, recorded: Option<&str>) -> String {
    if let Some(name) = recorded {
        return name.to_owned();
    }
    let known = names.person(id);
    if known != id {
        known
    } else if case.is_party(id) {
        case.applicant.name.clone()
    } else {
        "(không rõ tên)".to_owned()
    }
}

/// Text made safe to place in HTML or SVG.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(String::new, format_instant)
}

/// The slip as a printable A4 page with the form's Vietnamese headings.
pub fn control_slip_html(slip: &ControlSlip) -> String {
    let mut rows = String::new();
    for row in &slip.rows {
        rows.push_str(&format!(
            "<tr><td>{} <small>({})</small><br>{} — {}</td><td>1. Giao: {}<br>Người giao: {}<br>2. Nhận: {}<br>Hạn: {}<br>3. Chuyển tiếp: {}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&row.unit_name),
            escape(&row.unit),
            escape(&row.unit_kind_name),
            escape(&row.step_name),
            format_instant(row.received_at),
            escape(&row.given_by),
            format_instant(row.received_at),
            format_instant(row.due_at),
            when(row.handed_on_at),
            row.result.label(),
            escape(&row.note),
        ));
    }
    format!(
        "<!doctype html>\n<html lang=vi><head><meta charset=utf-8><title>Phiếu kiểm soát {code}</title>\n<style>@page {{ size: A4; margin: 15mm }} body {{ font-family: 'Times New Roman', serif }} table {{ border-collapse: collapse; width: 100% }} td, th {{ border: 1px solid #444; padding: 4px 6px; vertical-align: top }} .form-number {{ text-align: right }} .head {{ display: flex; justify-content: space-between; text-align: center }}</style></head>\n<body><p class=form-number>Mẫu số 06</p><div class=head><div><b>{agency}</b><br>BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ</div><div><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br><b><u>Độc lập - Tự do - Hạnh phúc</u></b></div></div>\n<h1>PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ</h1>\n<p>Mã hồ sơ: {code}<br>Thủ tục: {procedure}<br>Người nộp: {applicant}<br>Ngày hẹn trả kết quả: {appointment}</p>\n<table><tr><th>TÊN CƠ QUAN</th><th>THỜI GIAN GIAO, NHẬN HỒ SƠ</th><th>KẾT QUẢ GIẢI QUYẾT HỒ SƠ<br>(Trước hạn/đúng hạn/quá hạn)</th><th>GHI CHÚ</th></tr>\n{rows}<tr><td colspan=4>Trả kết quả cho tổ chức, cá nhân: {returned}</td></tr></table></body></html>\n",
        code = escape(&slip.dossier),
        agency = escape(&slip.agency.to_uppercase()),
        procedure = escape(&slip.procedure),
        applicant = escape(&slip.applicant),
        appointment = when(slip.appointment),
        returned = when(slip.returned_at),
    )
}
