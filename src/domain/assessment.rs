//! Assessment summaries (Procurement Act 2023 s.50(3), Procurement Regulations 2024 reg. 31):
//! for each supplier that bid — every criterion with its relative importance, how it was
//! scored and the scores available; the supplier's score with the reasons by reference to its
//! tender; the same for the winning tender; totals and subtotals; and why the supplier lost or
//! was excluded.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::scoring::{BidResult, CriterionResult, EvaluationResult};
use super::tender::{Category, Criterion, Direction, QuantityScoring, ScoringMethod};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Awarded,
    Unsuccessful,
    Excluded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoreLine {
    #[serde(with = "rust_decimal::serde::str_option")]
    pub raw: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
    pub explanation: String,
    /// The evaluators' reasons, by reference to the tender (moderated where moderated).
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionSummary {
    pub code: String,
    pub title: String,
    pub category: Category,
    /// Relative importance: percent of the total.
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    pub how_scored: String,
    pub yours: ScoreLine,
    pub winner: Option<ScoreLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubtotalComparison {
    pub category: Category,
    #[serde(with = "rust_decimal::serde::str")]
    pub available: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub yours: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub winner: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssessmentSummary {
    pub bid_id: String,
    pub supplier_name: String,
    pub outcome: Outcome,
    pub rank: Option<u32>,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub winner_total: Option<Decimal>,
    pub subtotals: Vec<SubtotalComparison>,
    pub criteria: Vec<CriterionSummary>,
    /// Why the supplier was not awarded the contract (empty for the winner).
    pub reasons: Vec<String>,
}

/// How a criterion is scored, in words a bidder reads.
pub fn how_scored(c: &Criterion) -> String {
    match &c.method {
        ScoringMethod::LowestRatio => {
            "Price: lowest valid price ÷ this price, times the weight".into()
        }
        ScoringMethod::LinearBounds { floor, ceiling } => format!(
            "Price: full marks at or below {floor}, none at or above {ceiling}, in proportion between (bounds published before bids)"
        ),
        ScoringMethod::Deduction { k } => {
            format!(
                "Price: 1 − {k} × (price − lowest price) ÷ lowest price, not below 0, times the weight"
            )
        }
        ScoringMethod::Scale { levels } => {
            let levels: Vec<String> = levels
                .iter()
                .map(|l| format!("{} = {}", l.score, l.descriptor))
                .collect();
            format!(
                "Scored by evaluators on a scale, moderated to a consensus: {}",
                levels.join("; ")
            )
        }
        ScoringMethod::Quantity { direction, scoring } => {
            let better = match direction {
                Direction::HigherBetter => "higher is better",
                Direction::LowerBetter => "lower is better",
            };
            match scoring {
                QuantityScoring::RelativeToBest => {
                    format!("Committed quantity ({better}), relative to the best bid")
                }
                QuantityScoring::Linear { threshold, target } => {
                    format!(
                        "Committed quantity ({better}): none at {threshold}, full marks at {target}, in proportion between"
                    )
                }
            }
        }
        ScoringMethod::Gate => "Pass/fail: a bid that does not pass is excluded".into(),
    }
}

fn line(result: Option<&CriterionResult>, rationale: Option<&String>) -> ScoreLine {
    ScoreLine {
        raw: result.and_then(|r| r.raw),
        points: result.map_or(Decimal::ZERO, |r| r.points),
        explanation: result.map_or_else(String::new, |r| r.explanation.clone()),
        rationale: rationale.cloned(),
    }
}

fn reasons(bid: &BidResult, winner: Option<&BidResult>) -> Vec<String> {
    if bid.excluded {
        return bid.exclusions.iter().map(|e| e.detail.clone()).collect();
    }
    match winner {
        None => Vec::new(),
        Some(w) if w.bid_id == bid.bid_id => Vec::new(),
        Some(w) => {
            let mut out = vec![format!(
                "The winning tender scored {} points in total against {}.",
                w.total.normalize(),
                bid.total.normalize()
            )];
            // Where the difference arose: the criteria on which the winner gained most.
            let mut gaps: Vec<(Decimal, &str)> = w
                .criteria
                .iter()
                .filter_map(|wc| {
                    let yours = bid.criteria.iter().find(|c| c.code == wc.code)?;
                    let gap = wc.points - yours.points;
                    (gap > Decimal::ZERO).then_some((gap, wc.code.as_str()))
                })
                .collect();
            gaps.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            for (gap, code) in gaps.into_iter().take(3) {
                out.push(format!(
                    "On {code} the winning tender scored {} points more.",
                    gap.normalize()
                ));
            }
            out
        }
    }
}

/// One summary per bid of the evaluation, in the evaluation's order. The winner is the bid
/// awarded the contract, which a justified decision may have chosen over the first ranked.
pub fn summaries(
    criteria: &[Criterion],
    result: &EvaluationResult,
    awarded_bid: &str,
    rationales: &BTreeMap<(String, String), String>,
) -> Vec<AssessmentSummary> {
    let winner = result.bids.iter().find(|b| b.bid_id == awarded_bid);
    result
        .bids
        .iter()
        .map(|bid| {
            let is_winner = winner.is_some_and(|w| w.bid_id == bid.bid_id);
            let criteria = criteria
                .iter()
                .map(|c| {
                    let yours = bid.criteria.iter().find(|r| r.code == c.code);
                    let theirs = winner.and_then(|w| w.criteria.iter().find(|r| r.code == c.code));
                    CriterionSummary {
                        code: c.code.clone(),
                        title: c.title.clone(),
                        category: c.category,
                        weight: c.weight,
                        how_scored: how_scored(c),
                        yours: line(yours, rationales.get(&(bid.bid_id.clone(), c.code.clone()))),
                        winner: (!is_winner).then(|| {
                            let w_id = winner.map(|w| w.bid_id.clone()).unwrap_or_default();
                            line(theirs, rationales.get(&(w_id, c.code.clone())))
                        }),
                    }
                })
                .collect();
            let subtotals = bid
                .subtotals
                .iter()
                .map(|s| SubtotalComparison {
                    category: s.category,
                    available: s.available,
                    yours: s.points,
                    winner: winner
                        .and_then(|w| w.subtotals.iter().find(|x| x.category == s.category))
                        .map(|x| x.points),
                })
                .collect();
            AssessmentSummary {
                bid_id: bid.bid_id.clone(),
                supplier_name: bid.supplier_name.clone(),
                outcome: if bid.excluded {
                    Outcome::Excluded
                } else if is_winner {
                    Outcome::Awarded
                } else {
                    Outcome::Unsuccessful
                },
                rank: bid.rank,
                total: bid.total,
                winner_total: winner.map(|w| w.total),
                subtotals,
                criteria,
                reasons: reasons(bid, winner),
            }
        })
        .collect()
}
