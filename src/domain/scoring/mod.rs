//! The scoring engine: pure functions from an `EvaluationInput` to ranked, explained results.
//!
//! - `evaluate` scores every bid on every criterion, applies exclusions and minimums, flags
//!   what an evaluation panel must look at, and ranks the eligible bids.
//! - `what_if` re-runs it with other weights and/or without some bids.
//! - `sensitivity` tells how robust the winner is: the exact weight at which it would change,
//!   whether removing a losing bid changes it (rank reversal), and a seeded Monte Carlo.
//! - `lint` checks an evaluation model against the project's procurement rules before a tender
//!   opens.
//!
//! Non-negotiables, kept throughout: every number is a `Decimal` (the Monte Carlo uses integer
//! fixed point); rounding is explicit and half away from zero; nothing can panic; no I/O, clock
//! or global state; the order of `bids` in the input never changes any result.

mod engine;
#[doc(hidden)]
pub mod fixtures;
mod lint;
mod monte_carlo;
mod result;
mod sensitivity;

#[cfg(test)]
mod bench;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests_engine;

use rust_decimal::{Decimal, RoundingStrategy};

pub use engine::{WhatIfError, evaluate, what_if};
pub use lint::{LintContext, LintFinding, Severity, lint};
pub use monte_carlo::{BidWinShare, MAX_DRAWS, MonteCarloResult};
pub use result::{
    BidResult, CategorySubtotal, CriterionResult, ENGINE_VERSION, EvaluationResult, Exclusion,
    ExclusionReason, Flag, FlagKind, ScoreSource,
};
pub use sensitivity::{
    RankReversalCheck, SensitivityOptions, SensitivityReport, WeightChange, WeightSensitivity,
    sensitivity,
};

/// Displayed figures carry 6 decimal places, rounded half away from zero (the rounding a
/// reader does by hand, never banker's), then trailing zeros stripped so "36" and "36.000000"
/// serialise alike. Only for display: ranking and thresholds use full precision.
pub(crate) fn display(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Clamps to 0..=1, the range of every normalised score.
pub(crate) fn unit(value: Decimal) -> Decimal {
    value.clamp(Decimal::ZERO, Decimal::ONE)
}
