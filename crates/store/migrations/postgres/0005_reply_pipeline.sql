-- The reply pipeline: cache versions, per-customer ordering, and sends whose outcome a crash
-- may have hidden.

-- Bumped by every change to a tenant's profile, settings, templates or training, in the same
-- transaction: a worker compares it with its cached copy and reloads only when it moved.
ALTER TABLE bot_tenants ADD COLUMN config_version BIGINT NOT NULL DEFAULT 0;

-- The customer a job answers: one customer's jobs run one at a time, oldest first.
ALTER TABLE jobs ADD COLUMN subject TEXT;
-- Set just before the reply is handed to Meta. A job found pending with this set was cut
-- off mid-send: its outcome is reconciled from status webhooks before any new attempt.
ALTER TABLE jobs ADD COLUMN send_started_at TIMESTAMPTZ;
-- The reply being sent (JSON), so a send cut off by a crash can still be logged once Meta's
-- receipts show it went out.
ALTER TABLE jobs ADD COLUMN pending_reply TEXT;
CREATE INDEX jobs_subject ON jobs (bot_tenant_id, subject, state, created_at);

-- `biz_opaque_callback_data` of the send (the job id), echoed by Meta in each receipt.
ALTER TABLE wa_status_events ADD COLUMN callback_data TEXT;
CREATE INDEX wa_status_events_callback ON wa_status_events (bot_tenant_id, callback_data);

-- Counting a tenant's recent replies (message limits) reads only outgoing rows.
CREATE INDEX bot_message_logs_tenant_direction_time
    ON bot_message_logs (bot_tenant_id, direction, created_at);
-- Counting one customer's replies today (per-customer daily limit).
CREATE INDEX bot_message_logs_tenant_customer_time
    ON bot_message_logs (bot_tenant_id, user_phone, created_at);
