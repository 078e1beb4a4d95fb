//! Scoring, decision support, frozen evaluations, award and assessment summaries.
//!
//! The fixture (helpers::tender_in_evaluation): bids A (900 000, 4 apprenticeships, 10%
//! reinvested), B (1 000 000, 8, 20%) and C (950 000, fails the CQC gate). Moderated scores:
//! Q1 A=4, B=5; M1 A=3, B=4. By hand, with C excluded from the references:
//!   A: price 40×900/900 = 40; Q1 30×4/5 = 24; SV1 10×4/8 = 5; M1 10×3/5 = 6; C1 10×10/20 = 5 → 80
//!   B: price 40×900/1000 = 36; Q1 30; SV1 10; M1 10×4/5 = 8; C1 10 → 94

use awc::http::{Method, StatusCode};
use diesel::RunQueryDsl;
use serde_json::{Value, json};

use crate::helpers::{TestApp, bid_body};
use crate::on_both_databases;

on_both_databases!(
    a_copied_evaluation_fails_both_verifications,
    the_evaluation_scores_ranks_and_explains,
    unmoderated_scores_are_flagged_and_block_award,
    what_if_and_sensitivity_support_the_decision,
    a_frozen_evaluation_re_performs_and_detects_tampering,
    award_follows_the_rules,
    assessment_summaries_explain_each_outcome,
    lint_reports_policy_findings,
    other_authority_gets_404_for_evaluation_endpoints,
    an_abnormally_low_winner_needs_the_suppliers_explanation,
    a_quantity_not_committed_scores_zero_and_does_not_block_award,
);

async fn moderate_all(app: &TestApp, tender: &str, bids: &[String]) {
    let officer = app.token("camden", &["officer"]);
    for (bid, q1, m1) in [(&bids[0], "4", "3"), (&bids[1], "5", "4")] {
        for (code, score) in [("Q1", q1), ("M1", m1)] {
            let evaluator = crate::helpers::token_for("camden", &["evaluator"], "ann", 600);
            let path = format!("/api/v1/tenders/{tender}/bids/{bid}");
            let res = app
                .post(&format!("{path}/scores"), &evaluator, json!({"criterion_code": code, "score": score, "rationale": format!("{code} evidence in section 3")}))
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            let req = app
                .request(Method::PUT, &format!("{path}/moderated-scores"))
                .bearer_auth(&officer);
            let res = app.send(req, Some(json!({"criterion_code": code, "score": score, "rationale": format!("Panel consensus on {code}")}))).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        }
    }
}

fn bid<'a>(result: &'a Value, id: &str) -> &'a Value {
    result["bids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["bid_id"] == id)
        .unwrap()
}

