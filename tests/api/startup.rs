//! Start-up: the database is chosen by URL scheme, created and migrated; failures say why.

use std::collections::BTreeSet;

use mission_procurement::startup::Application;

use crate::helpers::test_settings;

fn build_error(url: &str) -> String {
    match Application::build(test_settings(url.to_string())) {
        Ok(_) => panic!("{url} should not start"),
        Err(e) => e.to_string(),
    }
}

#[actix_web::test]
async fn a_fresh_sqlite_file_is_created_and_migrated() {
    let dir = std::env::temp_dir().join(format!("mp-fresh-{}", uuid::Uuid::now_v7().simple()));
    let path = dir.join("nested/dir/service.db");
    let app = Application::build(test_settings(format!("sqlite://{}", path.display()))).unwrap();
    assert!(app.port() > 0);
    assert!(path.exists(), "the database file is created");
    // A second start on the same file finds the schema current.
    Application::build(test_settings(format!("sqlite://{}", path.display()))).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[actix_web::test]
async fn bad_database_urls_fail_with_a_clear_message() {
    let err = build_error("mysql://root:hunter2@localhost/db");
    assert!(
        err.contains("DATABASE_URL must start with postgres://, postgresql:// or sqlite://"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let err = build_error("postgres://postgres:topsecret@127.0.0.1:1/nothing");
    assert!(
        err.contains("cannot open the database PostgreSQL at 127.0.0.1:1/nothing"),
        "{err}"
    );
    assert!(
        err.to_lowercase().contains("connect"),
        "the server's reason is passed on: {err}"
    );
    assert!(!err.contains("topsecret"), "{err}");
    let err = build_error("sqlite::memory:");
    assert!(err.contains("in-memory"), "{err}");
    let err = build_error("sqlite:///proc/no-such-dir/x.db");
    assert!(err.contains("/proc/no-such-dir"), "{err}");
}

fn migration_names(backend: &str) -> BTreeSet<String> {
    std::fs::read_dir(format!("migrations/{backend}"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                assert!(
                    std::path::Path::new(&format!("migrations/{backend}/{name}/{file}")).exists(),
                    "{backend}/{name}/{file}"
                );
            }
        }
    }
}

/// Several instances starting together on a new database (a rolling deploy with a migration):
/// each waits for the one migrating, then finds the schema current.
fn instances_start_together_on_a_new_database(backend: crate::helpers::Backend) {
    let Some((url, _guard)) = crate::helpers::fresh_database(backend) else {
        return;
    };
    let url = mission_procurement::db::DatabaseUrl::parse(&url).unwrap();
    let instances: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || mission_procurement::db::connect(&url, 1).map(|_| ()))
        })
        .collect();
    for instance in instances {
        let started = instance.join().unwrap();
        assert!(started.is_ok(), "{backend:?}: {:?}", started.err());
    }
    let pool = mission_procurement::db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    assert!(mission_procurement::db::migrations_current(&mut conn).unwrap());
}

#[test]
fn instances_start_together_on_a_new_sqlite_database() {
    instances_start_together_on_a_new_database(crate::helpers::Backend::Sqlite);
}

#[test]
fn instances_start_together_on_a_new_postgres_database() {
    instances_start_together_on_a_new_database(crate::helpers::Backend::Postgres);
}
