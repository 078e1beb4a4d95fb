//! What the scoring engine hands back, on the wire: evaluations, sensitivity, the tender lint.

use crate::domain::scoring as d;

use super::tender::{AwardMethod, Category};
use super::{Dec, Money, wire_enum, wire_struct};

wire_struct! {
    /// Every bid's figures under the tender's model, ranked, with the winner.
    pub struct EvaluationResult = d::EvaluationResult {
        pub engine_version: String,
        pub award_method: AwardMethod,
        /// `bid_id` of the bid ranked 1, if any bid is eligible.
        pub winner: Option<String>,
        /// Ranked bids by rank, then excluded bids by `bid_id`.
        pub bids: Vec<BidResult>,
    }
}

wire_struct! {
    /// One bid's figures, criterion by criterion, with a sentence explaining each.
    pub struct BidResult = d::BidResult {
        pub bid_id: String,
        pub supplier_name: String,
        pub price: Money,
        /// None when excluded.
        pub rank: Option<u32>,
        /// Weighted points out of 100 (out of the sum of the weights when they do not sum to 100).
        pub total: Dec,
        /// One per category that has criteria, in category order.
        pub subtotals: Vec<CategorySubtotal>,
        /// Only for `price_per_quality_point` tenders, and only when the bid has quality points.
        pub price_per_quality_point: Option<Money>,
        /// In model order.
        pub criteria: Vec<CriterionResult>,
        pub excluded: bool,
        pub exclusions: Vec<Exclusion>,
        pub flags: Vec<Flag>,
    }
}

wire_struct! {
    pub struct CategorySubtotal = d::CategorySubtotal {
        pub category: Category,
        pub points: Dec,
        pub available: Dec,
    }
}

wire_struct! {
    pub struct CriterionResult = d::CriterionResult {
        pub code: String,
        pub category: Category,
        /// The weight the evaluation used (gates always 0).
        pub weight: Dec,
        /// Price, committed quantity or scale score used; None when missing and for gates.
        pub raw: Option<Dec>,
        /// 0..=1.
        pub normalised: Dec,
        /// weight × normalised.
        pub points: Dec,
        pub source: ScoreSource,
        /// One human sentence with the figures.
        pub explanation: String,
    }
}

wire_enum! {
    /// Where a criterion's score came from.
    pub enum ScoreSource = d::ScoreSource { Computed, Moderated, EvaluatorMean, Missing, Gate }
}

wire_struct! {
    pub struct Exclusion = d::Exclusion {
        pub reason: ExclusionReason,
        pub criterion: Option<String>,
        pub category: Option<Category>,
        pub detail: String,
    }
}

wire_enum! {
    pub enum ExclusionReason = d::ExclusionReason {
        Disqualified,
        Withdrawn,
        FailedGate,
        BelowCriterionMinimum,
        BelowCategoryMinimum,
        NoQualityPoints,
    }
}

wire_struct! {
    pub struct Flag = d::Flag {
        pub kind: FlagKind,
        pub criterion: Option<String>,
        pub detail: String,
    }
}

wire_enum! {
    pub enum FlagKind = d::FlagKind { AbnormallyLow, Unmoderated, Unscored, EvaluatorSpread, Tie }
}

wire_struct! {
    /// How robust the winner is to the weights and to the field of bids.
    pub struct SensitivityReport = d::SensitivityReport {
        pub winner: Option<String>,
        pub weights: Vec<WeightSensitivity>,
        pub rank_reversal: Vec<RankReversalCheck>,
        pub monte_carlo: MonteCarloResult,
    }
}

wire_struct! {
    /// The smallest change of one criterion's weight (others rescaled proportionally) that
    /// changes the winner, each way.
    pub struct WeightSensitivity = d::WeightSensitivity {
        pub code: String,
        pub weight: Dec,
        pub increase: Option<WeightChange>,
        pub decrease: Option<WeightChange>,
    }
}

wire_struct! {
    pub struct WeightChange = d::WeightChange {
        pub to_weight: Dec,
        pub delta: Dec,
        pub new_winner: String,
    }
}

wire_struct! {
    /// Whether removing one losing bid changes the winner.
    pub struct RankReversalCheck = d::RankReversalCheck {
        pub removed_bid: String,
        pub winner_after: Option<String>,
        pub winner_changes: bool,
    }
}

wire_struct! {
    /// The share of random weight draws each bid wins.
    pub struct MonteCarloResult = d::MonteCarloResult {
        pub draws: u32,
        pub spread_percent: Dec,
        pub seed: u64,
        pub wins: Vec<BidWinShare>,
    }
}

wire_struct! {
    pub struct BidWinShare = d::BidWinShare {
        pub bid_id: String,
        pub wins: u32,
        pub share: Dec,
    }
}

wire_enum! {
    pub enum Severity = d::Severity { Error, Warning }
}

wire_struct! {
    /// One finding of the tender's policy lint.
    pub struct TenderLintFinding = d::LintFinding {
        pub severity: Severity,
        pub code: String,
        pub message: String,
        /// The criterion the finding is about, if any.
        pub criterion: Option<String>,
    }
}
