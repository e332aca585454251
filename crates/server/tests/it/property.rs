//! Isolation under random traffic: thousands of random operations by several tenants —
//! through the API with each tenant's own key, and through WhatsApp and the reply worker —
//! interleaved with attempts on the other tenants' data. At the end every tenant's data holds
//! only what it wrote, and every attempt on another tenant's data answered 404.

use crate::TestApp;
use alphadome_service::graph::GraphClient;
use alphadome_service::worker::{RetryPolicy, Worker};
use alphadome_testkit::{FakeGraph, TestDb, backend_test};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::HashMap;

const TENANTS: usize = 3;
const OPERATIONS: usize = 2_000;

/// A small deterministic generator (xorshift64*), so a failure replays exactly.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

struct Tenant {
    slug: String,
    number: String,
    key: String,
    /// Training entries it owns: id → the marker in its question.
    entries: HashMap<String, String>,
    customers: Vec<String>,
}

fn marker(t: usize, n: usize) -> String {
    format!("tenant{t}item{n}")
}

async fn tenants(app: &TestApp) -> Vec<Tenant> {
    let mut out = Vec::new();
    for t in 0..TENANTS {
        let (slug, number) = (format!("shop{t}"), format!("77700{t}"));
        let body = json!({ "slug": slug, "client_name": slug, "is_active": true, "whatsapp_phone_number_id": number,
            "secrets": { "whatsapp_access_token": format!("EAAGtoken{t}xxxx") } });
        assert_eq!(app.platform(Method::POST, "/api/v1/tenants", Some(body)).await.0, StatusCode::CREATED);
        let key = app.tenant_key(&slug).await;
        out.push(Tenant { slug, number, key, entries: HashMap::new(), customers: Vec::new() });
    }
    out
}

/// One random operation by tenant `t`; returns whether it was an attempt on another tenant.
async fn operate(app: &TestApp, rng: &mut Rng, all: &mut [Tenant], t: usize, n: usize) -> bool {
    let other = (t + 1 + rng.below(TENANTS - 1)) % TENANTS;
    let key = all[t].key.clone();
    let own = format!("/api/v1/tenants/{}", all[t].slug);
    match rng.below(8) {
        0 | 1 => {
            let m = marker(t, n);
            let body = json!({ "data_type": "faq", "question": format!("Do you sell {m}?"), "answer": format!("Yes, {m}.") });
            let (status, entry) = app.call(&key, Method::POST, &format!("{own}/training"), Some(body)).await;
            assert_eq!(status, StatusCode::CREATED);
            all[t].entries.insert(entry["id"].as_str().unwrap().to_owned(), m);
            false
        }
        2 => {
            let q = format!("tenant{}", rng.below(TENANTS));
            let (status, list) =
                app.call(&key, Method::GET, &format!("{own}/training?q={q}&limit=500"), None).await;
            assert_eq!(status, StatusCode::OK);
            for entry in list.as_array().unwrap() {
                assert!(entry["question"].as_str().unwrap().contains(&format!("tenant{t}item")), "{entry}");
            }
            false
        }
        3 if !all[other].entries.is_empty() => {
            // Another tenant's entry, by its id, under this tenant's own path and the other's.
            let id = all[other].entries.keys().nth(rng.below(all[other].entries.len())).unwrap().clone();
            let theirs = format!("/api/v1/tenants/{}/training/{id}", all[other].slug);
            let (method, body) = match rng.below(3) {
                0 => (Method::GET, None),
                1 => (Method::PATCH, Some(json!({ "answer": "stolen" }))),
                _ => (Method::DELETE, None),
            };
            for path in [format!("{own}/training/{id}"), theirs] {
                let (status, _) = app.call(&key, method.clone(), &path, body.clone()).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
            }
            true
        }
        4 => {
            let path = format!(
                "/api/v1/tenants/{}/{}",
                all[other].slug,
                ["settings", "templates", "audit", "handoffs"][rng.below(4)]
            );
            assert_eq!(app.call(&key, Method::GET, &path, None).await.0, StatusCode::NOT_FOUND, "{path}");
            true
        }
        5 => {
            let m = marker(other, rng.below(n + 1));
            let (status, answer) = app
                .call(
                    &key,
                    Method::POST,
                    &format!("{own}/simulate"),
                    Some(json!({ "message": format!("do you sell {m}?") })),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                !answer["reply"].as_str().unwrap_or("").contains(&m),
                "another tenant's answer: {answer}"
            );
            false
        }
        _ => {
            let customer = format!("2547{t}{n:07}");
            let body = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{ "field": "messages",
                "value": { "metadata": { "phone_number_id": all[t].number },
                    "messages": [{ "from": customer, "id": format!("wamid.P{t}x{n}"), "timestamp": chrono::Utc::now().timestamp().to_string(),
                                   "type": "text", "text": { "body": format!("do you sell {}?", marker(t, rng.below(n + 1))) } }] } }] }] })
            .to_string();
            assert_eq!(app.deliver_signed(body.as_bytes()).await, StatusCode::OK);
            all[t].customers.push(customer);
            false
        }
    }
}

backend_test!(random_traffic_never_crosses_tenants, async |db: &TestDb| {
    let app = TestApp::spawn(db).await;
    let graph = FakeGraph::start().await;
    let mut all = tenants(&app).await;
    let mut rng = Rng(0x00A1_FAD0_0E00_0001 | 1);
    let worker =
        Worker::new(app.services.clone(), GraphClient::new(&graph.url, "v23.0"), RetryPolicy::default());
    let mut probes = 0;
    for n in 0..OPERATIONS {
        let t = rng.below(TENANTS);
        if operate(&app, &mut rng, &mut all, t, n).await {
            probes += 1;
        }
        if n % 100 == 99 {
            worker.run_until_empty().await.unwrap();
        }
    }
    worker.run_until_empty().await.unwrap();
    assert!(probes > OPERATIONS / 10, "enough attempts on other tenants ({probes})");

    for (t, tenant) in all.iter().enumerate() {
        let id = app.services.tenant(&tenant.slug).await.unwrap().id;
        let scope = app.services.store.tenant(id);
        // Its training is exactly what it wrote.
        let training = scope.training(&Default::default()).await.unwrap();
        assert_eq!(training.len(), tenant.entries.len());
        assert!(training.iter().all(|e| tenant.entries.contains_key(&e.id.0.to_string())));
        assert!(training.iter().all(|e| e.entry.answer != "stolen"));
        // Its log holds only its own customers, and every reply went out with its own token
        // from its own number.
        let log = scope.message_log(10_000).await.unwrap();
        assert!(
            log.iter().all(|m| m.user_phone.as_deref().is_some_and(|p| p.starts_with(&format!("2547{t}"))))
        );
        let replies: Vec<_> =
            graph.texts().into_iter().filter(|r| r.phone_number_id == tenant.number).collect();
        assert_eq!(replies.len(), tenant.customers.len());
        assert!(replies.iter().all(|r| r.authorization == format!("Bearer EAAGtoken{t}xxxx")));
        assert!(replies.iter().all(|r| r.body["to"].as_str().unwrap().starts_with(&format!("2547{t}"))));
    }
});
