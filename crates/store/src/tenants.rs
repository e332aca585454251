//! Tenants: created with their settings row and default template in one transaction;
//! looked up by the platform (routing, admin lists) through this deliberately small path.

use crate::audit::{AuditEvent, AuditRows};
use crate::settings::SettingsRows;
use crate::templates::TemplateRows;
use crate::{Result, Store, StoreError, TenantScope, now};
use alphadome_core::settings::ControlSettings;
use alphadome_core::template::TemplateIn;
use alphadome_core::tenant::{AiProvider, TenantProfile};
use alphadome_core::{PhoneNumber, Slug, TenantId};
use alphadome_crypto::SealedSecret;
use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

/// A tenant's sealed credentials. Opening them is the service layer's job.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantSecrets {
    /// The WhatsApp Cloud API access token.
    pub whatsapp_access_token: Option<SealedSecret>,
    /// The app secret of the tenant's own Meta app, if it brings one.
    pub whatsapp_app_secret: Option<SealedSecret>,
    /// The key for the tenant's AI provider.
    pub ai_api_key: Option<SealedSecret>,
}

/// A tenant as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    /// Id.
    pub id: TenantId,
    /// Url-safe name.
    pub slug: Slug,
    /// Everything that is not secret.
    pub profile: TenantProfile,
    /// Sealed credentials.
    pub secrets: TenantSecrets,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When Meta rejected the WhatsApp token (code 190); sends pause until it is replaced.
    pub whatsapp_token_broken_at: Option<DateTime<Utc>>,
    /// Moves on every change to the tenant's profile, settings, templates or training: what
    /// caches compare to know they are stale.
    pub config_version: i64,
}

/// Everything a new tenant starts with.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// Chosen by the caller, because secrets are sealed to it before the insert.
    pub id: TenantId,
    /// Url-safe name.
    pub slug: Slug,
    /// Profile.
    pub profile: TenantProfile,
    /// Sealed credentials.
    pub secrets: TenantSecrets,
    /// Its settings row.
    pub settings: ControlSettings,
    /// Its default template.
    pub template: TemplateIn,
}

