//! Rule 9: ranking by the award method, ties within 0.01 settled by the declared rules.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use crate::domain::scoring::result::{Flag, FlagKind};
use crate::domain::tender::{AwardMethod, Category, TieBreakRule};

use super::assess::Assessed;

/// Two adjacent bids whose ranking metric differs by less than this are tied: 0.01 is the
/// precision at which points (and pounds) are read, so a smaller gap is not a real difference
/// and the declared tie-break rules decide instead.
pub(crate) const TIE_BAND: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

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
pub(super) fn rank(
    bids: &mut [Assessed<'_>],
    method: AwardMethod,
    rules: &[TieBreakRule],
) -> Vec<usize> {
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
