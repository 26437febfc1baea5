//! Group commit: commands that arrive while a transaction is being written wait for it, then go
//! together in the next one, so many commands share one transaction and one fsync. Each caller is
//! answered only after the transaction holding its change has committed.

use std::future::Future;

use hoso_engine::ports::{Change, ChangeRefused, Committed, StoreError};
use tokio::sync::{mpsc, oneshot};

/// At most this many changes in one transaction; a longer queue waits for the next.
const MOST_CHANGES: usize = 256;

/// What one caller gets back: one result per change it sent.
pub(super) type Answer = Result<Vec<Result<Committed, ChangeRefused>>, StoreError>;

/// One caller's changes and where to answer it.
pub(super) struct Pending {
    pub(super) changes: Vec<Change>,
    pub(super) reply: oneshot::Sender<Answer>,
}

/// The callers of one batch, each to be answered with the results of its own changes.
pub(super) struct Replies {
    sizes: Vec<usize>,
    replies: Vec<oneshot::Sender<Answer>>,
}

/// Takes `first` and what else is waiting (`next`, until it has nothing or the batch holds
/// [`MOST_CHANGES`]) into one batch of changes, in arrival order, and its callers.
pub(super) fn gather(
    first: Pending,
    mut next: impl FnMut() -> Option<Pending>,
) -> (Vec<Change>, Replies) {
    let mut batch = vec![first];
    let mut count = batch[0].changes.len();
    while count < MOST_CHANGES {
        match next() {
            Some(pending) => {
                count += pending.changes.len();
                batch.push(pending);
            }
            None => break,
        }
    }
    let mut changes = Vec::with_capacity(count);
    let mut replies = Replies {
        sizes: Vec::with_capacity(batch.len()),
        replies: Vec::with_capacity(batch.len()),
    };
    for pending in batch {
        replies.sizes.push(pending.changes.len());
        changes.extend(pending.changes);
        replies.replies.push(pending.reply);
    }
    (changes, replies)
}

impl Replies {
    /// Answers each caller: its share of the results, or the batch's failure.
    pub(super) fn answer(self, outcome: Answer) {
        match outcome {
            Ok(results) => {
                let mut results = results.into_iter();
                for (size, reply) in self.sizes.into_iter().zip(self.replies) {
                    // A caller that gave up (its request was cancelled) needs no answer.
                    let _ = reply.send(Ok(results.by_ref().take(size).collect()));
                }
            }
            Err(error) => {
                for reply in self.replies {
                    let _ = reply.send(Err(same(&error)));
                }
            }
        }
    }
}

/// The queue in front of a store's writer.
pub(crate) struct GroupCommit {
    queue: mpsc::UnboundedSender<Pending>,
}

/// Whether group commit is on: unless `HOSO_GROUP_COMMIT=0`, for both stores (batching saves
/// transactions, fsyncs and round trips; BENCHMARKS.md).
pub(crate) fn enabled() -> bool {
    std::env::var("HOSO_GROUP_COMMIT").as_deref() != Ok("0")
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
                let (changes, replies) = gather(first, || arrivals.try_recv().ok());
                replies.answer(commit(changes).await);
            }
        });
        Self { queue }
    }

    /// Queues `changes` for the next transaction and waits until it has committed.
    pub(crate) async fn commit(&self, changes: Vec<Change>) -> Answer {
        ask(changes, |pending| self.queue.send(pending).is_ok()).await
    }
}

/// Hands `changes` to a writer through `send` (false when the writer is gone) and waits for
/// their answer, which comes once the transaction holding them has committed.
pub(super) async fn ask(changes: Vec<Change>, send: impl FnOnce(Pending) -> bool) -> Answer {
    let (reply, answer) = oneshot::channel();
    if !send(Pending { changes, reply }) {
        return Err(stopped());
    }
    answer.await.map_err(|_| stopped())?
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the store's writer stopped; restart hoso".to_owned())
}

/// The same failure for every caller of a failed batch (none of their changes was written).
fn same(error: &StoreError) -> StoreError {
    match error {
        StoreError::Unavailable(why) => StoreError::Unavailable(why.clone()),
        StoreError::Corrupt(why) => StoreError::Corrupt(why.clone()),
        StoreError::Schema(why) => StoreError::Schema(why.clone()),
    }
}
