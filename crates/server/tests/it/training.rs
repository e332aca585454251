use crate::{TestApp, code, read};
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

const CSV: &str = "data_type,question,answer,category,priority,is_active\n\
    faq,When are you open?,Mon-Sat 9am-6pm,Hours,10,true\n\
    faq,Do you sell drums?,\"Yes, acoustic and electronic.\",Products,5,true\n\
    canned_reply,greeting,Karibu!,,0,true\n";

async fn import(
    app: &TestApp,
    query: &str,
    content_type: &str,
    body: &str,
) -> (StatusCode, serde_json::Value) {
    let response = app
        .client
        .post(format!("{}/api/v1/tenants/shop/training/import{query}", app.base))
        .bearer_auth(&app.platform_key)
        .header("content-type", content_type.to_owned())
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    read(response).await
}

async fn export(app: &TestApp, format: &str) -> String {
    let (status, body) = app
        .platform(Method::GET, &format!("/api/v1/tenants/shop/training/export?format={format}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    match body {
        serde_json::Value::String(text) => text,
        other => serde_json::to_string_pretty(&other).unwrap() + "\n",
    }
}

backend_test!(training_entries_are_managed_and_searched, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let base = "/api/v1/tenants/shop/training";
    let (status, e) = app
        .platform(
            Method::POST,
            base,
            Some(json!({ "data_type": "faq", "question": "Open on Sunday?", "answer": "No." })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = e["id"].as_str().unwrap();
    let (status, body) = app
        .platform(Method::POST, base, Some(json!({ "data_type": "faqs", "question": "q", "answer": "a" })))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid"));
    let (_, found) = app.platform(Method::GET, &format!("{base}?q=sunday"), None).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    let (status, e) = app
        .platform(Method::PATCH, &format!("{base}/{id}"), Some(json!({ "answer": "Closed on Sundays." })))
        .await;
    assert_eq!((status, e["answer"].as_str()), (StatusCode::OK, Some("Closed on Sundays.")));
    assert_eq!(e["question"], "Open on Sunday?");
    assert_eq!(app.platform(Method::GET, &format!("{base}/not-a-uuid"), None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.platform(Method::DELETE, &format!("{base}/{id}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.platform(Method::GET, &format!("{base}/{id}"), None).await.0, StatusCode::NOT_FOUND);
});

backend_test!(imports_are_all_or_nothing_and_exports_round_trip, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", "1").await;
    let (status, body) = import(&app, "", "text/csv", CSV).await;
    assert_eq!((status, body["imported"].as_u64()), (StatusCode::OK, Some(3)), "{body}");
    let csv = export(&app, "csv").await;
    assert_eq!(csv, CSV);

    // A bad third data line rejects the file, names the line, and changes nothing.
    let bad = format!("{CSV}faq,Broken row,,Hours,1,true\n");
    let (status, body) = import(&app, "?replace=true", "text/csv", &bad).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_import"));
    assert!(body["error"]["message"].as_str().unwrap().starts_with("line 5"), "{body}");
    assert_eq!(export(&app, "csv").await, CSV);

    // JSON exports import back to the same data, replacing what was there.
    let json_export = export(&app, "json").await;
    let (status, _) = import(&app, "?replace=true", "application/json", &json_export).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export(&app, "csv").await, CSV);
    let (status, body) = import(&app, "", "application/json", "{\"not\": \"an array\"}").await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_import"));
});
