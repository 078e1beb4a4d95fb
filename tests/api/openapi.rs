//! The committed OpenAPI document is the generated one, and every operation is documented
//! the way clients rely on.

use awc::http::{Method, StatusCode};

use crate::helpers::{Backend, TestApp};

const COMMITTED: &str = "openapi/openapi.json";

fn generated() -> serde_json::Value {
    serde_json::to_value(mission_procurement::api::openapi()).unwrap()
}

#[test]
fn committed_spec_matches_the_generated_one() {
    let generated = mission_procurement::api::openapi()
        .to_pretty_json()
        .unwrap()
        + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all("openapi").unwrap();
        std::fs::write(COMMITTED, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} is out of date with the code. Regenerate it with\n\n    UPDATE_OPENAPI=1 cargo test --test api openapi\n\n(or `cargo run -- openapi > {COMMITTED}`) and commit the result."
    );
}

/// Two Rust types under one component name make the document describe one of them in the
/// other's place (a mission's outcomes documented as an assessment outcome, once).
#[test]
fn each_component_name_has_one_schema() {
    let mut by_name: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (name, schema) in mission_procurement::api::schemas_by_use() {
        let schema = serde_json::to_string(&schema).unwrap();
        let seen = by_name.entry(name).or_default();
        if !seen.contains(&schema) {
            seen.push(schema);
        }
    }
    let clashes: Vec<_> = by_name
        .iter()
        .filter(|(_, schemas)| schemas.len() > 1)
        .map(|(name, schemas)| format!("{name}:\n    {}", schemas.join("\n    ")))
        .collect();
    assert!(
        clashes.is_empty(),
        "component names used by more than one type:\n{}",
        clashes.join("\n")
    );
}

/// A response always carries every field (`null` when empty), so a client generated from the
/// spec never has to guess whether one is there; request bodies keep optional fields optional.
#[test]
fn response_fields_are_required_and_request_fields_optional_where_they_are() {
    let spec = generated();
    let required = |schema: &str| -> Vec<String> {
        spec["components"]["schemas"][schema]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    assert!(required("MissionIndicator").contains(&"baseline".to_string()));
    assert!(required("ObservationResponse").contains(&"superseded_by".to_string()));
    assert!(required("Problem").contains(&"request_id".to_string()));
    assert!(!required("Criterion").contains(&"minimum_percent".to_string()));
    assert!(!required("CreateMissionRequest").contains(&"status".to_string()));
}

#[test]
fn every_component_is_used() {
    let spec = crate::helpers::spec();
    assert_eq!(spec.unused_components(), Vec::<String>::new());
}

#[test]
fn every_operation_is_fully_documented() {
    let spec = generated();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut operation_ids = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no operationId"));
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}: operationId {id} is not snake_case"
            );
            operation_ids.push(id.to_string());
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: no tag"
            );
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{name} {status}: no description"
                );
            }
            if path.starts_with("/api/") {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearer": []}]),
                    "{name}: no bearer security"
                );
                for status in ["401", "403", "500"] {
                    let problem = &responses[status]["content"]["application/problem+json"];
                    assert!(
                        problem.is_object(),
                        "{name}: {status} not documented as problem+json"
                    );
                }
            }
        }
    }
    let count = operation_ids.len();
    operation_ids.sort();
    operation_ids.dedup();
    assert_eq!(operation_ids.len(), count, "operation ids are unique");
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
}

#[actix_web::test]
async fn the_spec_and_the_docs_page_are_served() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let res = app
        .send(app.request(Method::GET, "/openapi.json"), None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, generated());
    let docs = app.send(app.request(Method::GET, "/docs/"), None).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(
        docs.text.contains("swagger"),
        "the interactive page is served"
    );
    let redirect = app.send(app.request(Method::GET, "/docs"), None).await;
    assert!(redirect.status.is_redirection());
}

/// The schema states the same draws limit the service enforces (`limits::MAX_DRAWS`).
#[test]
fn the_draws_limit_is_the_one_enforced() {
    let spec = serde_json::to_value(mission_procurement::api::openapi()).unwrap();
    let draws = spec["paths"]["/api/v1/tenders/{id}/sensitivity"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "draws")
        .unwrap()
        .clone();
    assert_eq!(
        draws["schema"]["maximum"].as_u64(),
        Some(u64::from(mission_procurement::limits::MAX_DRAWS))
    );
}
