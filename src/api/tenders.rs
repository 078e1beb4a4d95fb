//! `/api/v1/tenders`: tenders, their lifecycle and their evaluation model.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy;
use crate::domain::ids::{MissionId, TenderId};
use crate::domain::tender::parse;
use crate::domain::tender::{EvaluationModel, Tender, TenderAction, TenderChanges, TenderDetails};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services;
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors, ListErrors, TransitionErrors, UpdateErrors};
use super::extract::{ApiJson, IdempotencyKey, IfMatch, RequestContext};
use super::pagination::{Page, PageRequest, parse_key};
use super::respond::{self, Created};
use super::wire::tender::{AwardMethod, CategoryMinimum, Criterion, TenderStatus, TieBreakRule};
use super::wire::{Dec, Money, Wire};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenderRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// Estimated contract value (pence at most).
    #[serde(default)]
    pub estimated_value: Option<Money>,
    /// ISO 4217; defaults to GBP.
    #[serde(default)]
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// Defaults to `weighted_score`.
    #[serde(default)]
    pub award_method: Option<AwardMethod>,
    /// Defaults to higher quality subtotal, higher social value subtotal, lower price, earlier submission.
    #[serde(default)]
    #[schema(min_items = 1, max_items = 4)]
    pub tie_break: Option<Vec<TieBreakRule>>,
    /// Percent below the mean of the other valid bids at which a price is flagged abnormally low (default 20).
    #[serde(default)]
    pub abnormally_low_percent: Option<Dec>,
    /// Evaluator scores further apart than this many scale points are flagged (default 2).
    #[serde(default)]
    pub spread_threshold: Option<Dec>,
    /// The authority's missions this procurement serves.
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>, max_items = 20)]
    pub mission_ids: Vec<MissionId>,
}

/// A partial update: omitted fields keep their value. The award method, tie-break order and
/// thresholds can change only while the tender is a draft.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenderRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    pub estimated_value: Option<Money>,
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    pub award_method: Option<AwardMethod>,
    #[schema(min_items = 1, max_items = 4)]
    pub tie_break: Option<Vec<TieBreakRule>>,
    pub abnormally_low_percent: Option<Dec>,
    pub spread_threshold: Option<Dec>,
    #[schema(value_type = Option<Vec<uuid::Uuid>>, max_items = 20)]
    pub mission_ids: Option<Vec<MissionId>>,
}

fn parse_changes(req: UpdateTenderRequest) -> Result<TenderChanges, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let title = req
        .title
        .and_then(|t| e.check("title", text::single_line(&t, 1, 200)));
    let description = req
        .description
        .and_then(|d| e.check("description", text::bounded(&d, 0, 10_000)));
    let estimated_value = req
        .estimated_value
        .and_then(|v| e.check("estimated_value", parse::money(v.0, false)));
    let currency = req
        .currency
        .and_then(|c| e.check("currency", parse::currency(&c)));
    let tie_break = req
        .tie_break
        .and_then(|t| e.check("tie_break", parse::tie_break(t.into_domain())));
    let abnormally_low_percent = req
        .abnormally_low_percent
        .and_then(|p| e.check("abnormally_low_percent", parse::abnormally_low_percent(p.0)));
    let spread_threshold = req
        .spread_threshold
        .and_then(|p| e.check("spread_threshold", parse::spread_threshold(p.0)));
    let mission_ids = req
        .mission_ids
        .and_then(|m| e.check("mission_ids", parse::mission_ids(m)));
    e.finish(|| {
        Some(TenderChanges {
            title,
            description,
            estimated_value: estimated_value.map(Some),
            currency,
            award_method: req.award_method.map(Into::into),
            tie_break,
            abnormally_low_percent,
            spread_threshold,
            mission_ids,
        })
    })
}

impl TryFrom<CreateTenderRequest> for TenderDetails {
    type Error = ValidationErrors;

