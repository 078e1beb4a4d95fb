//! `/api/v1/audit`: the authority's audit trail and its verification.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy;
use crate::db::{self, audit::AuditEventRow, audit::EventFilter};
use crate::domain::audit as d;
use crate::domain::text;
use crate::domain::validation::FieldError;
use crate::error::{AppError, ErrorCode};
use crate::services;
use crate::startup::AppState;

use super::docs::{AuthErrors, ListErrors};
use super::extract::RequestContext;
use super::pagination::{Page, PageRequest, parse_key};
use super::wire::wire_enum;

wire_enum! {
    /// Why a link of the chain does not hold.
    pub enum BreakReason = d::BreakReason {
        /// A sequence number is missing or repeated: an event was deleted or inserted.
        SequenceGap,
        /// The event's `prev_hash` is not the previous event's hash.
        PrevHashMismatch,
        /// The event's content no longer hashes to its stored hash: it was edited.
        HashMismatch,
        /// The authority's chain head does not point at the last event.
        HeadMismatch,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    /// Position in the authority's chain, from 1.
    pub seq: i64,
    #[schema(format = Uuid)]
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    /// The token's subject.
    pub actor: String,
    pub roles: Vec<String>,
    /// e.g. `mission.created`, `mission.updated`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// SHA-256 of the entity's state after the write.
    pub state_digest: String,
    pub request_id: String,
    pub note: Option<String>,
    pub prev_hash: String,
    /// SHA-256 over `prev_hash` and this event's fields.
    pub hash: String,
}

impl From<AuditEventRow> for AuditEventResponse {
    fn from(row: AuditEventRow) -> Self {
        Self {
            seq: row.seq,
            id: row.id,
            occurred_at: db::from_db_time(row.occurred_at),
            actor: row.actor,
            roles: row
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
            state_digest: row.state_digest,
            request_id: row.request_id,
            note: row.note,
            prev_hash: row.prev_hash,
            hash: row.hash,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
/// The text filters are single lines with something besides spaces (`text::single_line`).
pub struct ListAuditEventsQuery {
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// Only events about this kind of entity, e.g. `mission`.
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub entity_type: Option<String>,
    /// Only events about this entity (usually with `entity_type`).
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub entity_id: Option<String>,
    /// Only events of this action, e.g. `mission.updated`.
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub action: Option<String>,
}

fn filter_value(field: &str, raw: Option<String>) -> Result<Option<String>, AppError> {
    raw.map(|v| {
        text::single_line(&v, 1, 100).map_err(|m| {
            AppError::with_field(
                ErrorCode::InvalidQuery,
                format!("{field} is not valid"),
                FieldError::new(field, m),
            )
        })
    })
    .transpose()
}

/// List audit events, in chain order.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(ListAuditEventsQuery),
    responses((status = 200, description = "One page of events, oldest first", body = Page<AuditEventResponse>), ListErrors),
    security(("bearer" = [])),
)]
#[get("/audit/events")]
pub async fn list_audit_events(
    ctx: RequestContext,
    query: web::Query<ListAuditEventsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_AUDIT)?;
    let query = query.into_inner();
    let page = PageRequest::parse(
        query.limit,
        query.cursor.as_deref(),
        state.settings.page_max_limit,
    )?;
    let after = parse_key::<i64>(page.after.clone())?.unwrap_or(0);
    let filter = EventFilter {
        entity_type: filter_value("entity_type", query.entity_type)?,
        entity_id: filter_value("entity_id", query.entity_id)?,
        action: filter_value("action", query.action)?,
    };
    let authority = ctx.principal.authority.clone();
    let fetch = page.fetch_limit();
    let rows = state
        .run(move |conn| services::audit::list(conn, &authority, &filter, after, fetch))
        .await?;
    Ok(HttpResponse::Ok().json(page.page(rows, |r| r.seq.to_string(), AuditEventResponse::from)))
}

wire_enum! {
    /// A kind of stored record the audit trail vouches for (a tender's evaluation model is part
    /// of the tender).
    pub enum EntityType = d::EntityKind {
        Mission,
        Tender,
        Bid,
        EvaluatorScore,
        ModeratedScore,
        Evaluation,
        Award,
        Contract,
        Term,
        Observation,
        Consequence,
        PerformanceNotice,
        AuthoritySettings,
    }
}

wire_enum! {
    /// What verification found wrong with a stored record.
    pub enum Finding = d::Finding {
        /// The row differs from the state its last event recorded.
        Edited,
        /// The row exists but no event records it.
        Forged,
        /// Events record the entity but its row is gone.
        Deleted,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerificationResponse {
    pub authority: String,
    /// True when the chain is intact and every record is the one its last event recorded.
    pub valid: bool,
    pub events_checked: u64,
    /// Hash of the last event checked: keep it outside the service to detect a rewritten chain.
    pub head_hash: String,
    /// The first link that does not hold, if any.
    pub first_broken_link: Option<BrokenLinkResponse>,
    /// Stored records checked, of every kind.
    pub entities_checked: u64,
    /// Every kind of record, with what was checked and found.
    pub entity_types: Vec<EntityTypeCheckResponse>,
    /// Records that do not match the trail (at most 1,000 listed; the per-kind counts are
    /// complete).
    pub state_mismatches: Vec<StateMismatchResponse>,
    /// Mismatches found beyond those listed.
    pub state_mismatches_omitted: u64,
    pub checked_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrokenLinkResponse {
    pub seq: i64,
    pub reason: BreakReason,
    pub expected: String,
    pub found: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityTypeCheckResponse {
    pub entity_type: EntityType,
    pub rows_checked: u64,
    pub edited: u64,
    pub forged: u64,
    pub deleted: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateMismatchResponse {
    pub entity_type: EntityType,
    pub entity_id: String,
    pub finding: Finding,
    /// The last event about the entity (none for a forged row). Events carry a digest of the
    /// row, not the row, so the report names the record and its event, not the field.
    pub last_event_seq: Option<i64>,
    pub last_event_action: Option<String>,
    /// The finding in words.
    pub reason: String,
}

impl From<services::audit::StateMismatch> for StateMismatchResponse {
    fn from(m: services::audit::StateMismatch) -> Self {
        let reason = match (&m.finding, &m.last_event) {
            (d::Finding::Edited, Some(e)) => format!(
                "the stored row differs from the state event {} ({}) recorded",
                e.seq, e.action
            ),
            (d::Finding::Deleted, Some(e)) => format!(
                "event {} ({}) records this {} but its row is gone",
                e.seq,
                e.action,
                m.kind.as_str()
            ),
            (d::Finding::Forged, _) | (_, None) => {
                "the row exists but no audit event records it".to_string()
            }
        };
        Self {
            entity_type: m.kind.into(),
            entity_id: m.entity_id,
            finding: m.finding.into(),
            last_event_seq: m.last_event.as_ref().map(|e| e.seq),
            last_event_action: m.last_event.map(|e| e.action),
            reason,
        }
    }
}

impl AuditVerificationResponse {
    fn new(ctx: &RequestContext, report: services::audit::VerifyReport) -> Self {
        Self {
            authority: ctx.principal.authority.to_string(),
            valid: report.valid(),
            events_checked: report.chain.events_checked,
            entities_checked: report.entities_checked(),
            head_hash: report.chain.head_hash,
            first_broken_link: report.chain.first_broken.map(|b| BrokenLinkResponse {
                seq: b.seq,
                reason: b.reason.into(),
                expected: b.expected,
                found: b.found,
            }),
            entity_types: report
                .kinds
                .into_iter()
                .map(|k| EntityTypeCheckResponse {
                    entity_type: k.kind.into(),
                    rows_checked: k.rows_checked,
                    edited: k.edited,
                    forged: k.forged,
                    deleted: k.deleted,
                })
                .collect(),
            state_mismatches: report
                .state_mismatches
                .into_iter()
                .map(StateMismatchResponse::from)
                .collect(),
            state_mismatches_omitted: report.mismatches_omitted,
            checked_at: ctx.at.unwrap_or_else(services::now),
        }
    }
}

/// Recompute the hash chain and check stored states against it.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_trail",
    responses((status = 200, description = "The verification report (`valid` says whether it passed)", body = AuditVerificationResponse), AuthErrors),
    security(("bearer" = [])),
)]
#[get("/audit/verify")]
pub async fn verify_audit_trail(
    ctx: RequestContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_AUDIT)?;
    let authority = ctx.principal.authority.clone();
    let report = state
        .run(move |conn| services::audit::verify(conn, &authority))
        .await?;
    Ok(HttpResponse::Ok().json(AuditVerificationResponse::new(&ctx, report)))
}
