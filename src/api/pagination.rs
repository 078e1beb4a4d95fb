//! Cursor pagination: `?limit=&cursor=`, `next_cursor` in the body (null on the last page).
//! Cursors are opaque to clients: base64url of a versioned position key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::borrow::Cow;

use serde::Serialize;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};

use crate::domain::validation::FieldError;
use crate::error::{AppError, ErrorCode};

pub const DEFAULT_LIMIT: i64 = 50;

/// One page of a list.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null when this is the last page.
    pub next_cursor: Option<String>,
}

/// Each page type is a component of its own (`Page_MissionResponse`) whose items refer to the
/// item's component, so generated clients get one item class, not a copy per list.
/// `ComposeSchema` is how utoipa 6 composes generic schemas (its derive emits the same); it sits
/// in utoipa's `__dev` module, so an upgrade of utoipa checks this impl first — the snapshot and
/// component tests fail if its output changes.
impl<T: utoipa::ToSchema> utoipa::__dev::ComposeSchema for Page<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let items = ArrayBuilder::new().items(Ref::from_schema_name(T::name()));
        let cursor = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .description(Some(
                "Pass as `cursor` to get the next page; null when this is the last page.",
            ));
        ObjectBuilder::new()
            .description(Some("One page of a list."))
            .property("items", items)
            .property("next_cursor", cursor)
            .required("items")
            .required("next_cursor")
            .into()
    }
}

impl<T: utoipa::ToSchema> utoipa::ToSchema for Page<T> {
    fn name() -> Cow<'static, str> {
        // utoipa appends the item's name: `Page_MissionResponse`.
        Cow::Borrowed("Page")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

impl<T> Page<T> {
    /// A list short enough by nature (a tender's evaluations, a contract's terms) to come
    /// whole, in the same envelope as every paged list.
    pub fn whole(items: Vec<T>) -> Self {
        Self {
            items,
            next_cursor: None,
        }
    }
}

/// A validated page request: how many rows to show and where to start.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<String>,
}

impl PageRequest {
    /// `limit` defaults to 50 and is capped at `max`; below 1 is an error. The cursor must be
    /// one this service issued.
    pub fn parse(limit: Option<i64>, cursor: Option<&str>, max: i64) -> Result<Self, AppError> {
        let limit = match limit {
            None => DEFAULT_LIMIT.min(max),
            Some(n) if n < 1 => {
                return Err(AppError::with_field(
                    ErrorCode::InvalidQuery,
                    "limit must be at least 1",
                    FieldError::new("limit", "must be at least 1"),
                ));
            }
            Some(n) => n.min(max),
        };
        // An empty cursor is the same as none: the first page.
        let after = cursor.filter(|c| !c.is_empty()).map(decode).transpose()?;
        Ok(Self { limit, after })
    }

    /// Fetch one row more than the page shows, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the extra row and issues the next cursor from the last row shown.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        key: impl Fn(&R) -> String,
        to_item: impl Fn(R) -> T,
    ) -> Page<T> {
        let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > self.limit;
        rows.truncate(usize::try_from(self.limit).unwrap_or(usize::MAX));
        let next_cursor = if more {
            rows.last().map(|r| encode(&key(r)))
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(to_item).collect(),
            next_cursor,
        }
    }
}

const PREFIX: &str = "v1:";

fn encode(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{key}"))
}

fn decode(cursor: &str) -> Result<String, AppError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix(PREFIX).map(str::to_string))
        .ok_or_else(|| {
            AppError::with_field(
                ErrorCode::InvalidCursor,
                "the cursor was not issued by this service; start again without a cursor",
                FieldError::new("cursor", "not a cursor issued by this service"),
            )
        })
}

/// A cursor's key parsed as the list's key type, or `invalid_cursor`.
pub fn parse_key<K: std::str::FromStr>(key: Option<String>) -> Result<Option<K>, AppError> {
    // A key that does not parse is a cursor of another list; the parser's cause says no more.
    key.map(|k| {
        k.parse::<K>().ok().ok_or_else(|| {
            AppError::with_field(
                ErrorCode::InvalidCursor,
                "the cursor does not belong to this list",
                FieldError::new("cursor", "not a cursor of this list"),
            )
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let p = PageRequest::parse(Some(2), Some(&encode("abc")), 200).unwrap();
        assert_eq!(p.after.as_deref(), Some("abc"));
        assert!(PageRequest::parse(None, Some("abc"), 200).is_err());
        assert!(PageRequest::parse(Some(0), None, 200).is_err());
        assert_eq!(
            PageRequest::parse(Some(5000), None, 200).unwrap().limit,
            200
        );
    }

    #[test]
    fn next_cursor_only_when_more_rows_follow() {
        let p = PageRequest::parse(Some(2), None, 200).unwrap();
        let page = p.page(vec![1, 2, 3], |r| r.to_string(), |r| r);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(
            page.next_cursor
                .as_deref()
                .map(decode)
                .transpose()
                .unwrap()
                .as_deref(),
            Some("2")
        );
        let last = p.page(vec![1, 2], |r| r.to_string(), |r| r);
        assert_eq!(last.next_cursor, None);
    }
}
