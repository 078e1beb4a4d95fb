use awc::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, mission_body};
use crate::on_both_databases;

on_both_databases!(
    a_retry_with_the_same_key_replays_the_first_response,
    the_same_key_with_another_body_is_refused,
    keys_are_per_authority,
    a_failed_request_does_not_burn_its_key,
);

async fn post_with_key(
    app: &TestApp,
    authority: &str,
    key: &str,
    body: serde_json::Value,
) -> crate::helpers::TestResponse {
    let token = app.token(authority, &["officer"]);
    let req = app
        .request(Method::POST, "/api/v1/missions")
        .bearer_auth(token)
        .insert_header(("idempotency-key", key));
    app.send(req, Some(body)).await
}

async fn count_missions(app: &TestApp, authority: &str) -> usize {
    let res = app
        .get("/api/v1/missions", &app.token(authority, &["officer"]))
        .await;
    res.body["items"].as_array().unwrap().len()
}

async fn a_retry_with_the_same_key_replays_the_first_response(app: TestApp) {
    let first = post_with_key(&app, "camden", "key-1", mission_body("Food")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.header("idempotent-replayed"), None);
    let second = post_with_key(&app, "camden", "key-1", mission_body("Food")).await;
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(count_missions(&app, "camden").await, 1);
    let events = app
        .get("/api/v1/audit/events", &app.token("camden", &["auditor"]))
        .await;
    assert_eq!(
        events.body["items"].as_array().unwrap().len(),
        1,
        "the replay wrote no second event"
    );
}

async fn the_same_key_with_another_body_is_refused(app: TestApp) {
    post_with_key(&app, "camden", "key-2", mission_body("Food")).await;
    let res = post_with_key(&app, "camden", "key-2", mission_body("Estates")).await;
    res.assert_problem(422, "idempotency_key_reused");
    assert_eq!(count_missions(&app, "camden").await, 1);
}

async fn keys_are_per_authority(app: TestApp) {
    let camden = post_with_key(&app, "camden", "shared-key", mission_body("Food")).await;
    let islington = post_with_key(&app, "islington", "shared-key", mission_body("Food")).await;
    assert_eq!(islington.status, StatusCode::CREATED);
    assert_eq!(islington.header("idempotent-replayed"), None);
    assert_ne!(islington.body["id"], camden.body["id"]);
    assert_eq!(islington.body["authority"], "islington");
}

async fn a_failed_request_does_not_burn_its_key(app: TestApp) {
    let bad = post_with_key(
        &app,
        "camden",
        "key-3",
        json!({"statement": "", "target_year": 2030}),
    )
    .await;
    bad.assert_problem(422, "validation_failed");
    let good = post_with_key(&app, "camden", "key-3", mission_body("Food")).await;
    assert_eq!(good.status, StatusCode::CREATED);
    let token = app.token("camden", &["officer"]);
    let req = app
        .request(Method::POST, "/api/v1/missions")
        .bearer_auth(token)
        .insert_header(("idempotency-key", "bad key"));
    app.send(req, Some(mission_body("Food")))
        .await
        .assert_problem(400, "invalid_header");
}
