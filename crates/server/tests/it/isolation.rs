use crate::{TestApp, code};
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

backend_test!(a_tenant_key_reaches_only_its_own_tenant, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("alpha", "1").await;
    app.create_tenant("beta", "2").await;
    let (_, entry) = app
        .platform(
            Method::POST,
            "/api/v1/tenants/beta/training",
            Some(json!({ "data_type": "faq", "question": "q?", "answer": "beta's secret answer" })),
        )
        .await;
    let beta_entry = entry["id"].as_str().unwrap().to_owned();
    let key = app.tenant_key("alpha").await;

    let (_, list) = app.call(&key, Method::GET, "/api/v1/tenants", None).await;
    let slugs: Vec<&str> = list.as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["alpha"]);

    // Every tenant route, aimed at beta with alpha's key, answers 404 (or 403 for
    // platform-only actions) and never leaks beta's data.
    for route in alphadome_server::api::routes() {
        if !route.path.contains("{slug}") {
            continue;
        }
        let path = format!("/api/v1{}", route.path)
            .replace("{slug}", "beta")
            .replace("{name}", "default")
            .replace("{id}", &beta_entry);
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = app.call(&key, method.clone(), &path, Some(json!({}))).await;
        let expected = if route.platform_only { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND };
        assert_eq!(status, expected, "{method} {path}: {body}");
        assert!(!body.to_string().contains("beta's secret answer"));
    }
    // Beta's entry is untouched, and alpha cannot reach it through its own slug either.
    let path = format!("/api/v1/tenants/alpha/training/{beta_entry}");
    let (status, body) = app.call(&key, Method::GET, &path, None).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, _) =
        app.platform(Method::GET, &format!("/api/v1/tenants/beta/training/{beta_entry}"), None).await;
    assert_eq!(status, StatusCode::OK);

    // Alpha's key works on alpha, but may not switch alpha on or create tenants.
    assert_eq!(app.call(&key, Method::GET, "/api/v1/tenants/alpha", None).await.0, StatusCode::OK);
    let (status, _) =
        app.call(&key, Method::PATCH, "/api/v1/tenants/alpha", Some(json!({ "is_active": true }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(&key, Method::POST, "/api/v1/tenants", Some(json!({ "slug": "x1", "client_name": "x" })))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
});
