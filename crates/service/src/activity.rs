//! What a tenant's bot has been doing, as its dashboard shows it: usage, answers by source,
//! errors by Meta's code, AI usage against the budget; conversations per customer; and the
//! owner's review queue, where a draft or an unanswered question becomes a training entry.

use crate::engine::month_start;
use crate::error::StoreResultExt;
use crate::{Result, Services};
use alphadome_core::TenantId;
use alphadome_core::training::TrainingFields;
use alphadome_store::{
    Bucket, MessageCount, ReviewItem, Tally, TenantTraffic, Thread, ThreadMessage, TrainingEntry,
};
use chrono::{DateTime, Duration, DurationRound, Utc};
use uuid::Uuid;

/// Hours shown in the hourly chart.
pub const HOURS: i64 = 24;
/// Days shown in the daily chart.
pub const DAYS: i64 = 14;

/// A tenant's usage, for its overview page.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// The last [`HOURS`] hours, oldest first, every hour present (zeros included).
    pub hourly: Vec<MessageCount>,
    /// The last [`DAYS`] days, oldest first, every day present.
    pub daily: Vec<MessageCount>,
    /// Decisions in the last [`DAYS`] days by source (`faq`, `ai`, `fallback`, `handoff`, …).
    pub by_source: Vec<Tally>,
    /// Failed replies in the last [`DAYS`] days by Meta's error code (`other` when none).
    pub errors_by_code: Vec<Tally>,
    /// AI tokens used this calendar month.
    pub ai_tokens: i64,
    /// The monthly AI token budget.
    pub ai_budget: i64,
}

impl Services {
    /// A tenant's usage as of `now`.
    pub async fn usage(&self, tenant: TenantId, now: DateTime<Utc>) -> Result<Usage> {
        let scope = self.store.tenant(tenant);
        let hour = now.duration_trunc(Duration::hours(1)).unwrap_or(now);
        let day = now.duration_trunc(Duration::days(1)).unwrap_or(now);
        let first_hour = hour - Duration::hours(HOURS - 1);
        let first_day = day - Duration::days(DAYS - 1);
        let hourly = scope.message_counts(Bucket::Hour, first_hour).await.or_missing("tenant")?;
        let daily = scope.message_counts(Bucket::Day, first_day).await.or_missing("tenant")?;
        let failures = scope.failures(first_day).await.or_missing("tenant")?;
        let settings = self.settings(tenant).await?;
        Ok(Usage {
            hourly: every_bucket(hourly, first_hour, Duration::hours(1), HOURS, "%Y-%m-%dT%H"),
            daily: every_bucket(daily, first_day, Duration::days(1), DAYS, "%Y-%m-%d"),
            by_source: scope.answers_by_source(first_day).await.or_missing("tenant")?,
            errors_by_code: by_error_code(failures),
            ai_tokens: scope.ai_tokens_since(month_start(now)).await.or_missing("tenant")?,
            ai_budget: i64::from(settings.ai_monthly_token_budget),
        })
    }

    /// The newest conversations, newest first.
    pub async fn threads(&self, tenant: TenantId, limit: i64) -> Result<Vec<Thread>> {
        self.store.tenant(tenant).threads(limit).await.or_missing("tenant")
    }

    /// One customer's conversation (the last `limit` messages), oldest first.
    pub async fn thread(&self, tenant: TenantId, customer: &str, limit: i64) -> Result<Vec<ThreadMessage>> {
        self.store.tenant(tenant).thread(customer, limit).await.or_missing("conversation")
    }

    /// Drafts and unanswered questions waiting for the owner, newest first.
    pub async fn review_queue(&self, tenant: TenantId, limit: i64) -> Result<Vec<ReviewItem>> {
        self.store.tenant(tenant).review_queue(limit).await.or_missing("tenant")
    }

    /// Turns a review item into a training entry; the item leaves the queue with it.
    pub async fn learn_from_review(
        &self,
        tenant: TenantId,
        item: Uuid,
        fields: &TrainingFields,
        actor: &str,
    ) -> Result<TrainingEntry> {
        let entry = fields.validate()?;
        self.store.tenant(tenant).learn_from_review(item, &entry, actor).await.or_missing("review item")
    }

