//! Unit tests of `evaluate` and `what_if`, each with its arithmetic done by hand.

use std::collections::{BTreeMap, BTreeSet};

use crate::domain::tender::{
    AwardMethod, BidStatus, Category, CategoryMinimum, Direction, QuantityScoring, ScaleLevel,
    ScoringMethod, TieBreakRule,
};

use super::test_support::*;
use super::*;

fn flags_of(b: &BidResult) -> Vec<(FlagKind, Option<&str>)> {
    b.flags
        .iter()
        .map(|f| (f.kind, f.criterion.as_deref()))
        .collect()
}

fn reasons(b: &BidResult) -> Vec<(ExclusionReason, Option<&str>)> {
    b.exclusions
        .iter()
        .map(|e| (e.reason, e.criterion.as_deref()))
        .collect()
}

// ---------------------------------------------------------------- price methods

#[test]
fn lowest_ratio_scores_pmin_over_price() {
    let input = weighted(
        vec![
            price("P", "40", ScoringMethod::LowestRatio),
            scale("Q", Category::Quality, "60"),
        ],
        vec![
            bid("A", "90000").moderated("Q", "5"),
            bid("B", "100000").moderated("Q", "3"),
        ],
    );
    let r = evaluate(&input);
    let b = find(&r, "B");
    // 90000 / 100000 = 0.9; × 40 = 36. Quality 3 / 5 = 0.6; × 60 = 36. Total 72.
    let p = crit(b, "P");
    assert_eq!(p.raw, Some(d("100000")));
    assert_eq!(p.normalised, d("0.9"));
    assert_eq!(p.points, d("36"));
    assert_eq!(p.source, ScoreSource::Computed);
    assert_eq!(
        p.explanation,
        "lowest compliant price 90000 ÷ this price 100000 = 0.9; × weight 40 = 36 points"
    );
    assert_eq!(
        crit(b, "Q").explanation,
        "moderated score 3 ÷ top level 5 = 0.6; × weight 60 = 36 points"
    );
    assert_eq!(b.total, d("72"));
    assert_eq!(
        b.subtotals,
        vec![
            CategorySubtotal {
                category: Category::Price,
                points: d("36"),
                available: d("40")
            },
            CategorySubtotal {
                category: Category::Quality,
                points: d("36"),
                available: d("60")
            },
        ]
    );
    // A: 1 × 40 + 1 × 60 = 100.
    assert_eq!(find(&r, "A").total, d("100"));
    assert_eq!(r.winner.as_deref(), Some("A"));
    assert_eq!(find(&r, "A").rank, Some(1));
    assert_eq!(b.rank, Some(2));
    assert_eq!(b.price_per_quality_point, None);
    assert_eq!(r.engine_version, "1.0.0");
}

#[test]
fn linear_bounds_is_clamped_and_guards_bad_bounds() {
    let input = weighted(
        vec![price("P", "40", linear_bounds("50000", "200000"))],
        vec![bid("A", "100000"), bid("B", "40000"), bid("C", "250000")],
    );
    let r = evaluate(&input);
    // (200000 − 100000) / (200000 − 50000) = 2/3 → 0.666667; × 40 = 26.666667.
    let a = crit(find(&r, "A"), "P");
    assert_eq!(a.normalised, d("0.666667"));
    assert_eq!(a.points, d("26.666667"));
    assert_eq!(
        a.explanation,
        "(ceiling 200000 − price 100000) ÷ (ceiling 200000 − floor 50000) = 0.666667; × weight 40 = 26.666667 points"
    );
    // 160000 / 150000 = 1.066667 → clamped to 1.
    let b = crit(find(&r, "B"), "P");
    assert_eq!(b.normalised, d("1"));
    assert_eq!(
        b.explanation,
        "(ceiling 200000 − price 40000) ÷ (ceiling 200000 − floor 50000) = 1.066667, clamped to 0..1 → 1; × weight 40 = 40 points"
    );
    // −50000 / 150000 → clamped to 0.
    assert_eq!(crit(find(&r, "C"), "P").normalised, d("0"));

    let bad = weighted(
        vec![price("P", "40", linear_bounds("200", "100"))],
        vec![bid("A", "150")],
    );
    let p = crit(find(&evaluate(&bad), "A"), "P").clone();
    assert_eq!(p.normalised, d("0"));
    assert!(p.explanation.contains("ceiling 100 is not above floor 200"));
}

