//! `/api/v1/tenders/{id}/evaluation…`: live scoring, decision support, frozen evaluations,
//! award and assessment summaries.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy;
use crate::domain::assessment;
use crate::domain::ids::{BidId, EvaluationId, TenderId};
use crate::domain::scoring::{self as d, SensitivityOptions};
use crate::domain::tender::parse::decimal_in;
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::evaluation::{
    self as service, AwardDecision, FrozenEvaluation, MIN_STANDSTILL_WORKING_DAYS,
};
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors};
use super::extract::{ApiJson, IdempotencyKey, RequestContext};
use super::pagination::Page;
use super::respond::{self, Created};
use super::wire::Dec;
use super::wire::assessment::AssessmentSummary;
use super::wire::scoring::{EvaluationResult, SensitivityReport, TenderLintFinding};

const TENDER_ID: &str = "Tender id";

/// The live evaluation: every bid scored on every criterion, with explanations.
#[utoipa::path(
    tag = "evaluation", operation_id = "evaluate_tender",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID)),
    responses((status = 200, description = "Scores, ranks, exclusions and flags", body = EvaluationResult),
        (status = 409, description = "No evaluation model yet (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/evaluation")]
pub async fn evaluate_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let result = state
        .run(move |conn| service::live(conn, &authority, id))
        .await?;
    Ok(HttpResponse::Ok().json(EvaluationResult::from(result)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Alternative weight per criterion code (decimal strings); every weighted criterion, summing to 100.
    pub weights: BTreeMap<String, Dec>,
    /// Bids to leave out.
    #[serde(default)]
    #[schema(value_type = Vec<String>, max_items = 1000)]
    pub excluded_bids: BTreeSet<String>,
}

/// Weights are percents with at most 4 decimal places, as in the evaluation model.
fn what_if_weights(
    raw: BTreeMap<String, Dec>,
) -> Result<BTreeMap<String, Decimal>, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let weights = raw
        .into_iter()
        .filter_map(|(code, w)| {
            let w = errors.check(
                format!("weights.{code}"),
                decimal_in(w.0, Decimal::ZERO, Decimal::ONE_HUNDRED, 4),
            )?;
            Some((code, w))
        })
        .collect();
    errors.finish(|| Some(weights))
}

/// What if the weights were different, or some bids left out? Nothing is stored.
#[utoipa::path(
    tag = "evaluation", operation_id = "what_if",
    request_body = WhatIfRequest,
    params(("id" = String, Path, format = Uuid, description = TENDER_ID)),
    responses((status = 200, description = "The evaluation under the alternative weights", body = EvaluationResult),
        (status = 404, description = "No such tender in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No evaluation model yet (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/what-if")]
pub async fn what_if(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    body: ApiJson<WhatIfRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    let req = body.value;
    let weights = what_if_weights(req.weights)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let result = state
        .run(move |conn| service::what_if(conn, &authority, id, &weights, &req.excluded_bids))
        .await?;
    Ok(HttpResponse::Ok().json(EvaluationResult::from(result)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SensitivityQuery {
    /// Monte Carlo draws (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub draws: Option<u32>,
    /// How far each weight may move, in percent of itself (default 20).
    #[param(minimum = 0, maximum = 100)]
    pub spread_percent: Option<u32>,
    /// Seed of the draws (default 1): the same seed gives the same figures.
    pub seed: Option<u64>,
}

impl TryFrom<SensitivityQuery> for SensitivityOptions {
    type Error = ValidationErrors;

    fn try_from(query: SensitivityQuery) -> Result<Self, ValidationErrors> {
        let defaults = SensitivityOptions::default();
        let mut errors = ValidationErrors::default();
        let draws = query.draws.unwrap_or(defaults.draws);
        if !(1..=10_000).contains(&draws) {
            errors.push("draws", "must be from 1 to 10000");
        }
        let spread = query
            .spread_percent
            .map_or(defaults.spread_percent, Decimal::from);
        if spread > Decimal::ONE_HUNDRED {
            errors.push("spread_percent", "must be from 0 to 100");
        }
        errors.finish(|| {
            Some(SensitivityOptions {
                draws,
                spread_percent: spread,
                seed: query.seed.unwrap_or(defaults.seed),
            })
        })
    }
}

/// How robust is the winner? Exact weight thresholds, rank reversal and Monte Carlo.
#[utoipa::path(
    tag = "evaluation", operation_id = "sensitivity",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID), SensitivityQuery),
    responses((status = 200, description = "The sensitivity report", body = SensitivityReport),
        (status = 409, description = "No evaluation model yet (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/sensitivity")]
pub async fn sensitivity(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    query: web::Query<SensitivityQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_EVALUATION)?;
    // Out-of-range query parameters break the documented query schema: 400, as any bad query.
    let options =
        SensitivityOptions::try_from(query.into_inner()).map_err(AppError::invalid_query)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let report = state
        .run(move |conn| service::sensitivity(conn, &authority, id, &options))
        .await?;
    Ok(HttpResponse::Ok().json(SensitivityReport::from(report)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LintResponse {
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<TenderLintFinding>,
}

/// Check the evaluation model against procurement policy.
#[utoipa::path(
    tag = "evaluation", operation_id = "lint_tender",
    params(("id" = String, Path, format = Uuid, description = TENDER_ID)),
    responses((status = 200, description = "Errors first, then warnings", body = LintResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/lint")]
pub async fn lint_tender(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let defaults = super::settings::defaults(&state);
    let findings = state
        .run(move |conn| service::lint(conn, &authority, id, &defaults))
        .await?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == d::Severity::Error)
        .count();
    Ok(HttpResponse::Ok().json(LintResponse {
        errors,
        warnings: findings.len().saturating_sub(errors),
        findings: findings.into_iter().map(Into::into).collect(),
    }))
}

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
        ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
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
    #[serde(default, deserialize_with = "super::wire::whole::option_u32")]
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
        ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
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
