//! Tender workflows: lifecycle, evaluation model, bids, evaluators' and moderated scores.

use std::collections::BTreeSet;

use crate::db::{DbConnection, tenders as q};
use crate::domain::authority::AuthorityId;
use crate::domain::ids::{BidId, TenderId};
use crate::domain::tender::parse::{self, CriterionResponse};
use crate::domain::tender::{
    Bid, BidStatus, EvaluationModel, EvaluatorScore, ModeratedScore, ScoringMethod, Supplier,
    Tender, TenderAction, TenderChanges, TenderDetails, TenderStatus,
};
use crate::domain::validation::{FieldError, ValidationErrors};
use crate::error::{AppError, ErrorCode};

use super::{Actor, AuditTrail, Precondition, write_tx};

pub const TENDER: &str = "tender";
pub const BID: &str = "bid";

fn conflict(detail: impl Into<String>) -> AppError {
    AppError::client(ErrorCode::Conflict, detail)
}

pub fn get(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: TenderId,
) -> Result<Tender, AppError> {
    Ok(q::find_tender(conn, authority, id)?
        .ok_or_else(|| AppError::not_found("tender"))?
        .into_domain()?)
}

pub fn list(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    after: Option<TenderId>,
    status: Option<TenderStatus>,
    limit: i64,
) -> Result<Vec<Tender>, AppError> {
    q::list_tenders(conn, authority, after, status, limit)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

/// Stores the tender's new state and records `action` about it.
pub fn save(
    conn: &mut DbConnection,
    audit: &mut AuditTrail<'_>,
    action: &str,
    tender: &Tender,
    note: Option<&str>,
) -> Result<(), AppError> {
    let row = q::TenderRow::from_domain(tender)?;
    q::update_tender(conn, &row)?;
    audit.record(action, &row, note);
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    details: TenderDetails,
) -> Result<Tender, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let links: Vec<_> = details
            .mission_ids
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("mission_ids[{i}]"), *m))
            .collect();
        super::missions::check_own(conn, authority, &links)?;
        let now = audit.now();
        let tender = Tender {
            id: TenderId::new(),
            authority: authority.clone(),
            details,
            status: TenderStatus::Draft,
            model: EvaluationModel::default(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let row = q::TenderRow::from_domain(&tender)?;
        q::insert_tender(conn, &row)?;
        audit.record("tender.created", &row, None);
        Ok(tender)
    })
}

/// Changes to a tender's own fields. The rules of evaluation (award method, tie-break order,
/// thresholds) are fixed once bids may arrive: they must be known to bidders in advance
/// (Procurement Act 2023 s.21, tender notice and associated documents).
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: TenderId,
    precondition: &Precondition,
    changes: TenderChanges,
) -> Result<Tender, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let mut tender = get(conn, authority, id)?;
        precondition.check(TENDER, tender.version)?;
        let details = changes.applied_to(&tender.details);
        if !matches!(tender.status, TenderStatus::Draft | TenderStatus::Open) {
            return Err(conflict(format!(
                "a tender that is {} can no longer be edited",
                tender.status.as_str()
            )));
        }
        let old = &tender.details;
        let rules_changed = old.award_method != details.award_method
            || old.tie_break != details.tie_break
            || old.abnormally_low_percent != details.abnormally_low_percent
            || old.spread_threshold != details.spread_threshold;
        if rules_changed && tender.status != TenderStatus::Draft {
            return Err(conflict(
                "the award method, tie-break order and thresholds are fixed once the tender is open",
            ));
        }
        let links: Vec<_> = details
            .mission_ids
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("mission_ids[{i}]"), *m))
            .collect();
        super::missions::check_own(conn, authority, &links)?;
        if tender.details != details {
            tender.details = details;
            tender.version += 1;
            tender.updated_at = audit.now();
            save(conn, audit, "tender.updated", &tender, None)?;
        }
        Ok(tender)
    })
}

