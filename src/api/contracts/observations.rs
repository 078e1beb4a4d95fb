//! Monitoring returns: submitted one at a time, in a JSON array or as CSV; verified or disputed.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::contract::{Observation, ObservationStatus};
use crate::domain::ids::{ContractId, ObservationId, TermId};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::{AppError, ErrorCode};
use crate::limits;
use crate::services::contracts::{self as service, ObservationInput};
use crate::startup::AppState;

use crate::api::docs::{CreateErrors, GetErrors};
use crate::api::extract::{ApiJson, IdempotencyKey, JsonOrCsv, RequestContext, parse_json};
use crate::api::pagination::{Page, PageRequest, parse_key};
use crate::api::respond::{self, Created};

use super::csv_io::parse_csv;
use super::*;
use crate::api::wire::compliance::{
    Evidence as WireEvidence, ObservationStatus as WireObservationStatus,
};
use crate::api::wire::{Dec, Wire};

/// One monitoring return.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationRequest {
    #[schema(format = Uuid)]
    pub term_id: String,
    /// The first day of the period the return covers (a period of the term's schedule).
    pub period_start: NaiveDate,
    /// Named values, e.g. `{"value": "42"}` or `{"revenue": "1000000", "profit": "120000"}`.
    pub measures: BTreeMap<String, Dec>,
    /// "Who is it working for, where", e.g. `{"ward": "Kentish Town"}`.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    #[serde(default)]
    pub evidence: Vec<WireEvidence>,
    /// The id of the current return this one corrects.
    #[schema(format = Uuid)]
    pub supersedes: Option<String>,
}

/// One return, or an array of them (at most 20,000).
/// Documents the body; `read_returns` reads it, so that errors keep their field path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ObservationsRequest {
    Many(Vec<ObservationRequest>),
    One(Box<ObservationRequest>),
}

/// The returns of one submission, JSON or CSV: 1 to [`limits::MAX_BATCH_ROWS`] of them.
fn read_batch(body: &JsonOrCsv) -> Result<Vec<ObservationInput>, AppError> {
    let inputs = match body {
        JsonOrCsv::Json(bytes) => read_returns(bytes)?,
        JsonOrCsv::Csv(bytes) => parse_csv(bytes)?,
    };
    if inputs.is_empty() || inputs.len() > limits::MAX_BATCH_ROWS {
        return Err(AppError::client(
            ErrorCode::ValidationFailed,
            format!("send 1 to {} returns", limits::MAX_BATCH_ROWS),
        ));
    }
    Ok(inputs)
}

/// Reads one return or an array of them. The first non-blank byte says which, so a bad field is
/// reported with its path (`[3].measures.value`), which an untagged enum would lose.
fn read_returns(bytes: &[u8]) -> Result<Vec<ObservationInput>, AppError> {
    let is_array = bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    Ok(if is_array {
        parse_json::<Vec<ObservationRequest>>(bytes)?
            .into_iter()
            .map(Into::into)
            .collect()
    } else {
        vec![parse_json::<ObservationRequest>(bytes)?.into()]
    })
}