#[test]
fn deduction_subtracts_k_per_relative_excess() {
    let input = weighted(
        vec![price("P", "50", ScoringMethod::Deduction { k: d("2") })],
        vec![bid("A", "100000"), bid("B", "110000"), bid("C", "160000")],
    );
    let r = evaluate(&input);
    assert_eq!(crit(find(&r, "A"), "P").normalised, d("1"));
    // 1 − 2 × (110000 − 100000) / 100000 = 0.8; × 50 = 40.
    let b = crit(find(&r, "B"), "P");
    assert_eq!(b.normalised, d("0.8"));
    assert_eq!(b.points, d("40"));
    assert_eq!(
        b.explanation,
        "1 − k 2 × (price 110000 − lowest compliant price 100000) ÷ 100000 = 0.8; × weight 50 = 40 points"
    );
    // 1 − 2 × 0.6 = −0.2 → floored at 0.
    assert_eq!(crit(find(&r, "C"), "P").normalised, d("0"));
}

#[test]
fn non_positive_prices_score_zero_with_a_reason() {
    // A compliant price of 0 makes Pmin 0: no ratio can be formed for anyone.
    let input = weighted(
        vec![
            price("R", "50", ScoringMethod::LowestRatio),
            price("L", "50", linear_bounds("0", "100")),
        ],
        vec![bid("A", "0"), bid("B", "100")],
    );
    let r = evaluate(&input);
    let a = find(&r, "A");
    assert_eq!(crit(a, "R").normalised, d("0"));
    assert!(
        crit(a, "R")
            .explanation
            .starts_with("price 0 is not positive")
    );
    assert_eq!(crit(a, "L").normalised, d("0"));
    let b = find(&r, "B");
    assert_eq!(crit(b, "R").normalised, d("0"));
    assert!(
        crit(b, "R")
            .explanation
            .starts_with("lowest compliant price 0 is not positive")
    );
}

#[test]
fn without_compliant_bids_the_own_price_is_the_reference() {
    let input = weighted(
        vec![
            price("P", "100", ScoringMethod::LowestRatio),
            price("D", "0", ScoringMethod::Deduction { k: d("2") }),
            quantity(
                "H",
                "0",
                Direction::HigherBetter,
                QuantityScoring::RelativeToBest,
            ),
        ],
        vec![
            bid("A", "100").status(BidStatus::Withdrawn),
            bid("B", "200")
                .status(BidStatus::Disqualified)
                .qty("H", "5"),
        ],
    );
    let r = evaluate(&input);
    assert_eq!(r.winner, None);
    // Deduction against itself: 1 − 2 × (200 − 200) / 200 = 1; quantity 5 / 5 = 1.
    let bd = crit(find(&r, "B"), "D");
    assert_eq!(bd.normalised, d("1"));
    assert_eq!(
        bd.explanation,
        "with no compliant bid to compare, its own price is the reference: 1 − k 2 × (price 200 − 200) ÷ 200 = 1; × weight 0 = 0 points"
    );
    let bh = crit(find(&r, "B"), "H");
    assert_eq!(bh.normalised, d("1"));
    assert_eq!(
        bh.explanation,
        "with no compliant bid to compare, its own commitment is the reference: committed 5 ÷ 5 = 1; × weight 0 = 0 points"
    );
    let b = crit(find(&r, "B"), "P");
    // 200 / 200 = 1.
    assert_eq!(b.normalised, d("1"));
    assert_eq!(
        b.explanation,
        "with no compliant bid to compare, its own price is the reference: 200 ÷ this price 200 = 1; × weight 100 = 100 points"
    );
}

#[test]
fn excluded_bids_are_not_references_but_are_still_scored() {
    let input = weighted(
        vec![price("P", "100", ScoringMethod::LowestRatio), gate("G")],
        vec![
            bid("E", "100000").gate("G", true),
            bid("D", "80000").gate("G", true),
            bid("C", "70000").gate("G", false),
            bid("B", "60000")
                .gate("G", true)
                .status(BidStatus::Disqualified),
            bid("A", "50000")
                .gate("G", true)
                .status(BidStatus::Withdrawn),
        ],
    );
    let r = evaluate(&input);
    // Pmin is D's 80000: E = 80000 / 100000 = 0.8.
    assert_eq!(crit(find(&r, "E"), "P").normalised, d("0.8"));
    assert_eq!(crit(find(&r, "D"), "P").normalised, d("1"));
    // A (withdrawn, 50000): 80000 / 50000 = 1.6, clamped to 1, still shown.
    let a = crit(find(&r, "A"), "P");
    assert_eq!(a.normalised, d("1"));
    assert!(a.explanation.contains("= 1.6, clamped to 0..1 → 1"));
    assert_eq!(order(&r), vec!["D", "E", "A", "B", "C"]);
    assert_eq!(r.winner.as_deref(), Some("D"));
    assert_eq!(
        reasons(find(&r, "A")),
        vec![(ExclusionReason::Withdrawn, None)]
    );
    assert_eq!(
        reasons(find(&r, "B")),
        vec![(ExclusionReason::Disqualified, None)]
    );
    assert_eq!(
        reasons(find(&r, "C")),
        vec![(ExclusionReason::FailedGate, Some("G"))]
    );
    for id in ["A", "B", "C"] {
        let b = find(&r, id);
        assert!(b.excluded);
        assert_eq!(b.rank, None);
    }
    // D at 80000 vs the other compliant mean 100000 × 0.8 = 80000: not below, no flag.
    assert!(find(&r, "D").flags.is_empty());
}

