//! A mission's theory of change on the wire.

use crate::domain::mission as d;

use super::{Dec, wire_enum, wire_struct};

wire_enum! {
    pub enum MissionStatus = d::MissionStatus { Draft, Active, Achieved, Retired }
}

wire_enum! {
    /// The horizon of an outcome in the mission's theory of change.
    pub enum OutcomeKind = d::OutcomeKind { EarlyChange, LaterChange, LongTermOutcome }
}

wire_struct! {
    /// A measure of progress towards an outcome.
    pub struct MissionIndicator = d::Indicator {
        pub name: String,
        pub unit: String,
        pub baseline: Option<Dec>,
        pub target: Option<Dec>,
    }
}

wire_struct! {
    /// One outcome of a mission's theory of change, with its indicators.
    pub struct MissionOutcome = d::Outcome {
        pub kind: OutcomeKind,
        pub title: String,
        pub indicators: Vec<MissionIndicator>,
    }
}
