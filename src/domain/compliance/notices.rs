//! Which performance notices an authority owes, and by when.
//!
//! Procurement Act 2023 s.71 requires the authority to assess performance against a contract's
//! KPIs at least once in every 12 months and on termination, and to publish information on a
//! breach or failure to perform (s.71(5)); Procurement Regulations 2024 reg. 39 sets out the
//! contract performance notice that carries it (a full termination is published as a contract
//! termination notice, s.80, within 30 days). This module only computes the deadlines.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::contract::ContractStatus;
use super::periods::add_days;

/// Days allowed to publish after a breach or a termination.
pub const NOTICE_DAYS: u64 = 30;

text_enum! {
    /// Why a notice is due.
    pub enum NoticeReason {
        /// The 12-monthly KPI assessment (s.71(2)).
        Annual => "annual",
        /// Assessment on termination.
        Termination => "termination",
        /// A breach or failure to perform (s.71(5)).
        Breach => "breach",
    }
}

/// A notice the authority owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDue {
    pub reason: NoticeReason,
    /// Publish on or before this date; overdue when it is before `as_of`.
    pub due_by: NaiveDate,
}

/// The notices owed as at `as_of`, earliest deadline first.
///
/// * **annual** — while the contract is `active`: 12 months after the last notice, or after the
///   contract start when none has been published (a 29 February base falls due on 28 February).
///   Always listed for an active contract, with its deadline, even if not yet reached: it is a
///   standing obligation the caller shows as upcoming or overdue. Not listed for contracts that
///   are pending (not started) or have ended — expiry is not treated as termination here; pass
///   `terminated` to get the final assessment.
/// * **termination** — when `status` is `terminated` and `terminated_on` is on or before `as_of`,
///   unless a notice was published on or after the termination date; due 30 days after it.
/// * **breach** — for each breach date on or before `as_of` not covered by a notice published on
///   or after it, due 30 days after the breach. Equal breach dates are listed once. Breaches are
///   listed whatever the status: the duty survives the contract's end.
pub fn notices_due(
    last_notice: Option<NaiveDate>,
    contract_start: NaiveDate,
    status: ContractStatus,
    terminated_on: Option<NaiveDate>,
    breaches: &[NaiveDate],
    as_of: NaiveDate,
) -> Vec<NoticeDue> {
    let covered = |date: NaiveDate| last_notice.is_some_and(|notice| notice >= date);
    let mut due = Vec::new();

    if status == ContractStatus::Active {
        let base = last_notice.map_or(contract_start, |notice| notice.max(contract_start));
        if let Some(due_by) = base.checked_add_months(Months::new(12)) {
            due.push(NoticeDue {
                reason: NoticeReason::Annual,
                due_by,
            });
        }
    }

    if status == ContractStatus::Terminated
        && let Some(terminated) = terminated_on
        && terminated <= as_of
        && !covered(terminated)
        && let Some(due_by) = add_days(terminated, NOTICE_DAYS)
    {
        due.push(NoticeDue {
            reason: NoticeReason::Termination,
            due_by,
        });
    }

    for &breach in breaches {
        if breach > as_of || covered(breach) {
            continue;
        }
        if let Some(due_by) = add_days(breach, NOTICE_DAYS) {
            due.push(NoticeDue {
                reason: NoticeReason::Breach,
                due_by,
            });
        }
    }

    due.sort_by_key(|notice| (notice.due_by, notice.reason.as_str()));
    due.dedup();
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::test_support::d;

    fn annual(due_by: NaiveDate) -> NoticeDue {
        NoticeDue {
            reason: NoticeReason::Annual,
            due_by,
        }
    }

    fn breach(due_by: NaiveDate) -> NoticeDue {
        NoticeDue {
            reason: NoticeReason::Breach,
            due_by,
        }
    }

    #[test]
    fn annual_from_start_or_last_notice() {
        let start = d(2026, 1, 15);
        assert_eq!(
            notices_due(
                None,
                start,
                ContractStatus::Active,
                None,
                &[],
                d(2026, 6, 1)
            ),
            vec![annual(d(2027, 1, 15))]
        );
        assert_eq!(
            notices_due(
                Some(d(2026, 11, 30)),
                start,
                ContractStatus::Active,
                None,
                &[],
                d(2026, 12, 1)
            ),
            vec![annual(d(2027, 11, 30))]
        );
        // Leap day base: due on 28 February.
        assert_eq!(
            notices_due(
                None,
                d(2028, 2, 29),
                ContractStatus::Active,
                None,
                &[],
                d(2028, 3, 1)
            ),
            vec![annual(d(2029, 2, 28))]
        );
        // Not for a pending or ended contract.
        assert!(
            notices_due(
                None,
                start,
                ContractStatus::Pending,
                None,
                &[],
                d(2026, 6, 1)
            )
            .is_empty()
        );
        assert!(
            notices_due(
                None,
                start,
                ContractStatus::Expired,
                None,
                &[],
                d(2030, 6, 1)
            )
            .is_empty()
        );
    }

    #[test]
    fn breaches_not_covered_by_a_later_notice() {
        let start = d(2026, 1, 1);
        let breaches = [
            d(2026, 3, 10),
            d(2026, 5, 20),
            d(2026, 5, 20),
            d(2026, 7, 1),
        ];
        // Last notice 2026-04-01 covers the March breach; July is after as_of.
        let due = notices_due(
            Some(d(2026, 4, 1)),
            start,
            ContractStatus::Active,
            None,
            &breaches,
            d(2026, 6, 1),
        );
        assert_eq!(
            due,
            vec![
                breach(d(2026, 6, 19)), // 2026-05-20 + 30 days
                annual(d(2027, 4, 1)),
            ]
        );
        // A notice on the breach day itself covers it.
        let due = notices_due(
            Some(d(2026, 5, 20)),
            start,
            ContractStatus::Active,
            None,
            &breaches[..3],
            d(2026, 6, 1),
        );
        assert_eq!(due, vec![annual(d(2027, 5, 20))]);
    }

    #[test]
    fn termination_notice() {
        let start = d(2026, 1, 1);
        let due = notices_due(
            Some(d(2026, 2, 1)),
            start,
            ContractStatus::Terminated,
            Some(d(2026, 8, 31)),
            &[d(2026, 8, 15)],
            d(2026, 9, 5),
        );
        assert_eq!(
            due,
            vec![
                breach(d(2026, 9, 14)), // 2026-08-15 + 30
                NoticeDue {
                    reason: NoticeReason::Termination,
                    due_by: d(2026, 9, 30), // 2026-08-31 + 30
                },
            ]
        );
        // Already published on termination: nothing owed.
        let due = notices_due(
            Some(d(2026, 8, 31)),
            start,
            ContractStatus::Terminated,
            Some(d(2026, 8, 31)),
            &[d(2026, 8, 15)],
            d(2026, 9, 5),
        );
        assert!(due.is_empty());
    }

    #[test]
    fn reason_text_matches_serde() {
        for reason in NoticeReason::ALL {
            assert_eq!(
                serde_json::to_string(reason).unwrap(),
                format!("\"{}\"", reason.as_str())
            );
        }
    }
}
