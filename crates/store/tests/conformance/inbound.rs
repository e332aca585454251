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

backend_test!(a_burst_of_deliveries_is_stored_once_each_and_a_bad_write_fails_alone, async |db: &TestDb| {
    // Writes that arrive together share a transaction (group commit, on both engines):
    // redeliveries inside one burst, the same wamid for two tenants, and one write that
    // cannot succeed (its tenant does not exist) must each come out as if written alone.
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let b = make_tenant(&store, "b-shop", "222").await;
    let ghost = alphadome_core::TenantId(uuid::Uuid::new_v4());
    let mut writes = tokio::task::JoinSet::new();
    let mut spawn = |tenant: alphadome_core::TenantId, wamid: String| {
        let store = store.clone();
        writes.spawn(async move {
            let m = message("111", &wamid, "254700000001", "niaje");
            (tenant, store.tenant(tenant).record_inbound(&m).await)
        });
    };
    for i in 0..30 {
        spawn(a.id, format!("wamid.B{}", i % 15));
    }
    spawn(ghost, "wamid.B0".into());
    for i in 0..10 {
        spawn(b.id, format!("wamid.B{i}"));
    }
    let (mut new_a, mut dup_a, mut new_b, mut failed) = (0, 0, 0, 0);
    while let Some(done) = writes.join_next().await {
        match done.unwrap() {
            (t, Ok(Recorded::New { .. })) if t == a.id => new_a += 1,
            (t, Ok(Recorded::Duplicate)) if t == a.id => dup_a += 1,
            (t, Ok(Recorded::New { .. })) if t == b.id => new_b += 1,
            (t, Err(_)) if t == ghost => failed += 1,
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((new_a, dup_a, new_b, failed), (15, 15, 10, 1));
    assert_eq!(store.tenant(a.id).jobs().await.unwrap().len(), 15);
    assert_eq!(store.tenant(a.id).message_log(100).await.unwrap().len(), 15);
    assert_eq!(store.tenant(b.id).jobs().await.unwrap().len(), 10);
    assert!(store.tenant(ghost).jobs().await.unwrap().is_empty());
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
            .record_inbound(&message("111", &format!("wamid.A{i}"), &format!("25470000001{i}"), "hi"))
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

backend_test!(a_tenant_passed_over_is_not_claimed_from, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let b = make_tenant(&store, "b-shop", "222").await;
    for (tenant, number, wamid) in
        [(a.id, "111", "wamid.A0"), (a.id, "111", "wamid.A1"), (b.id, "222", "wamid.B0")]
    {
        let customer = format!("2547000003{}", &wamid[wamid.len() - 2..]);
        store.tenant(tenant).record_inbound(&message(number, wamid, &customer, "hi")).await.unwrap();
    }
    let lease = chrono::Duration::seconds(60);
    let claimed = store.claim_jobs_except(10, 10, lease, &[a.id]).await.unwrap();
    assert_eq!(claimed.iter().map(|c| c.tenant).collect::<Vec<_>>(), vec![b.id]);
    assert!(store.claim_jobs_except(10, 10, lease, &[a.id, b.id]).await.unwrap().is_empty());
    let rest = store.claim_jobs(10, 10, lease).await.unwrap();
    assert_eq!(rest.iter().filter(|c| c.tenant == a.id).count(), 2);
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

backend_test!(one_customers_messages_are_answered_in_order, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    for i in 0..3 {
        scope.record_inbound(&message("111", &format!("wamid.S{i}"), "254700000001", "hi")).await.unwrap();
    }
    scope.record_inbound(&message("111", "wamid.OTHER", "254700000002", "hi")).await.unwrap();
    let lease = chrono::Duration::seconds(60);

    // The first message of each customer; the customer's next waits for it.
    let first = store.claim_jobs(10, 10, lease).await.unwrap();
    let subjects: Vec<_> = first.iter().map(|c| c.job.subject.clone().unwrap()).collect();
    assert_eq!(subjects, ["254700000001", "254700000002"]);
    assert!(store.claim_jobs(10, 10, lease).await.unwrap().is_empty());
    // A retry later keeps the customer's queue waiting behind it.
    let later = alphadome_store::now() + chrono::Duration::hours(1);
    scope.retry_job(first[0].job.id, later, "503").await.unwrap();
    assert!(store.claim_jobs(10, 10, lease).await.unwrap().is_empty());
    scope.complete_job(first[0].job.id).await.unwrap();
    let next = store.claim_jobs(10, 10, lease).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].job.payload.0["wamid"], "wamid.S1");
});

backend_test!(a_send_cut_off_is_settled_from_its_receipts, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    scope.record_inbound(&message("111", "wamid.IN", "254700000001", "hi")).await.unwrap();
    let claimed = store.claim_jobs(1, 1, chrono::Duration::zero()).await.unwrap().remove(0);
    let reply = alphadome_store::PendingReply {
        text: "Karibu!".into(),
        source: "canned_reply".into(),
        training_data_id: None,
        template_used: None,
        score: None,
        whatsapp_template: None,
    };
    scope.begin_send(claimed.job.id, &reply).await.unwrap();
    // The process dies here. Claimed again, the job shows its send began and what it said.
    let again = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap().remove(0);
    assert!(again.job.send_started_at.is_some());
    assert_eq!(scope.pending_reply(again.job.id).await.unwrap(), Some(reply.clone()));
    assert_eq!(scope.send_receipt(again.job.id).await.unwrap(), None);
    // Waiting for receipts keeps the mark.
    let soon = alphadome_store::now();
    scope.await_receipts(again.job.id, soon, "waiting").await.unwrap();
    let third = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap().remove(0);
    assert!(third.job.send_started_at.is_some());

    // Meta's receipts name the job; the furthest status wins.
    let mut sent = receipt("111", "wamid.OUT", "sent");
    sent.callback_data = Some(claimed.job.id.to_string());
    let mut delivered = receipt("111", "wamid.OUT", "delivered");
    delivered.callback_data = Some(claimed.job.id.to_string());
    scope.record_status(&delivered).await.unwrap();
    scope.record_status(&sent).await.unwrap();
    let found = scope.send_receipt(third.job.id).await.unwrap().unwrap();
    assert_eq!((found.wamid.as_str(), found.status.as_str()), ("wamid.OUT", "delivered"));
    // Another tenant never sees them.
    let b = make_tenant(&store, "b-shop", "222").await;
    assert_eq!(store.tenant(b.id).send_receipt(third.job.id).await.unwrap(), None);
});

backend_test!(receipts_faster_than_the_log_are_applied_when_it_is_written, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    scope.record_inbound(&message("111", "wamid.IN", "254700000001", "hi")).await.unwrap();
    let claimed = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap().remove(0);
    scope.record_status(&receipt("111", "wamid.FAST", "read")).await.unwrap();
    let outcome = alphadome_store::OutgoingReply {
        job_id: claimed.job.id,
        to: "254700000001",
        text: "Karibu!",
        wamid: Some("wamid.FAST"),
        status: "sent",
        error: None,
        in_reply_to: Some("wamid.IN"),
        training_data_id: None,
        template_used: None,
        source: "canned_reply",
        score: None,
        draft: false,
    };
    scope.finish_reply(&outcome).await.unwrap();
    let log = scope.message_log(10).await.unwrap();
    let out = log.iter().find(|m| m.direction == "outgoing").unwrap();
    assert_eq!(out.status.as_deref(), Some("read"));
    assert_eq!(scope.jobs().await.unwrap()[0].state, "done");
});