/// Opens, closes or cancels a tender. Opening needs a complete evaluation model.
pub fn transition(
    conn: &mut DbConnection,
    actor: &Actor,
    id: TenderId,
    action: TenderAction,
) -> Result<Tender, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let mut tender = get(conn, &actor.principal.authority, id)?;
        let next = tender.status.after(action)?;
        if action == TenderAction::Open && tender.model.criteria.is_empty() {
            return Err(AppError::client(
                ErrorCode::IllegalTransition,
                "a tender can be opened only with an evaluation model: PUT its criteria first",
            ));
        }
        tender.status = next;
        tender.version += 1;
        tender.updated_at = audit.now();
        let action_name = match action {
            TenderAction::Open => "tender.opened",
            TenderAction::Close => "tender.closed",
            TenderAction::Cancel => "tender.cancelled",
            TenderAction::Award => "tender.awarded",
        };
        save(conn, audit, action_name, &tender, None)?;
        Ok(tender)
    })
}

/// Replaces the evaluation model. Free while draft; once open a change needs a reason and is
/// flagged in the audit trail (bidders were told the criteria); after closing it is fixed.
pub fn put_criteria(
    conn: &mut DbConnection,
    actor: &Actor,
    id: TenderId,
    precondition: &Precondition,
    model: EvaluationModel,
    reason: Option<String>,
) -> Result<Tender, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let mut tender = get(conn, authority, id)?;
        precondition.check(TENDER, tender.version)?;
        let (action, note) = match (tender.status, reason) {
            (TenderStatus::Draft, _) => ("tender.criteria_set", None),
            (TenderStatus::Open, Some(reason)) => {
                ("tender.criteria_changed_after_opening", Some(reason))
            }
            (TenderStatus::Open, None) => {
                return Err(AppError::with_field(
                    ErrorCode::ValidationFailed,
                    "the tender is open: changing its criteria needs a reason, which the audit trail keeps",
                    FieldError::new("reason", "is required once the tender is open"),
                ));
            }
            (status, _) => {
                return Err(conflict(format!(
                    "the criteria of a tender that is {} are fixed",
                    status.as_str()
                )));
            }
        };
        let links: Vec<_> = model
            .criteria
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                c.mission_id
                    .map(|m| (format!("criteria[{i}].mission_id"), m))
            })
            .collect();
        super::missions::check_own(conn, authority, &links)?;
        tender.model = model;
        tender.version += 1;
        tender.updated_at = audit.now();
        save(conn, audit, action, &tender, note.as_deref())?;
        Ok(tender)
    })
}

// ---------------------------------------------------------------- bids

/// A bid as a client sends it, before checking it against the tender's model.
pub struct BidSubmission {
    pub supplier: Supplier,
    pub price: rust_decimal::Decimal,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub responses: Vec<CriterionResponse>,
}

fn open_for_bids(tender: &Tender) -> Result<(), AppError> {
    if tender.status == TenderStatus::Open {
        Ok(())
    } else {
        Err(conflict(format!(
            "bids are accepted only while the tender is open; it is {}",
            tender.status.as_str()
        )))
    }
}

pub fn create_bid(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
    submission: BidSubmission,
) -> Result<Bid, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let tender = get(conn, &actor.principal.authority, tender_id)?;
        open_for_bids(&tender)?;
        let mut errors = ValidationErrors::default();
        let responses = parse::responses(
            "responses",
            &tender.model,
            &submission.responses,
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let now = audit.now();
        let bid = Bid {
            id: BidId::new(),
            authority: actor.principal.authority.clone(),
            tender_id,
            supplier: submission.supplier,
            price: submission.price,
            // Microseconds: what both databases keep, so the audited state is the stored one.
            submitted_at: submission
                .submitted_at
                .map_or(now, |t| chrono::SubsecRound::trunc_subsecs(t, 6)),
            status: BidStatus::Valid,
            status_reason: None,
            responses,
            abnormally_low_explanation: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let row = q::BidRow::from_domain(&bid)?;
        q::insert_bid(conn, &row)?;
        audit.record("bid.submitted", &row, None);
        Ok(bid)
    })
}

