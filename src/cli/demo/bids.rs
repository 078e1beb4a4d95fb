//! The four bids: what each supplier offers and how the evaluators score it.

use crate::domain::tender::parse::CriterionResponse;
use crate::domain::tender::{ConditionalityCommitment, Supplier};
use crate::error::AppError;
use crate::services::tenders::BidSubmission;

use super::decimal;

/// An evaluator's score and rationale.
pub(super) type Scored = (&'static str, &'static str);

/// Both evaluators' scores on one scale criterion and the moderated (consensus) score.
pub(super) struct Scores {
    pub(super) code: &'static str,
    pub(super) ann: Scored,
    pub(super) bob: Scored,
    pub(super) moderated: Scored,
}

pub(super) struct BidPlan {
    pub(super) name: &'static str,
    pub(super) identifier: &'static str,
    pub(super) sme: bool,
    pub(super) vcse: bool,
    pub(super) locality: &'static str,
    pub(super) price: &'static str,
    pub(super) apprenticeships: &'static str,
    /// Percent of profit above the margin, and the margin (percent of revenue).
    pub(super) profit_share: (&'static str, &'static str),
    /// Percent of profit, and what it is reinvested in.
    pub(super) reinvestment: (&'static str, &'static str),
    pub(super) cqc_registered: bool,
    /// Answers to Q1, SV1, M1, C1, C2 and G1, in that order.
    pub(super) answers: [&'static str; 6],
    pub(super) scores: [Scores; 3],
    /// The supplier's explanation of its price, when it is abnormally low.
    pub(super) price_explanation: Option<&'static str>,
}

pub(super) const BIDS: [BidPlan; 4] = [
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

pub(super) fn submission(plan: &BidPlan) -> Result<BidSubmission, AppError> {
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
