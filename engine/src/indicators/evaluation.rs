//! The per-dossier evaluation of Circular 01/2018/TT-VPCP arts. 13–14 (đánh giá việc giải quyết
//! thủ tục hành chính theo từng hồ sơ) and the unit's internal evaluation of Decree 61/2018
//! art. 30. Art. 14 scores criteria 1–4, 6 and 7 for each dossier at 0, 1 or 2 points; hoso scores
//! those its facts decide and leaves the rest to the agency's own assessment, saying why.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{DossierFacts, Period, Satisfaction, Timeliness, timeliness};
use crate::forms::{ControlSlip, RowResult, escape};

/// One criterion of one dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// Its number in Circular 01/2018 art. 13.
    pub number: u8,
    /// What it measures, in Vietnamese.
    pub name: String,
    /// 0, 1 or 2; `None` when hoso's facts cannot decide it.
    pub points: Option<u8>,
    /// Why these points, in Vietnamese.
    pub reason: String,
}

/// The evaluation of one dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierEvaluation {
    /// The dossier.
    pub dossier: String,
    /// Its procedure's code.
    pub procedure: String,
    /// When its processing ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// The criteria, in the circular's order.
    pub criteria: Vec<Criterion>,
    /// Points over the criteria scored.
    pub points: u32,
    /// Points possible over the criteria scored.
    pub max_points: u32,
}

/// A unit's evaluation for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// The unit.
    pub unit: String,
    /// The period.
    pub period: Period,
    /// Each dossier whose processing ended in the period.
    pub dossiers: Vec<DossierEvaluation>,
    /// The average share of points earned, in percent, 2 decimals.
    pub average_percent: f64,
    /// Dossiers received in the period (Decree 61/2018 art. 30's denominator).
    pub received: u64,
    /// Of those, resolved early or on time.
    pub resolved_on_time: u64,
    /// The internal evaluation's rate: resolved on time ÷ received, in percent.
    pub on_time_rate: f64,
}

fn criterion(number: u8, name: &str, points: Option<u8>, reason: impl Into<String>) -> Criterion {
    Criterion {
        number,
        name: name.to_owned(),
        points,
        reason: reason.into(),
    }
}

/// Scores one dossier from its facts and its control slip.
pub fn evaluate_dossier(
    facts: &DossierFacts,
    slip: &ControlSlip,
    period: &Period,
) -> DossierEvaluation {
    let total = match timeliness(facts, period) {
        Some(Timeliness::Early) => (Some(2), "giải quyết trước hạn"),
        Some(Timeliness::OnTime) => (Some(1), "giải quyết đúng hạn"),
        Some(Timeliness::Late) => (Some(0), "giải quyết quá hạn"),
        None => (None, "chưa kết thúc giải quyết trong kỳ"),
    };
    let stays = if slip.rows.is_empty() {
        (None, "không có bước xử lý nào được ghi nhận")
    } else if slip.rows.iter().any(|row| row.result == RowResult::Late) {
        (Some(0), "có cơ quan, đơn vị xử lý quá thời gian được giao")
    } else if slip.rows.iter().all(|row| row.result == RowResult::Early) {
        (
            Some(2),
            "mọi cơ quan, đơn vị xử lý trước thời gian được giao",
        )
    } else {
        (
            Some(1),
            "mọi cơ quan, đơn vị xử lý trong thời gian được giao",
        )
    };
    let contacts = match facts.supplement_requests {
        0 => (Some(2), "không phải liên hệ để bổ sung hồ sơ".to_owned()),
        1 => (Some(1), "phải bổ sung hồ sơ 01 lần".to_owned()),
        n => (Some(0), format!("phải bổ sung hồ sơ {n} lần")),
    };
    let attitude = match facts.rating {
        Some(Satisfaction::Dissatisfied) => (Some(0), "người nộp đánh giá không hài lòng"),
        _ if total.0 == Some(0) => (Some(1), "không có phản ánh nhưng trả kết quả quá hạn"),
        _ => (
            Some(2),
            "trả kết quả đúng hạn hoặc trước hạn, không có phản ánh",
        ),
    };
    let criteria = vec![
        criterion(
            1,
            "Tổng thời gian giải quyết so với thời gian quy định",
            total.0,
            total.1,
        ),
        criterion(
            2,
            "Thời gian thực hiện của từng cơ quan, đơn vị so với thời gian được giao",
            stays.0,
            stays.1,
        ),
        criterion(
            3,
            "Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ",
            contacts.0,
            contacts.1,
        ),
        criterion(
            4,
            "Số lượng cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ",
            Some(2),
            "chỉ liên hệ với Bộ phận Một cửa; việc liên thông do các cơ quan tự chuyển",
        ),
        criterion(
            6,
            "Công khai thủ tục hành chính",
            None,
            "cơ quan tự đánh giá theo việc công khai trên Cơ sở dữ liệu quốc gia về TTHC",
        ),
        criterion(
            7,
            "Thái độ, việc trả kết quả và phản ánh của người nộp",
            attitude.0,
            attitude.1,
        ),
    ];
    let points = criteria
        .iter()
        .filter_map(|criterion| criterion.points)
        .map(u32::from)
        .sum();
    let max_points = 2 * criteria
        .iter()
        .filter(|criterion| criterion.points.is_some())
        .count() as u32;
    DossierEvaluation {
        dossier: facts.code.clone(),
        procedure: facts.procedure.clone(),
        finished_at: facts.finished_at,
        criteria,
        points,
        max_points,
    }
}

