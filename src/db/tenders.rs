//! Tender, bid, score, evaluation and award rows and queries. Every query takes the authority.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::schema::{awards, bids, evaluations, evaluator_scores, moderated_scores, tenders};
use super::{CorruptRow, DbConnection, from_db_time, to_db_time};
use crate::domain::authority::AuthorityId;
use crate::domain::ids::{BidId, EvaluationId, TenderId};
use crate::domain::tender::{
    AwardMethod, Bid, BidStatus, EvaluatorScore, ModeratedScore, Supplier, Tender, TenderDetails,
    TenderStatus,
};

fn json<T: serde::Serialize>(value: &T) -> Result<String, CorruptRow> {
    serde_json::to_string(value).map_err(|e| CorruptRow::new("value", "", e))
}

fn parse_json<T: serde::de::DeserializeOwned>(
    entity: &'static str,
    id: &str,
    raw: &str,
) -> Result<T, CorruptRow> {
    serde_json::from_str(raw).map_err(|e| CorruptRow::new(entity, id, e))
}

fn decimal(entity: &'static str, id: &str, raw: &str) -> Result<Decimal, CorruptRow> {
    raw.parse()
        .map_err(|e| CorruptRow::new(entity, id, format!("decimal `{raw}`: {e}")))
}

fn parsed<T, E: std::fmt::Display>(
    entity: &'static str,
    id: &str,
    r: Result<T, E>,
) -> Result<T, CorruptRow> {
    r.map_err(|e| CorruptRow::new(entity, id, e))
}

