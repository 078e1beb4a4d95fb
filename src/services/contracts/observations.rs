//! Monitoring returns: observations submitted in batches, listed and reviewed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::db::{self, DbConnection, contracts as q};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{ContractStatus, Period, assess, check_values, due_periods};
use crate::domain::contract::{
    ConsequenceStatus, Contract, Evidence, Observation, ObservationStatus, Term,
};
use crate::domain::ids::{ContractId, ObservationId, TermId};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::{AppError, ErrorCode};
use crate::services::{Actor, AuditTrail, Precondition, write_tx};

use super::{get, get_term};

/// One return as a client sends it.
#[derive(Debug, Clone)]
pub struct ObservationInput {
    pub term_id: String,
    pub period_start: Option<NaiveDate>,
    pub measures: BTreeMap<String, Decimal>,
    pub dimensions: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    pub supersedes: Option<String>,
}

pub const MAX_BATCH: usize = 20_000;

fn evidence(at: &str, items: &[Evidence], errors: &mut ValidationErrors) -> Vec<Evidence> {
    items
        .iter()
        .enumerate()
        .map(|(i, e)| Evidence {
            name: errors
                .check(
                    format!("{at}.evidence[{i}].name"),
                    text::single_line(&e.name, 1, 200),
                )
                .unwrap_or_default(),
            uri: e.uri.as_ref().and_then(|u| {
                errors.check(
                    format!("{at}.evidence[{i}].uri"),
                    text::single_line(u, 1, 2000),
                )
            }),
            sha256: e.sha256.as_ref().and_then(|h| {
                let ok = h.len() == 64
                    && h.bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                errors.check(
                    format!("{at}.evidence[{i}].sha256"),
                    if ok {
                        Ok(h.clone())
                    } else {
                        Err(String::from("must be 64 lower-case hex digits"))
                    },
                )
            }),
        })
        .collect()
}

/// Records a batch of returns, all or nothing: every row is checked (term of this contract, a
/// due period of its schedule, only measures the term defines, no second return for a period
/// without `supersedes`) and every row's errors are reported together, by row number.
pub fn submit_observations(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    inputs: Vec<ObservationInput>,
) -> Result<Vec<Observation>, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let contract = get(conn, authority, contract_id)?;
        let mut batch = Batch::read(conn, &contract, &inputs, actor, audit.now())?;
        let mut errors = ValidationErrors::default();
        let accepted: Vec<Observation> = inputs
            .into_iter()
            .enumerate()
            .filter_map(|(i, input)| batch.accept(&format!("rows[{i}]"), input, &mut errors))
            .collect();
        if !errors.is_empty() {
            return Err(AppError::rejected(
                ErrorCode::ValidationFailed,
                format!(
                    "the batch was rejected: {} error(s); nothing was recorded",
                    errors.count()
                ),
                errors,
            ));
        }
        store(conn, audit, authority, &accepted)?;
        for o in accepted.iter().filter(|o| o.supersedes.is_some()) {
            if let Some(term) = batch.terms.get(&o.term_id.to_string()) {
                clear_superseded_breach(conn, audit, &contract, term, o)?;
            }
        }
        Ok(accepted)
    })
}

/// What checking a batch needs: only what the batch names is read — its terms, and the current
/// returns of the periods it reports — so a return costs the same however long the contract's
/// history is.
struct Batch<'a> {
    contract: &'a Contract,
    terms: BTreeMap<String, Term>,
    /// Each named term's periods.
    periods: BTreeMap<String, Vec<Period>>,
    /// The current (not superseded) return per term and period start.
    current: BTreeMap<(String, NaiveDate), String>,
    terminated_on: Option<NaiveDate>,
    reporter: &'a str,
    now: DateTime<Utc>,
}

