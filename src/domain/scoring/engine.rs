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

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::domain::tender::{
    AwardMethod, BidInput, BidStatus, Category, Criterion, Direction, EvaluationInput,
    QuantityScoring, ScoringMethod, TieBreakRule,
};

use super::result::{
    BidResult, CategorySubtotal, CriterionResult, ENGINE_VERSION, EvaluationResult, Exclusion,
    ExclusionReason, Flag, FlagKind, ScoreSource,
};
use super::{display, unit};

/// Two adjacent bids whose ranking metric differs by less than this are tied: 0.01 is the
/// precision at which points (and pounds) are read, so a smaller gap is not a real difference
/// and the declared tie-break rules decide instead.
pub(crate) const TIE_BAND: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

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

/// Every figure of an evaluation at full precision.
pub(crate) struct Assessment<'a> {
    pub weights: Vec<Decimal>,
    /// Sorted by `bid_key`, so nothing depends on the input order.
    pub bids: Vec<Assessed<'a>>,
    /// Indexes into `bids` of the eligible bids, in rank order.
    pub ranked: Vec<usize>,
}

impl Assessment<'_> {
    pub fn winner(&self) -> Option<&str> {
        self.ranked
            .first()
            .and_then(|i| self.bids.get(*i))
            .map(|a| a.bid.bid_id.as_str())
    }
}

pub(crate) struct Assessed<'a> {
    pub bid: &'a BidInput,
    /// Status valid and every gate passed: the reference set (rule 1).
    pub compliant: bool,
    /// In model order.
    pub scores: Vec<Scored>,
    /// Category → (points, available).
    pub subtotals: BTreeMap<Category, (Decimal, Decimal)>,
    pub total: Decimal,
    pub ppqp: Option<Decimal>,
    pub exclusions: Vec<Exclusion>,
    pub flags: Vec<Flag>,
    pub rank: Option<u32>,
}

impl Assessed<'_> {
    pub fn subtotal(&self, category: Category) -> Decimal {
        self.subtotals
            .get(&category)
            .map_or(Decimal::ZERO, |(points, _)| *points)
    }
}

pub(crate) struct Scored {
    pub raw: Option<Decimal>,
    /// Full precision, 0..=1.
    pub normalised: Decimal,
    pub source: ScoreSource,
    pub basis: Basis,
}

