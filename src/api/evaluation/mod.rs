//! `/api/v1/tenders/{id}/evaluation…`: live scoring and decision support (what-if,
//! sensitivity, lint); frozen evaluations and award in their own files.

mod award;
mod frozen;

pub use award::*;
pub use frozen::*;

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpResponse, get, post, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy;
use crate::domain::ids::TenderId;
use crate::domain::scoring::{self as d, SensitivityOptions};
use crate::domain::tender::parse::decimal_in;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::evaluation::{self as service};
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors};
use super::extract::{ApiJson, RequestContext};
use super::wire::Dec;
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
    /// Monte Carlo draws (default 1000, at most 10000, `limits::MAX_DRAWS`).
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
        if !(1..=crate::limits::MAX_DRAWS).contains(&draws) {
            errors.push(
                "draws",
                format!("must be from 1 to {}", crate::limits::MAX_DRAWS),
            );
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
