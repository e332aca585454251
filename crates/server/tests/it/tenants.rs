use crate::{TestApp, code};
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

const CANARY: &str = "EAAGcanaryTOKEN0123456789wxyz";

backend_test!(provisioning_masks_secrets_and_normalises_phones, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let body = json!({
        "slug": "kassangas", "client_name": "Kassangas Music Shop", "client_phone": "0702 245 555",
        "whatsapp_phone_number_id": "106540352242922",
        "secrets": { "whatsapp_access_token": CANARY, "ai_api_key": "sk-canary-ai-key-9876" }
    });
    let (status, created) = app.platform(Method::POST, "/api/v1/tenants", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let tenant = &created["tenant"];
    assert_eq!(tenant["client_phone"], "254702245555");
    assert_eq!(tenant["whatsapp_access_token"], "…wxyz");
    assert_eq!(tenant["ai_api_key"], "…9876");
    let token = created["webhook_verify_token"].as_str().unwrap();
    assert!(token.len() >= 32, "a strong verify token is generated");
    assert!(!created.to_string().contains(CANARY));

    let (status, shown) = app.platform(Method::GET, "/api/v1/tenants/kassangas", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!shown.to_string().contains(CANARY));
    assert!(!shown.to_string().contains(token), "the verify token is masked after creation");

    // The token really is stored sealed, and opens for this tenant.
    let stored = app.services.tenant("kassangas").await.unwrap();
    let sealed = stored.secrets.whatsapp_access_token.unwrap();
    assert!(!sealed.as_str().contains(CANARY));
    let opened =
        app.services.keyring().open(&sealed, &stored.id.to_string(), "whatsapp_access_token").unwrap();
    assert_eq!(alphadome_crypto::ExposeSecret::expose_secret(&opened), CANARY);

    // The settings row and default template come with it.
    let (_, settings) = app.platform(Method::GET, "/api/v1/tenants/kassangas/settings", None).await;
    assert_eq!(settings["is_bot_enabled"], true);
    let (_, templates) = app.platform(Method::GET, "/api/v1/tenants/kassangas/templates", None).await;
    assert_eq!(templates[0]["is_default"], true);
});

backend_test!(bad_input_gets_a_clear_error_and_changes_nothing, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("first", "111").await;
    let post = |body| app.platform(Method::POST, "/api/v1/tenants", Some(body));
    let (status, body) = post(json!({ "slug": "first", "client_name": "Again" })).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "conflict"));
    assert!(body["error"]["message"].as_str().unwrap().contains("slug"));
    let (status, body) =
        post(json!({ "slug": "other", "client_name": "X", "whatsapp_phone_number_id": "111" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["error"]["message"].as_str().unwrap().contains("whatsapp_phone_number_id"));
    let (status, body) = post(json!({ "slug": "other", "client_name": "X", "client_phone": "12" })).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    assert!(body["error"]["message"].as_str().unwrap().starts_with("client_phone"));
    let (status, _) = post(json!({ "slug": "../etc", "client_name": "X" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = post(json!({ "slug": "other", "client_name": "X", "surprise": 1 })).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "bad_request"));
    // A secret sent where it does not belong is not echoed back.
    let (status, body) = post(json!({ "slug": "other", "client_name": "X", "secrets": CANARY })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(!body.to_string().contains(CANARY), "{body}");

    let raw = |content_type: &'static str, body: &'static [u8]| {
        app.client
            .post(format!("{}/api/v1/tenants", app.base))
            .bearer_auth(&app.platform_key)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_eq!(raw("application/json", b"{\"slug\": ").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw("application/json", b"\xff\xfe{}").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw("text/plain", b"{}").await.unwrap().status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (_, list) = app.platform(Method::GET, "/api/v1/tenants", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing was created by the bad requests");
});

backend_test!(tenants_are_updated_activated_and_deleted, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let (status, t) = app
        .platform(Method::PATCH, "/api/v1/tenants/shop", Some(json!({ "client_email": "owner@shop.co.ke" })))
        .await;
    assert_eq!((status, t["client_email"].as_str()), (StatusCode::OK, Some("owner@shop.co.ke")));
    let (status, _) =
        app.platform(Method::PATCH, "/api/v1/tenants/shop", Some(json!({ "slug": "renamed" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, t) = app.platform(Method::POST, "/api/v1/tenants/shop/activate", None).await;
    assert_eq!(t["is_active"], true);
    let (_, t) = app.platform(Method::POST, "/api/v1/tenants/shop/deactivate", None).await;
    assert_eq!(t["is_active"], false);
    assert_eq!(app.platform(Method::DELETE, "/api/v1/tenants/shop", None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.platform(Method::GET, "/api/v1/tenants/shop", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.platform(Method::DELETE, "/api/v1/tenants/shop", None).await.0, StatusCode::NOT_FOUND);
});

backend_test!(the_audit_log_shows_who_did_what_to_the_right_admins, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    app.create_tenant("other", "2").await;
    app.platform(Method::PATCH, "/api/v1/tenants/shop/settings", Some(json!({ "max_messages_per_hour": 5 })))
        .await;
    let (status, all) = app.platform(Method::GET, "/api/v1/audit?limit=10", None).await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = all.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"tenant.create") && actions.contains(&"settings.update"), "{actions:?}");
    assert!(all[0]["actor"].as_str().unwrap().starts_with("api-key:"));

    let key = app.tenant_key("shop").await;
    let (status, own) = app.call(&key, Method::GET, "/api/v1/tenants/shop/audit", None).await;
    assert_eq!(status, StatusCode::OK);
    let tenants: std::collections::HashSet<&str> =
        own.as_array().unwrap().iter().map(|e| e["bot_tenant_id"].as_str().unwrap()).collect();
    assert_eq!(tenants.len(), 1, "only the shop's own entries");
    assert_eq!(app.call(&key, Method::GET, "/api/v1/audit", None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call(&key, Method::GET, "/api/v1/tenants/other/audit", None).await.0,
        StatusCode::NOT_FOUND
    );
});
