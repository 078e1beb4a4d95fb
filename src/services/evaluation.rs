//! Scoring a tender, deciding with support, freezing the evaluation, and awarding.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, SecondsFormat};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::db::{self, DbConnection, tenders as q};
use crate::domain::audit::state_digest;
use crate::domain::authority::AuthorityId;
use crate::domain::calendar;
use crate::domain::ids::{AwardId, BidId, EvaluationId, TenderId};
use crate::domain::mission::MissionStatus;
use crate::domain::scoring::{
    self, ENGINE_VERSION, EvaluationResult, FlagKind, LintContext, LintFinding, SensitivityOptions,
    SensitivityReport,
};
use crate::domain::tender::{
    Bid, EvaluationInput, ScoringMethod, Tender, TenderAction, TenderStatus, engine_input,
};
use crate::domain::validation::FieldError;
use crate::error::{AppError, ErrorCode};

use super::tenders as tender_service;
use super::{Actor, write_tx};

/// Procurement Act 2023 s.51: the standstill period is at least 8 working days.
pub const MIN_STANDSTILL_WORKING_DAYS: u32 = 8;

/// The tender with everything the engine needs, read in one snapshot.
fn load(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
) -> Result<(Tender, Vec<Bid>, EvaluationInput), AppError> {
    let tender = tender_service::get(conn, authority, tender_id)?;
    if tender.model.criteria.is_empty() {
        return Err(AppError::client(
            ErrorCode::Conflict,
            "the tender has no evaluation model yet",
        ));
    }
    let bids = tender_service::list_bids(conn, authority, tender_id, None, None)?;
    let (scores, moderated) = tender_service::all_scores(conn, authority, tender_id)?;
    let input = engine_input(&tender, &bids, &scores, &moderated);
    Ok((tender, bids, input))
}

pub fn live(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
) -> Result<EvaluationResult, AppError> {
    let (_, _, input) = load(conn, authority, tender_id)?;
    Ok(scoring::evaluate(&input))
}

pub fn what_if(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    weights: &BTreeMap<String, Decimal>,
    excluded_bids: &BTreeSet<String>,
) -> Result<EvaluationResult, AppError> {
    let (_, _, input) = load(conn, authority, tender_id)?;
    scoring::what_if(&input, weights, excluded_bids).map_err(|e| {
        let field = match e {
            scoring::WhatIfError::UnknownBid(_) => "excluded_bids",
            _ => "weights",
        };
        AppError::with_field(
            ErrorCode::ValidationFailed,
            "the what-if is not valid",
            FieldError::new(field, e.to_string()),
        )
    })
}

pub fn sensitivity(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    options: &SensitivityOptions,
) -> Result<SensitivityReport, AppError> {
    let (_, _, input) = load(conn, authority, tender_id)?;
    Ok(scoring::sensitivity(&input, options))
}

pub fn lint(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    defaults: &super::settings::AuthoritySettings,
) -> Result<Vec<LintFinding>, AppError> {
    let tender = tender_service::get(conn, authority, tender_id)?;
    let policy = super::settings::get(conn, authority, defaults)?;
    let mut known_missions = BTreeSet::new();
    let mut after = None;
    loop {
        let page = super::missions::list(conn, authority, after, None, 500)?;
        known_missions.extend(
            page.iter()
                .filter(|m| m.status != MissionStatus::Retired)
                .map(|m| m.id),
        );
        match page.last() {
            Some(last) if page.len() == 500 => after = Some(last.id),
            _ => break,
        }
    }
    let ctx = LintContext {
        award_method: tender.details.award_method,
        estimated_value: tender.details.estimated_value,
        social_value_floor_percent: policy.social_value_floor_percent,
        conditionality_required_above: policy.conditionality_required_above,
        known_missions,
    };
    Ok(scoring::lint(&tender.model, &ctx))
}

