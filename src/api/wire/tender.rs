//! Tenders on the wire: statuses, the evaluation model, suppliers and bid answers.

use crate::domain::ids::MissionId;
use crate::domain::tender as d;
use crate::domain::tender::parse as p;

use super::{Dec, Money, wire_enum, wire_struct, wire_union};

wire_enum! {
    pub enum TenderStatus = d::TenderStatus { Draft, Open, Evaluation, Awarded, Cancelled }
}

wire_enum! {
    /// How the winner is chosen.
    pub enum AwardMethod = d::AwardMethod {
        /// Highest total of weighted points out of 100 (most advantageous tender, PA 2023 s.19).
        WeightedScore,
        /// Lowest price per quality point, among bids that pass the quality thresholds.
        PricePerQualityPoint,
        /// Lowest price among bids that pass every gate and minimum.
        LowestPriceAfterGates,
    }
}

wire_enum! {
    /// One rule of the declared tie-break order, applied in turn when totals differ by less
    /// than the display precision (0.01 points).
    pub enum TieBreakRule = d::TieBreakRule {
        HigherQualitySubtotal,
        HigherSocialValueSubtotal,
        LowerPrice,
        EarlierSubmission,
    }
}

wire_enum! {
    pub enum Category = d::Category { Price, Quality, SocialValue, MissionAlignment, Conditionality }
}

wire_enum! {
    /// The four conditionalities of Mazzucato & Rodrik (2023), *Industrial Policy with
    /// Conditionalities*.
    pub enum ConditionalityType = d::ConditionalityType { Access, Directionality, ProfitSharing, Reinvestment }
}

wire_enum! {
    pub enum Direction = d::Direction { HigherBetter, LowerBetter }
}

wire_enum! {
    pub enum BidStatus = d::BidStatus { Valid, Disqualified, Withdrawn }
}

wire_enum! {
    pub enum AccessLimit = d::AccessLimit {
        /// The measure must stay at or below the value (e.g. price for residents).
        Cap,
        /// The measure must stay at or above the value (e.g. share of places for residents).
        Floor,
    }
}

wire_union! {
    /// How a committed quantity becomes a score from 0 to 1.
    pub enum QuantityScoring = d::QuantityScoring {
        /// Against the best valid bid: value/best (higher better) or best/value (lower better).
        "relative_to_best" RelativeToBest => QuantityScoringRelativeToBest {},
        /// 0 at `threshold`, 1 at `target`, linear between, clamped (either direction).
        "linear" Linear => QuantityScoringLinear { threshold: Dec, target: Dec },
    }
}

wire_struct! {
    /// A level of a quality scale, e.g. 3 — "substantially answers but lacks detail".
    #[serde(deny_unknown_fields)]
    pub struct ScaleLevel = d::ScaleLevel {
        pub score: Dec,
        #[schema(max_length = 1000)]
        pub descriptor: String,
    }
}

wire_union! {
    /// How a criterion is scored.
    pub enum ScoringMethod = d::ScoringMethod {
        /// Price: Pmin / Pi. Relative: adding or removing a bid can change the winner.
        "lowest_ratio" LowestRatio => ScoringMethodLowestRatio {},
        /// Price: (ceiling − Pi) / (ceiling − floor), clamped to 0..1; bounds fixed before bids
        /// open, so no rank reversal.
        "linear_bounds" LinearBounds => ScoringMethodLinearBounds { floor: Money, ceiling: Money },
        /// Price: max(0, 1 − k·(Pi − Pmin)/Pmin).
        "deduction" Deduction => ScoringMethodDeduction { k: Dec },
        /// Evaluators score on these levels; normalised as score / highest level.
        "scale" Scale => ScoringMethodScale {
            #[schema(min_items = 2, max_items = 11)]
            levels: Vec<ScaleLevel>,
        },
        /// A number the bid commits to.
        "quantity" Quantity => ScoringMethodQuantity { direction: Direction, scoring: QuantityScoring },
        /// Pass or fail, no weight; failing excludes the bid.
        "gate" Gate => ScoringMethodGate {},
    }
}

