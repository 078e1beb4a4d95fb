//! Money: pence rounding, the fee of a period and the money lines of an assessment.
//!
//! **Rounding.** Money is rounded half-up to pence (`MidpointAwayFromZero`: £0.125 → £0.13,
//! where banker's rounding would give £0.12) once, at the end of each amount's computation —
//! never per step — so a credit of 5% of a pro-rated fee is one exact product rounded once.
//!
//! **Fee spreading.** Unless a term states `fee_per_period`, a period's fee is the contract value
//! spread evenly over the contract's months: `value × months(period) ÷ months(contract)`. A run
//! of days from a date to the day before the same date `n` months later is exactly `n` months
//! (month ends clamp as in the monitoring periods, see [`super::periods`]); only the days of a
//! part month count by days, over that month's length. A period is measured on its own
//! schedule's months (a calendar-month term's October is one month, whatever day the contract
//! started), the contract on months counted from its start. So a whole monthly period costs one
//! monthly fee, a quarter three, a cut first or last period its fraction; and where a schedule
//! starts with the contract, the fees of the periods that tile it add up to its value (to the
//! penny after rounding). Months are kept as fractions and divided once, so e.g. £77,000 over
//! 2 + 15/31 months is exactly £31,000 a whole month.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::contract::ContractSpec;
use super::periods::Period;

/// Rounds half-up (away from zero) to whole pence.
pub fn round_pence(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `£1234.50` — pence always shown.
pub(crate) fn format_money(amount: Decimal) -> String {
    let mut pence = round_pence(amount);
    pence.rescale(2);
    format!("£{pence}")
}

text_enum! {
    /// What a money line is.
    pub enum MoneyKind {
        /// Deducted from the period's payment for a breached KPI.
        ServiceCredit => "service_credit",
        /// Payment held back until the breach is remedied.
        WithheldPayment => "withheld_payment",
        /// Recovered from the supplier.
        Clawback => "clawback",
        /// Profit share due to the authority under a profit-sharing conditionality, unpaid.
        ProfitShareDue => "profit_share_due",
        /// Reinvestment the supplier committed to and did not make.
        ReinvestmentShortfall => "reinvestment_shortfall",
    }
}

/// One money consequence of an assessed period. Amounts are in pounds, whole pence, never
/// negative; lines of one assessment never count the same pound twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyDue {
    pub kind: MoneyKind,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub explanation: String,
}

impl MoneyDue {
    /// A line rounded to pence and held at exactly 2 dp (`"500.00"` in JSON); `None` when it
    /// rounds to nothing (or below), so an assessment lists only money that actually moves.
    pub(crate) fn new(kind: MoneyKind, amount: Decimal, explanation: String) -> Option<MoneyDue> {
        let mut amount = round_pence(amount);
        amount.rescale(2);
        (amount > Decimal::ZERO).then_some(MoneyDue {
            kind,
            amount,
            explanation,
        })
    }
}

/// An exact fraction, so a chain of multiplications and divisions rounds only once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ratio {
    pub num: Decimal,
    pub den: Decimal,
}

impl Ratio {
    pub fn whole(value: Decimal) -> Ratio {
        Ratio {
            num: value,
            den: Decimal::ONE,
        }
    }

    pub fn times(self, factor: Decimal) -> Option<Ratio> {
        Some(Ratio {
            num: self.num.checked_mul(factor)?,
            den: self.den,
        })
    }

    pub fn over(self, divisor: Decimal) -> Option<Ratio> {
        Some(Ratio {
            num: self.num,
            den: self.den.checked_mul(divisor)?,
        })
    }

    pub fn times_ratio(self, other: Ratio) -> Option<Ratio> {
        Some(Ratio {
            num: self.num.checked_mul(other.num)?,
            den: self.den.checked_mul(other.den)?,
        })
    }

    pub fn over_ratio(self, other: Ratio) -> Option<Ratio> {
        Some(Ratio {
            num: self.num.checked_mul(other.den)?,
            den: self.den.checked_mul(other.num)?,
        })
    }

