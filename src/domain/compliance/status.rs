//! Assessing one term for one period: status, reg. 39 rating, figures, money and breach.
//!
//! **Status.** `met` when the period target is reached (attainment ≥ 100%); `partially_met` when
//! not, but attainment ≥ the term's `requires_improvement_from` band; `not_met` otherwise.
//! Formula terms are pass/fail: profit sharing is met when nothing is due or the due amount is
//! recorded as `paid`; reinvestment when the shortfall is nil; access when within the cap or
//! floor. With no (complete) return the period is `pending` until `period end + grace days`,
//! and `missing` once that date is past (`end + grace < as_of`).
//!
//! **Rating** (Procurement Regulations 2024 reg. 39(5)): from the term's bands on the exact
//! attainment; where no ratio is meaningful (see [`super::formulas::attainment_percent`]) and
//! for formula terms, `good` when met and `inadequate` when not; `other` for a missing or
//! pending period and for a term with nothing to measure.
//!
//! **Breach**: status `not_met` or `missing` and the term has a consequence or is material.
//! Consequences produce money only on a breached period.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::contract::ContractSpec;
use super::formulas::{
    access_met, attainment_percent, profit_share_due, reinvestment_required,
    reinvestment_shortfall, target_at, target_reached,
};
use super::money::{MoneyDue, MoneyKind, Ratio, format_money, period_fee_ratio, round_pence};
use super::periods::{Period, add_days};
use super::rating::Rating;
use super::term::{ClawbackBasis, Consequence, CreditBasis, Formula, TermSpec, required_measures};
use crate::domain::tender::AccessLimit;

text_enum! {
    /// Compliance status of one term for one period.
    pub enum ComplianceStatus {
        Met => "met",
        PartiallyMet => "partially_met",
        NotMet => "not_met",
        /// No return and the grace period is over.
        Missing => "missing",
        /// No return yet, still within period end + grace days.
        Pending => "pending",
    }
}

impl ComplianceStatus {
    /// Order of an assessed return, best first: met 2, partially met 1, not met 0; `None` for
    /// missing and pending, which say nothing about performance.
    pub fn rank(self) -> Option<u8> {
        match self {
            Self::Met => Some(2),
            Self::PartiallyMet => Some(1),
            Self::NotMet => Some(0),
            Self::Missing | Self::Pending => None,
        }
    }
}

/// The outcome of assessing one term for one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodAssessment {
    pub period: Period,
    pub status: ComplianceStatus,
    pub rating: Rating,
    /// The period target: the (glide-path) metric target, the access limit, the profit share
    /// due or the reinvestment required.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub expected: Option<Decimal>,
    /// The value achieved: the metric or access measure, the profit share paid, the amount
    /// reinvested.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub achieved: Option<Decimal>,
    /// Attainment in percent, 2 dp half-up (the status and rating use the exact value).
    #[serde(with = "rust_decimal::serde::str_option")]
    pub attainment_percent: Option<Decimal>,
    pub money: Vec<MoneyDue>,
    pub breach: bool,
    /// The consequence that the breach triggers, when there is a breach.
    pub triggered: Option<Consequence>,
    pub explanation: String,
}

/// What the return says, before consequences.
struct Outcome {
    status: ComplianceStatus,
    rating: Rating,
    expected: Option<Decimal>,
    achieved: Option<Decimal>,
    attainment: Option<Decimal>,
    /// The formula's own money (profit share outstanding, reinvestment shortfall).
    formula_money: Option<MoneyDue>,
    explanation: String,
}

/// Assesses `term` for `period` from the return's named `values` (`None`: no return yet).
/// `as_of` is today for the caller; `grace_days` is how long after the period end a return may
/// still arrive before it is missing. A return lacking a required measure counts as no return
/// (it cannot be assessed); measures the term does not define are ignored here — reject them on
/// input with [`super::term::check_values`].
pub fn assess(
    term: &TermSpec,
    contract: &ContractSpec,
    period: Period,
    values: Option<&BTreeMap<String, Decimal>>,
    as_of: NaiveDate,
    grace_days: u32,
) -> PeriodAssessment {
    let label = period_label(term, &period);
    let incomplete: Vec<&str> = match values {
        Some(values) => required_measures(term)
            .iter()
            .copied()
            .filter(|name| !values.contains_key(*name))
            .collect(),
        None => Vec::new(),
    };
    let outcome = match values {
        Some(values) if incomplete.is_empty() => assess_return(term, contract, &period, values),
        _ => no_return(term, contract, &period, &incomplete, as_of, grace_days),
    };

    let breach = matches!(
        outcome.status,
        ComplianceStatus::NotMet | ComplianceStatus::Missing
    ) && (term.consequence.is_some() || term.material);
    let triggered = if breach {
        term.consequence.clone()
    } else {
        None
    };

    let mut explanation = format!("{label}: {}", outcome.explanation);
    let mut money = Vec::new();
    let mut formula_money = outcome.formula_money;
    if let Some(consequence) = &triggered {
        let anchor = term
            .schedule
            .as_ref()
            .map_or(period.start, |s| s.first_period_start);
        let (lines, note) = consequence_money(
            consequence,
            contract,
            &period,
            anchor,
            term.fee_per_period,
            &mut formula_money,
        );
        money.extend(lines);
        explanation.push_str(&format!("; breach → {note}"));
    } else if breach {
        explanation.push_str("; breach of a material term");
    }
    // The formula's own line goes first unless a clawback took it over (see consequence_money).
    if let Some(line) = formula_money {
        money.insert(0, line);
    }

    PeriodAssessment {
        period,
        status: outcome.status,
        rating: outcome.rating,
        expected: outcome.expected,
        achieved: outcome.achieved,
        attainment_percent: outcome.attainment.map(round_percent),
        money,
        breach,
        triggered,
        explanation,
    }
}

