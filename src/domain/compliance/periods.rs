//! Monitoring periods: when returns fall due.
//!
//! **Month-end clamping rule.** Period `k` of a monthly (quarterly, annual) schedule starts at
//! `first_period_start + k·1 (3, 12) months`, always counted from the *first* start and clamped
//! to the last day of a shorter month (chrono's `checked_add_months`); a period ends the day
//! before the next one starts. So a schedule starting 31 January runs Jan 31–Feb 27 (Feb 28 in
//! a leap year), Feb 28 (29)–Mar 30, Mar 31–Apr 29, Apr 30–May 30, … and returns to the 31st
//! whenever the month has one, instead of drifting to the 28th for good. An annual schedule
//! starting 29 February starts later periods on 28 February, and on 29 February again in leap
//! years. The last period is cut at the contract end.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

text_enum! {
    /// How often a term's return falls due.
    pub enum Cadence {
        Monthly => "monthly",
        Quarterly => "quarterly",
        Annually => "annually",
        /// A single return covering the first period start to the contract end (milestones).
        Once => "once",
    }
}

impl Cadence {
    /// Calendar months per period; `None` for [`Cadence::Once`].
    pub fn months(self) -> Option<u32> {
        match self {
            Self::Monthly => Some(1),
            Self::Quarterly => Some(3),
            Self::Annually => Some(12),
            Self::Once => None,
        }
    }
}

/// When a term's returns fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub cadence: Cadence,
    /// First day of the first period; normally the contract start.
    pub first_period_start: NaiveDate,
}

/// A monitoring period, both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Days in the period, both ends counted.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Human label. A period that is exactly a calendar month, quarter or year under the matching
    /// cadence gets the calendar label — `2026-03`, `2026-Q2` (Q1 = January–March), `2026` —
    /// and `once` for a one-off period. Anything else (a schedule not starting on the 1st of a
    /// month, a financial year starting in April, a last period cut at the contract end) is
    /// labelled by its dates, `2026-01-31..2026-02-27`: numbering quarters from the first period
    /// would give a second meaning to "Q2", which readers take as the calendar quarter.
    pub fn label(&self, cadence: Cadence) -> String {
        let Some(months) = cadence.months() else {
            return "once".to_string();
        };
        let start_month_ok = match cadence {
            Cadence::Quarterly => self.start.month() % 3 == 1,
            Cadence::Annually => self.start.month() == 1,
            _ => true,
        };
        let calendar_end = self
            .start
            .checked_add_months(Months::new(months))
            .and_then(|next| next.pred_opt());
        if self.start.day() == 1 && start_month_ok && calendar_end == Some(self.end) {
            let year = self.start.year();
            match cadence {
                Cadence::Monthly => return format!("{year:04}-{:02}", self.start.month()),
                Cadence::Quarterly => {
                    return format!("{year:04}-Q{}", (self.start.month() - 1) / 3 + 1);
                }
                Cadence::Annually => return format!("{year:04}"),
                Cadence::Once => {}
            }
        }
        format!("{}..{}", self.start, self.end)
    }
}

/// Every period of `schedule` up to `contract_end`, the last one cut at the contract end (see the
/// module docs for the month-end clamping rule). Empty when the schedule starts after the
/// contract ends. `once` is one period, first start to contract end.
pub fn due_periods(schedule: &Schedule, contract_end: NaiveDate) -> Vec<Period> {
    let first = schedule.first_period_start;
    if first > contract_end {
        return Vec::new();
    }
    let Some(step) = schedule.cadence.months() else {
        return vec![Period {
            start: first,
            end: contract_end,
        }];
    };
    let mut periods = Vec::new();
    let mut start = first;
    let mut offset: u32 = 0;
    loop {
        // Counted from the first start, never from the previous period, so clamping to a short
        // month does not carry forward (Jan 31 → Feb 28 → Mar 31, not Mar 28).
        let next_offset = offset.checked_add(step);
        let next_start =
            next_offset.and_then(|months| first.checked_add_months(Months::new(months)));
        match (next_offset, next_start) {
            (Some(next_offset), Some(next_start)) if next_start <= contract_end => {
                // next_start > start always (at least 28 days later), so pred_opt succeeds.
                let end = next_start.pred_opt().unwrap_or(start);
                periods.push(Period { start, end });
                start = next_start;
                offset = next_offset;
            }
            _ => {
                periods.push(Period {
                    start,
                    end: contract_end,
                });
                return periods;
            }
        }
    }
}

