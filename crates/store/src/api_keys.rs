//! API keys: stored only as hashes; a tenant key reaches one tenant, a platform key all.

use crate::audit::{AuditEvent, AuditRows};
use crate::{Result, Store, StoreError, now};
use alphadome_core::{ApiKeyId, TenantId};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// What a key may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyScope {
    /// Every tenant.
    Platform,
    /// One tenant.
    Tenant(TenantId),
}

impl ApiKeyScope {
    fn tenant_column(self) -> Option<Uuid> {
        match self {
            Self::Platform => None,
            Self::Tenant(t) => Some(t.0),
        }
    }
}

/// A key to store. The key itself is never stored, only its hash.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Reach.
    pub scope: ApiKeyScope,
    /// Label.
    pub name: String,
    /// The first characters of the key, to recognise it in lists.
    pub key_prefix: String,
    /// SHA-256 of the key.
    pub key_hash: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key as stored (without its hash).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    /// Id.
    pub id: ApiKeyId,
    /// Reach.
    pub scope: ApiKeyScope,
    /// Label.
    pub name: String,
    /// First characters of the key.
    pub key_prefix: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last use.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revocation.
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    id: Uuid,
    bot_tenant_id: Option<Uuid>,
    name: String,
    key_prefix: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> Self {
        Self {
            id: ApiKeyId(r.id),
            scope: r.bot_tenant_id.map_or(ApiKeyScope::Platform, |t| ApiKeyScope::Tenant(TenantId(t))),
            name: r.name,
            key_prefix: r.key_prefix,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, bot_tenant_id, name, key_prefix, created_at, expires_at, last_used_at, ",
            "revoked_at FROM api_keys ",
            $rest
        )
    };
}

/// How often `last_used_at` is written at most, so busy keys do not write on every request.
const TOUCH_EVERY_SECONDS: i64 = 60;

impl Store {
    /// Stores a new key.
    pub async fn create_api_key(&self, key: &NewApiKey, actor: &str) -> Result<ApiKey> {
        in_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO api_keys (id, bot_tenant_id, name, key_prefix, key_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(key.id.0)
            .bind(key.scope.tenant_column())
            .bind(&key.name)
            .bind(&key.key_prefix)
            .bind(&key.key_hash)
            .bind(now())
            .bind(key.expires_at)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "id": key.id, "name": key.name, "prefix": key.key_prefix });
            let tenant = key.scope.tenant_column().map(TenantId);
            tx.insert_audit(&AuditEvent::new(tenant, actor, "api_key.create", detail)).await?;
        });
        self.api_key(key.id).await
    }

    /// One key by id.
    pub async fn api_key(&self, id: ApiKeyId) -> Result<ApiKey> {
        const SQL: &str = select!("WHERE id = $1");
        let row: ApiKeyRow = with_pool!(self, |pool| sqlx::query_as(SQL).bind(id.0).fetch_one(pool).await?);
        Ok(row.into())
    }

    /// The usable (unrevoked, unexpired) key with this hash, noting that it was used.
    pub async fn authenticate_api_key(&self, key_hash: &str) -> Result<ApiKey> {
        const SQL: &str =
            select!("WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)");
        const TOUCH: &str = "UPDATE api_keys SET last_used_at = $2 WHERE id = $1 \
             AND (last_used_at IS NULL OR last_used_at < $3)";
        let at = now();
        let row: ApiKeyRow =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(key_hash).bind(at).fetch_one(pool).await?);
        let stale = at - chrono::Duration::seconds(TOUCH_EVERY_SECONDS);
        with_writer!(self, |pool| sqlx::query(TOUCH)
            .bind(row.id)
            .bind(at)
            .bind(stale)
            .execute(pool)
            .await
            .map(drop)?);
        Ok(row.into())
    }

    /// Keys, newest first: all of them, or one tenant's.
    pub async fn list_api_keys(&self, tenant: Option<TenantId>) -> Result<Vec<ApiKey>> {
        const SQL: &str = select!("WHERE ($1 IS NULL OR bot_tenant_id = $1) ORDER BY created_at DESC");
        let rows: Vec<ApiKeyRow> =
            with_pool!(self, |pool| { sqlx::query_as(SQL).bind(tenant.map(|t| t.0)).fetch_all(pool).await? });
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    /// Revokes a key; it stops working at once.
    pub async fn revoke_api_key(&self, id: ApiKeyId, actor: &str) -> Result<ApiKey> {
        in_tx!(self, |tx| {
            let tenant: Option<Option<Uuid>> =
                sqlx::query_scalar("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING bot_tenant_id")
                    .bind(id.0)
                    .bind(now())
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(tenant) = tenant else { return Err(StoreError::NotFound) };
            let detail = serde_json::json!({ "id": id });
            tx.insert_audit(&AuditEvent::new(tenant.map(TenantId), actor, "api_key.revoke", detail)).await?;
        });
        self.api_key(id).await
    }
}
