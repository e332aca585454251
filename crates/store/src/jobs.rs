//! The job queue: durable work leased by workers, on both engines.
//!
//! A worker claims due jobs by setting their lease (`locked_until`) in one conditional
//! update (on PostgreSQL over rows locked with `FOR UPDATE SKIP LOCKED`, so several
//! processes claim different jobs instead of contending for the same ones); two workers never
//! run the same job at once, and a job whose worker died becomes due again when its lease
//! runs out. No database lock is held while the job runs (it may call outside APIs).

use crate::inbound::Job;
use crate::replies::{CustomerStanding, StandingRow, standing_columns, standing_window};
use crate::{Result, Store, StoreError, TenantScope, now};
use alphadome_core::TenantId;
use chrono::{DateTime, Duration, Utc};
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
    /// Where the job's customer stood when it was claimed; `None` for a job without one. A
    /// customer's jobs are claimed one at a time, each once the one before it finished, so
    /// the customer's own counts are exact; the tenant's hour may miss the replies of jobs
    /// still in progress.
    pub standing: Option<CustomerStanding>,
}

/// The columns of [`Job`], in order.
macro_rules! job_columns {
    () => {
        "id, kind, payload, state, attempts, run_at, last_error, subject, send_started_at"
    };
}
pub(crate) const JOB_COLUMNS: &str = job_columns!();

/// [`Store::claim_jobs`] in one statement: the due jobs (`$2` at most, oldest first), at most
/// `$3` of them per tenant, `$4` in all, leased until `$5`, each with its customer's standing
/// (`$6` the first minute of the hour, `$7` the day's start; the customer's day counted up to
/// the largest daily cap of any tenant, which tells as well whether their tenant's own cap is
/// reached: SQLite cannot take a bound per row).
/// Tenants listed in `$8` (a JSON array of ids) are passed over; `$skip` spells that per
/// engine. `$lock` locks the due rows on PostgreSQL, skipping those another process is
/// claiming right now.
macro_rules! claim_sql {
    ($skip:literal, $lock:literal) => {
        concat!(
            "WITH due AS ( \
                 SELECT j.bot_tenant_id, j.id, j.run_at, j.created_at FROM jobs j \
                 JOIN bot_tenants t ON t.id = j.bot_tenant_id \
                 WHERE j.state = 'pending' AND j.run_at <= $1 AND (j.locked_until IS NULL OR j.locked_until <= $1) \
                 AND t.whatsapp_token_broken_at IS NULL AND ",
            $skip,
            " \
                 AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.bot_tenant_id = j.bot_tenant_id \
                     AND e.subject = j.subject AND e.state = 'pending' \
                     AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))) \
                 ORDER BY j.run_at, j.created_at LIMIT $2 ",
            $lock,
            "), \
             chosen AS ( \
                 SELECT bot_tenant_id, id FROM ( \
                     SELECT bot_tenant_id, id, run_at, created_at, \
                         row_number() OVER (PARTITION BY bot_tenant_id ORDER BY run_at, created_at) AS nth \
                     FROM due) ranked \
                 WHERE nth <= $3 ORDER BY run_at, created_at LIMIT $4) \
             UPDATE jobs SET locked_until = $5, attempts = attempts + 1, updated_at = $1 \
             WHERE state = 'pending' AND (locked_until IS NULL OR locked_until <= $1) \
             AND (bot_tenant_id, id) IN (SELECT bot_tenant_id, id FROM chosen) \
             RETURNING bot_tenant_id, ",
            job_columns!(),
            ", (SELECT config_version FROM bot_tenants t WHERE t.id = jobs.bot_tenant_id) AS config_version, ",
            standing_columns!(
                "jobs.bot_tenant_id",
                "jobs.subject",
                "$7",
                "$6",
                "(SELECT MAX(c.max_messages_per_user_per_day) FROM bot_control_settings c)"
            )
        )
    };
}
const CLAIM_SQLITE: &str =
    claim_sql!("j.bot_tenant_id NOT IN (SELECT unhex(replace(value, '-', '')) FROM json_each($8))", "");
const CLAIM_POSTGRES: &str = claim_sql!(
    "NOT j.bot_tenant_id = ANY (ARRAY(SELECT s::uuid FROM json_array_elements_text($8::json) s))",
    "FOR UPDATE OF j SKIP LOCKED"
);

impl Store {
    /// Claims up to `limit` due jobs for `lease`, oldest first, taking at most `per_tenant`
    /// from any one tenant so one tenant's backlog cannot starve the others. A job waits
    /// while an older job for the same customer is still pending, so one customer's
    /// messages are answered in order; jobs of a tenant whose WhatsApp token was rejected
    /// wait, unclaimed, for a new token.
    pub async fn claim_jobs(
        &self,
        limit: usize,
        per_tenant: usize,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>> {
        self.claim_jobs_except(limit, per_tenant, lease, &[]).await
    }

    /// Like [`Store::claim_jobs`], passing over the tenants in `skip` (a worker already has
    /// as many of their jobs as it will run at once).
    pub async fn claim_jobs_except(
        &self,
        limit: usize,
        per_tenant: usize,
        lease: Duration,
        skip: &[TenantId],
    ) -> Result<Vec<ClaimedJob>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let at = now();
        let (day, minute) = standing_window(at);
        let skip = serde_json::to_string(&skip.iter().map(|t| t.0).collect::<Vec<_>>())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let sql = match self.backend() {
            crate::Backend::Sqlite => CLAIM_SQLITE,
            crate::Backend::Postgres => CLAIM_POSTGRES,
        };
        let claimed: Vec<ClaimedRow> = with_writer!(self, |pool| {
            sqlx::query_as(sql)
                .bind(at)
                .bind(count(limit.saturating_mul(4)))
                .bind(count(per_tenant))
                .bind(count(limit))
                .bind(at + lease)
                .bind(minute)
                .bind(day)
                .bind(&skip)
                .fetch_all(pool)
                .await?
        });
        let mut claimed: Vec<ClaimedJob> = claimed
            .into_iter()
            .map(|r| ClaimedJob {
                tenant: TenantId(r.bot_tenant_id),
                config_version: r.config_version,
                standing: r.job.subject.is_some().then(|| r.standing.at(at)),
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
    config_version: i64,
    #[sqlx(flatten)]
    job: Job,
    #[sqlx(flatten)]
    standing: StandingRow,
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