/// Evaluates the dossiers of `unit` whose processing ended in `period`, and the unit's on-time
/// rate over the dossiers it received in the period (Decree 61/2018 art. 30).
pub fn evaluation(
    unit: &str,
    period: Period,
    dossiers: &[(DossierFacts, ControlSlip)],
) -> Evaluation {
    let ours: Vec<&(DossierFacts, ControlSlip)> = dossiers
        .iter()
        .filter(|(facts, _)| facts.unit == unit && !facts.feedback)
        .collect();
    let evaluated: Vec<DossierEvaluation> = ours
        .iter()
        .filter(|(facts, _)| facts.finished_at.is_some_and(|at| period.contains(at)))
        .map(|(facts, slip)| evaluate_dossier(facts, slip, &period))
        .collect();
    let shares: Vec<f64> = evaluated
        .iter()
        .filter(|evaluated| evaluated.max_points > 0)
        .map(|evaluated| f64::from(evaluated.points) / f64::from(evaluated.max_points))
        .collect();
    let average_percent = if shares.is_empty() {
        0.0
    } else {
        super::round2(shares.iter().sum::<f64>() * 100.0 / shares.len() as f64)
    };
    let received: Vec<&DossierFacts> = ours
        .iter()
        .map(|(facts, _)| facts)
        .filter(|facts| facts.received_at.is_some_and(|at| period.contains(at)))
        .collect();
    let resolved_on_time = received
        .iter()
        .filter(|facts| {
            // Resolved within the period: a dossier finished later was still open then.
            facts.completed
                && facts.finished_at.is_some_and(|at| at < period.end())
                && matches!(
                    timeliness(facts, &period),
                    Some(Timeliness::Early | Timeliness::OnTime)
                )
        })
        .count() as u64;
    let received = received.len() as u64;
    Evaluation {
        unit: unit.to_owned(),
        period,
        dossiers: evaluated,
        average_percent,
        received,
        resolved_on_time,
        on_time_rate: super::percent(resolved_on_time, received),
    }
}

/// The evaluation as a printable A4 page.
pub fn evaluation_html(evaluation: &Evaluation) -> String {
    let mut rows = String::new();
    for (index, dossier) in evaluation.dossiers.iter().enumerate() {
        let cells: String = dossier
            .criteria
            .iter()
            .map(|criterion| {
                format!(
                    "<td title=\"{}\">{}</td>",
                    escape(&criterion.reason),
                    criterion
                        .points
                        .map_or_else(|| "—".to_owned(), |points| points.to_string())
                )
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td>{cells}<td>{} / {}</td></tr>\n",
            index + 1,
            escape(&dossier.dossier),
            dossier.points,
            dossier.max_points
        ));
    }
    format!(
        "<!doctype html>\n<html lang=vi><head><meta charset=utf-8><title>Đánh giá giải quyết hồ sơ — {unit}</title>\n<style>@page {{ size: A4 landscape; margin: 12mm }} body {{ font-family: 'Times New Roman', serif; font-size: 11pt }} table {{ border-collapse: collapse; width: 100% }} td, th {{ border: 1px solid #444; padding: 3px 5px; text-align: center }}</style></head>\n<body><h1>ĐÁNH GIÁ VIỆC GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH THEO TỪNG HỒ SƠ</h1>\n<p>Đơn vị: {unit} · Từ ngày {from} đến ngày {to} · Điểm bình quân: {average}% · Tỷ lệ hồ sơ giải quyết đúng hạn trên tổng số hồ sơ tiếp nhận (Điều 30 Nghị định 61/2018): {on_time}/{received} = {rate}%</p>\n<p>Tiêu chí (Điều 13 Thông tư 01/2018/TT-VPCP): 1. Tổng thời gian giải quyết · 2. Thời gian của từng cơ quan, đơn vị · 3. Số lần phải liên hệ để hoàn thiện hồ sơ · 4. Số cơ quan phải liên hệ · 6. Công khai TTHC (cơ quan tự đánh giá) · 7. Thái độ, trả kết quả, phản ánh</p>\n<table><tr><th>STT</th><th>Mã hồ sơ</th><th>1</th><th>2</th><th>3</th><th>4</th><th>6</th><th>7</th><th>Điểm</th></tr>\n{rows}</table></body></html>\n",
        unit = escape(&evaluation.unit),
        from = evaluation.period.from.format("%d/%m/%Y"),
        to = evaluation.period.to.format("%d/%m/%Y"),
        average = evaluation.average_percent,
        on_time = evaluation.resolved_on_time,
        received = evaluation.received,
        rate = evaluation.on_time_rate,
    )
}
