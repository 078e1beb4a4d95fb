//! Consequences of breaches: proposed from the compliance report, then applied or waived.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::db::{self, DbConnection, contracts as q};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::Consequence;
use crate::domain::contract::{ConsequenceRecord, ConsequenceStatus};
use crate::domain::ids::{ConsequenceId, ContractId, TermId};
use crate::domain::validation::FieldError;
use crate::error::{AppError, ErrorCode};
use crate::services::{Actor, write_tx};

use super::{compliance, get, wire_name};

pub fn consequences(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<Vec<ConsequenceRecord>, AppError> {
    q::consequences_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

fn consequence_kind(c: &Consequence) -> &'static str {
    match c {
        Consequence::ServiceCredit { .. } => "service_credit",
        Consequence::WithholdPayment { .. } => "withheld_payment",
        Consequence::Clawback { .. } => "clawback",
        Consequence::InterestStepUp { .. } => "interest_step_up",
        Consequence::TrancheGate { .. } => "tranche_gate",
        Consequence::ImprovementPlan { .. } => "improvement_plan",
        Consequence::TerminationRight => "termination_right",
    }
}

/// Records a `proposed` consequence for every breach up to `as_of` that has none yet: one per
/// amount due, or one naming the consequence when it carries no amount.
pub fn propose_consequences(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<Vec<ConsequenceRecord>, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let now = audit.now();
        // Breaches are known only once they have happened: a future date would propose
        // consequences for periods whose returns may still arrive.
        if as_of > now.date_naive() {
            return Err(AppError::with_field(
                ErrorCode::ValidationFailed,
                format!(
                    "consequences are proposed for breaches that have happened: as_of {as_of} is in the future"
                ),
                FieldError::new("as_of", "must be today or earlier"),
            ));
        }
        let report = compliance(conn, authority, contract_id, as_of)?;
        // Every record on file, whenever it was made: a report as of an earlier date does not
        // show later ones, but they exist.
        let existing: BTreeSet<(TermId, NaiveDate, String)> =
            consequences(conn, authority, contract_id)?
                .into_iter()
                .map(|c| (c.term_id, c.period.start, c.kind))
                .collect();
        let mut created = Vec::new();
        for tc in &report.terms {
            for line in &tc.periods {
                let a = &line.assessment;
                let mut wanted: Vec<(String, Option<Decimal>, String)> = Vec::new();
                if a.breach {
                    for m in &a.money {
                        wanted.push((wire_name(&m.kind), Some(m.amount), m.explanation.clone()));
                    }
                    // A consequence that is not itself an amount (an improvement plan, a tranche
                    // gate, a termination right) gets its own record beside any money due.
                    if let Some(c) = &a.triggered {
                        let kind = consequence_kind(c).to_string();
                        if !wanted.iter().any(|(k, _, _)| *k == kind)
                            && !a.money.iter().any(|m| wire_name(&m.kind) == kind)
                        {
                            wanted.push((kind, None, a.explanation.clone()));
                        }
                    }
                }
                for (kind, amount, detail) in wanted {
                    if existing.contains(&(tc.term.id, a.period.start, kind.clone()))
                        || created.iter().any(|c: &ConsequenceRecord| {
                            c.term_id == tc.term.id
                                && c.period.start == a.period.start
                                && c.kind == kind
                        })
                    {
                        continue;
                    }
                    let record = ConsequenceRecord {
                        id: ConsequenceId::new(),
                        contract_id,
                        term_id: tc.term.id,
                        period: a.period,
                        kind,
                        amount,
                        detail,
                        status: ConsequenceStatus::Proposed,
                        reason: None,
                        decided_by: None,
                        decided_at: None,
                        created_at: now,
                        cleared_by: None,
                    };
                    let row = q::ConsequenceRow::from_domain(authority, &record);
                    q::insert_consequence(conn, &row)?;
                    audit.record("consequence.proposed", &row, None);
                    created.push(record);
                }
            }
        }
        Ok(created)
    })
}

pub fn decide_consequence(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    id: ConsequenceId,
    status: ConsequenceStatus,
    reason: String,
) -> Result<ConsequenceRecord, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        get(conn, authority, contract_id)?;
        let mut record = consequences(conn, authority, contract_id)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| AppError::not_found("consequence"))?;
        if record.status != ConsequenceStatus::Proposed {
            return Err(AppError::client(
                ErrorCode::IllegalTransition,
                format!("the consequence is already {}", record.status.as_str()),
            ));
        }
        let now = audit.now();
        q::decide_consequence(
            conn,
            authority,
            &id.to_string(),
            &q::ConsequenceDecision {
                status,
                reason: &reason,
                by: &actor.principal.subject,
                at: db::to_db_time(now),
                cleared_by: None,
            },
        )?;
        record.status = status;
        record.reason = Some(reason);
        record.decided_by = Some(actor.principal.subject.clone());
        record.decided_at = Some(now);
        let action = if status == ConsequenceStatus::Applied {
            "consequence.applied"
        } else {
            "consequence.waived"
        };
        let row = q::consequence(conn, authority, &id.to_string())?
            .ok_or_else(|| AppError::not_found("consequence"))?;
        audit.record(action, &row, record.reason.as_deref());
        Ok(record)
    })
}
