//! The awarded contract as compliance sees it: its value, its dates and its lifecycle status.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::validation::{Invalid, ValidationErrors};

text_enum! {
    /// Lifecycle of an awarded contract.
    pub enum ContractStatus {
        /// Awarded, not yet in force (standstill, signature, mobilisation).
        Pending => "pending",
        /// In force: returns are due and assessed.
        Active => "active",
        /// Ended early by either party.
        Terminated => "terminated",
        /// Ran to its end date.
        Expired => "expired",
        /// Never entered into force.
        Cancelled => "cancelled",
    }
}

impl ContractStatus {
    /// The only legal moves: pending→active, pending→cancelled, active→terminated,
    /// active→expired. Terminated, expired and cancelled are final: a contract that has ended is
    /// re-procured, never revived, so its history stays as it was published.
    pub fn can_transition_to(self, next: ContractStatus) -> bool {
        matches!(
            (self, next),
            (Self::Pending, Self::Active)
                | (Self::Pending, Self::Cancelled)
                | (Self::Active, Self::Terminated)
                | (Self::Active, Self::Expired)
        )
    }

    /// `next` when the move is legal.
    pub fn transition(self, next: ContractStatus) -> Result<ContractStatus, TransitionError> {
        if self.can_transition_to(next) {
            Ok(next)
        } else {
            Err(TransitionError {
                from: self,
                to: next,
            })
        }
    }

    /// Ended one way or another: no further returns are due.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Terminated | Self::Expired | Self::Cancelled)
    }
}

/// An illegal status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a contract cannot move from {from} to {to}")]
pub struct TransitionError {
    pub from: ContractStatus,
    pub to: ContractStatus,
}

/// Longest contract accepted. Long PFI-style concessions run 25–30 years; 50 leaves headroom while
/// keeping period lists (600 monthly periods at most) and date arithmetic bounded.
pub const MAX_CONTRACT_YEARS: u32 = 50;

/// Everything compliance needs about the contract itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractSpec {
    /// Total contract value in pounds (≤ 2 dp); spread over the months to price a period.
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    /// First day in force.
    pub start: NaiveDate,
    /// Last day in force (inclusive).
    pub end: NaiveDate,
    pub status: ContractStatus,
}

impl ContractSpec {
    /// Validates a contract: value ≥ 0 in pounds and pence, end on or after start, at most
    /// [`MAX_CONTRACT_YEARS`] long.
    pub fn parse(self) -> Result<ContractSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if let Err(message) = check_money(self.value) {
            errors.push("value", message);
        }
        if self.end < self.start {
            errors.push("end", "must be on or after the start date");
        } else {
            let limit = self
                .start
                .checked_add_months(Months::new(MAX_CONTRACT_YEARS * 12));
            if limit.is_none_or(|limit| self.end >= limit) {
                errors.push(
                    "end",
                    format!("the contract must be shorter than {MAX_CONTRACT_YEARS} years"),
                );
            }
        }
        errors.finish(|| Some(self))
    }

    /// Whether `date` falls inside the contract's dates (inclusive).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// Days after a period's end before a return not received counts as missing: a local policy
/// default, set per contract.
pub const DEFAULT_GRACE_DAYS: u32 = 15;

/// Largest magnitude accepted for any figure (£1 trillion or 10^15 units): keeps every product
/// in the rules far below `Decimal`'s 7.9 × 10^28 so checked arithmetic never fails on valid input.
pub const MAX_MAGNITUDE: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// A figure within ±[`MAX_MAGNITUDE`].
pub(crate) fn check_magnitude(value: Decimal) -> Result<(), Invalid> {
    if value.abs() > MAX_MAGNITUDE {
        Err(Invalid::TooLargeInMagnitude(MAX_MAGNITUDE))
    } else {
        Ok(())
    }
}

/// An amount of money: not negative, whole pence.
pub(crate) fn check_money(value: Decimal) -> Result<(), Invalid> {
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Invalid::Negative);
    }
    if value.normalize().scale() > 2 {
        return Err(Invalid::NotPoundsAndPence);
    }
    check_magnitude(value)
}

/// A percentage from 0 to 100 inclusive.
pub(crate) fn check_percent(value: Decimal) -> Result<(), Invalid> {
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        Err(Invalid::NotAPercentage)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::test_support::{d, dec};

    #[test]
    fn max_magnitude_is_ten_to_the_fifteen() {
        assert_eq!(MAX_MAGNITUDE, dec("1000000000000000"));
    }

    #[test]
    fn legal_transitions_only() {
        use ContractStatus::*;
        let legal = [
            (Pending, Active),
            (Pending, Cancelled),
            (Active, Terminated),
            (Active, Expired),
        ];
        for from in ContractStatus::ALL {
            for to in ContractStatus::ALL {
                let expected = legal.contains(&(*from, *to));
                assert_eq!(from.can_transition_to(*to), expected, "{from} → {to}");
            }
        }
        assert_eq!(Pending.transition(Active), Ok(Active));
        let err = Terminated.transition(Active).unwrap_err();
        assert_eq!(
            err,
            TransitionError {
                from: Terminated,
                to: Active
            }
        );
        assert_eq!(
            err.to_string(),
            "a contract cannot move from terminated to active"
        );
    }

    #[test]
    fn status_text_round_trips_through_serde_and_parse() {
        for status in ContractStatus::ALL {
            let json = serde_json::to_string(status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(ContractStatus::parse(status.as_str()), Ok(*status));
        }
        assert_eq!(
            ContractStatus::parse("live").map_err(|e| e.to_string()),
            Err("must be one of: pending, active, terminated, expired, cancelled".to_string())
        );
    }

    #[test]
    fn parse_checks_value_and_dates() {
        let ok = ContractSpec {
            value: dec("1000.50"),
            start: d(2026, 1, 1),
            end: d(2026, 12, 31),
            status: ContractStatus::Active,
        };
        assert_eq!(ok.clone().parse(), Ok(ok.clone()));

        let bad = ContractSpec {
            value: dec("-1.005"),
            end: d(2025, 12, 31),
            ..ok.clone()
        };
        let fields: Vec<String> = bad
            .parse()
            .unwrap_err()
            .into_parts()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["value", "end"]);

        // 2026-01-01 + 50 years = 2076-01-01: the end must fall before it.
        let long = ContractSpec {
            end: d(2076, 1, 1),
            ..ok.clone()
        };
        assert!(long.parse().is_err());
        let just_under = ContractSpec {
            end: d(2075, 12, 31),
            ..ok
        };
        assert!(just_under.parse().is_ok());
    }
}
