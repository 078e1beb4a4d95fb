//! Per-authority policy settings and the lint that applies them.

use awc::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(each_authority_sets_its_own_social_value_floor);

async fn each_authority_sets_its_own_social_value_floor(app: TestApp) {
    let admin = app.token("camden", &["admin"]);
    let defaults = app
        .get("/api/v1/settings", &app.token("camden", &["evaluator"]))
        .await;
    assert_eq!(defaults.status, StatusCode::OK);
    assert_eq!(
        defaults.body,
        json!({"social_value_floor_percent": "10", "conditionality_required_above": "1000000.00", "version": 0})
    );

    let put = |token: &str, etag: &str, body: serde_json::Value| {
        let req = app
            .request(Method::PUT, "/api/v1/settings")
            .bearer_auth(token)
            .insert_header(("if-match", etag));
        app.send(req, Some(body))
    };
    put(
        &app.token("camden", &["officer"]),
        "*",
        json!({"social_value_floor_percent": "20"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let res = put(&admin, "*", json!({"social_value_floor_percent": "150"})).await;
    assert_eq!(res.error_fields(), ["social_value_floor_percent"]);
    let res = put(
        &admin,
        "\"0\"",
        json!({"social_value_floor_percent": "20", "conditionality_required_above": "500000"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["version"], 1);
    assert_eq!(res.header("etag"), Some("\"1\""));
    put(&admin, "\"0\"", json!({"social_value_floor_percent": "5"}))
        .await
        .assert_problem(412, "precondition_failed");

    // The fixture model gives social value 10%: below Camden's floor of 20, not Islington's default.
    let tender = app.tender_with_model("camden").await;
    let lint = app
        .get(&format!("/api/v1/tenders/{tender}/lint"), &admin)
        .await
        .body;
    let codes: Vec<_> = lint["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains(&"social_value_below_floor".to_string()),
        "{codes:?}"
    );
    let islington = app.tender_with_model("islington").await;
    let lint = app
        .get(
            &format!("/api/v1/tenders/{islington}/lint"),
            &app.token("islington", &["officer"]),
        )
        .await
        .body;
    assert!(
        !lint["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "social_value_below_floor")
    );
    assert_eq!(
        app.get("/api/v1/settings", &app.token("islington", &["officer"]))
            .await
            .body["version"],
        0
    );

    let events = app
        .get(
            "/api/v1/audit/events?entity_type=authority_settings",
            &app.token("camden", &["auditor"]),
        )
        .await;
    assert_eq!(events.body["items"][0]["entity_id"], "camden");
}
