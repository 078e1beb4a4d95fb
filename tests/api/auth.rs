//! Bearer tokens: HS256 in development, RS256/ES256/EdDSA public keys in production.

use awc::http::{Method, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mission_procurement::auth::jwt::{Claims, KeyConfig, PublicKeyAlgorithm, mint_hs256};

use crate::helpers::{AUDIENCE, Backend, ISSUER, SECRET, TestApp, token_for};

fn claims(iss: &str, aud: &str, roles: &[&str], exp_offset: i64) -> Claims {
    let now = chrono::Utc::now().timestamp();
    Claims {
        sub: "alice".into(),
        authority: "camden".into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        iss: iss.into(),
        aud: aud.into(),
        iat: now,
        exp: now + exp_offset,
    }
}

#[actix_web::test]
async fn missing_or_bad_tokens_get_401_with_a_reason() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app
        .send(app.request(Method::GET, "/api/v1/missions"), None)
        .await;
    res.assert_problem(401, "unauthenticated");
    assert_eq!(res.header("www-authenticate"), Some("Bearer"));

    let res = app
        .send(
            app.request(Method::GET, "/api/v1/missions")
                .insert_header(("authorization", "Basic dTpw")),
            None,
        )
        .await;
    res.assert_problem(401, "unauthenticated");

    let cases = [
        ("not-a-jwt".to_string(), "malformed"),
        (token_for("camden", &["officer"], "alice", -3600), "expired"),
        (
            mint_hs256(
                b"some-other-secret-some-other-secret",
                &claims(ISSUER, AUDIENCE, &["officer"], 600),
            )
            .unwrap(),
            "signature",
        ),
        (
            mint_hs256(
                SECRET.as_bytes(),
                &claims("someone-else", AUDIENCE, &["officer"], 600),
            )
            .unwrap(),
            "issuer",
        ),
        (
            mint_hs256(
                SECRET.as_bytes(),
                &claims(ISSUER, "another-api", &["officer"], 600),
            )
            .unwrap(),
            "audience",
        ),
        (
            mint_hs256(
                SECRET.as_bytes(),
                &claims(ISSUER, AUDIENCE, &["mayor"], 600),
            )
            .unwrap(),
            "unknown role",
        ),
        (
            mint_hs256(SECRET.as_bytes(), &claims(ISSUER, AUDIENCE, &[], 600)).unwrap(),
            "at least one role",
        ),
    ];
    for (token, reason) in cases {
        let res = app.get("/api/v1/missions", &token).await;
        let body = res.assert_problem(401, "unauthenticated");
        assert!(
            body["detail"].as_str().unwrap().contains(reason),
            "{reason}: {}",
            body["detail"]
        );
    }

    let mut bad_authority = claims(ISSUER, AUDIENCE, &["officer"], 600);
    bad_authority.authority = "Camden Council".into();
    let token = mint_hs256(SECRET.as_bytes(), &bad_authority).unwrap();
    app.get("/api/v1/missions", &token)
        .await
        .assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = app.token("camden", &["officer"]);
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let res = app
            .send(
                app.request(Method::GET, "/api/v1/missions")
                    .insert_header(("authorization", format!("{scheme} {token}"))),
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{scheme}: {}", res.text);
    }
    let res = app
        .send(
            app.request(Method::GET, "/api/v1/missions")
                .insert_header(("authorization", format!("Bearer{token}"))),
            None,
        )
        .await;
    res.assert_problem(401, "unauthenticated");
}

#[actix_web::test]
async fn a_token_signed_with_another_algorithm_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let pem = std::fs::read("tests/fixtures/rs256-private.pem").unwrap();
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::RS256),
        &claims(ISSUER, AUDIENCE, &["officer"], 600),
        &EncodingKey::from_rsa_pem(&pem).unwrap(),
    )
    .unwrap();
    let body = app
        .get("/api/v1/missions", &token)
        .await
        .assert_problem(401, "unauthenticated")
        .clone();
    assert!(body["detail"].as_str().unwrap().contains("algorithm"));
}

async fn public_key_app(algorithm: PublicKeyAlgorithm, public: &str) -> TestApp {
    let pem = std::fs::read(format!("tests/fixtures/{public}")).unwrap();
    TestApp::spawn_with(Backend::Sqlite, |mut s| {
        s.jwt.keys = KeyConfig::PublicKey { algorithm, pem };
        s
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn production_tokens_verify_with_public_keys() {
    let cases = [
        (PublicKeyAlgorithm::Rs256, Algorithm::RS256, "rs256"),
        (PublicKeyAlgorithm::Es256, Algorithm::ES256, "es256"),
        (PublicKeyAlgorithm::EdDsa, Algorithm::EdDSA, "eddsa"),
    ];
    for (configured, algorithm, name) in cases {
        let app = public_key_app(configured, &format!("{name}-public.pem")).await;
        let private = std::fs::read(format!("tests/fixtures/{name}-private.pem")).unwrap();
        let key = match algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(&private),
            Algorithm::ES256 => EncodingKey::from_ec_pem(&private),
            _ => EncodingKey::from_ed_pem(&private),
        }
        .unwrap();
        let sign = |c: &Claims| jsonwebtoken::encode(&Header::new(algorithm), c, &key).unwrap();

        let ok = app
            .get(
                "/api/v1/missions",
                &sign(&claims(ISSUER, AUDIENCE, &["officer"], 600)),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{name}: {}", ok.text);
        let expired = app
            .get(
                "/api/v1/missions",
                &sign(&claims(ISSUER, AUDIENCE, &["officer"], -3600)),
            )
            .await;
        expired.assert_problem(401, "unauthenticated");
        let wrong_aud = app
            .get(
                "/api/v1/missions",
                &sign(&claims(ISSUER, "elsewhere", &["officer"], 600)),
            )
            .await;
        wrong_aud.assert_problem(401, "unauthenticated");
        // With a public key configured, a shared-secret token is not accepted.
        let hs = app
            .get(
                "/api/v1/missions",
                &token_for("camden", &["officer"], "alice", 600),
            )
            .await;
        hs.assert_problem(401, "unauthenticated");
    }
}

#[actix_web::test]
async fn wrong_role_gets_403() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let officer = app.token("camden", &["officer"]);
    let res = app.get("/api/v1/audit/events", &officer).await;
    let body = res.assert_problem(403, "forbidden");
    assert!(body["detail"].as_str().unwrap().contains("auditor, admin"));
    app.get("/api/v1/audit/verify", &app.token("camden", &["evaluator"]))
        .await
        .assert_problem(403, "forbidden");
}

/// A key that does not parse, or that the configured algorithm cannot use, stops the start with
/// a message naming the variables to fix.
#[test]
fn a_key_the_algorithm_cannot_use_fails_at_start() {
    use mission_procurement::auth::jwt::JwtVerifier;
    let rsa = std::fs::read("tests/fixtures/rs256-public.pem").unwrap();
    for (algorithm, pem) in [
        (PublicKeyAlgorithm::Es256, rsa.clone()),
        (PublicKeyAlgorithm::EdDsa, rsa),
        (PublicKeyAlgorithm::Rs256, b"not a key".to_vec()),
    ] {
        let err = JwtVerifier::new(&KeyConfig::PublicKey { algorithm, pem }, "iss", "aud")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("JWT_PUBLIC_KEY") && err.contains("JWT_ALGORITHM"),
            "{err}"
        );
    }
}