    fn try_from(req: CreateTenderRequest) -> Result<Self, ValidationErrors> {
        let changes = parse_changes(UpdateTenderRequest {
            title: Some(req.title),
            description: Some(req.description),
            estimated_value: req.estimated_value,
            currency: req.currency,
            award_method: req.award_method,
            tie_break: req.tie_break,
            abnormally_low_percent: req.abnormally_low_percent,
            spread_threshold: req.spread_threshold,
            mission_ids: Some(req.mission_ids),
        })?;
        Ok(changes.applied_to(&TenderDetails::defaults()))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenderResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: TenderId,
    pub authority: String,
    pub title: String,
    pub description: String,
    pub estimated_value: Option<Money>,
    pub currency: String,
    pub award_method: AwardMethod,
    pub tie_break: Vec<TieBreakRule>,
    pub abnormally_low_percent: Dec,
    pub spread_threshold: Dec,
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub mission_ids: Vec<MissionId>,
    pub status: TenderStatus,
    /// How many criteria the evaluation model has (see `/criteria`).
    pub criteria_count: usize,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Tender> for TenderResponse {
    fn from(t: Tender) -> Self {
        let d = t.details;
        Self {
            id: t.id,
            authority: t.authority.to_string(),
            title: d.title,
            description: d.description,
            estimated_value: Wire::from_domain(d.estimated_value),
            currency: d.currency,
            award_method: d.award_method.into(),
            tie_break: Wire::from_domain(d.tie_break),
            abnormally_low_percent: Dec(d.abnormally_low_percent),
            spread_threshold: Dec(d.spread_threshold),
            mission_ids: d.mission_ids,
            status: t.status.into(),
            criteria_count: t.model.criteria.len(),
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListTendersQuery {
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    pub status: Option<TenderStatus>,
}

fn tender_ok(tender: Tender) -> HttpResponse {
    let version = tender.version;
    respond::ok_with_etag(&TenderResponse::from(tender), version)
}

/// Create a tender (as a draft).
#[utoipa::path(
    tag = "tenders", operation_id = "create_tender",
    request_body = CreateTenderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The draft tender", body = TenderResponse,
        headers(("ETag" = String, description = "Strong ETag"), ("Location" = String, description = "URL of the tender"))), CreateErrors),
    security(("bearer" = [])),
)]
#[post("/tenders")]
pub async fn create_tender(
    ctx: RequestContext,
    key: IdempotencyKey,
    body: ApiJson<CreateTenderRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::WRITE_TENDERS)?;
    let details = TenderDetails::try_from(body.value)?;
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let tender = services::tenders::create(conn, actor, details)?;
            Ok(Created {
                location: format!("/api/v1/tenders/{}", tender.id),
                version: Some(tender.version),
                body: TenderResponse::from(tender),
            })
        },
    )
    .await
}

/// List the authority's tenders.
#[utoipa::path(
    tag = "tenders", operation_id = "list_tenders", params(ListTendersQuery),
    responses((status = 200, description = "One page of tenders, oldest first", body = Page<TenderResponse>), ListErrors),
    security(("bearer" = [])),
)]
#[get("/tenders")]
pub async fn list_tenders(
    ctx: RequestContext,
    query: web::Query<ListTendersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let query = query.into_inner();
    let page = PageRequest::parse(
        query.limit,
        query.cursor.as_deref(),
        state.settings.page_max_limit,
    )?;
    let after = parse_key::<TenderId>(page.after.clone())?;
    let authority = ctx.principal.authority.clone();
    let fetch = page.fetch_limit();
    let rows = state
        .run(move |conn| {
            services::tenders::list(conn, &authority, after, query.status.map(Into::into), fetch)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.page(rows, |t| t.id.to_string(), TenderResponse::from)))
}

/// Get one tender.
#[utoipa::path(
    tag = "tenders", operation_id = "get_tender",
    params(("id" = String, Path, format = Uuid, description = "Tender id")),
    responses((status = 200, description = "The tender", body = TenderResponse,
        headers(("ETag" = String, description = "Send it back in If-Match to change the tender"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}")]
pub async fn get_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    Ok(tender_ok(
        state
            .run(move |conn| services::tenders::get(conn, &authority, id))
            .await?,
    ))
}

/// Update a tender (`If-Match` required).
#[utoipa::path(
    tag = "tenders", operation_id = "update_tender",
    request_body = UpdateTenderRequest,
    params(("id" = String, Path, format = Uuid, description = "Tender id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on, or `*`")),
    responses((status = 200, description = "The updated tender", body = TenderResponse,
        headers(("ETag" = String, description = "ETag of the new version"))),
        (status = 409, description = "The tender's status does not allow this change (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        UpdateErrors),
    security(("bearer" = [])),
)]
#[patch("/tenders/{id}")]
pub async fn update_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    if_match: IfMatch,
    body: ApiJson<UpdateTenderRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::WRITE_TENDERS)?;
    let changes = parse_changes(body.value)?;
    let (id, actor) = (id.into_inner(), ctx.actor());
    let tender = state
        .write(actor, move |conn, actor| {
            services::tenders::update(conn, actor, id, &if_match.0, changes)
        })
        .await?;
    Ok(tender_ok(tender))
}

async fn transition(
    ctx: RequestContext,
    id: TenderId,
    state: web::Data<AppState>,
    action: TenderAction,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::WRITE_TENDERS)?;
    let actor = ctx.actor();
    let tender = state
        .write(actor, move |conn, actor| {
            services::tenders::transition(conn, actor, id, action)
        })
        .await?;
    Ok(tender_ok(tender))
}

