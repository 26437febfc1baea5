//! Lists of dossiers: an officer's inbox, a citizen's own dossiers, an auditor's search. Each
//! can be searched, filtered by status, procedure and lateness, and read a page at a time.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use hoso_engine::case::Status;
use hoso_engine::clock::vietnam;
use hoso_engine::ports::{CaseQuery, CaseSummary, Dossiers as _};
use serde::Deserialize;

use super::catalogue::folded;
use super::{Nav, render, signed_in};
use crate::access::UserKind;
use crate::app::AppState;
use crate::web::deadline::show;
use crate::web::{Visitor, WebError, Words};
use hoso_engine::clock::Calendars;
use hoso_engine::service::Catalogue;

/// Rows on one page of a list.
const PAGE_SIZE: usize = 20;

/// The most dossiers a list reads before filtering: the most the store returns in one call.
const MOST_LISTED: u32 = 500;

pub(super) struct DossierLine {
    pub(super) code: String,
    pub(super) procedure: String,
    pub(super) status: String,
    pub(super) applicant: String,
    /// The appointment (ngày hẹn trả kết quả), or empty before there is one.
    pub(super) appointment: String,
    /// The current step's deadline, shown to officers apart from the appointment.
    pub(super) step_due: String,
    pub(super) urgency: &'static str,
    pub(super) urgency_label: &'static str,
    /// Working time left until the appointment, while the clock runs.
    pub(super) left: String,
    /// Why it waits, when not for the officer's step (a consultation to answer).
    pub(super) note: &'static str,
}

/// What a list is narrowed to, from the address: `?q=&status=&procedure=&overdue=1&page=2`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListFilter {
    q: Option<String>,
    status: Option<String>,
    procedure: Option<String>,
    overdue: Option<String>,
    page: Option<String>,
}

impl ListFilter {
    fn text(&self) -> String {
        self.q
            .as_deref()
            .unwrap_or_default()
            .trim()
            .chars()
            .take(100)
            .collect()
    }

    fn status(&self) -> Option<Status> {
        self.status
            .as_deref()
            .and_then(|code| code.parse::<u8>().ok())
            .and_then(Status::from_code)
    }

    fn procedure(&self) -> Option<&str> {
        self.procedure.as_deref().filter(|code| !code.is_empty())
    }

    fn only_overdue(&self) -> bool {
        self.overdue
            .as_deref()
            .is_some_and(|value| !value.is_empty())
    }

    fn page(&self) -> usize {
        self.page
            .as_deref()
            .and_then(|page| page.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, 10_000)
    }

    fn is_narrowed(&self) -> bool {
        !self.text().is_empty()
            || self.status().is_some()
            || self.procedure().is_some()
            || self.only_overdue()
    }

    /// The address of page `page` with the same filters.
    fn link(&self, here: &str, page: usize) -> String {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        let text = self.text();
        if !text.is_empty() {
            pairs.append_pair("q", &text);
        }
        if let Some(status) = self.status() {
            pairs.append_pair("status", &status.code().to_string());
        }
        if let Some(procedure) = self.procedure() {
            pairs.append_pair("procedure", procedure);
        }
        if self.only_overdue() {
            pairs.append_pair("overdue", "1");
        }
        pairs.append_pair("page", &page.to_string());
        format!("{here}?{}", pairs.finish())
    }
}

/// A choice in a filter's select box: value, label, chosen.
pub(super) type Choice = (String, String, bool);

#[derive(Template)]
#[template(path = "list.html")]
pub(super) struct ListTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) title: &'static str,
    pub(super) here: &'static str,
    pub(super) officer: bool,
    pub(super) text: String,
    pub(super) statuses: Vec<Choice>,
    pub(super) procedures: Vec<Choice>,
    pub(super) only_overdue: bool,
    pub(super) empty: &'static str,
    pub(super) lines: Vec<DossierLine>,
    /// "21–32 / 32".
    pub(super) shown: String,
    pub(super) previous: Option<String>,
    pub(super) next: Option<String>,
    /// The list read as many dossiers as the store gives at once: older ones may be missing.
    pub(super) capped: bool,
}

