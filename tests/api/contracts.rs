//! Contracts and monitoring: terms from the award, returns (JSON and CSV, all or nothing),
//! compliance with money consequences, consequence decisions, performance notices.

use awc::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(
    a_contract_from_an_award_carries_the_winning_commitments,
    contracts_follow_their_lifecycle,
    terms_are_validated_and_linted,
    returns_are_all_or_nothing_and_append_only,
    csv_returns_import_with_row_errors,
    compliance_computes_status_rating_and_money,
    consequences_are_proposed_then_applied_or_waived,
    performance_notices_carry_the_ratings,
    other_authority_gets_404_for_contracts,
    a_contracts_supplier_is_parsed_like_a_bids,
    decimals_have_one_grammar_and_money_keeps_its_pence,
    query_ids_are_checked,
    error_bodies_are_bounded,
);

/// A contract entered directly, pending: £1,200,000 over 2026, so each month's fee is
/// £100,000.
async fn pending_contract(app: &TestApp, authority: &str) -> String {
    let officer = app.token(authority, &["officer"]);
    let res = app
        .post("/api/v1/contracts", &officer, json!({
            "title": "Home care, north locality",
            "supplier": {"name": "Camden Care Co-op", "identifier": "GB-COH-09876543", "sme": true, "vcse": true, "locality": "Camden"},
            "value": "1200000", "start_date": "2026-01-01", "end_date": "2026-12-31", "grace_days": 10
        }))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

/// The same contract, entered on 15 December 2025 and in force from its start on 1 January
/// 2026. The service's clock is left on 15 December 2025.
pub(crate) async fn direct_contract(app: &TestApp, authority: &str) -> String {
    app.at("2025-12-15");
    let id = pending_contract(app, authority).await;
    let res = app
        .patch(
            &format!("/api/v1/contracts/{id}"),
            &app.token(authority, &["officer"]),
            "*",
            json!({"status": "active", "status_effective_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    id
}

pub(crate) fn kpi_spec(target: &str) -> Value {
    json!({
        "kind": "kpi", "material": true,
        "metric": {"name": "Visits on time", "unit": "%", "direction": "at_least", "target": target},
        "schedule": {"cadence": "monthly", "first_period_start": "2026-01-01"},
        "consequence": {"type": "service_credit", "basis": {"type": "percent_of_period_fee", "percent": "5"}}
    })
}

pub(crate) async fn add_term(app: &TestApp, contract: &str, title: &str, spec: Value) -> String {
    let res = app
        .post(
            &format!("/api/v1/contracts/{contract}/terms"),
            &app.token("camden", &["officer"]),
            json!({"title": title, "spec": spec}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

pub(crate) fn ret(term: &str, start: &str, value: &str) -> Value {
    json!({"term_id": term, "period_start": start, "measures": {"value": value}})
}

async fn a_contract_from_an_award_carries_the_winning_commitments(app: TestApp) {
    let (tender, bids) = app.tender_in_evaluation("camden").await;
    let officer = app.token("camden", &["officer"]);
    let body = json!({"tender_id": tender, "title": "Reablement", "start_date": "2026-01-01", "end_date": "2027-12-31"});
    app.post("/api/v1/contracts", &officer, body.clone())
        .await
        .assert_problem(409, "conflict");
    crate::evaluation::award_to_b(&app, &tender, &bids).await;

    let res = app.post("/api/v1/contracts", &officer, body.clone()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let c = &res.body;
    assert_eq!(c["supplier"]["name"], "Beta Reablement");
    assert_eq!(c["value"], "1000000.00", "the winning price");
    assert_eq!(c["status"], "pending");
    assert_eq!(c["bid_id"], bids[1]);
    let terms = app
        .get(
            &format!("/api/v1/contracts/{}/terms", c["id"].as_str().unwrap()),
            &officer,
        )
        .await
        .body["items"]
        .clone();
    let sources: Vec<_> = terms
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["source"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sources, ["bid:SV1", "bid:C1"]);
    assert_eq!(terms[0]["spec"]["kind"], "social_value");
    assert_eq!(terms[0]["spec"]["metric"]["target"], "8");
    assert_eq!(terms[1]["spec"]["conditionality_type"], "reinvestment");
    assert_eq!(
        terms[1]["spec"]["formula"],
        json!({"type": "reinvestment", "percent_of_profit": "20"})
    );
    app.post("/api/v1/contracts", &officer, body)
        .await
        .assert_problem(409, "conflict");
}

async fn contracts_follow_their_lifecycle(app: TestApp) {
    let officer = app.token("camden", &["officer"]);
    let res = app.post("/api/v1/contracts", &officer, json!({"title": "x", "start_date": "2026-01-01", "end_date": "2026-12-31", "value": "1"})).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["supplier"]);
    let id = pending_contract(&app, "camden").await;
    let path = format!("/api/v1/contracts/{id}");
    let res = app
        .patch(&path, &officer, "\"1\"", json!({"status": "active"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "active");
    app.patch(&path, &officer, "*", json!({"status": "pending"}))
        .await
        .assert_problem(409, "illegal_transition");
    app.patch(&path, &officer, "*", json!({"value": "5"}))
        .await
        .assert_problem(409, "conflict");
    let res = app
        .patch(&path, &officer, "*", json!({"status": "terminated"}))
        .await;
    assert_eq!(res.body["status"], "terminated");
    assert!(res.body["status_changed_on"].is_string());
    app.patch(&path, &officer, "*", json!({"status": "active"}))
        .await
        .assert_problem(409, "illegal_transition");
    app.patch(
        &path,
        &app.token("camden", &["integration"]),
        "*",
        json!({"title": "y"}),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn terms_are_validated_and_linted(app: TestApp) {
    let id = pending_contract(&app, "camden").await;
    let officer = app.token("camden", &["officer"]);
    let mut spec = kpi_spec("90");
    spec["schedule"]["first_period_start"] = json!("2030-01-01");
    spec["consequence"]["basis"]["percent"] = json!("150");
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/terms"),
            &officer,
            json!({"title": "Visits", "spec": spec}),
        )
        .await;
    res.assert_problem(422, "validation_failed");
    assert!(
        res.error_fields().iter().all(|f| f.starts_with("spec.")),
        "{:?}",
        res.error_fields()
    );
    assert!(res.error_fields().len() >= 2, "{:?}", res.error_fields());

    add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let conditionality = json!({"kind": "conditionality", "conditionality_type": "access",
        "formula": {"type": "access", "limit": "cap", "value": "250"},
        "schedule": {"cadence": "quarterly", "first_period_start": "2026-01-01"}});
    add_term(&app, &id, "Weekly price for residents", conditionality).await;
    app.patch(
        &format!("/api/v1/contracts/{id}"),
        &officer,
        "*",
        json!({"value": "6000000"}),
    )
    .await;
    let lint = app
        .get(&format!("/api/v1/contracts/{id}/lint"), &officer)
        .await
        .body;
    let codes: Vec<_> = lint["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"too_few_kpis".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"conditionality_without_consequence".to_string()),
        "{codes:?}"
    );
    assert!(lint["errors"].as_u64().unwrap() >= 2);
}

async fn returns_are_all_or_nothing_and_append_only(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let term = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let integration = app.token("camden", &["integration"]);
    let returns = format!("/api/v1/contracts/{id}/observations");
    app.at("2026-03-02");
    let bad = json!([
        ret(&term, "2026-01-01", "95"),
        ret(&term, "2027-01-01", "95"),
        {"term_id": term, "period_start": "2026-02-01", "measures": {"value": "90", "profit": "1"}},
        ret(&uuid::Uuid::now_v7().to_string(), "2026-01-01", "1"),
        ret(&term, "2026-01-15", "95"),
    ]);
    let res = app.post(&returns, &integration, bad).await;
    res.assert_problem(422, "validation_failed");
    let fields = res.error_fields();
    assert_eq!(fields[0], "rows[1].period_start");
    assert_eq!(fields[1], "rows[2].measures.profit", "{fields:?}");
    assert_eq!(&fields[2..], ["rows[3].term_id", "rows[4].period_start"]);
    let listed = app.get(&returns, &integration).await;
    assert_eq!(
        listed.body["items"],
        json!([]),
        "nothing of a rejected batch is kept"
    );

    let res = app
        .post(
            &returns,
            &integration,
            json!([
                ret(&term, "2026-01-01", "95"),
                ret(&term, "2026-02-01", "80")
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["count"], 2);
    let first = res.body["ids"][1].as_str().unwrap().to_string();
    let res = app
        .post(&returns, &integration, ret(&term, "2026-02-01", "85"))
        .await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["rows[0].supersedes"]);
    let mut correction = ret(&term, "2026-02-01", "85");
    correction["supersedes"] = json!(first);
    correction["evidence"] = json!([{"name": "February report", "uri": "https://example.org/feb.pdf", "sha256": "a".repeat(64)}]);
    let res = app.post(&returns, &integration, correction).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let all = app.get(&returns, &integration).await.body["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(all.len(), 3, "the corrected return stays visible");
    let old = all.iter().find(|o| o["id"] == first).unwrap();
    assert_eq!(old["superseded_by"], all[2]["id"]);
    assert_eq!(all[2]["supersedes"], first);

    let officer = app.token("camden", &["officer"]);
    let correction = format!("{returns}/{}", all[2]["id"].as_str().unwrap());
    assert_eq!(all[2]["version"], 1);
    let note = json!({"note": "Rota evidence does not match"});
    app.post(&format!("{correction}/dispute"), &officer, note.clone())
        .await
        .assert_problem(428, "precondition_required");
    let res = app
        .post_if_match(&format!("{correction}/dispute"), &officer, "\"1\"", note)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status"], "disputed");
    assert_eq!(res.header("etag"), Some("\"2\""));
    // A second officer who read the return before the dispute cannot silently verify it.
    app.post_if_match(
        &format!("{correction}/verify"),
        &officer,
        "\"1\"",
        json!({"note": "Looks fine to me"}),
    )
    .await
    .assert_problem(412, "precondition_failed");
    let listed = app.get(&returns, &integration).await;
    assert_eq!(listed.body["items"][2]["status"], "disputed");
    assert_eq!(listed.body["items"][2]["version"], 2);
    app.post_if_match(
        &format!("{returns}/{}/verify", all[0]["id"].as_str().unwrap()),
        &integration,
        "*",
        json!({"note": "ok"}),
    )
    .await
    .assert_problem(403, "forbidden");
    app.post(
        &returns,
        &app.token("camden", &["evaluator"]),
        ret(&term, "2026-03-01", "1"),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn csv_returns_import_with_row_errors(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let term = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-04-02");
    let path = format!("/api/v1/contracts/{id}/observations");
    let post_csv = |body: String| {
        let req = app
            .request(Method::POST, &path)
            .bearer_auth(app.token("camden", &["integration"]))
            .insert_header(("content-type", "text/csv"));
        let path = path.clone();
        async move {
            let res = req.send_body(body).await.unwrap();
            crate::helpers::TestResponse::from_client(&Method::POST, &path, res).await
        }
    };
    let bad = format!(
        "term_id,period_start,measure.value,dimension.ward\n{term},2026-01-01,95,Kentish Town\n{term},not-a-date,1,\n{term},2026-03-01,lots,\n"
    );
    let res = post_csv(bad).await;
    // A cell that is not of its column's type is a malformed body, as in JSON.
    res.assert_problem(400, "invalid_body");
    assert_eq!(
        res.error_fields(),
        ["rows[1].period_start", "rows[2].measures.value"]
    );
    let good = format!(
        "term_id,period_start,measure.value,dimension.ward,evidence_name\n{term},2026-01-01,95,Kentish Town,January rota\n{term},2026-02-01,70,Gospel Oak,\n"
    );
    let res = post_csv(good).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["count"], 2);
    let res = post_csv("period_start\n2026-01-01\n".into()).await;
    res.assert_problem(400, "invalid_body");
}

async fn compliance_computes_status_rating_and_money(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let reinvest = add_term(
        &app,
        &id,
        "Profit reinvested in training",
        json!({
            "kind": "conditionality", "conditionality_type": "reinvestment", "material": true,
            "formula": {"type": "reinvestment", "percent_of_profit": "20"},
            "schedule": {"cadence": "annually", "first_period_start": "2026-01-01"},
            "consequence": {"type": "clawback", "basis": {"type": "reinvestment_shortfall"}}
        }),
    )
    .await;
    let integration = app.token("camden", &["integration"]);
    let mut jan = ret(&kpi, "2026-01-01", "95");
    jan["dimensions"] = json!({"ward": "Kentish Town"});
    let mut feb = ret(&kpi, "2026-02-01", "60");
    feb["dimensions"] = json!({"ward": "Kentish Town"});
    app.at("2026-03-02");
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/observations"),
            &integration,
            json!([jan, feb]),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);

    let auditor = app.token("camden", &["auditor"]);
    let res = app
        .get(
            &format!("/api/v1/contracts/{id}/compliance?as_of=2026-04-20"),
            &auditor,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let lines = res.body["lines"].as_array().unwrap();
    let kpi_lines: Vec<&Value> = lines.iter().filter(|l| l["term_id"] == kpi).collect();
    let statuses: Vec<_> = kpi_lines
        .iter()
        .map(|l| l["assessment"]["status"].as_str().unwrap())
        .collect();
    // Jan met; Feb 60 of 90 (66.67%) not met; March due 31 Mar + 10 grace days, missing by 20 April.
    assert_eq!(statuses, ["met", "not_met", "missing"]);
    assert_eq!(kpi_lines[0]["assessment"]["rating"], "good");
    assert_eq!(kpi_lines[1]["assessment"]["attainment_percent"], "66.67");
    assert_eq!(kpi_lines[1]["assessment"]["rating"], "inadequate");
    // 5% of the month's fee (1 200 000 / 12 = 100 000) = 5 000.00.
    assert_eq!(kpi_lines[1]["assessment"]["money"][0]["amount"], "5000.00");
    assert_eq!(
        kpi_lines[1]["assessment"]["money"][0]["kind"],
        "service_credit"
    );
    assert!(
        lines.iter().all(|l| l["term_id"] != reinvest),
        "the annual period is not due in April"
    );
    let breakdown = &res.body["by_dimension"][0];
    assert_eq!(
        (breakdown["dimension"].as_str(), breakdown["value"].as_str()),
        (Some("ward"), Some("Kentish Town"))
    );
    assert_eq!(breakdown["statuses"], json!({"met": 1, "not_met": 1}));

    // The year's return arrives after the year has ended.
    app.at("2027-01-05");
    let year = json!({"term_id": reinvest, "period_start": "2026-01-01", "measures": {"profit": "100000", "reinvested": "10000"}});
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/observations"),
            &integration,
            json!([year]),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let year_end = app
        .get(
            &format!("/api/v1/contracts/{id}/compliance?as_of=2027-01-31"),
            &auditor,
        )
        .await
        .body;
    let line = year_end["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["term_id"] == reinvest)
        .unwrap()
        .clone();
    // 20% of 100 000 profit = 20 000 required; 10 000 reinvested → 10 000.00 short.
    assert_eq!(line["assessment"]["status"], "not_met");
    let amounts: Vec<_> = line["assessment"]["money"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["amount"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(amounts, ["10000.00"]);

    let csv = app
        .get(
            &format!("/api/v1/contracts/{id}/compliance?as_of=2026-04-20&format=csv"),
            &auditor,
        )
        .await;
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let rows: Vec<&str> = csv.text.lines().collect();
    assert!(rows[0].starts_with("term_id,term_title,kind,period_start"));
    assert_eq!(rows.len(), 1 + 3);
    assert!(
        rows[2].contains("not_met") && rows[2].contains("service_credit=5000.00"),
        "{}",
        rows[2]
    );
    app.get(
        &format!("/api/v1/contracts/{id}/compliance?format=xml"),
        &auditor,
    )
    .await
    .assert_problem(400, "invalid_query");
    app.get(
        &format!("/api/v1/contracts/{id}/compliance"),
        &app.token("camden", &["integration"]),
    )
    .await
    .assert_problem(403, "forbidden");
}

async fn consequences_are_proposed_then_applied_or_waived(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let integration = app.token("camden", &["integration"]);
    app.at("2026-03-02");
    app.post(
        &format!("/api/v1/contracts/{id}/observations"),
        &integration,
        json!([ret(&kpi, "2026-01-01", "60"), ret(&kpi, "2026-02-01", "50")]),
    )
    .await;
    app.at("2026-03-05");
    let officer = app.token("camden", &["officer"]);
    let res = app
        .action(
            &format!("/api/v1/contracts/{id}/consequences/propose?as_of=2026-03-05"),
            &officer,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let proposed = res.body["items"].as_array().unwrap().clone();
    assert_eq!(proposed.len(), 2);
    assert_eq!(
        (proposed[0]["kind"].as_str(), proposed[0]["amount"].as_str()),
        (Some("service_credit"), Some("5000.00"))
    );
    assert_eq!(proposed[0]["status"], "proposed");
    let again = app
        .action(
            &format!("/api/v1/contracts/{id}/consequences/propose?as_of=2026-03-05"),
            &officer,
        )
        .await;
    assert_eq!(
        again.body,
        json!({"items": [], "next_cursor": null}),
        "a breach gets one record"
    );

    let base = format!("/api/v1/contracts/{id}/consequences");
    let c0 = proposed[0]["id"].as_str().unwrap();
    let res = app
        .post(
            &format!("{base}/{c0}/apply"),
            &officer,
            json!({"reason": "Deducted from the February invoice"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        (res.body["status"].as_str(), res.body["decided_by"].as_str()),
        (Some("applied"), Some("alice"))
    );
    app.post(
        &format!("{base}/{c0}/waive"),
        &officer,
        json!({"reason": "x"}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    let c1 = proposed[1]["id"].as_str().unwrap();
    app.post(
        &format!("{base}/{c1}/waive"),
        &officer,
        json!({"reason": " "}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let res = app
        .post(
            &format!("{base}/{c1}/waive"),
            &officer,
            json!({"reason": "Strike action: force majeure"}),
        )
        .await;
    assert_eq!(res.body["status"], "waived");
    let listed = app
        .get(&base, &app.token("camden", &["auditor"]))
        .await
        .body;
    assert_eq!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["applied", "waived"]
    );
    let compliance = app
        .get(
            &format!("/api/v1/contracts/{id}/compliance?as_of=2026-03-05"),
            &officer,
        )
        .await
        .body;
    assert_eq!(
        compliance["lines"][0]["consequences"][0]["status"],
        "applied"
    );
}

async fn performance_notices_carry_the_ratings(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let integration = app.token("camden", &["integration"]);
    app.at("2026-03-02");
    app.post(
        &format!("/api/v1/contracts/{id}/observations"),
        &integration,
        json!([ret(&kpi, "2026-01-01", "95"), ret(&kpi, "2026-02-01", "60")]),
    )
    .await;
    let officer = app.token("camden", &["officer"]);
    let notices = format!("/api/v1/contracts/{id}/performance-notices");
    let body = |ratings: Value| json!({"period_start": "2026-01-01", "period_end": "2026-02-28", "ratings": ratings, "justification": "February shortfall after staff turnover; improvement plan agreed"});
    let res = app.post(&notices, &officer, body(json!({}))).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), [format!("ratings.{kpi}")]);
    let res = app
        .post(
            &notices,
            &officer,
            body(json!({kpi.clone(): "requires_improvement"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let n = &res.body;
    assert_eq!(n["supplier_name"], "Camden Care Co-op");
    assert_eq!(n["supplier_identifier"], "GB-COH-09876543");
    assert_eq!(n["kpis"][0]["rating"], "requires_improvement");
    assert_eq!(n["kpis"][0]["suggested"], "inadequate");
    let listed = app
        .get(
            &format!("{notices}?as_of=2026-03-01"),
            &app.token("camden", &["auditor"]),
        )
        .await
        .body;
    assert_eq!(listed["published"].as_array().unwrap().len(), 1);
    assert!(listed["due"].is_array());
}

async fn other_authority_gets_404_for_contracts(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let term = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let other = app.token("islington", &["officer", "admin", "auditor", "integration"]);
    let base = format!("/api/v1/contracts/{id}");
    for path in [
        base.clone(),
        format!("{base}/terms"),
        format!("{base}/terms/{term}"),
        format!("{base}/lint"),
        format!("{base}/observations"),
        format!("{base}/compliance"),
        format!("{base}/consequences"),
        format!("{base}/performance-notices"),
    ] {
        app.get(&path, &other)
            .await
            .assert_problem(404, "not_found");
    }
    app.patch(&base, &other, "*", json!({"title": "x"}))
        .await
        .assert_problem(404, "not_found");
    app.post(
        &format!("{base}/terms"),
        &other,
        json!({"title": "x", "spec": kpi_spec("1")}),
    )
    .await
    .assert_problem(404, "not_found");
    app.post(
        &format!("{base}/observations"),
        &other,
        ret(&term, "2026-01-01", "1"),
    )
    .await
    .assert_problem(404, "not_found");
    app.action(&format!("{base}/consequences/propose"), &other)
        .await
        .assert_problem(404, "not_found");
    let list = app.get("/api/v1/contracts", &other).await;
    assert_eq!(list.body["items"], json!([]));
}

async fn a_contracts_supplier_is_parsed_like_a_bids(app: TestApp) {
    let officer = app.token("camden", &["officer"]);
    let contract = |supplier: Value| {
        json!({"title": "Meals", "supplier": supplier, "value": "1000",
               "start_date": "2026-01-01", "end_date": "2026-12-31"})
    };
    for (supplier, field) in [
        (
            json!({"name": "", "identifier": "GB-COH-1"}),
            "supplier.name",
        ),
        (
            json!({"name": "x".repeat(201), "identifier": "GB-COH-1"}),
            "supplier.name",
        ),
        (
            json!({"name": "Nul\u{0}Ltd", "identifier": "GB-COH-1"}),
            "supplier.name",
        ),
        (
            json!({"name": "Tab\tLtd", "identifier": "GB-COH-1"}),
            "supplier.name",
        ),
        (
            json!({"name": "Fine Ltd", "identifier": " "}),
            "supplier.identifier",
        ),
        (
            json!({"name": "Fine Ltd", "identifier": "GB-COH-1", "locality": ""}),
            "supplier.locality",
        ),
    ] {
        let res = app
            .post("/api/v1/contracts", &officer, contract(supplier))
            .await;
        res.assert_problem(422, "validation_failed");
        assert_eq!(res.error_fields(), [field]);
    }
    let listed = app.get("/api/v1/contracts", &officer).await;
    assert_eq!(listed.body["items"], json!([]), "nothing was stored");
    let res = app
        .post(
            "/api/v1/contracts",
            &officer,
            contract(json!({"name": "  Fine Ltd ", "identifier": "GB-COH-1"})),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(
        res.body["supplier"]["name"], "Fine Ltd",
        "trimmed, as on bids"
    );
}

async fn decimals_have_one_grammar_and_money_keeps_its_pence(app: TestApp) {
    let officer = app.token("camden", &["officer"]);
    let with_value = |value: Value| {
        json!({"title": "Meals", "supplier": {"name": "Fine Ltd", "identifier": "GB-COH-1"},
               "value": value, "start_date": "2026-01-01", "end_date": "2026-12-31"})
    };
    for bad in [
        json!("1_000"),
        json!("+5"),
        json!(".5"),
        json!("5."),
        json!("1e3"),
        json!(""),
        json!(1000),
    ] {
        let res = app
            .post("/api/v1/contracts", &officer, with_value(bad.clone()))
            .await;
        res.assert_problem(400, "invalid_body");
        assert_eq!(res.error_fields(), ["value"], "{bad}");
        let message = res.body["errors"][0]["message"].as_str().unwrap();
        assert!(
            !message.contains("line") && !message.contains("column"),
            "{message}"
        );
    }
    let res = app
        .post("/api/v1/contracts", &officer, with_value(json!("250000.5")))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    assert_eq!(res.body["value"], "250000.50");
    let id = res.body["id"].as_str().unwrap().to_string();
    let term = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    // The same bad decimal in a CSV return: the same code and message as in JSON.
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/observations"),
            &officer,
            json!([{"term_id": term, "period_start": "2026-01-01", "measures": {"value": "1e3"}}]),
        )
        .await;
    res.assert_problem(400, "invalid_body");
    let json_message = res.body["errors"][0]["message"].clone();
    let path = format!("/api/v1/contracts/{id}/observations");
    let req = app
        .request(Method::POST, &path)
        .bearer_auth(&officer)
        .insert_header(("content-type", "text/csv"));
    let res = crate::helpers::TestResponse::from_client(
        &Method::POST,
        &path,
        req.send_body(format!(
            "term_id,period_start,measure.value\n{term},2026-01-01,1e3\n"
        ))
        .await
        .unwrap(),
    )
    .await;
    res.assert_problem(400, "invalid_body");
    assert_eq!(res.body["errors"][0]["message"], json_message);
}

async fn query_ids_are_checked(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let officer = app.token("camden", &["officer"]);
    app.get(
        &format!("/api/v1/contracts/{id}/observations?term_id=abc"),
        &officer,
    )
    .await
    .assert_problem(400, "invalid_query");
    app.get(
        &format!("/api/v1/contracts/{id}/compliance?format=xml"),
        &officer,
    )
    .await
    .assert_problem(400, "invalid_query");
}

async fn error_bodies_are_bounded(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let term = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    let integration = app.token("camden", &["integration"]);
    let path = format!("/api/v1/contracts/{id}/observations");

    // 150 unknown columns over 3 rows: each column once, the first 100 listed, the rest counted.
    let unknown: Vec<String> = (0..150).map(|i| format!("extra{i}")).collect();
    let mut csv = format!("term_id,period_start,measure.value,{}\n", unknown.join(","));
    for month in ["01", "02", "03"] {
        csv += &format!("{term},2026-{month}-01,95,{}\n", vec!["x"; 150].join(","));
    }
    let req = app
        .request(Method::POST, &path)
        .bearer_auth(&integration)
        .insert_header(("content-type", "text/csv"));
    let res = crate::helpers::TestResponse::from_client(
        &Method::POST,
        &path,
        req.send_body(csv).await.unwrap(),
    )
    .await;
    res.assert_problem(400, "invalid_body");
    let fields = res.error_fields();
    assert_eq!(fields.len(), 100);
    assert_eq!(fields[0], "header.extra0");
    assert_eq!(res.body["errors_omitted"], 50);

    // 150 returns naming no term of the contract: the same bound in a JSON batch.
    let batch: Vec<Value> = (0..150)
        .map(|_| ret("01a00000-0000-7000-8000-000000000000", "2026-01-01", "1"))
        .collect();
    let res = app.post(&path, &integration, Value::Array(batch)).await;
    res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields().len(), 100);
    assert_eq!(res.body["errors_omitted"], 50);
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("150 error(s)")
    );
    let listed = app.get(&path, &integration).await;
    assert_eq!(listed.body["items"], json!([]), "nothing was recorded");
}
