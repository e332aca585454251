-- The message path's four steps as routines, one call each.
--
-- Each step used to be a transaction of three round trips (BEGIN with the tenant binding,
-- the statement, COMMIT). Called as one statement, a routine runs in that statement's own
-- transaction: it binds the transaction to the tenant first (transaction-local, exactly as
-- BEGIN did, so row-level security applies to everything after it and a pooler sees no
-- session state), then runs the step. One round trip instead of three: on a two-core machine
-- the trips, not the statements, were most of PostgreSQL's work per message
-- (docs/BENCHMARKS.md).
--
-- The SQLite editions of the same steps are in crates/store/src (inbound.rs, replies.rs);
-- the two are changed together and the conformance tests run on both. Parameters are
-- positional, in the order the Rust code binds them.

-- TenantScope::record_inbound: the customer, the log row (once per wamid), its job and the
-- customer's session, written together; true when the job was queued (a new message).
CREATE FUNCTION alphadome_record_inbound(
    uuid, text, text, timestamptz, uuid, uuid, text, text, jsonb, uuid, text, jsonb, text, timestamptz
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    queued_one boolean;
BEGIN
    PERFORM set_config('alphadome.tenant_id', $6::text, true);
    WITH customer AS (
        INSERT INTO users (id, phone, full_name, created_at, updated_at)
        SELECT $1, $2, $3, $4, $4 WHERE $2 <> ''
        ON CONFLICT (phone) DO UPDATE SET full_name = COALESCE(excluded.full_name, users.full_name),
            updated_at = excluded.updated_at
        RETURNING id),
    logged AS (
        INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, user_id, direction, message_text,
            whatsapp_message_id, status, metadata, created_at)
        VALUES ($5, $6, $2, (SELECT id FROM customer), 'incoming', $7, $8, 'received', $9, $4)
        ON CONFLICT (bot_tenant_id, whatsapp_message_id) WHERE direction = 'incoming' DO NOTHING
        RETURNING id),
    queued AS (
        INSERT INTO jobs (id, bot_tenant_id, kind, payload, subject, run_at, created_at, updated_at)
        SELECT $10, $6, $11, $12, $13, $4, $4, $4 FROM logged
        RETURNING id),
    session AS (
        INSERT INTO user_sessions (bot_tenant_id, phone, last_inbound_at, updated_at)
        SELECT $6, $13, $14, $4 FROM logged WHERE $13 IS NOT NULL
        ON CONFLICT (bot_tenant_id, phone) DO UPDATE SET
            last_inbound_at = GREATEST(user_sessions.last_inbound_at, excluded.last_inbound_at),
            updated_at = excluded.updated_at)
    SELECT EXISTS (SELECT 1 FROM queued) INTO queued_one;
    RETURN queued_one;
END $$;

