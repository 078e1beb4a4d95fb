use awc::http::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, mission_body};
use crate::on_both_databases;

on_both_databases!(
    officer_creates_and_reads_a_mission,
    every_role_of_the_authority_reads_missions,
    only_officers_and_admins_write_missions,
    validation_reports_every_field,
    decimals_must_be_strings,
    patch_updates_fields_and_bumps_the_etag,
    patch_needs_a_matching_if_match,
    empty_patch_changes_nothing,
    other_authority_gets_404_for_mission,
    lists_never_show_other_authorities,
    lists_page_with_cursors_and_filter_by_status,
);

async fn officer_creates_and_reads_a_mission(app: TestApp) {
    let created = app
        .create_mission("camden", "By 2030, everyone eats well every day")
        .await;
    assert_eq!(
        created["statement"],
        "By 2030, everyone eats well every day"
    );
    assert_eq!(created["target_year"], 2030);
    assert_eq!(created["status"], "active");
    assert_eq!(created["authority"], "camden");
    assert_eq!(created["version"], 1);
    let indicator = &created["outcomes"][0]["indicators"][0];
    assert_eq!(indicator["baseline"], "2400");
    assert_eq!(
        indicator["target"], "4000.5",
        "decimals come back as normalised strings"
    );
    assert_eq!(created["outcomes"][0]["kind"], "early_change");

    let id = created["id"].as_str().unwrap();
    let token = app.token("camden", &["officer"]);
    let read = app.get(&format!("/api/v1/missions/{id}"), &token).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(read.body, created);
}

async fn every_role_of_the_authority_reads_missions(app: TestApp) {
    let created = app
        .create_mission("camden", "Estates are creative and sustainable")
        .await;
    let id = created["id"].as_str().unwrap();
    for role in ["officer", "evaluator", "auditor", "integration", "admin"] {
        let token = app.token("camden", &[role]);
        assert_eq!(
            app.get(&format!("/api/v1/missions/{id}"), &token)
                .await
                .status,
            StatusCode::OK,
            "{role}"
        );
        assert_eq!(
            app.get("/api/v1/missions", &token).await.status,
            StatusCode::OK,
            "{role}"
        );
    }
}

async fn only_officers_and_admins_write_missions(app: TestApp) {
    for role in ["evaluator", "auditor", "integration"] {
        let token = app.token("camden", &[role]);
        let res = app
            .post(
                "/api/v1/missions",
                &token,
                mission_body("Diverse leadership"),
            )
            .await;
        let body = res.assert_problem(403, "forbidden");
        assert!(body["detail"].as_str().unwrap().contains("officer, admin"));
    }
    let admin = app.token("camden", &["admin"]);
    let res = app
        .post(
            "/api/v1/missions",
            &admin,
            mission_body("Diverse leadership"),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let id = res.body["id"].as_str().unwrap();
    let auditor = app.token("camden", &["auditor"]);
    let res = app
        .patch(
            &format!("/api/v1/missions/{id}"),
            &auditor,
            "\"1\"",
            json!({"status": "retired"}),
        )
        .await;
    res.assert_problem(403, "forbidden");
    let list = app.get("/api/v1/missions", &auditor).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "a refused write changes nothing"
    );
}

async fn validation_reports_every_field(app: TestApp) {
    let token = app.token("camden", &["officer"]);
    let body = json!({
        "statement": "   ",
        "target_year": 1999,
        "outcomes": [
            {"kind": "early_change", "title": "ok", "indicators": [{"name": "", "unit": "x".repeat(51)}]},
            {"kind": "later_change", "title": "a\u{0000}b"}
        ]
    });
    let res = app.post("/api/v1/missions", &token, body).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        [
            "statement",
            "target_year",
            "outcomes[0].indicators[0].name",
            "outcomes[0].indicators[0].unit",
            "outcomes[1].title"
        ]
    );
    let messages: Vec<_> = res.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages[0], "must not be empty");
    assert_eq!(messages[1], "must be a year from 2000 to 2100");
    assert_eq!(messages[3], "must be at most 50 characters");

    let long = "é".repeat(500);
    let res = app
        .post(
            "/api/v1/missions",
            &token,
            json!({"statement": long, "target_year": 2030}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CREATED,
        "500 characters is within the limit however many bytes"
    );
    let res = app
        .post(
            "/api/v1/missions",
            &token,
            json!({"statement": "é".repeat(501), "target_year": 2030}),
        )
        .await;
    res.assert_problem(422, "validation_failed");

    let list = app.get("/api/v1/missions", &token).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        1,
        "rejected input stored nothing"
    );
}

async fn decimals_must_be_strings(app: TestApp) {
    let token = app.token("camden", &["officer"]);
    let mut body = mission_body("Food");
    body["outcomes"][0]["indicators"][0]["target"] = json!(4000.5);
    let res = app.post("/api/v1/missions", &token, body).await;
    res.assert_problem(400, "invalid_body");
    assert_eq!(res.error_fields(), ["outcomes[0].indicators[0].target"]);

    let mut body = mission_body("Food");
    body["outcomes"][0]["indicators"][0]["target"] = json!("12,5");
    let res = app.post("/api/v1/missions", &token, body).await;
    res.assert_problem(400, "invalid_body");
}

