//! Frozen evaluations: stored inputs, results and hash, re-performed on demand.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy;
use crate::domain::ids::{EvaluationId, TenderId};
use crate::error::AppError;
use crate::services::evaluation::{self as service, FrozenEvaluation};
use crate::startup::AppState;

use crate::api::docs::{CreateErrors, GetErrors};
use crate::api::extract::{IdempotencyKey, RequestContext};
use crate::api::pagination::Page;
use crate::api::respond::{self, Created};
use crate::api::wire::scoring::EvaluationResult;

use super::TENDER_ID;

#[derive(Debug, Serialize, ToSchema)]
pub struct FrozenEvaluationResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: EvaluationId,
    #[schema(value_type = String, format = Uuid)]
    pub tender_id: TenderId,
    pub engine_version: String,
    /// SHA-256 over the canonical JSON of engine version, input and result.
    pub content_hash: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Everything the engine was given.
    #[schema(value_type = Object)]
    pub input: serde_json::Value,
    pub result: EvaluationResult,
}

impl FrozenEvaluationResponse {
    fn new(e: FrozenEvaluation) -> Result<Self, AppError> {
        Ok(Self {
            id: e.id,
            tender_id: e.tender_id,
            engine_version: e.engine_version,
            content_hash: e.content_hash,
            created_by: e.created_by,
            created_at: e.created_at,
            input: serde_json::to_value(&e.input).map_err(AppError::internal)?,
            result: e.result.into(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FrozenEvaluationSummary {
    #[schema(value_type = String, format = Uuid)]
    pub id: EvaluationId,
    pub engine_version: String,
    pub content_hash: String,
    pub winner: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize)]
pub struct EvaluationPath {
    pub id: TenderId,
    pub eid: EvaluationId,
}

/// Freeze the current evaluation: its complete inputs, results, engine version and hash.
#[utoipa::path(
    tag = "evaluation", operation_id = "freeze_evaluation",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID),
        ("Idempotency-Key" = Option<String>, Header, description = crate::api::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The frozen evaluation", body = FrozenEvaluationResponse,
        headers(("Location" = String, description = "URL of the frozen evaluation"))),
        (status = 404, description = "No such tender in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The tender is not in evaluation (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/evaluations")]
pub async fn freeze_evaluation(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    key: IdempotencyKey,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::AWARD)?;
    let id = id.into_inner();
    respond::create(&state, &ctx, key, req.path(), b"", move |conn, actor| {
        let frozen = service::freeze(conn, actor, id)?;
        Ok(Created {
            location: format!("/api/v1/tenders/{id}/evaluations/{}", frozen.id),
            version: None,
            body: FrozenEvaluationResponse::new(frozen)?,
        })
    })
    .await
}

/// The frozen evaluations of a tender.
#[utoipa::path(
    tag = "evaluation", operation_id = "list_evaluations",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID)),
    responses((status = 200, description = "Oldest first", body = Page<FrozenEvaluationSummary>), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/evaluations")]
pub async fn list_evaluations(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let list = state
        .run(move |conn| service::list_frozen(conn, &authority, id))
        .await?;
    let items: Vec<_> = list
        .into_iter()
        .map(|e| FrozenEvaluationSummary {
            id: e.id,
            engine_version: e.engine_version,
            content_hash: e.content_hash,
            winner: e.result.winner,
            created_by: e.created_by,
            created_at: e.created_at,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page::whole(items)))
}

/// One frozen evaluation with its inputs and results.
#[utoipa::path(
    tag = "evaluation", operation_id = "get_evaluation",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID), ("eid" = String, Path, format = Uuid, description = "Evaluation id")),
    responses((status = 200, description = "The frozen evaluation", body = FrozenEvaluationResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/evaluations/{eid}")]
pub async fn get_evaluation(
    ctx: RequestContext,
    path: web::Path<EvaluationPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    let (path, authority) = (path.into_inner(), ctx.principal.authority.clone());
    let frozen = state
        .run(move |conn| service::get_frozen(conn, &authority, path.id, path.eid))
        .await?;
    Ok(HttpResponse::Ok().json(FrozenEvaluationResponse::new(frozen)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DifferenceResponse {
    /// e.g. `bids[1].total`.
    pub path: String,
    /// The stored value at `path` (any JSON value).
    pub stored: serde_json::Value,
    /// What re-running the engine gives at `path`.
    pub recomputed: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReperformanceResponse {
    #[schema(value_type = String, format = Uuid)]
    pub evaluation_id: EvaluationId,
    /// True when the hash holds and re-running the engine gives the stored result.
    pub matches: bool,
    pub hash_valid: bool,
    pub result_matches: bool,
    pub stored_engine_version: String,
    pub current_engine_version: String,
    pub first_difference: Option<DifferenceResponse>,
}

/// Re-perform a frozen evaluation from its stored inputs and compare.
#[utoipa::path(
    tag = "evaluation", operation_id = "verify_evaluation",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID), ("eid" = String, Path, format = Uuid, description = "Evaluation id")),
    responses((status = 200, description = "Whether the stored evaluation re-performs exactly", body = ReperformanceResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/evaluations/{eid}/verify")]
pub async fn verify_evaluation(
    ctx: RequestContext,
    path: web::Path<EvaluationPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    let (path, authority) = (path.into_inner(), ctx.principal.authority.clone());
    let r = state
        .run(move |conn| service::reperform(conn, &authority, path.id, path.eid))
        .await?;
    Ok(HttpResponse::Ok().json(ReperformanceResponse {
        evaluation_id: r.evaluation.id,
        matches: r.hash_valid && r.result_matches,
        hash_valid: r.hash_valid,
        result_matches: r.result_matches,
        stored_engine_version: r.evaluation.engine_version,
        current_engine_version: crate::domain::scoring::ENGINE_VERSION.to_string(),
        first_difference: r.first_difference.map(|d| DifferenceResponse {
            path: d.path,
            stored: d.stored,
            recomputed: d.recomputed,
        }),
    }))
}
