//! Consequence records: proposed for breaches, then applied or waived.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::contract::{ConsequenceRecord, ConsequenceStatus};
use crate::domain::ids::{ConsequenceId, ContractId, TermId};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::contracts::{self as service};
use crate::startup::AppState;

use crate::api::docs::{ComputeErrors, GetErrors};
use crate::api::extract::{ApiJson, RequestContext};
use crate::api::pagination::Page;

use super::*;
use crate::api::docs::ActionErrors;
use crate::api::wire::Money;
use crate::api::wire::compliance::ConsequenceStatus as WireConsequenceStatus;

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsequenceResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: ConsequenceId,
    #[schema(value_type = String, format = Uuid)]
    pub term_id: TermId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kind: String,
    pub amount: Option<Money>,
    pub detail: String,
    pub status: WireConsequenceStatus,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// For a superseded consequence: the correction that cleared its breach.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub cleared_by: Option<crate::domain::ids::ObservationId>,
}

impl From<ConsequenceRecord> for ConsequenceResponse {
    fn from(c: ConsequenceRecord) -> Self {
        Self {
            id: c.id,
            term_id: c.term_id,
            period_start: c.period.start,
            period_end: c.period.end,
            kind: c.kind,
            amount: c.amount.map(Money),
            detail: c.detail,
            status: c.status.into(),
            reason: c.reason,
            decided_by: c.decided_by,
            decided_at: c.decided_at,
            cleared_by: c.cleared_by,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Default today.
    pub as_of: Option<NaiveDate>,
}

/// Record a proposed consequence for every breach up to a date that has none yet.
#[utoipa::path(
    tag = "contracts", operation_id = "propose_consequences",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), AsOfQuery),
    responses((status = 200, description = "The consequences proposed now", body = Page<ConsequenceResponse>), ComputeErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/consequences/propose")]
pub async fn propose_consequences(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    query: web::Query<AsOfQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let as_of = query.as_of.unwrap_or_else(|| ctx.today());
    let (id, actor) = (id.into_inner(), ctx.actor());
    let created = state
        .write(actor, move |conn, actor| {
            service::propose_consequences(conn, actor, id, as_of)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::whole(
        created.into_iter().map(ConsequenceResponse::from).collect(),
    )))
}

/// The consequence records of a contract.
#[utoipa::path(
    tag = "contracts", operation_id = "list_consequences",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID)),
    responses((status = 200, description = "Oldest first", body = Page<ConsequenceResponse>), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/consequences")]
pub async fn list_consequences(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(REPORT)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let list = state
        .run(move |conn| {
            service::get(conn, &authority, id)?;
            service::consequences(conn, &authority, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::whole(
        list.into_iter().map(ConsequenceResponse::from).collect(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Deserialize)]
pub struct ConsequencePath {
    pub id: ContractId,
    pub cid: ConsequenceId,
}

async fn decide(
    ctx: RequestContext,
    path: ConsequencePath,
    body: DecisionRequest,
    state: web::Data<AppState>,
    status: ConsequenceStatus,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let mut errors = ValidationErrors::default();
    let reason = errors.check("reason", text::bounded(&body.reason, 1, 2000));
    let reason = errors.finish(|| reason)?;
    let actor = ctx.actor();
    let record = state
        .write(actor, move |conn, actor| {
            service::decide_consequence(conn, actor, path.id, path.cid, status, reason)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ConsequenceResponse::from(record)))
}

/// Apply a proposed consequence.
#[utoipa::path(
    tag = "contracts", operation_id = "apply_consequence", request_body = DecisionRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("cid" = String, Path, format = Uuid, description = "Consequence id")),
    responses((status = 200, description = "The consequence, applied", body = ConsequenceResponse),
        (status = 409, description = "Already applied or waived (`illegal_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        ActionErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/consequences/{cid}/apply")]
pub async fn apply_consequence(
    ctx: RequestContext,
    path: web::Path<ConsequencePath>,
    body: ApiJson<DecisionRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    decide(
        ctx,
        path.into_inner(),
        body.value,
        state,
        ConsequenceStatus::Applied,
    )
    .await
}

/// Waive a proposed consequence.
#[utoipa::path(
    tag = "contracts", operation_id = "waive_consequence", request_body = DecisionRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("cid" = String, Path, format = Uuid, description = "Consequence id")),
    responses((status = 200, description = "The consequence, waived", body = ConsequenceResponse),
        (status = 409, description = "Already applied or waived (`illegal_transition`)", body = crate::error::Problem, content_type = "application/problem+json"),
        ActionErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/consequences/{cid}/waive")]
pub async fn waive_consequence(
    ctx: RequestContext,
    path: web::Path<ConsequencePath>,
    body: ApiJson<DecisionRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    decide(
        ctx,
        path.into_inner(),
        body.value,
        state,
        ConsequenceStatus::Waived,
    )
    .await
}
