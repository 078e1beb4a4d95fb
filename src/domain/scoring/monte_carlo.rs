//! Monte Carlo robustness of the winner under random weight perturbations.
//!
//! Integer fixed point throughout (never floating point): normalised scores and weights are
//! converted once to integers at 10^9, and each draw is pure integer arithmetic; the draws'
//! weights all come from one generator before the totals are shared between threads, so the
//! counts do not depend on how many threads ran. The random
//! numbers come from xoshiro256** seeded by splitmix64 (Blackman & Vigna), written here so
//! the same seed gives the same counts on every machine and every version of every crate.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::domain::tender::{AwardMethod, Category, EvaluationInput};

use super::display;
use super::engine::{Assessment, ratio};
use super::sensitivity::SensitivityOptions;

/// Draws are capped so one request cannot hold a worker for long (about 16 ms for 10,000 on
/// the benchmark's 100 bids × 50 criteria); the API refuses more (`crate::limits`).
pub const MAX_DRAWS: u32 = 10_000;

/// Fixed-point scale: 10^9 keeps 9 decimal places of every score and weight.
const SCALE: i128 = 1_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonteCarloResult {
    /// Draws actually run (after the cap).
    pub draws: u32,
    /// Spread actually used (clamped to 0..=100).
    #[serde(with = "rust_decimal::serde::str")]
    pub spread_percent: Decimal,
    pub seed: u64,
    /// Every eligible bid, by share descending then bid id.
    pub wins: Vec<BidWinShare>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidWinShare {
    pub bid_id: String,
    pub wins: u32,
    /// wins ÷ draws, 4 dp half away from zero.
    #[serde(with = "rust_decimal::serde::str")]
    pub share: Decimal,
}

/// xoshiro256** (Blackman & Vigna, 2018), state expanded from the seed by splitmix64 so that
/// any seed, 0 included, gives a non-zero state.
pub(crate) struct Xoshiro256 {
    a: u64,
    b: u64,
    c: u64,
    d: u64,
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Xoshiro256 {
    pub fn new(seed: u64) -> Self {
        let mut state = seed;
        Self {
            a: splitmix64(&mut state),
            b: splitmix64(&mut state),
            c: splitmix64(&mut state),
            d: splitmix64(&mut state),
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.b.wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.b << 17;
        self.c ^= self.a;
        self.d ^= self.b;
        self.b ^= self.c;
        self.a ^= self.d;
        self.c ^= t;
        self.d = self.d.rotate_left(45);
        result
    }

    /// Uniform integer in `0..n` (n > 0) by the multiply-high method (Lemire): the bias is
    /// below n / 2^64, far under anything a share at 4 dp can show.
    pub fn below(&mut self, n: u64) -> u64 {
        // The high half of a 64 × 64-bit product always fits in 64 bits.
        u64::try_from((u128::from(self.next_u64()) * u128::from(n)) >> 64).unwrap_or(u64::MAX)
    }

    /// u uniform in [−1, 1], as a multiple of 1/SCALE.
    fn unit_interval(&mut self) -> i128 {
        // 2·SCALE + 1 values: −SCALE..=SCALE.
        i128::from(self.below(2_000_000_001)) - SCALE
    }
}

/// `value` × 10^9 rounded half away from zero, saturating (Decimal's range fits in i128).
fn to_fixed(value: Decimal) -> i128 {
    let scaled = value
        .saturating_mul(Decimal::from(1_000_000_000u64))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let mut mantissa = scaled.mantissa();
    for _ in 0..scaled.scale() {
        mantissa /= 10;
    }
    mantissa
}

/// Runs the draws over the eligible bids of the declared evaluation (exclusions held fixed).
///
/// In each draw every weighted criterion's weight w becomes w·(1 + spread/100·u), u uniform
/// in [−1, 1], and the winner is the eligible bid with the highest Σ w'·s. The spec rescales
/// the w' to sum 100 first; rescaling multiplies every total by the same positive number and
/// cannot change which is highest, so it is skipped, which keeps the arithmetic exact.
/// Exact ties go to the bid ranked better in the declared evaluation.
///
/// For `price_per_quality_point` the winner of a draw is the lowest price ÷ quality points
/// (non-price criteria only); for `lowest_price_after_gates` weights play no part, so the
/// declared winner wins every draw.
pub(crate) fn run(
    input: &EvaluationInput,
    a: &Assessment<'_>,
    options: &SensitivityOptions,
) -> MonteCarloResult {
    let draws = options.draws.min(MAX_DRAWS);
    let spread = options
        .spread_percent
        .clamp(Decimal::ZERO, Decimal::ONE_HUNDRED);
    let spread_fp = to_fixed(ratio(spread, Decimal::ONE_HUNDRED).unwrap_or(Decimal::ZERO));

    // Criteria that carry weight, in model order (gates weigh 0 and drop out here).
    let weighted: Vec<(usize, i128, bool)> = input
        .model
        .criteria
        .iter()
        .zip(&a.weights)
        .enumerate()
        .filter(|(_, (_, w))| !w.is_zero())
        .map(|(j, (c, w))| (j, to_fixed(*w), c.category == Category::Price))
        .collect();
    let n = weighted.len();

    // Eligible bids in declared rank order: iterating in this order and replacing only on a
    // strictly better figure gives ties to the better-ranked bid.
    let eligible: Vec<usize> = a.ranked.clone();
    // Normalised scores (0..=1) at 10^9 fit an i64; products are taken in i128.
    let scores: Vec<i64> = eligible
        .iter()
        .filter_map(|i| a.bids.get(*i))
        .flat_map(|bid| {
            weighted.iter().map(move |(j, _, _)| {
                bid.scores.get(*j).map_or(0, |s| {
                    i64::try_from(to_fixed(s.normalised)).unwrap_or(i64::MAX)
                })
            })
        })
        .collect();
    // Prices relative to the largest, at 10^9: dividing every price by one positive number
    // keeps the order of price ÷ quality points and keeps the cross products within i128.
    let max_price = eligible
        .iter()
        .filter_map(|i| a.bids.get(*i))
        .map(|b| b.bid.price.abs())
        .max()
        .unwrap_or(Decimal::ZERO);
    let prices: Vec<i128> = eligible
        .iter()
        .filter_map(|i| a.bids.get(*i))
        .map(|b| to_fixed(ratio(b.bid.price, max_price).unwrap_or(Decimal::ZERO)))
        .collect();

    let mut wins = vec![0u32; eligible.len()];
    let method = input.award_method;
    if method == AwardMethod::LowestPriceAfterGates || n == 0 {
        // No weight in play (or no weighted criterion: every total is 0, an exact tie that
        // goes to the declared rank 1; under ppqp no bid is then eligible at all).
        if let Some(first) = wins.first_mut() {
            *first = draws;
        }
    } else {
        // Every draw's weights first, from one generator in draw order, so the figures are the
        // same however the draws are then shared between threads.
        let mut rng = Xoshiro256::new(options.seed);
        let mut perturbed: Vec<i64> =
            Vec::with_capacity(n.saturating_mul(usize::try_from(draws).unwrap_or(0)));
        for _ in 0..draws {
            for (_, w, _) in &weighted {
                // multiplier = 1 + spread/100 · u, at 10^9; never negative as spread ≤ 100,
                // so a perturbed weight is at most 2 · 100 · 10^9: an i64.
                let multiplier = SCALE + spread_fp.saturating_mul(rng.unit_interval()) / SCALE;
                perturbed
                    .push(i64::try_from(w.saturating_mul(multiplier) / SCALE).unwrap_or(i64::MAX));
            }
        }
        let ppqp = method == AwardMethod::PricePerQualityPoint;
        let winner_of = |weights: &[i64]| {
            if ppqp {
                draw_ppqp(weights, &weighted, &scores, &prices, n)
            } else {
                draw_weighted(weights, &scores, n)
            }
        };
        let count = |chunk: &[i64]| {
            let mut counts = vec![0u32; eligible.len()];
            for weights in chunk.chunks_exact(n) {
                if let Some(c) = winner_of(weights).and_then(|w| counts.get_mut(w)) {
                    *c = c.saturating_add(1);
                }
            }
            counts
        };
        // Two halves on two threads once there is enough work to pay for a thread.
        let threads = if draws >= 2_000 {
            std::thread::available_parallelism().map_or(1, |p| p.get().min(2))
        } else {
            1
        };
        let per_thread = n.saturating_mul(usize::try_from(draws).unwrap_or(0).div_ceil(threads));
        let partial: Vec<Vec<u32>> = if threads > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = perturbed
                    .chunks(per_thread.max(n))
                    .map(|chunk| scope.spawn(move || count(chunk)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_default())
                    .collect()
            })
        } else {
            vec![count(&perturbed)]
        };
        for counts in partial {
            for (total, c) in wins.iter_mut().zip(counts) {
                *total = total.saturating_add(c);
            }
        }
    }

    let mut shares: Vec<BidWinShare> = eligible
        .iter()
        .zip(&wins)
        .filter_map(|(i, w)| a.bids.get(*i).map(|b| (b, *w)))
        .map(|(b, w)| BidWinShare {
            bid_id: b.bid.bid_id.clone(),
            wins: w,
            share: ratio(Decimal::from(w), Decimal::from(draws))
                .unwrap_or(Decimal::ZERO)
                .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        })
        .collect();
    // Share descending; shares equal after rounding still list the bid with more wins first
    // (never contradicting the share order), then bid id.
    shares.sort_by(|x, y| {
        y.share
            .cmp(&x.share)
            .then_with(|| y.wins.cmp(&x.wins))
            .then_with(|| x.bid_id.cmp(&y.bid_id))
    });
    MonteCarloResult {
        draws,
        spread_percent: display(spread),
        seed: options.seed,
        wins: shares,
    }
}

/// Position (in rank order) of the highest Σ w'·s; scores are bid-major rows of `n`.
///
/// Plain integer arithmetic, no overflow checks: s ≤ 10^9 (a normalised score ≤ 1) and
/// w' ≤ 2·10^11 (a weight ≤ 100 at most doubled), so a product is ≤ 2·10^20 and a total over any
/// number of criteria a model can hold stays far below i128's 1.7·10^38.
fn draw_weighted(weights: &[i64], scores: &[i64], n: usize) -> Option<usize> {
    let mut best: Option<(usize, i128)> = None;
    for (position, row) in scores.chunks_exact(n.max(1)).enumerate() {
        let total: i128 = row
            .iter()
            .zip(weights)
            .map(|(s, w)| i128::from(*s) * i128::from(*w))
            .sum();
        if best.is_none_or(|(_, b)| total > b) {
            best = Some((position, total));
        }
    }
    best.map(|(position, _)| position)
}

/// Position of the lowest price ÷ quality points; p/q < p'/q' is tested as p·q' < p'·q
/// (q, q' > 0), so no division.
fn draw_ppqp(
    weights: &[i64],
    weighted: &[(usize, i128, bool)],
    scores: &[i64],
    prices: &[i128],
    n: usize,
) -> Option<usize> {
    let mut best: Option<(usize, i128, i128)> = None;
    for (position, (row, price)) in scores.chunks_exact(n.max(1)).zip(prices).enumerate() {
        let quality = row
            .iter()
            .zip(weights)
            .zip(weighted)
            .filter(|(_, (_, _, is_price))| !is_price)
            .fold(0i128, |acc, ((s, w), _)| {
                acc.saturating_add(i128::from(*s).saturating_mul(i128::from(*w)))
            });
        if quality <= 0 {
            continue;
        }
        let better =
            best.is_none_or(|(_, bp, bq)| price.saturating_mul(bq) < bp.saturating_mul(quality));
        if better {
            best = Some((position, *price, quality));
        }
    }
    best.map(|(position, _, _)| position)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::super::{SensitivityOptions, sensitivity};
    use super::*;
    use crate::domain::tender::Category;

    fn three_bids() -> EvaluationInput {
        // B 70, A 68, C 56 (see the sensitivity tests).
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

    fn options(draws: u32, spread: &str, seed: u64) -> SensitivityOptions {
        SensitivityOptions {
            draws,
            spread_percent: d(spread),
            seed,
        }
    }

    #[test]
    fn splitmix64_known_answer_and_bounded_draws() {
        // Reference value of splitmix64 from state 0 (Vigna's splitmix64.c).
        let mut state = 0u64;
        assert_eq!(splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
        let mut rng = Xoshiro256::new(42);
        for _ in 0..10_000 {
            let u = rng.unit_interval();
            assert!((-SCALE..=SCALE).contains(&u));
            assert!(rng.below(7) < 7);
        }
    }

    #[test]
    fn same_seed_same_counts_and_shares_sum_to_one() {
        let input = three_bids();
        let first = sensitivity(&input, &options(2000, "20", 9)).monte_carlo;
        let again = sensitivity(&input, &options(2000, "20", 9)).monte_carlo;
        assert_eq!(first, again);
        assert_eq!(first.draws, 2000);
        assert_eq!(first.wins.iter().map(|w| w.wins).sum::<u32>(), 2000);
        let shares: Decimal = first.wins.iter().map(|w| w.share).sum();
        // Each share is rounded to 4 dp: the sum is 1 within 3 × 0.00005.
        assert!((shares - Decimal::ONE).abs() <= d("0.00015"));
        // Every eligible bid is listed, by share descending: B leads by 2 points, so it wins
        // most draws, but ±20% on the weights lets A (68) win some.
        let ids: Vec<&str> = first.wins.iter().map(|w| w.bid_id.as_str()).collect();
        assert_eq!(ids.len(), 3);
        assert_eq!(ids[0], "B");
        assert!(first.wins[0].wins > 1000);
        assert!(first.wins.iter().any(|w| w.bid_id == "A" && w.wins > 0));
        // C (56) would need its weights moved far beyond ±20%.
        assert!(first.wins.iter().any(|w| w.bid_id == "C" && w.wins == 0));
        // A different seed draws different weights.
        let other = sensitivity(&input, &options(2000, "20", 10)).monte_carlo;
        assert_ne!(first.wins, other.wins);
    }

    #[test]
    fn fixed_point_draws_match_a_decimal_reference() {
        // The same PRNG stream replayed in Decimal, with the weights rescaled to sum 100 as the
        // rule states: the counts must be identical (the rescale cannot change an argmax).
        let input = three_bids();
        let mc = sensitivity(&input, &options(3000, "25", 77)).monte_carlo;
        let weights = [d("40"), d("30"), d("30")];
        // Normalised scores (PRICE, Q1, Q2), in declared rank order B, A, C.
        let bids = [
            ("B", [d("0.7"), d("0.6"), d("0.8")]),
            ("A", [d("0.5"), d("1"), d("0.6")]),
            ("C", [d("0.8"), d("0.4"), d("0.4")]),
        ];
        let mut rng = Xoshiro256::new(77);
        let mut wins = [0u32; 3];
        for _ in 0..3000 {
            let perturbed: Vec<Decimal> = weights
                .iter()
                .map(|w| {
                    let u = Decimal::from_i128_with_scale(rng.unit_interval(), 9);
                    *w * (Decimal::ONE + d("0.25") * u)
                })
                .collect();
            let sum: Decimal = perturbed.iter().copied().sum();
            let rescaled: Vec<Decimal> = perturbed
                .iter()
                .map(|w| *w * Decimal::ONE_HUNDRED / sum)
                .collect();
            let mut best: Option<(usize, Decimal)> = None;
            for (i, (_, s)) in bids.iter().enumerate() {
                let total: Decimal = s.iter().zip(&rescaled).map(|(s, w)| *s * *w).sum();
                if best.is_none_or(|(_, b)| total > b) {
                    best = Some((i, total));
                }
            }
            wins[best.unwrap().0] += 1;
        }
        for ((id, _), expected) in bids.iter().zip(wins) {
            let got = mc.wins.iter().find(|w| w.bid_id == *id).unwrap().wins;
            assert_eq!(got, expected, "bid {id}");
        }
        assert!(wins[1] > 0, "the reference must exercise an upset");
    }

    #[test]
    fn zero_spread_keeps_the_declared_winner_and_draws_are_capped() {
        let input = three_bids();
        let mc = sensitivity(&input, &options(500, "0", 1)).monte_carlo;
        assert_eq!(mc.wins[0].bid_id, "B");
        assert_eq!(mc.wins[0].wins, 500);
        assert_eq!(mc.wins[0].share, d("1"));
        assert_eq!(mc.wins[1].share, d("0"));
        // Ties of shares (A and C both 0) are listed by bid id.
        assert_eq!(mc.wins[1].bid_id, "A");
        let capped = sensitivity(&input, &options(250_000, "150", 1)).monte_carlo;
        assert_eq!(capped.draws, MAX_DRAWS);
        assert_eq!(capped.spread_percent, d("100"));
    }

    #[test]
    fn exact_tie_in_a_draw_goes_to_the_better_declared_rank() {
        // A and B identical but for the submission time: A ranks first by earlier submission,
        // and with equal scores every draw is an exact tie, which A must win.
        let input = weighted(
            vec![
                price("P", "50", linear_bounds("0", "200")),
                scale("Q", Category::Quality, "50"),
            ],
            vec![
                bid("B", "100").moderated("Q", "3").submitted(0),
                bid("A", "100").moderated("Q", "3").submitted(5),
            ],
        );
        let mc = sensitivity(&input, &options(100, "30", 3)).monte_carlo;
        let declared = crate::domain::scoring::evaluate(&input);
        assert_eq!(declared.winner.as_deref(), Some("B"));
        assert_eq!(mc.wins[0].bid_id, "B");
        assert_eq!(mc.wins[0].wins, 100);
    }

    #[test]
    fn price_per_quality_point_and_lowest_price_draws() {
        let mut input = three_bids();
        input.award_method = AwardMethod::LowestPriceAfterGates;
        // Lowest price: C (40) wins every draw whatever the weights.
        let mc = sensitivity(&input, &options(300, "20", 1)).monte_carlo;
        assert_eq!((mc.wins[0].bid_id.as_str(), mc.wins[0].wins), ("C", 300));

        input.award_method = AwardMethod::PricePerQualityPoint;
        input.bids[0].price = d("80");
        // Quality points are Q1 + Q2 (the price category is left out); with weights w1, w2:
        //   A 80 ÷ (w1 + 0.6·w2), B 60 ÷ (0.6·w1 + 0.8·w2), C 40 ÷ (0.4·w1 + 0.4·w2).
        // At 30/30: A 80/48 = 1.667, B 60/42 = 1.429, C 40/24 = 1.667 → B.
        // B beats C whenever w2 > 0 (60·(w1 + w2) < 100·(0.6·w1 + 0.8·w2)); A beats B only
        // when w1 > 2.33·w2, out of reach at ±10% (1.1/0.9 = 1.22) but not at ±100%.
        let declared = crate::domain::scoring::evaluate(&input);
        assert_eq!(declared.winner.as_deref(), Some("B"));
        let mc = sensitivity(&input, &options(300, "10", 1)).monte_carlo;
        assert_eq!((mc.wins[0].bid_id.as_str(), mc.wins[0].wins), ("B", 300));
        let wide = sensitivity(&input, &options(2000, "100", 1)).monte_carlo;
        let wins = |id: &str| wide.wins.iter().find(|w| w.bid_id == id).unwrap().wins;
        assert_eq!(wins("A") + wins("B"), 2000);
        assert!(wins("A") > 0 && wins("B") > wins("A"));
        assert_eq!(wins("C"), 0);
    }
}