pub(in crate::web) fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

/// A dossier as a list row, with its procedure's name and its standing against the appointment.
fn line(
    catalogue: &Catalogue,
    calendars: &Calendars,
    t: &'static Words,
    summary: &CaseSummary,
    now: DateTime<Utc>,
) -> DossierLine {
    let shown = show(
        t,
        calendars,
        summary.status,
        summary.appointment,
        summary.finished_at,
        now,
    );
    let procedure = catalogue
        .get(&summary.procedure_code, summary.procedure_version)
        .map_or_else(
            || summary.procedure_code.clone(),
            |procedure| procedure.definition().name.clone(),
        );
    DossierLine {
        code: summary.code.to_string(),
        procedure,
        status: summary.status.label().to_owned(),
        applicant: summary.applicant_name.clone(),
        appointment: summary.appointment.map(local_time).unwrap_or_default(),
        step_due: summary
            .step_due
            .filter(|_| !summary.status.is_closed())
            .map(local_time)
            .unwrap_or_default(),
        urgency: shown.standing.map_or("none", |standing| standing.class),
        urgency_label: shown.standing.map_or("", |standing| standing.label),
        left: shown.left,
        note: "",
    }
}

/// Whether `summary` passes the filter's text, status, procedure and lateness.
fn passes(
    filter: &ListFilter,
    line: &DossierLine,
    summary: &CaseSummary,
    now: DateTime<Utc>,
) -> bool {
    let text = folded(&filter.text());
    (text.is_empty()
        || [&line.code, &line.applicant, &line.procedure]
            .iter()
            .any(|field| folded(field).contains(&text)))
        && filter
            .status()
            .is_none_or(|status| summary.status == status)
        && filter
            .procedure()
            .is_none_or(|code| summary.procedure_code == code)
        && (!filter.only_overdue()
            || summary.finished_at.map_or_else(
                || {
                    !summary.status.is_closed()
                    // Waiting for the applicant's supplement: the clock stands still.
                    && summary.status != Status::SupplementRequested
                    && summary.appointment.is_some_and(|due| due < now)
                },
                |finished| summary.appointment.is_some_and(|due| finished > due),
            ))
}

/// Which list a page shows: its address, title and what it says when nothing waits.
struct ListOf {
    here: &'static str,
    title: &'static str,
    empty: &'static str,
}

