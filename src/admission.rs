//! Write admission: which writes may take a database connection now.
//!
//! Every write transaction first locks its authority's audit-chain head, so the writes of one
//! authority run one after another whatever happens. Without admission, a queue of them would
//! each hold a pooled connection while waiting for that lock, and one busy authority would use
//! up the pool that every other authority's reads need (a quiet authority's read took up to
//! 9.7 s behind another's 40 concurrent imports, and imports got 503). So writes queue *before*
//! taking a connection:
//! - one write per authority at a time in this instance, in arrival order, so an authority's
//!   queue costs one connection however long it is;
//! - at most `writers` writes of all authorities at once — half the pool on PostgreSQL, so reads
//!   always find a connection; one on SQLite, which has a single writer anyway, so its writes
//!   queue fairly here instead of retrying against SQLite's busy timeout.
//!
//! With several instances on one PostgreSQL each admits one writer per authority, so at most
//! one connection per instance waits on an authority's chain lock. Reads are never queued.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::domain::authority::AuthorityId;
use crate::error::AppError;

pub struct WriteAdmission {
    per_authority: Mutex<HashMap<AuthorityId, Arc<Semaphore>>>,
    all: Arc<Semaphore>,
}

/// Held for the whole write, connection and transaction included.
pub struct WritePermit {
    _authority: OwnedSemaphorePermit,
    _all: OwnedSemaphorePermit,
}

impl WriteAdmission {
    /// `writers`: how many writes of all authorities may hold a connection at once (at least 1).
    pub fn new(writers: usize) -> Self {
        Self {
            per_authority: Mutex::new(HashMap::new()),
            all: Arc::new(Semaphore::new(writers.max(1))),
        }
    }

    /// Waits for the authority's turn, then for a writer slot (in that order, so a write
    /// waiting behind its own authority holds no slot another authority could use).
    pub async fn admit(&self, authority: &AuthorityId) -> Result<WritePermit, AppError> {
        let queue = {
            let mut queues = self
                .per_authority
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            Arc::clone(
                queues
                    .entry(authority.clone())
                    .or_insert_with(|| Arc::new(Semaphore::new(1))),
            )
        };
        // The semaphores are never closed, so acquiring cannot fail.
        let own = queue.acquire_owned().await.map_err(AppError::internal)?;
        let slot = Arc::clone(&self.all)
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        Ok(WritePermit {
            _authority: own,
            _all: slot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn authority(slug: &str) -> AuthorityId {
        AuthorityId::parse(slug).unwrap()
    }

    #[actix_web::test]
    async fn one_write_per_authority_and_a_cap_over_all() {
        let admission = WriteAdmission::new(2);
        let camden = admission.admit(&authority("camden")).await.unwrap();
        // A second write of the same authority waits; another authority's does not.
        let waiting = tokio::time::timeout(
            Duration::from_millis(50),
            admission.admit(&authority("camden")),
        )
        .await;
        assert!(waiting.is_err(), "camden's second write must wait");
        let hackney = admission.admit(&authority("hackney")).await.unwrap();
        // Both writer slots are taken: a third authority waits too.
        let third = tokio::time::timeout(
            Duration::from_millis(50),
            admission.admit(&authority("islington")),
        )
        .await;
        assert!(third.is_err(), "the writer cap must hold");
        drop(camden);
        let next = admission.admit(&authority("camden")).await.unwrap();
        drop((hackney, next));
    }
}
