//! `evaluate` and `what_if`: normalise every criterion, weigh, exclude, flag and rank.
//!
//! The rules, each documented again at its formula below:
//! 1. Disqualified/withdrawn bids and bids failing a gate are excluded and are never
//!    references; the compliant bids (valid, every gate passed) set Pmin, the best quantity
//!    and the abnormally-low mean. Excluded bids are still scored, against those references.
//! 2. Price: lowest ratio Pmin/Pi, bounded linear (ceiling − Pi)/(ceiling − floor), deduction
//!    1 − k·(Pi − Pmin)/Pmin; non-positive prices score 0.
//! 3. Scales: moderated score, else the evaluators' mean (flagged), else 0 (flagged).
//! 4. Quantities: relative to the best compliant commitment, or linear threshold → target.
//! 5. Gates: pass/fail, no points.
//! 6. Points = weight × normalised; subtotals per category; total = Σ points.
//! 7. Criterion and category minimums exclude, in one pass.
//! 8. Abnormally low prices are flagged (PA 2023 s.34).
//! 9. Ranking by the award method, ties within 0.01 settled by the declared tie-break rules.
//! 10. Every figure comes with one sentence that shows the arithmetic.
//!
//! The work is split in two: `assess` computes every figure at full precision (and is what
//! `sensitivity` re-uses), `build_result` rounds for display and writes the sentences. Keeping
//! the sentences out of `assess` means re-running it many times (rank reversal) stays cheap.

mod assess;
mod exclusions;
mod explain;
mod normalise;
mod rank;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use crate::domain::tender::{EvaluationInput, ScoringMethod};

use super::result::EvaluationResult;
use explain::build_result;

pub(crate) use assess::{Assessed, Assessment, assess};

/// Errors of a what-if request: the alternative weights must be a complete, valid weighting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhatIfError {
    #[error("no criterion has the code {0}")]
    UnknownCriterion(String),
    #[error("criterion {0} is weighted in the model but no weight was given for it")]
    MissingWeight(String),
    #[error("criterion {0} is given a negative weight")]
    NegativeWeight(String),
    #[error("the weights sum to {0}, not 100")]
    WeightsNotHundred(Decimal),
    #[error("criterion {0} is a gate: gates are pass/fail and weigh 0")]
    GateWeighted(String),
    #[error("no bid has the id {0}")]
    UnknownBid(String),
}

/// Scores and ranks every bid of `input` with the model's declared weights.
///
/// `evaluate` does not require the weights to sum to 100 (`lint` and `what_if` check that):
/// totals are then out of the sum of the weights.
pub fn evaluate(input: &EvaluationInput) -> EvaluationResult {
    let assessment = assess(input, input.bids.iter().collect(), declared_weights(input));
    build_result(input, &assessment)
}

/// The same evaluation with other weights and optionally some bids left out (as if they had
/// never been submitted, so they are no longer references either).
///
/// `weights` maps criterion code → weight. Every non-gate criterion with a non-zero declared
/// weight must be given; a non-gate criterion declared at 0 and not given stays 0; a gate may
/// be given only as 0. The weights used must sum to exactly 100.
pub fn what_if(
    input: &EvaluationInput,
    weights: &BTreeMap<String, Decimal>,
    excluded_bids: &BTreeSet<String>,
) -> Result<EvaluationResult, WhatIfError> {
    let criteria = &input.model.criteria;
    for (code, weight) in weights {
        let Some(criterion) = criteria.iter().find(|c| &c.code == code) else {
            return Err(WhatIfError::UnknownCriterion(code.clone()));
        };
        if matches!(criterion.method, ScoringMethod::Gate) && !weight.is_zero() {
            return Err(WhatIfError::GateWeighted(code.clone()));
        }
        if *weight < Decimal::ZERO {
            return Err(WhatIfError::NegativeWeight(code.clone()));
        }
    }
    if let Some(missing) = criteria.iter().find(|c| {
        !matches!(c.method, ScoringMethod::Gate)
            && !c.weight.is_zero()
            && !weights.contains_key(&c.code)
    }) {
        return Err(WhatIfError::MissingWeight(missing.code.clone()));
    }
    let effective: Vec<Decimal> = criteria
        .iter()
        .map(|c| match c.method {
            ScoringMethod::Gate => Decimal::ZERO,
            _ => weights.get(&c.code).copied().unwrap_or(Decimal::ZERO),
        })
        .collect();
    let sum = effective
        .iter()
        .fold(Decimal::ZERO, |acc, w| acc.saturating_add(*w));
    if sum != Decimal::ONE_HUNDRED {
        return Err(WhatIfError::WeightsNotHundred(sum));
    }
    if let Some(unknown) = excluded_bids
        .iter()
        .find(|id| !input.bids.iter().any(|b| &&b.bid_id == id))
    {
        return Err(WhatIfError::UnknownBid(unknown.clone()));
    }
    let bids = input
        .bids
        .iter()
        .filter(|b| !excluded_bids.contains(&b.bid_id))
        .collect();
    Ok(build_result(input, &assess(input, bids, effective)))
}

/// The weights an evaluation uses: the declared ones, except that a gate always weighs 0
/// (a gate is pass/fail; a weighted gate is a model error that `lint` reports).
pub(crate) fn declared_weights(input: &EvaluationInput) -> Vec<Decimal> {
    input
        .model
        .criteria
        .iter()
        .map(|c| match c.method {
            ScoringMethod::Gate => Decimal::ZERO,
            _ => c.weight,
        })
        .collect()
}

/// `n / d`, None when `d` is zero (Decimal division by zero panics); an overflowing quotient
/// saturates, which every caller then clamps to 0..=1.
pub(crate) fn ratio(n: Decimal, d: Decimal) -> Option<Decimal> {
    if d.is_zero() {
        return None;
    }
    Some(
        n.checked_div(d)
            .unwrap_or(if n.is_sign_negative() == d.is_sign_negative() {
                Decimal::MAX
            } else {
                Decimal::MIN
            }),
    )
}
