//! Contract terms, monitoring and compliance on the wire.

use chrono::NaiveDate;

use crate::domain::compliance as d;
use crate::domain::contract as c;

use super::tender::{AccessLimit, ConditionalityType};
use super::{Dec, Money, wire_enum, wire_struct, wire_union};

wire_enum! {
    pub enum ContractStatus = d::ContractStatus { Pending, Active, Terminated, Expired, Cancelled }
}

wire_enum! {
    pub enum TermKind = d::TermKind { Kpi, SocialValue, Conditionality, Milestone }
}

wire_enum! {
    /// Which way a metric must go to meet its target.
    pub enum MetricDirection = d::MetricDirection { AtLeast, AtMost, Equal }
}

wire_enum! {
    /// How often a term is due (its periods follow from it).
    pub enum Cadence = d::Cadence { Monthly, Quarterly, Annually, Once }
}

wire_enum! {
    /// Performance ratings named by Procurement Regulations 2024 reg. 39.
    pub enum Rating = d::Rating { Good, ApproachingTarget, RequiresImprovement, Inadequate, Other }
}

wire_enum! {
    pub enum ComplianceStatus = d::ComplianceStatus { Met, PartiallyMet, NotMet, Missing, Pending }
}

wire_enum! {
    pub enum MoneyKind = d::MoneyKind {
        ServiceCredit,
        WithheldPayment,
        Clawback,
        ProfitShareDue,
        ReinvestmentShortfall,
    }
}

wire_enum! {
    pub enum NoticeReason = d::NoticeReason { Annual, Termination, Breach }
}

wire_enum! {
    pub enum LintSeverity = d::LintSeverity { Error, Warning }
}

wire_enum! {
    pub enum ObservationStatus = c::ObservationStatus { Submitted, Verified, Disputed }
}

wire_enum! {
    pub enum ConsequenceStatus = c::ConsequenceStatus { Proposed, Applied, Waived, Superseded }
}

wire_struct! {
    /// What a term measures and the target it sets.
    #[serde(deny_unknown_fields)]
    pub struct Metric = d::Metric {
        #[schema(min_length = 1, max_length = 200)]
        pub name: String,
        #[schema(max_length = 50)]
        pub unit: String,
        pub direction: MetricDirection,
        #[serde(default)]
        pub baseline: Option<Dec>,
        pub target: Dec,
        #[serde(default)]
        pub target_date: Option<NaiveDate>,
        /// Expect a straight line from baseline to target over the periods up to `target_date`.
        #[serde(default)]
        pub glide_path: bool,
        /// How far from the expected value still counts as met.
        #[serde(default)]
        pub tolerance: Option<Dec>,
    }
}

wire_union! {
    /// How a conditionality's figures are worked out from a return's values.
    pub enum Formula = d::Formula {
        /// `share_percent` of profit above `above_margin_percent` of revenue is returned.
        "profit_sharing" ProfitSharing => ProfitSharingFormula { share_percent: Dec, above_margin_percent: Dec },
        /// `percent_of_profit` of profit is to be reinvested.
        "reinvestment" Reinvestment => ReinvestmentFormula { percent_of_profit: Dec },
        /// The measure must stay at or below (cap) or at or above (floor) `value`.
        "access" Access => AccessFormula { limit: AccessLimit, value: Dec },
    }
}

wire_union! {
    /// What a service credit is worked out from.
    pub enum CreditBasis = d::CreditBasis {
        "percent_of_period_fee" PercentOfPeriodFee => CreditPercentOfPeriodFee { percent: Dec },
        "fixed" Fixed => CreditFixed { amount: Money },
    }
}

wire_union! {
    /// What a clawback is worked out from.
    pub enum ClawbackBasis = d::ClawbackBasis {
        "fixed" Fixed => ClawbackFixed { amount: Money },
        "profit_share_formula" ProfitShareFormula => ClawbackProfitShareFormula {},
        "reinvestment_shortfall" ReinvestmentShortfall => ClawbackReinvestmentShortfall {},
    }
}