pub fn get_bid(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    id: BidId,
) -> Result<Bid, AppError> {
    // The tender first: a bid of another authority's tender is as unknown as the tender.
    get(conn, authority, tender_id)?;
    Ok(q::find_bid(conn, authority, tender_id, id)?
        .ok_or_else(|| AppError::not_found("bid"))?
        .into_domain()?)
}

pub fn list_bids(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    after: Option<BidId>,
    limit: Option<i64>,
) -> Result<Vec<Bid>, AppError> {
    get(conn, authority, tender_id)?;
    q::list_bids(conn, authority, tender_id, after, limit)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

/// A change to a bid: its content while the tender is open; its status (disqualified or
/// withdrawn, with a reason) and the supplier's explanation of an abnormally low price until
/// award.
#[derive(Default)]
pub struct BidChanges {
    pub supplier: Option<Supplier>,
    pub price: Option<rust_decimal::Decimal>,
    pub responses: Option<Vec<CriterionResponse>>,
    pub status: Option<(BidStatus, Option<String>)>,
    pub abnormally_low_explanation: Option<String>,
}

pub fn update_bid(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
    id: BidId,
    precondition: &Precondition,
    changes: BidChanges,
) -> Result<Bid, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let tender = get(conn, authority, tender_id)?;
        let mut bid = get_bid(conn, authority, tender_id, id)?;
        precondition.check(BID, bid.version)?;
        let content_change =
            changes.supplier.is_some() || changes.price.is_some() || changes.responses.is_some();
        if content_change {
            open_for_bids(&tender)?;
        }
        if !matches!(tender.status, TenderStatus::Open | TenderStatus::Evaluation) {
            return Err(conflict(format!(
                "the bids of a tender that is {} are fixed",
                tender.status.as_str()
            )));
        }
        let before = bid.clone();
        if let Some(supplier) = changes.supplier {
            bid.supplier = supplier;
        }
        if let Some(price) = changes.price {
            bid.price = price;
        }
        if let Some(responses) = changes.responses {
            let mut errors = ValidationErrors::default();
            bid.responses = parse::responses("responses", &tender.model, &responses, &mut errors);
            if !errors.is_empty() {
                return Err(errors.into());
            }
        }
        if let Some((status, reason)) = changes.status {
            bid.status = status;
            bid.status_reason = reason;
        }
        if let Some(explanation) = changes.abnormally_low_explanation {
            bid.abnormally_low_explanation = Some(explanation);
        }
        if bid != before {
            bid.version += 1;
            bid.updated_at = audit.now();
            let row = q::BidRow::from_domain(&bid)?;
            q::update_bid(conn, &row)?;
            let action = if bid.status != before.status {
                "bid.status_changed"
            } else {
                "bid.updated"
            };
            audit.record(action, &row, bid.status_reason.as_deref());
        }
        Ok(bid)
    })
}

// ---------------------------------------------------------------- scores

fn scale_criterion<'a>(
    tender: &'a Tender,
    code: &str,
) -> Result<&'a crate::domain::tender::Criterion, AppError> {
    tender
        .model
        .criteria
        .iter()
        .find(|c| c.code == code && matches!(c.method, ScoringMethod::Scale { .. }))
        .ok_or_else(|| {
            AppError::with_field(
                ErrorCode::ValidationFailed,
                "scores are given on the tender's scale criteria",
                FieldError::new(
                    "criterion_code",
                    format!("`{code}` is not a scale criterion of this tender"),
                ),
            )
        })
}

fn in_evaluation(tender: &Tender) -> Result<(), AppError> {
    if tender.status == TenderStatus::Evaluation {
        Ok(())
    } else {
        Err(conflict(format!(
            "scores are recorded while the tender is in evaluation (closed to bids); it is {}",
            tender.status.as_str()
        )))
    }
}