/// One list page: the rows that pass `filter`, most urgent first, a page at a time.
fn list_page(
    state: &AppState,
    visitor: &Visitor,
    ListOf { here, title, empty }: ListOf,
    filter: &ListFilter,
    summaries: Vec<CaseSummary>,
    notes: &dyn Fn(&CaseSummary) -> &'static str,
) -> Response {
    let t = visitor.words();
    let now = Utc::now();
    let capped = summaries.len() >= MOST_LISTED as usize;
    // One snapshot of each for the whole page, not one per row.
    let (catalogue, calendars) = (state.service.catalogue(), state.service.calendars());
    let mut procedures: Vec<Choice> = Vec::new();
    let mut rows: Vec<(Option<DateTime<Utc>>, DossierLine)> = Vec::new();
    for summary in &summaries {
        let mut line = line(&catalogue, &calendars, t, summary, now);
        if !procedures
            .iter()
            .any(|(code, ..)| *code == summary.procedure_code)
        {
            procedures.push((
                summary.procedure_code.clone(),
                line.procedure.clone(),
                filter.procedure() == Some(summary.procedure_code.as_str()),
            ));
        }
        if passes(filter, &line, summary, now) {
            line.note = notes(summary);
            let open = summary.finished_at.is_none() && !summary.status.is_closed();
            rows.push((summary.urgency().filter(|_| open), line));
        }
    }
    procedures.sort_by(|left, right| left.1.cmp(&right.1));
    // Most urgent first: the earliest due time, then those with none.
    rows.sort_by_key(|(due, _)| (due.is_none(), *due));
    let total = rows.len();
    let page = filter.page().min(total.div_ceil(PAGE_SIZE).max(1));
    let first = (page - 1) * PAGE_SIZE;
    let lines: Vec<DossierLine> = rows
        .into_iter()
        .skip(first)
        .take(PAGE_SIZE)
        .map(|(_, line)| line)
        .collect();
    let shown = if lines.is_empty() {
        String::new()
    } else {
        format!("{}–{} / {total}", first + 1, first + lines.len())
    };
    let template = ListTemplate {
        t,
        nav: Nav::of(visitor, here),
        title,
        here,
        officer: visitor
            .user
            .as_ref()
            .is_some_and(|user| user.kind == UserKind::Officer),
        text: filter.text(),
        statuses: Status::ALL
            .iter()
            .map(|status| {
                (
                    status.code().to_string(),
                    status.label().to_owned(),
                    filter.status() == Some(*status),
                )
            })
            .collect(),
        procedures,
        only_overdue: filter.only_overdue(),
        empty: if filter.is_narrowed() {
            t.nothing_found
        } else {
            empty
        },
        previous: (page > 1).then(|| filter.link(here, page - 1)),
        next: (first + lines.len() < total).then(|| filter.link(here, page + 1)),
        lines,
        shown,
        capped,
    };
    render(state, visitor, StatusCode::OK, &template)
}

pub(super) async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<ListFilter>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    signed_in(&visitor, "/inbox")?;
    let t = visitor.words();
    let Some(principal) = visitor.principal().filter(|_| {
        visitor
            .user
            .as_ref()
            .is_some_and(|user| user.kind == UserKind::Officer)
    }) else {
        return Err(WebError::Forbidden(
            "Danh sách hồ sơ cần xử lý chỉ dành cho cán bộ, công chức được phân công xử lý hồ sơ."
                .to_owned(),
        ));
    };
    let entries = crate::app::lists::inbox_entries(&state, &principal).await?;
    let consultations: std::collections::BTreeSet<String> = entries
        .iter()
        .filter(|entry| entry.consultation)
        .map(|entry| entry.summary.code.to_string())
        .collect();
    let summaries = entries.into_iter().map(|entry| entry.summary).collect();
    Ok(list_page(
        &state,
        &visitor,
        ListOf {
            here: "/inbox",
            title: t.inbox,
            empty: t.inbox_empty,
        },
        &filter,
        summaries,
        &|summary| {
            if consultations.contains(&summary.code.to_string()) {
                t.consultation_waiting
            } else {
                ""
            }
        },
    ))
}

pub(super) async fn my_dossiers(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<ListFilter>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, "/my")?;
    let t = visitor.words();
    let Some(citizen_id) = principal.citizen_id() else {
        return Err(WebError::Forbidden(
            "Trang \"Hồ sơ của tôi\" dành cho công dân, tổ chức nộp hồ sơ; cán bộ xem hồ sơ tại trang Hồ sơ cần xử lý."
                .to_owned(),
        ));
    };
    let summaries = state
        .service
        .store()
        .list(&CaseQuery {
            status: None,
            unit: None,
            party: Some(citizen_id.to_owned()),
            organisation: principal.organisation().map(str::to_owned),
            text: None,
            limit: MOST_LISTED,
            offset: 0,
        })
        .await?;
    Ok(list_page(
        &state,
        &visitor,
        ListOf {
            here: "/my",
            title: t.my_dossiers,
            empty: t.my_dossiers_empty,
        },
        &filter,
        summaries,
        &|_| "",
    ))
}

