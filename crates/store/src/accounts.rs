//! Accounts (platform and tenant admins) and their login sessions. Platform-level: an
//! account is found by email before any tenant is known.

use crate::{Result, Store, StoreError, now};
use alphadome_core::TenantId;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An account as stored (the password only as its Argon2id hash).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Account {
    /// Id.
    pub id: Uuid,
    /// Login name, lowercase.
    pub email: String,
    /// PHC string of the password's hash.
    pub password_hash: String,
    /// Runs the whole platform.
    pub is_platform_admin: bool,
    /// The one tenant a tenant admin runs.
    pub bot_tenant_id: Option<Uuid>,
    /// Failed logins since the last success.
    pub failed_logins: i32,
    /// Logins refused until then (too many failures).
    pub locked_until: Option<DateTime<Utc>>,
    /// The sealed TOTP secret, once set up.
    pub totp_secret: Option<String>,
    /// Whether logins need the second factor (set up and confirmed).
    pub totp_enabled: bool,
    /// The last TOTP time step accepted (each code works once).
    pub totp_last_step: Option<i64>,
    /// SHA-256 hashes of the unused recovery codes (JSON array).
    pub recovery_codes: String,
}

impl Account {
    /// The tenant a tenant admin runs (`None` for a platform admin).
    pub fn tenant(&self) -> Option<TenantId> {
        self.bot_tenant_id.map(TenantId)
    }
}

const COLUMNS: &str = "id, email, password_hash, is_platform_admin, bot_tenant_id, failed_logins, locked_until, \
     totp_secret, totp_enabled, totp_last_step, recovery_codes";

impl Store {
    /// Creates an account (`tenant` `None`: a platform admin).
    pub async fn create_account(
        &self,
        email: &str,
        password_hash: &str,
        tenant: Option<TenantId>,
    ) -> Result<Account> {
        const SQL: &str = "INSERT INTO accounts (id, email, password_hash, is_platform_admin, bot_tenant_id, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";
        let (id, at) = (Uuid::new_v4(), now());
        in_tx!(self, |tx| {
            sqlx::query(SQL)
                .bind(id)
                .bind(email)
                .bind(password_hash)
                .bind(tenant.is_none())
                .bind(tenant.map(|t| t.0))
                .bind(at)
                .execute(&mut *tx)
                .await?;
        });
        self.account_by_email(email).await?.ok_or(StoreError::NotFound)
    }

    /// The account with this email, if any.
    pub async fn account_by_email(&self, email: &str) -> Result<Option<Account>> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE email = $1");
        let row = with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(email)
            .fetch_optional(pool)
            .await?);
        Ok(row)
    }

    /// Records a failed login; at `lock_after` failures in a row the account is locked until
    /// `locked_until`.
    pub async fn login_failed(&self, id: Uuid, lock_after: i32, locked_until: DateTime<Utc>) -> Result<()> {
        const SQL: &str = "UPDATE accounts SET failed_logins = failed_logins + 1, \
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END, updated_at = $4 \
             WHERE id = $1";
        with_writer!(self, |pool| sqlx::query(SQL)
            .bind(id)
            .bind(lock_after)
            .bind(locked_until)
            .bind(now())
            .execute(pool)
            .await
            .map(drop)?);
        Ok(())
    }

    /// Starts a session for a successful login (and clears the failure count).
    pub async fn start_session(
        &self,
        account: Uuid,
        token_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let at = now();
        in_tx!(self, |tx| {
            sqlx::query(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $1",
            )
            .bind(account)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO account_sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(account)
            .bind(at)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The account of a live (unexpired) session.
    pub async fn session_account(&self, token_hash: &str) -> Result<Option<Account>> {
        const SQL: &str = "SELECT a.id, a.email, a.password_hash, a.is_platform_admin, a.bot_tenant_id, \
             a.failed_logins, a.locked_until, a.totp_secret, a.totp_enabled, a.totp_last_step, a.recovery_codes \
             FROM account_sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2";
        let row = with_pool!(self, |pool| sqlx::query_as(SQL)
            .bind(token_hash)
            .bind(now())
            .fetch_optional(pool)
            .await?);
        Ok(row)
    }

    /// Ends a session (logout).
    pub async fn end_session(&self, token_hash: &str) -> Result<()> {
        with_writer!(self, |pool| sqlx::query("DELETE FROM account_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(drop)?);
        Ok(())
    }
}

impl Store {
    /// Stores a new, unconfirmed second factor (replacing any earlier one).
    pub async fn set_totp(&self, account: Uuid, sealed_secret: &str, recovery_hashes: &str) -> Result<()> {
        const SQL: &str = "UPDATE accounts SET totp_secret = $2, totp_enabled = false, totp_last_step = NULL, \
             recovery_codes = $3, updated_at = $4 WHERE id = $1";
        with_writer!(self, |pool| sqlx::query(SQL)
            .bind(account)
            .bind(sealed_secret)
            .bind(recovery_hashes)
            .bind(now())
            .execute(pool)
            .await
            .map(drop)?);
        Ok(())
    }

    /// Records a second-factor use: the TOTP step accepted (only if later than the last, so a
    /// code cannot be replayed), or the remaining recovery codes; with `enable`, turns the
    /// factor on. Returns whether it was recorded.
    pub async fn use_second_factor(
        &self,
        account: Uuid,
        step: Option<i64>,
        recovery_hashes: Option<&str>,
        enable: bool,
    ) -> Result<bool> {
        const SQL: &str = "UPDATE accounts SET totp_last_step = COALESCE($2, totp_last_step), \
             recovery_codes = COALESCE($3, recovery_codes), totp_enabled = (totp_enabled OR $4), updated_at = $5 \
             WHERE id = $1 AND ($2 IS NULL OR totp_last_step IS NULL OR totp_last_step < $2)";
        let done = with_writer!(self, |pool| sqlx::query(SQL)
            .bind(account)
            .bind(step)
            .bind(recovery_hashes)
            .bind(enable)
            .bind(now())
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// An account by id.
    pub async fn account(&self, id: Uuid) -> Result<Account> {
        let sql = format!("SELECT {COLUMNS} FROM accounts WHERE id = $1");
        let row = with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(pool)
            .await?);
        Ok(row)
    }
}
