use crate::{TestApp, code};
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_test!(settings_change_all_or_nothing, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let path = "/api/v1/tenants/shop/settings";
    let (status, s) = app
        .platform(
            Method::PATCH,
            path,
            Some(json!({ "enable_ai_responses": true, "max_messages_per_hour": 250 })),
        )
        .await;
    assert_eq!(
        (status, s["enable_ai_responses"].as_bool(), s["max_messages_per_hour"].as_i64()),
        (StatusCode::OK, Some(true), Some(250))
    );
    let (status, body) = app
        .platform(Method::PATCH, path, Some(json!({ "is_bot_enabled": false, "max_messages_per_hour": -5 })))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    let (_, s) = app.platform(Method::GET, path, None).await;
    assert_eq!((s["is_bot_enabled"].as_bool(), s["max_messages_per_hour"].as_i64()), (Some(true), Some(250)));
    let (status, _) = app.platform(Method::PATCH, path, Some(json!({ "no_such_switch": true }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});

backend_test!(templates_keep_exactly_one_default, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let base = "/api/v1/tenants/shop/templates";
    let body = json!({ "system_prompt": "Help with repairs.", "tone": "professional", "is_default": true });
    let (status, t) = app.platform(Method::PUT, &format!("{base}/support"), Some(body)).await;
    assert_eq!((status, t["is_default"].as_bool()), (StatusCode::OK, Some(true)));
    let (_, all) = app.platform(Method::GET, base, None).await;
    let defaults: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["is_default"] == true)
        .map(|t| t["template_name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["support"]);
    let (status, body) = app.platform(Method::DELETE, &format!("{base}/support"), None).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "conflict"));
    let (status, _) =
        app.platform(Method::PUT, &format!("{base}/support"), Some(json!({ "is_default": false }))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.platform(Method::PUT, &format!("{base}/Bad%20Name"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.platform(Method::DELETE, &format!("{base}/default"), None).await.0,
        StatusCode::NO_CONTENT
    );
});
