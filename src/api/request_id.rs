//! Request ids: taken from `X-Request-Id` when the caller sends a sensible one, generated
//! otherwise; echoed in the response header, in every log line of the request (span) and in
//! every error body.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use tracing::Instrument;

use crate::startup::AppState;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served, if called while serving one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A caller's id is kept when it is 1–128 visible ASCII characters; anything else could
/// forge log lines, so a fresh id replaces it.
fn accept(raw: &HeaderValue) -> Option<String> {
    let s = raw.to_str().ok()?;
    let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| s.to_string())
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(accept)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let method = req.method().to_string();
    let result = REQUEST_ID
        .scope(id.clone(), next.call(req))
        .instrument(span.clone())
        .await;
    let _entered = span.enter();
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let took = started.elapsed();
            let elapsed_us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
            if let Some(state) = response.request().app_data::<web::Data<AppState>>() {
                let pattern = response.request().match_pattern();
                state
                    .metrics
                    .observe_request(&method, pattern.as_deref(), status, took);
            }
            if status >= 500 {
                tracing::error!(status, elapsed_us, "request failed");
            } else {
                tracing::info!(status, elapsed_us, "request served");
            }
            if let Ok(value) = HeaderValue::from_str(&id) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(HEADER), value);
            }
            Ok(response)
        }
        Err(e) => {
            tracing::error!(error = %e, "request failed");
            Err(e)
        }
    }
}