/// How a normalised score came about, kept as figures so the sentence is written only when a
/// result is built. `value`/`ratio` fields hold the formula's value before clamping to 0..=1.
pub(crate) enum Basis {
    PriceNotPositive {
        price: Decimal,
    },
    ReferenceNotPositive {
        pmin: Decimal,
    },
    LowestRatio {
        pmin: Decimal,
        own: bool,
        price: Decimal,
        ratio: Decimal,
    },
    BoundsInvalid {
        floor: Decimal,
        ceiling: Decimal,
    },
    LinearBounds {
        floor: Decimal,
        ceiling: Decimal,
        price: Decimal,
        value: Decimal,
    },
    Deduction {
        k: Decimal,
        pmin: Decimal,
        own: bool,
        price: Decimal,
        value: Decimal,
    },
    Moderated {
        score: Decimal,
        top: Decimal,
    },
    EvaluatorMean {
        count: usize,
        score: Decimal,
        top: Decimal,
    },
    TopNotPositive {
        score: Decimal,
        top: Option<Decimal>,
    },
    Unscored,
    QuantityMissing,
    RelativeHigher {
        value: Decimal,
        best: Decimal,
        own: bool,
        ratio: Decimal,
    },
    RelativeHigherNotPositive {
        value: Decimal,
        best: Decimal,
    },
    RelativeLower {
        value: Decimal,
        best: Decimal,
        own: bool,
        ratio: Decimal,
    },
    LowerNothing {
        value: Decimal,
    },
    Linear {
        value: Decimal,
        threshold: Decimal,
        target: Decimal,
        ratio: Decimal,
    },
    LinearStep {
        value: Decimal,
        target: Decimal,
        direction: Direction,
    },
    Gate {
        declared: Option<bool>,
    },
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

/// A total order on bids independent of the input order: by id, and should two bids share an
/// id (the service prevents it), by their other fields, so the output is still deterministic.
fn bid_key(a: &BidInput, b: &BidInput) -> Ordering {
    a.bid_id
        .cmp(&b.bid_id)
        .then_with(|| a.supplier_name.cmp(&b.supplier_name))
        .then_with(|| a.price.cmp(&b.price))
        .then_with(|| a.submitted_at.cmp(&b.submitted_at))
}

/// Rule 1: status, then one exclusion per failed gate (a gate not declared is not passed).
fn status_and_gate_exclusions(criteria: &[Criterion], bid: &BidInput) -> Vec<Exclusion> {
    let mut exclusions = Vec::new();
    match bid.status {
        BidStatus::Valid => {}
        BidStatus::Disqualified => exclusions.push(Exclusion {
            reason: ExclusionReason::Disqualified,
            criterion: None,
            category: None,
            detail: "the bid was disqualified before evaluation".to_string(),
        }),
        BidStatus::Withdrawn => exclusions.push(Exclusion {
            reason: ExclusionReason::Withdrawn,
            criterion: None,
            category: None,
            detail: "the supplier withdrew the bid".to_string(),
        }),
    }
    for criterion in criteria {
        if matches!(criterion.method, ScoringMethod::Gate)
            && bid.gates.get(&criterion.code) != Some(&true)
        {
            let detail = match bid.gates.get(&criterion.code) {
                Some(_) => format!("the bid does not pass gate {}", criterion.code),
                None => format!("the bid has no declaration for gate {}", criterion.code),
            };
            exclusions.push(Exclusion {
                reason: ExclusionReason::FailedGate,
                criterion: Some(criterion.code.clone()),
                category: Some(criterion.category),
                detail,
            });
        }
    }
    exclusions
}

/// Figures of the compliant bids every relative formula compares against. None means there
/// is no compliant bid (or none with that quantity): the bid's own figure is the reference.
struct References {
    pmin: Option<Decimal>,
    /// Per criterion, in model order: best compliant commitment of relative quantity criteria.
    best: Vec<Option<Decimal>>,
    /// Per criterion: the top level of a scale (fixed by the model, computed once).
    top: Vec<Option<Decimal>>,
}

/// Scores every bid and ranks the eligible ones. `weights` are the effective weights in model
/// order (gates 0).
pub(crate) fn assess<'a>(
    input: &'a EvaluationInput,
    mut bids: Vec<&'a BidInput>,
    weights: Vec<Decimal>,
) -> Assessment<'a> {
    let criteria = &input.model.criteria;
    // Sort by a stable key first: the order of the input must never matter.
    bids.sort_by(|a, b| bid_key(a, b));

    let initial: Vec<Vec<Exclusion>> = bids
        .iter()
        .map(|b| status_and_gate_exclusions(criteria, b))
        .collect();
    let compliant: Vec<bool> = initial.iter().map(Vec::is_empty).collect();
    let compliant_bids = || {
        bids.iter()
            .zip(&compliant)
            .filter(|(_, c)| **c)
            .map(|(b, _)| *b)
    };

    // Rule 1: disqualified, withdrawn and gate-failing bids are not references.
    let references = References {
        pmin: compliant_bids().map(|b| b.price).min(),
        best: criteria
            .iter()
            .map(|c| match &c.method {
                ScoringMethod::Quantity {
                    direction,
                    scoring: QuantityScoring::RelativeToBest,
                } => {
                    let values =
                        compliant_bids().filter_map(|b| b.quantities.get(&c.code).copied());
                    match direction {
                        Direction::HigherBetter => values.max(),
                        Direction::LowerBetter => values.min(),
                    }
                }
                _ => None,
            })
            .collect(),
        top: criteria
            .iter()
            .map(|c| match &c.method {
                ScoringMethod::Scale { levels } => levels.iter().map(|l| l.score).max(),
                _ => None,
            })
            .collect(),
    };

    let mut assessed: Vec<Assessed<'a>> = bids
        .iter()
        .zip(initial)
        .zip(&compliant)
        .map(|((bid, exclusions), is_compliant)| {
            score_bid(input, bid, exclusions, *is_compliant, &references, &weights)
        })
        .collect();

    flag_abnormally_low(&mut assessed, input.abnormally_low_percent);
    let ranked = rank(&mut assessed, input.award_method, &input.tie_break);
    Assessment {
        weights,
        bids: assessed,
        ranked,
    }
}

