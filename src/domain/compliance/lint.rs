//! Contract lint: completeness checks over a contract's terms before it goes live. Unlike
//! [`super::term::TermSpec::parse`], which rejects malformed input, lint reports what a
//! well-formed draft still lacks.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::contract::ContractSpec;
use super::term::{TermKind, TermSpec};

text_enum! {
    /// How serious a finding is.
    pub enum LintSeverity {
        /// Must be fixed before the contract is activated.
        Error => "error",
        /// Worth a look; does not block.
        Warning => "warning",
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintFinding {
    pub severity: LintSeverity,
    /// Stable machine-readable code, e.g. `too_few_kpis`.
    pub code: String,
    pub message: String,
    /// The term concerned, by position in the list; `None` for contract-wide findings.
    pub term_index: Option<usize>,
}

/// Procurement Act 2023 s.52(1): a contract with an estimated value over £5 million needs at
/// least three KPIs.
pub const KPI_THRESHOLD: Decimal = Decimal::from_parts(5_000_000, 0, 0, false, 0);
/// Procurement Act 2023 s.52(1): at least three KPIs.
pub const MIN_KPIS: usize = 3;

fn finding(
    severity: LintSeverity,
    code: &str,
    message: String,
    term_index: Option<usize>,
) -> LintFinding {
    LintFinding {
        severity,
        code: code.to_string(),
        message,
        term_index,
    }
}

/// Lints a contract's terms; contract-wide findings first, then per term in order.
///
/// * `too_few_kpis`, `too_few_material_kpis` (errors): value strictly over £5,000,000 needs ≥ 3
///   KPI terms, and ≥ 3 of them material (PA 2023 s.52; material so that their failure is a
///   breach that the contract performance notice can report).
/// * `conditionality_without_consequence` (error): a conditionality without a consequence is a
///   promise nobody can enforce (Mazzucato & Rodrik 2023).
/// * `term_without_cadence` (error): no schedule, so no return ever falls due.
/// * `term_without_target` (error): neither a metric nor a formula, so nothing can be assessed.
/// * `schedule_starts_late` (warning): the first period starts after the contract start, leaving
///   days that no return covers.
pub fn lint_contract(contract: &ContractSpec, terms: &[TermSpec]) -> Vec<LintFinding> {
    let mut findings = Vec::new();

    if contract.value > KPI_THRESHOLD {
        let kpis = terms.iter().filter(|t| t.kind == TermKind::Kpi).count();
        let material = terms
            .iter()
            .filter(|t| t.kind == TermKind::Kpi && t.material)
            .count();
        if kpis < MIN_KPIS {
            findings.push(finding(
                LintSeverity::Error,
                "too_few_kpis",
                format!(
                    "contracts over £5,000,000 need at least {MIN_KPIS} KPIs \
                     (Procurement Act 2023 s.52); this one has {kpis}"
                ),
                None,
            ));
        }
        if material < MIN_KPIS {
            findings.push(finding(
                LintSeverity::Error,
                "too_few_material_kpis",
                format!(
                    "contracts over £5,000,000 need at least {MIN_KPIS} material KPIs; \
                     this one has {material}"
                ),
                None,
            ));
        }
    }

    for (index, term) in terms.iter().enumerate() {
        if term.kind == TermKind::Conditionality && term.consequence.is_none() {
            findings.push(finding(
                LintSeverity::Error,
                "conditionality_without_consequence",
                "a conditionality needs a consequence for breach, or it cannot be enforced"
                    .to_string(),
                Some(index),
            ));
        }
        match &term.schedule {
            None => findings.push(finding(
                LintSeverity::Error,
                "term_without_cadence",
                "the term has no schedule, so no return will ever fall due".to_string(),
                Some(index),
            )),
            Some(schedule) if schedule.first_period_start > contract.start => {
                findings.push(finding(
                    LintSeverity::Warning,
                    "schedule_starts_late",
                    format!(
                        "the first period starts {}, after the contract start {}: \
                         the days between are not monitored",
                        schedule.first_period_start, contract.start
                    ),
                    Some(index),
                ));
            }
            Some(_) => {}
        }
        if term.metric.is_none() && term.formula.is_none() {
            findings.push(finding(
                LintSeverity::Error,
                "term_without_target",
                "the term has neither a metric with a target nor a formula".to_string(),
                Some(index),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::periods::{Cadence, Schedule};
    use crate::domain::compliance::term::tests::{conditionality, contract, kpi, metric};
    use crate::domain::compliance::term::{Consequence, Formula, MetricDirection};
    use crate::domain::compliance::test_support::{d, dec};
    use crate::domain::tender::ConditionalityType;

    fn codes(findings: &[LintFinding]) -> Vec<(&str, Option<usize>)> {
        findings
            .iter()
            .map(|f| (f.code.as_str(), f.term_index))
            .collect()
    }

    fn material_kpi() -> TermSpec {
        let mut term = kpi(metric(MetricDirection::AtLeast, "10"));
        term.material = true;
        term
    }

    #[test]
    fn kpi_rules_apply_only_over_five_million() {
        let mut c = contract();
        c.value = dec("5000000");
        assert!(lint_contract(&c, &[]).is_empty());
        c.value = dec("5000000.01");
        assert_eq!(
            codes(&lint_contract(&c, &[])),
            vec![("too_few_kpis", None), ("too_few_material_kpis", None)]
        );
        let plain = kpi(metric(MetricDirection::AtLeast, "10"));
        let terms = [material_kpi(), material_kpi(), plain];
        let findings = lint_contract(&c, &terms);
        assert_eq!(codes(&findings), vec![("too_few_material_kpis", None)]);
        assert_eq!(findings[0].severity, LintSeverity::Error);
        assert_eq!(
            findings[0].message,
            "contracts over £5,000,000 need at least 3 material KPIs; this one has 2"
        );
        let terms = [material_kpi(), material_kpi(), material_kpi()];
        assert!(lint_contract(&c, &terms).is_empty());
    }

    #[test]
    fn per_term_findings() {
        let c = contract();
        let bare_conditionality = conditionality(
            ConditionalityType::Reinvestment,
            Formula::Reinvestment {
                percent_of_profit: dec("20"),
            },
        );
        let mut enforced = bare_conditionality.clone();
        enforced.consequence = Some(Consequence::TerminationRight);
        let mut no_schedule = material_kpi();
        no_schedule.schedule = None;
        let mut no_target = material_kpi();
        no_target.metric = None;
        let mut late = material_kpi();
        late.schedule = Some(Schedule {
            cadence: Cadence::Quarterly,
            first_period_start: d(2026, 2, 1),
        });
        let findings = lint_contract(
            &c,
            &[bare_conditionality, enforced, no_schedule, no_target, late],
        );
        assert_eq!(
            codes(&findings),
            vec![
                ("conditionality_without_consequence", Some(0)),
                ("term_without_cadence", Some(2)),
                ("term_without_target", Some(3)),
                ("schedule_starts_late", Some(4)),
            ]
        );
        let severities: Vec<LintSeverity> = findings.iter().map(|f| f.severity).collect();
        assert_eq!(
            severities,
            vec![
                LintSeverity::Error,
                LintSeverity::Error,
                LintSeverity::Error,
                LintSeverity::Warning
            ]
        );
    }

    #[test]
    fn threshold_is_five_million() {
        assert_eq!(KPI_THRESHOLD, dec("5000000"));
    }
}
