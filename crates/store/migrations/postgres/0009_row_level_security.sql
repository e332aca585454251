-- Row-level security on every tenant table: a second wall behind the application's scoping.
--
-- Each transaction binds itself to one tenant with the transaction-local setting
-- alphadome.tenant_id (set_config(..., true): safe behind transaction-mode poolers). With no
-- tenant bound, tenant tables show and accept nothing. The few platform-wide operations
-- (routing a webhook to its tenant, the job queue, API-key lookup, the admin tenant list) set
-- alphadome.platform = 'on' for their own transaction only; they are named methods on the
-- store, never reachable from a tenant-scoped handle.
--
-- FORCE makes the policies bind the table owner too. Superusers and roles with BYPASSRLS are
-- exempt by PostgreSQL's design: run the service as an ordinary role (docs/SECURITY.md).

CREATE FUNCTION alphadome_visible(tenant uuid) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('alphadome.platform', true), '') = 'on'
              OR tenant = nullif(current_setting('alphadome.tenant_id', true), '')::uuid $$;

ALTER TABLE bot_tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE bot_tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bot_tenants
    USING (alphadome_visible(id)) WITH CHECK (alphadome_visible(id));

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bot_templates', 'bot_training_data', 'bot_control_settings',
        'bot_message_logs', 'user_sessions', 'subscriptions', 'api_keys', 'audit_log', 'jobs',
        'wa_status_events', 'ai_usage']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (alphadome_visible(bot_tenant_id)) '
            'WITH CHECK (alphadome_visible(bot_tenant_id))', t);
    END LOOP;
END $$;
