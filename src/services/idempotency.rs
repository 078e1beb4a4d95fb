//! `Idempotency-Key`: a retried POST with the same key and the same request gets the first
//! response again instead of repeating the write; the same key with a different request is
//! refused. Keys are per authority and live in the database, so any instance can answer a
//! retry.

use diesel::Connection;

use crate::db::{self, DbConnection};
use crate::domain::audit::sha256_hex;
use crate::error::{AppError, ErrorCode};

use super::{Actor, now};

/// A response as it is stored for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// What identifies "the same request": method, path and the exact body bytes.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(method.len() + path.len() + body.len() + 2);
    bytes.extend_from_slice(method.as_bytes());
    bytes.push(b' ');
    bytes.extend_from_slice(path.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    sha256_hex(&bytes)
}

/// Runs `work` once per key. Returns the response and whether it is a replay.
///
/// The check, the work and the stored response share one transaction that holds the
/// authority's write lock, so two concurrent retries cannot both perform the write.
/// A failed `work` stores nothing: failures change nothing, so a retry may simply run again.
pub fn run_once(
    conn: &mut DbConnection,
    actor: &Actor,
    key: Option<&str>,
    fingerprint: &str,
    work: impl FnOnce(&mut DbConnection) -> Result<StoredResponse, AppError>,
) -> Result<(StoredResponse, bool), AppError> {
    let Some(key) = key else {
        return work(conn).map(|r| (r, false));
    };
    let authority = &actor.principal.authority;
    conn.transaction(|conn| {
        db::audit::lock_head(conn, authority)?;
        if let Some(stored) = db::idempotency::find(conn, authority, key)? {
            if stored.fingerprint != fingerprint {
                return Err(AppError::client(
                    ErrorCode::IdempotencyKeyReused,
                    "this Idempotency-Key was already used with a different request; use a new key for a new request",
                ));
            }
            let status = u16::try_from(stored.status_code).map_err(AppError::internal)?;
            return Ok((
                StoredResponse {
                    status,
                    body: stored.response_body,
                    location: stored.location,
                    etag: stored.etag,
                },
                true,
            ));
        }
        let response = work(conn)?;
        db::idempotency::insert(
            conn,
            &db::idempotency::IdempotencyRow {
                authority: authority.to_string(),
                idempotency_key: key.to_string(),
                fingerprint: fingerprint.to_string(),
                status_code: i32::from(response.status),
                response_body: response.body.clone(),
                location: response.location.clone(),
                etag: response.etag.clone(),
                created_at: db::to_db_time(now()),
            },
        )?;
        Ok((response, false))
    })
}