    /// The one division; `None` for a zero denominator.
    pub fn value(self) -> Option<Decimal> {
        self.num.checked_div(self.den)
    }
}

/// Position of `date` on the month scale anchored at `anchor`: `k + days_into_month_k / days_of_month_k`,
/// where month `k` starts at `anchor + k months` (clamped). `None` before the anchor or past the
/// calendar's end.
fn month_position(anchor: NaiveDate, date: NaiveDate) -> Option<Ratio> {
    if date < anchor {
        return None;
    }
    let month_index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    // Calendar-month difference is the right index or one too many (when date's day is before
    // the anchor's day); the loop settles it either way.
    let mut k = u32::try_from(month_index(date) - month_index(anchor)).ok()?;
    loop {
        let month_start = anchor.checked_add_months(Months::new(k))?;
        if month_start > date {
            k = k.checked_sub(1)?;
            continue;
        }
        let next_start = anchor.checked_add_months(Months::new(k.checked_add(1)?))?;
        if next_start <= date {
            k = k.checked_add(1)?;
            continue;
        }
        let into = Decimal::from((date - month_start).num_days());
        let length = Decimal::from((next_start - month_start).num_days());
        let whole = Decimal::from(k).checked_mul(length)?;
        return Some(Ratio {
            num: whole.checked_add(into)?,
            den: length,
        });
    }
}

/// Months from `from` to `to` inclusive, on the month scale anchored at `anchor`, as an exact
/// fraction.
fn months_between(anchor: NaiveDate, from: NaiveDate, to: NaiveDate) -> Option<Ratio> {
    if to < from {
        return Some(Ratio::whole(Decimal::ZERO));
    }
    let start = month_position(anchor, from)?;
    let end = month_position(anchor, to.succ_opt()?)?;
    // end − start = (e.num·s.den − s.num·e.den) / (e.den·s.den)
    Some(Ratio {
        num: end
            .num
            .checked_mul(start.den)?
            .checked_sub(start.num.checked_mul(end.den)?)?,
        den: end.den.checked_mul(start.den)?,
    })
}

/// The contract's length in months (part months pro rata by days).
pub fn contract_months(contract: &ContractSpec) -> Option<Decimal> {
    months_between(contract.start, contract.start, contract.end)?.value()
}

/// The months of `period` that fall inside the contract, on the month scale of the period's
/// schedule (anchored at `anchor`, the schedule's first period start; part months pro rata by
/// days).
pub fn period_months(
    contract: &ContractSpec,
    period: &Period,
    anchor: NaiveDate,
) -> Option<Decimal> {
    let (from, to) = clip(contract, period);
    months_between(anchor.min(from), from, to)?.value()
}

fn clip(contract: &ContractSpec, period: &Period) -> (NaiveDate, NaiveDate) {
    (
        period.start.max(contract.start),
        period.end.min(contract.end),
    )
}

/// The period fee as an exact fraction: the term's `fee_per_period` as stated (never pro-rated:
/// the contract sets it per period), else the contract value spread over its months.
pub(crate) fn period_fee_ratio(
    contract: &ContractSpec,
    period: &Period,
    anchor: NaiveDate,
    fee_per_period: Option<Decimal>,
) -> Option<Ratio> {
    if let Some(fee) = fee_per_period {
        return Some(Ratio::whole(fee));
    }
    let (from, to) = clip(contract, period);
    let in_period = months_between(anchor.min(from), from, to)?;
    let total = months_between(contract.start, contract.start, contract.end)?;
    if total.num.is_zero() {
        return None;
    }
    Ratio::whole(contract.value)
        .times_ratio(in_period)?
        .over_ratio(total)
}

