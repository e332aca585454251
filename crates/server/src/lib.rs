//! Alphadome's HTTP surface: the admin API under `/api/v1`, the WhatsApp webhooks, health
//! and metrics. The M-Pesa and Genesys webhooks and the dashboard will each be one more
//! module with its own `router()`, merged in [`app`].

pub mod api;
mod auth;
mod dashboard;
mod error;
mod health;
mod metrics;
mod state;
pub mod webhooks;

pub use error::ApiError;
pub use metrics::Metrics;
pub use state::AppState;

use axum::Router;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// How long one request may take before the client gets 408 and the work is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(health::router())
        .nest("/api/v1", api::router())
        .nest("/auth", auth::router())
        .nest("/dashboard", dashboard::router())
        .nest("/webhooks", webhooks::router())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .fallback(error::route_not_found)
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves `app` on a bound listener until `shutdown` resolves, then finishes the requests
/// in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // Answers are small and go out at once: without TCP_NODELAY, Nagle's algorithm can hold
    // a response back until the client acknowledges the previous segment (up to 40 ms).
    let listener = listener.tap_io(|stream| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
