//! Rules 2 to 5: each criterion's normalised score (0..=1) and the figures behind it.

use rust_decimal::Decimal;

use crate::domain::scoring::result::{Flag, FlagKind, ScoreSource};
use crate::domain::scoring::{display, unit};
use crate::domain::tender::{BidInput, Criterion, Direction, QuantityScoring, ScoringMethod};

use super::assess::{Basis, Scored};
use super::ratio;

pub(super) fn score_criterion(
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
