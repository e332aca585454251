//! What every handler can reach.

use crate::metrics::Metrics;
use alphadome_service::Services;
use std::sync::Arc;

/// Shared state of the HTTP application. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The business rules.
    pub services: Services,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// State over the given services, with fresh metrics.
    pub fn new(services: Services) -> Self {
        Self { services, metrics: Arc::new(Metrics::new()) }
    }
}
