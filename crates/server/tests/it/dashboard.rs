use crate::TestApp;
use alphadome_crypto::SecretString;
use alphadome_testkit::{TestDb, backend_test};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

const PASSWORD: &str = "a long and honest passphrase";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `name=value` part of a `Set-Cookie` header.
fn cookie(response: &reqwest::Response) -> String {
    response.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// Logs in through the form; returns the session cookie.
async fn log_in(app: &TestApp, email: &str) -> String {
    let client = no_redirects();
    let form = client.get(format!("{}/dashboard/login", app.base)).send().await.unwrap();
    let login_csrf = cookie(&form);
    let page = form.text().await.unwrap();
    assert!(page.contains("name=\"viewport\"") && page.contains("autocomplete=\"current-password\""));
    let csrf = login_csrf.split_once('=').unwrap().1.to_owned();
    let response = client
        .post(format!("{}/dashboard/login", app.base))
        .header(COOKIE, &login_csrf)
        .form(&[("email", email), ("password", PASSWORD), ("code", ""), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    cookie(&response)
}

async fn get(app: &TestApp, path: &str, session: &str) -> (StatusCode, String, Option<String>) {
    let response =
        no_redirects().get(format!("{}{path}", app.base)).header(COOKIE, session).send().await.unwrap();
    let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
    (response.status(), response.text().await.unwrap(), location)
}

backend_test!(the_dashboard_logs_in_and_shows_each_admin_only_his_tenants, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    app.create_tenant("other", "2").await;
    let shop = app.services.tenant("shop").await.unwrap();
    app.services.create_account("root@example.com", SecretString::from(PASSWORD), None, "t").await.unwrap();
    app.services
        .create_account("gideon@shop.co.ke", SecretString::from(PASSWORD), Some(shop.id), "t")
        .await
        .unwrap();

    // Not logged in: to the login page.
    let (status, _, location) = get(&app, "/dashboard", "").await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/dashboard/login")));

    // A login form without its CSRF cookie, or with a wrong password, changes nothing.
    let forged = no_redirects()
        .post(format!("{}/dashboard/login", app.base))
        .form(&[("email", "root@example.com"), ("password", PASSWORD), ("csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get(SET_COOKIE).is_none());

    let platform = log_in(&app, "root@example.com").await;
    let (status, page, _) = get(&app, "/dashboard", &platform).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("shop shop") && page.contains("other shop") && page.contains("root@example.com"));

    // A tenant admin lands on his own tenant and cannot reach another's page.
    let gideon = log_in(&app, "gideon@shop.co.ke").await;
    let (status, _, location) = get(&app, "/dashboard", &gideon).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/dashboard/t/shop")));
    let (status, page, _) = get(&app, "/dashboard/t/shop", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Messages per hour") && page.contains("<svg"));
    let (status, page, _) = get(&app, "/dashboard/t/shop/credentials", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/webhooks/whatsapp/shop"));
    let (status, page, _) = get(&app, "/dashboard/t/other", &gideon).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("other shop"));
    assert_eq!(get(&app, "/dashboard/t/nonexistent", &gideon).await.0, StatusCode::NOT_FOUND);
    // His own audit log shows his login (escaped, never a secret); another tenant's is 404.
    let (status, page, _) = get(&app, "/dashboard/t/shop/audit", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("account.login") && page.contains("account:gideon@shop.co.ke"));
    assert!(!page.contains(PASSWORD));
    assert_eq!(get(&app, "/dashboard/t/other/audit", &gideon).await.0, StatusCode::NOT_FOUND);

    // Switches and limits: saved all at once, or, on a bad value, nothing at all.
    let (status, page, _) = get(&app, "/dashboard/t/shop/settings", &gideon).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"max_messages_per_hour\"") && page.contains("name=\"is_bot_enabled\""));
    let page_csrf =
        page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let save = |fields: Vec<(&'static str, String)>| {
        no_redirects()
            .post(format!("{}/dashboard/t/shop/settings", app.base))
            .header(COOKIE, &gideon)
            .form(&fields)
            .send()
    };
    let bad = save(vec![
        ("csrf", page_csrf.clone()),
        ("is_bot_enabled", "false".into()),
        ("max_messages_per_hour", "-5".into()),
    ])
    .await
    .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Nothing was changed"));
    assert!(app.services.settings(shop.id).await.unwrap().is_bot_enabled, "unchanged");
    let good = save(vec![
        ("csrf", page_csrf.clone()),
        ("is_bot_enabled", "false".into()),
        ("max_messages_per_hour", "250".into()),
    ])
    .await
    .unwrap();
    assert_eq!(good.status(), StatusCode::OK);
    assert!(good.text().await.unwrap().contains("Saved."));
    let saved = app.services.settings(shop.id).await.unwrap();
    assert_eq!((saved.is_bot_enabled, saved.max_messages_per_hour), (false, 250));
    let forged = save(vec![("csrf", "forged".into()), ("is_bot_enabled", "true".into())]).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(!app.services.settings(shop.id).await.unwrap().is_bot_enabled);
    assert_eq!(get(&app, "/dashboard/t/other/settings", &gideon).await.0, StatusCode::NOT_FOUND);

    // Logging out needs the page's CSRF token, and ends the session.
    let logout = |csrf: &str| {
        no_redirects()
            .post(format!("{}/dashboard/logout", app.base))
            .header(COOKIE, &gideon)
            .form(&[("csrf", csrf)])
            .send()
    };
    assert_eq!(logout("forged").await.unwrap().status(), StatusCode::FORBIDDEN);
    let (_, page, _) = get(&app, "/dashboard/t/shop", &gideon).await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert_eq!(logout(&csrf).await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(get(&app, "/dashboard/t/shop", &gideon).await.2.as_deref(), Some("/dashboard/login"));
});
