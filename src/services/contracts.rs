//! Contract workflows: contracts and terms, monitoring returns, compliance, consequences and
//! performance notices.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::{self, DbConnection, contracts as q};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::Period;
use crate::domain::compliance::{
    ComplianceStatus, Consequence, ContractSpec, ContractStatus, LintFinding, NoticeDue,
    PeriodAssessment, Rating, TermKind, TermRating, TermSpec, assess, check_values, due_periods,
    lint_contract, notices_due, periods_due_by, suggested_contract_rating,
};
use crate::domain::contract::{
    ConsequenceRecord, ConsequenceStatus, Contract, Evidence, Observation, ObservationStatus, Term,
    terms_from_bid,
};
use crate::domain::ids::{
    ConsequenceId, ContractId, MissionId, NoticeId, ObservationId, TenderId, TermId,
};
use crate::domain::tender::{Supplier, TenderStatus};
use crate::domain::text;
use crate::domain::validation::{FieldError, ValidationErrors};
use crate::error::{AppError, ErrorCode};

use super::{Actor, Precondition, write_tx};

pub const CONTRACT: &str = "contract";
pub const TERM: &str = "term";
pub const OBSERVATION: &str = "observation";
/// A batch of returns is audited as one event (its state: every return of the batch), kept
/// apart from the contract's own state so that verification still compares the contract.
pub const OBSERVATION_BATCH: &str = "observation_batch";
pub const CONSEQUENCE: &str = "consequence";
pub const NOTICE: &str = "performance_notice";

/// Days after a period's end before a missing return counts as missing (default).
pub const DEFAULT_GRACE_DAYS: u32 = 15;

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
    q::insert_term(conn, &q::TermRow::from_domain(term)?)?;
    audit.record(conn, action, TERM, &term.id.to_string(), term, None)
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
        q::insert_contract(conn, &q::ContractRow::from_domain(&contract)?)?;
        audit.record(
            conn,
            "contract.created",
            CONTRACT,
            &contract.id.to_string(),
            &contract,
            None,
        )?;
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
        q::insert_contract(conn, &q::ContractRow::from_domain(&contract)?)?;
        audit.record(
            conn,
            "contract.created_from_award",
            CONTRACT,
            &contract.id.to_string(),
            &contract,
            None,
        )?;
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
        if let Some(next) = changes.status
            && next != contract.status
        {
            contract.status = contract
                .status
                .transition(next)
                .map_err(|e| AppError::client(ErrorCode::IllegalTransition, e.to_string()))?;
            contract.status_changed_on = Some(audit.now().date_naive());
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
            q::update_contract(conn, &q::ContractRow::from_domain(&contract)?)?;
            let action = if contract.status != before.status {
                "contract.status_changed"
            } else {
                "contract.updated"
            };
            audit.record(
                conn,
                action,
                CONTRACT,
                &contract.id.to_string(),
                &contract,
                None,
            )?;
        }
        Ok(contract)
    })
}

// ---------------------------------------------------------------- terms

pub fn terms(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<Vec<Term>, AppError> {
    get(conn, authority, contract_id)?;
    q::terms_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

pub fn get_term(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    id: TermId,
) -> Result<Term, AppError> {
    get(conn, authority, contract_id)?;
    Ok(q::find_term(conn, authority, contract_id, id)?
        .ok_or_else(|| AppError::not_found("term"))?
        .into_domain()?)
}

pub struct TermInput {
    pub title: String,
    pub mission_id: Option<MissionId>,
    pub spec: TermSpec,
}

fn checked_term(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: &Contract,
    input: TermInput,
) -> Result<(String, Option<MissionId>, TermSpec), AppError> {
    let mut errors = ValidationErrors::default();
    let title = errors.check("title", text::single_line(&input.title, 1, 200));
    let spec = match input.spec.parse(&contract.spec()) {
        Ok(spec) => Some(spec),
        Err(e) => {
            errors.0.extend(
                e.0.into_iter()
                    .map(|f| FieldError::new(format!("spec.{}", f.field), f.message)),
            );
            None
        }
    };
    if let Some(m) = input.mission_id
        && db::missions::find(conn, authority, m)?.is_none()
    {
        errors.push("mission_id", "no such mission in your authority");
    }
    Ok(errors.finish(|| Some((title?, input.mission_id, spec?)))?)
}

pub fn create_term(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    input: TermInput,
) -> Result<Term, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let contract = get(conn, authority, contract_id)?;
        let (title, mission_id, spec) = checked_term(conn, authority, &contract, input)?;
        let now = audit.now();
        let term = Term {
            id: TermId::new(),
            authority: authority.clone(),
            contract_id,
            title,
            mission_id,
            source: None,
            spec,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        insert_term(conn, audit, &term, "term.created")?;
        Ok(term)
    })
}

