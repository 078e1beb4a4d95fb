//! The arithmetic of targets and conditionalities: glide paths (directionality), attainment,
//! profit sharing, reinvestment and access limits. Exact `Decimal` throughout; every operation
//! is checked, and a result that would overflow is `None` rather than a panic (validated inputs
//! are bounded by [`super::contract::MAX_MAGNITUDE`] and never get there).

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::money::round_pence;
use super::term::{Metric, MetricDirection};
use crate::domain::tender::AccessLimit;

/// Decimal places of an interpolated glide-path target.
pub const GLIDE_PATH_DP: u32 = 6;

/// The target that applies on `date` (a period's end date).
///
/// With a glide path (Mazzucato & Rodrik's directionality: a committed trajectory, not just an
/// end point) the target moves linearly **by days** from `baseline` on `contract_start` to
/// `target` on `target_date`:
/// `baseline + (target − baseline) × days(start→date) / days(start→target_date)`,
/// rounded to 6 dp half-up (one division, so the only rounding is that final one). Before the
/// start it is the baseline; on and after the target date it is the target. Without a glide path
/// (or without its baseline or target date) the target applies throughout. Should the arithmetic
/// overflow (impossible on validated input), the final target applies.
pub fn target_at(metric: &Metric, contract_start: NaiveDate, date: NaiveDate) -> Decimal {
    let (true, Some(baseline), Some(target_date)) =
        (metric.glide_path, metric.baseline, metric.target_date)
    else {
        return metric.target;
    };
    if date >= target_date {
        return metric.target;
    }
    if date <= contract_start {
        return baseline;
    }
    let elapsed = Decimal::from((date - contract_start).num_days());
    let span = Decimal::from((target_date - contract_start).num_days());
    metric
        .target
        .checked_sub(baseline)
        .and_then(|change| change.checked_mul(elapsed))
        .and_then(|scaled| scaled.checked_div(span))
        .and_then(|step| baseline.checked_add(step))
        .map(|value| {
            value.round_dp_with_strategy(GLIDE_PATH_DP, RoundingStrategy::MidpointAwayFromZero)
        })
        .unwrap_or(metric.target)
}

/// Whether `achieved` reaches `target` in the metric's direction; `Equal` within `tolerance`
/// (an absolute difference).
pub fn target_reached(
    direction: MetricDirection,
    target: Decimal,
    achieved: Decimal,
    tolerance: Decimal,
) -> bool {
    match direction {
        MetricDirection::AtLeast => achieved >= target,
        MetricDirection::AtMost => achieved <= target,
        MetricDirection::Equal => achieved
            .checked_sub(target)
            .is_some_and(|diff| diff.abs() <= tolerance.abs()),
    }
}

/// Attainment as an exact percent (unrounded; round for display only), or `None` where a ratio
/// means nothing and the term is assessed as reached / not reached instead:
///
/// * `AtLeast`: achieved ÷ target × 100, when target > 0. A target ≤ 0 has no meaningful ratio.
/// * `AtMost`: target ÷ achieved × 100, when target > 0 and achieved > 0. Achieved ≤ 0 under a
///   positive cap is simply reached (the ratio would be infinite or negative); a target ≤ 0
///   (e.g. net zero) has no meaningful ratio.
/// * `Equal`: 100 within tolerance; otherwise 100 − (|achieved − target| − tolerance) ÷ |target|
///   × 100, so missing by 10% of the target beyond the tolerance is 90%. A zero target has no
///   meaningful ratio.
///
/// With these definitions attainment ≥ 100 exactly when [`target_reached`].
pub fn attainment_percent(
    direction: MetricDirection,
    target: Decimal,
    achieved: Decimal,
    tolerance: Decimal,
) -> Option<Decimal> {
    let hundred = Decimal::ONE_HUNDRED;
    match direction {
        MetricDirection::AtLeast if target > Decimal::ZERO => {
            achieved.checked_mul(hundred)?.checked_div(target)
        }
        MetricDirection::AtMost if target > Decimal::ZERO && achieved > Decimal::ZERO => {
            target.checked_mul(hundred)?.checked_div(achieved)
        }
        MetricDirection::Equal => {
            if target_reached(direction, target, achieved, tolerance) {
                return Some(hundred);
            }
            if target.is_zero() {
                return None;
            }
            let excess = achieved
                .checked_sub(target)?
                .abs()
                .checked_sub(tolerance.abs())?;
            let shortfall = excess.checked_mul(hundred)?.checked_div(target.abs())?;
            hundred.checked_sub(shortfall)
        }
        _ => None,
    }
}

/// Profit share due, in pence (half-up, rounded once at the end):
/// `share% × max(0, profit − margin% × revenue)`. Nothing is due when profit does not exceed the
/// agreed margin on revenue — the conditionality shares only excess returns.
pub fn profit_share_due(
    share_percent: Decimal,
    above_margin_percent: Decimal,
    revenue: Decimal,
    profit: Decimal,
) -> Option<Decimal> {
    let allowed = above_margin_percent
        .checked_mul(revenue)?
        .checked_div(Decimal::ONE_HUNDRED)?;
    let excess = profit.checked_sub(allowed)?.max(Decimal::ZERO);
    let due = share_percent
        .checked_mul(excess)?
        .checked_div(Decimal::ONE_HUNDRED)?;
    Some(round_pence(due.max(Decimal::ZERO)))
}

