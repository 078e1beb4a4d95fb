//! Tenders and their evaluation model: criteria with categories, weights and scoring methods,
//! bids with their responses, and the evaluators' scores. These are also the inputs of the
//! scoring engine (`scoring`), which is why they serialise canonically: a frozen evaluation
//! stores them and re-performs the scoring from them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ids::MissionId;

pub mod parse;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStatus {
    Draft,
    Open,
    Evaluation,
    Awarded,
    Cancelled,
}

/// How the winner is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardMethod {
    /// Highest total of weighted points out of 100 (most advantageous tender, PA 2023 s.19).
    WeightedScore,
    /// Lowest price per quality point, among bids that pass the quality thresholds.
    PricePerQualityPoint,
    /// Lowest price among bids that pass every gate and minimum.
    LowestPriceAfterGates,
}

/// One rule of the declared tie-break order, applied in turn when totals differ by less than
/// the display precision (0.01 points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreakRule {
    HigherQualitySubtotal,
    HigherSocialValueSubtotal,
    LowerPrice,
    EarlierSubmission,
}

pub const DEFAULT_TIE_BREAK: [TieBreakRule; 4] = [
    TieBreakRule::HigherQualitySubtotal,
    TieBreakRule::HigherSocialValueSubtotal,
    TieBreakRule::LowerPrice,
    TieBreakRule::EarlierSubmission,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Price,
    Quality,
    SocialValue,
    MissionAlignment,
    Conditionality,
}

/// The four conditionalities of Mazzucato & Rodrik (2023), *Industrial Policy with
/// Conditionalities*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionalityType {
    Access,
    Directionality,
    ProfitSharing,
    Reinvestment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherBetter,
    LowerBetter,
}

/// How a committed quantity becomes a score from 0 to 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuantityScoring {
    /// Against the best valid bid: value/best (higher better) or best/value (lower better).
    RelativeToBest,
    /// 0 at `threshold`, 1 at `target`, linear between, clamped (either direction).
    Linear {
        #[serde(with = "rust_decimal::serde::str")]
        threshold: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        target: Decimal,
    },
}

/// A level of a quality scale, e.g. 3 — "substantially answers but lacks detail".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleLevel {
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
    pub descriptor: String,
}

/// How a criterion is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ScoringMethod {
    /// Price: Pmin / Pi. Relative: adding or removing a bid can change the winner.
    LowestRatio,
    /// Price: (ceiling − Pi) / (ceiling − floor), clamped to 0..1; bounds fixed before bids
    /// open, so no rank reversal.
    LinearBounds {
        #[serde(with = "rust_decimal::serde::str")]
        floor: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        ceiling: Decimal,
    },
    /// Price: max(0, 1 − k·(Pi − Pmin)/Pmin).
    Deduction {
        #[serde(with = "rust_decimal::serde::str")]
        k: Decimal,
    },
    /// Evaluators score on these levels; normalised as score / highest level.
    Scale { levels: Vec<ScaleLevel> },
    /// A number the bid commits to.
    Quantity {
        direction: Direction,
        scoring: QuantityScoring,
    },
    /// Pass or fail, no weight; failing excludes the bid.
    Gate,
}

impl ScoringMethod {
    pub fn is_price(&self) -> bool {
        matches!(
            self,
            Self::LowestRatio | Self::LinearBounds { .. } | Self::Deduction { .. }
        )
    }

