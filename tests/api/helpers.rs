//! The test application: the real server on port 0, on a fresh SQLite file or a fresh
//! PostgreSQL schema (dropped afterwards), with a typed client.

use std::path::PathBuf;

use awc::http::{Method, StatusCode};
use diesel::{Connection, PgConnection, RunQueryDsl};
use mission_procurement::auth::jwt::{Claims, KeyConfig, mint_hs256};
use mission_procurement::config::{JwtSettings, Settings};
use mission_procurement::db::{self, DatabaseUrl, DbPool};
use mission_procurement::startup::Application;
use serde_json::Value;

pub const SECRET: &str = "integration-test-secret-of-at-least-32-bytes";
pub const ISSUER: &str = "mission-procurement";
pub const AUDIENCE: &str = "mission-procurement-api";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where PostgreSQL tests create their schemas.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// In CI (or with REQUIRE_POSTGRES=1) PostgreSQL tests must run: an unreachable server fails
/// them. Elsewhere they are skipped with a loud notice, so `cargo test` works with no server.
fn postgres_required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
        || std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, schema: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin_url, schema } => {
                if let Ok(mut conn) = PgConnection::establish(admin_url) {
                    let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .execute(&mut conn);
                }
            }
        }
    }
}

pub struct TestApp {
    pub address: String,
    pub backend: Backend,
    /// Direct access to the database, for edits behind the service's back.
    pub pool: DbPool,
    /// The service's clock: `app.clock.set(..)` moves the service's "now".
    pub clock: mission_procurement::services::Clock,
    client: awc::Client,
    _db: TestDb,
}

pub fn test_settings(database_url: String) -> Settings {
    Settings {
        bind: "127.0.0.1:0".into(),
        database_url,
        db_pool_size: 4,
        jwt: JwtSettings {
            keys: KeyConfig::SharedSecret(SECRET.as_bytes().to_vec()),
            development_secret: false,
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
        },
        max_body_bytes: 64 * 1024,
        max_import_bytes: 4 * 1024 * 1024,
        request_body_timeout: std::time::Duration::from_secs(60),
        page_max_limit: 200,
        log_json: false,
        workers: 1,
        social_value_floor_percent: rust_decimal::Decimal::TEN,
        conditionality_required_above: Some(rust_decimal::Decimal::from(1_000_000)),
        metrics_token: Some(METRICS_TOKEN.into()),
        clock: mission_procurement::services::Clock::fixed(test_now()),
    }
}

pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// The test suite's "now": 09:00 UTC on 2 December 2026, whatever day the tests run.
pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    "2026-12-02T09:00:00Z".parse().unwrap()
}

/// A fresh database for one test: its URL and the guard that removes it.
pub fn fresh_database(backend: Backend) -> Option<(String, TestDb)> {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("mission-procurement-test-{unique}"));
            let url = format!("sqlite://{}", dir.join("test.db").display());
            Some((url, TestDb::Sqlite(dir)))
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let mut conn = match PgConnection::establish(&admin_url) {
                Ok(conn) => conn,
                Err(e) if postgres_required() => {
                    panic!("PostgreSQL is required here but unreachable at {admin_url}: {e}")
                }
                Err(e) => {
                    eprintln!(
                        "\n*** SKIPPING a PostgreSQL test: {admin_url} is unreachable ({e}). CI runs them. ***\n"
                    );
                    return None;
                }
            };
            let schema = format!("t_{unique}");
            diesel::sql_query(format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .expect("create test schema");
            let sep = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
            Some((url, TestDb::Postgres { admin_url, schema }))
        }
    }
}

