//! Builders shared by the tests of the scoring engine.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::domain::tender::{
    AwardMethod, BidInput, BidStatus, Category, Criterion, DEFAULT_TIE_BREAK, Direction,
    EvaluationInput, EvaluationModel, QuantityScoring, ScaleLevel, ScoringMethod,
};

use super::{BidResult, CriterionResult, EvaluationResult};

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal literal")
}

pub fn criterion(code: &str, category: Category, weight: &str, method: ScoringMethod) -> Criterion {
    Criterion {
        code: code.to_string(),
        title: format!("Criterion {code}"),
        category,
        conditionality_type: None,
        mission_id: None,
        weight: d(weight),
        method,
        minimum_percent: None,
    }
}

/// Levels 0..=5, each with a descriptor.
pub fn levels() -> Vec<ScaleLevel> {
    (0..=5)
        .map(|s| ScaleLevel {
            score: Decimal::from(s),
            descriptor: format!("level {s}"),
        })
        .collect()
}

pub fn scale(code: &str, category: Category, weight: &str) -> Criterion {
    criterion(
        code,
        category,
        weight,
        ScoringMethod::Scale { levels: levels() },
    )
}

pub fn price(code: &str, weight: &str, method: ScoringMethod) -> Criterion {
    criterion(code, Category::Price, weight, method)
}

pub fn gate(code: &str) -> Criterion {
    criterion(code, Category::Quality, "0", ScoringMethod::Gate)
}

pub fn quantity(
    code: &str,
    weight: &str,
    direction: Direction,
    scoring: QuantityScoring,
) -> Criterion {
    criterion(
        code,
        Category::SocialValue,
        weight,
        ScoringMethod::Quantity { direction, scoring },
    )
}

pub fn linear_bounds(floor: &str, ceiling: &str) -> ScoringMethod {
    ScoringMethod::LinearBounds {
        floor: d(floor),
        ceiling: d(ceiling),
    }
}

pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_700_000_000 + seconds, 0).expect("timestamp")
}

pub fn bid(id: &str, price: &str) -> BidInput {
    BidInput {
        bid_id: id.to_string(),
        supplier_name: format!("Supplier {id}"),
        price: d(price),
        submitted_at: at(0),
        status: BidStatus::Valid,
        quantities: BTreeMap::new(),
        gates: BTreeMap::new(),
        evaluator_scores: BTreeMap::new(),
        moderated_scores: BTreeMap::new(),
        abnormally_low_explanation: None,
    }
}

pub trait BidExt {
    fn moderated(self, code: &str, score: &str) -> Self;
    fn evaluators(self, code: &str, scores: &[&str]) -> Self;
    fn qty(self, code: &str, value: &str) -> Self;
    fn gate(self, code: &str, passed: bool) -> Self;
    fn status(self, status: BidStatus) -> Self;
    fn submitted(self, seconds: i64) -> Self;
}

impl BidExt for BidInput {
    fn moderated(mut self, code: &str, score: &str) -> Self {
        self.moderated_scores.insert(code.to_string(), d(score));
        self
    }
    fn evaluators(mut self, code: &str, scores: &[&str]) -> Self {
        let map = scores
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("E{i}"), d(s)))
            .collect();
        self.evaluator_scores.insert(code.to_string(), map);
        self
    }
    fn qty(mut self, code: &str, value: &str) -> Self {
        self.quantities.insert(code.to_string(), d(value));
        self
    }
    fn gate(mut self, code: &str, passed: bool) -> Self {
        self.gates.insert(code.to_string(), passed);
        self
    }
    fn status(mut self, status: BidStatus) -> Self {
        self.status = status;
        self
    }
    fn submitted(mut self, seconds: i64) -> Self {
        self.submitted_at = at(seconds);
        self
    }
}

pub fn input(
    method: AwardMethod,
    criteria: Vec<Criterion>,
    bids: Vec<BidInput>,
) -> EvaluationInput {
    EvaluationInput {
        award_method: method,
        tie_break: DEFAULT_TIE_BREAK.to_vec(),
        abnormally_low_percent: d("20"),
        spread_threshold: d("2"),
        model: EvaluationModel {
            criteria,
            category_minimums: Vec::new(),
        },
        bids,
    }
}

pub fn weighted(criteria: Vec<Criterion>, bids: Vec<BidInput>) -> EvaluationInput {
    input(AwardMethod::WeightedScore, criteria, bids)
}

pub fn find<'a>(result: &'a EvaluationResult, id: &str) -> &'a BidResult {
    result
        .bids
        .iter()
        .find(|b| b.bid_id == id)
        .unwrap_or_else(|| panic!("bid {id} in result"))
}

pub fn crit<'a>(bid: &'a BidResult, code: &str) -> &'a CriterionResult {
    bid.criteria
        .iter()
        .find(|c| c.code == code)
        .unwrap_or_else(|| panic!("criterion {code} in result"))
}

/// Bid ids in result order.
pub fn order(result: &EvaluationResult) -> Vec<&str> {
    result.bids.iter().map(|b| b.bid_id.as_str()).collect()
}

/// Ranked bid ids only.
pub fn ranking(result: &EvaluationResult) -> Vec<&str> {
    result
        .bids
        .iter()
        .filter(|b| b.rank.is_some())
        .map(|b| b.bid_id.as_str())
        .collect()
}
