-- The worker now reads each customer's standing with the claim of their job (one read per
-- claim instead of one round trip per job), and TenantScope::customer_standing reads it with
-- the same SQL on both engines (store/src/replies.rs, standing_columns!). The routine that
-- read it alone on PostgreSQL is no longer called.
DROP FUNCTION alphadome_customer_standing(uuid, timestamptz, bigint, bigint, text);
