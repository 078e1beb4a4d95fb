//! Extractors: the one place wire input (headers, body, path, query) is read, with every
//! failure turned into a problem+json error.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::auth::{Principal, Role};
use crate::domain::validation::FieldError;
use crate::error::{AppError, ErrorCode};
use crate::services::{Actor, Precondition};
use crate::startup::AppState;

use super::request_id;

fn state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state missing"))
}

/// The authenticated caller and the request id: every `/api/v1` handler takes one.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub principal: Principal,
    pub request_id: String,
    /// The service clock's time when it is fixed (see `services::Clock`).
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

impl RequestContext {
    /// Today on the service's clock: the default `as_of` of reports.
    pub fn today(&self) -> chrono::NaiveDate {
        self.at.unwrap_or_else(crate::services::now).date_naive()
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        self.principal.require_any(roles).map_err(AppError::from)
    }

    pub fn actor(&self) -> Actor {
        Actor {
            principal: self.principal.clone(),
            request_id: self.request_id.clone(),
            at: self.at,
        }
    }
}

fn unauthenticated(detail: impl Into<String>) -> AppError {
    AppError::client(ErrorCode::Unauthenticated, detail)
}

impl FromRequest for RequestContext {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready((|| {
            let state = state(req)?;
            let raw = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
                unauthenticated("send a bearer token: `Authorization: Bearer <token>`")
            })?;
            let token = raw
                .to_str()
                .ok()
                .and_then(|v| v.trim_start().split_once(' '))
                // The scheme is case-insensitive (RFC 9110 §11.1): `Bearer`, `bearer`, `BEARER`.
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    unauthenticated("the Authorization header must be `Bearer <token>`")
                })?;
            let principal = state
                .verifier
                .verify(token)
                .map_err(|e| unauthenticated(e.to_string()))?;
            Ok(RequestContext {
                principal,
                request_id: request_id::current().unwrap_or_default(),
                at: state.settings.clock.fixed_now(),
            })
        })())
    }
}

/// A JSON body read with the configured size limit, parsed with the path of any failing
/// field. Keeps the raw bytes for idempotency fingerprints.
pub struct ApiJson<T> {
    pub value: T,
    pub raw: web::Bytes,
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

/// Reads a request body up to the configured limit: 413 beyond it.
fn read_limited(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: fn(&crate::config::Settings) -> usize,
) -> LocalBoxFuture<'static, Result<web::Bytes, AppError>> {
    let limit = state(req).map(|s| (limit(&s.settings), s.settings.request_body_timeout));
    let declared_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        let (limit, deadline) = limit?;
        let too_large = || {
            AppError::client(
                ErrorCode::PayloadTooLarge,
                format!("the request body is larger than the limit of {limit} bytes"),
            )
        };
        if declared_len.is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let read = async {
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    AppError::client(
                        ErrorCode::InvalidBody,
                        format!("the request body could not be read: {e}"),
                    )
                })?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body.freeze())
        };
        tokio::time::timeout(deadline, read)
            .await
            .unwrap_or_else(|_| {
                Err(AppError::client(
                    ErrorCode::RequestTimeout,
                    format!(
                        "the request body did not arrive within {} s",
                        deadline.as_secs()
                    ),
                ))
            })
    })
}

fn unsupported(what: &str) -> AppError {
    AppError::client(
        ErrorCode::UnsupportedMediaType,
        format!("send the body as {what}"),
    )
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let body = read_limited(req, payload, |s| s.max_body_bytes);
        Box::pin(async move {
            if !json {
                return Err(unsupported("JSON with `Content-Type: application/json`"));
            }
            let raw = body.await?;
            let value = parse_json(&raw)?;
            Ok(ApiJson { value, raw })
        })
    }
}

/// A body that may be JSON or CSV (bulk imports).
pub enum JsonOrCsv {
    Json(web::Bytes),
    Csv(web::Bytes),
}

impl JsonOrCsv {
    pub fn raw(&self) -> &[u8] {
        match self {
            Self::Json(b) | Self::Csv(b) => b,
        }
    }
}

impl FromRequest for JsonOrCsv {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let csv =
            matches!(req.mime_type(), Ok(Some(m)) if m.type_() == "text" && m.subtype() == "csv");
        let json = is_json(req);
        let body = read_limited(req, payload, |s| s.max_import_bytes);
        Box::pin(async move {
            match (json, csv) {
                (true, _) => Ok(Self::Json(body.await?)),
                (_, true) => Ok(Self::Csv(body.await?)),
                _ => Err(unsupported("JSON (`application/json`) or CSV (`text/csv`)")),
            }
        })
    }
}

