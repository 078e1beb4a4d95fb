//! Pure domain: types and rules with no knowledge of HTTP, SQL or the runtime.

pub mod audit;
pub mod authority;
pub mod ids;
pub mod mission;
pub mod tender;
pub mod text;
pub mod validation;
