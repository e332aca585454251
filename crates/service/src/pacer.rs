//! Pacing of sends per WhatsApp number, so a tenant stays under Meta's throughput limit
//! (80 messages/s by default; error 130429 beyond it) however many jobs run at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Hands out send slots per phone number, evenly spaced at the number's rate. Slots are
/// per process; several processes share a number's limit only once Redis is configured.
#[derive(Debug, Clone, Default)]
pub struct Pacer {
    next_slot: Arc<Mutex<HashMap<String, Instant>>>,
}

impl Pacer {
    /// Waits for this number's next slot at `per_second`.
    pub async fn wait(&self, number: &str, per_second: i32) {
        let interval = Duration::from_secs(1) / u32::try_from(per_second.max(1)).unwrap_or(1);
        let start = {
            let mut slots = self.next_slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let slot = slots.entry(number.to_owned()).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + interval;
            start
        };
        // A free slot sends at once: even a deadline already reached waits for the timer's
        // next tick (about a millisecond).
        if start > Instant::now() {
            tokio::time::sleep_until(start).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn sends_are_spaced_per_number_and_numbers_are_independent() {
        let pacer = Pacer::default();
        let started = Instant::now();
        for _ in 0..11 {
            pacer.wait("111", 10).await;
        }
        assert_eq!(started.elapsed(), Duration::from_secs(1), "11 sends at 10/s span one second");
        let other = Instant::now();
        pacer.wait("222", 10).await;
        assert_eq!(other.elapsed(), Duration::ZERO, "another number is not held back");
    }
}
