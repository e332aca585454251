-- A tenant whose WhatsApp token Meta rejected (code 190): its sends pause until the token is replaced.
ALTER TABLE bot_tenants ADD COLUMN whatsapp_token_broken_at timestamptz;