// ---------------------------------------------------------------- scales

#[test]
fn scale_uses_moderated_then_mean_then_zero_and_flags() {
    let input = weighted(
        vec![
            scale("Q1", Category::Quality, "50"),
            scale("Q2", Category::Quality, "50"),
        ],
        vec![
            bid("A", "1")
                .moderated("Q1", "3")
                .evaluators("Q1", &["1", "4"])
                .evaluators("Q2", &["3", "4", "4"]),
            bid("B", "1").evaluators("Q2", &["2", "4"]),
        ],
    );
    let r = evaluate(&input);
    let a = find(&r, "A");
    let q1 = crit(a, "Q1");
    // Moderated 3 / 5 = 0.6 wins over the evaluators.
    assert_eq!(
        (q1.raw, q1.normalised, q1.source),
        (Some(d("3")), d("0.6"), ScoreSource::Moderated)
    );
    // Mean (3 + 4 + 4) / 3 = 3.666667; / 5 = 0.733333; × 50 = 36.666667.
    let q2 = crit(a, "Q2");
    assert_eq!(q2.raw, Some(d("3.666667")));
    assert_eq!(q2.normalised, d("0.733333"));
    assert_eq!(q2.points, d("36.666667"));
    assert_eq!(q2.source, ScoreSource::EvaluatorMean);
    assert_eq!(
        q2.explanation,
        "mean of 3 evaluator score(s) 3.666667 (not yet moderated) ÷ top level 5 = 0.733333; × weight 50 = 36.666667 points"
    );
    // Q1 spread 4 − 1 = 3 > 2 is flagged although moderated.
    assert_eq!(
        flags_of(a),
        vec![
            (FlagKind::EvaluatorSpread, Some("Q1")),
            (FlagKind::Unmoderated, Some("Q2"))
        ]
    );
    assert_eq!(
        a.flags[0].detail,
        "evaluator scores on Q1 range from 1 to 4 (spread 3 > threshold 2)"
    );

    let b = find(&r, "B");
    let q1 = crit(b, "Q1");
    assert_eq!(
        (q1.raw, q1.normalised, q1.source),
        (None, d("0"), ScoreSource::Missing)
    );
    // Spread 4 − 2 = 2 is not more than 2: no spread flag. Mean 3 / 5 = 0.6.
    assert_eq!(crit(b, "Q2").normalised, d("0.6"));
    assert_eq!(
        flags_of(b),
        vec![
            (FlagKind::Unscored, Some("Q1")),
            (FlagKind::Unmoderated, Some("Q2"))
        ]
    );
}

#[test]
fn scale_without_positive_top_scores_zero() {
    let c = criterion(
        "Q",
        Category::Quality,
        "100",
        ScoringMethod::Scale {
            levels: vec![ScaleLevel {
                score: d("0"),
                descriptor: "only".into(),
            }],
        },
    );
    let r = evaluate(&weighted(vec![c], vec![bid("A", "1").moderated("Q", "3")]));
    let q = crit(find(&r, "A"), "Q");
    assert_eq!(q.normalised, d("0"));
    assert_eq!(q.raw, Some(d("3")));
    assert!(q.explanation.contains("top level 0 is not positive"));
}

// ---------------------------------------------------------------- quantities

