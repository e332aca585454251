//! Group commit of the message path's writes, on either engine.
//!
//! Every write costs a trip to the database and a commit: on SQLite a turn at the one writer
//! connection (a trip to its thread, which on a busy machine means waiting to be scheduled),
//! on PostgreSQL a round trip and a transaction. So the hot-path writes (an inbound message,
//! the start and the end of a send) are not sent one by one: each kind has a queue, and a
//! task per kind takes whatever has queued up while the previous batch was being written and
//! writes it all as one statement in one transaction (one trip, one commit). When nothing is
//! being written a write goes alone, at once; the busier the database, the more each trip
//! carries.
//!
//! A batch's statement is built once per size; sizes are powers of two, so few statements
//! are ever prepared. Writes in a batch are ordered by a key their caller gives (the rows
//! they lock), so two batches written at once (PostgreSQL, or two processes) take their
//! locks in the same order and cannot deadlock. Should a batch fail, each of its writes is
//! tried again alone, so one bad write cannot fail the others.

use crate::{Result, StoreError};
use sqlx::postgres::PgArguments;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, Database, PgPool, Postgres, Row, Sqlite, SqlitePool};
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc, oneshot};

/// Binds one write's parameters (`$1`, `$2`, … of its statements), in order.
pub(crate) type Binder<DB> = Box<dyn Fn(&mut <DB as Database>::Arguments) -> BindResult + Send + Sync>;
pub(crate) type BindResult = std::result::Result<(), sqlx::error::BoxDynError>;

/// SQLite: one kind of write, as statements over its own parameters (`$1` …).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WriteKind {
    /// The statements (each ending in `;`), without `BEGIN`/`COMMIT`.
    pub statements: &'static str,
    /// An expression, read after the commit, that is true when the write took effect.
    pub took_effect: &'static str,
}

/// PostgreSQL: one kind of write, as a call of its routine (migration 0016) over its own
/// parameters, answering whether the write took effect: `alphadome_begin_send($1, …)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RoutineCall(pub &'static str);

/// The largest batch: 32 inbound messages are 448 parameters.
const LARGEST_BATCH: usize = 32;

/// How an engine writes a batch.
pub(crate) trait Engine: Database {
    /// One kind of write.
    type Kind: Copy + Send + Sync + 'static;
    /// Batches of one kind written at once: SQLite has one writer; PostgreSQL takes a
    /// second batch while the first waits for its commit to reach the disk.
    const AT_ONCE: usize;
    /// The SQL a kind's parameters are numbered in.
    fn sql(kind: Self::Kind) -> &'static str;
    /// One statement doing `writes` writes of `kind` in one transaction, each write's
    /// parameters numbered after the ones before it; it answers one row of booleans, one
    /// per write: whether it took effect.
    fn batch_sql(kind: Self::Kind, writes: usize, per_write: usize) -> String;
    /// Runs a batch's statement.
    fn run(
        pool: &sqlx::Pool<Self>,
        sql: String,
        args: Self::Arguments,
        writes: usize,
    ) -> impl Future<Output = Result<Vec<bool>>> + Send;
}

impl Engine for Sqlite {
    type Kind = WriteKind;
    const AT_ONCE: usize = 1;

    fn sql(kind: WriteKind) -> &'static str {
        kind.statements
    }

    /// `BEGIN IMMEDIATE`, each write's statements, `COMMIT`, then one row of `took_effect`s.
    fn batch_sql(kind: WriteKind, writes: usize, per_write: usize) -> String {
        let mut script = String::from("BEGIN IMMEDIATE; ");
        for i in 0..writes {
            script.push_str(&renumber(kind.statements, i * per_write));
            script.push(' ');
        }
        let checks: Vec<String> = (0..writes).map(|i| renumber(kind.took_effect, i * per_write)).collect();
        format!("{script}COMMIT; SELECT {};", checks.join(", "))
    }

    async fn run(pool: &SqlitePool, sql: String, args: SqliteArguments, writes: usize) -> Result<Vec<bool>> {
        let mut conn = pool.acquire().await?;
        let row = sqlx::query_with(sqlx::AssertSqlSafe(sql), args).fetch_one(&mut *conn).await;
        match row {
            Ok(row) => (0..writes).map(|i| row.try_get(i).map_err(Into::into)).collect(),
            Err(e) => {
                // Closing the connection rolls back whatever the script had done.
                conn.close_on_drop();
                Err(e.into())
            }
        }
    }
}

