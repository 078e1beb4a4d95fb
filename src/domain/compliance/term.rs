//! A contract term as compliance sees it: what is measured, against which target or formula, how
//! often, how it is rated and what follows a breach.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::contract::{ContractSpec, check_magnitude, check_money, check_percent};
use super::periods::Schedule;
use super::rating::RatingBands;
use crate::domain::tender::{AccessLimit, ConditionalityType};
use crate::domain::text::single_line;
use crate::domain::validation::ValidationErrors;

text_enum! {
    /// What sort of term this is.
    pub enum TermKind {
        /// A key performance indicator (Procurement Act 2023 s.52).
        Kpi => "kpi",
        /// A social value commitment (Public Services (Social Value) Act 2012).
        SocialValue => "social_value",
        /// One of the four conditionalities (Mazzucato & Rodrik 2023).
        Conditionality => "conditionality",
        /// A one-off deliverable.
        Milestone => "milestone",
    }
}

text_enum! {
    /// Which way a metric's target points.
    pub enum MetricDirection {
        /// The achieved value must reach the target or more.
        AtLeast => "at_least",
        /// The achieved value must stay at the target or less.
        AtMost => "at_most",
        /// The achieved value must equal the target within `tolerance`.
        Equal => "equal",
    }
}

/// A measured quantity with its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    /// e.g. `%`, `tCO2e`, `£/week`; may be empty for plain counts.
    pub unit: String,
    pub direction: MetricDirection,
    /// Value at the contract start; the glide path starts here.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub baseline: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    pub target: Decimal,
    /// When the target must be reached; the glide path ends here.
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    /// Directionality: the period target moves linearly from the baseline to the target.
    #[serde(default)]
    pub glide_path: bool,
    /// `Equal` only: allowed absolute difference from the target (default 0).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub tolerance: Option<Decimal>,
}

/// How a conditionality term's obligation is computed from the supplier's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Formula {
    /// Share due = share% × max(0, profit − margin% × revenue).
    ProfitSharing {
        #[serde(with = "rust_decimal::serde::str")]
        share_percent: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        above_margin_percent: Decimal,
    },
    /// Required reinvestment = percent × profit (nothing when profit ≤ 0).
    Reinvestment {
        #[serde(with = "rust_decimal::serde::str")]
        percent_of_profit: Decimal,
    },
    /// The measured quantity must stay at or below (cap) or at or above (floor) `value`.
    Access {
        limit: AccessLimit,
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
    },
}

impl Formula {
    /// The conditionality a formula implements.
    pub fn conditionality_type(&self) -> ConditionalityType {
        match self {
            Self::ProfitSharing { .. } => ConditionalityType::ProfitSharing,
            Self::Reinvestment { .. } => ConditionalityType::Reinvestment,
            Self::Access { .. } => ConditionalityType::Access,
        }
    }
}

/// How a service credit is worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CreditBasis {
    PercentOfPeriodFee {
        #[serde(with = "rust_decimal::serde::str")]
        percent: Decimal,
    },
    Fixed {
        #[serde(with = "rust_decimal::serde::str")]
        amount: Decimal,
    },
}

/// How a clawback is worked out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClawbackBasis {
    Fixed {
        #[serde(with = "rust_decimal::serde::str")]
        amount: Decimal,
    },
    /// The outstanding profit share of a profit-sharing term.
    ProfitShareFormula,
    /// The reinvestment shortfall of a reinvestment term.
    ReinvestmentShortfall,
}

/// What follows a breached period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Consequence {
    ServiceCredit {
        basis: CreditBasis,
    },
    WithholdPayment {
        #[serde(with = "rust_decimal::serde::str")]
        percent_of_period_fee: Decimal,
    },
    Clawback {
        basis: ClawbackBasis,
    },
    /// Interest on public finance steps up by this many basis points.
    InterestStepUp {
        basis_points: u32,
    },
    /// The named tranche of funding is not released.
    TrancheGate {
        tranche: String,
    },
    ImprovementPlan {
        days_to_submit: u32,
    },
    TerminationRight,
}

