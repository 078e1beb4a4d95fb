//! Storage: one portable diesel schema over SQLite (embedded, the default) and PostgreSQL,
//! chosen by the scheme of `DATABASE_URL`, with migrations per backend run at start.

pub mod audit;
pub mod audited;
pub mod contracts;
pub mod idempotency;
pub mod missions;
pub mod schema;
pub mod settings;
pub mod tenders;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

pub type DbPool = r2d2::Pool<ConnectionManager>;

/// A parsed `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error(
        "DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (e.g. sqlite://data/mission-procurement.db); got {0}"
    )]
    UnknownScheme(String),
    #[error("DATABASE_URL names no SQLite file; use e.g. sqlite://data/mission-procurement.db")]
    EmptySqlitePath,
    #[error(
        "an in-memory SQLite database cannot be shared by a connection pool; use a file, e.g. sqlite://data/mission-procurement.db"
    )]
    InMemorySqlite,
    #[error("cannot create the directory {path} for the SQLite database: {cause}")]
    SqliteDirectory { path: String, cause: String },
    #[error("cannot open the database {target}: {cause}")]
    Connect { target: String, cause: String },
    #[error("cannot run the database migrations on {target}: {cause}")]
    Migrate { target: String, cause: String },
}

impl DatabaseUrl {
    pub fn parse(raw: &str) -> Result<Self, DbSetupError> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_string()));
        }
        let path = raw
            .strip_prefix("sqlite://")
            .or_else(|| raw.strip_prefix("sqlite:"))
            .ok_or_else(|| DbSetupError::UnknownScheme(scheme_of(raw)))?;
        match path {
            "" => Err(DbSetupError::EmptySqlitePath),
            ":memory:" => Err(DbSetupError::InMemorySqlite),
            _ if path.starts_with("file::memory:") || path.contains("mode=memory") => {
                Err(DbSetupError::InMemorySqlite)
            }
            _ => Ok(Self::Sqlite(PathBuf::from(path))),
        }
    }

    /// Where the database is, without credentials: safe to log and to print in errors.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("SQLite file {}", path.display()),
            Self::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let host_part = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                let host_part = host_part.split('?').next().unwrap_or(host_part);
                format!("PostgreSQL at {host_part}")
            }
        }
    }
}

/// The scheme of an unrecognised URL, or a hint when there is none; never the whole URL,
/// which may hold a password.
fn scheme_of(raw: &str) -> String {
    match raw.split_once("://").or_else(|| raw.split_once(':')) {
        Some((scheme, _)) if !scheme.is_empty() => format!("a URL with scheme `{scheme}`"),
        _ => "a value with no scheme".to_string(),
    }
}

/// Opens connections of the backend the URL names. diesel's own `MultiConnection::establish`
/// tries each backend in turn and loses the real error, so the choice is made here.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("{0}")]
    Query(#[from] diesel::result::Error),
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                Ok(DbConnection::Postgresql(PgConnection::establish(url)?))
            }
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // Per connection: SQLite forgets pragmas when a connection closes.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")?;
        Ok(())
    }

    /// A connection whose server went away, or left mid-transaction, is dropped on its return
    /// to the pool (diesel's own test, no round trip).
    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// Opens the pool and brings the schema up to date. Fails with a message that says what is
/// wrong (unreachable server, bad credentials, unwritable directory), never just "invalid URL".
pub fn connect(url: &DatabaseUrl, pool_size: u32) -> Result<DbPool, DbSetupError> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| DbSetupError::SqliteDirectory {
            path: dir.display().to_string(),
            cause: e.to_string(),
        })?;
    }
    let manager = ConnectionManager { url: url.clone() };
    let target = url.redacted();
    // One connection first, so the real reason of a failure reaches the operator.
    let mut first = manager.connect().map_err(|e| DbSetupError::Connect {
        target: target.clone(),
        cause: e.to_string().trim().to_string(),
    })?;
    run_migrations(&mut first).map_err(|cause| DbSetupError::Migrate {
        target: target.clone(),
        cause,
    })?;
    // No `SELECT 1` before every checkout (it cost more than a read by id): a broken connection
    // is found by `has_broken` when it comes back, and its one failed query answers 503.
    r2d2::Pool::builder()
        .max_size(pool_size)
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .map_err(|e| DbSetupError::Connect {
            target,
            cause: e.to_string(),
        })
}

