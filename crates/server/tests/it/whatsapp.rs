use crate::{APP_SECRET, PLATFORM_VERIFY_TOKEN, TestApp};
use alphadome_crypto::hub_signature;
use alphadome_testkit::{TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The business number of the protocol fixtures.
const NUMBER: &str = "106540352242922";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../../shared/protocols/fixtures/whatsapp/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fixture with its business number replaced.
fn fixture_for(name: &str, number: &str) -> Vec<u8> {
    String::from_utf8(fixture(name)).unwrap().replace(NUMBER, number).into_bytes()
}

impl TestApp {
    /// POSTs a delivery with an optional signature header.
    pub async fn deliver(&self, path: &str, body: &[u8], signature: Option<String>) -> StatusCode {
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("X-Hub-Signature-256", signature);
        }
        request.send().await.unwrap().status()
    }

    /// POSTs a delivery to the platform path, signed with the platform app secret.
    pub async fn deliver_signed(&self, body: &[u8]) -> StatusCode {
        self.deliver("/webhooks/whatsapp", body, Some(hub_signature(APP_SECRET.as_bytes(), body))).await
    }

    async fn messages_of(&self, slug: &str) -> usize {
        let tenant = self.services.tenant(slug).await.unwrap();
        self.services.store.tenant(tenant.id).message_log(1000).await.unwrap().len()
    }

    async fn jobs_of(&self, slug: &str) -> usize {
        let tenant = self.services.tenant(slug).await.unwrap();
        self.services.store.tenant(tenant.id).jobs().await.unwrap().len()
    }

    /// Meta's handshake; returns the status and the body as text.
    async fn handshake(&self, path: &str, mode: &str, token: &str) -> (StatusCode, String) {
        let url =
            format!("{}{path}?hub.mode={mode}&hub.challenge=1158201444&hub.verify_token={token}", self.base);
        let response = self.client.get(url).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

backend_test!(the_handshake_echoes_the_challenge_only_for_the_right_token, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let created = app
        .platform(Method::POST, "/api/v1/tenants", Some(json!({ "slug": "shop", "client_name": "Shop" })))
        .await
        .1;
    let tenant_token = created["webhook_verify_token"].as_str().unwrap().to_owned();

    let (status, body) = app.handshake("/webhooks/whatsapp", "subscribe", PLATFORM_VERIFY_TOKEN).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "1158201444"));
    assert_eq!(app.handshake("/webhooks/whatsapp", "subscribe", "wrong").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        app.handshake("/webhooks/whatsapp", "unsubscribe", PLATFORM_VERIFY_TOKEN).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = app.handshake("/webhooks/whatsapp/shop", "subscribe", &tenant_token).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "1158201444"));
    assert_eq!(
        app.handshake("/webhooks/whatsapp/shop", "subscribe", PLATFORM_VERIFY_TOKEN).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.handshake("/webhooks/whatsapp/nobody", "subscribe", &tenant_token).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.client.get(format!("{}/webhooks/whatsapp", app.base)).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
});

