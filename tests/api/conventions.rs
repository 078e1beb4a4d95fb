//! The conventions every endpoint follows: problem+json for every kind of bad input, request
//! ids, unknown routes and methods.

use awc::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, mission_body};
use crate::on_both_databases;

on_both_databases!(bad_bodies_get_problems_and_change_nothing);

async fn raw_post(
    app: &TestApp,
    content_type: Option<&str>,
    body: &'static str,
) -> crate::helpers::TestResponse {
    let token = app.token("camden", &["officer"]);
    let mut req = app
        .request(Method::POST, "/api/v1/missions")
        .bearer_auth(token);
    if let Some(ct) = content_type {
        req = req.insert_header(("content-type", ct));
    }
    let res = req.send_body(body).await.expect("sent");
    crate::helpers::TestResponse::from_client(&Method::POST, "/api/v1/missions", res).await
}

async fn bad_bodies_get_problems_and_change_nothing(app: TestApp) {
    let ct = Some("application/json");
    let res = raw_post(&app, ct, "{\"statement\": ").await;
    res.assert_problem(400, "malformed_json");
    assert!(res.body["detail"].as_str().unwrap().contains("line 1"));

    raw_post(&app, ct, "")
        .await
        .assert_problem(400, "malformed_json");
    raw_post(&app, ct, "{\"statement\":\"x\",\"target_year\":2030} {}")
        .await
        .assert_problem(400, "malformed_json");
    raw_post(&app, ct, "[]")
        .await
        .assert_problem(400, "invalid_body");

    let res = raw_post(
        &app,
        ct,
        "{\"statement\":\"x\",\"target_year\":2030,\"colour\":\"red\"}",
    )
    .await;
    res.assert_problem(400, "invalid_body");
    assert!(
        res.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );

    let res = raw_post(&app, ct, "{\"statement\":\"x\",\"target_year\":\"2030\"}").await;
    res.assert_problem(400, "invalid_body");
    assert_eq!(res.error_fields(), ["target_year"]);

    let res = raw_post(
        &app,
        ct,
        "{\"statement\":\"x\",\"target_year\":2030,\"status\":\"paused\"}",
    )
    .await;
    res.assert_problem(400, "invalid_body");
    assert_eq!(res.error_fields(), ["status"]);

    let res = raw_post(&app, ct, "{\"target_year\":2030}").await;
    res.assert_problem(400, "invalid_body");
    assert!(
        res.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("missing field `statement`")
    );

    raw_post(&app, Some("text/plain"), "{}")
        .await
        .assert_problem(415, "unsupported_media_type");
    raw_post(&app, None, "{}")
        .await
        .assert_problem(415, "unsupported_media_type");
    let res = raw_post(
        &app,
        Some("application/merge-patch+json"),
        "{\"statement\":\"x\",\"target_year\":2030}",
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::CREATED,
        "+json media types are JSON"
    );

    let token = app.token("camden", &["officer"]);
    let big = json!({"statement": "x", "target_year": 2030, "outcomes": [], "pad": "y".repeat(70 * 1024)});
    app.post("/api/v1/missions", &token, big)
        .await
        .assert_problem(413, "payload_too_large");

    let list = app.get("/api/v1/missions", &token).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "only the one good request stored anything"
    );
}

#[actix_web::test]
async fn bad_path_and_query_parameters_are_400() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = app.token("camden", &["officer", "auditor"]);
    app.get("/api/v1/missions/not-a-uuid", &token)
        .await
        .assert_problem(400, "invalid_path_parameter");
    app.get("/api/v1/missions?limit=abc", &token)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/missions?limit=0", &token)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/missions?status=paused", &token)
        .await
        .assert_problem(400, "invalid_query");
    app.get("/api/v1/missions?limt=5", &token)
        .await
        .assert_problem(400, "invalid_query");
    let res = app.get("/api/v1/missions?cursor=bm9wZQ", &token).await;
    res.assert_problem(400, "invalid_cursor");
    assert_eq!(res.error_fields(), ["cursor"]);
    app.get("/api/v1/audit/events?cursor=%%%", &token)
        .await
        .assert_problem(400, "invalid_cursor");
}

#[actix_web::test]
async fn cursors_of_one_list_do_not_fit_another() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.create_mission("camden", "One").await;
    app.create_mission("camden", "Two").await;
    let token = app.token("camden", &["officer", "auditor"]);
    let events = app.get("/api/v1/audit/events?limit=1", &token).await;
    let cursor = events.body["next_cursor"].as_str().unwrap().to_string();
    app.get(&format!("/api/v1/missions?cursor={cursor}"), &token)
        .await
        .assert_problem(400, "invalid_cursor");
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = app.token("camden", &["officer"]);
    app.get("/api/v1/nothing-here", &token)
        .await
        .assert_problem(404, "route_not_found");
    let res = app
        .send(
            app.request(Method::DELETE, "/api/v1/missions")
                .bearer_auth(&token),
            None,
        )
        .await;
    res.assert_problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, POST"));
    let res = app
        .send(
            app.request(
                Method::PUT,
                &format!("/api/v1/missions/{}", uuid::Uuid::now_v7()),
            ),
            None,
        )
        .await;
    res.assert_problem(405, "method_not_allowed");
    assert_eq!(res.header("allow"), Some("GET, PATCH"));
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app
        .send(
            app.request(Method::GET, "/api/v1/missions")
                .insert_header(("x-request-id", "trace-abc-123")),
            None,
        )
        .await;
    res.assert_problem(401, "unauthenticated");
    assert_eq!(res.header("x-request-id"), Some("trace-abc-123"));
    assert_eq!(res.body["request_id"], "trace-abc-123");

    let res = app.send(app.request(Method::GET, "/health"), None).await;
    let generated = res.header("x-request-id").unwrap();
    assert!(
        uuid::Uuid::parse_str(generated).is_ok(),
        "a UUID is generated when none is sent"
    );

    let res = app
        .send(
            app.request(Method::GET, "/health")
                .insert_header(("x-request-id", "has space")),
            None,
        )
        .await;
    assert_ne!(
        res.header("x-request-id"),
        Some("has space"),
        "unsafe ids are replaced"
    );
}

#[actix_web::test]
async fn every_write_response_is_json() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = app.token("camden", &["officer"]);
    let res = app
        .post("/api/v1/missions", &token, mission_body("Food"))
        .await;
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert!(
        res.header("location")
            .unwrap()
            .starts_with("/api/v1/missions/")
    );
}
