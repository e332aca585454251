//! What every handler can reach.

use crate::metrics::Metrics;
use crate::webhooks::whatsapp::WhatsAppConfig;
use alphadome_service::Services;
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
}

impl AppState {
    /// State over the given services, with fresh metrics.
    pub fn new(services: Services) -> Self {
        Self { services, metrics: Arc::new(Metrics::new()), whatsapp: WhatsAppConfig::default() }
    }

    /// The same state with the platform Meta app's settings.
    pub fn with_whatsapp(mut self, whatsapp: WhatsAppConfig) -> Self {
        self.whatsapp = whatsapp;
        self
    }
}