impl From<ObservationRequest> for ObservationInput {
    fn from(r: ObservationRequest) -> Self {
        Self {
            term_id: r.term_id,
            period_start: Some(r.period_start),
            measures: r.measures.into_iter().map(|(k, v)| (k, v.0)).collect(),
            dimensions: r.dimensions,
            evidence: r.evidence.into_domain(),
            supersedes: r.supersedes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObservationResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: ObservationId,
    #[schema(value_type = String, format = Uuid)]
    pub term_id: TermId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub measures: BTreeMap<String, Dec>,
    pub dimensions: BTreeMap<String, String>,
    pub evidence: Vec<WireEvidence>,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub supersedes: Option<ObservationId>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub superseded_by: Option<ObservationId>,
    pub status: WireObservationStatus,
    pub status_note: Option<String>,
    /// Counts the reviews of the return; send it back in quotes as `If-Match` to review it.
    pub version: i64,
}

impl From<Observation> for ObservationResponse {
    fn from(o: Observation) -> Self {
        Self {
            id: o.id,
            term_id: o.term_id,
            period_start: o.period.start,
            period_end: o.period.end,
            measures: Wire::from_domain(o.measures),
            dimensions: o.dimensions,
            evidence: Wire::from_domain(o.evidence),
            reported_by: o.reported_by,
            reported_at: o.reported_at,
            supersedes: o.supersedes,
            superseded_by: o.superseded_by,
            status: o.status.into(),
            status_note: o.status_note,
            version: o.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ObservationBatchResponse {
    pub count: usize,
    #[schema(value_type = Vec<String>)]
    pub ids: Vec<ObservationId>,
}

/// Submit monitoring returns: one, a JSON array, or CSV. All or nothing.
#[utoipa::path(
    tag = "contracts", operation_id = "submit_observations",
    request_body(content(
        (ObservationsRequest = "application/json"),
        (String = "text/csv", example = "term_id,period_start,measure.value,dimension.ward,evidence_name\n0192…,2026-01-01,42,Kentish Town,Q1 report")
    )),
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("Idempotency-Key" = Option<String>, Header, description = crate::api::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The returns recorded", body = ObservationBatchResponse),
        (status = 404, description = "No such contract in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/observations")]
pub async fn submit_observations(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    key: IdempotencyKey,
    body: JsonOrCsv,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(SUBMIT_RETURNS)?;
    let (inputs, id) = (read_batch(&body)?, id.into_inner());
    let rows = inputs.len();
    let answer = respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        body.raw(),
        move |conn, actor| {
            let recorded = service::submit_observations(conn, actor, id, inputs)?;
            Ok(Created {
                location: format!("/api/v1/contracts/{id}/observations"),
                version: None,
                body: ObservationBatchResponse {
                    count: recorded.len(),
                    ids: recorded.iter().map(|o| o.id).collect(),
                },
            })
        },
    )
    .await;
    match &answer {
        Ok(response) if response.headers().contains_key(respond::REPLAYED) => {}
        Ok(_) => state.metrics.observe_import(true, rows),
        Err(_) => state.metrics.observe_import(false, rows),
    }
    answer
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListObservationsQuery {
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Only returns for this term.
    #[param(value_type = Option<uuid::Uuid>)]
    pub term_id: Option<TermId>,
}

/// A contract's returns, corrections and superseded ones alike, oldest first.
#[utoipa::path(
    tag = "contracts", operation_id = "list_observations",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ListObservationsQuery),
    responses((status = 200, description = "One page of returns", body = Page<ObservationResponse>), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/observations")]
pub async fn list_observations(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    query: web::Query<ListObservationsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(READ)?;
    let query = query.into_inner();
    let page = PageRequest::parse(
        query.limit,
        query.cursor.as_deref(),
        state.settings.page_max_limit,
    )?;
    let after = parse_key::<ObservationId>(page.after.clone())?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let (term, fetch) = (query.term_id, page.fetch_limit());
    let rows = state
        .run(move |conn| service::observations_page(conn, &authority, id, term, after, fetch))
        .await?;
    Ok(HttpResponse::Ok().json(page.page(rows, |o| o.id.to_string(), ObservationResponse::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
pub struct ObservationPath {
    pub id: ContractId,
    pub oid: ObservationId,
}

/// A review: who may make it, on which state, with the officer's note.
struct Review {
    ctx: RequestContext,
    path: ObservationPath,
    if_match: IfMatch,
    body: NoteRequest,
}

async fn review(
    r: Review,
    state: web::Data<AppState>,
    status: ObservationStatus,
) -> Result<HttpResponse, AppError> {
    r.ctx.require(WRITE)?;
    let mut errors = ValidationErrors::default();
    let note = errors.check("note", text::bounded(&r.body.note, 1, 2000));
    let note = errors.finish(|| note)?;
    let (actor, path, expected) = (r.ctx.actor(), r.path, r.if_match.0);
    let o = state
        .write(actor, move |conn, actor| {
            service::review_observation(conn, actor, path.id, path.oid, &expected, status, note)
        })
        .await?;
    let version = o.version;
    Ok(respond::ok_with_etag(
        &ObservationResponse::from(o),
        version,
    ))
}

/// Mark a return verified.
#[utoipa::path(
    tag = "contracts", operation_id = "verify_observation", request_body = NoteRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("oid" = String, Path, format = Uuid, description = "Observation id"),
        ("If-Match" = String, Header, description = "The return's ETag (its `version` in quotes, as listed), or `*`")),
    responses((status = 200, description = "The return", body = ObservationResponse, headers(("ETag" = String, description = "ETag of the new version"))), UpdateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/observations/{oid}/verify")]
pub async fn verify_observation(
    ctx: RequestContext,
    path: web::Path<ObservationPath>,
    if_match: IfMatch,
    body: ApiJson<NoteRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (path, body) = (path.into_inner(), body.value);
    review(
        Review {
            ctx,
            path,
            if_match,
            body,
        },
        state,
        ObservationStatus::Verified,
    )
    .await
}

/// Mark a return disputed.
#[utoipa::path(
    tag = "contracts", operation_id = "dispute_observation", request_body = NoteRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("oid" = String, Path, format = Uuid, description = "Observation id"),
        ("If-Match" = String, Header, description = "The return's ETag (its `version` in quotes, as listed), or `*`")),
    responses((status = 200, description = "The return", body = ObservationResponse, headers(("ETag" = String, description = "ETag of the new version"))), UpdateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/observations/{oid}/dispute")]
pub async fn dispute_observation(
    ctx: RequestContext,
    path: web::Path<ObservationPath>,
    if_match: IfMatch,
    body: ApiJson<NoteRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (path, body) = (path.into_inner(), body.value);
    review(
        Review {
            ctx,
            path,
            if_match,
            body,
        },
        state,
        ObservationStatus::Disputed,
    )
    .await
}