#[test]
fn quantities_relative_and_linear() {
    let input = weighted(
        vec![
            quantity(
                "H",
                "25",
                Direction::HigherBetter,
                QuantityScoring::RelativeToBest,
            ),
            quantity(
                "L",
                "25",
                Direction::LowerBetter,
                QuantityScoring::RelativeToBest,
            ),
            quantity(
                "LIN",
                "25",
                Direction::HigherBetter,
                QuantityScoring::Linear {
                    threshold: d("10"),
                    target: d("50"),
                },
            ),
            quantity(
                "LINL",
                "25",
                Direction::LowerBetter,
                QuantityScoring::Linear {
                    threshold: d("100"),
                    target: d("20"),
                },
            ),
        ],
        vec![
            bid("A", "1")
                .qty("H", "150")
                .qty("L", "10")
                .qty("LIN", "30")
                .qty("LINL", "60"),
            bid("B", "1")
                .qty("H", "120")
                .qty("L", "20")
                .qty("LIN", "60")
                .qty("LINL", "10"),
            bid("C", "1")
                .qty("L", "40")
                .qty("LIN", "10")
                .qty("LINL", "100"),
            // Withdrawn: its 300 is not the best.
            bid("X", "1").qty("H", "300").status(BidStatus::Withdrawn),
        ],
    );
    let r = evaluate(&input);
    let (a, b, c) = (find(&r, "A"), find(&r, "B"), find(&r, "C"));
    // H: best 150. A 150/150 = 1; B 120/150 = 0.8 → × 25 = 20.
    assert_eq!(crit(a, "H").normalised, d("1"));
    assert_eq!(crit(b, "H").normalised, d("0.8"));
    assert_eq!(
        crit(b, "H").explanation,
        "committed 120 ÷ best compliant commitment 150 = 0.8; × weight 25 = 20 points"
    );
    // C has no H: missing, flagged unscored.
    let ch = crit(c, "H");
    assert_eq!(
        (ch.raw, ch.normalised, ch.source),
        (None, d("0"), ScoreSource::Missing)
    );
    assert_eq!(flags_of(c), vec![(FlagKind::Unscored, Some("H"))]);
    // L: best (lowest) 10. A 1; B 10/20 = 0.5; C 10/40 = 0.25.
    assert_eq!(crit(a, "L").normalised, d("1"));
    assert_eq!(crit(b, "L").normalised, d("0.5"));
    assert_eq!(crit(c, "L").normalised, d("0.25"));
    // LIN: (30 − 10)/(50 − 10) = 0.5; (60 − 10)/40 = 1.25 → 1; (10 − 10)/40 = 0.
    assert_eq!(crit(a, "LIN").normalised, d("0.5"));
    assert_eq!(crit(b, "LIN").normalised, d("1"));
    assert_eq!(crit(c, "LIN").normalised, d("0"));
    // LINL: (60 − 100)/(20 − 100) = 0.5; (10 − 100)/(−80) = 1.125 → 1; 0.
    assert_eq!(crit(a, "LINL").normalised, d("0.5"));
    assert_eq!(crit(b, "LINL").normalised, d("1"));
    assert_eq!(crit(c, "LINL").normalised, d("0"));
    // A total: 25 + 25 + 12.5 + 12.5 = 75.
    assert_eq!(a.total, d("75"));
}

#[test]
fn quantity_edge_cases() {
    let step = |code: &str, direction| {
        quantity(
            code,
            "25",
            direction,
            QuantityScoring::Linear {
                threshold: d("50"),
                target: d("50"),
            },
        )
    };
    let input = weighted(
        vec![
            quantity(
                "H",
                "25",
                Direction::HigherBetter,
                QuantityScoring::RelativeToBest,
            ),
            quantity(
                "L",
                "25",
                Direction::LowerBetter,
                QuantityScoring::RelativeToBest,
            ),
            step("SH", Direction::HigherBetter),
            step("SL", Direction::LowerBetter),
        ],
        vec![
            bid("A", "1")
                .qty("H", "0")
                .qty("L", "0")
                .qty("SH", "50")
                .qty("SL", "50"),
            bid("B", "1")
                .qty("H", "10")
                .qty("L", "5")
                .qty("SH", "49")
                .qty("SL", "51"),
        ],
    );
    let r = evaluate(&input);
    let (a, b) = (find(&r, "A"), find(&r, "B"));
    // Higher better: a commitment of 0 scores 0.
    assert_eq!(crit(a, "H").normalised, d("0"));
    assert_eq!(crit(b, "H").normalised, d("1"));
    // Lower better: committing 0 (nothing) is the best possible → 1; it is then the best,
    // so B's 5 scores 0 / 5 = 0.
    assert_eq!(crit(a, "L").normalised, d("1"));
    assert_eq!(crit(b, "L").normalised, d("0"));
    // Step at 50: higher better needs ≥ 50, lower better ≤ 50.
    assert_eq!(crit(a, "SH").normalised, d("1"));
    assert_eq!(crit(b, "SH").normalised, d("0"));
    assert_eq!(crit(a, "SL").normalised, d("1"));
    assert_eq!(crit(b, "SL").normalised, d("0"));
}

// ---------------------------------------------------------------- gates

