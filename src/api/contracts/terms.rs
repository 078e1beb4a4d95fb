//! A contract's terms: obligations with their monitoring plan.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::contract::Term;
use crate::domain::ids::{ContractId, MissionId, TermId};
use crate::error::AppError;
use crate::services::contracts::{self as service, TermInput};
use crate::startup::AppState;

use crate::api::docs::{CreateErrors, GetErrors, UpdateErrors};
use crate::api::extract::{ApiJson, IdempotencyKey, IfMatch, RequestContext};
use crate::api::pagination::Page;
use crate::api::respond::{self, Created};

use super::*;
use crate::api::wire::compliance::TermSpec as WireTermSpec;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub mission_id: Option<MissionId>,
    pub spec: WireTermSpec,
}

impl From<TermRequest> for TermInput {
    fn from(r: TermRequest) -> Self {
        Self {
            title: r.title,
            mission_id: r.mission_id,
            spec: r.spec.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: TermId,
    #[schema(value_type = String, format = Uuid)]
    pub contract_id: ContractId,
    pub title: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub mission_id: Option<MissionId>,
    /// `bid:<criterion>` when carried from the winning bid.
    pub source: Option<String>,
    pub spec: WireTermSpec,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Term> for TermResponse {
    fn from(t: Term) -> Self {
        Self {
            id: t.id,
            contract_id: t.contract_id,
            title: t.title,
            mission_id: t.mission_id,
            source: t.source,
            spec: t.spec.into(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct TermPath {
    pub id: ContractId,
    pub tid: TermId,
}

/// Add a term to a contract.
#[utoipa::path(
    tag = "contracts", operation_id = "create_term",
    request_body = TermRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("Idempotency-Key" = Option<String>, Header, description = crate::api::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The term", body = TermResponse, headers(("Location" = String, description = "URL of the term"))),
        (status = 404, description = "No such contract in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/terms")]
pub async fn create_term(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    key: IdempotencyKey,
    body: ApiJson<TermRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let input = TermInput::from(body.value);
    let id = id.into_inner();
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let term = service::create_term(conn, actor, id, input)?;
            Ok(Created {
                location: format!("/api/v1/contracts/{id}/terms/{}", term.id),
                version: Some(term.version),
                body: TermResponse::from(term),
            })
        },
    )
    .await
}

/// The terms of a contract.
#[utoipa::path(
    tag = "contracts", operation_id = "list_terms",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID)),
    responses((status = 200, description = "Every term, oldest first", body = Page<TermResponse>), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/terms")]
pub async fn list_terms(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(READ)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let terms = state
        .run(move |conn| service::terms(conn, &authority, id))
        .await?;
    Ok(HttpResponse::Ok().json(Page::whole(
        terms.into_iter().map(TermResponse::from).collect(),
    )))
}

/// Get one term.
#[utoipa::path(
    tag = "contracts", operation_id = "get_term",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("tid" = String, Path, format = Uuid, description = "Term id")),
    responses((status = 200, description = "The term", body = TermResponse, headers(("ETag" = String, description = "Strong ETag"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/terms/{tid}")]
pub async fn get_term(
    ctx: RequestContext,
    path: web::Path<TermPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(READ)?;
    let (path, authority) = (path.into_inner(), ctx.principal.authority.clone());
    let term = state
        .run(move |conn| service::get_term(conn, &authority, path.id, path.tid))
        .await?;
    let version = term.version;
    Ok(respond::ok_with_etag(&TermResponse::from(term), version))
}

/// Replace a term's title, mission link and specification (`If-Match` required).
#[utoipa::path(
    tag = "contracts", operation_id = "update_term",
    request_body = TermRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("tid" = String, Path, format = Uuid, description = "Term id"),
        ("If-Match" = String, Header, description = "The term's ETag, or `*`")),
    responses((status = 200, description = "The updated term", body = TermResponse, headers(("ETag" = String, description = "ETag of the new version"))), UpdateErrors),
    security(("bearer" = [])),
)]
#[patch("/contracts/{id}/terms/{tid}")]
pub async fn update_term(
    ctx: RequestContext,
    path: web::Path<TermPath>,
    if_match: IfMatch,
    body: ApiJson<TermRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let input = TermInput::from(body.value);
    let (path, actor) = (path.into_inner(), ctx.actor());
    let term = state
        .write(actor, move |conn, actor| {
            service::update_term(conn, actor, path.id, path.tid, &if_match.0, input)
        })
        .await?;
    let version = term.version;
    Ok(respond::ok_with_etag(&TermResponse::from(term), version))
}
