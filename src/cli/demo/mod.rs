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

mod bids;
mod contract;
mod missions;
mod returns;
mod tender;

use std::fmt;

use chrono::{Months, NaiveDate};
use diesel::Connection;
use rust_decimal::Decimal;

use crate::auth::{Principal, Role};
use crate::db::{self, DbConnection};
use crate::domain::authority::AuthorityId;
use crate::error::AppError;
use crate::services::{self, Actor};

use contract::contract;
use missions::{MISSIONS, new_mission};
use tender::{TENDER_TITLE, tender};

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
                "demo data for `{}` is already loaded; nothing changed (delete the database to start again)",
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

fn decimal(raw: &str) -> Result<Decimal, AppError> {
    raw.parse().map_err(AppError::internal)
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
        at: None,
    }
}

/// `actor` acting at 09:00 UTC on `day` of the story calendar.
fn on(actor: &Actor, day: NaiveDate) -> Actor {
    Actor {
        at: Some(day.and_time(chrono::NaiveTime::MIN).and_utc() + chrono::TimeDelta::hours(9)),
        ..actor.clone()
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

impl Cast {
    /// Everyone acting on `day` of the story calendar.
    fn on(&self, day: NaiveDate) -> Cast {
        Cast {
            officer: on(&self.officer, day),
            evaluators: self.evaluators.each_ref().map(|e| on(e, day)),
            supplier: on(&self.supplier, day),
        }
    }
}

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
        // The demo's own tender marks it loaded: missions an officer made first do not.
        if db::tenders::titled(conn, &authority, TENDER_TITLE)? {
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
        let officer = on(&cast.officer, date(2025, 4, 1)?);
        for (statement, year, outcomes) in MISSIONS {
            missions.push(services::missions::create(
                conn,
                &officer,
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
