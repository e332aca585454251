//! What every handler can reach.

use crate::metrics::Metrics;
use crate::webhooks::whatsapp::WhatsAppConfig;
use alphadome_service::Services;
use alphadome_service::graph::{DEFAULT_VERSION, GraphClient};
use std::sync::Arc;

/// Shared state of the HTTP application. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The business rules.
    pub services: Services,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// The platform Meta app's webhook settings.
    pub whatsapp: WhatsAppConfig,
    /// Whether session cookies carry `Secure` (the public address is https).
    pub secure_cookies: bool,
    /// Meta's Graph API, for the dashboard's "test connection".
    pub graph: GraphClient,
}

impl AppState {
    /// State over the given services, with fresh metrics.
    pub fn new(services: Services) -> Self {
        Self {
            services,
            metrics: Arc::new(Metrics::new()),
            whatsapp: WhatsAppConfig::default(),
            secure_cookies: false,
            graph: GraphClient::new("https://graph.facebook.com", DEFAULT_VERSION),
        }
    }

    /// The same state, with `Secure` session cookies when `secure` (served over https).
    pub fn with_secure_cookies(mut self, secure: bool) -> Self {
        self.secure_cookies = secure;
        self
    }

    /// The same state, reaching the Graph API through `graph`.
    pub fn with_graph(mut self, graph: GraphClient) -> Self {
        self.graph = graph;
        self
    }

    /// The same state with the platform Meta app's settings.
    pub fn with_whatsapp(mut self, whatsapp: WhatsAppConfig) -> Self {
        self.whatsapp = whatsapp;
        self
    }
}