/// Checks that `score` may be recorded for the bid on the criterion now: the tender is in
/// evaluation, the criterion is one of its scales and the score one of that scale's levels.
fn scorable(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    bid_id: BidId,
    criterion_code: &str,
    score: rust_decimal::Decimal,
) -> Result<rust_decimal::Decimal, AppError> {
    let tender = get(conn, authority, tender_id)?;
    get_bid(conn, authority, tender_id, bid_id)?;
    in_evaluation(&tender)?;
    let criterion = scale_criterion(&tender, criterion_code)?;
    parse::scale_score(criterion, score).map_err(|m| {
        AppError::with_field(
            ErrorCode::ValidationFailed,
            "the score is not on the scale",
            FieldError::new("score", m),
        )
    })
}

/// Records the evaluator's own score (replacing their earlier one on the same criterion).
pub fn submit_score(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
    bid_id: BidId,
    criterion_code: &str,
    score: rust_decimal::Decimal,
    rationale: String,
) -> Result<EvaluatorScore, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let score = scorable(conn, authority, tender_id, bid_id, criterion_code, score)?;
        let record = EvaluatorScore {
            bid_id,
            criterion_code: criterion_code.to_string(),
            evaluator: actor.principal.subject.clone(),
            score,
            rationale,
            updated_at: audit.now(),
        };
        let row = q::EvaluatorScoreRow::new(authority, tender_id, &record);
        q::put_evaluator_score(conn, &row)?;
        audit.record("score.submitted", &row, None);
        Ok(record)
    })
}

/// Records the moderated (consensus) score of a bid on a criterion.
pub fn moderate(
    conn: &mut DbConnection,
    actor: &Actor,
    tender_id: TenderId,
    bid_id: BidId,
    criterion_code: &str,
    score: rust_decimal::Decimal,
    rationale: String,
) -> Result<ModeratedScore, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let score = scorable(conn, authority, tender_id, bid_id, criterion_code, score)?;
        let record = ModeratedScore {
            bid_id,
            criterion_code: criterion_code.to_string(),
            moderator: actor.principal.subject.clone(),
            score,
            rationale,
            updated_at: audit.now(),
        };
        let row = q::ModeratedScoreRow::new(authority, tender_id, &record);
        q::put_moderated_score(conn, &row)?;
        audit.record("score.moderated", &row, None);
        Ok(record)
    })
}

/// The scores of a bid the caller may see. Evaluators score independently: an evaluator sees
/// only their own scores on a criterion until it has been moderated; officers, admins and
/// auditors see all.
pub fn scores_visible_to(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
    bid_id: BidId,
    viewer: Option<&str>,
) -> Result<(Vec<EvaluatorScore>, Vec<ModeratedScore>), AppError> {
    get_bid(conn, authority, tender_id, bid_id)?;
    let (scores, moderated) = all_scores(conn, authority, tender_id)?;
    let moderated: Vec<_> = moderated
        .into_iter()
        .filter(|m| m.bid_id == bid_id)
        .collect();
    let moderated_codes: BTreeSet<&str> = moderated
        .iter()
        .map(|m| m.criterion_code.as_str())
        .collect();
    let scores = scores
        .into_iter()
        .filter(|s| s.bid_id == bid_id)
        .filter(|s| {
            viewer.is_none_or(|v| {
                s.evaluator == v || moderated_codes.contains(s.criterion_code.as_str())
            })
        })
        .collect();
    Ok((scores, moderated))
}

pub fn all_scores(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    tender_id: TenderId,
) -> Result<(Vec<EvaluatorScore>, Vec<ModeratedScore>), AppError> {
    let scores = q::evaluator_scores_of(conn, authority, tender_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect::<Result<Vec<_>, _>>()?;
    let moderated = q::moderated_scores_of(conn, authority, tender_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((scores, moderated))
}
