//! The tender: its evaluation model, then the story from bids to the award.

use rust_decimal::Decimal;

use crate::db::DbConnection;
use crate::domain::ids::{BidId, MissionId, TenderId};
use crate::domain::tender::parse;
use crate::domain::tender::{
    Bid, Category, ConditionalityType, Criterion, Direction, QuantityScoring, ScaleLevel,
    ScoringMethod, TenderAction, TenderDetails,
};
use crate::error::AppError;
use crate::services::evaluation::{AwardDecision, MIN_STANDSTILL_WORKING_DAYS};
use crate::services::tenders::BidChanges;
use crate::services::{self, Precondition};

use super::bids::{BIDS, Scored, Scores, submission};
use super::{Cast, date, decimal, on};

pub(super) const TENDER_TITLE: &str = "Long-term care and reablement";
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

pub(super) struct Awarded {
    pub(super) tender_id: TenderId,
    pub(super) bids: usize,
    pub(super) winner: Bid,
}

/// Tender → bids → scores → frozen evaluation → award.
pub(super) fn tender(
    conn: &mut DbConnection,
    cast: &Cast,
    estates: MissionId,
) -> Result<Awarded, AppError> {
    let officer = &on(&cast.officer, date(2025, 5, 1)?);
    let authority = &officer.principal.authority;
    let tender = services::tenders::create(
        conn,
        officer,
        TenderDetails {
            title: TENDER_TITLE.into(),
            description: TENDER_DESCRIPTION.into(),
            estimated_value: Some(decimal("4500000")?),
            mission_ids: vec![estates],
            ..TenderDetails::defaults()
        },
    )?;
    let model = parse::evaluation_model(&criteria(estates)?, &[])?;
    services::tenders::put_criteria(conn, officer, tender.id, &Precondition::Any, model, None)?;
    // Camden's policy: at least 10 % social value, conditionalities above £1m.
    let policy = services::settings::AuthoritySettings {
        social_value_floor_percent: Decimal::TEN,
        conditionality_required_above: Some(decimal("1000000")?),
        version: 0,
    };
    let policy = services::settings::put(
        conn,
        officer,
        &Precondition::Any,
        &policy,
        policy.social_value_floor_percent,
        policy.conditionality_required_above,
    )?;
    let findings = services::evaluation::lint(conn, authority, tender.id, &policy)?;
    if let Some(f) = findings.first() {
        return Err(AppError::internal(format!(
            "the demo tender's model has lint findings: {} ({})",
            f.code, f.message
        )));
    }
    let opened = on(officer, date(2025, 5, 6)?);
    services::tenders::transition(conn, &opened, tender.id, TenderAction::Open)?;

    let received = on(officer, date(2025, 6, 13)?);
    let mut bids = Vec::with_capacity(BIDS.len());
    for plan in &BIDS {
        let bid = services::tenders::create_bid(conn, &received, tender.id, submission(plan)?)?;
        bids.push((plan, bid));
    }
    let closed = on(officer, date(2025, 6, 16)?);
    services::tenders::transition(conn, &closed, tender.id, TenderAction::Close)?;

    // Each evaluator scores every scale criterion of every bid on their own; then the panel
    // moderates.
    let picks: [fn(&Scores) -> Scored; 2] = [|s| s.ann, |s| s.bob];
    let scoring = cast.on(date(2025, 6, 20)?);
    for (evaluator, pick) in scoring.evaluators.iter().zip(picks) {
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
                &on(officer, date(2025, 6, 25)?),
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
                &on(officer, date(2025, 6, 27)?),
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

    let frozen = services::evaluation::freeze(conn, &on(officer, date(2025, 6, 30)?), tender.id)?;
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
        &on(officer, date(2025, 7, 1)?),
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
