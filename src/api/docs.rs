//! OpenAPI document: metadata, the bearer scheme, and the error responses operations share.

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::Ref;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::error::{ErrorCode, PROBLEM_JSON, Problem, ProblemFieldError};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "mission-procurement",
        description = "Mission-oriented public procurement: score tenders on price, social value, mission alignment and conditionalities; hold contract terms with their monitoring; audit everything. Errors are RFC 9457 problem+json with a stable `code`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/", description = "This service: every path is absolute from its root")),
    components(schemas(Problem, ProblemFieldError, ErrorCode)),
    tags(
        (name = "missions", description = "An authority's missions and their theory of change"),
        (name = "tenders", description = "Tenders, their lifecycle and evaluation model"),
        (name = "bids", description = "Bids, evaluators' scores and moderation"),
        (name = "evaluation", description = "Scoring, decision support and award"),
        (name = "contracts", description = "Contracts, terms, monitoring returns, compliance and performance notices"),
        (name = "settings", description = "The authority's own policy settings"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "operations", description = "Liveness, readiness and metrics"),
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

pub const BEARER: &str = "bearer";
pub const METRICS_TOKEN: &str = "metrics_token";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with claims `sub`, `authority`, `roles`, `iss`, `aud`, `exp`. For a local service, mint one with `cargo run --release -- token --authority camden --role officer --role auditor` and paste it here (without `Bearer`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            METRICS_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The operator's `METRICS_TOKEN`, not a user's JWT: metrics describe every authority.",
                    ))
                    .build(),
            ),
        );
    }
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build(),
    )
}

fn responses(codes: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    codes
        .iter()
        .map(|(status, description)| (status.to_string(), problem(description)))
        .collect()
}

const UNAUTHENTICATED: (u16, &str) = (401, "No valid bearer token (`unauthenticated`)");
const FORBIDDEN: (u16, &str) = (
    403,
    "The token lacks a role this operation needs (`forbidden`)",
);
const INTERNAL: (u16, &str) = (
    500,
    "Fault inside the service (`internal_error`); quote the request id",
);
const UNAVAILABLE: (u16, &str) = (503, "The database is unavailable (`service_unavailable`)");

/// Errors of a read of a collection.
pub struct ListErrors;

impl IntoResponses for ListErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (
                400,
                "Bad query parameter or cursor (`invalid_query`, `invalid_cursor`)",
            ),
            UNAUTHENTICATED,
            FORBIDDEN,
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of a read of one resource.
pub struct GetErrors;

impl IntoResponses for GetErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (400, "Malformed id (`invalid_path_parameter`)"),
            UNAUTHENTICATED,
            FORBIDDEN,
            (404, "No such resource in your authority (`not_found`)"),
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of a computation over one resource, parameterised by the query (e.g. proposing
/// consequences as of a date).
pub struct ComputeErrors;

impl IntoResponses for ComputeErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (
                400,
                "Malformed id or query (`invalid_path_parameter`, `invalid_query`)",
            ),
            UNAUTHENTICATED,
            FORBIDDEN,
            (404, "No such resource in your authority (`not_found`)"),
            (422, "A rule is broken (`validation_failed`)"),
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of a create (POST with a JSON body).
pub struct CreateErrors;

impl IntoResponses for CreateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (
                400,
                "Malformed JSON, unexpected shape or bad header (`malformed_json`, `invalid_body`, `invalid_header`)",
            ),
            UNAUTHENTICATED,
            FORBIDDEN,
            (408, "The body did not arrive in time (`request_timeout`)"),
            (413, "Body over the size limit (`payload_too_large`)"),
            (415, "Body is not JSON (`unsupported_media_type`)"),
            (
                422,
                "A rule is broken (`validation_failed`), or the Idempotency-Key was used for another request (`idempotency_key_reused`)",
            ),
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of an action on one resource (a POST with a JSON body that changes its status; the
/// status rules, not an `If-Match`, keep two decisions from overwriting each other).
pub struct ActionErrors;

impl IntoResponses for ActionErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (
                400,
                "Malformed JSON, id or shape (`malformed_json`, `invalid_body`, `invalid_path_parameter`)",
            ),
            UNAUTHENTICATED,
            FORBIDDEN,
            (404, "No such resource in your authority (`not_found`)"),
            (408, "The body did not arrive in time (`request_timeout`)"),
            (413, "Body over the size limit (`payload_too_large`)"),
            (415, "Body is not JSON (`unsupported_media_type`)"),
            (422, "A rule is broken (`validation_failed`)"),
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of an update (PATCH with `If-Match`).
pub struct UpdateErrors;

impl IntoResponses for UpdateErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (
                400,
                "Malformed JSON, id, shape or header (`malformed_json`, `invalid_body`, `invalid_path_parameter`, `invalid_header`)",
            ),
            UNAUTHENTICATED,
            FORBIDDEN,
            (404, "No such resource in your authority (`not_found`)"),
            (
                409,
                "Not allowed in the resource's current state (`illegal_transition`, `conflict`)",
            ),
            (
                412,
                "If-Match does not match the current ETag (`precondition_failed`)",
            ),
            (408, "The body did not arrive in time (`request_timeout`)"),
            (413, "Body over the size limit (`payload_too_large`)"),
            (415, "Body is not JSON (`unsupported_media_type`)"),
            (422, "A rule is broken (`validation_failed`)"),
            (428, "If-Match is missing (`precondition_required`)"),
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of a lifecycle action (POST without a body).
pub struct TransitionErrors;

impl IntoResponses for TransitionErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[
            (400, "Malformed id (`invalid_path_parameter`)"),
            UNAUTHENTICATED,
            FORBIDDEN,
            (404, "No such resource in your authority (`not_found`)"),
            (
                409,
                "Not allowed from the current status (`illegal_transition`)",
            ),
            INTERNAL,
            UNAVAILABLE,
        ])
    }
}

