use awc::http::{Method, StatusCode};
use diesel::RunQueryDsl;

use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(
    health_and_ready_answer_without_a_token,
    ready_reports_pending_migrations
);

async fn health_and_ready_answer_without_a_token(app: TestApp) {
    let health = app.send(app.request(Method::GET, "/health"), None).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body["status"], "ok");
    let ready = app.send(app.request(Method::GET, "/ready"), None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.text);
    assert_eq!(ready.body["status"], "ready");
    assert_eq!(ready.body["migrations"], "current");
    let expected = match app.backend {
        crate::helpers::Backend::Sqlite => "sqlite",
        crate::helpers::Backend::Postgres => "postgresql",
    };
    assert_eq!(ready.body["database"], expected);
}

async fn ready_reports_pending_migrations(app: TestApp) {
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query("DELETE FROM __diesel_schema_migrations")
        .execute(&mut *conn)
        .unwrap();
    let ready = app.send(app.request(Method::GET, "/ready"), None).await;
    ready.assert_problem(503, "service_unavailable");
}