// ---------------------------------------------------------------- tenders

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = tenders)]
pub struct TenderRow {
    pub id: String,
    pub authority: String,
    pub title: String,
    pub description: String,
    pub estimated_value: Option<String>,
    pub currency: String,
    pub award_method: String,
    pub tie_break: String,
    pub abnormally_low_percent: String,
    pub spread_threshold: String,
    pub mission_ids: String,
    pub status: String,
    pub evaluation_model: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TenderRow {
    pub fn from_domain(t: &Tender) -> Result<Self, CorruptRow> {
        let d = &t.details;
        Ok(Self {
            id: t.id.to_string(),
            authority: t.authority.to_string(),
            title: d.title.clone(),
            description: d.description.clone(),
            estimated_value: d.estimated_value.map(|v| v.to_string()),
            currency: d.currency.clone(),
            award_method: d.award_method.as_str().to_string(),
            tie_break: json(&d.tie_break)?,
            abnormally_low_percent: d.abnormally_low_percent.to_string(),
            spread_threshold: d.spread_threshold.to_string(),
            mission_ids: json(&d.mission_ids)?,
            status: t.status.as_str().to_string(),
            evaluation_model: json(&t.model)?,
            version: t.version,
            created_at: to_db_time(t.created_at),
            updated_at: to_db_time(t.updated_at),
        })
    }

    pub fn into_domain(self) -> Result<Tender, CorruptRow> {
        const E: &str = "tender";
        let id = &self.id;
        Ok(Tender {
            id: parsed(E, id, id.parse::<TenderId>())?,
            authority: parsed(E, id, AuthorityId::parse(&self.authority))?,
            details: TenderDetails {
                title: self.title.clone(),
                description: self.description.clone(),
                estimated_value: self
                    .estimated_value
                    .as_deref()
                    .map(|v| decimal(E, id, v))
                    .transpose()?,
                currency: self.currency.clone(),
                award_method: AwardMethod::parse(&self.award_method)
                    .ok_or_else(|| CorruptRow::new(E, id, "award_method"))?,
                tie_break: parse_json(E, id, &self.tie_break)?,
                abnormally_low_percent: decimal(E, id, &self.abnormally_low_percent)?,
                spread_threshold: decimal(E, id, &self.spread_threshold)?,
                mission_ids: parse_json(E, id, &self.mission_ids)?,
            },
            status: TenderStatus::parse(&self.status)
                .ok_or_else(|| CorruptRow::new(E, id, "status"))?,
            model: parse_json(E, id, &self.evaluation_model)?,
            version: self.version,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

pub fn insert_tender(conn: &mut DbConnection, row: &TenderRow) -> QueryResult<()> {
    diesel::insert_into(tenders::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update_tender(conn: &mut DbConnection, row: &TenderRow) -> QueryResult<()> {
    diesel::update(
        tenders::table
            .filter(tenders::id.eq(&row.id))
            .filter(tenders::authority.eq(&row.authority)),
    )
    .set(row)
    .execute(conn)
    .map(|_| ())
}

/// Whether the authority has a tender of this title.
pub fn titled(conn: &mut DbConnection, authority: &AuthorityId, title: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        tenders::table
            .filter(tenders::authority.eq(authority.as_str()))
            .filter(tenders::title.eq(title)),
    ))
    .get_result(conn)
}

pub fn find_tender(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: TenderId,
) -> QueryResult<Option<TenderRow>> {
    tenders::table
        .filter(tenders::authority.eq(authority.as_str()))
        .filter(tenders::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn list_tenders(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    after: Option<TenderId>,
    status: Option<TenderStatus>,
    limit: i64,
) -> QueryResult<Vec<TenderRow>> {
    let mut q = tenders::table
        .filter(tenders::authority.eq(authority.as_str()))
        .order(tenders::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(tenders::id.gt(after.to_string()));
    }
    if let Some(status) = status {
        q = q.filter(tenders::status.eq(status.as_str()));
    }
    q.load(conn)
}

// ---------------------------------------------------------------- bids

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = bids, treat_none_as_null = true)]
pub struct BidRow {
    pub id: String,
    pub authority: String,
    pub tender_id: String,
    pub supplier_name: String,
    pub supplier_identifier: String,
    pub supplier_sme: bool,
    pub supplier_vcse: bool,
    pub supplier_locality: Option<String>,
    pub price: String,
    pub submitted_at: NaiveDateTime,
    pub status: String,
    pub status_reason: Option<String>,
    pub responses: String,
    pub abnormally_low_explanation: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl BidRow {
    pub fn from_domain(b: &Bid) -> Result<Self, CorruptRow> {
        Ok(Self {
            id: b.id.to_string(),
            authority: b.authority.to_string(),
            tender_id: b.tender_id.to_string(),
            supplier_name: b.supplier.name.clone(),
            supplier_identifier: b.supplier.identifier.clone(),
            supplier_sme: b.supplier.sme,
            supplier_vcse: b.supplier.vcse,
            supplier_locality: b.supplier.locality.clone(),
            price: b.price.to_string(),
            submitted_at: to_db_time(b.submitted_at),
            status: b.status.as_str().to_string(),
            status_reason: b.status_reason.clone(),
            responses: json(&b.responses)?,
            abnormally_low_explanation: b.abnormally_low_explanation.clone(),
            version: b.version,
            created_at: to_db_time(b.created_at),
            updated_at: to_db_time(b.updated_at),
        })
    }

    pub fn into_domain(self) -> Result<Bid, CorruptRow> {
        const E: &str = "bid";
        let id = &self.id;
        Ok(Bid {
            id: parsed(E, id, id.parse::<BidId>())?,
            authority: parsed(E, id, AuthorityId::parse(&self.authority))?,
            tender_id: parsed(E, id, self.tender_id.parse::<TenderId>())?,
            supplier: Supplier {
                name: self.supplier_name.clone(),
                identifier: self.supplier_identifier.clone(),
                sme: self.supplier_sme,
                vcse: self.supplier_vcse,
                locality: self.supplier_locality.clone(),
            },
            price: decimal(E, id, &self.price)?,
            submitted_at: from_db_time(self.submitted_at),
            status: BidStatus::parse(&self.status)
                .ok_or_else(|| CorruptRow::new(E, id, "status"))?,
            status_reason: self.status_reason.clone(),
            responses: parse_json(E, id, &self.responses)?,
            abnormally_low_explanation: self.abnormally_low_explanation.clone(),
            version: self.version,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

pub fn insert_bid(conn: &mut DbConnection, row: &BidRow) -> QueryResult<()> {
    diesel::insert_into(bids::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update_bid(conn: &mut DbConnection, row: &BidRow) -> QueryResult<()> {
    diesel::update(
        bids::table
            .filter(bids::id.eq(&row.id))
            .filter(bids::authority.eq(&row.authority)),
    )
    .set(row)
    .execute(conn)
    .map(|_| ())
}

pub fn find_bid(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
    id: BidId,
) -> QueryResult<Option<BidRow>> {
    bids::table
        .filter(bids::authority.eq(authority.as_str()))
        .filter(bids::tender_id.eq(tender.to_string()))
        .filter(bids::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

/// Bids of a tender in submission (id) order; `limit` None for all of them.
pub fn list_bids(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
    after: Option<BidId>,
    limit: Option<i64>,
) -> QueryResult<Vec<BidRow>> {
    let mut q = bids::table
        .filter(bids::authority.eq(authority.as_str()))
        .filter(bids::tender_id.eq(tender.to_string()))
        .order(bids::id.asc())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(bids::id.gt(after.to_string()));
    }
    if let Some(limit) = limit {
        q = q.limit(limit);
    }
    q.load(conn)
}

// ---------------------------------------------------------------- scores

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = evaluator_scores)]
pub struct EvaluatorScoreRow {
    pub authority: String,
    pub tender_id: String,
    pub bid_id: String,
    pub criterion_code: String,
    pub evaluator: String,
    pub score: String,
    pub rationale: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = moderated_scores)]
pub struct ModeratedScoreRow {
    pub authority: String,
    pub tender_id: String,
    pub bid_id: String,
    pub criterion_code: String,
    pub moderator: String,
    pub score: String,
    pub rationale: String,
    pub updated_at: NaiveDateTime,
}

impl EvaluatorScoreRow {
    pub fn new(authority: &AuthorityId, tender: TenderId, s: &EvaluatorScore) -> Self {
        Self {
            authority: authority.to_string(),
            tender_id: tender.to_string(),
            bid_id: s.bid_id.to_string(),
            criterion_code: s.criterion_code.clone(),
            evaluator: s.evaluator.clone(),
            score: s.score.to_string(),
            rationale: s.rationale.clone(),
            updated_at: to_db_time(s.updated_at),
        }
    }

    pub fn into_domain(self) -> Result<EvaluatorScore, CorruptRow> {
        const E: &str = "evaluator score";
        Ok(EvaluatorScore {
            bid_id: parsed(E, &self.bid_id, self.bid_id.parse::<BidId>())?,
            score: decimal(E, &self.bid_id, &self.score)?,
            criterion_code: self.criterion_code,
            evaluator: self.evaluator,
            rationale: self.rationale,
            updated_at: from_db_time(self.updated_at),
        })
    }
}

impl ModeratedScoreRow {
    pub fn new(authority: &AuthorityId, tender: TenderId, s: &ModeratedScore) -> Self {
        Self {
            authority: authority.to_string(),
            tender_id: tender.to_string(),
            bid_id: s.bid_id.to_string(),
            criterion_code: s.criterion_code.clone(),
            moderator: s.moderator.clone(),
            score: s.score.to_string(),
            rationale: s.rationale.clone(),
            updated_at: to_db_time(s.updated_at),
        }
    }

    pub fn into_domain(self) -> Result<ModeratedScore, CorruptRow> {
        const E: &str = "moderated score";
        Ok(ModeratedScore {
            bid_id: parsed(E, &self.bid_id, self.bid_id.parse::<BidId>())?,
            score: decimal(E, &self.bid_id, &self.score)?,
            criterion_code: self.criterion_code,
            moderator: self.moderator,
            rationale: self.rationale,
            updated_at: from_db_time(self.updated_at),
        })
    }
}

/// Inserts or replaces an evaluator's score (no portable upsert: delete then insert, inside the
/// caller's transaction).
pub fn put_evaluator_score(conn: &mut DbConnection, row: &EvaluatorScoreRow) -> QueryResult<()> {
    diesel::delete(
        evaluator_scores::table
            .filter(evaluator_scores::bid_id.eq(&row.bid_id))
            .filter(evaluator_scores::criterion_code.eq(&row.criterion_code))
            .filter(evaluator_scores::evaluator.eq(&row.evaluator)),
    )
    .execute(conn)?;
    diesel::insert_into(evaluator_scores::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn put_moderated_score(conn: &mut DbConnection, row: &ModeratedScoreRow) -> QueryResult<()> {
    diesel::delete(
        moderated_scores::table
            .filter(moderated_scores::bid_id.eq(&row.bid_id))
            .filter(moderated_scores::criterion_code.eq(&row.criterion_code)),
    )
    .execute(conn)?;
    diesel::insert_into(moderated_scores::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn evaluator_scores_of(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
) -> QueryResult<Vec<EvaluatorScoreRow>> {
    evaluator_scores::table
        .filter(evaluator_scores::authority.eq(authority.as_str()))
        .filter(evaluator_scores::tender_id.eq(tender.to_string()))
        .order((
            evaluator_scores::bid_id,
            evaluator_scores::criterion_code,
            evaluator_scores::evaluator,
        ))
        .load(conn)
}

pub fn moderated_scores_of(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
) -> QueryResult<Vec<ModeratedScoreRow>> {
    moderated_scores::table
        .filter(moderated_scores::authority.eq(authority.as_str()))
        .filter(moderated_scores::tender_id.eq(tender.to_string()))
        .order((moderated_scores::bid_id, moderated_scores::criterion_code))
        .load(conn)
}

// ---------------------------------------------------------------- evaluations and awards

#[derive(Debug, Clone, Queryable, Insertable, serde::Serialize)]
#[diesel(table_name = evaluations)]
pub struct EvaluationRow {
    pub id: String,
    pub authority: String,
    pub tender_id: String,
    pub engine_version: String,
    pub input: String,
    pub result: String,
    pub content_hash: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_evaluation(conn: &mut DbConnection, row: &EvaluationRow) -> QueryResult<()> {
    diesel::insert_into(evaluations::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_evaluation(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
    id: EvaluationId,
) -> QueryResult<Option<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::authority.eq(authority.as_str()))
        .filter(evaluations::tender_id.eq(tender.to_string()))
        .filter(evaluations::id.eq(id.to_string()))
        .first(conn)
        .optional()
}

pub fn list_evaluations(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
) -> QueryResult<Vec<EvaluationRow>> {
    evaluations::table
        .filter(evaluations::authority.eq(authority.as_str()))
        .filter(evaluations::tender_id.eq(tender.to_string()))
        .order(evaluations::id.asc())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Insertable, serde::Serialize)]
#[diesel(table_name = awards)]
pub struct AwardRow {
    pub id: String,
    pub authority: String,
    pub tender_id: String,
    pub evaluation_id: String,
    pub bid_id: String,
    pub justification: Option<String>,
    pub standstill_ends: NaiveDate,
    pub decided_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_award(conn: &mut DbConnection, row: &AwardRow) -> QueryResult<()> {
    diesel::insert_into(awards::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_award(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender: TenderId,
) -> QueryResult<Option<AwardRow>> {
    awards::table
        .filter(awards::authority.eq(authority.as_str()))
        .filter(awards::tender_id.eq(tender.to_string()))
        .first(conn)
        .optional()
}
