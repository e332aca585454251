-- SQLite edition. AI answers: a monthly token budget per tenant, and every call's token usage.

ALTER TABLE bot_control_settings ADD COLUMN ai_monthly_token_budget INTEGER NOT NULL DEFAULT 200000;

-- One row per call to a tenant's AI model: what it cost, for the budget and the dashboard.
CREATE TABLE ai_usage (
    id                 BLOB PRIMARY KEY,
    bot_tenant_id      BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    model              TEXT NOT NULL,
    prompt_tokens      INTEGER NOT NULL,
    completion_tokens  INTEGER NOT NULL,
    outcome            TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX ai_usage_tenant_time ON ai_usage (bot_tenant_id, created_at);
