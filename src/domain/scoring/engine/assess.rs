//! Rules 1, 6 and 9 (price per quality point): the full-precision figures of an evaluation.
//! `assess` sets the references, scores every bid, weighs, excludes, flags and ranks.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::scoring::display;
use crate::domain::scoring::result::{Exclusion, ExclusionReason, Flag, ScoreSource};
use crate::domain::tender::{
    AwardMethod, BidInput, Category, Direction, EvaluationInput, QuantityScoring, ScoringMethod,
};

use super::exclusions::{flag_abnormally_low, minimum_exclusions, status_and_gate_exclusions};
use super::normalise::score_criterion;
use super::rank::rank;
use super::ratio;

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

/// A total order on bids independent of the input order: by id, and should two bids share an
/// id (the service prevents it), by their other fields, so the output is still deterministic.
fn bid_key(a: &BidInput, b: &BidInput) -> Ordering {
    a.bid_id
        .cmp(&b.bid_id)
        .then_with(|| a.supplier_name.cmp(&b.supplier_name))
        .then_with(|| a.price.cmp(&b.price))
        .then_with(|| a.submitted_at.cmp(&b.submitted_at))
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

    // Rule 7: criterion and category minimums exclude, in one pass (see `exclusions`).
    minimum_exclusions(input, &scores, &subtotals, &mut exclusions);

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