#[test]
fn gates_carry_no_points_and_exclude_once_per_failed_gate() {
    let mut weighted_gate = gate("G2");
    weighted_gate.weight = d("10"); // a lint error; the evaluation still weighs it 0
    let input = weighted(
        vec![
            price("P", "100", ScoringMethod::LowestRatio),
            gate("G1"),
            weighted_gate,
        ],
        vec![
            bid("A", "100").gate("G1", true).gate("G2", true),
            bid("B", "90").gate("G1", false),
        ],
    );
    let r = evaluate(&input);
    let a = find(&r, "A");
    let g = crit(a, "G1");
    assert_eq!(
        (g.raw, g.normalised, g.points, g.source),
        (None, d("1"), d("0"), ScoreSource::Gate)
    );
    assert_eq!(g.explanation, "gate passed; pass/fail only, 0 points");
    assert_eq!(crit(a, "G2").weight, d("0"));
    assert_eq!(crit(a, "G2").points, d("0"));
    // B fails G1 (declared false) and G2 (not declared): two exclusions; A is the reference.
    let b = find(&r, "B");
    assert_eq!(
        reasons(b),
        vec![
            (ExclusionReason::FailedGate, Some("G1")),
            (ExclusionReason::FailedGate, Some("G2"))
        ]
    );
    assert_eq!(crit(b, "G1").normalised, d("0"));
    // B's 90 is not a reference: A's 100 is Pmin → A scores 1 → 100 points.
    assert_eq!(a.total, d("100"));
    assert_eq!(r.winner.as_deref(), Some("A"));
}

// ---------------------------------------------------------------- minimums

#[test]
fn criterion_minimum_excludes_below_but_not_at() {
    let mut q = scale("Q", Category::Quality, "60");
    q.minimum_percent = Some(d("50"));
    let input = weighted(
        vec![price("P", "40", linear_bounds("0", "1000")), q],
        vec![
            bid("A", "100").moderated("Q", "2"),
            bid("B", "100").moderated("Q", "2.5"),
        ],
    );
    let r = evaluate(&input);
    // A: 2/5 × 100 = 40% < 50% → excluded. B: 2.5/5 = 50%, not below.
    let a = find(&r, "A");
    assert_eq!(
        reasons(a),
        vec![(ExclusionReason::BelowCriterionMinimum, Some("Q"))]
    );
    assert_eq!(
        a.exclusions[0].detail,
        "Q scores 40% of its available points, below the minimum 50%"
    );
    assert_eq!(find(&r, "B").rank, Some(1));
    assert_eq!(r.winner.as_deref(), Some("B"));
}

#[test]
fn category_minimum_excludes_in_one_pass() {
    let mut input = weighted(
        vec![
            price("P", "40", ScoringMethod::LowestRatio),
            scale("Q1", Category::Quality, "30"),
            scale("Q2", Category::Quality, "30"),
        ],
        vec![
            bid("A", "100000").moderated("Q1", "2").moderated("Q2", "3"),
            bid("B", "80000").moderated("Q1", "2").moderated("Q2", "2"),
        ],
    );
    input.model.category_minimums = vec![CategoryMinimum {
        category: Category::Quality,
        minimum_percent: d("50"),
    }];
    let r = evaluate(&input);
    // A quality: 12 + 18 = 30 of 60 = 50%: kept. B: 12 + 12 = 24 of 60 = 40%: excluded.
    let b = find(&r, "B");
    assert_eq!(b.exclusions.len(), 1);
    assert_eq!(
        b.exclusions[0].reason,
        ExclusionReason::BelowCategoryMinimum
    );
    assert_eq!(b.exclusions[0].category, Some(Category::Quality));
    assert_eq!(
        b.exclusions[0].detail,
        "quality subtotal 24 of 60 available is 40%, below the minimum 50%"
    );
    // One pass: B stays the price reference, so A scores 80000/100000 = 0.8 → 32 points.
    let a = find(&r, "A");
    assert_eq!(crit(a, "P").normalised, d("0.8"));
    assert_eq!(a.total, d("62"));
    assert_eq!(r.winner.as_deref(), Some("A"));
}

// ---------------------------------------------------------------- abnormally low

#[test]
fn abnormally_low_against_the_mean_of_the_others() {
    let input = weighted(
        vec![price("P", "100", ScoringMethod::LowestRatio)],
        vec![
            bid("A", "100"),
            bid("B", "110"),
            bid("C", "70"),
            bid("X", "10").status(BidStatus::Withdrawn),
        ],
    );
    let r = evaluate(&input);
    // C: others' mean (100 + 110) / 2 = 105; × (1 − 0.2) = 84; 70 < 84 → flagged.
    let c = find(&r, "C");
    assert_eq!(flags_of(c), vec![(FlagKind::AbnormallyLow, None)]);
    assert_eq!(
        c.flags[0].detail,
        "price 70 is more than 20% below 105, the mean of the other 2 compliant bid(s) (threshold 84); PA 2023 s.34: ask the supplier to explain"
    );
    // A: (110 + 70) / 2 = 90 × 0.8 = 72; 100 is not below. X is not compliant: never flagged.
    assert!(find(&r, "A").flags.is_empty());
    assert!(find(&r, "X").flags.is_empty());

    // A single compliant bid has no others to compare with.
    let alone = evaluate(&weighted(
        vec![price("P", "100", ScoringMethod::LowestRatio)],
        vec![bid("A", "1"), bid("B", "1000").status(BidStatus::Withdrawn)],
    ));
    assert!(find(&alone, "A").flags.is_empty());
}

