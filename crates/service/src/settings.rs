//! A tenant's switches and limits.

use crate::error::StoreResultExt;
use crate::{Result, Services};
use alphadome_core::TenantId;
use alphadome_core::ValidationError;
use alphadome_core::settings::ControlSettings;

impl Services {
    /// The tenant's settings.
    pub async fn settings(&self, tenant: TenantId) -> Result<ControlSettings> {
        self.store.tenant(tenant).settings().await.or_missing("settings")
    }

    /// Sets several `KEY=VALUE` pairs at once: all are checked before any is saved.
    pub async fn set_settings(
        &self,
        tenant: TenantId,
        pairs: &[(String, String)],
        actor: &str,
    ) -> Result<ControlSettings> {
        if pairs.is_empty() {
            return Err(ValidationError::new("settings", "give at least one KEY=VALUE").into());
        }
        let mut settings = self.settings(tenant).await?;
        for (key, value) in pairs {
            settings.set(key, value)?;
        }
        let changed: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        self.store.tenant(tenant).update_settings(&settings, &changed, actor).await.or_missing("settings")
    }

    /// Applies a JSON object of settings (as the API's PATCH sends it).
    pub async fn patch_settings(
        &self,
        tenant: TenantId,
        patch: &serde_json::Map<String, serde_json::Value>,
        actor: &str,
    ) -> Result<ControlSettings> {
        let pairs = patch
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::Bool(_) | serde_json::Value::Number(_) => v.to_string(),
                    _ => {
                        return Err(ValidationError::new(
                            k.chars().take(40).collect::<String>(),
                            "must be a string, number or boolean",
                        ));
                    }
                };
                Ok((k.clone(), text))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.set_settings(tenant, &pairs, actor).await
    }
}
