use awc::http::{Method, StatusCode};
use diesel::RunQueryDsl;

use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(
    health_and_ready_answer_without_a_token,
    ready_reports_pending_migrations,
    metrics_count_requests_imports_and_waits_behind_their_own_token,
    a_body_that_does_not_arrive_in_time_is_408,
);

/// `REQUEST_BODY_TIMEOUT_SECS`: a client that announces a body and stops sending gets a
/// problem+json 408, and nothing is written.
async fn a_body_that_does_not_arrive_in_time_is_408(app: TestApp) {
    let slow = TestApp::spawn_with(app.backend, |mut s| {
        s.request_body_timeout = std::time::Duration::from_secs(1);
        s
    })
    .await
    .unwrap();
    let address = slow.address.trim_start_matches("http://").to_string();
    let token = slow.token("camden", &["officer"]);
    let answer = actix_web::rt::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "POST /api/v1/missions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"statement\""
        )
        .unwrap();
        let mut answer = String::new();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 4096];
        let n = stream.read(&mut buf).unwrap();
        answer.push_str(&String::from_utf8_lossy(&buf[..n]));
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    let listed = slow
        .get("/api/v1/missions", &slow.token("camden", &["auditor"]))
        .await;
    assert_eq!(listed.body["items"], serde_json::json!([]));
}

async fn metrics(app: &TestApp, token: Option<&str>) -> crate::helpers::TestResponse {
    let mut req = app.request(Method::GET, "/metrics");
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    app.send(req, None).await
}

async fn metrics_count_requests_imports_and_waits_behind_their_own_token(app: TestApp) {
    let mission = app.create_mission("camden", "Food").await;
    let reader = app.token("camden", &["auditor"]);
    let path = format!("/api/v1/missions/{}", mission["id"].as_str().unwrap());
    app.get(&path, &reader).await;
    let contract = crate::contracts::direct_contract(&app, "camden").await;
    let kpi =
        crate::contracts::add_term(&app, &contract, "Visits", crate::contracts::kpi_spec("90"))
            .await;
    app.at("2026-03-02");
    let returns = format!("/api/v1/contracts/{contract}/observations");
    let integration = app.token("camden", &["integration"]);
    app.post(
        &returns,
        &integration,
        serde_json::json!([
            crate::contracts::ret(&kpi, "2026-01-01", "95"),
            crate::contracts::ret(&kpi, "2026-02-01", "95")
        ]),
    )
    .await;
    app.post(
        &returns,
        &integration,
        serde_json::json!([crate::contracts::ret(&kpi, "2026-12-01", "95")]),
    )
    .await
    .assert_problem(422, "validation_failed");

    metrics(&app, None)
        .await
        .assert_problem(401, "unauthenticated");
    metrics(&app, Some(&reader))
        .await
        .assert_problem(401, "unauthenticated");
    let res = metrics(&app, Some(crate::helpers::METRICS_TOKEN)).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = &res.text;
    for line in [
        r#"http_requests_total{operation="get_mission",status="200"} 1"#,
        r#"http_requests_total{operation="create_mission",status="201"} 1"#,
        r#"http_requests_total{operation="submit_observations",status="422"} 1"#,
        r#"import_rows_total{outcome="accepted"} 2"#,
        r#"import_rows_total{outcome="rejected"} 1"#,
        r#"http_request_duration_seconds_count{operation="get_mission",status="200"} 1"#,
        r#"db_pool_waiting 0"#,
        r#"write_admission_waiting 0"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
    }
    for family in [
        "db_pool_connections{state=\"idle\"}",
        "write_admission_wait_seconds_count",
        "audit_chain_lock_wait_seconds_count",
    ] {
        assert!(text.contains(family), "no {family} in\n{text}");
    }

    // Without a token configured, metrics are off.
    let off = TestApp::spawn_with(app.backend, |mut s| {
        s.metrics_token = None;
        s
    })
    .await
    .unwrap();
    metrics(&off, Some(crate::helpers::METRICS_TOKEN))
        .await
        .assert_problem(404, "not_found");
}

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
