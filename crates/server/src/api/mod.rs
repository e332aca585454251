//! The admin API under `/api/v1`. Routes are declared once, in [`routes`]: the router and
//! the OpenAPI document are both built from that table, so they cannot disagree.

mod alerts;
mod audit;
mod extract;
mod handoffs;
mod openapi;
mod settings;
mod simulate;
mod templates;
mod tenants;
mod training;

pub use extract::{ApiJson, Caller};

use crate::AppState;
use axum::Router;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

/// One documented route.
pub struct Route {
    /// HTTP method, lowercase as OpenAPI writes it.
    pub method: &'static str,
    /// Path under `/api/v1`, with `{param}` placeholders.
    pub path: &'static str,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// Whether only platform keys may call it.
    pub platform_only: bool,
    /// The schema of the JSON request body, if any.
    pub body: Option<&'static str>,
    handler: MethodRouter<AppState>,
}

fn route(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    handler: MethodRouter<AppState>,
) -> Route {
    Route { method, path, summary, platform_only: false, body: None, handler }
}

fn platform(mut r: Route) -> Route {
    r.platform_only = true;
    r
}

impl Route {
    fn body(mut self, schema: &'static str) -> Self {
        self.body = Some(schema);
        self
    }
}

/// Every API route.
pub fn routes() -> Vec<Route> {
    const T: &str = "/tenants/{slug}";
    vec![
        route("get", "/tenants", "List the tenants the key can see", get(tenants::list)),
        platform(
            route(
                "post",
                "/tenants",
                "Provision a tenant (settings row and default template included)",
                post(tenants::create),
            )
            .body("TenantFields"),
        ),
        route("get", T, "Show a tenant (secrets masked)", get(tenants::show)),
        route("patch", T, "Change a tenant's fields or credentials", patch(tenants::update))
            .body("TenantFields"),
        platform(route("delete", T, "Delete a tenant and all its data", delete(tenants::remove))),
        platform(route("post", "/tenants/{slug}/activate", "Switch a tenant on", post(tenants::activate))),
        platform(route(
            "post",
            "/tenants/{slug}/deactivate",
            "Switch a tenant off",
            post(tenants::deactivate),
        )),
        route("get", "/tenants/{slug}/settings", "Show switches and limits", get(settings::show)),
        route("patch", "/tenants/{slug}/settings", "Change switches and limits", patch(settings::update))
            .body("ControlSettings"),
        route("get", "/tenants/{slug}/templates", "List templates", get(templates::list)),
        route("get", "/tenants/{slug}/templates/{name}", "Show a template", get(templates::show)),
        route("put", "/tenants/{slug}/templates/{name}", "Create or change a template", put(templates::save))
            .body("TemplateFields"),
        route(
            "delete",
            "/tenants/{slug}/templates/{name}",
            "Delete a template (not the default)",
            delete(templates::remove),
        ),
        route("get", "/tenants/{slug}/training", "List or search training data", get(training::list)),
        route("post", "/tenants/{slug}/training", "Add a training entry", post(training::add))
            .body("TrainingFields"),
        route(
            "get",
            "/tenants/{slug}/training/export",
            "Export training data as CSV or JSON",
            get(training::export),
        ),
        route(
            "post",
            "/tenants/{slug}/training/import",
            "Import CSV or JSON training data, all-or-nothing",
            post(training::import),
        ),
        route("get", "/tenants/{slug}/training/{id}", "Show a training entry", get(training::show)),
        route("patch", "/tenants/{slug}/training/{id}", "Change a training entry", patch(training::update))
            .body("TrainingFields"),
        route("delete", "/tenants/{slug}/training/{id}", "Delete a training entry", delete(training::remove)),
        route(
            "post",
            "/tenants/{slug}/simulate",
            "What the bot would answer to a message (nothing is sent or recorded)",
            post(simulate::simulate),
        )
        .body("SimulateIn"),
        route(
            "get",
            "/tenants/{slug}/handoffs",
            "Conversations a person has taken over from the bot",
            get(handoffs::list),
        ),
        route(
            "delete",
            "/tenants/{slug}/handoffs/{customer}",
            "Give a customer's conversation back to the bot",
            delete(handoffs::remove),
        ),
        route("get", "/tenants/{slug}/audit", "The tenant's audit log, newest first", get(audit::tenant)),
        platform(route("get", "/audit", "Every tenant's and the platform's audit log", get(audit::platform))),
        route(
            "get",
            "/tenants/{slug}/alerts",
            "The tenant's WhatsApp token alerts (expiring within 14 days, or rejected)",
            get(alerts::tenant),
        ),
        platform(route("get", "/alerts", "Every tenant's WhatsApp token alerts", get(alerts::platform))),
        route("get", "/openapi.json", "This document", get(openapi::serve)),
    ]
}

/// The `/api/v1` router.
pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, r| router.route(r.path, r.handler))
        .layer(axum::extract::DefaultBodyLimit::max(training::MAX_BODY))
}
