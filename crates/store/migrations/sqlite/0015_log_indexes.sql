-- SQLite edition. Message-log indexes, fitted to the queries that use them.
--
-- The wamid lookup index holds only outgoing rows that have a wamid. A lookup by wamid
-- (`whatsapp_message_id = $n`) implies IS NOT NULL, so it still uses the index; the
-- message-limit counts (outgoing rows of one customer) no longer match it, so the planner
-- cannot pick it for them and scan every reply of the tenant instead of one customer's (seen
-- on PostgreSQL while its statistics dated from a small table).
DROP INDEX bot_message_logs_outgoing_wamid;
CREATE INDEX bot_message_logs_outgoing_wamid
    ON bot_message_logs (bot_tenant_id, whatsapp_message_id)
    WHERE direction = 'outgoing' AND whatsapp_message_id IS NOT NULL;

-- The tenant's hourly limit is counted from reply_minutes since 0013, so nothing on the
-- hot path reads by (tenant, direction, time) any more; the dashboard's few such reads use
-- bot_message_logs_tenant_time. One index fewer to update for every message stored.
DROP INDEX bot_message_logs_tenant_direction_time;
