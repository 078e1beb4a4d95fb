//! Assessment summaries (Procurement Act 2023 s.50) on the wire.

use crate::domain::assessment as d;

use super::tender::Category;
use super::{Dec, wire_enum, wire_struct};

wire_enum! {
    /// What the tender came to for this supplier.
    pub enum AssessmentOutcome = d::Outcome { Awarded, Unsuccessful, Excluded }
}

wire_struct! {
    /// One bid's figures on one criterion.
    pub struct ScoreLine = d::ScoreLine {
        pub raw: Option<Dec>,
        pub points: Dec,
        pub explanation: String,
        /// The evaluators' reasons, by reference to the tender (moderated where moderated).
        pub rationale: Option<String>,
    }
}

wire_struct! {
    /// One criterion: its importance, how it was scored, the supplier's score and the winner's.
    pub struct CriterionSummary = d::CriterionSummary {
        pub code: String,
        pub title: String,
        pub category: Category,
        /// Relative importance: percent of the total.
        pub weight: Dec,
        pub how_scored: String,
        pub yours: ScoreLine,
        pub winner: Option<ScoreLine>,
    }
}

wire_struct! {
    pub struct SubtotalComparison = d::SubtotalComparison {
        pub category: Category,
        pub available: Dec,
        pub yours: Dec,
        pub winner: Option<Dec>,
    }
}

wire_struct! {
    /// What a supplier is told about its tender and the winning one.
    pub struct AssessmentSummary = d::AssessmentSummary {
        pub bid_id: String,
        pub supplier_name: String,
        pub outcome: AssessmentOutcome,
        pub rank: Option<u32>,
        pub total: Dec,
        pub winner_total: Option<Dec>,
        pub subtotals: Vec<SubtotalComparison>,
        pub criteria: Vec<CriterionSummary>,
        pub reasons: Vec<String>,
    }
}
