use crate::TestApp;
use alphadome_crypto::SecretString;
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

const PASSWORD: &str = "a long and honest passphrase";

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/auth/login", app.base))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn me(app: &TestApp, cookie: &str) -> (StatusCode, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{}/auth/me", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

backend_test!(admins_log_in_with_a_session_cookie_and_out_again, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let shop = app.services.tenant("shop").await.unwrap();
    app.services
        .create_account("Root@Example.com", SecretString::from(PASSWORD), None, "test")
        .await
        .unwrap();
    app.services
        .create_account("gideon@shop.co.ke", SecretString::from(PASSWORD), Some(shop.id), "test")
        .await
        .unwrap();
    let short = app.services.create_account("x@y.z", SecretString::from("short"), None, "test").await;
    assert!(short.is_err(), "passwords have at least 12 characters");

    let response = login(&app, "root@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("alphadome_session=ads_")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
    );
    assert!(cookie.contains("Max-Age=") && !cookie.contains("Secure"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let (status, account) = me(&app, &session).await;
    assert_eq!((status, account["role"].as_str()), (StatusCode::OK, Some("platform_admin")));

    let response = login(&app, "gideon@shop.co.ke", PASSWORD).await;
    let tenant_session =
        response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (_, account) = me(&app, &tenant_session).await;
    assert_eq!(
        (account["role"].as_str(), account["tenant_id"].as_str()),
        (Some("tenant_admin"), Some(shop.id.to_string().as_str()))
    );

    // Logout ends the session on the server, not only in the browser.
    let out = reqwest::Client::new()
        .post(format!("{}/auth/logout", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(me(&app, &session).await.0, StatusCode::UNAUTHORIZED);

    // Behind TLS the cookie is Secure.
    let secure = reqwest::Client::new()
        .post(format!("{}/auth/login", app.base))
        .header("x-forwarded-proto", "https")
        .json(&json!({ "email": "root@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(secure.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
});

backend_test!(failed_logins_lock_the_account_and_are_audited, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.services
        .create_account("root@example.com", SecretString::from(PASSWORD), None, "test")
        .await
        .unwrap();
    assert_eq!(login(&app, "nobody@example.com", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..5 {
        let response = login(&app, "root@example.com", "not the password at all").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().get("set-cookie").is_none());
    }
    // Locked now, even with the right password.
    let locked = login(&app, "root@example.com", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::UNAUTHORIZED);
    assert!(locked.text().await.unwrap().contains("locked"));
    let (_, audit) = app.platform(Method::GET, "/api/v1/audit?limit=50", None).await;
    let actions: Vec<&str> =
        audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"account.login_failed") && actions.contains(&"account.login_locked"),
        "{actions:?}"
    );
    assert!(!audit.to_string().contains(PASSWORD) && !audit.to_string().contains("not the password"));
});

backend_test!(a_second_factor_guards_the_login_once_confirmed, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.services
        .create_account("root@example.com", SecretString::from(PASSWORD), None, "test")
        .await
        .unwrap();
    let response = login(&app, "root@example.com", PASSWORD).await;
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let post = |path: &str, body: serde_json::Value| {
        reqwest::Client::new()
            .post(format!("{}{path}", app.base))
            .header("cookie", &session)
            .json(&body)
            .send()
    };
    let setup: serde_json::Value = post("/auth/totp/setup", json!({})).await.unwrap().json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap();
    assert!(
        setup["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Alphadome:root%40example.com?secret=")
    );
    let recovery: Vec<String> =
        setup["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.len(), 10);
    // Not required until confirmed.
    assert_eq!(login(&app, "root@example.com", PASSWORD).await.status(), StatusCode::OK);

    let app_code = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap()
        .generate_current()
        .to_string();
    assert_eq!(
        post("/auth/totp/confirm", json!({ "code": "000000x" })).await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post("/auth/totp/confirm", json!({ "code": app_code })).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );

    let with_code = |code: Option<&str>| {
        let mut body = json!({ "email": "root@example.com", "password": PASSWORD });
        if let Some(code) = code {
            body["code"] = json!(code);
        }
        reqwest::Client::new().post(format!("{}/auth/login", app.base)).json(&body).send()
    };
    let missing = with_code(None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert!(missing.text().await.unwrap().contains("authenticator"));
    assert_eq!(
        with_code(Some(&app_code)).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "a code works once"
    );
    assert_eq!(with_code(Some(&recovery[0])).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        with_code(Some(&recovery[0])).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "recovery codes too"
    );
    assert_eq!(with_code(Some(&recovery[1].to_uppercase())).await.unwrap().status(), StatusCode::OK);
});
