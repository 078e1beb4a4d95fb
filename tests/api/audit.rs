//! The hash-chained audit trail: an event per write, in the same transaction; verification
//! catches edits behind the service's back.

use awc::http::StatusCode;
use diesel::RunQueryDsl;
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(
    every_write_appends_a_chained_event,
    events_filter_by_entity_and_page,
    audit_trails_are_per_authority,
    verify_passes_on_an_untouched_trail,
    verify_catches_an_edited_event,
    verify_catches_an_edited_mission_row,
    verify_catches_a_deleted_event,
    concurrent_writes_never_fork_the_chain,
    a_whole_procurement_verifies_and_an_edited_bid_shows,
);

async fn events(app: &TestApp, authority: &str, query: &str) -> Vec<serde_json::Value> {
    let res = app
        .get(
            &format!("/api/v1/audit/events{query}"),
            &app.token(authority, &["auditor"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body["items"].as_array().unwrap().clone()
}

async fn verify(app: &TestApp, authority: &str) -> serde_json::Value {
    let res = app
        .get("/api/v1/audit/verify", &app.token(authority, &["auditor"]))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body
}

async fn every_write_appends_a_chained_event(app: TestApp) {
    let token = app.token("camden", &["officer", "evaluator"]);
    let req = app
        .request(awc::http::Method::POST, "/api/v1/missions")
        .bearer_auth(&token)
        .insert_header(("x-request-id", "req-create-1"));
    let created = app
        .send(req, Some(crate::helpers::mission_body("Food")))
        .await
        .body;
    let id = created["id"].as_str().unwrap();
    app.patch(
        &format!("/api/v1/missions/{id}"),
        &token,
        "\"1\"",
        json!({"status": "achieved"}),
    )
    .await;

    let items = events(&app, "camden", "").await;
    assert_eq!(items.len(), 2);
    let (first, second) = (&items[0], &items[1]);
    assert_eq!(first["seq"], 1);
    assert_eq!(first["action"], "mission.created");
    assert_eq!(first["entity_type"], "mission");
    assert_eq!(first["entity_id"], id);
    assert_eq!(first["actor"], "alice");
    assert_eq!(first["roles"], json!(["officer", "evaluator"]));
    assert_eq!(first["request_id"], "req-create-1");
    assert_eq!(first["prev_hash"], "0".repeat(64));
    assert_eq!(first["hash"].as_str().unwrap().len(), 64);
    assert_eq!(first["state_digest"].as_str().unwrap().len(), 64);
    assert_eq!(second["seq"], 2);
    assert_eq!(second["action"], "mission.updated");
    assert_eq!(second["prev_hash"], first["hash"]);
    assert_ne!(second["state_digest"], first["state_digest"]);
}

async fn events_filter_by_entity_and_page(app: TestApp) {
    let a = app.create_mission("camden", "A").await;
    app.create_mission("camden", "B").await;
    let a_id = a["id"].as_str().unwrap();
    let token = app.token("camden", &["officer"]);
    app.patch(
        &format!("/api/v1/missions/{a_id}"),
        &token,
        "*",
        json!({"status": "draft"}),
    )
    .await;

    let about_a = events(
        &app,
        "camden",
        &format!("?entity_type=mission&entity_id={a_id}"),
    )
    .await;
    assert_eq!(
        about_a
            .iter()
            .map(|e| e["seq"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [1, 3]
    );
    let updates = events(&app, "camden", "?action=mission.updated").await;
    assert_eq!(updates.len(), 1);

    let auditor = app.token("camden", &["admin"]);
    let page1 = app.get("/api/v1/audit/events?limit=2", &auditor).await;
    assert_eq!(page1.body["items"].as_array().unwrap().len(), 2);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/audit/events?limit=2&cursor={cursor}"),
            &auditor,
        )
        .await;
    assert_eq!(page2.body["items"][0]["seq"], 3);
    assert_eq!(page2.body["next_cursor"], serde_json::Value::Null);
}

async fn audit_trails_are_per_authority(app: TestApp) {
    app.create_mission("camden", "Food").await;
    app.create_mission("islington", "Food").await;
    let islington = events(&app, "islington", "").await;
    assert_eq!(islington.len(), 1);
    assert_eq!(islington[0]["seq"], 1, "each authority has its own chain");
    assert_eq!(verify(&app, "islington").await["events_checked"], 1);
}

async fn verify_passes_on_an_untouched_trail(app: TestApp) {
    let empty = verify(&app, "camden").await;
    assert_eq!(empty["valid"], true);
    assert_eq!(empty["events_checked"], 0);
    let m = app.create_mission("camden", "Food").await;
    let token = app.token("camden", &["officer"]);
    app.patch(
        &format!("/api/v1/missions/{}", m["id"].as_str().unwrap()),
        &token,
        "*",
        json!({"target_year": 2031}),
    )
    .await;
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["events_checked"], 2);
    assert_eq!(report["entities_checked"], 1);
    assert_eq!(report["first_broken_link"], serde_json::Value::Null);
    let last = events(&app, "camden", "").await.pop().unwrap();
    assert_eq!(report["head_hash"], last["hash"]);
}

fn execute(app: &TestApp, sql: &str) {
    let mut conn = app.pool.get().unwrap();
    let changed = diesel::sql_query(sql).execute(&mut *conn).unwrap();
    assert!(
        changed > 0,
        "the tampering statement changed nothing: {sql}"
    );
}

async fn verify_catches_an_edited_event(app: TestApp) {
    for s in ["A", "B", "C"] {
        app.create_mission("camden", s).await;
    }
    execute(
        &app,
        "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2 AND authority = 'camden'",
    );
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], false);
    assert_eq!(report["first_broken_link"]["seq"], 2);
    assert_eq!(report["first_broken_link"]["reason"], "hash_mismatch");
    assert_eq!(report["events_checked"], 3);
}

async fn verify_catches_an_edited_mission_row(app: TestApp) {
    let m = app.create_mission("camden", "Food").await;
    let id = m["id"].as_str().unwrap();
    execute(
        &app,
        &format!("UPDATE missions SET target_year = 2099 WHERE id = '{id}'"),
    );
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], false);
    assert_eq!(
        report["first_broken_link"],
        serde_json::Value::Null,
        "the chain itself is intact"
    );
    let mismatch = &report["state_mismatches"][0];
    assert_eq!(mismatch["entity_type"], "mission");
    assert_eq!(mismatch["entity_id"], id);
}