/// A frozen evaluation as stored.
#[derive(Debug, Clone)]
pub struct FrozenEvaluation {
    pub id: EvaluationId,
    pub tender_id: TenderId,
    pub engine_version: String,
    pub input: EvaluationInput,
    pub result: EvaluationResult,
    pub content_hash: String,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The hash of a frozen evaluation: SHA-256 over the canonical JSON of its identity
/// (authority, tender, evaluation id, when it was frozen), the engine version, its input and
/// its result — so a changed figure shows, and so does a row copied from another evaluation.
fn content_hash(row: &q::EvaluationRow, input: &Value, result: &Value) -> String {
    let frozen_at = db::from_db_time(row.created_at).to_rfc3339_opts(SecondsFormat::Micros, true);
    state_digest(&(
        &row.authority,
        &row.tender_id,
        &row.id,
        &row.engine_version,
        input,
        result,
        frozen_at,
    ))
}

fn frozen_from_row(row: q::EvaluationRow) -> Result<FrozenEvaluation, AppError> {
    let corrupt = |e: String| AppError::from(db::CorruptRow::new("evaluation", &row.id, e));
    Ok(FrozenEvaluation {
        id: row
            .id
            .parse()
            .map_err(|e: uuid::Error| corrupt(e.to_string()))?,
        tender_id: row
            .tender_id
            .parse()
            .map_err(|e: uuid::Error| corrupt(e.to_string()))?,
        input: serde_json::from_str(&row.input).map_err(|e| corrupt(e.to_string()))?,
        result: serde_json::from_str(&row.result).map_err(|e| corrupt(e.to_string()))?,
        engine_version: row.engine_version,
        content_hash: row.content_hash,
        created_by: row.created_by,
        created_at: db::from_db_time(row.created_at),
    })
}

/// Stores the complete inputs and results of the current evaluation.
pub fn freeze(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
) -> Result<FrozenEvaluation, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let (tender, _, input) = load(conn, &actor.principal.authority, tender_id)?;
        if !matches!(tender.status, TenderStatus::Evaluation) {
            return Err(AppError::client(
                ErrorCode::Conflict,
                format!(
                    "an evaluation is frozen while the tender is in evaluation; it is {}",
                    tender.status.as_str()
                ),
            ));
        }
        let result = scoring::evaluate(&input);
        let input_json = serde_json::to_value(&input).map_err(AppError::internal)?;
        let result_json = serde_json::to_value(&result).map_err(AppError::internal)?;
        let mut row = q::EvaluationRow {
            id: EvaluationId::new().to_string(),
            authority: actor.principal.authority.to_string(),
            tender_id: tender_id.to_string(),
            engine_version: ENGINE_VERSION.to_string(),
            content_hash: String::new(),
            input: input_json.to_string(),
            result: result_json.to_string(),
            created_by: actor.principal.subject.clone(),
            created_at: db::to_db_time(audit.now()),
        };
        row.content_hash = content_hash(&row, &input_json, &result_json);
        q::insert_evaluation(conn, &row)?;
        audit.record("evaluation.frozen", &row, None);
        frozen_from_row(row)
    })
}

pub fn get_frozen(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    id: EvaluationId,
) -> Result<FrozenEvaluation, AppError> {
    tender_service::get(conn, authority, tender_id)?;
    frozen_from_row(
        q::find_evaluation(conn, authority, tender_id, id)?
            .ok_or_else(|| AppError::not_found("evaluation"))?,
    )
}

pub fn list_frozen(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
) -> Result<Vec<FrozenEvaluation>, AppError> {
    tender_service::get(conn, authority, tender_id)?;
    q::list_evaluations(conn, authority, tender_id)?
        .into_iter()
        .map(frozen_from_row)
        .collect()
}

/// The first figure where two JSON documents differ, as a path like `bids[2].total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub path: String,
    pub stored: Value,
    pub recomputed: Value,
}

fn first_difference(path: &str, stored: &Value, recomputed: &Value) -> Option<Difference> {
    match (stored, recomputed) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|k| {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                first_difference(
                    &at,
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                )
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(&format!("{path}[{i}]"), x, y)),
        _ if stored == recomputed => None,
        _ => Some(Difference {
            path: path.to_string(),
            stored: stored.clone(),
            recomputed: recomputed.clone(),
        }),
    }
}

#[derive(Debug, Clone)]
pub struct Reperformance {
    pub evaluation: FrozenEvaluation,
    /// The stored hash still matches the stored input and result.
    pub hash_valid: bool,
    /// Re-running the engine on the stored input gives the stored result.
    pub result_matches: bool,
    pub first_difference: Option<Difference>,
}