/// Applies pending migrations, one instance at a time: any number of instances may start
/// together on one database (a rolling deploy with a new migration). PostgreSQL: a session
/// advisory lock keyed by database and schema, so each waits for the one migrating and then finds
/// nothing pending. SQLite: the whole run in one `BEGIN IMMEDIATE` transaction, which takes the
/// file's write lock first (others wait on the busy timeout).
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), String> {
    match conn {
        DbConnection::Postgresql(c) => {
            const KEY: &str = "hashtext('mission-procurement migrations ' || current_database() || '.' || current_schema())";
            diesel::sql_query(format!("SELECT pg_advisory_lock({KEY})"))
                .execute(c)
                .map_err(|e| format!("cannot take the migration lock: {e}"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let unlocked = diesel::sql_query(format!("SELECT pg_advisory_unlock({KEY})"))
                .execute(c)
                .map_err(|e| format!("cannot release the migration lock: {e}"));
            result.and(unlocked.map(|_| ()))
        }
        DbConnection::Sqlite(c) => c
            .immediate_transaction(|c| {
                c.run_pending_migrations(SQLITE_MIGRATIONS)
                    .map(|_| ())
                    .map_err(|e| MigrationFailed(e.to_string()))
            })
            .map_err(|e| e.to_string()),
    }
}

/// A migration's failure inside the SQLite transaction that runs them.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct MigrationFailed(String);

impl From<diesel::result::Error> for MigrationFailed {
    fn from(e: diesel::result::Error) -> Self {
        Self(e.to_string())
    }
}

/// Whether every migration this build knows has been applied (for `/ready`).
pub fn migrations_current(conn: &mut DbConnection) -> Result<bool, String> {
    let pending = match conn {
        DbConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    };
    pending.map(|p| !p).map_err(|e| e.to_string())
}

/// A stored row that no longer parses: data changed behind the service's back.
#[derive(Debug, thiserror::Error)]
#[error("stored {entity} {id} is corrupt: {reason}")]
pub struct CorruptRow {
    pub entity: &'static str,
    pub id: String,
    pub reason: String,
}

impl CorruptRow {
    pub fn new(entity: &'static str, id: &str, reason: impl std::fmt::Display) -> Self {
        Self {
            entity,
            id: id.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Timestamps are stored as naive UTC at microsecond precision, the finest both backends keep.
pub fn to_db_time(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    t.naive_utc()
}

pub fn from_db_time(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_scheme() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("data/x.db"))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(),
            DatabaseUrl::Sqlite(PathBuf::from("/tmp/x.db"))
        );
        assert!(matches!(
            DatabaseUrl::parse("postgresql://u:p@h/db").unwrap(),
            DatabaseUrl::Postgres(_)
        ));
    }

    #[test]
    fn unknown_schemes_are_refused_without_echoing_secrets() {
        let err = DatabaseUrl::parse("mysql://root:hunter2@db/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("scheme `mysql`"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        assert!(matches!(
            DatabaseUrl::parse("sqlite::memory:"),
            Err(DbSetupError::InMemorySqlite)
        ));
        assert!(matches!(
            DatabaseUrl::parse("sqlite://"),
            Err(DbSetupError::EmptySqlitePath)
        ));
        assert!(matches!(
            DatabaseUrl::parse("data.db"),
            Err(DbSetupError::UnknownScheme(_))
        ));
    }

    #[test]
    fn redaction_drops_credentials() {
        let url = DatabaseUrl::parse("postgres://user:secret@db.example:5432/mp?sslmode=require")
            .unwrap();
        assert_eq!(url.redacted(), "PostgreSQL at db.example:5432/mp");
    }
}
