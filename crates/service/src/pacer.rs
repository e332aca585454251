//! Pacing of sends per WhatsApp number, so a tenant stays under Meta's throughput limit
//! (80 messages/s by default; error 130429 beyond it) however many jobs run at once.
//!
//! Each number has a next free send slot; a send takes it and moves it one interval on. With
//! Redis configured (`ALPHADOME_REDIS_URL`) the slots live there, so every `serve` process
//! sharing a number shares its pace; without, each process paces alone. Should Redis fail,
//! the process paces alone until it answers again (a warning says so).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Hands out send slots per phone number, evenly spaced at the number's rate.
#[derive(Clone, Default)]
pub struct Pacer {
    local: Arc<Mutex<HashMap<String, Instant>>>,
    shared: Option<Shared>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer").field("shared", &self.shared.is_some()).finish_non_exhaustive()
    }
}

/// Slots kept in Redis, shared by every process pacing through it.
#[derive(Clone)]
struct Shared {
    redis: redis::aio::ConnectionManager,
    /// Takes a number's slot: the wait in microseconds, by the Redis server's clock (one
    /// clock for every process).
    take_slot: Arc<redis::Script>,
    /// When Redis last failed to answer (Unix seconds), so the warning is said once a minute.
    last_warned: Arc<AtomicI64>,
}

/// KEYS[1]: the number's next free slot (microseconds, Redis's clock); ARGV[1]: the interval in
/// microseconds. Returns how long the caller waits for its slot. The key expires once idle.
const TAKE_SLOT: &str = r"
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
if slot < now then slot = now end
redis.call('SET', KEYS[1], string.format('%.0f', slot + tonumber(ARGV[1])), 'PX', 60000)
return slot - now
";

/// How long a send waits for Redis to hand out its slot before pacing alone.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);

impl Pacer {
    /// A pacer whose slots live in Redis at `url`. It connects on first use (and again after
    /// a failure), so an unreachable Redis delays nothing: sends are paced per process
    /// meanwhile.
    pub fn shared(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(REDIS_TIMEOUT))
            .set_response_timeout(Some(REDIS_TIMEOUT))
            .set_number_of_retries(1);
        let redis = redis::aio::ConnectionManager::new_lazy_with_config(client, config)?;
        let shared = Shared {
            redis,
            take_slot: Arc::new(redis::Script::new(TAKE_SLOT)),
            last_warned: Arc::new(AtomicI64::new(0)),
        };
        Ok(Self { shared: Some(shared), ..Self::default() })
    }

    /// Waits for this number's next slot at `per_second`.
    pub async fn wait(&self, number: &str, per_second: i32) {
        let interval = Duration::from_secs(1) / u32::try_from(per_second.max(1)).unwrap_or(1);
        let wait = match &self.shared {
            Some(shared) => match shared.take(number, interval).await {
                Ok(wait) => wait,
                Err(e) => {
                    shared.warn(&e);
                    self.take_local(number, interval)
                }
            },
            None => self.take_local(number, interval),
        };
        // A free slot sends at once: even a deadline already reached waits for the timer's
        // next tick (about a millisecond).
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes the number's next slot in this process; returns the wait for it.
    fn take_local(&self, number: &str, interval: Duration) -> Duration {
        let mut slots = self.local.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let slot = slots.entry(number.to_owned()).or_insert(now);
        let start = (*slot).max(now);
        *slot = start + interval;
        start - now
    }
}

impl Shared {
    async fn take(&self, number: &str, interval: Duration) -> Result<Duration, redis::RedisError> {
        let micros = u64::try_from(interval.as_micros()).unwrap_or(u64::MAX);
        let mut redis = self.redis.clone();
        let mut call = self.take_slot.key(format!("alphadome:pace:{number}"));
        let answer = tokio::time::timeout(REDIS_TIMEOUT, call.arg(micros).invoke_async::<i64>(&mut redis));
        let wait = answer
            .await
            .map_err(|_| redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut)))??;
        Ok(Duration::from_micros(u64::try_from(wait).unwrap_or(0)))
    }

    fn warn(&self, error: &redis::RedisError) {
        let now = chrono::Utc::now().timestamp();
        let last = self.last_warned.load(Ordering::Relaxed);
        if now - last >= 60
            && self.last_warned.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            tracing::warn!(error = %error, "Redis did not answer: sends are paced by this process alone");
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

    #[tokio::test]
    async fn processes_sharing_redis_share_a_numbers_pace() {
        let Some(url) = alphadome_testkit::redis_url().await else { return };
        // Two processes' pacers, one number (new for this run), sending in turn.
        let (first, second) = (Pacer::shared(&url).unwrap(), Pacer::shared(&url).unwrap());
        let number = format!("test-{}", uuid::Uuid::new_v4());
        let started = Instant::now();
        for i in 0..11 {
            let pacer = if i % 2 == 0 { &first } else { &second };
            pacer.wait(&number, 20).await;
        }
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(490), "11 sends at 20/s span half a second: {elapsed:?}");
        let other = Instant::now();
        second.wait(&format!("other-{number}"), 20).await;
        assert!(other.elapsed() < Duration::from_millis(200), "another number is not held back");
    }

    #[tokio::test]
    async fn an_unreachable_redis_leaves_each_process_pacing_alone() {
        // Nothing listens on port 9 (discard) here: every call fails at once.
        let pacer = Pacer::shared("redis://127.0.0.1:9").unwrap();
        let started = Instant::now();
        for _ in 0..6 {
            pacer.wait("111", 20).await;
        }
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(240), "6 sends at 20/s span a quarter second: {elapsed:?}");
    }
}
