//! Connecting to either engine, and the two macros that compile one query body per engine.

use crate::group_commit::HotWrites;
use crate::{Result, StoreError};
use alphadome_core::TenantId;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (the default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// The connection pool of whichever engine is configured.
///
/// SQLite allows one writer at a time. Rather than let several connections race for the
/// write lock (SQLite's busy handler then sleeps in steps of milliseconds), every write goes
/// through one connection, so writers queue in order inside the process; readers use a
/// separate pool and, under WAL, never wait for the writer. The hot path's writes are
/// group-committed on the writer ([`HotWrites`]); on PostgreSQL they are group-committed too,
/// to save round trips and commits.
#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite { read: SqlitePool, write: SqlitePool, hot: HotWrites<sqlx::Sqlite> },
    Postgres { pool: PgPool, hot: HotWrites<sqlx::Postgres> },
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `sqlite://path` or `postgres://…`.
    pub url: String,
    /// PostgreSQL schema holding every Alphadome table.
    pub schema: String,
    /// Most connections in the pool.
    pub max_connections: u32,
    /// How long a caller waits for a free connection before getting "unavailable".
    pub acquire_timeout: Duration,
    /// PostgreSQL only: the role every connection acts as (`SET ROLE`), so the service can log
    /// in as one user and run as a role that row-level security binds.
    pub role: Option<String>,
}

impl StoreOptions {
    /// Defaults for a URL: schema `alphadome`, 10 connections, 5 s wait.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: "alphadome".into(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            acquire_timeout: Duration::from_secs(5),
            role: None,
        }
    }
}

/// Connections in the pool unless configured otherwise (`ALPHADOME_DB_MAX_CONNECTIONS`).
pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;

/// Alphadome's storage. Cheap to clone; all clones share one pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: Pool,
    /// PostgreSQL schema (unused on SQLite).
    pub(crate) schema: String,
    /// SQLite's background checkpointer, stopped when the last clone is dropped.
    checkpointer: Option<Arc<Checkpointer>>,
}

/// How often SQLite's committed pages are copied from the write-ahead log into the database,
/// in the background.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Past this many pages in the write-ahead log (about 32 MiB), a committing writer copies
/// them itself: only a safety net should the background checkpointer fall behind. At
/// SQLite's default of 1,000 pages, a commit every few hundred messages paid for the copy
/// and two fsyncs, and every writer queued behind it.
const WRITER_CHECKPOINT_PAGES: &str = "8000";

/// Statements the writer keeps prepared.
const WRITER_STATEMENTS: usize = 256;

/// Copies SQLite's write-ahead log into the database beside the writer (a passive
/// checkpoint never blocks it), so commits stay short.
#[derive(Debug)]
struct Checkpointer(tokio::task::AbortHandle);

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Checkpointer {
    fn start(connect: SqliteConnectOptions) -> Self {
        let task = tokio::spawn(async move {
            let Ok(mut conn) = sqlx::ConnectOptions::connect(&connect).await else { return };
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn).await {
                    tracing::debug!(error = %e, "background checkpoint failed");
                }
            }
        });
        Self(task.abort_handle())
    }
}

/// Runs `$body`, a platform-wide statement (not bound to one tenant: routing, the job queue,
/// API-key lookup, the tenant list), once per engine, with `$pool` bound to that engine's
/// executor: on SQLite the read pool; on PostgreSQL a transaction marked as platform work
/// (`alphadome.platform`), the one path row-level security lets see every tenant.
macro_rules! with_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite { read: $pool, .. } => $body,
            $crate::pool::Pool::Postgres { pool, .. } => platform_tx!(pool, |$pool| $body),
        }
    };
}

/// On PostgreSQL, runs `$body` with `$conn` bound to a transaction marked as platform work.
macro_rules! platform_tx {
    ($pg:expr, |$conn:ident| $body:expr) => {{
        let mut tx = $pg.begin_with($crate::pool::BEGIN_PLATFORM).await?;
        let $conn = &mut *tx;
        let out = $body;
        tx.commit().await?;
        out
    }};
}

/// On PostgreSQL, runs `$body` in a transaction (`$tx`) bound to one tenant.
macro_rules! tenant_tx {
    ($pg:expr, $tenant:expr, |$tx:ident| $body:expr) => {{
        let mut $tx = $pg.begin_with($crate::pool::begin_tenant($tenant)).await?;
        let out = $body;
        $tx.commit().await?;
        out
    }};
}

/// Like [`with_pool!`], for a platform-wide statement that writes (on SQLite, the one writer).
macro_rules! with_writer {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite { write: $pool, .. } => $body,
            $crate::pool::Pool::Postgres { pool, .. } => platform_tx!(pool, |$pool| $body),
        }
    };
}

