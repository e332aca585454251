//! Alphadome's storage: one code base over embedded SQLite and PostgreSQL.
//!
//! Every query is written once, in SQL both engines accept (`$n` binds, `RETURNING`,
//! `ON CONFLICT`), and compiled once per engine by the [`with_pool!`] and
//! [`in_tenant_tx!`] macros, which expand a block for each concrete sqlx pool. So the two
//! back ends cannot drift apart: there is only one implementation to change.
//!
//! Tenant data is reached only through [`TenantScope`] (from [`Store::tenant`]), whose
//! every query is bound to one tenant id; there is no unscoped "find by id" for tenant
//! data. On PostgreSQL each scoped transaction also sets `alphadome.tenant_id`, the hook
//! for row-level security.

#[macro_use]
mod pool;
mod accounts;
mod activity;
mod ai;
mod api_keys;
mod audit;
mod error;
mod group_commit;
mod handoff;
mod inbound;
mod jobs;
mod migrate;
mod replies;
mod settings;
mod templates;
mod tenants;
mod training;

pub use accounts::Account;
pub use activity::{Bucket, MessageCount, ReviewItem, Tally, TenantTraffic, Thread, ThreadMessage};
pub use ai::{AiCall, Turn};
pub use api_keys::{ApiKey, ApiKeyScope, NewApiKey};
pub use audit::{AuditEntry, AuditEvent};
pub use error::StoreError;
pub use handoff::Handoff;
pub use inbound::{Job, MessageLogEntry, REPLY_JOB, Recorded, ReplyJob};
pub use jobs::ClaimedJob;
pub use pool::{Backend, DEFAULT_MAX_CONNECTIONS, Store, StoreOptions, TenantScope, redact_url};
pub use replies::{CustomerStanding, LIMIT_NOTICE, OutgoingReply, PendingReply, RecentReplies, SendReceipt};
pub use templates::Template;
pub use tenants::{NewTenant, Tenant, TenantSecrets};
pub use training::{TrainingEntry, TrainingQuery};

/// Result of a storage call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The current time at the precision both engines keep (microseconds), so a value
/// written and read back compares equal.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// A new id for a row written on the hot path (messages, jobs, contacts). Time-ordered
/// (UUIDv7), so rows written one after another go into the same index pages rather than
/// each dirtying a random page of every index on its id (each such page is written to the
/// log at commit).
pub(crate) fn row_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
