//! A tenant's knowledge: single entries and whole-file imports and exports.

use crate::error::StoreResultExt;
use crate::{Result, Services};
use alphadome_core::training::{TrainingEntryIn, TrainingFields};
use alphadome_core::training_io::{self, Format};
use alphadome_core::{TenantId, TrainingEntryId};
use alphadome_store::{TrainingEntry, TrainingQuery};

/// Largest import accepted, in bytes.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

impl Services {
    /// Entries matching a query.
    pub async fn training(&self, tenant: TenantId, query: &TrainingQuery) -> Result<Vec<TrainingEntry>> {
        self.store.tenant(tenant).training(query).await.or_missing("training entry")
    }

    /// One entry.
    pub async fn training_entry(&self, tenant: TenantId, id: TrainingEntryId) -> Result<TrainingEntry> {
        self.store.tenant(tenant).training_entry(id).await.or_missing("training entry")
    }

    /// Adds one entry.
    pub async fn add_training(
        &self,
        tenant: TenantId,
        fields: &TrainingFields,
        actor: &str,
    ) -> Result<TrainingEntry> {
        let entry = fields.validate()?;
        self.store.tenant(tenant).add_training(&entry, actor).await.or_missing("training entry")
    }

    /// Changes the present fields of one entry.
    pub async fn update_training(
        &self,
        tenant: TenantId,
        id: TrainingEntryId,
        fields: &TrainingFields,
        actor: &str,
    ) -> Result<TrainingEntry> {
        let current = self.training_entry(tenant, id).await?;
        let entry = fields.apply_to(current.entry)?;
        self.store.tenant(tenant).update_training(id, &entry, actor).await.or_missing("training entry")
    }

    /// Deletes one entry.
    pub async fn delete_training(&self, tenant: TenantId, id: TrainingEntryId, actor: &str) -> Result<()> {
        self.store.tenant(tenant).delete_training(id, actor).await.or_missing("training entry")
    }

    /// Imports a whole file, all-or-nothing; with `replace`, the file becomes the tenant's
    /// entire training data. Returns the entries imported.
    pub async fn import_training(
        &self,
        tenant: TenantId,
        format: Format,
        bytes: &[u8],
        replace: bool,
        actor: &str,
    ) -> Result<Vec<TrainingEntryIn>> {
        if bytes.len() > MAX_IMPORT_BYTES {
            return Err(alphadome_core::ValidationError::new("file", "is larger than 20 MiB").into());
        }
        let entries = training_io::parse(format, bytes)?;
        self.store.tenant(tenant).import_training(&entries, replace, actor).await.or_missing("tenant")?;
        Ok(entries)
    }

    /// Every entry of the tenant in the given format.
    pub async fn export_training(&self, tenant: TenantId, format: Format) -> Result<Vec<u8>> {
        let entries = self.training(tenant, &TrainingQuery::default()).await?;
        let entries: Vec<TrainingEntryIn> = entries.into_iter().map(|e| e.entry).collect();
        Ok(training_io::write(format, &entries))
    }
}
