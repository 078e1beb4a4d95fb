//! Who is calling and what they may do. Pure: the HTTP extractor lives in `api::context`.

pub mod jwt;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::authority::AuthorityId;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Officer,
    Evaluator,
    Auditor,
    Integration,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Officer,
        Self::Evaluator,
        Self::Auditor,
        Self::Integration,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Evaluator => "evaluator",
            Self::Auditor => "auditor",
            Self::Integration => "integration",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The role policy: which roles may perform each kind of operation. Every handler names one of
/// these, so the whole policy reads in one place.
pub mod policy {
    use super::Role;

    /// Any role of the authority may read its missions.
    pub const READ_MISSIONS: &[Role] = &Role::ALL;
    pub const WRITE_MISSIONS: &[Role] = &[Role::Officer, Role::Admin];
    pub const READ_AUDIT: &[Role] = &[Role::Auditor, Role::Admin];
    /// Tenders, their criteria and bids are read by every role of the authority.
    pub const READ_TENDERS: &[Role] = &Role::ALL;
    pub const WRITE_TENDERS: &[Role] = &[Role::Officer, Role::Admin];
    /// Council systems may push bids received through their e-tendering portal.
    pub const SUBMIT_BIDS: &[Role] = &[Role::Officer, Role::Admin, Role::Integration];
    pub const SCORE_BIDS: &[Role] = &[Role::Evaluator];
    pub const MODERATE_SCORES: &[Role] = &[Role::Officer, Role::Admin];
    /// Who sees every evaluator's scores and the evaluation results before award.
    pub const READ_EVALUATION: &[Role] = &[Role::Officer, Role::Admin, Role::Auditor];
    pub const AWARD: &[Role] = &[Role::Officer, Role::Admin];
}

/// An authenticated caller: subject, authority (tenant) and roles, from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub authority: AuthorityId,
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this operation needs one of the roles: {}", needed.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))]
pub struct MissingRole {
    pub needed: Vec<Role>,
}

impl Principal {
    pub fn require_any(&self, allowed: &[Role]) -> Result<(), MissingRole> {
        if self.roles.iter().any(|r| allowed.contains(r)) {
            Ok(())
        } else {
            Err(MissingRole {
                needed: allowed.to_vec(),
            })
        }
    }

    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.as_str().to_string()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(roles: &[Role]) -> Principal {
        Principal {
            subject: "alice".into(),
            authority: AuthorityId::parse("camden").unwrap(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_role_in_the_policy_passes() {
        assert!(
            principal(&[Role::Auditor, Role::Officer])
                .require_any(policy::WRITE_MISSIONS)
                .is_ok()
        );
    }

    #[test]
    fn a_missing_role_names_what_is_needed() {
        let err = principal(&[Role::Evaluator])
            .require_any(policy::READ_AUDIT)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "this operation needs one of the roles: auditor, admin"
        );
    }
}
