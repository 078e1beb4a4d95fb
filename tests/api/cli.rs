//! The command line as an operator uses it.

use std::process::Command;

use awc::http::StatusCode;

use crate::helpers::{Backend, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_mission-procurement");

#[actix_web::test]
async fn the_token_command_mints_a_token_the_service_accepts() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let out = Command::new(BIN)
        .args([
            "token",
            "--authority",
            "camden",
            "--role",
            "officer",
            "--role",
            "auditor",
            "--sub",
            "bob",
            "--ttl",
            "1h",
        ])
        .env("JWT_SECRET", crate::helpers::SECRET)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    app.create_mission("camden", "Food").await;
    let res = app.get("/api/v1/audit/events", &token).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);

    let res = app
        .post(
            "/api/v1/missions",
            &token,
            crate::helpers::mission_body("Estates"),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED);
    let events = app
        .get("/api/v1/audit/events?action=mission.created", &token)
        .await;
    assert_eq!(events.body["items"][1]["actor"], "bob");
    assert_eq!(
        events.body["items"][1]["roles"],
        serde_json::json!(["officer", "auditor"])
    );
}

#[test]
fn the_token_command_refuses_bad_arguments() {
    for args in [
        vec!["token", "--role", "officer"],
        vec!["token", "--authority", "camden"],
        vec!["token", "--authority", "camden", "--role", "mayor"],
        vec![
            "token",
            "--authority",
            "camden",
            "--role",
            "officer",
            "--ttl",
            "forever",
        ],
    ] {
        let out = Command::new(BIN).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).starts_with("error: "),
            "{args:?}"
        );
    }
    let out = Command::new(BIN)
        .args(["token", "--authority", "camden", "--role", "officer"])
        .env("JWT_SECRET", "short")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("JWT_SECRET"));
}

#[test]
fn seed_demo_loads_camden_once() {
    let dir = std::env::temp_dir().join(format!("mp-demo-{}", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}", dir.join("demo.db").display());
    let run = || {
        Command::new(BIN)
            .arg("seed-demo")
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        "loaded demo data for `camden`: 4 missions; tender \"Long-term care and reablement\" \
         with 4 bids, awarded to Fleet Valley Care CIC; contract with 8 terms and 48 returns; \
         5 consequences (1 applied, 1 waived)"
    );
    let second = run();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&second.stdout).trim(),
        "demo data for `camden` is already loaded; nothing changed (delete the database to start again)"
    );
    the_demo_tells_its_story(&url);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Reads the seeded file back through the services: the story is there, and audited.