pub fn update_term(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    id: TermId,
    precondition: &Precondition,
    input: TermInput,
) -> Result<Term, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let contract = get(conn, authority, contract_id)?;
        let mut term = get_term(conn, authority, contract_id, id)?;
        precondition.check(TERM, term.version)?;
        let (title, mission_id, spec) = checked_term(conn, authority, &contract, input)?;
        if (title.as_str(), mission_id, &spec) != (term.title.as_str(), term.mission_id, &term.spec)
        {
            term.title = title;
            term.mission_id = mission_id;
            term.spec = spec;
            term.version += 1;
            term.updated_at = audit.now();
            q::update_term(conn, &q::TermRow::from_domain(&term)?)?;
            audit.record(
                conn,
                "term.updated",
                TERM,
                &term.id.to_string(),
                &term,
                None,
            )?;
        }
        Ok(term)
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

// ---------------------------------------------------------------- observations

/// One return as a client sends it.
#[derive(Debug, Clone)]
pub struct ObservationInput {
    pub term_id: String,
    pub period_start: Option<NaiveDate>,
    pub measures: BTreeMap<String, Decimal>,
    pub dimensions: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    pub supersedes: Option<String>,
}

pub const MAX_BATCH: usize = 20_000;

fn evidence(at: &str, items: &[Evidence], errors: &mut ValidationErrors) -> Vec<Evidence> {
    items
        .iter()
        .enumerate()
        .map(|(i, e)| Evidence {
            name: errors
                .check(
                    format!("{at}.evidence[{i}].name"),
                    text::single_line(&e.name, 1, 200),
                )
                .unwrap_or_default(),
            uri: e.uri.as_ref().and_then(|u| {
                errors.check(
                    format!("{at}.evidence[{i}].uri"),
                    text::single_line(u, 1, 2000),
                )
            }),
            sha256: e.sha256.as_ref().and_then(|h| {
                let ok = h.len() == 64
                    && h.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                errors.check(
                    format!("{at}.evidence[{i}].sha256"),
                    if ok {
                        Ok(h.clone())
                    } else {
                        Err("must be 64 lower-case hex digits".into())
                    },
                )
            }),
        })
        .collect()
}