    /// Relative formulas depend on the other bids: rank reversal is possible.
    pub fn is_relative(&self) -> bool {
        matches!(
            self,
            Self::LowestRatio
                | Self::Deduction { .. }
                | Self::Quantity {
                    scoring: QuantityScoring::RelativeToBest,
                    ..
                }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Short unique code within the tender, e.g. `Q1`, `SV2`.
    pub code: String,
    pub title: String,
    pub category: Category,
    /// Required when `category` is `conditionality`, absent otherwise.
    #[serde(default)]
    pub conditionality_type: Option<ConditionalityType>,
    /// The authority's mission this criterion serves; required for `mission_alignment`.
    #[serde(default)]
    pub mission_id: Option<MissionId>,
    /// Percent of the total; the weights of a tender sum to exactly 100. Gates weigh 0.
    #[serde(with = "rust_decimal::serde::str")]
    pub weight: Decimal,
    pub method: ScoringMethod,
    /// Below this percent of the criterion's available points the bid is excluded.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub minimum_percent: Option<Decimal>,
}

/// Below this percent of a category's available points the bid is excluded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryMinimum {
    pub category: Category,
    #[serde(with = "rust_decimal::serde::str")]
    pub minimum_percent: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationModel {
    pub criteria: Vec<Criterion>,
    pub category_minimums: Vec<CategoryMinimum>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidStatus {
    Valid,
    Disqualified,
    Withdrawn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLimit {
    /// The measure must stay at or below the value (e.g. price for residents).
    Cap,
    /// The measure must stay at or above the value (e.g. share of places for residents).
    Floor,
}

/// What a bidder commits to under a conditionality criterion. These carry into the
/// contract's terms at award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConditionalityCommitment {
    /// e.g. resident price ≤ £x a week (cap), share of places for low-income residents ≥ y% (floor).
    Access {
        measure: String,
        unit: String,
        limit: AccessLimit,
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
    },
    /// e.g. emissions cut from baseline to target by a date.
    Directionality {
        measure: String,
        unit: String,
        #[serde(with = "rust_decimal::serde::str_option")]
        baseline: Option<Decimal>,
        #[serde(with = "rust_decimal::serde::str")]
        target: Decimal,
        by: NaiveDate,
    },
    /// Return `share_percent` of profit above `above_margin_percent` of revenue.
    ProfitSharing {
        #[serde(with = "rust_decimal::serde::str")]
        share_percent: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        above_margin_percent: Decimal,
    },
    /// Reinvest `percent_of_profit` of profit in `purpose` (training, R&D, fair pay…).
    Reinvestment {
        #[serde(with = "rust_decimal::serde::str")]
        percent_of_profit: Decimal,
        purpose: String,
    },
}

impl ConditionalityCommitment {
    /// The figure a quantity-scored conditionality criterion scores, and its field: the access
    /// limit, the directionality target, the profit share or the reinvestment percentage.
    pub fn headline(&self) -> (&'static str, Decimal) {
        match self {
            Self::Access { value, .. } => ("value", *value),
            Self::Directionality { target, .. } => ("target", *target),
            Self::ProfitSharing { share_percent, .. } => ("share_percent", *share_percent),
            Self::Reinvestment {
                percent_of_profit, ..
            } => ("percent_of_profit", *percent_of_profit),
        }
    }

    pub fn kind(&self) -> ConditionalityType {
        match self {
            Self::Access { .. } => ConditionalityType::Access,
            Self::Directionality { .. } => ConditionalityType::Directionality,
            Self::ProfitSharing { .. } => ConditionalityType::ProfitSharing,
            Self::Reinvestment { .. } => ConditionalityType::Reinvestment,
        }
    }
}

/// Everything the scoring engine needs about one bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidInput {
    pub bid_id: String,
    pub supplier_name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    pub submitted_at: DateTime<Utc>,
    pub status: BidStatus,
    /// Committed quantity per `quantity` criterion code.
    pub quantities: BTreeMap<String, Decimal>,
    /// Gate declaration per `gate` criterion code (missing = not passed).
    pub gates: BTreeMap<String, bool>,
    /// Independent evaluator scores per `scale` criterion code, keyed by evaluator.
    pub evaluator_scores: BTreeMap<String, BTreeMap<String, Decimal>>,
    /// Moderated (consensus) score per `scale` criterion code.
    pub moderated_scores: BTreeMap<String, Decimal>,
    /// The supplier's explanation of an abnormally low price (PA 2023 s.34), once recorded: part
    /// of the input so that an award rests on an evaluation that includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abnormally_low_explanation: Option<String>,
}

/// Everything the scoring engine needs about one tender: the whole input of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationInput {
    pub award_method: AwardMethod,
    pub tie_break: Vec<TieBreakRule>,
    /// A bid is abnormally low when its price is more than this percent below the mean price of
    /// the other valid bids (PA 2023 s.34 requires the supplier be asked to explain).
    #[serde(with = "rust_decimal::serde::str")]
    pub abnormally_low_percent: Decimal,
    /// Evaluators' scores on a criterion further apart than this (in scale points) are flagged.
    #[serde(with = "rust_decimal::serde::str")]
    pub spread_threshold: Decimal,
    pub model: EvaluationModel,
    pub bids: Vec<BidInput>,
}

/// What can happen to a tender; each is legal only from some statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderAction {
    Open,
    Close,
    Cancel,
    Award,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a tender that is {from:?} cannot be {action}", from = .from, action = .action)]
pub struct IllegalTransition {
    pub from: TenderStatus,
    pub action: &'static str,
}

impl TenderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Evaluation => "evaluation",
            Self::Awarded => "awarded",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Open,
            Self::Evaluation,
            Self::Awarded,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// `draft → open → evaluation → awarded`, and `cancelled` from any status before award.
    pub fn after(self, action: TenderAction) -> Result<TenderStatus, IllegalTransition> {
        use TenderAction as A;
        use TenderStatus as S;
        let (next, verb) = match action {
            A::Open => (S::Open, "opened"),
            A::Close => (S::Evaluation, "closed"),
            A::Cancel => (S::Cancelled, "cancelled"),
            A::Award => (S::Awarded, "awarded"),
        };
        let legal = matches!(
            (self, action),
            (S::Draft, A::Open)
                | (S::Open, A::Close)
                | (S::Evaluation, A::Award)
                | (S::Draft | S::Open | S::Evaluation, A::Cancel)
        );
        if legal {
            Ok(next)
        } else {
            Err(IllegalTransition {
                from: self,
                action: verb,
            })
        }
    }
}

