//! `/api/v1/missions`: an authority's missions and their theory of change.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::policy;
use crate::domain::ids::MissionId;
use crate::domain::mission::{
    self as d, IndicatorInput, Mission, MissionChanges, MissionStatement, NewMission, OutcomeInput,
    TargetYear, parse_outcomes,
};
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services;
use crate::startup::AppState;

use super::docs::{CreateErrors, GetErrors, ListErrors, UpdateErrors};
use super::extract::{ApiJson, IdempotencyKey, IfMatch, RequestContext};
use super::pagination::{Page, PageRequest, parse_key};
use super::respond::{self, Created};
use super::wire::mission::{MissionOutcome, MissionStatus, OutcomeKind};
use super::wire::{Dec, Wire};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMissionRequest {
    /// What the mission will achieve, e.g. "By 2030, everyone eats well every day".
    #[schema(min_length = 1, max_length = 500)]
    pub statement: String,
    #[serde(deserialize_with = "super::wire::whole::i64")]
    #[schema(minimum = 2000, maximum = 2100, example = 2030)]
    pub target_year: i64,
    /// Defaults to `active`.
    #[serde(default)]
    pub status: Option<MissionStatus>,
    /// The theory of change; may be empty and filled in later.
    #[serde(default)]
    #[schema(max_items = 30)]
    pub outcomes: Vec<OutcomeRequest>,
}

/// A partial update: omitted fields keep their value; `outcomes` replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMissionRequest {
    #[schema(min_length = 1, max_length = 500)]
    pub statement: Option<String>,
    #[serde(default, deserialize_with = "super::wire::whole::option_i64")]
    #[schema(minimum = 2000, maximum = 2100)]
    pub target_year: Option<i64>,
    pub status: Option<MissionStatus>,
    #[schema(max_items = 30)]
    pub outcomes: Option<Vec<OutcomeRequest>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    pub kind: OutcomeKind,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_items = 20)]
    pub indicators: Vec<IndicatorRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// e.g. `children`, `%`, `tCO2e`.
    #[schema(min_length = 1, max_length = 50)]
    pub unit: String,
    #[serde(default)]
    pub baseline: Option<Dec>,
    #[serde(default)]
    pub target: Option<Dec>,
}

fn outcome_inputs(outcomes: &[OutcomeRequest]) -> Vec<OutcomeInput<'_>> {
    outcomes
        .iter()
        .map(|o| OutcomeInput {
            kind: o.kind.into(),
            title: &o.title,
            indicators: o
                .indicators
                .iter()
                .map(|i| IndicatorInput {
                    name: &i.name,
                    unit: &i.unit,
                    baseline: i.baseline.map(|d| d.0),
                    target: i.target.map(|d| d.0),
                })
                .collect(),
        })
        .collect()
}

impl TryFrom<CreateMissionRequest> for NewMission {
    type Error = ValidationErrors;

    fn try_from(req: CreateMissionRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let statement = errors.check("statement", MissionStatement::parse(&req.statement));
        let target_year = errors.check("target_year", TargetYear::parse(req.target_year));
        let outcomes = parse_outcomes("outcomes", outcome_inputs(&req.outcomes), &mut errors);
        errors.finish(|| {
            Some(NewMission {
                statement: statement?,
                target_year: target_year?,
                status: req.status.map_or(d::MissionStatus::Active, Into::into),
                outcomes: outcomes?,
            })
        })
    }
}

impl TryFrom<UpdateMissionRequest> for MissionChanges {
    type Error = ValidationErrors;

