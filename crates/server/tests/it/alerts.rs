use crate::TestApp;
use alphadome_service::graph::GraphClient;
use alphadome_testkit::{FakeGraph, TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn tenant(app: &TestApp, slug: &str, number: &str, expires_in_days: i64) {
    let expires = (chrono::Utc::now() + chrono::Duration::days(expires_in_days)).to_rfc3339();
    let body = json!({ "slug": slug, "client_name": slug, "is_active": true, "whatsapp_phone_number_id": number,
        "whatsapp_token_expires_at": expires, "secrets": { "whatsapp_access_token": format!("EAAG{slug}TOKEN") } });
    assert_eq!(app.platform(Method::POST, "/api/v1/tenants", Some(body)).await.0, StatusCode::CREATED);
}

backend_test!(an_expiring_token_raises_one_alert_a_day_everywhere, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    tenant(&app, "shop", "1001", 5).await;
    tenant(&app, "calm", "1002", 60).await;
    tenant(&app, "alphadome", "1999", 365).await;
    let settings = json!({ "escalation_phone": "0702245555" });
    app.platform(Method::PATCH, "/api/v1/tenants/shop/settings", Some(settings)).await;

    // Visible through the API: the platform sees every alert, a tenant its own.
    let (status, alerts) = app.platform(Method::GET, "/api/v1/alerts", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(
        (alerts[0]["slug"].as_str(), alerts[0]["kind"].as_str()),
        (Some("shop"), Some("token_expiring"))
    );
    let calm = app.tenant_key("calm").await;
    let (_, own) = app.call(&calm, Method::GET, "/api/v1/tenants/calm/alerts", None).await;
    assert_eq!(own, json!([]));

    // Exported as a metric.
    let metrics = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("alphadome_whatsapp_token_alerts{kind=\"token_expiring\"} 1"), "{metrics}");

    // Raised once a day: logged, audited, and sent from the platform's own number.
    let platform = app.services.tenant("alphadome").await.unwrap();
    let client = GraphClient::new(&graph.url, "v23.0");
    assert_eq!(app.services.raise_token_alerts(Some((&platform, &client))).await.unwrap(), 1);
    assert_eq!(app.services.raise_token_alerts(Some((&platform, &client))).await.unwrap(), 0);
    let texts = graph.texts();
    assert_eq!(texts.len(), 1);
    assert_eq!(
        (texts[0].phone_number_id.as_str(), texts[0].body["to"].as_str()),
        ("1999", Some("254702245555"))
    );
    assert_eq!(texts[0].authorization, "Bearer EAAGalphadomeTOKEN");
    assert!(texts[0].body["text"]["body"].as_str().unwrap().contains("shop"));
    let (_, audit) = app.platform(Method::GET, "/api/v1/tenants/shop/audit", None).await;
    assert!(audit.as_array().unwrap().iter().any(|e| e["action"] == "alert.token_expiring"));
});
