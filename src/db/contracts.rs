//! Contract, term, observation, consequence and notice rows and queries.

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::ExecuteCopyFromDsl;
use diesel::prelude::*;

use super::schema::{consequences, contracts, observations, performance_notices, terms};
use super::{CorruptRow, DbConnection, from_db_time, to_db_time};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{ContractStatus, Period};
use crate::domain::contract::{
    ConsequenceRecord, ConsequenceStatus, Contract, Observation, ObservationStatus, Term,
};
use crate::domain::ids::{ContractId, ObservationId, TermId};
use crate::domain::tender::Supplier;

fn bad<'a>(entity: &'static str, id: &'a str) -> impl Fn(String) -> CorruptRow + 'a {
    move |reason| CorruptRow::new(entity, id, reason)
}

fn parse_id<T: std::str::FromStr<Err = uuid::Error>>(
    entity: &'static str,
    raw: &str,
) -> Result<T, CorruptRow> {
    raw.parse()
        .map_err(|e: uuid::Error| CorruptRow::new(entity, raw, e))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, CorruptRow> {
    serde_json::to_string(value).map_err(|e| CorruptRow::new("value", "", e))
}

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = contracts, treat_none_as_null = true)]
pub struct ContractRow {
    pub id: String,
    pub authority: String,
    pub title: String,
    pub tender_id: Option<String>,
    pub bid_id: Option<String>,
    pub supplier_name: String,
    pub supplier_identifier: String,
    pub supplier_sme: bool,
    pub supplier_vcse: bool,
    pub supplier_locality: Option<String>,
    pub value: String,
    pub currency: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub status: String,
    pub status_changed_on: Option<NaiveDate>,
    pub mission_ids: String,
    pub grace_days: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ContractRow {
    pub fn from_domain(c: &Contract) -> Result<Self, CorruptRow> {
        Ok(Self {
            id: c.id.to_string(),
            authority: c.authority.to_string(),
            title: c.title.clone(),
            tender_id: c.tender_id.map(|t| t.to_string()),
            bid_id: c.bid_id.map(|b| b.to_string()),
            supplier_name: c.supplier.name.clone(),
            supplier_identifier: c.supplier.identifier.clone(),
            supplier_sme: c.supplier.sme,
            supplier_vcse: c.supplier.vcse,
            supplier_locality: c.supplier.locality.clone(),
            value: c.value.to_string(),
            currency: c.currency.clone(),
            start_date: c.start,
            end_date: c.end,
            status: c.status.as_str().to_string(),
            status_changed_on: c.status_changed_on,
            mission_ids: json(&c.mission_ids)?,
            grace_days: i32::try_from(c.grace_days)
                .map_err(|e| CorruptRow::new("contract", &c.id.to_string(), e))?,
            version: c.version,
            created_at: to_db_time(c.created_at),
            updated_at: to_db_time(c.updated_at),
        })
    }

    pub fn into_domain(self) -> Result<Contract, CorruptRow> {
        let bad = bad("contract", &self.id);
        Ok(Contract {
            id: self
                .id
                .parse()
                .map_err(|e: uuid::Error| bad(e.to_string()))?,
            authority: AuthorityId::parse(&self.authority).map_err(|e| bad(e.to_string()))?,
            title: self.title.clone(),
            tender_id: self
                .tender_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: uuid::Error| bad(e.to_string()))?,
            bid_id: self
                .bid_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: uuid::Error| bad(e.to_string()))?,
            supplier: Supplier {
                name: self.supplier_name.clone(),
                identifier: self.supplier_identifier.clone(),
                sme: self.supplier_sme,
                vcse: self.supplier_vcse,
                locality: self.supplier_locality.clone(),
            },
            value: self
                .value
                .parse()
                .map_err(|e: rust_decimal::Error| bad(e.to_string()))?,
            currency: self.currency.clone(),
            start: self.start_date,
            end: self.end_date,
            status: ContractStatus::parse(&self.status).map_err(|e| bad(e.to_string()))?,
            status_changed_on: self.status_changed_on,
            mission_ids: serde_json::from_str(&self.mission_ids).map_err(|e| bad(e.to_string()))?,
            grace_days: u32::try_from(self.grace_days).map_err(|e| bad(e.to_string()))?,
            version: self.version,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

pub fn insert_contract(conn: &mut DbConnection, row: &ContractRow) -> QueryResult<()> {
    diesel::insert_into(contracts::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update_contract(conn: &mut DbConnection, row: &ContractRow) -> QueryResult<()> {
    diesel::update(
        contracts::table
            .filter(contracts::id.eq(&row.id))
            .filter(contracts::authority.eq(&row.authority)),
    )
    .set(row)
    .execute(conn)
    .map(|_| ())
}

pub fn find_contract(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: ContractId,
) -> QueryResult<Option<ContractRow>> {
    contracts::table
        .filter(contracts::authority.eq(authority.as_str()))
        .filter(contracts::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn contract_for_tender(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: &str,
) -> QueryResult<Option<ContractRow>> {
    contracts::table
        .filter(contracts::authority.eq(authority.as_str()))
        .filter(contracts::tender_id.eq(tender))
        .first(conn)
        .optional()
}

pub fn list_contracts(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    after: Option<ContractId>,
    limit: i64,
) -> QueryResult<Vec<ContractRow>> {
    let mut q = contracts::table
        .filter(contracts::authority.eq(authority.as_str()))
        .order(contracts::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(contracts::id.gt(after.to_string()));
    }
    q.load(conn)
}

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = terms, treat_none_as_null = true)]
pub struct TermRow {
    pub id: String,
    pub authority: String,
    pub contract_id: String,
    pub title: String,
    pub mission_id: Option<String>,
    pub source: Option<String>,
    pub spec: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub history: String,
}

impl TermRow {
    pub fn from_domain(t: &Term) -> Result<Self, CorruptRow> {
        Ok(Self {
            id: t.id.to_string(),
            authority: t.authority.to_string(),
            contract_id: t.contract_id.to_string(),
            title: t.title.clone(),
            mission_id: t.mission_id.map(|m| m.to_string()),
            source: t.source.clone(),
            spec: json(&t.spec)?,
            version: t.version,
            created_at: to_db_time(t.created_at),
            updated_at: to_db_time(t.updated_at),
            history: json(&t.history)?,
        })
    }

    pub fn into_domain(self) -> Result<Term, CorruptRow> {
        let bad = bad("term", &self.id);
        Ok(Term {
            id: self
                .id
                .parse()
                .map_err(|e: uuid::Error| bad(e.to_string()))?,
            authority: AuthorityId::parse(&self.authority).map_err(|e| bad(e.to_string()))?,
            contract_id: self
                .contract_id
                .parse()
                .map_err(|e: uuid::Error| bad(e.to_string()))?,
            title: self.title.clone(),
            mission_id: self
                .mission_id
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: uuid::Error| bad(e.to_string()))?,
            source: self.source.clone(),
            spec: serde_json::from_str(&self.spec).map_err(|e| bad(e.to_string()))?,
            version: self.version,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
            history: serde_json::from_str(&self.history).map_err(|e| bad(e.to_string()))?,
        })
    }
}

pub fn insert_term(conn: &mut DbConnection, row: &TermRow) -> QueryResult<()> {
    diesel::insert_into(terms::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update_term(conn: &mut DbConnection, row: &TermRow) -> QueryResult<()> {
    diesel::update(
        terms::table
            .filter(terms::id.eq(&row.id))
            .filter(terms::authority.eq(&row.authority)),
    )
    .set(row)
    .execute(conn)
    .map(|_| ())
}

pub fn terms_of(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
) -> QueryResult<Vec<TermRow>> {
    terms::table
        .filter(terms::authority.eq(authority.as_str()))
        .filter(terms::contract_id.eq(contract.to_string()))
        .order(terms::id.asc())
        .load(conn)
}

/// The terms of a contract among `ids` (term ids as sent; ones that are not the contract's are
/// simply not found).
pub fn terms_named(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
    ids: &BTreeSet<&str>,
) -> QueryResult<Vec<TermRow>> {
    terms::table
        .filter(terms::authority.eq(authority.as_str()))
        .filter(terms::contract_id.eq(contract.to_string()))
        .filter(terms::id.eq_any(ids.iter().copied()))
        .load(conn)
}

pub fn find_term(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
    id: TermId,
) -> QueryResult<Option<TermRow>> {
    terms::table
        .filter(terms::authority.eq(authority.as_str()))
        .filter(terms::contract_id.eq(contract.to_string()))
        .filter(terms::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Queryable, Insertable, serde::Serialize)]
#[diesel(table_name = observations, treat_none_as_default_value = false)]
pub struct ObservationRow {
    pub id: String,
    pub authority: String,
    pub contract_id: String,
    pub term_id: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub measures: String,
    pub dimensions: String,
    pub evidence: String,
    pub reported_by: String,
    pub reported_at: NaiveDateTime,
    pub supersedes: Option<String>,
    pub superseded_by: Option<String>,
    pub status: String,
    pub status_note: Option<String>,
    pub created_at: NaiveDateTime,
    pub version: i64,
}

impl ObservationRow {
    pub fn from_domain(authority: &AuthorityId, o: &Observation) -> Result<Self, CorruptRow> {
        Ok(Self {
            id: o.id.to_string(),
            authority: authority.to_string(),
            contract_id: o.contract_id.to_string(),
            term_id: o.term_id.to_string(),
            period_start: o.period.start,
            period_end: o.period.end,
            measures: json(&o.measures)?,
            dimensions: json(&o.dimensions)?,
            evidence: json(&o.evidence)?,
            reported_by: o.reported_by.clone(),
            reported_at: to_db_time(o.reported_at),
            supersedes: o.supersedes.map(|s| s.to_string()),
            superseded_by: o.superseded_by.map(|s| s.to_string()),
            status: o.status.as_str().to_string(),
            status_note: o.status_note.clone(),
            created_at: to_db_time(o.reported_at),
            version: o.version,
        })
    }

    pub fn into_domain(self) -> Result<Observation, CorruptRow> {
        let bad = bad("observation", &self.id);
        let id = |raw: &str| raw.parse().map_err(|e: uuid::Error| bad(e.to_string()));
        Ok(Observation {
            id: id(&self.id)?,
            contract_id: parse_id("observation", &self.contract_id)?,
            term_id: parse_id("observation", &self.term_id)?,
            period: Period {
                start: self.period_start,
                end: self.period_end,
            },
            measures: serde_json::from_str(&self.measures).map_err(|e| bad(e.to_string()))?,
            dimensions: serde_json::from_str(&self.dimensions).map_err(|e| bad(e.to_string()))?,
            evidence: serde_json::from_str(&self.evidence).map_err(|e| bad(e.to_string()))?,
            reported_by: self.reported_by.clone(),
            reported_at: from_db_time(self.reported_at),
            supersedes: self
                .supersedes
                .as_deref()
                .map(|s| parse_id("observation", s))
                .transpose()?,
            superseded_by: self
                .superseded_by
                .as_deref()
                .map(|s| parse_id("observation", s))
                .transpose()?,
            status: ObservationStatus::parse(&self.status).ok_or_else(|| bad("status".into()))?,
            status_note: self.status_note.clone(),
            version: self.version,
        })
    }
}

pub fn insert_observations(conn: &mut DbConnection, rows: &[ObservationRow]) -> QueryResult<()> {
    // diesel's MultiBackend has no batch insert: PostgreSQL takes the batch by COPY, and on
    // SQLite single-row inserts inside one transaction are as fast as it gets.
    match conn {
        DbConnection::Postgresql(pg) => {
            // COPY in PostgreSQL's binary format: one statement for the whole batch, no SQL
            // text to parse for thousands of rows.
            diesel::copy_from(observations::table)
                .from_insertable(rows)
                .execute(pg)?;
        }
        DbConnection::Sqlite(lite) => {
            for row in rows {
                diesel::insert_into(observations::table)
                    .values(row)
                    .execute(lite)?;
            }
        }
    }
    Ok(())
}

pub fn mark_superseded(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: &str,
    by: &str,
) -> QueryResult<usize> {
    diesel::update(
        observations::table
            .filter(observations::authority.eq(authority.as_str()))
            .filter(observations::id.eq(id)),
    )
    .set(observations::superseded_by.eq(by))
    .execute(conn)
}

pub fn set_observation_status(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: &str,
    status: ObservationStatus,
    note: &str,
) -> QueryResult<usize> {
    diesel::update(
        observations::table
            .filter(observations::authority.eq(authority.as_str()))
            .filter(observations::id.eq(id)),
    )
    .set((
        observations::status.eq(status.as_str()),
        observations::status_note.eq(note),
        observations::version.eq(observations::version + 1),
    ))
    .execute(conn)
}

/// A return of the authority by id, whatever its contract.
pub fn observation_by_id(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: &str,
) -> QueryResult<Option<ObservationRow>> {
    observations::table
        .filter(observations::authority.eq(authority.as_str()))
        .filter(observations::id.eq(id))
        .first(conn)
        .optional()
}

/// One return of a contract.
pub fn observation(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
    id: ObservationId,
) -> QueryResult<Option<ObservationRow>> {
    observations::table
        .filter(observations::authority.eq(authority.as_str()))
        .filter(observations::contract_id.eq(contract.to_string()))
        .filter(observations::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

/// Every return of a contract, oldest first.
pub fn observations_of(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
) -> QueryResult<Vec<ObservationRow>> {
    observations::table
        .filter(observations::authority.eq(authority.as_str()))
        .filter(observations::contract_id.eq(contract.to_string()))
        .order(observations::id.asc())
        .load(conn)
}

/// The current (not superseded) returns of `terms` (of one contract) for periods starting on
/// one of `starts`: (term id, period start, return id). By term and period, so the index on
/// them answers whatever the size of the contract's history.
pub fn current_returns(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    terms: &BTreeSet<&str>,
    starts: &BTreeSet<NaiveDate>,
) -> QueryResult<Vec<(String, NaiveDate, String)>> {
    observations::table
        .filter(observations::authority.eq(authority.as_str()))
        .filter(observations::term_id.eq_any(terms.iter().copied()))
        .filter(observations::period_start.eq_any(starts.iter().copied()))
        .filter(observations::superseded_by.is_null())
        .select((
            observations::term_id,
            observations::period_start,
            observations::id,
        ))
        .load(conn)
}

/// One page of a contract's returns in id (creation) order, optionally for one term.
pub fn observations_page(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
    term: Option<TermId>,
    after: Option<ObservationId>,
    limit: i64,
) -> QueryResult<Vec<ObservationRow>> {
    let mut query = observations::table
        .filter(observations::authority.eq(authority.as_str()))
        .filter(observations::contract_id.eq(contract.to_string()))
        .order(observations::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(term) = term {
        query = query.filter(observations::term_id.eq(term.to_string()));
    }
    if let Some(after) = after {
        query = query.filter(observations::id.gt(after.to_string()));
    }
    query.load(conn)
}

#[derive(Debug, Clone, Queryable, Insertable, serde::Serialize)]
#[diesel(table_name = consequences)]
pub struct ConsequenceRow {
    pub id: String,
    pub authority: String,
    pub contract_id: String,
    pub term_id: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kind: String,
    pub amount: Option<String>,
    pub detail: String,
    pub status: String,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub cleared_by: Option<String>,
}

impl ConsequenceRow {
    pub fn from_domain(authority: &AuthorityId, c: &ConsequenceRecord) -> Self {
        Self {
            id: c.id.to_string(),
            authority: authority.to_string(),
            contract_id: c.contract_id.to_string(),
            term_id: c.term_id.to_string(),
            period_start: c.period.start,
            period_end: c.period.end,
            kind: c.kind.clone(),
            amount: c.amount.map(|a| a.to_string()),
            detail: c.detail.clone(),
            status: c.status.as_str().to_string(),
            reason: c.reason.clone(),
            decided_by: c.decided_by.clone(),
            decided_at: c.decided_at.map(to_db_time),
            created_at: to_db_time(c.created_at),
            cleared_by: c.cleared_by.map(|id| id.to_string()),
        }
    }

    pub fn into_domain(self) -> Result<ConsequenceRecord, CorruptRow> {
        let bad = bad("consequence", &self.id);
        Ok(ConsequenceRecord {
            id: parse_id("consequence", &self.id)?,
            contract_id: parse_id("consequence", &self.contract_id)?,
            term_id: parse_id("consequence", &self.term_id)?,
            period: Period {
                start: self.period_start,
                end: self.period_end,
            },
            kind: self.kind.clone(),
            amount: self
                .amount
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e: rust_decimal::Error| bad(e.to_string()))?,
            detail: self.detail.clone(),
            status: ConsequenceStatus::parse(&self.status).ok_or_else(|| bad("status".into()))?,
            reason: self.reason.clone(),
            decided_by: self.decided_by.clone(),
            decided_at: self.decided_at.map(from_db_time),
            created_at: from_db_time(self.created_at),
            cleared_by: self
                .cleared_by
                .as_deref()
                .map(|id| parse_id("consequence", id))
                .transpose()?,
        })
    }
}

pub fn insert_consequence(conn: &mut DbConnection, row: &ConsequenceRow) -> QueryResult<()> {
    diesel::insert_into(consequences::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// A decision on a proposed consequence (or, with `cleared_by`, that a correction superseded it).
pub struct ConsequenceDecision<'a> {
    pub status: ConsequenceStatus,
    pub reason: &'a str,
    pub by: &'a str,
    pub at: NaiveDateTime,
    pub cleared_by: Option<&'a str>,
}

pub fn decide_consequence(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: &str,
    decision: &ConsequenceDecision<'_>,
) -> QueryResult<usize> {
    let ConsequenceDecision {
        status,
        reason,
        by,
        at,
        cleared_by,
    } = decision;
    diesel::update(
        consequences::table
            .filter(consequences::authority.eq(authority.as_str()))
            .filter(consequences::id.eq(id)),
    )
    .set((
        consequences::status.eq(status.as_str()),
        consequences::reason.eq(reason),
        consequences::decided_by.eq(by),
        consequences::decided_at.eq(at),
        consequences::cleared_by.eq(cleared_by),
    ))
    .execute(conn)
}

/// The proposed consequences of one term and period.
pub fn proposed_consequences(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    term: &str,
    period_start: NaiveDate,
) -> QueryResult<Vec<ConsequenceRow>> {
    consequences::table
        .filter(consequences::authority.eq(authority.as_str()))
        .filter(consequences::term_id.eq(term))
        .filter(consequences::period_start.eq(period_start))
        .filter(consequences::status.eq(ConsequenceStatus::Proposed.as_str()))
        .order(consequences::id.asc())
        .load(conn)
}

pub fn consequence(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: &str,
) -> QueryResult<Option<ConsequenceRow>> {
    consequences::table
        .filter(consequences::authority.eq(authority.as_str()))
        .filter(consequences::id.eq(id))
        .first(conn)
        .optional()
}

pub fn consequences_of(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
) -> QueryResult<Vec<ConsequenceRow>> {
    consequences::table
        .filter(consequences::authority.eq(authority.as_str()))
        .filter(consequences::contract_id.eq(contract.to_string()))
        .order(consequences::id.asc())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Insertable, serde::Serialize)]
#[diesel(table_name = performance_notices)]
pub struct NoticeRow {
    pub id: String,
    pub authority: String,
    pub contract_id: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub payload: String,
    pub justification: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_notice(conn: &mut DbConnection, row: &NoticeRow) -> QueryResult<()> {
    diesel::insert_into(performance_notices::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn notices_of(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: ContractId,
) -> QueryResult<Vec<NoticeRow>> {
    performance_notices::table
        .filter(performance_notices::authority.eq(authority.as_str()))
        .filter(performance_notices::contract_id.eq(contract.to_string()))
        .order(performance_notices::id.asc())
        .load(conn)
}
