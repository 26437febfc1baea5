//! Why a use case could not be done. The kinds follow what the caller can do about it (sign in,
//! fix a field, retry later); `http` maps each to a status and `web` to a page.

use hoso_engine::case::{FieldProblem, Rejection};
use hoso_engine::messages::{Denial, Lang, Refusal, RequestProblem, Said};
use hoso_engine::ports::StoreError;
use hoso_engine::service::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON pointer into the request body, e.g. `/form/so_ban_sao`.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub detail: String,
}

/// Why a use case could not be done, by kind; `http` answers each with a problem+json status,
/// `web` with a page.
#[derive(Debug)]
pub enum AppError {
    /// 400: the request cannot be read (malformed JSON, a missing header).
    BadRequest(Said),
    /// 401: no valid credentials.
    Unauthorized(Said),
    /// 403: known caller, not allowed.
    Forbidden(Said),
    /// 404: no such resource — or one the caller may not know exists.
    NotFound(Said),
    /// 405: the resource does not take this method.
    MethodNotAllowed(Said),
    /// 408: the request took too long.
    Timeout,
    /// 409: the dossier changed since the caller read it.
    Conflict(Said),
    /// 413: the body or an upload is too large.
    TooLarge(Said),
    /// 415: the body or an upload is of a type the API does not take.
    UnsupportedType(Said),
    /// 422: readable but invalid; each problem names its field and is worded, in the caller's
    /// language, by the engine's message catalogue.
    Invalid(Vec<FieldProblem>),
    /// 422: the idempotency key was already used with a different request.
    KeyReused(Said),
    /// 429: too many requests; retry after this many seconds.
    RateLimited(u64),
    /// 503: the database is unreachable; safe to retry.
    Unavailable(String),
    /// 500: a bug or corrupt data; details are logged, never shown.
    Internal(String),
}

impl AppError {
    /// A validation error with one field.
    pub fn field(pointer: &str, said: impl Into<Said>) -> Self {
        Self::Invalid(vec![FieldProblem::new(pointer, said)])
    }
}

/// Invalid fields as the API answers them, in `lang`.
pub fn field_errors(problems: &[FieldProblem], lang: Lang) -> Vec<FieldError> {
    problems
        .iter()
        .map(|problem| FieldError {
            pointer: problem.pointer.clone(),
            detail: problem.message(lang),
        })
        .collect()
}

/// Every problem on one line, in `lang`: `pointer: message; …` (just the message where there is
/// no pointer).
pub fn summary(problems: &[FieldProblem], lang: Lang) -> String {
    problems
        .iter()
        .map(|problem| {
            if problem.pointer.is_empty() {
                problem.message(lang)
            } else {
                format!("{}: {}", problem.pointer, problem.message(lang))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

tokio::task_local! {
    /// The language the API caller asked for (`Accept-Language`), for its error messages.
    static REQUEST_LANG: Lang;
}

/// The language of the request being answered: what its `Accept-Language` prefers, Vietnamese
/// by default.
pub fn request_lang() -> Lang {
    REQUEST_LANG.try_with(|lang| *lang).unwrap_or_default()
}

/// Runs `work` with its messages worded in `lang`.
pub async fn in_language<F: std::future::Future>(lang: Lang, work: F) -> F::Output {
    REQUEST_LANG.scope(lang, work).await
}

/// Answers `next` in the language the request's `Accept-Language` prefers.
pub async fn in_request_language(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let lang = request
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map_or_else(Lang::default, Lang::from_accept_language);
    in_language(lang, next.run(request)).await
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::UnknownProcedure(code) => {
                Self::field("/procedure", RequestProblem::UnknownProcedure { code })
            }
            ServiceError::UnknownDossier(code) => Self::NotFound(
                Denial::NoDossier {
                    code: code.to_string(),
                }
                .into(),
            ),
            ServiceError::Rejected(Rejection::Forbidden(why)) => Self::Forbidden(why),
            ServiceError::Rejected(Rejection::NotNow(why)) => Self::Conflict(why),
            ServiceError::Rejected(Rejection::Invalid(problems)) => Self::Invalid(problems),
            ServiceError::Rejected(Rejection::Clock(clock)) => Self::Unavailable(clock.to_string()),
            ServiceError::Conflict {
                code,
                expected,
                actual,
            } => Self::Conflict(
                Refusal::DossierChanged {
                    dossier: code,
                    expected,
                    actual,
                }
                .into(),
            ),
            ServiceError::Store(store) => store.into(),
            other @ (ServiceError::MissingVersion { .. } | ServiceError::Replay(_)) => {
                Self::Internal(other.to_string())
            }
        }
    }
}
