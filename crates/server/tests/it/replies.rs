use crate::TestApp;
use alphadome_service::graph::GraphClient;
use alphadome_service::worker::{RetryPolicy, Worker};
use alphadome_testkit::{FakeGraph, TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

pub const NUMBER: &str = "106540352242922";
pub const TOKEN: &str = "EAAGtenantTOKEN0123456789";

pub async fn shop(app: &TestApp) {
    let body = json!({ "slug": "shop", "client_name": "Kassangas", "whatsapp_phone_number_id": NUMBER,
        "is_active": true, "secrets": { "whatsapp_access_token": TOKEN } });
    assert_eq!(app.platform(Method::POST, "/api/v1/tenants", Some(body)).await.0, StatusCode::CREATED);
    let faq =
        json!({ "data_type": "faq", "question": "What time do you open?", "answer": "Mon–Sat 9am–6pm." });
    app.platform(Method::POST, "/api/v1/tenants/shop/training", Some(faq)).await;
}

pub fn worker(app: &TestApp, graph: &FakeGraph) -> Worker {
    let retry =
        RetryPolicy { base: Duration::ZERO, cap: Duration::ZERO, max_attempts: 5, ..RetryPolicy::default() };
    Worker::new(app.services.clone(), GraphClient::new(&graph.url, "v23.0"), retry)
}

pub async fn customer_says(app: &TestApp, wamid: &str, text: &str) {
    customer_said(app, wamid, text, chrono::Utc::now().timestamp()).await;
}

async fn customer_said(app: &TestApp, wamid: &str, text: &str, timestamp: i64) {
    let body = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{ "field": "messages",
        "value": { "metadata": { "phone_number_id": NUMBER },
            "contacts": [{ "profile": { "name": "Wanjiru" }, "wa_id": "254700000001" }],
            "messages": [{ "from": "254700000001", "id": wamid, "timestamp": timestamp.to_string(), "type": "text", "text": { "body": text } }] } }] }] })
    .to_string();
    assert_eq!(app.deliver_signed(body.as_bytes()).await, StatusCode::OK);
}

async fn outgoing(app: &TestApp) -> Vec<alphadome_store::MessageLogEntry> {
    let tenant = app.services.tenant("shop").await.unwrap();
    let log = app.services.store.tenant(tenant.id).message_log(100).await.unwrap();
    log.into_iter().filter(|m| m.direction == "outgoing").collect()
}

backend_test!(a_customer_message_is_answered_once_as_a_reply, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    customer_says(&app, "wamid.IN1", "what time do you open").await;
    customer_says(&app, "wamid.IN1", "what time do you open").await; // Meta redelivers
    let worker = worker(&app, &graph);
    worker.run_until_empty().await.unwrap();
    worker.run_until_empty().await.unwrap();

    let texts = graph.texts();
    assert_eq!(texts.len(), 1, "answered exactly once");
    let sent = &texts[0];
    assert_eq!(sent.phone_number_id, NUMBER);
    assert_eq!(sent.authorization, format!("Bearer {TOKEN}"));
    assert_eq!(sent.body["to"], "254700000001");
    assert_eq!(sent.body["context"]["message_id"], "wamid.IN1");
    assert_eq!(sent.body["text"]["body"], "Mon–Sat 9am–6pm.");
    assert!(
        graph.received().iter().any(|r| r.body["status"] == "read" && r.body["message_id"] == "wamid.IN1")
    );

    let out = outgoing(&app).await;
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].status.as_deref(), out[0].whatsapp_message_id.as_deref()),
        (Some("sent"), Some("wamid.FAKE000001"))
    );
    assert_eq!(app.services.store.job_counts().await.unwrap(), (0, 0));
});

backend_test!(transient_failures_are_retried_until_one_reply_gets_through, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    for _ in 0..3 {
        graph.fail_next(500, 131000);
    }
    customer_says(&app, "wamid.IN2", "what time do you open").await;
    worker(&app, &graph).run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 4, "three failures, then success");
    assert_eq!(graph.accepted(), 1);
    let out = outgoing(&app).await;
    assert_eq!((out.len(), out[0].status.as_deref()), (1, Some("sent")));
});

