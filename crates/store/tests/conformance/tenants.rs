use super::{make_tenant, new_tenant};
use alphadome_core::{PhoneNumber, Slug, TenantId};
use alphadome_crypto::{Keyring, MasterKey, SecretString};
use alphadome_store::StoreError;
use alphadome_testkit::{TestDb, backend_test};

backend_test!(a_tenant_is_created_with_settings_and_default_template, async |db: &TestDb| {
    let store = db.store().await;
    let tenant = make_tenant(&store, "kassangas", "106540352242922").await;
    assert_eq!(store.tenant_by_slug(&Slug::parse("kassangas").unwrap()).await.unwrap(), tenant);
    assert_eq!(store.tenant_by_phone_number_id("106540352242922").await.unwrap().id, tenant.id);
    let scope = store.tenant(tenant.id);
    assert!(scope.settings().await.unwrap().is_bot_enabled);
    let templates = scope.templates().await.unwrap();
    assert_eq!(templates.len(), 1);
    assert!(templates[0].fields.is_default);
    let audit = scope.audit_log(10).await.unwrap();
    assert_eq!(audit[0].action, "tenant.create");
});

backend_test!(duplicates_are_refused_by_field_and_change_nothing, async |db: &TestDb| {
    let store = db.store().await;
    let first = make_tenant(&store, "first", "111").await;
    let conflict = |r: Result<_, StoreError>| match r {
        Err(StoreError::Conflict { field }) => field,
        other => panic!("expected a conflict, got {other:?}"),
    };
    assert_eq!(conflict(store.create_tenant(&new_tenant("first", "222"), "t").await), "slug");
    assert_eq!(
        conflict(store.create_tenant(&new_tenant("second", "111"), "t").await),
        "whatsapp_phone_number_id"
    );
    let mut same_token = new_tenant("third", "333");
    same_token.profile.webhook_verify_token = first.profile.webhook_verify_token.clone();
    assert_eq!(conflict(store.create_tenant(&same_token, "t").await), "webhook_verify_token");
    let mut a = new_tenant("fourth", "444");
    a.profile.client_phone = Some(PhoneNumber::parse("0702245555").unwrap());
    store.create_tenant(&a, "t").await.unwrap();
    let mut b = new_tenant("fifth", "555");
    b.profile.client_phone = Some(PhoneNumber::parse("+254 702 245555").unwrap());
    assert_eq!(conflict(store.create_tenant(&b, "t").await), "client_phone");
    let slugs: Vec<String> = store.list_tenants().await.unwrap().iter().map(|t| t.slug.to_string()).collect();
    assert_eq!(slugs, ["first", "fourth"]);
});

backend_test!(update_keeps_sealed_secrets_and_delete_cascades, async |db: &TestDb| {
    let store = db.store().await;
    let tenant = make_tenant(&store, "shop", "123").await;
    let ring = Keyring::new([MasterKey::generate(1)]).unwrap();
    let mut secrets = tenant.secrets.clone();
    let owner = tenant.id.to_string();
    secrets.whatsapp_access_token =
        Some(ring.seal(&SecretString::from("EAAG-token-abcd1234"), &owner, "whatsapp_access_token"));
    let mut profile = tenant.profile.clone();
    profile.is_active = true;
    let updated = store.tenant(tenant.id).update(&profile, &secrets, "t").await.unwrap();
    assert!(updated.profile.is_active);
    let sealed = updated.secrets.whatsapp_access_token.unwrap();
    assert_eq!(sealed.masked(), "…1234");
    assert!(ring.open(&sealed, &owner, "whatsapp_access_token").is_ok());

    store.tenant(tenant.id).delete("t").await.unwrap();
    assert!(matches!(store.tenant_by_id(tenant.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.tenant(tenant.id).settings().await, Err(StoreError::NotFound)));
    assert!(store.tenant(tenant.id).templates().await.unwrap().is_empty());
    assert!(matches!(store.tenant(TenantId::new()).delete("t").await, Err(StoreError::NotFound)));
});

backend_test!(settings_round_trip, async |db: &TestDb| {
    let store = db.store().await;
    let tenant = make_tenant(&store, "shop", "123").await;
    let scope = store.tenant(tenant.id);
    let mut settings = scope.settings().await.unwrap();
    settings.set("enable_ai_responses", "true").unwrap();
    settings.set("escalation_phone", "0702245555").unwrap();
    settings.set("max_messages_per_user_per_day", "7").unwrap();
    let saved = scope.update_settings(&settings, &["enable_ai_responses"], "t").await.unwrap();
    assert_eq!(saved, settings);
    let other = make_tenant(&store, "other", "456").await;
    assert!(!store.tenant(other.id).settings().await.unwrap().enable_ai_responses);
});