/// Everything compliance needs about one term of a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermSpec {
    pub kind: TermKind,
    /// Set exactly when `kind` is `conditionality`.
    #[serde(default)]
    pub conditionality_type: Option<ConditionalityType>,
    /// A material term's failure is a breach even without a stated consequence.
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
    /// Fee for each period when the contract states one; otherwise the contract value is spread
    /// over its months.
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub fee_per_period: Option<Decimal>,
    #[serde(default)]
    pub evidence_required: bool,
}

const NAME_MAX: usize = 200;
const UNIT_MAX: usize = 50;
const TRANCHE_MAX: usize = 100;
/// 100% a year: a step-up beyond this is a penalty rate, not a conditionality.
const MAX_BASIS_POINTS: u32 = 10_000;
/// An improvement plan due more than a year out does not improve this contract.
const MAX_IMPROVEMENT_DAYS: u32 = 365;

impl TermSpec {
    /// Validates a term against its contract and normalises its text. Structural problems are
    /// errors here; incompleteness (no schedule, no target, no consequence) is left to
    /// [`super::lint::lint_contract`] so draft terms can be saved.
    pub fn parse(mut self, contract: &ContractSpec) -> Result<TermSpec, ValidationErrors> {
        let mut errors = ValidationErrors::default();

        match (self.kind, self.conditionality_type) {
            (TermKind::Conditionality, None) => {
                errors.push(
                    "conditionality_type",
                    "is required for a conditionality term",
                );
            }
            (kind, Some(_)) if kind != TermKind::Conditionality => {
                errors.push(
                    "conditionality_type",
                    "applies only to conditionality terms",
                );
            }
            _ => {}
        }

        if self.metric.is_some() && self.formula.is_some() {
            errors.push("formula", "a term has a metric or a formula, not both");
        }

        if let Some(metric) = self.metric.as_mut() {
            validate_metric(metric, contract, &mut errors);
            // Profit sharing, reinvestment and access are defined by their formula (the
            // commitments carried over from the tender, `ConditionalityCommitment`).
            if let Some(ct) = self.conditionality_type
                && ct != ConditionalityType::Directionality
            {
                errors.push(
                    "metric",
                    format!("a {} term is assessed by its formula", ct_str(ct)),
                );
            }
        }

        if let Some(formula) = &self.formula {
            validate_formula(formula, &mut errors);
            match self.conditionality_type {
                Some(ct) if ct == formula.conditionality_type() => {}
                Some(ct) => errors.push(
                    "formula.type",
                    format!("does not match the conditionality type {}", ct_str(ct)),
                ),
                None => errors.push("formula", "applies only to conditionality terms"),
            }
        }

        if let Some(schedule) = &self.schedule
            && !contract.contains(schedule.first_period_start)
        {
            errors.push(
                "schedule.first_period_start",
                "must fall within the contract dates",
            );
        }

        self.rating_bands.validate("rating_bands", &mut errors);

        if let Some(consequence) = self.consequence.as_mut() {
            validate_consequence(consequence, self.formula.as_ref(), &mut errors);
        }

        if let Some(fee) = self.fee_per_period
            && let Err(message) = check_money(fee)
        {
            errors.push("fee_per_period", message);
        }

        errors.finish(|| Some(self))
    }
}

fn ct_str(ct: ConditionalityType) -> &'static str {
    match ct {
        ConditionalityType::Access => "access",
        ConditionalityType::Directionality => "directionality",
        ConditionalityType::ProfitSharing => "profit_sharing",
        ConditionalityType::Reinvestment => "reinvestment",
    }
}

