//! Mission rows and queries. Every query takes the authority: tenancy is part of the key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::missions;
use super::{CorruptRow, DbConnection, from_db_time, to_db_time};
use crate::domain::authority::AuthorityId;
use crate::domain::ids::MissionId;
use crate::domain::mission::{Mission, MissionStatement, MissionStatus, TargetYear};

#[derive(Debug, Clone, Queryable, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = missions)]
pub struct MissionRow {
    pub id: String,
    pub authority: String,
    pub statement: String,
    pub target_year: i32,
    pub status: String,
    pub outcomes: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MissionRow {
    pub fn from_domain(m: &Mission) -> Result<Self, serde_json::Error> {
        Ok(Self {
            id: m.id.to_string(),
            authority: m.authority.to_string(),
            statement: m.statement.as_str().to_string(),
            target_year: m.target_year.value(),
            status: m.status.as_str().to_string(),
            outcomes: serde_json::to_string(&m.outcomes)?,
            version: m.version,
            created_at: to_db_time(m.created_at),
            updated_at: to_db_time(m.updated_at),
        })
    }

    pub fn into_domain(self) -> Result<Mission, CorruptRow> {
        let corrupt = |reason: String| CorruptRow::new("mission", &self.id, reason);
        Ok(Mission {
            id: self.id.parse().map_err(|e| corrupt(format!("id: {e}")))?,
            authority: AuthorityId::parse(&self.authority).map_err(|e| corrupt(e.to_string()))?,
            statement: MissionStatement::parse(&self.statement)
                .map_err(|e| corrupt(e.to_string()))?,
            target_year: TargetYear::parse(i64::from(self.target_year))
                .map_err(|e| corrupt(e.to_string()))?,
            status: MissionStatus::parse(&self.status)
                .ok_or_else(|| corrupt(format!("status `{}`", self.status)))?,
            outcomes: serde_json::from_str(&self.outcomes)
                .map_err(|e| corrupt(format!("outcomes: {e}")))?,
            version: self.version,
            created_at: from_db_time(self.created_at),
            updated_at: from_db_time(self.updated_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, row: &MissionRow) -> QueryResult<()> {
    diesel::insert_into(missions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update(conn: &mut DbConnection, row: &MissionRow) -> QueryResult<()> {
    diesel::update(
        missions::table
            .filter(missions::id.eq(&row.id))
            .filter(missions::authority.eq(&row.authority)),
    )
    .set(row)
    .execute(conn)
    .map(|_| ())
}

pub fn find(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: MissionId,
) -> QueryResult<Option<MissionRow>> {
    missions::table
        .filter(missions::authority.eq(authority.as_str()))
        .filter(missions::id.eq(id.to_string()))
        .first::<MissionRow>(conn)
        .optional()
}

/// Up to `limit` missions after `after`, in id (creation) order.
pub fn list(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    after: Option<MissionId>,
    status: Option<MissionStatus>,
    limit: i64,
) -> QueryResult<Vec<MissionRow>> {
    let mut query = missions::table
        .filter(missions::authority.eq(authority.as_str()))
        .order(missions::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(missions::id.gt(after.to_string()));
    }
    if let Some(status) = status {
        query = query.filter(missions::status.eq(status.as_str()));
    }
    query.load::<MissionRow>(conn)
}
