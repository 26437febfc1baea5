//! The public status lookup (tra cứu hồ sơ): anyone holding a dossier's code and the lookup key
//! printed on its receipt (Form 01) sees where it stands — status, step, unit, appointment, on
//! time or late — and nothing about the applicant. A wrong key answers exactly like an unknown
//! code, and each address may try only a few times a minute.

use chrono::{DateTime, Utc};
use hoso_engine::case::{Case, DossierCode, Names, Status};
use hoso_engine::messages::Denial;
use hoso_engine::ports::Dossiers as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::{AppError, AppState};

/// What the lookup shows: no name, no identifier, no document.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookupView {
    /// Dossier code.
    pub code: String,
    /// Procedure name.
    pub procedure_name: String,
    /// National portal status code 1–10.
    pub status_code: u8,
    /// Vietnamese status label.
    pub status_label: String,
    /// The step it is at, by name.
    pub step_name: Option<String>,
    /// The unit holding it, by name.
    pub unit_name: String,
    /// The appointment for the result.
    #[serde(serialize_with = "crate::app::instant::vietnam_optional")]
    pub appointment: Option<DateTime<Utc>>,
    /// `waiting` (not received yet), `on_time`, `late`, `early`, or `closed` (not processed to
    /// a result: refused at intake, withdrawn, stopped).
    pub timeliness: String,
    /// The same in Vietnamese.
    pub timeliness_label: String,
}

/// The one answer for an unknown code and a wrong key alike.
fn not_found() -> AppError {
    AppError::NotFound(Denial::LookupMiss.into())
}

/// Whether `sent` is the dossier's key, compared by digest so the time taken says nothing.
fn key_matches(case: &Case, sent: &str) -> bool {
    let sent = Sha256::digest(sent.trim().to_ascii_uppercase().as_bytes());
    case.lookup_key
        .as_deref()
        .is_some_and(|key| Sha256::digest(key.as_bytes()) == sent)
}

/// On time or late, as the applicant would ask it.
fn timeliness(case: &Case, now: DateTime<Utc>) -> (&'static str, &'static str) {
    match (case.status, case.appointment, case.finished_at) {
        (Status::Registered, _, _) => ("waiting", "Chờ tiếp nhận"),
        (Status::NotReceived | Status::Withdrawn | Status::Stopped, _, _) => {
            ("closed", "Đã kết thúc, không giải quyết")
        }
        (_, Some(appointment), Some(finished))
            if finished.date_naive() < appointment.date_naive() =>
        {
            ("early", "Giải quyết trước hạn")
        }
        (_, Some(appointment), Some(finished)) if finished <= appointment => {
            ("on_time", "Giải quyết đúng hạn")
        }
        (_, Some(_), Some(_)) => ("late", "Giải quyết quá hạn"),
        (_, Some(appointment), None) if now > appointment => ("late", "Đang xử lý, đã quá hạn"),
        _ => ("on_time", "Đang xử lý, trong hạn"),
    }
}

/// Looks a dossier up by its code and lookup key, for `address` (rate-limited per address).
pub async fn lookup(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    code: &str,
    key: &str,
) -> Result<LookupView, AppError> {
    let caller = address.map_or_else(|| "unknown".to_owned(), |address| address.to_string());
    state
        .lookup_limiter
        .check(&format!("lookup:{caller}"), std::time::Instant::now())
        .map_err(AppError::RateLimited)?;
    let code = DossierCode::parse(code.trim()).map_err(|_| not_found())?;
    let case = state
        .service
        .store()
        .load(&code)
        .await?
        .filter(|case| key_matches(case, key))
        .ok_or_else(not_found)?;
    let procedure = state.service.procedure_of(&case)?;
    let directory = state.service.directory();
    let names = Names {
        procedure: Some(&procedure),
        directory: Some(&directory),
        people: None,
    };
    let (timeliness, timeliness_label) = timeliness(&case, Utc::now());
    Ok(LookupView {
        code: case.code.to_string(),
        procedure_name: procedure.definition().name.clone(),
        status_code: case.status.code(),
        status_label: case.status.label().to_owned(),
        step_name: case
            .step
            .as_deref()
            .and_then(|step| procedure.step(step))
            .map(|step| step.name.clone()),
        unit_name: names.unit(&case.unit),
        appointment: case.appointment,
        timeliness: timeliness.to_owned(),
        timeliness_label: timeliness_label.to_owned(),
    })
}

/// The address of the lookup page for a dossier, as its QR code opens it.
pub fn lookup_url(base: &str, case: &Case) -> Option<String> {
    let key = case.lookup_key.as_deref()?;
    Some(format!(
        "{base}/tra-cuu?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("ma", &case.code.to_string())
            .append_pair("key", key)
            .finish()
    ))
}

/// Form 01's printable page with the lookup's QR code and address at its end.
pub fn with_lookup_qr(html: String, base: &str, case: &Case) -> String {
    let Some(url) = lookup_url(base, case) else {
        return html;
    };
    let Some(svg) = qr_svg(&url) else {
        return html;
    };
    let svg = svg
        .split_once("?>")
        .map_or(svg.as_str(), |(_, rest)| rest)
        .trim()
        .to_owned();
    let escaped = url.replace('&', "&amp;");
    let figure = format!(
        "<figure class=\"lookup-qr\" id=\"lookup-qr\" style=\"margin-top:1.5em;text-align:center\">{svg}<figcaption>Quét mã QR hoặc truy cập {escaped} để tra cứu hồ sơ (không cần đăng nhập).</figcaption></figure>"
    );
    match html.rfind("</body>") {
        Some(end) => format!("{}{figure}{}", &html[..end], &html[end..]),
        None => format!("{html}{figure}"),
    }
}

/// A QR code that opens `url`, as an SVG image.
pub fn qr_svg(url: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_code_is_an_svg_of_the_lookup_address() {
        let svg = super::qr_svg(
            "https://dvc.example.vn/tra-cuu?ma=000.00.17.H21-250303-0001&key=K7M2Q9XAB3",
        )
        .expect("encodes");
        assert!(svg.starts_with("<?xml") && svg.contains("<svg") && svg.contains("<path"));
    }
}