#[test]
fn abnormally_low_threshold_is_strict() {
    // Others' mean 100 × 0.8 = 80: a price of exactly 80 is not flagged, 79.99 is.
    let r = evaluate(&weighted(
        vec![price("P", "100", ScoringMethod::LowestRatio)],
        vec![bid("A", "100"), bid("B", "80"), bid("C", "100")],
    ));
    assert!(find(&r, "B").flags.is_empty());
    let r = evaluate(&weighted(
        vec![price("P", "100", ScoringMethod::LowestRatio)],
        vec![bid("A", "100"), bid("B", "79.99"), bid("C", "100")],
    ));
    assert_eq!(
        flags_of(find(&r, "B")),
        vec![(FlagKind::AbnormallyLow, None)]
    );
}

// ---------------------------------------------------------------- ties

/// P: linear price 0..1000 at 50; Q quality scale at 25; S social value scale at 25.
fn tie_model() -> Vec<crate::domain::tender::Criterion> {
    vec![
        price("P", "50", linear_bounds("0", "1000")),
        scale("Q", Category::Quality, "25"),
        scale("S", Category::SocialValue, "25"),
    ]
}

#[test]
fn tie_broken_by_higher_quality_subtotal() {
    // A: 25 + 4/5 × 25 + 2/5 × 25 = 25 + 20 + 10 = 55; B: 25 + 10 + 20 = 55. Quality 20 > 10.
    let input = weighted(
        tie_model(),
        vec![
            bid("B", "500").moderated("Q", "2").moderated("S", "4"),
            bid("A", "500").moderated("Q", "4").moderated("S", "2"),
        ],
    );
    let r = evaluate(&input);
    assert_eq!(ranking(&r), vec!["A", "B"]);
    for id in ["A", "B"] {
        assert_eq!(flags_of(find(&r, id)), vec![(FlagKind::Tie, None)]);
    }
    assert!(
        find(&r, "A").flags[0]
            .detail
            .contains("placed by higher quality subtotal")
    );
    assert!(
        find(&r, "A").flags[0]
            .detail
            .starts_with("total points within 0.01 of B")
    );
}

#[test]
fn tie_broken_by_higher_social_value_subtotal() {
    let mut input = weighted(
        tie_model(),
        vec![
            bid("B", "500").moderated("Q", "2").moderated("S", "4"),
            bid("A", "500").moderated("Q", "4").moderated("S", "2"),
        ],
    );
    input.tie_break = vec![TieBreakRule::HigherSocialValueSubtotal];
    // Same 55 each; social value B 20 > A 10.
    assert_eq!(ranking(&evaluate(&input)), vec!["B", "A"]);
}

#[test]
fn tie_broken_by_lower_price_against_the_metric_order() {
    // A: (1000 − 500.1)/1000 × 50 = 24.995 + 15 + 15 = 54.995.
    // B: 25 + 2.998/5 × 25 = 14.99 + 15 = 54.99. Gap 0.005 < 0.01: tied; B is cheaper.
    let mut input = weighted(
        tie_model(),
        vec![
            bid("A", "500.1").moderated("Q", "3").moderated("S", "3"),
            bid("B", "500").moderated("Q", "2.998").moderated("S", "3"),
        ],
    );
    input.tie_break = vec![TieBreakRule::LowerPrice];
    let r = evaluate(&input);
    assert_eq!(find(&r, "A").total, d("54.995"));
    assert_eq!(find(&r, "B").total, d("54.99"));
    assert_eq!(ranking(&r), vec!["B", "A"]);
    assert_eq!(r.winner.as_deref(), Some("B"));
}

#[test]
fn tie_broken_by_earlier_submission_then_bid_id() {
    let same = |id: &str, t: i64| {
        bid(id, "500")
            .moderated("Q", "3")
            .moderated("S", "3")
            .submitted(t)
    };
    let mut input = weighted(tie_model(), vec![same("A", 50), same("B", 10)]);
    input.tie_break = vec![TieBreakRule::EarlierSubmission];
    assert_eq!(ranking(&evaluate(&input)), vec!["B", "A"]);
    // All default rules equal (same subtotals, price, time): bid id decides.
    let input = weighted(tie_model(), vec![same("B", 0), same("A", 0)]);
    let r = evaluate(&input);
    assert_eq!(ranking(&r), vec!["A", "B"]);
    assert!(find(&r, "A").flags[0].detail.ends_with("placed by bid id"));
}

