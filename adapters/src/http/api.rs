//! The resources under `/api/v1`, each registered once for routing and for the OpenAPI document.
//! Each handler reads the request into the use case's types, calls [`crate::app`] once, and
//! answers its view as JSON.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hoso_engine::case::DocumentRef;
use hoso_engine::messages::{Denial, RequestProblem};

use super::error::{AppError, Problem};
use crate::app::actions::{self, ActionRequest};
use crate::app::dossiers::{self, DossierView, SubmitRequest, Submitting, TimelineEntry};
use crate::app::downloads;
use crate::app::idempotency::checked_key;
use crate::app::lists::{self, DossierPage, DossierRow, ListQuery};
use crate::app::procedures::{self, ProcedureDetail, ProcedureSummary, PublishedVersion};
use crate::app::uploads::{multipart_error, stage};
use crate::app::{AppState, Principal};
use crate::documents::{DocumentType, Staged};
/// JSON request bodies, with rejections as problem+json.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query strings, with rejections as problem+json.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// A multipart body, with rejections (no boundary, another media type) as problem+json.
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(Multipart::from_request(request, state).await?))
    }
}

/// Path parameters, with rejections as problem+json.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

// ---------------------------------------------------------------------------------------------
// Procedures

/// The catalogue: the current version of every procedure. Public.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures",
    responses((status = 200, body = Vec<ProcedureSummary>)))]
pub async fn list_procedures(State(state): State<AppState>) -> axum::Json<Vec<ProcedureSummary>> {
    axum::Json(procedures::catalogue(&state))
}

/// A procedure's current and past versions. Public.
#[utoipa::path(get, path = "/api/v1/procedures/{code}", tag = "procedures",
    params(("code" = String, Path, description = "National procedure code, e.g. 1.001193")),
    responses((status = 200, body = ProcedureDetail), (status = 404, body = Problem)))]
pub async fn get_procedure(
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::Json<ProcedureDetail>, AppError> {
    Ok(axum::Json(procedures::detail(&state, &code)?))
}

/// Publishes a procedure file (TOML body) as the version its `version` names. Designers only.
/// The same content again answers 200 with the version it already is.
#[utoipa::path(post, path = "/api/v1/procedures", tag = "procedures",
    request_body(content = String, content_type = "application/toml", description = "A procedure file"),
    responses((status = 201, body = PublishedVersion, description = "Published as a new version"),
        (status = 200, body = PublishedVersion, description = "Already published with this content; nothing changed"),
        (status = 409, body = Problem, description = "Different content under a published version, or a version that is not the next; the message names the version to use"),
        (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn publish_procedure(
    State(state): State<AppState>,
    principal: Principal,
    body: axum::body::Bytes,
) -> Result<(StatusCode, axum::Json<PublishedVersion>), AppError> {
    let published = procedures::publish(&state, &principal, &body).await?;
    let status = if published.unchanged {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(published)))
}

// ---------------------------------------------------------------------------------------------
// Dossiers

/// Reads the submission from JSON or from a multipart body (`submission` part + one file part
/// per document, named by its dossier component).
async fn read_submission(
    state: &AppState,
    request: Request,
) -> Result<(SubmitRequest, Vec<DocumentRef>, Vec<Staged>), AppError> {
    let is_multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/form-data"));
    if !is_multipart {
        let ApiJson(submission) = ApiJson::<SubmitRequest>::from_request(request, &()).await?;
        return Ok((submission, Vec::new(), Vec::new()));
    }
    let ApiMultipart(mut multipart) = ApiMultipart::from_request(request, &()).await?;
    let mut submission = None;
    let mut uploads = Vec::new();
    // Removed when dropped: a refused or failed submission leaves no file behind.
    let mut staged_files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(&error))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field
            .bytes()
            .await
            .map_err(|error| multipart_error(&error))?;
        if name == "submission" {
            submission = Some(
                serde_json::from_slice::<SubmitRequest>(&bytes)
                    .map_err(|error| AppError::field("/submission", body_shape(&error)))?,
            );
            continue;
        }
        if bytes.len() > state.limits.upload_bytes {
            return Err(AppError::TooLarge(
                Denial::FileTooLarge {
                    name: name.clone(),
                    limit: state.limits.upload_bytes,
                }
                .into(),
            ));
        }
        if DocumentType::sniff(&bytes).is_none() {
            return Err(AppError::UnsupportedType(
                Denial::FileType {
                    name: name.clone(),
                    pdf_only: false,
                }
                .into(),
            ));
        }
        let (document, staged) = stage(
            state,
            &name,
            file_name.as_deref().unwrap_or("document"),
            &bytes,
        )
        .await?;
        uploads.push(document);
        staged_files.push(staged);
    }
    let submission = submission.ok_or_else(|| {
        AppError::field(
            "/submission",
            RequestProblem::PartMissing {
                part: "submission".to_owned(),
                example: "{\"procedure\":\"1.001193\", …}".to_owned(),
            },
        )
    })?;
    Ok((submission, uploads, staged_files))
}

