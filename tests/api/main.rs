//! HTTP integration tests: the real server, on SQLite and on PostgreSQL.
// Test code: a failed expectation should stop the test where it happened.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
mod settings;
mod spec_check;
mod startup;
mod tenders;
