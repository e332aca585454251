use super::make_tenant;
use alphadome_core::template::TemplateFields;
use alphadome_store::StoreError;
use alphadome_testkit::{TestDb, backend_test};

backend_test!(one_default_template_per_tenant, async |db: &TestDb| {
    let store = db.store().await;
    let tenant = make_tenant(&store, "shop", "1").await;
    let scope = store.tenant(tenant.id);
    let support = TemplateFields {
        template_name: Some("support".into()),
        system_prompt: Some("Help with repairs.".into()),
        is_default: Some(true),
        ..Default::default()
    }
    .validate_new()
    .unwrap();
    scope.save_template(&support, "t").await.unwrap();
    let all = scope.templates().await.unwrap();
    let defaults: Vec<_> =
        all.iter().filter(|t| t.fields.is_default).map(|t| t.fields.template_name.as_str()).collect();
    assert_eq!(defaults, ["support"]);
    assert_eq!(all.len(), 2);

    // The default cannot be deleted; the other can.
    assert!(matches!(
        scope.delete_template("support", "t").await,
        Err(StoreError::Conflict { field: "is_default" })
    ));
    scope.delete_template("default", "t").await.unwrap();
    assert!(matches!(scope.delete_template("nope", "t").await, Err(StoreError::NotFound)));

    // Another tenant's template of the same name is a different row.
    let other = make_tenant(&store, "other", "2").await;
    assert_eq!(store.tenant(other.id).template("default").await.unwrap().fields.template_name, "default");
    assert!(matches!(store.tenant(other.id).template("support").await, Err(StoreError::NotFound)));
});
