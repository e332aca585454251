//! The jobs the worker holds per tenant (claimed and not yet finished), so that a tenant whose
//! sends wait on its number's pace cannot take every slot: past its share, the claim passes
//! the tenant over and another tenant's message still finds a slot free.

use alphadome_core::TenantId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Jobs held per tenant; shared by the worker's clones.
#[derive(Debug, Clone, Default)]
pub(super) struct Holdings(Arc<Mutex<HashMap<TenantId, usize>>>);

impl Holdings {
    /// The tenants holding `share` jobs or more.
    pub(super) fn at_share(&self, share: usize) -> Vec<TenantId> {
        self.counts().iter().filter(|(_, held)| **held >= share).map(|(tenant, _)| *tenant).collect()
    }

    /// Counts a claimed job.
    pub(super) fn hold(&self, tenant: TenantId) {
        *self.counts().entry(tenant).or_default() += 1;
    }

    /// Counts a job as finished when the returned guard is dropped (also on a panic).
    pub(super) fn release_on_drop(&self, tenant: TenantId) -> Release<'_> {
        Release { holdings: self, tenant }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, usize>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Releases one held job of a tenant when dropped.
pub(super) struct Release<'a> {
    holdings: &'a Holdings,
    tenant: TenantId,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        let mut counts = self.holdings.counts();
        if let Some(held) = counts.get_mut(&self.tenant) {
            *held = held.saturating_sub(1);
            if *held == 0 {
                counts.remove(&self.tenant);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_is_at_its_share_until_enough_of_its_jobs_finish() {
        let (busy, quiet) = (TenantId::new(), TenantId::new());
        let holdings = Holdings::default();
        for _ in 0..3 {
            holdings.hold(busy);
        }
        holdings.hold(quiet);
        assert_eq!(holdings.at_share(3), vec![busy]);
        drop(holdings.release_on_drop(busy));
        assert!(holdings.at_share(3).is_empty());
        drop(holdings.release_on_drop(quiet));
        assert_eq!(holdings.0.lock().unwrap().len(), 1, "a tenant holding nothing is forgotten");
    }
}
