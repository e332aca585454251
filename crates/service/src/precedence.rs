//! Acknowledgements first. Meta waits on every webhook delivery and redelivers when the
//! answer is slow, while a reply can wait a few milliseconds: so while a delivery is being
//! verified and stored, the reply worker holds back before its next database step. It holds
//! back for a bounded time only, so a steady stream of deliveries never starves the replies.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

/// The longest the worker holds back for deliveries before one step of a job.
pub(crate) const LONGEST_WAIT: Duration = Duration::from_millis(50);

/// Deliveries in progress, and a signal for when there are none.
#[derive(Debug, Default)]
pub(crate) struct Precedence {
    deliveries: AtomicUsize,
    clear: Notify,
}

/// Marks one delivery in progress until dropped.
#[derive(Debug)]
#[must_use = "the delivery counts as in progress only while this is held"]
pub struct DeliveryInProgress<'a>(&'a Precedence);

impl Drop for DeliveryInProgress<'_> {
    fn drop(&mut self) {
        if self.0.deliveries.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.clear.notify_waiters();
        }
    }
}

impl Precedence {
    pub(crate) fn begin(&self) -> DeliveryInProgress<'_> {
        self.deliveries.fetch_add(1, Ordering::AcqRel);
        DeliveryInProgress(self)
    }

    /// Returns once no delivery is in progress, or after `longest`.
    pub(crate) async fn wait_turn(&self, longest: Duration) {
        if self.deliveries.load(Ordering::Acquire) == 0 {
            return;
        }
        let clear = self.clear.notified();
        tokio::pin!(clear);
        // Registered before the second look, so a delivery ending in between still wakes us.
        clear.as_mut().enable();
        if self.deliveries.load(Ordering::Acquire) == 0 {
            return;
        }
        let _ = tokio::time::timeout(longest, clear).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_worker_waits_for_deliveries_but_not_forever() {
        let precedence = Precedence::default();
        let started = tokio::time::Instant::now();
        precedence.wait_turn(Duration::from_secs(5)).await;
        assert!(started.elapsed() < Duration::from_millis(50), "no delivery: no wait");

        let held = precedence.begin();
        let started = tokio::time::Instant::now();
        precedence.wait_turn(Duration::from_millis(30)).await;
        assert!(started.elapsed() >= Duration::from_millis(30), "bounded wait while a delivery runs");

        let waiting = async {
            let started = tokio::time::Instant::now();
            precedence.wait_turn(Duration::from_secs(5)).await;
            started.elapsed()
        };
        let release = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(held);
        };
        let (waited, ()) = tokio::join!(waiting, release);
        assert!(waited < Duration::from_secs(1), "woken when the delivery is stored: {waited:?}");
    }
}
