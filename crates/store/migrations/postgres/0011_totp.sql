-- The optional second factor: a TOTP secret (sealed, bound to the account), whether it is
-- confirmed, the last time step used (a code works once), and the recovery codes' SHA-256 hashes
-- (a JSON array; each is removed when used).
ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
ALTER TABLE accounts ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false;
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;
ALTER TABLE accounts ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT '[]';
