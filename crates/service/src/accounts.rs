//! Accounts of the people who run the platform or one tenant: passwords hashed with
//! Argon2id, logins throttled per account and per address, sessions known only by the hash
//! of their cookie value.

use crate::error::StoreResultExt;
use crate::{Principal, Result, ServiceError, Services};
use alphadome_core::{TenantId, ValidationError};
use alphadome_crypto::{ExposeSecret, SecretString};
use alphadome_store::{Account, ApiKeyScope, AuditEvent, StoreError};
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// How long a session lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(12);
/// Failed logins in a row after which an account is locked for [`LOCKOUT`].
pub const LOCK_AFTER: i32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: Duration = Duration::minutes(15);
/// Failed logins from one address within [`ADDRESS_WINDOW`] after which it is refused.
pub const ADDRESS_LIMIT: usize = 20;
/// The window of [`ADDRESS_LIMIT`].
pub const ADDRESS_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// An account as shown (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AccountOut {
    /// Id.
    pub id: uuid::Uuid,
    /// Login name.
    pub email: String,
    /// `platform_admin` or `tenant_admin`.
    pub role: &'static str,
    /// The tenant a tenant admin runs.
    pub tenant_id: Option<uuid::Uuid>,
}

impl From<&Account> for AccountOut {
    fn from(a: &Account) -> Self {
        let role = if a.is_platform_admin { "platform_admin" } else { "tenant_admin" };
        Self { id: a.id, email: a.email.clone(), role, tenant_id: a.bot_tenant_id }
    }
}

/// A new session: the cookie value is shown this once.
#[derive(Debug)]
pub struct Session {
    /// The cookie value.
    pub token: SecretString,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// Whose it is.
    pub account: AccountOut,
}

/// Recent failed logins per client address (in this process).
#[derive(Debug, Clone, Default)]
pub(crate) struct LoginThrottle(Arc<Mutex<HashMap<String, VecDeque<Instant>>>>);

impl LoginThrottle {
    fn recent(&self, address: &str) -> usize {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let failures = map.entry(address.to_owned()).or_default();
        while failures.front().is_some_and(|at| at.elapsed() > ADDRESS_WINDOW) {
            failures.pop_front();
        }
        failures.len()
    }

    fn failed(&self, address: &str) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(address.to_owned())
            .or_default()
            .push_back(Instant::now());
    }
}

fn refused() -> ServiceError {
    ServiceError::Forbidden("wrong email or password")
}

fn check_password(password: &SecretString) -> Result<()> {
    let n = password.expose_secret().chars().count();
    if !(12..=1024).contains(&n) {
        return Err(ValidationError::new("password", "must be 12 to 1024 characters").into());
    }
    Ok(())
}

/// Argon2id is deliberately slow: run it off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

impl Services {
    /// Creates an account: a platform admin (`tenant` `None`) or an admin of one tenant.
    pub async fn create_account(
        &self,
        email: &str,
        password: SecretString,
        tenant: Option<TenantId>,
        actor: &str,
    ) -> Result<AccountOut> {
        let email = alphadome_core::tenant::parse_email("email", email)?
            .ok_or_else(|| ValidationError::new("email", "is required"))?
            .to_lowercase();
        check_password(&password)?;
        let hash = blocking(move || alphadome_crypto::hash_password(&password)).await;
        let account = self.store.create_account(&email, &hash, tenant).await.or_missing("account")?;
        let detail = serde_json::json!({ "email": email, "platform_admin": tenant.is_none() });
        self.store
            .record_event(&AuditEvent::new(tenant, actor, "account.create", detail))
            .await
            .or_missing("audit")?;
        Ok(AccountOut::from(&account))
    }

    /// Logs in: a session when the email and password match and neither the account nor
    /// the client's address is locked out. Every outcome is audited.
    pub async fn login(&self, email: &str, password: SecretString, address: &str) -> Result<Session> {
        if self.throttle.recent(address) >= ADDRESS_LIMIT {
            return Err(ServiceError::Forbidden("too many failed logins from this address; try again later"));
        }
        let email = email.trim().to_lowercase();
        let account = self.store.account_by_email(&email).await.or_missing("account")?;
        let stored = account.as_ref().map(|a| a.password_hash.clone());
        // An unknown email costs the same time as a wrong password.
        let matches = blocking(move || match stored {
            Some(hash) => alphadome_crypto::verify_password(&hash, &password),
            None => {
                let _ = alphadome_crypto::hash_password(&password);
                false
            }
        })
        .await;
        let Some(account) = account else {
            self.throttle.failed(address);
            return Err(refused());
        };
        let tenant = account.tenant();
        if account.locked_until.is_some_and(|until| until > Utc::now()) {
            self.audit_login(tenant, &email, "account.login_locked", address).await?;
            return Err(ServiceError::Forbidden(
                "this account is locked after too many failed logins; try again later",
            ));
        }
        if !matches {
            self.throttle.failed(address);
            self.store
                .login_failed(account.id, LOCK_AFTER, Utc::now() + LOCKOUT)
                .await
                .or_missing("account")?;
            self.audit_login(tenant, &email, "account.login_failed", address).await?;
            return Err(refused());
        }
        let token = format!("ads_{}", alphadome_crypto::random_token::<32>());
        let expires_at = Utc::now() + SESSION_LIFETIME;
        let hash = alphadome_crypto::hash_api_key(&token);
        self.store.start_session(account.id, &hash, expires_at).await.or_missing("account")?;
        self.audit_login(tenant, &email, "account.login", address).await?;
        Ok(Session { token: SecretString::from(token), expires_at, account: AccountOut::from(&account) })
    }

    async fn audit_login(
        &self,
        tenant: Option<TenantId>,
        email: &str,
        action: &'static str,
        address: &str,
    ) -> Result<()> {
        let detail = serde_json::json!({ "address": address });
        let event = AuditEvent::new(tenant, &format!("account:{email}"), action, detail);
        self.store.record_event(&event).await.or_missing("audit")
    }

    /// Who a session cookie belongs to, while it lasts.
    pub async fn session(&self, token: &str) -> Result<Option<(AccountOut, Principal)>> {
        let hash = alphadome_crypto::hash_api_key(token);
        let Some(account) = self.store.session_account(&hash).await.or_missing("account")? else {
            return Ok(None);
        };
        let scope = match account.tenant() {
            Some(tenant) => ApiKeyScope::Tenant(tenant),
            None => ApiKeyScope::Platform,
        };
        let principal = Principal { scope, actor: format!("account:{}", account.email) };
        Ok(Some((AccountOut::from(&account), principal)))
    }

    /// Ends a session (logout); an unknown or ended one is fine.
    pub async fn logout(&self, token: &str) -> Result<()> {
        match self.store.end_session(&alphadome_crypto::hash_api_key(token)).await {
            Ok(()) | Err(StoreError::NotFound) => Ok(()),
            Err(e) => Err(ServiceError::from_store(e, "session")),
        }
    }
}
