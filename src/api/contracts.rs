//! `/api/v1/contracts`: contracts, terms, monitoring returns, compliance, consequences and
//! performance notices.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Role, policy};
use crate::domain::compliance::{
    ContractStatus, LintFinding, LintSeverity, NoticeDue, Period, Rating, TermSpec,
};
use crate::domain::contract::{
    ConsequenceRecord, ConsequenceStatus, Contract, Evidence, Observation, ObservationStatus, Term,
};
use crate::domain::ids::{ConsequenceId, ContractId, MissionId, ObservationId, TenderId, TermId};
use crate::domain::tender::Supplier;
use crate::domain::tender::parse as tparse;
use crate::domain::text;
use crate::domain::validation::{FieldError, ValidationErrors};
use crate::error::{AppError, ErrorCode};
use crate::services::contracts::{
    self as service, ComplianceReport, ContractChanges, ContractDetails, NoticePayload,
    ObservationInput, TermInput, wire_name,
};
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors, ListErrors, UpdateErrors};
use super::extract::{ApiJson, IdempotencyKey, IfMatch, JsonOrCsv, RequestContext, parse_json};
use super::pagination::{Page, PageRequest, parse_key};
use super::respond::{self, Created};

const CONTRACT_ID: &str = "Contract id";
const READ: &[Role] = policy::READ_TENDERS;
const WRITE: &[Role] = policy::WRITE_TENDERS;
const REPORT: &[Role] = policy::READ_EVALUATION;
const SUBMIT_RETURNS: &[Role] = policy::SUBMIT_BIDS;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContractRequest {
    /// An awarded tender: supplier, value and commitments come from the winning bid.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub tender_id: Option<TenderId>,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Required when there is no tender (a contract entered directly).
    pub supplier: Option<Supplier>,
    /// Defaults to the winning bid's price.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    pub currency: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub mission_ids: Vec<MissionId>,
    /// Days after a period ends before a return counts as missing (default 15).
    #[schema(maximum = 365)]
    pub grace_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContractRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// `pending → active | cancelled`, `active → terminated | expired`.
    pub status: Option<ContractStatus>,
    #[schema(maximum = 365)]
    pub grace_days: Option<u32>,
    #[schema(value_type = Option<Vec<String>>)]
    pub mission_ids: Option<Vec<MissionId>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: ContractId,
    pub title: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub tender_id: Option<TenderId>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub bid_id: Option<crate::domain::ids::BidId>,
    pub supplier: Supplier,
    #[serde(with = "rust_decimal::serde::str")]
    #[schema(value_type = String)]
    pub value: Decimal,
    pub currency: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
    pub status_changed_on: Option<NaiveDate>,
    #[schema(value_type = Vec<String>)]
    pub mission_ids: Vec<MissionId>,
    pub grace_days: u32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Contract> for ContractResponse {
    fn from(c: Contract) -> Self {
        Self {
            id: c.id,
            title: c.title,
            tender_id: c.tender_id,
            bid_id: c.bid_id,
            supplier: c.supplier,
            value: c.value,
            currency: c.currency,
            start_date: c.start,
            end_date: c.end,
            status: c.status,
            status_changed_on: c.status_changed_on,
            mission_ids: c.mission_ids,
            grace_days: c.grace_days,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

fn contract_ok(c: Contract) -> HttpResponse {
    let version = c.version;
    respond::ok_with_etag(&ContractResponse::from(c), version)
}

fn grace(days: Option<u32>, errors: &mut ValidationErrors) -> u32 {
    match days {
        Some(d) if d > 365 => {
            errors.push("grace_days", "must be at most 365");
            0
        }
        Some(d) => d,
        None => service::DEFAULT_GRACE_DAYS,
    }
}

/// Create a contract, from an awarded tender or directly.
#[utoipa::path(
    tag = "contracts", operation_id = "create_contract",
    request_body = CreateContractRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The contract (pending); from an award, with draft terms from the winning bid", body = ContractResponse,
        headers(("ETag" = String, description = "Strong ETag"), ("Location" = String, description = "URL of the contract"))),
        (status = 409, description = "The tender is not awarded or already has its contract (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts")]
pub async fn create_contract(
    ctx: RequestContext,
    key: IdempotencyKey,
    body: ApiJson<CreateContractRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let r = body.value;
    let mut errors = ValidationErrors::default();
    let title = errors.check("title", text::single_line(&r.title, 1, 200));
    let value = r
        .value
        .and_then(|v| errors.check("value", tparse::money(v, false)));
    let currency = r
        .currency
        .map_or(Ok("GBP".to_string()), |c| tparse::currency(&c));
    let currency = errors.check("currency", currency);
    let grace_days = grace(r.grace_days, &mut errors);
    let supplier = match (r.tender_id, r.supplier) {
        (None, None) => {
            errors.push(
                "supplier",
                "is required for a contract entered without a tender",
            );
            None
        }
        (Some(_), Some(_)) => {
            errors.push(
                "supplier",
                "comes from the winning bid when tender_id is given",
            );
            None
        }
        (_, s) => s,
    };
    let details = errors.finish(|| {
        Some(ContractDetails {
            title: title?,
            value,
            currency: currency?,
            start: r.start_date,
            end: r.end_date,
            mission_ids: r.mission_ids,
            grace_days,
        })
    })?;
    let tender_id = r.tender_id;
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let contract = match (tender_id, supplier) {
                (Some(tender), _) => service::create_from_award(conn, actor, tender, details)?.0,
                (None, Some(supplier)) => service::create_direct(conn, actor, details, supplier)?,
                (None, None) => return Err(AppError::internal("supplier checked above")),
            };
            Ok(Created {
                location: format!("/api/v1/contracts/{}", contract.id),
                version: Some(contract.version),
                body: ContractResponse::from(contract),
            })
        },
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListContractsQuery {
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List the authority's contracts.
#[utoipa::path(
    tag = "contracts", operation_id = "list_contracts", params(ListContractsQuery),
    responses((status = 200, description = "One page of contracts, oldest first", body = Page<ContractResponse>), ListErrors),
    security(("bearer" = [])),
)]
#[get("/contracts")]
pub async fn list_contracts(
    ctx: RequestContext,
    query: web::Query<ListContractsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(READ)?;
    let page = PageRequest::parse(
        query.limit,
        query.cursor.as_deref(),
        state.settings.page_max_limit,
    )?;
    let after = parse_key::<ContractId>(page.after.clone())?;
    let (authority, fetch) = (ctx.principal.authority.clone(), page.fetch_limit());
    let rows = state
        .run(move |conn| service::list(conn, &authority, after, fetch))
        .await?;
    Ok(HttpResponse::Ok().json(page.page(rows, |c| c.id.to_string(), ContractResponse::from)))
}

/// Get one contract.
#[utoipa::path(
    tag = "contracts", operation_id = "get_contract",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID)),
    responses((status = 200, description = "The contract", body = ContractResponse, headers(("ETag" = String, description = "Strong ETag"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}")]
pub async fn get_contract(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(READ)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    Ok(contract_ok(
        state
            .run(move |conn| service::get(conn, &authority, id))
            .await?,
    ))
}

/// Update a contract or move it through its lifecycle (`If-Match` required).
#[utoipa::path(
    tag = "contracts", operation_id = "update_contract",
    request_body = UpdateContractRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("If-Match" = String, Header, description = "The contract's ETag, or `*`")),
    responses((status = 200, description = "The updated contract", body = ContractResponse, headers(("ETag" = String, description = "ETag of the new version"))),
        (status = 409, description = "Illegal status transition (`illegal_transition`) or change not allowed in this status (`conflict`)", body = crate::error::Problem, content_type = "application/problem+json"),
        UpdateErrors),
    security(("bearer" = [])),
)]
#[patch("/contracts/{id}")]
pub async fn update_contract(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    if_match: IfMatch,
    body: ApiJson<UpdateContractRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let r = body.value;
    let mut errors = ValidationErrors::default();
    let title = r
        .title
        .and_then(|t| errors.check("title", text::single_line(&t, 1, 200)));
    let value = r
        .value
        .and_then(|v| errors.check("value", tparse::money(v, false)));
    let grace_days = r.grace_days.map(|d| grace(Some(d), &mut errors));
    let changes = errors.finish(|| {
        Some(ContractChanges {
            title,
            value,
            start: r.start_date,
            end: r.end_date,
            status: r.status,
            grace_days,
            mission_ids: r.mission_ids,
        })
    })?;
    let (id, actor) = (id.into_inner(), ctx.actor());
    Ok(contract_ok(
        state
            .run(move |conn| service::update(conn, &actor, id, &if_match.0, changes))
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub mission_id: Option<MissionId>,
    pub spec: TermSpec,
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
    pub spec: TermSpec,
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
            spec: t.spec,
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
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
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
    let r = body.value;
    let input = TermInput {
        title: r.title,
        mission_id: r.mission_id,
        spec: r.spec,
    };
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
    responses((status = 200, description = "Every term, oldest first", body = Vec<TermResponse>), GetErrors),
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
    Ok(HttpResponse::Ok().json(
        terms
            .into_iter()
            .map(TermResponse::from)
            .collect::<Vec<_>>(),
    ))
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
    let r = body.value;
    let input = TermInput {
        title: r.title,
        mission_id: r.mission_id,
        spec: r.spec,
    };
    let (path, actor) = (path.into_inner(), ctx.actor());
    let term = state
        .run(move |conn| service::update_term(conn, &actor, path.id, path.tid, &if_match.0, input))
        .await?;
    let version = term.version;
    Ok(respond::ok_with_etag(&TermResponse::from(term), version))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractLintResponse {
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<ContractLintFinding>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractLintFinding {
    #[serde(flatten)]
    pub finding: LintFinding,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub term_id: Option<TermId>,
}

/// Check a contract's terms against the rules (e.g. Procurement Act 2023 s.52 KPIs over £5m).
#[utoipa::path(
    tag = "contracts", operation_id = "lint_contract",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID)),
    responses((status = 200, description = "Errors and warnings", body = ContractLintResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/lint")]
pub async fn lint_contract(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(READ)?;
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let (terms, findings) = state
        .run(move |conn| service::lint(conn, &authority, id))
        .await?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == LintSeverity::Error)
        .count();
    let findings: Vec<_> = findings
        .into_iter()
        .map(|f| ContractLintFinding {
            term_id: f.term_index.and_then(|i| terms.get(i)).map(|t| t.id),
            finding: f,
        })
        .collect();
    Ok(HttpResponse::Ok().json(ContractLintResponse {
        errors,
        warnings: findings.len() - errors,
        findings,
    }))
}

// ---------------------------------------------------------------- observations

/// One monitoring return.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationRequest {
    #[schema(format = Uuid)]
    pub term_id: String,
    /// The first day of the period the return covers (a period of the term's schedule).
    pub period_start: NaiveDate,
    /// Named values, e.g. `{"value": "42"}` or `{"revenue": "1000000", "profit": "120000"}`.
    #[schema(value_type = BTreeMap<String, String>)]
    pub measures: BTreeMap<String, MeasureValue>,
    /// "Who is it working for, where", e.g. `{"ward": "Kentish Town"}`.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// The id of the current return this one corrects.
    #[schema(format = Uuid)]
    pub supersedes: Option<String>,
}

/// A measure as a decimal string.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct MeasureValue(#[serde(with = "rust_decimal::serde::str")] pub Decimal);

/// One return, or an array of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ObservationsRequest {
    Many(Vec<ObservationRequest>),
    One(Box<ObservationRequest>),
}

impl From<ObservationRequest> for ObservationInput {
    fn from(r: ObservationRequest) -> Self {
        Self {
            term_id: r.term_id,
            period_start: Some(r.period_start),
            measures: r.measures.into_iter().map(|(k, v)| (k, v.0)).collect(),
            dimensions: r.dimensions,
            evidence: r.evidence,
            supersedes: r.supersedes,
        }
    }
}

/// The CSV import format: a header row, then one return per row. Columns `term_id` and
/// `period_start` (YYYY-MM-DD) are required; `measure.<name>` columns carry values,
/// `dimension.<name>` columns dimensions; optional `supersedes`, `evidence_name`,
/// `evidence_uri`, `evidence_sha256`. Empty cells are absent values.
fn parse_csv(bytes: &[u8]) -> Result<Vec<ObservationInput>, AppError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let bad = |detail: String| AppError::client(ErrorCode::InvalidBody, detail);
    let headers = reader
        .headers()
        .map_err(|e| bad(format!("the CSV header cannot be read: {e}")))?
        .clone();
    for required in ["term_id", "period_start"] {
        if !headers.iter().any(|h| h == required) {
            return Err(AppError::with_field(
                ErrorCode::InvalidBody,
                "the CSV header lacks a required column",
                FieldError::new("header", format!("needs a `{required}` column")),
            ));
        }
    }
    let mut errors = ValidationErrors::default();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("CSV row {} cannot be read: {e}", i + 1)))?;
        let at = format!("rows[{i}]");
        let mut input = ObservationInput {
            term_id: String::new(),
            period_start: None,
            measures: BTreeMap::new(),
            dimensions: BTreeMap::new(),
            evidence: Vec::new(),
            supersedes: None,
        };
        let mut evidence = Evidence {
            name: String::new(),
            uri: None,
            sha256: None,
        };
        for (header, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            match header {
                "term_id" => input.term_id = cell.to_string(),
                "period_start" => {
                    input.period_start = errors.check(
                        format!("{at}.period_start"),
                        cell.parse::<NaiveDate>()
                            .map_err(|_| "must be a date YYYY-MM-DD".to_string()),
                    )
                }
                "supersedes" => input.supersedes = Some(cell.to_string()),
                "evidence_name" => evidence.name = cell.to_string(),
                "evidence_uri" => evidence.uri = Some(cell.to_string()),
                "evidence_sha256" => evidence.sha256 = Some(cell.to_string()),
                h => {
                    if let Some(name) = h.strip_prefix("measure.") {
                        if let Some(v) = errors.check(
                            format!("{at}.measures.{name}"),
                            cell.parse::<Decimal>()
                                .map_err(|_| format!("`{cell}` is not a decimal number")),
                        ) {
                            input.measures.insert(name.to_string(), v);
                        }
                    } else if let Some(name) = h.strip_prefix("dimension.") {
                        input.dimensions.insert(name.to_string(), cell.to_string());
                    } else {
                        errors.push(format!("{at}.{h}"), "unknown column");
                    }
                }
            }
        }
        if !evidence.name.is_empty() || evidence.uri.is_some() || evidence.sha256.is_some() {
            input.evidence.push(evidence);
        }
        rows.push(input);
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors.into())
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
    #[schema(value_type = BTreeMap<String, String>)]
    pub measures: BTreeMap<String, Decimal>,
    pub dimensions: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub supersedes: Option<ObservationId>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub superseded_by: Option<ObservationId>,
    pub status: ObservationStatus,
    pub status_note: Option<String>,
}

