//! The auditor's timeline as an SVG picture: one lane per unit, a bar per stay against the
//! outline of its allotment, pauses shaded across every lane, the appointment and any extension
//! marked. A narrow screen gets the same facts top to bottom, one stay under another.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::{ControlSlip, RowResult, escape};
use crate::case::{Case, format_instant};

const LEFT: f64 = 190.0;
const WIDTH: f64 = 760.0;
const LANE: f64 = 44.0;
const TOP: f64 = 48.0;

/// A stay's colour by its result, the same in both layouts.
fn colour(result: RowResult) -> &'static str {
    match result {
        RowResult::Early => "#2e7d32",
        RowResult::OnTime => "#1565c0",
        RowResult::Late => "#c62828",
        RowResult::InProgress => "#f9a825",
    }
}

/// Draws the timeline of a dossier from its control slip; `now` ends stays still open.
pub fn timeline_svg(case: &Case, slip: &ControlSlip, now: DateTime<Utc>) -> String {
    let mut units: Vec<(&str, &str)> = Vec::new();
    for row in &slip.rows {
        if !units.iter().any(|(unit, _)| *unit == row.unit) {
            units.push((&row.unit, &row.unit_name));
        }
    }
    let start = case.submitted_at;
    let mut end = [
        case.returned_at,
        case.finished_at,
        case.appointment,
        case.original_appointment,
    ]
    .into_iter()
    .flatten()
    .chain(
        slip.rows
            .iter()
            .flat_map(|row| [row.due_at, row.handed_on_at.unwrap_or(now)]),
    )
    .max()
    .unwrap_or(now);
    if end <= start {
        end = start + chrono::Duration::hours(1);
    }
    let span = (end - start).num_seconds().max(1) as f64;
    let x = |at: DateTime<Utc>| {
        LEFT + (at - start)
            .num_seconds()
            .clamp(0, (end - start).num_seconds()) as f64
            / span
            * WIDTH
    };
    let height = TOP + LANE * units.len().max(1) as f64 + 40.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n<title>Dòng thời gian hồ sơ {code}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{code} — {procedure}</text>\n",
        w = LEFT + WIDTH + 20.0,
        code = escape(&slip.dossier),
        procedure = escape(&slip.procedure),
    );
    let bottom = TOP + LANE * units.len().max(1) as f64;
    for pause in &case.pauses {
        let (from, to) = (x(pause.started_at), x(pause.ended_at.unwrap_or(now)));
        let _ = writeln!(
            svg,
            "<rect class=\"pause\" x=\"{from:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#ddd\"><title>Tạm dừng ({}): {} – {}</title></rect>",
            (to - from).max(1.0),
            bottom - TOP,
            escape(&pause.reason),
            format_instant(pause.started_at),
            pause
                .ended_at
                .map_or_else(|| "chưa kết thúc".to_owned(), format_instant),
        );
    }
    for (index, (unit, name)) in units.iter().enumerate() {
        let y = TOP + LANE * index as f64;
        let _ = writeln!(
            svg,
            "<g class=\"lane\"><line x1=\"{LEFT}\" y1=\"{bottom_line:.1}\" x2=\"{right:.1}\" y2=\"{bottom_line:.1}\" stroke=\"#eee\"/><text x=\"8\" y=\"{label:.1}\">{}</text><text x=\"8\" y=\"{sub:.1}\" fill=\"#666\">{}</text></g>",
            escape(name),
            escape(unit),
            bottom_line = y + LANE,
            right = LEFT + WIDTH,
            label = y + 20.0,
            sub = y + 34.0,
        );
        for row in slip.rows.iter().filter(|row| row.unit == *unit) {
            let (from, due, to) = (
                x(row.received_at),
                x(row.due_at),
                x(row.handed_on_at.unwrap_or(now)),
            );
            let colour = colour(row.result);
            let _ = writeln!(
                svg,
                "<rect class=\"allotment\" x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"22\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"3 2\"/><rect class=\"stay\" x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{colour}\"><title>{}: {} → {} (hạn {}) — {}</title></rect>",
                y + 10.0,
                (due - from).max(1.0),
                y + 14.0,
                (to - from).max(1.0),
                escape(&row.step_name),
                format_instant(row.received_at),
                row.handed_on_at
                    .map_or_else(|| "đang xử lý".to_owned(), format_instant),
                format_instant(row.due_at),
                row.result.label(),
            );
        }
    }
    let mut marker = |at: DateTime<Utc>, class: &str, colour: &str, dash: &str, label: &str| {
        let position = x(at);
        // Labels near the right edge end at their line instead of running off the picture.
        let anchor = if position > LEFT + WIDTH * 0.8 {
            "end"
        } else {
            "middle"
        };
        let _ = writeln!(
            svg,
            "<g class=\"{class}\"><line x1=\"{position:.1}\" y1=\"{:.1}\" x2=\"{position:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/><text x=\"{position:.1}\" y=\"{:.1}\" fill=\"{colour}\" text-anchor=\"{anchor}\">{} {}</text></g>",
            TOP - 6.0,
            bottom + 4.0,
            bottom + 18.0,
            label,
            format_instant(at),
        );
    };
    if let Some(original) = case.original_appointment {
        marker(
            original,
            "original-appointment",
            "#999",
            "4 3",
            "Hẹn ban đầu",
        );
    }
    if let Some(appointment) = case.appointment {
        marker(appointment, "appointment", "#c62828", "0", "Hẹn trả");
    }
    svg.push_str("</svg>\n");
    svg
}

