//! The admin API, driven over real HTTP against the real app on SQLite and PostgreSQL.

mod accounts;
mod ai;
mod alerts;
mod auth;
mod browser;
mod dashboard;
mod isolation;
mod property;
mod replies;
mod settings_templates;
mod simulate;
mod tenants;
mod training;
mod whatsapp;

use alphadome_crypto::{Keyring, MasterKey, SecretString};
use alphadome_server::AppState;
use alphadome_server::webhooks::whatsapp::WhatsAppConfig;
use alphadome_service::Services;
use alphadome_testkit::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The platform Meta app's secret in tests.
pub const APP_SECRET: &str = "test-platform-app-secret";
/// The platform webhook's verify token in tests.
pub const PLATFORM_VERIFY_TOKEN: &str = "platform-verify-token-0123";

/// A running app on a fresh database, with a platform key.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The app's services, for set-up and for checking what was stored.
    pub services: Services,
    /// A platform API key.
    pub platform_key: String,
}

impl TestApp {
    /// Boots the app on `db`: bind first, then serve, so no sleep is needed.
    pub async fn spawn(db: &TestDb) -> Self {
        Self::spawn_with(db, |state| state).await
    }

    /// Like [`TestApp::spawn`], with the app's state adjusted by `adjust` (say, another
    /// Graph API address).
    pub async fn spawn_with(db: &TestDb, adjust: impl FnOnce(AppState) -> AppState) -> Self {
        let keyring = Keyring::new([MasterKey::generate(1)]).unwrap();
        let services = Services::new(db.store().await, keyring);
        let platform_key = services.create_api_key(None, "tests", None, "test").await.unwrap().key;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let whatsapp = WhatsAppConfig {
            app_secret: Some(SecretString::from(APP_SECRET)),
            verify_token: Some(SecretString::from(PLATFORM_VERIFY_TOKEN)),
        };
        let state = adjust(AppState::new(services.clone()).with_whatsapp(whatsapp));
        tokio::spawn(alphadome_server::serve(listener, state, std::future::pending()));
        Self { base, client: reqwest::Client::new(), services, platform_key }
    }

    /// Sends a request with `key` and an optional JSON body; returns status and JSON (or text as a JSON string).
    pub async fn call(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.base)).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.unwrap()).await
    }

    /// Like [`TestApp::call`] with the platform key.
    pub async fn platform(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(&self.platform_key, method, path, body).await
    }

    /// Creates a tenant through the API and returns its JSON.
    pub async fn create_tenant(&self, slug: &str, phone_number_id: &str) -> Value {
        let body = json!({ "slug": slug, "client_name": format!("{slug} shop"), "whatsapp_phone_number_id": phone_number_id });
        let (status, created) = self.platform(Method::POST, "/api/v1/tenants", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created["tenant"].clone()
    }

    /// A tenant key for `slug`.
    pub async fn tenant_key(&self, slug: &str) -> String {
        let tenant = self.services.tenant(slug).await.unwrap();
        self.services.create_api_key(Some(tenant.id), "tenant", None, "test").await.unwrap().key
    }
}

/// Status and body of a response (JSON when it parses, else the text as a JSON string).
pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}
