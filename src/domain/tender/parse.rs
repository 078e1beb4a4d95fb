//! Parsing client input into valid tender values: every rule here is checked before anything
//! is stored, and every broken rule is reported with the path of its field.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;

use super::{
    BidInput, Category, CategoryMinimum, ConditionalityCommitment, Criterion, Direction,
    EvaluationModel, QuantityScoring, ScoringMethod, TieBreakRule,
};
use crate::domain::ids::MissionId;
use crate::domain::text;
use crate::domain::validation::{Invalid, ValidationErrors};

pub const MAX_CRITERIA: usize = 100;
pub const MAX_SCALE_LEVELS: usize = 11;
pub const MAX_TENDER_MISSIONS: usize = 20;
const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// A decimal with at most `dp` decimal places, within `min..=max`.
pub fn decimal_in(value: Decimal, min: Decimal, max: Decimal, dp: u32) -> Result<Decimal, Invalid> {
    if value < min || value > max {
        return Err(Invalid::OutOfRange { min, max });
    }
    if value.normalize().scale() > dp {
        return Err(Invalid::TooManyDecimals(dp));
    }
    Ok(value.normalize())
}

/// An amount of money: positive (or zero when `allow_zero`), at most 2 decimal places.
pub fn money(value: Decimal, allow_zero: bool) -> Result<Decimal, Invalid> {
    if value < Decimal::ZERO || (!allow_zero && value.is_zero()) {
        return Err(if allow_zero {
            Invalid::Negative
        } else {
            Invalid::NotPositive
        });
    }
    if value.normalize().scale() > 2 {
        return Err(Invalid::NotPence);
    }
    let max = Decimal::from(1_000_000_000_000_i64);
    if value > max {
        return Err(Invalid::TooLarge(max));
    }
    Ok(value.normalize())
}

/// An ISO 4217 currency code such as `GBP`.
pub fn currency(raw: &str) -> Result<String, Invalid> {
    if raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(raw.to_string())
    } else {
        Err(Invalid::NotACurrency)
    }
}

/// The abnormally-low threshold: a percent from 0.01 to 99.99.
pub fn abnormally_low_percent(value: Decimal) -> Result<Decimal, Invalid> {
    decimal_in(value, Decimal::new(1, 2), Decimal::new(9999, 2), 2)
}

/// The evaluator-spread threshold, in scale points from 0 to 100.
pub fn spread_threshold(value: Decimal) -> Result<Decimal, Invalid> {
    decimal_in(value, Decimal::ZERO, HUNDRED, 2)
}

/// The tie-break order: at least one rule, each at most once.
pub fn tie_break(rules: Vec<TieBreakRule>) -> Result<Vec<TieBreakRule>, Invalid> {
    let distinct: std::collections::HashSet<_> = rules.iter().collect();
    if rules.is_empty() || distinct.len() != rules.len() {
        return Err(Invalid::TieBreakOrder);
    }
    Ok(rules)
}

/// The missions a tender serves: at most [`MAX_TENDER_MISSIONS`], each once.
pub fn mission_ids(ids: Vec<MissionId>) -> Result<Vec<MissionId>, Invalid> {
    let distinct: BTreeSet<_> = ids.iter().collect();
    if ids.len() > MAX_TENDER_MISSIONS || distinct.len() != ids.len() {
        return Err(Invalid::TooManyMissions(MAX_TENDER_MISSIONS));
    }
    Ok(ids)
}

/// A measured or committed quantity: at most ±10^15 with 6 decimal places, so the engine's
/// arithmetic can never overflow.
pub fn quantity(value: Decimal) -> Result<Decimal, Invalid> {
    let bound = Decimal::from(1_000_000_000_000_000_i64);
    decimal_in(value, -bound, bound, 6)
}

fn criterion_code(raw: &str) -> Result<String, Invalid> {
    let ok = !raw.is_empty()
        && raw.len() <= 20
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then(|| raw.to_string())
        .ok_or(Invalid::NotACriterionCode)
}

fn percent(value: Decimal) -> Result<Decimal, Invalid> {
    decimal_in(value, Decimal::ZERO, HUNDRED, 4)
}

