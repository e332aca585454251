//! End-to-end WhatsApp benchmark: signed webhooks into the real server over HTTP, replies to
//! a local fake Graph API, on SQLite and PostgreSQL. Run with
//! `cargo bench -p alphadome-server --bench whatsapp` (PostgreSQL from
//! ALPHADOME_TEST_POSTGRES_URL; skipped when unreachable).
//!
//! Reports: end-to-end messages/s (webhook in → reply accepted by the fake → logged) under a
//! closed loop of 32 concurrent senders; webhook acknowledgement latency p50/p99/p99.9 at a
//! fixed open-loop rate; lost and duplicated replies; peak RSS of the whole process (server,
//! worker, fake and load generator together).
//!
//! `BENCH_BACKEND=sqlite` or `BENCH_BACKEND=postgres` runs one engine only; `BENCH_MESSAGES=n`
//! sends `n` messages in the closed loop instead of 3,000 (a longer, steadier run).
//!
//! With `BENCH_NO_WORKER=1` it measures the acknowledgement path alone instead: the closed
//! and the open loop with no reply worker running. `BENCH_SQL_LOG=file` writes every SQL
//! statement with its time inside the database to `file`.

use alphadome_crypto::{Keyring, MasterKey, SecretString, hub_signature};
use alphadome_server::AppState;
use alphadome_server::webhooks::whatsapp::WhatsAppConfig;
use alphadome_service::Services;
use alphadome_service::graph::GraphClient;
use alphadome_service::worker::{RetryPolicy, Worker};
use alphadome_store::Backend;
use alphadome_testkit::{FakeGraph, TestDb};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "bench-app-secret";
const TENANTS: usize = 10;
/// Messages of the closed loop, unless `BENCH_MESSAGES` says otherwise.
const THROUGHPUT_MESSAGES: usize = 3_000;

/// The closed loop's messages: `BENCH_MESSAGES`, else [`THROUGHPUT_MESSAGES`].
fn messages() -> usize {
    std::env::var("BENCH_MESSAGES").ok().and_then(|n| n.parse().ok()).unwrap_or(THROUGHPUT_MESSAGES)
}
const CONCURRENCY: usize = 32;
const RATE: u64 = 500;
const RATE_SECONDS: u64 = 10;

struct Bench {
    base: String,
    graph: FakeGraph,
    client: reqwest::Client,
    stop: tokio::sync::watch::Sender<bool>,
}