fn score_bid<'a>(
    input: &EvaluationInput,
    bid: &'a BidInput,
    mut exclusions: Vec<Exclusion>,
    compliant: bool,
    references: &References,
    weights: &[Decimal],
) -> Assessed<'a> {
    let criteria = &input.model.criteria;
    let mut flags = Vec::new();
    let scores: Vec<Scored> = criteria
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let best = references.best.get(i).copied().flatten();
            let top = references.top.get(i).copied().flatten();
            score_criterion(
                c,
                bid,
                references.pmin,
                best,
                top,
                input.spread_threshold,
                &mut flags,
            )
        })
        .collect();

    // Rule 6: points = weight × normalised; subtotal = Σ points, available = Σ weights.
    let mut subtotals: BTreeMap<Category, (Decimal, Decimal)> = BTreeMap::new();
    let mut total = Decimal::ZERO;
    for ((criterion, score), weight) in criteria.iter().zip(&scores).zip(weights) {
        let points = weight.saturating_mul(score.normalised);
        let entry = subtotals
            .entry(criterion.category)
            .or_insert((Decimal::ZERO, Decimal::ZERO));
        entry.0 = entry.0.saturating_add(points);
        entry.1 = entry.1.saturating_add(*weight);
        total = total.saturating_add(points);
    }

    // Rule 7, criterion minimums: normalised × 100 < minimum excludes. One pass: the
    // references above are not recomputed after these exclusions, so every bid is measured
    // against the same compliant field the panel saw.
    for (criterion, score) in criteria.iter().zip(&scores) {
        if matches!(criterion.method, ScoringMethod::Gate) {
            continue;
        }
        if let Some(minimum) = criterion.minimum_percent {
            let percent = score.normalised.saturating_mul(Decimal::ONE_HUNDRED);
            if percent < minimum {
                exclusions.push(Exclusion {
                    reason: ExclusionReason::BelowCriterionMinimum,
                    criterion: Some(criterion.code.clone()),
                    category: Some(criterion.category),
                    detail: format!(
                        "{} scores {}% of its available points, below the minimum {}%",
                        criterion.code,
                        display(percent),
                        display(minimum)
                    ),
                });
            }
        }
    }
    // Rule 7, category minimums: subtotal ÷ available × 100 < minimum excludes (only where
    // the category has points available). Same single pass as above.
    for minimum in &input.model.category_minimums {
        let Some((points, available)) = subtotals.get(&minimum.category) else {
            continue;
        };
        if *available <= Decimal::ZERO {
            continue;
        }
        let Some(percent) = ratio(points.saturating_mul(Decimal::ONE_HUNDRED), *available) else {
            continue;
        };
        if percent < minimum.minimum_percent {
            exclusions.push(Exclusion {
                reason: ExclusionReason::BelowCategoryMinimum,
                criterion: None,
                category: Some(minimum.category),
                detail: format!(
                    "{} subtotal {} of {} available is {}%, below the minimum {}%",
                    category_name(minimum.category),
                    display(*points),
                    display(*available),
                    display(percent),
                    display(minimum.minimum_percent)
                ),
            });
        }
    }

    // Rule 9, price per quality point: quality points are everything but the price category;
    // a bid without any cannot be priced per point and is excluded.
    let mut ppqp = None;
    if input.award_method == AwardMethod::PricePerQualityPoint {
        let price_points = subtotals
            .get(&Category::Price)
            .map_or(Decimal::ZERO, |(points, _)| *points);
        let quality_points = total.saturating_sub(price_points);
        if quality_points <= Decimal::ZERO {
            exclusions.push(Exclusion {
                reason: ExclusionReason::NoQualityPoints,
                criterion: None,
                category: None,
                detail: format!(
                    "quality points {} are not positive, so no price per quality point exists",
                    display(quality_points)
                ),
            });
        } else {
            ppqp = ratio(bid.price, quality_points);
        }
    }

    Assessed {
        bid,
        compliant,
        scores,
        subtotals,
        total,
        ppqp,
        exclusions,
        flags,
        rank: None,
    }
}