/// The fee of `period` (of a schedule anchored at `anchor`) in pence (half-up); `None` when it
/// cannot be worked out (a contract that ends before it starts).
pub fn period_fee(
    contract: &ContractSpec,
    period: &Period,
    anchor: NaiveDate,
    fee_per_period: Option<Decimal>,
) -> Option<Decimal> {
    period_fee_ratio(contract, period, anchor, fee_per_period)?
        .value()
        .map(round_pence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::contract::ContractStatus;
    use crate::domain::compliance::periods::{Cadence, Schedule, due_periods};
    use crate::domain::compliance::test_support::{d, dec};
    use proptest::prelude::*;

    fn contract(value: &str, start: NaiveDate, end: NaiveDate) -> ContractSpec {
        ContractSpec {
            value: dec(value),
            start,
            end,
            status: ContractStatus::Active,
        }
    }

    #[test]
    fn half_up_not_bankers() {
        assert_eq!(round_pence(dec("0.125")), dec("0.13"));
        assert_eq!(dec("0.125").round_dp(2), dec("0.12")); // what banker's would give
        assert_eq!(round_pence(dec("0.135")), dec("0.14"));
        assert_eq!(round_pence(dec("2.5049")), dec("2.50"));
        assert_eq!(format_money(dec("5")), "£5.00");
        assert_eq!(format_money(dec("1234.565")), "£1234.57");
    }

    #[test]
    fn whole_year_is_twelve_months() {
        let c = contract("120000", d(2026, 1, 1), d(2026, 12, 31));
        assert_eq!(contract_months(&c), Some(dec("12")));
        let jan = Period {
            start: d(2026, 1, 1),
            end: d(2026, 1, 31),
        };
        let feb = Period {
            start: d(2026, 2, 1),
            end: d(2026, 2, 28),
        };
        // 120,000 / 12 = 10,000 for every whole month, whatever its length.
        assert_eq!(period_fee(&c, &jan, c.start, None), Some(dec("10000")));
        assert_eq!(period_fee(&c, &feb, c.start, None), Some(dec("10000")));
        let q2 = Period {
            start: d(2026, 4, 1),
            end: d(2026, 6, 30),
        };
        assert_eq!(period_months(&c, &q2, c.start), Some(dec("3")));
        assert_eq!(period_fee(&c, &q2, c.start, None), Some(dec("30000")));
        // A stated fee per period wins and is not pro-rated.
        assert_eq!(
            period_fee(&c, &q2, c.start, Some(dec("12345.67"))),
            Some(dec("12345.67"))
        );
    }

    #[test]
    fn part_month_pro_rata_by_days() {
        // 2026-01-01..2026-03-15: Jan and Feb whole, then 15 of March's 31 days:
        // 2 + 15/31 = 77/31 months. Value 77,000 → 31,000 a whole month;
        // Mar 1–15 = 15/31 month → 15,000.
        let c = contract("77000", d(2026, 1, 1), d(2026, 3, 15));
        let months = contract_months(&c).unwrap();
        assert_eq!(round_pence(months), dec("2.48")); // 2.4838…
        let jan = Period {
            start: d(2026, 1, 1),
            end: d(2026, 1, 31),
        };
        let march = Period {
            start: d(2026, 3, 1),
            end: d(2026, 3, 15),
        };
        assert_eq!(period_fee(&c, &jan, c.start, None), Some(dec("31000")));
        assert_eq!(period_fee(&c, &march, c.start, None), Some(dec("15000")));
    }

    #[test]
    fn months_follow_the_clamped_anchor() {
        // Anchor Jan 31 (2026): contract months are Jan 31–Feb 27 (28 days), Feb 28–Mar 30
        // (31 days), … A contract to Mar 30 is exactly 2 months; the monthly period
        // Feb 28–Mar 30 is exactly one.
        let c = contract("2000", d(2026, 1, 31), d(2026, 3, 30));
        assert_eq!(contract_months(&c), Some(dec("2")));
        let second = Period {
            start: d(2026, 2, 28),
            end: d(2026, 3, 30),
        };
        assert_eq!(period_months(&c, &second, c.start), Some(dec("1")));
        assert_eq!(period_fee(&c, &second, c.start, None), Some(dec("1000")));
        // 14 days of the first (28-day) month = 0.5 month.
        let half = Period {
            start: d(2026, 1, 31),
            end: d(2026, 2, 13),
        };
        assert_eq!(period_months(&c, &half, c.start), Some(dec("0.5")));
    }

    #[test]
    fn a_calendar_month_is_one_month_whatever_day_the_contract_started() {
        // £1.8m from 15 January to 14 January a year later: 12 months, £150,000 a month. A
        // calendar-month term's October is one month: £150,000, not October's days on months
        // counted from the 15th (£152,258.06).
        let c = contract("1800000", d(2026, 1, 15), d(2027, 1, 14));
        assert_eq!(contract_months(&c), Some(dec("12")));
        let calendar = d(2026, 1, 1);
        let october = Period {
            start: d(2026, 10, 1),
            end: d(2026, 10, 31),
        };
        assert_eq!(
            period_fee(&c, &october, calendar, None),
            Some(dec("150000.00"))
        );
        // The cut first and last calendar months count their days over the month's length:
        // 17/31 and 14/31 of a month, so the twelve periods still add up to the value.
        let january = Period {
            start: d(2026, 1, 1),
            end: d(2026, 1, 31),
        };
        assert_eq!(
            period_months(&c, &january, calendar),
            Some(dec("17") / dec("31"))
        );
        let schedule = Schedule {
            cadence: Cadence::Monthly,
            first_period_start: calendar,
        };
        let total: Decimal = due_periods(&schedule, c.end)
            .iter()
            .map(|p| period_fee(&c, p, calendar, None).unwrap())
            .sum();
        assert!((total - dec("1800000")).abs() <= dec("0.01"), "{total}");
    }

    #[test]
    fn period_outside_the_contract_is_clipped() {
        let c = contract("120000", d(2026, 1, 1), d(2026, 12, 31));
        let straddling = Period {
            start: d(2026, 12, 1),
            end: d(2027, 2, 28),
        };
        assert_eq!(
            period_fee(&c, &straddling, c.start, None),
            Some(dec("10000"))
        );
    }

    #[test]
    fn backwards_contract_has_no_fee() {
        let c = contract("1000", d(2026, 2, 1), d(2026, 1, 1));
        let p = Period {
            start: d(2026, 1, 1),
            end: d(2026, 1, 31),
        };
        assert_eq!(period_fee(&c, &p, c.start, None), None);
    }

    #[test]
    fn money_lines_skip_nothing_and_round() {
        assert_eq!(
            MoneyDue::new(MoneyKind::Clawback, dec("0.004"), String::new()),
            None
        );
        assert_eq!(
            MoneyDue::new(MoneyKind::Clawback, dec("0.005"), String::new()).map(|m| m.amount),
            Some(dec("0.01"))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        /// Fees of the periods that tile a contract add up to its value, within half a penny per
        /// period of rounding.
        #[test]
        fn fees_add_up_to_the_value(
            start_offset in 0u64..10_000,
            length in 0u64..2_000,
            pence in 0i64..1_000_000_000,
            cadence_index in 0usize..4,
        ) {
            let start = d(2000, 1, 1).checked_add_days(chrono::Days::new(start_offset)).unwrap();
            let end = start.checked_add_days(chrono::Days::new(length)).unwrap();
            let c = ContractSpec {
                value: Decimal::new(pence, 2),
                start,
                end,
                status: ContractStatus::Active,
            };
            let schedule = Schedule { cadence: Cadence::ALL[cadence_index], first_period_start: start };
            let periods = due_periods(&schedule, end);
            let mut total = Decimal::ZERO;
            for p in &periods {
                let fee = period_fee(&c, p, start, None).unwrap();
                prop_assert!(fee >= Decimal::ZERO);
                total += fee;
            }
            let tolerance = Decimal::new(5, 3) * Decimal::from(periods.len());
            prop_assert!((total - c.value).abs() <= tolerance, "total {} value {}", total, c.value);
        }
    }
}
