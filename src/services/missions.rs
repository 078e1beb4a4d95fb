//! Mission workflows.

use crate::db::{self, DbConnection, missions::MissionRow};
use crate::domain::authority::AuthorityId;
use crate::domain::ids::MissionId;
use crate::domain::mission::{Mission, MissionChanges, MissionStatus, NewMission};
use crate::error::AppError;

use super::{Actor, Precondition, write_tx};

pub const ENTITY: &str = "mission";

pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    new: NewMission,
) -> Result<Mission, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let mission = Mission::create(
            MissionId::new(),
            actor.principal.authority.clone(),
            new,
            audit.now(),
        );
        let row = MissionRow::from_domain(&mission).map_err(AppError::internal)?;
        db::missions::insert(conn, &row)?;
        audit.record("mission.created", &row, None);
        Ok(mission)
    })
}

/// Every mission something links to must be one of the authority's own; each that is not is
/// reported under its field.
pub fn check_own(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    links: &[(String, MissionId)],
) -> Result<(), AppError> {
    let mut errors = crate::domain::validation::ValidationErrors::default();
    for (field, id) in links {
        if db::missions::find(conn, authority, *id)?.is_none() {
            errors.push(field.clone(), "no such mission in your authority");
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

pub fn get(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    id: MissionId,
) -> Result<Mission, AppError> {
    db::missions::find(conn, authority, id)?
        .ok_or_else(|| AppError::not_found("mission"))?
        .into_domain()
        .map_err(AppError::from)
}

pub fn list(
    conn: &mut DbConnection,
    authority: &AuthorityId,
    after: Option<MissionId>,
    status: Option<MissionStatus>,
    limit: i64,
) -> Result<Vec<Mission>, AppError> {
    db::missions::list(conn, authority, after, status, limit)?
        .into_iter()
        .map(|row| row.into_domain().map_err(AppError::from))
        .collect()
}

/// Applies `changes` if the mission still matches the client's `If-Match`.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    id: MissionId,
    precondition: &Precondition,
    changes: MissionChanges,
) -> Result<Mission, AppError> {
    write_tx(conn, actor, |conn, audit| {
        let mut mission = get(conn, &actor.principal.authority, id)?;
        precondition.check(ENTITY, mission.version)?;
        if mission.apply(changes, audit.now()) {
            let row = MissionRow::from_domain(&mission).map_err(AppError::internal)?;
            db::missions::update(conn, &row)?;
            audit.record("mission.updated", &row, None);
        }
        Ok(mission)
    })
}
