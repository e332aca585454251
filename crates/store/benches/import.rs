//! Training-data import speed: parse and validate a 10,000-row CSV, then store it in one
//! transaction, on SQLite and on PostgreSQL. Run with
//! `cargo bench -p alphadome-store --bench import` (PostgreSQL from ALPHADOME_TEST_POSTGRES_URL).
//! Prints the median and the spread of several runs per back end.

use alphadome_core::TenantId;
use alphadome_core::training::{DataType, TrainingEntryIn};
use alphadome_core::training_io::{self, Format};
use alphadome_store::{Backend, NewTenant, TenantSecrets};
use alphadome_testkit::TestDb;
use std::time::{Duration, Instant};

const ROWS: usize = 10_000;
const RUNS: usize = 7;

fn sample_csv() -> Vec<u8> {
    let entries: Vec<TrainingEntryIn> = (0..ROWS)
        .map(|i| TrainingEntryIn {
            data_type: if i % 10 == 0 { DataType::CannedReply } else { DataType::Faq },
            question: format!("Do you have item number {i} in stock, and what does it cost?"),
            answer: format!("Yes, item {i} is available at the shop in Nairobi. Ask Gideon on 0702 245 555 for the price, \"quoted\", today."),
            category: Some(["Products", "Hours", "Payments"][i % 3].into()),
            priority: (i % 20) as i32,
            confidence_score: 1.0,
            is_active: i % 7 != 0,
        })
        .collect();
    training_io::write(Format::Csv, &entries)
}

async fn bench(backend: Backend, csv: &[u8]) -> Option<Vec<Duration>> {
    let db = TestDb::new(backend).await?;
    let store = db.store().await;
    let mut times = Vec::new();
    for run in 0..RUNS {
        let fields = alphadome_core::tenant::TenantFields {
            slug: Some(format!("bench-{run}")),
            client_name: Some("Bench".into()),
            ..Default::default()
        };
        let (slug, profile) = fields.validate_new(format!("bench-verify-token-{run}-0000")).unwrap();
        let tenant = NewTenant {
            id: TenantId::new(),
            template: alphadome_core::template::TemplateIn::default_for("Bench"),
            slug,
            profile,
            secrets: TenantSecrets::default(),
            settings: Default::default(),
        };
        let tenant = store.create_tenant(&tenant, "bench").await.unwrap();
        let started = Instant::now();
        let entries = training_io::parse(Format::Csv, csv).unwrap();
        store.tenant(tenant.id).import_training(&entries, true, "bench").await.unwrap();
        times.push(started.elapsed());
    }
    store.close().await;
    db.cleanup().await;
    Some(times)
}

#[tokio::main]
async fn main() {
    let csv = sample_csv();
    println!("import of {ROWS} rows ({} KiB CSV), {RUNS} runs each", csv.len() / 1024);
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(mut times) = bench(backend, &csv).await else { continue };
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{backend:?}: median {:.0} ms (min {:.0} ms, max {:.0} ms)",
            ms(times[RUNS / 2]),
            ms(times[0]),
            ms(times[RUNS - 1])
        );
    }
}
