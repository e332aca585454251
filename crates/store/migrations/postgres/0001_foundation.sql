-- Alphadome's foundation tables. Everything is created in the configured schema (the
-- connection's search_path), never in public, so an existing database is left as it was.
-- Tenant tables key on bot_tenant_id first, so the data can be distributed by tenant.

CREATE TABLE brands (
    id                 uuid PRIMARY KEY,
    name               text NOT NULL,
    is_platform_owner  boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE bot_tenants (
    id                            uuid PRIMARY KEY,
    slug                          text NOT NULL CONSTRAINT bot_tenants_slug_key UNIQUE,
    client_name                   text NOT NULL,
    client_phone                  text CONSTRAINT bot_tenants_client_phone_key UNIQUE,
    client_email                  text,
    brand_id                      uuid,
    point_of_contact_name         text,
    point_of_contact_phone        text,
    whatsapp_phone_number_id      text CONSTRAINT bot_tenants_whatsapp_phone_number_id_key UNIQUE,
    whatsapp_business_account_id  text,
    whatsapp_access_token         text,
    whatsapp_app_secret           text,
    whatsapp_token_expires_at     timestamptz,
    ai_provider                   text,
    ai_api_key                    text,
    ai_model                      text,
    ai_base_url                   text,
    is_active                     boolean NOT NULL DEFAULT false,
    is_verified                   boolean NOT NULL DEFAULT false,
    webhook_verify_token          text NOT NULL CONSTRAINT bot_tenants_webhook_verify_token_key UNIQUE,
    webhook_url                   text,
    metadata                      jsonb NOT NULL DEFAULT '{}',
    created_at                    timestamptz NOT NULL,
    updated_at                    timestamptz NOT NULL
);

CREATE TABLE bot_templates (
    id                    uuid NOT NULL,
    bot_tenant_id         uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    template_name         text NOT NULL,
    description           text,
    system_prompt         text NOT NULL DEFAULT '',
    conversation_context  jsonb NOT NULL DEFAULT '{}',
    tone                  text NOT NULL DEFAULT 'friendly',
    max_response_length   integer NOT NULL DEFAULT 600,
    is_active             boolean NOT NULL DEFAULT true,
    is_default            boolean NOT NULL DEFAULT false,
    metadata              jsonb NOT NULL DEFAULT '{}',
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, id),
    CONSTRAINT bot_templates_template_name_key UNIQUE (bot_tenant_id, template_name)
);
-- At most one default template per tenant, enforced by the database.
CREATE UNIQUE INDEX bot_templates_one_default ON bot_templates (bot_tenant_id) WHERE is_default;

CREATE TABLE bot_training_data (
    id                uuid NOT NULL,
    bot_tenant_id     uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    data_type         text NOT NULL CHECK (data_type IN ('faq', 'canned_reply', 'example')),
    question          text NOT NULL,
    answer            text NOT NULL,
    category          text,
    priority          integer NOT NULL DEFAULT 0,
    confidence_score  double precision NOT NULL DEFAULT 1 CHECK (confidence_score BETWEEN 0 AND 1),
    is_active         boolean NOT NULL DEFAULT true,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, id)
);
CREATE INDEX bot_training_data_tenant_order ON bot_training_data (bot_tenant_id, created_at, id);

CREATE TABLE bot_control_settings (
    bot_tenant_id                  uuid PRIMARY KEY REFERENCES bot_tenants (id) ON DELETE CASCADE,
    id                             uuid NOT NULL,
    is_bot_enabled                 boolean NOT NULL DEFAULT true,
    max_messages_per_hour          integer NOT NULL DEFAULT 1000,
    max_messages_per_user_per_day  integer NOT NULL DEFAULT 100,
    enable_ai_responses            boolean NOT NULL DEFAULT false,
    enable_payment_flow            boolean NOT NULL DEFAULT false,
    enable_training_mode           boolean NOT NULL DEFAULT false,
    enable_auto_reply              boolean NOT NULL DEFAULT true,
    log_conversations              boolean NOT NULL DEFAULT true,
    log_errors                     boolean NOT NULL DEFAULT true,
    escalation_phone               text,
    escalation_email               text,
    metadata                       jsonb NOT NULL DEFAULT '{}',
    created_at                     timestamptz NOT NULL,
    updated_at                     timestamptz NOT NULL
);

-- The shared contact registry: one row per customer phone, across tenants.
CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    phone               text NOT NULL CONSTRAINT users_phone_key UNIQUE,
    full_name           text,
    subscribed          boolean NOT NULL DEFAULT false,
    subscription_type   text,
    subscription_level  integer,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE TABLE bot_message_logs (
    id                   uuid NOT NULL,
    bot_tenant_id        uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    user_phone           text,
    user_id              uuid,
    direction            text NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    message_text         text,
    whatsapp_message_id  text,
    ai_processed         boolean NOT NULL DEFAULT false,
    ai_response          text,
    error_message        text,
    template_used        text,
    training_data_id     uuid,
    status               text CHECK (status IN ('received', 'pending', 'sent', 'delivered', 'read', 'played', 'failed')),
    metadata             jsonb NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, id)
);
CREATE INDEX bot_message_logs_tenant_time ON bot_message_logs (bot_tenant_id, created_at);
CREATE INDEX bot_message_logs_tenant_wamid ON bot_message_logs (bot_tenant_id, whatsapp_message_id);

-- Conversation state per tenant and customer (never per phone alone).
CREATE TABLE user_sessions (
    bot_tenant_id    uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    phone            text NOT NULL,
    context          jsonb NOT NULL DEFAULT '{}',
    last_inbound_at  timestamptz,
    handoff_state    text,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, phone)
);

CREATE TABLE subscriptions (
    id                         uuid NOT NULL,
    bot_tenant_id              uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    user_id                    uuid,
    phone                      text NOT NULL,
    amount                     integer NOT NULL,
    plan_type                  text NOT NULL CHECK (plan_type IN ('monthly', 'one')),
    level                      integer,
    status                     text NOT NULL CHECK (status IN ('pending', 'subscribed', 'failed')),
    mpesa_checkout_request_id  text,
    account_ref                text,
    metadata                   jsonb NOT NULL DEFAULT '{}',
    created_at                 timestamptz NOT NULL,
    updated_at                 timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, id),
    CONSTRAINT subscriptions_checkout_key UNIQUE (bot_tenant_id, mpesa_checkout_request_id)
);

-- API keys: tenant keys (bot_tenant_id set) see one tenant; platform keys (NULL) see all.
CREATE TABLE api_keys (
    id             uuid PRIMARY KEY,
    bot_tenant_id  uuid REFERENCES bot_tenants (id) ON DELETE CASCADE,
    name           text NOT NULL,
    key_prefix     text NOT NULL,
    key_hash       text NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz,
    last_used_at   timestamptz,
    revoked_at     timestamptz
);
CREATE INDEX api_keys_tenant ON api_keys (bot_tenant_id);

-- Who did what, when. Platform events have no tenant.
CREATE TABLE audit_log (
    id             uuid PRIMARY KEY,
    bot_tenant_id  uuid,
    actor          text NOT NULL,
    action         text NOT NULL,
    detail         jsonb NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL
);
CREATE INDEX audit_log_tenant_time ON audit_log (bot_tenant_id, created_at);
