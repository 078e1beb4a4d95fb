//! The contract from the award: its terms, a year of monitoring and the consequences.

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::domain::compliance::{
    Cadence, Consequence, ContractStatus, CreditBasis, Formula, Metric, MetricDirection, Period,
    RatingBands, Schedule, TermKind, TermSpec,
};
use crate::domain::contract::{ConsequenceStatus, Term};
use crate::domain::ids::{ContractId, MissionId};
use crate::domain::tender::{AccessLimit, ConditionalityType};
use crate::error::AppError;
use crate::services::contracts::{ContractChanges, ContractDetails, DEFAULT_GRACE_DAYS, TermInput};
use crate::services::{self, Actor, Precondition};

use super::returns::{KPIS, returns};
use super::tender::{Awarded, TENDER_TITLE};
use super::{Cast, date, decimal, on};

const CONTRACT_START: (i32, u32, u32) = (2025, 12, 1);
const CONTRACT_END: (i32, u32, u32) = (2028, 11, 30);
/// The date compliance is assessed and consequences proposed and decided: two days after the
/// first contract year ended, once its last returns are in.
const AS_OF: (i32, u32, u32) = (2026, 12, 2);

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

/// The contract's terms by role in the story.
pub(super) struct Terms {
    pub(super) kpis: Vec<Term>,
    pub(super) social_value: Term,
    pub(super) access: Term,
    pub(super) directionality: Term,
    pub(super) profit_sharing: Term,
    pub(super) reinvestment: Term,
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

pub(super) struct Monitored {
    pub(super) terms: usize,
    pub(super) returns: usize,
    pub(super) consequences: usize,
    pub(super) applied: usize,
    pub(super) waived: usize,
}

/// The contract from the award, its terms, a year of returns and the consequences.
pub(super) fn contract(
    conn: &mut DbConnection,
    cast: &Cast,
    awarded: &Awarded,
    estates: MissionId,
) -> Result<Monitored, AppError> {
    let officer = &on(&cast.officer, date(2025, 7, 21)?);
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
            currency: crate::domain::tender::DEFAULT_CURRENCY.into(),
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
        &on(officer, start),
        contract.id,
        &Precondition::Any,
        ContractChanges {
            status: Some(ContractStatus::Active),
            ..ContractChanges::default()
        },
    )?;
    returns(conn, cast, contract.id, &terms, start)?;

    let (y, m, d) = AS_OF;
    let as_of = date(y, m, d)?;
    let officer = &on(officer, as_of);
    let proposed = services::contracts::propose_consequences(conn, officer, contract.id, as_of)?;
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
    // The annual performance notice for the first contract year (Procurement Act 2023 s.71),
    // each KPI confirmed at the rating its returns suggest.
    let year = Period {
        start,
        end: as_of
            .pred_opt()
            .and_then(|d| d.pred_opt())
            .ok_or_else(|| AppError::internal("demo date out of range"))?,
    };
    let report = services::contracts::compliance(conn, authority, contract.id, as_of)?;
    let confirmed = report
        .terms
        .iter()
        .filter(|t| t.term.spec.kind == TermKind::Kpi)
        .map(|t| {
            let ratings = t
                .periods
                .iter()
                .filter(|p| {
                    year.start <= p.assessment.period.start && p.assessment.period.end <= year.end
                })
                .map(|p| p.assessment.rating);
            (t.term.id, services::contracts::worst(ratings))
        })
        .collect();
    services::contracts::create_notice(
        conn,
        officer,
        contract.id,
        year,
        confirmed,
        "Annual assessment of the first contract year (December 2025 to November 2026); each KPI \
         is confirmed at the rating its monthly returns suggest."
            .into(),
    )?;
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
