//! The supplier's first year of returns: monthly KPIs, quarterly terms, the year's accounts
//! and a correction.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::db::DbConnection;
use crate::domain::contract::{Evidence, Observation, ObservationStatus, Term};
use crate::domain::ids::ContractId;
use crate::error::AppError;
use crate::services::contracts::ObservationInput;
use crate::services::{self, Actor, Precondition};

use super::contract::Terms;
use super::{Cast, decimal, months_after, on};

/// Monthly KPIs: name, target (%), and the supplier's returns December 2025 to November 2026.
/// Visits on time collapse in February 2026 (a norovirus outbreak closed two teams) and the
/// June return is later corrected.
pub(super) const KPIS: [(&str, &str, [&str; 12]); 3] = [
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
pub(super) fn returns(
    conn: &mut DbConnection,
    cast: &Cast,
    contract_id: ContractId,
    terms: &Terms,
    start: NaiveDate,
) -> Result<(), AppError> {
    let supplier = &cast.supplier;
    let mut june_on_time: Option<Observation> = None;
    for month in 0..12u32 {
        let period = months_after(start, month)?;
        let index = usize::try_from(month).map_err(AppError::internal)?;
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
                .get(usize::try_from(quarter).map_err(AppError::internal)?)
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
        // Each month's returns arrive two days after the month ends.
        let sent = months_after(start, month + 1)?
            .checked_add_days(chrono::Days::new(1))
            .ok_or_else(|| AppError::internal("demo date out of range"))?;
        let recorded = services::contracts::submit_observations(
            conn,
            &on(supplier, sent),
            contract_id,
            batch,
        )?;
        if month == 6 {
            june_on_time = recorded
                .iter()
                .find(|o| terms.kpis.first().is_some_and(|k| k.id == o.term_id))
                .cloned();
        }
        verify_evidenced(conn, cast, contract_id, &recorded, sent)?;
        if month == 8 {
            // The call-monitoring reconciliation corrects June, the day after August's returns.
            let june = june_on_time
                .as_ref()
                .ok_or_else(|| AppError::internal("no June on-time return"))?;
            let day = sent
                .succ_opt()
                .ok_or_else(|| AppError::internal("demo date out of range"))?;
            let corrected = correct_june(conn, supplier, contract_id, terms, june, day)?;
            verify_evidenced(conn, cast, contract_id, &corrected, day)?;
        }
    }
    Ok(())
}

/// The officer checks each return that carries evidence against it, the day it arrives.
fn verify_evidenced(
    conn: &mut DbConnection,
    cast: &Cast,
    contract_id: ContractId,
    returns: &[Observation],
    day: NaiveDate,
) -> Result<(), AppError> {
    for o in returns {
        let Some(evidence) = o.evidence.first() else {
            continue;
        };
        services::contracts::review_observation(
            conn,
            &on(&cast.officer, day),
            contract_id,
            o.id,
            &Precondition::Any,
            ObservationStatus::Verified,
            format!("Checked against: {}", evidence.name),
        )?;
    }
    Ok(())
}

fn correct_june(
    conn: &mut DbConnection,
    supplier: &Actor,
    contract_id: ContractId,
    terms: &Terms,
    june: &Observation,
    day: NaiveDate,
) -> Result<Vec<Observation>, AppError> {
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
    services::contracts::submit_observations(
        conn,
        &on(supplier, day),
        contract_id,
        vec![correction],
    )
}
