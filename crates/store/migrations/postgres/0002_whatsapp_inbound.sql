-- The WhatsApp inbound path: deduplicated messages, their processing jobs, delivery receipts
-- and deliveries that matched no tenant.

-- Meta delivers at least once: an inbound wamid is stored once per tenant.
CREATE UNIQUE INDEX bot_message_logs_inbound_wamid
    ON bot_message_logs (bot_tenant_id, whatsapp_message_id) WHERE direction = 'incoming';

-- Durable work, written in the same transaction as the data that caused it. Workers lease a
-- job (locked_until) rather than hold a lock; attempts past max_attempts make it dead.
CREATE TABLE jobs (
    id             uuid NOT NULL,
    bot_tenant_id  uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    kind           text NOT NULL,
    payload        jsonb NOT NULL DEFAULT '{}',
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    attempts       integer NOT NULL DEFAULT 0,
    max_attempts   integer NOT NULL DEFAULT 8,
    run_at         timestamptz NOT NULL,
    locked_until   timestamptz,
    last_error     text,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, id)
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Each delivery receipt once per (message, status); the message log keeps the furthest state.
CREATE TABLE wa_status_events (
    bot_tenant_id        uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    whatsapp_message_id  text NOT NULL,
    status               text NOT NULL,
    error_code           integer,
    error_title          text,
    occurred_at          timestamptz,
    received_at          timestamptz NOT NULL,
    PRIMARY KEY (bot_tenant_id, whatsapp_message_id, status)
);

-- Deliveries for a business number no tenant owns: acknowledged, kept for the operator.
CREATE TABLE wa_unroutable (
    id               uuid PRIMARY KEY,
    phone_number_id  text NOT NULL,
    reason           text NOT NULL,
    payload          jsonb NOT NULL,
    received_at      timestamptz NOT NULL
);
CREATE INDEX wa_unroutable_time ON wa_unroutable (received_at);
