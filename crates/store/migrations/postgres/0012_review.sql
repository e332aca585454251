-- The owner's review queue: a draft (training mode) or an unanswered question leaves the queue
-- once the owner has turned it into a training entry or dismissed it.
ALTER TABLE bot_message_logs ADD COLUMN reviewed_at timestamptz;
