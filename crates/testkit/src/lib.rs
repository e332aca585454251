//! Fresh databases for tests, on both back ends.
//!
//! SQLite: a file in a new temporary folder. PostgreSQL: a new schema named `it_<random>`
//! in the database at `ALPHADOME_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When PostgreSQL cannot be reached the
//! PostgreSQL tests say so and pass as skipped — except under CI (`CI=true`), where they
//! fail, so a CI run can never silently skip them.

pub mod browser;
mod fake_ai;
mod fake_graph;

pub use browser::{Browser, Element};
pub use fake_ai::{AiRequest, AiScript, FakeAi};
pub use fake_graph::{FakeGraph, Received};

use alphadome_store::{Backend, Store, StoreOptions};
use std::time::Duration;

/// The default PostgreSQL server for tests.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL URL tests use.
pub fn postgres_url() -> String {
    std::env::var("ALPHADOME_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.into())
}

/// A fresh, empty database.
pub struct TestDb {
    /// Which engine.
    pub backend: Backend,
    /// Options to connect to it.
    pub options: StoreOptions,
    /// The temporary folder (SQLite file, key file); removed on drop.
    pub dir: tempfile::TempDir,
}

impl TestDb {
    /// A fresh database on `backend`, or `None` when PostgreSQL is unreachable outside CI.
    ///
    /// # Panics
    /// Under CI when PostgreSQL is unreachable.
    pub async fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let options = match backend {
            Backend::Sqlite => StoreOptions::new(format!("sqlite://{}/alphadome.db", dir.path().display())),
            Backend::Postgres => {
                if !postgres_reachable().await {
                    return None;
                }
                let mut options = StoreOptions::new(postgres_url());
                options.schema = format!(
                    "it_{}",
                    alphadome_crypto::random_token::<9>().to_lowercase().replace(['-', '_'], "x")
                );
                options.max_connections = 4;
                options
            }
        };
        Some(Self { backend, options, dir })
    }

    /// Connects and migrates. On PostgreSQL the store then acts as [`APP_ROLE`]: an ordinary
    /// role (not the owner, no BYPASSRLS) that row-level security binds, as in production, so
    /// every PostgreSQL test also runs under the policies.
    pub async fn store(&self) -> Store {
        let store = self.owner_store().await;
        if self.backend == Backend::Sqlite {
            return store;
        }
        store.close().await;
        grant_app_role(&self.options.schema).await;
        let mut options = self.options.clone();
        options.role = Some(APP_ROLE.into());
        Store::connect(&options).await.expect("connect to the test database as the app role")
    }

    /// Connects as the login user (the schema's owner) and migrates.
    pub async fn owner_store(&self) -> Store {
        let store = Store::connect(&self.options).await.expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        store
    }

    /// Drops the PostgreSQL schema (SQLite's folder goes with the value).
    pub async fn cleanup(self) {
        if self.backend == Backend::Postgres {
            drop_schema(&self.options.schema).await;
        }
    }
}

/// The role PostgreSQL test stores act as: no superuser, no BYPASSRLS, owns nothing.
pub const APP_ROLE: &str = "alphadome_it_app";

/// Creates [`APP_ROLE`] if needed and lets it use the tables of `schema` (as an operator
/// would for the service's role; see docs/SECURITY.md).
pub async fn grant_app_role(schema: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&postgres_url()).await.expect("connect to PostgreSQL");
    let statements = [
        format!(
            "DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ),
        format!("GRANT USAGE ON SCHEMA \"{schema}\" TO {APP_ROLE}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"{schema}\" TO {APP_ROLE}"),
    ];
    for sql in statements {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("grant the app role");
    }
}

/// Drops a test schema and everything in it.
pub async fn drop_schema(schema: &str) {
    use sqlx::Connection;
    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_url()).await {
        let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
    }
}

/// Whether the test PostgreSQL answers. Under CI an unreachable server is a failure.
///
/// # Panics
/// Under CI when PostgreSQL is unreachable.
pub async fn postgres_reachable() -> bool {
    use sqlx::Connection;
    let attempt = tokio_timeout(sqlx::PgConnection::connect(&postgres_url())).await;
    match attempt {
        Some(Ok(conn)) => {
            let _ = conn.close().await;
            true
        }
        _ if on_ci() => {
            panic!("PostgreSQL at {} is unreachable, and CI=true forbids skipping", postgres_url())
        }
        _ => {
            eprintln!(
                "SKIPPED: PostgreSQL at {} is unreachable; set ALPHADOME_TEST_POSTGRES_URL",
                postgres_url()
            );
            false
        }
    }
}

/// The test Redis (`ALPHADOME_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`), when it
/// answers; outside CI a test without it says so and passes as skipped.
///
/// # Panics
/// Under CI when Redis is unreachable.
pub async fn redis_url() -> Option<String> {
    let url = std::env::var("ALPHADOME_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let ping = async {
        let client = redis::Client::open(url.as_str())?;
        let mut conn = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING").query_async::<String>(&mut conn).await
    };
    match tokio_timeout(ping).await {
        Some(Ok(_)) => Some(url),
        _ if on_ci() => panic!("Redis at {url} is unreachable, and CI=true forbids skipping"),
        _ => {
            eprintln!("SKIPPED: Redis at {url} is unreachable; set ALPHADOME_TEST_REDIS_URL");
            None
        }
    }
}

/// Whether this is a CI run, where a test may not skip for want of a service.
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

async fn tokio_timeout<F: std::future::Future>(f: F) -> Option<F::Output> {
    tokio::time::timeout(Duration::from_secs(5), f).await.ok()
}

/// Defines one async test per back end from one body:
/// `backend_test!(name, async |db: &TestDb| { … })` gives `name::sqlite` and `name::postgres`,
/// each on a fresh database that is dropped afterwards.
#[macro_export]
macro_rules! backend_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::new(alphadome_store::Backend::Sqlite).await.unwrap();
                ($body)(&db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::TestDb::new(alphadome_store::Backend::Postgres).await {
                    ($body)(&db).await;
                    db.cleanup().await;
                }
            }
        }
    };
}
