//! Compliance assembly: every term's due periods assessed against the current returns.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{
    ComplianceStatus, ContractStatus, Period, PeriodAssessment, Rating, TermRating, assess,
    is_late, periods_due_by, suggested_contract_rating,
};
use crate::domain::contract::{ConsequenceRecord, Contract, Observation, Term};
use crate::domain::ids::{ContractId, ObservationId, TermId};
use crate::error::AppError;

use super::{consequences, get, observations, terms, wire_name};

#[derive(Debug, Clone, Serialize)]
pub struct PeriodLine {
    pub assessment: PeriodAssessment,
    pub observation: Option<Observation>,
    /// The return arrived after the period's deadline (end + grace days).
    pub late: bool,
    /// The term requires evidence and the return carries none.
    pub evidence_missing: bool,
    pub consequences: Vec<ConsequenceRecord>,
}

/// Counts over a compliance report's lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ComplianceTotals {
    pub periods_due: usize,
    pub met: usize,
    pub partially_met: usize,
    pub not_met: usize,
    pub missing: usize,
    pub pending: usize,
    pub late: usize,
    pub evidence_missing: usize,
    pub breaches: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermCompliance {
    pub term: Term,
    pub periods: Vec<PeriodLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComplianceReport {
    pub contract: Contract,
    pub as_of: NaiveDate,
    pub terms: Vec<TermCompliance>,
    pub suggested_rating: Rating,
}

impl ComplianceReport {
    fn lines(&self) -> impl Iterator<Item = &PeriodLine> {
        self.terms.iter().flat_map(|t| t.periods.iter())
    }

    pub fn totals(&self) -> ComplianceTotals {
        let mut t = ComplianceTotals::default();
        for line in self.lines() {
            t.periods_due += 1;
            match line.assessment.status {
                ComplianceStatus::Met => t.met += 1,
                ComplianceStatus::PartiallyMet => t.partially_met += 1,
                ComplianceStatus::NotMet => t.not_met += 1,
                ComplianceStatus::Missing => t.missing += 1,
                ComplianceStatus::Pending => t.pending += 1,
            }
            t.late += usize::from(line.late);
            t.evidence_missing += usize::from(line.evidence_missing);
            t.breaches += usize::from(line.assessment.breach);
        }
        t
    }

    /// Money due over all periods, by kind. Amounts are already whole pence, so the sum is
    /// exact without further rounding.
    pub fn money_due(&self) -> BTreeMap<String, Decimal> {
        let mut due: BTreeMap<String, Decimal> = BTreeMap::new();
        for m in self.lines().flat_map(|p| p.assessment.money.iter()) {
            *due.entry(wire_name(&m.kind)).or_default() += m.amount;
        }
        due
    }

    /// "Who is it working for, where": how many periods of each status per dimension value
    /// the returns carry, e.g. (`ward`, `Kentish Town`) → {met: 3, not_met: 1}.
    pub fn by_dimension(&self) -> BTreeMap<(String, String), BTreeMap<String, usize>> {
        let mut out: BTreeMap<(String, String), BTreeMap<String, usize>> = BTreeMap::new();
        for p in self.lines() {
            for (k, v) in p.observation.iter().flat_map(|o| o.dimensions.iter()) {
                *out.entry((k.clone(), v.clone()))
                    .or_default()
                    .entry(wire_name(&p.assessment.status))
                    .or_default() += 1;
            }
        }
        out
    }
}

/// Every term's due periods up to `as_of`, each assessed against the return current on that
/// date — a point-in-time view: only returns, corrections, consequence decisions and term
/// versions recorded on or before `as_of` count, so a report re-run later gives the same
/// figures. A contract accrues due periods only while in force: none while pending (or if
/// cancelled), none after a termination's effective date.
pub fn compliance(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<ComplianceReport, AppError> {
    let contract = get(conn, authority, contract_id)?;
    let terms: Vec<Term> = terms(conn, authority, contract_id)?
        .iter()
        .filter_map(|t| t.as_recorded_on(as_of))
        .collect();
    let observations: Vec<Observation> = observations(conn, authority, contract_id)?
        .into_iter()
        .filter(|o| o.recorded_by(as_of))
        .collect();
    let consequences = consequences(conn, authority, contract_id)?
        .iter()
        .filter_map(|c| c.as_recorded_on(as_of))
        .collect::<Vec<_>>();
    let spec = contract.spec();
    // The current return of each term and period on `as_of`: one not corrected by then.
    let known: BTreeSet<ObservationId> = observations.iter().map(|o| o.id).collect();
    let current: BTreeMap<(TermId, NaiveDate), &Observation> = observations
        .iter()
        .filter(|o| o.superseded_by.is_none_or(|by| !known.contains(&by)))
        .map(|o| ((o.term_id, o.period.start), o))
        .collect();
    let mut records: BTreeMap<(TermId, NaiveDate), Vec<ConsequenceRecord>> = BTreeMap::new();
    for c in consequences {
        records
            .entry((c.term_id, c.period.start))
            .or_default()
            .push(c);
    }
    let in_force_until = in_force_until(&contract, as_of);
    let mut ratings = Vec::new();
    let mut lines = Vec::with_capacity(terms.len());
    for term in terms {
        let (Some(schedule), Some(last_day)) = (&term.spec.schedule, in_force_until) else {
            lines.push(TermCompliance {
                term,
                periods: Vec::new(),
            });
            continue;
        };
        let periods = periods_due_by(schedule, last_day, as_of)
            .into_iter()
            .map(|period| {
                let observation = current.get(&(term.id, period.start)).map(|o| (*o).clone());
                let assessment = assess(
                    &term.spec,
                    &spec,
                    period,
                    observation.as_ref().map(|o| &o.measures),
                    as_of,
                    contract.grace_days,
                );
                ratings.push(TermRating {
                    kind: term.spec.kind,
                    material: term.spec.material,
                    period,
                    rating: assessment.rating,
                });
                let consequences = records
                    .get(&(term.id, period.start))
                    .cloned()
                    .unwrap_or_default();
                let late = observation.as_ref().is_some_and(|o| {
                    is_late(&period, contract.grace_days, o.reported_at.date_naive())
                });
                let evidence_missing = term.spec.evidence_required
                    && observation.as_ref().is_some_and(|o| o.evidence.is_empty());
                PeriodLine {
                    assessment,
                    observation,
                    late,
                    evidence_missing,
                    consequences,
                }
            })
            .collect();
        lines.push(TermCompliance { term, periods });
    }
    let window = Period {
        start: contract.start,
        end: as_of.min(in_force_until.unwrap_or(contract.end)),
    };
    let suggested_rating = suggested_contract_rating(&ratings, window);
    Ok(ComplianceReport {
        contract,
        as_of,
        terms: lines,
        suggested_rating,
    })
}

/// The contract's last day in force as it stood on `as_of`, or `None` when it was not in force
/// (pending, cancelled, or activated only after `as_of`). Only the latest status change is
/// dated, so an activation before a later termination is taken to be at the start.
fn in_force_until(contract: &Contract, as_of: NaiveDate) -> Option<NaiveDate> {
    let changed_after = contract.status_changed_on.is_some_and(|on| on > as_of);
    match contract.status {
        ContractStatus::Pending | ContractStatus::Cancelled => None,
        ContractStatus::Active if changed_after => None,
        ContractStatus::Active | ContractStatus::Expired => Some(contract.end),
        ContractStatus::Terminated => Some(
            contract
                .status_changed_on
                .map_or(contract.end, |on| on.min(contract.end)),
        ),
    }
}