/// The columns of `bot_tenants`, in [`TenantRow`] order.
macro_rules! columns {
    () => {
        "id, slug, client_name, client_phone, client_email, brand_id, \
    point_of_contact_name, point_of_contact_phone, whatsapp_phone_number_id, \
    whatsapp_business_account_id, whatsapp_access_token, whatsapp_app_secret, \
    whatsapp_token_expires_at, ai_provider, ai_api_key, ai_model, ai_base_url, is_active, \
    is_verified, webhook_verify_token, webhook_url, metadata, created_at, updated_at, \
    whatsapp_token_broken_at, config_version"
    };
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    slug: String,
    client_name: String,
    client_phone: Option<String>,
    client_email: Option<String>,
    brand_id: Option<Uuid>,
    point_of_contact_name: Option<String>,
    point_of_contact_phone: Option<String>,
    whatsapp_phone_number_id: Option<String>,
    whatsapp_business_account_id: Option<String>,
    whatsapp_access_token: Option<String>,
    whatsapp_app_secret: Option<String>,
    whatsapp_token_expires_at: Option<DateTime<Utc>>,
    ai_provider: Option<String>,
    ai_api_key: Option<String>,
    ai_model: Option<String>,
    ai_base_url: Option<String>,
    is_active: bool,
    is_verified: bool,
    webhook_verify_token: String,
    webhook_url: Option<String>,
    metadata: Json<serde_json::Value>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    whatsapp_token_broken_at: Option<DateTime<Utc>>,
    config_version: i64,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn phone(v: Option<String>) -> Result<Option<PhoneNumber>> {
    v.map(|p| PhoneNumber::parse(&p).map_err(corrupt)).transpose()
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> Result<Self> {
        let sealed = |v: Option<String>| v.map(SealedSecret::from_stored);
        let ai_provider = match r.ai_provider {
            Some(p) => AiProvider::parse(&p).map_err(corrupt)?,
            None => None,
        };
        Ok(Tenant {
            id: TenantId(r.id),
            slug: Slug::parse(&r.slug).map_err(corrupt)?,
            profile: TenantProfile {
                client_name: r.client_name,
                client_phone: phone(r.client_phone)?,
                client_email: r.client_email,
                brand_id: r.brand_id,
                point_of_contact_name: r.point_of_contact_name,
                point_of_contact_phone: phone(r.point_of_contact_phone)?,
                whatsapp_phone_number_id: r.whatsapp_phone_number_id,
                whatsapp_business_account_id: r.whatsapp_business_account_id,
                whatsapp_token_expires_at: r.whatsapp_token_expires_at,
                ai_provider,
                ai_model: r.ai_model,
                ai_base_url: r.ai_base_url,
                is_active: r.is_active,
                is_verified: r.is_verified,
                webhook_verify_token: r.webhook_verify_token,
                webhook_url: r.webhook_url,
                metadata: r.metadata.0,
            },
            secrets: TenantSecrets {
                whatsapp_access_token: sealed(r.whatsapp_access_token),
                whatsapp_app_secret: sealed(r.whatsapp_app_secret),
                ai_api_key: sealed(r.ai_api_key),
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
            whatsapp_token_broken_at: r.whatsapp_token_broken_at,
            config_version: r.config_version,
        })
    }
}

/// Binds the profile and secrets in the column order of `columns!()` from `client_name` to
/// `metadata`. One macro so the insert and the update cannot bind in different orders.
macro_rules! bind_profile {
    ($query:expr, $p:expr, $s:expr) => {
        $query
            .bind(&$p.client_name)
            .bind($p.client_phone.as_ref().map(PhoneNumber::as_str))
            .bind(&$p.client_email)
            .bind($p.brand_id)
            .bind(&$p.point_of_contact_name)
            .bind($p.point_of_contact_phone.as_ref().map(PhoneNumber::as_str))
            .bind(&$p.whatsapp_phone_number_id)
            .bind(&$p.whatsapp_business_account_id)
            .bind($s.whatsapp_access_token.as_ref().map(SealedSecret::as_str))
            .bind($s.whatsapp_app_secret.as_ref().map(SealedSecret::as_str))
            .bind($p.whatsapp_token_expires_at)
            .bind($p.ai_provider.map(AiProvider::as_str))
            .bind($s.ai_api_key.as_ref().map(SealedSecret::as_str))
            .bind(&$p.ai_model)
            .bind(&$p.ai_base_url)
            .bind($p.is_active)
            .bind($p.is_verified)
            .bind(&$p.webhook_verify_token)
            .bind(&$p.webhook_url)
            .bind(Json(&$p.metadata))
    };
}

const INSERT: &str = "INSERT INTO bot_tenants (id, slug, client_name, client_phone, client_email, \
    brand_id, point_of_contact_name, point_of_contact_phone, whatsapp_phone_number_id, \
    whatsapp_business_account_id, whatsapp_access_token, whatsapp_app_secret, \
    whatsapp_token_expires_at, ai_provider, ai_api_key, ai_model, ai_base_url, is_active, \
    is_verified, webhook_verify_token, webhook_url, metadata, created_at, updated_at) \
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
    $19, $20, $21, $22, $23, $23)";

const UPDATE: &str = "UPDATE bot_tenants SET client_name = $2, client_phone = $3, \
    client_email = $4, brand_id = $5, point_of_contact_name = $6, point_of_contact_phone = $7, \
    whatsapp_phone_number_id = $8, whatsapp_business_account_id = $9, \
    whatsapp_access_token = $10, whatsapp_app_secret = $11, whatsapp_token_expires_at = $12, \
    ai_provider = $13, ai_api_key = $14, ai_model = $15, ai_base_url = $16, is_active = $17, \
    is_verified = $18, webhook_verify_token = $19, webhook_url = $20, metadata = $21, \
    updated_at = $22 WHERE id = $1";

/// Marks a change to a tenant's configuration, inside the transaction that makes it.
pub(crate) trait ConfigRows {
    async fn config_changed(&mut self, tenant: TenantId) -> Result<()>;
}

impl_for_engines!(impl ConfigRows {
    async fn config_changed(&mut self, tenant: TenantId) -> Result<()> {
        sqlx::query("UPDATE bot_tenants SET config_version = config_version + 1 WHERE id = $1")
            .bind(tenant.0)
            .execute(&mut *self)
            .await?;
        Ok(())
    }
});

impl Store {
    /// Creates a tenant with its settings row, its default template and an audit entry,
    /// all in one transaction.
    pub async fn create_tenant(&self, new: &NewTenant, actor: &str) -> Result<Tenant> {
        let at = now();
        let (p, s) = (&new.profile, &new.secrets);
        in_tx!(self, tenant = new.id, |tx| {
            let insert = sqlx::query(INSERT).bind(new.id.0).bind(new.slug.as_str());
            bind_profile!(insert, p, s).bind(at).execute(&mut *tx).await?;
            tx.insert_settings(new.id, &new.settings, at).await?;
            tx.upsert_template(new.id, &new.template, at).await?;
            let detail = serde_json::json!({ "slug": new.slug.as_str() });
            let event = AuditEvent::new(Some(new.id), actor, "tenant.create", detail);
            tx.insert_audit(&event).await?;
        });
        self.tenant_by_id(new.id).await
    }

    /// All tenants, by slug.
    pub async fn list_tenants(&self) -> Result<Vec<Tenant>> {
        const SQL: &str = concat!("SELECT ", columns!(), " FROM bot_tenants ORDER BY slug");
        let rows: Vec<TenantRow> = with_pool!(self, |pool| sqlx::query_as(SQL).fetch_all(pool).await?);
        rows.into_iter().map(Tenant::try_from).collect()
    }

    /// The tenant with this slug.
    pub async fn tenant_by_slug(&self, slug: &Slug) -> Result<Tenant> {
        const SQL: &str = concat!("SELECT ", columns!(), " FROM bot_tenants WHERE slug = $1");
        let row: TenantRow =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(slug.as_str()).fetch_one(pool).await?);
        row.try_into()
    }

    /// The tenant with this id.
    pub async fn tenant_by_id(&self, id: TenantId) -> Result<Tenant> {
        const SQL: &str = concat!("SELECT ", columns!(), " FROM bot_tenants WHERE id = $1");
        let row: TenantRow = with_pool!(self, |pool| sqlx::query_as(SQL).bind(id.0).fetch_one(pool).await?);
        row.try_into()
    }

    /// The tenant that owns a WhatsApp business number: how inbound messages are routed.
    pub async fn tenant_by_phone_number_id(&self, phone_number_id: &str) -> Result<Tenant> {
        const SQL: &str =
            concat!("SELECT ", columns!(), " FROM bot_tenants WHERE whatsapp_phone_number_id = $1");
        let row: TenantRow =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(phone_number_id).fetch_one(pool).await?);
        row.try_into()
    }
}