fn method(
    at: &str,
    category: Category,
    weight: Decimal,
    m: &ScoringMethod,
    errors: &mut ValidationErrors,
) -> ScoringMethod {
    let price_category = category == Category::Price;
    if m.is_price() != price_category {
        errors.push(
            format!("{at}.type"),
            if price_category {
                "a price criterion uses lowest_ratio, linear_bounds or deduction"
            } else {
                "lowest_ratio, linear_bounds and deduction are for price criteria only"
            },
        );
    }
    match m {
        ScoringMethod::LowestRatio => ScoringMethod::LowestRatio,
        ScoringMethod::LinearBounds { floor, ceiling } => {
            let floor = errors
                .check(format!("{at}.floor"), money(*floor, true))
                .unwrap_or(*floor);
            let ceiling = errors
                .check(format!("{at}.ceiling"), money(*ceiling, false))
                .unwrap_or(*ceiling);
            if floor >= ceiling {
                errors.push(format!("{at}.ceiling"), "must be greater than floor");
            }
            ScoringMethod::LinearBounds { floor, ceiling }
        }
        ScoringMethod::Deduction { k } => {
            let k = errors
                .check(
                    format!("{at}.k"),
                    decimal_in(*k, Decimal::new(1, 4), HUNDRED, 4),
                )
                .unwrap_or(*k);
            ScoringMethod::Deduction { k }
        }
        ScoringMethod::Scale { levels } => {
            if !(2..=MAX_SCALE_LEVELS).contains(&levels.len()) {
                errors.push(
                    format!("{at}.levels"),
                    format!("must hold 2 to {MAX_SCALE_LEVELS} levels"),
                );
            }
            let mut seen = BTreeSet::new();
            let mut parsed = Vec::with_capacity(levels.len());
            for (i, level) in levels.iter().enumerate() {
                let score = errors
                    .check(
                        format!("{at}.levels[{i}].score"),
                        decimal_in(level.score, Decimal::ZERO, HUNDRED, 2),
                    )
                    .unwrap_or(level.score);
                if !seen.insert(score) {
                    errors.push(
                        format!("{at}.levels[{i}].score"),
                        "levels must have distinct scores",
                    );
                }
                let descriptor = errors
                    .check(
                        format!("{at}.levels[{i}].descriptor"),
                        text::bounded(&level.descriptor, 0, 1000),
                    )
                    .unwrap_or_default();
                parsed.push(super::ScaleLevel { score, descriptor });
            }
            if parsed
                .iter()
                .map(|l| l.score)
                .max()
                .is_some_and(|m| m.is_zero())
            {
                errors.push(
                    format!("{at}.levels"),
                    "the highest level must score more than 0",
                );
            }
            parsed.sort_by_key(|l| l.score);
            ScoringMethod::Scale { levels: parsed }
        }
        ScoringMethod::Quantity { direction, scoring } => {
            if let QuantityScoring::Linear { threshold, target } = scoring {
                errors.check(format!("{at}.scoring.threshold"), quantity(*threshold));
                errors.check(format!("{at}.scoring.target"), quantity(*target));
                let rising = target > threshold;
                if threshold == target || rising != (*direction == Direction::HigherBetter) {
                    errors.push(
                        format!("{at}.scoring.target"),
                        "must be above threshold when higher is better, below it when lower is better",
                    );
                }
            }
            ScoringMethod::Quantity {
                direction: *direction,
                scoring: scoring.clone(),
            }
        }
        ScoringMethod::Gate => {
            if !weight.is_zero() {
                errors.push(format!("{at}.type"), "a gate is pass/fail and must weigh 0");
            }
            ScoringMethod::Gate
        }
    }
}

