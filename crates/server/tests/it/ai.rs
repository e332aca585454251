use crate::TestApp;
use alphadome_testkit::{AiScript, FakeAi, FakeGraph, TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A tenant whose AI model is the fake, with its own key, persona and one FAQ.
async fn ai_tenant(app: &TestApp, ai: &FakeAi, slug: &str, number: &str, marker: &str) {
    let body = json!({ "slug": slug, "client_name": format!("{marker} shop"), "is_active": true,
        "whatsapp_phone_number_id": number, "ai_provider": "custom", "ai_model": "llama3",
        "ai_base_url": ai.base_url,
        "secrets": { "whatsapp_access_token": format!("EAAG{marker}TOKEN"), "ai_api_key": format!("sk-{marker}-key") } });
    assert_eq!(app.platform(Method::POST, "/api/v1/tenants", Some(body)).await.0, StatusCode::CREATED);
    let base = format!("/api/v1/tenants/{slug}");
    let persona = json!({ "system_prompt": format!("You are the {marker} assistant."), "tone": "friendly",
        "max_response_length": 60, "is_default": true });
    assert_eq!(
        app.platform(Method::PUT, &format!("{base}/templates/default"), Some(persona)).await.0,
        StatusCode::OK
    );
    let faq = json!({ "data_type": "faq", "question": format!("Do you sell {marker} things?"),
        "answer": format!("Yes, {marker} things are in stock.") });
    app.platform(Method::POST, &format!("{base}/training"), Some(faq)).await;
    app.platform(Method::PATCH, &format!("{base}/settings"), Some(json!({ "enable_ai_responses": true })))
        .await;
}

async fn ask(app: &TestApp, slug: &str, message: &str) -> serde_json::Value {
    let path = format!("/api/v1/tenants/{slug}/simulate");
    app.platform(Method::POST, &path, Some(json!({ "message": message }))).await.1
}

backend_test!(ai_answers_what_the_faq_cannot_with_only_the_tenants_own_data, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let ai = FakeAi::start().await;
    ai_tenant(&app, &ai, "music", "1001", "GUITARX").await;
    ai_tenant(&app, &ai, "chemist", "1002", "PHARMAY").await;

    // The FAQ still answers first; the model is asked only what it cannot answer.
    assert_eq!(ask(&app, "music", "do you sell GUITARX things?").await["source"], "faq");
    assert!(ai.requests().is_empty());
    ai.next(AiScript::Answer("We tune guitars. Bring yours in any weekday. We also restring them.".into()));
    let answer = ask(&app, "music", "can you tune my guitar?").await;
    assert_eq!((answer["source"].as_str(), answer["template_used"].as_str()), (Some("ai"), Some("default")));
    // Cut to the persona's 60 characters, at a sentence.
    assert_eq!(answer["reply"], "We tune guitars. Bring yours in any weekday.");
    // Entries close to the question ground the answer.
    ask(&app, "chemist", "which PHARMAY brands do you sell?").await;

    let requests = ai.requests();
    assert_eq!(requests.len(), 2);
    let (music, chemist) = (&requests[0], &requests[1]);
    assert_eq!(music.authorization, "Bearer sk-GUITARX-key");
    assert_eq!(chemist.authorization, "Bearer sk-PHARMAY-key");
    assert_eq!(music.body["model"], "llama3");
    let (music, chemist) = (music.prompt_text(), chemist.prompt_text());
    assert!(music.contains("You are the GUITARX assistant.") && music.contains("Tone: friendly."));
    assert!(
        chemist.contains("You are the PHARMAY assistant.") && chemist.contains("PHARMAY things are in stock")
    );
    assert!(!music.contains("PHARMAY") && !chemist.contains("GUITARX"), "no tenant sees another's data");

    // Failures and refusals fall back to the honest answer.
    ai.next(AiScript::Fail(503));
    assert_eq!(ask(&app, "music", "can you fix a violin?").await["source"], "fallback");
    ai.next(AiScript::Refuse);
    assert_eq!(ask(&app, "music", "can you fix a cello?").await["source"], "fallback");

    // The monthly budget stops AI calls.
    app.platform(
        Method::PATCH,
        "/api/v1/tenants/music/settings",
        Some(json!({ "ai_monthly_token_budget": 1 })),
    )
    .await;
    let before = ai.requests().len();
    assert_eq!(ask(&app, "music", "can you fix a harp?").await["source"], "fallback");
    assert_eq!(ai.requests().len(), before, "no call once the budget is spent");
});

backend_test!(the_model_remembers_this_customer_and_no_one_else, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let ai = FakeAi::start().await;
    let graph = FakeGraph::start().await;
    ai_tenant(&app, &ai, "music", "1001", "GUITARX").await;
    let say = |wamid: &'static str, from: &'static str, text: &'static str| {
        let body = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{ "field": "messages",
            "value": { "metadata": { "phone_number_id": "1001" },
                "messages": [{ "from": from, "id": wamid, "timestamp": chrono::Utc::now().timestamp().to_string(),
                               "type": "text", "text": { "body": text } }] } }] }] })
        .to_string();
        let app = &app;
        async move { assert_eq!(app.deliver_signed(body.as_bytes()).await, StatusCode::OK) }
    };
    let worker = crate::replies::worker(&app, &graph);
    say("wamid.A1", "254700000001", "my name is Wanjiru, can you tune guitars?").await;
    worker.run_until_empty().await.unwrap();
    say("wamid.B1", "254700000002", "secret plans of Otieno: can you tune drums?").await;
    worker.run_until_empty().await.unwrap();
    say("wamid.A2", "254700000001", "and how long does tuning take?").await;
    worker.run_until_empty().await.unwrap();

    let requests = ai.requests();
    assert_eq!(requests.len(), 3);
    let third = requests[2].prompt_text();
    assert!(
        third.contains("my name is Wanjiru") && third.contains("AI answer to: my name is Wanjiru"),
        "{third}"
    );
    assert!(!third.contains("Otieno"), "another customer's conversation never reaches the prompt");
    assert_eq!(graph.texts().len(), 3);
});