/// Exact required reinvestment: `percent × profit`, nothing when profit ≤ 0 (a loss creates no
/// obligation; it is not carried forward).
fn reinvestment_required_exact(percent_of_profit: Decimal, profit: Decimal) -> Option<Decimal> {
    if profit <= Decimal::ZERO {
        return Some(Decimal::ZERO);
    }
    Some(
        percent_of_profit
            .checked_mul(profit)?
            .checked_div(Decimal::ONE_HUNDRED)?
            .max(Decimal::ZERO),
    )
}

/// Required reinvestment in pence (half-up).
pub fn reinvestment_required(percent_of_profit: Decimal, profit: Decimal) -> Option<Decimal> {
    reinvestment_required_exact(percent_of_profit, profit).map(round_pence)
}

/// Reinvestment shortfall in pence: `max(0, required − reinvested)`, computed on the exact
/// requirement and rounded once at the end (half-up). A shortfall under half a penny rounds to
/// nothing and so is no shortfall.
pub fn reinvestment_shortfall(
    percent_of_profit: Decimal,
    profit: Decimal,
    reinvested: Decimal,
) -> Option<Decimal> {
    let required = reinvestment_required_exact(percent_of_profit, profit)?;
    let shortfall = required.checked_sub(reinvested)?.max(Decimal::ZERO);
    Some(round_pence(shortfall))
}

