//! Contract compliance: the pure rules that hold an awarded contract to its terms.
//!
//! A contract's terms are KPIs, social value commitments, milestones and the four
//! conditionalities of Mazzucato & Rodrik (2023) — access, directionality, profit-sharing and
//! reinvestment. For each term and monitoring period these rules say which periods are due, what
//! the period target is, whether the return meets it, which Procurement Regulations 2024 reg. 39
//! rating it earns, and what money follows. They also say which contract performance notices are
//! due (Procurement Act 2023 s.71) and lint a contract's terms before it goes live (s.52).
//!
//! Everything here is pure: no I/O, no clock (dates are parameters), exact `Decimal` arithmetic
//! and no panics, so the same inputs always give the same assessment and an assessment can be
//! re-performed later from its stored inputs.

/// A closed set of values stored as text (with a CHECK constraint): the enum, its snake_case
/// serde names, `as_str`, `parse` and `ALL`. Keeping the text in one place means the API, the
/// database constraint and `parse` cannot drift apart.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialised text of the value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses the stored text; the error lists the allowed values.
            pub fn parse(raw: &str) -> Result<Self, $crate::domain::validation::Invalid> {
                match raw {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::validation::Invalid::NotOneOf {
                        allowed: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod contract;
pub mod formulas;
pub mod lint;
pub mod money;
pub mod notices;
pub mod periods;
pub mod rating;
pub mod status;
pub mod term;

pub use contract::{ContractSpec, ContractStatus, DEFAULT_GRACE_DAYS, TransitionError};
pub use formulas::{
    access_met, attainment_percent, profit_share_due, reinvestment_required,
    reinvestment_shortfall, target_at, target_reached,
};
pub use lint::{LintFinding, LintSeverity, lint_contract};
pub use money::{MoneyDue, MoneyKind, contract_months, period_fee, period_months, round_pence};
pub use notices::{NoticeDue, NoticeReason, PublishedNotice, notices_due};
pub use periods::{Cadence, Period, Schedule, due_periods, periods_due_by};
pub use rating::{Rating, RatingBands, TermRating, suggested_contract_rating};
pub use status::{ComplianceStatus, PeriodAssessment, assess, is_late};
pub use term::{
    ClawbackBasis, Consequence, CreditBasis, Formula, Metric, MetricDirection, TermKind, TermSpec,
    check_values, expected_measures, required_measures,
};

#[cfg(test)]
pub(crate) mod test_support {
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    pub fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }
}
