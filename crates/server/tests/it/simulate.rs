use crate::TestApp;
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn faq(app: &TestApp, slug: &str, question: &str, answer: &str) {
    let body = json!({ "data_type": "faq", "question": question, "answer": answer });
    let (status, _) =
        app.platform(Method::POST, &format!("/api/v1/tenants/{slug}/training"), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn ask(app: &TestApp, slug: &str, message: &str) -> serde_json::Value {
    let path = format!("/api/v1/tenants/{slug}/simulate");
    let (status, answer) = app.platform(Method::POST, &path, Some(json!({ "message": message }))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

backend_test!(the_bot_answers_from_its_own_tenant_and_says_why, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("music", "1").await;
    app.create_tenant("chemist", "2").await;
    for slug in ["music", "chemist"] {
        app.platform(Method::POST, &format!("/api/v1/tenants/{slug}/activate"), None).await;
    }
    faq(&app, "music", "How much does a guitar cost?", "Guitars start at KSh 8,000.").await;
    faq(&app, "chemist", "Do you sell paracetamol?", "Yes, paracetamol is in stock.").await;

    let answer = ask(&app, "music", "niaje, hw much is a gitaa?").await;
    assert_eq!(
        (answer["reply"].as_str(), answer["source"].as_str()),
        (Some("Guitars start at KSh 8,000."), Some("faq"))
    );
    assert_eq!(answer["matched_question"], "How much does a guitar cost?");
    assert!(answer["score"].as_f64().unwrap() >= alphadome_retrieval::THRESHOLD);

    // The chemist's question, asked of the music shop, is not answered with anything.
    let answer = ask(&app, "music", "do you sell paracetamol?").await;
    assert_eq!(answer["source"], "fallback");
    assert!(!answer["reply"].as_str().unwrap().contains("paracetamol"));
    // A greeting gets a greeting; a change to the training applies to the next message.
    assert_eq!(ask(&app, "chemist", "habari").await["source"], "canned_reply");
    faq(&app, "chemist", "Are you open on Sunday?", "Yes, 10am to 4pm on Sundays.").await;
    assert_eq!(ask(&app, "chemist", "mko open jumapili?").await["reply"], "Yes, 10am to 4pm on Sundays.");

    // A switched-off bot stays silent, and says so.
    app.platform(Method::PATCH, "/api/v1/tenants/music/settings", Some(json!({ "is_bot_enabled": false })))
        .await;
    let answer = ask(&app, "music", "hw much is a guitar").await;
    assert_eq!((answer["reply"].is_null(), answer["source"].as_str()), (true, Some("disabled")));

    let (status, _) =
        app.platform(Method::POST, "/api/v1/tenants/music/simulate", Some(json!({ "message": "  " }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
});