async fn setup(db: &TestDb) -> Bench {
    let services = Services::new(db.store().await, Keyring::new([MasterKey::generate(1)]).unwrap());
    for t in 0..TENANTS {
        let fields: alphadome_core::tenant::TenantFields = serde_json::from_value(serde_json::json!({
            "slug": format!("shop-{t}"), "client_name": "Bench shop", "is_active": true,
            "whatsapp_phone_number_id": format!("{}", 100_000 + t),
            "secrets": { "whatsapp_access_token": "EAAGbenchmarkTOKEN000000" } }))
        .unwrap();
        let created = services.create_tenant(&fields, "bench").await.unwrap();
        let id = alphadome_core::TenantId(created.tenant.id);
        let pairs: Vec<(String, String)> = [
            ("max_messages_per_hour", "10000000"),
            ("max_messages_per_user_per_day", "10000000"),
            ("whatsapp_messages_per_second", "1000"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        services.set_settings(id, &pairs, "bench").await.unwrap();
        let faq = alphadome_core::training::TrainingFields {
            data_type: Some("faq".into()),
            question: Some("What time do you open?".into()),
            answer: Some("Mon–Sat 9am–6pm.".into()),
            ..Default::default()
        };
        services.add_training(id, &faq, "bench").await.unwrap();
    }
    let graph = FakeGraph::start().await;
    let worker = Worker::new(services.clone(), GraphClient::new(&graph.url, "v23.0"), RetryPolicy::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    if std::env::var_os("BENCH_NO_WORKER").is_none() {
        tokio::spawn(worker.run(Duration::from_millis(5), stopped));
    }
    let whatsapp = WhatsAppConfig { app_secret: Some(SecretString::from(SECRET)), verify_token: None };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/webhooks/whatsapp", listener.local_addr().unwrap());
    let state = AppState::new(services).with_whatsapp(whatsapp);
    tokio::spawn(alphadome_server::serve(listener, state, std::future::pending()));
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY * 2).build().unwrap();
    Bench { base, graph, client, stop }
}

fn delivery(i: usize) -> (String, String) {
    let body = serde_json::json!({ "object": "whatsapp_business_account", "entry": [{ "id": "waba", "changes": [{
        "field": "messages", "value": { "metadata": { "phone_number_id": format!("{}", 100_000 + i % TENANTS) },
        "contacts": [{ "profile": { "name": "Bench" }, "wa_id": format!("2547{:08}", i) }],
        "messages": [{ "from": format!("2547{:08}", i), "id": format!("wamid.BENCH{i}"),
            "timestamp": chrono::Utc::now().timestamp().to_string(), "type": "text",
            "text": { "body": "what time do you open?" } }] } }] }] })
    .to_string();
    let signature = hub_signature(SECRET.as_bytes(), body.as_bytes());
    (body, signature)
}

async fn post(client: &reqwest::Client, base: &str, i: usize) -> (u16, Duration) {
    let (body, signature) = delivery(i);
    let started = Instant::now();
    let status = match client.post(base).header("X-Hub-Signature-256", signature).body(body).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    };
    (status, started.elapsed())
}

async fn wait_for_replies(graph: &FakeGraph, expected: usize, limit: Duration) -> Duration {
    let started = Instant::now();
    while graph.accepted() < expected && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    started.elapsed()
}

fn check_replies(graph: &FakeGraph, expected: usize) -> (usize, usize) {
    let answered: Vec<String> = graph
        .texts()
        .iter()
        .filter_map(|t| t.body["context"]["message_id"].as_str().map(str::to_owned))
        .collect();
    let unique: HashSet<&String> = answered.iter().collect();
    (expected.saturating_sub(unique.len()), answered.len() - unique.len())
}

/// Sends [`messages()`] signed webhooks from [`CONCURRENCY`] closed-loop senders; returns
/// how long until the last was acknowledged.
async fn closed_loop(b: &Bench) -> Duration {
    let started = Instant::now();
    let (next, count) = (Arc::new(std::sync::atomic::AtomicUsize::new(0)), messages());
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, base, next) = (b.client.clone(), b.base.clone(), next.clone());
        senders.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                assert_eq!(post(&client, &base, i).await.0, 200);
            }
        });
    }
    while senders.join_next().await.is_some() {}
    started.elapsed()
}

/// Returns the closed-loop acknowledgement rate (requests/s).
async fn throughput(b: &Bench) -> f64 {
    let (started, cpu, count) = (Instant::now(), cpu_seconds(), messages());
    let acked = closed_loop(b).await;
    wait_for_replies(&b.graph, count, Duration::from_secs(120)).await;
    let total = started.elapsed();
    let busy = (cpu_seconds() - cpu) / total.as_secs_f64() / 2.0 * 100.0;
    let (lost, duplicated) = check_replies(&b.graph, count);
    println!(
        "  end to end: {count} messages in {:.2} s = {:.0} msg/s (acknowledged in {:.2} s = {:.0} req/s); lost {lost}, duplicated {duplicated}; {busy:.0}% of the two cores busy",
        total.as_secs_f64(),
        count as f64 / total.as_secs_f64(),
        acked.as_secs_f64(),
        count as f64 / acked.as_secs_f64()
    );
    count as f64 / acked.as_secs_f64()
}

/// An open loop of `rate` webhook POSTs per second for `seconds`, starting at message
/// number `first`; returns every (status, latency).
async fn open_loop(b: &Bench, rate: u64, seconds: u64, first: usize) -> Vec<(u16, Duration)> {
    let count = (rate * seconds) as usize;
    let interval = Duration::from_secs(1) / rate as u32;
    let started = tokio::time::Instant::now();
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..count {
        tokio::time::sleep_until(started + interval * n as u32).await;
        let (client, base) = (b.client.clone(), b.base.clone());
        requests.spawn(async move { post(&client, &base, first + n).await });
    }
    let mut results = Vec::with_capacity(count);
    while let Some(result) = requests.join_next().await {
        results.push(result.unwrap());
    }
    results
}

