//! Every error the API returns: RFC 9457 problem+json with a stable `type`, a human `detail`,
//! and for invalid input the JSON pointer of each bad field.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hoso_engine::messages::{Denial, ProblemKind};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::app::{AppError, FieldError};

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

impl AppError {
    /// The status, the `type` slug and the kind of this error.
    fn parts(&self) -> (StatusCode, &'static str, ProblemKind) {
        match self {
            Self::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad-request",
                ProblemKind::BadRequest,
            ),
            Self::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                ProblemKind::SignIn,
            ),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", ProblemKind::NotAllowed),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", ProblemKind::NotFound),
            Self::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                ProblemKind::MethodNotAllowed,
            ),
            Self::Timeout => (StatusCode::REQUEST_TIMEOUT, "timeout", ProblemKind::Timeout),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", ProblemKind::Conflict),
            Self::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                ProblemKind::TooLarge,
            ),
            Self::UnsupportedType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-type",
                ProblemKind::UnsupportedType,
            ),
            Self::Invalid(..) | Self::KeyReused(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                ProblemKind::Invalid,
            ),
            Self::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                ProblemKind::RateLimited,
            ),
            Self::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                ProblemKind::Unavailable,
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                ProblemKind::Internal,
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, slug, kind) = self.parts();
        let lang = crate::app::error::request_lang();
        let retry_after = match &self {
            Self::RateLimited(seconds) => Some(seconds.to_string()),
            Self::Unavailable(_) => Some("5".to_owned()),
            _ => None,
        };
        let (detail, errors) = match self {
            Self::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                (Denial::Internal.text(lang), Vec::new())
            }
            Self::Unavailable(detail) => {
                tracing::warn!(%detail, "database unavailable");
                (Denial::DatabaseUnavailable.text(lang), Vec::new())
            }
            Self::Timeout => (Denial::Timeout.text(lang), Vec::new()),
            Self::RateLimited(seconds) => (Denial::RateLimited { seconds }.text(lang), Vec::new()),
            Self::Invalid(problems) => (
                crate::app::error::summary(&problems, lang),
                crate::app::error::field_errors(&problems, lang),
            ),
            Self::KeyReused(said) => {
                let detail = said.text(lang);
                (
                    detail.clone(),
                    vec![FieldError {
                        pointer: String::new(),
                        detail,
                    }],
                )
            }
            Self::BadRequest(said)
            | Self::Unauthorized(said)
            | Self::Forbidden(said)
            | Self::NotFound(said)
            | Self::MethodNotAllowed(said)
            | Self::Conflict(said)
            | Self::TooLarge(said)
            | Self::UnsupportedType(said) => (said.text(lang), Vec::new()),
        };
        let problem = Problem {
            kind: format!("https://hoso.vn/problems/{slug}"),
            title: kind.title(lang).to_owned(),
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

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection;
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedType(
                Denial::MediaType {
                    expected: "application/json".to_owned(),
                }
                .into(),
            ),
            JsonRejection::JsonDataError(error) => Self::field(
                "",
                hoso_engine::messages::RequestProblem::BodyShape {
                    detail: error.body_text(),
                },
            ),
            JsonRejection::JsonSyntaxError(error) => Self::BadRequest(
                Denial::JsonSyntax {
                    detail: error.body_text(),
                }
                .into(),
            ),
            JsonRejection::BytesRejection(error)
                if error.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Self::TooLarge(Denial::BodyTooLarge { limit: None }.into())
            }
            other => Self::BadRequest(
                Denial::Unreadable {
                    detail: other.body_text(),
                }
                .into(),
            ),
        }
    }
}

impl From<axum::extract::multipart::MultipartRejection> for AppError {
    fn from(rejection: axum::extract::multipart::MultipartRejection) -> Self {
        Self::UnsupportedType(
            Denial::MediaType {
                expected: format!(
                    "multipart/form-data; boundary=… ({})",
                    rejection.body_text()
                ),
            }
            .into(),
        )
    }
}

impl From<axum::extract::rejection::QueryRejection> for AppError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        Self::BadRequest(
            Denial::Unreadable {
                detail: rejection.body_text(),
            }
            .into(),
        )
    }
}

impl From<axum::extract::rejection::PathRejection> for AppError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        Self::NotFound(Denial::NoSuchResource.into())
    }
}
