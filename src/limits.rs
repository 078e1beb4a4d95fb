//! Every resource limit of the service, in one list. Each refusal is a problem+json with its
//! own code, naming the limit.
//!
//! | limit | where it is set | refusal |
//! |---|---|---|
//! | request body (JSON) | `MAX_BODY_BYTES` (default 1 MiB) | 413 `payload_too_large` |
//! | bulk import body (returns, JSON or CSV) | `MAX_IMPORT_BYTES` (default 32 MiB) | 413 `payload_too_large` |
//! | rows per import | [`MAX_BATCH_ROWS`] | 422 `validation_failed` |
//! | field errors listed per response | [`MAX_FIELD_ERRORS`] (the rest counted in `errors_omitted`) | — |
//! | page size (`?limit=`) | `PAGE_MAX_LIMIT` (default 200) | 400 `invalid_query` |
//! | Monte Carlo draws (`?draws=`) | [`MAX_DRAWS`] | 400 `invalid_query` |
//! | time to send the request head | [`REQUEST_HEAD_TIMEOUT`] | 408, from the HTTP layer (no body) |
//! | time to send the request body | `REQUEST_BODY_TIMEOUT_SECS` (default 60) | 408 `request_timeout` |
//!
//! There is no limit on how long the service takes to answer: a write that has begun is not
//! abandoned half-way (it commits or rolls back), so the bounds are on what a request may ask
//! for — rows, draws, page sizes — not on the clock.

use std::time::Duration;

pub use crate::domain::scoring::MAX_DRAWS;
pub use crate::domain::validation::MAX_FIELD_ERRORS;
pub use crate::services::contracts::MAX_BATCH as MAX_BATCH_ROWS;

/// The request line and headers must arrive within this (slow clients hold a connection).
pub const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);