/// Submits a dossier: JSON (documents by reference) or multipart (a `submission` JSON part and
/// one file part per document, named by its component). Requires `Idempotency-Key`: the same
/// key and body return the first response; the same key with another body is 422.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers",
    request_body(content = SubmitRequest),
    params(("Idempotency-Key" = String, Header, description = "unique per intended submission")),
    responses((status = 201, body = DossierView), (status = 422, body = Problem), (status = 403, body = Problem), (status = 401, body = Problem)))]
pub async fn submit_dossier(
    State(state): State<AppState>,
    principal: Principal,
    request: Request,
) -> Result<(StatusCode, axum::Json<DossierView>), AppError> {
    // Who and which key before reading a body that may carry files.
    dossiers::require_actor(&principal)?;
    let key = checked_key(
        request
            .headers()
            .get("idempotency-key")
            .map(|value| value.as_bytes()),
    )?;
    let (body, uploads, staged) = read_submission(&state, request).await?;
    let submitting = Submitting {
        key,
        body,
        uploads,
        staged,
    };
    let view = dossiers::submit(&state, &principal, submitting).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// A dossier: status, step, appointment, remaining working time, and what the caller may do.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = DossierView), (status = 404, body = Problem)))]
pub async fn get_dossier(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::Json<DossierView>, AppError> {
    Ok(axum::Json(dossiers::read(&state, &principal, &code).await?))
}

/// Dossiers, newest first: auditors see all, officers their unit's, citizens their own.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(ListQuery),
    responses((status = 200, body = DossierPage), (status = 403, body = Problem)))]