    fn try_from(req: UpdateMissionRequest) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let statement = req
            .statement
            .map(|s| errors.check("statement", MissionStatement::parse(&s)));
        let target_year = req
            .target_year
            .map(|y| errors.check("target_year", TargetYear::parse(y)));
        let outcomes = req
            .outcomes
            .map(|o| parse_outcomes("outcomes", outcome_inputs(&o), &mut errors));
        errors.finish(|| {
            Some(MissionChanges {
                statement: statement.map(|s| s.ok_or(())).transpose().ok()?,
                target_year: target_year.map(|y| y.ok_or(())).transpose().ok()?,
                status: req.status.map(Into::into),
                outcomes: outcomes.map(|o| o.ok_or(())).transpose().ok()?,
            })
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MissionResponse {
    #[schema(value_type = String, format = Uuid)]
    pub id: MissionId,
    pub authority: String,
    pub statement: String,
    pub target_year: i32,
    pub status: MissionStatus,
    pub outcomes: Vec<MissionOutcome>,
    /// Counts the writes to this mission; its ETag is this number in quotes.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Mission> for MissionResponse {
    fn from(m: Mission) -> Self {
        Self {
            id: m.id,
            authority: m.authority.to_string(),
            statement: m.statement.as_str().to_string(),
            target_year: m.target_year.value(),
            status: m.status.into(),
            outcomes: Wire::from_domain(m.outcomes),
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListMissionsQuery {
    /// Page size: default 50, capped at the configured maximum (200 unless changed).
    #[param(minimum = 1)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only missions with this status.
    pub status: Option<MissionStatus>,
}

/// Create a mission.
#[utoipa::path(
    tag = "missions",
    operation_id = "create_mission",
    request_body = CreateMissionRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = super::IDEMPOTENCY_KEY_DOC)),
    responses(
        (status = 201, description = "The mission, with its ETag and Location", body = MissionResponse,
            headers(("ETag" = String, description = "Strong ETag of this version"), ("Location" = String, description = "URL of the new mission"))),
        CreateErrors,
    ),
    security(("bearer" = [])),
)]
#[post("/missions")]
pub async fn create_mission(
    ctx: RequestContext,
    key: IdempotencyKey,
    body: ApiJson<CreateMissionRequest>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::WRITE_MISSIONS)?;
    let new = NewMission::try_from(body.value)?;
    respond::create(
        &state,
        &ctx,
        key,
        req.path(),
        &body.raw,
        move |conn, actor| {
            let mission = services::missions::create(conn, actor, new)?;
            Ok(Created {
                location: format!("/api/v1/missions/{}", mission.id),
                version: Some(mission.version),
                body: MissionResponse::from(mission),
            })
        },
    )
    .await
}

/// List the authority's missions.
#[utoipa::path(
    tag = "missions",
    operation_id = "list_missions",
    params(ListMissionsQuery),
    responses((status = 200, description = "One page of missions, oldest first", body = Page<MissionResponse>), ListErrors),
    security(("bearer" = [])),
)]
#[get("/missions")]
pub async fn list_missions(
    ctx: RequestContext,
    query: web::Query<ListMissionsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_MISSIONS)?;
    let query = query.into_inner();
    let page = PageRequest::parse(
        query.limit,
        query.cursor.as_deref(),
        state.settings.page_max_limit,
    )?;
    let after = parse_key::<MissionId>(page.after.clone())?;
    let authority = ctx.principal.authority.clone();
    let fetch = page.fetch_limit();
    let rows = state
        .run(move |conn| {
            services::missions::list(conn, &authority, after, query.status.map(Into::into), fetch)
        })
        .await?;
    let page = page.page(rows, |m| m.id.to_string(), MissionResponse::from);
    Ok(HttpResponse::Ok().json(page))
}

/// Get one mission.
#[utoipa::path(
    tag = "missions",
    operation_id = "get_mission",
    params(("id" = String, Path, format = Uuid, description = "Mission id")),
    responses(
        (status = 200, description = "The mission", body = MissionResponse,
            headers(("ETag" = String, description = "Send it back in If-Match to update"))),
        GetErrors,
    ),
    security(("bearer" = [])),
)]
#[get("/missions/{id}")]
pub async fn get_mission(
    ctx: RequestContext,
    id: web::Path<MissionId>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_MISSIONS)?;
    let id = id.into_inner();
    let authority = ctx.principal.authority.clone();
    let mission = state
        .run(move |conn| services::missions::get(conn, &authority, id))
        .await?;
    let version = mission.version;
    Ok(respond::ok_with_etag(
        &MissionResponse::from(mission),
        version,
    ))
}

/// Update a mission (`If-Match` required).
#[utoipa::path(
    tag = "missions",
    operation_id = "update_mission",
    request_body = UpdateMissionRequest,
    params(
        ("id" = String, Path, format = Uuid, description = "Mission id"),
        ("If-Match" = String, Header, description = "The ETag of the version the change is based on, or `*`"),
    ),
    responses(
        (status = 200, description = "The updated mission", body = MissionResponse,
            headers(("ETag" = String, description = "ETag of the new version"))),
        UpdateErrors,
    ),
    security(("bearer" = [])),
)]
#[patch("/missions/{id}")]
pub async fn update_mission(
    ctx: RequestContext,
    id: web::Path<MissionId>,
    if_match: IfMatch,
    body: ApiJson<UpdateMissionRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::WRITE_MISSIONS)?;
    let changes = MissionChanges::try_from(body.value)?;
    let id = id.into_inner();
    let actor = ctx.actor();
    let mission = state
        .write(actor, move |conn, actor| {
            services::missions::update(conn, actor, id, &if_match.0, changes)
        })
        .await?;
    let version = mission.version;
    Ok(respond::ok_with_etag(
        &MissionResponse::from(mission),
        version,
    ))
}
