//! Ratings of performance: Procurement Regulations 2024 reg. 39(5) names five — good,
//! approaching target, requires improvement, inadequate, other — and a contract performance
//! notice rates performance against each KPI with them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::contract::check_percent;
use super::periods::Period;
use super::term::TermKind;
use crate::domain::validation::ValidationErrors;

text_enum! {
    /// Procurement Regulations 2024 reg. 39(5) rating names.
    pub enum Rating {
        /// Meeting or exceeding the KPI.
        Good => "good",
        /// Close to meeting the KPI.
        ApproachingTarget => "approaching_target",
        /// Significantly below the KPI.
        RequiresImprovement => "requires_improvement",
        /// Significantly below the KPI and not improving.
        Inadequate => "inadequate",
        /// Not assessed by a number: no return, or nothing to measure.
        Other => "other",
    }
}

impl Rating {
    /// How bad a numeric rating is, 0 (good) to 3 (inadequate); `None` for `Other`, which says
    /// nothing about performance and so can be neither the worst nor the best.
    pub fn severity(self) -> Option<u8> {
        match self {
            Self::Good => Some(0),
            Self::ApproachingTarget => Some(1),
            Self::RequiresImprovement => Some(2),
            Self::Inadequate => Some(3),
            Self::Other => None,
        }
    }
}

/// Where each rating starts, on attainment (achieved as a percent of the period target, see
/// [`super::formulas::attainment_percent`]). Attainment ≥ `good_from` is good, ≥
/// `approaching_from` approaching target, ≥ `requires_improvement_from` requires improvement,
/// below that inadequate. Bounds are inclusive: exactly 90% with the defaults is approaching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RatingBands {
    #[serde(with = "rust_decimal::serde::str")]
    pub good_from: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub approaching_from: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub requires_improvement_from: Decimal,
}

impl Default for RatingBands {
    fn default() -> Self {
        Self {
            good_from: Decimal::ONE_HUNDRED,
            approaching_from: Decimal::from(90),
            requires_improvement_from: Decimal::from(75),
        }
    }
}

impl RatingBands {
    /// The rating for an exact (unrounded) attainment percent.
    pub fn rate(&self, attainment_percent: Decimal) -> Rating {
        if attainment_percent >= self.good_from {
            Rating::Good
        } else if attainment_percent >= self.approaching_from {
            Rating::ApproachingTarget
        } else if attainment_percent >= self.requires_improvement_from {
            Rating::RequiresImprovement
        } else {
            Rating::Inadequate
        }
    }

    /// Each bound a percentage 0–100, and requires_improvement ≤ approaching ≤ good (equal bounds
    /// collapse a band, which is allowed).
    pub(crate) fn validate(&self, prefix: &str, errors: &mut ValidationErrors) {
        errors.check(format!("{prefix}.good_from"), check_percent(self.good_from));
        errors.check(
            format!("{prefix}.approaching_from"),
            check_percent(self.approaching_from),
        );
        errors.check(
            format!("{prefix}.requires_improvement_from"),
            check_percent(self.requires_improvement_from),
        );
        if self.approaching_from > self.good_from {
            errors.push(
                format!("{prefix}.approaching_from"),
                "must not exceed good_from",
            );
        }
        if self.requires_improvement_from > self.approaching_from {
            errors.push(
                format!("{prefix}.requires_improvement_from"),
                "must not exceed approaching_from",
            );
        }
    }
}

/// One term's rating for one period, as input to the contract-level suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRating {
    pub kind: TermKind,
    pub material: bool,
    pub period: Period,
    pub rating: Rating,
}

