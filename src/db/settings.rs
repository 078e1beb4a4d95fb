//! Per-authority policy settings.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::authority_settings;
use crate::domain::authority::AuthorityId;

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = authority_settings, treat_none_as_null = true)]
pub struct SettingsRow {
    pub authority: String,
    pub social_value_floor_percent: String,
    pub conditionality_required_above: Option<String>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, authority: &AuthorityId) -> QueryResult<Option<SettingsRow>> {
    authority_settings::table
        .filter(authority_settings::authority.eq(authority.as_str()))
        .first(conn)
        .optional()
}

/// Inserts the first row or updates it (callers hold the authority's write lock).
pub fn save(conn: &mut DbConnection, row: &SettingsRow) -> QueryResult<()> {
    if row.version == 1 {
        diesel::insert_into(authority_settings::table)
            .values(row)
            .execute(conn)?;
    } else {
        diesel::update(
            authority_settings::table.filter(authority_settings::authority.eq(&row.authority)),
        )
        .set(row)
        .execute(conn)?;
    }
    Ok(())
}