pub(super) async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(filter): Query<ListFilter>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    signed_in(&visitor, "/audit")?;
    let t = visitor.words();
    if visitor.user.as_ref().map(|user| user.kind) != Some(UserKind::Auditor) {
        return Err(WebError::Forbidden(
            "Trang tra soát hồ sơ chỉ dành cho cán bộ thanh tra, kiểm tra.".to_owned(),
        ));
    }
    // The store finds a code or an applicant's name among every dossier; the newest are read
    // too, so a procedure's name finds them. The filter then applies to both alike.
    let text = filter.text();
    let query = |text: Option<String>| CaseQuery {
        status: filter.status(),
        unit: None,
        party: None,
        organisation: None,
        text,
        limit: MOST_LISTED,
        offset: 0,
    };
    let mut summaries = state.service.store().list(&query(None)).await?;
    if !text.is_empty() {
        for summary in state.service.store().list(&query(Some(text))).await? {
            if !summaries.iter().any(|known| known.code == summary.code) {
                summaries.push(summary);
            }
        }
    }
    Ok(list_page(
        &state,
        &visitor,
        ListOf {
            here: "/audit",
            title: t.audit,
            empty: t.audit_empty,
        },
        &filter,
        summaries,
        &|_| "",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("instant")
            .with_timezone(&Utc)
    }

    fn summary(status: Status, finished: Option<&str>) -> CaseSummary {
        CaseSummary {
            code: hoso_engine::case::DossierCode::parse("000.00.17.H21-260302-0001").expect("code"),
            procedure_code: "1.001193".to_owned(),
            procedure_version: 1,
            status,
            step: None,
            unit: hoso_engine::case::UnitId::parse("000.00.17.H21").expect("unit"),
            applicant_name: "Nguyễn Văn Bình".to_owned(),
            appointment: Some(at("2026-03-10T17:00:00+07:00")),
            step_due: None,
            version: 1,
            submitted_at: at("2026-03-02T08:00:00+07:00"),
            finished_at: finished.map(at),
        }
    }

    fn line() -> DossierLine {
        DossierLine {
            code: "000.00.17.H21-260302-0001".to_owned(),
            procedure: "Đăng ký khai sinh".to_owned(),
            status: String::new(),
            applicant: "Nguyễn Văn Bình".to_owned(),
            appointment: String::new(),
            step_due: String::new(),
            urgency: "none",
            urgency_label: "",
            left: String::new(),
            note: "",
        }
    }

    #[test]
    fn only_late_keeps_the_dossiers_past_their_appointment_and_not_those_waiting_for_the_applicant()
    {
        let late_only = ListFilter {
            overdue: Some("1".to_owned()),
            ..ListFilter::default()
        };
        let after = at("2026-03-12T09:00:00+07:00");
        let passes_late = |summary: &CaseSummary| passes(&late_only, &line(), summary, after);
        assert!(passes_late(&summary(Status::Processing, None)));
        assert!(
            !passes_late(&summary(Status::SupplementRequested, None)),
            "the clock stands still while the applicant completes the dossier"
        );
        assert!(passes_late(&summary(
            Status::ResultReturned,
            Some("2026-03-11T09:00:00+07:00")
        )));
        assert!(!passes_late(&summary(
            Status::ResultReturned,
            Some("2026-03-10T16:00:00+07:00")
        )));
        assert!(!passes(
            &late_only,
            &line(),
            &summary(Status::Processing, None),
            at("2026-03-09T09:00:00+07:00")
        ));
        // Diacritics aside, the procedure's name finds it; a code's part too.
        let by_text = |text: &str| ListFilter {
            q: Some(text.to_owned()),
            ..ListFilter::default()
        };
        let open = summary(Status::Processing, None);
        assert!(passes(&by_text("dang ky khai"), &line(), &open, after));
        assert!(passes(&by_text("260302-0001"), &line(), &open, after));
        assert!(!passes(&by_text("ket hon"), &line(), &open, after));
    }
}
