//! The single writer: one thread owns every redb write transaction.
//!
//! Group commit: the writer takes every unit waiting in its queue (up to [`MAX_BATCH`]), runs
//! them in one write transaction and commits once, so one fsync acknowledges the whole batch.
//! Isolation between batch-mates:
//! - a unit that fails *before* writing anything just reports its error;
//! - a unit that fails (or panics) *after* writing poisons the transaction: the writer aborts
//!   it and replays the batch without that unit. Units are re-runnable closures, so the
//!   survivors compute their results again against the state they will really commit on.
//!
//! Each submitter is answered only after the commit that holds its change returned. A batch
//! made only of units submitted unsynced (that record no change) is committed without an fsync
//! (`Durability::None`): redb makes it durable with the next durable commit.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use redb::{Database, Durability};

use super::Slot;
use tokio::sync::{mpsc, oneshot, watch};

use super::{StoreError, Tx};
use crate::error::{Error, Result};

/// Upper bound on units per transaction: bounds the work lost to one replay and the latency
/// of the first unit in a batch.
pub const MAX_BATCH: usize = 512;
const QUEUE: usize = 8192;

trait Job: Send {
    /// Runs the unit; `true` if it succeeded.
    fn run(&mut self, tx: &mut Tx<'_>) -> bool;
    /// Replaces the unit's result (its batch could not be committed).
    fn fail(&mut self, e: Error);
    /// Sends the result to the submitter.
    fn answer(self: Box<Self>);
    /// Whether the submitter waits for the disk (see `Store::write_unsynced`).
    fn synced(&self) -> bool;
}

struct TypedJob<T, F> {
    unit: F,
    synced: bool,
    result: Option<Result<T>>,
    reply: Option<oneshot::Sender<Result<T>>>,
}

impl<T, F> Job for TypedJob<T, F>
where
    T: Send + 'static,
    F: FnMut(&mut Tx<'_>) -> Result<T> + Send + 'static,
{
    fn run(&mut self, tx: &mut Tx<'_>) -> bool {
        let outcome = catch_unwind(AssertUnwindSafe(|| (self.unit)(tx)))
            .unwrap_or_else(|_| Err(Error::Internal(anyhow::anyhow!("a unit of work panicked"))));
        let ok = outcome.is_ok();
        self.result = Some(outcome);
        ok
    }

    fn fail(&mut self, e: Error) {
        self.result = Some(Err(e));
    }

    fn answer(mut self: Box<Self>) {
        if let (Some(reply), Some(result)) = (self.reply.take(), self.result.take()) {
            let _ = reply.send(result);
        }
    }

    fn synced(&self) -> bool {
        self.synced
    }
}

enum Msg {
    Job(Box<dyn Job>),
    /// Try to recover the database if it is out (sent by readers that found it missing).
    Nudge,
    Shutdown(oneshot::Sender<()>),
}

#[derive(Clone)]
pub(super) struct WriterHandle {
    tx: mpsc::Sender<Msg>,
    positions: watch::Receiver<u64>,
}

impl WriterHandle {
    pub(super) async fn submit<T, F>(&self, unit: F, synced: bool) -> Result<T>
    where
        T: Send + 'static,
        F: FnMut(&mut Tx<'_>) -> Result<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job = TypedJob { unit, synced, result: None, reply: Some(reply) };
        self.tx
            .send(Msg::Job(Box::new(job)))
            .await
            .map_err(|_| Error::Unavailable("the store is shutting down".into()))?;
        rx.await.map_err(|_| Error::Unavailable("the store is shutting down".into()))?
    }

    pub(super) fn nudge(&self) {
        let _ = self.tx.try_send(Msg::Nudge);
    }

    pub(super) fn positions(&self) -> watch::Receiver<u64> {
        self.positions.clone()
    }

    pub(super) async fn shutdown(&self) {
        let (done, rx) = oneshot::channel();
        if self.tx.send(Msg::Shutdown(done)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

pub(super) fn spawn(slot: Arc<Slot>, position: u64) -> WriterHandle {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (pos_tx, positions) = watch::channel(position);
    std::thread::Builder::new()
        .name("lectern-writer".into())
        .spawn(move || run(slot, rx, pos_tx))
        .expect("spawning the writer thread");
    WriterHandle { tx, positions }
}

/// Takes the faulty database out, waits (bounded) for readers to drop it, and reopens it.
fn recover(slot: &Slot) {
    if let Some(db) = slot.take() {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while Arc::strong_count(&db) > 1 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        drop(db);
    }
    if let Err(e) = slot.reopen() {
        tracing::warn!(error = %e, "the store cannot be reopened yet");
    }
}

fn run(slot: Arc<Slot>, mut rx: mpsc::Receiver<Msg>, positions: watch::Sender<u64>) {
    let mut stop: Option<oneshot::Sender<()>> = None;
    while stop.is_none() {
        let Some(first) = rx.blocking_recv() else {
            break;
        };
        let mut batch = Vec::new();
        match first {
            Msg::Job(j) => batch.push(j),
            Msg::Nudge => {}
            Msg::Shutdown(done) => stop = Some(done),
        }
        while batch.len() < MAX_BATCH && stop.is_none() {
            match rx.try_recv() {
                Ok(Msg::Job(j)) => batch.push(j),
                Ok(Msg::Nudge) => {}
                Ok(Msg::Shutdown(done)) => stop = Some(done),
                Err(_) => break,
            }
        }
        if !slot.is_open() {
            recover(&slot);
        }
        if batch.is_empty() {
            continue;
        }
        let outcome = match slot.get() {
            Ok(db) => commit_batch(&db, &mut batch),
            Err(e) => {
                for job in batch.iter_mut() {
                    job.fail(Error::from(StoreError::Unavailable(e.to_string())));
                }
                Outcome::Failed { io: false }
            }
        };
        match outcome {
            Outcome::Committed(p, touched) => {
                // Before the position moves: whoever sees the new position sees the tables moved.
                slot.versions.bump(touched, p);
                positions.send_if_modified(|cur| {
                    let moved = p > *cur;
                    *cur = p.max(*cur);
                    moved
                });
            }
            // redb latches after an I/O error: reopen now (it may fail until space is freed;
            // then every later batch and reader nudge tries again).
            Outcome::Failed { io: true } => recover(&slot),
            Outcome::Failed { io: false } => {}
        }
        for job in batch {
            job.answer();
        }
    }
    drop(slot);
    if let Some(done) = stop {
        let _ = done.send(());
    }
}

enum Outcome {
    /// The new position, and the tables written (`TableVersions` bits).
    Committed(u64, u64),
    Failed {
        io: bool,
    },
}

/// Runs and commits one batch; leaves each job's result in the job.
fn commit_batch(db: &Database, batch: &mut [Box<dyn Job>]) -> Outcome {
    // Units that failed after writing: excluded from every replay.
    let mut excluded = vec![false; batch.len()];
    loop {
        match attempt(db, batch, &mut excluded) {
            Attempt::Committed(p, touched) => return Outcome::Committed(p, touched),
            Attempt::Replay => continue,
            Attempt::Failed(e) => {
                tracing::error!(error = %e, units = batch.len(), "write batch failed");
                let io = matches!(e, StoreError::Unavailable(_));
                for (job, out) in batch.iter_mut().zip(&excluded) {
                    if !out {
                        job.fail(Error::from(StoreError::Unavailable(e.to_string())));
                    }
                }
                return Outcome::Failed { io };
            }
        }
    }
}

enum Attempt {
    Committed(u64, u64),
    Replay,
    Failed(StoreError),
}

fn attempt(db: &Database, batch: &mut [Box<dyn Job>], excluded: &mut [bool]) -> Attempt {
    let mut txn = match db.begin_write() {
        Ok(t) => t,
        Err(e) => return Attempt::Failed(e.into()),
    };
    let outcome = {
        let mut tx = match Tx::new(&txn) {
            Ok(tx) => tx,
            Err(e) => return Attempt::Failed(e),
        };
        let mut replay = false;
        for (job, out) in batch.iter_mut().zip(excluded.iter_mut()) {
            if *out {
                continue;
            }
            tx.dirty = false;
            if !job.run(&mut tx) && tx.dirty {
                *out = true;
                replay = true;
                break;
            }
        }
        let (position, touched) = (tx.position(), tx.touched);
        let synced = tx.must_sync() || batch.iter().zip(excluded.iter()).any(|(j, out)| !out && j.synced());
        if replay { Err(None) } else { tx.finish().map(|()| (position, touched, synced)).map_err(Some) }
    };
    match outcome {
        Err(None) => {
            let _ = txn.abort();
            Attempt::Replay
        }
        Err(Some(e)) => {
            let _ = txn.abort();
            Attempt::Failed(e)
        }
        Ok((position, touched, synced)) => {
            if !synced && let Err(e) = txn.set_durability(Durability::None) {
                // Refused only in multi-process modes, which this store does not use.
                tracing::warn!(error = %e, "committing an unsynced batch durably");
            }
            match txn.commit() {
                Ok(()) => Attempt::Committed(position, touched),
                Err(e) => Attempt::Failed(e.into()),
            }
        }
    }
}
