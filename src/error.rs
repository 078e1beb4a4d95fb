//! One error type for the whole service, rendered as RFC 9457 `application/problem+json` with a
//! stable machine-readable `code`. Causes of 5xx errors are logged, never sent.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::domain::validation::{FieldError, ValidationErrors};

/// Declares every error code once: its name on the wire, HTTP status, title and meaning.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal, $status:ident, $title:literal;)+) => {
        /// Stable error codes. Clients may branch on these; they never change meaning, and new
        /// ones may be added within v1.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)+
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }

            pub fn status(self) -> StatusCode {
                match self {
                    $(Self::$variant => StatusCode::$status,)+
                }
            }

            pub fn title(self) -> &'static str {
                match self {
                    $(Self::$variant => $title,)+
                }
            }

            /// What the code means, as its documentation says.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($($doc),*).trim_ascii(),)+
                }
            }
        }
    };
}

error_codes! {
    /// The body is not well-formed JSON.
    MalformedJson = "malformed_json", BAD_REQUEST, "Malformed JSON";
    /// The body is JSON (or CSV) but not of the expected shape: unknown field, wrong type, missing field, a value that does not read as its type.
    InvalidBody = "invalid_body", BAD_REQUEST, "Invalid request body";
    /// A query parameter is missing, unknown, malformed or out of range.
    InvalidQuery = "invalid_query", BAD_REQUEST, "Invalid query parameter";
    /// A path parameter is malformed (e.g. an id that is not a UUID).
    InvalidPathParameter = "invalid_path_parameter", BAD_REQUEST, "Invalid path parameter";
    /// A header is malformed (e.g. `Idempotency-Key`, `If-Match`).
    InvalidHeader = "invalid_header", BAD_REQUEST, "Invalid header";
    /// A pagination cursor was not issued by this service or has been altered.
    InvalidCursor = "invalid_cursor", BAD_REQUEST, "Invalid cursor";
    /// The input parsed but breaks a rule; see `errors`.
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY, "Validation failed";
    /// No valid bearer token.
    Unauthenticated = "unauthenticated", UNAUTHORIZED, "Unauthenticated";
    /// The token is valid but lacks a role this operation needs.
    Forbidden = "forbidden", FORBIDDEN, "Forbidden";
    /// No such resource in the caller's authority.
    NotFound = "not_found", NOT_FOUND, "Not found";
    /// No such route.
    RouteNotFound = "route_not_found", NOT_FOUND, "Route not found";
    /// The route exists but not with this method.
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "Method not allowed";
    /// `If-Match` does not match the resource's current `ETag`.
    PreconditionFailed = "precondition_failed", PRECONDITION_FAILED, "Precondition failed";
    /// The operation needs an `If-Match` header.
    PreconditionRequired = "precondition_required", PRECONDITION_REQUIRED, "Precondition required";
    /// The same `Idempotency-Key` was used with a different request.
    IdempotencyKeyReused = "idempotency_key_reused", UNPROCESSABLE_ENTITY, "Idempotency key reused";
    /// The request conflicts with the resource's current state, or with another record (a duplicate).
    Conflict = "conflict", CONFLICT, "Conflict";
    /// The lifecycle does not allow this action from the resource's current status.
    IllegalTransition = "illegal_transition", CONFLICT, "Illegal transition";
    /// The body did not arrive in time (`REQUEST_BODY_TIMEOUT_SECS`).
    RequestTimeout = "request_timeout", REQUEST_TIMEOUT, "Request timeout";
    /// The body is larger than the configured limit.
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "Payload too large";
    /// The body's `Content-Type` is not one the operation reads.
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "Unsupported media type";
    /// The database is unavailable; try again later.
    ServiceUnavailable = "service_unavailable", SERVICE_UNAVAILABLE, "Service unavailable";
    /// Something failed inside the service; the request id identifies it in the logs.
    InternalError = "internal_error", INTERNAL_SERVER_ERROR, "Internal error";
}