backend_test!(every_change_to_a_tenant_moves_its_config_version, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    let version = || async { store.tenant_by_id(a.id).await.unwrap().config_version };
    let v0 = version().await;
    scope.update_settings(&Default::default(), &["is_bot_enabled"], "t").await.unwrap();
    let v1 = version().await;
    let entry = alphadome_core::training::TrainingEntryIn {
        data_type: alphadome_core::training::DataType::Faq,
        question: "Open?".into(),
        answer: "9 to 6".into(),
        category: None,
        priority: 0,
        confidence_score: 1.0,
        is_active: true,
    };
    scope.add_training(&entry, "t").await.unwrap();
    let v2 = version().await;
    scope.save_template(&alphadome_core::template::TemplateIn::default_for("A"), "t").await.unwrap();
    let v3 = version().await;
    scope.set_token_broken(Some(alphadome_store::now()), "t").await.unwrap();
    let v4 = version().await;
    assert!(v0 < v1 && v1 < v2 && v2 < v3 && v3 < v4, "{v0} {v1} {v2} {v3} {v4}");
    // Another tenant's version does not move.
    let b = make_tenant(&store, "b-shop", "222").await;
    scope.import_training(std::slice::from_ref(&entry), false, "t").await.unwrap();
    assert_eq!(store.tenant_by_id(b.id).await.unwrap().config_version, 0);
});

/// A reply as the worker logs it, to the job's customer.
fn reply<'a>(job: uuid::Uuid, wamid: Option<&'a str>, status: &'a str) -> alphadome_store::OutgoingReply<'a> {
    alphadome_store::OutgoingReply {
        job_id: job,
        to: "254700000001",
        text: "Karibu!",
        wamid,
        status,
        error: None,
        in_reply_to: None,
        training_data_id: None,
        template_used: None,
        source: "faq",
        score: None,
        draft: false,
    }
}

