//! Building responses: JSON bodies with ETag and Location, and replays of stored responses.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use serde::Serialize;

use super::extract::{IdempotencyKey, RequestContext};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::services::idempotency::{self, StoredResponse};
use crate::services::{Actor, etag};
use crate::startup::AppState;

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
    builder.content_type("application/json");
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

/// What a create returns: the new resource, where it lives and its version (for the ETag).
pub struct Created<T> {
    pub location: String,
    pub version: Option<i64>,
    pub body: T,
}

/// Runs a create once per `Idempotency-Key` and answers 201 (or the replayed first answer).
/// Every POST that creates something goes through here, so idempotency behaves the same on
/// every endpoint.
pub async fn create<T, F>(
    state: &AppState,
    ctx: &RequestContext,
    key: IdempotencyKey,
    path: &str,
    raw_body: &[u8],
    work: F,
) -> Result<HttpResponse, AppError>
where
    T: Serialize,
    F: FnOnce(&mut DbConnection, &Actor) -> Result<Created<T>, AppError> + Send + 'static,
{
    let fingerprint = idempotency::fingerprint("POST", path, raw_body);
    let actor = ctx.actor();
    let (response, replayed) = state
        .write(actor, move |conn, actor| {
            idempotency::run_once(conn, actor, key.0.as_deref(), &fingerprint, |conn| {
                let created = work(conn, actor)?;
                stored(
                    StatusCode::CREATED,
                    &created.body,
                    Some(created.location),
                    created.version,
                )
            })
        })
        .await?;
    Ok(send(response, replayed))
}