/// The contract-level rating to suggest for a contract performance notice (reg. 39(4)(g)) over the
/// assessment `window`: the periods of KPI terms that end inside the window count; other kinds
/// and `other` ratings are ignored.
///
/// * `inadequate` if any **material** KPI was rated inadequate;
/// * otherwise the worst rating among the KPIs, where a non-material KPI's `inadequate` counts as
///   `requires_improvement` — so a single non-material failure cannot by itself brand the
///   contract inadequate, which is what makes the material rule more than a restatement of
///   "worst";
/// * `other` when no KPI period in the window was rated.
pub fn suggested_contract_rating(ratings: &[TermRating], window: Period) -> Rating {
    let mut worst: Option<u8> = None;
    for item in ratings {
        let in_window = window.start <= item.period.end && item.period.end <= window.end;
        if item.kind != TermKind::Kpi || !in_window {
            continue;
        }
        let rating = match (item.rating, item.material) {
            (Rating::Inadequate, true) => return Rating::Inadequate,
            (Rating::Inadequate, false) => Rating::RequiresImprovement,
            (rating, _) => rating,
        };
        let Some(severity) = rating.severity() else {
            continue;
        };
        worst = Some(worst.map_or(severity, |w| w.max(severity)));
    }
    match worst {
        None => Rating::Other,
        Some(0) => Rating::Good,
        Some(1) => Rating::ApproachingTarget,
        Some(2) => Rating::RequiresImprovement,
        Some(_) => Rating::Inadequate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::test_support::{d, dec};

    #[test]
    fn default_bands_at_each_boundary() {
        let bands = RatingBands::default();
        assert_eq!(bands.rate(dec("100")), Rating::Good);
        assert_eq!(bands.rate(dec("99.99")), Rating::ApproachingTarget);
        assert_eq!(bands.rate(dec("90")), Rating::ApproachingTarget);
        assert_eq!(bands.rate(dec("89.999999")), Rating::RequiresImprovement);
        assert_eq!(bands.rate(dec("75")), Rating::RequiresImprovement);
        assert_eq!(bands.rate(dec("74.99")), Rating::Inadequate);
        assert_eq!(bands.rate(dec("-5")), Rating::Inadequate);
        assert_eq!(bands.rate(dec("150")), Rating::Good);
    }

    #[test]
    fn custom_bands() {
        let bands = RatingBands {
            good_from: dec("95"),
            approaching_from: dec("80"),
            requires_improvement_from: dec("60"),
        };
        assert_eq!(bands.rate(dec("95")), Rating::Good);
        assert_eq!(bands.rate(dec("79.99")), Rating::RequiresImprovement);
        assert_eq!(bands.rate(dec("59.99")), Rating::Inadequate);
    }

    #[test]
    fn bands_must_be_ordered() {
        let bands = RatingBands {
            good_from: dec("80"),
            approaching_from: dec("90"),
            requires_improvement_from: dec("95"),
        };
        let mut errors = ValidationErrors::default();
        bands.validate("rating_bands", &mut errors);
        let fields: Vec<&str> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "rating_bands.approaching_from",
                "rating_bands.requires_improvement_from"
            ]
        );
    }

    #[test]
    fn rating_text_is_reg_39_names() {
        let names: Vec<&str> = Rating::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "good",
                "approaching_target",
                "requires_improvement",
                "inadequate",
                "other"
            ]
        );
        for rating in Rating::ALL {
            assert_eq!(
                serde_json::to_string(rating).unwrap(),
                format!("\"{}\"", rating.as_str())
            );
        }
    }

    fn tr(kind: TermKind, material: bool, month: u32, rating: Rating) -> TermRating {
        let start = d(2026, month, 1);
        let end = start
            .checked_add_months(chrono::Months::new(1))
            .unwrap()
            .pred_opt()
            .unwrap();
        TermRating {
            kind,
            material,
            period: Period { start, end },
            rating,
        }
    }

    #[test]
    fn contract_rating_rules() {
        let window = Period {
            start: d(2026, 1, 1),
            end: d(2026, 6, 30),
        };
        use Rating::*;
        use TermKind::*;
        // Material inadequate wins.
        let ratings = [
            tr(Kpi, false, 1, Good),
            tr(Kpi, true, 2, Inadequate),
            tr(Kpi, false, 3, ApproachingTarget),
        ];
        assert_eq!(suggested_contract_rating(&ratings, window), Inadequate);
        // Non-material inadequate counts as requires improvement.
        let ratings = [tr(Kpi, false, 1, Good), tr(Kpi, false, 2, Inadequate)];
        assert_eq!(
            suggested_contract_rating(&ratings, window),
            RequiresImprovement
        );
        // Otherwise the worst; `other` and non-KPI terms ignored.
        let ratings = [
            tr(Kpi, true, 1, Good),
            tr(Kpi, true, 2, ApproachingTarget),
            tr(Kpi, true, 3, Other),
            tr(SocialValue, true, 4, Inadequate),
        ];
        assert_eq!(
            suggested_contract_rating(&ratings, window),
            ApproachingTarget
        );
        // Outside the window (July) ignored.
        let ratings = [tr(Kpi, true, 7, Inadequate), tr(Kpi, true, 6, Good)];
        assert_eq!(suggested_contract_rating(&ratings, window), Good);
        // Nothing assessed.
        let ratings = [tr(Kpi, true, 1, Other), tr(Milestone, true, 2, Good)];
        assert_eq!(suggested_contract_rating(&ratings, window), Other);
        assert_eq!(suggested_contract_rating(&[], window), Other);
    }
}
