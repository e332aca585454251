//! `alphadome serve`.

use crate::config::Config;
use alphadome_server::AppState;
use alphadome_server::webhooks::whatsapp::WhatsAppConfig;
use alphadome_service::DemoOutcome;
use alphadome_service::graph::GraphClient;
use alphadome_service::pacer::Pacer;
use alphadome_service::worker::{RetryPolicy, Worker};
use alphadome_store::redact_url;
use anyhow::Context;

/// Migrates, optionally loads the demo, binds, starts the reply worker, and serves until
/// SIGTERM or Ctrl-C; then finishes requests in flight and the worker's current round.
pub async fn run(config: &Config, demo: bool) -> anyhow::Result<()> {
    let services = super::open(config).await?;
    if demo {
        print_demo(&services.load_demo().await?, config);
    }
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, database = %redact_url(&config.database_url), "alphadome serving");
    eprintln!("alphadome listening on http://{address}");
    let store = services.store.clone();
    let whatsapp = WhatsAppConfig {
        app_secret: config.whatsapp_app_secret.clone(),
        verify_token: config.whatsapp_verify_token.clone(),
    };
    if whatsapp.app_secret.is_none() {
        tracing::warn!(
            "ALPHADOME_WHATSAPP_APP_SECRET is not set: deliveries to /webhooks/whatsapp will be refused"
        );
    }
    let graph = GraphClient::new(&config.graph_base_url, &config.graph_api_version);
    let graph_for_alerts = graph.clone();
    let graph_for_dashboard = graph.clone();
    let retry = RetryPolicy {
        lease: config.worker_lease,
        receipt_wait: config.worker_receipt_wait,
        ..RetryPolicy::default()
    };
    let mut worker = Worker::new(services.clone(), graph, retry);
    if let Some(url) = &config.redis_url {
        let pacer = Pacer::shared(url)
            .with_context(|| format!("ALPHADOME_REDIS_URL ({}) is not usable", redact_url(url)))?;
        tracing::info!(redis = %redact_url(url), "sends paced through Redis, shared by every process");
        worker = worker.with_pacer(pacer);
    }
    let (stop_worker, stopped) = tokio::sync::watch::channel(false);
    let worker = tokio::spawn(worker.run(std::time::Duration::from_millis(200), stopped));
    let alerter = tokio::spawn(raise_alerts(
        services.clone(),
        graph_for_alerts,
        config.platform_tenant.clone(),
        stop_worker.subscribe(),
    ));
    let state = AppState::new(services)
        .with_whatsapp(whatsapp)
        .with_graph(graph_for_dashboard)
        .with_secure_cookies(config.public_url.starts_with("https://"));
    alphadome_server::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_worker.send(true);
    let _ = worker.await;
    let _ = alerter.await;
    store.close().await;
    tracing::info!("alphadome stopped");
    Ok(())
}

/// Raises WhatsApp token alerts at start and then every hour (each at most once a day), from
/// the platform tenant's number when one is configured.
async fn raise_alerts(
    services: alphadome_service::Services,
    graph: GraphClient,
    platform: Option<String>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        let sender = match &platform {
            Some(slug) => match services.tenant(slug).await {
                Ok(tenant) => Some(tenant),
                Err(e) => {
                    tracing::warn!(platform_tenant = %slug, error = %e, "the platform tenant is not usable for alerts");
                    None
                }
            },
            None => None,
        };
        if let Err(e) = services.raise_token_alerts(sender.as_ref().map(|t| (t, &graph))).await {
            tracing::warn!(error = %e, "token alerts not raised");
        }
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

fn print_demo(outcome: &DemoOutcome, config: &Config) {
    match outcome {
        DemoOutcome::AlreadyPresent { slug } => eprintln!("demo tenant '{slug}' is already loaded"),
        DemoOutcome::Created { slug, training_entries, summary, webhook_verify_token } => {
            eprintln!(
                "demo tenant '{slug}' (Kassangas Music Shop) created with {training_entries} training entries ({summary})"
            );
            eprintln!("  webhook URL:           {}/webhooks/whatsapp/{slug}", config.public_url);
            eprintln!("  webhook verify token:  {webhook_verify_token}");
        }
    }
    eprintln!("  try:  alphadome tenant show kassangas");
    eprintln!("        alphadome training list kassangas");
    eprintln!("        alphadome apikey create --name admin   (then call /api/v1/tenants with it)");
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
