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
    /// Whether logins need the authenticator code.
    pub totp_enabled: bool,
}

impl From<&Account> for AccountOut {
    fn from(a: &Account) -> Self {
        let role = if a.is_platform_admin { "platform_admin" } else { "tenant_admin" };
        Self {
            id: a.id,
            email: a.email.clone(),
            role,
            tenant_id: a.bot_tenant_id,
            totp_enabled: a.totp_enabled,
        }
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

/// Checks a new account's email and password without storing anything (a form that creates
/// a tenant and its admin together checks both before creating either).
pub fn check_new_account(email: &str, password: &SecretString) -> Result<()> {
    alphadome_core::tenant::parse_email("email", email)?
        .ok_or_else(|| ValidationError::new("email", "is required"))?;
    check_password(password)
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
    pub async fn login(
        &self,
        email: &str,
        password: SecretString,
        code: Option<&str>,
        address: &str,
    ) -> Result<Session> {
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
        if account.totp_enabled {
            let passed = match code {
                Some(code) => self.second_factor_ok(&account, code, false).await?,
                None => return Err(ServiceError::Forbidden("a code from the authenticator app is required")),
            };
            if !passed {
                self.throttle.failed(address);
                self.audit_login(tenant, &email, "account.login_failed", address).await?;
                return Err(ServiceError::Forbidden("the authenticator code is wrong or was already used"));
            }
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

/// A second factor being set up: shown once, to put into an authenticator app.
#[derive(Debug, serde::Serialize)]
pub struct TotpSetup {
    /// The secret, base32 (what the app asks for when typed in by hand).
    pub secret: String,
    /// The `otpauth://` URI (what a QR code would hold).
    pub otpauth_uri: String,
    /// Ten single-use recovery codes, for when the phone is lost. Shown this once.
    pub recovery_codes: Vec<String>,
}

/// Codes are six digits, every 30 seconds, SHA-1 (what every authenticator app supports);
/// one step of clock skew either way is accepted.
fn totp(secret: Vec<u8>) -> Result<totp_rs::Totp> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_skew(1)
        .build()
        .map_err(|e| ServiceError::Invalid(ValidationError::new("totp", e.to_string())))
}

fn recovery_hashes(codes: &[String]) -> String {
    let hashes: Vec<String> =
        codes.iter().map(|c| alphadome_crypto::hash_api_key(&normalise_code(c))).collect();
    serde_json::to_string(&hashes).unwrap_or_else(|_| "[]".into())
}

fn normalise_code(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase()
}

impl Services {
    /// Starts setting up the second factor for a logged-in account: a new secret and
    /// recovery codes. Logins need it once [`Services::confirm_totp`] accepts a first code.
    pub async fn setup_totp(&self, account: uuid::Uuid) -> Result<TotpSetup> {
        let row = self.store.account(account).await.or_missing("account")?;
        let bytes = alphadome_crypto::random_bytes::<20>().to_vec();
        let secret = totp(bytes)?.secret().to_base32();
        let sealed =
            self.keyring().seal(&SecretString::from(secret.clone()), &account.to_string(), "totp_secret");
        let recovery_codes: Vec<String> = (0..10)
            .map(|_| alphadome_crypto::random_token::<8>().to_lowercase().replace(['-', '_'], "x"))
            .collect();
        self.store
            .set_totp(account, sealed.as_str(), &recovery_hashes(&recovery_codes))
            .await
            .or_missing("account")?;
        let otpauth_uri = format!(
            "otpauth://totp/Alphadome:{}?secret={secret}&issuer=Alphadome&algorithm=SHA1&digits=6&period=30",
            row.email.replace('@', "%40")
        );
        self.store
            .record_event(&AuditEvent::new(
                row.tenant(),
                &format!("account:{}", row.email),
                "account.totp_setup",
                serde_json::json!({}),
            ))
            .await
            .or_missing("audit")?;
        Ok(TotpSetup { secret, otpauth_uri, recovery_codes })
    }

    /// Turns the second factor on once the first code from the app checks out.
    pub async fn confirm_totp(&self, account: uuid::Uuid, code: &str) -> Result<()> {
        let row = self.store.account(account).await.or_missing("account")?;
        if !self.second_factor_ok(&row, code, true).await? {
            return Err(ValidationError::new(
                "code",
                "does not match; check the phone's clock and try the next code",
            )
            .into());
        }
        Ok(())
    }

    /// Checks a TOTP code (or an unused recovery code, which is then used up) and records
    /// its use; `enable` turns the factor on.
    async fn second_factor_ok(&self, account: &Account, code: &str, enable: bool) -> Result<bool> {
        let Some(sealed) = &account.totp_secret else { return Ok(false) };
        let sealed = alphadome_crypto::SealedSecret::from_stored(sealed.clone());
        let Ok(secret) = self.keyring().open(&sealed, &account.id.to_string(), "totp_secret") else {
            tracing::error!(account.id = %account.id, "cannot open the TOTP secret");
            return Ok(false);
        };
        let bytes = totp_rs::Secret::try_from_base32(secret.expose_secret())
            .map_err(|e| ServiceError::Invalid(ValidationError::new("totp", e.to_string())))?;
        let checker = totp(bytes.as_bytes().to_vec())?;
        let code = code.trim();
        if let Some(step) = checker.check_current(code) {
            let step = i64::try_from(step).unwrap_or(i64::MAX);
            return self
                .store
                .use_second_factor(account.id, Some(step), None, enable)
                .await
                .or_missing("account");
        }
        let mut hashes: Vec<String> = serde_json::from_str(&account.recovery_codes).unwrap_or_default();
        let given = alphadome_crypto::hash_api_key(&normalise_code(code));
        let Some(i) = hashes.iter().position(|h| *h == given) else { return Ok(false) };
        hashes.remove(i);
        let remaining = serde_json::to_string(&hashes).unwrap_or_else(|_| "[]".into());
        self.store.use_second_factor(account.id, None, Some(&remaining), enable).await.or_missing("account")
    }
}
