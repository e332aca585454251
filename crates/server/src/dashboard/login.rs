//! Logging in (email, password, and the authenticator code when set up) and out.

use super::layout::page;
use super::{expired_form, same, to_login};
use crate::auth::{clear_session_cookie, cookie_value, session_cookie, session_token};
use crate::{ApiError, AppState};
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::net::SocketAddr;

/// The cookie that carries the login form's CSRF token (before there is a session).
const LOGIN_CSRF_COOKIE: &str = "alphadome_login_csrf";

/// The login form's fields (no `Debug`: it holds a password).
#[derive(Deserialize)]
pub(super) struct LoginForm {
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

pub(super) async fn form() -> Response {
    let csrf = alphadome_crypto::random_token::<24>();
    let mut response = login_page(&csrf, None).into_response();
    let cookie =
        format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=3600");
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII"));
    response
}

pub(super) async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
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
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, ApiError> {
    let Some(token) = session_token(&headers) else { return Ok(to_login()) };
    if !same(&super::csrf_of(&token), &form.csrf) {
        return Ok(expired_form());
    }
    state.services.logout(&token).await?;
    let mut response = to_login();
    response.headers_mut().insert(header::SET_COOKIE, clear_session_cookie());
    Ok(response)
}