/// Records a batch of returns, all or nothing: every row is checked (term of this contract, a
/// due period of its schedule, only measures the term defines, no second return for a period
/// without `supersedes`) and every row's errors are reported together, by row number.
pub fn submit_observations(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    inputs: Vec<ObservationInput>,
) -> Result<Vec<Observation>, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let contract = get(conn, authority, contract_id)?;
        let terms: BTreeMap<String, Term> = terms(conn, authority, contract_id)?
            .into_iter()
            .map(|t| (t.id.to_string(), t))
            .collect();
        let periods: BTreeMap<&str, Vec<Period>> = terms
            .iter()
            .map(|(id, t)| {
                (
                    id.as_str(),
                    t.spec
                        .schedule
                        .as_ref()
                        .map(|s| due_periods(s, contract.end))
                        .unwrap_or_default(),
                )
            })
            .collect();
        // The current (not superseded) return per term and period start.
        let mut current: BTreeMap<(String, NaiveDate), String> = BTreeMap::new();
        for row in q::observations_of(conn, authority, contract_id)? {
            if row.superseded_by.is_none() {
                current.insert((row.term_id.clone(), row.period_start), row.id.clone());
            }
        }
        let mut errors = ValidationErrors::default();
        let mut accepted = Vec::with_capacity(inputs.len());
        let now = audit.now();
        for (i, input) in inputs.into_iter().enumerate() {
            let at = format!("rows[{i}]");
            let before = errors.0.len();
            let Some(term) = terms.get(&input.term_id) else {
                errors.push(format!("{at}.term_id"), "no such term in this contract");
                continue;
            };
            let Some(start) = input.period_start else {
                errors.push(format!("{at}.period_start"), "is required");
                continue;
            };
            let period = periods
                .get(input.term_id.as_str())
                .and_then(|ps| ps.iter().find(|p| p.start == start))
                .copied();
            let Some(period) = period else {
                let detail = if start < contract.start || start > contract.end {
                    "is outside the contract".to_string()
                } else {
                    "is not the start of a period of this term's schedule".to_string()
                };
                errors.push(format!("{at}.period_start"), detail);
                continue;
            };
            if let Err(e) = check_values(&term.spec, &input.measures) {
                errors.0.extend(e.0.into_iter().map(|f| {
                    FieldError::new(
                        format!(
                            "{at}.measures.{}",
                            f.field.strip_prefix("values.").unwrap_or(&f.field)
                        ),
                        f.message,
                    )
                }));
            }
            if input.dimensions.len() > 10 {
                errors.push(
                    format!("{at}.dimensions"),
                    "must hold at most 10 dimensions",
                );
            }
            for (k, v) in &input.dimensions {
                if text::single_line(k, 1, 50).is_err() || text::single_line(v, 1, 100).is_err() {
                    errors.push(
                        format!("{at}.dimensions.{k}"),
                        "names are 1-50 and values 1-100 characters on one line",
                    );
                }
            }
            let evidence = evidence(&at, &input.evidence, &mut errors);
            let key = (input.term_id.clone(), start);
            let supersedes = match (&input.supersedes, current.get(&key)) {
                (None, None) => None,
                (None, Some(_)) => {
                    errors.push(format!("{at}.supersedes"), "a return for this term and period exists: send a correction with `supersedes` set to its id");
                    None
                }
                (Some(s), Some(cur)) if s == cur => s.parse::<ObservationId>().ok(),
                (Some(_), _) => {
                    errors.push(
                        format!("{at}.supersedes"),
                        "must be the id of the current return for this term and period",
                    );
                    None
                }
            };
            if errors.0.len() > before {
                continue;
            }
            let observation = Observation {
                id: ObservationId::new(),
                contract_id,
                term_id: term.id,
                period,
                measures: input
                    .measures
                    .into_iter()
                    .map(|(k, v)| (k, v.normalize()))
                    .collect(),
                dimensions: input.dimensions,
                evidence,
                reported_by: actor.principal.subject.clone(),
                reported_at: now,
                supersedes,
                superseded_by: None,
                status: ObservationStatus::Submitted,
                status_note: None,
            };
            // Later rows of the same batch see this one as the current return.
            current.insert(key, observation.id.to_string());
            accepted.push(observation);
        }
        if !errors.is_empty() {
            return Err(AppError::Client {
                code: ErrorCode::ValidationFailed,
                detail: format!(
                    "the batch was rejected: {} error(s); nothing was recorded",
                    errors.0.len()
                ),
                errors: errors.0,
            });
        }
        let rows = accepted
            .iter()
            .map(|o| q::ObservationRow::from_domain(authority, o))
            .collect::<Result<Vec<_>, _>>()?;
        q::insert_observations(conn, &rows)?;
        for o in &accepted {
            if let Some(old) = o.supersedes {
                q::mark_superseded(conn, &old.to_string(), &o.id.to_string())?;
            }
        }
        #[derive(Serialize)]
        struct Batch<'a> {
            contract_id: String,
            returns: &'a [Observation],
        }
        let note = format!("{} return(s)", accepted.len());
        audit.record(
            conn,
            "observations.submitted",
            OBSERVATION_BATCH,
            &contract_id.to_string(),
            &Batch {
                contract_id: contract_id.to_string(),
                returns: &accepted,
            },
            Some(&note),
        )?;
        Ok(accepted)
    })
}

pub fn observations(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<Vec<Observation>, AppError> {
    get(conn, authority, contract_id)?;
    q::observations_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

/// One page of a contract's returns (optionally one term's), read from the database a page at a
/// time.
pub fn observations_page(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    term: Option<TermId>,
    after: Option<ObservationId>,
    limit: i64,
) -> Result<Vec<Observation>, AppError> {
    get(conn, authority, contract_id)?;
    q::observations_page(conn, authority, contract_id, term, after, limit)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

/// An officer marks a return verified or disputed, with a note.
pub fn review_observation(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    id: ObservationId,
    status: ObservationStatus,
    note: String,
) -> Result<Observation, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let mut o = observations(conn, &actor.principal.authority, contract_id)?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| AppError::not_found("observation"))?;
        q::set_observation_status(conn, &id.to_string(), status, &note)?;
        o.status = status;
        o.status_note = Some(note);
        let action = if status == ObservationStatus::Verified {
            "observation.verified"
        } else {
            "observation.disputed"
        };
        audit.record(
            conn,
            action,
            OBSERVATION,
            &id.to_string(),
            &o,
            o.status_note.as_deref(),
        )?;
        Ok(o)
    })
}

