-- SQLite edition. Re-engagement: the approved template a tenant sends when a customer's last message is
-- older than WhatsApp's 24-hour window (free text is not allowed then).
ALTER TABLE bot_control_settings ADD COLUMN reengagement_template TEXT;
ALTER TABLE bot_control_settings ADD COLUMN reengagement_language TEXT NOT NULL DEFAULT 'en';