wire_struct! {
    #[serde(deny_unknown_fields)]
    pub struct Criterion = d::Criterion {
        /// Short unique code within the tender, e.g. `Q1`, `SV2`.
        #[schema(min_length = 1, max_length = 20, pattern = "^[A-Za-z0-9._-]+$")]
        pub code: String,
        #[schema(min_length = 1, max_length = 200)]
        pub title: String,
        pub category: Category,
        /// Required when `category` is `conditionality`, absent otherwise.
        #[serde(default)]
        pub conditionality_type: Option<ConditionalityType>,
        /// The authority's mission this criterion serves; required for `mission_alignment`.
        #[serde(default)]
        #[schema(value_type = Option<String>, format = Uuid)]
        pub mission_id: Option<MissionId>,
        /// Percent of the total; the weights of a tender sum to exactly 100. Gates weigh 0.
        pub weight: Dec,
        pub method: ScoringMethod,
        /// Below this percent of the criterion's available points the bid is excluded.
        #[serde(default)]
        pub minimum_percent: Option<Dec>,
    }
}

wire_struct! {
    /// Below this percent of a category's available points the bid is excluded.
    #[serde(deny_unknown_fields)]
    pub struct CategoryMinimum = d::CategoryMinimum {
        pub category: Category,
        pub minimum_percent: Dec,
    }
}

wire_struct! {
    /// The criteria a tender is scored on and the minimum per category.
    #[serde(deny_unknown_fields)]
    pub struct EvaluationModel = d::EvaluationModel {
        #[schema(min_items = 1, max_items = 100)]
        pub criteria: Vec<Criterion>,
        #[serde(default)]
        #[schema(max_items = 5)]
        pub category_minimums: Vec<CategoryMinimum>,
    }
}

wire_union! {
    /// What a bidder commits to under a conditionality criterion. These carry into the
    /// contract's terms at award.
    pub enum ConditionalityCommitment = d::ConditionalityCommitment {
        /// e.g. resident price ≤ £x a week (cap), share of places for low-income residents ≥ y% (floor).
        "access" Access => AccessCommitment {
            #[schema(min_length = 1, max_length = 200)]
            measure: String,
            #[schema(min_length = 1, max_length = 200)]
            unit: String,
            limit: AccessLimit,
            value: Dec,
        },
        /// e.g. emissions cut from baseline to target by a date.
        "directionality" Directionality => DirectionalityCommitment {
            #[schema(min_length = 1, max_length = 200)]
            measure: String,
            #[schema(min_length = 1, max_length = 200)]
            unit: String,
            #[serde(default)]
            baseline: Option<Dec>,
            target: Dec,
            by: chrono::NaiveDate,
        },
        /// Return `share_percent` of profit above `above_margin_percent` of revenue.
        "profit_sharing" ProfitSharing => ProfitSharingCommitment {
            share_percent: Dec,
            above_margin_percent: Dec,
        },
        /// Reinvest `percent_of_profit` of profit in `purpose` (training, R&D, fair pay…).
        "reinvestment" Reinvestment => ReinvestmentCommitment {
            percent_of_profit: Dec,
            #[schema(min_length = 1, max_length = 200)]
            purpose: String,
        },
    }
}

wire_struct! {
    /// Who bids or holds a contract.
    #[serde(deny_unknown_fields)]
    pub struct Supplier = d::Supplier {
        #[schema(min_length = 1, max_length = 200)]
        pub name: String,
        /// e.g. a Companies House or charity number: `GB-COH-01234567`.
        #[schema(min_length = 1, max_length = 100)]
        pub identifier: String,
        /// Small or medium-sized enterprise.
        #[serde(default)]
        pub sme: bool,
        /// Voluntary, community or social enterprise.
        #[serde(default)]
        pub vcse: bool,
        /// Where the supplier is based, e.g. `Camden` or a postcode district.
        #[serde(default)]
        #[schema(max_length = 100)]
        pub locality: Option<String>,
    }
}

wire_struct! {
    /// A bid's answer to one criterion: a committed quantity, a gate declaration, a
    /// conditionality commitment or a written answer, as the criterion's method asks.
    #[serde(deny_unknown_fields)]
    pub struct CriterionAnswer = p::CriterionResponse {
        #[schema(min_length = 1, max_length = 20)]
        pub criterion_code: String,
        #[serde(default)]
        pub quantity: Option<Dec>,
        #[serde(default)]
        pub gate_passed: Option<bool>,
        #[serde(default)]
        pub commitment: Option<ConditionalityCommitment>,
        #[serde(default)]
        #[schema(max_length = 10000)]
        pub answer: Option<String>,
    }
}
