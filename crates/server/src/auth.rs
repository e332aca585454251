//! `/auth`: logging in with email and password, for the dashboard. A login sets the session
//! cookie (`HttpOnly`, `SameSite=Lax`, `Secure` when served over https, expiring with the
//! session); logout ends the session on the server and clears the cookie.

use crate::{ApiError, AppState};
use alphadome_crypto::{ExposeSecret, SecretString};
use alphadome_service::{AccountOut, Session, TotpSetup};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;

/// The session cookie's name.
pub const COOKIE: &str = "alphadome_session";

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/totp/setup", post(totp_setup))
        .route("/totp/confirm", post(totp_confirm))
}

/// The login form (no `Debug`: the password must never be printed).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    email: String,
    password: String,
    /// The authenticator app's code (or a recovery code), when the account has one.
    #[serde(default)]
    code: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    crate::api::ApiJson(credentials): crate::api::ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    let address = peer.ip().to_string();
    let password = SecretString::from(credentials.password);
    let session = state
        .services
        .login(&credentials.email, password, credentials.code.as_deref(), &address)
        .await
        .map_err(|e| match e {
            alphadome_service::ServiceError::Forbidden(why) => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", why)
            }
            e => e.into(),
        })?;
    let cookie = session_cookie(&session, secure(&state, &headers));
    let mut response = Json(&session.account).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&headers) {
        state.services.logout(&token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}

async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<AccountOut>, ApiError> {
    Ok(Json(logged_in(&state, &headers).await?))
}

/// The account of the request's session, or 401.
async fn logged_in(state: &AppState, headers: &HeaderMap) -> Result<AccountOut, ApiError> {
    let unauthorized =
        || ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "not logged in, or the session ended");
    let token = session_token(headers).ok_or_else(unauthorized)?;
    let (account, _) = state.services.session(&token).await?.ok_or_else(unauthorized)?;
    Ok(account)
}

/// Starts setting up the second factor: the secret, its `otpauth://` URI and ten recovery
/// codes, shown once. Logins need it after `/auth/totp/confirm`.
async fn totp_setup(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<TotpSetup>, ApiError> {
    let account = logged_in(&state, &headers).await?;
    Ok(Json(state.services.setup_totp(account.id).await?))
}

/// The first code from the app.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    code: String,
}

/// Turns the second factor on once a first code checks out.
async fn totp_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    crate::api::ApiJson(body): crate::api::ApiJson<Code>,
) -> Result<StatusCode, ApiError> {
    let account = logged_in(&state, &headers).await?;
    state.services.confirm_totp(account.id, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The session cookie's value, if the request carries one.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, COOKIE)
}

/// The value of the request's cookie `name`, if it carries one.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

/// Whether cookies should be `Secure`: the public address is https, or a proxy says the
/// request came over https.
pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies || headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https")
}

/// The `Set-Cookie` value that removes the session cookie from the browser.
pub(crate) fn clear_session_cookie() -> HeaderValue {
    HeaderValue::from_str(&format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")).expect("ASCII")
}

/// The `Set-Cookie` value that starts `session`.
pub(crate) fn session_cookie(session: &Session, secure: bool) -> HeaderValue {
    let max_age = (session.expires_at - chrono::Utc::now()).num_seconds().max(0);
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        session.token.expose_secret()
    );
    HeaderValue::from_str(&cookie).expect("the token and attributes are ASCII")
}