/// Re-performs a frozen evaluation from its stored inputs and compares, figure by figure.
pub fn reperform(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    id: EvaluationId,
) -> Result<Reperformance, AppError> {
    tender_service::get(conn, authority, tender_id)?;
    let row = q::find_evaluation(conn, authority, tender_id, id)?
        .ok_or_else(|| AppError::not_found("evaluation"))?;
    let stored_input: Value = serde_json::from_str(&row.input).map_err(AppError::internal)?;
    let stored_result: Value = serde_json::from_str(&row.result).map_err(AppError::internal)?;
    let hash_valid = content_hash(&row, &stored_input, &stored_result) == row.content_hash;
    let evaluation = frozen_from_row(row)?;
    let recomputed =
        serde_json::to_value(scoring::evaluate(&evaluation.input)).map_err(AppError::internal)?;
    let difference = first_difference("", &stored_result, &recomputed);
    Ok(Reperformance {
        evaluation,
        hash_valid,
        result_matches: difference.is_none(),
        first_difference: difference,
    })
}

/// The award decision as an officer makes it.
pub struct AwardDecision {
    pub evaluation_id: EvaluationId,
    pub bid_id: BidId,
    pub justification: Option<String>,
    pub standstill_working_days: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Award {
    pub id: AwardId,
    pub tender_id: TenderId,
    pub evaluation_id: EvaluationId,
    pub bid_id: BidId,
    pub rank: Option<u32>,
    pub justification: Option<String>,
    pub standstill_ends: NaiveDate,
    pub decided_by: String,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}

fn rule(detail: impl Into<String>, field: &str, message: &str) -> AppError {
    AppError::with_field(
        ErrorCode::ValidationFailed,
        detail,
        FieldError::new(field, message),
    )
}

/// Awards the tender on a frozen evaluation that is still current. A justification is needed
/// when the chosen bid is not ranked first or carries a flag; an abnormally low bid needs the
/// supplier's explanation on record (Procurement Act 2023 s.34).
pub fn award(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
    decision: AwardDecision,
) -> Result<Award, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let (mut tender, _, current_input) = load(conn, authority, tender_id)?;
        tender.status.after(TenderAction::Award)?;
        let frozen = get_frozen(conn, authority, tender_id, decision.evaluation_id)?;
        if frozen.input != current_input {
            return Err(AppError::client(
                ErrorCode::Conflict,
                "bids or scores changed after this evaluation was frozen: freeze a new evaluation and award on it",
            ));
        }
        // Only scale criteria are scored by people; a quantity a bid did not commit simply
        // scores 0 and needs no moderation.
        let scales: BTreeSet<&str> = frozen
            .input
            .model
            .criteria
            .iter()
            .filter(|c| matches!(c.method, ScoringMethod::Scale { .. }))
            .map(|c| c.code.as_str())
            .collect();
        let unmoderated: Vec<String> = frozen
            .result
            .bids
            .iter()
            .filter(|b| !b.excluded)
            .flat_map(|b| b.flags.iter())
            .filter(|f| matches!(f.kind, FlagKind::Unmoderated | FlagKind::Unscored))
            .filter_map(|f| f.criterion.clone())
            .filter(|code| scales.contains(code.as_str()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !unmoderated.is_empty() {
            return Err(AppError::client(
                ErrorCode::Conflict,
                format!(
                    "every scale criterion needs a moderated score before award; missing on: {}",
                    unmoderated.join(", ")
                ),
            ));
        }
        let chosen_id = decision.bid_id.to_string();
        let chosen = frozen
            .result
            .bids
            .iter()
            .find(|b| b.bid_id == chosen_id)
            .ok_or_else(|| {
                rule(
                    "the bid is not part of this evaluation",
                    "bid_id",
                    "no such bid in the evaluation",
                )
            })?;
        if chosen.excluded {
            return Err(rule(
                "an excluded bid cannot be awarded",
                "bid_id",
                "this bid is excluded",
            ));
        }
        let needs_reason = chosen.rank != Some(1) || !chosen.flags.is_empty();
        if needs_reason && decision.justification.is_none() {
            return Err(rule(
                "a justification is required: the chosen bid is not ranked first or carries a flag",
                "justification",
                "is required for this bid",
            ));
        }
        let abnormally_low = chosen
            .flags
            .iter()
            .any(|f| f.kind == FlagKind::AbnormallyLow);
        // The explanation must be in the frozen record the award rests on; one recorded after
        // freezing made the evaluation stale above.
        let explained = frozen
            .input
            .bids
            .iter()
            .find(|b| b.bid_id == chosen_id)
            .is_some_and(|b| b.abnormally_low_explanation.is_some());
        if abnormally_low && !explained {
            return Err(rule(
                "the bid is abnormally low: record the supplier's explanation on the bid, then freeze a new evaluation (Procurement Act 2023 s.34)",
                "bid_id",
                "abnormally low without the supplier's explanation on record",
            ));
        }
        let now = audit.now();
        let award = Award {
            id: AwardId::new(),
            tender_id,
            evaluation_id: frozen.id,
            bid_id: decision.bid_id,
            rank: chosen.rank,
            justification: decision.justification,
            standstill_ends: calendar::add_working_days(
                now.date_naive(),
                decision.standstill_working_days,
            ),
            decided_by: actor.principal.subject.clone(),
            decided_at: now,
        };
        let row = q::AwardRow {
            id: award.id.to_string(),
            authority: authority.to_string(),
            tender_id: tender_id.to_string(),
            evaluation_id: award.evaluation_id.to_string(),
            bid_id: award.bid_id.to_string(),
            justification: award.justification.clone(),
            standstill_ends: award.standstill_ends,
            decided_by: award.decided_by.clone(),
            created_at: db::to_db_time(now),
        };
        q::insert_award(conn, &row)?;
        audit.record("award.made", &row, award.justification.as_deref());
        tender.status = TenderStatus::Awarded;
        tender.version += 1;
        tender.updated_at = now;
        tender_service::save(conn, audit, "tender.awarded", &tender, None)?;
        Ok(award)
    })
}