impl TenantScope<'_> {
    /// Replaces the tenant's profile and secrets (the slug never changes).
    pub async fn update(
        &self,
        profile: &TenantProfile,
        secrets: &TenantSecrets,
        actor: &str,
    ) -> Result<Tenant> {
        let (p, s, id) = (profile, secrets, self.tenant);
        in_tx!(self.store, tenant = id, |tx| {
            let update = bind_profile!(sqlx::query(UPDATE).bind(id.0), p, s).bind(now());
            if update.execute(&mut *tx).await?.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            tx.config_changed(id).await?;
            let detail = serde_json::json!({ "is_active": p.is_active });
            let event = AuditEvent::new(Some(id), actor, "tenant.update", detail);
            tx.insert_audit(&event).await?;
        });
        self.store.tenant_by_id(id).await
    }

    /// Records that Meta rejected the tenant's WhatsApp token (or, with `None`, that a new
    /// token replaced it), with an audit entry.
    pub async fn set_token_broken(&self, at: Option<DateTime<Utc>>, actor: &str) -> Result<()> {
        let id = self.tenant;
        in_tx!(self.store, tenant = id, |tx| {
            sqlx::query("UPDATE bot_tenants SET whatsapp_token_broken_at = $2 WHERE id = $1")
                .bind(id.0)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.config_changed(id).await?;
            let action =
                if at.is_some() { "alert.whatsapp_token_rejected" } else { "whatsapp_token.restored" };
            tx.insert_audit(&AuditEvent::new(Some(id), actor, action, serde_json::json!({}))).await?;
        });
        Ok(())
    }

    /// Deletes the tenant and, by cascade, every row it owns.
    pub async fn delete(&self, actor: &str) -> Result<()> {
        let id = self.tenant;
        in_tx!(self.store, tenant = id, |tx| {
            let done =
                sqlx::query("DELETE FROM bot_tenants WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            let event = AuditEvent::new(Some(id), actor, "tenant.delete", serde_json::json!({}));
            tx.insert_audit(&event).await?;
        });
        Ok(())
    }
}

impl TenantScope<'_> {
    /// Replaces one sealed credential (`column`: `whatsapp_access_token`,
    /// `whatsapp_app_secret` or `ai_api_key`) with its re-sealed form, only if it still holds
    /// `old` (a change made meanwhile wins). Audited; returns whether it was replaced.
    pub async fn reseal_secret(&self, column: &str, old: &SealedSecret, new: &SealedSecret) -> Result<bool> {
        let sql = match column {
            "whatsapp_access_token" => {
                "UPDATE bot_tenants SET whatsapp_access_token = $3 WHERE id = $1 AND whatsapp_access_token = $2"
            }
            "whatsapp_app_secret" => {
                "UPDATE bot_tenants SET whatsapp_app_secret = $3 WHERE id = $1 AND whatsapp_app_secret = $2"
            }
            "ai_api_key" => "UPDATE bot_tenants SET ai_api_key = $3 WHERE id = $1 AND ai_api_key = $2",
            _ => return Err(StoreError::Corrupt(format!("{column} is not a sealed column"))),
        };
        let id = self.tenant;
        let replaced = in_tx!(self.store, tenant = id, |tx| {
            let done =
                sqlx::query(sql).bind(id.0).bind(old.as_str()).bind(new.as_str()).execute(&mut *tx).await?;
            let replaced = done.rows_affected() == 1;
            if replaced {
                tx.config_changed(id).await?;
                let detail = serde_json::json!({ "field": column, "key_version": new.key_version().ok() });
                tx.insert_audit(&AuditEvent::new(Some(id), "keys rotate", "secret.reseal", detail)).await?;
            }
            replaced
        });
        Ok(replaced)
    }
}
