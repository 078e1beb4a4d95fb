//! HTTP: thin handlers (extract → parse into domain values → service in `web::block` →
//! response), the OpenAPI document they generate, and the fallback for unknown routes.

pub mod audit;
pub mod bids;
pub mod contracts;
pub mod docs;
pub mod evaluation;
pub mod extract;
pub mod health;
pub mod missions;
pub mod pagination;
pub mod request_id;
pub mod respond;
pub mod settings;
pub mod tenders;
pub mod wire;

/// The description of the `Idempotency-Key` header on every create.
pub const IDEMPOTENCY_KEY_DOC: &str = "Makes a retry safe: the same key with the same request returns the first response (with `Idempotent-Replayed: true`); with a different request it is refused (422). Keys are per authority.";

use actix_web::dev::ResourceDef;
use actix_web::http::header;
use actix_web::{App, HttpRequest, HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use crate::error::{AppError, ErrorCode};

/// Every operation under `/api/v1`, listed once: registering through utoipa-actix-web is what
/// puts an operation in the OpenAPI document, so the document cannot drift from the routes, and
/// the same list lets a test see each operation's schemas before they are merged by name.
macro_rules! operations {
    ($($handler:path),+ $(,)?) => {
        /// Every documented route.
        pub fn configure(cfg: &mut ServiceConfig) {
            cfg.service(health::health)
                .service(health::ready)
                .service(health::metrics)
                .service(scope("/api/v1")$(.service($handler))+);
        }

        /// The schemas each operation (and the document's own components) names, one entry per
        /// use, before the document merges them into `components` by name.
        pub fn schemas_by_use() -> Vec<(String, RefOr<Schema>)> {
            let mut schemas = Vec::new();
            if let Some(components) = docs::ApiDoc::openapi().components {
                schemas.extend(components.schemas);
            }
            utoipa_actix_web::OpenApiFactory::schemas(&health::health, &mut schemas);
            utoipa_actix_web::OpenApiFactory::schemas(&health::ready, &mut schemas);
            utoipa_actix_web::OpenApiFactory::schemas(&health::metrics, &mut schemas);
            $(utoipa_actix_web::OpenApiFactory::schemas(&$handler, &mut schemas);)+
            schemas
        }
    };
}

operations!(
    missions::create_mission,
    missions::list_missions,
    missions::get_mission,
    missions::update_mission,
    tenders::create_tender,
    tenders::list_tenders,
    tenders::get_tender,
    tenders::update_tender,
    tenders::open_tender,
    tenders::close_tender,
    tenders::cancel_tender,
    tenders::get_criteria,
    tenders::put_criteria,
    bids::create_bid,
    bids::list_bids,
    bids::get_bid,
    bids::update_bid,
    bids::submit_score,
    bids::list_scores,
    bids::moderate_score,
    evaluation::evaluate_tender,
    evaluation::what_if,
    evaluation::sensitivity,
    evaluation::lint_tender,
    evaluation::freeze_evaluation,
    evaluation::list_evaluations,
    evaluation::get_evaluation,
    evaluation::verify_evaluation,
    evaluation::award_tender,
    evaluation::get_award,
    evaluation::list_assessment_summaries,
    evaluation::get_assessment_summary,
    contracts::create_contract,
    contracts::list_contracts,
    contracts::get_contract,
    contracts::update_contract,
    contracts::create_term,
    contracts::list_terms,
    contracts::get_term,
    contracts::update_term,
    contracts::lint_contract,
    contracts::submit_observations,
    contracts::list_observations,
    contracts::verify_observation,
    contracts::dispute_observation,
    contracts::contract_compliance,
    contracts::propose_consequences,
    contracts::list_consequences,
    contracts::apply_consequence,
    contracts::waive_consequence,
    contracts::create_performance_notice,
    contracts::list_performance_notices,
    settings::get_settings,
    settings::put_settings,
    audit::list_audit_events,
    audit::verify_audit_trail,
);

/// The OpenAPI document of this build (what `/openapi.json` serves and
/// `openapi/openapi.json` holds).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = App::new()
        .into_utoipa_app()
        .openapi(docs::ApiDoc::openapi())
        .configure(configure)
        .split_for_parts()
        .1;
    docs::refine(&mut api);
    api
}

/// The documented paths with their methods, to tell "no such route" (404) from "no such
/// method on this route" (405), which actix does not distinguish by itself.
pub struct RouteTable(Vec<(ResourceDef, Vec<&'static str>)>);

impl RouteTable {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> Self {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    fn allowed(&self, path: &str) -> Option<&[&'static str]> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.as_slice())
    }
}

/// Answers every request no route took.
pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.allowed(req.path()) {
        Some(methods) => {
            let allow = methods.join(", ");
            let mut response = actix_web::ResponseError::error_response(&AppError::client(
                ErrorCode::MethodNotAllowed,
                format!(
                    "{} is not allowed on {}; allowed: {allow}",
                    req.method(),
                    req.path()
                ),
            ));
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
        None => actix_web::ResponseError::error_response(&AppError::client(
            ErrorCode::RouteNotFound,
            format!("there is no route {}; see /docs for the API", req.path()),
        )),
    }
}
