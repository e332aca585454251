-- SQLite edition. Hand-off: a conversation a person has taken over. handoff_state says why (NULL: the bot
-- answers), handoff_at since when; the bot stays silent to that customer until the owner hands
-- the conversation back or the hand-off times out.
ALTER TABLE user_sessions ADD COLUMN handoff_at TEXT;
CREATE INDEX user_sessions_handoff ON user_sessions (bot_tenant_id, handoff_at);