#[test]
fn ties_chain_through_adjacent_bids_and_stop_at_a_gap_of_001() {
    // Score = 100 − price / 10: 199.7 → 80.03, 199.84 → 80.016, 199.92 → 80.008, 200 → 80.
    // 80.03 − 80.016 = 0.014: not tied. 80.016 ~ 80.008 ~ 80: one chained group.
    let mut input = weighted(
        vec![price("P", "100", linear_bounds("0", "1000"))],
        vec![
            bid("W", "199.7").submitted(30),
            bid("A", "199.84").submitted(20),
            bid("B", "199.92").submitted(10),
            bid("C", "200").submitted(0),
        ],
    );
    input.tie_break = vec![TieBreakRule::EarlierSubmission];
    let r = evaluate(&input);
    assert_eq!(ranking(&r), vec!["W", "C", "B", "A"]);
    assert!(find(&r, "W").flags.is_empty());
    for id in ["A", "B", "C"] {
        assert_eq!(flags_of(find(&r, id)), vec![(FlagKind::Tie, None)]);
    }
    // Exactly 0.01 apart is not a tie: 199.9 → 80.01 vs 200 → 80.
    let r = evaluate(&weighted(
        vec![price("P", "100", linear_bounds("0", "1000"))],
        vec![bid("A", "200").submitted(0), bid("B", "199.9").submitted(9)],
    ));
    assert_eq!(ranking(&r), vec!["B", "A"]);
    assert!(find(&r, "A").flags.is_empty());
}

// ---------------------------------------------------------------- award methods

#[test]
fn price_per_quality_point_ranks_ascending_and_excludes_no_quality() {
    let input = input(
        AwardMethod::PricePerQualityPoint,
        vec![
            price("P", "20", ScoringMethod::LowestRatio),
            scale("Q", Category::Quality, "50"),
            scale("S", Category::SocialValue, "30"),
        ],
        vec![
            bid("A", "100000").moderated("Q", "4").moderated("S", "3"),
            bid("B", "80000").moderated("Q", "3").moderated("S", "3"),
            bid("C", "50000").moderated("Q", "0").moderated("S", "0"),
        ],
    );
    let r = evaluate(&input);
    // C is compliant, so Pmin = 50000. Totals: A 20 × 0.5 + 4/5 × 50 + 3/5 × 30 = 10 + 40 +
    // 18 = 68; B 20 × 0.625 + 30 + 18 = 60.5. Quality points leave the price category out:
    // A 58 → 100000 / 58 = 1724.137931; B 48 → 80000 / 48 = 1666.666667: B is cheaper per
    // point although A has the higher total. C: 0 quality points → excluded.
    let (a, b, c) = (find(&r, "A"), find(&r, "B"), find(&r, "C"));
    assert_eq!(a.price_per_quality_point, Some(d("1724.137931")));
    assert_eq!(b.price_per_quality_point, Some(d("1666.666667")));
    assert_eq!(a.total, d("68"));
    assert_eq!(b.total, d("60.5"));
    assert_eq!(ranking(&r), vec!["B", "A"]);
    assert_eq!(r.winner.as_deref(), Some("B"));
    assert_eq!(reasons(c), vec![(ExclusionReason::NoQualityPoints, None)]);
    assert_eq!(c.price_per_quality_point, None);
    assert_eq!(order(&r), vec!["B", "A", "C"]);
}

#[test]
fn lowest_price_after_gates_ranks_cheapest_eligible() {
    let mut q = scale("Q", Category::Quality, "100");
    q.minimum_percent = Some(d("40"));
    let input = input(
        AwardMethod::LowestPriceAfterGates,
        vec![gate("G"), q],
        vec![
            bid("A", "100").gate("G", true).moderated("Q", "3"),
            bid("B", "90").gate("G", false).moderated("Q", "3"),
            bid("C", "95").gate("G", true).moderated("Q", "1"),
            bid("D", "120").gate("G", true).moderated("Q", "2"),
            // 100.005 is within 0.01 of A's 100: tied; higher quality (4/5 > 3/5) goes first.
            bid("E", "100.005").gate("G", true).moderated("Q", "4"),
        ],
    );
    let r = evaluate(&input);
    assert_eq!(ranking(&r), vec!["E", "A", "D"]);
    assert_eq!(r.winner.as_deref(), Some("E"));
    // C: 1/5 = 20% < 40%.
    assert_eq!(
        reasons(find(&r, "C")),
        vec![(ExclusionReason::BelowCriterionMinimum, Some("Q"))]
    );
    assert_eq!(
        reasons(find(&r, "B")),
        vec![(ExclusionReason::FailedGate, Some("G"))]
    );
    assert_eq!(order(&r), vec!["E", "A", "D", "B", "C"]);
}

// ---------------------------------------------------------------- determinism & JSON

