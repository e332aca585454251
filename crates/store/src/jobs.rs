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
use std::collections::HashMap;
use uuid::Uuid;

/// A job claimed by a worker, with the tenant it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    /// The tenant.
    pub tenant: TenantId,
    /// The tenant's configuration version when the job was claimed: a cached copy of the
    /// tenant with the same version is current.
    pub config_version: i64,
    /// The job (attempts already counts this one).
    pub job: Job,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    bot_tenant_id: Uuid,
    id: Uuid,
    config_version: i64,
}

/// The columns of [`Job`], in order.
pub(crate) const JOB_COLUMNS: &str =
    "id, kind, payload, state, attempts, run_at, last_error, subject, send_started_at";

impl Store {
    /// Claims up to `limit` due jobs for `lease`, oldest first, taking at most `per_tenant`
    /// from any one tenant so one tenant's backlog cannot starve the others. A job waits
    /// while an older job for the same customer is still pending, so one customer's
    /// messages are answered in order.
    pub async fn claim_jobs(
        &self,
        limit: usize,
        per_tenant: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>> {
        // Jobs of a tenant whose WhatsApp token was rejected wait, unclaimed, for a new token.
        const DUE: &str = "SELECT j.bot_tenant_id, j.id, t.config_version FROM jobs j \
             JOIN bot_tenants t ON t.id = j.bot_tenant_id \
             WHERE j.state = 'pending' AND j.run_at <= $1 AND (j.locked_until IS NULL OR j.locked_until <= $1) \
             AND t.whatsapp_token_broken_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.bot_tenant_id = j.bot_tenant_id \
                 AND e.subject = j.subject AND e.state = 'pending' \
                 AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))) \
             ORDER BY j.run_at, j.created_at LIMIT $2";
        if limit == 0 {
            return Ok(Vec::new());
        }
        let at = now();
        let scan = i64::try_from(limit.saturating_mul(4)).unwrap_or(i64::MAX);
        let due: Vec<DueRow> =
            with_pool!(self, |pool| sqlx::query_as(DUE).bind(at).bind(scan).fetch_all(pool).await?);
        let chosen = fair_share(due, limit, per_tenant);
        if chosen.is_empty() {
            return Ok(Vec::new());
        }
        let versions: HashMap<Uuid, i64> = chosen.iter().map(|r| (r.id, r.config_version)).collect();
        // One conditional update claims them all; a job another worker took meanwhile is
        // simply not returned.
        let claimed: Vec<ClaimedRow> = with_writer!(self, |pool| {
            let mut claim = sqlx::QueryBuilder::new("UPDATE jobs SET locked_until = ");
            claim.push_bind(at + lease).push(", attempts = attempts + 1, updated_at = ").push_bind(at);
            claim.push(" WHERE state = 'pending' AND (locked_until IS NULL OR locked_until <= ");
            // Each job by its whole key, so both engines find it through the primary key.
            claim.push_bind(at).push(") AND (");
            let mut keys = claim.separated(" OR ");
            for row in &chosen {
                keys.push("(bot_tenant_id = ").push_bind_unseparated(row.bot_tenant_id);
                keys.push_unseparated(" AND id = ").push_bind_unseparated(row.id).push_unseparated(")");
            }
            claim.push(") RETURNING bot_tenant_id, ").push(JOB_COLUMNS);
            claim.build_query_as().fetch_all(pool).await?
        });
        let mut claimed: Vec<ClaimedJob> = claimed
            .into_iter()
            .map(|r| ClaimedJob {
                tenant: TenantId(r.bot_tenant_id),
                config_version: versions.get(&r.job.id).copied().unwrap_or_default(),
                job: r.job,
            })
            .collect();
        claimed.sort_by_key(|c| c.job.run_at);
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

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    bot_tenant_id: Uuid,
    #[sqlx(flatten)]
    job: Job,
}

/// Picks up to `limit` rows, oldest first, at most `per_tenant` from one tenant.
fn fair_share(due: Vec<DueRow>, limit: usize, per_tenant: usize) -> Vec<DueRow> {
    let mut taken: HashMap<Uuid, usize> = HashMap::new();
    let mut chosen = Vec::new();
    for row in due {
        let count = taken.entry(row.bot_tenant_id).or_default();
        if *count < per_tenant && chosen.len() < limit {
            *count += 1;
            chosen.push(row);
        }
    }
    chosen
}

/// The one statement that moves a claimed job on, written once for both engines.
pub(crate) trait JobRows {
    /// Releases the job's lease and sets its state; with `send_settled`, its send (if one
    /// began) has a known outcome and the mark is cleared.
    async fn move_job(&mut self, tenant: TenantId, id: Uuid, next: &NextState<'_>) -> Result<()>;
}

/// Where a job goes next.
pub(crate) struct NextState<'a> {
    state: &'a str,
    run_at: Option<DateTime<Utc>>,
    error: Option<&'a str>,
    send_settled: bool,
    at: DateTime<Utc>,
}

impl_for_engines!(impl JobRows {
    async fn move_job(&mut self, tenant: TenantId, id: Uuid, next: &NextState<'_>) -> Result<()> {
        const SQL: &str = "UPDATE jobs SET state = $3, run_at = COALESCE($4, run_at), locked_until = NULL, \
             last_error = COALESCE($5, last_error), \
             send_started_at = CASE WHEN $6 THEN NULL ELSE send_started_at END, \
             pending_reply = CASE WHEN $6 THEN NULL ELSE pending_reply END, updated_at = $7 \
             WHERE bot_tenant_id = $1 AND id = $2";
        let done = sqlx::query(SQL)
            .bind(tenant.0)
            .bind(id)
            .bind(next.state)
            .bind(next.run_at)
            .bind(next.error)
            .bind(next.send_settled)
            .bind(next.at)
            .execute(&mut *self)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
});

impl TenantScope<'_> {
    /// Marks a claimed job done.
    pub async fn complete_job(&self, id: Uuid) -> Result<()> {
        self.move_job(id, "done", None, None, true).await
    }

    /// Schedules another attempt of a claimed job (its last send, if any, failed).
    pub async fn retry_job(&self, id: Uuid, run_at: DateTime<Utc>, error: &str) -> Result<()> {
        self.move_job(id, "pending", Some(run_at), Some(error), true).await
    }

    /// Looks at the job again at `run_at`, keeping the mark of a send cut off mid-way: its
    /// outcome is still waiting for Meta's receipts.
    pub async fn await_receipts(&self, id: Uuid, run_at: DateTime<Utc>, note: &str) -> Result<()> {
        self.move_job(id, "pending", Some(run_at), Some(note), false).await
    }

    /// Gives up on a job: it stays, dead and visible, with its last error.
    pub async fn kill_job(&self, id: Uuid, error: &str) -> Result<()> {
        self.move_job(id, "dead", None, Some(error), true).await
    }

    async fn move_job(
        &self,
        id: Uuid,
        state: &str,
        run_at: Option<DateTime<Utc>>,
        error: Option<&str>,
        send_settled: bool,
    ) -> Result<()> {
        let tenant = self.tenant;
        let next = NextState { state, run_at, error, send_settled, at: now() };
        write_one!(self.store, tenant = tenant, |tx| tx.move_job(tenant, id, &next).await?);
        Ok(())
    }
}