/// The periods of `schedule` that have ended on or before `as_of`.
pub fn periods_due_by(
    schedule: &Schedule,
    contract_end: NaiveDate,
    as_of: NaiveDate,
) -> Vec<Period> {
    due_periods(schedule, contract_end)
        .into_iter()
        .filter(|period| period.end <= as_of)
        .collect()
}

/// `date + days`, or `None` past the end of the calendar.
pub(crate) fn add_days(date: NaiveDate, days: u64) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::test_support::d;
    use proptest::prelude::*;

    fn p(start: NaiveDate, end: NaiveDate) -> Period {
        Period { start, end }
    }

    fn monthly(start: NaiveDate) -> Schedule {
        Schedule {
            cadence: Cadence::Monthly,
            first_period_start: start,
        }
    }

    #[test]
    fn calendar_months_end_on_month_ends() {
        let periods = due_periods(&monthly(d(2026, 1, 1)), d(2026, 4, 30));
        assert_eq!(
            periods,
            vec![
                p(d(2026, 1, 1), d(2026, 1, 31)),
                p(d(2026, 2, 1), d(2026, 2, 28)),
                p(d(2026, 3, 1), d(2026, 3, 31)),
                p(d(2026, 4, 1), d(2026, 4, 30)),
            ]
        );
        let labels: Vec<String> = periods.iter().map(|x| x.label(Cadence::Monthly)).collect();
        assert_eq!(labels, vec!["2026-01", "2026-02", "2026-03", "2026-04"]);
    }

    #[test]
    fn january_31_start_in_a_non_leap_year() {
        let periods = due_periods(&monthly(d(2026, 1, 31)), d(2026, 6, 30));
        assert_eq!(
            periods,
            vec![
                p(d(2026, 1, 31), d(2026, 2, 27)),
                p(d(2026, 2, 28), d(2026, 3, 30)),
                p(d(2026, 3, 31), d(2026, 4, 29)),
                p(d(2026, 4, 30), d(2026, 5, 30)),
                p(d(2026, 5, 31), d(2026, 6, 29)),
                // Cut at the contract end: Jun 30 + 1 month would start the next period.
                p(d(2026, 6, 30), d(2026, 6, 30)),
            ]
        );
        assert_eq!(periods[0].label(Cadence::Monthly), "2026-01-31..2026-02-27");
    }

    #[test]
    fn january_31_start_in_a_leap_year() {
        let periods = due_periods(&monthly(d(2028, 1, 31)), d(2028, 3, 31));
        assert_eq!(
            periods,
            vec![
                p(d(2028, 1, 31), d(2028, 2, 28)),
                p(d(2028, 2, 29), d(2028, 3, 30)),
                p(d(2028, 3, 31), d(2028, 3, 31)),
            ]
        );
    }

    #[test]
    fn february_periods_in_leap_and_non_leap_years() {
        let leap = due_periods(&monthly(d(2028, 2, 1)), d(2028, 2, 29));
        assert_eq!(leap, vec![p(d(2028, 2, 1), d(2028, 2, 29))]);
        assert_eq!(leap[0].days(), 29);
        assert_eq!(leap[0].label(Cadence::Monthly), "2028-02");
        let plain = due_periods(&monthly(d(2027, 2, 1)), d(2027, 3, 31));
        assert_eq!(
            plain,
            vec![
                p(d(2027, 2, 1), d(2027, 2, 28)),
                p(d(2027, 3, 1), d(2027, 3, 31))
            ]
        );
        assert_eq!(plain[0].days(), 28);
    }

    #[test]
    fn quarters_and_their_labels() {
        let schedule = Schedule {
            cadence: Cadence::Quarterly,
            first_period_start: d(2026, 1, 1),
        };
        let periods = due_periods(&schedule, d(2026, 8, 15));
        assert_eq!(
            periods,
            vec![
                p(d(2026, 1, 1), d(2026, 3, 31)),
                p(d(2026, 4, 1), d(2026, 6, 30)),
                p(d(2026, 7, 1), d(2026, 8, 15)),
            ]
        );
        let labels: Vec<String> = periods
            .iter()
            .map(|x| x.label(Cadence::Quarterly))
            .collect();
        assert_eq!(labels, vec!["2026-Q1", "2026-Q2", "2026-07-01..2026-08-15"]);

        // A financial-year quarter (Feb–Apr) is not a calendar quarter: labelled by dates.
        let offset = Schedule {
            cadence: Cadence::Quarterly,
            first_period_start: d(2026, 2, 1),
        };
        let first = due_periods(&offset, d(2027, 1, 31))[0];
        assert_eq!(first, p(d(2026, 2, 1), d(2026, 4, 30)));
        assert_eq!(first.label(Cadence::Quarterly), "2026-02-01..2026-04-30");
    }

    #[test]
    fn annual_from_february_29() {
        let schedule = Schedule {
            cadence: Cadence::Annually,
            first_period_start: d(2024, 2, 29),
        };
        let periods = due_periods(&schedule, d(2028, 12, 31));
        assert_eq!(
            periods,
            vec![
                p(d(2024, 2, 29), d(2025, 2, 27)),
                p(d(2025, 2, 28), d(2026, 2, 27)),
                p(d(2026, 2, 28), d(2027, 2, 27)),
                p(d(2027, 2, 28), d(2028, 2, 28)),
                p(d(2028, 2, 29), d(2028, 12, 31)),
            ]
        );
        assert_eq!(periods[0].days(), 365); // 2024-02-29..2025-02-27: 366 − 1.
    }

    #[test]
    fn calendar_years_are_labelled_by_year() {
        let schedule = Schedule {
            cadence: Cadence::Annually,
            first_period_start: d(2026, 1, 1),
        };
        let periods = due_periods(&schedule, d(2027, 12, 31));
        let labels: Vec<String> = periods.iter().map(|x| x.label(Cadence::Annually)).collect();
        assert_eq!(labels, vec!["2026", "2027"]);
    }

    #[test]
    fn once_covers_start_to_contract_end() {
        let schedule = Schedule {
            cadence: Cadence::Once,
            first_period_start: d(2026, 3, 5),
        };
        let periods = due_periods(&schedule, d(2027, 3, 4));
        assert_eq!(periods, vec![p(d(2026, 3, 5), d(2027, 3, 4))]);
        assert_eq!(periods[0].label(Cadence::Once), "once");
    }

    #[test]
    fn schedule_starting_after_contract_end_has_no_periods() {
        assert!(due_periods(&monthly(d(2026, 5, 1)), d(2026, 4, 30)).is_empty());
    }

    #[test]
    fn single_day_contract_has_one_period() {
        assert_eq!(
            due_periods(&monthly(d(2026, 5, 1)), d(2026, 5, 1)),
            vec![p(d(2026, 5, 1), d(2026, 5, 1))]
        );
    }

    #[test]
    fn due_by_keeps_periods_that_have_ended() {
        let schedule = monthly(d(2026, 1, 1));
        let due = periods_due_by(&schedule, d(2026, 12, 31), d(2026, 3, 31));
        assert_eq!(due.len(), 3); // Jan, Feb and Mar (ends on as_of itself).
        assert_eq!(due[2], p(d(2026, 3, 1), d(2026, 3, 31)));
        let due = periods_due_by(&schedule, d(2026, 12, 31), d(2026, 3, 30));
        assert_eq!(due.len(), 2);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Periods tile the contract: first starts at the schedule start, last ends at the
        /// contract end, each starts the day after the previous ends, none is empty.
        #[test]
        fn periods_tile_the_contract(
            start_offset in 0u64..15_000,
            length in 0u64..4_000,
            cadence_index in 0usize..4,
        ) {
            let start = add_days(d(2000, 1, 1), start_offset).unwrap();
            let end = add_days(start, length).unwrap();
            let schedule = Schedule {
                cadence: Cadence::ALL[cadence_index],
                first_period_start: start,
            };
            let periods = due_periods(&schedule, end);
            prop_assert!(!periods.is_empty());
            prop_assert_eq!(periods[0].start, start);
            prop_assert_eq!(periods[periods.len() - 1].end, end);
            for period in &periods {
                prop_assert!(period.start <= period.end);
            }
            for pair in periods.windows(2) {
                prop_assert_eq!(pair[0].end.succ_opt(), Some(pair[1].start));
            }
            let days: i64 = periods.iter().map(Period::days).sum();
            prop_assert_eq!(days, (end - start).num_days() + 1);
        }
    }
}