fn score_criterion(
    criterion: &Criterion,
    bid: &BidInput,
    pmin: Option<Decimal>,
    best: Option<Decimal>,
    top: Option<Decimal>,
    spread_threshold: Decimal,
    flags: &mut Vec<Flag>,
) -> Scored {
    let computed = |raw: Option<Decimal>, normalised: Decimal, basis: Basis| Scored {
        raw,
        normalised: unit(normalised),
        source: ScoreSource::Computed,
        basis,
    };
    match &criterion.method {
        // Rule 2 guards: a price of 0 or less is not a price to score (and would divide by
        // zero), and neither is a lowest compliant price of 0 or less.
        ScoringMethod::LowestRatio
        | ScoringMethod::Deduction { .. }
        | ScoringMethod::LinearBounds { .. }
            if bid.price <= Decimal::ZERO =>
        {
            computed(
                Some(bid.price),
                Decimal::ZERO,
                Basis::PriceNotPositive { price: bid.price },
            )
        }
        ScoringMethod::LowestRatio | ScoringMethod::Deduction { .. }
            if pmin.is_some_and(|p| p <= Decimal::ZERO) =>
        {
            computed(
                Some(bid.price),
                Decimal::ZERO,
                Basis::ReferenceNotPositive {
                    pmin: pmin.unwrap_or(Decimal::ZERO),
                },
            )
        }
        ScoringMethod::LowestRatio => {
            // Pmin / Pi (lowest-price ratio). Relative: a new cheapest bid changes every
            // other bid's score, so rank reversal is possible (lint warns).
            let own = pmin.is_none();
            let reference = pmin.unwrap_or(bid.price);
            let value = ratio(reference, bid.price).unwrap_or(Decimal::ZERO);
            computed(
                Some(bid.price),
                value,
                Basis::LowestRatio {
                    pmin: reference,
                    own,
                    price: bid.price,
                    ratio: value,
                },
            )
        }
        ScoringMethod::LinearBounds { floor, ceiling } => {
            // Bounded linear price formula: (ceiling − Pi) / (ceiling − floor), clamped. The
            // bounds are fixed before bids open, so a bid's score never depends on the others
            // and there is no rank reversal (Telgen & Timmer).
            if ceiling <= floor {
                return computed(
                    Some(bid.price),
                    Decimal::ZERO,
                    Basis::BoundsInvalid {
                        floor: *floor,
                        ceiling: *ceiling,
                    },
                );
            }
            let value = ratio(
                ceiling.saturating_sub(bid.price),
                ceiling.saturating_sub(*floor),
            )
            .unwrap_or(Decimal::ZERO);
            computed(
                Some(bid.price),
                value,
                Basis::LinearBounds {
                    floor: *floor,
                    ceiling: *ceiling,
                    price: bid.price,
                    value,
                },
            )
        }
        ScoringMethod::Deduction { k } => {
            // max(0, 1 − k·(Pi − Pmin)/Pmin): k points of the score per 100% above the
            // lowest compliant price. Relative, like the ratio.
            let own = pmin.is_none();
            let reference = pmin.unwrap_or(bid.price);
            let excess =
                ratio(bid.price.saturating_sub(reference), reference).unwrap_or(Decimal::ZERO);
            let value = Decimal::ONE.saturating_sub(k.saturating_mul(excess));
            computed(
                Some(bid.price),
                value,
                Basis::Deduction {
                    k: *k,
                    pmin: reference,
                    own,
                    price: bid.price,
                    value,
                },
            )
        }
        ScoringMethod::Scale { .. } => score_scale(criterion, top, bid, spread_threshold, flags),
        ScoringMethod::Quantity { direction, scoring } => {
            let Some(value) = bid.quantities.get(&criterion.code).copied() else {
                flags.push(Flag {
                    kind: FlagKind::Unscored,
                    criterion: Some(criterion.code.clone()),
                    detail: format!("no committed quantity for {}", criterion.code),
                });
                return Scored {
                    raw: None,
                    normalised: Decimal::ZERO,
                    source: ScoreSource::Missing,
                    basis: Basis::QuantityMissing,
                };
            };
            let (normalised, basis) = score_quantity(*direction, scoring, value, best);
            computed(Some(value), normalised, basis)
        }
        ScoringMethod::Gate => {
            // Rule 5: a gate is pass/fail; it never carries points.
            let declared = bid.gates.get(&criterion.code).copied();
            Scored {
                raw: None,
                normalised: if declared == Some(true) {
                    Decimal::ONE
                } else {
                    Decimal::ZERO
                },
                source: ScoreSource::Gate,
                basis: Basis::Gate { declared },
            }
        }
    }
}

/// Rule 4: committed quantities.
fn score_quantity(
    direction: Direction,
    scoring: &QuantityScoring,
    value: Decimal,
    best: Option<Decimal>,
) -> (Decimal, Basis) {
    match (scoring, direction) {
        (QuantityScoring::RelativeToBest, Direction::HigherBetter) => {
            // value / best, best = highest compliant commitment.
            let own = best.is_none();
            let best = best.unwrap_or(value);
            if best <= Decimal::ZERO || value <= Decimal::ZERO {
                return (
                    Decimal::ZERO,
                    Basis::RelativeHigherNotPositive { value, best },
                );
            }
            let r = ratio(value, best).unwrap_or(Decimal::ZERO);
            (
                r,
                Basis::RelativeHigher {
                    value,
                    best,
                    own,
                    ratio: r,
                },
            )
        }
        (QuantityScoring::RelativeToBest, Direction::LowerBetter) => {
            // best / value, best = lowest compliant commitment. Committing to nothing (≤ 0)
            // is the best possible, so it scores 1 whatever the others did.
            if value <= Decimal::ZERO {
                return (Decimal::ONE, Basis::LowerNothing { value });
            }
            let own = best.is_none();
            let best = best.unwrap_or(value);
            let r = ratio(best, value).unwrap_or(Decimal::ZERO);
            (
                r,
                Basis::RelativeLower {
                    value,
                    best,
                    own,
                    ratio: r,
                },
            )
        }
        (QuantityScoring::Linear { threshold, target }, _) => {
            if threshold == target {
                // A step at the target: 1 on the good side of it (inclusive), else 0.
                let met = match direction {
                    Direction::HigherBetter => value >= *target,
                    Direction::LowerBetter => value <= *target,
                };
                let normalised = if met { Decimal::ONE } else { Decimal::ZERO };
                return (
                    normalised,
                    Basis::LinearStep {
                        value,
                        target: *target,
                        direction,
                    },
                );
            }
            // (value − threshold) / (target − threshold), clamped: fixed in advance, so not
            // relative; works for either direction because target may lie below threshold.
            let r = ratio(
                value.saturating_sub(*threshold),
                target.saturating_sub(*threshold),
            )
            .unwrap_or(Decimal::ZERO);
            (
                r,
                Basis::Linear {
                    value,
                    threshold: *threshold,
                    target: *target,
                    ratio: r,
                },
            )
        }
    }
}

