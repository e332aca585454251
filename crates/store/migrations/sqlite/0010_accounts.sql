-- SQLite edition. Accounts of people who run the platform (platform admins) or one tenant (tenant admins),
-- and their login sessions. Not the customers: those are `users`. Looked up by email before any
-- tenant is known, so they sit beside the tenant tables, not under their row-level security; a
-- tenant admin's account names its one tenant.
CREATE TABLE accounts (
    id                 BLOB PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    password_hash      TEXT NOT NULL,
    is_platform_admin  INTEGER NOT NULL,
    bot_tenant_id      BLOB REFERENCES bot_tenants (id) ON DELETE CASCADE,
    failed_logins      INTEGER NOT NULL DEFAULT 0,
    locked_until       TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK ((is_platform_admin AND bot_tenant_id IS NULL) OR (NOT is_platform_admin AND bot_tenant_id IS NOT NULL))
);
CREATE INDEX accounts_tenant ON accounts (bot_tenant_id);

-- A session is known by the SHA-256 of its cookie value; the value itself is never stored.
CREATE TABLE account_sessions (
    token_hash   TEXT PRIMARY KEY,
    account_id   BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX account_sessions_account ON account_sessions (account_id);