backend_test!(permanent_failures_are_not_retried_and_are_recorded, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    graph.fail_next(400, 131047);
    customer_says(&app, "wamid.IN3", "what time do you open").await;
    worker(&app, &graph).run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 1, "one attempt only");
    let out = outgoing(&app).await;
    assert_eq!((out.len(), out[0].status.as_deref()), (1, Some("failed")));
    assert!(out[0].error_message.as_deref().unwrap().contains("131047"));
    assert_eq!(app.services.store.job_counts().await.unwrap(), (0, 1), "the job is dead and visible");
});

backend_test!(a_rejected_token_pauses_the_tenant_until_a_new_one_is_set, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    graph.fail_next(401, 190);
    customer_says(&app, "wamid.IN4", "what time do you open").await;
    let worker = worker(&app, &graph);
    worker.run_until_empty().await.unwrap();
    customer_says(&app, "wamid.IN5", "what time do you open").await;
    worker.run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 1, "after the 190 nothing more is attempted");
    let (_, tenant) = app.platform(Method::GET, "/api/v1/tenants/shop", None).await;
    assert!(tenant["whatsapp_token_broken_at"].is_string(), "the broken token is visible: {tenant}");
    assert_eq!(app.services.store.job_counts().await.unwrap(), (2, 0), "both replies wait");
    let audit =
        app.services.store.tenant(app.services.tenant("shop").await.unwrap().id).audit_log(20).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "alert.whatsapp_token_rejected"));

    let new_token = "EAAGnewTOKEN9876543210";
    let patch = json!({ "secrets": { "whatsapp_access_token": new_token } });
    let (status, tenant) = app.platform(Method::PATCH, "/api/v1/tenants/shop", Some(patch)).await;
    assert_eq!((status, tenant["whatsapp_token_broken_at"].is_null()), (StatusCode::OK, true));
    let (_, audit) = app.platform(Method::GET, "/api/v1/tenants/shop/audit", None).await;
    let change = audit.as_array().unwrap().iter().find(|e| e["action"] == "credentials.change").unwrap();
    assert_eq!(change["detail"]["fields"], json!(["whatsapp_access_token"]));
    assert!(!audit.to_string().contains(new_token), "the audit names the credential, never its value");
    worker.run_until_empty().await.unwrap();
    let texts = graph.texts();
    assert_eq!(texts.len(), 3, "both waiting replies go out with the new token");
    assert!(texts[1..].iter().all(|t| t.authorization == format!("Bearer {new_token}")));
    assert!(
        !outgoing(&app).await.iter().any(|m| m.error_message.as_deref().is_some_and(|e| e.contains(TOKEN)))
    );
});

backend_test!(an_inactive_tenant_logs_and_sends_nothing, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    app.platform(Method::POST, "/api/v1/tenants/shop/deactivate", None).await;
    customer_says(&app, "wamid.IN5", "what time do you open").await;
    worker(&app, &graph).run_until_empty().await.unwrap();
    assert!(graph.received().is_empty());
    // The decision is logged, unsent, with its reason.
    let logged = outgoing(&app).await;
    assert_eq!(logged.len(), 1);
    assert_eq!((logged[0].status.as_deref(), logged[0].whatsapp_message_id.as_deref()), (None, None));
    assert_eq!(app.services.store.job_counts().await.unwrap(), (0, 0));
});

async fn receipt(app: &TestApp, wamid: &str, status: &str) {
    let mut entry =
        json!({ "id": wamid, "status": status, "timestamp": "1750000100", "recipient_id": "254700000001" });
    if status == "failed" {
        entry["errors"] = json!([{ "code": 131026, "title": "Message undeliverable" }]);
    }
    let body = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{ "field": "messages",
        "value": { "metadata": { "phone_number_id": NUMBER }, "statuses": [entry] } }] }] })
    .to_string();
    assert_eq!(app.deliver_signed(body.as_bytes()).await, StatusCode::OK);
}

backend_test!(delivery_status_only_moves_forward, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    customer_says(&app, "wamid.IN6", "what time do you open").await;
    worker(&app, &graph).run_until_empty().await.unwrap();
    let status = async || outgoing(&app).await[0].status.clone().unwrap();
    assert_eq!(status().await, "sent");
    receipt(&app, "wamid.FAKE000001", "read").await;
    receipt(&app, "wamid.FAKE000001", "delivered").await; // late and out of order
    assert_eq!(status().await, "read");
    receipt(&app, "wamid.FAKE000001", "failed").await;
    receipt(&app, "wamid.FAKE000001", "read").await;
    assert_eq!(status().await, "failed", "failed is final");
    assert!(outgoing(&app).await[0].error_message.as_deref().unwrap().contains("131026"));
});