pub async fn list_dossiers(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<axum::Json<DossierPage>, AppError> {
    Ok(axum::Json(lists::list(&state, &principal, query).await?))
}

/// Takes an action on a dossier. 409 on a stale `expected_version` or an action not possible
/// now; 403 when the caller may not take it; 422 when its data is invalid.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/actions", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes a retry return the first result")),
    request_body = ActionRequest,
    responses((status = 200, body = DossierView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn take_action(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ActionRequest>,
) -> Result<axum::Json<DossierView>, AppError> {
    let key = headers.get("idempotency-key").map(|value| value.as_bytes());
    Ok(axum::Json(
        actions::act(&state, &principal, &code, key, &request).await?,
    ))
}

/// The applicant answers a supplement request with files (nộp bổ sung): `multipart/form-data`,
/// one file part per dossier component, named by its id; each a PDF, PNG or JPEG (checked by
/// its content) within the upload limit. Documents by reference go through `/actions` with
/// `submit_supplement`.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/supplement", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    request_body(content = String, content_type = "multipart/form-data", description = "One file part per dossier component, named by the component's id"),
    responses((status = 200, body = DossierView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_supplement(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<axum::Json<DossierView>, AppError> {
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(&error))?
    {
        let component = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or("document").to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|error| multipart_error(&error))?;
        if bytes.len() > state.limits.upload_bytes {
            return Err(AppError::TooLarge(
                Denial::FileTooLarge {
                    name: component,
                    limit: state.limits.upload_bytes,
                }
                .into(),
            ));
        }
        files.push((component, file_name, bytes));
    }
    let uploads = actions::uploads(&files);
    Ok(axum::Json(
        actions::answer_supplement(&state, &principal, &code, &uploads).await?,
    ))
}

/// Dossiers waiting for the calling officer's role in their unit, most urgent first.
#[utoipa::path(get, path = "/api/v1/inbox", tag = "dossiers",
    responses((status = 200, body = Vec<DossierRow>), (status = 403, body = Problem)))]
pub async fn inbox(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<axum::Json<Vec<DossierRow>>, AppError> {
    Ok(axum::Json(lists::inbox(&state, &principal).await?))
}

/// The dossier's events with actor, time and hash.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/timeline", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = Vec<TimelineEntry>), (status = 404, body = Problem)))]
pub async fn timeline(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::Json<Vec<TimelineEntry>>, AppError> {
    Ok(axum::Json(
        dossiers::timeline(&state, &principal, &code).await?,
    ))
}

/// Downloads a document of the dossier by its SHA-256, for those who may read the dossier.
#[utoipa::path(get, path = "/api/v1/dossiers/{code}/documents/{id}", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code"), ("id" = String, Path, description = "The document's SHA-256")),
    responses((status = 200, description = "The document"), (status = 404, body = Problem)))]
pub async fn document(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((code, id)): ApiPath<(String, String)>,
) -> Result<Response, AppError> {
    let download = downloads::document(&state, &principal, &code, &id).await?;
    let disposition = download.content_disposition();
    Ok((
        [
            (header::CONTENT_TYPE, download.media_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        download.bytes,
    )
        .into_response())
}

/// Issues the result with its electronic files (ban hành kết quả điện tử): `multipart/form-data`
/// with a `request` part (the action as JSON: `issue_result`, or the procedure's action that
/// issues the result) and one `result` part per PDF. A full-process service whose applicant
/// chose online delivery needs at least one file. The signatures in each PDF, and their
/// signers' names, are read and shown; their validity is not checked.
#[utoipa::path(post, path = "/api/v1/dossiers/{code}/result", tag = "dossiers",
    params(("code" = String, Path, description = "Dossier code")),
    request_body(content = String, content_type = "multipart/form-data", description = "A `request` part with the action as JSON, and one `result` part per PDF"),
    responses((status = 200, body = DossierView), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_result(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(code): ApiPath<String>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<axum::Json<DossierView>, AppError> {
    let mut request = None;
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(&error))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or("ket-qua.pdf").to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|error| multipart_error(&error))?;
        match name.as_str() {
            "request" => {
                request = Some(
                    serde_json::from_slice::<ActionRequest>(&bytes)
                        .map_err(|error| AppError::field("/request", body_shape(&error)))?,
                );
            }
            "result" if bytes.len() > state.limits.upload_bytes => {
                return Err(AppError::TooLarge(
                    Denial::FileTooLarge {
                        name: file_name,
                        limit: state.limits.upload_bytes,
                    }
                    .into(),
                ));
            }
            "result" => files.push((name, file_name, bytes)),
            other => {
                return Err(AppError::field(
                    &format!("/{other}"),
                    RequestProblem::UnexpectedPart {
                        expected: vec!["request".to_owned(), "result".to_owned()],
                    },
                ));
            }
        }
    }
    let request = request.ok_or_else(|| {
        AppError::field(
            "/request",
            RequestProblem::PartMissing {
                part: "request".to_owned(),
                example: "{\"action\":\"issue_result\"}".to_owned(),
            },
        )
    })?;
    let uploads = actions::uploads(&files);
    Ok(axum::Json(
        actions::act_with_results(&state, &principal, &code, &request, &uploads).await?,
    ))
}

/// The lookup's query: the code and key printed on the receipt.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// Dossier code, e.g. 000.00.17.H21-250303-0001.
    pub code: String,
    /// The lookup key printed on Form 01: 8 to 16 capital letters and digits.
    #[param(pattern = "^[A-Z0-9]{8,16}$")]
    pub key: String,
}

/// Public status lookup (tra cứu hồ sơ), no sign-in: status, step, unit, appointment, on time or
/// late — never personal data. An unknown code and a wrong key answer the same 404; each address
/// may try ten times at once, then one every six seconds (429 with Retry-After).
#[utoipa::path(get, path = "/api/v1/lookup", tag = "dossiers", params(LookupQuery),
    responses((status = 200, body = crate::app::lookup::LookupView), (status = 400, body = Problem), (status = 404, body = Problem), (status = 429, body = Problem)))]
pub async fn lookup(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<axum::Json<crate::app::lookup::LookupView>, AppError> {
    let address = super::client_address(Some(peer.ip()), &headers, &state.trusted_proxies);
    Ok(axum::Json(
        crate::app::lookup::lookup(&state, address, &query.code, &query.key).await?,
    ))
}

/// A JSON part that does not match its schema, in serde's words.
fn body_shape(error: &serde_json::Error) -> RequestProblem {
    RequestProblem::BodyShape {
        detail: error.to_string(),
    }
}
