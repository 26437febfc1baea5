//! The dossier register (sổ theo dõi hồ sơ, Form 07 since 2025, Form 06 before): one row per
//! dossier a unit received, printed on A4. Like the paper book it stands for (Circular 01/2018
//! art. 10.2: opened each year, numbered from 01 continuously to the year's end), a row's number
//! counts every dossier the unit received since 1 January, whatever period is printed.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::escape;
use chrono::Datelike;

use crate::case::{Case, format_instant};
use crate::clock::vietnam_day;
use crate::indicators::Period;
use crate::procedure::Procedure;

/// One line of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterRow {
    /// Số thứ tự: the dossier's place among those the unit received this year, from 1.
    pub number: usize,
    /// Mã hồ sơ.
    pub dossier: String,
    /// The procedure's name.
    pub procedure: String,
    /// Sets of documents (always one for an electronic dossier).
    pub sets: u32,
    /// The applicant.
    pub applicant: String,
    /// The applicant's phone.
    pub phone: String,
    /// The unit holding the dossier now.
    pub unit: String,
    /// Ngày nhận hồ sơ.
    pub received_at: Option<DateTime<Utc>>,
    /// Ngày hẹn trả kết quả.
    pub appointment: Option<DateTime<Utc>>,
    /// When it was first handed on from the one-stop desk.
    pub transferred_at: Option<DateTime<Utc>>,
    /// When processing ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// When the result was returned.
    pub returned_at: Option<DateTime<Utc>>,
    /// Its status, in Vietnamese.
    pub status: String,
}

/// The register of a unit for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Register {
    /// Always "07".
    pub form: String,
    /// The receiving unit.
    pub unit: String,
    /// The period.
    pub period: Period,
    /// Its rows, by receipt time.
    pub rows: Vec<RegisterRow>,
}

/// When `unit` got a dossier, when its part was due, and when it handed the dossier on: for the
/// receiving unit, receipt, the appointment and the first handover; for a unit the dossier was
/// routed to (liên thông), its own first arrival, its last stay's due time and departure.
fn unit_dates(case: &Case, unit: &str) -> Option<UnitDates> {
    if case.receiving_unit.as_str() == unit {
        return Some((
            case.received_at?,
            case.appointment,
            case.visits.first().and_then(|visit| visit.left_at),
        ));
    }
    let mut stays = case
        .visits
        .iter()
        .filter(|visit| visit.unit.as_str() == unit);
    let first = stays.next()?;
    let last = stays.next_back().unwrap_or(first);
    Some((first.entered_at, Some(last.due_at), last.left_at))
}

type UnitDates = (DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Builds the register of the dossiers `unit` received in `period`, and of those routed to it
/// that reached it in `period` (others are left out). `dossiers` should hold every dossier of
/// the unit since 1 January of the period's first year, so numbers run through the year.
pub fn register<'a>(
    unit: &str,
    period: Period,
    dossiers: impl IntoIterator<Item = (&'a Case, &'a Procedure)>,
) -> Register {
    let mut received: Vec<(&Case, &Procedure, UnitDates)> = dossiers
        .into_iter()
        .filter_map(|(case, procedure)| Some((case, procedure, unit_dates(case, unit)?)))
        .collect();
    received.sort_by_key(|(case, _, dates)| (dates.0, case.code.to_string()));
    let mut year = None;
    let mut number = 0;
    let numbered: Vec<(usize, &Case, &Procedure, UnitDates)> = received
        .into_iter()
        .map(|(case, procedure, dates)| {
            let this_year = vietnam_day(dates.0).year();
            if year != Some(this_year) {
                year = Some(this_year);
                number = 0;
            }
            number += 1;
            (number, case, procedure, dates)
        })
        .collect();
    let rows = numbered
        .into_iter()
        .filter(|(_, _, _, dates)| period.contains(dates.0))
        .map(
            |(number, case, procedure, (received_at, due, handed_on))| RegisterRow {
                number,
                dossier: case.code.to_string(),
                procedure: procedure.definition().name.clone(),
                sets: 1,
                applicant: case.applicant.name.clone(),
                phone: case.applicant.phone.clone().unwrap_or_default(),
                unit: case.unit.to_string(),
                received_at: Some(received_at),
                appointment: due,
                transferred_at: handed_on,
                finished_at: case.finished_at,
                returned_at: case.returned_at,
                status: case.status.label().to_owned(),
            },
        )
        .collect();
    Register {
        form: "07".to_owned(),
        unit: unit.to_owned(),
        period,
        rows,
    }
}

/// The register as a printable A4 page.
pub fn register_html(register: &Register) -> String {
    let when = |at: Option<DateTime<Utc>>| at.map_or_else(String::new, format_instant);
    let mut rows = String::new();
    for row in &register.rows {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}<br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            row.number,
            escape(&row.dossier),
            escape(&row.procedure),
            row.sets,
            escape(&row.applicant),
            escape(&row.phone),
            escape(&row.unit),
            when(row.received_at),
            when(row.appointment),
            when(row.transferred_at),
            when(row.finished_at),
            when(row.returned_at),
            escape(&row.status),
        ));
    }
    format!(
        "<!doctype html>\n<html lang=vi><head><meta charset=utf-8><title>Sổ theo dõi hồ sơ {unit}</title>\n<style>@page {{ size: A4 landscape; margin: 12mm }} body {{ font-family: 'Times New Roman', serif; font-size: 10pt }} table {{ border-collapse: collapse; width: 100% }} td, th {{ border: 1px solid #444; padding: 3px 4px; vertical-align: top }}</style></head>\n<body><h1>SỔ THEO DÕI HỒ SƠ</h1><p>Đơn vị: {unit} · Từ ngày {from} đến ngày {to}</p>\n<table><tr><th>STT</th><th>Mã hồ sơ</th><th>Tên TTHC</th><th>Số lượng hồ sơ (bộ)</th><th>Tên cá nhân, tổ chức; địa chỉ, số điện thoại</th><th>Cơ quan chủ trì giải quyết</th><th>Ngày, tháng, năm nhận hồ sơ</th><th>Ngày hẹn trả kết quả</th><th>Chuyển hồ sơ đến cơ quan giải quyết</th><th>Ngày có kết quả / yêu cầu bổ sung</th><th>Ngày trả kết quả</th><th>Ghi chú</th></tr>\n{rows}</table></body></html>\n",
        unit = escape(&register.unit),
        from = register.period.from.format("%d/%m/%Y"),
        to = register.period.to.format("%d/%m/%Y"),
    )
}
