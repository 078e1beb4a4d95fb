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
        "loaded demo data for `camden`: 4 missions"
    );
    let second = run();
    assert!(String::from_utf8_lossy(&second.stdout).contains("already loaded"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_commands_print_usage() {
    let out = Command::new(BIN).arg("frobnicate").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("USAGE"));
}
