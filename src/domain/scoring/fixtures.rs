//! Deterministic, realistic inputs for benchmarks and property tests. Not part of the API.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::domain::ids::MissionId;
use crate::domain::tender::{
    AwardMethod, BidInput, BidStatus, Category, CategoryMinimum, ConditionalityType, Criterion,
    DEFAULT_TIE_BREAK, Direction, EvaluationInput, EvaluationModel, QuantityScoring, ScaleLevel,
    ScoringMethod,
};

use super::monte_carlo::Xoshiro256;

/// The mission every generated mission-alignment criterion points at.
pub fn sample_mission() -> MissionId {
    MissionId::from(Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001))
}

fn scale_levels() -> Vec<ScaleLevel> {
    [
        "no response",
        "fails to answer",
        "partly answers",
        "answers with some gaps",
        "fully answers",
        "excellent, with evidence",
    ]
    .iter()
    .zip(0i64..)
    .map(|(d, s)| ScaleLevel {
        score: Decimal::from(s),
        descriptor: (*d).to_string(),
    })
    .collect()
}

fn pick(rng: &mut Xoshiro256, n: u64) -> i64 {
    i64::try_from(rng.below(n)).unwrap_or(0)
}

/// `bids` bids on `criteria` criteria (price first, a gate last from 4 criteria on, and quality,
/// social value, mission alignment and conditionality in between), scored by `evaluators`
/// evaluators. The weights sum to exactly 100: price 40 and the rest shared in hundredths.
pub fn sample_input(bids: usize, criteria: usize, evaluators: usize, seed: u64) -> EvaluationInput {
    let mut rng = Xoshiro256::new(seed);
    let has_gate = criteria >= 4;
    let weighted_non_price = criteria
        .saturating_sub(1)
        .saturating_sub(usize::from(has_gate));
    let price_weight = if weighted_non_price == 0 { 100 } else { 40 };
    let share = i64::try_from(weighted_non_price).unwrap_or(1).max(1);
    let (base, mut remainder) = (6000 / share, 6000 % share);

    let price_method = match rng.below(3) {
        0 => ScoringMethod::LowestRatio,
        1 => ScoringMethod::LinearBounds {
            floor: Decimal::from(50_000),
            ceiling: Decimal::from(200_000),
        },
        _ => ScoringMethod::Deduction {
            k: Decimal::new(15, 1),
        },
    };
    let types = [
        ConditionalityType::Access,
        ConditionalityType::Directionality,
        ConditionalityType::ProfitSharing,
        ConditionalityType::Reinvestment,
    ];
    let mut model_criteria = Vec::with_capacity(criteria);
    for i in 0..criteria {
        let mut c = Criterion {
            code: format!("C{i:03}"),
            title: format!("Criterion {i}"),
            category: Category::Quality,
            conditionality_type: None,
            mission_id: None,
            weight: Decimal::ZERO,
            method: ScoringMethod::Gate,
            minimum_percent: None,
        };
        if i == 0 {
            c.category = Category::Price;
            c.weight = Decimal::from(price_weight);
            c.method = price_method.clone();
        } else if has_gate && i + 1 == criteria {
            c.title = "Insurance and modern slavery statement".to_string();
        } else {
            let extra = i64::from(remainder > 0);
            remainder = remainder.saturating_sub(1);
            c.weight = Decimal::new(base.saturating_add(extra), 2);
            c.method = ScoringMethod::Scale {
                levels: scale_levels(),
            };
            match i.saturating_sub(1) % 6 {
                0 => c.minimum_percent = Some(Decimal::from(20)),
                1 => {}
                2 => {
                    c.category = Category::SocialValue;
                    c.method = ScoringMethod::Quantity {
                        direction: Direction::HigherBetter,
                        scoring: QuantityScoring::Linear {
                            threshold: Decimal::ZERO,
                            target: Decimal::from(100),
                        },
                    };
                }
                3 => {
                    c.category = Category::MissionAlignment;
                    c.mission_id = Some(sample_mission());
                }
                4 => {
                    c.category = Category::Conditionality;
                    c.conditionality_type = types.get(i % 4).copied();
                }
                _ => {
                    c.category = Category::SocialValue;
                    c.method = ScoringMethod::Quantity {
                        direction: Direction::LowerBetter,
                        scoring: QuantityScoring::RelativeToBest,
                    };
                }
            }
        }
        model_criteria.push(c);
    }

    let mut input_bids = Vec::with_capacity(bids);
    for b in 0..bids {
        let status = match (b % 17, b % 23) {
            (16, _) => BidStatus::Withdrawn,
            (_, 22) => BidStatus::Disqualified,
            _ => BidStatus::Valid,
        };
        let seconds = 1_700_000_000i64
            .saturating_add(i64::try_from(b).unwrap_or(0).saturating_mul(60))
            .saturating_add(pick(&mut rng, 60));
        let mut bid = BidInput {
            bid_id: format!("B{b:04}"),
            supplier_name: format!("Supplier {b}"),
            price: Decimal::new(8_000_000 + pick(&mut rng, 10_000_000), 2),
            submitted_at: DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default(),
            status,
            quantities: BTreeMap::new(),
            gates: BTreeMap::new(),
            evaluator_scores: BTreeMap::new(),
            moderated_scores: BTreeMap::new(),
            abnormally_low_explanation: None,
        };
        for c in &model_criteria {
            match &c.method {
                ScoringMethod::Gate => {
                    bid.gates.insert(c.code.clone(), rng.below(20) != 0);
                }
                ScoringMethod::Quantity { direction, .. } if rng.below(10) != 0 => {
                    let value = match direction {
                        Direction::HigherBetter => pick(&mut rng, 120),
                        Direction::LowerBetter => 10 + pick(&mut rng, 90),
                    };
                    bid.quantities.insert(c.code.clone(), Decimal::from(value));
                }
                ScoringMethod::Scale { .. } => {
                    let base = 1 + pick(&mut rng, 5);
                    let mut scores = BTreeMap::new();
                    for e in 0..evaluators {
                        let score = (base + pick(&mut rng, 3) - 1).clamp(0, 5);
                        scores.insert(format!("E{e}"), Decimal::from(score));
                    }
                    if !scores.is_empty() {
                        bid.evaluator_scores.insert(c.code.clone(), scores);
                    }
                    if rng.below(4) != 0 {
                        bid.moderated_scores
                            .insert(c.code.clone(), Decimal::from(base));
                    }
                }
                _ => {}
            }
        }
        input_bids.push(bid);
    }

    EvaluationInput {
        award_method: AwardMethod::WeightedScore,
        tie_break: DEFAULT_TIE_BREAK.to_vec(),
        abnormally_low_percent: Decimal::from(20),
        spread_threshold: Decimal::from(2),
        model: EvaluationModel {
            criteria: model_criteria,
            category_minimums: vec![CategoryMinimum {
                category: Category::Quality,
                minimum_percent: Decimal::from(30),
            }],
        },
        bids: input_bids,
    }
}
