//! The designer's pages: every procedure and version with its diagram, a procedure file checked
//! by the validator with each message where it points, and publishing it as the next version.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hoso_engine::messages::{DesignProblem, Lang};
use hoso_engine::procedure::{GraphFormat, Procedure, render_graph};

use super::pages::{Nav, field, fields, render, signed_in};
use super::{Visitor, WebError, Words};
use crate::access::UserKind;
use crate::app::AppError;
use crate::app::AppState;

/// One procedure in the designer's list.
pub(super) struct DesignRow {
    code: String,
    name: String,
    versions: Vec<u32>,
}

/// A validator message, where it points.
pub(super) struct Message {
    place: String,
    message: String,
    fix: String,
}

impl Message {
    /// A catalogue problem at `place`, worded in the visitor's language.
    fn of(place: String, said: &DesignProblem, lang: Lang) -> Self {
        Self {
            place,
            message: said.message(lang),
            fix: said.fix(lang),
        }
    }
}

#[derive(Template)]
#[template(path = "design.html")]
pub(super) struct DesignTemplate {
    t: &'static Words,
    nav: Nav,
    rows: Vec<DesignRow>,
    file_name: String,
    messages: Vec<Message>,
    preview: String,
    source: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "design_version.html")]
pub(super) struct VersionTemplate {
    t: &'static Words,
    nav: Nav,
    code: String,
    name: String,
    version: u32,
    current: bool,
    diagram: String,
    mermaid: String,
}

fn designer(visitor: &Visitor, here: &str) -> Result<(), WebError> {
    signed_in(visitor, here)?;
    if visitor.user.as_ref().map(|user| user.kind) == Some(UserKind::Designer) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "these pages are for procedure designers".to_owned(),
        ))
    }
}

fn rows(state: &AppState) -> Vec<DesignRow> {
    let catalogue = state.service.catalogue();
    let mut rows: Vec<DesignRow> = Vec::new();
    for procedure in catalogue.iter() {
        let code = procedure.code().to_string();
        match rows.iter_mut().find(|row| row.code == code) {
            Some(row) => row.versions.push(procedure.version()),
            None => rows.push(DesignRow {
                name: catalogue
                    .current(&code)
                    .map_or_else(String::new, |current| current.definition().name.clone()),
                code,
                versions: vec![procedure.version()],
            }),
        }
    }
    for row in &mut rows {
        row.versions.sort_unstable();
        row.versions.dedup();
    }
    rows.sort_by(|left, right| left.code.cmp(&right.code));
    rows
}

fn empty(state: &AppState, visitor: &Visitor) -> DesignTemplate {
    DesignTemplate {
        t: visitor.words(),
        nav: Nav::of(visitor, "/design"),
        rows: rows(state),
        file_name: String::new(),
        messages: Vec::new(),
        preview: String::new(),
        source: String::new(),
        checked: false,
    }
}

/// GET /design.
pub(super) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    designer(&visitor, "/design")?;
    Ok(render(
        &state,
        &visitor,
        StatusCode::OK,
        &empty(&state, &visitor),
    ))
}

/// GET /design/{code}/{version}: the version's diagram, drawn by hoso.
pub(super) async fn version(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, version)): Path<(String, u32)>,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    designer(&visitor, &format!("/design/{code}/{version}"))?;
    let catalogue = state.service.catalogue();
    let procedure = catalogue.get(&code, version).ok_or_else(|| {
        WebError::from(crate::app::AppError::NotFound(
            hoso_engine::messages::Denial::NoProcedure {
                code: format!("{code} (v{version})"),
            }
            .into(),
        ))
    })?;
    let template = VersionTemplate {
        t: visitor.words(),
        nav: Nav::of(&visitor, &format!("/design/{code}/{version}")),
        name: procedure.definition().name.clone(),
        current: catalogue.current(&code).map(|current| current.version()) == Some(version),
        diagram: render_graph(procedure, GraphFormat::Svg),
        mermaid: render_graph(procedure, GraphFormat::Mermaid),
        code,
        version,
    };
    Ok(render(&state, &visitor, StatusCode::OK, &template))
}

/// POST /design/check: the validator's messages for an uploaded file, or its diagram and a
/// button to publish it.
pub(super) async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    designer(&visitor, "/design")?;
    let parts = super::Parts::read(multipart, &state.limits).await?;
    visitor.check_csrf(parts.field("csrf"))?;
    let file = parts
        .files
        .into_iter()
        .find(|(field, _, _)| field == "procedure")
        .map(|(_, file_name, bytes)| (file_name, bytes));
    let mut template = empty(&state, &visitor);
    template.checked = true;
    let Some((file_name, bytes)) = file.filter(|(_, bytes)| !bytes.is_empty()) else {
        template.messages.push(Message::of(
            String::new(),
            &DesignProblem::NoFile,
            visitor.lang,
        ));
        return Ok(render(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &template,
        ));
    };
    template.file_name = file_name.chars().take(200).collect();
    let Ok(text) = std::str::from_utf8(&bytes) else {
        template.messages.push(Message::of(
            template.file_name.clone(),
            &DesignProblem::NotUtf8 { offset: None },
            visitor.lang,
        ));
        return Ok(render(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &template,
        ));
    };
    let catalogue = state.service.catalogue();
    match Procedure::load_with(&template.file_name, text, catalogue.retention()) {
        Ok(procedure) => {
            template.preview = render_graph(&procedure, GraphFormat::Svg);
            template.source = text.to_owned();
            Ok(render(&state, &visitor, StatusCode::OK, &template))
        }
        Err(error) => {
            template.messages = error
                .diagnostics
                .iter()
                .map(|diagnostic| {
                    Message::of(
                        format!(
                            "{}:{}:{} {}",
                            template.file_name,
                            diagnostic.line,
                            diagnostic.column,
                            diagnostic.pointer
                        ),
                        &diagnostic.said,
                        visitor.lang,
                    )
                })
                .collect();
            Ok(render(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &template,
            ))
        }
    }
}

/// POST /design/publish: publishes the checked file as the next version.
pub(super) async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let visitor = Visitor::of(&state, &headers).await?;
    designer(&visitor, "/design")?;
    let sent = fields(&body);
    visitor.check_csrf(field(&sent, "csrf"))?;
    let principal = signed_in(&visitor, "/design")?;
    let source = field(&sent, "source").unwrap_or_default().to_owned();
    match crate::app::procedures::publish(&state, &principal, source.as_bytes()).await {
        Ok(published) => Ok(Redirect::to(&format!(
            "/design/{}/{}",
            published.code, published.version
        ))
        .into_response()),
        Err(AppError::Invalid(problems)) => Err(WebError::BadRequest(crate::app::error::summary(
            &problems,
            visitor.lang,
        ))),
        Err(other) => Err(other.into()),
    }
}
