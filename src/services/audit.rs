//! Reading and verifying the audit trail.

use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::db::{self, DbConnection, audit::AuditEventRow, audit::EventFilter, audit::LastEvent};
use crate::domain::audit::{
    ChainReport, ChainVerifier, EntityKind, EventContent, Finding, StoredEvent,
};
use crate::domain::authority::AuthorityId;
use crate::error::AppError;

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

/// A stored record that does not match the audit trail, with its last event (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMismatch {
    pub kind: EntityKind,
    pub entity_id: String,
    pub finding: Finding,
    pub last_event: Option<LastEvent>,
}

/// Per kind of record: rows checked and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSummary {
    pub kind: EntityKind,
    pub rows_checked: u64,
    pub edited: u64,
    pub forged: u64,
    pub deleted: u64,
}

/// At most this many mismatches are listed; the per-kind counts cover the rest.
pub const MAX_LISTED_MISMATCHES: usize = 1000;

#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub chain: ChainReport,
    pub kinds: Vec<KindSummary>,
    pub state_mismatches: Vec<StateMismatch>,
    pub mismatches_omitted: u64,
}

impl VerifyReport {
    pub fn valid(&self) -> bool {
        self.chain.first_broken.is_none()
            && self.state_mismatches.is_empty()
            && self.mismatches_omitted == 0
    }

    pub fn entities_checked(&self) -> u64 {
        self.kinds.iter().map(|k| k.rows_checked).sum()
    }

    fn found(&mut self, summary: &mut KindSummary, mismatch: StateMismatch) {
        match mismatch.finding {
            Finding::Edited => summary.edited += 1,
            Finding::Forged => summary.forged += 1,
            Finding::Deleted => summary.deleted += 1,
        }
        if self.state_mismatches.len() < MAX_LISTED_MISMATCHES {
            self.state_mismatches.push(mismatch);
        } else {
            self.mismatches_omitted += 1;
        }
    }
}

/// Recomputes the authority's chain, then checks every stored record of every kind against
/// its last audit event: a row edited, inserted or deleted behind the service's back shows, as
/// does an edited, inserted or deleted event. Reads one consistent snapshot a page at a time
/// (memory stays flat however long the trail), without blocking writers.
pub fn verify(conn: &mut DbConnection, authority: &AuthorityId) -> Result<VerifyReport, AppError> {
    conn.transaction(|conn| {
        if matches!(conn, DbConnection::Postgresql(_)) {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let head = db::audit::head(conn, authority)?;
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        loop {
            let page =
                db::audit::list(conn, authority, &EventFilter::default(), after, VERIFY_PAGE)?;
            page.iter()
                .for_each(|row| verifier.push(&stored_event(row)));
            match page.last() {
                Some(last) if i64::try_from(page.len()).ok() == Some(VERIFY_PAGE) => {
                    after = last.seq
                }
                _ => break,
            }
        }
        let mut report = VerifyReport {
            chain: verifier.finish(head),
            kinds: Vec::new(),
            state_mismatches: Vec::new(),
            mismatches_omitted: 0,
        };
        for kind in EntityKind::ALL {
            let summary = check_kind(conn, authority, kind, &mut report)?;
            report.kinds.push(summary);
        }
        Ok(report)
    })
}

/// Rows against their last events (edited, forged), then entities the events mention against
/// the rows (deleted).
fn check_kind(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    kind: EntityKind,
    report: &mut VerifyReport,
) -> Result<KindSummary, AppError> {
    let mut summary = KindSummary {
        kind,
        rows_checked: 0,
        edited: 0,
        forged: 0,
        deleted: 0,
    };
    let mut after: Option<String> = None;
    loop {
        let (states, next) =
            db::audited::page(conn, kind, authority, after.as_deref(), VERIFY_PAGE)?;
        if states.is_empty() {
            break;
        }
        let ids: Vec<String> = states.iter().map(|(id, _)| id.clone()).collect();
        let within = match (ids.first(), ids.last()) {
            (Some(first), Some(last)) if db::audited::keyed_by_id(kind) => {
                Some((first.as_str(), last.as_str()))
            }
            _ => None,
        };
        let mut last = db::audit::last_events(conn, authority, kind.as_str(), &ids, within)?;
        for (entity_id, digest) in states {
            summary.rows_checked += 1;
            let finding = match last.remove(&entity_id) {
                None => Some((Finding::Forged, None)),
                Some(event) if event.state_digest != digest => Some((Finding::Edited, Some(event))),
                Some(_) => None,
            };
            if let Some((finding, last_event)) = finding {
                report.found(
                    &mut summary,
                    StateMismatch {
                        kind,
                        entity_id,
                        finding,
                        last_event,
                    },
                );
            }
        }
        after = next;
    }
    let mut after: Option<String> = None;
    loop {
        let ids = db::audit::entities_page(
            conn,
            authority,
            kind.as_str(),
            after.as_deref(),
            VERIFY_PAGE,
        )?;
        let Some(last_id) = ids.last().cloned() else {
            break;
        };
        let present = db::audited::existing(conn, kind, authority, &ids)?;
        let gone: Vec<String> = ids.into_iter().filter(|id| !present.contains(id)).collect();
        if !gone.is_empty() {
            let mut last = db::audit::last_events(conn, authority, kind.as_str(), &gone, None)?;
            for entity_id in gone {
                let last_event = last.remove(&entity_id);
                report.found(
                    &mut summary,
                    StateMismatch {
                        kind,
                        entity_id,
                        finding: Finding::Deleted,
                        last_event,
                    },
                );
            }
        }
        after = Some(last_id);
    }
    Ok(summary)
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