impl<'a> Batch<'a> {
    fn read(
        conn: &mut DbConnection,
        contract: &'a Contract,
        inputs: &[ObservationInput],
        actor: &'a Actor,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        let authority = &actor.principal.authority;
        let named: BTreeSet<&str> = inputs.iter().map(|i| i.term_id.as_str()).collect();
        let starts: BTreeSet<NaiveDate> = inputs.iter().filter_map(|i| i.period_start).collect();
        let terms: BTreeMap<String, Term> = q::terms_named(conn, authority, contract.id, &named)?
            .into_iter()
            .map(|row| row.into_domain().map(|t| (t.id.to_string(), t)))
            .collect::<Result<_, _>>()?;
        let periods = terms
            .iter()
            .map(|(id, t)| {
                let due = t
                    .spec
                    .schedule
                    .as_ref()
                    .map(|s| due_periods(s, contract.end));
                (id.clone(), due.unwrap_or_default())
            })
            .collect();
        let known: BTreeSet<&str> = terms.keys().map(String::as_str).collect();
        let current = q::current_returns(conn, authority, &known, &starts)?
            .into_iter()
            .map(|(term, start, id)| ((term, start), id))
            .collect();
        Ok(Self {
            contract,
            terms,
            periods,
            current,
            terminated_on: (contract.status == ContractStatus::Terminated)
                .then_some(contract.status_changed_on)
                .flatten(),
            reporter: &actor.principal.subject,
            now,
        })
    }

    /// The return of one row, or its errors (under `at`).
    fn accept(
        &mut self,
        at: &str,
        input: ObservationInput,
        errors: &mut ValidationErrors,
    ) -> Option<Observation> {
        let before = errors.count();
        let Some(term) = self.terms.get(&input.term_id) else {
            errors.push(format!("{at}.term_id"), "no such term in this contract");
            return None;
        };
        let Some(start) = input.period_start else {
            errors.push(format!("{at}.period_start"), "is required");
            return None;
        };
        let period = self
            .periods
            .get(&input.term_id)
            .and_then(|ps| ps.iter().find(|p| p.start == start))
            .copied();
        let Some(period) = period else {
            let detail = if start < self.contract.start || start > self.contract.end {
                "is outside the contract"
            } else {
                "is not the start of a period of this term's schedule"
            };
            errors.push(format!("{at}.period_start"), detail);
            return None;
        };
        // A return reports a period that has ended; one for a period still running could only
        // be a forecast, and would fix the period's assessment before it is over.
        if period.end >= self.now.date_naive() {
            errors.push(
                format!("{at}.period_start"),
                format!(
                    "the period ends on {}: its return can be sent from the day after",
                    period.end
                ),
            );
            return None;
        }
        if let Some(terminated) = self.terminated_on
            && period.start > terminated
        {
            errors.push(
                format!("{at}.period_start"),
                format!("is after the contract's termination on {terminated}"),
            );
            return None;
        }
        if let Err(e) = check_values(&term.spec, &input.measures) {
            errors.absorb(e, |field| {
                format!(
                    "{at}.measures.{}",
                    field.strip_prefix("values.").unwrap_or(field)
                )
            });
        }
        if input.dimensions.len() > 10 {
            errors.push(
                format!("{at}.dimensions"),
                "must hold at most 10 dimensions",
            );
        }
        for (k, v) in &input.dimensions {
            if text::single_line(k, 1, 50).is_err() || text::single_line(v, 1, 100).is_err() {
                errors.push(
                    format!("{at}.dimensions.{k}"),
                    "names are 1-50 and values 1-100 characters on one line",
                );
            }
        }
        let evidence = evidence(at, &input.evidence, errors);
        let key = (input.term_id.clone(), start);
        let supersedes = match (&input.supersedes, self.current.get(&key)) {
            (None, None) => None,
            (None, Some(_)) => {
                errors.push(format!("{at}.supersedes"), "a return for this term and period exists: send a correction with `supersedes` set to its id");
                None
            }
            (Some(s), Some(cur)) if s == cur => s.parse::<ObservationId>().ok(),
            (Some(_), _) => {
                errors.push(
                    format!("{at}.supersedes"),
                    "must be the id of the current return for this term and period",
                );
                None
            }
        };
        if errors.count() > before {
            return None;
        }
        let observation = Observation {
            id: ObservationId::new(),
            contract_id: self.contract.id,
            term_id: term.id,
            period,
            measures: input
                .measures
                .into_iter()
                .map(|(k, v)| (k, v.normalize()))
                .collect(),
            dimensions: input.dimensions,
            evidence,
            reported_by: self.reporter.to_string(),
            reported_at: self.now,
            supersedes,
            superseded_by: None,
            status: ObservationStatus::Submitted,
            status_note: None,
            version: 1,
        };
        // Later rows of the same batch see this one as the current return.
        self.current.insert(key, observation.id.to_string());
        Some(observation)
    }
}

