//! Provisioning and managing tenants.

use crate::error::StoreResultExt;
use crate::views::TenantOut;
use crate::{Result, ServiceError, Services};
use alphadome_core::settings::ControlSettings;
use alphadome_core::template::TemplateIn;
use alphadome_core::tenant::{SecretFields, TenantFields};
use alphadome_core::{Slug, TenantId, ValidationError};
use alphadome_crypto::SecretString;
use alphadome_store::{NewTenant, Tenant, TenantSecrets};

/// A new tenant, with the one moment its verify token is shown in full.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedTenant {
    /// The tenant.
    pub tenant: TenantOut,
    /// The verify token to paste into Meta's webhook settings.
    pub webhook_verify_token: String,
}

impl Services {
    /// Creates a tenant with its settings row and default template. Validates everything
    /// first; on any error nothing is stored.
    pub async fn create_tenant(&self, fields: &TenantFields, actor: &str) -> Result<CreatedTenant> {
        let generated = alphadome_crypto::random_token::<24>();
        let (slug, profile) = fields.validate_new(generated)?;
        let id = TenantId::new();
        let secrets = self.seal_secrets(id, TenantSecrets::default(), fields.secrets.as_ref())?;
        let new = NewTenant {
            id,
            template: TemplateIn::default_for(&profile.client_name),
            slug,
            profile,
            secrets,
            settings: ControlSettings::default(),
        };
        let tenant = self.store.create_tenant(&new, actor).await.or_missing("tenant")?;
        tracing::info!(tenant.id = %tenant.id, tenant.slug = %tenant.slug, "tenant created");
        Ok(CreatedTenant {
            webhook_verify_token: tenant.profile.webhook_verify_token.clone(),
            tenant: TenantOut::from(&tenant),
        })
    }

    /// The tenant with this slug.
    pub async fn tenant(&self, slug: &str) -> Result<Tenant> {
        let slug = Slug::parse(slug).map_err(|_| ServiceError::NotFound("tenant"))?;
        self.store.tenant_by_slug(&slug).await.or_missing("tenant")
    }

    /// All tenants.
    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        self.store.list_tenants().await.or_missing("tenant")
    }

    /// Applies the present fields (and credentials) to a tenant.
    pub async fn update_tenant(&self, slug: &str, fields: &TenantFields, actor: &str) -> Result<Tenant> {
        if fields.slug.as_deref().is_some_and(|s| s != slug) {
            return Err(ValidationError::new("slug", "cannot be changed").into());
        }
        let tenant = self.tenant(slug).await?;
        let profile = fields.apply_to(tenant.profile.clone())?;
        let secrets = self.seal_secrets(tenant.id, tenant.secrets.clone(), fields.secrets.as_ref())?;
        let scope = self.store.tenant(tenant.id);
        let updated = scope.update(&profile, &secrets, actor).await.or_missing("tenant")?;
        self.caches.tenant_changed();
        let changed: Vec<&str> =
            fields.secrets.iter().flat_map(|s| s.present().map(|(name, _)| name)).collect();
        if !changed.is_empty() {
            // Which credentials changed (never their values).
            let detail = serde_json::json!({ "fields": changed });
            let event =
                alphadome_store::AuditEvent::new(Some(tenant.id), actor, "credentials.change", detail);
            self.store.record_event(&event).await.or_missing("audit")?;
        }
        let new_token = fields
            .secrets
            .as_ref()
            .and_then(|s| s.whatsapp_access_token.as_deref())
            .is_some_and(|t| !t.is_empty());
        if new_token && updated.whatsapp_token_broken_at.is_some() {
            scope.set_token_broken(None, actor).await.or_missing("tenant")?;
            return self.tenant(slug).await;
        }
        Ok(updated)
    }

    /// Switches a tenant's bot on or off.
    pub async fn set_tenant_active(&self, slug: &str, active: bool, actor: &str) -> Result<Tenant> {
        let fields = TenantFields { is_active: Some(active), ..Default::default() };
        self.update_tenant(slug, &fields, actor).await
    }

    /// Deletes a tenant and everything it owns.
    pub async fn delete_tenant(&self, slug: &str, actor: &str) -> Result<()> {
        let tenant = self.tenant(slug).await?;
        self.store.tenant(tenant.id).delete(actor).await.or_missing("tenant")?;
        self.caches.tenant_changed();
        tracing::info!(tenant.id = %tenant.id, tenant.slug = %tenant.slug, "tenant deleted");
        Ok(())
    }

    /// Seals each credential given, bound to the tenant and its column; an empty value
    /// removes that credential.
    fn seal_secrets(
        &self,
        id: TenantId,
        mut current: TenantSecrets,
        given: Option<&SecretFields>,
    ) -> Result<TenantSecrets> {
        let Some(given) = given else { return Ok(current) };
        given.validate()?;
        let owner = id.to_string();
        for (field, value) in given.present() {
            let sealed = (!value.is_empty())
                .then(|| self.keyring().seal(&SecretString::from(value.to_owned()), &owner, field));
            match field {
                "whatsapp_access_token" => current.whatsapp_access_token = sealed,
                "whatsapp_app_secret" => current.whatsapp_app_secret = sealed,
                _ => current.ai_api_key = sealed,
            }
        }
        Ok(current)
    }
}
