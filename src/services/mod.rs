//! Workflows: each runs in one transaction that combines domain rules, storage and the audit
//! event of every write.

pub mod audit;
pub mod contracts;
pub mod evaluation;
pub mod idempotency;
pub mod missions;
pub mod settings;
pub mod tenders;

use chrono::{DateTime, SubsecRound, Utc};

use crate::auth::Principal;
use diesel::Connection;

use crate::db::{self, DbConnection, audited::Audited};
use crate::domain::audit::{EventContent, state_digest};
use crate::domain::ids::AuditEventId;
use crate::error::AppError;

/// Who performs a write, and under which request: what the audit event records.
#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub request_id: String,
}

/// The current time at the precision both databases keep (microseconds), so a state read
/// back digests the same as the state written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Collects the events of the current write transaction; `write_tx` appends them to the
/// authority's chain just before it commits.
pub struct AuditTrail<'a> {
    actor: &'a Actor,
    seq: i64,
    prev_hash: String,
    now: DateTime<Utc>,
    events: Vec<db::audit::AuditEventRow>,
}

impl AuditTrail<'_> {
    /// The instant of this transaction, to stamp the rows it writes.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Records that `action` left the stored `row` as it is: the event carries the digest of
    /// the row exactly as written, which `audit/verify` compares with the row as stored.
    pub fn record<R: Audited>(&mut self, action: &str, row: &R, note: Option<&str>) {
        let content = EventContent {
            authority: self.actor.principal.authority.to_string(),
            seq: self.seq + 1,
            occurred_at: self.now,
            actor: self.actor.principal.subject.clone(),
            roles: self.actor.principal.role_names(),
            action: action.to_string(),
            entity_type: R::KIND.as_str().to_string(),
            entity_id: row.entity_id(),
            state_digest: state_digest(row),
            request_id: self.actor.request_id.clone(),
            note: note.map(str::to_string),
        };
        let hash = content.chain_hash(&self.prev_hash);
        self.events.push(db::audit::AuditEventRow {
            id: AuditEventId::new().to_string(),
            authority: content.authority,
            seq: content.seq,
            occurred_at: db::to_db_time(content.occurred_at),
            actor: content.actor,
            roles: content.roles.join(","),
            action: content.action,
            entity_type: content.entity_type,
            entity_id: content.entity_id,
            state_digest: content.state_digest,
            request_id: content.request_id,
            note: content.note,
            prev_hash: std::mem::replace(&mut self.prev_hash, hash.clone()),
            hash,
        });
        self.seq = content.seq;
    }
}

/// Runs `work` in a transaction that first locks the actor's authority chain head, so the
/// audit events it records extend the chain without a fork; they are written in the same
/// transaction. Nothing is kept if `work` fails.
pub fn write_tx<T>(
    conn: &mut DbConnection,
    actor: &Actor,
    work: impl FnOnce(&mut DbConnection, &mut AuditTrail<'_>) -> Result<T, AppError>,
) -> Result<T, AppError> {
    conn.transaction(|conn| {
        let (seq, prev_hash) = db::audit::lock_head(conn, &actor.principal.authority)?;
        let mut trail = AuditTrail {
            actor,
            seq,
            prev_hash,
            now: now(),
            events: Vec::new(),
        };
        let out = work(conn, &mut trail)?;
        db::audit::append(conn, &trail.events)?;
        Ok(out)
    })
}

/// The ETag of a resource at `version` (without quotes).
pub fn etag(version: i64) -> String {
    version.to_string()
}

/// The client's `If-Match`: the update goes ahead only if the resource is still the version
/// the client read, so two officers editing at once cannot overwrite each other unseen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    Any,
    OneOf(Vec<String>),
}

impl Precondition {
    pub fn check(&self, what: &str, version: i64) -> Result<(), AppError> {
        let current = etag(version);
        match self {
            Self::Any => Ok(()),
            Self::OneOf(tags) if tags.contains(&current) => Ok(()),
            Self::OneOf(_) => Err(AppError::client(
                crate::error::ErrorCode::PreconditionFailed,
                format!(
                    "the {what} has changed since you read it (its ETag is now \"{current}\"); read it again and reapply your change"
                ),
            )),
        }
    }
}