/// Parses JSON, naming the field that failed (`outcomes[0].kind`) where there is one.
/// serde_json ends its messages with " at line L column C": the field path says where, and
/// the position in the raw bytes is the parser's business, not the client's.
fn without_position(message: &str) -> String {
    match message.rsplit_once(" at line ") {
        Some((head, tail))
            if tail
                .split(" column ")
                .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            head.to_string()
        }
        _ => message.to_string(),
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let malformed = |e: serde_json::Error| {
        AppError::client(
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        )
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => AppError::with_field(
                ErrorCode::InvalidBody,
                "the body does not have the expected shape; see errors",
                FieldError::new(
                    if path == "." { String::new() } else { path },
                    without_position(&inner.to_string()),
                ),
            ),
            _ => malformed(inner),
        }
    })?;
    de.end().map_err(malformed)?;
    Ok(value)
}

/// `Idempotency-Key`: optional on POST; 1–255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get("idempotency-key") {
            None => Ok(None),
            Some(raw) => match raw.to_str() {
                Ok(s)
                    if !s.is_empty()
                        && s.len() <= 255
                        && s.bytes().all(|b| b.is_ascii_graphic()) =>
                {
                    Ok(Some(s.to_string()))
                }
                _ => Err(AppError::with_field(
                    ErrorCode::InvalidHeader,
                    "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)",
                    FieldError::new(
                        "Idempotency-Key",
                        "must be 1 to 255 visible ASCII characters",
                    ),
                )),
            },
        };
        ready(parsed.map(IdempotencyKey))
    }
}

/// `If-Match`, required on every update: `*` or a list of strong ETags.
pub struct IfMatch(pub Precondition);

impl FromRequest for IfMatch {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let bad = || {
            AppError::with_field(
                ErrorCode::InvalidHeader,
                "If-Match must be `*` or a list of quoted ETags, e.g. `\"3\"`",
                FieldError::new("If-Match", "not a valid list of entity tags"),
            )
        };
        let parsed = match req.headers().get(header::IF_MATCH) {
            None => Err(AppError::client(
                ErrorCode::PreconditionRequired,
                "updates need an If-Match header with the ETag of the version you read",
            )),
            Some(raw) => raw.to_str().ok().and_then(parse_if_match).ok_or_else(bad),
        };
        ready(parsed.map(IfMatch))
    }
}

fn parse_if_match(raw: &str) -> Option<Precondition> {
    let raw = raw.trim();
    if raw == "*" {
        return Some(Precondition::Any);
    }
    let mut tags = Vec::new();
    for part in raw.split(',') {
        let part = part.trim();
        // Weak tags never match under If-Match's strong comparison (RFC 9110 §13.1.1).
        if let Some(weak) = part.strip_prefix("W/") {
            weak.strip_prefix('"')?.strip_suffix('"')?;
            continue;
        }
        let tag = part.strip_prefix('"')?.strip_suffix('"')?;
        if tag.contains('"') {
            return None;
        }
        tags.push(tag.to_string());
    }
    Some(Precondition::OneOf(tags))
}

/// Errors of actix's own path and query extractors, as problem+json.
pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    AppError::client(
        ErrorCode::InvalidPathParameter,
        format!("a path parameter is not valid: {err}"),
    )
    .into()
}

pub fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    AppError::client(
        ErrorCode::InvalidQuery,
        format!("the query string is not valid: {err}"),
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_forms() {
        assert_eq!(parse_if_match("*"), Some(Precondition::Any));
        assert_eq!(
            parse_if_match("\"3\", \"4\""),
            Some(Precondition::OneOf(vec!["3".into(), "4".into()]))
        );
        assert_eq!(parse_if_match("W/\"3\""), Some(Precondition::OneOf(vec![])));
        assert_eq!(parse_if_match("3"), None);
    }

    #[test]
    fn json_errors_name_the_field() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[expect(dead_code, reason = "only deserialised")]
        struct Body {
            items: Vec<Item>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[expect(dead_code, reason = "only deserialised")]
        struct Item {
            n: u8,
        }
        match parse_json::<Body>(br#"{"items":[{"n":1},{"n":"x"}]}"#) {
            Err(AppError::Client { code, errors, .. }) => {
                assert_eq!(code, ErrorCode::InvalidBody);
                assert_eq!(errors[0].field, "items[1].n");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse_json::<Body>(b"{\"items\": ["),
            Err(AppError::Client {
                code: ErrorCode::MalformedJson,
                ..
            })
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"items":[]} trailing"#),
            Err(AppError::Client {
                code: ErrorCode::MalformedJson,
                ..
            })
        ));
    }
}
