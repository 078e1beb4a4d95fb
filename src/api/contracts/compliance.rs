//! A contract's compliance: every term and due period with its money consequences.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::ids::{ContractId, ObservationId, TermId};
use crate::error::AppError;
use crate::services::contracts::{self as service, ComplianceReport};
use crate::startup::AppState;

use crate::api::docs::GetErrors;
use crate::api::extract::RequestContext;

use super::csv_io::compliance_csv;
use super::*;
use crate::api::wire::compliance::{
    ObservationStatus as WireObservationStatus, PeriodAssessment, Rating as WireRating,
};
use crate::api::wire::{Money, Wire};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// The report as it stood at the end of this date (default today): periods due by then,
    /// and only the returns, corrections, decisions and term versions recorded by then.
    pub as_of: Option<NaiveDate>,
    /// `json` (default) or `csv`.
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// How a report is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Json,
    Csv,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceLine {
    #[schema(value_type = String, format = Uuid)]
    pub term_id: TermId,
    pub term_title: String,
    pub assessment: PeriodAssessment,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub observation_id: Option<ObservationId>,
    pub observation_status: Option<WireObservationStatus>,
    /// The return arrived after the period's deadline (period end + the contract's grace days).
    pub late: bool,
    /// The term requires evidence and the return carries none: it cannot be verified until a
    /// correction attaches it.
    pub evidence_missing: bool,
    pub dimensions: BTreeMap<String, String>,
    pub consequences: Vec<ConsequenceResponse>,
}

/// Counts over the report's lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceTotals {
    pub periods_due: usize,
    pub met: usize,
    pub partially_met: usize,
    pub not_met: usize,
    pub missing: usize,
    pub pending: usize,
    pub late: usize,
    pub evidence_missing: usize,
    pub breaches: usize,
}

impl From<service::ComplianceTotals> for ComplianceTotals {
    fn from(t: service::ComplianceTotals) -> Self {
        Self {
            periods_due: t.periods_due,
            met: t.met,
            partially_met: t.partially_met,
            not_met: t.not_met,
            missing: t.missing,
            pending: t.pending,
            late: t.late,
            evidence_missing: t.evidence_missing,
            breaches: t.breaches,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionBreakdown {
    pub dimension: String,
    pub value: String,
    /// Count of periods per compliance status.
    pub statuses: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceResponse {
    #[schema(value_type = String, format = Uuid)]
    pub contract_id: ContractId,
    pub as_of: NaiveDate,
    pub suggested_rating: WireRating,
    /// Breached periods (as in `totals`).
    pub breaches: usize,
    pub totals: ComplianceTotals,
    /// Money due by kind over all periods (pounds, 2 dp).
    pub money_due: BTreeMap<String, Money>,
    pub lines: Vec<ComplianceLine>,
    /// "Who is it working for, where": period statuses by each dimension value the returns carry.
    pub by_dimension: Vec<DimensionBreakdown>,
}

fn compliance_response(report: ComplianceReport) -> ComplianceResponse {
    let (totals, money_due, by_dimension) =
        (report.totals(), report.money_due(), report.by_dimension());
    let mut lines = Vec::new();
    for t in report.terms {
        for p in t.periods {
            lines.push(ComplianceLine {
                term_id: t.term.id,
                term_title: t.term.title.clone(),
                assessment: p.assessment.into(),
                observation_id: p.observation.as_ref().map(|o| o.id),
                observation_status: p.observation.as_ref().map(|o| o.status.into()),
                late: p.late,
                evidence_missing: p.evidence_missing,
                dimensions: p.observation.map(|o| o.dimensions).unwrap_or_default(),
                consequences: p
                    .consequences
                    .into_iter()
                    .map(ConsequenceResponse::from)
                    .collect(),
            });
        }
    }
    ComplianceResponse {
        contract_id: report.contract.id,
        as_of: report.as_of,
        suggested_rating: report.suggested_rating.into(),
        breaches: totals.breaches,
        totals: totals.into(),
        money_due: Wire::from_domain(money_due),
        lines,
        by_dimension: by_dimension
            .into_iter()
            .map(|((dimension, value), statuses)| DimensionBreakdown {
                dimension,
                value,
                statuses,
            })
            .collect(),
    }
}

/// Compliance of every term and due period, with money consequences (JSON or CSV).
#[utoipa::path(
    tag = "contracts", operation_id = "contract_compliance",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ComplianceQuery),
    responses((status = 200, description = "Per term and period: status, rating, figures and money",
        content((ComplianceResponse = "application/json"), (String = "text/csv"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/compliance")]
pub async fn contract_compliance(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    query: web::Query<ComplianceQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(REPORT)?;
    let csv = query.format == Some(ReportFormat::Csv);
    let as_of = query.as_of.unwrap_or_else(|| ctx.today());
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let report = state
        .run(move |conn| service::compliance(conn, &authority, id, as_of))
        .await?;
    if csv {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .body(compliance_csv(&report)?));
    }
    Ok(HttpResponse::Ok().json(compliance_response(report)))
}
