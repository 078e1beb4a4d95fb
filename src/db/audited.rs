//! The stored records the audit trail vouches for: each row type names its kind and entity
//! id, and verification reads every kind's rows a page at a time.
//!
//! An event's `state_digest` is the digest of the row exactly as written (`state_digest` of
//! the row struct), so verification compares stored rows with their last event without
//! parsing them: any edited column, an inserted row or a deleted one shows.

use std::collections::HashSet;

use diesel::prelude::*;
use serde::Serialize;

use super::DbConnection;
use super::contracts::{ConsequenceRow, ContractRow, NoticeRow, ObservationRow, TermRow};
use super::missions::MissionRow;
use super::schema::{
    authority_settings, awards, bids, consequences, contracts, evaluations, evaluator_scores,
    missions, moderated_scores, observations, performance_notices, tenders, terms,
};
use super::settings::SettingsRow;
use super::tenders::{
    AwardRow, BidRow, EvaluationRow, EvaluatorScoreRow, ModeratedScoreRow, TenderRow,
};
use crate::domain::audit::{EntityKind, state_digest};
use crate::domain::authority::AuthorityId;

/// A row whose every write is recorded as an audit event of its kind.
pub trait Audited: Serialize {
    const KIND: EntityKind;
    /// The `entity_id` its events carry.
    fn entity_id(&self) -> String;
}

macro_rules! audited_by_id {
    ($($row:ty => $kind:ident),* $(,)?) => {$(
        impl Audited for $row {
            const KIND: EntityKind = EntityKind::$kind;
            fn entity_id(&self) -> String {
                self.id.clone()
            }
        }
    )*};
}

audited_by_id! {
    MissionRow => Mission,
    TenderRow => Tender,
    BidRow => Bid,
    EvaluationRow => Evaluation,
    AwardRow => Award,
    ContractRow => Contract,
    TermRow => Term,
    ObservationRow => Observation,
    ConsequenceRow => Consequence,
    NoticeRow => PerformanceNotice,
}

impl Audited for EvaluatorScoreRow {
    const KIND: EntityKind = EntityKind::EvaluatorScore;
    fn entity_id(&self) -> String {
        format!("{}/{}/{}", self.bid_id, self.criterion_code, self.evaluator)
    }
}

impl Audited for ModeratedScoreRow {
    const KIND: EntityKind = EntityKind::ModeratedScore;
    fn entity_id(&self) -> String {
        format!("{}/{}", self.bid_id, self.criterion_code)
    }
}

impl Audited for SettingsRow {
    const KIND: EntityKind = EntityKind::AuthoritySettings;
    fn entity_id(&self) -> String {
        self.authority.clone()
    }
}

/// An entity id and the digest of its stored row.
pub type RowState = (String, String);

fn states<R: Audited>(rows: &[R]) -> Vec<RowState> {
    rows.iter()
        .map(|r| (r.entity_id(), state_digest(r)))
        .collect()
}

/// One page of rows of a table keyed by `id`, after `$after`.
macro_rules! page_by_id {
    ($conn:expr, $table:ident, $row:ty, $authority:expr, $after:expr, $limit:expr) => {{
        let mut query = $table::table
            .filter($table::authority.eq($authority.as_str()))
            .order($table::id.asc())
            .limit($limit)
            .into_boxed();
        if let Some(after) = $after {
            query = query.filter($table::id.gt(after.to_string()));
        }
        let rows: Vec<$row> = query.load($conn)?;
        let next = rows.last().map(|r| r.id.clone());
        (states(&rows), next)
    }};
}

/// Score rows are keyed by bid and criterion: a page is every score of up to `$limit` bids.
macro_rules! page_by_bid {
    ($conn:expr, $table:ident, $row:ty, $authority:expr, $after:expr, $limit:expr) => {{
        let mut bid_ids = $table::table
            .filter($table::authority.eq($authority.as_str()))
            .select($table::bid_id)
            .distinct()
            .order($table::bid_id.asc())
            .limit($limit)
            .into_boxed();
        if let Some(after) = $after {
            bid_ids = bid_ids.filter($table::bid_id.gt(after.to_string()));
        }
        let bid_ids: Vec<String> = bid_ids.load($conn)?;
        let rows: Vec<$row> = $table::table
            .filter($table::authority.eq($authority.as_str()))
            .filter($table::bid_id.eq_any(&bid_ids))
            .load($conn)?;
        (states(&rows), bid_ids.last().cloned())
    }};
}

