//! The dashboard, served by `alphadome serve` itself: server-rendered pages (maud templates
//! compiled into the binary), styles inlined, and one small script (loading a CSV file into
//! the import form). Logged in with an account's session cookie (`/auth`); every form
//! carries a CSRF token; a tenant admin sees only his own tenant, and any other tenant's page
//! answers 404.
//!
//! - `login`: log in (with the second factor), log out.
//! - `platform`: the platform admin's tenant list, health, new tenant, (de)activation.
//! - `overview`, `credentials`, `persona`, `knowledge`, `settings`, `conversations`,
//!   `review`, `chat`, `keys`, `audit`: one module per page of a tenant.

mod audit;
mod chart;
mod chat;
mod conversations;
mod credentials;
mod keys;
mod knowledge;
mod layout;
mod login;
mod overview;
mod persona;
mod platform;
mod review;
mod settings;

use crate::auth::session_token;
use crate::{ApiError, AppState};
use alphadome_core::ValidationError;
use alphadome_service::{AccountOut, Principal, ServiceError};
use alphadome_store::Tenant;
use axum::Router;
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use layout::page;
use maud::{Markup, html};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// The routes under `/dashboard`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(platform::home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/tenants/new", get(platform::new_tenant_form).post(platform::create_tenant))
        .route("/t/{slug}", get(overview::page))
        .route("/t/{slug}/active", post(platform::set_active))
        .route("/t/{slug}/credentials", get(credentials::page).post(credentials::save))
        .route("/t/{slug}/credentials/test", post(credentials::test_connection))
        .route("/t/{slug}/persona", get(persona::page).post(persona::save))
        .route("/t/{slug}/knowledge", get(knowledge::page).post(knowledge::add))
        .route("/t/{slug}/knowledge/export.csv", get(knowledge::export))
        .route("/t/{slug}/knowledge/import", get(knowledge::import_form).post(knowledge::import))
        .route("/t/{slug}/knowledge/{id}", get(knowledge::edit_form).post(knowledge::change))
        .route("/t/{slug}/settings", get(settings::page).post(settings::save))
        .route("/t/{slug}/conversations", get(conversations::list))
        .route("/t/{slug}/conversations/{customer}", get(conversations::thread))
        .route("/t/{slug}/conversations/{customer}/release", post(conversations::release))
        .route("/t/{slug}/review", get(review::page))
        .route("/t/{slug}/review/{id}", post(review::decide))
        .route("/t/{slug}/chat", get(chat::page).post(chat::ask))
        .route("/t/{slug}/keys", get(keys::page).post(keys::create))
        .route("/t/{slug}/keys/{id}/revoke", post(keys::revoke))
        .route("/t/{slug}/audit", get(audit::page))
}

/// A logged-in person, with the CSRF token of their session.
struct Visitor {
    account: AccountOut,
    principal: Principal,
    csrf: String,
}

impl Visitor {
    fn frame(&self) -> Option<(&AccountOut, &str)> {
        Some((&self.account, &self.csrf))
    }

    /// The actor named in the audit log.
    fn actor(&self) -> &str {
        &self.principal.actor
    }
}

/// The session's CSRF token: derived from the session secret, so it needs no storage and
/// a page from another site cannot know it.
fn csrf_of(session: &str) -> String {
    alphadome_crypto::hash_api_key(&format!("csrf:{session}"))
}

/// Compares two tokens in constant time.
fn same(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

async fn visitor(state: &AppState, headers: &HeaderMap) -> Result<Option<Visitor>, ApiError> {
    let Some(token) = session_token(headers) else { return Ok(None) };
    Ok(state.services.session(&token).await?.map(|(account, principal)| Visitor {
        account,
        principal,
        csrf: csrf_of(&token),
    }))
}

fn to_login() -> Response {
    Redirect::to("/dashboard/login").into_response()
}

fn not_found(who: &Visitor) -> Response {
    let body = html! { h1 { "Not found" } p { "There is no such page." } };
    (StatusCode::NOT_FOUND, page("Not found", who.frame(), body)).into_response()
}

/// The answer to a form whose CSRF token is missing or wrong: nothing was changed.
fn expired_form() -> Response {
    (StatusCode::FORBIDDEN, "The form expired; reload the page and try again. Nothing was changed.")
        .into_response()
}

/// A submitted form's fields, in order.
struct Fields(Vec<(String, String)>);

impl Fields {
    /// The value of `name`, or "" when absent.
    fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The trimmed value of `name`, when present and not blank.
    fn filled(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim()).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// A date field (`YYYY-MM-DD`, as `<input type=date>` sends it) as the end of that day,
    /// UTC; `None` when blank.
    fn end_of_day(&self, name: &'static str) -> Result<Option<DateTime<Utc>>, ValidationError> {
        let Some(day) = self.filled(name) else { return Ok(None) };
        let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|_| ValidationError::new(name, "is not a date"))?;
        Ok(day.and_hms_opt(23, 59, 59).map(|at| at.and_utc()))
    }

    /// Whether a checkbox named `name` was ticked.
    fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// A tenant page the visitor may see: the session's account and the tenant named by the
/// path's `{slug}`. Rejected with the login page when not logged in, and with 404 for a tenant
/// he may not see (exactly as for one that does not exist).
struct TenantPage {
    who: Visitor,
    tenant: Tenant,
}

impl FromRequestParts<AppState> for TenantPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let slug = params.get("slug").map_or("", String::as_str);
        let who = signed_in(state, &parts.headers).await?;
        match state.services.tenant(slug).await {
            Ok(tenant) if who.principal.can_access(tenant.id) => Ok(Self { who, tenant }),
            _ => Err(not_found(&who)),
        }
    }
}

