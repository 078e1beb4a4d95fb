//! mission-procurement: mission-oriented public procurement as a REST service.

pub mod admission;
pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod limits;
pub mod metrics;
pub mod services;
pub mod startup;
pub mod telemetry;
