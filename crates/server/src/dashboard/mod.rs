//! The dashboard, served by `alphadome serve` itself: server-rendered pages (maud templates
//! compiled into the binary), no JavaScript. Logged in with an account's session cookie
//! (`/auth`); every form carries a CSRF token; a tenant admin sees only his own tenant, and
//! any other tenant's page answers 404.
//!
//! Built so far: login (with the second factor), logout, the platform's tenant list, and a
//! tenant's overview. The rest of the dashboard issue builds on these pieces.

mod layout;

use crate::auth::{clear_session_cookie, cookie_value, session_cookie, session_token};
use crate::{ApiError, AppState};
use alphadome_service::alerts::token_problem;
use alphadome_service::{AccountOut, Principal};
use alphadome_store::ApiKeyScope;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use layout::page;
use maud::{Markup, html};
use serde::Deserialize;
use subtle::ConstantTimeEq;

/// The cookie that carries the login form's CSRF token (before there is a session).
const LOGIN_CSRF_COOKIE: &str = "alphadome_login_csrf";

/// The routes under `/dashboard`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/t/{slug}", get(tenant))
        .route("/t/{slug}/audit", get(audit))
        .route("/t/{slug}/settings", get(settings_form).post(save_settings))
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
}

/// The session's CSRF token: derived from the session secret, so it needs no storage and
/// a page from another site cannot know it.
fn csrf_of(session: &str) -> String {
    alphadome_crypto::hash_api_key(&format!("csrf:{session}"))
}

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

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(who) = visitor(&state, &headers).await? else { return Ok(to_login()) };
    if let ApiKeyScope::Tenant(own) = who.principal.scope {
        return Ok(match state.services.store.tenant_by_id(own).await {
            Ok(t) => Redirect::to(&format!("/dashboard/t/{}", t.slug.as_str())).into_response(),
            Err(_) => not_found(&who),
        });
    }
    let tenants = state.services.tenants().await?;
    let now = chrono::Utc::now();
    let body = html! {
        h1 { "Tenants" }
        table {
            thead { tr { th { "Business" } th { "Status" } th.wide { "WhatsApp number id" } th { "Token" } } }
            tbody {
                @for t in &tenants {
                    tr {
                        td { a href={ "/dashboard/t/" (t.slug.as_str()) } { (t.profile.client_name) } br; small { (t.slug.as_str()) } }
                        td { @if t.profile.is_active { span.badge { "active" } } @else { span.badge.warn { "inactive" } } }
                        td.wide { (t.profile.whatsapp_phone_number_id.as_deref().unwrap_or("—")) }
                        td {
                            @match token_problem(t, now) {
                                Some(problem) => span.badge.warn { (problem.kind().replace('_', " ")) },
                                None => "ok",
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Tenants", who.frame(), body).into_response())
}

async fn tenant(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let (who, tenant) = match tenant_page(&state, &headers, &slug).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let settings = state.services.settings(tenant.id).await?;
    let alerts = state.services.token_alerts(Some(tenant.id)).await?;
    let p = &tenant.profile;
    let body = html! {
        h1 { (p.client_name) }
        @for alert in &alerts {
            div.flash.error { "WhatsApp token: " (alert.problem.kind().replace('_', " ")) }
        }
        table {
            tbody {
                tr { th { "Status" } td { @if p.is_active { "active" } @else { "inactive" } } }
                tr { th { "Bot" } td { @if settings.is_bot_enabled { "answering" } @else { "switched off" } } }
                tr { th { "AI answers" } td { @if settings.enable_ai_responses { "on" } @else { "off" } } }
                tr { th { "WhatsApp number id" } td { (p.whatsapp_phone_number_id.as_deref().unwrap_or("—")) } }
                tr { th { "Webhook" } td { code { "/webhooks/whatsapp/" (tenant.slug.as_str()) } } }
            }
        }
        p {
            a href={ "/dashboard/t/" (tenant.slug.as_str()) "/settings" } { "Switches and limits" }
            " · "
            a href={ "/dashboard/t/" (tenant.slug.as_str()) "/audit" } { "Audit log" }
        }
    };
    Ok(page(&p.client_name, who.frame(), body).into_response())
}

/// The tenant's audit log, newest first: who did what, when.
async fn audit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let (who, tenant) = match tenant_page(&state, &headers, &slug).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let entries = state.services.audit_log(Some(tenant.id), 200).await?;
    let title = format!("Audit log · {}", tenant.profile.client_name);
    let body = html! {
        h1 { (title) }
        table {
            thead { tr { th { "When (UTC)" } th { "What" } th { "Who" } th.wide { "Details" } } }
            tbody {
                @for e in &entries {
                    tr {
                        td { (e.created_at.format("%Y-%m-%d %H:%M")) }
                        td { (e.action) }
                        td { (e.actor) }
                        td.wide { code { (e.detail.0.to_string()) } }
                    }
                }
            }
        }
    };
    Ok(page(&title, who.frame(), body).into_response())
}

/// The tenant a visitor asks for, if he may see it.
async fn own_tenant(state: &AppState, who: &Visitor, slug: &str) -> Option<alphadome_store::Tenant> {
    let tenant = state.services.tenant(slug).await.ok()?;
    who.principal.can_access(tenant.id).then_some(tenant)
}

/// The visitor and the tenant page he asks for; `Err` is the answer instead: the login
/// page when not logged in, 404 for a tenant he may not see.
async fn tenant_page(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
) -> Result<Result<(Visitor, alphadome_store::Tenant), Response>, ApiError> {
    let Some(who) = visitor(state, headers).await? else { return Ok(Err(to_login())) };
    match own_tenant(state, &who, slug).await {
        Some(tenant) => Ok(Ok((who, tenant))),
        None => Ok(Err(not_found(&who))),
    }
}

/// Every switch and limit of `bot_control_settings`, as a form.
fn settings_page(
    who: &Visitor,
    tenant: &alphadome_store::Tenant,
    values: &serde_json::Value,
    flash: Option<Result<&str, &str>>,
) -> Markup {
    let title = format!("Switches and limits · {}", tenant.profile.client_name);
    let body = html! {
        h1 { (title) }
        @match flash {
            Some(Ok(message)) => div.flash.ok role="status" { (message) },
            Some(Err(message)) => div.flash.error role="alert" { (message) },
            None => {},
        }
        form method="post" {
            input type="hidden" name="csrf" value=(who.csrf);
            @for key in alphadome_core::settings::KEYS {
                @let value = &values[*key];
                label for=(key) { (key.replace('_', " ")) }
                @if let Some(on) = value.as_bool() {
                    select id=(key) name=(key) {
                        option value="true" selected[on] { "on" }
                        option value="false" selected[!on] { "off" }
                    }
                } @else {
                    input id=(key) name=(key) value=(value.as_str().map_or_else(|| if value.is_null() { String::new() } else { value.to_string() }, str::to_owned));
                }
            }
            p { button type="submit" { "Save" } }
        }
    };
    page(&title, who.frame(), body)
}

async fn settings_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let (who, tenant) = match tenant_page(&state, &headers, &slug).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let values = serde_json::to_value(state.services.settings(tenant.id).await?).unwrap_or_default();
    Ok(settings_page(&who, &tenant, &values, None).into_response())
}

/// Saves every field at once; a bad value changes nothing and says which field and why.
async fn save_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let (who, tenant) = match tenant_page(&state, &headers, &slug).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
    if !same(csrf, &who.csrf) {
        return Ok((StatusCode::FORBIDDEN, "the form expired; reload the page").into_response());
    }
    let pairs: Vec<(String, String)> =
        fields.into_iter().filter(|(k, _)| alphadome_core::settings::KEYS.contains(&k.as_str())).collect();
    let outcome = state.services.set_settings(tenant.id, &pairs, &who.principal.actor).await;
    let current = serde_json::to_value(state.services.settings(tenant.id).await?).unwrap_or_default();
    Ok(match outcome {
        Ok(_) => settings_page(&who, &tenant, &current, Some(Ok("Saved."))).into_response(),
        Err(alphadome_service::ServiceError::Invalid(e)) => {
            let message = format!("Nothing was saved: {e}");
            (StatusCode::UNPROCESSABLE_ENTITY, settings_page(&who, &tenant, &current, Some(Err(&message))))
                .into_response()
        }
        Err(e) => return Err(e.into()),
    })
}

/// The login form's fields (no `Debug`: it holds a password).
#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    code: String,
    csrf: String,
}

fn login_page(csrf: &str, error: Option<&str>) -> Markup {
    let body = html! {
        h1 { "Log in" }
        @if let Some(error) = error { div.flash.error role="alert" { (error) } }
        form method="post" action="/dashboard/login" {
            input type="hidden" name="csrf" value=(csrf);
            label for="email" { "Email" }
            input id="email" name="email" type="email" autocomplete="username" required;
            label for="password" { "Password" }
            input id="password" name="password" type="password" autocomplete="current-password" required;
            label for="code" { "Authenticator code (if you set one up)" }
            input id="code" name="code" inputmode="numeric" autocomplete="one-time-code";
            p { button type="submit" { "Log in" } }
        }
    };
    page("Log in", None, body)
}

async fn login_form() -> Response {
    let csrf = alphadome_crypto::random_token::<24>();
    let mut response = login_page(&csrf, None).into_response();
    let cookie =
        format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=3600");
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII"));
    response
}

async fn login(
    State(state): State<AppState>,
    axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiError> {
    let expected = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same(&expected, &form.csrf) {
        let body = login_page(&form.csrf, Some("The form expired; please try again."));
        return Ok((StatusCode::FORBIDDEN, body).into_response());
    }
    let code = Some(form.code.trim()).filter(|c| !c.is_empty());
    let password = alphadome_crypto::SecretString::from(form.password);
    match state.services.login(&form.email, password, code, &peer.ip().to_string()).await {
        Ok(session) => {
            let mut response = Redirect::to("/dashboard").into_response();
            let secure = crate::auth::secure(&state, &headers);
            response.headers_mut().insert(header::SET_COOKIE, session_cookie(&session, secure));
            Ok(response)
        }
        Err(alphadome_service::ServiceError::Forbidden(why)) => {
            Ok((StatusCode::UNAUTHORIZED, login_page(&form.csrf, Some(why))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The logout form (its CSRF token).
#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    let Some(token) = session_token(&headers) else { return Ok(to_login()) };
    if !same(&csrf_of(&token), &form.csrf) {
        return Ok((StatusCode::FORBIDDEN, "the form expired; reload the page").into_response());
    }
    state.services.logout(&token).await?;
    let mut response = to_login();
    response.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}