/// Stores an accepted batch with an event per return. A corrected return stops being current
/// before its correction is stored: the database holds one current return per term and period
/// (a unique index), so two submissions racing for one period cannot both land. (A batch
/// cannot correct its own rows: their ids are made here.)
fn store(
    conn: &mut DbConnection,
    audit: &mut AuditTrail<'_>,
    authority: &AuthorityId,
    accepted: &[Observation],
) -> Result<(), AppError> {
    let rows = accepted
        .iter()
        .map(|o| q::ObservationRow::from_domain(authority, o))
        .collect::<Result<Vec<_>, _>>()?;
    for row in &rows {
        if let Some(old) = &row.supersedes {
            q::mark_superseded(conn, authority, old, &row.id)?;
            let superseded = q::observation_by_id(conn, authority, old)?
                .ok_or_else(|| AppError::internal("the corrected return vanished"))?;
            audit.record("observation.superseded", &superseded, None);
        }
    }
    q::insert_observations(conn, &rows)?;
    for row in &rows {
        let action = if row.supersedes.is_some() {
            "observation.corrected"
        } else {
            "observation.submitted"
        };
        audit.record(action, row, None);
    }
    Ok(())
}

/// A correction that clears its period's breach supersedes the consequences still proposed for
/// it: they record the return that cleared them instead of waiting for a decision on a breach
/// that no longer exists. Decided consequences stay as decided.
fn clear_superseded_breach(
    conn: &mut DbConnection,
    audit: &mut AuditTrail<'_>,
    contract: &Contract,
    term: &Term,
    correction: &Observation,
) -> Result<(), AppError> {
    let now = audit.now();
    let assessment = assess(
        &term.spec,
        &contract.spec(),
        correction.period,
        Some(&correction.measures),
        now.date_naive(),
        contract.grace_days,
    );
    if assessment.breach {
        return Ok(());
    }
    let authority = &contract.authority;
    let proposed = q::proposed_consequences(
        conn,
        authority,
        &term.id.to_string(),
        correction.period.start,
    )?;
    for c in proposed {
        let reason = format!(
            "the correction {} clears the breach: {}",
            correction.id, assessment.explanation
        );
        q::decide_consequence(
            conn,
            authority,
            &c.id,
            &q::ConsequenceDecision {
                status: ConsequenceStatus::Superseded,
                reason: &reason,
                by: &correction.reported_by,
                at: db::to_db_time(now),
                cleared_by: Some(&correction.id.to_string()),
            },
        )?;
        let row = q::consequence(conn, authority, &c.id)?
            .ok_or_else(|| AppError::internal("the superseded consequence vanished"))?;
        audit.record("consequence.superseded", &row, Some(&reason));
    }
    Ok(())
}

pub fn observations(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<Vec<Observation>, AppError> {
    get(conn, authority, contract_id)?;
    q::observations_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

/// One page of a contract's returns (optionally one term's), read from the database a page at a
/// time.
pub fn observations_page(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    term: Option<TermId>,
    after: Option<ObservationId>,
    limit: i64,
) -> Result<Vec<Observation>, AppError> {
    get(conn, authority, contract_id)?;
    q::observations_page(conn, authority, contract_id, term, after, limit)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

/// An officer marks a return verified or disputed, with a note.
pub fn review_observation(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    id: ObservationId,
    expected: &Precondition,
    status: ObservationStatus,
    note: String,
) -> Result<Observation, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        get(conn, authority, contract_id)?;
        let mut o = q::observation(conn, authority, contract_id, id)?
            .ok_or_else(|| AppError::not_found("observation"))?
            .into_domain()?;
        // The decision must rest on the review state the officer saw: a return verified by
        // one officer is not silently disputed by another who read it before.
        expected.check("observation", o.version)?;
        if status == ObservationStatus::Verified
            && o.evidence.is_empty()
            && get_term(conn, authority, contract_id, o.term_id)?
                .spec
                .evidence_required
        {
            return Err(AppError::client(
                ErrorCode::IllegalTransition,
                "the term requires evidence and this return carries none: send a correction that attaches it, then verify the correction",
            ));
        }
        q::set_observation_status(conn, authority, &id.to_string(), status, &note)?;
        o.status = status;
        o.status_note = Some(note);
        o.version += 1;
        let row = q::observation(conn, authority, contract_id, id)?
            .ok_or_else(|| AppError::not_found("observation"))?;
        let action = if status == ObservationStatus::Verified {
            "observation.verified"
        } else {
            "observation.disputed"
        };
        audit.record(action, &row, o.status_note.as_deref());
        Ok(o)
    })
}
