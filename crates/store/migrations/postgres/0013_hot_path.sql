-- The message path's hot queries, kept cheap however much history piles up.

-- Only pending jobs are ever looked for: the claim walks due jobs in order and stops at its
-- limit, and finished jobs (the vast majority) leave the indexes.
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (run_at, created_at) WHERE state = 'pending';
DROP INDEX jobs_subject;
CREATE INDEX jobs_subject ON jobs (bot_tenant_id, subject, created_at) WHERE state = 'pending';

-- Replies each tenant sent, per minute (Unix time / 60): the hourly message limit sums the
-- last sixty rows instead of counting an hour of the message log. Rows older than two hours
-- are pruned as new minutes are written.
CREATE TABLE reply_minutes (
    bot_tenant_id  uuid NOT NULL REFERENCES bot_tenants (id) ON DELETE CASCADE,
    minute         bigint NOT NULL,
    replies        integer NOT NULL,
    PRIMARY KEY (bot_tenant_id, minute)
);
ALTER TABLE reply_minutes ENABLE ROW LEVEL SECURITY;
ALTER TABLE reply_minutes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reply_minutes
    USING (alphadome_visible(bot_tenant_id)) WITH CHECK (alphadome_visible(bot_tenant_id));

-- Dashboard accounts carry a tenant too (none for platform admins). They are only ever read as
-- platform work (login, sessions), so the policy changes nothing for the service; it closes
-- the gap for anything else that runs as the service's role.
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON accounts
    USING (alphadome_visible(bot_tenant_id)) WITH CHECK (alphadome_visible(bot_tenant_id));