/// A form posted to a tenant page: [`TenantPage`], then the fields, once their CSRF token
/// checks out (a missing or wrong one is refused with 403 and changes nothing).
struct TenantForm {
    who: Visitor,
    tenant: Tenant,
    fields: Fields,
}

impl FromRequest<AppState> for TenantForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let TenantPage { who, tenant } = TenantPage::from_request_parts(&mut parts, state).await?;
        let fields = checked_fields(Request::from_parts(parts, body), state, &who).await?;
        Ok(Self { who, tenant, fields })
    }
}

/// A form posted to a platform page: the visitor, who must be platform staff, and the fields
/// once their CSRF token checks out. Rejected like a [`TenantForm`]: the login page when not
/// logged in, 403 for a missing or wrong token, 404 for anyone but platform staff.
struct PlatformForm {
    who: Visitor,
    fields: Fields,
}

impl FromRequest<AppState> for PlatformForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let who = signed_in(state, &parts.headers).await?;
        let fields = checked_fields(Request::from_parts(parts, body), state, &who).await?;
        if !who.principal.is_platform() {
            return Err(not_found(&who));
        }
        Ok(Self { who, fields })
    }
}

/// The logged-in visitor, or the login page to answer with.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Visitor, Response> {
    match visitor(state, headers).await {
        Ok(Some(who)) => Ok(who),
        Ok(None) => Err(to_login()),
        Err(e) => Err(e.into_response()),
    }
}

/// A posted form's fields, once its CSRF token is the visitor's; otherwise 403, and nothing
/// is changed.
async fn checked_fields(request: Request, state: &AppState, who: &Visitor) -> Result<Fields, Response> {
    let Form(fields) = Form::<Vec<(String, String)>>::from_request(request, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let fields = Fields(fields);
    if !same(fields.get("csrf"), &who.csrf) {
        return Err(expired_form());
    }
    Ok(fields)
}

/// The message to show for an error the visitor can fix (bad input, a name taken, a missing
/// entry); `None` for the rest, which are answered as server errors.
fn user_error(e: &ServiceError) -> Option<String> {
    match e {
        ServiceError::Invalid(_)
        | ServiceError::Import(_)
        | ServiceError::Conflict { .. }
        | ServiceError::NotFound(_)
        | ServiceError::Forbidden(_) => Some(e.to_string()),
        ServiceError::Unavailable(_) | ServiceError::Internal(_) => None,
    }
}

/// The outcome of a write, shown at the top of the page it returns to.
enum Flash {
    Ok(String),
    Error(String),
}

impl Flash {
    /// A success or, for an error the visitor can fix, what went wrong; other errors are
    /// passed on.
    fn of<T>(outcome: Result<T, ServiceError>, done: impl FnOnce(T) -> String) -> Result<Self, ApiError> {
        match outcome {
            Ok(value) => Ok(Self::Ok(done(value))),
            Err(e) => match user_error(&e) {
                Some(message) => Ok(Self::Error(format!("Nothing was changed: {message}"))),
                None => Err(e.into()),
            },
        }
    }

    /// What went wrong, for an error the visitor can fix; other errors are passed on.
    fn refused(e: ServiceError) -> Result<Self, ApiError> {
        Self::of::<()>(Err(e), |()| String::new())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Ok(_) => StatusCode::OK,
            Self::Error(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    fn render(&self) -> Markup {
        match self {
            Self::Ok(message) => html! { div.flash.ok role="status" { (message) } },
            Self::Error(message) => html! { div.flash.error role="alert" { (message) } },
        }
    }
}

/// `markup` with the status its flash calls for (422 after a refused write).
fn answer(flash: Option<&Flash>, markup: Markup) -> Response {
    (flash.map_or(StatusCode::OK, Flash::status), markup).into_response()
}