fn the_demo_tells_its_story(url: &str) {
    use mission_procurement::db::{self, DatabaseUrl};
    use mission_procurement::domain::authority::AuthorityId;
    use mission_procurement::domain::compliance::{
        ComplianceStatus, ContractStatus, MoneyKind, TermKind,
    };
    use mission_procurement::domain::contract::ConsequenceStatus;
    use mission_procurement::domain::scoring::{ExclusionReason, FlagKind};
    use mission_procurement::domain::tender::{ConditionalityType, TenderStatus};
    use mission_procurement::services;
    use rust_decimal::Decimal;

    let pool = db::connect(&DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let conn = &mut conn;
    let camden = AuthorityId::parse("camden").unwrap();
    let dec = |s: &str| s.parse::<Decimal>().unwrap();

    // The tender: awarded to rank 1 on a frozen evaluation with one bid excluded at the gate,
    // one abnormally low (its explanation on record) and an evaluator spread flagged.
    let tenders = services::tenders::list(conn, &camden, None, None, 10).unwrap();
    assert_eq!(tenders.len(), 1);
    let tender = &tenders[0];
    assert_eq!(tender.status, TenderStatus::Awarded);
    let award = services::evaluation::get_award(conn, &camden, tender.id).unwrap();
    assert_eq!(award.rank, Some(1));
    let evaluation =
        services::evaluation::get_frozen(conn, &camden, tender.id, award.evaluation_id).unwrap();
    let results = &evaluation.result.bids;
    assert_eq!(results.len(), 4);
    assert_eq!(
        evaluation.result.winner,
        Some(award.bid_id.to_string()),
        "awarded to the winner"
    );
    let failed_gate: Vec<_> = results
        .iter()
        .filter(|b| {
            b.excluded
                && b.exclusions
                    .iter()
                    .any(|e| e.reason == ExclusionReason::FailedGate)
        })
        .collect();
    assert_eq!(failed_gate.len(), 1, "{results:#?}");
    assert_eq!(
        results.iter().filter(|b| b.excluded).count(),
        1,
        "only the gate excludes"
    );
    let low: Vec<_> = results
        .iter()
        .filter(|b| b.flags.iter().any(|f| f.kind == FlagKind::AbnormallyLow))
        .collect();
    assert_eq!(low.len(), 1, "{results:#?}");
    assert_ne!(low[0].rank, Some(1));
    let low_bid =
        services::tenders::get_bid(conn, &camden, tender.id, low[0].bid_id.parse().unwrap())
            .unwrap();
    assert!(low_bid.abnormally_low_explanation.is_some());
    assert!(
        results
            .iter()
            .flat_map(|b| &b.flags)
            .any(|f| f.kind == FlagKind::EvaluatorSpread)
    );
    let (scores, moderated) = services::tenders::all_scores(conn, &camden, tender.id).unwrap();
    let evaluators: std::collections::BTreeSet<_> =
        scores.iter().map(|s| s.evaluator.as_str()).collect();
    assert_eq!(evaluators, ["ann", "bob"].into());
    assert_eq!(
        (scores.len(), moderated.len()),
        (24, 12),
        "3 scale criteria × 4 bids"
    );

    // The contract: active, every conditionality type, social value and three material KPIs.
    let contracts = services::contracts::list(conn, &camden, None, 10).unwrap();
    assert_eq!(contracts.len(), 1);
    let contract = &contracts[0];
    assert_eq!(contract.status, ContractStatus::Active);
    assert_eq!(contract.tender_id, Some(tender.id));
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let report = services::contracts::compliance(conn, &camden, contract.id, as_of).unwrap();
    let specs: Vec<_> = report.terms.iter().map(|t| &t.term.spec).collect();
    for ct in [
        ConditionalityType::Access,
        ConditionalityType::Directionality,
        ConditionalityType::ProfitSharing,
        ConditionalityType::Reinvestment,
    ] {
        assert!(
            specs.iter().any(|s| s.conditionality_type == Some(ct)),
            "{ct:?}"
        );
    }
    assert!(specs.iter().any(|s| s.kind == TermKind::SocialValue));
    assert_eq!(
        specs
            .iter()
            .filter(|s| s.kind == TermKind::Kpi && s.material)
            .count(),
        3
    );

    // A year of returns: a missed month, a correction, returns by ward, a profit share due
    // and a reinvestment shortfall.
    let lines: Vec<_> = report.terms.iter().flat_map(|t| &t.periods).collect();
    assert!(
        lines
            .iter()
            .any(|p| p.assessment.status == ComplianceStatus::NotMet)
    );
    let money: Vec<_> = lines.iter().flat_map(|p| &p.assessment.money).collect();
    let due = |kind: MoneyKind| {
        money
            .iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.amount)
            .sum::<Decimal>()
    };
    // 50% × (168,000 − 8% × 1,462,000); 15% × 168,000 − 18,400; 5% × 4,380,000 / 36.
    assert_eq!(due(MoneyKind::ProfitShareDue), dec("25520.00"));
    assert_eq!(due(MoneyKind::ReinvestmentShortfall), dec("6800.00"));
    assert_eq!(due(MoneyKind::ServiceCredit), dec("6083.33"));
    let observations = services::contracts::observations(conn, &camden, contract.id).unwrap();
    assert_eq!(observations.len(), 48);
    // The officer verified the returns that carry evidence (the correction among them).
    let verified = observations
        .iter()
        .filter(|o| o.status == mission_procurement::domain::contract::ObservationStatus::Verified)
        .count();
    assert!(verified >= 8, "{verified} verified");
    // The story runs forward in time: its audit events are in date order.
    let events = services::audit::list(conn, &camden, &Default::default(), 0, 100_000).unwrap();
    assert!(
        events
            .windows(2)
            .all(|w| w[0].occurred_at <= w[1].occurred_at),
        "the demo's events go back in time"
    );
    assert_eq!(
        observations
            .iter()
            .filter(|o| o.supersedes.is_some())
            .count(),
        1
    );
    assert!(
        observations
            .iter()
            .any(|o| o.dimensions.get("ward").map(String::as_str) == Some("Gospel Oak"))
    );

    // The annual performance notice covers the first year, so nothing is overdue at its end.
    let (published, due) = services::contracts::notices(conn, &camden, contract.id, as_of).unwrap();
    assert_eq!(published.len(), 1);
    assert!(due.iter().all(|d| d.due_by >= as_of), "{due:?}");

    // Consequences proposed as of the year end: one applied, one waived, with reasons.
    let consequences = services::contracts::consequences(conn, &camden, contract.id).unwrap();
    // Three amounts (profit share, service credit, reinvestment shortfall) and the two
    // consequences without an amount the breaches trigger (tranche gate, improvement plan).
    assert_eq!(consequences.len(), 5);
    let kinds: std::collections::BTreeSet<_> =
        consequences.iter().map(|c| c.kind.as_str()).collect();
    assert!(
        kinds.contains("improvement_plan") && kinds.contains("tranche_gate"),
        "{kinds:?}"
    );
    for status in [ConsequenceStatus::Applied, ConsequenceStatus::Waived] {
        let decided: Vec<_> = consequences.iter().filter(|c| c.status == status).collect();
        assert_eq!(decided.len(), 1, "{status:?}");
        assert!(decided[0].reason.as_deref().is_some_and(|r| !r.is_empty()));
    }

    // The audit trail shows who scored, and it verifies: the chain is unbroken and every
    // stored record of every kind is the one its last event recorded.
    let scorers = services::audit::list(
        conn,
        &camden,
        &db::audit::EventFilter {
            action: Some("score.submitted".into()),
            ..Default::default()
        },
        0,
        100,
    )
    .unwrap();
    let scorers: std::collections::BTreeSet<_> = scorers.iter().map(|e| e.actor.as_str()).collect();
    assert_eq!(scorers, ["ann", "bob"].into());
    let verified = services::audit::verify(conn, &camden).unwrap();
    assert!(verified.valid(), "{verified:?}");
    let empty: Vec<_> = verified
        .kinds
        .iter()
        .filter(|k| k.rows_checked == 0)
        .map(|k| k.kind)
        .collect();
    assert_eq!(empty, [], "the demo writes a record of every kind");
}

