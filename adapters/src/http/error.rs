//! Every error the API returns: RFC 9457 problem+json with a stable `type`, a human `detail`,
//! and for invalid input the JSON pointer of each bad field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hoso_engine::case::{FieldProblem, Rejection};
use hoso_engine::ports::StoreError;
use hoso_engine::service::ServiceError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A stable URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, for a person.
    pub detail: String,
    /// Each invalid field, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    /// JSON pointer into the request body, e.g. `/form/so_ban_sao`.
    pub pointer: String,
    /// What is wrong and how to fix it.
    pub detail: String,
}

/// An API error; each variant documents its status.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be read (malformed JSON, a missing header).
    BadRequest(String),
    /// 401: no valid credentials.
    Unauthorized(String),
    /// 403: known caller, not allowed.
    Forbidden(String),
    /// 404: no such resource — or one the caller may not know exists.
    NotFound(String),
    /// 408: the request took too long.
    Timeout,
    /// 409: the dossier changed since the caller read it.
    Conflict(String),
    /// 413: the body or an upload is too large.
    TooLarge(String),
    /// 415: the body or an upload is of a type the API does not take.
    UnsupportedType(String),
    /// 422: readable but invalid; each problem names its field.
    Invalid(String, Vec<FieldError>),
    /// 429: too many requests; retry after this many seconds.
    RateLimited(u64),
    /// 503: the database is unreachable; safe to retry.
    Unavailable(String),
    /// 500: a bug or corrupt data; details are logged, never shown.
    Internal(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                "The request cannot be read",
            ),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Sign in required"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Self::Timeout => (
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "The request took too long",
            ),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", "The dossier changed"),
            Self::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too-large", "Too large"),
            Self::UnsupportedType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-type",
                "Unsupported type",
            ),
            Self::Invalid(..) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Invalid request",
            ),
            Self::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Temporarily unavailable",
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
            ),
        }
    }

    /// A validation error with one field.
    pub fn field(pointer: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self::Invalid(
            format!("{pointer}: {detail}"),
            vec![FieldError {
                pointer: pointer.to_owned(),
                detail,
            }],
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        let (detail, errors) = match self {
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (
                    "an internal error occurred; it has been logged".to_owned(),
                    Vec::new(),
                )
            }
            Self::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                (
                    "the database is unavailable; retry later".to_owned(),
                    Vec::new(),
                )
            }
            Self::Timeout => (
                "the request took too long; retry later".to_owned(),
                Vec::new(),
            ),
            Self::RateLimited(seconds) => (
                format!("too many requests; retry after {seconds} s"),
                Vec::new(),
            ),
            Self::Invalid(detail, errors) => (detail, errors),
            Self::BadRequest(detail)
            | Self::Unauthorized(detail)
            | Self::Forbidden(detail)
            | Self::NotFound(detail)
            | Self::Conflict(detail)
            | Self::TooLarge(detail)
            | Self::UnsupportedType(detail) => (detail, Vec::new()),
        };
        let retry_after = match (status, &detail) {
            (StatusCode::TOO_MANY_REQUESTS, detail) => {
                detail.split_whitespace().rev().nth(1).map(str::to_owned)
            }
            (StatusCode::SERVICE_UNAVAILABLE, _) => Some("5".to_owned()),
            _ => None,
        };
        let problem = Problem {
            kind: format!("https://hoso.vn/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        };
        let mut response = (status, axum::Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after.and_then(|value| HeaderValue::from_str(&value).ok()) {
            headers.insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => Self::Unavailable(detail),
            other => Self::Internal(other.to_string()),
        }
    }
}

fn field_errors(problems: Vec<FieldProblem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|problem| FieldError {
            pointer: problem.pointer,
            detail: problem.message,
        })
        .collect()
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::UnknownProcedure(code) => Self::field(
                "/procedure",
                format!("no procedure {code}; see GET /api/v1/procedures"),
            ),
            ServiceError::UnknownDossier(code) => Self::NotFound(format!("no dossier {code}")),
            ServiceError::Rejected(Rejection::Forbidden(why)) => Self::Forbidden(why),
            ServiceError::Rejected(Rejection::NotNow(why)) => Self::Conflict(why),
            ServiceError::Rejected(Rejection::Invalid(problems)) => {
                let detail = problems
                    .iter()
                    .map(|problem| format!("{}: {}", problem.pointer, problem.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                Self::Invalid(detail, field_errors(problems))
            }
            ServiceError::Rejected(Rejection::Clock(clock)) => Self::Unavailable(clock.to_string()),
            conflict @ ServiceError::Conflict { .. } => Self::Conflict(conflict.to_string()),
            ServiceError::Store(store) => store.into(),
            other @ (ServiceError::MissingVersion { .. } | ServiceError::Replay(_)) => {
                Self::Internal(other.to_string())
            }
        }
    }
}

/// Whether a body error comes from the size limit, however deep the wrappers put it: axum looks
/// only one level down, so a limit hit while a chunked multipart body streamed came back as 400.
pub fn is_body_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error
            .downcast_ref::<http_body_util::LengthLimitError>()
            .is_some()
        {
            return true;
        }
        current = error.source();
    }
    false
}

/// A multipart body that could not be read: 413 when it was too large, else 400.
pub fn multipart_error(error: &axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE || is_body_too_large(error) {
        ApiError::TooLarge("the body is larger than the server accepts".to_owned())
    } else {
        ApiError::BadRequest(error.body_text())
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection;
        match rejection {
            JsonRejection::MissingJsonContentType(_) => {
                Self::UnsupportedType("send the body as application/json".to_owned())
            }
            JsonRejection::JsonDataError(error) => Self::field("", error.body_text()),
            JsonRejection::JsonSyntaxError(error) => Self::BadRequest(error.body_text()),
            JsonRejection::BytesRejection(error)
                if error.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Self::TooLarge("the body is larger than the API accepts".to_owned())
            }
            other => Self::BadRequest(other.body_text()),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        Self::NotFound(rejection.body_text())
    }
}
