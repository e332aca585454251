use super::make_tenant;
use alphadome_core::whatsapp::{Event, InboundMessage, StatusUpdate, parse};
use alphadome_store::{REPLY_JOB, Recorded};
use alphadome_testkit::{TestDb, backend_test};

fn message(number: &str, wamid: &str, from: &str, text: &str) -> InboundMessage {
    let body = serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "waba", "changes": [{ "field": "messages", "value": {
            "metadata": { "phone_number_id": number },
            "contacts": [{ "profile": { "name": "Wanjiru" }, "wa_id": from }],
            "messages": [{ "from": from, "id": wamid, "timestamp": "1750000000", "type": "text", "text": { "body": text } }]
        }}]}]
    });
    match parse(body.to_string().as_bytes()).unwrap().remove(0) {
        Event::Message(m) => m,
        other => panic!("{other:?}"),
    }
}

fn receipt(number: &str, wamid: &str, status: &str) -> StatusUpdate {
    let body = serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "waba", "changes": [{ "field": "messages", "value": {
            "metadata": { "phone_number_id": number },
            "statuses": [{ "id": wamid, "status": status, "timestamp": "1750000001", "recipient_id": "254700000001" }]
        }}]}]
    });
    match parse(body.to_string().as_bytes()).unwrap().remove(0) {
        Event::Status(s) => s,
        other => panic!("{other:?}"),
    }
}

backend_test!(an_inbound_message_is_stored_once_with_its_job, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let b = make_tenant(&store, "b-shop", "222").await;
    let m = message("111", "wamid.ONE", "254700000001", "hw much is a guitar");

    let first = store.tenant(a.id).record_inbound(&m).await.unwrap();
    assert!(matches!(first, Recorded::New { .. }));
    assert_eq!(store.tenant(a.id).record_inbound(&m).await.unwrap(), Recorded::Duplicate);

    let jobs = store.tenant(a.id).jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].kind.as_str(), jobs[0].state.as_str()), (REPLY_JOB, "pending"));
    let log = store.tenant(a.id).message_log(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].message_text.as_deref(), Some("hw much is a guitar"));
    assert_eq!((log[0].direction.as_str(), log[0].status.as_deref()), ("incoming", Some("received")));

    // The same wamid for another tenant is that tenant's own message.
    assert!(matches!(store.tenant(b.id).record_inbound(&m).await.unwrap(), Recorded::New { .. }));
    assert_eq!(store.tenant(b.id).jobs().await.unwrap().len(), 1);
    assert_eq!(store.tenant(a.id).message_log(10).await.unwrap().len(), 1);
});

backend_test!(concurrent_redeliveries_store_one_message, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let m = message("111", "wamid.RACE", "254700000001", "niaje");
    let attempts = (0..8).map(|_| {
        let (store, m) = (store.clone(), m.clone());
        tokio::spawn(async move { store.tenant(a.id).record_inbound(&m).await.unwrap() })
    });
    let mut new = 0;
    for attempt in attempts {
        if matches!(attempt.await.unwrap(), Recorded::New { .. }) {
            new += 1;
        }
    }
    assert_eq!(new, 1);
    assert_eq!(store.tenant(a.id).jobs().await.unwrap().len(), 1);
});

backend_test!(receipts_are_recorded_once_and_unroutables_kept, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    assert!(scope.record_status(&receipt("111", "wamid.OUT", "delivered")).await.unwrap());
    assert!(!scope.record_status(&receipt("111", "wamid.OUT", "delivered")).await.unwrap());
    assert!(scope.record_status(&receipt("111", "wamid.OUT", "read")).await.unwrap());

    store.record_unroutable("999", "unknown phone_number_id", &serde_json::json!({ "x": 1 })).await.unwrap();
    assert_eq!(store.unroutable_count().await.unwrap(), 1);
});

backend_test!(jobs_are_leased_fairly_retried_and_killed, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let b = make_tenant(&store, "b-shop", "222").await;
    for i in 0..5 {
        store
            .tenant(a.id)
            .record_inbound(&message("111", &format!("wamid.A{i}"), "254700000001", "hi"))
            .await
            .unwrap();
    }
    store.tenant(b.id).record_inbound(&message("222", "wamid.B0", "254700000002", "hi")).await.unwrap();
    let lease = chrono::Duration::seconds(60);

    // One tenant's backlog does not crowd out the other.
    let first = store.claim_jobs(10, 2, lease).await.unwrap();
    let from_a = first.iter().filter(|c| c.tenant == a.id).count();
    assert_eq!((from_a, first.len() - from_a), (2, 1));
    assert!(first.iter().all(|c| c.job.attempts == 1));
    // Leased jobs are not claimed twice.
    let second = store.claim_jobs(10, 10, lease).await.unwrap();
    assert_eq!(second.len(), 3);
    assert!(store.claim_jobs(10, 10, lease).await.unwrap().is_empty());

    let (done, retried, killed) = (&second[0], &second[1], &second[2]);
    store.tenant(a.id).complete_job(done.job.id).await.unwrap();
    let later = alphadome_store::now() + chrono::Duration::hours(1);
    store.tenant(a.id).retry_job(retried.job.id, later, "503 from Graph").await.unwrap();
    store.tenant(a.id).kill_job(killed.job.id, "131047: outside the window").await.unwrap();
    assert!(matches!(
        store.tenant(b.id).complete_job(done.job.id).await,
        Err(alphadome_store::StoreError::NotFound)
    ));
    assert_eq!(store.job_counts().await.unwrap(), (4, 1));

    // An expired lease (a worker that died) makes the job due again.
    let short = store.claim_jobs(10, 10, chrono::Duration::zero()).await.unwrap();
    assert!(short.is_empty(), "everything due is still leased for a minute");
    let jobs = store.tenant(a.id).jobs().await.unwrap();
    let retried_row = jobs.iter().find(|j| j.id == retried.job.id).unwrap();
    assert_eq!(
        (retried_row.state.as_str(), retried_row.last_error.as_deref()),
        ("pending", Some("503 from Graph"))
    );
});

backend_test!(an_expired_lease_is_claimed_again, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    store.tenant(a.id).record_inbound(&message("111", "wamid.X", "254700000001", "hi")).await.unwrap();
    let first = store.claim_jobs(1, 1, chrono::Duration::zero()).await.unwrap();
    let again = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap();
    assert_eq!((first.len(), again.len()), (1, 1));
    assert_eq!(again[0].job.attempts, 2);
});
