//! Timings on the benchmark size (100 bids × 50 criteria × 5 evaluators). Run in release:
//! `cargo test --release -- --ignored --nocapture scoring::bench`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use super::engine::{assess, declared_weights};
use super::fixtures::sample_input;
use super::sensitivity::thresholds;
use super::*;

/// Best of `runs`: the least disturbed by the other builds sharing the machine. Times the
/// computation of the result; freeing it afterwards is not counted.
fn best_of<T>(runs: u32, mut f: impl FnMut() -> T) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            let result = black_box(f());
            let elapsed = start.elapsed();
            drop(result);
            elapsed
        })
        .min()
        .unwrap_or_default()
}

#[test]
#[ignore = "timing; run in release"]
fn timings() {
    let input = sample_input(100, 50, 5, 2024);
    let total: rust_decimal::Decimal = input.model.criteria.iter().map(|c| c.weight).sum();
    assert_eq!(total, rust_decimal::Decimal::ONE_HUNDRED);

    let evaluate_time = best_of(50, || evaluate(&input));
    let assess_time = best_of(50, || {
        assess(
            &input,
            input.bids.iter().collect(),
            declared_weights(&input),
        )
        .ranked
        .len()
    });
    // Weight sensitivity alone: the declared assessment plus the exact thresholds of every
    // weighted criterion (what `sensitivity` does before rank reversal and Monte Carlo).
    let weights_time = best_of(50, || {
        let a = assess(
            &input,
            input.bids.iter().collect(),
            declared_weights(&input),
        );
        (0..input.model.criteria.len())
            .map(|k| thresholds(&a, k))
            .filter(|(up, down)| up.is_some() || down.is_some())
            .count()
    });
    let options = SensitivityOptions {
        draws: 10_000,
        ..SensitivityOptions::default()
    };
    let a = assess(
        &input,
        input.bids.iter().collect(),
        declared_weights(&input),
    );
    let mc_time = best_of(3, || monte_carlo::run(&input, &a, &options));
    let full_time = best_of(3, || sensitivity(&input, &options));
    let result = evaluate(&input);
    println!(
        "bench: {} bids ({} ranked) × {} criteria × 5 evaluators",
        result.bids.len(),
        result.bids.iter().filter(|b| b.rank.is_some()).count(),
        input.model.criteria.len()
    );
    println!("bench: evaluate                  {evaluate_time:?} (target < 5 ms)");
    println!("bench:   of which scoring/ranking {assess_time:?}, the rest rounding and sentences");
    println!("bench: weight sensitivity        {weights_time:?} (target < 50 ms)");
    println!("bench: monte carlo 10000 draws   {mc_time:?} (target < 1 s)");
    println!("bench: full sensitivity incl. rank reversal and monte carlo {full_time:?}");
}
