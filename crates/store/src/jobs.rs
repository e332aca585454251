//! The job queue: durable work leased by workers, on both engines.
//!
//! A worker claims a due job by setting its lease (`locked_until`) in a conditional update,
//! so two workers (or two processes) never run the same job at once, and a job whose worker
//! died becomes due again when its lease runs out. No database lock is held while the job
//! runs (it may call outside APIs).

use crate::inbound::Job;
use crate::{Result, Store, StoreError, TenantScope, now};
use alphadome_core::TenantId;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// A job claimed by a worker, with the tenant it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The tenant.
    pub tenant: TenantId,
    /// The job (attempts already counts this one).
    pub job: Job,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    bot_tenant_id: Uuid,
    id: Uuid,
}

impl Store {
    /// Claims up to `limit` due jobs for `lease`, oldest first, taking at most `per_tenant`
    /// from any one tenant so one tenant's backlog cannot starve the others.
    pub async fn claim_jobs(
        &self,
        limit: i64,
        per_tenant: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>> {
        // Jobs of a tenant whose WhatsApp token was rejected wait, unclaimed, for a new token.
        const DUE: &str = "SELECT j.bot_tenant_id, j.id FROM jobs j JOIN bot_tenants t ON t.id = j.bot_tenant_id \
             WHERE j.state = 'pending' AND j.run_at <= $1 AND (j.locked_until IS NULL OR j.locked_until <= $1) \
             AND t.whatsapp_token_broken_at IS NULL ORDER BY j.run_at, j.created_at LIMIT $2";
        const CLAIM: &str = "UPDATE jobs SET locked_until = $3, attempts = attempts + 1, updated_at = $4 \
             WHERE bot_tenant_id = $1 AND id = $2 AND state = 'pending' \
             AND (locked_until IS NULL OR locked_until <= $4) \
             RETURNING id, kind, payload, state, attempts, run_at, last_error";
        let at = now();
        let due: Vec<DueRow> =
            with_pool!(self, |pool| sqlx::query_as(DUE).bind(at).bind(limit * 4).fetch_all(pool).await?);
        let mut taken: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
        let mut claimed = Vec::new();
        for row in due {
            let count = taken.entry(row.bot_tenant_id).or_default();
            if *count >= per_tenant || claimed.len() as i64 >= limit {
                continue;
            }
            let job: Option<Job> = with_pool!(self, |pool| sqlx::query_as(CLAIM)
                .bind(row.bot_tenant_id)
                .bind(row.id)
                .bind(at + lease)
                .bind(at)
                .fetch_optional(pool)
                .await?);
            if let Some(job) = job {
                *count += 1;
                claimed.push(ClaimedJob { tenant: TenantId(row.bot_tenant_id), job });
            }
        }
        Ok(claimed)
    }

    /// How many jobs are pending and dead, across tenants (for health and tests).
    pub async fn job_counts(&self) -> Result<(i64, i64)> {
        const SQL: &str = "SELECT \
             COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), 0) FROM jobs";
        let counts: (i64, i64) = with_pool!(self, |pool| sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(counts)
    }
}

impl TenantScope<'_> {
    /// Marks a claimed job done.
    pub async fn complete_job(&self, id: Uuid) -> Result<()> {
        self.finish_job(id, "done", None, None).await
    }

    /// Schedules another attempt of a claimed job.
    pub async fn retry_job(&self, id: Uuid, run_at: DateTime<Utc>, error: &str) -> Result<()> {
        self.finish_job(id, "pending", Some(run_at), Some(error)).await
    }

    /// Gives up on a job: it stays, dead and visible, with its last error.
    pub async fn kill_job(&self, id: Uuid, error: &str) -> Result<()> {
        self.finish_job(id, "dead", None, Some(error)).await
    }

    async fn finish_job(
        &self,
        id: Uuid,
        state: &str,
        run_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<()> {
        const SQL: &str = "UPDATE jobs SET state = $3, run_at = COALESCE($4, run_at), locked_until = NULL, \
             last_error = COALESCE($5, last_error), updated_at = $6 WHERE bot_tenant_id = $1 AND id = $2";
        let tenant = self.tenant;
        in_tx!(self.store, tenant = tenant, |tx| {
            let done = sqlx::query(SQL)
                .bind(tenant.0)
                .bind(id)
                .bind(state)
                .bind(run_at)
                .bind(error)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        });
        Ok(())
    }
}