fn validate_metric(metric: &mut Metric, contract: &ContractSpec, errors: &mut ValidationErrors) {
    if let Some(name) = errors.check("metric.name", single_line(&metric.name, 1, NAME_MAX)) {
        metric.name = name;
    }
    if let Some(unit) = errors.check("metric.unit", single_line(&metric.unit, 0, UNIT_MAX)) {
        metric.unit = unit;
    }
    errors.check("metric.target", check_magnitude(metric.target));
    if let Some(baseline) = metric.baseline {
        errors.check("metric.baseline", check_magnitude(baseline));
    }
    if let Some(date) = metric.target_date
        && !contract.contains(date)
    {
        errors.push("metric.target_date", "must fall within the contract dates");
    }
    match (metric.direction, metric.tolerance) {
        (MetricDirection::Equal, Some(tolerance)) => {
            if tolerance.is_sign_negative() && !tolerance.is_zero() {
                errors.push("metric.tolerance", "must not be negative");
            } else {
                errors.check("metric.tolerance", check_magnitude(tolerance));
            }
        }
        (_, Some(_)) => errors.push("metric.tolerance", "applies only to `equal` metrics"),
        (_, None) => {}
    }
    if metric.glide_path {
        // The glide path runs from the baseline at the contract start to the target at the
        // target date: both ends must be known and the span must be at least a day.
        if metric.baseline.is_none() {
            errors.push("metric.baseline", "is required for a glide path");
        }
        match metric.target_date {
            None => errors.push("metric.target_date", "is required for a glide path"),
            Some(date) if date <= contract.start => errors.push(
                "metric.target_date",
                "must be after the contract start for a glide path",
            ),
            Some(_) => {}
        }
    }
}

fn validate_formula(formula: &Formula, errors: &mut ValidationErrors) {
    match formula {
        Formula::ProfitSharing {
            share_percent,
            above_margin_percent,
        } => {
            errors.check("formula.share_percent", check_percent(*share_percent));
            errors.check(
                "formula.above_margin_percent",
                check_percent(*above_margin_percent),
            );
        }
        Formula::Reinvestment { percent_of_profit } => {
            errors.check(
                "formula.percent_of_profit",
                check_percent(*percent_of_profit),
            );
        }
        Formula::Access { value, .. } => {
            errors.check("formula.value", check_magnitude(*value));
        }
    }
}

fn validate_consequence(
    consequence: &mut Consequence,
    formula: Option<&Formula>,
    errors: &mut ValidationErrors,
) {
    match consequence {
        Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee { percent },
        } => {
            errors.check("consequence.basis.percent", check_percent(*percent));
        }
        Consequence::ServiceCredit {
            basis: CreditBasis::Fixed { amount },
        }
        | Consequence::Clawback {
            basis: ClawbackBasis::Fixed { amount },
        } => {
            errors.check("consequence.basis.amount", check_money(*amount));
        }
        Consequence::WithholdPayment {
            percent_of_period_fee,
        } => {
            errors.check(
                "consequence.percent_of_period_fee",
                check_percent(*percent_of_period_fee),
            );
        }
        Consequence::Clawback {
            basis: ClawbackBasis::ProfitShareFormula,
        } => {
            if !matches!(formula, Some(Formula::ProfitSharing { .. })) {
                errors.push(
                    "consequence.basis",
                    "a profit-share clawback needs a profit_sharing formula",
                );
            }
        }
        Consequence::Clawback {
            basis: ClawbackBasis::ReinvestmentShortfall,
        } => {
            if !matches!(formula, Some(Formula::Reinvestment { .. })) {
                errors.push(
                    "consequence.basis",
                    "a reinvestment-shortfall clawback needs a reinvestment formula",
                );
            }
        }
        Consequence::InterestStepUp { basis_points } => {
            if *basis_points == 0 || *basis_points > MAX_BASIS_POINTS {
                errors.push(
                    "consequence.basis_points",
                    format!("must be from 1 to {MAX_BASIS_POINTS}"),
                );
            }
        }
        Consequence::TrancheGate { tranche } => {
            if let Some(clean) =
                errors.check("consequence.tranche", single_line(tranche, 1, TRANCHE_MAX))
            {
                *tranche = clean;
            }
        }
        Consequence::ImprovementPlan { days_to_submit } => {
            if *days_to_submit == 0 || *days_to_submit > MAX_IMPROVEMENT_DAYS {
                errors.push(
                    "consequence.days_to_submit",
                    format!("must be from 1 to {MAX_IMPROVEMENT_DAYS}"),
                );
            }
        }
        Consequence::TerminationRight => {}
    }
}

