//! Reading the audit log: a tenant's own entries, or everything for the platform.

use crate::error::StoreResultExt;
use crate::{Result, Services};
use alphadome_core::TenantId;
use alphadome_store::AuditEntry;

/// Most entries one call returns.
pub const MAX_AUDIT_ENTRIES: i64 = 1_000;

impl Services {
    /// The newest audit entries: one tenant's, or (with `None`) the whole platform's.
    pub async fn audit_log(&self, tenant: Option<TenantId>, limit: i64) -> Result<Vec<AuditEntry>> {
        let limit = limit.clamp(1, MAX_AUDIT_ENTRIES);
        match tenant {
            Some(id) => self.store.tenant(id).audit_log(limit).await.or_missing("audit"),
            None => self.store.audit_log_all(limit).await.or_missing("audit"),
        }
    }
}
