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
    many_authorities_writing_at_once_all_succeed,
    a_whole_procurement_verifies_and_an_edited_bid_shows,
    every_kind_of_record_is_tamper_evident,
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

/// Writes queue per authority before taking a connection (`src/admission.rs`): 40 at once over
/// four authorities, more than the pool holds, all succeed and every chain verifies.
async fn many_authorities_writing_at_once_all_succeed(app: TestApp) {
    let authorities = ["camden", "hackney", "islington", "haringey"];
    let tokens: Vec<String> = authorities
        .iter()
        .map(|a| app.token(a, &["officer"]))
        .collect();
    let writes = (0..40).map(|i| {
        let (app, token) = (&app, &tokens[i % 4]);
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
    for a in authorities {
        let report = verify(&app, a).await;
        assert_eq!(report["valid"], true, "{report}");
        assert_eq!(report["events_checked"], 10);
    }
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
    // A mission, a tender, three bids, four evaluator and four moderated scores, a frozen
    // evaluation, the award, a contract and two terms carried from the bid.
    assert_eq!(report["entities_checked"], 18, "{}", report["entity_types"]);

    execute(
        &app,
        &format!("UPDATE bids SET price = '1' WHERE id = '{}'", bids[0]),
    );
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], false);
    assert_eq!(report["state_mismatches"][0]["entity_type"], "bid");
    assert_eq!(report["state_mismatches"][0]["entity_id"], bids[0]);
}