/// Parses an evaluation model. Weights must sum to exactly 100; codes are unique; each
/// category uses the methods that fit it; conditionality criteria name their type and
/// mission-alignment criteria their mission (whether the mission is the authority's own is
/// checked against storage by the service).
pub fn evaluation_model(
    criteria: &[Criterion],
    category_minimums: &[CategoryMinimum],
) -> Result<EvaluationModel, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if criteria.is_empty() || criteria.len() > MAX_CRITERIA {
        errors.push(
            "criteria",
            format!("must hold 1 to {MAX_CRITERIA} criteria"),
        );
    }
    let mut codes = BTreeSet::new();
    let mut parsed = Vec::with_capacity(criteria.len());
    let mut total = Decimal::ZERO;
    for (i, c) in criteria.iter().enumerate() {
        let at = format!("criteria[{i}]");
        let code = errors
            .check(format!("{at}.code"), criterion_code(&c.code))
            .unwrap_or_default();
        if !code.is_empty() && !codes.insert(code.clone()) {
            errors.push(
                format!("{at}.code"),
                format!("`{code}` is used by another criterion"),
            );
        }
        let title = errors
            .check(format!("{at}.title"), text::single_line(&c.title, 1, 200))
            .unwrap_or_default();
        let weight = errors
            .check(format!("{at}.weight"), percent(c.weight))
            .unwrap_or(c.weight);
        if weight.is_zero() && c.method != ScoringMethod::Gate {
            errors.push(
                format!("{at}.weight"),
                "must be greater than 0 (only gates weigh 0)",
            );
        }
        total += weight;
        match (c.category, c.conditionality_type) {
            (Category::Conditionality, None) => errors.push(
                format!("{at}.conditionality_type"),
                "is required for a conditionality criterion",
            ),
            (Category::Conditionality, Some(_)) | (_, None) => {}
            (_, Some(_)) => errors.push(
                format!("{at}.conditionality_type"),
                "is only for criteria of category conditionality",
            ),
        }
        if c.category == Category::MissionAlignment && c.mission_id.is_none() {
            errors.push(
                format!("{at}.mission_id"),
                "is required for a mission_alignment criterion",
            );
        }
        let method = method(
            &format!("{at}.method"),
            c.category,
            weight,
            &c.method,
            &mut errors,
        );
        let minimum_percent = c.minimum_percent.map(|m| {
            errors
                .check(format!("{at}.minimum_percent"), percent(m))
                .unwrap_or(m)
        });
        parsed.push(Criterion {
            code,
            title,
            category: c.category,
            conditionality_type: c.conditionality_type,
            mission_id: c.mission_id,
            weight,
            method,
            minimum_percent,
        });
    }
    if !criteria.is_empty() && total != HUNDRED {
        errors.push(
            "criteria",
            format!(
                "weights must sum to exactly 100; they sum to {}",
                total.normalize()
            ),
        );
    }
    let mut seen = BTreeSet::new();
    let mut minimums = Vec::with_capacity(category_minimums.len());
    for (i, m) in category_minimums.iter().enumerate() {
        let at = format!("category_minimums[{i}]");
        if !seen.insert(m.category) {
            errors.push(
                format!("{at}.category"),
                "each category may have one minimum",
            );
        }
        if !parsed.iter().any(|c| c.category == m.category) {
            errors.push(format!("{at}.category"), "no criterion has this category");
        }
        let minimum_percent = errors
            .check(format!("{at}.minimum_percent"), percent(m.minimum_percent))
            .unwrap_or_default();
        minimums.push(CategoryMinimum {
            category: m.category,
            minimum_percent,
        });
    }
    errors.finish(|| {
        Some(EvaluationModel {
            criteria: parsed,
            category_minimums: minimums,
        })
    })
}

/// One bid response as sent: what the bid offers under one criterion.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionResponse {
    pub criterion_code: String,
    /// The committed quantity, for `quantity` criteria (decimal string).
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub quantity: Option<Decimal>,
    /// The bidder's declaration, for `gate` criteria.
    #[serde(default)]
    pub gate_passed: Option<bool>,
    /// The structured commitment, for `conditionality` criteria; it becomes a contract term.
    #[serde(default)]
    pub commitment: Option<ConditionalityCommitment>,
    /// Free text: the bidder's answer or a summary of it.
    #[serde(default)]
    pub answer: Option<String>,
}

