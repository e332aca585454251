//! Alphadome's business rules, shared by the command line, the HTTP API and (later) the
//! workers: each rule is written once here, on top of the storage and crypto crates.

mod accounts;
pub mod activity;
pub mod alerts;
mod api_keys;
mod audit;
mod demo;
pub mod engine;
mod error;
pub mod pacer;
mod precedence;
mod runtime;
mod secrets;
mod settings;
mod templates;
mod tenants;
mod training;
pub mod views;
mod whatsapp;
pub mod worker;

pub mod graph;

pub use accounts::{AccountOut, Session, TotpSetup, check_new_account};
pub use api_keys::{CreatedApiKey, Principal};
pub use demo::DemoOutcome;
pub use error::ServiceError;
pub use precedence::DeliveryInProgress;
pub use runtime::TenantRuntime;
pub use secrets::SecretField;
pub use tenants::CreatedTenant;
pub use whatsapp::Ingested;

use alphadome_crypto::Keyring;
use alphadome_store::Store;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

/// Result of a service call.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

/// The services, over one store and one keyring. Cheap to clone; clones share their
/// caches.
#[derive(Debug, Clone)]
pub struct Services {
    /// Storage.
    pub store: Store,
    /// Master keys for stored secrets (reloaded from the key file when a secret needs a
    /// version this process has not seen: `keys rotate` ran while it was serving).
    keyring: Arc<RwLock<Keyring>>,
    key_file: Option<PathBuf>,
    caches: runtime::Caches,
    ai: engine::AiClient,
    throttle: accounts::LoginThrottle,
    /// Woken when new jobs are queued, so an idle worker starts at once.
    jobs_queued: Arc<Notify>,
    /// Webhook deliveries in progress, which the reply worker lets go first.
    precedence: Arc<precedence::Precedence>,
}

impl Services {
    /// Services over a connected, migrated store.
    pub fn new(store: Store, keyring: Keyring) -> Self {
        Self {
            store,
            keyring: Arc::new(RwLock::new(keyring)),
            key_file: None,
            caches: runtime::Caches::default(),
            ai: engine::AiClient::default(),
            throttle: accounts::LoginThrottle::default(),
            jobs_queued: Arc::default(),
            precedence: Arc::default(),
        }
    }

    /// Reloads the keyring from `path` whenever a secret needs a key version this process
    /// does not have yet.
    #[must_use]
    pub fn with_key_file(mut self, path: PathBuf) -> Self {
        self.key_file = Some(path);
        self
    }

    /// The master keys as this process knows them now.
    pub fn keyring(&self) -> Keyring {
        self.keyring.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Marks a webhook delivery in progress until the guard is dropped: the reply worker
    /// holds back meanwhile (see `precedence.rs`).
    pub fn delivery_in_progress(&self) -> DeliveryInProgress<'_> {
        self.precedence.begin()
    }

    /// Lets deliveries in progress go first (for a bounded time).
    pub(crate) async fn after_deliveries(&self) {
        self.precedence.wait_turn(precedence::LONGEST_WAIT).await;
    }

    /// Waits until new jobs are queued in this process (or a wake-up is already pending).
    pub async fn jobs_queued(&self) {
        self.jobs_queued.notified().await;
    }
}
