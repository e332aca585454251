//! Migrating the operator's existing PostgreSQL database leaves its tables and rows as they were.

use alphadome_store::{Store, StoreOptions};
use sqlx::{Connection, PgConnection};

/// The operator's tables as the schema alignment report describes them, with rows.
const EXISTING: &[&str] = &[
    "CREATE TABLE public.users (id uuid PRIMARY KEY, phone text UNIQUE, full_name text, subscribed boolean, \
     subscription_type text, subscription_level integer, created_at timestamptz DEFAULT now(), updated_at timestamptz)",
    "INSERT INTO public.users (id, phone, full_name) VALUES ('823c3bcd-b66f-4010-9922-4a3b411226cc', '254702245555', 'Unknown User')",
    "CREATE TABLE public.brands (id uuid PRIMARY KEY, is_platform_owner boolean, name text)",
    "INSERT INTO public.brands VALUES ('11111111-1111-1111-1111-111111111111', true, 'Alphadome')",
    "CREATE TABLE public.conversations (id uuid PRIMARY KEY, brand_id uuid REFERENCES public.brands(id), \
     user_id uuid REFERENCES public.users(id), whatsapp_message_id text, direction text, raw_payload jsonb, \
     message_text text, created_at timestamptz, updated_at timestamptz)",
    "INSERT INTO public.conversations (id, brand_id, user_id, direction, message_text, raw_payload) VALUES \
     ('22222222-2222-2222-2222-222222222222', '11111111-1111-1111-1111-111111111111', \
      '823c3bcd-b66f-4010-9922-4a3b411226cc', 'incoming', 'hello', '{\"a\": 1}')",
    "CREATE TABLE public.subscriptions (id uuid PRIMARY KEY, user_id uuid, phone text, amount integer, plan_type text, \
     level integer, status text, mpesa_checkout_request_id text, account_ref text, metadata jsonb, \
     created_at timestamptz, updated_at timestamptz)",
    "INSERT INTO public.subscriptions (id, phone, amount, plan_type, status) VALUES \
     ('33333333-3333-3333-3333-333333333333', '254702245555', 500, 'monthly', 'subscribed')",
    "CREATE TABLE public.user_sessions (phone text PRIMARY KEY, context jsonb, updated_at timestamptz)",
    "INSERT INTO public.user_sessions VALUES ('254702245555', '{\"state\": \"menu\"}', now())",
    "CREATE SCHEMA alphadome",
    "CREATE TABLE alphadome.portfolio_items (id serial PRIMARY KEY, title text NOT NULL)",
    "INSERT INTO alphadome.portfolio_items (title) VALUES ('Logo for Kassangas'), ('Poster')",
    "CREATE TABLE alphadome.bot_configs (id uuid PRIMARY KEY, config jsonb)",
    "INSERT INTO alphadome.bot_configs VALUES ('44444444-4444-4444-4444-444444444444', '{\"greeting\": \"hi\"}')",
];

const TABLES: &[&str] = &[
    "public.users",
    "public.brands",
    "public.conversations",
    "public.subscriptions",
    "public.user_sessions",
    "alphadome.portfolio_items",
    "alphadome.bot_configs",
];

/// Every row, every column definition and every index of the operator's tables.
async fn snapshot(conn: &mut PgConnection) -> Vec<String> {
    let mut out = Vec::new();
    for table in TABLES {
        let rows = format!("SELECT row_to_json(t)::text FROM {table} t ORDER BY 1");
        let rows: Vec<String> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(rows)).fetch_all(&mut *conn).await.unwrap();
        out.extend(rows.into_iter().map(|r| format!("{table} row {r}")));
    }
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws(' ', table_schema, table_name, column_name, data_type, is_nullable, column_default) \
         FROM information_schema.columns WHERE (table_schema = 'public') \
         OR (table_schema = 'alphadome' AND table_name IN ('portfolio_items', 'bot_configs')) ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' \
         OR (schemaname = 'alphadome' AND tablename IN ('portfolio_items', 'bot_configs')) ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    out.extend(columns);
    out.extend(indexes);
    out
}

#[tokio::test]
async fn migrating_an_existing_database_leaves_its_tables_and_rows_alone() {
    if !alphadome_testkit::postgres_reachable().await {
        return;
    }
    let admin_url = alphadome_testkit::postgres_url();
    let mut admin = PgConnection::connect(&admin_url).await.unwrap();
    let name =
        format!("pre_{}", alphadome_crypto::random_token::<6>().to_lowercase().replace(['-', '_'], "x"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("the test URL names no database"),
    };

    let mut conn = PgConnection::connect(&url).await.unwrap();
    for statement in EXISTING {
        sqlx::query(sqlx::AssertSqlSafe(*statement)).execute(&mut conn).await.unwrap();
    }
    let before = snapshot(&mut conn).await;

    let store = Store::connect(&StoreOptions::new(&url)).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    let columns = store.table_columns().await.unwrap();
    assert!(columns.iter().any(|(t, _)| t == "bot_tenants"));
    assert!(columns.iter().any(|(t, _)| t == "portfolio_items"), "our listing is of the alphadome schema");
    store.close().await;

    assert_eq!(snapshot(&mut conn).await, before);
    let ours: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'alphadome' AND table_name = 'users'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(ours, 1, "Alphadome's own users table lives in the alphadome schema, beside public.users");
    conn.close().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)")))
        .execute(&mut admin)
        .await
        .unwrap();
}
