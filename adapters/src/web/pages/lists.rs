//! Lists of dossiers: an officer's inbox, a citizen's own dossiers, an auditor's search.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use hoso_engine::clock::vietnam;
use hoso_engine::ports::{CaseQuery, Dossiers as _};

use super::catalogue::SearchQuery;
use super::{Nav, render, signed_in};
use crate::access::UserKind;
use crate::app::AppState;
use crate::web::{Visitor, WebError, Words};

pub(super) struct DossierLine {
    pub(super) code: String,
    pub(super) procedure: String,
    pub(super) status: String,
    pub(super) applicant: String,
    pub(super) due: String,
    pub(super) urgency: &'static str,
    pub(super) urgency_label: &'static str,
    /// Why it waits, when not for the officer's step (a consultation to answer).
    pub(super) note: &'static str,
}

#[derive(Template)]
#[template(path = "list.html")]
pub(super) struct ListTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) title: &'static str,
    pub(super) query: Option<String>,
    pub(super) lines: Vec<DossierLine>,
}

pub(in crate::web) fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&vietnam())
        .format("%H:%M %d/%m/%Y")
        .to_string()
}

pub(super) fn lines(
    state: &AppState,
    t: &'static Words,
    summaries: Vec<hoso_engine::ports::CaseSummary>,
) -> Vec<DossierLine> {
    let now = Utc::now();
    let mut lines: Vec<(Option<DateTime<Utc>>, DossierLine)> = summaries
        .into_iter()
        .map(|summary| {
            let due = summary.urgency();
            let open = !summary.status.is_closed();
            let (urgency, urgency_label) = match due {
                Some(due) if open && due < now => ("overdue", t.overdue),
                Some(due)
                    if open
                        && state
                            .service
                            .calendars()
                            .working_time_between(
                                now.with_timezone(&vietnam()),
                                due.with_timezone(&vietnam()),
                            )
                            .is_ok_and(|left| left.num_hours() < 8) =>
                {
                    ("soon", t.due_soon)
                }
                _ => ("ok", t.on_time),
            };
            (
                due.filter(|_| open),
                DossierLine {
                    code: summary.code.to_string(),
                    procedure: summary.procedure_code.clone(),
                    status: summary.status.label().to_owned(),
                    applicant: summary.applicant_name.clone(),
                    due: due.map(local_time).unwrap_or_default(),
                    urgency,
                    urgency_label,
                    note: "",
                },
            )
        })
        .collect();
    // Most urgent first: the earliest due time, then those with none.
    lines.sort_by_key(|(due, _)| (due.is_none(), *due));
    lines.into_iter().map(|(_, line)| line).collect()
}

pub(super) fn list_page(
    state: &AppState,
    visitor: &Visitor,
    here: &str,
    title: &'static str,
    query: Option<String>,
    summaries: Vec<hoso_engine::ports::CaseSummary>,
) -> Response {
    let t = visitor.words();
    let template = ListTemplate {
        t,
        nav: Nav::of(visitor, here),
        title,
        query,
        lines: lines(state, t, summaries),
    };
    render(state, visitor, StatusCode::OK, &template)
}

pub(super) async fn inbox(
    State(state): State<AppState>,
    headers: HeaderMap,
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
        return Err(WebError::Forbidden(t.inbox.to_owned() + ": officers only"));
    };
    let entries = crate::app::dossiers::inbox_entries(&state, &principal).await?;
    let consultations: std::collections::BTreeSet<String> = entries
        .iter()
        .filter(|entry| entry.consultation)
        .map(|entry| entry.summary.code.to_string())
        .collect();
    let mut lines = lines(
        &state,
        t,
        entries.into_iter().map(|entry| entry.summary).collect(),
    );
    for line in &mut lines {
        if consultations.contains(&line.code) {
            line.note = t.consultation_waiting;
        }
    }
    let template = ListTemplate {
        t,
        nav: Nav::of(&visitor, "/inbox"),
        title: t.inbox,
        query: None,
        lines,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

pub(super) async fn my_dossiers(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let principal = signed_in(&visitor, "/my")?;
    let t = visitor.words();
    let Some(citizen_id) = principal.citizen_id() else {
        return Err(WebError::Forbidden(
            "only citizens have their own dossiers here".to_owned(),
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
            limit: 200,
            offset: 0,
        })
        .await?;
    Ok(list_page(
        &state,
        &visitor,
        "/my",
        t.my_dossiers,
        None,
        summaries,
    ))
}

pub(super) async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    signed_in(&visitor, "/audit")?;
    let t = visitor.words();
    if visitor.user.as_ref().map(|user| user.kind) != Some(UserKind::Auditor) {
        return Err(WebError::Forbidden(
            "the audit search is for auditors".to_owned(),
        ));
    }
    let text = query
        .q
        .map(|text| text.trim().chars().take(100).collect::<String>());
    let summaries = state
        .service
        .store()
        .list(&CaseQuery {
            status: None,
            unit: None,
            party: None,
            organisation: None,
            text: text.clone().filter(|text| !text.is_empty()),
            limit: 100,
            offset: 0,
        })
        .await?;
    Ok(list_page(
        &state,
        &visitor,
        "/audit",
        t.audit,
        Some(text.unwrap_or_default()),
        summaries,
    ))
}