impl BidStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Disqualified => "disqualified",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Valid, Self::Disqualified, Self::Withdrawn]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

impl AwardMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeightedScore => "weighted_score",
            Self::PricePerQualityPoint => "price_per_quality_point",
            Self::LowestPriceAfterGates => "lowest_price_after_gates",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::WeightedScore,
            Self::PricePerQualityPoint,
            Self::LowestPriceAfterGates,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

/// Local policy defaults for a new tender, each changeable per tender.
pub const DEFAULT_CURRENCY: &str = "GBP";
/// 20 % below the mean of the other valid bids: a common local threshold for asking a supplier
/// to explain its price (PA 2023 s.34 requires the question, not the figure).
pub const DEFAULT_ABNORMALLY_LOW_PERCENT: Decimal = Decimal::from_parts(20, 0, 0, false, 0);
/// Evaluators two scale points apart are flagged for moderation.
pub const DEFAULT_SPREAD_THRESHOLD: Decimal = Decimal::from_parts(2, 0, 0, false, 0);

/// The tender's own fields, as set on creation and changed by PATCH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderDetails {
    pub title: String,
    pub description: String,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub estimated_value: Option<Decimal>,
    pub currency: String,
    pub award_method: AwardMethod,
    pub tie_break: Vec<TieBreakRule>,
    #[serde(with = "rust_decimal::serde::str")]
    pub abnormally_low_percent: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub spread_threshold: Decimal,
    pub mission_ids: Vec<MissionId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tender {
    pub id: super::ids::TenderId,
    pub authority: super::authority::AuthorityId,
    pub details: TenderDetails,
    pub status: TenderStatus,
    pub model: EvaluationModel,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    pub name: String,
    /// e.g. a Companies House or charity number: `GB-COH-01234567`.
    pub identifier: String,
    /// Small or medium-sized enterprise.
    #[serde(default)]
    pub sme: bool,
    /// Voluntary, community or social enterprise.
    #[serde(default)]
    pub vcse: bool,
    /// Where the supplier is based, e.g. `Camden` or a postcode district.
    #[serde(default)]
    pub locality: Option<String>,
}

/// A supplier's fields as a client sent them.
pub struct SupplierInput<'a> {
    pub name: &'a str,
    pub identifier: &'a str,
    pub sme: bool,
    pub vcse: bool,
    pub locality: Option<&'a str>,
}