/// Open a draft tender for bids (needs an evaluation model).
#[utoipa::path(
    tag = "tenders", operation_id = "open_tender",
    params(("id" = String, Path, format = Uuid, description = "Tender id")),
    responses((status = 200, description = "The tender, now open", body = TenderResponse), TransitionErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/open")]
pub async fn open_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    transition(ctx, id.into_inner(), state, TenderAction::Open).await
}

/// Close an open tender to bids: evaluation begins.
#[utoipa::path(
    tag = "tenders", operation_id = "close_tender",
    params(("id" = String, Path, format = Uuid, description = "Tender id")),
    responses((status = 200, description = "The tender, now in evaluation", body = TenderResponse), TransitionErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/close")]
pub async fn close_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    transition(ctx, id.into_inner(), state, TenderAction::Close).await
}

/// Cancel a tender that has not been awarded.
#[utoipa::path(
    tag = "tenders", operation_id = "cancel_tender",
    params(("id" = String, Path, format = Uuid, description = "Tender id")),
    responses((status = 200, description = "The tender, now cancelled", body = TenderResponse), TransitionErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/cancel")]
pub async fn cancel_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    transition(ctx, id.into_inner(), state, TenderAction::Cancel).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationModelResponse {
    #[schema(value_type = String, format = Uuid)]
    pub tender_id: TenderId,
    pub tender_status: TenderStatus,
    pub criteria: Vec<Criterion>,
    pub category_minimums: Vec<CategoryMinimum>,
    /// The tender's version: its ETag, to send in If-Match when replacing the model.
    pub version: i64,
}

impl From<Tender> for EvaluationModelResponse {
    fn from(t: Tender) -> Self {
        Self {
            tender_id: t.id,
            tender_status: t.status.into(),
            criteria: Wire::from_domain(t.model.criteria),
            category_minimums: Wire::from_domain(t.model.category_minimums),
            version: t.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCriteriaRequest {
    #[schema(min_items = 1, max_items = 100)]
    pub criteria: Vec<Criterion>,
    #[serde(default)]
    #[schema(max_items = 5)]
    pub category_minimums: Vec<CategoryMinimum>,
    /// Required once the tender is open: why the published criteria change. Kept in the audit trail.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The new evaluation model and, once the tender is open, the reason for changing it.
fn parse_criteria(
    req: PutCriteriaRequest,
) -> Result<(EvaluationModel, Option<String>), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let reason = req
        .reason
        .and_then(|r| errors.check("reason", text::bounded(&r, 1, 2000)));
    let criteria: Vec<_> = req.criteria.into_domain();
    let category_minimums: Vec<_> = req.category_minimums.into_domain();
    let model = match parse::evaluation_model(&criteria, &category_minimums) {
        Ok(model) => Some(model),
        Err(e) => {
            errors.absorb(e, str::to_string);
            None
        }
    };
    errors.finish(|| Some((model?, reason)))
}

fn model_ok(tender: Tender) -> HttpResponse {
    let version = tender.version;
    respond::ok_with_etag(&EvaluationModelResponse::from(tender), version)
}

/// Get a tender's evaluation model.
#[utoipa::path(
    tag = "tenders", operation_id = "get_criteria",
    params(("id" = String, Path, format = Uuid, description = "Tender id")),
    responses((status = 200, description = "The criteria and category minimums", body = EvaluationModelResponse,
        headers(("ETag" = String, description = "The tender's ETag"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/criteria")]
pub async fn get_criteria(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    Ok(model_ok(
        state
            .run(move |conn| services::tenders::get(conn, &authority, id))
            .await?,
    ))
}

/// Replace a tender's evaluation model (`If-Match` with the tender's ETag required).
#[utoipa::path(
    tag = "tenders", operation_id = "put_criteria",
    request_body = PutCriteriaRequest,
    params(("id" = String, Path, format = Uuid, description = "Tender id"),
        ("If-Match" = String, Header, description = "The tender's ETag, or `*`")),
    responses((status = 200, description = "The new evaluation model", body = EvaluationModelResponse,
        headers(("ETag" = String, description = "The tender's new ETag"))),
        (status = 409, description = "The criteria are fixed in the tender's status (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        UpdateErrors),
    security(("bearer" = [])),
)]
#[put("/tenders/{id}/criteria")]
pub async fn put_criteria(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    if_match: IfMatch,
    body: ApiJson<PutCriteriaRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::WRITE_TENDERS)?;
    let (model, reason) = parse_criteria(body.value)?;
    let (id, actor) = (id.into_inner(), ctx.actor());
    let tender = state
        .write(actor, move |conn, actor| {
            services::tenders::put_criteria(conn, actor, id, &if_match.0, model, reason)
        })
        .await?;
    Ok(model_ok(tender))
}