/// Whether an access measure respects its limit: a cap is met at or below the value, a floor at
/// or above it (both inclusive — "no more than £95 a week" allows £95).
pub fn access_met(limit: AccessLimit, limit_value: Decimal, measure: Decimal) -> bool {
    match limit {
        AccessLimit::Cap => measure <= limit_value,
        AccessLimit::Floor => measure >= limit_value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::term::tests::metric;
    use crate::domain::compliance::test_support::{d, dec};

    fn glide() -> Metric {
        let mut m = metric(MetricDirection::AtMost, "50");
        m.baseline = Some(dec("100"));
        m.target_date = Some(d(2026, 12, 31));
        m.glide_path = true;
        m
    }

    #[test]
    fn glide_path_interpolates_by_days() {
        let m = glide();
        let start = d(2026, 1, 1);
        // Span 2026-01-01 → 2026-12-31 = 364 days.
        // 2026-01-31: 30 days: 100 + (50 − 100) × 30 / 364 = 100 − 1500/364 = 95.879120879… → 95.879121.
        assert_eq!(target_at(&m, start, d(2026, 1, 31)), dec("95.879121"));
        // 2026-07-02: 182 days, exactly half: 100 − 25 = 75.
        assert_eq!(target_at(&m, start, d(2026, 7, 2)), dec("75"));
        // 2026-03-31: 89 days: 100 − 4450/364 = 100 − 12.225274725… = 87.774725274… → 87.774725.
        assert_eq!(target_at(&m, start, d(2026, 3, 31)), dec("87.774725"));
        // At and after the target date: the target; at the start: the baseline.
        assert_eq!(target_at(&m, start, d(2026, 12, 31)), dec("50"));
        assert_eq!(target_at(&m, start, d(2027, 6, 30)), dec("50"));
        assert_eq!(target_at(&m, start, start), dec("100"));
    }

    #[test]
    fn glide_path_rounds_half_up_at_six_places() {
        // Baseline 0, target 0.000001 over 2 days: day 1 gives 0.0000005 exactly, which is a
        // midpoint: half-up → 0.000001 (banker's would give 0.000000).
        let mut m = glide();
        m.baseline = Some(dec("0"));
        m.target = dec("0.000001");
        m.target_date = Some(d(2026, 1, 3));
        assert_eq!(target_at(&m, d(2026, 1, 1), d(2026, 1, 2)), dec("0.000001"));
    }

    #[test]
    fn no_glide_path_means_the_target_throughout() {
        let mut m = glide();
        m.glide_path = false;
        assert_eq!(target_at(&m, d(2026, 1, 1), d(2026, 1, 31)), dec("50"));
        let mut m = glide();
        m.baseline = None;
        assert_eq!(target_at(&m, d(2026, 1, 1), d(2026, 1, 31)), dec("50"));
    }

    #[test]
    fn attainment_by_direction() {
        use MetricDirection::*;
        let zero = Decimal::ZERO;
        // 45 of 50 = 90%.
        assert_eq!(
            attainment_percent(AtLeast, dec("50"), dec("45"), zero),
            Some(dec("90"))
        );
        // Cap 50, achieved 40: 50/40 = 125%.
        assert_eq!(
            attainment_percent(AtMost, dec("50"), dec("40"), zero),
            Some(dec("125"))
        );
        // Cap 50, achieved 62.5: 50/62.5 = 80%.
        assert_eq!(
            attainment_percent(AtMost, dec("50"), dec("62.5"), zero),
            Some(dec("80"))
        );
        // Zero guards.
        assert_eq!(attainment_percent(AtLeast, zero, dec("3"), zero), None);
        assert_eq!(attainment_percent(AtMost, dec("50"), zero, zero), None);
        assert_eq!(attainment_percent(AtMost, zero, dec("1"), zero), None);
        // Equal 200 ± 5: 215 is 10 beyond tolerance = 5% of 200 → 95%; 204 is within → 100%.
        assert_eq!(
            attainment_percent(Equal, dec("200"), dec("215"), dec("5")),
            Some(dec("95"))
        );
        assert_eq!(
            attainment_percent(Equal, dec("200"), dec("204"), dec("5")),
            Some(dec("100"))
        );
        assert_eq!(attainment_percent(Equal, zero, dec("1"), zero), None);
    }

    #[test]
    fn reached_by_direction() {
        use MetricDirection::*;
        let zero = Decimal::ZERO;
        assert!(target_reached(AtLeast, dec("50"), dec("50"), zero));
        assert!(!target_reached(AtLeast, dec("50"), dec("49.99"), zero));
        assert!(target_reached(AtMost, dec("50"), dec("50"), zero));
        assert!(!target_reached(AtMost, dec("50"), dec("50.01"), zero));
        assert!(target_reached(Equal, dec("200"), dec("195"), dec("5")));
        assert!(!target_reached(Equal, dec("200"), dec("194.99"), dec("5")));
        assert!(!target_reached(Equal, dec("200"), dec("200.01"), zero));
    }

    #[test]
    fn profit_share_below_and_above_margin() {
        // 50% of profit above a 10% margin. Revenue 1,000,000 → allowed profit 100,000.
        let s = dec("50");
        let m = dec("10");
        // Profit 80,000 is below the margin: nothing due.
        assert_eq!(
            profit_share_due(s, m, dec("1000000"), dec("80000")),
            Some(dec("0"))
        );
        // Exactly at the margin: nothing due.
        assert_eq!(
            profit_share_due(s, m, dec("1000000"), dec("100000")),
            Some(dec("0"))
        );
        // Profit 150,000: 50% × (150,000 − 100,000) = 25,000.
        assert_eq!(
            profit_share_due(s, m, dec("1000000"), dec("150000")),
            Some(dec("25000"))
        );
        // A loss: nothing due.
        assert_eq!(
            profit_share_due(s, m, dec("1000000"), dec("-5000")),
            Some(dec("0"))
        );
        // Rounding once at the end: 33.33% × (1000.01 − 0) = 333.303333 → 333.30.
        assert_eq!(
            profit_share_due(dec("33.33"), dec("0"), dec("0"), dec("1000.01")),
            Some(dec("333.30"))
        );
    }

    #[test]
    fn reinvestment_required_and_shortfall() {
        // 20% of profit 50,000 = 10,000 required.
        assert_eq!(
            reinvestment_required(dec("20"), dec("50000")),
            Some(dec("10000"))
        );
        // Reinvested 7,500: shortfall 2,500.
        assert_eq!(
            reinvestment_shortfall(dec("20"), dec("50000"), dec("7500")),
            Some(dec("2500"))
        );
        // Reinvested more than required: no shortfall.
        assert_eq!(
            reinvestment_shortfall(dec("20"), dec("50000"), dec("12000")),
            Some(dec("0"))
        );
        // Negative or zero profit: nothing required, no shortfall.
        assert_eq!(
            reinvestment_required(dec("20"), dec("-10000")),
            Some(dec("0"))
        );
        assert_eq!(
            reinvestment_shortfall(dec("20"), dec("-10000"), dec("0")),
            Some(dec("0"))
        );
        assert_eq!(
            reinvestment_shortfall(dec("20"), dec("0"), dec("0")),
            Some(dec("0"))
        );
        // 12.5% of 1.00 = 0.125 exactly, a midpoint: half-up → 0.13 (banker's gives 0.12).
        assert_eq!(
            reinvestment_shortfall(dec("12.5"), dec("1"), dec("0")),
            Some(dec("0.13"))
        );
    }

    #[test]
    fn access_cap_and_floor_are_inclusive() {
        // Cap: resident price ≤ £95/week.
        assert!(access_met(AccessLimit::Cap, dec("95"), dec("95")));
        assert!(access_met(AccessLimit::Cap, dec("95"), dec("80")));
        assert!(!access_met(AccessLimit::Cap, dec("95"), dec("95.01")));
        // Floor: ≥ 30% of places for low-income residents.
        assert!(access_met(AccessLimit::Floor, dec("30"), dec("30")));
        assert!(!access_met(AccessLimit::Floor, dec("30"), dec("29.9")));
        assert!(access_met(AccessLimit::Floor, dec("30"), dec("45")));
    }
}