impl From<Observation> for ObservationResponse {
    fn from(o: Observation) -> Self {
        Self {
            id: o.id,
            term_id: o.term_id,
            period_start: o.period.start,
            period_end: o.period.end,
            measures: o.measures,
            dimensions: o.dimensions,
            evidence: o.evidence,
            reported_by: o.reported_by,
            reported_at: o.reported_at,
            supersedes: o.supersedes,
            superseded_by: o.superseded_by,
            status: o.status,
            status_note: o.status_note,
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
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
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
    let inputs: Vec<ObservationInput> = match &body {
        JsonOrCsv::Json(bytes) => match parse_json::<ObservationsRequest>(bytes)? {
            ObservationsRequest::Many(rows) => rows.into_iter().map(Into::into).collect(),
            ObservationsRequest::One(row) => vec![(*row).into()],
        },
        JsonOrCsv::Csv(bytes) => parse_csv(bytes)?,
    };
    if inputs.is_empty() || inputs.len() > service::MAX_BATCH {
        return Err(AppError::client(
            ErrorCode::ValidationFailed,
            format!("send 1 to {} returns", service::MAX_BATCH),
        ));
    }
    let id = id.into_inner();
    respond::create(
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
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListObservationsQuery {
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Only returns for this term.
    #[param(format = Uuid)]
    pub term_id: Option<String>,
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
    let all = state
        .run(move |conn| service::observations(conn, &authority, id))
        .await?;
    let rows: Vec<Observation> = all
        .into_iter()
        .filter(|o| after.is_none_or(|a| o.id > a))
        .filter(|o| {
            query
                .term_id
                .as_ref()
                .is_none_or(|t| o.term_id.to_string() == *t)
        })
        .take(usize::try_from(page.fetch_limit()).unwrap_or(usize::MAX))
        .collect();
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

async fn review(
    ctx: RequestContext,
    path: ObservationPath,
    body: NoteRequest,
    state: web::Data<AppState>,
    status: ObservationStatus,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let mut errors = ValidationErrors::default();
    let note = errors.check("note", text::bounded(&body.note, 1, 2000));
    let note = errors.finish(|| note)?;
    let actor = ctx.actor();
    let o = state
        .run(move |conn| service::review_observation(conn, &actor, path.id, path.oid, status, note))
        .await?;
    Ok(HttpResponse::Ok().json(ObservationResponse::from(o)))
}

/// Mark a return verified.
#[utoipa::path(
    tag = "contracts", operation_id = "verify_observation", request_body = NoteRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("oid" = String, Path, format = Uuid, description = "Observation id")),
    responses((status = 200, description = "The return", body = ObservationResponse), UpdateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/observations/{oid}/verify")]
pub async fn verify_observation(
    ctx: RequestContext,
    path: web::Path<ObservationPath>,
    body: ApiJson<NoteRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    review(
        ctx,
        path.into_inner(),
        body.value,
        state,
        ObservationStatus::Verified,
    )
    .await
}

/// Mark a return disputed.
#[utoipa::path(
    tag = "contracts", operation_id = "dispute_observation", request_body = NoteRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("oid" = String, Path, format = Uuid, description = "Observation id")),
    responses((status = 200, description = "The return", body = ObservationResponse), UpdateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/observations/{oid}/dispute")]
pub async fn dispute_observation(
    ctx: RequestContext,
    path: web::Path<ObservationPath>,
    body: ApiJson<NoteRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    review(
        ctx,
        path.into_inner(),
        body.value,
        state,
        ObservationStatus::Disputed,
    )
    .await
}

// ---------------------------------------------------------------- compliance

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Assess periods due by this date (default today).
    pub as_of: Option<NaiveDate>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceLine {
    #[schema(value_type = String, format = Uuid)]
    pub term_id: TermId,
    pub term_title: String,
    #[schema(value_type = Object)]
    pub assessment: serde_json::Value,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub observation_id: Option<ObservationId>,
    pub observation_status: Option<ObservationStatus>,
    pub dimensions: BTreeMap<String, String>,
    pub consequences: Vec<ConsequenceResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionBreakdown {
    pub dimension: String,
    pub value: String,
    /// Count of periods per compliance status.
    pub statuses: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceResponse {
    #[schema(value_type = String, format = Uuid)]
    pub contract_id: ContractId,
    pub as_of: NaiveDate,
    pub suggested_rating: Rating,
    pub breaches: usize,
    /// Money due by kind over all periods (pounds, 2 dp).
    #[schema(value_type = BTreeMap<String, String>)]
    pub money_due: BTreeMap<String, Decimal>,
    pub lines: Vec<ComplianceLine>,
    /// "Who is it working for, where": period statuses by each dimension value the returns carry.
    pub by_dimension: Vec<DimensionBreakdown>,
}

fn compliance_response(report: ComplianceReport) -> Result<ComplianceResponse, AppError> {
    let (breaches, money_due, by_dimension) =
        (report.breaches(), report.money_due(), report.by_dimension());
    let mut lines = Vec::new();
    for t in report.terms {
        for p in t.periods {
            lines.push(ComplianceLine {
                term_id: t.term.id,
                term_title: t.term.title.clone(),
                assessment: serde_json::to_value(&p.assessment).map_err(AppError::internal)?,
                observation_id: p.observation.as_ref().map(|o| o.id),
                observation_status: p.observation.as_ref().map(|o| o.status),
                dimensions: p.observation.map(|o| o.dimensions).unwrap_or_default(),
                consequences: p
                    .consequences
                    .into_iter()
                    .map(ConsequenceResponse::from)
                    .collect(),
            });
        }
    }
    Ok(ComplianceResponse {
        contract_id: report.contract.id,
        as_of: report.as_of,
        suggested_rating: report.suggested_rating,
        breaches,
        money_due,
        lines,
        by_dimension: by_dimension
            .into_iter()
            .map(|((dimension, value), statuses)| DimensionBreakdown {
                dimension,
                value,
                statuses,
            })
            .collect(),
    })
}

fn compliance_csv(report: &ComplianceReport) -> Result<String, AppError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| AppError::internal(e);
    w.write_record([
        "term_id",
        "term_title",
        "kind",
        "period_start",
        "period_end",
        "status",
        "rating",
        "expected",
        "achieved",
        "attainment_percent",
        "money",
        "breach",
        "observation_id",
        "explanation",
    ])
    .map_err(csv_err)?;
    for t in &report.terms {
        for p in &t.periods {
            let a = &p.assessment;
            let money: Vec<String> = a
                .money
                .iter()
                .map(|m| format!("{}={}", wire_name(&m.kind), m.amount))
                .collect();
            let opt = |d: Option<Decimal>| d.map(|d| d.to_string()).unwrap_or_default();
            w.write_record([
                t.term.id.to_string(),
                t.term.title.clone(),
                wire_name(&t.term.spec.kind),
                a.period.start.to_string(),
                a.period.end.to_string(),
                wire_name(&a.status),
                wire_name(&a.rating),
                opt(a.expected),
                opt(a.achieved),
                opt(a.attainment_percent),
                money.join(";"),
                a.breach.to_string(),
                p.observation
                    .as_ref()
                    .map(|o| o.id.to_string())
                    .unwrap_or_default(),
                a.explanation.clone(),
            ])
            .map_err(csv_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

/// Compliance of every term and due period, with money consequences (JSON or CSV).
#[utoipa::path(
    tag = "contracts", operation_id = "contract_compliance",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ComplianceQuery),
    responses((status = 200, description = "Per term and period: status, rating, figures and money",
        content((ComplianceResponse = "application/json"), (String = "text/csv"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/compliance")]
pub async fn contract_compliance(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    query: web::Query<ComplianceQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(REPORT)?;
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => {
            return Err(AppError::with_field(
                ErrorCode::InvalidQuery,
                "format must be json or csv",
                FieldError::new("format", "must be json or csv"),
            ));
        }
    };
    let as_of = query.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let report = state
        .run(move |conn| service::compliance(conn, &authority, id, as_of))
        .await?;
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(compliance_csv(&report)?));
    }
    Ok(HttpResponse::Ok().json(compliance_response(report)?))
}

// ---------------------------------------------------------------- consequences

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsequenceResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: ConsequenceId,
    #[schema(value_type = String, format = Uuid)]
    pub term_id: TermId,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kind: String,
    #[serde(with = "rust_decimal::serde::str_option")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<Decimal>,
    pub detail: String,
    pub status: ConsequenceStatus,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<ConsequenceRecord> for ConsequenceResponse {
    fn from(c: ConsequenceRecord) -> Self {
        Self {
            id: c.id,
            term_id: c.term_id,
            period_start: c.period.start,
            period_end: c.period.end,
            kind: c.kind,
            amount: c.amount,
            detail: c.detail,
            status: c.status,
            reason: c.reason,
            decided_by: c.decided_by,
            decided_at: c.decided_at,
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
    responses((status = 200, description = "The consequences proposed now", body = Vec<ConsequenceResponse>), GetErrors),
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
    let as_of = query.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let (id, actor) = (id.into_inner(), ctx.actor());
    let created = state
        .run(move |conn| service::propose_consequences(conn, &actor, id, as_of))
        .await?;
    Ok(HttpResponse::Ok().json(
        created
            .into_iter()
            .map(ConsequenceResponse::from)
            .collect::<Vec<_>>(),
    ))
}

/// The consequence records of a contract.
#[utoipa::path(
    tag = "contracts", operation_id = "list_consequences",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID)),
    responses((status = 200, description = "Oldest first", body = Vec<ConsequenceResponse>), GetErrors),
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
    Ok(HttpResponse::Ok().json(
        list.into_iter()
            .map(ConsequenceResponse::from)
            .collect::<Vec<_>>(),
    ))
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
        .run(move |conn| {
            service::decide_consequence(conn, &actor, path.id, path.cid, status, reason)
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
        UpdateErrors),
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
        UpdateErrors),
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

// ---------------------------------------------------------------- performance notices

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The confirmed rating of every KPI term, by term id.
    #[schema(value_type = BTreeMap<String, Rating>)]
    pub ratings: BTreeMap<TermId, Rating>,
    #[schema(min_length = 1, max_length = 10000)]
    pub justification: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticesResponse {
    pub published: Vec<NoticePayload>,
    /// Notices now due: yearly, on termination, within 30 days of a breach.
    pub due: Vec<NoticeDue>,
}

/// Publish a contract performance notice (Procurement Act 2023 s.71, reg. 39).
#[utoipa::path(
    tag = "contracts", operation_id = "create_performance_notice", request_body = NoticeRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The notice's payload", body = NoticePayload),
        (status = 404, description = "No such contract in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/performance-notices")]
pub async fn create_performance_notice(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    key: IdempotencyKey,
    body: ApiJson<NoticeRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let r = body.value;
    let mut errors = ValidationErrors::default();
    if r.period_end < r.period_start {
        errors.push("period_end", "must not be before period_start");
    }
    let justification = errors.check("justification", text::bounded(&r.justification, 1, 10_000));
    let (justification, period) = errors.finish(|| {
        Some((
            justification?,
            Period {
                start: r.period_start,
                end: r.period_end,
            },
        ))
    })?;
    let (id, ratings) = (id.into_inner(), r.ratings);
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let payload = service::create_notice(conn, actor, id, period, ratings, justification)?;
            Ok(Created {
                location: format!("/api/v1/contracts/{id}/performance-notices"),
                version: None,
                body: payload,
            })
        },
    )
    .await
}

/// Published performance notices and those now due.
#[utoipa::path(
    tag = "contracts", operation_id = "list_performance_notices",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), AsOfQuery),
    responses((status = 200, description = "Published and due notices", body = NoticesResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/performance-notices")]
pub async fn list_performance_notices(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    query: web::Query<AsOfQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(REPORT)?;
    let as_of = query.as_of.unwrap_or_else(|| Utc::now().date_naive());
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let (published, due) = state
        .run(move |conn| service::notices(conn, &authority, id, as_of))
        .await?;
    Ok(HttpResponse::Ok().json(NoticesResponse { published, due }))
}