/// A return recorded after its period's deadline (period end + grace days) is `late`: it is
/// assessed like any other, and the line says it came late. A local policy rule: the deadline
/// is the contract's grace, the same one after which a period with no return is missing.
pub fn is_late(period: &Period, grace_days: u32, recorded_on: NaiveDate) -> bool {
    add_days(period.end, u64::from(grace_days)).is_some_and(|deadline| recorded_on > deadline)
}

fn period_label(term: &TermSpec, period: &Period) -> String {
    match &term.schedule {
        Some(schedule) => period.label(schedule.cadence),
        None => format!("{}..{}", period.start, period.end),
    }
}

/// A figure without trailing zeros, for explanations.
fn fig(value: Decimal) -> String {
    value.normalize().to_string()
}

fn with_unit(value: Decimal, unit: &str) -> String {
    if unit.is_empty() {
        fig(value)
    } else {
        format!("{} {unit}", fig(value))
    }
}

/// Attainment for display: 2 dp half-up, always shown with two places (`90.00`).
fn round_percent(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

fn no_return(
    term: &TermSpec,
    contract: &ContractSpec,
    period: &Period,
    incomplete: &[&str],
    as_of: NaiveDate,
    grace_days: u32,
) -> Outcome {
    let deadline = add_days(period.end, u64::from(grace_days));
    let status = match deadline {
        Some(deadline) if deadline < as_of => ComplianceStatus::Missing,
        _ => ComplianceStatus::Pending,
    };
    let what = if incomplete.is_empty() {
        "no return".to_string()
    } else {
        format!("incomplete return (lacks {})", incomplete.join(", "))
    };
    let due = match deadline {
        Some(deadline) => format!("due by {deadline} (period end + {grace_days} grace days)"),
        None => "due date beyond the calendar".to_string(),
    };
    Outcome {
        status,
        rating: Rating::Other,
        expected: expected_without_return(term, contract, period),
        achieved: None,
        attainment: None,
        formula_money: None,
        explanation: format!("{what}, {due}: {}", status.as_str()),
    }
}

/// The period target that can be stated without figures from the supplier.
fn expected_without_return(
    term: &TermSpec,
    contract: &ContractSpec,
    period: &Period,
) -> Option<Decimal> {
    match (&term.metric, &term.formula) {
        (Some(metric), _) => Some(target_at(metric, contract.start, period.end)),
        (None, Some(Formula::Access { value, .. })) => Some(*value),
        _ => None,
    }
}

fn value(values: &BTreeMap<String, Decimal>, name: &str) -> Decimal {
    values.get(name).copied().unwrap_or(Decimal::ZERO)
}

fn pass_fail(met: bool) -> (ComplianceStatus, Rating) {
    if met {
        (ComplianceStatus::Met, Rating::Good)
    } else {
        (ComplianceStatus::NotMet, Rating::Inadequate)
    }
}

fn assess_return(
    term: &TermSpec,
    contract: &ContractSpec,
    period: &Period,
    values: &BTreeMap<String, Decimal>,
) -> Outcome {
    if let Some(metric) = &term.metric {
        let expected = target_at(metric, contract.start, period.end);
        let achieved = value(values, "value");
        let tolerance = metric.tolerance.unwrap_or(Decimal::ZERO);
        let reached = target_reached(metric.direction, expected, achieved, tolerance);
        let attainment = attainment_percent(metric.direction, expected, achieved, tolerance);
        // met ↔ target reached (attainment ≥ 100%); partially met ↔ attainment ≥ the
        // requires-improvement band; else not met.
        let status = if reached {
            ComplianceStatus::Met
        } else if attainment.is_some_and(|a| a >= term.rating_bands.requires_improvement_from) {
            ComplianceStatus::PartiallyMet
        } else {
            ComplianceStatus::NotMet
        };
        let rating = match attainment {
            Some(a) => term.rating_bands.rate(a),
            None => pass_fail(reached).1,
        };
        let tolerance_text = if tolerance.is_zero() {
            String::new()
        } else {
            format!(" ± {}", fig(tolerance))
        };
        let glide = if metric.glide_path && metric.baseline.is_some() {
            " (glide path)"
        } else {
            ""
        };
        let attainment_text = match attainment {
            Some(a) => format!(", attainment {}%", round_percent(a)),
            None => String::new(),
        };
        return Outcome {
            status,
            rating,
            expected: Some(expected),
            achieved: Some(achieved),
            attainment,
            formula_money: None,
            explanation: format!(
                "{} {} against target {} {}{tolerance_text}{glide}{attainment_text}: {}, {}",
                metric.name,
                with_unit(achieved, &metric.unit),
                metric.direction.as_str().replace('_', " "),
                with_unit(expected, &metric.unit),
                status.as_str(),
                rating.as_str(),
            ),
        };
    }

    match &term.formula {
        Some(Formula::ProfitSharing {
            share_percent,
            above_margin_percent,
        }) => {
            let revenue = value(values, "revenue");
            let profit = value(values, "profit");
            let paid = value(values, "paid");
            let Some(due) =
                profit_share_due(*share_percent, *above_margin_percent, revenue, profit)
            else {
                return overflow();
            };
            // Met when what is still owed rounds to nothing: nothing due, or paid in full.
            let outstanding = round_pence(due.checked_sub(paid).unwrap_or(due).max(Decimal::ZERO));
            let met = outstanding.is_zero();
            let (status, rating) = pass_fail(met);
            let formula_money = if met {
                None
            } else {
                MoneyDue::new(
                    MoneyKind::ProfitShareDue,
                    outstanding,
                    format!(
                        "profit share {} due, {} paid",
                        format_money(due),
                        format_money(paid)
                    ),
                )
            };
            Outcome {
                status,
                rating,
                expected: Some(due),
                achieved: Some(paid),
                attainment: None,
                formula_money,
                explanation: format!(
                    "profit {} on revenue {}: {}% of profit above {}% margin = {} due, {} paid: {}",
                    format_money(profit),
                    format_money(revenue),
                    fig(*share_percent),
                    fig(*above_margin_percent),
                    format_money(due),
                    format_money(paid),
                    status.as_str()
                ),
            }
        }
        Some(Formula::Reinvestment { percent_of_profit }) => {
            let profit = value(values, "profit");
            let reinvested = value(values, "reinvested");
            let (Some(required), Some(shortfall)) = (
                reinvestment_required(*percent_of_profit, profit),
                reinvestment_shortfall(*percent_of_profit, profit, reinvested),
            ) else {
                return overflow();
            };
            let (status, rating) = pass_fail(shortfall.is_zero());
            let formula_money = MoneyDue::new(
                MoneyKind::ReinvestmentShortfall,
                shortfall,
                format!(
                    "reinvestment {} required, {} made",
                    format_money(required),
                    format_money(reinvested)
                ),
            );
            Outcome {
                status,
                rating,
                expected: Some(required),
                achieved: Some(reinvested),
                attainment: None,
                formula_money,
                explanation: format!(
                    "{}% of profit {} = {} to reinvest, {} reinvested, shortfall {}: {}",
                    fig(*percent_of_profit),
                    format_money(profit),
                    format_money(required),
                    format_money(reinvested),
                    format_money(shortfall),
                    status.as_str()
                ),
            }
        }
        Some(Formula::Access {
            limit,
            value: limit_value,
        }) => {
            let measure = value(values, "value");
            let (status, rating) = pass_fail(access_met(*limit, *limit_value, measure));
            let bound = match limit {
                AccessLimit::Cap => "cap (at most)",
                AccessLimit::Floor => "floor (at least)",
            };
            Outcome {
                status,
                rating,
                expected: Some(*limit_value),
                achieved: Some(measure),
                attainment: None,
                formula_money: None,
                explanation: format!(
                    "access measure {} against {bound} {}: {}",
                    fig(measure),
                    fig(*limit_value),
                    status.as_str()
                ),
            }
        }
        None => Outcome {
            // Nothing to measure: lint reports `term_without_target`; the period stays undecided.
            status: ComplianceStatus::Pending,
            rating: Rating::Other,
            expected: None,
            achieved: None,
            attainment: None,
            formula_money: None,
            explanation: "the term has no metric or formula, so it cannot be assessed".to_string(),
        },
    }
}

/// Figures too large to compute (impossible on validated input): undecided rather than a guess.
fn overflow() -> Outcome {
    Outcome {
        status: ComplianceStatus::Pending,
        rating: Rating::Other,
        expected: None,
        achieved: None,
        attainment: None,
        formula_money: None,
        explanation: "the figures are too large to assess".to_string(),
    }
}

/// The money lines of a triggered consequence and a note for the explanation. A clawback based
/// on the formula (profit share, reinvestment shortfall) *takes over* the formula's own line —
/// it becomes a clawback of the same amount — so no pound is listed twice.
fn consequence_money(
    consequence: &Consequence,
    contract: &ContractSpec,
    period: &Period,
    anchor: NaiveDate,
    fee_per_period: Option<Decimal>,
    formula_money: &mut Option<MoneyDue>,
) -> (Vec<MoneyDue>, String) {
    let fee = period_fee_ratio(contract, period, anchor, fee_per_period);
    let fee_text = match fee.and_then(Ratio::value) {
        Some(fee) => format_money(fee),
        None => "unknown".to_string(),
    };
    let percent_of_fee = |kind: MoneyKind, percent: Decimal, what: &str| {
        let amount = fee
            .and_then(|fee| fee.times(percent))
            .and_then(|r| r.over(Decimal::ONE_HUNDRED))
            .and_then(Ratio::value);
        match amount {
            Some(amount) => {
                let line = MoneyDue::new(
                    kind,
                    amount,
                    format!(
                        "{what} {}% of period fee {fee_text} = {}",
                        fig(percent),
                        format_money(amount)
                    ),
                );
                (
                    line.into_iter().collect(),
                    format!("{what} {}", format_money(amount)),
                )
            }
            None => (
                Vec::new(),
                format!(
                    "{what} {}% of the period fee, which cannot be worked out",
                    fig(percent)
                ),
            ),
        }
    };
    match consequence {
        Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee { percent },
        } => percent_of_fee(MoneyKind::ServiceCredit, *percent, "service credit"),
        Consequence::ServiceCredit {
            basis: CreditBasis::Fixed { amount },
        } => fixed(MoneyKind::ServiceCredit, *amount, "service credit"),
        Consequence::WithholdPayment {
            percent_of_period_fee,
        } => percent_of_fee(
            MoneyKind::WithheldPayment,
            *percent_of_period_fee,
            "withhold",
        ),
        Consequence::Clawback {
            basis: ClawbackBasis::Fixed { amount },
        } => fixed(MoneyKind::Clawback, *amount, "clawback"),
        Consequence::Clawback { basis } => {
            let wanted = match basis {
                ClawbackBasis::ProfitShareFormula => MoneyKind::ProfitShareDue,
                _ => MoneyKind::ReinvestmentShortfall,
            };
            match formula_money.take() {
                Some(line) if line.kind == wanted => {
                    let note = format!("clawback {}", format_money(line.amount));
                    let taken = MoneyDue {
                        kind: MoneyKind::Clawback,
                        amount: line.amount,
                        explanation: format!("clawback of {}", line.explanation),
                    };
                    (vec![taken], note)
                }
                other => {
                    *formula_money = other;
                    (
                        Vec::new(),
                        format!(
                            "clawback of the {} (no figure to claw back)",
                            wanted.as_str().replace('_', " ")
                        ),
                    )
                }
            }
        }
        Consequence::InterestStepUp { basis_points } => (
            Vec::new(),
            format!("interest steps up by {basis_points} basis points"),
        ),
        Consequence::TrancheGate { tranche } => {
            (Vec::new(), format!("tranche \"{tranche}\" is not released"))
        }
        Consequence::ImprovementPlan { days_to_submit } => (
            Vec::new(),
            format!("improvement plan due within {days_to_submit} days"),
        ),
        Consequence::TerminationRight => (Vec::new(), "the authority may terminate".to_string()),
    }
}

