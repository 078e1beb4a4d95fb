//! Timings of the scoring engine on the benchmark size: 100 bids × 50 criteria × 5 evaluators
//! (`fixtures::sample_input`). Run with `cargo bench --bench engine`.
//!
//! No benchmark framework: each case is warmed up, then run a fixed number of times with
//! `std::time::Instant`; the median and the best run are printed in milliseconds. Only the
//! public API is used, so the parts of `sensitivity` are told apart by its options:
//! - `sensitivity_draws_0` runs the declared assessment, the exact weight thresholds of every
//!   weighted criterion and the rank-reversal check (one re-assessment per eligible losing
//!   bid), with no Monte Carlo draw;
//! - `monte_carlo_10000` is the 10,000-draw report minus the draws-0 report: the two run in
//!   alternation, the median is that of the paired differences and the best is the best
//!   10,000-draw run minus the best draws-0 run;
//! - `sensitivity_full_10000` is the whole report: thresholds, rank reversal and 10,000 draws.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mission_procurement::domain::scoring::fixtures::sample_input;
use mission_procurement::domain::scoring::{SensitivityOptions, evaluate, sensitivity};

const SEED: u64 = 2024;

/// One timed call. Only the computation is timed: the result is dropped after the clock stops.
fn time<T>(f: &mut impl FnMut() -> T) -> Duration {
    let start = Instant::now();
    let result = black_box(f());
    let elapsed = start.elapsed();
    drop(result);
    elapsed
}

/// Median and best of `times` (sorted in place).
fn summary(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let best = times.first().copied().unwrap_or_default();
    (median, best)
}

/// Median and best of `runs` timed calls, after `warmup` untimed ones.
fn measure<T>(warmup: u32, runs: u32, mut f: impl FnMut() -> T) -> (Duration, Duration) {
    for _ in 0..warmup {
        drop(black_box(f()));
    }
    let mut times: Vec<Duration> = (0..runs).map(|_| time(&mut f)).collect();
    summary(&mut times)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn line(name: &str, (median, best): (Duration, Duration), target: &str) {
    println!(
        "{name:<24}  {:>10.3}  {:>10.3}  {target}",
        ms(median),
        ms(best)
    );
}

fn main() {
    let input = sample_input(100, 50, 5, SEED);
    let result = evaluate(&input);
    let ranked = result.bids.iter().filter(|b| b.rank.is_some()).count();
    let no_draws = SensitivityOptions {
        draws: 0,
        ..SensitivityOptions::default()
    };
    let draws_10k = SensitivityOptions {
        draws: 10_000,
        ..SensitivityOptions::default()
    };
    let report = sensitivity(&input, &no_draws);
    println!(
        "engine: {} bids ({ranked} ranked) × {} criteria × 5 evaluators, seed {SEED}; \
         {} weight thresholds, {} rank-reversal checks (re-run only where the removed bid sets a reference)",
        result.bids.len(),
        input.model.criteria.len(),
        report.weights.len(),
        report.rank_reversal.len()
    );
    println!(
        "{:<24}  {:>10}  {:>10}  target",
        "case", "median_ms", "best_ms"
    );

    let evaluate_time = measure(5, 101, || evaluate(&input));
    line("evaluate", evaluate_time, "< 5 ms");

    let exact = measure(3, 21, || sensitivity(&input, &no_draws));
    line(
        "sensitivity_draws_0",
        exact,
        "< 50 ms (exact thresholds; includes rank reversal)",
    );

    // The 10,000-draw report and the draws-0 report in alternation, so that both see the same
    // load on the machine; their difference is the Monte Carlo.
    let mut with_draws = || sensitivity(&input, &draws_10k);
    let mut without_draws = || sensitivity(&input, &no_draws);
    drop(black_box(with_draws()));
    let mut full_times = Vec::new();
    let mut zero_times = Vec::new();
    let mut differences = Vec::new();
    for _ in 0..11 {
        let zero = time(&mut without_draws);
        let full = time(&mut with_draws);
        differences.push(full.saturating_sub(zero));
        full_times.push(full);
        zero_times.push(zero);
    }
    let full = summary(&mut full_times);
    let zero = summary(&mut zero_times);
    let monte_carlo = (summary(&mut differences).0, full.1.saturating_sub(zero.1));
    line(
        "monte_carlo_10000",
        monte_carlo,
        "< 1 s (full report minus draws 0)",
    );
    line(
        "sensitivity_full_10000",
        full,
        "thresholds + rank reversal + 10,000 draws",
    );
}
