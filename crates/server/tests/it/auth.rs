use crate::{TestApp, code, read};
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};

backend_test!(health_readiness_and_metrics_answer, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    let (status, body) = read(get("/readyz").await.unwrap()).await;
    assert_eq!((status, body["database"].as_str()), (StatusCode::OK, Some("ok")));
    app.platform(Method::GET, "/api/v1/tenants", None).await;
    let (_, metrics) = read(get("/metrics").await.unwrap()).await;
    let metrics = metrics.as_str().unwrap();
    assert!(
        metrics.contains(
            "alphadome_http_requests_total{method=\"GET\",route=\"/api/v1/tenants\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    let (status, body) = read(get("/nope").await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "route_not_found"));

    // Without a database the service is alive but not ready, and says so quickly.
    app.services.store.close().await;
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
    let (status, body) = read(get("/readyz").await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::SERVICE_UNAVAILABLE, "not_ready"));
    let (status, body) = app.platform(Method::GET, "/api/v1/tenants", None).await;
    assert_eq!((status, code(&body)), (StatusCode::SERVICE_UNAVAILABLE, "unavailable"));
});

backend_test!(requests_without_a_valid_key_are_refused, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let url = format!("{}/api/v1/tenants", app.base);
    let (status, body) = read(app.client.get(&url).send().await.unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    let (status, _) = app.call("adk_not-a-real-key", Method::GET, "/api/v1/tenants", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // X-API-Key works as well as a bearer token.
    let response = app.client.get(&url).header("X-API-Key", &app.platform_key).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // A revoked key stops working at once.
    let created = app.services.create_api_key(None, "temp", None, "t").await.unwrap();
    assert_eq!(app.call(&created.key, Method::GET, "/api/v1/tenants", None).await.0, StatusCode::OK);
    app.services.revoke_api_key(alphadome_core::ApiKeyId(created.id), "t").await.unwrap();
    assert_eq!(
        app.call(&created.key, Method::GET, "/api/v1/tenants", None).await.0,
        StatusCode::UNAUTHORIZED
    );
});

// Every route in the OpenAPI document exists on the server.
backend_test!(the_openapi_document_matches_the_routes, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let (status, doc) = app.platform(Method::GET, "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(
        paths.values().map(|p| p.as_object().unwrap().len()).sum::<usize>(),
        alphadome_server::api::routes().len()
    );
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let concrete = path
                .replace("{slug}", "shop")
                .replace("{name}", "default")
                .replace("{id}", "00000000-0000-0000-0000-000000000000");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = app.platform(method.clone(), &concrete, Some(serde_json::json!({}))).await;
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(code(&body), "route_not_found", "{method} {path}");
        }
    }
    for schema in ["TenantFields", "SecretFields", "TrainingFields", "TenantOut", "Error"] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema} missing");
    }
});