/// An open string, not an enum: a client generated from this version must not break on a code
/// added later. The known codes are listed with their status and meaning.
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let known: Vec<String> = Self::ALL
            .iter()
            .map(|c| {
                format!(
                    "- `{}` ({}): {}",
                    c.as_str(),
                    c.status().as_u16(),
                    c.meaning()
                )
            })
            .collect();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[a-z_]+$"))
            .description(Some(format!(
                "A stable, machine-readable error code. New codes may be added within v1; treat an unknown one by its HTTP status. Known codes:\n{}",
                known.join("\n")
            )))
            .examples(Self::ALL.iter().map(|c| c.as_str()))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
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
        /// Field errors found beyond the ones kept ([`crate::domain::validation::MAX_FIELD_ERRORS`]).
        omitted: usize,
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
            omitted: 0,
        }
    }

    /// A client error with the field errors found.
    pub fn rejected(code: ErrorCode, detail: impl Into<String>, errors: ValidationErrors) -> Self {
        let (errors, omitted) = errors.into_parts();
        Self::Client {
            code,
            detail: detail.into(),
            errors,
            omitted,
        }
    }

    pub fn with_field(code: ErrorCode, detail: impl Into<String>, field: FieldError) -> Self {
        Self::rejected(code, detail, field.into())
    }

    pub fn not_found(what: &str) -> Self {
        Self::client(ErrorCode::NotFound, format!("{what} not found"))
    }

    /// Query parameters that parsed but are out of their documented range.
    pub fn invalid_query(errors: ValidationErrors) -> Self {
        Self::rejected(
            ErrorCode::InvalidQuery,
            "a query parameter is out of range; see errors",
            errors,
        )
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
        Self::rejected(
            ErrorCode::ValidationFailed,
            "the request breaks one or more rules; see errors",
            errors,
        )
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
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match &e {
            // Another writer got there first (a record that must be unique, or a row another
            // transaction changed): the client's request conflicts with the stored state.
            Error::DatabaseError(Kind::UniqueViolation | Kind::SerializationFailure, _) => {
                tracing::warn!(error = %e, "conflicting write");
                Self::client(
                    ErrorCode::Conflict,
                    "the request conflicts with a record that already exists; read it again and retry",
                )
            }
            Error::DatabaseError(Kind::ClosedConnection, _) => {
                Self::Unavailable(format!("database: {e}"))
            }
            _ => Self::Internal(format!("database: {e}")),
        }
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
    /// Stable and machine-readable; see `ErrorCode` for the codes this version sends. New codes
    /// may be added within v1, so treat an unknown one by its HTTP status.
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// The request id (also in the `X-Request-Id` header); quote it when reporting a problem.
    pub request_id: Option<String>,
    /// Field errors, the first 100 found; empty when the problem is not about particular fields.
    pub errors: Vec<ProblemFieldError>,
    /// How many more field errors were found than `errors` lists.
    pub errors_omitted: u64,
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
        let (detail, errors, omitted) = match self {
            Self::Client {
                detail,
                errors,
                omitted,
                ..
            } => (detail.clone(), errors.clone(), *omitted),
            Self::Unavailable(cause) => {
                tracing::error!(error = %cause, "database unavailable");
                (
                    "the database is unavailable; try again shortly".to_string(),
                    Vec::new(),
                    0,
                )
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                (
                    "something went wrong inside the service; quote the request id when reporting it"
                        .to_string(),
                    Vec::new(),
                    0,
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
            errors_omitted: u64::try_from(omitted).unwrap_or(u64::MAX),
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
    fn every_code_is_snake_case_unique_titled_and_explained() {
        let mut names = std::collections::BTreeSet::new();
        for &code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            assert!(names.insert(name), "{name} twice");
            assert_eq!(serde_json::to_value(code).unwrap(), name);
            assert!(
                !code.title().is_empty() && !code.meaning().is_empty(),
                "{name}"
            );
            let status = code.status().as_u16();
            assert!((400..600).contains(&status), "{name}: {status}");
        }
        assert_eq!(names.len(), 22);
    }

    #[test]
    fn a_unique_violation_is_a_conflict_not_a_fault() {
        struct Info;
        impl diesel::result::DatabaseErrorInformation for Info {
            fn message(&self) -> &str {
                "duplicate key"
            }
            fn details(&self) -> Option<&str> {
                None
            }
            fn hint(&self) -> Option<&str> {
                None
            }
            fn table_name(&self) -> Option<&str> {
                None
            }
            fn column_name(&self) -> Option<&str> {
                None
            }
            fn constraint_name(&self) -> Option<&str> {
                None
            }
            fn statement_position(&self) -> Option<i32> {
                None
            }
        }
        let e = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new(Info),
        );
        assert_eq!(AppError::from(e).code(), ErrorCode::Conflict);
        assert_eq!(
            AppError::from(diesel::result::Error::NotFound).code(),
            ErrorCode::InternalError
        );
    }
}
