//! One error type for the whole service, rendered as RFC 9457 `application/problem+json` with a
//! stable machine-readable `code`. Causes of 5xx errors are logged, never sent.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::validation::{FieldError, ValidationErrors};

/// Stable error codes. Clients may branch on these; they never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not well-formed JSON.
    MalformedJson,
    /// The body is JSON but not of the expected shape (unknown field, wrong type, missing field).
    InvalidBody,
    /// A query parameter is missing, unknown or malformed.
    InvalidQuery,
    /// A path parameter is malformed (e.g. an id that is not a UUID).
    InvalidPathParameter,
    /// A header is malformed (e.g. `Idempotency-Key`, `If-Match`).
    InvalidHeader,
    /// A pagination cursor was not issued by this service or has been altered.
    InvalidCursor,
    /// The input parsed but breaks a rule; see `errors[]`.
    ValidationFailed,
    /// No valid bearer token.
    Unauthenticated,
    /// The token is valid but lacks a role this operation needs.
    Forbidden,
    /// No such resource in the caller's authority.
    NotFound,
    /// No such route.
    RouteNotFound,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// `If-Match` does not match the resource's current `ETag`.
    PreconditionFailed,
    /// The operation needs an `If-Match` header.
    PreconditionRequired,
    /// The same `Idempotency-Key` was used with a different request.
    IdempotencyKeyReused,
    /// The request conflicts with the resource's current state.
    Conflict,
    /// The lifecycle does not allow this action from the resource's current status.
    IllegalTransition,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// The body's `Content-Type` is not `application/json`.
    UnsupportedMediaType,
    /// The database is unavailable; try again later.
    ServiceUnavailable,
    /// Something failed inside the service; the request id identifies it in the logs.
    InternalError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidBody => "invalid_body",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidPathParameter => "invalid_path_parameter",
            Self::InvalidHeader => "invalid_header",
            Self::InvalidCursor => "invalid_cursor",
            Self::ValidationFailed => "validation_failed",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::PreconditionFailed => "precondition_failed",
            Self::PreconditionRequired => "precondition_required",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::Conflict => "conflict",
            Self::IllegalTransition => "illegal_transition",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ServiceUnavailable => "service_unavailable",
            Self::InternalError => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedJson
            | Self::InvalidBody
            | Self::InvalidQuery
            | Self::InvalidPathParameter
            | Self::InvalidHeader
            | Self::InvalidCursor => StatusCode::BAD_REQUEST,
            Self::ValidationFailed | Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound | Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::Conflict | Self::IllegalTransition => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::MalformedJson => "Malformed JSON",
            Self::InvalidBody => "Invalid request body",
            Self::InvalidQuery => "Invalid query parameter",
            Self::InvalidPathParameter => "Invalid path parameter",
            Self::InvalidHeader => "Invalid header",
            Self::InvalidCursor => "Invalid cursor",
            Self::ValidationFailed => "Validation failed",
            Self::Unauthenticated => "Unauthenticated",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not found",
            Self::RouteNotFound => "Route not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::PreconditionFailed => "Precondition failed",
            Self::PreconditionRequired => "Precondition required",
            Self::IdempotencyKeyReused => "Idempotency key reused",
            Self::Conflict => "Conflict",
            Self::IllegalTransition => "Illegal transition",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::ServiceUnavailable => "Service unavailable",
            Self::InternalError => "Internal error",
        }
    }
}

/// The error of every fallible operation in the service.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A client error with a code, a human explanation and optional field errors.
    #[error("{detail}")]
    Client {
        code: ErrorCode,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// The database could not be reached (pool exhausted or server down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A fault inside the service. The cause is logged, the client sees a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn client(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Client {
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn with_field(code: ErrorCode, detail: impl Into<String>, field: FieldError) -> Self {
        Self::Client {
            code,
            detail: detail.into(),
            errors: vec![field],
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::client(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// Query parameters that parsed but are out of their documented range.
    pub fn invalid_query(errors: ValidationErrors) -> Self {
        Self::Client {
            code: ErrorCode::InvalidQuery,
            detail: "a query parameter is out of range; see errors".into(),
            errors: errors.0,
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Client { code, .. } => *code,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Client {
            code: ErrorCode::ValidationFailed,
            detail: "the request breaks one or more rules; see errors".into(),
            errors: errors.0,
        }
    }
}

impl From<crate::auth::MissingRole> for AppError {
    fn from(e: crate::auth::MissingRole) -> Self {
        Self::client(ErrorCode::Forbidden, e.to_string())
    }
}

impl From<crate::domain::tender::IllegalTransition> for AppError {
    fn from(e: crate::domain::tender::IllegalTransition) -> Self {
        Self::client(ErrorCode::IllegalTransition, e.to_string())
    }
}

impl From<crate::db::CorruptRow> for AppError {
    fn from(e: crate::db::CorruptRow) -> Self {
        Self::internal(e)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Internal(format!("database: {e}"))
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(format!("blocking task: {e}"))
    }
}

/// RFC 9457 problem details, extended with `code`, `request_id` and `errors`.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `urn:mission-procurement:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// The request id (also in the `X-Request-Id` header); quote it when reporting a problem.
    pub request_id: Option<String>,
    /// Field errors; empty when the problem is not about particular fields.
    pub errors: Vec<ProblemFieldError>,
}

#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ProblemFieldError {
    /// Path of the field in the input, e.g. `outcomes[0].indicators[1].unit` or `cursor`.
    pub field: String,
    pub message: String,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        let code = self.code();
        let (detail, errors) = match self {
            Self::Client { detail, errors, .. } => (detail.clone(), errors.clone()),
            Self::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                (
                    "the database is unavailable; try again shortly".to_string(),
                    Vec::new(),
                )
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                (
                    "something went wrong inside the service; quote the request id when reporting it"
                        .to_string(),
                    Vec::new(),
                )
            }
        };
        let problem = Problem {
            problem_type: format!("urn:mission-procurement:problem:{}", code.as_str()),
            title: code.title().to_string(),
            status: code.status().as_u16(),
            detail,
            code: code.as_str().to_string(),
            request_id: crate::api::request_id::current(),
            errors: errors
                .into_iter()
                .map(|e| ProblemFieldError {
                    field: e.field,
                    message: e.message,
                })
                .collect(),
        };
        let mut response = HttpResponse::build(code.status());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if code == ErrorCode::Unauthenticated {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if code == ErrorCode::ServiceUnavailable {
            response.insert_header((header::RETRY_AFTER, "5"));
        }
        response.json(problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_serialised_names() {
        for code in [
            ErrorCode::MalformedJson,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::InternalError,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
