//! Rule 10: rounding for display and the sentence behind every figure.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use crate::domain::scoring::display;
use crate::domain::scoring::result::{
    BidResult, CategorySubtotal, CriterionResult, ENGINE_VERSION, EvaluationResult, ScoreSource,
};
use crate::domain::tender::{Direction, EvaluationInput};

use super::assess::{Assessment, Basis};

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