fn commitment(
    at: &str,
    c: &ConditionalityCommitment,
    errors: &mut ValidationErrors,
) -> ConditionalityCommitment {
    let label = |field: &str, raw: &str, errors: &mut ValidationErrors| {
        errors
            .check(format!("{at}.{field}"), text::single_line(raw, 1, 200))
            .unwrap_or_default()
    };
    match c {
        ConditionalityCommitment::Access {
            measure,
            unit,
            limit,
            value,
        } => ConditionalityCommitment::Access {
            measure: label("measure", measure, errors),
            unit: label("unit", unit, errors),
            limit: *limit,
            value: errors
                .check(format!("{at}.value"), quantity(*value))
                .unwrap_or_default(),
        },
        ConditionalityCommitment::Directionality {
            measure,
            unit,
            baseline,
            target,
            by,
        } => ConditionalityCommitment::Directionality {
            measure: label("measure", measure, errors),
            unit: label("unit", unit, errors),
            baseline: baseline.and_then(|b| errors.check(format!("{at}.baseline"), quantity(b))),
            target: errors
                .check(format!("{at}.target"), quantity(*target))
                .unwrap_or_default(),
            by: *by,
        },
        ConditionalityCommitment::ProfitSharing {
            share_percent,
            above_margin_percent,
        } => ConditionalityCommitment::ProfitSharing {
            share_percent: errors
                .check(format!("{at}.share_percent"), percent(*share_percent))
                .unwrap_or_default(),
            above_margin_percent: errors
                .check(
                    format!("{at}.above_margin_percent"),
                    percent(*above_margin_percent),
                )
                .unwrap_or_default(),
        },
        ConditionalityCommitment::Reinvestment {
            percent_of_profit,
            purpose,
        } => ConditionalityCommitment::Reinvestment {
            percent_of_profit: errors
                .check(
                    format!("{at}.percent_of_profit"),
                    percent(*percent_of_profit),
                )
                .unwrap_or_default(),
            purpose: errors
                .check(format!("{at}.purpose"), text::single_line(purpose, 1, 200))
                .unwrap_or_default(),
        },
    }
}

/// Checks a bid's responses against the tender's model: each names a criterion of the model
/// once and carries what that criterion's method needs (a quantity, a gate declaration, a
/// commitment of the right conditionality type).
pub fn responses(
    field: &str,
    model: &EvaluationModel,
    inputs: &[CriterionResponse],
    errors: &mut ValidationErrors,
) -> Vec<CriterionResponse> {
    let by_code: BTreeMap<&str, &Criterion> = model
        .criteria
        .iter()
        .map(|c| (c.code.as_str(), c))
        .collect();
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(inputs.len());
    for (i, r) in inputs.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let Some(criterion) = by_code.get(r.criterion_code.as_str()) else {
            errors.push(
                format!("{at}.criterion_code"),
                format!("the tender has no criterion `{}`", r.criterion_code),
            );
            continue;
        };
        if !seen.insert(r.criterion_code.clone()) {
            errors.push(
                format!("{at}.criterion_code"),
                "each criterion may be answered once",
            );
        }
        let is_quantity = matches!(criterion.method, ScoringMethod::Quantity { .. });
        let is_gate = criterion.method == ScoringMethod::Gate;
        // A quantity-scored conditionality scores the figure the bidder commits to in the
        // contract: one figure, so the score cannot reward a promise the contract does not hold.
        // It may be sent as the commitment alone.
        let mut scored = r.quantity;
        if is_quantity && let Some(kind) = criterion.conditionality_type {
            // A commitment of the wrong type is reported below, on its own.
            match (r.commitment.as_ref().filter(|c| c.kind() == kind), r.quantity) {
                (None, _) if r.commitment.is_some() => {}
                (None, _) => errors.push(
                    format!("{at}.commitment"),
                    "is required: a conditionality criterion scores the committed figure, which the contract then holds",
                ),
                (Some(c), None) => scored = Some(c.headline().1),
                (Some(c), Some(q)) => {
                    let (name, figure) = c.headline();
                    if q.normalize() != figure.normalize() {
                        errors.push(
                            format!("{at}.quantity"),
                            format!(
                                "must equal the commitment's {name} ({}): the scored figure is the contractual one",
                                figure.normalize()
                            ),
                        );
                    }
                }
            }
        }
        match (is_quantity, scored) {
            (true, None) => errors.push(
                format!("{at}.quantity"),
                "is required: this criterion scores a committed quantity",
            ),
            (false, Some(_)) => errors.push(
                format!("{at}.quantity"),
                "only quantity criteria take a quantity",
            ),
            _ => {}
        }
        match (is_gate, r.gate_passed) {
            (true, None) => errors.push(
                format!("{at}.gate_passed"),
                "is required: this criterion is a pass/fail gate",
            ),
            (false, Some(_)) => errors.push(
                format!("{at}.gate_passed"),
                "only gate criteria take gate_passed",
            ),
            _ => {}
        }
        let commitment = match (&r.commitment, criterion.conditionality_type) {
            (Some(c), Some(kind)) if c.kind() == kind => {
                Some(commitment(&format!("{at}.commitment"), c, errors))
            }
            (Some(c), Some(kind)) => {
                errors.push(
                    format!("{at}.commitment.type"),
                    format!(
                        "this criterion's conditionality is {kind:?}; the commitment is {:?}",
                        c.kind()
                    )
                    .to_lowercase(),
                );
                None
            }
            (Some(_), None) => {
                errors.push(
                    format!("{at}.commitment"),
                    "only conditionality criteria take a commitment",
                );
                None
            }
            (None, _) => None,
        };
        let answer = r.answer.as_deref().map(|a| {
            errors
                .check(format!("{at}.answer"), text::bounded(a, 0, 10_000))
                .unwrap_or_default()
        });
        out.push(CriterionResponse {
            criterion_code: r.criterion_code.clone(),
            quantity: scored.and_then(|q| errors.check(format!("{at}.quantity"), quantity(q))),
            gate_passed: r.gate_passed,
            commitment,
            answer,
        });
    }
    out
}