/// Rule 3: a quality scale. The moderated (consensus) score wins; before moderation the mean
/// of the evaluators stands in and is flagged; with neither the criterion scores 0, flagged.
fn score_scale(
    criterion: &Criterion,
    top: Option<Decimal>,
    bid: &BidInput,
    spread_threshold: Decimal,
    flags: &mut Vec<Flag>,
) -> Scored {
    let code = &criterion.code;
    let evaluator_scores = bid.evaluator_scores.get(code);
    let mut count = 0usize;
    let mut low: Option<Decimal> = None;
    let mut high: Option<Decimal> = None;
    for score in evaluator_scores.into_iter().flat_map(|m| m.values()) {
        count = count.saturating_add(1);
        low = Some(low.map_or(*score, |l| l.min(*score)));
        high = Some(high.map_or(*score, |h| h.max(*score)));
    }
    // Evaluators far apart should discuss before moderation is trusted, moderated or not.
    if let (Some(low), Some(high)) = (low, high) {
        let spread = high.saturating_sub(low);
        if spread > spread_threshold {
            flags.push(Flag {
                kind: FlagKind::EvaluatorSpread,
                criterion: Some(code.clone()),
                detail: format!(
                    "evaluator scores on {code} range from {} to {} (spread {} > threshold {})",
                    display(low),
                    display(high),
                    display(spread),
                    display(spread_threshold)
                ),
            });
        }
    }
    // The mean is only needed (and only summed) when there is no moderated score.
    let mean = || {
        let sum = evaluator_scores
            .into_iter()
            .flat_map(|m| m.values())
            .fold(Decimal::ZERO, |acc, s| acc.saturating_add(*s));
        ratio(sum, Decimal::from(count))
    };
    let (score, source) = if let Some(moderated) = bid.moderated_scores.get(code) {
        (*moderated, ScoreSource::Moderated)
    } else if let Some(mean) = mean() {
        flags.push(Flag {
            kind: FlagKind::Unmoderated,
            criterion: Some(code.clone()),
            detail: format!("{code} uses the mean of {count} evaluator score(s) because it has not been moderated"),
        });
        (mean, ScoreSource::EvaluatorMean)
    } else {
        flags.push(Flag {
            kind: FlagKind::Unscored,
            criterion: Some(code.clone()),
            detail: format!("{code} has no moderated or evaluator score"),
        });
        return Scored {
            raw: None,
            normalised: Decimal::ZERO,
            source: ScoreSource::Missing,
            basis: Basis::Unscored,
        };
    };
    let normalised = match top {
        Some(top) if top > Decimal::ZERO => ratio(score, top).map(unit),
        _ => None,
    };
    let basis = match (normalised, top, source) {
        (Some(_), Some(top), ScoreSource::Moderated) => Basis::Moderated { score, top },
        (Some(_), Some(top), _) => Basis::EvaluatorMean { count, score, top },
        _ => Basis::TopNotPositive { score, top },
    };
    Scored {
        raw: Some(score),
        normalised: normalised.unwrap_or(Decimal::ZERO),
        source,
        basis,
    }
}

/// Rule 8, PA 2023 s.34 abnormally low tenders: a compliant bid priced more than
/// `percent`% below the mean of the *other* compliant bids is flagged so the authority asks
/// the supplier to explain (it is not excluded: s.34 requires asking first).
fn flag_abnormally_low(bids: &mut [Assessed<'_>], percent: Decimal) {
    let (count, sum) = bids
        .iter()
        .filter(|a| a.compliant)
        .fold((0usize, Decimal::ZERO), |(n, s), a| {
            (n.saturating_add(1), s.saturating_add(a.bid.price))
        });
    if count < 2 {
        return;
    }
    let others = Decimal::from(count.saturating_sub(1));
    let factor =
        Decimal::ONE.saturating_sub(ratio(percent, Decimal::ONE_HUNDRED).unwrap_or(Decimal::ZERO));
    for a in bids.iter_mut().filter(|a| a.compliant) {
        let Some(mean) = ratio(sum.saturating_sub(a.bid.price), others) else {
            continue;
        };
        let threshold = mean.saturating_mul(factor);
        if a.bid.price < threshold {
            a.flags.push(Flag {
                kind: FlagKind::AbnormallyLow,
                criterion: None,
                detail: format!(
                    "price {} is more than {}% below {}, the mean of the other {} compliant bid(s) (threshold {}); PA 2023 s.34: ask the supplier to explain",
                    display(a.bid.price),
                    display(percent),
                    display(mean),
                    others,
                    display(threshold)
                ),
            });
        }
    }
}

fn metric(a: &Assessed<'_>, method: AwardMethod) -> Decimal {
    match method {
        AwardMethod::WeightedScore => a.total,
        // Eligible ppqp bids always have one; MAX only keeps this total.
        AwardMethod::PricePerQualityPoint => a.ppqp.unwrap_or(Decimal::MAX),
        AwardMethod::LowestPriceAfterGates => a.bid.price,
    }
}

fn metric_name(method: AwardMethod) -> &'static str {
    match method {
        AwardMethod::WeightedScore => "total points",
        AwardMethod::PricePerQualityPoint => "price per quality point",
        AwardMethod::LowestPriceAfterGates => "price",
    }
}