backend_test!(no_free_text_outside_the_24_hour_window, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    // Meta retries for days: a message from two days ago arrives late.
    let two_days_ago = chrono::Utc::now().timestamp() - 2 * 24 * 3600;
    customer_said(&app, "wamid.OLD", "what time do you open", two_days_ago).await;
    worker(&app, &graph).run_until_empty().await.unwrap();
    assert!(graph.texts().is_empty());
    let out = outgoing(&app).await;
    assert_eq!(out.len(), 1);
    assert!(out[0].error_message.as_deref().unwrap().contains("24-hour"), "the reason is recorded");

    // With a re-engagement template configured, that template goes out instead.
    let settings = json!({ "reengagement_template": "shop_follow_up", "reengagement_language": "en_US" });
    assert_eq!(
        app.platform(Method::PATCH, "/api/v1/tenants/shop/settings", Some(settings)).await.0,
        StatusCode::OK
    );
    customer_said(&app, "wamid.OLD2", "are you open?", two_days_ago).await;
    worker(&app, &graph).run_until_empty().await.unwrap();
    let sent: Vec<_> = graph.received().into_iter().filter(|r| r.body["type"] == "template").collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].body["template"],
        json!({ "name": "shop_follow_up", "language": { "code": "en_US" } })
    );
    assert!(graph.texts().is_empty(), "never free text after 24 hours");
    let bad = json!({ "reengagement_template": "Shop Follow Up" });
    assert_eq!(
        app.platform(Method::PATCH, "/api/v1/tenants/shop/settings", Some(bad)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
});

backend_test!(limits_are_enforced_with_one_polite_notice, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    let limit = json!({ "max_messages_per_user_per_day": 2 });
    assert_eq!(
        app.platform(Method::PATCH, "/api/v1/tenants/shop/settings", Some(limit)).await.0,
        StatusCode::OK
    );
    let worker = worker(&app, &graph);
    for i in 0..5 {
        customer_says(&app, &format!("wamid.L{i}"), "what time do you open").await;
        worker.run_until_empty().await.unwrap();
    }
    let texts: Vec<String> =
        graph.texts().iter().map(|t| t.body["text"]["body"].as_str().unwrap().to_owned()).collect();
    assert_eq!(texts.len(), 3, "two answers, one notice, then silence: {texts:?}");
    assert_eq!(texts[0], "Mon–Sat 9am–6pm.");
    assert!(texts[2].contains("get back to you soon"));
    assert_eq!(app.services.store.job_counts().await.unwrap(), (0, 0));
});

backend_test!(a_request_for_a_person_hands_the_conversation_over_until_handed_back, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    let worker = worker(&app, &graph);
    customer_says(&app, "wamid.H1", "nataka kuongea na mtu tafadhali").await;
    worker.run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 1, "the customer is told a person will reply");
    assert!(graph.texts()[0].body["text"]["body"].as_str().unwrap().contains("person"));

    // While a person has the conversation, the bot stays silent to this customer.
    customer_says(&app, "wamid.H2", "what time do you open").await;
    worker.run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 1);
    let (status, list) = app.platform(Method::GET, "/api/v1/tenants/shop/handoffs", None).await;
    assert_eq!(
        (status, list[0]["customer"].as_str(), list[0]["reason"].as_str()),
        (StatusCode::OK, Some("254700000001"), Some("requested"))
    );

    // The owner hands it back; the bot answers again.
    let path = "/api/v1/tenants/shop/handoffs/254700000001";
    assert_eq!(app.platform(Method::DELETE, path, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.platform(Method::DELETE, path, None).await.0, StatusCode::NOT_FOUND);
    customer_says(&app, "wamid.H3", "what time do you open").await;
    worker.run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 2);
    assert_eq!(graph.texts()[1].body["text"]["body"], "Mon–Sat 9am–6pm.");
});

backend_test!(with_auto_reply_off_the_customer_is_told_once_who_will_answer, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    let settings = json!({ "enable_auto_reply": false, "escalation_phone": "0702245555" });
    app.platform(Method::PATCH, "/api/v1/tenants/shop/settings", Some(settings)).await;
    let worker = worker(&app, &graph);
    customer_says(&app, "wamid.M1", "what time do you open").await;
    customer_says(&app, "wamid.M2", "hello?").await;
    worker.run_until_empty().await.unwrap();
    worker.run_until_empty().await.unwrap();
    let texts = graph.texts();
    assert_eq!(texts.len(), 1);
    assert!(texts[0].body["text"]["body"].as_str().unwrap().contains("+254702245555"));
});

