//! Missions: an authority's long-term goals with a small theory of change — outcomes at three
//! horizons (early changes, later changes, long-term outcome), each measured by indicators.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::authority::AuthorityId;
use super::ids::MissionId;
use super::text;
use super::validation::{Invalid, ValidationErrors};

pub const STATEMENT_MAX_CHARS: usize = 500;
pub const LABEL_MAX_CHARS: usize = 200;
pub const UNIT_MAX_CHARS: usize = 50;
pub const MAX_OUTCOMES: usize = 30;
pub const MAX_INDICATORS_PER_OUTCOME: usize = 20;
pub const MIN_TARGET_YEAR: i32 = 2000;
pub const MAX_TARGET_YEAR: i32 = 2100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissionStatus {
    Draft,
    Active,
    Achieved,
    Retired,
}

impl MissionStatus {
    pub const ALL: [MissionStatus; 4] = [Self::Draft, Self::Active, Self::Achieved, Self::Retired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Achieved => "achieved",
            Self::Retired => "retired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// The horizon of an outcome in the mission's theory of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    EarlyChange,
    LaterChange,
    LongTermOutcome,
}

/// The mission statement, e.g. "By 2030, everyone eats well every day".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MissionStatement(String);

impl MissionStatement {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        text::bounded(raw, 1, STATEMENT_MAX_CHARS).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The year by which the mission is to be achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TargetYear(i32);

impl TargetYear {
    pub fn parse(raw: i64) -> Result<Self, Invalid> {
        i32::try_from(raw)
            .ok()
            .filter(|y| (MIN_TARGET_YEAR..=MAX_TARGET_YEAR).contains(y))
            .map(Self)
            .ok_or(Invalid::YearOutOfRange {
                min: MIN_TARGET_YEAR,
                max: MAX_TARGET_YEAR,
            })
    }

    pub fn value(self) -> i32 {
        self.0
    }
}

/// A measure of progress towards an outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub unit: String,
    /// Decimal string, e.g. `"1200"`.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub baseline: Option<Decimal>,
    /// Decimal string, e.g. `"3000.5"`.
    #[serde(with = "rust_decimal::serde::str_option")]
    pub target: Option<Decimal>,
}

/// Unvalidated indicator fields as a client sent them.
pub struct IndicatorInput<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub baseline: Option<Decimal>,
    pub target: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub title: String,
    pub indicators: Vec<Indicator>,
}

/// Unvalidated outcome fields as a client sent them.
pub struct OutcomeInput<'a> {
    pub kind: OutcomeKind,
    pub title: &'a str,
    pub indicators: Vec<IndicatorInput<'a>>,
}

/// Parses the outcomes of a mission, recording each error under `field` (e.g. `outcomes`) with
/// the element's index, so `outcomes[1].indicators[0].unit` points at the exact input.
pub fn parse_outcomes(
    field: &str,
    inputs: Vec<OutcomeInput<'_>>,
    errors: &mut ValidationErrors,
) -> Option<Vec<Outcome>> {
    if inputs.len() > MAX_OUTCOMES {
        errors.push(field, format!("must hold at most {MAX_OUTCOMES} outcomes"));
        return None;
    }
    let before = errors.count();
    let mut outcomes = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let at = format!("{field}[{i}]");
        let title = errors.check(
            format!("{at}.title"),
            text::single_line(input.title, 1, LABEL_MAX_CHARS),
        );
        if input.indicators.len() > MAX_INDICATORS_PER_OUTCOME {
            errors.push(
                format!("{at}.indicators"),
                format!("must hold at most {MAX_INDICATORS_PER_OUTCOME} indicators"),
            );
            continue;
        }
        let mut indicators = Vec::with_capacity(input.indicators.len());
        for (j, ind) in input.indicators.into_iter().enumerate() {
            let at = format!("{at}.indicators[{j}]");
            let name = errors.check(
                format!("{at}.name"),
                text::single_line(ind.name, 1, LABEL_MAX_CHARS),
            );
            let unit = errors.check(
                format!("{at}.unit"),
                text::single_line(ind.unit, 1, UNIT_MAX_CHARS),
            );
            if let (Some(name), Some(unit)) = (name, unit) {
                indicators.push(Indicator {
                    name,
                    unit,
                    baseline: ind.baseline.map(|d| d.normalize()),
                    target: ind.target.map(|d| d.normalize()),
                });
            }
        }
        if let Some(title) = title {
            outcomes.push(Outcome {
                kind: input.kind,
                title,
                indicators,
            });
        }
    }
    (errors.count() == before).then_some(outcomes)
}

