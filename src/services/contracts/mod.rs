//! Contract workflows: contracts and terms, monitoring returns, compliance, consequences and
//! performance notices.

mod compliance;
mod consequences;
mod notices;
mod observations;
mod terms;

pub use compliance::{ComplianceReport, ComplianceTotals, PeriodLine, TermCompliance, compliance};
pub use consequences::{consequences, decide_consequence, propose_consequences};
pub use notices::{KpiRating, NoticePayload, create_notice, notices, worst};
pub use observations::{
    MAX_BATCH, ObservationInput, observations, observations_page, review_observation,
    submit_observations,
};
pub use terms::{TermInput, create_term, get_term, terms, update_term};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::{DbConnection, contracts as q};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{
    ContractSpec, ContractStatus, LintFinding, TermSpec, lint_contract,
};
use crate::domain::contract::{Contract, Term, terms_from_bid};
use crate::domain::ids::{ContractId, MissionId, TenderId, TermId};
use crate::domain::tender::{Supplier, TenderStatus};
use crate::domain::validation::FieldError;
use crate::error::{AppError, ErrorCode};

use super::{Actor, Precondition, write_tx};

/// What a stale `If-Match` names.
pub const CONTRACT: &str = "contract";
pub const TERM: &str = "term";

pub use crate::domain::compliance::DEFAULT_GRACE_DAYS;

fn conflict(detail: impl Into<String>) -> AppError {
    AppError::client(ErrorCode::Conflict, detail)
}

pub fn get(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: ContractId,
) -> Result<Contract, AppError> {
    Ok(q::find_contract(conn, authority, id)?
        .ok_or_else(|| AppError::not_found("contract"))?
        .into_domain()?)
}

pub fn list(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    after: Option<ContractId>,
    limit: i64,
) -> Result<Vec<Contract>, AppError> {
    q::list_contracts(conn, authority, after, limit)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

fn check_missions(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    ids: &[MissionId],
) -> Result<(), AppError> {
    let links: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, m)| (format!("mission_ids[{i}]"), *m))
        .collect();
    super::missions::check_own(conn, authority, &links)
}

fn insert_term(
    conn: &mut DbConnection,
    audit: &mut super::AuditTrail<'_>,
    term: &Term,
    action: &str,
) -> Result<(), AppError> {
    let row = q::TermRow::from_domain(term)?;
    q::insert_term(conn, &row)?;
    audit.record(action, &row, None);
    Ok(())
}

/// What a new contract needs besides its supplier.
pub struct ContractDetails {
    pub title: String,
    pub value: Option<Decimal>,
    pub currency: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub mission_ids: Vec<MissionId>,
    pub grace_days: u32,
}

fn new_contract(
    actor: &Actor,
    d: ContractDetails,
    supplier: Supplier,
    value: Decimal,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Contract, AppError> {
    let spec = ContractSpec {
        value,
        start: d.start,
        end: d.end,
        status: ContractStatus::Pending,
    }
    .parse()?;
    Ok(Contract {
        id: ContractId::new(),
        authority: actor.principal.authority.clone(),
        title: d.title,
        tender_id: None,
        bid_id: None,
        supplier,
        value: spec.value,
        currency: d.currency,
        start: spec.start,
        end: spec.end,
        status: ContractStatus::Pending,
        status_changed_on: None,
        mission_ids: d.mission_ids,
        grace_days: d.grace_days,
        version: 1,
        created_at: now,
        updated_at: now,
    })
}

/// A contract entered directly, e.g. an existing contract brought under monitoring.
pub fn create_direct(
    conn: &mut DbConnection,
    actor: &Actor,
    details: ContractDetails,
    supplier: Supplier,
) -> Result<Contract, AppError> {
    write_tx(conn, actor, |conn, audit| {
        check_missions(conn, &actor.principal.authority, &details.mission_ids)?;
        let value = details.value.ok_or_else(|| {
            AppError::with_field(
                ErrorCode::ValidationFailed,
                "a contract entered directly needs its value",
                FieldError::new("value", "is required"),
            )
        })?;
        let contract = new_contract(actor, details, supplier, value, audit.now())?;
        let row = q::ContractRow::from_domain(&contract)?;
        q::insert_contract(conn, &row)?;
        audit.record("contract.created", &row, None);
        Ok(contract)
    })
}

/// A contract from an awarded tender: the winning bid's supplier, price (unless another value
/// is given) and commitments, which become draft terms with their targets filled in.
pub fn create_from_award(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
    mut details: ContractDetails,
) -> Result<(Contract, Vec<Term>), AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let tender =
            super::tenders::get(conn, authority, tender_id).map_err(|e| match e.code() {
                ErrorCode::NotFound => AppError::with_field(
                    ErrorCode::ValidationFailed,
                    "no such tender in your authority",
                    FieldError::new("tender_id", "no such tender"),
                ),
                _ => e,
            })?;
        if tender.status != TenderStatus::Awarded {
            return Err(conflict(format!(
                "a contract follows an award; the tender is {}",
                tender.status.as_str()
            )));
        }
        if q::contract_for_tender(conn, authority, &tender_id.to_string())?.is_some() {
            return Err(conflict("this tender already has its contract"));
        }
        let award = super::evaluation::get_award(conn, authority, tender_id)?;
        let bid = super::tenders::get_bid(conn, authority, tender_id, award.bid_id)?;
        if details.mission_ids.is_empty() {
            details.mission_ids = tender.details.mission_ids.clone();
        }
        check_missions(conn, authority, &details.mission_ids)?;
        let value = details.value.unwrap_or(bid.price);
        let now = audit.now();
        let mut contract = new_contract(actor, details, bid.supplier.clone(), value, now)?;
        contract.tender_id = Some(tender_id);
        contract.bid_id = Some(bid.id);
        let row = q::ContractRow::from_domain(&contract)?;
        q::insert_contract(conn, &row)?;
        audit.record("contract.created_from_award", &row, None);
        let mut terms = Vec::new();
        for draft in terms_from_bid(&tender.model, &bid, contract.start) {
            let term = Term {
                id: TermId::new(),
                authority: authority.clone(),
                contract_id: contract.id,
                title: draft.title,
                mission_id: draft.mission_id,
                source: Some(draft.source),
                spec: draft.spec,
                version: 1,
                created_at: now,
                updated_at: now,
                history: Vec::new(),
            };
            insert_term(conn, audit, &term, "term.created_from_bid")?;
            terms.push(term);
        }
        Ok((contract, terms))
    })
}