/// Errors of an operation that only needs a token.
pub struct AuthErrors;

impl IntoResponses for AuthErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(&[UNAUTHENTICATED, FORBIDDEN, INTERNAL, UNAVAILABLE])
    }
}

/// What the path macros cannot say: the real grammar of the shared headers (so a client, or a
/// fuzzer, sends what the service reads), and that the operational probes need no token.
pub fn refine(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};

    let header = |pattern: &str, min: usize, max: usize| {
        RefOr::T(utoipa::openapi::schema::Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern))
                .min_length(Some(min))
                .max_length(Some(max))
                .build(),
        ))
    };
    let refine_operation = |path: &str, op: &mut Operation| {
        if matches!(path, "/health" | "/ready") {
            op.security = Some(Vec::new());
        }
        for param in op.parameters.iter_mut().flatten() {
            let RefOr::T(param) = param else { continue };
            if param.parameter_in != ParameterIn::Header {
                continue;
            }
            match param.name.as_str() {
                // 1–255 visible ASCII characters (`extract::IdempotencyKey`).
                "Idempotency-Key" => param.schema = Some(header("^[!-~]+$", 1, 255)),
                // `*` or a list of quoted entity tags (RFC 9110 §13.1.1; `extract::IfMatch`).
                "If-Match" => {
                    param.schema = Some(header(
                        r#"^(\*|(W/)?"[!#-~]*"( *, *(W/)?"[!#-~]*")*)$"#,
                        1,
                        1000,
                    ))
                }
                _ => {}
            }
        }
    };
    // Lists the service refuses to hold twice (`parse::tie_break`, `parse::mission_ids`).
    let unique_lists = [
        ("CreateTenderRequest", "tie_break"),
        ("CreateTenderRequest", "mission_ids"),
        ("UpdateTenderRequest", "tie_break"),
        ("UpdateTenderRequest", "mission_ids"),
    ];
    if let Some(components) = api.components.as_mut() {
        for (schema, property) in unique_lists {
            if let Some(RefOr::T(utoipa::openapi::schema::Schema::Object(object))) =
                components.schemas.get_mut(schema)
                && let Some(RefOr::T(utoipa::openapi::schema::Schema::Array(array))) =
                    object.properties.get_mut(property)
            {
                array.unique_items = true;
            }
        }
    }
    require_every_response_field(api);
    for (path, item) in api.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            refine_operation(path, op);
        }
    }
}

/// Every field of a response is always sent (`null` when empty): no wire type skips one. So an
/// object schema that only responses use lists all its properties as required, and a generated
/// client reads `T | null`, not "maybe unset". Schemas that request bodies or parameters use keep
/// their optional fields optional.
fn require_every_response_field(api: &mut utoipa::openapi::OpenApi) {
    use std::collections::BTreeSet;
    use utoipa::openapi::schema::Schema;

    fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v.as_str()) {
                        ("$ref", Some(r)) => found
                            .extend(r.strip_prefix("#/components/schemas/").map(str::to_string)),
                        _ => refs(v, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    let mut pending = Vec::new();
    for item in api.paths.paths.values() {
        for op in [&item.get, &item.post, &item.put, &item.patch, &item.delete]
            .into_iter()
            .flatten()
        {
            if let Ok(body) = serde_json::to_value(&op.request_body) {
                refs(&body, &mut pending);
            }
            if let Ok(params) = serde_json::to_value(&op.parameters) {
                refs(&params, &mut pending);
            }
        }
    }
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let mut in_requests = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if in_requests.insert(name.clone())
            && let Some(schema) = components.schemas.get(&name)
            && let Ok(value) = serde_json::to_value(schema)
        {
            refs(&value, &mut pending);
        }
    }
    for (name, schema) in components.schemas.iter_mut() {
        if in_requests.contains(name) {
            continue;
        }
        if let RefOr::T(Schema::Object(object)) = schema {
            for property in object.properties.keys() {
                if !object.required.contains(property) {
                    object.required.push(property.clone());
                }
            }
        }
    }
}