/// One page of `kind`'s rows of the authority after the cursor `after`, with the next cursor
/// (`None` when the page was empty).
pub fn page(
    conn: &mut DbConnection,
    kind: EntityKind,
    authority: &AuthorityId,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<(Vec<RowState>, Option<String>)> {
    Ok(match kind {
        EntityKind::Mission => page_by_id!(conn, missions, MissionRow, authority, after, limit),
        EntityKind::Tender => page_by_id!(conn, tenders, TenderRow, authority, after, limit),
        EntityKind::Bid => page_by_id!(conn, bids, BidRow, authority, after, limit),
        EntityKind::EvaluatorScore => {
            page_by_bid!(
                conn,
                evaluator_scores,
                EvaluatorScoreRow,
                authority,
                after,
                limit
            )
        }
        EntityKind::ModeratedScore => {
            page_by_bid!(
                conn,
                moderated_scores,
                ModeratedScoreRow,
                authority,
                after,
                limit
            )
        }
        EntityKind::Evaluation => {
            page_by_id!(conn, evaluations, EvaluationRow, authority, after, limit)
        }
        EntityKind::Award => page_by_id!(conn, awards, AwardRow, authority, after, limit),
        EntityKind::Contract => page_by_id!(conn, contracts, ContractRow, authority, after, limit),
        EntityKind::Term => page_by_id!(conn, terms, TermRow, authority, after, limit),
        EntityKind::Observation => {
            page_by_id!(conn, observations, ObservationRow, authority, after, limit)
        }
        EntityKind::Consequence => {
            page_by_id!(conn, consequences, ConsequenceRow, authority, after, limit)
        }
        EntityKind::PerformanceNotice => {
            page_by_id!(
                conn,
                performance_notices,
                NoticeRow,
                authority,
                after,
                limit
            )
        }
        EntityKind::AuthoritySettings => {
            if after.is_some() {
                (Vec::new(), None)
            } else {
                let rows: Vec<SettingsRow> = authority_settings::table
                    .filter(authority_settings::authority.eq(authority.as_str()))
                    .load(conn)?;
                (states(&rows), rows.last().map(|r| r.authority.clone()))
            }
        }
    })
}

/// Whether a kind's entity id is its table's `id` column, so a page of rows in id order spans
/// the range of entity ids from its first to its last.
pub fn keyed_by_id(kind: EntityKind) -> bool {
    match kind {
        EntityKind::Mission
        | EntityKind::Tender
        | EntityKind::Bid
        | EntityKind::Evaluation
        | EntityKind::Award
        | EntityKind::Contract
        | EntityKind::Term
        | EntityKind::Observation
        | EntityKind::Consequence
        | EntityKind::PerformanceNotice => true,
        EntityKind::EvaluatorScore | EntityKind::ModeratedScore | EntityKind::AuthoritySettings => {
            false
        }
    }
}

/// Which of `ids` (entity ids of `kind`) have a stored row in the authority.
pub fn existing(
    conn: &mut DbConnection,
    kind: EntityKind,
    authority: &AuthorityId,
    ids: &[String],
) -> QueryResult<HashSet<String>> {
    macro_rules! ids_in {
        ($table:ident) => {
            $table::table
                .filter($table::authority.eq(authority.as_str()))
                .filter($table::id.eq_any(ids))
                .select($table::id)
                .load::<String>(conn)?
        };
    }
    // A score's entity id starts with its bid's id (a UUID, so it holds no `/`).
    let bid_ids = || -> Vec<&str> { ids.iter().filter_map(|id| id.split('/').next()).collect() };
    let found: Vec<String> = match kind {
        EntityKind::Mission => ids_in!(missions),
        EntityKind::Tender => ids_in!(tenders),
        EntityKind::Bid => ids_in!(bids),
        EntityKind::EvaluatorScore => {
            let rows: Vec<EvaluatorScoreRow> = evaluator_scores::table
                .filter(evaluator_scores::authority.eq(authority.as_str()))
                .filter(evaluator_scores::bid_id.eq_any(bid_ids()))
                .load(conn)?;
            rows.iter().map(Audited::entity_id).collect()
        }
        EntityKind::ModeratedScore => {
            let rows: Vec<ModeratedScoreRow> = moderated_scores::table
                .filter(moderated_scores::authority.eq(authority.as_str()))
                .filter(moderated_scores::bid_id.eq_any(bid_ids()))
                .load(conn)?;
            rows.iter().map(Audited::entity_id).collect()
        }
        EntityKind::Evaluation => ids_in!(evaluations),
        EntityKind::Award => ids_in!(awards),
        EntityKind::Contract => ids_in!(contracts),
        EntityKind::Term => ids_in!(terms),
        EntityKind::Observation => ids_in!(observations),
        EntityKind::Consequence => ids_in!(consequences),
        EntityKind::PerformanceNotice => ids_in!(performance_notices),
        EntityKind::AuthoritySettings => authority_settings::table
            .filter(authority_settings::authority.eq(authority.as_str()))
            .select(authority_settings::authority)
            .load::<String>(conn)?,
    };
    Ok(found.into_iter().collect())
}
