use super::make_tenant;
use alphadome_core::training::{DataType, TrainingEntryIn};
use alphadome_core::training_io::{self, Format};
use alphadome_store::{StoreError, TrainingQuery};
use alphadome_testkit::{TestDb, backend_test};

fn faq(q: &str, a: &str) -> TrainingEntryIn {
    TrainingEntryIn {
        data_type: DataType::Faq,
        question: q.into(),
        answer: a.into(),
        category: Some("Hours".into()),
        priority: 5,
        confidence_score: 1.0,
        is_active: true,
    }
}

backend_test!(training_crud_and_search_are_scoped, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "1").await;
    let b = make_tenant(&store, "b-shop", "2").await;
    let (sa, sb) = (store.tenant(a.id), store.tenant(b.id));
    let entry = sa.add_training(&faq("Are you open on Sunday?", "No, closed Sundays."), "t").await.unwrap();
    sa.add_training(&faq("What do you sell?", "Guitars 100% genuine."), "t").await.unwrap();

    let found =
        sa.training(&TrainingQuery { search: Some("SUNDAY".into()), ..Default::default() }).await.unwrap();
    assert_eq!(found.len(), 1);
    let pct =
        sa.training(&TrainingQuery { search: Some("100%".into()), ..Default::default() }).await.unwrap();
    assert_eq!(pct.len(), 1);
    let none =
        sa.training(&TrainingQuery { search: Some("0%_".into()), ..Default::default() }).await.unwrap();
    assert!(none.is_empty());

    // Tenant B sees none of it and cannot touch it by id.
    assert!(sb.training(&TrainingQuery::default()).await.unwrap().is_empty());
    assert!(matches!(sb.training_entry(entry.id).await, Err(StoreError::NotFound)));
    assert!(matches!(sb.update_training(entry.id, &faq("x", "y"), "t").await, Err(StoreError::NotFound)));
    assert!(matches!(sb.delete_training(entry.id, "t").await, Err(StoreError::NotFound)));
    assert_eq!(sa.training_entry(entry.id).await.unwrap().entry.question, "Are you open on Sunday?");

    let mut changed = entry.entry.clone();
    changed.is_active = false;
    sa.update_training(entry.id, &changed, "t").await.unwrap();
    let active = sa.training(&TrainingQuery { active_only: true, ..Default::default() }).await.unwrap();
    assert_eq!(active.len(), 1);
    sa.delete_training(entry.id, "t").await.unwrap();
    assert_eq!(sa.training(&TrainingQuery::default()).await.unwrap().len(), 1);
});

backend_test!(import_is_all_or_nothing_and_export_round_trips, async |db: &TestDb| {
    let store = db.store().await;
    let tenant = make_tenant(&store, "shop", "1").await;
    let scope = store.tenant(tenant.id);
    let entries: Vec<TrainingEntryIn> =
        (0..1_200).map(|i| faq(&format!("question {i}?"), &format!("answer {i}"))).collect();
    assert_eq!(scope.import_training(&entries, false, "t").await.unwrap(), 1_200);

    let stored: Vec<TrainingEntryIn> =
        scope.training(&TrainingQuery::default()).await.unwrap().into_iter().map(|e| e.entry).collect();
    assert_eq!(stored, entries, "listing keeps the imported order");
    let csv = training_io::write(Format::Csv, &stored);
    assert_eq!(training_io::parse(Format::Csv, &csv).unwrap(), entries);

    // A row the database refuses rolls the whole import back, including the replace.
    let mut bad = entries.clone();
    bad[700].confidence_score = 7.0;
    assert!(scope.import_training(&bad, true, "t").await.is_err());
    assert_eq!(scope.training(&TrainingQuery::default()).await.unwrap().len(), 1_200);

    scope.import_training(&entries[..3], true, "t").await.unwrap();
    assert_eq!(scope.training(&TrainingQuery::default()).await.unwrap().len(), 3);
    let page =
        scope.training(&TrainingQuery { limit: Some(2), offset: 1, ..Default::default() }).await.unwrap();
    assert_eq!(
        page.iter().map(|e| e.entry.question.as_str()).collect::<Vec<_>>(),
        ["question 1?", "question 2?"]
    );
});
