use awc::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, bid_body, model_body};
use crate::on_both_databases;

on_both_databases!(
    a_tender_goes_through_its_lifecycle,
    illegal_transitions_are_409,
    the_model_is_validated_field_by_field,
    criteria_change_after_opening_needs_a_reason_and_is_audited,
    evaluation_rules_are_fixed_once_open,
    bids_are_accepted_only_while_open_and_checked_against_the_model,
    bid_status_changes_need_a_reason_and_an_officer,
    evaluators_score_independently_until_moderation,
    scores_must_be_on_the_scale_and_in_evaluation,
    other_authority_gets_404_for_tenders_and_bids,
);

async fn a_tender_goes_through_its_lifecycle(app: TestApp) {
    let officer = app.token("camden", &["officer"]);
    let res = app
        .post(
            "/api/v1/tenders",
            &officer,
            json!({"title": "Reablement", "estimated_value": "4500000.00"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let t = &res.body;
    assert_eq!(t["status"], "draft");
    assert_eq!(t["award_method"], "weighted_score");
    assert_eq!(t["currency"], "GBP");
    assert_eq!(t["estimated_value"], "4500000.00");
    assert_eq!(t["abnormally_low_percent"], "20");
    assert_eq!(
        t["tie_break"],
        json!([
            "higher_quality_subtotal",
            "higher_social_value_subtotal",
            "lower_price",
            "earlier_submission"
        ])
    );
    let id = t["id"].as_str().unwrap();

    let res = app
        .patch(
            &format!("/api/v1/tenders/{id}"),
            &officer,
            "\"1\"",
            json!({"award_method": "price_per_quality_point"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["award_method"], "price_per_quality_point");
    assert_eq!(res.header("etag"), Some("\"2\""));

    let mission = app.create_mission("camden", "Estates").await;
    let req = app
        .request(Method::PUT, &format!("/api/v1/tenders/{id}/criteria"))
        .bearer_auth(&officer)
        .insert_header(("if-match", "\"2\""));
    let res = app
        .send(req, Some(model_body(mission["id"].as_str().unwrap())))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["criteria"].as_array().unwrap().len(), 6);
    assert_eq!(res.body["criteria"][0]["weight"], "40");
    let model = app
        .get(
            &format!("/api/v1/tenders/{id}/criteria"),
            &app.token("camden", &["evaluator"]),
        )
        .await;
    assert_eq!(model.body["criteria"], res.body["criteria"]);
    assert_eq!(model.header("etag"), Some("\"3\""));

    for (action, status) in [
        ("open", "open"),
        ("close", "evaluation"),
        ("cancel", "cancelled"),
    ] {
        let res = app
            .action(&format!("/api/v1/tenders/{id}/{action}"), &officer)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{action}: {}", res.text);
        assert_eq!(res.body["status"], status);
    }
    let list = app.get("/api/v1/tenders?status=cancelled", &officer).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let events = app
        .get(
            &format!("/api/v1/audit/events?entity_type=tender&entity_id={id}"),
            &app.token("camden", &["auditor"]),
        )
        .await;
    let actions: Vec<_> = events.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "tender.created",
            "tender.updated",
            "tender.criteria_set",
            "tender.opened",
            "tender.closed",
            "tender.cancelled"
        ]
    );
}

async fn illegal_transitions_are_409(app: TestApp) {
    let officer = app.token("camden", &["officer"]);
    let res = app
        .post("/api/v1/tenders", &officer, json!({"title": "Empty"}))
        .await;
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = app
        .action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await;
    let body = res.assert_problem(409, "illegal_transition");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("evaluation model")
    );
    app.action(&format!("/api/v1/tenders/{id}/close"), &officer)
        .await
        .assert_problem(409, "illegal_transition");
    let id = app.tender_with_model("camden").await;
    app.action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await;
    app.action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await
        .assert_problem(409, "illegal_transition");
    app.action(&format!("/api/v1/tenders/{id}/cancel"), &officer)
        .await;
    let res = app
        .action(&format!("/api/v1/tenders/{id}/cancel"), &officer)
        .await;
    res.assert_problem(409, "illegal_transition");
    let read = app.get(&format!("/api/v1/tenders/{id}"), &officer).await;
    assert_eq!(read.body["status"], "cancelled");
    app.action(
        &format!("/api/v1/tenders/{id}/open"),
        &app.token("camden", &["evaluator"]),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn the_model_is_validated_field_by_field(app: TestApp) {
    let officer = app.token("camden", &["officer"]);
    let res = app
        .post("/api/v1/tenders", &officer, json!({"title": "T"}))
        .await;
    let id = res.body["id"].as_str().unwrap();
    let other_mission = app.create_mission("islington", "Islington's own").await;
    let mut model = model_body(other_mission["id"].as_str().unwrap());
    let path = format!("/api/v1/tenders/{id}/criteria");
    let put = |body: serde_json::Value| {
        let req = app
            .request(Method::PUT, &path)
            .bearer_auth(&officer)
            .insert_header(("if-match", "*"));
        app.send(req, Some(body))
    };
    let res = put(model.clone()).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        ["criteria[3].mission_id"],
        "another authority's mission is not ours"
    );

    model["criteria"][0]["weight"] = json!("45");
    model["criteria"][2]["method"] = json!({"type": "lowest_ratio"});
    model["criteria"][4]
        .as_object_mut()
        .unwrap()
        .remove("conditionality_type");
    let res = put(model).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        [
            "criteria[2].method.type",
            "criteria[4].conditionality_type",
            "criteria"
        ]
    );
    assert!(
        res.body["errors"][2]["message"]
            .as_str()
            .unwrap()
            .contains("they sum to 105")
    );

    let res = put(json!({"criteria": [{"code": "P", "title": "Price", "category": "price", "weight": 100, "method": {"type": "lowest_ratio"}}]})).await;
    res.assert_problem(400, "invalid_body");
    let read = app.get(&path, &officer).await;
    assert_eq!(read.body["criteria"], json!([]), "nothing was stored");
}

async fn criteria_change_after_opening_needs_a_reason_and_is_audited(app: TestApp) {
    let id = app.tender_with_model("camden").await;
    let officer = app.token("camden", &["officer"]);
    app.action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await;
    let path = format!("/api/v1/tenders/{id}/criteria");
    let model = app.get(&path, &officer).await.body;
    let mission = model["criteria"][3]["mission_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut body = model_body(&mission);
    body["criteria"][0]["weight"] = json!("35");
    body["criteria"][1]["weight"] = json!("35");
    let put = |body: serde_json::Value| {
        let req = app
            .request(Method::PUT, &path)
            .bearer_auth(&officer)
            .insert_header(("if-match", "*"));
        app.send(req, Some(body))
    };
    let res = put(body.clone()).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["reason"]);
    body["reason"] = json!("Clarification Q12: quality weighting raised after market feedback");
    let res = put(body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["criteria"][1]["weight"], "35");
    let events = app
        .get(
            "/api/v1/audit/events?action=tender.criteria_changed_after_opening",
            &app.token("camden", &["auditor"]),
        )
        .await;
    let event = &events.body["items"][0];
    assert_eq!(event["entity_id"], id);
    assert_eq!(
        event["note"],
        "Clarification Q12: quality weighting raised after market feedback"
    );

    app.action(&format!("/api/v1/tenders/{id}/close"), &officer)
        .await;
    put(body).await.assert_problem(409, "conflict");
}

async fn evaluation_rules_are_fixed_once_open(app: TestApp) {
    let id = app.tender_with_model("camden").await;
    let officer = app.token("camden", &["officer"]);
    app.action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await;
    let path = format!("/api/v1/tenders/{id}");
    app.patch(
        &path,
        &officer,
        "*",
        json!({"award_method": "lowest_price_after_gates"}),
    )
    .await
    .assert_problem(409, "conflict");
    let res = app
        .patch(
            &path,
            &officer,
            "*",
            json!({"description": "Clarified scope"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    app.patch(
        &path,
        &officer,
        "*",
        json!({"abnormally_low_percent": "150"}),
    )
    .await
    .assert_problem(422, "validation_failed");
}

async fn bids_are_accepted_only_while_open_and_checked_against_the_model(app: TestApp) {
    let id = app.tender_with_model("camden").await;
    let officer = app.token("camden", &["officer"]);
    let bids = format!("/api/v1/tenders/{id}/bids");
    let good = bid_body("Alpha Care", "900000", "4", "10", true);
    app.post(&bids, &officer, good.clone())
        .await
        .assert_problem(409, "conflict");
    app.action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await;

    let integration = app.token("camden", &["integration"]);
    let res = app.post(&bids, &integration, good.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["price"], "900000.00");
    assert_eq!(res.body["status"], "valid");
    assert_eq!(
        res.body["responses"][1]["commitment"]["percent_of_profit"],
        "10"
    );
    assert_eq!(
        res.header("location"),
        Some(format!("{bids}/{}", res.body["id"].as_str().unwrap()).as_str())
    );

    app.post(&bids, &app.token("camden", &["evaluator"]), good.clone())
        .await
        .assert_problem(403, "forbidden");
    let mut bad = good.clone();
    bad["price"] = json!("-5");
    bad["responses"][0]["criterion_code"] = json!("NOPE");
    let res = app.post(&bids, &officer, bad).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["price"]);
    let mut bad = good.clone();
    bad["responses"][0]["criterion_code"] = json!("NOPE");
    bad["responses"][1]["commitment"] =
        json!({"type": "profit_sharing", "share_percent": "50", "above_margin_percent": "8"});
    let res = app.post(&bids, &officer, bad).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        [
            "responses[0].criterion_code",
            "responses[1].commitment.type"
        ]
    );

    let mut huge = good.clone();
    huge["responses"][0]["quantity"] = json!("9999999999999999999999999999");
    let res = app.post(&bids, &officer, huge).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        ["responses[0].quantity"],
        "extreme figures never reach the engine"
    );

    let list = app.get(&bids, &app.token("camden", &["auditor"])).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let bid_path = format!("{bids}/{}", list.body["items"][0]["id"].as_str().unwrap());
    let res = app
        .patch(
            &bid_path,
            &integration,
            "\"1\"",
            json!({"price": "880000.50"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["price"], "880000.50", "money keeps its pence");
    app.action(&format!("/api/v1/tenders/{id}/close"), &officer)
        .await;
    app.patch(&bid_path, &integration, "*", json!({"price": "1"}))
        .await
        .assert_problem(409, "conflict");
    app.post(&bids, &officer, good)
        .await
        .assert_problem(409, "conflict");
}

async fn bid_status_changes_need_a_reason_and_an_officer(app: TestApp) {
    let (id, bids) = app.tender_in_evaluation("camden").await;
    let path = format!("/api/v1/tenders/{id}/bids/{}", bids[0]);
    let officer = app.token("camden", &["officer"]);
    let res = app
        .patch(&path, &officer, "*", json!({"status": "disqualified"}))
        .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["status_reason"]);
    app.patch(
        &path,
        &app.token("camden", &["integration"]),
        "*",
        json!({"status": "disqualified", "status_reason": "x"}),
    )
    .await
    .assert_problem(403, "forbidden");
    let res = app.patch(&path, &officer, "*", json!({"status": "disqualified", "status_reason": "Mandatory exclusion ground (Sch. 6)"})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "disqualified");
    let events = app
        .get(
            "/api/v1/audit/events?action=bid.status_changed",
            &app.token("camden", &["auditor"]),
        )
        .await;
    assert_eq!(
        events.body["items"][0]["note"],
        "Mandatory exclusion ground (Sch. 6)"
    );
}

async fn evaluators_score_independently_until_moderation(app: TestApp) {
    let (id, bids) = app.tender_in_evaluation("camden").await;
    let scores = format!("/api/v1/tenders/{id}/bids/{}/scores", bids[0]);
    let ann = crate::helpers::token_for("camden", &["evaluator"], "ann", 600);
    let bob = crate::helpers::token_for("camden", &["evaluator"], "bob", 600);
    for (token, score) in [(&ann, "4"), (&bob, "2")] {
        let res = app.post(&scores, token, json!({"criterion_code": "Q1", "score": score, "rationale": "Clear reablement pathway"})).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    }
    let res = app
        .post(
            &scores,
            &ann,
            json!({"criterion_code": "Q1", "score": "5", "rationale": "Revised after re-reading"}),
        )
        .await;
    assert_eq!(
        res.body["score"], "5",
        "a resubmission replaces the evaluator's own score"
    );

    let seen_by_ann = app.get(&scores, &ann).await;
    let evaluators: Vec<_> = seen_by_ann.body["evaluator_scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["evaluator"].clone())
        .collect();
    assert_eq!(
        evaluators,
        [json!("ann")],
        "before moderation an evaluator sees only their own scores"
    );
    let seen_by_officer = app.get(&scores, &app.token("camden", &["officer"])).await;
    assert_eq!(
        seen_by_officer.body["evaluator_scores"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let moderate = format!("/api/v1/tenders/{id}/bids/{}/moderated-scores", bids[0]);
    let req = app.request(Method::PUT, &moderate).bearer_auth(&ann);
    app.send(
        req,
        Some(json!({"criterion_code": "Q1", "score": "4", "rationale": "x"})),
    )
    .await
    .assert_problem(403, "forbidden");
    let req = app
        .request(Method::PUT, &moderate)
        .bearer_auth(app.token("camden", &["officer"]));
    let res = app.send(req, Some(json!({"criterion_code": "Q1", "score": "4", "rationale": "Consensus: strong pathway, thin on staffing"}))).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["score"], "4");
    let seen_by_ann = app.get(&scores, &ann).await;
    assert_eq!(
        seen_by_ann.body["evaluator_scores"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "after moderation the scores are shared"
    );
    assert_eq!(
        seen_by_ann.body["moderated_scores"][0]["moderator"],
        "alice"
    );
    app.get(&scores, &app.token("camden", &["integration"]))
        .await
        .assert_problem(403, "forbidden");
}

async fn scores_must_be_on_the_scale_and_in_evaluation(app: TestApp) {
    let id = app.tender_with_model("camden").await;
    let officer = app.token("camden", &["officer"]);
    app.action(&format!("/api/v1/tenders/{id}/open"), &officer)
        .await;
    let bid = app
        .post(
            &format!("/api/v1/tenders/{id}/bids"),
            &officer,
            bid_body("A", "1000", "1", "1", true),
        )
        .await;
    let scores = format!(
        "/api/v1/tenders/{id}/bids/{}/scores",
        bid.body["id"].as_str().unwrap()
    );
    let evaluator = app.token("camden", &["evaluator"]);
    let body =
        |code: &str, score: &str| json!({"criterion_code": code, "score": score, "rationale": "r"});
    app.post(&scores, &evaluator, body("Q1", "3"))
        .await
        .assert_problem(409, "conflict");
    app.action(&format!("/api/v1/tenders/{id}/close"), &officer)
        .await;
    let res = app.post(&scores, &evaluator, body("Q1", "3.5")).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["score"]);
    let res = app.post(&scores, &evaluator, body("SV1", "3")).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["criterion_code"]);
    let res = app
        .post(
            &scores,
            &evaluator,
            json!({"criterion_code": "Q1", "score": "3", "rationale": "  "}),
        )
        .await;
    assert_eq!(res.error_fields(), ["rationale"]);
    app.post(&scores, &officer, body("Q1", "3"))
        .await
        .assert_problem(403, "forbidden");
}

async fn other_authority_gets_404_for_tenders_and_bids(app: TestApp) {
    let (id, bids) = app.tender_in_evaluation("camden").await;
    let other = app.token("islington", &["officer", "admin", "evaluator", "auditor"]);
    let tender = format!("/api/v1/tenders/{id}");
    let bid = format!("{tender}/bids/{}", bids[0]);
    for path in [
        tender.clone(),
        format!("{tender}/criteria"),
        format!("{tender}/bids"),
        bid.clone(),
        format!("{bid}/scores"),
    ] {
        app.get(&path, &other)
            .await
            .assert_problem(404, "not_found");
    }
    app.patch(&tender, &other, "*", json!({"title": "x"}))
        .await
        .assert_problem(404, "not_found");
    app.patch(&bid, &other, "*", json!({"price": "1"}))
        .await
        .assert_problem(404, "not_found");
    for action in ["open", "close", "cancel"] {
        app.action(&format!("{tender}/{action}"), &other)
            .await
            .assert_problem(404, "not_found");
    }
    let req = app
        .request(Method::PUT, &format!("{tender}/criteria"))
        .bearer_auth(&other)
        .insert_header(("if-match", "*"));
    app.send(req, Some(model_body(&uuid::Uuid::now_v7().to_string())))
        .await
        .assert_problem(404, "not_found");
    app.post(
        &format!("{tender}/bids"),
        &other,
        bid_body("X", "1", "1", "1", true),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        &format!("{bid}/scores"),
        &other,
        json!({"criterion_code": "Q1", "score": "3", "rationale": "r"}),
    )
    .await
    .assert_problem(404, "not_found");
    let req = app
        .request(Method::PUT, &format!("{bid}/moderated-scores"))
        .bearer_auth(&other);
    app.send(
        req,
        Some(json!({"criterion_code": "Q1", "score": "3", "rationale": "r"})),
    )
    .await
    .assert_problem(404, "not_found");
    let list = app.get("/api/v1/tenders", &other).await;
    assert_eq!(list.body["items"], json!([]));
    let camden = app.get(&tender, &app.token("camden", &["officer"])).await;
    assert_eq!(camden.body["status"], "evaluation", "nothing changed");
}
