//! Reading and verifying the audit trail.

use std::collections::HashMap;

use diesel::connection::SimpleConnection;

use diesel::Connection;

use crate::db::{self, DbConnection, audit::AuditEventRow, audit::EventFilter};
use crate::domain::audit::{ChainReport, ChainVerifier, EventContent, StoredEvent, state_digest};
use crate::domain::authority::AuthorityId;
use crate::error::AppError;

use super::{contracts, missions, tenders};

const VERIFY_PAGE: i64 = 1000;

pub fn list(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    filter: &EventFilter,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<AuditEventRow>, AppError> {
    Ok(db::audit::list(conn, authority, filter, after_seq, limit)?)
}

/// An entity whose stored state no longer matches the digest its last audit event recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMismatch {
    pub entity_type: String,
    pub entity_id: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub chain: ChainReport,
    pub entities_checked: u64,
    pub state_mismatches: Vec<StateMismatch>,
}

impl VerifyReport {
    pub fn valid(&self) -> bool {
        self.chain.first_broken.is_none() && self.state_mismatches.is_empty()
    }
}

/// Recomputes the authority's chain and checks that every entity's current state is the state
/// its last audit event recorded — so an edit behind the service's back, to an event or to
/// the data itself, shows. Reads one consistent snapshot without blocking writers.
pub fn verify(conn: &mut DbConnection, authority: &AuthorityId) -> Result<VerifyReport, AppError> {
    conn.transaction(|conn| {
        if matches!(conn, DbConnection::Postgresql(_)) {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let head = db::audit::head(conn, authority)?;
        let mut verifier = ChainVerifier::default();
        let mut last_digest: HashMap<(String, String), String> = HashMap::new();
        let mut after = 0;
        loop {
            let page =
                db::audit::list(conn, authority, &EventFilter::default(), after, VERIFY_PAGE)?;
            for row in &page {
                verifier.push(&stored_event(row));
                last_digest.insert(
                    (row.entity_type.clone(), row.entity_id.clone()),
                    row.state_digest.clone(),
                );
            }
            match page.last() {
                Some(last) if i64::try_from(page.len()).ok() == Some(VERIFY_PAGE) => {
                    after = last.seq
                }
                _ => break,
            }
        }
        let chain = verifier.finish(head);

        let mut mismatches = Vec::new();
        let states = current_states(conn, authority)?;
        let entities_checked = u64::try_from(states.len()).unwrap_or(u64::MAX);
        for (entity_type, entity_id, current) in states {
            let recorded = last_digest.get(&(entity_type.to_string(), entity_id.clone()));
            let reason = match (current, recorded) {
                (Err(e), _) => Some(format!("the stored row no longer parses: {e}")),
                (Ok(_), None) => Some("no audit event records this entity".to_string()),
                (Ok(now), Some(then)) if &now != then => Some(
                    "the stored state differs from the state its last audit event recorded"
                        .to_string(),
                ),
                _ => None,
            };
            if let Some(reason) = reason {
                mismatches.push(StateMismatch {
                    entity_type: entity_type.to_string(),
                    entity_id,
                    reason,
                });
            }
        }
        Ok(VerifyReport {
            chain,
            entities_checked,
            state_mismatches: mismatches,
        })
    })
}

type CurrentState = (&'static str, String, Result<String, String>);

fn digest_of<T: serde::Serialize, E: std::fmt::Display>(
    parsed: Result<T, E>,
) -> Result<String, String> {
    parsed.map(|v| state_digest(&v)).map_err(|e| e.to_string())
}

/// The digest of every audited entity's current state: missions, tenders, bids, contracts
/// and terms (the entities whose whole state each audit event records).
fn current_states(
    conn: &mut DbConnection,
    authority: &AuthorityId,
) -> Result<Vec<CurrentState>, AppError> {
    let mut out: Vec<CurrentState> = Vec::new();
    let mut after = None;
    loop {
        let rows = db::missions::list(conn, authority, after, None, VERIFY_PAGE)?;
        for row in &rows {
            out.push((
                missions::ENTITY,
                row.id.clone(),
                digest_of(row.clone().into_domain()),
            ));
        }
        match rows.last() {
            Some(last) if i64::try_from(rows.len()).ok() == Some(VERIFY_PAGE) => {
                after = Some(last.id.parse().map_err(AppError::internal)?)
            }
            _ => break,
        }
    }
    let mut after = None;
    loop {
        let rows = db::tenders::list_tenders(conn, authority, after, None, VERIFY_PAGE)?;
        for row in &rows {
            out.push((
                tenders::TENDER,
                row.id.clone(),
                digest_of(row.clone().into_domain()),
            ));
        }
        match rows.last() {
            Some(last) if i64::try_from(rows.len()).ok() == Some(VERIFY_PAGE) => {
                after = Some(last.id.parse().map_err(AppError::internal)?)
            }
            _ => break,
        }
    }
    for row in db::tenders::all_bids(conn, authority)? {
        out.push((tenders::BID, row.id.clone(), digest_of(row.into_domain())));
    }
    let mut after = None;
    loop {
        let rows = db::contracts::list_contracts(conn, authority, after, VERIFY_PAGE)?;
        for row in &rows {
            out.push((
                contracts::CONTRACT,
                row.id.clone(),
                digest_of(row.clone().into_domain()),
            ));
        }
        match rows.last() {
            Some(last) if i64::try_from(rows.len()).ok() == Some(VERIFY_PAGE) => {
                after = Some(last.id.parse().map_err(AppError::internal)?)
            }
            _ => break,
        }
    }
    for row in db::contracts::all_terms(conn, authority)? {
        out.push((
            contracts::TERM,
            row.id.clone(),
            digest_of(row.into_domain()),
        ));
    }
    Ok(out)
}

fn stored_event(row: &AuditEventRow) -> StoredEvent {
    StoredEvent {
        content: EventContent {
            authority: row.authority.clone(),
            seq: row.seq,
            occurred_at: db::from_db_time(row.occurred_at),
            actor: row.actor.clone(),
            roles: row
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            action: row.action.clone(),
            entity_type: row.entity_type.clone(),
            entity_id: row.entity_id.clone(),
            state_digest: row.state_digest.clone(),
            request_id: row.request_id.clone(),
            note: row.note.clone(),
        },
        prev_hash: row.prev_hash.clone(),
        hash: row.hash.clone(),
    }
}
