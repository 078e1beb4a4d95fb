//! Pure domain: types and rules with no knowledge of HTTP, SQL or the runtime.

pub mod assessment;
pub mod audit;
pub mod authority;
pub mod calendar;
pub mod compliance;
pub mod contract;
pub mod ids;
pub mod mission;
pub mod scoring;
pub mod tender;
pub mod text;
pub mod validation;
