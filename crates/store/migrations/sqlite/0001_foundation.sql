-- Alphadome's foundation tables, SQLite edition: the same tables and columns as the
-- PostgreSQL tree (a test checks it), in SQLite's types: uuid as 16-byte BLOB, timestamps
-- as RFC 3339 TEXT in UTC, booleans as INTEGER 0/1, JSON as TEXT.
-- Tenant tables key on bot_tenant_id first, so the data can be distributed by tenant.

CREATE TABLE brands (
    id                 BLOB PRIMARY KEY,
    name               TEXT NOT NULL,
    is_platform_owner  INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

CREATE TABLE bot_tenants (
    id                            BLOB PRIMARY KEY,
    slug                          TEXT NOT NULL CONSTRAINT bot_tenants_slug_key UNIQUE,
    client_name                   TEXT NOT NULL,
    client_phone                  TEXT CONSTRAINT bot_tenants_client_phone_key UNIQUE,
    client_email                  TEXT,
    brand_id                      BLOB,
    point_of_contact_name         TEXT,
    point_of_contact_phone        TEXT,
    whatsapp_phone_number_id      TEXT CONSTRAINT bot_tenants_whatsapp_phone_number_id_key UNIQUE,
    whatsapp_business_account_id  TEXT,
    whatsapp_access_token         TEXT,
    whatsapp_app_secret           TEXT,
    whatsapp_token_expires_at     TEXT,
    ai_provider                   TEXT,
    ai_api_key                    TEXT,
    ai_model                      TEXT,
    ai_base_url                   TEXT,
    is_active                     INTEGER NOT NULL DEFAULT 0,
    is_verified                   INTEGER NOT NULL DEFAULT 0,
    webhook_verify_token          TEXT NOT NULL CONSTRAINT bot_tenants_webhook_verify_token_key UNIQUE,
    webhook_url                   TEXT,
    metadata                      TEXT NOT NULL DEFAULT '{}',
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT NOT NULL
);

CREATE TABLE bot_templates (
    id                    BLOB NOT NULL,
    bot_tenant_id         BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    template_name         TEXT NOT NULL,
    description           TEXT,
    system_prompt         TEXT NOT NULL DEFAULT '',
    conversation_context  TEXT NOT NULL DEFAULT '{}',
    tone                  TEXT NOT NULL DEFAULT 'friendly',
    max_response_length   INTEGER NOT NULL DEFAULT 600,
    is_active             INTEGER NOT NULL DEFAULT 1,
    is_default            INTEGER NOT NULL DEFAULT 0,
    metadata              TEXT NOT NULL DEFAULT '{}',
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, id),
    CONSTRAINT bot_templates_template_name_key UNIQUE (bot_tenant_id, template_name)
);
-- At most one default template per tenant, enforced by the database.
CREATE UNIQUE INDEX bot_templates_one_default ON bot_templates (bot_tenant_id) WHERE is_default = 1;

CREATE TABLE bot_training_data (
    id                BLOB NOT NULL,
    bot_tenant_id     BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    data_type         TEXT NOT NULL CHECK (data_type IN ('faq', 'canned_reply', 'example')),
    question          TEXT NOT NULL,
    answer            TEXT NOT NULL,
    category          TEXT,
    priority          INTEGER NOT NULL DEFAULT 0,
    confidence_score  REAL NOT NULL DEFAULT 1 CHECK (confidence_score BETWEEN 0 AND 1),
    is_active         INTEGER NOT NULL DEFAULT 1,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, id)
);
CREATE INDEX bot_training_data_tenant_order ON bot_training_data (bot_tenant_id, created_at, id);

