//! Rules 1, 7 and 8: which bids are excluded (status, gates, minimums) and which low prices
//! are flagged.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::domain::scoring::display;
use crate::domain::scoring::result::{Exclusion, ExclusionReason, Flag, FlagKind};
use crate::domain::tender::{
    BidInput, BidStatus, Category, Criterion, EvaluationInput, ScoringMethod,
};

use super::assess::{Assessed, Scored};
use super::ratio;

/// Rule 1: status, then one exclusion per failed gate (a gate not declared is not passed).
pub(super) fn status_and_gate_exclusions(criteria: &[Criterion], bid: &BidInput) -> Vec<Exclusion> {
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

/// Rule 7: criterion and category minimums, added to `exclusions`.
pub(super) fn minimum_exclusions(
    input: &EvaluationInput,
    scores: &[Scored],
    subtotals: &BTreeMap<Category, (Decimal, Decimal)>,
    exclusions: &mut Vec<Exclusion>,
) {
    let criteria = &input.model.criteria;
    // Rule 7, criterion minimums: normalised × 100 < minimum excludes. One pass: the
    // references (`assess`) are not recomputed after these exclusions, so every bid is measured
    // against the same compliant field the panel saw.
    for (criterion, score) in criteria.iter().zip(scores) {
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
}

/// Rule 8, PA 2023 s.34 abnormally low tenders: a compliant bid priced more than
/// `percent`% below the mean of the *other* compliant bids is flagged so the authority asks
/// the supplier to explain (it is not excluded: s.34 requires asking first).
pub(super) fn flag_abnormally_low(bids: &mut [Assessed<'_>], percent: Decimal) {
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

pub(crate) fn category_name(category: Category) -> &'static str {
    match category {
        Category::Price => "price",
        Category::Quality => "quality",
        Category::SocialValue => "social value",
        Category::MissionAlignment => "mission alignment",
        Category::Conditionality => "conditionality",
    }
}
