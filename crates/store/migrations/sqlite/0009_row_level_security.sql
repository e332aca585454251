-- SQLite edition. PostgreSQL adds row-level security here. SQLite has no roles or policies: on
-- SQLite the application's scoping (every tenant query goes through TenantScope) carries the
-- same guarantee, and the isolation tests prove it on both engines. Kept so both trees number
-- their migrations alike.
SELECT 1;