pub fn get_award(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
) -> Result<Award, AppError> {
    tender_service::get(conn, authority, tender_id)?;
    let row =
        q::find_award(conn, authority, tender_id)?.ok_or_else(|| AppError::not_found("award"))?;
    let corrupt = |e: String| AppError::from(db::CorruptRow::new("award", &row.id, e));
    let evaluation_id: EvaluationId = row
        .evaluation_id
        .parse()
        .map_err(|e: uuid::Error| corrupt(e.to_string()))?;
    let frozen = get_frozen(conn, authority, tender_id, evaluation_id)?;
    let rank = frozen
        .result
        .bids
        .iter()
        .find(|b| b.bid_id == row.bid_id)
        .and_then(|b| b.rank);
    Ok(Award {
        id: row
            .id
            .parse()
            .map_err(|e: uuid::Error| corrupt(e.to_string()))?,
        tender_id,
        evaluation_id,
        bid_id: row
            .bid_id
            .parse()
            .map_err(|e: uuid::Error| corrupt(e.to_string()))?,
        rank,
        justification: row.justification,
        standstill_ends: row.standstill_ends,
        decided_by: row.decided_by,
        decided_at: db::from_db_time(row.created_at),
    })
}

/// What an assessment summary needs: the award, its frozen evaluation, the tender and the
/// rationales recorded with the scores.
pub struct AwardRecord {
    pub tender: Tender,
    pub award: Award,
    pub evaluation: FrozenEvaluation,
    /// Rationale per (bid id, criterion code): the moderated one, else the evaluators' joined.
    pub rationales: BTreeMap<(String, String), String>,
}

pub fn award_record(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
) -> Result<AwardRecord, AppError> {
    let tender = tender_service::get(conn, authority, tender_id)?;
    let award = get_award(conn, authority, tender_id).map_err(|e| match e.code() {
        ErrorCode::NotFound => AppError::client(
            ErrorCode::Conflict,
            "assessment summaries follow the award: the tender has not been awarded",
        ),
        _ => e,
    })?;
    let evaluation = get_frozen(conn, authority, tender_id, award.evaluation_id)?;
    let (scores, moderated) = tender_service::all_scores(conn, authority, tender_id)?;
    let mut rationales: BTreeMap<(String, String), String> = BTreeMap::new();
    for s in scores {
        let entry = rationales
            .entry((s.bid_id.to_string(), s.criterion_code))
            .or_default();
        if !entry.is_empty() {
            entry.push_str(" / ");
        }
        entry.push_str(&s.rationale);
    }
    for m in moderated {
        rationales.insert((m.bid_id.to_string(), m.criterion_code), m.rationale);
    }
    Ok(AwardRecord {
        tender,
        award,
        evaluation,
        rationales,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let stored = json!({"bids": [{"total": "80"}, {"total": "70", "rank": 2}]});
        let recomputed = json!({"bids": [{"total": "80"}, {"total": "71", "rank": 2}]});
        let d = first_difference("", &stored, &recomputed).unwrap();
        assert_eq!(d.path, "bids[1].total");
        assert_eq!((d.stored, d.recomputed), (json!("70"), json!("71")));
        assert_eq!(first_difference("", &stored, &stored), None);
    }
}
