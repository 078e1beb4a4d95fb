//! `/api/v1/contracts`: contracts, terms, monitoring returns, compliance, consequences and
//! performance notices.

mod compliance;
mod consequences;
mod csv_io;
mod notices;
mod observations;
mod terms;

pub use compliance::*;
pub use consequences::*;
pub use notices::*;
pub use observations::*;
pub use terms::*;

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Role, policy};
use crate::domain::compliance as d;
use crate::domain::contract::Contract;
use crate::domain::ids::{ContractId, MissionId, TenderId, TermId};
use crate::domain::tender::parse as tparse;
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::contracts::{self as service, ContractChanges, ContractDetails};
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors, ListErrors, UpdateErrors};
use super::extract::{ApiJson, IdempotencyKey, IfMatch, RequestContext};
use super::pagination::{Page, PageRequest, parse_key};
use super::respond::{self, Created};
use super::wire::Money;
use super::wire::compliance::{ContractStatus, LintSeverity};
use super::wire::tender::Supplier;

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
    #[serde(default)]
    pub value: Option<Money>,
    /// ISO 4217; defaults to GBP.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub mission_ids: Vec<MissionId>,
    /// Days after a period ends before a return counts as missing (default 15).
    #[serde(default, deserialize_with = "super::wire::whole::option_u32")]
    #[schema(maximum = 365)]
    pub grace_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContractRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub value: Option<Money>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    /// `pending → active | cancelled`, `active → terminated | expired`.
    pub status: Option<ContractStatus>,
    /// When the status change takes effect (default today). For a termination, the last day
    /// in force: no period starting after it is due, missing or charged.
    pub status_effective_on: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::wire::whole::option_u32")]
    #[schema(maximum = 365)]
    pub grace_days: Option<u32>,
    #[schema(value_type = Option<Vec<uuid::Uuid>>)]
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
    pub value: Money,
    pub currency: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: ContractStatus,
    /// When the last status change took effect (for a termination, the last day in force).
    pub status_changed_on: Option<NaiveDate>,
    #[schema(value_type = Vec<uuid::Uuid>)]
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
            supplier: c.supplier.into(),
            value: Money(c.value),
            currency: c.currency,
            start_date: c.start,
            end_date: c.end,
            status: c.status.into(),
            status_changed_on: c.status_changed_on,
            mission_ids: c.mission_ids,
            grace_days: c.grace_days,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl TryFrom<UpdateContractRequest> for ContractChanges {
    type Error = ValidationErrors;

    fn try_from(r: UpdateContractRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = r
            .title
            .and_then(|t| errors.check("title", text::single_line(&t, 1, 200)));
        let value = r
            .value
            .and_then(|v| errors.check("value", tparse::money(v.0, false)));
        let grace_days = r.grace_days.map(|d| grace(Some(d), &mut errors));
        errors.finish(|| {
            Some(ContractChanges {
                title,
                value,
                start: r.start_date,
                end: r.end_date,
                status: r.status.map(Into::into),
                status_effective_on: r.status_effective_on,
                grace_days,
                mission_ids: r.mission_ids,
            })
        })
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

/// A contract to create, parsed: from an award (supplier, value and commitments come from the
/// winning bid) or entered directly with its supplier.
pub enum NewContract {
    FromAward(TenderId, ContractDetails),
    Direct(ContractDetails, crate::domain::tender::Supplier),
}

impl TryFrom<CreateContractRequest> for NewContract {
    type Error = ValidationErrors;

    fn try_from(r: CreateContractRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let title = errors.check("title", text::single_line(&r.title, 1, 200));
        let value = r
            .value
            .and_then(|v| errors.check("value", tparse::money(v.0, false)));
        let currency = r.currency.map_or(
            Ok(crate::domain::tender::DEFAULT_CURRENCY.to_string()),
            |c| tparse::currency(&c),
        );
        let currency = errors.check("currency", currency);
        let grace_days = grace(r.grace_days, &mut errors);
        let supplier = match (r.tender_id, &r.supplier) {
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
            (_, s) => s.as_ref().and_then(|s| s.parse(&mut errors)),
        };
        errors.finish(|| {
            let details = ContractDetails {
                title: title?,
                value,
                currency: currency?,
                start: r.start_date,
                end: r.end_date,
                mission_ids: r.mission_ids,
                grace_days,
            };
            Some(match (r.tender_id, supplier) {
                (Some(tender), _) => Self::FromAward(tender, details),
                (None, supplier) => Self::Direct(details, supplier?),
            })
        })
    }
}

/// Create a contract, from an awarded tender or directly.
#[utoipa::path(
    tag = "contracts", operation_id = "create_contract",
    request_body = CreateContractRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = crate::api::IDEMPOTENCY_KEY_DOC)),
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
    let new = NewContract::try_from(body.value)?;
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let contract = match new {
                NewContract::FromAward(tender, details) => {
                    service::create_from_award(conn, actor, tender, details)?.0
                }
                NewContract::Direct(details, supplier) => {
                    service::create_direct(conn, actor, details, supplier)?
                }
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
    let changes = ContractChanges::try_from(body.value)?;
    let (id, actor) = (id.into_inner(), ctx.actor());
    Ok(contract_ok(
        state
            .write(actor, move |conn, actor| {
                service::update(conn, actor, id, &if_match.0, changes)
            })
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractLintResponse {
    pub errors: usize,
    pub warnings: usize,
    pub findings: Vec<ContractLintFinding>,
}

#[derive(Debug, Serialize, ToSchema)]
/// One finding of the contract lint.
pub struct ContractLintFinding {
    pub severity: LintSeverity,
    pub code: String,
    pub message: String,
    /// Position of the term in the contract's terms, if the finding is about one.
    pub term_index: Option<u32>,
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
    Ok(HttpResponse::Ok().json(ContractLintResponse::new(&terms, findings)))
}

impl ContractLintResponse {
    /// The findings with the id of the term each is about, errors counted apart from warnings.
    fn new(terms: &[crate::domain::contract::Term], findings: Vec<d::LintFinding>) -> Self {
        let errors = findings
            .iter()
            .filter(|f| f.severity == d::LintSeverity::Error)
            .count();
        let findings: Vec<_> = findings
            .into_iter()
            .map(|f| ContractLintFinding {
                term_id: f.term_index.and_then(|i| terms.get(i)).map(|t| t.id),
                term_index: f.term_index.and_then(|i| u32::try_from(i).ok()),
                severity: f.severity.into(),
                code: f.code,
                message: f.message,
            })
            .collect();
        Self {
            errors,
            warnings: findings.len().saturating_sub(errors),
            findings,
        }
    }
}
