//! Group commit: commands that arrive while a transaction is being written wait for it, then go
//! together in the next one, so many commands share one transaction and one fsync. Each caller is
//! answered only after the transaction holding its change has committed.

use std::future::Future;

use hoso_engine::ports::{Change, ChangeRefused, Committed, StoreError};
use tokio::sync::{mpsc, oneshot};

/// At most this many changes in one transaction; a longer queue waits for the next.
const MOST_CHANGES: usize = 256;

/// What one caller gets back: one result per change it sent.
type Answer = Result<Vec<Result<Committed, ChangeRefused>>, StoreError>;

struct Pending {
    changes: Vec<Change>,
    reply: oneshot::Sender<Answer>,
}

/// The queue in front of a store's writer.
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<Pending>,
}

/// Whether group commit is on. `HOSO_GROUP_COMMIT=1` or `0` decides; otherwise `by_default`:
/// on for SQLite (one writer at a time, so batching saves whole transactions and fsyncs), off for
/// PostgreSQL (parallel connections, whose WAL flushes the server already groups, measured faster
/// than one writer; see BENCHMARKS.md).
pub(crate) fn enabled(by_default: bool) -> bool {
    match std::env::var("HOSO_GROUP_COMMIT").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => by_default,
    }
}

impl GroupCommit {
    /// Starts the writer task; `commit` writes a batch in one transaction.
    pub(crate) fn start<F, Fut>(commit: F) -> Self
    where
        F: Fn(Vec<Change>) -> Fut + Send + 'static,
        Fut: Future<Output = Answer> + Send,
    {
        let (queue, mut arrivals) = mpsc::unbounded_channel::<Pending>();
        tokio::spawn(async move {
            while let Some(first) = arrivals.recv().await {
                let mut batch = vec![first];
                let mut count = batch[0].changes.len();
                while count < MOST_CHANGES {
                    match arrivals.try_recv() {
                        Ok(next) => {
                            count += next.changes.len();
                            batch.push(next);
                        }
                        Err(_) => break,
                    }
                }
                let mut sizes = Vec::with_capacity(batch.len());
                let mut changes = Vec::with_capacity(count);
                let mut replies = Vec::with_capacity(batch.len());
                for pending in batch {
                    sizes.push(pending.changes.len());
                    changes.extend(pending.changes);
                    replies.push(pending.reply);
                }
                match commit(changes).await {
                    Ok(results) => {
                        let mut results = results.into_iter();
                        for (size, reply) in sizes.into_iter().zip(replies) {
                            // A caller that gave up (its request was cancelled) needs no answer.
                            let _ = reply.send(Ok(results.by_ref().take(size).collect()));
                        }
                    }
                    Err(error) => {
                        for reply in replies {
                            let _ = reply.send(Err(same(&error)));
                        }
                    }
                }
            }
        });
        Self { queue }
    }

    /// Queues `changes` for the next transaction and waits until it has committed.
    pub(crate) async fn commit(&self, changes: Vec<Change>) -> Answer {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending { changes, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the store's writer stopped; restart hoso".to_owned())
}

/// The same failure for every caller of a failed batch (none of their changes was written).
pub(super) fn same(error: &StoreError) -> StoreError {
    match error {
        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
        StoreError::Corrupt(why) => StoreError::Corrupt(why.clone()),
        StoreError::Schema(why) => StoreError::Schema(why.clone()),
    }
}
