//! Audit events and the per-authority chain head.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::ExecuteCopyFromDsl;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{audit_chain_heads, audit_events};
use crate::domain::audit::GENESIS_HASH;
use crate::domain::authority::AuthorityId;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = audit_events, treat_none_as_default_value = false)]
pub struct AuditEventRow {
    pub id: String,
    pub authority: String,
    pub seq: i64,
    pub occurred_at: NaiveDateTime,
    pub actor: String,
    pub roles: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub state_digest: String,
    pub request_id: String,
    pub note: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Locks the authority's chain head for the rest of the transaction and returns it
/// (`(0, genesis)` for a new chain). Called first in every write transaction: on PostgreSQL it
/// takes the row lock (`SELECT … FOR UPDATE`); on SQLite the insert takes the database's write
/// lock at once, so the transaction never has to upgrade a read lock (which could fail with
/// SQLITE_BUSY instead of waiting).
pub fn lock_head(conn: &mut DbConnection, authority: &AuthorityId) -> QueryResult<(i64, String)> {
    let genesis = (
        audit_chain_heads::authority.eq(authority.as_str()),
        audit_chain_heads::seq.eq(0_i64),
        audit_chain_heads::head_hash.eq(GENESIS_HASH),
    );
    let head = audit_chain_heads::table
        .filter(audit_chain_heads::authority.eq(authority.as_str()))
        .select((audit_chain_heads::seq, audit_chain_heads::head_hash));
    match conn {
        DbConnection::Postgresql(pg) => {
            diesel::insert_into(audit_chain_heads::table)
                .values(genesis)
                .on_conflict_do_nothing()
                .execute(pg)?;
            head.for_update().first(pg)
        }
        DbConnection::Sqlite(lite) => {
            diesel::insert_or_ignore_into(audit_chain_heads::table)
                .values(genesis)
                .execute(lite)?;
            head.first(lite)
        }
    }
}

/// Appends a transaction's events (in chain order) and moves the head to the last one.
pub fn append(conn: &mut DbConnection, events: &[AuditEventRow]) -> QueryResult<()> {
    let Some(last) = events.last() else {
        return Ok(());
    };
    // diesel's MultiBackend has no batch insert: PostgreSQL takes the events by COPY (one
    // statement however many), SQLite row by row inside the transaction.
    match conn {
        DbConnection::Postgresql(pg) => {
            // Most writes record one event: a plain insert, without COPY's extra round trips.
            if events.len() == 1 {
                diesel::insert_into(audit_events::table)
                    .values(events)
                    .execute(pg)?;
            } else {
                diesel::copy_from(audit_events::table)
                    .from_insertable(events)
                    .execute(pg)?;
            }
        }
        DbConnection::Sqlite(lite) => {
            for event in events {
                diesel::insert_into(audit_events::table)
                    .values(event)
                    .execute(lite)?;
            }
        }
    }
    diesel::update(
        audit_chain_heads::table.filter(audit_chain_heads::authority.eq(&last.authority)),
    )
    .set((
        audit_chain_heads::seq.eq(last.seq),
        audit_chain_heads::head_hash.eq(&last.hash),
    ))
    .execute(conn)?;
    Ok(())
}

/// The last event recorded about an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEvent {
    pub seq: i64,
    pub action: String,
    pub state_digest: String,
}

/// The last event about each of `ids` (entities of `entity_type`) that has any. `within`, the
/// least and greatest of `ids` when the caller knows them, bounds the index range scanned
/// whatever the planner's statistics say.
pub fn last_events(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    entity_type: &str,
    ids: &[String],
    within: Option<(&str, &str)>,
) -> QueryResult<HashMap<String, LastEvent>> {
    let mut query = audit_events::table
        .filter(audit_events::authority.eq(authority.as_str()))
        .filter(audit_events::entity_type.eq(entity_type))
        .filter(audit_events::entity_id.eq_any(ids))
        .into_boxed();
    if let Some((least, greatest)) = within {
        query = query
            .filter(audit_events::entity_id.ge(least.to_string()))
            .filter(audit_events::entity_id.le(greatest.to_string()));
    }
    let rows: Vec<(String, i64, String, String)> = query
        .order((audit_events::entity_id.asc(), audit_events::seq.asc()))
        .select((
            audit_events::entity_id,
            audit_events::seq,
            audit_events::action,
            audit_events::state_digest,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, seq, action, state_digest)| {
            (
                id,
                LastEvent {
                    seq,
                    action,
                    state_digest,
                },
            )
        })
        .collect())
}

/// Up to `limit` entity ids of `entity_type` that events mention, after `after` in id order.
pub fn entities_page(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    entity_type: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let mut query = audit_events::table
        .filter(audit_events::authority.eq(authority.as_str()))
        .filter(audit_events::entity_type.eq(entity_type))
        .select(audit_events::entity_id)
        .distinct()
        .order(audit_events::entity_id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(audit_events::entity_id.gt(after.to_string()));
    }
    query.load(conn)
}

pub fn head(
    conn: &mut DbConnection,
    authority: &AuthorityId,
) -> QueryResult<Option<(i64, String)>> {
    audit_chain_heads::table
        .filter(audit_chain_heads::authority.eq(authority.as_str()))
        .select((audit_chain_heads::seq, audit_chain_heads::head_hash))
        .first(conn)
        .optional()
}

#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub action: Option<String>,
}

/// Up to `limit` events with `seq > after_seq`, in chain order.
pub fn list(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    filter: &EventFilter,
    after_seq: i64,
    limit: i64,
) -> QueryResult<Vec<AuditEventRow>> {
    let mut query = audit_events::table
        .filter(audit_events::authority.eq(authority.as_str()))
        .filter(audit_events::seq.gt(after_seq))
        .order(audit_events::seq.asc())
        .limit(limit)
        .into_boxed();
    if let Some(t) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(t.clone()));
    }
    if let Some(id) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(id.clone()));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_events::action.eq(action.clone()));
    }
    query.load(conn)
}
