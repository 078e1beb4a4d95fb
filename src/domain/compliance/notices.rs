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
use super::periods::{Period, add_days};

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
    /// For a breach: the breached period, which the notice's assessment period must cover.
    pub period: Option<Period>,
}

/// A notice already published: when, and the assessment period it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedNotice {
    pub published_on: NaiveDate,
    pub period: Period,
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
/// * **breach** — for each breached period ended on or before `as_of`, unless a published
///   notice's assessment period covers it, due 30 days after the period's end (the breach is
///   known once its period has ended): a notice about other months says nothing about this one.
///   Equal periods are listed once. Breaches are listed whatever the status: the duty survives
///   the contract's end.
pub fn notices_due(
    published: &[PublishedNotice],
    contract_start: NaiveDate,
    status: ContractStatus,
    terminated_on: Option<NaiveDate>,
    breaches: &[Period],
    as_of: NaiveDate,
) -> Vec<NoticeDue> {
    let last_notice = published.iter().map(|n| n.published_on).max();
    let covered = |date: NaiveDate| last_notice.is_some_and(|notice| notice >= date);
    let assessed = |breach: &Period| {
        published
            .iter()
            .any(|n| n.period.start <= breach.start && breach.end <= n.period.end)
    };
    let mut due = Vec::new();

    if status == ContractStatus::Active {
        let base = last_notice.map_or(contract_start, |notice| notice.max(contract_start));
        if let Some(due_by) = base.checked_add_months(Months::new(12)) {
            due.push(NoticeDue {
                reason: NoticeReason::Annual,
                due_by,
                period: None,
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
            period: None,
        });
    }

    for breach in breaches {
        if breach.end > as_of || assessed(breach) {
            continue;
        }
        if let Some(due_by) = add_days(breach.end, NOTICE_DAYS) {
            due.push(NoticeDue {
                reason: NoticeReason::Breach,
                due_by,
                period: Some(*breach),
            });
        }
    }

    due.sort_by_key(|notice| {
        (
            notice.due_by,
            notice.reason.as_str(),
            notice.period.map(|p| p.start),
        )
    });
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
            period: None,
        }
    }

    fn month(y: i32, m: u32) -> Period {
        let start = d(y, m, 1);
        let end = start
            .checked_add_months(Months::new(1))
            .and_then(|n| n.pred_opt())
            .unwrap();
        Period { start, end }
    }

    fn breach(period: Period) -> NoticeDue {
        NoticeDue {
            reason: NoticeReason::Breach,
            due_by: add_days(period.end, NOTICE_DAYS).unwrap(),
            period: Some(period),
        }
    }

    fn published(on: NaiveDate, period: Period) -> PublishedNotice {
        PublishedNotice {
            published_on: on,
            period,
        }
    }

    #[test]
    fn annual_from_start_or_last_notice() {
        let start = d(2026, 1, 15);
        assert_eq!(
            notices_due(&[], start, ContractStatus::Active, None, &[], d(2026, 6, 1)),
            vec![annual(d(2027, 1, 15))]
        );
        assert_eq!(
            notices_due(
                &[published(d(2026, 11, 30), month(2026, 10))],
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
                &[],
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
                &[],
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
                &[],
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
    fn a_breach_is_assessed_only_by_a_notice_covering_its_period() {
        let start = d(2026, 1, 1);
        let breaches = [
            month(2026, 2),
            month(2026, 4),
            month(2026, 4),
            month(2026, 6),
        ];
        // The notice published 2026-05-01 assessed January–March: it covers February, not
        // April, though it was published after April's breach. June has not ended by as_of.
        let notices = [published(
            d(2026, 5, 1),
            Period {
                start: d(2026, 1, 1),
                end: d(2026, 3, 31),
            },
        )];
        let due = notices_due(
            &notices,
            start,
            ContractStatus::Active,
            None,
            &breaches,
            d(2026, 6, 15),
        );
        assert_eq!(
            due,
            vec![
                breach(month(2026, 4)), // 2026-04-30 + 30 days
                annual(d(2027, 5, 1)),
            ]
        );
        // A notice for April itself discharges it.
        let notices = [notices[0], published(d(2026, 5, 20), month(2026, 4))];
        let due = notices_due(
            &notices,
            start,
            ContractStatus::Active,
            None,
            &breaches[..3],
            d(2026, 6, 15),
        );
        assert_eq!(due, vec![annual(d(2027, 5, 20))]);
    }

    #[test]
    fn termination_notice() {
        let start = d(2026, 1, 1);
        let due = notices_due(
            &[published(d(2026, 2, 1), month(2026, 1))],
            start,
            ContractStatus::Terminated,
            Some(d(2026, 8, 31)),
            &[month(2026, 7)],
            d(2026, 9, 5),
        );
        assert_eq!(
            due,
            vec![
                breach(month(2026, 7)), // 2026-07-31 + 30
                NoticeDue {
                    reason: NoticeReason::Termination,
                    due_by: d(2026, 9, 30), // 2026-08-31 + 30
                    period: None,
                },
            ]
        );
        // Published on termination, assessing July: nothing owed.
        let due = notices_due(
            &[published(d(2026, 8, 31), month(2026, 7))],
            start,
            ContractStatus::Terminated,
            Some(d(2026, 8, 31)),
            &[month(2026, 7)],
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
