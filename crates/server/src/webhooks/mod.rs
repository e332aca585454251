//! Webhooks from the outside services. Each channel is one module with its own router.
//!
//! All of them share one admission limit: past [`MAX_IN_FLIGHT`] deliveries in progress, a
//! new one is answered `503` with `Retry-After` at once rather than queued. Under overload
//! every sender then gets a prompt answer (a 200, or a 503 it will retry: Meta retries
//! webhooks for up to 7 days), and the deliveries already admitted keep their latency.

pub mod whatsapp;

use crate::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Deliveries processed at once before new ones are turned away.
pub const MAX_IN_FLIGHT: usize = 256;

/// `/webhooks/…`.
pub fn router() -> Router<AppState> {
    let admission = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    Router::new()
        .nest("/whatsapp", whatsapp::router())
        .layer(axum::middleware::from_fn_with_state(admission, admit))
}

/// Lets a delivery in if there is room, else answers 503 straight away.
async fn admit(State(admission): State<Arc<Semaphore>>, request: Request, next: Next) -> Response {
    let Ok(_permit) = admission.try_acquire() else {
        tracing::warn!("webhook overload: delivery turned away with 503");
        let mut busy =
            crate::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", "try again shortly")
                .into_response();
        busy.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return busy;
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    fn guarded(permits: usize) -> Router {
        Router::new()
            .route("/", axum::routing::post(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(Arc::new(Semaphore::new(permits)), admit))
    }

    #[tokio::test]
    async fn a_delivery_past_the_limit_gets_a_prompt_503() {
        let request = || Request::post("/").body(Body::empty()).unwrap();
        let full = guarded(0).oneshot(request()).await.unwrap();
        assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(full.headers()[header::RETRY_AFTER], "1");
        assert_eq!(guarded(1).oneshot(request()).await.unwrap().status(), StatusCode::OK);
    }
}
