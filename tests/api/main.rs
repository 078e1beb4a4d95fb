//! HTTP integration tests: the real server, on SQLite and on PostgreSQL.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should stop the test where it happened, and JSON is read by index"
)]

mod helpers;

mod audit;
mod auth;
mod cli;
mod contracts;
mod conventions;
mod evaluation;
mod idempotency;
mod missions;
mod openapi;
mod operations;
mod point_in_time;
mod settings;
mod spec_check;
mod startup;
mod tenders;