impl TestApp {
    /// `None` only for PostgreSQL when it is unreachable outside CI.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |s| s).await
    }

    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(Settings) -> Settings,
    ) -> Option<TestApp> {
        let (database_url, guard) = fresh_database(backend)?;
        let settings = adjust(test_settings(database_url.clone()));
        let clock = settings.clock.clone();
        let url = DatabaseUrl::parse(&database_url).expect("test url");
        let pool = db::connect(&url, 4).expect("test database");
        let app = Application::build_with_pool(settings, pool.clone()).expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        Some(TestApp {
            address,
            backend,

            pool,
            clock,
            client: awc::Client::builder().disable_redirects().finish(),
            _db: guard,
        })
    }

    /// Moves the service's clock to 09:00 UTC on `day` (`YYYY-MM-DD`).
    pub fn at(&self, day: &str) {
        self.clock.set(format!("{day}T09:00:00Z").parse().unwrap());
    }

    pub fn token(&self, authority: &str, roles: &[&str]) -> String {
        token_for(authority, roles, "alice", 600)
    }

    pub fn request(&self, method: Method, path: &str) -> awc::ClientRequest {
        self.client
            .request(method, format!("{}{}", self.address, path))
    }

    pub async fn send(&self, req: awc::ClientRequest, body: Option<Value>) -> TestResponse {
        let (method, path) = (req.get_method().clone(), req.get_uri().path().to_string());
        let result = match body {
            Some(json) => {
                req.insert_header(("content-type", "application/json"))
                    .send_body(json.to_string())
                    .await
            }
            None => req.send().await,
        };
        TestResponse::read(&method, &path, result.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> TestResponse {
        self.send(self.request(Method::GET, path).bearer_auth(token), None)
            .await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> TestResponse {
        self.send(
            self.request(Method::POST, path).bearer_auth(token),
            Some(body),
        )
        .await
    }

    /// A POST that changes a resource's state, conditional on the `etag` the caller saw.
    pub async fn post_if_match(
        &self,
        path: &str,
        token: &str,
        etag: &str,
        body: Value,
    ) -> TestResponse {
        let req = self
            .request(Method::POST, path)
            .bearer_auth(token)
            .insert_header(("if-match", etag));
        self.send(req, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, etag: &str, body: Value) -> TestResponse {
        let req = self
            .request(Method::PATCH, path)
            .bearer_auth(token)
            .insert_header(("if-match", etag));
        self.send(req, Some(body)).await
    }

    /// Creates a mission as an officer of `authority` and returns its body.
    pub async fn create_mission(&self, authority: &str, statement: &str) -> Value {
        let token = self.token(authority, &["officer"]);
        let res = self
            .post("/api/v1/missions", &token, mission_body(statement))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        res.body
    }
}

pub fn token_for(authority: &str, roles: &[&str], sub: &str, ttl: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: sub.into(),
        authority: authority.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now,
        exp: now + ttl,
    };
    mint_hs256(SECRET.as_bytes(), &claims).expect("mint")
}

pub fn mission_body(statement: &str) -> Value {
    serde_json::json!({
        "statement": statement,
        "target_year": 2030,
        "outcomes": [{
            "kind": "early_change",
            "title": "More children eat breakfast",
            "indicators": [{"name": "Children in breakfast clubs", "unit": "children", "baseline": "2400", "target": "4000.50"}]
        }]
    })
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: awc::http::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestResponse {
    async fn read(
        method: &Method,
        path: &str,
        mut res: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
        >,
    ) -> Self {
        let bytes = res.body().limit(16 * 1024 * 1024).await.expect("body");
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        check_against_spec(method, path, res.status(), content_type, &bytes);
        TestResponse {
            status: res.status(),
            headers: res.headers().clone(),
            body,
            text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json error with this status and code; returns the body.
    pub fn assert_problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.body["code"], code, "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert_eq!(
            self.body["type"],
            format!("urn:mission-procurement:problem:{code}")
        );
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        assert_eq!(
            self.body["request_id"].as_str(),
            self.header("x-request-id"),
            "request id in body and header"
        );
        assert!(self.body["errors"].is_array());
        &self.body
    }

    /// The `field` of each entry of `errors[]`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Runs each named `async fn(TestApp)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use $crate::helpers::{Backend, TestApp};

                #[actix_web::test]
                async fn sqlite() {
                    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite test app");
                    super::$name(app).await;
                }

                #[actix_web::test]
                async fn postgres() {
                    if let Some(app) = TestApp::spawn(Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

impl TestResponse {
    pub async fn from_client(
        method: &Method,
        path: &str,
        res: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
            + Unpin,
        >,
    ) -> Self {
        Self::read(method, path, res).await
    }
}

/// The served OpenAPI document, parsed once for the whole test binary.
pub fn spec() -> &'static crate::spec_check::Spec {
    static SPEC: std::sync::OnceLock<crate::spec_check::Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        crate::spec_check::Spec::new(
            serde_json::to_value(mission_procurement::api::openapi()).expect("spec as JSON"),
        )
    })
}

/// Every response a test reads must be what the spec documents for its operation and status,
/// so a new endpoint is covered without thought. Requests outside the documented routes (the
/// 404/405 fallbacks, `/docs`) have no operation to check against.
fn check_against_spec(
    method: &Method,
    path: &str,
    status: StatusCode,
    content_type: Option<&str>,
    body: &[u8],
) {
    let method = method.as_str().to_ascii_lowercase();
    if !spec().documents(&method, path) {
        return;
    }
    if let Err(errors) = spec().check_response(&method, path, status.as_u16(), content_type, body) {
        panic!(
            "{} {path} → {status} does not match the spec:\n  {}\nbody: {}",
            method.to_uppercase(),
            errors.join("\n  "),
            String::from_utf8_lossy(body)
        );
    }
}

/// A model with a criterion in every category: price (lowest ratio, 40), quality scale (30),
/// social value quantity (10), mission alignment scale (10), reinvestment conditionality
/// quantity (10) and a quality gate.
pub fn model_body(mission_id: &str) -> Value {
    let scale = serde_json::json!({"type": "scale", "levels": [
        {"score": "0", "descriptor": "No response or deficient"},
        {"score": "1", "descriptor": "Inadequate"},
        {"score": "2", "descriptor": "Partly answers, significant gaps"},
        {"score": "3", "descriptor": "Substantially answers, lacks detail"},
        {"score": "4", "descriptor": "Answers all elements, minor gaps"},
        {"score": "5", "descriptor": "Comprehensive and thorough"}
    ]});
    serde_json::json!({
        "criteria": [
            {"code": "PRICE", "title": "Price", "category": "price", "weight": "40", "method": {"type": "lowest_ratio"}},
            {"code": "Q1", "title": "Reablement approach", "category": "quality", "weight": "30", "method": scale},
            {"code": "SV1", "title": "Apprenticeships for local young people", "category": "social_value", "weight": "10",
             "method": {"type": "quantity", "direction": "higher_better", "scoring": {"type": "relative_to_best"}}},
            {"code": "M1", "title": "Contribution to the estates mission", "category": "mission_alignment", "weight": "10",
             "mission_id": mission_id, "method": scale},
            {"code": "C1", "title": "Share of profit reinvested in care workers' training", "category": "conditionality",
             "conditionality_type": "reinvestment", "weight": "10",
             "method": {"type": "quantity", "direction": "higher_better", "scoring": {"type": "linear", "threshold": "0", "target": "20"}}},
            {"code": "G1", "title": "Registered with the Care Quality Commission", "category": "quality", "weight": "0", "method": {"type": "gate"}}
        ]
    })
}

pub fn bid_body(
    name: &str,
    price: &str,
    apprenticeships: &str,
    reinvest: &str,
    cqc: bool,
) -> Value {
    serde_json::json!({
        "supplier": {"name": name, "identifier": format!("GB-COH-{}", name.len()), "sme": true, "vcse": false, "locality": "Camden"},
        "price": price,
        "responses": [
            {"criterion_code": "SV1", "quantity": apprenticeships},
            {"criterion_code": "C1", "quantity": reinvest,
             "commitment": {"type": "reinvestment", "percent_of_profit": reinvest, "purpose": "care workers' training"}},
            {"criterion_code": "G1", "gate_passed": cqc}
        ]
    })
}

impl TestApp {
    /// A draft tender of `authority` with the full model; returns its id.
    pub async fn tender_with_model(&self, authority: &str) -> String {
        let mission = self
            .create_mission(
                authority,
                "By 2030, Camden's estates and streets are creative and sustainable",
            )
            .await;
        let token = self.token(authority, &["officer"]);
        let res = self
            .post("/api/v1/tenders", &token, serde_json::json!({"title": "Long-term care and reablement", "estimated_value": "4500000"}))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        let id = res.body["id"].as_str().unwrap().to_string();
        let res = self
            .send(
                self.request(Method::PUT, &format!("/api/v1/tenders/{id}/criteria"))
                    .bearer_auth(&token)
                    .insert_header(("if-match", "*")),
                Some(model_body(mission["id"].as_str().unwrap())),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text);
        id
    }

    pub async fn action(&self, path: &str, token: &str) -> TestResponse {
        self.send(self.request(Method::POST, path).bearer_auth(token), None)
            .await
    }

    /// A tender in evaluation with three bids (A cheapest, B, C failing the gate); returns
    /// the tender id and the bid ids.
    pub async fn tender_in_evaluation(&self, authority: &str) -> (String, Vec<String>) {
        let id = self.tender_with_model(authority).await;
        let officer = self.token(authority, &["officer"]);
        assert_eq!(
            self.action(&format!("/api/v1/tenders/{id}/open"), &officer)
                .await
                .status,
            StatusCode::OK
        );
        let mut bids = Vec::new();
        for body in [
            bid_body("Alpha Care", "900000", "4", "10", true),
            bid_body("Beta Reablement", "1000000", "8", "20", true),
            bid_body("Gamma Homes", "950000", "6", "5", false),
        ] {
            let res = self
                .post(&format!("/api/v1/tenders/{id}/bids"), &officer, body)
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
            bids.push(res.body["id"].as_str().unwrap().to_string());
        }
        assert_eq!(
            self.action(&format!("/api/v1/tenders/{id}/close"), &officer)
                .await
                .status,
            StatusCode::OK
        );
        (id, bids)
    }
}
