//! Compliance as it stood on a date: a report re-run later gives the same figures, and the
//! dated rules (late returns, running periods, pending and terminated contracts, corrections,
//! evidence) hold. The service's clock is moved through the story with `app.at`.

use awc::http::StatusCode;
use serde_json::{Value, json};

use crate::contracts::{add_term, direct_contract, kpi_spec, ret};
use crate::helpers::TestApp;
use crate::on_both_databases;

on_both_databases!(
    a_report_as_of_a_date_counts_only_what_was_recorded_by_then,
    a_return_after_the_deadline_is_late,
    returns_and_proposals_wait_for_the_period_to_end,
    a_pending_contract_accrues_nothing,
    nothing_is_due_after_a_termination_takes_effect,
    a_correction_that_clears_a_breach_supersedes_its_consequence,
    a_return_without_required_evidence_cannot_be_verified,
    the_database_holds_one_current_return_per_period,
);

async fn compliance(app: &TestApp, contract: &str, as_of: &str) -> Value {
    let res = app
        .get(
            &format!("/api/v1/contracts/{contract}/compliance?as_of={as_of}"),
            &app.token("camden", &["auditor"]),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    res.body
}

fn statuses(report: &Value) -> Vec<String> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["assessment"]["status"].as_str().unwrap().to_string())
        .collect()
}

async fn submit(app: &TestApp, contract: &str, rows: Value) -> Value {
    let res = app
        .post(
            &format!("/api/v1/contracts/{contract}/observations"),
            &app.token("camden", &["integration"]),
            rows,
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    res.body
}

async fn a_report_as_of_a_date_counts_only_what_was_recorded_by_then(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-02-02");
    let jan = submit(&app, &id, json!([ret(&kpi, "2026-01-01", "95")])).await["ids"][0].clone();
    // In March the supplier corrects January down to 60 and the officer proposes a credit.
    app.at("2026-03-02");
    let mut correction = ret(&kpi, "2026-01-01", "60");
    correction["supersedes"] = jan;
    submit(
        &app,
        &id,
        json!([correction, ret(&kpi, "2026-02-01", "95")]),
    )
    .await;
    let officer = app.token("camden", &["officer"]);
    let proposed = app
        .action(
            &format!("/api/v1/contracts/{id}/consequences/propose?as_of=2026-03-02"),
            &officer,
        )
        .await;
    assert_eq!(proposed.status, StatusCode::OK, "{}", proposed.text);
    let credit = proposed.body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // In April the credit is applied and the target lowered to 50.
    app.at("2026-04-01");
    app.post(
        &format!("/api/v1/contracts/{id}/consequences/{credit}/apply"),
        &officer,
        json!({"reason": "Deducted from the April invoice"}),
    )
    .await;
    let res = app
        .patch(
            &format!("/api/v1/contracts/{id}/terms/{kpi}"),
            &officer,
            "*",
            json!({"title": "Visits on time", "spec": kpi_spec("50")}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    // Before the correction January was met; February was not yet due.
    let feb = compliance(&app, &id, "2026-02-10").await;
    assert_eq!(statuses(&feb), ["met"]);
    assert_eq!(feb["lines"][0]["assessment"]["achieved"], "95");
    // After it, January is not met against 90, its credit still proposed.
    let march = compliance(&app, &id, "2026-03-02").await;
    assert_eq!(statuses(&march), ["not_met", "met"]);
    assert_eq!(march["lines"][0]["assessment"]["expected"], "90");
    assert_eq!(march["lines"][0]["consequences"][0]["status"], "proposed");
    // In April the lower target counts, and so does the decision.
    let april = compliance(&app, &id, "2026-04-01").await;
    assert_eq!(statuses(&april)[..2], ["met", "met"]);
    assert_eq!(april["lines"][0]["assessment"]["expected"], "50");
    assert_eq!(april["lines"][0]["consequences"][0]["status"], "applied");
    // Re-performed later, March's figures are the same.
    app.at("2026-12-02");
    assert_eq!(compliance(&app, &id, "2026-03-02").await, march);
}

async fn a_return_after_the_deadline_is_late(app: TestApp) {
    // Grace is 10 days: January's return was due by 10 February.
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-02-20");
    submit(&app, &id, json!([ret(&kpi, "2026-01-01", "95")])).await;
    app.at("2026-03-05");
    submit(&app, &id, json!([ret(&kpi, "2026-02-01", "95")])).await;
    let report = compliance(&app, &id, "2026-03-05").await;
    let late: Vec<_> = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["late"].as_bool().unwrap())
        .collect();
    assert_eq!(late, [true, false]);
    assert_eq!(statuses(&report), ["met", "met"]);
    assert_eq!(report["totals"]["late"], 1);
    assert_eq!(report["totals"]["periods_due"], 2);
    assert_eq!(report["totals"]["met"], 2);
}

async fn returns_and_proposals_wait_for_the_period_to_end(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-03-15");
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/observations"),
            &app.token("camden", &["integration"]),
            json!([ret(&kpi, "2026-02-01", "95"), ret(&kpi, "2026-03-01", "95")]),
        )
        .await;
    let body = res.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "rows[1].period_start");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2026-03-31"),
        "{body}"
    );
    let res = app
        .action(
            &format!("/api/v1/contracts/{id}/consequences/propose?as_of=2026-03-16"),
            &app.token("camden", &["officer"]),
        )
        .await;
    let body = res.assert_problem(422, "validation_failed");
    assert_eq!(body["errors"][0]["field"], "as_of");
    let listed = app
        .get(
            &format!("/api/v1/contracts/{id}/consequences"),
            &app.token("camden", &["auditor"]),
        )
        .await;
    assert_eq!(listed.body["items"], json!([]), "nothing was proposed");
}

