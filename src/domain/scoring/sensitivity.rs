//! Decision support: how robust is the winner?
//!
//! 1. Weight thresholds, exact: for each weighted criterion, the nearest weight (up and down)
//!    at which another bid's total equals the winner's, other weights rescaled in proportion.
//! 2. Rank reversal: would removing a losing bid change the winner? (Possible with relative
//!    formulas such as lowest-price ratio; impossible with fixed bounds.)
//! 3. Monte Carlo: how often the winner survives random perturbations of every weight.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::tender::{
    AwardMethod, BidInput, Direction, EvaluationInput, QuantityScoring, ScoringMethod,
};

use super::display;
use super::engine::{Assessed, Assessment, assess, declared_weights, ratio};
use super::monte_carlo::{self, MonteCarloResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityOptions {
    /// Monte Carlo draws, capped at [`super::MAX_DRAWS`].
    pub draws: u32,
    /// Each weight moves by up to ± this percent of itself in a draw (clamped to 0..=100).
    #[serde(with = "rust_decimal::serde::str")]
    pub spread_percent: Decimal,
    pub seed: u64,
}

impl Default for SensitivityOptions {
    fn default() -> Self {
        Self {
            draws: 1000,
            spread_percent: Decimal::from(20),
            seed: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitivityReport {
    pub winner: Option<String>,
    /// One per criterion with weight > 0, in model order; empty unless `weighted_score`.
    pub weights: Vec<WeightSensitivity>,
    /// One per eligible non-winning bid, by bid id.
    pub rank_reversal: Vec<RankReversalCheck>,
    pub monte_carlo: MonteCarloResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightSensitivity {
    pub code: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// The smallest increase of this weight that makes another bid's total equal the winner's.
    pub increase: Option<WeightChange>,
    /// The smallest decrease that does.
    pub decrease: Option<WeightChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightChange {
    #[serde(with = "rust_decimal::serde::str")]
    pub to_weight: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub delta: Decimal,
    pub new_winner: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankReversalCheck {
    pub removed_bid: String,
    pub winner_after: Option<String>,
    pub winner_changes: bool,
}

/// Sensitivity of the declared evaluation of `input`.
pub fn sensitivity(input: &EvaluationInput, options: &SensitivityOptions) -> SensitivityReport {
    let assessment = assess(input, input.bids.iter().collect(), declared_weights(input));
    let weights = if input.award_method == AwardMethod::WeightedScore {
        weight_sensitivities(input, &assessment)
    } else {
        Vec::new()
    };
    SensitivityReport {
        winner: assessment.winner().map(str::to_string),
        weights,
        rank_reversal: rank_reversal(input, &assessment),
        monte_carlo: monte_carlo::run(input, &assessment, options),
    }
}

/// A crossing found by `thresholds`: the exact change of the weight and the bid (index into
/// `Assessment::bids`) whose total meets the winner's there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Crossing {
    pub delta: Decimal,
    pub bid: usize,
}

fn weight_sensitivities(input: &EvaluationInput, a: &Assessment<'_>) -> Vec<WeightSensitivity> {
    let change = |c: Option<Crossing>, weight: Decimal| {
        c.and_then(|c| {
            a.bids.get(c.bid).map(|b| WeightChange {
                to_weight: display(weight.saturating_add(c.delta)),
                delta: display(c.delta),
                new_winner: b.bid.bid_id.clone(),
            })
        })
    };
    input
        .model
        .criteria
        .iter()
        .zip(&a.weights)
        .enumerate()
        .filter(|(_, (_, w))| **w > Decimal::ZERO)
        .map(|(k, (criterion, weight))| {
            let (increase, decrease) = thresholds(a, k);
            WeightSensitivity {
                code: criterion.code.clone(),
                weight: display(*weight),
                increase: change(increase, *weight),
                decrease: change(decrease, *weight),
            }
        })
        .collect()
}

/// Exact weight thresholds of criterion `k`, no search.
///
/// Normalised scores and exclusions are held fixed: they do not depend on the weights, except
/// category minimums, which are held at their declared evaluation. With S the sum of the
/// weights (100 in a valid model), setting w_k to w_k + d and rescaling every other weight by
/// (S − w_k − d)/(S − w_k) gives each eligible bid
///   T_i(d) = s_ik·(w_k + d) + R_i·(S − w_k − d)/(S − w_k),   R_i = Σ_{j≠k} w_j·s_ij.
/// With c = S − w_k, a = s_ik − s_Wk and ΔR = R_i − R_W against the winner W, the gap
/// c·(T_i − T_W)(d) = c·(w_k·a + ΔR) + (a·c − ΔR)·d is linear in d, so the crossing is the
/// fraction d* = −c·(w_k·a + ΔR) / (a·c − ΔR). A bid overtakes on an increase when the slope is
/// positive and on a decrease when it is negative; d must stay within [−w_k, c].
///
/// The gap is built from per-criterion differences (s_ij − s_Wj), never from rounded totals,
/// so scores that are equal (thirds included) cancel exactly; and d* stays a fraction: its
/// bounds and the nearest crossing are decided by cross-multiplying, and the ends are exact —
/// the crossing is at weight 100 exactly when a = 0, and at weight 0 exactly when ΔR = 0. The
/// nearest crossing wins (equal: lower bid id). Only totals are compared: within 0.01 of the
/// crossing the tie-break rules decide.
pub(crate) fn thresholds(a: &Assessment<'_>, k: usize) -> (Option<Crossing>, Option<Crossing>) {
    let Some(w_k) = a.weights.get(k).copied() else {
        return (None, None);
    };
    let sum = a
        .weights
        .iter()
        .fold(Decimal::ZERO, |acc, w| acc.saturating_add(*w));
    let c = sum.saturating_sub(w_k);
    // w_k = S (no other weight to rescale) or a negative remainder: nothing to move.
    if c <= Decimal::ZERO || w_k <= Decimal::ZERO {
        return (None, None);
    }
    let Some(winner) = a.ranked.first().and_then(|i| a.bids.get(*i)) else {
        return (None, None);
    };
    let score =
        |bid: &Assessed<'_>, j: usize| bid.scores.get(j).map_or(Decimal::ZERO, |s| s.normalised);

    let mut up: Option<(Fraction, usize)> = None;
    let mut down: Option<(Fraction, usize)> = None;
    // Eligible bids in bid-id order (`bids` is sorted by id), so a strict "nearer" test keeps
    // the lower bid id on equal crossings.
    let mut eligible: Vec<usize> = a.ranked.iter().skip(1).copied().collect();
    eligible.sort_unstable();
    for i in eligible {
        let Some(bid) = a.bids.get(i) else { continue };
        let a_diff = score(bid, k).saturating_sub(score(winner, k));
        let delta_r = a.weights.iter().enumerate().filter(|(j, _)| *j != k).fold(
            Decimal::ZERO,
            |acc, (j, w)| {
                let diff = score(bid, j).saturating_sub(score(winner, j));
                if diff.is_zero() {
                    acc
                } else {
                    acc.saturating_add(w.saturating_mul(diff))
                }
            },
        );
        let slope = a_diff.saturating_mul(c).saturating_sub(delta_r);
        if slope.is_zero() {
            continue; // parallel: the gap never closes
        }
        let d = if a_diff.is_zero() {
            Fraction::whole(c)
        } else if delta_r.is_zero() {
            Fraction::whole(-w_k)
        } else {
            let gap = w_k.saturating_mul(a_diff).saturating_add(delta_r);
            Fraction::new(
                c.saturating_mul(gap).saturating_mul(Decimal::NEGATIVE_ONE),
                slope,
            )
        };
        if slope > Decimal::ZERO && d.gt(Decimal::ZERO) && d.le(c) {
            if up.is_none_or(|(u, _)| d.lt(&u)) {
                up = Some((d, i));
            }
        } else if slope < Decimal::ZERO
            && d.lt_whole(Decimal::ZERO)
            && !d.lt_whole(-w_k)
            && down.is_none_or(|(u, _)| u.lt(&d))
        {
            down = Some((d, i));
        }
    }
    let crossing = |found: Option<(Fraction, usize)>| {
        found.and_then(|(d, bid)| d.value().map(|delta| Crossing { delta, bid }))
    };
    (crossing(up), crossing(down))
}

/// An exact fraction `num / den` with `den > 0`, compared by cross-multiplying.
#[derive(Debug, Clone, Copy)]
struct Fraction {
    num: Decimal,
    den: Decimal,
}

impl Fraction {
    fn whole(value: Decimal) -> Self {
        Self {
            num: value,
            den: Decimal::ONE,
        }
    }

    /// `den` must not be zero; the sign moves to the numerator.
    fn new(num: Decimal, den: Decimal) -> Self {
        if den < Decimal::ZERO {
            Self {
                num: -num,
                den: -den,
            }
        } else {
            Self { num, den }
        }
    }

    fn lt(&self, other: &Fraction) -> bool {
        self.num.saturating_mul(other.den) < other.num.saturating_mul(self.den)
    }

    fn lt_whole(&self, value: Decimal) -> bool {
        self.lt(&Fraction::whole(value))
    }

    fn gt(&self, value: Decimal) -> bool {
        Fraction::whole(value).lt(self)
    }

    fn le(&self, value: Decimal) -> bool {
        !Fraction::whole(value).lt(self)
    }

    /// The one division, for display.
    fn value(&self) -> Option<Decimal> {
        ratio(self.num, self.den)
    }
}

/// For each eligible non-winning bid (by bid id), the evaluation re-run without it.
///
/// A losing bid changes the others' scores only if it sets a reference a relative formula
/// compares against: the lowest compliant price (lowest ratio, deduction) or the best compliant
/// commitment of a relative-to-best quantity. Otherwise every remaining total, exclusion and
/// tie-break is what it was, so the winner stands and the evaluation is not re-run (flags such
/// as abnormally low do not rank).
fn rank_reversal(input: &EvaluationInput, a: &Assessment<'_>) -> Vec<RankReversalCheck> {
    let winner = a.winner();
    let references = References::of(input, a);
    let mut losers: Vec<&Assessed<'_>> = a
        .ranked
        .iter()
        .skip(1)
        .filter_map(|i| a.bids.get(*i))
        .collect();
    losers.sort_unstable_by(|x, y| x.bid.bid_id.cmp(&y.bid.bid_id));
    losers
        .into_iter()
        .map(|loser| {
            let removed = loser.bid.bid_id.as_str();
            let winner_after = if references.set_by(loser.bid) {
                let bids = input.bids.iter().filter(|b| b.bid_id != removed).collect();
                assess(input, bids, a.weights.clone())
                    .winner()
                    .map(str::to_string)
            } else {
                winner.map(str::to_string)
            };
            RankReversalCheck {
                removed_bid: removed.to_string(),
                winner_changes: winner_after.as_deref() != winner,
                winner_after,
            }
        })
        .collect()
}

/// The reference figures of the declared evaluation that relative formulas use.
struct References<'a> {
    /// The lowest compliant price, when a criterion scores price relatively.
    pmin: Option<Decimal>,
    /// (criterion code, best compliant commitment) of each relative-to-best quantity.
    best: Vec<(&'a str, Decimal)>,
}

impl<'a> References<'a> {
    fn of(input: &'a EvaluationInput, a: &Assessment<'_>) -> Self {
        let compliant = || a.bids.iter().filter(|b| b.compliant).map(|b| b.bid);
        let relative_price = input.model.criteria.iter().any(|c| {
            matches!(
                c.method,
                ScoringMethod::LowestRatio | ScoringMethod::Deduction { .. }
            )
        });
        let best = input
            .model
            .criteria
            .iter()
            .filter_map(|c| match &c.method {
                ScoringMethod::Quantity {
                    direction,
                    scoring: QuantityScoring::RelativeToBest,
                } => {
                    let values = compliant().filter_map(|b| b.quantities.get(&c.code).copied());
                    let best = match direction {
                        Direction::HigherBetter => values.max(),
                        Direction::LowerBetter => values.min(),
                    };
                    best.map(|b| (c.code.as_str(), b))
                }
                _ => None,
            })
            .collect();
        Self {
            pmin: compliant()
                .map(|b| b.price)
                .min()
                .filter(|_| relative_price),
            best,
        }
    }

    /// Whether `bid` holds one of the references (alone or tied: either way, re-run).
    fn set_by(&self, bid: &BidInput) -> bool {
        self.pmin == Some(bid.price)
            || self
                .best
                .iter()
                .any(|(code, best)| bid.quantities.get(*code) == Some(best))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::tender::{Category, ScoringMethod};

    /// PRICE linear 0..200 at 40, Q1 and Q2 scales at 30 each.
    /// A: price 100 → 0.5, Q1 5 → 1, Q2 3 → 0.6: 20 + 30 + 18 = 68.
    /// B: price 60 → 0.7, Q1 3 → 0.6, Q2 4 → 0.8: 28 + 18 + 24 = 70 (winner).
    /// C: price 40 → 0.8, Q1 2 → 0.4, Q2 2 → 0.4: 32 + 12 + 12 = 56.
    fn three_bids() -> EvaluationInput {
        weighted(
            vec![
                price("PRICE", "40", linear_bounds("0", "200")),
                scale("Q1", Category::Quality, "30"),
                scale("Q2", Category::Quality, "30"),
            ],
            vec![
                bid("A", "100").moderated("Q1", "5").moderated("Q2", "3"),
                bid("B", "60").moderated("Q1", "3").moderated("Q2", "4"),
                bid("C", "40").moderated("Q1", "2").moderated("Q2", "2"),
            ],
        )
    }

    fn change(to: &str, delta: &str, who: &str) -> Option<WeightChange> {
        Some(WeightChange {
            to_weight: d(to),
            delta: d(delta),
            new_winner: who.to_string(),
        })
    }

    #[test]
    fn weight_thresholds_by_hand() {
        let report = sensitivity(&three_bids(), &SensitivityOptions::default());
        assert_eq!(report.winner.as_deref(), Some("B"));
        let by_code = |code: &str| {
            report
                .weights
                .iter()
                .find(|w| w.code == code)
                .cloned()
                .unwrap()
        };
        // PRICE (w 40, c = 60).
        // A: a = 0.5 − 0.7 = −0.2, ΔR = 48 − 42 = 6, D0 = −2, slope = −0.2·60 − 6 = −18,
        //    d* = −60·(−2)/(−18) = −6.666667 → down to 33.333333.
        // C: a = 0.1, ΔR = 24 − 42 = −18, D0 = −14, slope = 6 + 18 = 24, d* = 840/24 = 35 → 75.
        let p = by_code("PRICE");
        assert_eq!(p.weight, d("40"));
        assert_eq!(p.increase, change("75", "35", "C"));
        assert_eq!(p.decrease, change("33.333333", "-6.666667", "A"));
        // Q1 (w 30, c = 70). A: a = 0.4, ΔR = 38 − 52 = −14, slope = 28 + 14 = 42,
        //    d* = 140/42 = 3.333333 → 33.333333. C: slope = −14 + 8 = −6, d* = −163.3 < −30.
        let q1 = by_code("Q1");
        assert_eq!(q1.increase, change("33.333333", "3.333333", "A"));
        assert_eq!(q1.decrease, None);
        // Q2 (w 30, c = 70). A: a = −0.2, ΔR = 50 − 46 = 4, slope = −14 − 4 = −18,
        //    d* = 140/(−18) = −7.777778 → 22.222222. C: slope −26, d* = −37.7 < −30: out.
        let q2 = by_code("Q2");
        assert_eq!(q2.increase, None);
        assert_eq!(q2.decrease, change("22.222222", "-7.777778", "A"));
        assert_eq!(
            report
                .weights
                .iter()
                .map(|w| w.code.as_str())
                .collect::<Vec<_>>(),
            vec!["PRICE", "Q1", "Q2"]
        );
    }

    #[test]
    fn at_each_threshold_the_totals_meet() {
        let input = three_bids();
        let declared = assess(
            &input,
            input.bids.iter().collect(),
            declared_weights(&input),
        );
        let tolerance = d("0.000000001");
        let mut checked = 0;
        for k in 0..3 {
            let (up, down) = thresholds(&declared, k);
            for crossing in [up, down].into_iter().flatten() {
                // w_k + d, others × (c − d)/c with c = 100 − w_k.
                let w_k = declared.weights[k];
                let c = Decimal::ONE_HUNDRED - w_k;
                let factor = (c - crossing.delta) / c;
                let weights: Vec<Decimal> = declared
                    .weights
                    .iter()
                    .enumerate()
                    .map(|(j, w)| {
                        if j == k {
                            w_k + crossing.delta
                        } else {
                            *w * factor
                        }
                    })
                    .collect();
                let sum: Decimal = weights.iter().copied().sum();
                assert!((sum - Decimal::ONE_HUNDRED).abs() < tolerance);
                let after = assess(&input, input.bids.iter().collect(), weights);
                let total = |id: &str| {
                    after
                        .bids
                        .iter()
                        .find(|b| b.bid.bid_id == id)
                        .unwrap()
                        .total
                };
                let new_winner = &declared.bids[crossing.bid].bid.bid_id;
                assert!((total("B") - total(new_winner)).abs() < tolerance);
                checked += 1;
            }
        }
        assert_eq!(checked, 4);
    }

    /// Recurring decimals in the normalised scores (a price ratio of 100/191) must not push a
    /// crossing that lies exactly at a weight of 100 or 0 off the range.
    #[test]
    fn a_tie_exactly_at_either_end_of_the_weight_range_is_reported() {
        let criteria = || {
            vec![
                price("P", "30", ScoringMethod::LowestRatio),
                scale("Q1", Category::Quality, "40"),
                scale("Q2", Category::Quality, "30"),
            ]
        };
        // W 30 + 40 + 18 = 88; I 15.7 + 40 + 30: equal on Q1, so Q1 at 100 ties them.
        let input = weighted(
            criteria(),
            vec![
                bid("I", "191").moderated("Q1", "5").moderated("Q2", "5"),
                bid("W", "100").moderated("Q1", "5").moderated("Q2", "3"),
                bid("X", "200").moderated("Q1", "0").moderated("Q2", "0"),
            ],
        );
        let report = sensitivity(&input, &SensitivityOptions::default());
        assert_eq!(report.winner.as_deref(), Some("W"));
        let q1 = report.weights.iter().find(|w| w.code == "Q1").unwrap();
        assert_eq!(q1.increase, change("100", "60", "I"));
        // I and W equal but for price (100/191 against 1), so price at 0 ties them.
        let input = weighted(
            criteria(),
            vec![
                bid("I", "191").moderated("Q1", "5").moderated("Q2", "4"),
                bid("W", "100").moderated("Q1", "5").moderated("Q2", "4"),
            ],
        );
        let report = sensitivity(&input, &SensitivityOptions::default());
        let p = report.weights.iter().find(|w| w.code == "P").unwrap();
        assert_eq!(p.decrease, change("0", "-30", "I"));
    }

    #[test]
    fn no_thresholds_when_one_criterion_holds_all_weight_or_for_other_methods() {
        let input = weighted(
            vec![price("P", "100", linear_bounds("0", "200"))],
            vec![bid("A", "100"), bid("B", "150")],
        );
        let report = sensitivity(&input, &SensitivityOptions::default());
        assert_eq!(report.weights.len(), 1);
        assert_eq!(report.weights[0].increase, None);
        assert_eq!(report.weights[0].decrease, None);

        let mut ppqp = three_bids();
        ppqp.award_method = AwardMethod::PricePerQualityPoint;
        assert!(
            sensitivity(&ppqp, &SensitivityOptions::default())
                .weights
                .is_empty()
        );
    }

    /// The shortcut (re-run only when the removed bid sets a reference) gives what re-running
    /// every removal gives, on generated tenders of every shape the fixture makes.
    #[test]
    fn rank_reversal_agrees_with_re_running_every_removal() {
        for seed in [1, 7, 2024] {
            for (bids, criteria) in [(12, 6), (30, 10), (100, 50)] {
                let input = crate::domain::scoring::fixtures::sample_input(bids, criteria, 3, seed);
                let declared = assess(
                    &input,
                    input.bids.iter().collect(),
                    declared_weights(&input),
                );
                let shortcut = rank_reversal(&input, &declared);
                let winner = declared.winner();
                let mut brute: Vec<(String, Option<String>)> = declared
                    .ranked
                    .iter()
                    .skip(1)
                    .filter_map(|i| declared.bids.get(*i))
                    .map(|l| {
                        let removed = l.bid.bid_id.clone();
                        let rest = input.bids.iter().filter(|b| b.bid_id != removed).collect();
                        let after = assess(&input, rest, declared.weights.clone());
                        (removed, after.winner().map(str::to_string))
                    })
                    .collect();
                brute.sort();
                let got: Vec<(String, Option<String>)> = shortcut
                    .iter()
                    .map(|c| (c.removed_bid.clone(), c.winner_after.clone()))
                    .collect();
                assert_eq!(got, brute, "seed {seed}, {bids} bids × {criteria} criteria");
                assert!(
                    shortcut
                        .iter()
                        .all(|c| c.winner_changes == (c.winner_after.as_deref() != winner))
                );
            }
        }
    }

    #[test]
    fn rank_reversal_checks_each_losing_bid() {
        // Bounded linear price: removing a loser never changes the winner.
        let report = sensitivity(&three_bids(), &SensitivityOptions::default());
        assert_eq!(
            report.rank_reversal,
            vec![
                RankReversalCheck {
                    removed_bid: "A".into(),
                    winner_after: Some("B".into()),
                    winner_changes: false
                },
                RankReversalCheck {
                    removed_bid: "C".into(),
                    winner_after: Some("B".into()),
                    winner_changes: false
                },
            ]
        );
        // Lowest-price ratio (P 45, Q 55). With C: Pmin 80.
        //   A 100, Q 1: 45 × 0.8 + 55 × 0.2 = 36 + 11 = 47
        //   B 200, Q 3: 45 × 0.4 + 55 × 0.6 = 18 + 33 = 51  ← winner
        //   C  80, Q 0: 45 × 1 + 0 = 45
        // Without C: Pmin 100. A 45 + 11 = 56; B 22.5 + 33 = 55.5: A wins.
        let input = weighted(
            vec![
                price("P", "45", ScoringMethod::LowestRatio),
                scale("Q", Category::Quality, "55"),
            ],
            vec![
                bid("A", "100").moderated("Q", "1"),
                bid("B", "200").moderated("Q", "3"),
                bid("C", "80").moderated("Q", "0"),
            ],
        );
        let report = sensitivity(&input, &SensitivityOptions::default());
        assert_eq!(report.winner.as_deref(), Some("B"));
        assert_eq!(
            report.rank_reversal,
            vec![
                RankReversalCheck {
                    removed_bid: "A".into(),
                    winner_after: Some("B".into()),
                    winner_changes: false
                },
                RankReversalCheck {
                    removed_bid: "C".into(),
                    winner_after: Some("A".into()),
                    winner_changes: true
                },
            ]
        );
    }
}