async fn freeze(app: &TestApp, tender: &str) -> Value {
    let res = app
        .action(
            &format!("/api/v1/tenders/{tender}/evaluations"),
            &app.token("camden", &["officer"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

async fn the_evaluation_scores_ranks_and_explains(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let res = app
        .get(
            &format!("/api/v1/tenders/{tender}/evaluation"),
            &app.token("camden", &["auditor"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let result = &res.body;
    assert_eq!(result["winner"], bids[1]);
    let (a, b, c) = (
        bid(result, &bids[0]),
        bid(result, &bids[1]),
        bid(result, &bids[2]),
    );
    assert_eq!(
        (b["total"].as_str(), b["rank"].as_u64()),
        (Some("94"), Some(1))
    );
    assert_eq!(
        (a["total"].as_str(), a["rank"].as_u64()),
        (Some("80"), Some(2))
    );
    let points: Vec<_> = a["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["points"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(points, ["40", "24", "5", "6", "5", "0"]);
    assert_eq!(b["criteria"][0]["normalised"], "0.9");
    assert_eq!(b["criteria"][1]["source"], "moderated");
    assert!(
        b["criteria"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("900000")
    );
    assert_eq!(c["excluded"], true);
    assert_eq!(c["rank"], Value::Null);
    assert_eq!(c["exclusions"][0]["reason"], "failed_gate");
    assert_eq!(c["exclusions"][0]["criterion"], "G1");
    let subtotal = b["subtotals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["category"] == "quality")
        .unwrap();
    assert_eq!(
        (subtotal["points"].as_str(), subtotal["available"].as_str()),
        (Some("30"), Some("30"))
    );
    app.get(
        &format!("/api/v1/tenders/{tender}/evaluation"),
        &app.token("camden", &["evaluator"]),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn unmoderated_scores_are_flagged_and_block_award(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    let officer = app.token("camden", &["officer"]);
    let result = app
        .get(&format!("/api/v1/tenders/{tender}/evaluation"), &officer)
        .await
        .body;
    let flags: Vec<_> = bid(&result, &bids[0])["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect();
    assert!(flags.contains(&"unscored".to_string()), "{flags:?}");
    let frozen = freeze(&app, &tender).await;
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/award"),
            &officer,
            json!({"evaluation_id": frozen["id"], "bid_id": bids[1], "justification": "x"}),
        )
        .await;
    let body = res.assert_problem(409, "conflict");
    assert!(body["detail"].as_str().unwrap().contains("Q1"));
}

async fn what_if_and_sensitivity_support_the_decision(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let officer = app.token("camden", &["officer"]);
    // A price-heavy weighting: A = 90 + 3.2 + 1 + 1.2 + 1 = 96.4; B = 81 + 4 + 2 + 1.6 + 2 = 90.6.
    let weights = json!({"PRICE": "90", "Q1": "4", "SV1": "2", "M1": "2", "C1": "2"});
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/what-if"),
            &officer,
            json!({"weights": weights}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["winner"], bids[0]);
    assert_eq!(bid(&res.body, &bids[0])["total"], "96.4");
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/what-if"),
            &officer,
            json!({"weights": weights, "excluded_bids": [bids[0]]}),
        )
        .await;
    assert_eq!(res.body["winner"], bids[1]);
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/what-if"),
            &officer,
            json!({"weights": {"PRICE": "50", "Q1": "50"}}),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/what-if"),
            &officer,
            json!({"weights": {"PRICE": "150", "Q1": "0.00001"}}),
        )
        .await;
    assert_eq!(res.error_fields(), ["weights.PRICE", "weights.Q1"]);
    let live = app
        .get(&format!("/api/v1/tenders/{tender}/evaluation"), &officer)
        .await;
    assert_eq!(live.body["winner"], bids[1], "what-if stored nothing");

    let res = app
        .get(
            &format!("/api/v1/tenders/{tender}/sensitivity?draws=500&seed=7"),
            &officer,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let report = &res.body;
    assert_eq!(report["winner"], bids[1]);
    // PRICE up from 40: T_A(d) = 40+d + 40(60−d)/60, T_B(d) = 0.9(40+d) + 58(60−d)/60; equal at d = 35.
    let price = report["weights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "PRICE")
        .unwrap();
    assert_eq!(price["increase"]["to_weight"], "75");
    assert_eq!(price["increase"]["new_winner"], bids[0]);
    assert_eq!(report["rank_reversal"][0]["removed_bid"], bids[0]);
    assert_eq!(report["monte_carlo"]["draws"], 500);
    let again = app
        .get(
            &format!("/api/v1/tenders/{tender}/sensitivity?draws=500&seed=7"),
            &officer,
        )
        .await;
    assert_eq!(
        again.body["monte_carlo"], report["monte_carlo"],
        "seeded draws are reproducible"
    );
    app.get(
        &format!("/api/v1/tenders/{tender}/sensitivity?draws=0"),
        &officer,
    )
    .await
    .assert_problem(400, "invalid_query");
}

async fn a_frozen_evaluation_re_performs_and_detects_tampering(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let frozen = freeze(&app, &tender).await;
    assert_eq!(frozen["engine_version"], "1.0.0");
    assert_eq!(frozen["result"]["winner"], bids[1]);
    assert_eq!(frozen["content_hash"].as_str().unwrap().len(), 64);
    assert_eq!(frozen["input"]["bids"].as_array().unwrap().len(), 3);
    let id = frozen["id"].as_str().unwrap();
    let auditor = app.token("camden", &["auditor"]);
    let verify = format!("/api/v1/tenders/{tender}/evaluations/{id}/verify");
    let res = app.get(&verify, &auditor).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (
            res.body["matches"].as_bool(),
            res.body["first_difference"].is_null()
        ),
        (Some(true), true)
    );
    let listed = app
        .get(&format!("/api/v1/tenders/{tender}/evaluations"), &auditor)
        .await;
    assert_eq!(listed.body["items"][0]["id"], id);
    assert_eq!(
        app.get(
            &format!("/api/v1/tenders/{tender}/evaluations/{id}"),
            &auditor
        )
        .await
        .body["content_hash"],
        frozen["content_hash"]
    );

    // Tamper with the stored form (the wire form writes money with two decimals).
    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Text)]
        result: String,
    }
    let stored: Stored =
        diesel::sql_query(format!("SELECT result FROM evaluations WHERE id = '{id}'"))
            .get_result(&mut *app.pool.get().unwrap())
            .unwrap();
    let mut result: Value = serde_json::from_str(&stored.result).unwrap();
    let winner_index = result["bids"]
        .as_array()
        .unwrap()
        .iter()
        .position(|b| b["bid_id"] == bids[1])
        .unwrap();
    result["bids"][winner_index]["total"] = json!("99");
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(format!(
        "UPDATE evaluations SET result = '{}' WHERE id = '{id}'",
        result.to_string().replace('\'', "''")
    ))
    .execute(&mut *conn)
    .unwrap();
    let res = app.get(&verify, &auditor).await;
    assert_eq!(res.body["matches"], false);
    assert_eq!(res.body["hash_valid"], false);
    assert_eq!(
        res.body["first_difference"]["path"],
        format!("bids[{winner_index}].total")
    );
    assert_eq!(res.body["first_difference"]["stored"], "99");
    assert_eq!(res.body["first_difference"]["recomputed"], "94");
}

/// An earlier evaluation's input, result and hash copied into the row an award rests on: the
/// hash binds the evaluation's identity, so the copy shows in both verifications.
async fn a_copied_evaluation_fails_both_verifications(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let earlier = freeze(&app, &tender).await;
    let later = freeze(&app, &tender).await;
    let (earlier, later) = (
        earlier["id"].as_str().unwrap(),
        later["id"].as_str().unwrap(),
    );
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(format!(
        "UPDATE evaluations SET (input, result, content_hash) = \
         (SELECT input, result, content_hash FROM evaluations WHERE id = '{earlier}') \
         WHERE id = '{later}'"
    ))
    .execute(&mut *conn)
    .unwrap();
    let auditor = app.token("camden", &["auditor"]);
    let res = app
        .get(
            &format!("/api/v1/tenders/{tender}/evaluations/{later}/verify"),
            &auditor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["hash_valid"], false, "{}", res.text);
    let res = app
        .get(
            &format!("/api/v1/tenders/{tender}/evaluations/{earlier}/verify"),
            &auditor,
        )
        .await;
    assert_eq!(res.body["hash_valid"], true, "{}", res.text);
    let report = app.get("/api/v1/audit/verify", &auditor).await.body;
    let mismatches = report["state_mismatches"].as_array().unwrap();
    assert_eq!(mismatches.len(), 1, "{report}");
    assert_eq!(
        (&mismatches[0]["entity_id"], &mismatches[0]["finding"]),
        (&json!(later), &json!("edited"))
    );
}

async fn award_follows_the_rules(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let frozen = freeze(&app, &tender).await;
    let officer = app.token("camden", &["officer"]);
    let award = format!("/api/v1/tenders/{tender}/award");
    let body = |bid: &str, justification: Option<&str>| json!({"evaluation_id": frozen["id"], "bid_id": bid, "justification": justification});

    let res = app.post(&award, &officer, body(&bids[0], None)).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(
        res.error_fields(),
        ["justification"],
        "rank 2 needs a justification"
    );
    let res = app.post(&award, &officer, body(&bids[2], Some("x"))).await;
    assert_eq!(res.error_fields(), ["bid_id"], "an excluded bid cannot win");
    app.post(
        &award,
        &app.token("camden", &["evaluator"]),
        body(&bids[1], None),
    )
    .await
    .assert_problem(403, "forbidden");
    let res = app
        .post(
            &award,
            &officer,
            json!({"evaluation_id": frozen["id"], "bid_id": bids[1], "standstill_working_days": 5}),
        )
        .await;
    assert_eq!(res.error_fields(), ["standstill_working_days"]);

    let res = app.post(&award, &officer, body(&bids[1], None)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["bid_id"], bids[1]);
    assert_eq!(res.body["rank"], 1);
    let today = chrono::Utc::now().date_naive();
    let expected = mission_procurement::domain::calendar::add_working_days(today, 8);
    assert_eq!(res.body["standstill_ends"], expected.to_string());
    let tender_now = app
        .get(&format!("/api/v1/tenders/{tender}"), &officer)
        .await;
    assert_eq!(tender_now.body["status"], "awarded");
    assert_eq!(app.get(&award, &officer).await.body["id"], res.body["id"]);
    app.post(&award, &officer, body(&bids[1], None))
        .await
        .assert_problem(409, "illegal_transition");
    let events = app
        .get(
            "/api/v1/audit/events?action=award.made",
            &app.token("camden", &["auditor"]),
        )
        .await;
    assert_eq!(events.body["items"].as_array().unwrap().len(), 1);
}

async fn assessment_summaries_explain_each_outcome(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let officer = app.token("camden", &["officer"]);
    let summaries = format!("/api/v1/tenders/{tender}/assessment-summaries");
    app.get(&summaries, &officer)
        .await
        .assert_problem(409, "conflict");
    let frozen = freeze(&app, &tender).await;
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/award"),
            &officer,
            json!({"evaluation_id": frozen["id"], "bid_id": bids[1]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let all = app.get(&summaries, &officer).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 3);
    let a = app
        .get(&format!("{summaries}/{}", bids[0]), &officer)
        .await
        .body;
    assert_eq!(a["outcome"], "unsuccessful");
    assert_eq!(
        (a["total"].as_str(), a["winner_total"].as_str()),
        (Some("80"), Some("94"))
    );
    assert!(a["reasons"][0].as_str().unwrap().contains("94"));
    let q1 = a["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "Q1")
        .unwrap();
    assert_eq!(q1["weight"], "30");
    assert_eq!(q1["yours"]["points"], "24");
    assert_eq!(q1["yours"]["rationale"], "Panel consensus on Q1");
    assert_eq!(q1["winner"]["points"], "30");
    assert!(
        q1["how_scored"]
            .as_str()
            .unwrap()
            .contains("5 = Comprehensive and thorough")
    );
    let c = app
        .get(&format!("{summaries}/{}", bids[2]), &officer)
        .await
        .body;
    assert_eq!(c["outcome"], "excluded");
    assert!(!c["reasons"].as_array().unwrap().is_empty());
    let b = app
        .get(&format!("{summaries}/{}", bids[1]), &officer)
        .await
        .body;
    assert_eq!(
        (
            b["outcome"].as_str(),
            b["reasons"].as_array().unwrap().len()
        ),
        (Some("awarded"), 0)
    );
    app.get(&format!("{summaries}/{}", uuid::Uuid::now_v7()), &officer)
        .await
        .assert_problem(404, "not_found");
}

async fn lint_reports_policy_findings(app: TestApp) {
    let tender = app.tender_with_model("camden").await;
    let res = app
        .get(
            &format!("/api/v1/tenders/{tender}/lint"),
            &app.token("camden", &["officer"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["errors"], 0);
    let codes: Vec<_> = res.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["criterion"].clone(),
            )
        })
        .collect();
    assert!(
        codes.contains(&("relative_price_formula".to_string(), json!("PRICE"))),
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|(c, _)| c == "social_value_below_floor"),
        "10% meets the PPN 002 floor"
    );
    // Retiring the mission the M1 criterion serves makes it an error.
    let mission = app
        .get(
            &format!("/api/v1/tenders/{tender}/criteria"),
            &app.token("camden", &["officer"]),
        )
        .await
        .body["criteria"][3]["mission_id"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(
        &format!("/api/v1/missions/{mission}"),
        &app.token("camden", &["officer"]),
        "*",
        json!({"status": "retired"}),
    )
    .await;
    let res = app
        .get(
            &format!("/api/v1/tenders/{tender}/lint"),
            &app.token("camden", &["officer"]),
        )
        .await;
    assert_eq!(res.body["errors"], 1);
    assert_eq!(
        res.body["findings"][0]["code"],
        "mission_criterion_without_mission"
    );
}

async fn other_authority_gets_404_for_evaluation_endpoints(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    moderate_all(&app, &tender, &bids).await;
    let frozen = freeze(&app, &tender).await;
    let id = frozen["id"].as_str().unwrap();
    let other = app.token("islington", &["officer", "admin", "auditor"]);
    let base = format!("/api/v1/tenders/{tender}");
    for path in [
        format!("{base}/evaluation"),
        format!("{base}/sensitivity"),
        format!("{base}/lint"),
        format!("{base}/evaluations"),
        format!("{base}/evaluations/{id}"),
        format!("{base}/evaluations/{id}/verify"),
        format!("{base}/award"),
        format!("{base}/assessment-summaries"),
        format!("{base}/assessment-summaries/{}", bids[0]),
    ] {
        app.get(&path, &other)
            .await
            .assert_problem(404, "not_found");
    }
    app.action(&format!("{base}/evaluations"), &other)
        .await
        .assert_problem(404, "not_found");
    app.post(
        &format!("{base}/what-if"),
        &other,
        json!({"weights": {"PRICE": "100"}}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        &format!("{base}/award"),
        &other,
        json!({"evaluation_id": id, "bid_id": bids[1]}),
    )
    .await
    .assert_problem(404, "not_found");
    let _ = bid_body;
}

/// Moderates, freezes and awards the fixture tender to bid B (the first ranked).
pub async fn award_to_b(app: &TestApp, tender: &str, bids: &[String]) {
    moderate_all(app, tender, bids).await;
    let frozen = freeze(app, tender).await;
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/award"),
            &app.token("camden", &["officer"]),
            json!({"evaluation_id": frozen["id"], "bid_id": bids[1]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

async fn an_abnormally_low_winner_needs_the_suppliers_explanation(app: TestApp) {
    let tender = app.tender_with_model("camden").await;
    let officer = app.token("camden", &["officer"]);
    app.action(&format!("/api/v1/tenders/{tender}/open"), &officer)
        .await;
    let mut bids = Vec::new();
    // D at 600 000 is more than 20% below the mean of the others (950 000 × 0.8 = 760 000).
    for body in [
        bid_body("Alpha Care", "900000", "4", "10", true),
        bid_body("Beta Reablement", "1000000", "8", "20", true),
        bid_body("Delta Care", "600000", "8", "20", true),
    ] {
        bids.push(
            app.post(&format!("/api/v1/tenders/{tender}/bids"), &officer, body)
                .await
                .body["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    app.action(&format!("/api/v1/tenders/{tender}/close"), &officer)
        .await;
    for bid in &bids {
        for code in ["Q1", "M1"] {
            let path = format!("/api/v1/tenders/{tender}/bids/{bid}");
            let evaluator = crate::helpers::token_for("camden", &["evaluator"], "ann", 600);
            app.post(
                &format!("{path}/scores"),
                &evaluator,
                json!({"criterion_code": code, "score": "4", "rationale": "r"}),
            )
            .await;
            let req = app
                .request(Method::PUT, &format!("{path}/moderated-scores"))
                .bearer_auth(&officer);
            app.send(
                req,
                Some(json!({"criterion_code": code, "score": "4", "rationale": "consensus"})),
            )
            .await;
        }
    }
    let frozen = freeze(&app, &tender).await;
    let delta = bid(&frozen["result"], &bids[2]);
    assert_eq!(delta["rank"], 1);
    assert!(
        delta["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "abnormally_low"),
        "{delta}"
    );
    let award = format!("/api/v1/tenders/{tender}/award");
    let res = app
        .post(
            &award,
            &officer,
            json!({"evaluation_id": frozen["id"], "bid_id": bids[2]}),
        )
        .await;
    assert_eq!(
        res.error_fields(),
        ["justification"],
        "a flagged bid needs a justification"
    );
    let with_reason = json!({"evaluation_id": frozen["id"], "bid_id": bids[2], "justification": "Price verified against the supplier's staffing model"});
    let res = app.post(&award, &officer, with_reason.clone()).await;
    res.assert_problem(422, "validation_failed");
    assert!(res.body["detail"].as_str().unwrap().contains("s.34"));
    let res = app
        .patch(&format!("/api/v1/tenders/{tender}/bids/{}", bids[2]), &officer, "*", json!({"abnormally_low_explanation": "Own premises and volunteer drivers lower unit costs; accounts supplied"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    // The explanation came after freezing: the award must rest on a record that includes it.
    let res = app.post(&award, &officer, with_reason.clone()).await;
    res.assert_problem(409, "conflict");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("freeze a new evaluation")
    );
    let refrozen = freeze(&app, &tender).await;
    assert_eq!(
        refrozen["input"]["bids"][2]["abnormally_low_explanation"],
        "Own premises and volunteer drivers lower unit costs; accounts supplied"
    );
    let mut with_reason = with_reason;
    with_reason["evaluation_id"] = refrozen["id"].clone();
    let res = app.post(&award, &officer, with_reason).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["justification"],
        "Price verified against the supplier's staffing model"
    );
}

async fn a_quantity_not_committed_scores_zero_and_does_not_block_award(app: TestApp) {
    let tender = app.tender_with_model("camden").await;
    let officer = app.token("camden", &["officer"]);
    app.action(&format!("/api/v1/tenders/{tender}/open"), &officer)
        .await;
    let mut silent = bid_body("Quiet Care", "950000", "1", "10", true);
    silent["responses"].as_array_mut().unwrap().remove(0); // no apprenticeship commitment
    let mut bids = Vec::new();
    for body in [
        silent,
        bid_body("Beta Reablement", "1000000", "8", "20", true),
    ] {
        let res = app
            .post(&format!("/api/v1/tenders/{tender}/bids"), &officer, body)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        bids.push(res.body["id"].as_str().unwrap().to_string());
    }
    app.action(&format!("/api/v1/tenders/{tender}/close"), &officer)
        .await;
    moderate_all(&app, &tender, &bids).await;
    let frozen = freeze(&app, &tender).await;
    let quiet = bid(&frozen["result"], &bids[0]);
    let sv1 = quiet["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "SV1")
        .unwrap();
    assert_eq!(
        (sv1["points"].as_str(), sv1["source"].as_str()),
        (Some("0"), Some("missing"))
    );
    let res = app
        .post(&format!("/api/v1/tenders/{tender}/what-if"), &officer, json!({"weights": {"PRICE": "40", "Q1": "30", "SV1": "10", "M1": "10", "C1": "10"}, "excluded_bids": ["nope"]}))
        .await;
    assert_eq!(res.error_fields(), ["excluded_bids"], "{}", res.text);
    let winner = frozen["result"]["winner"].clone();
    let res = app
        .post(
            &format!("/api/v1/tenders/{tender}/award"),
            &officer,
            json!({"evaluation_id": frozen["id"], "bid_id": winner}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}
