//! An authority's own policy settings, over the deployment's defaults.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::{self, DbConnection, settings::SettingsRow};
use crate::domain::authority::AuthorityId;
use crate::error::AppError;

use super::{Actor, Precondition, write_tx};

pub const ENTITY: &str = "authority_settings";

/// Policy the lint applies to an authority's tenders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthoritySettings {
    /// PPN 002 sets 10% for central government; an authority may set its own floor.
    #[serde(with = "rust_decimal::serde::str")]
    pub social_value_floor_percent: Decimal,
    /// Above this estimated value a tender should have a conditionality criterion.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub conditionality_required_above: Option<Decimal>,
    /// 0 while the authority uses the deployment's defaults.
    pub version: i64,
}

fn from_row(row: SettingsRow) -> Result<AuthoritySettings, AppError> {
    let bad =
        |e: rust_decimal::Error| AppError::from(db::CorruptRow::new(ENTITY, &row.authority, e));
    Ok(AuthoritySettings {
        social_value_floor_percent: row.social_value_floor_percent.parse().map_err(bad)?,
        conditionality_required_above: row
            .conditionality_required_above
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(bad)?,
        version: row.version,
    })
}

pub fn get(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    defaults: &AuthoritySettings,
) -> Result<AuthoritySettings, AppError> {
    match db::settings::find(conn, authority)? {
        Some(row) => from_row(row),
        None => Ok(AuthoritySettings {
            version: 0,
            ..defaults.clone()
        }),
    }
}

pub fn put(
    conn: &mut DbConnection,
    actor: &Actor,
    precondition: &Precondition,
    defaults: &AuthoritySettings,
    floor: Decimal,
    conditionality_required_above: Option<Decimal>,
) -> Result<AuthoritySettings, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let current = get(conn, authority, defaults)?;
        precondition.check(ENTITY, current.version)?;
        let next = AuthoritySettings {
            social_value_floor_percent: floor,
            conditionality_required_above,
            version: current.version + 1,
        };
        if (
            next.social_value_floor_percent,
            next.conditionality_required_above,
        ) == (
            current.social_value_floor_percent,
            current.conditionality_required_above,
        ) && current.version > 0
        {
            return Ok(current);
        }
        let row = SettingsRow {
            authority: authority.to_string(),
            social_value_floor_percent: next.social_value_floor_percent.to_string(),
            conditionality_required_above: next
                .conditionality_required_above
                .map(|v| v.to_string()),
            version: next.version,
            updated_at: db::to_db_time(audit.now()),
        };
        db::settings::save(conn, &row)?;
        audit.record("authority_settings.updated", &row, None);
        Ok(next)
    })
}