backend_test!(the_limits_count_replies_that_reached_meta_and_notices_apart, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    for i in 0..5 {
        scope.record_inbound(&message("111", &format!("wamid.Q{i}"), "254700000001", "hi")).await.unwrap();
    }
    let jobs: Vec<uuid::Uuid> = store
        .claim_jobs(5, 5, chrono::Duration::seconds(60))
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.job.id)
        .collect();
    assert_eq!(jobs.len(), 1, "one customer's messages are answered one at a time");
    // Two delivered replies, one notice, one failure, one decision not to send: each
    // finished before the customer's next job can be claimed.
    let mut job = jobs[0];
    for (i, (wamid, status)) in [
        (Some("wamid.R0"), "sent"),
        (Some("wamid.R1"), "sent"),
        (Some("wamid.R2"), "sent"),
        (None, "failed"),
        (None, "skipped"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = reply(job, wamid, status);
        if i == 2 {
            r.template_used = Some(alphadome_store::LIMIT_NOTICE);
        }
        scope.finish_reply(&r).await.unwrap();
        if i < 4 {
            let next = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap().remove(0);
            job = next.job.id;
            // The claim reads the customer's standing with the job.
            let recent = next.standing.expect("a customer's job has a standing").recent;
            let delivered = [1, 2, 2, 2][i];
            assert_eq!((recent.tenant_last_hour, recent.customer_last_day), (delivered, delivered), "{i}");
            assert_eq!(recent.noticed_last_hour, i >= 2, "{i}");
        }
    }
    let recent = scope.customer_standing("254700000001", 100).await.unwrap().recent;
    assert_eq!((recent.tenant_last_hour, recent.customer_last_day), (2, 2));
    assert!(recent.noticed_last_hour && recent.noticed_last_day);
    // Another customer has their own day, but the tenant's hour is shared.
    let other = scope.customer_standing("254700000009", 100).await.unwrap().recent;
    assert_eq!((other.tenant_last_hour, other.customer_last_day, other.noticed_last_day), (2, 0, false));
    // Another tenant's tally is its own.
    let b = make_tenant(&store, "b-shop", "222").await;
    assert_eq!(
        store.tenant(b.id).customer_standing("254700000001", 100).await.unwrap().recent.tenant_last_hour,
        0
    );
});

backend_test!(a_reply_for_a_job_that_does_not_exist_logs_nothing, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    let missing = reply(uuid::Uuid::new_v4(), Some("wamid.NOPE"), "sent");
    assert!(matches!(scope.finish_reply(&missing).await, Err(alphadome_store::StoreError::NotFound)));
    assert!(scope.message_log(10).await.unwrap().is_empty());
    assert_eq!(scope.customer_standing("254700000001", 100).await.unwrap().recent.tenant_last_hour, 0);
});

backend_test!(a_job_is_finished_once, async |db: &TestDb| {
    // A second finish of the same job (a retried write) must neither log nor count again.
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    scope.record_inbound(&message("111", "wamid.ONCE", "254700000001", "hi")).await.unwrap();
    let job = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap().remove(0).job.id;
    scope.finish_reply(&reply(job, Some("wamid.R1"), "sent")).await.unwrap();
    let again = scope.finish_reply(&reply(job, Some("wamid.R1"), "sent")).await;
    assert!(matches!(again, Err(alphadome_store::StoreError::NotFound)), "{again:?}");
    let outgoing =
        scope.message_log(10).await.unwrap().into_iter().filter(|m| m.direction == "outgoing").count();
    assert_eq!(outgoing, 1);
    assert_eq!(scope.customer_standing("254700000001", 100).await.unwrap().recent.tenant_last_hour, 1);
    assert_eq!(scope.jobs().await.unwrap()[0].state, "done");
});

