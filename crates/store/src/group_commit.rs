//! Group commit on SQLite's one writer.
//!
//! Every write waits its turn at the one writer connection, and each turn costs a trip to
//! the connection's thread, which on a busy machine means waiting to be scheduled. So the
//! hot-path writes (an inbound message, the start and the end of a send) are not sent one
//! by one: each kind has a queue, and a task per kind takes whatever has queued up while
//! the writer was busy and writes it all as one script in one transaction (one trip, one
//! commit). When the writer is idle a write goes alone, at once; the busier it is, the more
//! each trip carries.
//!
//! A script is built once per batch size and kept prepared by the connection; sizes are
//! powers of two, so few scripts are ever prepared. Should a batch fail, each of its writes
//! is tried again alone, so one bad write cannot fail the others.

use crate::{Result, StoreError};
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, SqlitePool};
use tokio::sync::{mpsc, oneshot};

/// Binds one write's parameters (`$1`, `$2`, … of its statements), in order.
pub(crate) type Binder = Box<dyn Fn(&mut SqliteArguments) -> BindResult + Send + Sync>;
pub(crate) type BindResult = std::result::Result<(), sqlx::error::BoxDynError>;

/// One kind of write, as SQL over its own parameters (`$1` …).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteKind {
    /// The statements (each ending in `;`), without `BEGIN`/`COMMIT`.
    pub statements: &'static str,
    /// An expression, read after the commit, that is true when the write took effect.
    pub took_effect: &'static str,
}

/// The largest batch: 32 inbound messages are 128 statements and 448 parameters.
const LARGEST_BATCH: usize = 32;

struct Queued {
    bind: Binder,
    done: oneshot::Sender<Result<bool>>,
}

/// The hot-path writes, each with its queue.
#[derive(Debug, Clone)]
pub(crate) struct HotWrites {
    /// [`crate::TenantScope::record_inbound`].
    pub inbound: GroupCommit,
    /// [`crate::TenantScope::begin_send`].
    pub begin_send: GroupCommit,
    /// [`crate::TenantScope::finish_reply`].
    pub finish_reply: GroupCommit,
}

impl HotWrites {
    pub(crate) fn start(writer: &SqlitePool) -> Self {
        Self {
            inbound: GroupCommit::start(writer.clone(), crate::inbound::RECORD_INBOUND_SQLITE),
            begin_send: GroupCommit::start(writer.clone(), crate::replies::BEGIN_SEND_SQLITE),
            finish_reply: GroupCommit::start(writer.clone(), crate::replies::FINISH_REPLY_SQLITE),
        }
    }
}

/// The queue of one kind of write.
#[derive(Debug, Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<Queued>,
}

impl GroupCommit {
    /// Starts the task that writes `kind` through `writer`. It ends when the last
    /// [`GroupCommit`] handle is dropped.
    pub(crate) fn start(writer: SqlitePool, kind: WriteKind) -> Self {
        let (queue, queued) = mpsc::unbounded_channel();
        tokio::spawn(Batches { writer, kind, scripts: Vec::new() }.run(queued));
        Self { queue }
    }

    /// Writes in the next transaction; returns whether the write took effect. The write is
    /// done even if the caller stops waiting.
    pub(crate) async fn write(
        &self,
        bind: impl Fn(&mut SqliteArguments) -> BindResult + Send + Sync + 'static,
    ) -> Result<bool> {
        let (done, result) = oneshot::channel();
        let closed = || StoreError::Unavailable(sqlx::Error::PoolClosed);
        self.queue.send(Queued { bind: Box::new(bind), done }).map_err(|_| closed())?;
        result.await.map_err(|_| closed())?
    }
}

struct Batches {
    writer: SqlitePool,
    kind: WriteKind,
    /// The script for 2^i writes, once built.
    scripts: Vec<String>,
}

impl Batches {
    async fn run(mut self, mut queued: mpsc::UnboundedReceiver<Queued>) {
        let mut batch = Vec::with_capacity(LARGEST_BATCH);
        while queued.recv_many(&mut batch, LARGEST_BATCH).await > 0 {
            while !batch.is_empty() {
                // The largest power of two that fits, so a prepared script exists for it.
                let size = 1 << batch.len().ilog2();
                let rest = batch.split_off(size);
                self.write(std::mem::replace(&mut batch, rest)).await;
            }
        }
    }

    /// Writes `batch` in one transaction, or each alone if that fails.
    async fn write(&mut self, batch: Vec<Queued>) {
        let (writes, done): (Vec<Binder>, Vec<_>) = batch.into_iter().map(|q| (q.bind, q.done)).unzip();
        let outcome = self.script_for(&writes).await;
        match outcome {
            Ok(took_effect) => {
                for (done, took) in done.into_iter().zip(took_effect) {
                    let _ = done.send(Ok(took));
                }
            }
            Err(e) if writes.len() == 1 => {
                if let Some(done) = done.into_iter().next() {
                    let _ = done.send(Err(e));
                }
            }
            Err(_) => {
                for (write, done) in writes.into_iter().zip(done) {
                    let alone = self.script_for(std::slice::from_ref(&write)).await;
                    let _ = done.send(alone.map(|t| t[0]));
                }
            }
        }
    }

    async fn script_for(&mut self, writes: &[Binder]) -> Result<Vec<bool>> {
        let mut args = SqliteArguments::default();
        let mut per_write = 0;
        for (i, bind) in writes.iter().enumerate() {
            bind(&mut args).map_err(StoreError::unencodable)?;
            if i == 0 {
                per_write = args.len();
            }
            debug_assert_eq!(args.len(), per_write * (i + 1), "every write of a kind binds alike");
        }
        let script = self.script(writes.len(), per_write);
        let mut conn = self.writer.acquire().await?;
        let row: std::result::Result<sqlx::sqlite::SqliteRow, _> =
            sqlx::query_with(sqlx::AssertSqlSafe(script), args).fetch_one(&mut *conn).await;
        match row {
            Ok(row) => (0..writes.len()).map(|i| sqlx::Row::try_get(&row, i).map_err(Into::into)).collect(),
            Err(e) => {
                // Closing the connection rolls back whatever the script had done.
                conn.close_on_drop();
                Err(e.into())
            }
        }
    }

    /// `BEGIN IMMEDIATE`, each write's statements with its parameters renumbered after the
    /// ones before it, `COMMIT`, then one row of `took_effect`s.
    fn script(&mut self, writes: usize, per_write: usize) -> String {
        let slot = writes.ilog2() as usize;
        if self.scripts.len() <= slot {
            self.scripts.resize(slot + 1, String::new());
        }
        if self.scripts[slot].is_empty() {
            let mut script = String::from("BEGIN IMMEDIATE; ");
            for i in 0..writes {
                script.push_str(&renumber(self.kind.statements, i * per_write));
                script.push(' ');
            }
            script.push_str("COMMIT; SELECT ");
            let checks: Vec<String> =
                (0..writes).map(|i| renumber(self.kind.took_effect, i * per_write)).collect();
            script.push_str(&checks.join(", "));
            script.push(';');
            self.scripts[slot] = script;
        }
        self.scripts[slot].clone()
    }
}

/// `sql` with every parameter `$n` turned into `$(n + offset)`.
fn renumber(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        let number: usize = rest[at + 1..at + 1 + digits].parse().expect("a numbered parameter after '$'");
        out.push_str(&format!("${}", number + offset));
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_after_the_writes_before() {
        assert_eq!(renumber("a = $1 AND b IN ($2, $10);", 14), "a = $15 AND b IN ($16, $24);");
        assert_eq!(renumber("no parameters", 3), "no parameters");
    }
}