#[derive(Default)]
pub struct ContractChanges {
    pub title: Option<String>,
    pub value: Option<Decimal>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub status: Option<ContractStatus>,
    /// When the status change takes effect (default today); for a termination, the last day
    /// the contract is in force.
    pub status_effective_on: Option<NaiveDate>,
    pub grace_days: Option<u32>,
    pub mission_ids: Option<Vec<MissionId>>,
}

pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContractId,
    precondition: &Precondition,
    changes: ContractChanges,
) -> Result<Contract, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let mut contract = get(conn, authority, id)?;
        precondition.check(CONTRACT, contract.version)?;
        let before = contract.clone();
        let changing_status = changes.status.filter(|next| *next != contract.status);
        if changes.status_effective_on.is_some() && changing_status.is_none() {
            return Err(AppError::with_field(
                ErrorCode::ValidationFailed,
                "an effective date goes with a status change",
                FieldError::new("status_effective_on", "is allowed only with a new status"),
            ));
        }
        if let Some(next) = changing_status {
            contract.status = contract
                .status
                .transition(next)
                .map_err(|e| AppError::client(ErrorCode::IllegalTransition, e.to_string()))?;
            let effective = changes
                .status_effective_on
                .unwrap_or_else(|| audit.now().date_naive());
            // A termination ends the contract within its term: after the end date it has
            // expired, and before the start it never was in force (cancel it instead).
            if next == ContractStatus::Terminated && !contract.spec().contains(effective) {
                return Err(AppError::with_field(
                    ErrorCode::ValidationFailed,
                    format!(
                        "a termination takes effect between the contract's start ({}) and end ({})",
                        contract.start, contract.end
                    ),
                    FieldError::new("status_effective_on", "must be within the contract's dates"),
                ));
            }
            contract.status_changed_on = Some(effective);
        }
        let reshaping = changes.value.is_some() || changes.start.is_some() || changes.end.is_some();
        if reshaping
            && contract.status != ContractStatus::Pending
            && before.status != ContractStatus::Pending
        {
            return Err(conflict(
                "the value and dates change only while the contract is pending (a later change is a contract modification, s.74)",
            ));
        }
        if let Some(ids) = changes.mission_ids {
            check_missions(conn, authority, &ids)?;
            contract.mission_ids = ids;
        }
        contract.title = changes.title.unwrap_or(contract.title);
        contract.grace_days = changes.grace_days.unwrap_or(contract.grace_days);
        let spec = ContractSpec {
            value: changes.value.unwrap_or(contract.value),
            start: changes.start.unwrap_or(contract.start),
            end: changes.end.unwrap_or(contract.end),
            status: contract.status,
        }
        .parse()?;
        contract.value = spec.value;
        contract.start = spec.start;
        contract.end = spec.end;
        if contract != before {
            contract.version += 1;
            contract.updated_at = audit.now();
            let row = q::ContractRow::from_domain(&contract)?;
            q::update_contract(conn, &row)?;
            let action = if contract.status != before.status {
                "contract.status_changed"
            } else {
                "contract.updated"
            };
            audit.record(action, &row, None);
        }
        Ok(contract)
    })
}

pub fn lint(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<(Vec<Term>, Vec<LintFinding>), AppError> {
    let contract = get(conn, authority, contract_id)?;
    let terms = terms(conn, authority, contract_id)?;
    let specs: Vec<TermSpec> = terms.iter().map(|t| t.spec.clone()).collect();
    let findings = lint_contract(&contract.spec(), &specs);
    Ok((terms, findings))
}

/// The wire name of a closed enum (`service_credit`), which is also what is stored.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
