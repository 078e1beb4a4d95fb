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
    pub updated_at: DateTime<Utc>,
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
}

impl ConsequenceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Applied => "applied",
            Self::Waived => "waived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Proposed, Self::Applied, Self::Waived]
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