async fn verify_catches_a_deleted_event(app: TestApp) {
    for s in ["A", "B", "C"] {
        app.create_mission("camden", s).await;
    }
    execute(
        &app,
        "DELETE FROM audit_events WHERE seq = 2 AND authority = 'camden'",
    );
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], false);
    assert_eq!(report["first_broken_link"]["reason"], "sequence_gap");
    assert_eq!(report["first_broken_link"]["seq"], 3);
}

async fn concurrent_writes_never_fork_the_chain(app: TestApp) {
    let token = app.token("camden", &["officer"]);
    let writes = (0..12).map(|i| {
        let (app, token) = (&app, &token);
        async move {
            app.post(
                "/api/v1/missions",
                token,
                crate::helpers::mission_body(&format!("M{i}")),
            )
            .await
            .status
        }
    });
    let statuses = futures_util::future::join_all(writes).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let seqs: Vec<i64> = events(&app, "camden", "")
        .await
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>());
    assert_eq!(verify(&app, "camden").await["valid"], true);
}

async fn a_whole_procurement_verifies_and_an_edited_bid_shows(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    crate::evaluation::award_to_b(&app, &tender, &bids).await;
    let officer = app.token("camden", &["officer"]);
    let res = app
        .post("/api/v1/contracts", &officer, json!({"tender_id": tender, "title": "Reablement", "start_date": "2026-01-01", "end_date": "2027-12-31"}))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], true, "{report}");
    // A mission, a tender, three bids, a contract and two terms carried from the bid.
    assert_eq!(report["entities_checked"], 8);

    execute(
        &app,
        &format!("UPDATE bids SET price = '1' WHERE id = '{}'", bids[0]),
    );
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], false);
    assert_eq!(report["state_mismatches"][0]["entity_type"], "bid");
    assert_eq!(report["state_mismatches"][0]["entity_id"], bids[0]);
}
