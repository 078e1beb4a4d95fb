//! `/api/v1/tenders/{id}/bids`: bids, evaluators' independent scores and moderation.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Role, policy};
use crate::domain::ids::{BidId, TenderId};
use crate::domain::tender::parse;
use crate::domain::tender::{self as d, Bid, EvaluatorScore, ModeratedScore};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::{self, tenders::BidChanges, tenders::BidSubmission};
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors, ListErrors, UpdateErrors};
use super::extract::{ApiJson, IdempotencyKey, IfMatch, RequestContext};
use super::pagination::{Page, PageRequest, parse_key};
use super::respond::{self, Created};
use super::wire::tender::{BidStatus, CriterionAnswer, Supplier};
use super::wire::{Dec, Money, Wire};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBidRequest {
    pub supplier: Supplier,
    /// The tendered price (pence at most).
    pub price: Money,
    /// When the bid was received; defaults to now.
    pub submitted_at: Option<DateTime<Utc>>,
    /// What the bid offers under each criterion that needs an answer.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub responses: Vec<CriterionAnswer>,
}

/// A partial update. Content (supplier, price, responses) changes only while the tender is
/// open; `status` (with `status_reason`) and `abnormally_low_explanation` until award.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBidRequest {
    pub supplier: Option<Supplier>,
    pub price: Option<Money>,
    #[schema(max_items = 100)]
    pub responses: Option<Vec<CriterionAnswer>>,
    /// `disqualified` and `withdrawn` need a `status_reason`; officers and admins only.
    pub status: Option<BidStatus>,
    #[schema(max_length = 2000)]
    pub status_reason: Option<String>,
    /// The supplier's explanation of an abnormally low price (Procurement Act 2023 s.34).
    #[schema(max_length = 10000)]
    pub abnormally_low_explanation: Option<String>,
}

impl Supplier {
    /// The supplier as the domain parses it.
    pub fn parse(&self, errors: &mut ValidationErrors) -> Option<d::Supplier> {
        d::Supplier::parse(
            "supplier",
            d::SupplierInput {
                name: &self.name,
                identifier: &self.identifier,
                sme: self.sme,
                vcse: self.vcse,
                locality: self.locality.as_deref(),
            },
            errors,
        )
    }
}

impl TryFrom<CreateBidRequest> for BidSubmission {
    type Error = ValidationErrors;

    fn try_from(req: CreateBidRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let supplier = req.supplier.parse(&mut errors);
        let price = errors.check("price", parse::money(req.price.0, false));
        errors.finish(|| {
            Some(BidSubmission {
                supplier: supplier?,
                price: price?,
                submitted_at: req.submitted_at,
                responses: req.responses.into_domain(),
            })
        })
    }
}