/// A score an evaluator or moderator gives on a scale criterion must be one of its levels.
pub fn scale_score(criterion: &Criterion, score: Decimal) -> Result<Decimal, Invalid> {
    match &criterion.method {
        ScoringMethod::Scale { levels } if levels.iter().any(|l| l.score == score.normalize()) => {
            Ok(score.normalize())
        }
        ScoringMethod::Scale { levels } => Err(Invalid::NotAScaleLevel {
            levels: levels
                .iter()
                .map(|l| l.score.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
        _ => Err(Invalid::NotScoredOnAScale {
            code: criterion.code.clone(),
        }),
    }
}

/// The engine's view of a bid's responses: quantities and gate declarations by code.
pub fn engine_answers(responses: &[CriterionResponse], bid: &mut BidInput) {
    for r in responses {
        if let Some(q) = r.quantity {
            bid.quantities.insert(r.criterion_code.clone(), q);
        }
        if let Some(g) = r.gate_passed {
            bid.gates.insert(r.criterion_code.clone(), g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tender::{ConditionalityType, ScaleLevel};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn criterion(code: &str, category: Category, weight: &str, method: ScoringMethod) -> Criterion {
        Criterion {
            code: code.into(),
            title: format!("{code} title"),
            category,
            conditionality_type: None,
            mission_id: None,
            weight: d(weight),
            method,
            minimum_percent: None,
        }
    }

    fn scale() -> ScoringMethod {
        ScoringMethod::Scale {
            levels: (0..=5)
                .map(|i| ScaleLevel {
                    score: Decimal::from(i),
                    descriptor: format!("level {i}"),
                })
                .collect(),
        }
    }

    #[test]
    fn a_sound_model_parses() {
        let model = evaluation_model(
            &[
                criterion("P", Category::Price, "40", ScoringMethod::LowestRatio),
                criterion("Q1", Category::Quality, "60.0", scale()),
                criterion("G", Category::Quality, "0", ScoringMethod::Gate),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(model.criteria[1].weight.to_string(), "60");
    }

    #[test]
    fn every_broken_rule_is_reported_with_its_field() {
        let mut cond = criterion("C", Category::Conditionality, "10", scale());
        cond.conditionality_type = None;
        let mut mission = criterion("M", Category::MissionAlignment, "10", scale());
        mission.mission_id = None;
        let err = evaluation_model(
            &[
                criterion("P", Category::Price, "40", scale()),
                criterion("P", Category::Quality, "30", ScoringMethod::LowestRatio),
                criterion("G", Category::Quality, "5", ScoringMethod::Gate),
                cond,
                mission,
            ],
            &[CategoryMinimum {
                category: Category::SocialValue,
                minimum_percent: d("50"),
            }],
        )
        .unwrap_err();
        let fields: Vec<_> = err.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "criteria[0].method.type",
                "criteria[1].code",
                "criteria[1].method.type",
                "criteria[2].method.type",
                "criteria[3].conditionality_type",
                "criteria[4].mission_id",
                "criteria",
                "category_minimums[0].category",
            ]
        );
    }

    #[test]
    fn weights_must_sum_to_exactly_100() {
        let err = evaluation_model(
            &[
                criterion("P", Category::Price, "33.3333", ScoringMethod::LowestRatio),
                criterion("Q", Category::Quality, "66.6666", scale()),
            ],
            &[],
        )
        .unwrap_err();
        assert_eq!(
            err.fields()[0].message,
            "weights must sum to exactly 100; they sum to 99.9999"
        );
    }

    #[test]
    fn a_scored_conditionality_is_the_committed_figure() {
        let mut share = criterion(
            "C1",
            Category::Conditionality,
            "100",
            ScoringMethod::Quantity {
                direction: Direction::HigherBetter,
                scoring: QuantityScoring::RelativeToBest,
            },
        );
        share.conditionality_type = Some(ConditionalityType::ProfitSharing);
        let model = EvaluationModel {
            criteria: vec![share],
            category_minimums: vec![],
        };
        let answer = |quantity: Option<&str>, share: Option<&str>| CriterionResponse {
            criterion_code: "C1".into(),
            quantity: quantity.map(d),
            gate_passed: None,
            commitment: share.map(|s| ConditionalityCommitment::ProfitSharing {
                share_percent: d(s),
                above_margin_percent: d("8"),
            }),
            answer: None,
        };
        let check = |r: CriterionResponse| {
            let mut errors = ValidationErrors::default();
            let parsed = responses("responses", &model, &[r], &mut errors);
            let fields: Vec<String> = errors.fields().iter().map(|e| e.field.clone()).collect();
            (parsed[0].quantity, fields)
        };
        // The commitment alone scores its share; the same figure twice is accepted.
        assert_eq!(check(answer(None, Some("50"))), (Some(d("50")), vec![]));
        assert_eq!(
            check(answer(Some("50.0"), Some("50"))),
            (Some(d("50.0")), vec![])
        );
        // A scored figure the commitment does not hold, or no commitment at all, is refused.
        assert_eq!(
            check(answer(Some("60"), Some("50"))).1,
            ["responses[0].quantity"]
        );
        assert_eq!(
            check(answer(Some("60"), None)).1,
            ["responses[0].commitment"]
        );
    }

    #[test]
    fn responses_must_fit_their_criterion() {
        let mut reinvest = criterion("R", Category::Conditionality, "20", scale());
        reinvest.conditionality_type = Some(ConditionalityType::Reinvestment);
        let model = EvaluationModel {
            criteria: vec![
                criterion(
                    "A",
                    Category::SocialValue,
                    "40",
                    ScoringMethod::Quantity {
                        direction: Direction::HigherBetter,
                        scoring: QuantityScoring::RelativeToBest,
                    },
                ),
                criterion("G", Category::Quality, "0", ScoringMethod::Gate),
                reinvest,
            ],
            category_minimums: vec![],
        };
        let response = |code: &str| CriterionResponse {
            criterion_code: code.into(),
            quantity: None,
            gate_passed: None,
            commitment: None,
            answer: None,
        };
        let mut errors = ValidationErrors::default();
        let mut wrong_kind = response("R");
        wrong_kind.commitment = Some(ConditionalityCommitment::ProfitSharing {
            share_percent: d("10"),
            above_margin_percent: d("5"),
        });
        responses(
            "responses",
            &model,
            &[response("A"), response("G"), response("X"), wrong_kind],
            &mut errors,
        );
        let fields: Vec<_> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "responses[0].quantity",
                "responses[1].gate_passed",
                "responses[2].criterion_code",
                "responses[3].commitment.type"
            ]
        );
    }

    #[test]
    fn scale_scores_must_be_levels() {
        let c = criterion("Q", Category::Quality, "100", scale());
        assert_eq!(scale_score(&c, d("3.0")), Ok(d("3")));
        assert!(scale_score(&c, d("3.5")).is_err());
    }

    #[test]
    fn money_has_pence_at_most() {
        assert_eq!(money(d("100.50"), false), Ok(d("100.5")));
        assert!(money(d("100.505"), false).is_err());
        assert!(money(d("0"), false).is_err());
        assert!(money(d("-1"), true).is_err());
    }
}
