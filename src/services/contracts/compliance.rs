//! Compliance assembly: every term's due periods assessed against the current returns.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::DbConnection;
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{
    Period, PeriodAssessment, Rating, TermRating, assess, periods_due_by, suggested_contract_rating,
};
use crate::domain::contract::{ConsequenceRecord, Contract, Observation, Term};
use crate::domain::ids::{ContractId, TermId};
use crate::error::AppError;

use super::{consequences, get, observations, terms, wire_name};

#[derive(Debug, Clone, Serialize)]
pub struct PeriodLine {
    pub assessment: PeriodAssessment,
    pub observation: Option<Observation>,
    pub consequences: Vec<ConsequenceRecord>,
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

    pub fn breaches(&self) -> usize {
        self.lines().filter(|p| p.assessment.breach).count()
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

/// Every term's due periods up to `as_of`, each assessed against its current return.
pub fn compliance(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<ComplianceReport, AppError> {
    let contract = get(conn, authority, contract_id)?;
    let terms = terms(conn, authority, contract_id)?;
    let observations = observations(conn, authority, contract_id)?;
    let consequences = consequences(conn, authority, contract_id)?;
    let spec = contract.spec();
    // The current return and the consequence records of each term and period, by key.
    let current: BTreeMap<(TermId, NaiveDate), &Observation> = observations
        .iter()
        .filter(|o| o.superseded_by.is_none())
        .map(|o| ((o.term_id, o.period.start), o))
        .collect();
    let mut records: BTreeMap<(TermId, NaiveDate), Vec<ConsequenceRecord>> = BTreeMap::new();
    for c in consequences {
        records
            .entry((c.term_id, c.period.start))
            .or_default()
            .push(c);
    }
    let mut ratings = Vec::new();
    let mut lines = Vec::with_capacity(terms.len());
    for term in terms {
        let Some(schedule) = &term.spec.schedule else {
            lines.push(TermCompliance {
                term,
                periods: Vec::new(),
            });
            continue;
        };
        let periods = periods_due_by(schedule, contract.end, as_of)
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
                PeriodLine {
                    assessment,
                    observation,
                    consequences,
                }
            })
            .collect();
        lines.push(TermCompliance { term, periods });
    }
    let window = Period {
        start: contract.start,
        end: as_of.min(contract.end),
    };
    let suggested_rating = suggested_contract_rating(&ratings, window);
    Ok(ComplianceReport {
        contract,
        as_of,
        terms: lines,
        suggested_rating,
    })
}
