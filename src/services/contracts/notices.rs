//! Contract performance notices: published with confirmed KPI ratings, and those now due.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::{self, DbConnection, contracts as q};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{
    ComplianceStatus, ContractStatus, NoticeDue, Period, PublishedNotice, Rating, TermKind,
    notices_due,
};
use crate::domain::ids::{ContractId, NoticeId, TenderId, TermId};
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::{Actor, write_tx};

use super::{TermCompliance, compliance};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct KpiRating {
    pub term_id: TermId,
    pub title: String,
    pub material: bool,
    pub rating: Rating,
    /// What the compliance figures suggest for the period.
    pub suggested: Rating,
}

/// What Procurement Regulations 2024 reg. 39 requires a contract performance notice to carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NoticePayload {
    pub notice_id: NoticeId,
    pub contract_id: ContractId,
    pub procurement_id: Option<TenderId>,
    pub contract_title: String,
    pub supplier_name: String,
    pub supplier_identifier: String,
    pub supplier_locality: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub kpis: Vec<KpiRating>,
    pub justification: String,
    pub published_by: String,
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// The most severe rating among `ratings` (`other` when there is none to go by): what a notice
/// suggests for a KPI over its period.
pub fn worst(ratings: impl Iterator<Item = Rating>) -> Rating {
    ratings
        .filter(|r| *r != Rating::Other)
        .max_by_key(|r| r.severity())
        .unwrap_or(Rating::Other)
}

/// Records a performance notice: the officer confirms a rating for each KPI for the period.
pub fn create_notice(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    period: Period,
    confirmed: BTreeMap<TermId, Rating>,
    justification: String,
) -> Result<NoticePayload, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        // The notice assesses its period with everything on record when it is published.
        let report = compliance(conn, authority, contract_id, audit.now().date_naive())?;
        let kpis: Vec<&TermCompliance> = report
            .terms
            .iter()
            .filter(|t| t.term.spec.kind == TermKind::Kpi)
            .collect();
        let mut errors = ValidationErrors::default();
        let known: BTreeSet<TermId> = kpis.iter().map(|t| t.term.id).collect();
        for id in confirmed.keys() {
            if !known.contains(id) {
                errors.push(
                    format!("ratings.{id}"),
                    "is not a KPI term of this contract",
                );
            }
        }
        for t in &kpis {
            if !confirmed.contains_key(&t.term.id) {
                errors.push(
                    format!("ratings.{}", t.term.id),
                    "every KPI needs a confirmed rating",
                );
            }
        }
        if kpis.is_empty() {
            errors.push("ratings", "the contract has no KPI terms to rate");
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let kpis = kpis
            .iter()
            .map(|t| KpiRating {
                term_id: t.term.id,
                title: t.term.title.clone(),
                material: t.term.spec.material,
                rating: confirmed.get(&t.term.id).copied().unwrap_or(Rating::Other),
                suggested: worst(
                    t.periods
                        .iter()
                        .filter(|p| {
                            p.assessment.period.end >= period.start
                                && p.assessment.period.end <= period.end
                        })
                        .map(|p| p.assessment.rating),
                ),
            })
            .collect();
        let c = &report.contract;
        let payload = NoticePayload {
            notice_id: NoticeId::new(),
            contract_id,
            procurement_id: c.tender_id,
            contract_title: c.title.clone(),
            supplier_name: c.supplier.name.clone(),
            supplier_identifier: c.supplier.identifier.clone(),
            supplier_locality: c.supplier.locality.clone(),
            period_start: period.start,
            period_end: period.end,
            kpis,
            justification,
            published_by: actor.principal.subject.clone(),
            published_at: audit.now(),
        };
        let row = q::NoticeRow {
            id: payload.notice_id.to_string(),
            authority: authority.to_string(),
            contract_id: contract_id.to_string(),
            period_start: period.start,
            period_end: period.end,
            payload: serde_json::to_string(&payload).map_err(AppError::internal)?,
            justification: payload.justification.clone(),
            created_by: payload.published_by.clone(),
            created_at: db::to_db_time(payload.published_at),
        };
        q::insert_notice(conn, &row)?;
        audit.record("performance_notice.published", &row, None);
        Ok(payload)
    })
}

/// The notices published, and those now due (annually, on termination, within 30 days of a breach).
pub fn notices(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    as_of: NaiveDate,
) -> Result<(Vec<NoticePayload>, Vec<NoticeDue>), AppError> {
    let report = compliance(conn, authority, contract_id, as_of)?;
    let published = q::notices_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| {
            serde_json::from_str::<NoticePayload>(&r.payload)
                .map_err(|e| AppError::from(db::CorruptRow::new("notice", &r.id, e)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let on_record: Vec<PublishedNotice> = published
        .iter()
        .map(|n| PublishedNotice {
            published_on: n.published_at.date_naive(),
            period: Period {
                start: n.period_start,
                end: n.period_end,
            },
        })
        .collect();
    let breaches: Vec<Period> = report
        .terms
        .iter()
        .flat_map(|t| t.periods.iter())
        .filter(|p| {
            p.assessment.breach
                && matches!(
                    p.assessment.status,
                    ComplianceStatus::NotMet | ComplianceStatus::Missing
                )
        })
        .map(|p| p.assessment.period)
        .collect();
    let c = &report.contract;
    let terminated_on = (c.status == ContractStatus::Terminated)
        .then_some(c.status_changed_on)
        .flatten();
    let due = notices_due(
        &on_record,
        c.start,
        c.status,
        terminated_on,
        &breaches,
        as_of,
    );
    Ok((published, due))
}
