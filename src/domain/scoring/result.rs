//! What an evaluation hands back: one `BidResult` per bid with every criterion's figures and a
//! sentence explaining them, so an assessment summary (PA 2023 s.50) can be written from it
//! without re-doing any arithmetic.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::tender::{AwardMethod, Category};

/// Version of the scoring rules. A frozen evaluation records it so that a later re-performance
/// can tell whether the rules it runs are the ones the award was made under.
pub const ENGINE_VERSION: &str = "1.0.0";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationResult {
    pub engine_version: String,
    pub award_method: AwardMethod,
    /// `bid_id` of the bid ranked 1, if any bid is eligible.
    pub winner: Option<String>,
    /// Ranked bids by rank, then excluded bids by `bid_id`.
    pub bids: Vec<BidResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidResult {
    pub bid_id: String,
    pub supplier_name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    /// None when excluded.
    pub rank: Option<u32>,
    /// Weighted points out of 100 (out of the sum of the weights when they do not sum to 100).
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    /// One per category that has criteria, in `Category` order.
    pub subtotals: Vec<CategorySubtotal>,
    /// Only for `price_per_quality_point` tenders, and only when the bid has quality points.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub price_per_quality_point: Option<Decimal>,
    /// In model order.
    pub criteria: Vec<CriterionResult>,
    pub excluded: bool,
    pub exclusions: Vec<Exclusion>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySubtotal {
    pub category: Category,
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub available: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub code: String,
    pub category: Category,
    /// The weight the evaluation used (gates always 0).
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    /// Price, committed quantity or scale score used; None when missing and for gates.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub raw: Option<Decimal>,
    /// 0..=1.
    #[serde(with = "rust_decimal::serde::str")]
    pub normalised: Decimal,
    /// weight × normalised.
    #[serde(with = "rust_decimal::serde::str")]
    pub points: Decimal,
    pub source: ScoreSource,
    /// One human sentence with the figures.
    pub explanation: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreSource {
    Computed,
    Moderated,
    EvaluatorMean,
    Missing,
    Gate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub reason: ExclusionReason,
    pub criterion: Option<String>,
    pub category: Option<Category>,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    Disqualified,
    Withdrawn,
    FailedGate,
    BelowCriterionMinimum,
    BelowCategoryMinimum,
    NoQualityPoints,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub criterion: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    AbnormallyLow,
    Unmoderated,
    Unscored,
    EvaluatorSpread,
    Tie,
}