#[test]
fn same_input_same_bytes_in_any_bid_order() {
    let input = fixtures::sample_input(12, 9, 3, 7);
    let first = serde_json::to_string(&evaluate(&input)).unwrap();
    assert_eq!(first, serde_json::to_string(&evaluate(&input)).unwrap());
    let mut reversed = input.clone();
    reversed.bids.reverse();
    assert_eq!(first, serde_json::to_string(&evaluate(&reversed)).unwrap());
}

#[test]
fn serialises_decimals_as_strings_and_enums_snake_case() {
    let input = weighted(
        vec![scale("Q", Category::Quality, "100")],
        vec![bid("A", "10").evaluators("Q", &["3"])],
    );
    let json = serde_json::to_value(evaluate(&input)).unwrap();
    let a = &json["bids"][0];
    assert_eq!(a["total"], "60");
    assert_eq!(a["price"], "10");
    assert_eq!(a["criteria"][0]["source"], "evaluator_mean");
    assert_eq!(a["criteria"][0]["normalised"], "0.6");
    assert_eq!(a["flags"][0]["kind"], "unmoderated");
    assert_eq!(json["award_method"], "weighted_score");
    let back: EvaluationResult = serde_json::from_value(json).unwrap();
    assert_eq!(back, evaluate(&input));
}

#[test]
fn display_rounds_half_away_from_zero() {
    assert_eq!(display(d("0.0000005")), d("0.000001"));
    assert_eq!(display(d("0.0000025")), d("0.000003")); // banker's would give 0.000002
    assert_eq!(display(d("-0.0000025")), d("-0.000003"));
    assert_eq!(display(d("36.000000")).to_string(), "36");
}

// ---------------------------------------------------------------- what-if

fn what_if_input() -> crate::domain::tender::EvaluationInput {
    weighted(
        vec![
            price("P", "40", ScoringMethod::LowestRatio),
            scale("Q", Category::Quality, "60"),
            gate("G"),
        ],
        vec![
            bid("A", "100").moderated("Q", "5").gate("G", true),
            bid("B", "80").moderated("Q", "3").gate("G", true),
        ],
    )
}

fn w(pairs: &[(&str, &str)]) -> BTreeMap<String, rust_decimal::Decimal> {
    pairs.iter().map(|(k, v)| (k.to_string(), d(v))).collect()
}

#[test]
fn what_if_reweights_and_leaves_bids_out() {
    let input = what_if_input();
    let none = BTreeSet::new();
    // Declared 40/60: A 40 × 0.8 + 60 = 92; B 40 + 36 = 76.
    let declared = what_if(&input, &w(&[("P", "40"), ("Q", "60")]), &none).unwrap();
    assert_eq!(declared, evaluate(&input));
    assert_eq!(declared.winner.as_deref(), Some("A"));
    // 90/10: A 72 + 10 = 82; B 90 + 6 = 96.
    let r = what_if(&input, &w(&[("P", "90"), ("Q", "10"), ("G", "0")]), &none).unwrap();
    assert_eq!(r.winner.as_deref(), Some("B"));
    assert_eq!(find(&r, "A").total, d("82"));
    assert_eq!(find(&r, "B").total, d("96"));
    assert_eq!(crit(find(&r, "B"), "P").weight, d("90"));
    // Leaving B out: A is the only bid and its own reference: 40 + 60 = 100.
    let out: BTreeSet<String> = ["B".to_string()].into();
    let r = what_if(&input, &w(&[("P", "40"), ("Q", "60")]), &out).unwrap();
    assert_eq!(order(&r), vec!["A"]);
    assert_eq!(find(&r, "A").total, d("100"));
}

#[test]
fn what_if_errors() {
    let input = what_if_input();
    let none = BTreeSet::new();
    let run = |pairs: &[(&str, &str)]| what_if(&input, &w(pairs), &none).unwrap_err();
    assert_eq!(
        run(&[("P", "40"), ("Q", "60"), ("X", "0")]),
        WhatIfError::UnknownCriterion("X".into())
    );
    assert_eq!(run(&[("P", "100")]), WhatIfError::MissingWeight("Q".into()));
    assert_eq!(
        run(&[("P", "110"), ("Q", "-10")]),
        WhatIfError::NegativeWeight("Q".into())
    );
    assert_eq!(
        run(&[("P", "50"), ("Q", "40")]),
        WhatIfError::WeightsNotHundred(d("90"))
    );
    assert_eq!(
        run(&[("P", "40"), ("Q", "50"), ("G", "10")]),
        WhatIfError::GateWeighted("G".into())
    );
    let out: BTreeSet<String> = ["Z".to_string()].into();
    assert_eq!(
        what_if(&input, &w(&[("P", "40"), ("Q", "60")]), &out).unwrap_err(),
        WhatIfError::UnknownBid("Z".into())
    );
    assert_eq!(
        WhatIfError::WeightsNotHundred(d("90")).to_string(),
        "the weights sum to 90, not 100"
    );
}
