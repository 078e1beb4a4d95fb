//! Checks of an evaluation model before the tender opens: errors make the model unusable or
//! unlawful to run as declared; warnings are practices the project advises against.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::domain::ids::MissionId;
use crate::domain::tender::{
    AwardMethod, Category, EvaluationModel, QuantityScoring, ScoringMethod,
};

use super::display;
use super::engine::ratio;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintContext {
    pub award_method: AwardMethod,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub estimated_value: Option<Decimal>,
    /// Minimum social value weight, percent (PPN 002 asks for at least 10%).
    #[serde(with = "rust_decimal::serde::str")]
    pub social_value_floor_percent: Decimal,
    /// Above this estimated value a conditionality criterion is expected.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub conditionality_required_above: Option<Decimal>,
    /// The authority's active missions.
    pub known_missions: BTreeSet<MissionId>,
}

impl Default for LintContext {
    fn default() -> Self {
        Self {
            award_method: AwardMethod::WeightedScore,
            estimated_value: None,
            social_value_floor_percent: Decimal::TEN,
            conditionality_required_above: None,
            known_missions: BTreeSet::new(),
        }
    }
}

/// Errors sort before warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintFinding {
    pub severity: Severity,
    /// Stable snake_case code, e.g. `weights_not_100`.
    pub code: String,
    pub message: String,
    pub criterion: Option<String>,
}

fn finding(
    severity: Severity,
    code: &str,
    criterion: Option<&str>,
    message: String,
) -> LintFinding {
    LintFinding {
        severity,
        code: code.to_string(),
        message,
        criterion: criterion.map(str::to_string),
    }
}