CREATE TABLE bot_control_settings (
    bot_tenant_id                  BLOB PRIMARY KEY REFERENCES bot_tenants (id) ON DELETE CASCADE,
    id                             BLOB NOT NULL,
    is_bot_enabled                 INTEGER NOT NULL DEFAULT 1,
    max_messages_per_hour          INTEGER NOT NULL DEFAULT 1000,
    max_messages_per_user_per_day  INTEGER NOT NULL DEFAULT 100,
    enable_ai_responses            INTEGER NOT NULL DEFAULT 0,
    enable_payment_flow            INTEGER NOT NULL DEFAULT 0,
    enable_training_mode           INTEGER NOT NULL DEFAULT 0,
    enable_auto_reply              INTEGER NOT NULL DEFAULT 1,
    log_conversations              INTEGER NOT NULL DEFAULT 1,
    log_errors                     INTEGER NOT NULL DEFAULT 1,
    escalation_phone               TEXT,
    escalation_email               TEXT,
    metadata                       TEXT NOT NULL DEFAULT '{}',
    created_at                     TEXT NOT NULL,
    updated_at                     TEXT NOT NULL
);

-- The shared contact registry: one row per customer phone, across tenants.
CREATE TABLE users (
    id                  BLOB PRIMARY KEY,
    phone               TEXT NOT NULL CONSTRAINT users_phone_key UNIQUE,
    full_name           TEXT,
    subscribed          INTEGER NOT NULL DEFAULT 0,
    subscription_type   TEXT,
    subscription_level  INTEGER,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE TABLE bot_message_logs (
    id                   BLOB NOT NULL,
    bot_tenant_id        BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    user_phone           TEXT,
    user_id              BLOB,
    direction            TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    message_text         TEXT,
    whatsapp_message_id  TEXT,
    ai_processed         INTEGER NOT NULL DEFAULT 0,
    ai_response          TEXT,
    error_message        TEXT,
    template_used        TEXT,
    training_data_id     BLOB,
    status               TEXT CHECK (status IN ('received', 'pending', 'sent', 'delivered', 'read', 'played', 'failed')),
    metadata             TEXT NOT NULL DEFAULT '{}',
    created_at           TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, id)
);
CREATE INDEX bot_message_logs_tenant_time ON bot_message_logs (bot_tenant_id, created_at);
CREATE INDEX bot_message_logs_tenant_wamid ON bot_message_logs (bot_tenant_id, whatsapp_message_id);

-- Conversation state per tenant and customer (never per phone alone).
CREATE TABLE user_sessions (
    bot_tenant_id    BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    phone            TEXT NOT NULL,
    context          TEXT NOT NULL DEFAULT '{}',
    last_inbound_at  TEXT,
    handoff_state    TEXT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, phone)
);

CREATE TABLE subscriptions (
    id                         BLOB NOT NULL,
    bot_tenant_id              BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    user_id                    BLOB,
    phone                      TEXT NOT NULL,
    amount                     INTEGER NOT NULL,
    plan_type                  TEXT NOT NULL CHECK (plan_type IN ('monthly', 'one')),
    level                      INTEGER,
    status                     TEXT NOT NULL CHECK (status IN ('pending', 'subscribed', 'failed')),
    mpesa_checkout_request_id  TEXT,
    account_ref                TEXT,
    metadata                   TEXT NOT NULL DEFAULT '{}',
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, id),
    CONSTRAINT subscriptions_checkout_key UNIQUE (bot_tenant_id, mpesa_checkout_request_id)
);

-- API keys: tenant keys (bot_tenant_id set) see one tenant; platform keys (NULL) see all.
CREATE TABLE api_keys (
    id             BLOB PRIMARY KEY,
    bot_tenant_id  BLOB REFERENCES bot_tenants (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    key_prefix     TEXT NOT NULL,
    key_hash       TEXT NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
    created_at     TEXT NOT NULL,
    expires_at     TEXT,
    last_used_at   TEXT,
    revoked_at     TEXT
);
CREATE INDEX api_keys_tenant ON api_keys (bot_tenant_id);

-- Who did what, when. Platform events have no tenant.
CREATE TABLE audit_log (
    id             BLOB PRIMARY KEY,
    bot_tenant_id  BLOB,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_time ON audit_log (bot_tenant_id, created_at);