backend_test!(signed_deliveries_are_stored_once_and_unsigned_ones_not_at_all, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    app.create_tenant("shop", NUMBER).await;
    let body = fixture("inbound_text.json");

    assert_eq!(app.deliver("/webhooks/whatsapp", &body, None).await, StatusCode::UNAUTHORIZED);
    let forged = hub_signature(b"not-the-secret", &body);
    assert_eq!(app.deliver("/webhooks/whatsapp", &body, Some(forged)).await, StatusCode::UNAUTHORIZED);
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let stale = hub_signature(APP_SECRET.as_bytes(), &body);
    assert_eq!(app.deliver("/webhooks/whatsapp", &tampered, Some(stale)).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.messages_of("shop").await, 0, "nothing is stored before the signature checks out");

    assert_eq!(app.deliver_signed(&body).await, StatusCode::OK);
    assert_eq!(app.deliver_signed(&body).await, StatusCode::OK);
    let signature = hub_signature(APP_SECRET.as_bytes(), &body);
    let concurrent: Vec<_> = (0..6)
        .map(|_| {
            let request = app.client.post(format!("{}/webhooks/whatsapp", app.base));
            let request = request.header("X-Hub-Signature-256", signature.clone()).body(body.clone());
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    for delivery in concurrent {
        assert_eq!(delivery.await.unwrap(), StatusCode::OK);
    }
    assert_eq!((app.messages_of("shop").await, app.jobs_of("shop").await), (1, 1));

    let signed_garbage = b"{not json".to_vec();
    assert_eq!(app.deliver_signed(&signed_garbage).await, StatusCode::BAD_REQUEST);
});

backend_test!(
    every_message_of_a_batch_is_stored_and_unknown_numbers_are_acknowledged,
    async |db: &TestDb| {
        let app = TestApp::spawn(db).await;
        app.create_tenant("shop", NUMBER).await;
        let text = |id: &str, body: &str| json!({ "from": "254700000001", "id": id, "timestamp": "1750000000", "type": "text", "text": { "body": body } });
        let batch = json!({
            "object": "whatsapp_business_account",
            "entry": [
                { "id": "waba-1", "changes": [
                    { "field": "messages", "value": { "metadata": { "phone_number_id": NUMBER },
                      "contacts": [{ "profile": { "name": "Wanjiru" }, "wa_id": "254700000001" }],
                      "messages": [text("wamid.A", "hello"), text("wamid.B", "bei ya gitaa?")] } },
                    { "field": "messages", "value": { "metadata": { "phone_number_id": NUMBER },
                      "statuses": [{ "id": "wamid.OUT1", "status": "delivered", "timestamp": "1750000001", "recipient_id": "254700000001" }] } }
                ] },
                { "id": "waba-2", "changes": [
                    { "field": "messages", "value": { "metadata": { "phone_number_id": NUMBER },
                      "messages": [text("wamid.C", "asante")] } },
                    { "field": "messages", "value": { "metadata": { "phone_number_id": "999999" },
                      "messages": [text("wamid.D", "who owns me?")] } }
                ] }
            ]
        });
        let body = batch.to_string().into_bytes();
        assert_eq!(app.deliver_signed(&body).await, StatusCode::OK);
        assert_eq!((app.messages_of("shop").await, app.jobs_of("shop").await), (3, 3));
        assert_eq!(app.services.store.unroutable_count().await.unwrap(), 1);

        // Every inbound sample type is accepted.
        for name in [
            "inbound_image.json",
            "inbound_audio_voice_note.json",
            "inbound_location.json",
            "inbound_contacts.json",
            "inbound_interactive_list_reply.json",
            "inbound_button_template_quick_reply.json",
            "inbound_reaction.json",
            "inbound_sticker.json",
            "inbound_unsupported.json",
            "inbound_system_customer_identity_changed.json",
            "status_read.json",
            "status_failed_131014_cbp.json",
        ] {
            let body = fixture_for(name, NUMBER);
            assert_eq!(app.deliver_signed(&body).await, StatusCode::OK, "{name}");
        }
    }
);

backend_test!(oversized_bodies_are_refused, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let body = vec![b' '; 3 * 1024 * 1024 + 1];
    let signature = hub_signature(APP_SECRET.as_bytes(), &body);
    assert_eq!(
        app.deliver("/webhooks/whatsapp", &body, Some(signature)).await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
});

backend_test!(a_tenants_own_app_signs_its_own_path_and_nothing_else, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let own_secret = "tenant-own-meta-app-secret";
    let body = json!({ "slug": "own", "client_name": "Own App Ltd", "whatsapp_phone_number_id": NUMBER,
        "secrets": { "whatsapp_app_secret": own_secret } });
    assert_eq!(app.platform(Method::POST, "/api/v1/tenants", Some(body)).await.0, StatusCode::CREATED);
    app.create_tenant("other", "555").await;

    let delivery = fixture("inbound_text.json");
    let own = hub_signature(own_secret.as_bytes(), &delivery);
    let platform = hub_signature(APP_SECRET.as_bytes(), &delivery);
    assert_eq!(
        app.deliver("/webhooks/whatsapp/own", &delivery, Some(platform)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.deliver("/webhooks/whatsapp/own", &delivery, Some(own.clone())).await, StatusCode::OK);
    assert_eq!(app.messages_of("own").await, 1);

    // Its app cannot inject messages into another tenant's number.
    let foreign = fixture_for("inbound_text.json", "555");
    let signed = hub_signature(own_secret.as_bytes(), &foreign);
    assert_eq!(app.deliver("/webhooks/whatsapp/own", &foreign, Some(signed)).await, StatusCode::OK);
    assert_eq!(app.messages_of("other").await, 0);
    assert_eq!(app.services.store.unroutable_count().await.unwrap(), 1);
});