/// A mission to be created, every field already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMission {
    pub statement: MissionStatement,
    pub target_year: TargetYear,
    pub status: MissionStatus,
    pub outcomes: Vec<Outcome>,
}

/// A partial update: absent fields stay as they are; `outcomes` replaces the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissionChanges {
    pub statement: Option<MissionStatement>,
    pub target_year: Option<TargetYear>,
    pub status: Option<MissionStatus>,
    pub outcomes: Option<Vec<Outcome>>,
}

/// A stored mission. `version` counts its writes and backs the ETag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mission {
    pub id: MissionId,
    pub authority: AuthorityId,
    pub statement: MissionStatement,
    pub target_year: TargetYear,
    pub status: MissionStatus,
    pub outcomes: Vec<Outcome>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Mission {
    pub fn create(
        id: MissionId,
        authority: AuthorityId,
        new: NewMission,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            authority,
            statement: new.statement,
            target_year: new.target_year,
            status: new.status,
            outcomes: new.outcomes,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    /// Applies `changes`; returns whether anything differed (an empty change is not a write).
    pub fn apply(&mut self, changes: MissionChanges, now: DateTime<Utc>) -> bool {
        let before = self.clone();
        if let Some(statement) = changes.statement {
            self.statement = statement;
        }
        if let Some(year) = changes.target_year {
            self.target_year = year;
        }
        if let Some(status) = changes.status {
            self.status = status;
        }
        if let Some(outcomes) = changes.outcomes {
            self.outcomes = outcomes;
        }
        let changed = *self != before;
        if changed {
            self.version += 1;
            self.updated_at = now;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn outcome<'a>(title: &'a str, unit: &'a str) -> OutcomeInput<'a> {
        OutcomeInput {
            kind: OutcomeKind::EarlyChange,
            title,
            indicators: vec![IndicatorInput {
                name: "Children in breakfast clubs",
                unit,
                baseline: Some(dec("1200.00")),
                target: Some(dec("3000")),
            }],
        }
    }

    #[test]
    fn target_year_range() {
        assert!(TargetYear::parse(2030).is_ok());
        assert!(TargetYear::parse(1999).is_err());
        assert!(TargetYear::parse(2101).is_err());
        assert!(TargetYear::parse(i64::MAX).is_err());
    }

    #[test]
    fn outcome_errors_point_at_the_exact_field() {
        let mut errors = ValidationErrors::default();
        let parsed = parse_outcomes(
            "outcomes",
            vec![outcome("Good", "children"), outcome("", "")],
            &mut errors,
        );
        assert_eq!(parsed, None);
        let fields: Vec<_> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["outcomes[1].title", "outcomes[1].indicators[0].unit"]
        );
    }

    #[test]
    fn decimals_are_normalised_once_parsed() {
        let mut errors = ValidationErrors::default();
        let parsed = parse_outcomes("outcomes", vec![outcome("Good", "children")], &mut errors);
        let baseline = parsed.and_then(|o| o[0].indicators[0].baseline);
        assert_eq!(baseline.map(|d| d.to_string()), Some("1200".to_string()));
    }

    #[test]
    fn apply_bumps_version_only_on_change() {
        let now = Utc::now();
        let mut m = Mission::create(
            MissionId::new(),
            AuthorityId::parse("camden").unwrap(),
            NewMission {
                statement: MissionStatement::parse("By 2030, everyone eats well").unwrap(),
                target_year: TargetYear(2030),
                status: MissionStatus::Active,
                outcomes: vec![],
            },
            now,
        );
        assert!(!m.apply(
            MissionChanges {
                status: Some(MissionStatus::Active),
                ..Default::default()
            },
            now
        ));
        assert_eq!(m.version, 1);
        assert!(m.apply(
            MissionChanges {
                status: Some(MissionStatus::Achieved),
                ..Default::default()
            },
            now
        ));
        assert_eq!(m.version, 2);
    }
}