impl Engine for Postgres {
    type Kind = RoutineCall;
    const AT_ONCE: usize = 2;

    fn sql(kind: RoutineCall) -> &'static str {
        kind.0
    }

    /// `SELECT routine($1, …), routine($n+1, …), …`: one statement is one transaction, and
    /// each call binds it to its own tenant before it touches a table. The calls run in
    /// order, and each sees what the ones before it wrote.
    fn batch_sql(kind: RoutineCall, writes: usize, per_write: usize) -> String {
        let calls: Vec<String> = (0..writes).map(|i| renumber(kind.0, i * per_write)).collect();
        format!("SELECT {}", calls.join(", "))
    }

    async fn run(pool: &PgPool, sql: String, args: PgArguments, writes: usize) -> Result<Vec<bool>> {
        // A failed statement's transaction is rolled back by the server.
        let row = sqlx::query_with(sqlx::AssertSqlSafe(sql), args).fetch_one(pool).await?;
        (0..writes).map(|i| row.try_get(i).map_err(Into::into)).collect()
    }
}

struct Queued<DB: Database> {
    /// Writes in a batch are made in the order of their keys.
    key: String,
    bind: Binder<DB>,
    done: oneshot::Sender<Result<bool>>,
}

/// The hot-path writes, each with its queue.
#[derive(Debug)]
pub(crate) struct HotWrites<DB: Engine> {
    /// [`crate::TenantScope::record_inbound`].
    pub inbound: GroupCommit<DB>,
    /// [`crate::TenantScope::begin_send`].
    pub begin_send: GroupCommit<DB>,
    /// [`crate::TenantScope::finish_reply`].
    pub finish_reply: GroupCommit<DB>,
}

impl<DB: Engine> Clone for HotWrites<DB> {
    fn clone(&self) -> Self {
        let Self { inbound, begin_send, finish_reply } = self;
        Self { inbound: inbound.clone(), begin_send: begin_send.clone(), finish_reply: finish_reply.clone() }
    }
}

impl HotWrites<Sqlite> {
    pub(crate) fn start(writer: &SqlitePool) -> Self {
        Self {
            inbound: GroupCommit::start(writer.clone(), crate::inbound::RECORD_INBOUND_SQLITE),
            begin_send: GroupCommit::start(writer.clone(), crate::replies::BEGIN_SEND_SQLITE),
            finish_reply: GroupCommit::start(writer.clone(), crate::replies::FINISH_REPLY_SQLITE),
        }
    }
}

impl HotWrites<Postgres> {
    pub(crate) fn start(pool: &PgPool) -> Self {
        Self {
            inbound: GroupCommit::start(pool.clone(), crate::inbound::RECORD_INBOUND_POSTGRES),
            begin_send: GroupCommit::start(pool.clone(), crate::replies::BEGIN_SEND_POSTGRES),
            finish_reply: GroupCommit::start(pool.clone(), crate::replies::FINISH_REPLY_POSTGRES),
        }
    }
}

/// The queue of one kind of write.
pub(crate) struct GroupCommit<DB: Database> {
    queue: mpsc::UnboundedSender<Queued<DB>>,
}

impl<DB: Database> Clone for GroupCommit<DB> {
    fn clone(&self) -> Self {
        Self { queue: self.queue.clone() }
    }
}

