//! Terms: the obligations of a contract (KPIs, milestones and the like) and their specs.

use crate::db::{self, DbConnection, contracts as q};
use crate::domain::authority::AuthorityId;
use crate::domain::compliance::TermSpec;
use crate::domain::contract::{Contract, Term};
use crate::domain::ids::{ContractId, MissionId, TermId};
use crate::domain::text;
use crate::domain::validation::ValidationErrors;
use crate::error::AppError;
use crate::services::{Actor, Precondition, write_tx};

use super::{TERM, get, insert_term};

pub fn terms(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
) -> Result<Vec<Term>, AppError> {
    get(conn, authority, contract_id)?;
    q::terms_of(conn, authority, contract_id)?
        .into_iter()
        .map(|r| r.into_domain().map_err(AppError::from))
        .collect()
}

pub fn get_term(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract_id: ContractId,
    id: TermId,
) -> Result<Term, AppError> {
    get(conn, authority, contract_id)?;
    Ok(q::find_term(conn, authority, contract_id, id)?
        .ok_or_else(|| AppError::not_found("term"))?
        .into_domain()?)
}

pub struct TermInput {
    pub title: String,
    pub mission_id: Option<MissionId>,
    pub spec: TermSpec,
}

fn checked_term(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    contract: &Contract,
    input: TermInput,
) -> Result<(String, Option<MissionId>, TermSpec), AppError> {
    let mut errors = ValidationErrors::default();
    let title = errors.check("title", text::single_line(&input.title, 1, 200));
    let spec = match input.spec.parse(&contract.spec()) {
        Ok(spec) => Some(spec),
        Err(e) => {
            errors.absorb(e, |field| format!("spec.{field}"));
            None
        }
    };
    if let Some(m) = input.mission_id
        && db::missions::find(conn, authority, m)?.is_none()
    {
        errors.push("mission_id", "no such mission in your authority");
    }
    Ok(errors.finish(|| Some((title?, input.mission_id, spec?)))?)
}

pub fn create_term(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    input: TermInput,
) -> Result<Term, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let contract = get(conn, authority, contract_id)?;
        let (title, mission_id, spec) = checked_term(conn, authority, &contract, input)?;
        let now = audit.now();
        let term = Term {
            id: TermId::new(),
            authority: authority.clone(),
            contract_id,
            title,
            mission_id,
            source: None,
            spec,
            version: 1,
            created_at: now,
            updated_at: now,
            history: Vec::new(),
        };
        insert_term(conn, audit, &term, "term.created")?;
        Ok(term)
    })
}

pub fn update_term(
    conn: &mut DbConnection,
    actor: &Actor,
    contract_id: ContractId,
    id: TermId,
    precondition: &Precondition,
    input: TermInput,
) -> Result<Term, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let authority = &actor.principal.authority;
        let contract = get(conn, authority, contract_id)?;
        let mut term = get_term(conn, authority, contract_id, id)?;
        precondition.check(TERM, term.version)?;
        let (title, mission_id, spec) = checked_term(conn, authority, &contract, input)?;
        if (title.as_str(), mission_id, &spec) != (term.title.as_str(), term.mission_id, &term.spec)
        {
            term.archive_current();
            term.title = title;
            term.mission_id = mission_id;
            term.spec = spec;
            term.version += 1;
            term.updated_at = audit.now();
            let row = q::TermRow::from_domain(&term)?;
            q::update_term(conn, &row)?;
            audit.record("term.updated", &row, None);
        }
        Ok(term)
    })
}