/// A record of every kind, as the demo and one published notice leave them.
async fn one_of_every_kind(app: &TestApp) {
    let mut conn = app.pool.get().unwrap();
    mission_procurement::cli::demo::seed(&mut conn).unwrap();
    drop(conn);
    let contract = crate::contracts::direct_contract(app, "camden").await;
    let kpi =
        crate::contracts::add_term(app, &contract, "Visits", crate::contracts::kpi_spec("90"))
            .await;
    app.at("2026-02-02");
    let res = app
        .post(
            &format!("/api/v1/contracts/{contract}/observations"),
            &app.token("camden", &["integration"]),
            json!([crate::contracts::ret(&kpi, "2026-01-01", "95")]),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let res = app
        .post(
            &format!("/api/v1/contracts/{contract}/performance-notices"),
            &app.token("camden", &["officer"]),
            json!({"period_start": "2026-01-01", "period_end": "2026-01-31", "ratings": {kpi.clone(): "good"}, "justification": "January met its target"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
}

/// How to tamper with one kind of record: its table, how to pick a row by its entity id, an
/// edit, and the changes that turn a copy of the row into a forged one (with its entity id).
struct Tampering {
    kind: &'static str,
    table: &'static str,
    edit: &'static str,
    forge: &'static str,
    forged_id: fn(&str) -> String,
}

const TAMPERING: [Tampering; 13] = [
    Tampering {
        kind: "mission",
        table: "missions",
        edit: "statement = statement || '!'",
        forge: "id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "tender",
        table: "tenders",
        edit: "title = title || '!'",
        forge: "id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "bid",
        table: "bids",
        edit: "price = '1'",
        forge: "id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "evaluator_score",
        table: "evaluator_scores",
        edit: "score = '0'",
        forge: "evaluator = 'mallory'",
        forged_id: |id| format!("{}/mallory", id.rsplit_once('/').unwrap().0),
    },
    Tampering {
        kind: "moderated_score",
        table: "moderated_scores",
        edit: "score = '0'",
        forge: "criterion_code = 'forged'",
        forged_id: |id| format!("{}/forged", id.split_once('/').unwrap().0),
    },
    Tampering {
        kind: "evaluation",
        table: "evaluations",
        edit: "result = result || ' '",
        forge: "id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "award",
        table: "awards",
        edit: "decided_by = 'mallory'",
        forge: "id = 'forged', tender_id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "contract",
        table: "contracts",
        edit: "value = '1'",
        forge: "id = 'forged', tender_id = NULL",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "term",
        table: "terms",
        edit: "title = title || '!'",
        forge: "id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "observation",
        table: "observations",
        edit: "status = CASE WHEN status = 'verified' THEN 'disputed' ELSE 'verified' END",
        forge: "id = 'forged', period_start = '2099-01-01'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "consequence",
        table: "consequences",
        edit: "amount = '0'",
        forge: "id = 'forged', kind = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "performance_notice",
        table: "performance_notices",
        edit: "justification = justification || '!'",
        forge: "id = 'forged'",
        forged_id: |_| "forged".into(),
    },
    Tampering {
        kind: "authority_settings",
        table: "authority_settings",
        edit: "social_value_floor_percent = '0'",
        forge: "authority = 'hackney'",
        forged_id: |_| "hackney".into(),
    },
];

impl Tampering {
    /// The SQL condition that picks the row of `entity_id`.
    fn row(&self, entity_id: &str) -> String {
        match self.kind {
            "evaluator_score" => {
                let mut parts = entity_id.splitn(3, '/');
                let (bid, code, evaluator) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                format!(
                    "bid_id = '{bid}' AND criterion_code = '{code}' AND evaluator = '{evaluator}'"
                )
            }
            "moderated_score" => {
                let (bid, code) = entity_id.split_once('/').unwrap();
                format!("bid_id = '{bid}' AND criterion_code = '{code}'")
            }
            "authority_settings" => format!("authority = '{entity_id}'"),
            _ => format!("id = '{entity_id}'"),
        }
    }
}

/// Runs statements as someone with the database's credentials would: foreign keys off.
fn tamper(app: &TestApp, statements: &[String]) {
    use diesel::connection::SimpleConnection;
    let (off, on) = match app.backend {
        crate::helpers::Backend::Postgres => (
            "SET session_replication_role = replica;",
            "SET session_replication_role = DEFAULT;",
        ),
        crate::helpers::Backend::Sqlite => {
            ("PRAGMA foreign_keys = OFF;", "PRAGMA foreign_keys = ON;")
        }
    };
    let mut conn = app.pool.get().unwrap();
    conn.batch_execute(&format!("{off}{};{on}", statements.join(";")))
        .unwrap();
}

type Found = std::collections::BTreeSet<(String, String, String)>;

fn findings(report: &serde_json::Value) -> Found {
    report["state_mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["entity_type"].as_str().unwrap().to_string(),
                m["entity_id"].as_str().unwrap().to_string(),
                m["finding"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn every_kind_of_record_is_tamper_evident(app: TestApp) {
    one_of_every_kind(&app).await;
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], true, "{report}");
    let kinds: Vec<_> = report["entity_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert!(k["rows_checked"].as_u64().unwrap() > 0, "{k}");
            k["entity_type"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(kinds, TAMPERING.map(|t| t.kind.to_string()));

    // An edit to one record of each kind, and a forged copy of it.
    let mut targets = Vec::new();
    let mut sql = Vec::new();
    for t in &TAMPERING {
        let id = events(&app, "camden", &format!("?entity_type={}&limit=1", t.kind)).await[0]["entity_id"]
            .as_str()
            .unwrap()
            .to_string();
        let row = t.row(&id);
        sql.push(format!(
            "CREATE TEMP TABLE forged AS SELECT * FROM {table} WHERE {row}; UPDATE forged SET {forge}; \
             INSERT INTO {table} SELECT * FROM forged; DROP TABLE forged; UPDATE {table} SET {edit} WHERE {row}",
            table = t.table,
            forge = t.forge,
            edit = t.edit,
        ));
        targets.push((t, id));
    }
    tamper(&app, &sql);
    let report = verify(&app, "camden").await;
    assert_eq!(report["valid"], false);
    assert_eq!(
        report["first_broken_link"],
        serde_json::Value::Null,
        "the chain itself is intact"
    );
    let mut expected = Found::new();
    for (t, id) in &targets {
        expected.insert((t.kind.into(), id.clone(), "edited".into()));
        if t.kind != "authority_settings" {
            expected.insert((t.kind.into(), (t.forged_id)(id), "forged".into()));
        }
    }
    assert_eq!(findings(&report), expected, "{report}");
    let edited = report["state_mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["entity_type"] == "observation" && m["finding"] == "edited")
        .unwrap();
    assert!(
        edited["last_event_action"]
            .as_str()
            .unwrap()
            .starts_with("observation."),
        "{edited}"
    );
    assert!(edited["last_event_seq"].as_i64().unwrap() > 0);
    // A settings row for an authority that never saved any is forged there.
    let hackney = verify(&app, "hackney").await;
    assert_eq!(
        findings(&hackney),
        [(
            "authority_settings".to_string(),
            "hackney".to_string(),
            "forged".to_string()
        )]
        .into()
    );

    // The edited records deleted: each is reported gone, with the event that recorded it.
    let sql: Vec<String> = targets
        .iter()
        .map(|(t, id)| format!("DELETE FROM {} WHERE {}", t.table, t.row(id)))
        .collect();
    tamper(&app, &sql);
    let report = verify(&app, "camden").await;
    let mut expected = Found::new();
    for (t, id) in &targets {
        expected.insert((t.kind.into(), id.clone(), "deleted".into()));
        if t.kind != "authority_settings" {
            expected.insert((t.kind.into(), (t.forged_id)(id), "forged".into()));
        }
    }
    assert_eq!(findings(&report), expected, "{report}");
    for k in report["entity_types"].as_array().unwrap() {
        assert_eq!(k["deleted"], 1, "{k}");
    }
}
