use alphadome_store::Backend;
use alphadome_testkit::{TestDb, backend_test};

backend_test!(migrating_twice_is_harmless, async |db: &TestDb| {
    let store = db.owner_store().await;
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
});

/// Both migration trees must yield the same tables and columns.
#[tokio::test]
async fn both_trees_yield_the_same_tables_and_columns() {
    let sqlite = TestDb::new(Backend::Sqlite).await.unwrap();
    let Some(postgres) = TestDb::new(Backend::Postgres).await else { return };
    let lite = sqlite.store().await.table_columns().await.unwrap();
    let pg = postgres.store().await.table_columns().await.unwrap();
    assert!(lite.iter().any(|(t, c)| t == "bot_tenants" && c == "whatsapp_phone_number_id"));
    assert_eq!(lite, pg);
    postgres.cleanup().await;
}
