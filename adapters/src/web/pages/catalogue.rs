//! The catalogue of procedures and one procedure's page: documents, channels, time limits, fees.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use hoso_engine::procedure::{OnlineService, Procedure, TimeLimit};
use serde::Deserialize;

use super::{Nav, render};
use crate::app::AppState;
use crate::web::{Lang, Visitor, WebError, Words};

pub(super) struct ProcedureRow {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) field: String,
    pub(super) full_process: bool,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
pub(super) struct CatalogueTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) query: String,
    pub(super) rows: Vec<ProcedureRow>,
}

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    pub(super) q: Option<String>,
}

pub(super) use crate::text::folded;

pub(super) async fn catalogue(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let asked = query.q.unwrap_or_default();
    let wanted = folded(asked.trim());
    let catalogue = state.service.catalogue();
    let rows = catalogue
        .codes()
        .iter()
        .filter_map(|code| catalogue.current(code))
        .map(|procedure| procedure.definition())
        .filter(|definition| {
            wanted.is_empty()
                || folded(&definition.name).contains(&wanted)
                || folded(&definition.field).contains(&wanted)
                || definition.code.as_str().contains(&wanted)
        })
        .map(|definition| ProcedureRow {
            code: definition.code.to_string(),
            name: definition.name.clone(),
            field: definition.field.clone(),
            full_process: definition.online_service == OnlineService::FullProcess,
        })
        .collect();
    let template = CatalogueTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, "/"),
        query: asked,
        rows,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

pub(super) struct ChannelRow {
    pub(super) name: String,
    pub(super) time_limit: String,
    pub(super) fees: Vec<String>,
}

pub(super) struct DocumentRow {
    pub(super) name: String,
    pub(super) required: bool,
}

#[derive(Template)]
#[template(path = "procedure.html")]
pub(super) struct ProcedureTemplate {
    pub(super) t: &'static Words,
    pub(super) nav: Nav,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) field: String,
    pub(super) full_process: bool,
    pub(super) why_partial: String,
    pub(super) channels: Vec<ChannelRow>,
    pub(super) documents: Vec<DocumentRow>,
    pub(super) legal_basis: Vec<String>,
    pub(super) result: String,
    pub(super) online: bool,
}

pub(super) fn time_limit_text(limit: &TimeLimit, lang: Lang) -> String {
    match lang {
        Lang::Vi => limit.vietnamese(),
        Lang::En => limit.to_string(),
    }
}

pub(super) fn current(state: &AppState, code: &str) -> Result<std::sync::Arc<Procedure>, WebError> {
    state.service.current_procedure(code).ok_or_else(|| {
        WebError::from(crate::app::AppError::NotFound(
            hoso_engine::messages::Denial::NoProcedure {
                code: code.to_owned(),
            }
            .into(),
        ))
    })
}

pub(super) async fn procedure_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    let procedure = current(&state, &code)?;
    let definition = procedure.definition();
    let t = visitor.words();
    let channels = definition
        .channels
        .iter()
        .map(|channel| ChannelRow {
            name: channel_name(channel.channel.as_str(), visitor.lang),
            time_limit: time_limit_text(&channel.time_limit, visitor.lang),
            fees: channel
                .fees
                .iter()
                .map(|fee| match (fee.amount, &fee.formula) {
                    (Some(amount), _) => format!("{}: {} đ", fee.name, group_digits(amount)),
                    (None, Some(formula)) => {
                        format!("{}: {}", fee.name, formula_in_words(formula, &procedure))
                    }
                    (None, None) => fee.name.clone(),
                })
                .collect(),
        })
        .collect();
    let template = ProcedureTemplate {
        t,
        nav: Nav::of(&visitor, &format!("/procedures/{code}")),
        code: definition.code.to_string(),
        name: definition.name.clone(),
        field: definition.field.clone(),
        full_process: definition.online_service == OnlineService::FullProcess,
        why_partial: definition
            .partial
            .as_ref()
            .map(|partial| partial.explanation.clone())
            .unwrap_or_default(),
        channels,
        documents: definition
            .documents
            .iter()
            .map(|document| DocumentRow {
                name: document.name.clone(),
                required: document.required,
            })
            .collect(),
        legal_basis: definition
            .legal_basis
            .iter()
            .map(|basis| match &basis.article {
                Some(article) => format!("{}, {article}", basis.instrument),
                None => basis.instrument.clone(),
            })
            .collect(),
        result: definition.result.name.clone(),
        online: definition
            .channels
            .iter()
            .any(|channel| channel.channel.as_str() == "online"),
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

pub(super) fn channel_name(channel: &str, lang: Lang) -> String {
    match (channel, lang) {
        ("online", Lang::Vi) => "Trực tuyến",
        ("direct", Lang::Vi) => "Trực tiếp",
        ("postal", Lang::Vi) => "Qua bưu chính công ích",
        ("online", Lang::En) => "Online",
        ("direct", Lang::En) => "In person",
        ("postal", Lang::En) => "By public post",
        (other, _) => other,
    }
    .to_owned()
}

/// A fee formula as people read it: amounts in đồng with grouped digits, fields by their labels,
/// `×` for `*` ("8000 * so_ban_sao" → "8.000 đ × Số bản sao yêu cầu").
fn formula_in_words(formula: &str, procedure: &Procedure) -> String {
    let label = |id: &str| {
        procedure
            .definition()
            .documents
            .iter()
            .flat_map(|document| &document.fields)
            .find(|field| field.id == id)
            .map_or_else(|| id.to_owned(), |field| field.label.clone())
    };
    let mut out = String::new();
    let mut chars = formula.chars().peekable();
    while let Some(&next) = chars.peek() {
        if next.is_ascii_alphabetic() || next == '_' {
            let mut word = String::new();
            while let Some(&c) = chars
                .peek()
                .filter(|c| c.is_ascii_alphanumeric() || **c == '_')
            {
                word.push(c);
                chars.next();
            }
            out.push_str(&label(&word));
        } else if next.is_ascii_digit() {
            let mut number = String::new();
            while let Some(&c) = chars.peek().filter(|c| c.is_ascii_digit()) {
                number.push(c);
                chars.next();
            }
            match number.parse::<u64>() {
                // Amounts are in đồng; small numbers are counts.
                Ok(amount) if amount >= 1000 => {
                    out.push_str(&format!("{} đ", group_digits(amount)));
                }
                _ => out.push_str(&number),
            }
        } else {
            out.push(if next == '*' { '×' } else { next });
            chars.next();
        }
    }
    out
}

pub(super) fn group_digits(amount: u64) -> String {
    let digits = amount.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fee_formula_reads_in_dong_and_field_labels() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml"
        );
        let text = std::fs::read_to_string(path).expect("the copy-extract procedure");
        let procedure = Procedure::load("2.000635.toml", &text).expect("loads");
        let said = formula_in_words("8000 * so_ban_sao", &procedure);
        assert!(said.starts_with("8.000 đ × "), "{said}");
        assert!(!said.contains("so_ban_sao"), "{said}");
        assert_eq!(
            formula_in_words("2 * so_khac + 15000", &procedure),
            "2 × so_khac + 15.000 đ"
        );
    }
}
