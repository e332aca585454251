//! Embedded, forward-only migrations: one tree per engine, changed together.

use crate::pool::{Pool, valid_schema};
use crate::{Result, Store, StoreError};
use sqlx::migrate::Migrator;

static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Applies every pending migration. On PostgreSQL, first creates the schema if it is
    /// missing; nothing outside that schema is touched. Safe to run from several processes
    /// at once (sqlx takes an advisory lock).
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite { write, .. } => SQLITE.run(write).await?,
            Pool::Postgres { pool, .. } => {
                let schema = valid_schema(&self.schema)?;
                let sql = format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"");
                match sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await {
                    // Two processes creating it at once: the other one won, which is fine.
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {}
                    other => {
                        other.map_err(StoreError::from)?;
                    }
                }
                POSTGRES.run(pool).await?
            }
        }
        Ok(())
    }

    /// Every (table, column) of Alphadome's own tables, sorted: lets a test prove both
    /// migration trees yield the same data model.
    pub async fn table_columns(&self) -> Result<Vec<(String, String)>> {
        const SQLITE_COLUMNS: &str = "SELECT m.name, p.name FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'";
        const POSTGRES_COLUMNS: &str = "SELECT table_name::text, column_name::text \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'";
        let mut columns: Vec<(String, String)> = match &self.pool {
            Pool::Sqlite { read, .. } => sqlx::query_as(SQLITE_COLUMNS).fetch_all(read).await?,
            Pool::Postgres { pool, .. } => sqlx::query_as(POSTGRES_COLUMNS).fetch_all(pool).await?,
        };
        columns.sort();
        Ok(columns)
    }
}