/// Runs `$body` in a transaction (`$tx`), committed when the body succeeds and rolled
/// back if it returns early with an error. With a tenant id, the transaction is bound to
/// that tenant (on PostgreSQL, `alphadome.tenant_id` is set for row-level security);
/// without one it is platform work (`alphadome.platform`, see [`with_pool!`]).
///
/// On SQLite the transaction runs on the writer and takes the write lock at once
/// (`BEGIN IMMEDIATE`), so it never fails halfway when another process writes.
macro_rules! in_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite { write: pool, .. } => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::pool::Pool::Postgres { pool, .. } => {
                #[allow(unused_mut)]
                let mut $tx = pool.begin_with($crate::pool::BEGIN_PLATFORM).await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
        }
    };
    ($store:expr, tenant = $tenant:expr, |$tx:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite { write: pool, .. } => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                out
            }
            $crate::pool::Pool::Postgres { pool, .. } => tenant_tx!(pool, $tenant, |$tx| $body),
        }
    };
}

/// Like the tenant form of [`in_tx!`], for a body that is a single statement that writes. On
/// SQLite one statement commits atomically by itself, so it runs on the writer without
/// `BEGIN`/`COMMIT`: two fewer round trips to the connection's thread on the hot path. On
/// PostgreSQL it is a tenant-bound transaction, as row-level security needs.
macro_rules! write_one {
    ($store:expr, tenant = $tenant:expr, |$tx:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite { write: pool, .. } => {
                let mut $tx = pool.acquire().await?;
                $body
            }
            $crate::pool::Pool::Postgres { pool, .. } => tenant_tx!(pool, $tenant, |$tx| $body),
        }
    };
}

/// Like the tenant form of [`in_tx!`], for reads only. On SQLite it runs on the read pool,
/// beside the writer, and without a transaction: a single statement reads a consistent
/// snapshot anyway, and there is no tenant setting to bind, so `BEGIN`/`COMMIT` would only
/// add two round trips to the connection's thread.
macro_rules! read_tx {
    ($store:expr, tenant = $tenant:expr, |$tx:ident| $body:expr) => {
        match &$store.pool {
            $crate::pool::Pool::Sqlite { read: pool, .. } => {
                let mut $tx = pool.acquire().await?;
                $body
            }
            $crate::pool::Pool::Postgres { pool, .. } => tenant_tx!(pool, $tenant, |$tx| $body),
        }
    };
}

/// Implements a crate-private query trait for both engines' connection types from one
/// body, so a query used inside another's transaction is still written once.
macro_rules! impl_for_engines {
    (impl $trait:ident { $($items:tt)* }) => {
        impl $trait for sqlx::SqliteConnection { $($items)* }
        impl $trait for sqlx::PgConnection { $($items)* }
    };
}

/// Writes `bind_sqlite` and `bind_postgres` methods that add the listed values, in order, as
/// the parameters `$1`, `$2`, … of a statement both engines run with the same numbering.
macro_rules! binds_for_engines {
    (|$this:ident| [$($value:expr),* $(,)?]) => {
        fn bind_sqlite(&$this, args: &mut sqlx::sqlite::SqliteArguments) -> $crate::group_commit::BindResult {
            $(sqlx::Arguments::add(args, $value)?;)*
            Ok(())
        }

        fn bind_postgres(&$this, args: &mut sqlx::postgres::PgArguments) -> $crate::group_commit::BindResult {
            $(sqlx::Arguments::add(args, $value)?;)*
            Ok(())
        }
    };
}

/// Begins a PostgreSQL transaction marked as platform work, which row-level security lets
/// see every tenant. The setting is transaction-local, so it is safe behind a connection
/// pooler; sent with `BEGIN` as one simple query, it costs no extra round trip.
pub(crate) const BEGIN_PLATFORM: &str = "BEGIN; SELECT set_config('alphadome.platform', 'on', true)";

/// Begins a PostgreSQL transaction bound to one tenant, like [`BEGIN_PLATFORM`]. The id is
/// written into the SQL text, which is safe: a UUID prints as hex digits and dashes only.
pub(crate) fn begin_tenant(tenant: TenantId) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("BEGIN; SELECT set_config('alphadome.tenant_id', '{}', true)", tenant.0))
}

