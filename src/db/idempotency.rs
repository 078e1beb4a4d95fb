//! Stored responses of POSTs made with an `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::idempotency_keys;
use crate::domain::authority::AuthorityId;

#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub authority: String,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub status_code: i32,
    pub response_body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    key: &str,
) -> QueryResult<Option<IdempotencyRow>> {
    idempotency_keys::table
        .filter(idempotency_keys::authority.eq(authority.as_str()))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, row: &IdempotencyRow) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}
