//! Liveness and readiness, for orchestrators and load balancers. No token needed.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
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
