//! Liveness and readiness, for orchestrators and load balancers (no token needed), and
//! metrics for whoever runs the service (behind the operator's own token).

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db;
use crate::error::{AppError, ErrorCode};
use crate::startup::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    #[schema(example = "ok")]
    pub status: String,
    pub version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyResponse {
    #[schema(example = "ready")]
    pub status: String,
    /// `postgresql` or `sqlite`.
    pub database: String,
    pub migrations: String,
}

/// The process is up.
#[utoipa::path(
    tag = "operations",
    operation_id = "health",
    responses((status = 200, description = "The process is up", body = HealthResponse)),
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// The database is reachable and its schema is current.
#[utoipa::path(
    tag = "operations",
    operation_id = "ready",
    responses(
        (status = 200, description = "Ready to serve", body = ReadyResponse),
        (status = 503, description = "Database unreachable or migrations pending", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (database, current) = state
        .run(|conn| {
            let name = match conn {
                db::DbConnection::Postgresql(_) => "postgresql",
                db::DbConnection::Sqlite(_) => "sqlite",
            };
            let current = db::migrations_current(conn).map_err(AppError::Unavailable)?;
            Ok((name, current))
        })
        .await?;
    if !current {
        return Err(AppError::client(
            ErrorCode::ServiceUnavailable,
            "the database schema is behind this version; restart to run migrations",
        ));
    }
    Ok(HttpResponse::Ok().json(ReadyResponse {
        status: "ready".into(),
        database: database.into(),
        migrations: "current".into(),
    }))
}

/// Metrics in the Prometheus text format: requests and latency by operation and status, the
/// database pool, the write queue, audit-chain lock waits and import rows. Behind the
/// operator's `METRICS_TOKEN` (a bearer token), since they describe every authority; off (404)
/// while none is set.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses(
        (status = 200, description = "The exposition (text format 0.0.4)", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8"),
        (status = 401, description = "Not the metrics token (`unauthenticated`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Metrics are off: no `METRICS_TOKEN` is set (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("metrics_token" = [])),
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(expected) = state.settings.metrics_token.as_deref() else {
        return Err(AppError::client(
            ErrorCode::NotFound,
            "metrics are off: set METRICS_TOKEN to serve them",
        ));
    };
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim_start().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    // Compared as digests, so the time taken says nothing about how much of it matched.
    let matches = sent.is_some_and(|token| {
        Sha256::digest(token.as_bytes()) == Sha256::digest(expected.as_bytes())
    });
    if !matches {
        return Err(AppError::client(
            ErrorCode::Unauthenticated,
            "send the metrics token: `Authorization: Bearer <METRICS_TOKEN>`",
        ));
    }
    let state_of_pool = state.pool.state();
    let body = state
        .metrics
        .render(state_of_pool.connections, state_of_pool.idle_connections)
        .map_err(AppError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
