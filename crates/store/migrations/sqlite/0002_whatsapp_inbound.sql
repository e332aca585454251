-- SQLite edition (same tables and columns as the PostgreSQL tree). The WhatsApp inbound path: deduplicated messages, their processing jobs, delivery receipts
-- and deliveries that matched no tenant.

-- Meta delivers at least once: an inbound wamid is stored once per tenant.
CREATE UNIQUE INDEX bot_message_logs_inbound_wamid
    ON bot_message_logs (bot_tenant_id, whatsapp_message_id) WHERE direction = 'incoming';

-- Durable work, written in the same transaction as the data that caused it. Workers lease a
-- job (locked_until) rather than hold a lock; attempts past max_attempts make it dead.
CREATE TABLE jobs (
    id             BLOB NOT NULL,
    bot_tenant_id  BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL DEFAULT '{}',
    state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL DEFAULT 8,
    run_at         TEXT NOT NULL,
    locked_until   TEXT,
    last_error     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, id)
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- Each delivery receipt once per (message, status); the message log keeps the furthest state.
CREATE TABLE wa_status_events (
    bot_tenant_id        BLOB NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    whatsapp_message_id  TEXT NOT NULL,
    status               TEXT NOT NULL,
    error_code           INTEGER,
    error_title          TEXT,
    occurred_at          TEXT,
    received_at          TEXT NOT NULL,
    PRIMARY KEY (bot_tenant_id, whatsapp_message_id, status)
);

-- Deliveries for a business number no tenant owns: acknowledged, kept for the operator.
CREATE TABLE wa_unroutable (
    id               BLOB PRIMARY KEY,
    phone_number_id  TEXT NOT NULL,
    reason           TEXT NOT NULL,
    payload          TEXT NOT NULL,
    received_at      TEXT NOT NULL
);
CREATE INDEX wa_unroutable_time ON wa_unroutable (received_at);
