//! `/api/v1/settings`: the authority's own policy settings.

use actix_web::{HttpResponse, get, put, web};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Role, policy};
use crate::domain::tender::parse::{decimal_in, money};
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::settings::{self as service, AuthoritySettings};
use crate::startup::AppState;

use super::docs::{GetErrors, UpdateErrors};
use super::extract::{ApiJson, IfMatch, RequestContext};
use super::respond;
use super::wire::{Dec, Money};

#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsResponse {
    /// The lint warns when a tender's social value weight is below this percent (PPN 002: 10).
    pub social_value_floor_percent: Dec,
    /// The lint warns when a tender estimated above this value has no conditionality criterion; null switches it off.
    pub conditionality_required_above: Option<Money>,
    /// 0 while the deployment's defaults apply; the ETag is this number in quotes.
    pub version: i64,
}

impl From<AuthoritySettings> for SettingsResponse {
    fn from(s: AuthoritySettings) -> Self {
        Self {
            social_value_floor_percent: Dec(s.social_value_floor_percent),
            conditionality_required_above: s.conditionality_required_above.map(Money),
            version: s.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutSettingsRequest {
    /// Percent, 0 to 100 with at most 2 decimal places.
    pub social_value_floor_percent: Dec,
    /// Pounds; null switches the check off.
    #[serde(default)]
    pub conditionality_required_above: Option<Money>,
}

/// The social value floor (a percent, 2 dp) and the conditionality threshold (money or none).
fn parse_settings(r: PutSettingsRequest) -> Result<(Decimal, Option<Decimal>), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let floor = errors.check(
        "social_value_floor_percent",
        decimal_in(
            r.social_value_floor_percent.0,
            Decimal::ZERO,
            Decimal::ONE_HUNDRED,
            2,
        ),
    );
    let above = r
        .conditionality_required_above
        .and_then(|v| errors.check("conditionality_required_above", money(v.0, true)));
    errors.finish(|| Some((floor?, above)))
}

pub fn defaults(state: &AppState) -> AuthoritySettings {
    AuthoritySettings {
        social_value_floor_percent: state.settings.social_value_floor_percent,
        conditionality_required_above: state.settings.conditionality_required_above,
        version: 0,
    }
}

fn ok(s: AuthoritySettings) -> HttpResponse {
    let version = s.version;
    respond::ok_with_etag(&SettingsResponse::from(s), version)
}

/// The authority's policy settings (its own, or the deployment's defaults).
#[utoipa::path(
    tag = "settings", operation_id = "get_settings",
    responses((status = 200, description = "The settings in force", body = SettingsResponse, headers(("ETag" = String, description = "Strong ETag"))), GetErrors),
    security(("bearer" = [])),
)]
#[get("/settings")]
pub async fn get_settings(
    ctx: RequestContext,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(policy::READ_TENDERS)?;
    let (authority, defaults) = (ctx.principal.authority.clone(), defaults(&state));
    Ok(ok(state
        .run(move |conn| service::get(conn, &authority, &defaults))
        .await?))
}

/// Set the authority's policy settings (admins; `If-Match` required, `*` or `"0"` the first time).
#[utoipa::path(
    tag = "settings", operation_id = "put_settings", request_body = PutSettingsRequest,
    params(("If-Match" = String, Header, description = "The settings' ETag, or `*`")),
    responses((status = 200, description = "The settings in force", body = SettingsResponse, headers(("ETag" = String, description = "ETag of the new version"))), UpdateErrors),
    security(("bearer" = [])),
)]
#[put("/settings")]
pub async fn put_settings(
    ctx: RequestContext,
    if_match: IfMatch,
    body: ApiJson<PutSettingsRequest>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    ctx.require(&[Role::Admin])?;
    let (floor, above) = parse_settings(body.value)?;
    let (actor, defaults) = (ctx.actor(), defaults(&state));
    Ok(ok(state
        .write(actor, move |conn, actor| {
            service::put(conn, actor, &if_match.0, &defaults, floor, above)
        })
        .await?))
}