fn rule_name(rule: TieBreakRule) -> &'static str {
    match rule {
        TieBreakRule::HigherQualitySubtotal => "higher quality subtotal",
        TieBreakRule::HigherSocialValueSubtotal => "higher social value subtotal",
        TieBreakRule::LowerPrice => "lower price",
        TieBreakRule::EarlierSubmission => "earlier submission",
    }
}

pub(crate) fn category_name(category: Category) -> &'static str {
    match category {
        Category::Price => "price",
        Category::Quality => "quality",
        Category::SocialValue => "social value",
        Category::MissionAlignment => "mission alignment",
        Category::Conditionality => "conditionality",
    }
}

fn compare_by_rule(a: &Assessed<'_>, b: &Assessed<'_>, rule: TieBreakRule) -> Ordering {
    match rule {
        TieBreakRule::HigherQualitySubtotal => b
            .subtotal(Category::Quality)
            .cmp(&a.subtotal(Category::Quality)),
        TieBreakRule::HigherSocialValueSubtotal => b
            .subtotal(Category::SocialValue)
            .cmp(&a.subtotal(Category::SocialValue)),
        TieBreakRule::LowerPrice => a.bid.price.cmp(&b.bid.price),
        TieBreakRule::EarlierSubmission => a.bid.submitted_at.cmp(&b.bid.submitted_at),
    }
}

/// The first declared rule that separates two tied bids (None: only the bid id did).
fn deciding_rule(
    a: &Assessed<'_>,
    b: &Assessed<'_>,
    rules: &[TieBreakRule],
) -> Option<TieBreakRule> {
    rules
        .iter()
        .copied()
        .find(|rule| compare_by_rule(a, b, *rule) != Ordering::Equal)
}

