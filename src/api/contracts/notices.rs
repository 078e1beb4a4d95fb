//! Contract performance notices (Procurement Act 2023 s.71).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::compliance::Period;
use crate::domain::ids::{ContractId, TenderId, TermId};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::contracts::{self as service, NoticePayload};
use crate::startup::AppState;

use crate::api::docs::{CreateErrors, GetErrors};
use crate::api::extract::{ApiJson, IdempotencyKey, RequestContext};
use crate::api::respond::{self, Created};

use super::*;
use crate::api::wire::compliance::{NoticeDue, Rating as WireRating};
use crate::api::wire::{Wire, wire_struct};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeRequest {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The confirmed rating of every KPI term, by term id.
    #[schema(value_type = BTreeMap<uuid::Uuid, WireRating>)]
    pub ratings: BTreeMap<TermId, WireRating>,
    #[schema(min_length = 1, max_length = 10000)]
    pub justification: String,
}

/// A notice to publish, parsed.
pub struct NewNotice {
    pub period: Period,
    pub ratings: BTreeMap<TermId, crate::domain::compliance::Rating>,
    pub justification: String,
}

impl TryFrom<NoticeRequest> for NewNotice {
    type Error = ValidationErrors;

    fn try_from(r: NoticeRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if r.period_end < r.period_start {
            errors.push("period_end", "must not be before period_start");
        }
        let justification =
            errors.check("justification", text::bounded(&r.justification, 1, 10_000));
        errors.finish(|| {
            Some(NewNotice {
                period: Period {
                    start: r.period_start,
                    end: r.period_end,
                },
                ratings: r.ratings.into_iter().map(|(t, r)| (t, r.into())).collect(),
                justification: justification?,
            })
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticesResponse {
    pub published: Vec<PerformanceNotice>,
    /// Notices now due: yearly, on termination, within 30 days of a breach.
    pub due: Vec<NoticeDue>,
}

wire_struct! {
    /// A KPI's confirmed rating for the notice's period.
    pub struct KpiRating = service::KpiRating {
        #[schema(value_type = uuid::Uuid)]
        pub term_id: TermId,
        pub title: String,
        pub material: bool,
        pub rating: WireRating,
        /// What the compliance figures suggest for the period.
        pub suggested: WireRating,
    }
}

wire_struct! {
    /// What Procurement Regulations 2024 reg. 39 requires a contract performance notice to carry.
    pub struct PerformanceNotice = NoticePayload {
        #[schema(value_type = uuid::Uuid)]
        pub notice_id: crate::domain::ids::NoticeId,
        #[schema(value_type = uuid::Uuid)]
        pub contract_id: ContractId,
        #[schema(value_type = Option<uuid::Uuid>)]
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
        pub published_at: DateTime<Utc>,
    }
}

/// Publish a contract performance notice (Procurement Act 2023 s.71, reg. 39).
#[utoipa::path(
    tag = "contracts", operation_id = "create_performance_notice", request_body = NoticeRequest,
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), ("Idempotency-Key" = Option<String>, Header, description = crate::api::IDEMPOTENCY_KEY_DOC)),
    responses((status = 201, description = "The notice's payload", body = PerformanceNotice),
        (status = 404, description = "No such contract in your authority (`not_found`)", body = crate::error::Problem, content_type = "application/problem+json"),
        CreateErrors),
    security(("bearer" = [])),
)]
#[post("/contracts/{id}/performance-notices")]
pub async fn create_performance_notice(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    key: IdempotencyKey,
    body: ApiJson<NoticeRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(WRITE)?;
    let NewNotice {
        period,
        ratings,
        justification,
    } = NewNotice::try_from(body.value)?;
    let id = id.into_inner();
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let payload = service::create_notice(conn, actor, id, period, ratings, justification)?;
            Ok(Created {
                location: format!("/api/v1/contracts/{id}/performance-notices"),
                version: None,
                body: PerformanceNotice::from(payload),
            })
        },
    )
    .await
}

/// Published performance notices and those now due.
#[utoipa::path(
    tag = "contracts", operation_id = "list_performance_notices",
    params(("id" = String, Path, format = Uuid, description = CONTRACT_ID), AsOfQuery),
    responses((status = 200, description = "Published and due notices", body = NoticesResponse), GetErrors),
    security(("bearer" = [])),
)]
#[get("/contracts/{id}/performance-notices")]
pub async fn list_performance_notices(
    ctx: RequestContext,
    id: web::Path<ContractId>,
    query: web::Query<AsOfQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(REPORT)?;
    let as_of = query.as_of.unwrap_or_else(|| ctx.today());
    let (id, authority) = (id.into_inner(), ctx.principal.authority.clone());
    let (published, due) = state
        .run(move |conn| service::notices(conn, &authority, id, as_of))
        .await?;
    Ok(HttpResponse::Ok().json(NoticesResponse {
        published: Wire::from_domain(published),
        due: Wire::from_domain(due),
    }))
}