async fn a_pending_contract_accrues_nothing(app: TestApp) {
    app.at("2025-12-15");
    let officer = app.token("camden", &["officer"]);
    let res = app
        .post(
            "/api/v1/contracts",
            &officer,
            json!({
                "title": "Meals", "supplier": {"name": "Kitchen Co", "identifier": "GB-COH-1"},
                "value": "120000", "start_date": "2026-01-01", "end_date": "2026-12-31"
            }),
        )
        .await;
    let id = res.body["id"].as_str().unwrap().to_string();
    add_term(&app, &id, "Meals on time", kpi_spec("90")).await;
    let report = compliance(&app, &id, "2026-06-30").await;
    assert_eq!(report["lines"], json!([]));
    assert_eq!(report["totals"]["periods_due"], 0);
    assert_eq!(report["money_due"], json!({}));
    // Brought into force on 1 April: periods from then on are due.
    app.at("2026-04-01");
    let res = app
        .patch(
            &format!("/api/v1/contracts/{id}"),
            &officer,
            "*",
            json!({"status": "active"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(
        compliance(&app, &id, "2026-03-31").await["lines"],
        json!([])
    );
    assert_eq!(
        compliance(&app, &id, "2026-06-30").await["totals"]["periods_due"],
        6
    );
}

async fn nothing_is_due_after_a_termination_takes_effect(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-06-10");
    let officer = app.token("camden", &["officer"]);
    let contract = format!("/api/v1/contracts/{id}");
    app.patch(
        &contract,
        &officer,
        "*",
        json!({"status": "terminated", "status_effective_on": "2027-02-01"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    app.patch(
        &contract,
        &officer,
        "*",
        json!({"title": "Renamed", "status_effective_on": "2026-04-30"}),
    )
    .await
    .assert_problem(422, "validation_failed");
    let res = app
        .patch(
            &contract,
            &officer,
            "*",
            json!({"status": "terminated", "status_effective_on": "2026-04-30"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    assert_eq!(res.body["status_changed_on"], "2026-04-30");
    let report = compliance(&app, &id, "2026-09-30").await;
    // January to April are due (and missing, with their credits); nothing after.
    assert_eq!(statuses(&report), ["missing"; 4]);
    assert_eq!(report["money_due"]["service_credit"], "20000.00");
    let res = app
        .post(
            &format!("{contract}/observations"),
            &app.token("camden", &["integration"]),
            json!([ret(&kpi, "2026-04-01", "95"), ret(&kpi, "2026-05-01", "95")]),
        )
        .await;
    let body = res.assert_problem(422, "validation_failed");
    assert_eq!(res.error_fields(), ["rows[1].period_start"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("termination on 2026-04-30")
    );
}

async fn a_correction_that_clears_a_breach_supersedes_its_consequence(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-02-02");
    let jan = submit(&app, &id, json!([ret(&kpi, "2026-01-01", "60")])).await["ids"][0].clone();
    let officer = app.token("camden", &["officer"]);
    let proposed = app
        .action(
            &format!("/api/v1/contracts/{id}/consequences/propose?as_of=2026-02-02"),
            &officer,
        )
        .await
        .body;
    assert_eq!(proposed["items"][0]["status"], "proposed");
    app.at("2026-02-09");
    let mut correction = ret(&kpi, "2026-01-01", "92");
    correction["supersedes"] = jan;
    let corrected = submit(&app, &id, json!([correction])).await["ids"][0].clone();
    let listed = app
        .get(&format!("/api/v1/contracts/{id}/consequences"), &officer)
        .await
        .body;
    let c = &listed["items"][0];
    assert_eq!(c["status"], "superseded", "{c}");
    assert_eq!(c["cleared_by"], corrected);
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains(corrected.as_str().unwrap())
    );
    // Superseded is final: it cannot then be applied.
    app.post(
        &format!(
            "/api/v1/contracts/{id}/consequences/{}/apply",
            c["id"].as_str().unwrap()
        ),
        &officer,
        json!({"reason": "x"}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    // As of before the correction it was still proposed; the trail verifies.
    let before = compliance(&app, &id, "2026-02-05").await;
    assert_eq!(before["lines"][0]["consequences"][0]["status"], "proposed");
    let report = app
        .get("/api/v1/audit/verify", &app.token("camden", &["auditor"]))
        .await
        .body;
    assert_eq!(report["valid"], true, "{report}");
}

async fn a_return_without_required_evidence_cannot_be_verified(app: TestApp) {
    let id = direct_contract(&app, "camden").await;
    let mut spec = kpi_spec("90");
    spec["evidence_required"] = json!(true);
    let kpi = add_term(&app, &id, "Visits on time", spec).await;
    app.at("2026-02-02");
    let jan = submit(&app, &id, json!([ret(&kpi, "2026-01-01", "95")])).await["ids"][0].clone();
    let report = compliance(&app, &id, "2026-02-02").await;
    assert_eq!(report["lines"][0]["evidence_missing"], true);
    assert_eq!(report["totals"]["evidence_missing"], 1);
    let officer = app.token("camden", &["officer"]);
    let returns = format!("/api/v1/contracts/{id}/observations");
    app.post_if_match(
        &format!("{returns}/{}/verify", jan.as_str().unwrap()),
        &officer,
        "*",
        json!({"note": "Checked"}),
    )
    .await
    .assert_problem(409, "illegal_transition");
    let mut correction = ret(&kpi, "2026-01-01", "95");
    correction["supersedes"] = jan;
    correction["evidence"] = json!([{"name": "Rota extract, January"}]);
    let corrected = submit(&app, &id, json!([correction])).await["ids"][0].clone();
    let res = app
        .post_if_match(
            &format!("{returns}/{}/verify", corrected.as_str().unwrap()),
            &officer,
            "*",
            json!({"note": "Checked against the rota"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    let report = compliance(&app, &id, "2026-02-02").await;
    assert_eq!(report["lines"][0]["evidence_missing"], false);
    assert_eq!(report["lines"][0]["observation_status"], "verified");
}

/// Corrections keep one current return per term and period, a batch cannot slip in a second
/// one, and the database itself refuses a second (a unique index), so two instances racing for
/// one period cannot both store theirs.
async fn the_database_holds_one_current_return_per_period(app: TestApp) {
    use diesel::RunQueryDsl;
    let id = direct_contract(&app, "camden").await;
    let kpi = add_term(&app, &id, "Visits on time", kpi_spec("90")).await;
    app.at("2026-02-02");
    let first = submit(&app, &id, json!([ret(&kpi, "2026-01-01", "60")])).await["ids"][0].clone();
    let mut second = ret(&kpi, "2026-01-01", "70");
    second["supersedes"] = first.clone();
    let body = submit(&app, &id, json!([second])).await;
    let second_id = body["ids"][0].clone();
    let mut third = ret(&kpi, "2026-01-01", "95");
    third["supersedes"] = second_id.clone();
    let mut fourth = ret(&kpi, "2026-01-01", "96");
    let listed = app
        .get(
            &format!("/api/v1/contracts/{id}/observations"),
            &app.token("camden", &["auditor"]),
        )
        .await
        .body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/observations"),
            &app.token("camden", &["integration"]),
            json!([third, {"term_id": kpi, "period_start": "2026-01-01", "measures": {"value": "1"}}]),
        )
        .await;
    assert_eq!(res.error_fields(), ["rows[1].supersedes"]);
    fourth["supersedes"] = second_id;
    let res = submit(&app, &id, json!([fourth])).await;
    let current = res["ids"][0].as_str().unwrap().to_string();
    let report = compliance(&app, &id, "2026-02-02").await;
    assert_eq!(report["lines"][0]["observation_id"], current);
    assert_eq!(report["lines"][0]["assessment"]["achieved"], "96");

    let mut conn = app.pool.get().unwrap();
    let forged = diesel::sql_query(format!(
        "INSERT INTO observations SELECT 'forged', authority, contract_id, term_id, period_start, \
         period_end, measures, dimensions, evidence, reported_by, reported_at, NULL, NULL, status, \
         status_note, created_at, version FROM observations WHERE id = '{current}'"
    ))
    .execute(&mut *conn);
    assert!(
        forged.is_err(),
        "a second current return for one period was stored"
    );
    let verify = app
        .get("/api/v1/audit/verify", &app.token("camden", &["auditor"]))
        .await
        .body;
    assert_eq!(verify["valid"], true, "{verify}");
}