#[test]
fn unknown_commands_print_usage() {
    let out = Command::new(BIN).arg("frobnicate").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("USAGE"));
}

/// Reachable from other machines, the service refuses the public development secret.
#[test]
fn the_development_secret_is_refused_off_this_machine() {
    let dir = tempfile_dir("devsecret");
    let out = Command::new(BIN)
        .env_remove("JWT_SECRET")
        .env_remove("JWT_PUBLIC_KEY")
        .env_remove("JWT_PUBLIC_KEY_FILE")
        .env_remove("ALLOW_DEVELOPMENT_SECRET")
        .env("BIND", "0.0.0.0:0")
        .env("DATABASE_URL", format!("sqlite://{dir}/db.sqlite"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("JWT_SECRET") && stderr.contains("ALLOW_DEVELOPMENT_SECRET"),
        "{stderr}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempfile_dir(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mp-{name}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.display().to_string()
}

/// `healthcheck` asks the service on BIND for /ready, for containers without an HTTP client.
#[actix_web::test]
async fn healthcheck_reports_whether_the_service_is_ready() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let port = app.address.rsplit(':').next().unwrap().to_string();
    let check = move |port: String| {
        actix_web::rt::task::spawn_blocking(move || {
            Command::new(BIN)
                .arg("healthcheck")
                .env("BIND", format!("0.0.0.0:{port}"))
                .output()
                .unwrap()
        })
    };
    let up = check(port).await.unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = free.local_addr().unwrap().port().to_string();
    drop(free);
    let down = check(closed).await.unwrap();
    assert!(!down.status.success());
    assert!(String::from_utf8_lossy(&down.stderr).contains("cannot reach"));
}

#[test]
fn version_prints_the_package_version() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("mission-procurement {}", env!("CARGO_PKG_VERSION"))
    );
}
