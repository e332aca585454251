//! Settling a send whose outcome is unknown, from Meta's receipts.

use super::{RECEIPT_POLL, Worker, outgoing, store};
use crate::{Result, TenantRuntime};
use alphadome_store::{ClaimedJob, ReplyJob, TenantScope};

impl Worker {
    /// Settles a job whose send has no known outcome: the process died between handing the
    /// reply to Meta and logging it, or Meta's answer never came back (a timeout after
    /// connecting). Meta's receipts carry the job id: if one arrived, the reply went out and
    /// is logged now; if none arrives within the receipt wait, it never reached Meta and is
    /// sent again.
    pub(super) async fn reconcile(
        &self,
        scope: &TenantScope<'_>,
        claimed: &ClaimedJob,
        tenant: &TenantRuntime,
        payload: &ReplyJob,
    ) -> Result<()> {
        let job = &claimed.job;
        let reply = store(scope.pending_reply(job.id).await)?;
        if let (Some(receipt), Some(reply)) = (store(scope.send_receipt(job.id).await)?, &reply) {
            tracing::info!(tenant.id = %claimed.tenant, job.id = %job.id, wa.message_id = %receipt.wamid, "send cut off by a restart went out: logged from its receipts");
            let mut outcome = outgoing(job.id, payload, reply);
            outcome.wamid = Some(&receipt.wamid);
            outcome.status = &receipt.status;
            outcome.error = receipt.error.as_deref();
            return store(scope.finish_reply(&outcome).await);
        }
        let started = job.send_started_at.unwrap_or_else(alphadome_store::now);
        let waited = (alphadome_store::now() - started).to_std().unwrap_or_default();
        match reply {
            Some(reply) if waited >= self.retry.receipt_wait => {
                tracing::warn!(tenant.id = %claimed.tenant, job.id = %job.id, "no receipt for a send cut off by a restart: sending again");
                self.send(scope, claimed, tenant, payload, &reply).await
            }
            Some(_) => {
                let note = "send cut off by a restart: waiting for Meta's receipts";
                store(scope.await_receipts(job.id, alphadome_store::now() + RECEIPT_POLL, note).await)
            }
            None => store(scope.kill_job(job.id, "send cut off, and the reply was not kept").await),
        }
    }
}
