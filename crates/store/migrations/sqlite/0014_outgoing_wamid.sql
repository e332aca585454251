-- SQLite edition. Receipts look up outgoing messages by wamid; an incoming wamid is already
-- indexed by bot_message_logs_inbound_wamid. So the lookup index holds outgoing rows only,
-- and each stored message updates one wamid index instead of two.
DROP INDEX bot_message_logs_tenant_wamid;
CREATE INDEX bot_message_logs_outgoing_wamid
    ON bot_message_logs (bot_tenant_id, whatsapp_message_id) WHERE direction = 'outgoing';