backend_test!(a_send_whose_answer_never_came_is_settled_from_receipts_not_sent_twice, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    shop(&app).await;
    // Meta accepts the reply, but its answer comes too late for the client; its receipt
    // (with the job id) arrives by webhook as usual.
    graph.set_delay(Duration::from_millis(1_500));
    graph.send_receipts_to(&format!("{}/webhooks/whatsapp", app.base), crate::APP_SECRET);
    let client = GraphClient::with_timeout(&graph.url, "v23.0", Duration::from_millis(300));
    let retry = RetryPolicy { receipt_wait: Duration::from_secs(600), ..RetryPolicy::default() };
    let worker = Worker::new(app.services.clone(), client, retry);
    customer_says(&app, "wamid.SLOW", "what time do you open").await;
    worker.run_until_empty().await.unwrap();
    assert!(outgoing(&app).await.is_empty(), "not logged yet: the outcome is unknown");

    // The job looks again after its poll interval and finds the receipt.
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    worker.run_until_empty().await.unwrap();
    assert_eq!(graph.texts().len(), 1, "sent once, never again");
    let out = outgoing(&app).await;
    assert_eq!(out.len(), 1);
    assert_eq!(
        (out[0].status.as_deref(), out[0].whatsapp_message_id.as_deref()),
        (Some("sent"), Some("wamid.FAKE000001"))
    );
    assert_eq!(app.services.store.job_counts().await.unwrap(), (0, 0));
});

backend_test!(a_tenant_paced_by_meta_does_not_hold_up_another_tenants_reply, async |db: &TestDb| {
    // A busy tenant's backlog, sent at its number's pace, is larger than every slot the
    // worker has: a quiet tenant's message that arrives meanwhile is still answered at once.
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    for (slug, number) in [("busy", "111000111"), ("quiet", "222000222")] {
        let body = json!({ "slug": slug, "client_name": slug, "whatsapp_phone_number_id": number,
            "is_active": true, "secrets": { "whatsapp_access_token": TOKEN } });
        assert_eq!(app.platform(Method::POST, "/api/v1/tenants", Some(body)).await.0, StatusCode::CREATED);
    }
    let paced = json!({ "whatsapp_messages_per_second": 10 });
    let path = "/api/v1/tenants/busy/settings";
    assert_eq!(app.platform(Method::PATCH, path, Some(paced)).await.0, StatusCode::OK);
    let messages = |number: &str, from: std::ops::Range<usize>| {
        let messages: Vec<_> = from
            .map(|i| json!({ "from": format!("2547{i:08}"), "id": format!("wamid.{number}.{i}"),
                "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text", "text": { "body": "hi" } }))
            .collect();
        json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{ "field": "messages",
            "value": { "metadata": { "phone_number_id": number }, "messages": messages } }] }] })
        .to_string()
    };
    for batch in 0..4 {
        let body = messages("111000111", batch * 100..(batch + 1) * 100);
        assert_eq!(app.deliver_signed(body.as_bytes()).await, StatusCode::OK);
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(worker(&app, &graph).run(Duration::from_millis(20), stopped));
    let sent_to = |number: &str| graph.texts().iter().filter(|t| t.phone_number_id == number).count();
    let started = tokio::time::Instant::now();
    while sent_to("111000111") < 2 {
        assert!(started.elapsed() < Duration::from_secs(10), "the busy tenant's sends never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // By now the worker has claimed all it will of the backlog.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let body = messages("222000222", 0..1);
    assert_eq!(app.deliver_signed(body.as_bytes()).await, StatusCode::OK);
    let busy_before = sent_to("111000111");
    let arrived = tokio::time::Instant::now();
    while sent_to("222000222") == 0 {
        assert!(arrived.elapsed() < Duration::from_secs(10), "the quiet tenant was never answered");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Answered within a few of the busy tenant's paced sends (10 a second), not behind them.
    let busy_meanwhile = sent_to("111000111") - busy_before;
    assert!(busy_meanwhile < 8, "the quiet tenant waited while the busy one sent {busy_meanwhile}");
    let _ = stop.send(true);
    running.abort();
});