    /// Takes an item off the review queue.
    pub async fn dismiss_review(&self, tenant: TenantId, item: Uuid, actor: &str) -> Result<()> {
        self.store.tenant(tenant).dismiss_review(item, actor).await.or_missing("review item")
    }
}

/// The platform's health: work waiting, work given up on, deliveries no tenant owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformHealth {
    /// Reply jobs waiting (queued or retrying).
    pub queued: i64,
    /// Jobs that failed for good.
    pub dead: i64,
    /// Deliveries for a business number no tenant owns.
    pub unroutable: i64,
}

impl Services {
    /// Queue depth, dead jobs and unroutable deliveries, across tenants.
    pub async fn platform_health(&self) -> Result<PlatformHealth> {
        let (queued, dead) = self.store.job_counts().await.or_missing("jobs")?;
        let unroutable = self.store.unroutable_count().await.or_missing("unroutable")?;
        Ok(PlatformHealth { queued, dead, unroutable })
    }

    /// Every tenant's messages and failed replies since `since`.
    pub async fn traffic_since(&self, since: DateTime<Utc>) -> Result<Vec<TenantTraffic>> {
        self.store.traffic_since(since).await.or_missing("tenant")
    }
}

/// `counts` with the empty buckets filled in: `n` buckets of `step` from `first`.
fn every_bucket(
    counts: Vec<MessageCount>,
    first: DateTime<Utc>,
    step: Duration,
    n: i64,
    label: &str,
) -> Vec<MessageCount> {
    let mut counts = counts.into_iter().peekable();
    (0..n)
        .map(|i| {
            let bucket = (first + step * i32::try_from(i).unwrap_or(0)).format(label).to_string();
            match counts.next_if(|c| c.bucket == bucket) {
                Some(found) => found,
                None => MessageCount { bucket, incoming: 0, replied: 0 },
            }
        })
        .collect()
}

/// Failed replies grouped by Meta's error code, most first. The log keeps the error as text
/// in one of the two forms this service writes: `"131047: Re-engagement message"` (from a
/// failed receipt) or `"… failure (131047): …"` (from a refused send).
fn by_error_code(failures: Vec<Tally>) -> Vec<Tally> {
    let mut codes: Vec<Tally> = Vec::new();
    for failure in failures {
        let key = meta_error_code(&failure.key).map_or_else(|| "other".to_owned(), |c| c.to_string());
        match codes.iter_mut().find(|t| t.key == key) {
            Some(t) => t.count += failure.count,
            None => codes.push(Tally { key, count: failure.count }),
        }
    }
    codes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    codes
}

/// Meta's error code in a logged error, if it carries one.
fn meta_error_code(error: &str) -> Option<i64> {
    let leading = error.split_once(':').and_then(|(head, _)| head.trim().parse().ok());
    let bracketed = || {
        let (_, rest) = error.split_once('(')?;
        rest.split_once(')')?.0.trim().parse().ok()
    };
    leading.or_else(bracketed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_read_from_both_logged_forms() {
        assert_eq!(meta_error_code("131047: Re-engagement message"), Some(131047));
        assert_eq!(meta_error_code("permanent Graph API failure (131026): undeliverable"), Some(131026));
        assert_eq!(meta_error_code("outside the 24-hour window"), None);
        let failures = vec![
            Tally { key: "131047: a".into(), count: 2 },
            Tally { key: "permanent Graph API failure (131047): b".into(), count: 1 },
            Tally { key: "no usable WhatsApp access token".into(), count: 1 },
        ];
        let grouped = by_error_code(failures);
        assert_eq!(grouped[0], Tally { key: "131047".into(), count: 3 });
        assert_eq!(grouped[1], Tally { key: "other".into(), count: 1 });
    }

    #[test]
    fn empty_buckets_are_filled_in_order() {
        let first = DateTime::parse_from_rfc3339("2026-11-23T08:00:00Z").unwrap().with_timezone(&Utc);
        let found = vec![MessageCount { bucket: "2026-11-23T09".into(), incoming: 3, replied: 2 }];
        let all = every_bucket(found, first, Duration::hours(1), 3, "%Y-%m-%dT%H");
        let labels: Vec<_> = all.iter().map(|c| (c.bucket.as_str(), c.incoming)).collect();
        assert_eq!(labels, [("2026-11-23T08", 0), ("2026-11-23T09", 3), ("2026-11-23T10", 0)]);
    }
}
