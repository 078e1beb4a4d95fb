//! Workflows: each runs in one transaction that combines domain rules, storage and the audit
//! event of every write.

pub mod audit;
pub mod contracts;
pub mod evaluation;
pub mod idempotency;
pub mod missions;
pub mod settings;
pub mod tenders;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

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
    /// The time the write is recorded at: `None` for the system clock; a fixed time for a
    /// replay on a story calendar (`seed-demo`) or under a fixed [`Clock`].
    pub at: Option<DateTime<Utc>>,
}

/// Where the service reads the time: the system clock, or a clock that stands still until it
/// is moved (a test suite's "now", so dated rules give the same answers on any day).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds since the epoch, when fixed.
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed: None }
    }

    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            fixed: Some(Arc::new(AtomicI64::new(at.timestamp_micros()))),
        }
    }

    /// Moves a fixed clock (every copy of it); the system clock cannot be moved.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(fixed) = &self.fixed {
            fixed.store(at.timestamp_micros(), Ordering::SeqCst);
        }
    }

    /// The fixed time, or `None` on the system clock.
    pub fn fixed_now(&self) -> Option<DateTime<Utc>> {
        self.fixed
            .as_ref()
            .and_then(|f| DateTime::from_timestamp_micros(f.load(Ordering::SeqCst)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed_now().unwrap_or_else(now)
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
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
        let asked = std::time::Instant::now();
        let (seq, prev_hash) = db::audit::lock_head(conn, &actor.principal.authority)?;
        crate::metrics::observe_chain_lock_wait(asked.elapsed());
        let mut trail = AuditTrail {
            actor,
            seq,
            prev_hash,
            now: actor.at.map_or_else(now, |at| at.trunc_subsecs(6)),
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