impl<DB: Database> std::fmt::Debug for GroupCommit<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl<DB: Engine> GroupCommit<DB> {
    /// Starts the task that writes `kind` through `pool`. It ends when the last
    /// [`GroupCommit`] handle is dropped.
    pub(crate) fn start(pool: sqlx::Pool<DB>, kind: DB::Kind) -> Self {
        let (queue, queued) = mpsc::unbounded_channel();
        let per_write = parameters(DB::sql(kind));
        let statements =
            (0..=LARGEST_BATCH.ilog2()).map(|i| DB::batch_sql(kind, 1 << i, per_write)).collect();
        tokio::spawn(Arc::new(Batches { pool, per_write, statements }).run(queued));
        Self { queue }
    }

    /// Writes in the next transaction, in the order of `key` among the writes batched with
    /// it; returns whether the write took effect. The write is done even if the caller stops
    /// waiting.
    pub(crate) async fn write(
        &self,
        key: impl Into<String>,
        bind: impl Fn(&mut DB::Arguments) -> BindResult + Send + Sync + 'static,
    ) -> Result<bool> {
        let (done, result) = oneshot::channel();
        let closed = || StoreError::Unavailable(sqlx::Error::PoolClosed);
        let queued = Queued { key: key.into(), bind: Box::new(bind), done };
        self.queue.send(queued).map_err(|_| closed())?;
        result.await.map_err(|_| closed())?
    }
}

struct Batches<DB: Engine> {
    pool: sqlx::Pool<DB>,
    /// Parameters each write binds.
    per_write: usize,
    /// The statement for 2^i writes.
    statements: Vec<String>,
}

impl<DB: Engine> Batches<DB> {
    async fn run(self: Arc<Self>, mut queued: mpsc::UnboundedReceiver<Queued<DB>>) {
        let at_once = Arc::new(Semaphore::new(DB::AT_ONCE));
        loop {
            // Writes queue up while every batch in progress waits for the database.
            let Ok(turn) = at_once.clone().acquire_owned().await else { return };
            let mut batch = Vec::with_capacity(LARGEST_BATCH);
            if queued.recv_many(&mut batch, LARGEST_BATCH).await == 0 {
                return;
            }
            let this = self.clone();
            tokio::spawn(async move {
                this.write_all(batch).await;
                drop(turn);
            });
        }
    }

    /// Writes `batch` in key order, in as few transactions as the prepared sizes allow.
    async fn write_all(&self, mut batch: Vec<Queued<DB>>) {
        batch.sort_by(|a, b| a.key.cmp(&b.key));
        while !batch.is_empty() {
            // The largest power of two that fits, so a statement exists for it.
            let rest = batch.split_off(1 << batch.len().ilog2());
            self.write(std::mem::replace(&mut batch, rest)).await;
        }
    }

    /// Writes `batch` in one transaction, or each alone if that fails.
    async fn write(&self, batch: Vec<Queued<DB>>) {
        let (writes, done): (Vec<Binder<DB>>, Vec<_>) = batch.into_iter().map(|q| (q.bind, q.done)).unzip();
        match self.transaction(&writes).await {
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
                    let alone = self.transaction(std::slice::from_ref(&write)).await;
                    let _ = done.send(alone.map(|t| t[0]));
                }
            }
        }
    }

    async fn transaction(&self, writes: &[Binder<DB>]) -> Result<Vec<bool>> {
        let mut args = DB::Arguments::default();
        for (i, bind) in writes.iter().enumerate() {
            bind(&mut args).map_err(StoreError::unencodable)?;
            debug_assert_eq!(args.len(), self.per_write * (i + 1), "every write of a kind binds alike");
        }
        let sql = self.statements[writes.len().ilog2() as usize].clone();
        DB::run(&self.pool, sql, args, writes.len()).await
    }
}

/// The highest parameter number (`$n`) in `sql`.
fn parameters(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|after| {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            after[..digits].parse().ok()
        })
        .max()
        .unwrap_or(0)
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

    #[test]
    fn a_kinds_parameters_are_counted_by_the_highest_number() {
        assert_eq!(parameters("f($1, $2, $10) WHERE x = $3"), 10);
        assert_eq!(parameters("no parameters"), 0);
    }
}
