//! The authority's four missions, from the Camden Renewal Commission.

use crate::domain::mission::{
    IndicatorInput, MissionStatement, MissionStatus, NewMission, OutcomeInput, OutcomeKind,
    TargetYear, parse_outcomes,
};
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;

use super::decimal;

type Indicator = (&'static str, &'static str, &'static str, &'static str);
type Outcome = (OutcomeKind, &'static str, &'static [Indicator]);

pub(super) const MISSIONS: &[(&str, i64, &[Outcome])] = &[
    (
        "By 2030, everyone eats well every day with nutritious, affordable, sustainable food",
        2030,
        &[
            (
                OutcomeKind::EarlyChange,
                "More children start the day with a healthy breakfast",
                &[(
                    "Children attending school breakfast clubs",
                    "children",
                    "2400",
                    "4000",
                )],
            ),
            (
                OutcomeKind::LaterChange,
                "Community food organisations work as one coalition",
                &[(
                    "Community organisations in the food coalition",
                    "organisations",
                    "40",
                    "60",
                )],
            ),
            (
                OutcomeKind::LongTermOutcome,
                "No household goes hungry",
                &[("Households reporting food insecurity", "%", "18.5", "5")],
            ),
        ],
    ),
    (
        "By 2030, Camden's estates and streets are creative and sustainable",
        2030,
        &[
            (
                OutcomeKind::EarlyChange,
                "Vacant estate spaces open for community and creative use",
                &[(
                    "Vacant spaces brought into community use",
                    "spaces",
                    "12",
                    "60",
                )],
            ),
            (
                OutcomeKind::LaterChange,
                "Council homes are retrofitted",
                &[(
                    "Council homes retrofitted to EPC C or better",
                    "homes",
                    "3100",
                    "12000",
                )],
            ),
            (
                OutcomeKind::LongTermOutcome,
                "Estates reach net zero",
                &[(
                    "Carbon emissions from council estates",
                    "tCO2e",
                    "88000",
                    "35000",
                )],
            ),
        ],
    ),
    (
        "By 2030, those holding positions of power in Camden are as diverse as its community",
        2030,
        &[
            (
                OutcomeKind::EarlyChange,
                "Residents from under-represented groups train for governance roles",
                &[(
                    "Residents completing board and governor training",
                    "people",
                    "60",
                    "300",
                )],
            ),
            (
                OutcomeKind::LongTermOutcome,
                "Leadership reflects the borough",
                &[(
                    "Board, governor and trustee roles held by people from under-represented groups",
                    "%",
                    "22",
                    "45",
                )],
            ),
        ],
    ),
    (
        "By 2025, every young person has access to economic opportunity that enables them to be safe and secure",
        2025,
        &[
            (
                OutcomeKind::EarlyChange,
                "Young people gain work experience and green skills",
                &[
                    (
                        "High-quality work experience placements a year",
                        "placements",
                        "250",
                        "350",
                    ),
                    (
                        "Apprenticeships in green skills a year",
                        "apprenticeships",
                        "150",
                        "150",
                    ),
                ],
            ),
            (
                OutcomeKind::LaterChange,
                "Young people supported into training, apprenticeships or jobs",
                &[(
                    "Young people with bespoke support under the young talent guarantee",
                    "people",
                    "0",
                    "500",
                )],
            ),
        ],
    ),
];

pub(super) fn new_mission(
    statement: &str,
    year: i64,
    outcomes: &[Outcome],
) -> Result<NewMission, AppError> {
    let mut errors = ValidationErrors::default();
    let mut inputs = Vec::new();
    for (kind, title, indicators) in outcomes {
        let mut parsed = Vec::new();
        for (name, unit, baseline, target) in indicators.iter() {
            parsed.push(IndicatorInput {
                name,
                unit,
                baseline: Some(decimal(baseline)?),
                target: Some(decimal(target)?),
            });
        }
        inputs.push(OutcomeInput {
            kind: *kind,
            title,
            indicators: parsed,
        });
    }
    let outcomes = parse_outcomes("outcomes", inputs, &mut errors);
    let statement = errors.check("statement", MissionStatement::parse(statement));
    let target_year = errors.check("target_year", TargetYear::parse(year));
    Ok(errors.finish(|| {
        Some(NewMission {
            statement: statement?,
            target_year: target_year?,
            status: MissionStatus::Active,
            outcomes: outcomes?,
        })
    })?)
}