backend_test!(a_customers_standing_shows_a_handoff_to_a_person, async |db: &TestDb| {
    let store = db.store().await;
    let a = make_tenant(&store, "a-shop", "111").await;
    let scope = store.tenant(a.id);
    assert_eq!(scope.customer_standing("254700000001", 100).await.unwrap().handoff_since, None);
    scope.start_handoff("254700000001", "requested").await.unwrap();
    let since = scope.customer_standing("254700000001", 100).await.unwrap().handoff_since;
    assert!(since.is_some_and(|at| (chrono::Utc::now() - at).num_seconds().abs() < 60), "{since:?}");
    // A claimed job of the customer carries the same.
    scope.record_inbound(&message("111", "wamid.H1", "254700000001", "hi")).await.unwrap();
    let claimed = store.claim_jobs(1, 1, chrono::Duration::seconds(60)).await.unwrap().remove(0);
    assert_eq!(claimed.standing.and_then(|s| s.handoff_since), since);
    // Only that customer, and only in that tenant.
    assert_eq!(scope.customer_standing("254700000009", 100).await.unwrap().handoff_since, None);
    let b = make_tenant(&store, "b-shop", "222").await;
    assert_eq!(store.tenant(b.id).customer_standing("254700000001", 100).await.unwrap().handoff_since, None);
    scope.release_handoff("254700000001", "owner").await.unwrap();
    assert_eq!(scope.customer_standing("254700000001", 100).await.unwrap().handoff_since, None);
});

backend_test!(two_processes_claiming_at_once_never_take_the_same_job, async |db: &TestDb| {
    let (first, second) = (db.store().await, db.store().await);
    let a = make_tenant(&first, "a-shop", "111").await;
    for i in 0..24 {
        let customer = format!("2547000001{i:02}");
        first
            .tenant(a.id)
            .record_inbound(&message("111", &format!("wamid.P{i}"), &customer, "hi"))
            .await
            .unwrap();
    }
    let lease = chrono::Duration::seconds(60);
    let mut claimed = Vec::new();
    loop {
        let (x, y) = tokio::join!(first.claim_jobs(5, 5, lease), second.claim_jobs(5, 5, lease));
        let (x, y) = (x.unwrap(), y.unwrap());
        if x.is_empty() && y.is_empty() {
            break;
        }
        claimed.extend(x.into_iter().chain(y).map(|c| c.job.id));
    }
    let unique: std::collections::HashSet<_> = claimed.iter().collect();
    assert_eq!((claimed.len(), unique.len()), (24, 24));
});

backend_test!(two_processes_writing_the_same_customers_at_once_lose_nothing, async |db: &TestDb| {
    // Each process group-commits its writes, so two processes write overlapping batches at
    // once: the same customers' contacts and sessions, the same tenants' tallies. Every
    // message must be stored once and every reply logged and counted once.
    let (first, second) = (db.store().await, db.store().await);
    let a = make_tenant(&first, "a-shop", "111").await;
    let b = make_tenant(&first, "b-shop", "222").await;
    let customers: Vec<String> = (0..12).map(|i| format!("2547000002{i:02}")).collect();
    let mut writes = tokio::task::JoinSet::new();
    for (n, store) in [first.clone(), second.clone()].into_iter().enumerate() {
        for (tenant, number) in [(a.id, "111"), (b.id, "222")] {
            for (i, customer) in customers.iter().enumerate() {
                // The second process meets the customers in the opposite order.
                let customer =
                    if n == 0 { customer.clone() } else { customers[customers.len() - 1 - i].clone() };
                let m = message(number, &format!("wamid.{n}.{customer}"), &customer, "hi");
                let store = store.clone();
                writes.spawn(async move { store.tenant(tenant).record_inbound(&m).await });
            }
        }
    }
    while let Some(done) = writes.join_next().await {
        assert!(matches!(done.unwrap(), Ok(Recorded::New { .. })));
    }
    // Each customer has two messages with each tenant: answer them round by round, both
    // processes finishing at once.
    let lease = chrono::Duration::seconds(60);
    for _round in 0..2 {
        let claimed = first.claim_jobs(100, 100, lease).await.unwrap();
        assert_eq!(claimed.len(), 2 * customers.len());
        let mut finished = tokio::task::JoinSet::new();
        for (i, c) in claimed.into_iter().enumerate() {
            let store = if i % 2 == 0 { first.clone() } else { second.clone() };
            finished.spawn(async move {
                let wamid = format!("wamid.R.{}", c.job.id);
                let mut r = reply(c.job.id, Some(&wamid), "sent");
                let customer = c.job.subject.clone().unwrap_or_default();
                r.to = &customer;
                store.tenant(c.tenant).finish_reply(&r).await
            });
        }
        while let Some(done) = finished.join_next().await {
            done.unwrap().unwrap();
        }
    }
    for tenant in [a.id, b.id] {
        let scope = first.tenant(tenant);
        assert!(scope.jobs().await.unwrap().iter().all(|j| j.state == "done"));
        assert_eq!(scope.message_log(200).await.unwrap().len(), 4 * customers.len());
        let standing = scope.customer_standing(&customers[0], 100).await.unwrap().recent;
        assert_eq!((standing.tenant_last_hour, standing.customer_last_day), (24, 2));
    }
});