// ---------------------------------------------------------------- compliance

#[derive(Debug, Clone, Serialize)]
pub struct PeriodLine {
    pub assessment: PeriodAssessment,
    pub observation: Option<Observation>,
    pub consequences: Vec<ConsequenceRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermCompliance {
    pub term: Term,
    pub periods: Vec<PeriodLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub contract: Contract,
    pub as_of: NaiveDate,
    pub terms: Vec<TermCompliance>,
    pub suggested_rating: Rating,
}

impl ComplianceReport {
    fn lines(&self) -> impl Iterator<Item = &PeriodLine> {
        self.terms.iter().flat_map(|t| t.periods.iter())
    }

    pub fn breaches(&self) -> usize {
        self.lines().filter(|p| p.assessment.breach).count()
    }

    /// Money due over all periods, by kind. Amounts are already whole pence, so the sum is
    /// exact without further rounding.
    pub fn money_due(&self) -> BTreeMap<String, Decimal> {
        let mut due: BTreeMap<String, Decimal> = BTreeMap::new();
        for m in self.lines().flat_map(|p| p.assessment.money.iter()) {
            *due.entry(wire_name(&m.kind)).or_default() += m.amount;
        }
        due
    }

    /// "Who is it working for, where": how many periods of each status per dimension value
    /// the returns carry, e.g. (`ward`, `Kentish Town`) → {met: 3, not_met: 1}.
    pub fn by_dimension(&self) -> BTreeMap<(String, String), BTreeMap<String, usize>> {
        let mut out: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
        for p in self.lines() {
            for (k, v) in p.observation.iter().flat_map(|o| o.dimensions.iter()) {
                *out.entry((k.clone(), v.clone()))
                    .or_default()
                    .entry(wire_name(&p.assessment.status))
                    .or_default() += 1;
            }
        }
        out
    }
}

/// Every term's due periods up to `as_of`, each assessed against its current return.
pub fn compliance(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<ComplianceReport, AppError> {
    let contract = get(conn, authority, contract_id)?;
    let terms = terms(conn, authority, contract_id)?;
    let observations = observations(conn, authority, contract_id)?;
    let consequences = consequences(conn, authority, contract_id)?;
    let spec = contract.spec();
    // The current return and the consequence records of each term and period, by key.
    let current: BTreeMap<(TermId, NaiveDate), &Observation> = observations
        .iter()
        .filter(|o| o.superseded_by.is_none())
        .map(|o| ((o.term_id, o.period.start), o))
        .collect();
    let mut records: BTreeMap<(TermId, NaiveDate), Vec<ConsequenceRecord>> = BTreeMap::new();
    for c in consequences {
        records
            .entry((c.term_id, c.period.start))
            .or_default()
            .push(c);
    }
    let mut ratings = Vec::new();
    let mut lines = Vec::with_capacity(terms.len());
    for term in terms {
        let Some(schedule) = &term.spec.schedule else {
            lines.push(TermCompliance {
                term,
                periods: Vec::new(),
            });
            continue;
        };
        let periods = periods_due_by(schedule, contract.end, as_of)
            .into_iter()
            .map(|period| {
                let observation = current.get(&(term.id, period.start)).map(|o| (*o).clone());
                let assessment = assess(
                    &term.spec,
                    &spec,
                    period,
                    observation.as_ref().map(|o| &o.measures),
                    as_of,
                    contract.grace_days,
                );
                ratings.push(TermRating {
                    kind: term.spec.kind,
                    material: term.spec.material,
                    period,
                    rating: assessment.rating,
                });
                let consequences = records
                    .get(&(term.id, period.start))
                    .cloned()
                    .unwrap_or_default();
                PeriodLine {
                    assessment,
                    observation,
                    consequences,
                }
            })
            .collect();
        lines.push(TermCompliance { term, periods });
    }
    let window = Period {
        start: contract.start,
        end: as_of.min(contract.end),
    };
    let suggested_rating = suggested_contract_rating(&ratings, window);
    Ok(ComplianceReport {
        contract,
        as_of,
        terms: lines,
        suggested_rating,
    })
}

pub fn consequences(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<Vec<ConsequenceRecord>, AppError> {
    q::consequences_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

fn consequence_kind(c: &Consequence) -> &'static str {
    match c {
        Consequence::ServiceCredit { .. } => "service_credit",
        Consequence::WithholdPayment { .. } => "withheld_payment",
        Consequence::Clawback { .. } => "clawback",
        Consequence::InterestStepUp { .. } => "interest_step_up",
        Consequence::TrancheGate { .. } => "tranche_gate",
        Consequence::ImprovementPlan { .. } => "improvement_plan",
        Consequence::TerminationRight => "termination_right",
    }
}

/// Records a `proposed` consequence for every breach up to `as_of` that has none yet: one per
/// amount due, or one naming the consequence when it carries no amount.
pub fn propose_consequences(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<Vec<ConsequenceRecord>, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let report = compliance(conn, authority, contract_id, as_of)?;
        let now = audit.now();
        let mut created = Vec::new();
        for tc in &report.terms {
            for line in &tc.periods {
                let a = &line.assessment;
                let mut wanted: Vec<(String, Option<Decimal>, String)> = Vec::new();
                if a.breach {
                    for m in &a.money {
                        wanted.push((wire_name(&m.kind), Some(m.amount), m.explanation.clone()));
                    }
                    // A consequence that is not itself an amount (an improvement plan, a tranche
                    // gate, a termination right) gets its own record beside any money due.
                    if let Some(c) = &a.triggered {
                        let kind = consequence_kind(c).to_string();
                        if !wanted.iter().any(|(k, _, _)| *k == kind)
                            && !a.money.iter().any(|m| wire_name(&m.kind) == kind)
                        {
                            wanted.push((kind, None, a.explanation.clone()));
                        }
                    }
                }
                for (kind, amount, detail) in wanted {
                    if line.consequences.iter().any(|c| c.kind == kind)
                        || created.iter().any(|c: &ConsequenceRecord| {
                            c.term_id == tc.term.id
                                && c.period.start == a.period.start
                                && c.kind == kind
                        })
                    {
                        continue;
                    }
                    let record = ConsequenceRecord {
                        id: ConsequenceId::new(),
                        contract_id,
                        term_id: tc.term.id,
                        period: a.period,
                        kind,
                        amount,
                        detail,
                        status: ConsequenceStatus::Proposed,
                        reason: None,
                        decided_by: None,
                        decided_at: None,
                        created_at: now,
                    };
                    q::insert_consequence(
                        conn,
                        &q::ConsequenceRow::from_domain(authority, &record),
                    )?;
                    audit.record(
                        conn,
                        "consequence.proposed",
                        CONSEQUENCE,
                        &record.id.to_string(),
                        &record,
                        None,
                    )?;
                    created.push(record);
                }
            }
        }
        Ok(created)
    })
}

/// The wire name of a closed enum (`service_credit`), which is also what is stored.
pub fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn decide_consequence(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    id: ConsequenceId,
    status: ConsequenceStatus,
    reason: String,
) -> Result<ConsequenceRecord, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        get(conn, authority, contract_id)?;
        let mut record = consequences(conn, authority, contract_id)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| AppError::not_found("consequence"))?;
        if record.status != ConsequenceStatus::Proposed {
            return Err(AppError::client(
                ErrorCode::IllegalTransition,
                format!("the consequence is already {}", record.status.as_str()),
            ));
        }
        let now = audit.now();
        q::decide_consequence(
            conn,
            &id.to_string(),
            status,
            &reason,
            &actor.principal.subject,
            db::to_db_time(now),
        )?;
        record.status = status;
        record.reason = Some(reason);
        record.decided_by = Some(actor.principal.subject.clone());
        record.decided_at = Some(now);
        let action = if status == ConsequenceStatus::Applied {
            "consequence.applied"
        } else {
            "consequence.waived"
        };
        audit.record(
            conn,
            action,
            CONSEQUENCE,
            &id.to_string(),
            &record,
            record.reason.as_deref(),
        )?;
        Ok(record)
    })
}