async fn patch_updates_fields_and_bumps_the_etag(app: TestApp) {
    let created = app
        .create_mission("camden", "Young people have economic opportunity")
        .await;
    let id = created["id"].as_str().unwrap();
    let token = app.token("camden", &["officer"]);
    app.at("2026-12-03");
    let res = app
        .patch(
            &format!("/api/v1/missions/{id}"),
            &token,
            "\"1\"",
            json!({"target_year": 2025, "status": "achieved", "outcomes": []}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.header("etag"), Some("\"2\""));
    assert_eq!(res.body["target_year"], 2025);
    assert_eq!(res.body["status"], "achieved");
    assert_eq!(res.body["outcomes"], json!([]));
    assert_eq!(
        res.body["statement"], created["statement"],
        "omitted fields keep their value"
    );
    assert_eq!(res.body["created_at"], created["created_at"]);
    assert_ne!(res.body["updated_at"], created["updated_at"]);

    let read = app.get(&format!("/api/v1/missions/{id}"), &token).await;
    assert_eq!(read.body, res.body);

    let res = app
        .patch(
            &format!("/api/v1/missions/{id}"),
            &token,
            "\"2\"",
            json!({"target_year": 2201}),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["target_year"]);
}

async fn patch_needs_a_matching_if_match(app: TestApp) {
    let created = app.create_mission("camden", "Food").await;
    let path = format!("/api/v1/missions/{}", created["id"].as_str().unwrap());
    let token = app.token("camden", &["officer"]);

    let req = app
        .request(awc::http::Method::PATCH, &path)
        .bearer_auth(&token);
    app.send(req, Some(json!({"status": "retired"})))
        .await
        .assert_problem(428, "precondition_required");

    let res = app
        .patch(&path, &token, "\"7\"", json!({"status": "retired"}))
        .await;
    let body = res.assert_problem(412, "precondition_failed");
    assert!(body["detail"].as_str().unwrap().contains("\"1\""));

    app.patch(&path, &token, "W/\"1\"", json!({"status": "retired"}))
        .await
        .assert_problem(412, "precondition_failed");
    app.patch(&path, &token, "1", json!({"status": "retired"}))
        .await
        .assert_problem(400, "invalid_header");

    let read = app.get(&path, &token).await;
    assert_eq!(
        read.body["status"], "active",
        "refused updates changed nothing"
    );

    let res = app
        .patch(&path, &token, "\"0\", \"1\"", json!({"status": "retired"}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .patch(&path, &token, "*", json!({"status": "draft"}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("etag"), Some("\"3\""));
}

async fn empty_patch_changes_nothing(app: TestApp) {
    let created = app.create_mission("camden", "Food").await;
    let path = format!("/api/v1/missions/{}", created["id"].as_str().unwrap());
    let token = app.token("camden", &["officer"]);
    let res = app
        .patch(&path, &token, "\"1\"", json!({"status": "active"}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, created);
    assert_eq!(res.header("etag"), Some("\"1\""));
    let auditor = app.token("camden", &["auditor"]);
    let events = app.get("/api/v1/audit/events", &auditor).await;
    assert_eq!(
        events.body["items"].as_array().unwrap().len(),
        1,
        "no event for a write that changed nothing"
    );
}

async fn other_authority_gets_404_for_mission(app: TestApp) {
    let created = app.create_mission("camden", "Food").await;
    let path = format!("/api/v1/missions/{}", created["id"].as_str().unwrap());
    let islington = app.token("islington", &["officer", "admin", "auditor"]);
    app.get(&path, &islington)
        .await
        .assert_problem(404, "not_found");
    app.patch(&path, &islington, "\"1\"", json!({"status": "retired"}))
        .await
        .assert_problem(404, "not_found");
    app.patch(&path, &islington, "*", json!({"status": "retired"}))
        .await
        .assert_problem(404, "not_found");
    let missing = format!("/api/v1/missions/{}", uuid::Uuid::now_v7());
    let camden = app.token("camden", &["officer"]);
    let not_there = app.get(&missing, &camden).await;
    not_there.assert_problem(404, "not_found");
    let other = app.get(&path, &islington).await;
    assert_eq!(
        other.body["detail"], not_there.body["detail"],
        "another authority's mission looks like a missing one"
    );
    let read = app.get(&path, &camden).await;
    assert_eq!(read.body["status"], "active");
}

async fn lists_never_show_other_authorities(app: TestApp) {
    app.create_mission("camden", "Camden food").await;
    app.create_mission("islington", "Islington food").await;
    let res = app
        .get("/api/v1/missions", &app.token("islington", &["officer"]))
        .await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["statement"], "Islington food");
    assert_eq!(res.body["next_cursor"], serde_json::Value::Null);
}

async fn lists_page_with_cursors_and_filter_by_status(app: TestApp) {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.create_mission("camden", &format!("Mission {i}")).await["id"].clone());
    }
    let token = app.token("camden", &["officer"]);
    app.patch(
        &format!("/api/v1/missions/{}", ids[1].as_str().unwrap()),
        &token,
        "*",
        json!({"status": "retired"}),
    )
    .await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/missions?limit=2".to_string();
    loop {
        let res = app.get(&path, &token).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        let items = res.body["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|m| m["id"].clone()));
        match res.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/missions?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every mission once, in creation order");

    let retired = app.get("/api/v1/missions?status=retired", &token).await;
    let items = retired.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], ids[1]);

    let capped = app.get("/api/v1/missions?limit=100000", &token).await;
    assert_eq!(
        capped.status,
        StatusCode::OK,
        "a large limit is capped, not refused"
    );
    assert_eq!(capped.body["items"].as_array().unwrap().len(), 5);
}
