-- SQLite edition: nothing to do. PostgreSQL's 0017 drops a routine SQLite never had (the
-- customer's standing is now read with the claim of their job, on both engines).
SELECT 1;
