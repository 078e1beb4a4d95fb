//! Building responses: JSON bodies with ETag and Location, and replays of stored responses.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde::Serialize;

use crate::error::AppError;
use crate::services::etag;
use crate::services::idempotency::StoredResponse;

/// Header set on a response replayed for a repeated `Idempotency-Key`.
pub const REPLAYED: &str = "idempotent-replayed";

/// A response to store for idempotent replay and to send now.
pub fn stored<T: Serialize>(
    status: StatusCode,
    body: &T,
    location: Option<String>,
    version: Option<i64>,
) -> Result<StoredResponse, AppError> {
    Ok(StoredResponse {
        status: status.as_u16(),
        body: serde_json::to_string(body).map_err(AppError::internal)?,
        location,
        etag: version.map(etag),
    })
}

pub fn send(response: StoredResponse, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::OK);
    let mut builder = HttpResponse::build(status);
    builder.content_type(mime_json());
    if let Some(location) = response.location {
        builder.insert_header((header::LOCATION, location));
    }
    if let Some(tag) = response.etag {
        builder.insert_header((header::ETAG, format!("\"{tag}\"")));
    }
    if replayed {
        builder.insert_header((REPLAYED, "true"));
    }
    builder.body(response.body)
}

/// 200 with the resource and its ETag.
pub fn ok_with_etag<T: Serialize>(body: &T, version: i64) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, format!("\"{}\"", etag(version))))
        .json(body)
}

fn mime_json() -> &'static str {
    "application/json"
}