/// Width of the top-to-bottom picture: a phone held upright.
const NARROW: f64 = 360.0;
/// Height of one stay in the top-to-bottom picture.
const STAY: f64 = 70.0;

/// The timeline top to bottom for a narrow screen: each stay as a block with its step, unit,
/// times and result, a bar of the time it took against the outline of its allotment (the longer
/// of the two fills the width), then the appointment.
pub fn timeline_svg_vertical(case: &Case, slip: &ControlSlip, now: DateTime<Utc>) -> String {
    let rows = slip.rows.len();
    let height = 40.0 + STAY * rows as f64 + 60.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{NARROW}\" height=\"{height}\" viewBox=\"0 0 {NARROW} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n<title>Dòng thời gian hồ sơ {code}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{code}</text>\n<text x=\"8\" y=\"33\" fill=\"#444\">{procedure}</text>\n",
        code = escape(&slip.dossier),
        procedure = escape(&slip.procedure),
    );
    let bar = NARROW - 16.0;
    for (index, row) in slip.rows.iter().enumerate() {
        let y = 44.0 + STAY * index as f64;
        let left = row.handed_on_at.unwrap_or(now);
        let took = (left - row.received_at).num_seconds().max(0) as f64;
        let allotted = (row.due_at - row.received_at).num_seconds().max(0) as f64;
        let longest = took.max(allotted).max(1.0);
        let colour = colour(row.result);
        let _ = writeln!(
            svg,
            "<g class=\"stay-block\"><text x=\"8\" y=\"{:.1}\" font-weight=\"bold\">{}</text><text x=\"8\" y=\"{:.1}\" fill=\"#444\">{}</text><text x=\"8\" y=\"{:.1}\" fill=\"#444\">{} → {} · {}</text><rect class=\"allotment\" x=\"8\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"none\" stroke=\"#888\" stroke-dasharray=\"3 2\"/><rect class=\"stay\" x=\"8\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\" fill=\"{colour}\"/></g>",
            y + 12.0,
            escape(&row.step_name),
            y + 27.0,
            escape(&row.unit_name),
            y + 42.0,
            format_instant(row.received_at),
            row.handed_on_at
                .map_or_else(|| "đang xử lý".to_owned(), format_instant),
            row.result.label(),
            y + 50.0,
            (allotted / longest * bar).max(1.0),
            y + 52.0,
            (took / longest * bar).max(1.0),
        );
    }
    let bottom = 44.0 + STAY * rows as f64;
    if let Some(original) = case.original_appointment {
        let _ = writeln!(
            svg,
            "<text class=\"original-appointment\" x=\"8\" y=\"{:.1}\" fill=\"#777\">Hẹn ban đầu {}</text>",
            bottom + 16.0,
            format_instant(original)
        );
    }
    if let Some(appointment) = case.appointment {
        let _ = writeln!(
            svg,
            "<text class=\"appointment\" x=\"8\" y=\"{:.1}\" fill=\"#c62828\" font-weight=\"bold\">Hẹn trả {}</text>",
            bottom + 34.0,
            format_instant(appointment)
        );
    }
    svg.push_str("</svg>\n");
    svg
}
