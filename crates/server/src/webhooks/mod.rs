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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tokio::sync::Semaphore;

/// Deliveries processed at once before new ones are turned away.
pub const MAX_IN_FLIGHT: usize = 256;

/// `/webhooks/…`.
pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/whatsapp", whatsapp::router())
        .layer(axum::middleware::from_fn_with_state(Arc::new(Admission::new(MAX_IN_FLIGHT)), admit))
}

/// The admission limit, and the deliveries it turned away.
#[derive(Debug)]
struct Admission {
    permits: Semaphore,
    turned_away: TurnedAway,
    started: Instant,
}

impl Admission {
    fn new(permits: usize) -> Self {
        Self { permits: Semaphore::new(permits), turned_away: TurnedAway::default(), started: Instant::now() }
    }
}

/// Counts deliveries turned away and says when to log them: at most one line a second, with
/// how many since the last, so an overload does not flood the log as well (one line per 503
/// was thousands a second, written exactly when the cores are short).
#[derive(Debug, Default)]
struct TurnedAway {
    count: AtomicU64,
    /// The second (since start, plus one: 0 is never) of the last line.
    logged: AtomicU64,
}

impl TurnedAway {
    /// Counts one delivery turned away in `second`; returns how many to report when a line
    /// is due.
    fn note(&self, second: u64) -> Option<u64> {
        self.count.fetch_add(1, Ordering::Relaxed);
        let due = self.logged.swap(second + 1, Ordering::Relaxed) != second + 1;
        due.then(|| self.count.swap(0, Ordering::Relaxed))
    }
}

/// Lets a delivery in if there is room, else answers 503 straight away.
async fn admit(State(admission): State<Arc<Admission>>, request: Request, next: Next) -> Response {
    let Ok(_permit) = admission.permits.try_acquire() else {
        if let Some(count) = admission.turned_away.note(admission.started.elapsed().as_secs()) {
            tracing::warn!(turned_away = count, "webhook overload: deliveries turned away with 503");
        }
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
            .layer(axum::middleware::from_fn_with_state(Arc::new(Admission::new(permits)), admit))
    }

    #[tokio::test]
    async fn a_delivery_past_the_limit_gets_a_prompt_503() {
        let request = || Request::post("/").body(Body::empty()).unwrap();
        let full = guarded(0).oneshot(request()).await.unwrap();
        assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(full.headers()[header::RETRY_AFTER], "1");
        assert_eq!(guarded(1).oneshot(request()).await.unwrap().status(), StatusCode::OK);
    }

    #[test]
    fn an_overload_is_logged_once_a_second_with_its_count() {
        let turned_away = TurnedAway::default();
        assert_eq!(turned_away.note(0), Some(1), "the first one at once");
        for _ in 0..5 {
            assert_eq!(turned_away.note(0), None);
        }
        assert_eq!(turned_away.note(1), Some(6), "the next second reports the five held back too");
        assert_eq!(turned_away.note(1), None);
        assert_eq!(turned_away.note(3), Some(2));
    }
}
