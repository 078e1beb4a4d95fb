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
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

use crate::error::{AppError, ErrorCode};

/// Every documented route. Registering through utoipa-actix-web is what puts an operation in
/// the OpenAPI document, so the document cannot drift from the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(health::ready).service(
        scope("/api/v1")
            .service(missions::create_mission)
            .service(missions::list_missions)
            .service(missions::get_mission)
            .service(missions::update_mission)
            .service(tenders::create_tender)
            .service(tenders::list_tenders)
            .service(tenders::get_tender)
            .service(tenders::update_tender)
            .service(tenders::open_tender)
            .service(tenders::close_tender)
            .service(tenders::cancel_tender)
            .service(tenders::get_criteria)
            .service(tenders::put_criteria)
            .service(bids::create_bid)
            .service(bids::list_bids)
            .service(bids::get_bid)
            .service(bids::update_bid)
            .service(bids::submit_score)
            .service(bids::list_scores)
            .service(bids::moderate_score)
            .service(evaluation::evaluate_tender)
            .service(evaluation::what_if)
            .service(evaluation::sensitivity)
            .service(evaluation::lint_tender)
            .service(evaluation::freeze_evaluation)
            .service(evaluation::list_evaluations)
            .service(evaluation::get_evaluation)
            .service(evaluation::verify_evaluation)
            .service(evaluation::award_tender)
            .service(evaluation::get_award)
            .service(evaluation::list_assessment_summaries)
            .service(evaluation::get_assessment_summary)
            .service(contracts::create_contract)
            .service(contracts::list_contracts)
            .service(contracts::get_contract)
            .service(contracts::update_contract)
            .service(contracts::create_term)
            .service(contracts::list_terms)
            .service(contracts::get_term)
            .service(contracts::update_term)
            .service(contracts::lint_contract)
            .service(contracts::submit_observations)
            .service(contracts::list_observations)
            .service(contracts::verify_observation)
            .service(contracts::dispute_observation)
            .service(contracts::contract_compliance)
            .service(contracts::propose_consequences)
            .service(contracts::list_consequences)
            .service(contracts::apply_consequence)
            .service(contracts::waive_consequence)
            .service(contracts::create_performance_notice)
            .service(contracts::list_performance_notices)
            .service(settings::get_settings)
            .service(settings::put_settings)
            .service(audit::list_audit_events)
            .service(audit::verify_audit_trail),
    );
}

/// The OpenAPI document of this build (what `/openapi.json` serves and
/// `openapi/openapi.json` holds).
pub fn openapi() -> utoipa::openapi::OpenApi {
    App::new()
        .into_utoipa_app()
        .openapi(docs::ApiDoc::openapi())
        .configure(configure)
        .split_for_parts()
        .1
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