fn fixed(kind: MoneyKind, amount: Decimal, what: &str) -> (Vec<MoneyDue>, String) {
    let line = MoneyDue::new(kind, amount, format!("{what} {}", format_money(amount)));
    (
        line.into_iter().collect(),
        format!("{what} {}", format_money(amount)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::term::MetricDirection;
    use crate::domain::compliance::term::tests::{conditionality, contract, kpi, metric};
    use crate::domain::compliance::test_support::{d, dec};
    use crate::domain::tender::ConditionalityType;
    use proptest::prelude::*;

    fn jan() -> Period {
        Period {
            start: d(2026, 1, 1),
            end: d(2026, 1, 31),
        }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, Decimal> {
        pairs.iter().map(|(k, v)| (k.to_string(), dec(v))).collect()
    }

    fn run(term: &TermSpec, pairs: &[(&str, &str)]) -> PeriodAssessment {
        let v = values(pairs);
        assess(term, &contract(), jan(), Some(&v), d(2026, 2, 1), 14)
    }

    #[test]
    fn a_return_is_late_only_after_its_deadline() {
        let jan = Period {
            start: d(2026, 1, 1),
            end: d(2026, 1, 31),
        };
        // 10 grace days: due by 10 February.
        assert!(!is_late(&jan, 10, d(2026, 2, 10)));
        assert!(is_late(&jan, 10, d(2026, 2, 11)));
        assert!(!is_late(&jan, 0, d(2026, 1, 31)));
    }

    #[test]
    fn status_and_rating_at_each_boundary() {
        let term = kpi(metric(MetricDirection::AtLeast, "200"));
        let cases = [
            // achieved, attainment (= achieved / 200 × 100), status, rating
            ("200", "100", ComplianceStatus::Met, Rating::Good),
            ("250", "125", ComplianceStatus::Met, Rating::Good),
            (
                "199.98",
                "99.99",
                ComplianceStatus::PartiallyMet,
                Rating::ApproachingTarget,
            ),
            (
                "180",
                "90",
                ComplianceStatus::PartiallyMet,
                Rating::ApproachingTarget,
            ),
            (
                "179.98",
                "89.99",
                ComplianceStatus::PartiallyMet,
                Rating::RequiresImprovement,
            ),
            (
                "150",
                "75",
                ComplianceStatus::PartiallyMet,
                Rating::RequiresImprovement,
            ),
            (
                "149.98",
                "74.99",
                ComplianceStatus::NotMet,
                Rating::Inadequate,
            ),
            ("0", "0", ComplianceStatus::NotMet, Rating::Inadequate),
        ];
        for (achieved, attainment, status, rating) in cases {
            let a = run(&term, &[("value", achieved)]);
            assert_eq!(a.status, status, "achieved {achieved}");
            assert_eq!(a.rating, rating, "achieved {achieved}");
            assert_eq!(a.attainment_percent, Some(dec(attainment)));
            assert_eq!(a.expected, Some(dec("200")));
            assert_eq!(a.achieved, Some(dec(achieved)));
            assert!(!a.breach);
            assert!(a.money.is_empty());
        }
    }

    #[test]
    fn attainment_is_shown_to_two_places_half_up() {
        // 2 of 3 = 66.666…% → 66.67; 1 of 8 = 12.5% exactly.
        let term = kpi(metric(MetricDirection::AtLeast, "3"));
        assert_eq!(
            run(&term, &[("value", "2")]).attainment_percent,
            Some(dec("66.67"))
        );
        // 0.2 of 1.6 = 12.5%; 1.0005 of 8 = 12.50625 → 12.51 (half-up at the 3rd place).
        let term = kpi(metric(MetricDirection::AtLeast, "8"));
        assert_eq!(
            run(&term, &[("value", "1.0005")]).attainment_percent,
            Some(dec("12.51"))
        );
    }

    #[test]
    fn explanation_states_the_figures() {
        let term = kpi(metric(MetricDirection::AtLeast, "200"));
        let a = run(&term, &[("value", "180")]);
        assert_eq!(
            a.explanation,
            "2026-01: Local apprentices 180 people against target at least 200 people, \
             attainment 90.00%: partially_met, approaching_target"
        );
    }

    #[test]
    fn at_most_and_equal_metrics() {
        // Cap 50, achieved 62.5: attainment 50/62.5 = 80% → partially met, requires improvement.
        let term = kpi(metric(MetricDirection::AtMost, "50"));
        let a = run(&term, &[("value", "62.5")]);
        assert_eq!(
            (a.status, a.rating, a.attainment_percent),
            (
                ComplianceStatus::PartiallyMet,
                Rating::RequiresImprovement,
                Some(dec("80"))
            )
        );
        // Cap 50, achieved 0: reached, no ratio → good.
        let a = run(&term, &[("value", "0")]);
        assert_eq!(
            (a.status, a.rating, a.attainment_percent),
            (ComplianceStatus::Met, Rating::Good, None)
        );
        // Net zero (cap 0), achieved 3: no ratio, not reached → not met, inadequate.
        let term = kpi(metric(MetricDirection::AtMost, "0"));
        let a = run(&term, &[("value", "3")]);
        assert_eq!(
            (a.status, a.rating),
            (ComplianceStatus::NotMet, Rating::Inadequate)
        );
        // Equal 200 ± 5: 205 met; 215 → 95% approaching.
        let mut m = metric(MetricDirection::Equal, "200");
        m.tolerance = Some(dec("5"));
        let term = kpi(m);
        assert_eq!(
            run(&term, &[("value", "205")]).status,
            ComplianceStatus::Met
        );
        let a = run(&term, &[("value", "215")]);
        assert_eq!(
            (a.status, a.rating, a.attainment_percent),
            (
                ComplianceStatus::PartiallyMet,
                Rating::ApproachingTarget,
                Some(dec("95"))
            )
        );
    }

    #[test]
    fn glide_path_target_is_taken_at_the_period_end() {
        // Emissions from 100 (2026-01-01) to 50 by 2026-12-31 (364 days); Jan ends on day 30:
        // target 95.879121 (see formulas tests). 96 is above the cap:
        // attainment 95.879121 / 96 = 99.874084…% → partially met, approaching target.
        let mut m = metric(MetricDirection::AtMost, "50");
        m.baseline = Some(dec("100"));
        m.target_date = Some(d(2026, 12, 31));
        m.glide_path = true;
        let term = kpi(m);
        let a = run(&term, &[("value", "96")]);
        assert_eq!(a.expected, Some(dec("95.879121")));
        assert_eq!(a.status, ComplianceStatus::PartiallyMet);
        assert_eq!(a.attainment_percent, Some(dec("99.87")));
        assert_eq!(
            run(&term, &[("value", "95.879121")]).status,
            ComplianceStatus::Met
        );
    }

    #[test]
    fn pending_then_missing_after_grace() {
        let term = kpi(metric(MetricDirection::AtLeast, "200"));
        // Period ends 2026-01-31; 14 grace days → due by 2026-02-14.
        let at = |as_of| assess(&term, &contract(), jan(), None, as_of, 14);
        assert_eq!(at(d(2026, 1, 20)).status, ComplianceStatus::Pending);
        assert_eq!(at(d(2026, 2, 14)).status, ComplianceStatus::Pending);
        let missing = at(d(2026, 2, 15));
        assert_eq!(missing.status, ComplianceStatus::Missing);
        assert_eq!(missing.rating, Rating::Other);
        assert_eq!(missing.expected, Some(dec("200")));
        assert_eq!(
            missing.explanation,
            "2026-01: no return, due by 2026-02-14 (period end + 14 grace days): missing"
        );
        // Not material and no consequence: missing is not a breach.
        assert!(!missing.breach);
        // No grace: missing the day after the period end.
        let no_grace = assess(&term, &contract(), jan(), None, d(2026, 2, 1), 0);
        assert_eq!(no_grace.status, ComplianceStatus::Missing);
    }

    #[test]
    fn incomplete_return_counts_as_no_return() {
        let term = conditionality(
            ConditionalityType::ProfitSharing,
            Formula::ProfitSharing {
                share_percent: dec("50"),
                above_margin_percent: dec("10"),
            },
        );
        let v = values(&[("revenue", "1000")]);
        let a = assess(&term, &contract(), jan(), Some(&v), d(2026, 3, 1), 14);
        assert_eq!(a.status, ComplianceStatus::Missing);
        assert!(a.explanation.contains("incomplete return (lacks profit)"));
    }

    #[test]
    fn service_credit_on_breach_only() {
        // Contract £120,000 over 12 months: January's fee £10,000; 5% = £500.
        let mut term = kpi(metric(MetricDirection::AtLeast, "200"));
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee { percent: dec("5") },
        });
        let a = run(&term, &[("value", "100")]); // 50%: not met
        assert!(a.breach);
        assert_eq!(a.triggered, term.consequence);
        assert_eq!(
            a.money,
            vec![MoneyDue {
                kind: MoneyKind::ServiceCredit,
                amount: dec("500"),
                explanation: "service credit 5% of period fee £10000.00 = £500.00".to_string(),
            }]
        );
        assert!(a.explanation.ends_with("; breach → service credit £500.00"));
        // Partially met (80%) is not a breach: no money.
        let a = run(&term, &[("value", "160")]);
        assert_eq!(a.status, ComplianceStatus::PartiallyMet);
        assert!(!a.breach);
        assert!(a.money.is_empty());
        assert_eq!(a.triggered, None);
    }

    #[test]
    fn assessment_json_has_string_decimals() {
        let mut term = kpi(metric(MetricDirection::AtLeast, "200"));
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee { percent: dec("5") },
        });
        let json = serde_json::to_value(run(&term, &[("value", "100")])).unwrap();
        assert_eq!(json["status"], "not_met");
        assert_eq!(json["rating"], "inadequate");
        assert_eq!(json["expected"], "200");
        assert_eq!(json["attainment_percent"], "50.00");
        assert_eq!(json["period"]["start"], "2026-01-01");
        assert_eq!(json["money"][0]["kind"], "service_credit");
        assert_eq!(json["money"][0]["amount"], "500.00");
        assert_eq!(json["triggered"]["type"], "service_credit");
        assert_eq!(json["breach"], true);
    }

    #[test]
    fn money_rounds_half_up_once() {
        // Fee £2.50 a period, 5% = £0.125 exactly: half-up → £0.13 (banker's: £0.12).
        let mut term = kpi(metric(MetricDirection::AtLeast, "200"));
        term.fee_per_period = Some(dec("2.50"));
        term.consequence = Some(Consequence::WithholdPayment {
            percent_of_period_fee: dec("5"),
        });
        let a = run(&term, &[("value", "0")]);
        assert_eq!(a.money.len(), 1);
        assert_eq!(a.money[0].kind, MoneyKind::WithheldPayment);
        assert_eq!(a.money[0].amount, dec("0.13"));

        // Rounded at the end, not per step: contract £5,000 from 2026-01-01 to 2026-03-15
        // (2 + 15/31 = 77/31 months); January's fee = 5,000 × 31/77 = 2,012.987012…;
        // 50% of it = 1,006.493506… → £1,006.49. Rounding the fee first (£2,012.99) would give
        // 1,006.495 → £1,006.50.
        let c = ContractSpec {
            value: dec("5000"),
            start: d(2026, 1, 1),
            end: d(2026, 3, 15),
            status: crate::domain::compliance::contract::ContractStatus::Active,
        };
        term.fee_per_period = None;
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee { percent: dec("50") },
        });
        let v = values(&[("value", "0")]);
        let a = assess(&term, &c, jan(), Some(&v), d(2026, 2, 1), 14);
        assert_eq!(a.money[0].amount, dec("1006.49"));
        assert_eq!(
            a.money[0].explanation,
            "service credit 50% of period fee £2012.99 = £1006.49"
        );
    }

    #[test]
    fn missing_return_of_a_material_term_is_a_breach() {
        let mut term = kpi(metric(MetricDirection::AtLeast, "200"));
        term.material = true;
        let a = assess(&term, &contract(), jan(), None, d(2026, 3, 1), 14);
        assert!(a.breach);
        assert!(a.money.is_empty());
        assert!(a.explanation.ends_with("; breach of a material term"));
        // With a fixed service credit, the credit applies to the missing period.
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::Fixed { amount: dec("250") },
        });
        let a = assess(&term, &contract(), jan(), None, d(2026, 3, 1), 14);
        assert_eq!(a.money.len(), 1);
        assert_eq!(a.money[0].amount, dec("250"));
        // Still pending: no breach yet.
        let a = assess(&term, &contract(), jan(), None, d(2026, 2, 1), 14);
        assert!(!a.breach);
        assert!(a.money.is_empty());
    }

    fn profit_sharing() -> TermSpec {
        conditionality(
            ConditionalityType::ProfitSharing,
            Formula::ProfitSharing {
                share_percent: dec("50"),
                above_margin_percent: dec("10"),
            },
        )
    }

    #[test]
    fn profit_share_met_when_nothing_due_or_paid() {
        let term = profit_sharing();
        // Profit 80,000 on revenue 1,000,000: below the 10% margin, nothing due.
        let a = run(&term, &[("revenue", "1000000"), ("profit", "80000")]);
        assert_eq!((a.status, a.rating), (ComplianceStatus::Met, Rating::Good));
        assert_eq!(a.expected, Some(dec("0")));
        // Profit 150,000: 50% × 50,000 = 25,000 due; paid in full → met.
        let a = run(
            &term,
            &[
                ("revenue", "1000000"),
                ("profit", "150000"),
                ("paid", "25000"),
            ],
        );
        assert_eq!(a.status, ComplianceStatus::Met);
        assert!(a.money.is_empty());
        // Paid 10,000 → not met, 15,000 outstanding.
        let a = run(
            &term,
            &[
                ("revenue", "1000000"),
                ("profit", "150000"),
                ("paid", "10000"),
            ],
        );
        assert_eq!(
            (a.status, a.rating),
            (ComplianceStatus::NotMet, Rating::Inadequate)
        );
        assert_eq!(a.expected, Some(dec("25000")));
        assert_eq!(a.achieved, Some(dec("10000")));
        assert_eq!(a.money.len(), 1);
        assert_eq!(a.money[0].kind, MoneyKind::ProfitShareDue);
        assert_eq!(a.money[0].amount, dec("15000"));
        // No consequence and not material: the share is owed but it is not a breach.
        assert!(!a.breach);
    }

    #[test]
    fn profit_share_clawback_takes_over_the_due_line() {
        let mut term = profit_sharing();
        term.consequence = Some(Consequence::Clawback {
            basis: ClawbackBasis::ProfitShareFormula,
        });
        let a = run(&term, &[("revenue", "1000000"), ("profit", "150000")]);
        assert!(a.breach);
        assert_eq!(
            a.money,
            vec![MoneyDue {
                kind: MoneyKind::Clawback,
                amount: dec("25000"),
                explanation: "clawback of profit share £25000.00 due, £0.00 paid".to_string(),
            }]
        );
    }

    #[test]
    fn reinvestment_shortfall_and_negative_profit() {
        let mut term = conditionality(
            ConditionalityType::Reinvestment,
            Formula::Reinvestment {
                percent_of_profit: dec("20"),
            },
        );
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::Fixed {
                amount: dec("1000"),
            },
        });
        // 20% × 50,000 = 10,000 required, 7,500 reinvested: shortfall 2,500, plus the credit.
        let a = run(&term, &[("profit", "50000"), ("reinvested", "7500")]);
        assert_eq!(a.status, ComplianceStatus::NotMet);
        let lines: Vec<(MoneyKind, Decimal)> = a.money.iter().map(|m| (m.kind, m.amount)).collect();
        assert_eq!(
            lines,
            vec![
                (MoneyKind::ReinvestmentShortfall, dec("2500")),
                (MoneyKind::ServiceCredit, dec("1000")),
            ]
        );
        // A loss requires nothing: met.
        let a = run(&term, &[("profit", "-20000"), ("reinvested", "0")]);
        assert_eq!(
            (a.status, a.expected),
            (ComplianceStatus::Met, Some(dec("0")))
        );
        assert!(a.money.is_empty());
        // Clawback of the shortfall replaces the shortfall line.
        term.consequence = Some(Consequence::Clawback {
            basis: ClawbackBasis::ReinvestmentShortfall,
        });
        let a = run(&term, &[("profit", "50000"), ("reinvested", "7500")]);
        let lines: Vec<(MoneyKind, Decimal)> = a.money.iter().map(|m| (m.kind, m.amount)).collect();
        assert_eq!(lines, vec![(MoneyKind::Clawback, dec("2500"))]);
    }

    #[test]
    fn access_cap_and_floor() {
        let mut cap = conditionality(
            ConditionalityType::Access,
            Formula::Access {
                limit: AccessLimit::Cap,
                value: dec("95"),
            },
        );
        cap.consequence = Some(Consequence::ImprovementPlan { days_to_submit: 28 });
        assert_eq!(run(&cap, &[("value", "95")]).status, ComplianceStatus::Met);
        let a = run(&cap, &[("value", "99.50")]);
        assert_eq!(
            (a.status, a.rating),
            (ComplianceStatus::NotMet, Rating::Inadequate)
        );
        assert!(a.breach);
        assert!(a.money.is_empty());
        assert!(
            a.explanation
                .ends_with("breach → improvement plan due within 28 days")
        );
        let floor = conditionality(
            ConditionalityType::Access,
            Formula::Access {
                limit: AccessLimit::Floor,
                value: dec("30"),
            },
        );
        assert_eq!(
            run(&floor, &[("value", "29.9")]).status,
            ComplianceStatus::NotMet
        );
        assert_eq!(
            run(&floor, &[("value", "30")]).status,
            ComplianceStatus::Met
        );
    }

    #[test]
    fn term_without_metric_or_formula_is_not_assessed() {
        let mut term = kpi(metric(MetricDirection::AtLeast, "1"));
        term.metric = None;
        let a = run(&term, &[]);
        assert_eq!(
            (a.status, a.rating),
            (ComplianceStatus::Pending, Rating::Other)
        );
    }

    #[test]
    fn status_text_matches_serde() {
        for status in ComplianceStatus::ALL {
            assert_eq!(
                serde_json::to_string(status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
        for kind in MoneyKind::ALL {
            assert_eq!(
                serde_json::to_string(kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
        }
    }

    fn direction_strategy() -> impl Strategy<Value = MetricDirection> {
        prop_oneof![
            Just(MetricDirection::AtLeast),
            Just(MetricDirection::AtMost),
            Just(MetricDirection::Equal),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A later, better return never worsens the status (met > partially met > not met).
        #[test]
        fn better_return_never_worsens_status(
            direction in direction_strategy(),
            target in -1_000_000i64..1_000_000,
            tolerance in 0i64..5_000,
            achieved in -2_000_000i64..2_000_000,
            improvement in 0i64..2_000_000,
        ) {
            let mut m = metric(direction, "0");
            m.target = Decimal::new(target, 2);
            if direction == MetricDirection::Equal {
                m.tolerance = Some(Decimal::new(tolerance, 2));
            }
            let term = kpi(m);
            let first = Decimal::new(achieved, 2);
            let step = Decimal::new(improvement, 2);
            let better = match direction {
                MetricDirection::AtLeast => first + step,
                MetricDirection::AtMost => first - step,
                // Closer to the target, never overshooting it.
                MetricDirection::Equal => {
                    let t = Decimal::new(target, 2);
                    if first >= t { (first - step).max(t) } else { (first + step).min(t) }
                }
            };
            let before = assess(&term, &contract(), jan(), Some(&BTreeMap::from([("value".to_string(), first)])), d(2026, 2, 1), 0);
            let after = assess(&term, &contract(), jan(), Some(&BTreeMap::from([("value".to_string(), better)])), d(2026, 2, 1), 0);
            prop_assert!(after.status.rank() >= before.status.rank(),
                "{:?} → {:?} for {} then {}", before.status, after.status, first, better);
        }

        /// The same property with returns drawn around the rating bands: quality `q` (percent of
        /// the target's attainment) rises by `inc`, so before and after often straddle a band.
        #[test]
        fn better_return_near_the_bands_never_worsens_status(
            direction in direction_strategy(),
            target in 1i64..1_000,
            q in 1i64..130,
            inc in 0i64..30,
        ) {
            let t = Decimal::from(target);
            let hundred = Decimal::ONE_HUNDRED;
            // AtLeast: t × q%; AtMost: t ÷ q% (higher q, lower value); Equal: t × (200 − q)%
            // above the target while q < 100, then t exactly.
            let achieved = |q: i64| {
                let q = Decimal::from(q);
                match direction {
                    MetricDirection::AtLeast => t * q / hundred,
                    MetricDirection::AtMost => t * hundred / q,
                    MetricDirection::Equal => t * (Decimal::from(200) - q.min(hundred)) / hundred,
                }
            };
            let term = kpi({
                let mut m = metric(direction, "0");
                m.target = t;
                m
            });
            let at = |value: Decimal| {
                let v = BTreeMap::from([("value".to_string(), value)]);
                assess(&term, &contract(), jan(), Some(&v), d(2026, 2, 1), 0).status
            };
            let before = at(achieved(q));
            let after = at(achieved(q + inc));
            prop_assert!(after.rank() >= before.rank(), "{:?} → {:?}", before, after);
        }

        /// Paying more profit share or reinvesting more never worsens the status.
        #[test]
        fn more_paid_or_reinvested_never_worsens(
            revenue in 0i64..100_000_000,
            profit in -10_000_000i64..50_000_000,
            paid in 0i64..10_000_000,
            more in 0i64..10_000_000,
        ) {
            let ps = profit_sharing();
            let mut v = values(&[]);
            v.insert("revenue".to_string(), Decimal::new(revenue, 2));
            v.insert("profit".to_string(), Decimal::new(profit, 2));
            v.insert("paid".to_string(), Decimal::new(paid, 2));
            let before = assess(&ps, &contract(), jan(), Some(&v), d(2026, 2, 1), 0);
            v.insert("paid".to_string(), Decimal::new(paid + more, 2));
            let after = assess(&ps, &contract(), jan(), Some(&v), d(2026, 2, 1), 0);
            prop_assert!(after.status.rank() >= before.status.rank());

            let ri = conditionality(
                ConditionalityType::Reinvestment,
                Formula::Reinvestment { percent_of_profit: dec("20") },
            );
            let mut v = values(&[]);
            v.insert("profit".to_string(), Decimal::new(profit, 2));
            v.insert("reinvested".to_string(), Decimal::new(paid, 2));
            let before = assess(&ri, &contract(), jan(), Some(&v), d(2026, 2, 1), 0);
            v.insert("reinvested".to_string(), Decimal::new(paid + more, 2));
            let after = assess(&ri, &contract(), jan(), Some(&v), d(2026, 2, 1), 0);
            prop_assert!(after.status.rank() >= before.status.rank());
        }

        /// Money amounts are never negative, never zero, and always whole pence.
        #[test]
        fn money_is_positive_whole_pence(
            value_pence in 0i64..10_000_000_000,
            length in 0u64..1_500,
            percent in 0i64..10_000,
            fixed in 0i64..10_000_000,
            revenue in 0i64..100_000_000,
            profit in -10_000_000i64..50_000_000,
            paid in 0i64..10_000_000,
            share in 0i64..10_000,
            margin in 0i64..10_000,
            achieved in -1_000i64..1_000,
            which in 0usize..6,
            submitted in any::<bool>(),
        ) {
            let start = d(2026, 1, 1);
            let end = start.checked_add_days(chrono::Days::new(length)).unwrap();
            let c = ContractSpec { value: Decimal::new(value_pence, 2), start, end, status: crate::domain::compliance::contract::ContractStatus::Active };
            let pct = Decimal::new(percent, 2);
            let consequences = [
                Consequence::ServiceCredit { basis: CreditBasis::PercentOfPeriodFee { percent: pct } },
                Consequence::ServiceCredit { basis: CreditBasis::Fixed { amount: Decimal::new(fixed, 2) } },
                Consequence::WithholdPayment { percent_of_period_fee: pct },
                Consequence::Clawback { basis: ClawbackBasis::Fixed { amount: Decimal::new(fixed, 2) } },
                Consequence::Clawback { basis: ClawbackBasis::ProfitShareFormula },
                Consequence::Clawback { basis: ClawbackBasis::ReinvestmentShortfall },
            ];
            let mut terms = Vec::new();
            let mut kpi_term = kpi(metric(MetricDirection::AtLeast, "500"));
            kpi_term.consequence = Some(consequences[which].clone());
            terms.push((kpi_term, values(&[]).into_iter().chain([("value".to_string(), Decimal::new(achieved, 1))]).collect::<BTreeMap<_, _>>()));
            let mut ps = conditionality(ConditionalityType::ProfitSharing, Formula::ProfitSharing {
                share_percent: Decimal::new(share, 2), above_margin_percent: Decimal::new(margin, 2) });
            ps.consequence = Some(consequences[which].clone());
            terms.push((ps, BTreeMap::from([
                ("revenue".to_string(), Decimal::new(revenue, 2)),
                ("profit".to_string(), Decimal::new(profit, 2)),
                ("paid".to_string(), Decimal::new(paid, 2)),
            ])));
            let mut ri = conditionality(ConditionalityType::Reinvestment, Formula::Reinvestment { percent_of_profit: Decimal::new(share, 2) });
            ri.consequence = Some(consequences[which].clone());
            terms.push((ri, BTreeMap::from([
                ("profit".to_string(), Decimal::new(profit, 2)),
                ("reinvested".to_string(), Decimal::new(paid, 2)),
            ])));
            let period = Period { start, end: end.min(d(2026, 3, 31)) };
            for (term, v) in &terms {
                let a = assess(term, &c, period, submitted.then_some(v), d(2027, 1, 1), 0);
                for line in &a.money {
                    prop_assert!(line.amount > Decimal::ZERO, "{:?}", line);
                    prop_assert!(line.amount.scale() <= 2, "{:?}", line);
                }
                if !a.breach {
                    prop_assert!(a.money.iter().all(|m| matches!(m.kind, MoneyKind::ProfitShareDue | MoneyKind::ReinvestmentShortfall)));
                }
            }
        }
    }
}
