use super::make_tenant;
use alphadome_core::ApiKeyId;
use alphadome_crypto::hash_api_key;
use alphadome_store::{ApiKeyScope, NewApiKey, StoreError};
use alphadome_testkit::{TestDb, backend_test};

fn key(scope: ApiKeyScope, secret: &str, expires_in_hours: Option<i64>) -> NewApiKey {
    NewApiKey {
        id: ApiKeyId::new(),
        scope,
        name: "ci".into(),
        key_prefix: secret[..8].into(),
        key_hash: hash_api_key(secret),
        expires_at: expires_in_hours.map(|h| alphadome_store::now() + chrono::Duration::hours(h)),
    }
}

backend_test!(api_keys_authenticate_until_revoked_or_expired, async |db: &TestDb| {
    let store = db.store().await;
    let tenant = make_tenant(&store, "shop", "1").await;
    let scope = ApiKeyScope::Tenant(tenant.id);
    let created = store.create_api_key(&key(scope, "adk_live_tenant_key", None), "t").await.unwrap();
    store.create_api_key(&key(ApiKeyScope::Platform, "adk_live_platform", None), "t").await.unwrap();
    store.create_api_key(&key(ApiKeyScope::Platform, "adk_old_expired", Some(-1)), "t").await.unwrap();

    let found = store.authenticate_api_key(&hash_api_key("adk_live_tenant_key")).await.unwrap();
    assert_eq!((found.id, found.scope), (created.id, scope));
    assert!(store.api_key(created.id).await.unwrap().last_used_at.is_some());
    assert!(matches!(
        store.authenticate_api_key(&hash_api_key("adk_old_expired")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.authenticate_api_key(&hash_api_key("wrong")).await, Err(StoreError::NotFound)));

    assert_eq!(store.list_api_keys(Some(tenant.id)).await.unwrap().len(), 1);
    assert_eq!(store.list_api_keys(None).await.unwrap().len(), 3);

    store.revoke_api_key(created.id, "t").await.unwrap();
    assert!(matches!(
        store.authenticate_api_key(&hash_api_key("adk_live_tenant_key")).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(store.revoke_api_key(created.id, "t").await, Err(StoreError::NotFound)));
});