impl Supplier {
    /// The one place a supplier is parsed, for bids and contracts alike: single-line name
    /// (1–200 characters) and identifier (1–100), optional locality (1–100), no control
    /// characters (PostgreSQL cannot store NUL). Errors are recorded under `field`.
    pub fn parse(
        field: &str,
        input: SupplierInput<'_>,
        errors: &mut super::validation::ValidationErrors,
    ) -> Option<Supplier> {
        let name = errors.check(
            format!("{field}.name"),
            super::text::single_line(input.name, 1, 200),
        );
        let identifier = errors.check(
            format!("{field}.identifier"),
            super::text::single_line(input.identifier, 1, 100),
        );
        let locality = match input.locality {
            Some(l) => Some(errors.check(
                format!("{field}.locality"),
                super::text::single_line(l, 1, 100),
            )?),
            None => None,
        };
        Some(Supplier {
            name: name?,
            identifier: identifier?,
            sme: input.sme,
            vcse: input.vcse,
            locality,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bid {
    pub id: super::ids::BidId,
    pub authority: super::authority::AuthorityId,
    pub tender_id: super::ids::TenderId,
    pub supplier: Supplier,
    #[serde(with = "rust_decimal::serde::str")]
    pub price: Decimal,
    pub submitted_at: DateTime<Utc>,
    pub status: BidStatus,
    pub status_reason: Option<String>,
    pub responses: Vec<parse::CriterionResponse>,
    /// The supplier's explanation of an abnormally low price (PA 2023 s.34), when asked.
    pub abnormally_low_explanation: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An evaluator's own score of one bid on one scale criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluatorScore {
    pub bid_id: super::ids::BidId,
    pub criterion_code: String,
    pub evaluator: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
    pub rationale: String,
    pub updated_at: DateTime<Utc>,
}

/// The consensus score a moderator records after comparing the evaluators' scores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModeratedScore {
    pub bid_id: super::ids::BidId,
    pub criterion_code: String,
    pub moderator: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub score: Decimal,
    pub rationale: String,
    pub updated_at: DateTime<Utc>,
}

/// Assembles the scoring engine's input from stored records.
pub fn engine_input(
    tender: &Tender,
    bids: &[Bid],
    evaluator_scores: &[EvaluatorScore],
    moderated_scores: &[ModeratedScore],
) -> EvaluationInput {
    let bids = bids
        .iter()
        .map(|b| {
            let mut input = BidInput {
                bid_id: b.id.to_string(),
                supplier_name: b.supplier.name.clone(),
                price: b.price,
                submitted_at: b.submitted_at,
                status: b.status,
                quantities: BTreeMap::new(),
                gates: BTreeMap::new(),
                evaluator_scores: BTreeMap::new(),
                moderated_scores: BTreeMap::new(),
                abnormally_low_explanation: b.abnormally_low_explanation.clone(),
            };
            parse::engine_answers(&b.responses, &mut input);
            for s in evaluator_scores.iter().filter(|s| s.bid_id == b.id) {
                input
                    .evaluator_scores
                    .entry(s.criterion_code.clone())
                    .or_default()
                    .insert(s.evaluator.clone(), s.score);
            }
            for s in moderated_scores.iter().filter(|s| s.bid_id == b.id) {
                input
                    .moderated_scores
                    .insert(s.criterion_code.clone(), s.score);
            }
            input
        })
        .collect();
    EvaluationInput {
        award_method: tender.details.award_method,
        tie_break: tender.details.tie_break.clone(),
        abnormally_low_percent: tender.details.abnormally_low_percent,
        spread_threshold: tender.details.spread_threshold,
        model: tender.model.clone(),
        bids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_allows_only_the_declared_transitions() {
        use TenderAction as A;
        use TenderStatus as S;
        assert_eq!(S::Draft.after(A::Open), Ok(S::Open));
        assert_eq!(S::Open.after(A::Close), Ok(S::Evaluation));
        assert_eq!(S::Evaluation.after(A::Award), Ok(S::Awarded));
        assert_eq!(S::Open.after(A::Cancel), Ok(S::Cancelled));
        assert!(S::Draft.after(A::Close).is_err());
        assert!(S::Open.after(A::Award).is_err());
        assert!(S::Awarded.after(A::Cancel).is_err());
        assert!(S::Cancelled.after(A::Open).is_err());
        assert_eq!(
            S::Awarded.after(A::Cancel).unwrap_err().to_string(),
            "a tender that is Awarded cannot be cancelled"
        );
    }
}

/// A partial update of a tender's own fields; absent fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenderChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub estimated_value: Option<Option<Decimal>>,
    pub currency: Option<String>,
    pub award_method: Option<AwardMethod>,
    pub tie_break: Option<Vec<TieBreakRule>>,
    pub abnormally_low_percent: Option<Decimal>,
    pub spread_threshold: Option<Decimal>,
    pub mission_ids: Option<Vec<MissionId>>,
}

impl TenderDetails {
    /// An untitled tender with the local policy defaults.
    pub fn defaults() -> Self {
        Self {
            title: String::new(),
            description: String::new(),
            estimated_value: None,
            currency: DEFAULT_CURRENCY.to_string(),
            award_method: AwardMethod::WeightedScore,
            tie_break: DEFAULT_TIE_BREAK.to_vec(),
            abnormally_low_percent: DEFAULT_ABNORMALLY_LOW_PERCENT,
            spread_threshold: DEFAULT_SPREAD_THRESHOLD,
            mission_ids: Vec::new(),
        }
    }
}

impl TenderChanges {
    pub fn applied_to(self, d: &TenderDetails) -> TenderDetails {
        TenderDetails {
            title: self.title.unwrap_or_else(|| d.title.clone()),
            description: self.description.unwrap_or_else(|| d.description.clone()),
            estimated_value: self.estimated_value.unwrap_or(d.estimated_value),
            currency: self.currency.unwrap_or_else(|| d.currency.clone()),
            award_method: self.award_method.unwrap_or(d.award_method),
            tie_break: self.tie_break.unwrap_or_else(|| d.tie_break.clone()),
            abnormally_low_percent: self
                .abnormally_low_percent
                .unwrap_or(d.abnormally_low_percent),
            spread_threshold: self.spread_threshold.unwrap_or(d.spread_threshold),
            mission_ids: self.mission_ids.unwrap_or_else(|| d.mission_ids.clone()),
        }
    }
}