/// Lints `model` in its context. Findings come errors first, then by code, then criterion.
pub fn lint(model: &EvaluationModel, ctx: &LintContext) -> Vec<LintFinding> {
    use Severity::{Error, Warning};
    let mut out = Vec::new();
    let criteria = &model.criteria;
    let is_gate = |m: &ScoringMethod| matches!(m, ScoringMethod::Gate);
    let weight_of = |category: Option<Category>, exclude: Option<Category>| {
        criteria
            .iter()
            .filter(|c| !is_gate(&c.method))
            .filter(|c| category.is_none_or(|k| c.category == k))
            .filter(|c| exclude.is_none_or(|k| c.category != k))
            .fold(Decimal::ZERO, |acc, c| acc.saturating_add(c.weight))
    };

    // The weights are percentages of the total: they must sum to exactly 100. Gates weigh 0
    // in the evaluation whatever is declared, so they are left out of the sum.
    let sum = weight_of(None, None);
    if sum != Decimal::ONE_HUNDRED {
        out.push(finding(
            Error,
            "weights_not_100",
            None,
            format!(
                "the weights of the scored criteria sum to {}, not 100",
                display(sum)
            ),
        ));
    }

    // PPN 002: social value should carry at least the floor (10%) of the total weighting; under
    // price per quality point, of the non-price (quality) weighting, as price is not weighted.
    let social = weight_of(Some(Category::SocialValue), None);
    let floor = ctx.social_value_floor_percent;
    if ctx.award_method == AwardMethod::PricePerQualityPoint {
        let non_price = weight_of(None, Some(Category::Price));
        let required =
            ratio(floor.saturating_mul(non_price), Decimal::ONE_HUNDRED).unwrap_or(Decimal::ZERO);
        if social < required {
            out.push(finding(
                Warning,
                "social_value_below_floor",
                None,
                format!(
                    "social value carries {} of {} non-price weight, below the floor of {}% ({}) that PPN 002 asks for",
                    display(social),
                    display(non_price),
                    display(floor),
                    display(required)
                ),
            ));
        }
    } else if social < floor {
        out.push(finding(
            Warning,
            "social_value_below_floor",
            None,
            format!(
                "social value carries {}% of the weighting, below the floor of {}% that PPN 002 asks for",
                display(social),
                display(floor)
            ),
        ));
    }

    if let (Some(value), Some(above)) = (ctx.estimated_value, ctx.conditionality_required_above)
        && value > above
        && !criteria
            .iter()
            .any(|c| c.category == Category::Conditionality)
    {
        out.push(finding(
                Warning,
                "no_conditionality_criterion",
                None,
                format!(
                    "estimated value {} is above {}, yet no criterion attaches a conditionality (access, directionality, profit sharing or reinvestment)",
                    display(value),
                    display(above)
                ),
            ));
    }

    if !criteria.iter().any(|c| c.method.is_price()) {
        out.push(finding(
            Warning,
            "no_price_criterion",
            None,
            "no criterion scores price".to_string(),
        ));
    }

    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for c in criteria {
        let count = seen.entry(c.code.as_str()).or_insert(0);
        *count = count.saturating_add(1);
    }
    for (code, count) in seen.iter().filter(|(_, n)| **n > 1) {
        out.push(finding(
            Error,
            "duplicate_criterion_code",
            Some(code),
            format!("{count} criteria share the code {code}; codes must be unique"),
        ));
    }

    for c in criteria {
        let code = Some(c.code.as_str());
        if c.weight < Decimal::ZERO {
            out.push(finding(
                Error,
                "negative_weight",
                code,
                format!("{} has a negative weight {}", c.code, display(c.weight)),
            ));
        }
        if c.category == Category::MissionAlignment {
            match c.mission_id {
                None => out.push(finding(
                    Error,
                    "mission_criterion_without_mission",
                    code,
                    format!("mission alignment criterion {} names no mission", c.code),
                )),
                Some(id) if !ctx.known_missions.contains(&id) => out.push(finding(
                    Error,
                    "mission_criterion_without_mission",
                    code,
                    format!(
                        "mission alignment criterion {} names mission {id}, which is not one of the authority's active missions",
                        c.code
                    ),
                )),
                Some(_) => {}
            }
        }
        if c.category == Category::Conditionality && c.conditionality_type.is_none() {
            out.push(finding(
                Error,
                "conditionality_without_type",
                code,
                format!(
                    "conditionality criterion {} does not say which conditionality it is (access, directionality, profit sharing or reinvestment)",
                    c.code
                ),
            ));
        }
        if c.method.is_relative() {
            let advice = match c.method {
                ScoringMethod::Quantity {
                    scoring: QuantityScoring::RelativeToBest,
                    ..
                } => "linear scoring between a threshold and a target",
                _ => "a bounded linear price formula (linear_bounds)",
            };
            out.push(finding(
                Warning,
                "relative_price_formula",
                code,
                format!(
                    "{} scores each bid against the best bid, so adding or removing a bid can change the winner (rank reversal); use {advice} fixed before bids open",
                    c.code
                ),
            ));
        }
        match &c.method {
            ScoringMethod::Scale { levels }
                if levels.len() < 2 || levels.iter().any(|l| l.descriptor.trim().is_empty()) =>
            {
                out.push(finding(
                    Warning,
                    "scale_without_descriptors",
                    code,
                    format!(
                        "scale of {} needs at least two levels, each with a descriptor, so evaluators score alike",
                        c.code
                    ),
                ));
            }
            ScoringMethod::Gate if !c.weight.is_zero() => out.push(finding(
                Error,
                "gate_with_weight",
                code,
                format!(
                    "gate {} has weight {}; gates are pass/fail and weigh 0",
                    c.code,
                    display(c.weight)
                ),
            )),
            ScoringMethod::LinearBounds { floor, ceiling } if ceiling <= floor => {
                out.push(finding(
                    Error,
                    "invalid_price_bounds",
                    code,
                    format!(
                        "price bounds of {} are invalid: ceiling {} is not above floor {}",
                        c.code,
                        display(*ceiling),
                        display(*floor)
                    ),
                ))
            }
            _ => {}
        }
    }

    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.criterion.cmp(&b.criterion))
            .then_with(|| a.message.cmp(&b.message))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::tender::{ConditionalityType, Criterion, Direction, ScaleLevel};

    fn model(criteria: Vec<Criterion>) -> EvaluationModel {
        EvaluationModel {
            criteria,
            category_minimums: Vec::new(),
        }
    }

    fn codes(findings: &[LintFinding]) -> Vec<(Severity, &str, Option<&str>)> {
        findings
            .iter()
            .map(|f| (f.severity, f.code.as_str(), f.criterion.as_deref()))
            .collect()
    }

    fn mission(code: &str, weight: &str, id: Option<MissionId>) -> Criterion {
        let mut c = scale(code, Category::MissionAlignment, weight);
        c.mission_id = id;
        c
    }

    fn conditionality(code: &str, weight: &str, kind: Option<ConditionalityType>) -> Criterion {
        let mut c = scale(code, Category::Conditionality, weight);
        c.conditionality_type = kind;
        c
    }

    fn known() -> (MissionId, LintContext) {
        let id = MissionId::new();
        let ctx = LintContext {
            known_missions: [id].into(),
            estimated_value: Some(d("1000000")),
            conditionality_required_above: Some(d("500000")),
            ..LintContext::default()
        };
        (id, ctx)
    }

    #[test]
    fn a_sound_model_has_no_findings() {
        let (id, ctx) = known();
        let m = model(vec![
            price("P", "40", linear_bounds("50000", "200000")),
            scale("Q", Category::Quality, "30"),
            scale("SV", Category::SocialValue, "10"),
            mission("M", "10", Some(id)),
            conditionality("CND", "10", Some(ConditionalityType::Reinvestment)),
            gate("G"),
        ]);
        assert_eq!(lint(&m, &ctx), Vec::new());
    }

    #[test]
    fn every_rule_reports_and_errors_come_first() {
        let (_, ctx) = known();
        let mut single = scale("Q", Category::Quality, "30");
        single.method = ScoringMethod::Scale {
            levels: vec![ScaleLevel {
                score: d("5"),
                descriptor: "excellent".into(),
            }],
        };
        let mut weighted_gate = gate("G");
        weighted_gate.weight = d("5");
        // Scored weights: 50 + 30 + 5 + 10 + 0 + 5 = 100 (the gate's 5 is not counted).
        let m = model(vec![
            price("P", "50", ScoringMethod::LowestRatio),
            single,
            quantity(
                "SV",
                "5",
                Direction::HigherBetter,
                QuantityScoring::RelativeToBest,
            ),
            mission("M", "10", None),
            mission("M2", "0", Some(MissionId::new())),
            conditionality("CND", "5", None),
            weighted_gate,
        ]);
        let findings = lint(&m, &ctx);
        assert_eq!(
            codes(&findings),
            vec![
                (Severity::Error, "conditionality_without_type", Some("CND")),
                (Severity::Error, "gate_with_weight", Some("G")),
                (
                    Severity::Error,
                    "mission_criterion_without_mission",
                    Some("M")
                ),
                (
                    Severity::Error,
                    "mission_criterion_without_mission",
                    Some("M2")
                ),
                (Severity::Warning, "relative_price_formula", Some("P")),
                (Severity::Warning, "relative_price_formula", Some("SV")),
                (Severity::Warning, "scale_without_descriptors", Some("Q")),
                (Severity::Warning, "social_value_below_floor", None),
            ]
        );
        let social = findings.last().unwrap();
        assert_eq!(
            social.message,
            "social value carries 5% of the weighting, below the floor of 10% that PPN 002 asks for"
        );
        assert!(findings[5].message.contains("threshold and a target"));
        assert!(findings[4].message.contains("linear_bounds"));
    }

    #[test]
    fn weights_must_sum_to_100() {
        let m = model(vec![
            price("P", "40", linear_bounds("0", "10")),
            scale("SV", Category::SocialValue, "50"),
        ]);
        let findings = lint(&m, &LintContext::default());
        assert_eq!(
            codes(&findings),
            vec![(Severity::Error, "weights_not_100", None)]
        );
        assert_eq!(
            findings[0].message,
            "the weights of the scored criteria sum to 90, not 100"
        );
    }

    #[test]
    fn conditionality_expected_above_the_value_threshold() {
        let m = model(vec![
            price("P", "80", linear_bounds("0", "10")),
            scale("SV", Category::SocialValue, "20"),
        ]);
        let (_, mut ctx) = known();
        assert_eq!(
            codes(&lint(&m, &ctx)),
            vec![(Severity::Warning, "no_conditionality_criterion", None)]
        );
        ctx.estimated_value = Some(d("500000")); // not above: fine
        assert_eq!(lint(&m, &ctx), Vec::new());
        ctx.estimated_value = None;
        assert_eq!(lint(&m, &ctx), Vec::new());
    }

    #[test]
    fn social_value_floor_under_price_per_quality_point_is_of_the_non_price_weight() {
        // SV 8 of 100: below 10 under weighted score.
        let m = model(vec![
            price("P", "40", linear_bounds("0", "10")),
            scale("Q", Category::Quality, "52"),
            scale("SV", Category::SocialValue, "8"),
        ]);
        assert_eq!(
            codes(&lint(&m, &LintContext::default())),
            vec![(Severity::Warning, "social_value_below_floor", None)]
        );
        // Under ppqp the floor is 10% of the non-price 60 = 6: 8 passes.
        let ctx = LintContext {
            award_method: AwardMethod::PricePerQualityPoint,
            ..LintContext::default()
        };
        assert_eq!(lint(&m, &ctx), Vec::new());
        // And 5 of 60 fails: 5 < 6.
        let m = model(vec![
            price("P", "40", linear_bounds("0", "10")),
            scale("Q", Category::Quality, "55"),
            scale("SV", Category::SocialValue, "5"),
        ]);
        let findings = lint(&m, &ctx);
        assert_eq!(
            findings[0].message,
            "social value carries 5 of 60 non-price weight, below the floor of 10% (6) that PPN 002 asks for"
        );
    }

    #[test]
    fn structural_errors_and_missing_price() {
        let mut blank = scale("Q", Category::Quality, "50");
        blank.method = ScoringMethod::Scale {
            levels: vec![
                ScaleLevel {
                    score: d("0"),
                    descriptor: "none".into(),
                },
                ScaleLevel {
                    score: d("5"),
                    descriptor: "  ".into(),
                },
            ],
        };
        let m = model(vec![
            blank,
            scale("SV", Category::SocialValue, "60"),
            scale("SV", Category::SocialValue, "-10"),
        ]);
        assert_eq!(
            codes(&lint(&m, &LintContext::default())),
            vec![
                (Severity::Error, "duplicate_criterion_code", Some("SV")),
                (Severity::Error, "negative_weight", Some("SV")),
                (Severity::Warning, "no_price_criterion", None),
                (Severity::Warning, "scale_without_descriptors", Some("Q")),
            ]
        );
        let m = model(vec![
            price("P", "90", linear_bounds("100", "100")),
            scale("SV", Category::SocialValue, "10"),
        ]);
        assert_eq!(
            codes(&lint(&m, &LintContext::default())),
            vec![(Severity::Error, "invalid_price_bounds", Some("P"))]
        );
    }
}
