-- SQLite edition. Outbound throughput per tenant WhatsApp number (Meta's default is 80 messages per second).
ALTER TABLE bot_control_settings ADD COLUMN whatsapp_messages_per_second INTEGER NOT NULL DEFAULT 80;