impl Store {
    /// Connects to the database named by `options.url`, creating an SQLite file (and its
    /// folder) if needed. Does not migrate.
    pub async fn connect(options: &StoreOptions) -> Result<Self> {
        let (pool, checkpointer) = if is_postgres_url(&options.url) {
            {
                let pool = connect_postgres(options).await?;
                let hot = HotWrites::<sqlx::Postgres>::start(&pool);
                (Pool::Postgres { pool, hot }, None)
            }
        } else if options.url.starts_with("sqlite:") {
            let (pool, checkpointer) = connect_sqlite(options).await?;
            (pool, Some(Arc::new(checkpointer)))
        } else {
            return Err(StoreError::Corrupt(
                "the database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        Ok(Self { pool, schema: options.schema.clone(), checkpointer })
    }

    /// Checks the database answers (for readiness probes).
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(drop)?);
        Ok(())
    }

    /// Closes every connection (at shutdown).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, write, .. } => {
                if let Some(checkpointer) = &self.checkpointer {
                    checkpointer.0.abort();
                }
                read.close().await;
                write.close().await;
            }
            Pool::Postgres { pool, .. } => pool.close().await,
        }
    }

    /// Tenant data, bound to one tenant.
    pub fn tenant(&self, id: TenantId) -> TenantScope<'_> {
        TenantScope { store: self, tenant: id }
    }

    /// Which engine this store runs on (for the rare expression the two spell differently).
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres { .. } => Backend::Postgres,
        }
    }
}

/// A handle on one tenant's data. Every query made through it is scoped to that tenant.
#[derive(Debug, Clone, Copy)]
pub struct TenantScope<'a> {
    pub(crate) store: &'a Store,
    pub(crate) tenant: TenantId,
}

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

async fn connect_sqlite(options: &StoreOptions) -> Result<(Pool, Checkpointer)> {
    let connect = SqliteConnectOptions::from_str(&options.url)
        .map_err(|_| StoreError::Corrupt("the SQLite URL is malformed".into()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        // 32 MiB of page cache per connection. No mmap: with checkpoints running beside the
        // writer the database file grows under every mapping, and remapping cost more than
        // the copies it saved (docs/BENCHMARKS.md).
        .pragma("cache_size", "-32768")
        .pragma("wal_autocheckpoint", WRITER_CHECKPOINT_PAGES);
    if let Some(dir) = connect.get_filename().parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(sqlx::Error::Io(e)))?;
    }
    // The writer first: it creates the file and switches it to WAL. An SQLite connection
    // cannot die while idle, so none is pinged before use (sqlx's default: a trip to its
    // thread on every acquire, in the writer's queue).
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(false)
        // Room for every group-commit script (six sizes per kind, the largest 160
        // statements), each claim's size and the other writes, so none is ever evicted and
        // prepared again.
        .connect_with(connect.clone().statement_cache_capacity(WRITER_STATEMENTS))
        .await?;
    // Each SQLite connection is a thread of its own; a few readers keep both cores busy
    // without paying for idle threads' wake-ups.
    let read = SqlitePoolOptions::new()
        .max_connections(options.max_connections.min(4))
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(false)
        .connect_with(connect.clone().read_only(true))
        .await?;
    let hot = HotWrites::<sqlx::Sqlite>::start(&write);
    Ok((Pool::Sqlite { read, write, hot }, Checkpointer::start(connect)))
}

async fn connect_postgres(options: &StoreOptions) -> Result<PgPool> {
    let schema = valid_schema(&options.schema)?;
    let mut connect = PgConnectOptions::from_str(&options.url)
        .map_err(|_| StoreError::Corrupt("the PostgreSQL URL is malformed".into()))?
        .options([("search_path", schema)]);
    if let Some(role) = &options.role {
        connect = connect.options([("role", valid_schema(role)?)]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.acquire_timeout)
        // No ping before each use: it cost a round trip per transaction. A connection that
        // died while idle (PostgreSQL restarted) fails its next statement instead, and is
        // dropped; the delivery gets a 503 that Meta retries, a job is retried.
        .test_before_acquire(false)
        .connect_with(connect)
        .await?;
    Ok(pool)
}

/// A schema (or role) name is put into SQL text, so only plain identifiers are allowed.
pub(crate) fn valid_schema(schema: &str) -> Result<&str> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(schema)
    } else {
        Err(StoreError::Corrupt(
            "the schema name must be lowercase letters, digits and '_' (at most 63)".into(),
        ))
    }
}

/// The URL with any password replaced by `***`, fit for logs and messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((auth, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_urls() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact_url("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact_url("sqlite://./data/a.db"), "sqlite://./data/a.db");
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(valid_schema("alphadome").is_ok());
        assert!(valid_schema("it_3f2a").is_ok());
        for bad in ["", "Alpha", "a;drop", "a b", "1abc", "\"x\""] {
            assert!(valid_schema(bad).is_err(), "{bad}");
        }
    }
}
