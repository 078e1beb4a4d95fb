//! The award decision and the assessment summaries it owes every bidder (PA 2023 s.50).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::policy;
use crate::domain::assessment;
use crate::domain::ids::{BidId, EvaluationId, TenderId};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::evaluation::{self as service, AwardDecision, MIN_STANDSTILL_WORKING_DAYS};
use crate::startup::AppState;

use crate::api::docs::{CreateErrors, GetErrors};
use crate::api::extract::{ApiJson, IdempotencyKey, RequestContext};
use crate::api::pagination::Page;
use crate::api::respond::{self, Created};
use crate::api::wire::assessment::AssessmentSummary;

use super::TENDER_ID;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    /// The frozen evaluation the decision rests on; it must still match the bids and scores.
    #[schema(value_type = String, format = Uuid)]
    pub evaluation_id: EvaluationId,
    #[schema(value_type = String, format = Uuid)]
    pub bid_id: BidId,
    /// Required when the bid is not ranked first or carries a flag.
    #[schema(max_length = 10000)]
    pub justification: Option<String>,
    /// Working days of standstill (default and minimum 8, Procurement Act 2023 s.51).
    #[serde(default, deserialize_with = "crate::api::wire::whole::option_u32")]
    #[schema(minimum = 8, maximum = 60)]
    pub standstill_working_days: Option<u32>,
}

impl TryFrom<AwardRequest> for AwardDecision {
    type Error = ValidationErrors;

    fn try_from(r: AwardRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let justification = r
            .justification
            .and_then(|j| errors.check("justification", text::bounded(&j, 1, 10_000)));
        let days = r
            .standstill_working_days
            .unwrap_or(MIN_STANDSTILL_WORKING_DAYS);
        if !(MIN_STANDSTILL_WORKING_DAYS..=60).contains(&days) {
            errors.push(
                "standstill_working_days",
                "must be from 8 (Procurement Act 2023 s.51) to 60",
            );
        }
        errors.finish(|| {
            Some(AwardDecision {
                evaluation_id: r.evaluation_id,
                bid_id: r.bid_id,
                justification,
                standstill_working_days: days,
            })
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: crate::domain::ids::AwardId,
    #[schema(value_type = String, format = Uuid)]
    pub tender_id: TenderId,
    #[schema(value_type = String, format = Uuid)]
    pub evaluation_id: EvaluationId,
    #[schema(value_type = String, format = Uuid)]
    pub bid_id: BidId,
    pub rank: Option<u32>,
    pub justification: Option<String>,
    /// Last day of the standstill period (working days exclude weekends and England & Wales bank holidays).
    pub standstill_ends: NaiveDate,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

impl From<service::Award> for AwardResponse {
    fn from(a: service::Award) -> Self {
        Self {
            id: a.id,
            tender_id: a.tender_id,
            evaluation_id: a.evaluation_id,
            bid_id: a.bid_id,
            rank: a.rank,
            justification: a.justification,
            standstill_ends: a.standstill_ends,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
        }
    }
}

/// Award the tender to a bid, on a frozen evaluation.
#[utoipa::path(
    tag = "evaluation", operation_id = "award_tender",
    request_body = AwardRequest,
    params(("id" = String, Path, format = Uuid, description = TENDER_ID),
        ("Idempotency-Key" = Option<String>, Header, description = crate::api::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The award decision", body = AwardResponse,
        headers(("Location" = String, description = "URL of the award"))),
        (status = 404, description = "No such tender or evaluation in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in evaluation, evaluation out of date, or scores unmoderated (`illegal_transition`, `conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/award")]
pub async fn award_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    key: IdempotencyKey,
    body: ApiJson<AwardRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::AWARD)?;
    let decision = AwardDecision::try_from(body.value)?;
    let id = id.into_inner();
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let award = service::award(conn, actor, id, decision)?;
            Ok(Created {
                location: format!("/api/v1/tenders/{id}/award"),
                version: None,
                body: AwardResponse::from(award),
            })
        },
    )
    .await
}

/// The award decision of a tender.
#[utoipa::path(
    tag = "evaluation", operation_id = "get_award",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID)),
    responses((status = 200, description = "The award decision", body = AwardResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/award")]
pub async fn get_award(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let award = state
        .run(move |conn| service::get_award(conn, &authority, id))
        .await?;
    Ok(HttpResponse::Ok().json(AwardResponse::from(award)))
}

async fn summaries(
    ctx: &RequestContext,
    id: TenderId,
    state: &AppState,
) -> Result<Vec<AssessmentSummary>, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    let authority = ctx.principal.authority.clone();
    let record = state
        .run(move |conn| service::award_record(conn, &authority, id))
        .await?;
    Ok(assessment::summaries(
        &record.tender.model.criteria,
        &record.evaluation.result,
        &record.award.bid_id.to_string(),
        &record.rationales,
    )
    .into_iter()
    .map(Into::into)
    .collect())
}

/// Assessment summaries for every bidder (Procurement Act 2023 s.50).
#[utoipa::path(
    tag = "evaluation", operation_id = "list_assessment_summaries",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID)),
    responses((status = 200, description = "One summary per bidder", body = Page<AssessmentSummary>),
        (status = 409, description = "The tender has not been awarded (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/assessment-summaries")]
pub async fn list_assessment_summaries(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    Ok(HttpResponse::Ok().json(Page::whole(summaries(&ctx, id.into_inner(), &state).await?)))
}

#[derive(Debug, Deserialize)]
pub struct SummaryPath {
    pub id: TenderId,
    pub bid: BidId,
}

/// The assessment summary for one bidder.
#[utoipa::path(
    tag = "evaluation", operation_id = "get_assessment_summary",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID), ("bid" = String, Path, format = Uuid, description = "Bid id")),
    responses((status = 200, description = "The bidder's summary", body = AssessmentSummary),
        (status = 409, description = "The tender has not been awarded (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/assessment-summaries/{bid}")]
pub async fn get_assessment_summary(
    ctx: RequestContext,
    path: web::Path<SummaryPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let path = path.into_inner();
    let bid = path.bid.to_string();
    summaries(&ctx, path.id, &state)
        .await?
        .into_iter()
        .find(|s| s.bid_id == bid)
        .map(|s| HttpResponse::Ok().json(s))
        .ok_or_else(|| AppError::not_found("bid"))
}
