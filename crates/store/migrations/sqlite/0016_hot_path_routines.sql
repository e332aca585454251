-- SQLite edition: nothing to do. PostgreSQL's 0016 turns the message path's four steps into
-- routines to save round trips to the server; SQLite runs in the process, and its editions of
-- those steps are group-committed statements in crates/store/src (inbound.rs, replies.rs).
SELECT 1;
