//! Audit events and the per-authority chain head.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{audit_chain_heads, audit_events};
use crate::domain::audit::GENESIS_HASH;
use crate::domain::authority::AuthorityId;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = audit_events)]
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

pub fn append(conn: &mut DbConnection, event: &AuditEventRow) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(event)
        .execute(conn)?;
    diesel::update(
        audit_chain_heads::table.filter(audit_chain_heads::authority.eq(&event.authority)),
    )
    .set((
        audit_chain_heads::seq.eq(event.seq),
        audit_chain_heads::head_hash.eq(&event.hash),
    ))
    .execute(conn)?;
    Ok(())
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