/// Twice the closed-loop acknowledgement rate: every request must get a 200 or a prompt 503.
async fn overload(b: &Bench, capacity: f64, first: usize) {
    const SECONDS: u64 = 5;
    let rate = (capacity * 2.0) as u64;
    let results = open_loop(b, rate, SECONDS, first).await;
    let count = |code: u16| results.iter().filter(|(s, _)| *s == code).count();
    let slowest = |code: u16| {
        results.iter().filter(|(s, _)| *s == code).map(|(_, t)| t.as_secs_f64() * 1000.0).fold(0.0, f64::max)
    };
    let other = results.len() - count(200) - count(503);
    println!(
        "  2x overload ({rate} req/s for {SECONDS} s): {} answered 200 (slowest {:.0} ms), {} answered 503 (slowest {:.0} ms), {other} other",
        count(200),
        slowest(200),
        count(503),
        slowest(503)
    );
}

async fn latency(b: &Bench) {
    let count = (RATE * RATE_SECONDS) as usize;
    let results = open_loop(b, RATE, RATE_SECONDS, messages()).await;
    let not_ok = results.iter().filter(|(status, _)| *status != 200).count();
    let mut latencies: Vec<Duration> = results.into_iter().map(|(_, took)| took).collect();
    latencies.sort();
    let pct = |p: f64| {
        latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "  acknowledgement at {RATE} req/s for {RATE_SECONDS} s: p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms; non-200: {not_ok}",
        pct(0.5),
        pct(0.99),
        pct(0.999),
        latencies.last().unwrap().as_secs_f64() * 1000.0
    );
    // A delivery refused with 503 was not stored (Meta sends it again): only the acknowledged
    // ones are owed a reply.
    let owed = messages() + count - not_ok;
    wait_for_replies(&b.graph, owed, Duration::from_secs(120)).await;
    let (lost, duplicated) = check_replies(&b.graph, owed);
    println!("  after the open-loop phase: lost {lost}, duplicated {duplicated} (of {owed} acknowledged)");
}

/// CPU time this process has used (user and system), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th
    // and 13th, in clock ticks of 1/100 s.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if let Some(path) = std::env::var_os("BENCH_SQL_LOG") {
        // Every statement with its time inside the database, for finding the slow ones.
        let file = std::fs::File::create(path).expect("create the SQL log");
        let subscriber = tracing_subscriber::fmt().with_env_filter("sqlx::query=debug").with_ansi(false);
        subscriber.with_writer(std::sync::Mutex::new(file)).init();
    }
    let only = std::env::var("BENCH_BACKEND").unwrap_or_default().to_lowercase();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        if !only.is_empty() && !format!("{backend:?}").to_lowercase().starts_with(&only) {
            continue;
        }
        let Some(mut db) = TestDb::new(backend).await else { continue };
        // The service's own pool size, not the tests' small one.
        db.options.max_connections = alphadome_store::DEFAULT_MAX_CONNECTIONS;
        println!("{backend:?}:");
        let bench = setup(&db).await;
        if std::env::var_os("BENCH_NO_WORKER").is_some() {
            let cpu = cpu_seconds();
            let acked = closed_loop(&bench).await;
            println!(
                "  no worker: closed loop {:.0} req/s, {:.0}% of the two cores busy",
                messages() as f64 / acked.as_secs_f64(),
                (cpu_seconds() - cpu) / acked.as_secs_f64() / 2.0 * 100.0
            );
            let results = open_loop(&bench, RATE, RATE_SECONDS, messages()).await;
            let mut l: Vec<f64> = results.iter().map(|(_, t)| t.as_secs_f64() * 1000.0).collect();
            l.sort_by(f64::total_cmp);
            println!("  no worker: ack p50 {:.2} ms, p99 {:.2} ms", l[l.len() / 2], l[l.len() * 99 / 100]);
            continue;
        }
        let capacity = throughput(&bench).await;
        latency(&bench).await;
        overload(&bench, capacity, messages() + (RATE * RATE_SECONDS) as usize).await;
        println!("  peak RSS so far (whole process): {:.0} MiB", peak_rss_mib());
        let _ = bench.stop.send(true);
        db.cleanup().await;
    }
}