wire_union! {
    /// What follows a breach of the term.
    pub enum Consequence = d::Consequence {
        "service_credit" ServiceCredit => ServiceCreditConsequence { basis: CreditBasis },
        "withhold_payment" WithholdPayment => WithholdPaymentConsequence { percent_of_period_fee: Dec },
        "clawback" Clawback => ClawbackConsequence { basis: ClawbackBasis },
        "interest_step_up" InterestStepUp => InterestStepUpConsequence {
            #[serde(deserialize_with = "super::whole::u32")]
            basis_points: u32,
        },
        "tranche_gate" TrancheGate => TrancheGateConsequence {
            #[schema(min_length = 1, max_length = 100)]
            tranche: String,
        },
        "improvement_plan" ImprovementPlan => ImprovementPlanConsequence {
            #[serde(deserialize_with = "super::whole::u32")]
            days_to_submit: u32,
        },
        "termination_right" TerminationRight => TerminationRightConsequence {},
    }
}

wire_struct! {
    /// When a term is due: its cadence and the start of its first period.
    #[serde(deny_unknown_fields)]
    pub struct Schedule = d::Schedule {
        pub cadence: Cadence,
        pub first_period_start: NaiveDate,
    }
}

wire_struct! {
    /// A period a term is due for, both days included.
    pub struct Period = d::Period {
        pub start: NaiveDate,
        pub end: NaiveDate,
    }
}

wire_struct! {
    /// Attainment (percent of the expected value) from which each rating applies; below
    /// `requires_improvement_from` the rating is `inadequate`.
    #[serde(default, deny_unknown_fields)]
    pub struct RatingBands = d::RatingBands {
        pub good_from: Dec,
        pub approaching_from: Dec,
        pub requires_improvement_from: Dec,
    }
}

impl Default for RatingBands {
    fn default() -> Self {
        d::RatingBands::default().into()
    }
}

wire_struct! {
    /// An obligation of the contract with the monitoring set against it.
    #[serde(deny_unknown_fields)]
    pub struct TermSpec = d::TermSpec {
        pub kind: TermKind,
        #[serde(default)]
        pub conditionality_type: Option<ConditionalityType>,
        /// A material KPI (Procurement Act 2023 s.52).
        #[serde(default)]
        pub material: bool,
        #[serde(default)]
        pub metric: Option<Metric>,
        #[serde(default)]
        pub formula: Option<Formula>,
        #[serde(default)]
        pub schedule: Option<Schedule>,
        #[serde(default)]
        pub rating_bands: RatingBands,
        #[serde(default)]
        pub consequence: Option<Consequence>,
        /// The fee a period's credits are a percentage of; by default the contract value
        /// spread over its months.
        #[serde(default)]
        pub fee_per_period: Option<Money>,
        #[serde(default)]
        pub evidence_required: bool,
    }
}

wire_struct! {
    /// An amount owed under a term for one period, with its arithmetic.
    pub struct MoneyDue = d::MoneyDue {
        pub kind: MoneyKind,
        pub amount: Money,
        pub explanation: String,
    }
}

wire_struct! {
    /// One term's compliance for one due period.
    pub struct PeriodAssessment = d::PeriodAssessment {
        pub period: Period,
        pub status: ComplianceStatus,
        pub rating: Rating,
        pub expected: Option<Dec>,
        pub achieved: Option<Dec>,
        pub attainment_percent: Option<Dec>,
        pub money: Vec<MoneyDue>,
        pub breach: bool,
        /// The consequence the breach triggers, if any.
        pub triggered: Option<Consequence>,
        pub explanation: String,
    }
}

wire_struct! {
    /// A performance notice that is due (Procurement Act 2023 s.52).
    pub struct NoticeDue = d::NoticeDue {
        pub reason: NoticeReason,
        pub due_by: NaiveDate,
        /// For a breach: the breached period, which the notice's assessment period must cover.
        pub period: Option<Period>,
    }
}

wire_struct! {
    /// A term's rating for one period, as the contract rating weighs it.
    pub struct TermRating = d::TermRating {
        pub kind: TermKind,
        pub material: bool,
        pub period: Period,
        pub rating: Rating,
    }
}

wire_struct! {
    /// A document that backs a return.
    #[serde(deny_unknown_fields)]
    pub struct Evidence = c::Evidence {
        #[schema(min_length = 1, max_length = 200)]
        pub name: String,
        #[schema(max_length = 2000)]
        pub uri: Option<String>,
        #[schema(pattern = "^[0-9a-f]{64}$")]
        pub sha256: Option<String>,
    }
}
