//! Demo data that tells a realistic story: a Camden-like authority and its four missions
//! (from the Camden Renewal Commission, as described in *Mission Critical*, IIPP 2024), then
//! one procurement from tender to a year of contract monitoring:
//!
//! 1. a tender for long-term care and reablement with a criterion in every category and the
//!    conditionalities of Mazzucato & Rodrik (2023) — profit sharing and reinvestment — priced
//!    on fixed bounds;
//! 2. four bids: a Camden community interest company that wins, a national provider priced
//!    abnormally low (it is asked to explain, PA 2023 s.34), a solid local runner-up, and a
//!    charity whose CQC registration is still pending (it fails the gate);
//! 3. two evaluators (`ann`, `bob`) scoring every scale criterion, one spread flagged, moderated
//!    scores, a frozen evaluation and the award to rank 1;
//! 4. the contract from the award (December 2025 to November 2028) with every conditionality
//!    type, a social value term and three material KPIs, and its first year of returns: a missed
//!    month, a correction, returns by ward, a profit share due and a reinvestment shortfall;
//! 5. the consequences proposed as of 31 December 2026, one applied and one waived.
//!
//! Every write goes through the service workflows, so the audit trail records each step and
//! who took it. All figures (prices, percentages, returns) are illustrative, not real data.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Months, NaiveDate};
use diesel::Connection;
use rust_decimal::Decimal;

use crate::auth::{Principal, Role};
use crate::db::{self, DbConnection};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::{
    Cadence, Consequence, ContractStatus, CreditBasis, Formula, Metric, MetricDirection,
    RatingBands, Schedule, TermKind, TermSpec,
};
use crate::domain::contract::{ConsequenceStatus, Evidence, Observation, Term};
use crate::domain::ids::{BidId, ContractId, MissionId, TenderId};
use crate::domain::mission::{
    IndicatorInput, MissionStatement, MissionStatus, NewMission, OutcomeInput, OutcomeKind,
    TargetYear, parse_outcomes,
};
use crate::domain::tender::parse::{self, CriterionResponse};
use crate::domain::tender::{
    AccessLimit, AwardMethod, Bid, Category, ConditionalityCommitment, ConditionalityType,
    Criterion, DEFAULT_TIE_BREAK, Direction, QuantityScoring, ScaleLevel, ScoringMethod, Supplier,
    TenderAction, TenderDetails,
};
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::contracts::{
    ContractChanges, ContractDetails, DEFAULT_GRACE_DAYS, ObservationInput, TermInput,
};
use crate::services::evaluation::{AwardDecision, MIN_STANDSTILL_WORKING_DAYS};
use crate::services::tenders::{BidChanges, BidSubmission};
use crate::services::{self, Actor, Precondition};

pub const AUTHORITY: &str = "camden";

/// What one run of [`seed`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub authority: String,
    /// The demo was there already: nothing was written.
    pub already_loaded: bool,
    pub missions_created: usize,
    pub tender_title: String,
    pub bids: usize,
    /// The supplier of the winning bid.
    pub awarded_to: String,
    pub contract_terms: usize,
    /// Monitoring returns recorded, corrections included.
    pub returns: usize,
    pub consequences: usize,
    pub consequences_applied: usize,
    pub consequences_waived: usize,
}

impl fmt::Display for SeedSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.already_loaded {
            return write!(
                f,
                "demo data for `{}` is already loaded; nothing changed",
                self.authority
            );
        }
        write!(
            f,
            "loaded demo data for `{}`: {} missions; tender \"{}\" with {} bids, awarded to {}; \
             contract with {} terms and {} returns; {} consequences ({} applied, {} waived)",
            self.authority,
            self.missions_created,
            self.tender_title,
            self.bids,
            self.awarded_to,
            self.contract_terms,
            self.returns,
            self.consequences,
            self.consequences_applied,
            self.consequences_waived,
        )
    }
}

type Indicator = (&'static str, &'static str, &'static str, &'static str);
type Outcome = (OutcomeKind, &'static str, &'static [Indicator]);