/// Rule 9: rank the eligible bids by the award method's metric (the most advantageous tender,
/// PA 2023 s.19, as the tender declared it: highest total, lowest price per quality point, or
/// lowest price once gates and minimums are passed). Adjacent bids closer than
/// 0.01 are tied; ties chain (a~b and b~c make one group a,b,c) because the rule is about
/// adjacent bids. Inside a group the tender's declared tie-break rules apply in turn, then
/// bid id, so ranks are always distinct and reproducible. Returns the rank order.
fn rank(bids: &mut [Assessed<'_>], method: AwardMethod, rules: &[TieBreakRule]) -> Vec<usize> {
    let higher_is_better = method == AwardMethod::WeightedScore;
    let mut order: Vec<(usize, Decimal)> = bids
        .iter()
        .enumerate()
        .filter(|(_, a)| a.exclusions.is_empty())
        .map(|(i, a)| (i, metric(a, method)))
        .collect();
    order.sort_by(|(i, x), (j, y)| {
        let by_metric = if higher_is_better { y.cmp(x) } else { x.cmp(y) };
        by_metric.then(i.cmp(j))
    });

    let mut groups: Vec<Vec<(usize, Decimal)>> = Vec::new();
    for item in order {
        match groups.last_mut() {
            Some(group)
                if group
                    .last()
                    .is_some_and(|(_, m)| m.saturating_sub(item.1).abs() < TIE_BAND) =>
            {
                group.push(item);
            }
            _ => groups.push(vec![item]),
        }
    }

    let mut ranked = Vec::with_capacity(bids.len());
    let mut tie_flags: Vec<(usize, Flag)> = Vec::new();
    for mut group in groups {
        if group.len() > 1 {
            group.sort_by(|(i, _), (j, _)| {
                let by_rules = match (bids.get(*i), bids.get(*j)) {
                    (Some(a), Some(b)) => rules
                        .iter()
                        .map(|rule| compare_by_rule(a, b, *rule))
                        .find(|o| *o != Ordering::Equal)
                        .unwrap_or(Ordering::Equal),
                    _ => Ordering::Equal,
                };
                // Bids are sorted by id, so the index is the bid-id order.
                by_rules.then(i.cmp(j))
            });
            let members: Vec<usize> = group.iter().map(|(i, _)| *i).collect();
            let rule_list = if rules.is_empty() {
                "none declared".to_string()
            } else {
                rules
                    .iter()
                    .map(|r| rule_name(*r))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            for (position, index) in members.iter().enumerate() {
                let neighbour = if position == 0 {
                    members.get(1)
                } else {
                    members.get(position.saturating_sub(1))
                };
                let decided = match (bids.get(*index), neighbour.and_then(|n| bids.get(*n))) {
                    (Some(a), Some(b)) => deciding_rule(a, b, rules).map_or("bid id", rule_name),
                    _ => "bid id",
                };
                let others: Vec<&str> = members
                    .iter()
                    .filter(|i| *i != index)
                    .filter_map(|i| bids.get(*i))
                    .map(|a| a.bid.bid_id.as_str())
                    .collect();
                tie_flags.push((
                    *index,
                    Flag {
                        kind: FlagKind::Tie,
                        criterion: None,
                        detail: format!(
                            "{} within 0.01 of {}; tie-break rules in turn ({rule_list}), then bid id; placed by {decided}",
                            metric_name(method),
                            others.join(", ")
                        ),
                    },
                ));
            }
        }
        ranked.extend(group.iter().map(|(i, _)| *i));
    }
    for (index, flag) in tie_flags {
        if let Some(a) = bids.get_mut(index) {
            a.flags.push(flag);
        }
    }
    for (position, index) in ranked.iter().enumerate() {
        if let Some(a) = bids.get_mut(*index) {
            a.rank = Some(u32::try_from(position.saturating_add(1)).unwrap_or(u32::MAX));
        }
    }
    ranked
}

/// A figure as shown in a sentence (formatted in place: no intermediate String).
fn fmt(value: Decimal) -> Decimal {
    display(value)
}

/// ", clamped to 0..1 → n" when the formula's value fell outside 0..=1.
fn clamp_note(value: Decimal, normalised: Decimal, shown: Decimal) -> String {
    if value == normalised {
        format!(" = {shown}")
    } else {
        format!(" = {}, clamped to 0..1 → {shown}", fmt(value))
    }
}

/// `normalised` at full precision (to tell whether clamping happened), `shown` as displayed.
fn describe(out: &mut String, basis: &Basis, normalised: Decimal, shown: Decimal) {
    // With no compliant bid the bid is measured against itself (rule 2): say so up front.
    let own_prefix = |own: bool, label: &str| {
        if own {
            format!("with no compliant bid to compare, its own {label} is the reference: ")
        } else {
            String::new()
        }
    };
    let reference = |own: bool, label: &str, value: Decimal| {
        if own {
            fmt(value).to_string()
        } else {
            format!("{label} {}", fmt(value))
        }
    };
    // Writing to a String cannot fail.
    let _ = match basis {
        Basis::PriceNotPositive { price } => {
            write!(
                out,
                "price {} is not positive, so the price score is 0",
                fmt(*price)
            )
        }
        Basis::ReferenceNotPositive { pmin } => write!(
            out,
            "lowest compliant price {} is not positive, so no ratio can be formed and the price score is 0",
            fmt(*pmin)
        ),
        Basis::LowestRatio {
            pmin,
            own,
            price,
            ratio,
        } => write!(
            out,
            "{}{} ÷ this price {}{}",
            own_prefix(*own, "price"),
            reference(*own, "lowest compliant price", *pmin),
            fmt(*price),
            clamp_note(*ratio, normalised, shown)
        ),
        Basis::BoundsInvalid { floor, ceiling } => write!(
            out,
            "price bounds are invalid (ceiling {} is not above floor {}), so the price score is 0",
            fmt(*ceiling),
            fmt(*floor)
        ),
        Basis::LinearBounds {
            floor,
            ceiling,
            price,
            value,
        } => write!(
            out,
            "(ceiling {c} − price {p}) ÷ (ceiling {c} − floor {f}){}",
            clamp_note(*value, normalised, shown),
            c = fmt(*ceiling),
            p = fmt(*price),
            f = fmt(*floor)
        ),
        Basis::Deduction {
            k,
            pmin,
            own,
            price,
            value,
        } => write!(
            out,
            "{}1 − k {} × (price {} − {}) ÷ {}{}",
            own_prefix(*own, "price"),
            fmt(*k),
            fmt(*price),
            reference(*own, "lowest compliant price", *pmin),
            fmt(*pmin),
            clamp_note(*value, normalised, shown)
        ),
        Basis::Moderated { score, top } => {
            write!(
                out,
                "moderated score {} ÷ top level {} = {}",
                fmt(*score),
                fmt(*top),
                shown
            )
        }
        Basis::EvaluatorMean { count, score, top } => write!(
            out,
            "mean of {count} evaluator score(s) {} (not yet moderated) ÷ top level {} = {}",
            fmt(*score),
            fmt(*top),
            shown
        ),
        Basis::TopNotPositive { score, top } => match top {
            Some(top) => write!(
                out,
                "score {} cannot be normalised because the scale's top level {} is not positive, so 0",
                fmt(*score),
                fmt(*top)
            ),
            None => write!(
                out,
                "score {} cannot be normalised because the scale has no levels, so 0",
                fmt(*score)
            ),
        },
        Basis::Unscored => out.write_str("no moderated or evaluator score yet, so 0"),
        Basis::QuantityMissing => out.write_str("no committed quantity, so 0"),
        Basis::RelativeHigher {
            value,
            best,
            own,
            ratio,
        } => write!(
            out,
            "{}committed {} ÷ {}{}",
            own_prefix(*own, "commitment"),
            fmt(*value),
            reference(*own, "best compliant commitment", *best),
            clamp_note(*ratio, normalised, shown)
        ),
        Basis::RelativeHigherNotPositive { value, best } => {
            write!(
                out,
                "committed {} against best {}: a ratio needs both positive, so 0",
                fmt(*value),
                fmt(*best)
            )
        }
        Basis::RelativeLower {
            value,
            best,
            own,
            ratio,
        } => write!(
            out,
            "{}{} ÷ committed {}{}",
            own_prefix(*own, "commitment"),
            reference(*own, "best compliant commitment", *best),
            fmt(*value),
            clamp_note(*ratio, normalised, shown)
        ),
        Basis::LowerNothing { value } => {
            write!(
                out,
                "committed {} (nothing, the best possible where lower is better) = 1",
                fmt(*value)
            )
        }
        Basis::Linear {
            value,
            threshold,
            target,
            ratio,
        } => write!(
            out,
            "(committed {v} − threshold {t}) ÷ (target {g} − threshold {t}){}",
            clamp_note(*ratio, normalised, shown),
            v = fmt(*value),
            t = fmt(*threshold),
            g = fmt(*target)
        ),
        Basis::LinearStep {
            value,
            target,
            direction,
        } => {
            let side = match direction {
                Direction::HigherBetter => "at or above",
                Direction::LowerBetter => "at or below",
            };
            write!(
                out,
                "threshold equals target {}: committed {} must be {side} it, so {}",
                fmt(*target),
                fmt(*value),
                shown
            )
        }
        Basis::Gate { declared } => match declared {
            Some(true) => out.write_str("gate passed; pass/fail only, 0 points"),
            Some(false) => out.write_str("gate not passed, so the bid is excluded; 0 points"),
            None => out.write_str(
                "gate not declared, which counts as not passed, so the bid is excluded; 0 points",
            ),
        },
    };
}

/// Rounds for display and writes the sentences: ranked bids by rank, then the excluded ones
/// by bid id.
pub(crate) fn build_result(
    input: &EvaluationInput,
    assessment: &Assessment<'_>,
) -> EvaluationResult {
    let criteria = &input.model.criteria;
    let excluded = assessment
        .bids
        .iter()
        .enumerate()
        .filter(|(_, a)| !a.exclusions.is_empty())
        .map(|(i, _)| i);
    let order: Vec<usize> = assessment.ranked.iter().copied().chain(excluded).collect();
    // The same for every bid: written once.
    let weight_shown: Vec<(Decimal, String)> = assessment
        .weights
        .iter()
        .map(|w| (display(*w), format!("; × weight {} = ", display(*w))))
        .collect();
    let bids = order
        .iter()
        .filter_map(|i| assessment.bids.get(*i))
        .map(|a| {
            let results = criteria
                .iter()
                .zip(&a.scores)
                .zip(assessment.weights.iter().zip(&weight_shown))
                .map(
                    |((criterion, score), (weight, (weight_display, weight_text)))| {
                        let points = display(weight.saturating_mul(score.normalised));
                        let normalised = display(score.normalised);
                        let mut explanation = String::with_capacity(160);
                        describe(&mut explanation, &score.basis, score.normalised, normalised);
                        if score.source != ScoreSource::Gate {
                            // Writing to a String cannot fail.
                            explanation.push_str(weight_text);
                            let _ = write!(explanation, "{points} points");
                        }
                        CriterionResult {
                            code: criterion.code.clone(),
                            category: criterion.category,
                            weight: *weight_display,
                            raw: score.raw.map(display),
                            normalised,
                            points,
                            source: score.source,
                            explanation,
                        }
                    },
                )
                .collect();
            BidResult {
                bid_id: a.bid.bid_id.clone(),
                supplier_name: a.bid.supplier_name.clone(),
                price: display(a.bid.price),
                rank: a.rank,
                total: display(a.total),
                subtotals: a
                    .subtotals
                    .iter()
                    .map(|(category, (points, available))| CategorySubtotal {
                        category: *category,
                        points: display(*points),
                        available: display(*available),
                    })
                    .collect(),
                price_per_quality_point: a.ppqp.map(display),
                criteria: results,
                excluded: !a.exclusions.is_empty(),
                exclusions: a.exclusions.clone(),
                flags: a.flags.clone(),
            }
        })
        .collect();
    EvaluationResult {
        engine_version: ENGINE_VERSION.to_string(),
        award_method: input.award_method,
        winner: assessment.winner().map(str::to_string),
        bids,
    }
}