// ---------------------------------------------------------------- performance notices

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KpiRating {
    pub term_id: TermId,
    pub title: String,
    pub material: bool,
    pub rating: Rating,
    /// What the compliance figures suggest for the period.
    pub suggested: Rating,
}

/// What Procurement Regulations 2024 reg. 39 requires a contract performance notice to carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NoticePayload {
    pub notice_id: NoticeId,
    pub contract_id: ContractId,
    pub procurement_id: Option<TenderId>,
    pub contract_title: String,
    pub supplier_name: String,
    pub supplier_identifier: String,
    pub supplier_locality: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kpis: Vec<KpiRating>,
    pub justification: String,
    pub published_by: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

fn worst(ratings: impl Iterator<Item = Rating>) -> Rating {
    ratings
        .filter(|r| *r != Rating::Other)
        .max_by_key(|r| r.severity())
        .unwrap_or(Rating::Other)
}

/// Records a performance notice: the officer confirms a rating for each KPI for the period.
pub fn create_notice(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    period: Period,
    confirmed: BTreeMap<TermId, Rating>,
    justification: String,
) -> Result<NoticePayload, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let report = compliance(conn, authority, contract_id, period.end)?;
        let kpis: Vec<&TermCompliance> = report
            .terms
            .iter()
            .filter(|t| t.term.spec.kind == TermKind::Kpi)
            .collect();
        let mut errors = ValidationErrors::default();
        let known: BTreeSet<TermId> = kpis.iter().map(|t| t.term.id).collect();
        for id in confirmed.keys() {
            if !known.contains(id) {
                errors.push(
                    format!("ratings.{id}"),
                    "is not a KPI term of this contract",
                );
            }
        }
        for t in &kpis {
            if !confirmed.contains_key(&t.term.id) {
                errors.push(
                    format!("ratings.{}", t.term.id),
                    "every KPI needs a confirmed rating",
                );
            }
        }
        if kpis.is_empty() {
            errors.push("ratings", "the contract has no KPI terms to rate");
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let kpis = kpis
            .iter()
            .map(|t| KpiRating {
                term_id: t.term.id,
                title: t.term.title.clone(),
                material: t.term.spec.material,
                rating: confirmed.get(&t.term.id).copied().unwrap_or(Rating::Other),
                suggested: worst(
                    t.periods
                        .iter()
                        .filter(|p| {
                            p.assessment.period.end >= period.start
                                && p.assessment.period.end <= period.end
                        })
                        .map(|p| p.assessment.rating),
                ),
            })
            .collect();
        let c = &report.contract;
        let payload = NoticePayload {
            notice_id: NoticeId::new(),
            contract_id,
            procurement_id: c.tender_id,
            contract_title: c.title.clone(),
            supplier_name: c.supplier.name.clone(),
            supplier_identifier: c.supplier.identifier.clone(),
            supplier_locality: c.supplier.locality.clone(),
            period_start: period.start,
            period_end: period.end,
            kpis,
            justification,
            published_by: actor.principal.subject.clone(),
            published_at: audit.now(),
        };
        q::insert_notice(
            conn,
            &q::NoticeRow {
                id: payload.notice_id.to_string(),
                authority: authority.to_string(),
                contract_id: contract_id.to_string(),
                period_start: period.start,
                period_end: period.end,
                payload: serde_json::to_string(&payload).map_err(AppError::internal)?,
                justification: payload.justification.clone(),
                created_by: payload.published_by.clone(),
                created_at: db::to_db_time(payload.published_at),
            },
        )?;
        audit.record(
            conn,
            "performance_notice.published",
            NOTICE,
            &payload.notice_id.to_string(),
            &payload,
            None,
        )?;
        Ok(payload)
    })
}

/// The notices published, and those now due (annually, on termination, within 30 days of a breach).
pub fn notices(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<(Vec<NoticePayload>, Vec<NoticeDue>), AppError> {
    let report = compliance(conn, authority, contract_id, as_of)?;
    let published = q::notices_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| {
            serde_json::from_str::<NoticePayload>(&r.payload)
                .map_err(|e| AppError::from(db::CorruptRow::new("notice", &r.id, e)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let last = published.iter().map(|n| n.published_at.date_naive()).max();
    let breaches: Vec<NaiveDate> = report
        .terms
        .iter()
        .flat_map(|t| t.periods.iter())
        .filter(|p| {
            p.assessment.breach
                && matches!(
                    p.assessment.status,
                    ComplianceStatus::NotMet | ComplianceStatus::Missing
                )
        })
        .map(|p| p.assessment.period.end)
        .collect();
    let c = &report.contract;
    let terminated_on = (c.status == ContractStatus::Terminated)
        .then_some(c.status_changed_on)
        .flatten();
    let due = notices_due(last, c.start, c.status, terminated_on, &breaches, as_of);
    Ok((published, due))
}