const MISSIONS: &[(&str, i64, &[Outcome])] = &[
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

fn decimal(raw: &str) -> Result<Decimal, AppError> {
    raw.parse().map_err(AppError::internal)
}

fn new_mission(statement: &str, year: i64, outcomes: &[Outcome]) -> Result<NewMission, AppError> {
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

fn date(year: i32, month: u32, day: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| AppError::internal(format!("demo date {year}-{month}-{day} is invalid")))
}

/// The first day of the `k`-th month after `start`.
fn months_after(start: NaiveDate, k: u32) -> Result<NaiveDate, AppError> {
    start
        .checked_add_months(Months::new(k))
        .ok_or_else(|| AppError::internal("demo date out of range"))
}

fn actor(subject: &str, authority: &AuthorityId, role: Role) -> Actor {
    Actor {
        principal: Principal {
            subject: subject.into(),
            authority: authority.clone(),
            roles: vec![role],
        },
        request_id: "seed-demo".into(),
    }
}

/// Who does what in the story, so the audit trail shows each role at work.
struct Cast {
    /// Procurement officer's work: tender, bids as received, moderation, award, contract.
    officer: Actor,
    evaluators: [Actor; 2],
    /// The supplier's monitoring returns, through an integration.
    supplier: Actor,
}

// ---------------------------------------------------------------- the tender

const TENDER_TITLE: &str = "Long-term care and reablement";
const TENDER_DESCRIPTION: &str = "Home-based reablement after hospital discharge and long-term \
care at home for adults in Camden, delivered by ward-based teams, for three years from \
December 2025. Bids carry binding commitments on apprenticeships, profit sharing and \
reinvestment in the care workforce.";

/// The usual 0–5 quality scale.
const SCALE: [(&str, &str); 6] = [
    ("0", "No response, or the response is wholly inadequate"),
    ("1", "Poor: significant gaps and little evidence"),
    ("2", "Partly answers the question, with significant gaps"),
    ("3", "Substantially answers the question but lacks detail"),
    ("4", "Answers all elements with minor gaps"),
    ("5", "Comprehensive and thorough, with evidence"),
];

fn scale() -> Result<ScoringMethod, AppError> {
    let levels = SCALE
        .iter()
        .map(|(score, descriptor)| {
            Ok(ScaleLevel {
                score: decimal(score)?,
                descriptor: (*descriptor).to_string(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(ScoringMethod::Scale { levels })
}

fn criterion(
    code: &str,
    title: &str,
    category: Category,
    weight: &str,
    method: ScoringMethod,
) -> Result<Criterion, AppError> {
    Ok(Criterion {
        code: code.into(),
        title: title.into(),
        category,
        conditionality_type: None,
        mission_id: None,
        weight: decimal(weight)?,
        method,
        minimum_percent: None,
    })
}

/// Price 35 on fixed bounds, quality 30, social value 10, mission alignment 10, profit sharing
/// 5, reinvestment 10 and the CQC gate: 100 in all.
fn criteria(estates: MissionId) -> Result<Vec<Criterion>, AppError> {
    let mut mission = criterion(
        "M1",
        "Contribution to the estates mission",
        Category::MissionAlignment,
        "10",
        scale()?,
    )?;
    mission.mission_id = Some(estates);
    let mut profit = criterion(
        "C1",
        "Profit sharing above a fair margin",
        Category::Conditionality,
        "5",
        scale()?,
    )?;
    profit.conditionality_type = Some(ConditionalityType::ProfitSharing);
    let mut reinvest = criterion(
        "C2",
        "Share of profit reinvested in care workers' training",
        Category::Conditionality,
        "10",
        ScoringMethod::Quantity {
            direction: Direction::HigherBetter,
            scoring: QuantityScoring::Linear {
                threshold: decimal("0")?,
                target: decimal("20")?,
            },
        },
    )?;
    reinvest.conditionality_type = Some(ConditionalityType::Reinvestment);
    Ok(vec![
        criterion(
            "PRICE",
            "Total price over three years",
            Category::Price,
            "35",
            // Bounds fixed before bids open: no rank reversal (the recommended formula).
            ScoringMethod::LinearBounds {
                floor: decimal("3600000")?,
                ceiling: decimal("5400000")?,
            },
        )?,
        criterion(
            "Q1",
            "Reablement approach and continuity of care",
            Category::Quality,
            "30",
            scale()?,
        )?,
        criterion(
            "SV1",
            "Apprenticeships for local young people",
            Category::SocialValue,
            "10",
            ScoringMethod::Quantity {
                direction: Direction::HigherBetter,
                scoring: QuantityScoring::Linear {
                    threshold: decimal("0")?,
                    target: decimal("10")?,
                },
            },
        )?,
        mission,
        profit,
        reinvest,
        criterion(
            "G1",
            "Registered with the Care Quality Commission",
            Category::Quality,
            "0",
            ScoringMethod::Gate,
        )?,
    ])
}

/// An evaluator's score and rationale.
type Scored = (&'static str, &'static str);

/// Both evaluators' scores on one scale criterion and the moderated (consensus) score.
struct Scores {
    code: &'static str,
    ann: Scored,
    bob: Scored,
    moderated: Scored,
}

struct BidPlan {
    name: &'static str,
    identifier: &'static str,
    sme: bool,
    vcse: bool,
    locality: &'static str,
    price: &'static str,
    apprenticeships: &'static str,
    /// Percent of profit above the margin, and the margin (percent of revenue).
    profit_share: (&'static str, &'static str),
    /// Percent of profit, and what it is reinvested in.
    reinvestment: (&'static str, &'static str),
    cqc_registered: bool,
    /// Answers to Q1, SV1, M1, C1, C2 and G1, in that order.
    answers: [&'static str; 6],
    scores: [Scores; 3],
    /// The supplier's explanation of its price, when it is abnormally low.
    price_explanation: Option<&'static str>,
}

const BIDS: [BidPlan; 4] = [
    BidPlan {
        name: "Fleet Valley Care CIC",
        identifier: "GB-COH-11873402",
        sme: true,
        vcse: true,
        locality: "Camden",
        price: "4380000",
        apprenticeships: "8",
        profit_share: ("50", "8"),
        reinvestment: ("15", "care workers' training and qualifications"),
        cqc_registered: true,
        answers: [
            "Therapist-led six-week reablement pathway delivered by ward-based teams in Kentish Town, Gospel Oak and Somers Town; care workers on guaranteed hours; out-of-hours cover through a shared on-call rota.",
            "Eight apprenticeships a year for Camden residents aged 16 to 24, each with a guaranteed interview for a care role.",
            "An all-electric care fleet from the first day, and two vacant ground-floor units on the Gospel Oak estate opened as a community care hub with the council's estates team.",
            "Open-book accounts; 50% of profit above an 8% margin on contract revenue returned to the council each year.",
            "15% of profit reinvested in care workers' training: a Level 3 diploma for every care worker within two years.",
            "Registered with the CQC for personal care; rated Good at the last inspection.",
        ],
        scores: [
            Scores {
                code: "Q1",
                ann: (
                    "4",
                    "Method statement s.3 sets out a clear six-week pathway and named ward teams; out-of-hours cover is described only briefly.",
                ),
                bob: (
                    "5",
                    "The strongest answer: ward teams, guaranteed hours and a therapist on every package (s.3.1-3.3).",
                ),
                moderated: (
                    "4",
                    "Agreed 4: a complete pathway with evidence, but the out-of-hours arrangements (s.3.4) lack detail.",
                ),
            },
            Scores {
                code: "M1",
                ann: (
                    "4",
                    "Electric fleet from day one and the Gospel Oak hub are concrete; the hub has no committed opening date.",
                ),
                bob: (
                    "4",
                    "Hub co-designed with the estates team (appendix C) brings vacant space into community use.",
                ),
                moderated: (
                    "4",
                    "Agreed 4: both commitments are specific and costed; only the hub's opening date is open.",
                ),
            },
            Scores {
                code: "C1",
                ann: (
                    "4",
                    "50% above an 8% margin, open-book, reconciled annually: the most generous offer.",
                ),
                bob: (
                    "3",
                    "Generous share, but the definition of profit in s.6.2 leaves group recharges open.",
                ),
                moderated: (
                    "4",
                    "Agreed 4: the clarification response fixes the profit definition to the contract's own accounts.",
                ),
            },
        ],
        price_explanation: None,
    },
    BidPlan {
        name: "Swiftcare Solutions Ltd",
        identifier: "GB-COH-08456127",
        sme: false,
        vcse: false,
        locality: "Milton Keynes",
        price: "3290000",
        apprenticeships: "2",
        profit_share: ("10", "15"),
        reinvestment: ("2", "staff induction"),
        cqc_registered: true,
        answers: [
            "National reablement model run from a central rostering hub, with 15-minute visit slots where the care plan allows.",
            "Two apprenticeships a year, recruited nationally.",
            "A company-wide carbon reduction statement.",
            "10% of profit above a 15% margin returned to the council.",
            "2% of profit reinvested in staff induction.",
            "Registered with the CQC for personal care.",
        ],
        scores: [
            Scores {
                code: "Q1",
                ann: (
                    "2",
                    "Generic national pathway; no local teams; relies on 15-minute visits (s.2.1).",
                ),
                bob: (
                    "2",
                    "Continuity of care is not addressed beyond the central rota (s.2.4).",
                ),
                moderated: (
                    "2",
                    "Agreed 2: partly answers; short visits and a central rota leave significant gaps on continuity.",
                ),
            },
            Scores {
                code: "M1",
                ann: (
                    "1",
                    "Only a company-wide carbon statement; nothing for Camden's estates.",
                ),
                bob: ("1", "No link to the estates mission in the response."),
                moderated: (
                    "1",
                    "Agreed 1: no contribution to the estates mission is offered.",
                ),
            },
            Scores {
                code: "C1",
                ann: (
                    "1",
                    "10% above a 15% margin returns almost nothing at the margins in the bid's own pricing model.",
                ),
                bob: (
                    "2",
                    "Some share is offered, though only above a high margin.",
                ),
                moderated: (
                    "1",
                    "Agreed 1: at the bid's own projected 9% margin no share would ever be paid.",
                ),
            },
        ],
        price_explanation: Some(
            "Swiftcare attributes its price to its national rostering platform, 15-minute visit slots and regional management shared across 14 contracts, and confirms the London Living Wage for all care workers. The panel notes the price depends on short visits (see Q1) and accepts the explanation as sustainable for the provider.",
        ),
    },
    BidPlan {
        name: "Haverstock Home Support Ltd",
        identifier: "GB-COH-06328915",
        sme: true,
        vcse: false,
        locality: "Islington",
        price: "4720000",
        apprenticeships: "6",
        profit_share: ("30", "10"),
        reinvestment: ("10", "care workers' training"),
        cqc_registered: true,
        answers: [
            "Established home support provider with a reablement pathway led by senior carers and weekly reviews.",
            "Six apprenticeships a year for young people from Camden and Islington.",
            "A dementia cafe in a Somers Town estate community room, and an intention to move to electric vehicles by 2027.",
            "30% of profit above a 10% margin, with accounts open to the council on request.",
            "10% of profit reinvested in care workers' training.",
            "Registered with the CQC for personal care; rated Good.",
        ],
        scores: [
            Scores {
                code: "Q1",
                ann: (
                    "3",
                    "Sound pathway and staffing (s.3), but outcome measures are thin.",
                ),
                bob: (
                    "3",
                    "Weekly reviews are good practice; no therapist input to reablement goals.",
                ),
                moderated: (
                    "3",
                    "Agreed 3: substantially answers; outcome measurement and therapy input lack detail.",
                ),
            },
            Scores {
                code: "M1",
                ann: (
                    "1",
                    "Electric vehicles are an intention only, and the cafe is not an estates outcome.",
                ),
                bob: (
                    "4",
                    "The Somers Town cafe brings an estate room into community use (appendix B); fleet change planned.",
                ),
                moderated: (
                    "3",
                    "Spread discussed at moderation: the cafe is committed in appendix B, the fleet change is not. Agreed 3.",
                ),
            },
            Scores {
                code: "C1",
                ann: (
                    "3",
                    "30% above a 10% margin is reasonable; accounts only on request.",
                ),
                bob: ("3", "A fair offer without annual open-book reconciliation."),
                moderated: (
                    "3",
                    "Agreed 3: a real share at plausible margins, weaker transparency than open-book.",
                ),
            },
        ],
        price_explanation: None,
    },
    BidPlan {
        name: "Northern Heights Care Partnership",
        identifier: "GB-CHC-1167342",
        sme: true,
        vcse: true,
        locality: "Haringey",
        price: "4150000",
        apprenticeships: "5",
        profit_share: ("40", "8"),
        reinvestment: ("5", "volunteer befriending scheme"),
        cqc_registered: false,
        answers: [
            "Community-led reablement with volunteer befrienders alongside paid carers; staffing to be recruited on award.",
            "Five apprenticeships a year through the charity's youth programme.",
            "Befriending on Camden estates to reduce isolation.",
            "40% of any surplus above an 8% margin returned to the council.",
            "5% of surplus reinvested in the volunteer befriending scheme.",
            "Registration with the CQC for the reablement service applied for; decision expected in 2026.",
        ],
        scores: [
            Scores {
                code: "Q1",
                ann: (
                    "3",
                    "A thoughtful community model; the staffing plan depends on recruitment not yet started (s.4).",
                ),
                bob: (
                    "4",
                    "Befriending alongside care is a real strength for people living alone.",
                ),
                moderated: (
                    "3",
                    "Agreed 3: strong model, but delivery from day one is not evidenced.",
                ),
            },
            Scores {
                code: "M1",
                ann: (
                    "2",
                    "Befriending on estates is welcome but not linked to the mission's outcomes.",
                ),
                bob: (
                    "3",
                    "Uses estate community rooms, though with no committed number.",
                ),
                moderated: (
                    "2",
                    "Agreed 2: partly answers; no commitment on spaces brought into use.",
                ),
            },
            Scores {
                code: "C1",
                ann: (
                    "3",
                    "40% above 8% is generous for a charity; surplus defined in the accounts.",
                ),
                bob: (
                    "3",
                    "Clear offer; the charity's reserves policy may absorb the surplus first.",
                ),
                moderated: (
                    "3",
                    "Agreed 3: a good offer, qualified by the reserves policy.",
                ),
            },
        ],
        price_explanation: None,
    },
];

fn submission(plan: &BidPlan) -> Result<BidSubmission, AppError> {
    let response = |code: &str, answer: &str| CriterionResponse {
        criterion_code: code.into(),
        quantity: None,
        gate_passed: None,
        commitment: None,
        answer: Some(answer.into()),
    };
    let [q1, sv1, m1, c1, c2, g1] = plan.answers;
    let (share_percent, above_margin_percent) = plan.profit_share;
    let (percent_of_profit, purpose) = plan.reinvestment;
    let responses = vec![
        response("Q1", q1),
        CriterionResponse {
            quantity: Some(decimal(plan.apprenticeships)?),
            ..response("SV1", sv1)
        },
        response("M1", m1),
        CriterionResponse {
            commitment: Some(ConditionalityCommitment::ProfitSharing {
                share_percent: decimal(share_percent)?,
                above_margin_percent: decimal(above_margin_percent)?,
            }),
            ..response("C1", c1)
        },
        CriterionResponse {
            quantity: Some(decimal(percent_of_profit)?),
            commitment: Some(ConditionalityCommitment::Reinvestment {
                percent_of_profit: decimal(percent_of_profit)?,
                purpose: purpose.into(),
            }),
            ..response("C2", c2)
        },
        CriterionResponse {
            gate_passed: Some(plan.cqc_registered),
            ..response("G1", g1)
        },
    ];
    Ok(BidSubmission {
        supplier: Supplier {
            name: plan.name.into(),
            identifier: plan.identifier.into(),
            sme: plan.sme,
            vcse: plan.vcse,
            locality: Some(plan.locality.into()),
        },
        price: decimal(plan.price)?,
        submitted_at: None,
        responses,
    })
}

struct Awarded {
    tender_id: TenderId,
    bids: usize,
    winner: Bid,
}

/// Tender → bids → scores → frozen evaluation → award.
fn tender(conn: &mut DbConnection, cast: &Cast, estates: MissionId) -> Result<Awarded, AppError> {
    let officer = &cast.officer;
    let authority = &officer.principal.authority;
    let tender = services::tenders::create(
        conn,
        officer,
        TenderDetails {
            title: TENDER_TITLE.into(),
            description: TENDER_DESCRIPTION.into(),
            estimated_value: Some(decimal("4500000")?),
            currency: "GBP".into(),
            award_method: AwardMethod::WeightedScore,
            tie_break: DEFAULT_TIE_BREAK.to_vec(),
            abnormally_low_percent: decimal("20")?,
            spread_threshold: decimal("2")?,
            mission_ids: vec![estates],
        },
    )?;
    let model = parse::evaluation_model(&criteria(estates)?, &[])?;
    services::tenders::put_criteria(conn, officer, tender.id, &Precondition::Any, model, None)?;
    let findings = services::evaluation::lint(
        conn,
        authority,
        tender.id,
        &services::settings::AuthoritySettings {
            social_value_floor_percent: Decimal::TEN,
            conditionality_required_above: Some(decimal("1000000")?),
            version: 0,
        },
    )?;
    if let Some(f) = findings.first() {
        return Err(AppError::internal(format!(
            "the demo tender's model has lint findings: {} ({})",
            f.code, f.message
        )));
    }
    services::tenders::transition(conn, officer, tender.id, TenderAction::Open)?;

    let mut bids = Vec::with_capacity(BIDS.len());
    for plan in &BIDS {
        let bid = services::tenders::create_bid(conn, officer, tender.id, submission(plan)?)?;
        bids.push((plan, bid));
    }
    services::tenders::transition(conn, officer, tender.id, TenderAction::Close)?;

    // Each evaluator scores every scale criterion of every bid on their own; then the panel
    // moderates.
    for (evaluator, pick) in cast.evaluators.iter().zip([
        (|s: &Scores| s.ann) as fn(&Scores) -> Scored,
        |s: &Scores| s.bob,
    ]) {
        for (plan, bid) in &bids {
            for scores in &plan.scores {
                let (score, rationale) = pick(scores);
                services::tenders::submit_score(
                    conn,
                    evaluator,
                    tender.id,
                    bid.id,
                    scores.code,
                    decimal(score)?,
                    rationale.into(),
                )?;
            }
        }
    }
    for (plan, bid) in &bids {
        for scores in &plan.scores {
            let (score, rationale) = scores.moderated;
            services::tenders::moderate(
                conn,
                officer,
                tender.id,
                bid.id,
                scores.code,
                decimal(score)?,
                rationale.into(),
            )?;
        }
    }
    // The live evaluation flags the abnormally low price; the supplier is asked to explain
    // (PA 2023 s.34) and the explanation is recorded on the bid.
    for (plan, bid) in &bids {
        if let Some(explanation) = plan.price_explanation {
            services::tenders::update_bid(
                conn,
                officer,
                tender.id,
                bid.id,
                &Precondition::Any,
                BidChanges {
                    abnormally_low_explanation: Some(explanation.into()),
                    ..BidChanges::default()
                },
            )?;
        }
    }

    let frozen = services::evaluation::freeze(conn, officer, tender.id)?;
    let winner_id: BidId = frozen
        .result
        .winner
        .as_deref()
        .ok_or_else(|| AppError::internal("the demo evaluation has no eligible bid"))?
        .parse()
        .map_err(AppError::internal)?;
    let winner = bids
        .iter()
        .map(|(_, bid)| bid)
        .find(|bid| bid.id == winner_id)
        .cloned()
        .ok_or_else(|| AppError::internal("the demo winner is not one of its bids"))?;
    services::evaluation::award(
        conn,
        officer,
        tender.id,
        AwardDecision {
            evaluation_id: frozen.id,
            bid_id: winner.id,
            justification: Some(
                "Ranked first on the frozen evaluation; its profit-sharing, reinvestment and \
                 apprenticeship commitments become contract terms."
                    .into(),
            ),
            standstill_working_days: MIN_STANDSTILL_WORKING_DAYS,
        },
    )?;
    Ok(Awarded {
        tender_id: tender.id,
        bids: bids.len(),
        winner,
    })
}

// ---------------------------------------------------------------- the contract

const CONTRACT_START: (i32, u32, u32) = (2025, 12, 1);
const CONTRACT_END: (i32, u32, u32) = (2028, 11, 30);
/// The date compliance is assessed and consequences proposed: a month after the first
/// contract year.
const AS_OF: (i32, u32, u32) = (2026, 12, 31);

fn spec(kind: TermKind, cadence: Cadence, start: NaiveDate) -> TermSpec {
    TermSpec {
        kind,
        conditionality_type: None,
        material: true,
        metric: None,
        formula: None,
        schedule: Some(Schedule {
            cadence,
            first_period_start: start,
        }),
        rating_bands: RatingBands::default(),
        consequence: None,
        fee_per_period: None,
        evidence_required: false,
    }
}

fn percent_metric(name: &str, target: &str) -> Result<Metric, AppError> {
    Ok(Metric {
        name: name.into(),
        unit: "%".into(),
        direction: MetricDirection::AtLeast,
        baseline: None,
        target: decimal(target)?,
        target_date: None,
        glide_path: false,
        tolerance: None,
    })
}

/// Monthly KPIs: name, target (%), and the supplier's returns December 2025 to November 2026.
/// Visits on time collapse in February 2026 (a norovirus outbreak closed two teams) and the
/// June return is later corrected.
const KPIS: [(&str, &str, [&str; 12]); 3] = [
    (
        "Visits delivered on time",
        "95",
        [
            "95.8", "96.2", "68.4", "95.1", "96", "95.5", "93.1", "96.3", "95.9", "96.8", "97",
            "96.4",
        ],
    ),
    (
        "People still at home 91 days after reablement",
        "85",
        [
            "86.5", "87", "84.2", "85.9", "88.1", "87.4", "86.8", "89", "88.3", "87.6", "88.9",
            "89.5",
        ],
    ),
    (
        "Reablement started within 48 hours of hospital discharge",
        "90",
        [
            "91", "92.4", "90.6", "93.1", "92", "94.2", "93.5", "92.8", "94", "93.6", "95.1",
            "94.4",
        ],
    ),
];
/// The June 2026 on-time figure once late electronic call monitoring logs were reconciled.
const CORRECTED_JUNE_ON_TIME: &str = "95.4";

/// Quarterly returns: apprentices in post (by the ward where the quarter's new apprentices
/// live) and the weekly fee charged to residents who fund their own care.
const QUARTERS: [(&str, &str, &str); 4] = [
    ("6", "Kentish Town", "1425"),
    ("8", "Gospel Oak", "1440"),
    ("9", "Somers Town", "1450"),
    ("10", "Kentish Town", "1445"),
];

/// The first contract year's accounts (open-book): revenue, profit, profit share paid, spent
/// on training; and the care fleet's emissions over the year (tCO2e).
const YEAR_REVENUE: &str = "1462000";
const YEAR_PROFIT: &str = "168000";
const YEAR_SHARE_PAID: &str = "0";
const YEAR_REINVESTED: &str = "18400";
const YEAR_FLEET_EMISSIONS: &str = "322";

/// The contract's terms by role in the story.
struct Terms {
    kpis: Vec<Term>,
    social_value: Term,
    access: Term,
    directionality: Term,
    profit_sharing: Term,
    reinvestment: Term,
}

fn carried<'a>(terms: &'a [Term], code: &str) -> Result<&'a Term, AppError> {
    let source = format!("bid:{code}");
    terms
        .iter()
        .find(|t| t.source.as_deref() == Some(source.as_str()))
        .ok_or_else(|| AppError::internal(format!("the award carried no term for {code}")))
}

/// Reviews the terms carried from the bid and adds the rest, while the contract is pending.
fn contract_terms(
    conn: &mut DbConnection,
    officer: &Actor,
    contract_id: ContractId,
    carried_terms: &[Term],
    estates: MissionId,
    start: NaiveDate,
) -> Result<Terms, AppError> {
    let review = |conn: &mut DbConnection, term: &Term, spec: TermSpec| {
        services::contracts::update_term(
            conn,
            officer,
            contract_id,
            term.id,
            &Precondition::OneOf(vec![services::etag(term.version)]),
            TermInput {
                title: term.title.clone(),
                mission_id: term.mission_id,
                spec,
            },
        )
    };
    // Apprentices are counted in post each quarter.
    let sv = carried(carried_terms, "SV1")?;
    let mut sv_spec = sv.spec.clone();
    if let Some(metric) = sv_spec.metric.as_mut() {
        metric.unit = "apprentices in post".into();
    }
    let social_value = review(conn, sv, sv_spec)?;
    // The award gives formula clawbacks, under which the money line becomes a `clawback`. The
    // officer keeps the amounts visible as what they are (a profit share due, a reinvestment
    // shortfall) and enforces them otherwise: an unpaid share holds back the next annual fee
    // uplift; a shortfall calls for a plan to make it up.
    let ps = carried(carried_terms, "C1")?;
    let mut ps_spec = ps.spec.clone();
    ps_spec.consequence = Some(Consequence::TrancheGate {
        tranche: "Annual fee uplift for the following contract year".into(),
    });
    let profit_sharing = review(conn, ps, ps_spec)?;
    let ri = carried(carried_terms, "C2")?;
    let mut ri_spec = ri.spec.clone();
    ri_spec.consequence = Some(Consequence::ImprovementPlan { days_to_submit: 60 });
    let reinvestment = review(conn, ri, ri_spec)?;

    let add = |conn: &mut DbConnection, title: &str, mission_id, spec| {
        services::contracts::create_term(
            conn,
            officer,
            contract_id,
            TermInput {
                title: title.into(),
                mission_id,
                spec,
            },
        )
    };
    let mut access_spec = spec(TermKind::Conditionality, Cadence::Quarterly, start);
    access_spec.conditionality_type = Some(ConditionalityType::Access);
    access_spec.formula = Some(Formula::Access {
        limit: AccessLimit::Cap,
        value: decimal("1450")?,
    });
    access_spec.consequence = Some(Consequence::ImprovementPlan { days_to_submit: 30 });
    let access = add(
        conn,
        "Weekly fee for Camden residents funding their own care: at most £1450",
        None,
        access_spec,
    )?;

    let mut direction_spec = spec(TermKind::Conditionality, Cadence::Annually, start);
    direction_spec.conditionality_type = Some(ConditionalityType::Directionality);
    direction_spec.metric = Some(Metric {
        name: "Care fleet emissions over the contract year".into(),
        unit: "tCO2e".into(),
        direction: MetricDirection::AtMost,
        baseline: Some(decimal("420")?),
        target: decimal("250")?,
        target_date: Some(date(2027, 11, 30)?),
        glide_path: true,
        tolerance: None,
    });
    direction_spec.consequence = Some(Consequence::ImprovementPlan { days_to_submit: 60 });
    let directionality = add(
        conn,
        "Care fleet emissions falling from 420 to 250 tCO2e by November 2027",
        Some(estates),
        direction_spec,
    )?;

    let mut kpis = Vec::with_capacity(KPIS.len());
    for (name, target, _) in &KPIS {
        let mut kpi = spec(TermKind::Kpi, Cadence::Monthly, start);
        kpi.metric = Some(percent_metric(name, target)?);
        kpi.consequence = Some(Consequence::ServiceCredit {
            basis: CreditBasis::PercentOfPeriodFee {
                percent: decimal("5")?,
            },
        });
        kpis.push(add(conn, name, None, kpi)?);
    }
    Ok(Terms {
        kpis,
        social_value,
        access,
        directionality,
        profit_sharing,
        reinvestment,
    })
}

fn ret(
    term: &Term,
    period_start: NaiveDate,
    measures: &[(&str, &str)],
) -> Result<ObservationInput, AppError> {
    Ok(ObservationInput {
        term_id: term.id.to_string(),
        period_start: Some(period_start),
        measures: measures
            .iter()
            .map(|(name, value)| Ok(((*name).to_string(), decimal(value)?)))
            .collect::<Result<BTreeMap<_, _>, AppError>>()?,
        dimensions: BTreeMap::new(),
        evidence: Vec::new(),
        supersedes: None,
    })
}

fn evidence(name: &str) -> Evidence {
    Evidence {
        name: name.into(),
        uri: None,
        sha256: None,
    }
}

/// The supplier's returns, month by month: the monthly KPIs, the quarterly terms as each
/// quarter ends, and the annual terms with the year's accounts; then a correction.
fn returns(
    conn: &mut DbConnection,
    supplier: &Actor,
    contract_id: ContractId,
    terms: &Terms,
    start: NaiveDate,
) -> Result<(), AppError> {
    let mut june_on_time: Option<Observation> = None;
    for month in 0..12u32 {
        let period = months_after(start, month)?;
        let index = month as usize;
        let mut batch = Vec::new();
        for (term, (_, _, values)) in terms.kpis.iter().zip(&KPIS) {
            let value = values
                .get(index)
                .ok_or_else(|| AppError::internal("a KPI lacks a month of returns"))?;
            batch.push(ret(term, period, &[("value", value)])?);
        }
        if month % 3 == 2 {
            let quarter = month / 3;
            let quarter_start = months_after(start, quarter * 3)?;
            let (apprentices, ward, weekly_fee) = QUARTERS
                .get(quarter as usize)
                .ok_or_else(|| AppError::internal("a quarter lacks its returns"))?;
            let mut sv = ret(
                &terms.social_value,
                quarter_start,
                &[("value", apprentices)],
            )?;
            sv.dimensions = BTreeMap::from([
                ("ward".to_string(), (*ward).to_string()),
                (
                    "beneficiary_group".to_string(),
                    "young people aged 16 to 24".to_string(),
                ),
            ]);
            sv.evidence = vec![evidence("Apprenticeship agreements and payroll extract")];
            batch.push(sv);
            batch.push(ret(&terms.access, quarter_start, &[("value", weekly_fee)])?);
        }
        if month == 11 {
            let mut emissions = ret(
                &terms.directionality,
                start,
                &[("value", YEAR_FLEET_EMISSIONS)],
            )?;
            emissions.evidence = vec![evidence("Fleet telematics and fuel card report 2025-26")];
            batch.push(emissions);
            let mut share = ret(
                &terms.profit_sharing,
                start,
                &[
                    ("revenue", YEAR_REVENUE),
                    ("profit", YEAR_PROFIT),
                    ("paid", YEAR_SHARE_PAID),
                ],
            )?;
            share.evidence = vec![evidence("Open-book contract accounts 2025-26")];
            batch.push(share);
            let mut training = ret(
                &terms.reinvestment,
                start,
                &[("profit", YEAR_PROFIT), ("reinvested", YEAR_REINVESTED)],
            )?;
            training.evidence = vec![evidence("Training spend ledger 2025-26")];
            batch.push(training);
        }
        let recorded =
            services::contracts::submit_observations(conn, supplier, contract_id, batch)?;
        if month == 6 {
            june_on_time = recorded
                .into_iter()
                .find(|o| terms.kpis.first().is_some_and(|k| k.id == o.term_id));
        }
    }
    let june = june_on_time.ok_or_else(|| AppError::internal("no June on-time return"))?;
    let on_time = terms
        .kpis
        .first()
        .ok_or_else(|| AppError::internal("no on-time KPI"))?;
    let mut correction = ret(
        on_time,
        june.period.start,
        &[("value", CORRECTED_JUNE_ON_TIME)],
    )?;
    correction.supersedes = Some(june.id.to_string());
    correction.evidence = vec![evidence(
        "Electronic call monitoring reconciliation, June 2026",
    )];
    services::contracts::submit_observations(conn, supplier, contract_id, vec![correction])?;
    Ok(())
}

struct Monitored {
    terms: usize,
    returns: usize,
    consequences: usize,
    applied: usize,
    waived: usize,
}

/// The contract from the award, its terms, a year of returns and the consequences.
fn contract(
    conn: &mut DbConnection,
    cast: &Cast,
    awarded: &Awarded,
    estates: MissionId,
) -> Result<Monitored, AppError> {
    let officer = &cast.officer;
    let authority = &officer.principal.authority;
    let (y, m, d) = CONTRACT_START;
    let start = date(y, m, d)?;
    let (y, m, d) = CONTRACT_END;
    let end = date(y, m, d)?;
    let (contract, carried_terms) = services::contracts::create_from_award(
        conn,
        officer,
        awarded.tender_id,
        ContractDetails {
            title: TENDER_TITLE.into(),
            value: None,
            currency: "GBP".into(),
            start,
            end,
            mission_ids: Vec::new(),
            grace_days: DEFAULT_GRACE_DAYS,
        },
    )?;
    let terms = contract_terms(conn, officer, contract.id, &carried_terms, estates, start)?;
    let (_, findings) = services::contracts::lint(conn, authority, contract.id)?;
    if let Some(f) = findings.first() {
        return Err(AppError::internal(format!(
            "the demo contract's terms have lint findings: {} ({})",
            f.code, f.message
        )));
    }
    services::contracts::update(
        conn,
        officer,
        contract.id,
        &Precondition::Any,
        ContractChanges {
            status: Some(ContractStatus::Active),
            ..ContractChanges::default()
        },
    )?;
    returns(conn, &cast.supplier, contract.id, &terms, start)?;

    let (y, m, d) = AS_OF;
    let proposed =
        services::contracts::propose_consequences(conn, officer, contract.id, date(y, m, d)?)?;
    let decisions = [
        (
            "profit_share_due",
            ConsequenceStatus::Applied,
            "Invoice CAM-PS-2026-001 raised for the 2025-26 profit share under the profit-sharing \
             clause; the fee uplift stays held until it is paid.",
        ),
        (
            "service_credit",
            ConsequenceStatus::Waived,
            "The February 2026 shortfall followed a norovirus outbreak that closed two teams \
             (notified on 9 February); the recovery plan was delivered and March met the target.",
        ),
    ];
    for (kind, status, reason) in decisions {
        let record = proposed
            .iter()
            .find(|c| c.kind == kind)
            .ok_or_else(|| AppError::internal(format!("no {kind} consequence was proposed")))?;
        services::contracts::decide_consequence(
            conn,
            officer,
            contract.id,
            record.id,
            status,
            reason.into(),
        )?;
    }
    let all = services::contracts::consequences(conn, authority, contract.id)?;
    let count = |status| all.iter().filter(|c| c.status == status).count();
    Ok(Monitored {
        terms: services::contracts::terms(conn, authority, contract.id)?.len(),
        returns: services::contracts::observations(conn, authority, contract.id)?.len(),
        consequences: all.len(),
        applied: count(ConsequenceStatus::Applied),
        waived: count(ConsequenceStatus::Waived),
    })
}

// ---------------------------------------------------------------- seed

/// A validation error from a workflow, with its field errors spelled out: the operator sees
/// which demo figure a rule refused.
fn spelled_out(error: AppError) -> AppError {
    match error {
        AppError::Client { detail, errors, .. } if !errors.is_empty() => {
            let fields: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            AppError::internal(format!(
                "demo data refused: {detail} ({})",
                fields.join("; ")
            ))
        }
        other => other,
    }
}

/// Loads the demo once: a second run changes nothing. Every write is audited like any other,
/// and the whole story is one transaction, so a failure leaves nothing half-loaded.
pub fn seed(conn: &mut DbConnection) -> Result<SeedSummary, AppError> {
    let authority = AuthorityId::parse(AUTHORITY).map_err(AppError::internal)?;
    let mut summary = SeedSummary {
        authority: AUTHORITY.to_string(),
        ..SeedSummary::default()
    };
    conn.transaction(|conn| {
        if db::missions::count(conn, &authority)? > 0 {
            summary.already_loaded = true;
            return Ok(summary);
        }
        let cast = Cast {
            officer: actor("seed-demo", &authority, Role::Admin),
            evaluators: [
                actor("ann", &authority, Role::Evaluator),
                actor("bob", &authority, Role::Evaluator),
            ],
            supplier: actor("fleet-valley-returns", &authority, Role::Integration),
        };
        let mut missions = Vec::with_capacity(MISSIONS.len());
        for (statement, year, outcomes) in MISSIONS {
            missions.push(services::missions::create(
                conn,
                &cast.officer,
                new_mission(statement, *year, outcomes)?,
            )?);
        }
        let estates = missions
            .get(1)
            .map(|m| m.id)
            .ok_or_else(|| AppError::internal("the estates mission was not created"))?;
        let awarded = tender(conn, &cast, estates)?;
        let monitored = contract(conn, &cast, &awarded, estates)?;
        summary.missions_created = missions.len();
        summary.tender_title = TENDER_TITLE.to_string();
        summary.bids = awarded.bids;
        summary.awarded_to = awarded.winner.supplier.name.clone();
        summary.contract_terms = monitored.terms;
        summary.returns = monitored.returns;
        summary.consequences = monitored.consequences;
        summary.consequences_applied = monitored.applied;
        summary.consequences_waived = monitored.waived;
        Ok(summary)
    })
    .map_err(spelled_out)
}