/// Every named value a return for `term` may carry: `value` for a metric or access term;
/// `revenue`, `profit` and (optional) `paid` for profit sharing; `profit`, `reinvested` for
/// reinvestment. Empty when the term has neither metric nor formula.
pub fn expected_measures(term: &TermSpec) -> &'static [&'static str] {
    match (&term.metric, &term.formula) {
        (_, Some(Formula::ProfitSharing { .. })) => &["revenue", "profit", "paid"],
        (_, Some(Formula::Reinvestment { .. })) => &["profit", "reinvested"],
        (_, Some(Formula::Access { .. })) | (Some(_), None) => &["value"],
        (None, None) => &[],
    }
}

/// The measures a complete return must carry: [`expected_measures`] without the optional `paid`.
pub fn required_measures(term: &TermSpec) -> &'static [&'static str] {
    match &term.formula {
        Some(Formula::ProfitSharing { .. }) => &["revenue", "profit"],
        _ => expected_measures(term),
    }
}

/// Checks a return's named values: no measure the term does not define, every required measure
/// present, amounts that cannot be negative (revenue, paid, reinvested) not negative, and every
/// figure within the accepted magnitude. Field paths are `values.<name>`.
pub fn check_values(
    term: &TermSpec,
    values: &BTreeMap<String, Decimal>,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let expected = expected_measures(term);
    for (name, value) in values {
        let field = format!("values.{name}");
        if !expected.contains(&name.as_str()) {
            errors.push(
                field,
                if expected.is_empty() {
                    "this term defines no measures".to_string()
                } else {
                    format!("is not a measure of this term ({})", expected.join(", "))
                },
            );
            continue;
        }
        if matches!(name.as_str(), "revenue" | "paid" | "reinvested")
            && value.is_sign_negative()
            && !value.is_zero()
        {
            errors.push(field, "must not be negative");
        } else {
            errors.check(field, check_magnitude(*value));
        }
    }
    for name in required_measures(term) {
        if !values.contains_key(*name) {
            errors.push(format!("values.{name}"), "is required");
        }
    }
    errors.finish(|| Some(()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::compliance::contract::ContractStatus;
    use crate::domain::compliance::periods::Cadence;
    use crate::domain::compliance::test_support::{d, dec};

    pub fn contract() -> ContractSpec {
        ContractSpec {
            value: dec("120000"),
            start: d(2026, 1, 1),
            end: d(2026, 12, 31),
            status: ContractStatus::Active,
        }
    }

    pub fn metric(direction: MetricDirection, target: &str) -> Metric {
        Metric {
            name: "Local apprentices".to_string(),
            unit: "people".to_string(),
            direction,
            baseline: None,
            target: dec(target),
            target_date: None,
            glide_path: false,
            tolerance: None,
        }
    }

    pub fn kpi(metric: Metric) -> TermSpec {
        TermSpec {
            kind: TermKind::Kpi,
            conditionality_type: None,
            material: false,
            metric: Some(metric),
            formula: None,
            schedule: Some(Schedule {
                cadence: Cadence::Monthly,
                first_period_start: d(2026, 1, 1),
            }),
            rating_bands: RatingBands::default(),
            consequence: None,
            fee_per_period: None,
            evidence_required: false,
        }
    }

    pub fn conditionality(ct: ConditionalityType, formula: Formula) -> TermSpec {
        TermSpec {
            kind: TermKind::Conditionality,
            conditionality_type: Some(ct),
            metric: None,
            formula: Some(formula),
            ..kpi(metric(MetricDirection::AtLeast, "1"))
        }
    }

    fn fields(result: Result<TermSpec, ValidationErrors>) -> Vec<String> {
        result
            .unwrap_err()
            .into_parts()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_valid_kpi_parses_and_is_trimmed() {
        let mut m = metric(MetricDirection::AtLeast, "12");
        m.name = "  Local apprentices ".to_string();
        let parsed = kpi(m).parse(&contract()).unwrap();
        assert_eq!(parsed.metric.unwrap().name, "Local apprentices");
    }

    #[test]
    fn percents_outside_0_to_100_are_rejected_with_paths() {
        let mut term = conditionality(
            ConditionalityType::ProfitSharing,
            Formula::ProfitSharing {
                share_percent: dec("100.01"),
                above_margin_percent: dec("-1"),
            },
        );
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee {
                percent: dec("101"),
            },
        });
        term.rating_bands.good_from = dec("120");
        assert_eq!(
            fields(term.parse(&contract())),
            vec![
                "formula.share_percent",
                "formula.above_margin_percent",
                "rating_bands.good_from",
                "consequence.basis.percent",
            ]
        );
    }

    #[test]
    fn target_date_must_fall_inside_the_contract() {
        let mut m = metric(MetricDirection::AtMost, "50");
        m.target_date = Some(d(2027, 1, 1));
        assert_eq!(
            fields(kpi(m).parse(&contract())),
            vec!["metric.target_date"]
        );
    }

    #[test]
    fn glide_path_needs_baseline_and_a_later_target_date() {
        let mut m = metric(MetricDirection::AtMost, "50");
        m.glide_path = true;
        m.target_date = Some(d(2026, 1, 1));
        assert_eq!(
            fields(kpi(m).parse(&contract())),
            vec!["metric.baseline", "metric.target_date"]
        );
    }

    #[test]
    fn formula_must_match_the_conditionality_type() {
        let term = conditionality(
            ConditionalityType::Reinvestment,
            Formula::ProfitSharing {
                share_percent: dec("50"),
                above_margin_percent: dec("10"),
            },
        );
        assert_eq!(fields(term.parse(&contract())), vec!["formula.type"]);

        let mut on_kpi = kpi(metric(MetricDirection::AtLeast, "1"));
        on_kpi.metric = None;
        on_kpi.formula = Some(Formula::Reinvestment {
            percent_of_profit: dec("20"),
        });
        assert_eq!(fields(on_kpi.parse(&contract())), vec!["formula"]);

        let mut directionality = kpi(metric(MetricDirection::AtMost, "50"));
        directionality.kind = TermKind::Conditionality;
        assert_eq!(
            fields(directionality.clone().parse(&contract())),
            vec!["conditionality_type"]
        );
        directionality.conditionality_type = Some(ConditionalityType::Directionality);
        assert!(directionality.parse(&contract()).is_ok());
    }

    #[test]
    fn formula_clawback_needs_its_formula() {
        let mut term = conditionality(
            ConditionalityType::Reinvestment,
            Formula::Reinvestment {
                percent_of_profit: dec("20"),
            },
        );
        term.consequence = Some(Consequence::Clawback {
            basis: ClawbackBasis::ProfitShareFormula,
        });
        assert_eq!(
            fields(term.clone().parse(&contract())),
            vec!["consequence.basis"]
        );
        term.consequence = Some(Consequence::Clawback {
            basis: ClawbackBasis::ReinvestmentShortfall,
        });
        assert!(term.parse(&contract()).is_ok());
    }

    #[test]
    fn money_fields_are_whole_pence_and_not_negative() {
        let mut term = kpi(metric(MetricDirection::AtLeast, "1"));
        term.fee_per_period = Some(dec("10.005"));
        term.consequence = Some(Consequence::Clawback {
            basis: ClawbackBasis::Fixed { amount: dec("-5") },
        });
        assert_eq!(
            fields(term.parse(&contract())),
            vec!["consequence.basis.amount", "fee_per_period"]
        );
    }

    #[test]
    fn schedule_must_start_inside_the_contract() {
        let mut term = kpi(metric(MetricDirection::AtLeast, "1"));
        term.schedule = Some(Schedule {
            cadence: Cadence::Quarterly,
            first_period_start: d(2025, 12, 31),
        });
        assert_eq!(
            fields(term.parse(&contract())),
            vec!["schedule.first_period_start"]
        );
    }

    #[test]
    fn tolerance_only_for_equal_metrics() {
        let mut m = metric(MetricDirection::AtLeast, "1");
        m.tolerance = Some(dec("0.5"));
        assert_eq!(fields(kpi(m).parse(&contract())), vec!["metric.tolerance"]);
        let mut m = metric(MetricDirection::Equal, "1");
        m.tolerance = Some(dec("-0.5"));
        assert_eq!(fields(kpi(m).parse(&contract())), vec!["metric.tolerance"]);
    }

    #[test]
    fn measures_per_term() {
        let profit = conditionality(
            ConditionalityType::ProfitSharing,
            Formula::ProfitSharing {
                share_percent: dec("50"),
                above_margin_percent: dec("10"),
            },
        );
        assert_eq!(expected_measures(&profit), &["revenue", "profit", "paid"]);
        assert_eq!(required_measures(&profit), &["revenue", "profit"]);
        let kpi_term = kpi(metric(MetricDirection::AtLeast, "1"));
        assert_eq!(expected_measures(&kpi_term), &["value"]);
        let mut bare = kpi_term.clone();
        bare.metric = None;
        assert!(expected_measures(&bare).is_empty());
    }

    #[test]
    fn check_values_rejects_unknown_missing_and_negative() {
        let term = conditionality(
            ConditionalityType::Reinvestment,
            Formula::Reinvestment {
                percent_of_profit: dec("20"),
            },
        );
        let values = BTreeMap::from([
            ("profit".to_string(), dec("-100")),
            ("reinvested".to_string(), dec("10")),
        ]);
        assert_eq!(check_values(&term, &values), Ok(()));

        let values = BTreeMap::from([
            ("value".to_string(), dec("3")),
            ("reinvested".to_string(), dec("-1")),
        ]);
        let errors = check_values(&term, &values).unwrap_err();
        let fields: Vec<&str> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["values.reinvested", "values.value", "values.profit"]
        );
        assert_eq!(
            errors.fields()[1].message,
            "is not a measure of this term (profit, reinvested)"
        );
    }

    #[test]
    fn enum_text_matches_serde() {
        for kind in TermKind::ALL {
            assert_eq!(
                serde_json::to_string(kind).unwrap(),
                format!("\"{}\"", kind.as_str())
            );
            assert_eq!(TermKind::parse(kind.as_str()), Ok(*kind));
        }
        for direction in MetricDirection::ALL {
            assert_eq!(
                serde_json::to_string(direction).unwrap(),
                format!("\"{}\"", direction.as_str())
            );
            assert_eq!(MetricDirection::parse(direction.as_str()), Ok(*direction));
        }
    }

    #[test]
    fn term_json_uses_tagged_enums_and_string_decimals() {
        let mut term = conditionality(
            ConditionalityType::Access,
            Formula::Access {
                limit: AccessLimit::Cap,
                value: dec("95.50"),
            },
        );
        term.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::Fixed {
                amount: dec("250.00"),
            },
        });
        let json = serde_json::to_value(&term).unwrap();
        assert_eq!(
            json["formula"],
            serde_json::json!({"type": "access", "limit": "cap", "value": "95.50"})
        );
        assert_eq!(
            json["consequence"],
            serde_json::json!({"type": "service_credit", "basis": {"type": "fixed", "amount": "250.00"}})
        );
        let back: TermSpec = serde_json::from_value(json).unwrap();
        assert_eq!(back, term);
    }
}
