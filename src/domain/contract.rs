//! Contracts as the service holds them: the contract, its terms with their monitoring plans,
//! the monitoring returns (append-only), consequence records and performance notices. The
//! rules that judge them live in `compliance`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::authority::AuthorityId;
use super::compliance::{
    Cadence, ClawbackBasis, Consequence, ContractSpec, ContractStatus, Formula, Metric,
    MetricDirection, Period, RatingBands, Schedule, TermKind, TermSpec,
};
use super::ids::{BidId, ConsequenceId, ContractId, MissionId, ObservationId, TenderId, TermId};
use super::tender::{
    Bid, Category, ConditionalityCommitment, Direction, EvaluationModel, ScoringMethod, Supplier,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contract {
    pub id: ContractId,
    pub authority: AuthorityId,
    pub title: String,
    pub tender_id: Option<TenderId>,
    pub bid_id: Option<BidId>,
    pub supplier: Supplier,
    #[serde(with = "rust_decimal::serde::str")]
    pub value: Decimal,
    pub currency: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub status: ContractStatus,
    /// When the status last changed (e.g. the termination date).
    pub status_changed_on: Option<NaiveDate>,
    pub mission_ids: Vec<MissionId>,
    /// Days after a period ends before a return that has not arrived counts as missing.
    pub grace_days: u32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contract {
    pub fn spec(&self) -> ContractSpec {
        ContractSpec {
            value: self.value,
            start: self.start,
            end: self.end,
            status: self.status,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub id: TermId,
    pub authority: AuthorityId,
    pub contract_id: ContractId,
    pub title: String,
    pub mission_id: Option<MissionId>,
    /// Where the term came from, e.g. `bid:C1` for a commitment carried from the winning bid.
    pub source: Option<String>,
    pub spec: TermSpec,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// When the current version was recorded.
    pub updated_at: DateTime<Utc>,
    /// The earlier versions, oldest first.
    pub history: Vec<TermVersion>,
}

/// An earlier version of a term, as it stood from `recorded_at` until the next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermVersion {
    pub version: i64,
    pub title: String,
    pub mission_id: Option<MissionId>,
    pub spec: TermSpec,
    pub recorded_at: DateTime<Utc>,
}

impl Term {
    /// Keeps the current version in the history, before a change replaces it.
    pub fn archive_current(&mut self) {
        self.history.push(TermVersion {
            version: self.version,
            title: self.title.clone(),
            mission_id: self.mission_id,
            spec: self.spec.clone(),
            recorded_at: self.updated_at,
        });
    }

    /// The term as it was recorded at the end of `date`: the last version recorded on or before
    /// it, or `None` when the term did not exist yet. Lets a report be re-performed later with
    /// the same figures.
    pub fn as_recorded_on(&self, date: NaiveDate) -> Option<Term> {
        if self.updated_at.date_naive() <= date {
            return Some(self.clone());
        }
        let earlier = self
            .history
            .iter()
            .rev()
            .find(|v| v.recorded_at.date_naive() <= date)?;
        Some(Term {
            title: earlier.title.clone(),
            mission_id: earlier.mission_id,
            spec: earlier.spec.clone(),
            version: earlier.version,
            updated_at: earlier.recorded_at,
            ..self.clone()
        })
    }
}

/// A document that backs a return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub name: String,
    pub uri: Option<String>,
    /// Lower-case hex SHA-256 of the document.
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObservationStatus {
    Submitted,
    Verified,
    Disputed,
}

impl ObservationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Verified => "verified",
            Self::Disputed => "disputed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Submitted, Self::Verified, Self::Disputed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Observation {
    pub id: ObservationId,
    pub contract_id: ContractId,
    pub term_id: TermId,
    pub period: Period,
    pub measures: BTreeMap<String, Decimal>,
    /// "Who is it working for, where": e.g. `ward`, `beneficiary_group`.
    pub dimensions: BTreeMap<String, String>,
    pub evidence: Vec<Evidence>,
    pub reported_by: String,
    pub reported_at: DateTime<Utc>,
    pub supersedes: Option<ObservationId>,
    pub superseded_by: Option<ObservationId>,
    pub status: ObservationStatus,
    pub status_note: Option<String>,
    /// Counts the writes to the return (its reviews); its ETag is this number in quotes.
    pub version: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsequenceStatus {
    Proposed,
    Applied,
    Waived,
    /// A later correction cleared the breach before any decision.
    Superseded,
}

impl ConsequenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Applied => "applied",
            Self::Waived => "waived",
            Self::Superseded => "superseded",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::Proposed,
            Self::Applied,
            Self::Waived,
            Self::Superseded,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsequenceRecord {
    pub id: ConsequenceId,
    pub contract_id: ContractId,
    pub term_id: TermId,
    pub period: Period,
    /// A money kind (`service_credit`, `clawback`, `profit_share_due`, …) or the consequence
    /// type for consequences without an amount (`improvement_plan`, `termination_right`, …).
    pub kind: String,
    pub amount: Option<Decimal>,
    pub detail: String,
    pub status: ConsequenceStatus,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// For a superseded consequence: the correction that cleared its breach.
    pub cleared_by: Option<ObservationId>,
}

impl ConsequenceRecord {
    /// The record as it stood at the end of `date`: `None` if it was proposed later; still
    /// `proposed` if it was decided (or superseded) later.
    pub fn as_recorded_on(&self, date: NaiveDate) -> Option<ConsequenceRecord> {
        if self.created_at.date_naive() > date {
            return None;
        }
        if self.decided_at.is_some_and(|at| at.date_naive() > date) {
            return Some(ConsequenceRecord {
                status: ConsequenceStatus::Proposed,
                reason: None,
                decided_by: None,
                decided_at: None,
                cleared_by: None,
                ..self.clone()
            });
        }
        Some(self.clone())
    }
}

impl Observation {
    /// Whether the return was recorded by the end of `date`.
    pub fn recorded_by(&self, date: NaiveDate) -> bool {
        self.reported_at.date_naive() <= date
    }
}

/// A draft term carried from the winning bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftTerm {
    pub title: String,
    pub mission_id: Option<MissionId>,
    pub source: String,
    pub spec: TermSpec,
}

fn draft_spec(kind: TermKind, cadence: Cadence, start: NaiveDate) -> TermSpec {
    TermSpec {
        kind,
        conditionality_type: None,
        material: false,
        metric: None,
        formula: None,
        schedule: Some(Schedule {
            cadence,
            first_period_start: start,
        }),
        rating_bands: RatingBands::default(),
        consequence: None,
        fee_per_period: None,
        evidence_required: true,
    }
}

/// The winning bid's commitments as draft terms with their targets filled in: each committed
/// quantity becomes a KPI (social value for social value criteria), each conditionality
/// commitment a conditionality term — profit sharing and reinvestment with their formulas and
/// a clawback, access as a cap or floor, directionality as a glide path to its target. The
/// officer reviews cadences and consequences before the contract starts.
pub fn terms_from_bid(model: &EvaluationModel, bid: &Bid, start: NaiveDate) -> Vec<DraftTerm> {
    let mut terms = Vec::new();
    for response in &bid.responses {
        let Some(criterion) = model
            .criteria
            .iter()
            .find(|c| c.code == response.criterion_code)
        else {
            continue;
        };
        let source = format!("bid:{}", criterion.code);
        if let Some(commitment) = &response.commitment {
            let mut spec = draft_spec(TermKind::Conditionality, Cadence::Annually, start);
            spec.conditionality_type = Some(commitment.kind());
            spec.material = true;
            match commitment {
                ConditionalityCommitment::ProfitSharing {
                    share_percent,
                    above_margin_percent,
                } => {
                    spec.formula = Some(Formula::ProfitSharing {
                        share_percent: *share_percent,
                        above_margin_percent: *above_margin_percent,
                    });
                    spec.consequence = Some(Consequence::Clawback {
                        basis: ClawbackBasis::ProfitShareFormula,
                    });
                }
                ConditionalityCommitment::Reinvestment {
                    percent_of_profit, ..
                } => {
                    spec.formula = Some(Formula::Reinvestment {
                        percent_of_profit: *percent_of_profit,
                    });
                    spec.consequence = Some(Consequence::Clawback {
                        basis: ClawbackBasis::ReinvestmentShortfall,
                    });
                }
                ConditionalityCommitment::Access { limit, value, .. } => {
                    spec.schedule = Some(Schedule {
                        cadence: Cadence::Quarterly,
                        first_period_start: start,
                    });
                    spec.formula = Some(Formula::Access {
                        limit: *limit,
                        value: *value,
                    });
                }
                ConditionalityCommitment::Directionality {
                    measure,
                    unit,
                    baseline,
                    target,
                    by,
                } => {
                    let falling = baseline.is_some_and(|b| *target < b);
                    spec.metric = Some(Metric {
                        name: measure.clone(),
                        unit: unit.clone(),
                        direction: if falling {
                            MetricDirection::AtMost
                        } else {
                            MetricDirection::AtLeast
                        },
                        baseline: *baseline,
                        target: *target,
                        target_date: Some(*by),
                        glide_path: baseline.is_some(),
                        tolerance: None,
                    });
                }
            }
            terms.push(DraftTerm {
                title: criterion.title.clone(),
                mission_id: criterion.mission_id,
                source,
                spec,
            });
        } else if let (Some(quantity), ScoringMethod::Quantity { direction, .. }) =
            (response.quantity, &criterion.method)
        {
            let kind = if criterion.category == Category::SocialValue {
                TermKind::SocialValue
            } else {
                TermKind::Kpi
            };
            let mut spec = draft_spec(kind, Cadence::Quarterly, start);
            spec.metric = Some(Metric {
                name: criterion.title.clone(),
                unit: "committed".into(),
                direction: match direction {
                    Direction::HigherBetter => MetricDirection::AtLeast,
                    Direction::LowerBetter => MetricDirection::AtMost,
                },
                baseline: None,
                target: quantity,
                target_date: None,
                glide_path: false,
                tolerance: None,
            });
            terms.push(DraftTerm {
                title: criterion.title.clone(),
                mission_id: criterion.mission_id,
                source,
                spec,
            });
        }
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::test_support::d;

    fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
        d(y, m, day).and_hms_opt(9, 0, 0).unwrap().and_utc()
    }

    fn term() -> Term {
        let spec: TermSpec = serde_json::from_value(serde_json::json!({
            "kind": "kpi", "material": true,
            "metric": {"name": "Visits", "unit": "%", "direction": "at_least", "target": "90"}
        }))
        .unwrap();
        Term {
            id: TermId::new(),
            authority: AuthorityId::parse("camden").unwrap(),
            contract_id: ContractId::new(),
            title: "Visits".into(),
            mission_id: None,
            source: None,
            spec,
            version: 1,
            created_at: at(2026, 1, 5),
            updated_at: at(2026, 1, 5),
            history: Vec::new(),
        }
    }

    #[test]
    fn a_term_as_recorded_on_a_date_is_the_version_then_in_force() {
        let mut t = term();
        t.archive_current();
        t.title = "Visits on time".into();
        t.version = 2;
        t.updated_at = at(2026, 4, 1);
        assert_eq!(t.as_recorded_on(d(2026, 1, 4)), None, "not yet recorded");
        let then = t.as_recorded_on(d(2026, 3, 31)).unwrap();
        assert_eq!((then.version, then.title.as_str()), (1, "Visits"));
        let now = t.as_recorded_on(d(2026, 4, 1)).unwrap();
        assert_eq!((now.version, now.title.as_str()), (2, "Visits on time"));
    }

    #[test]
    fn a_consequence_decided_later_was_still_proposed() {
        let decided = ConsequenceRecord {
            id: ConsequenceId::new(),
            contract_id: ContractId::new(),
            term_id: TermId::new(),
            period: Period {
                start: d(2026, 1, 1),
                end: d(2026, 1, 31),
            },
            kind: "service_credit".into(),
            amount: Some(Decimal::from(5000)),
            detail: String::new(),
            status: ConsequenceStatus::Applied,
            reason: Some("Deducted".into()),
            decided_by: Some("alice".into()),
            decided_at: Some(at(2026, 3, 1)),
            created_at: at(2026, 2, 15),
            cleared_by: None,
        };
        assert_eq!(decided.as_recorded_on(d(2026, 2, 14)), None);
        let before = decided.as_recorded_on(d(2026, 2, 28)).unwrap();
        assert_eq!(
            (before.status, before.reason),
            (ConsequenceStatus::Proposed, None)
        );
        assert_eq!(decided.as_recorded_on(d(2026, 3, 1)).unwrap(), decided);
    }
}