fn parse_bid_changes(req: UpdateBidRequest) -> Result<BidChanges, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let supplier = req.supplier.map(|s| s.parse(&mut errors));
    let price = req
        .price
        .and_then(|p| errors.check("price", parse::money(p.0, false)));
    let reason = req
        .status_reason
        .and_then(|r| errors.check("status_reason", text::bounded(&r, 1, 2000)));
    let status = match (req.status.map(d::BidStatus::from), reason) {
        (Some(d::BidStatus::Valid), reason) => Some((d::BidStatus::Valid, reason)),
        (Some(status), Some(reason)) => Some((status, Some(reason))),
        (Some(_), None) => {
            errors.push(
                "status_reason",
                "is required to disqualify or withdraw a bid",
            );
            None
        }
        (None, Some(_)) => {
            errors.push("status_reason", "goes with a status change");
            None
        }
        (None, None) => None,
    };
    let explanation = req
        .abnormally_low_explanation
        .and_then(|x| errors.check("abnormally_low_explanation", text::bounded(&x, 1, 10_000)));
    errors.finish(|| {
        Some(BidChanges {
            supplier: supplier.map(|s| s.ok_or(())).transpose().ok()?,
            price,
            responses: req.responses.map(Wire::into_domain),
            status,
            abnormally_low_explanation: explanation,
        })
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: BidId,
    #[schema(value_type = String, format = Uuid)]
    pub tender_id: TenderId,
    pub supplier: Supplier,
    pub price: Money,
    pub submitted_at: DateTime<Utc>,
    pub status: BidStatus,
    pub status_reason: Option<String>,
    pub responses: Vec<CriterionAnswer>,
    pub abnormally_low_explanation: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Bid> for BidResponse {
    fn from(b: Bid) -> Self {
        Self {
            id: b.id,
            tender_id: b.tender_id,
            supplier: b.supplier.into(),
            price: Money(b.price),
            submitted_at: b.submitted_at,
            status: b.status.into(),
            status_reason: b.status_reason,
            responses: Wire::from_domain(b.responses),
            abnormally_low_explanation: b.abnormally_low_explanation,
            version: b.version,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListBidsQuery {
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct BidPath {
    pub id: TenderId,
    pub bid: BidId,
}

fn bid_ok(bid: Bid) -> HttpResponse {
    let version = bid.version;
    respond::ok_with_etag(&BidResponse::from(bid), version)
}

/// Submit a bid to an open tender.
#[utoipa::path(
    tag = "bids", operation_id = "create_bid",
    request_body = CreateBidRequest,
    params(("id" = String, Path, format = Uuid, description = "Tender id"),
        ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The bid", body = BidResponse,
        headers(("ETag" = String, description = "Strong ETag"), ("Location" = String, description = "URL of the bid"))),
        (status = 404, description = "No such tender in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The tender is not open (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/bids")]
pub async fn create_bid(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    key: IdempotencyKey,
    body: ApiJson<CreateBidRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::SUBMIT_BIDS)?;
    let submission = BidSubmission::try_from(body.value)?;
    let tender_id = id.into_inner();
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let bid = services::tenders::create_bid(conn, actor, tender_id, submission)?;
            Ok(Created {
                location: format!("/api/v1/tenders/{tender_id}/bids/{}", bid.id),
                version: Some(bid.version),
                body: BidResponse::from(bid),
            })
        },
    )
    .await
}

/// List a tender's bids.
#[utoipa::path(
    tag = "bids", operation_id = "list_bids",
    params(("id" = String, Path, format = Uuid, description = "Tender id"), ListBidsQuery),
    responses((status = 200, description = "One page of bids, in submission order", body = Page<BidResponse>),
        (status = 404, description = "No such tender in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        ListErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/bids")]
pub async fn list_bids(
    ctx: RequestContext,
    id: web::Path<TenderId>,
    query: web::Query<ListBidsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let query = query.into_inner();
    let page = PageRequest::parse(
        query.limit,
        query.cursor.as_deref(),
        state.settings.page_max_limit,
    )?;
    let after = parse_key::<BidId>(page.after.clone())?;
    let (tender_id, authority, fetch) = (
        id.into_inner(),
        ctx.principal.authority.clone(),
        page.fetch_limit(),
    );
    let rows = state
        .run(move |conn| {
            services::tenders::list_bids(conn, &authority, tender_id, after, Some(fetch))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page.page(rows, |b| b.id.to_string(), BidResponse::from)))
}

/// Get one bid.
#[utoipa::path(
    tag = "bids", operation_id = "get_bid",
    params(("id" = String, Path, format = Uuid, description = "Tender id"), ("bid" = String, Path, format = Uuid, description = "Bid id")),
    responses((status = 200, description = "The bid", body = BidResponse, headers(("ETag" = String, description = "Strong ETag"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/bids/{bid}")]
pub async fn get_bid(
    ctx: RequestContext,
    path: web::Path<BidPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let (path, authority) = (path.into_inner(), ctx.principal.authority.clone());
    Ok(bid_ok(
        state
            .run(move |conn| services::tenders::get_bid(conn, &authority, path.id, path.bid))
            .await?,
    ))
}

/// Update a bid (`If-Match` required).
#[utoipa::path(
    tag = "bids", operation_id = "update_bid",
    request_body = UpdateBidRequest,
    params(("id" = String, Path, format = Uuid, description = "Tender id"), ("bid" = String, Path, format = Uuid, description = "Bid id"),
        ("If-Match" = String, Header, description = "The bid's ETag, or `*`")),
    responses((status = 200, description = "The updated bid", body = BidResponse, headers(("ETag" = String, description = "ETag of the new version"))),
        (status = 409, description = "The tender's status does not allow this change (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        UpdateErrors),
    security(("bearer" = [])),
)]
#[patch("/tenders/{id}/bids/{bid}")]
pub async fn update_bid(
    ctx: RequestContext,
    path: web::Path<BidPath>,
    if_match: IfMatch,
    body: ApiJson<UpdateBidRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::SUBMIT_BIDS)?;
    let changes = parse_bid_changes(body.value)?;
    if changes.status.is_some() {
        // Disqualifying or reinstating a bid is the authority's decision, not a portal's.
        ctx.require(policy::WRITE_TENDERS)?;
    }
    let (path, actor) = (path.into_inner(), ctx.actor());
    let bid = state
        .write(actor, move |conn, actor| {
            services::tenders::update_bid(conn, actor, path.id, path.bid, &if_match.0, changes)
        })
        .await?;
    Ok(bid_ok(bid))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// A scale criterion of the tender.
    #[schema(min_length = 1, max_length = 20)]
    pub criterion_code: String,
    /// One of the scale's levels.
    pub score: Dec,
    /// Why this score, by reference to the bid: it feeds the assessment summaries.
    #[schema(min_length = 1, max_length = 10000)]
    pub rationale: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluatorScoreResponse {
    #[schema(value_type = String, format = Uuid)]
    pub bid_id: BidId,
    pub criterion_code: String,
    pub evaluator: String,
    pub score: Dec,
    pub rationale: String,
    pub updated_at: DateTime<Utc>,
}

impl From<EvaluatorScore> for EvaluatorScoreResponse {
    fn from(s: EvaluatorScore) -> Self {
        Self {
            bid_id: s.bid_id,
            criterion_code: s.criterion_code,
            evaluator: s.evaluator,
            score: Dec(s.score),
            rationale: s.rationale,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModeratedScoreResponse {
    #[schema(value_type = String, format = Uuid)]
    pub bid_id: BidId,
    pub criterion_code: String,
    pub moderator: String,
    pub score: Dec,
    pub rationale: String,
    pub updated_at: DateTime<Utc>,
}

impl From<ModeratedScore> for ModeratedScoreResponse {
    fn from(s: ModeratedScore) -> Self {
        Self {
            bid_id: s.bid_id,
            criterion_code: s.criterion_code,
            moderator: s.moderator,
            score: Dec(s.score),
            rationale: s.rationale,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidScoresResponse {
    /// Evaluators see only their own scores on a criterion until it is moderated.
    pub evaluator_scores: Vec<EvaluatorScoreResponse>,
    pub moderated_scores: Vec<ModeratedScoreResponse>,
}

fn parse_score(req: ScoreRequest) -> Result<(String, Decimal, String), AppError> {
    let mut errors = ValidationErrors::default();
    let rationale = errors.check("rationale", text::bounded(&req.rationale, 1, 10_000));
    Ok(errors.finish(|| Some((req.criterion_code, req.score.0, rationale?)))?)
}

/// Record your own score of a bid on a scale criterion (evaluators; replaces your earlier one).
#[utoipa::path(
    tag = "bids", operation_id = "submit_score",
    request_body = ScoreRequest,
    params(("id" = String, Path, format = Uuid, description = "Tender id"), ("bid" = String, Path, format = Uuid, description = "Bid id"),
        ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "Your score", body = EvaluatorScoreResponse,
        headers(("Location" = String, description = "The bid's scores"))),
        (status = 404, description = "No such tender or bid in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The tender is not in evaluation (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/tenders/{id}/bids/{bid}/scores")]
pub async fn submit_score(
    ctx: RequestContext,
    path: web::Path<BidPath>,
    key: IdempotencyKey,
    body: ApiJson<ScoreRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::SCORE_BIDS)?;
    let (code, score, rationale) = parse_score(body.value)?;
    let path = path.into_inner();
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let record = services::tenders::submit_score(
                conn, actor, path.id, path.bid, &code, score, rationale,
            )?;
            Ok(Created {
                location: format!("/api/v1/tenders/{}/bids/{}/scores", path.id, path.bid),
                version: None,
                body: EvaluatorScoreResponse::from(record),
            })
        },
    )
    .await
}

/// The scores of a bid you may see.
#[utoipa::path(
    tag = "bids", operation_id = "list_scores",
    params(("id" = String, Path, format = Uuid, description = "Tender id"), ("bid" = String, Path, format = Uuid, description = "Bid id")),
    responses((status = 200, description = "Evaluators' and moderated scores", body = BidScoresResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/tenders/{id}/bids/{bid}/scores")]
pub async fn list_scores(
    ctx: RequestContext,
    path: web::Path<BidPath>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(&[Role::Evaluator, Role::Officer, Role::Admin, Role::Auditor])?;
    let sees_all = ctx.require(policy::READ_EVALUATION).is_ok();
    let viewer = (!sees_all).then(|| ctx.principal.subject.clone());
    let (path, authority) = (path.into_inner(), ctx.principal.authority.clone());
    let (scores, moderated) = state
        .run(move |conn| {
            services::tenders::scores_visible_to(
                conn,
                &authority,
                path.id,
                path.bid,
                viewer.as_deref(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(BidScoresResponse {
        evaluator_scores: scores.into_iter().map(Into::into).collect(),
        moderated_scores: moderated.into_iter().map(Into::into).collect(),
    }))
}

/// Record the moderated (consensus) score of a bid on a scale criterion.
#[utoipa::path(
    tag = "bids", operation_id = "moderate_score",
    request_body = ScoreRequest,
    params(("id" = String, Path, format = Uuid, description = "Tender id"), ("bid" = String, Path, format = Uuid, description = "Bid id")),
    responses((status = 200, description = "The moderated score", body = ModeratedScoreResponse),
        (status = 404, description = "No such tender or bid in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The tender is not in evaluation (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[put("/tenders/{id}/bids/{bid}/moderated-scores")]
pub async fn moderate_score(
    ctx: RequestContext,
    path: web::Path<BidPath>,
    body: ApiJson<ScoreRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::MODERATE_SCORES)?;
    let (code, score, rationale) = parse_score(body.value)?;
    let (path, actor) = (path.into_inner(), ctx.actor());
    let record = state
        .write(actor, move |conn, actor| {
            services::tenders::moderate(conn, actor, path.id, path.bid, &code, score, rationale)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ModeratedScoreResponse::from(record)))
}
