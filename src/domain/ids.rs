//! Typed identifiers: a `MissionId` cannot be passed where a `TenderId` is meant.
//!
//! Ids are UUID v7: time-ordered, so ordering by id is ordering by creation, which cursor
//! pagination relies on, and they reveal nothing about how many rows another authority has.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A mission of an authority.
    MissionId
);
typed_id!(
    /// One event of the audit trail.
    AuditEventId
);
typed_id!(
    /// A tender (a procurement) of an authority.
    TenderId
);
typed_id!(
    /// A bid submitted to a tender.
    BidId
);
typed_id!(
    /// A frozen evaluation: stored inputs and results of the scoring engine.
    EvaluationId
);
typed_id!(
    /// The award decision of a tender.
    AwardId
);
typed_id!(
    /// An awarded contract.
    ContractId
);
typed_id!(
    /// One term (KPI, social value, conditionality, milestone) of a contract.
    TermId
);
typed_id!(
    /// One monitoring return: a term's named values for one period.
    ObservationId
);
typed_id!(
    /// A consequence record of a breach.
    ConsequenceId
);
typed_id!(
    /// A contract performance notice.
    NoticeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_by_creation() {
        let first = MissionId::new();
        let second = MissionId::new();
        assert!(first < second);
        assert!(first.to_string() < second.to_string());
    }

    #[test]
    fn parses_its_own_display() {
        let id = MissionId::new();
        assert_eq!(id.to_string().parse::<MissionId>().ok(), Some(id));
        assert!("not-a-uuid".parse::<MissionId>().is_err());
    }
}