-- TenantScope::customer_standing ($1 tenant, $2 the day's start, $3 the first minute of
-- the hour, $4 the daily cap, $5 the customer).
CREATE FUNCTION alphadome_customer_standing(uuid, timestamptz, bigint, bigint, text)
RETURNS TABLE (handoff_since timestamptz, tenant_last_hour bigint, customer_last_day bigint,
    last_notice timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('alphadome.tenant_id', $1::text, true);
    RETURN QUERY SELECT
        (SELECT s.handoff_at FROM user_sessions s WHERE s.bot_tenant_id = $1 AND s.phone = $5
            AND s.handoff_state IS NOT NULL),
        (SELECT COALESCE(SUM(m.replies), 0)::bigint FROM reply_minutes m
            WHERE m.bot_tenant_id = $1 AND m.minute > $3),
        (SELECT COUNT(*) FROM (SELECT 1 FROM bot_message_logs l WHERE l.bot_tenant_id = $1
            AND l.user_phone = $5 AND l.created_at >= $2 AND l.direction = 'outgoing'
            AND l.status IN ('sent', 'delivered', 'read', 'played')
            AND COALESCE(l.template_used, '') <> 'rate_limit_notice' LIMIT $4) d),
        (SELECT MAX(l.created_at) FROM bot_message_logs l WHERE l.bot_tenant_id = $1
            AND l.user_phone = $5 AND l.created_at >= $2 AND l.direction = 'outgoing'
            AND l.template_used = 'rate_limit_notice');
END $$;

-- TenantScope::begin_send: marks the job's send as started, with the reply; true when the
-- job exists.
CREATE FUNCTION alphadome_begin_send(uuid, uuid, timestamptz, text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    marked_one boolean;
BEGIN
    PERFORM set_config('alphadome.tenant_id', $1::text, true);
    WITH marked AS (
        UPDATE jobs SET send_started_at = $3, pending_reply = $4, updated_at = $3
        WHERE bot_tenant_id = $1 AND id = $2
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM marked) INTO marked_one;
    RETURN marked_one;
END $$;

-- TenantScope::finish_reply: closes the job (only while it is pending, so a retried call
-- changes nothing), logs the reply with the furthest receipt that beat it, and counts it in
-- the tenant's minute; true when it was logged. The CASE is inbound.rs's status_rank.
--
-- Its commit does not wait for the WAL to reach disk (synchronous_commit off for this
-- transaction only). Should the database server crash before the flush (a fraction of a
-- second), the job is found as begin_send left it, durably: a send whose outcome is unknown,
-- settled from Meta's receipts and never sent blindly again. A crash of the service itself
-- loses nothing: the server has the commit.
CREATE FUNCTION alphadome_finish_reply(
    uuid, uuid, text, text, text, text, text, text, uuid, jsonb, timestamptz, uuid, text, text, bigint, bigint
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    logged_one boolean;
BEGIN
    PERFORM set_config('alphadome.tenant_id', $2::text, true);
    PERFORM set_config('synchronous_commit', 'off', true);
    WITH receipt AS (
        SELECT e.status, e.error_code, e.error_title FROM wa_status_events e
        WHERE e.bot_tenant_id = $2 AND e.whatsapp_message_id = $5
            AND (CASE e.status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3
                    WHEN 'played' THEN 4 WHEN 'failed' THEN 99 ELSE 0 END)
              > (CASE $6 WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3
                    WHEN 'played' THEN 4 WHEN 'failed' THEN 99 ELSE 0 END)
        ORDER BY (CASE e.status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3
                    WHEN 'played' THEN 4 WHEN 'failed' THEN 99 ELSE 0 END) DESC
        LIMIT 1),
    closed AS (
        UPDATE jobs SET state = $13, locked_until = NULL, last_error = COALESCE($14, last_error),
            send_started_at = NULL, pending_reply = NULL, updated_at = $11
        WHERE bot_tenant_id = $2 AND id = $12 AND state = 'pending'
        RETURNING id),
    logged AS (
        INSERT INTO bot_message_logs (id, bot_tenant_id, user_phone, direction, message_text,
            whatsapp_message_id, status, error_message, template_used, training_data_id, metadata, created_at)
        SELECT $1, $2, $3, 'outgoing', $4, $5, COALESCE(r.status, $6),
            COALESCE(r.error_code || ': ' || COALESCE(r.error_title, ''), $7), $8, $9, $10, $11
        FROM closed LEFT JOIN receipt r ON true
        RETURNING status, template_used),
    tally AS (
        INSERT INTO reply_minutes (bot_tenant_id, minute, replies)
        SELECT $2, $15, 1 FROM logged WHERE status IN ('sent', 'delivered', 'read', 'played')
            AND COALESCE(template_used, '') <> 'rate_limit_notice'
        ON CONFLICT (bot_tenant_id, minute) DO UPDATE SET replies = reply_minutes.replies + 1
        RETURNING replies),
    pruned AS (
        DELETE FROM reply_minutes WHERE bot_tenant_id = $2 AND minute < $16
            AND EXISTS (SELECT 1 FROM tally WHERE replies = 1))
    SELECT EXISTS (SELECT 1 FROM logged) INTO logged_one;
    RETURN logged_one;
END $$;
