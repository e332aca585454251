//! Row-level security on PostgreSQL: even a bare query by the service's role sees only the
//! tenant its transaction is bound to, and nothing when none is bound.

use super::make_tenant;
use alphadome_core::training::{DataType, TrainingEntryIn};
use alphadome_store::Backend;
use alphadome_testkit::{APP_ROLE, TestDb, postgres_url};
use sqlx::{Connection, PgConnection};

fn entry(question: &str) -> TrainingEntryIn {
    TrainingEntryIn {
        data_type: DataType::Faq,
        question: question.into(),
        answer: "yes".into(),
        category: None,
        priority: 0,
        confidence_score: 1.0,
        is_active: true,
    }
}

/// A raw connection acting as the service's role, in the test's schema.
async fn as_app_role(schema: &str) -> PgConnection {
    let mut conn = PgConnection::connect(&postgres_url()).await.unwrap();
    for sql in [format!("SET search_path TO \"{schema}\""), format!("SET ROLE {APP_ROLE}")] {
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    }
    conn
}

async fn count(conn: &mut PgConnection, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap()
}

#[tokio::test]
async fn a_bare_select_by_the_service_role_sees_only_the_bound_tenant() {
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let b = make_tenant(&store, "b-shop", "222").await;
    store.tenant(a.id).import_training(&[entry("A1?"), entry("A2?")], false, "t").await.unwrap();
    store.tenant(b.id).import_training(&[entry("B1?")], false, "t").await.unwrap();
    let mut conn = as_app_role(&db.options.schema).await;

    // The role is an ordinary one: not a superuser, no BYPASSRLS.
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert!(!superuser && !bypass);

    // No tenant bound: every tenant table is empty to it.
    for table in ["bot_tenants", "bot_training_data", "bot_control_settings", "bot_templates", "audit_log"] {
        assert_eq!(count(&mut conn, table).await, 0, "{table} with no tenant bound");
    }

    // Bound to A: only A's rows, whatever the query asks for.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('alphadome.tenant_id', $1, true)")
        .bind(a.id.0.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let questions: Vec<String> =
        sqlx::query_scalar("SELECT question FROM bot_training_data ORDER BY question")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(questions, ["A1?", "A2?"]);
    assert_eq!(count(&mut tx, "bot_tenants").await, 1);
    // Writing into B's data from A's transaction is refused.
    let planted = sqlx::query(
        "INSERT INTO bot_training_data (id, bot_tenant_id, data_type, question, answer, priority, \
         confidence_score, is_active, created_at, updated_at) \
         VALUES ($1, $2, 'faq', 'planted', 'x', 0, 1, true, now(), now())",
    )
    .bind(uuid::Uuid::new_v4())
    .bind(b.id.0)
    .execute(&mut *tx)
    .await;
    assert!(planted.is_err(), "a row for another tenant violates the policy");
    tx.rollback().await.unwrap();

    // The setting was transaction-local: gone after the transaction.
    assert_eq!(count(&mut conn, "bot_training_data").await, 0);
    drop(conn);
    store.close().await;
    db.cleanup().await;
}

#[tokio::test]
async fn every_table_that_holds_tenant_rows_is_under_row_level_security() {
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    let store = db.store().await;
    let mut conn = PgConnection::connect(&postgres_url()).await.unwrap();
    let unguarded: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind = 'r' \
         AND EXISTS (SELECT 1 FROM information_schema.columns col WHERE col.table_schema = n.nspname \
             AND col.table_name = c.relname AND col.column_name = 'bot_tenant_id') \
         AND NOT (c.relrowsecurity AND c.relforcerowsecurity) ORDER BY 1",
    )
    .bind(&db.options.schema)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(unguarded.is_empty(), "tenant tables without forced row-level security: {unguarded:?}");
    drop(conn);
    store.close().await;
    db.cleanup().await;
}
