//! PostgreSQL's group-commit writer: one thread, with its own runtime and its own connection,
//! commits the changes that queue up while it writes, many to a transaction, the appends'
//! version checks in one statement (`write::move_together`). On the server's shared runtime the
//! writer's every round trip waited behind the requests' CPU work (2–5 ms between statements,
//! BENCHMARKS.md); on its own thread the operating system schedules it as soon as its answer
//! arrives. A caller is answered only after the transaction holding its change has committed.

use std::time::Duration;

use hoso_engine::ports::{Change, StoreError};
use tokio::sync::mpsc;

use super::group::{Answer, Pending, ask, gather};
use super::{Conn, redact};

/// The queue in front of the writer thread.
pub(crate) struct PostgresWriter {
    queue: mpsc::UnboundedSender<Pending>,
}

impl PostgresWriter {
    /// Starts the thread; it connects to `url` when the first batch comes, and again after a
    /// batch fails for want of the server.
    pub(crate) fn start(url: String) -> Result<Self, StoreError> {
        let (queue, arrivals) = mpsc::unbounded_channel::<Pending>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| {
                StoreError::Unavailable(format!("cannot start the PostgreSQL writer: {error}"))
            })?;
        std::thread::Builder::new()
            .name("hoso-postgres-writer".to_owned())
            .spawn(move || runtime.block_on(run(&url, arrivals)))
            .map_err(|error| {
                StoreError::Unavailable(format!("cannot start the PostgreSQL writer: {error}"))
            })?;
        Ok(Self { queue })
    }

    /// Queues `changes` for the next transaction and waits until it has committed.
    pub(crate) async fn commit(&self, changes: Vec<Change>) -> Answer {
        ask(changes, |pending| self.queue.send(pending).is_ok()).await
    }
}

/// How long a batch may take before the writer gives up on its connection: a half-open
/// socket or a lock held elsewhere must not stall every write of the node.
const BATCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Takes batches until every sender is gone (the store was dropped).
async fn run(url: &str, mut arrivals: mpsc::UnboundedReceiver<Pending>) {
    let mut connection: Option<sqlx::PgConnection> = None;
    while let Some(first) = arrivals.recv().await {
        let (changes, replies) = gather(first, || arrivals.try_recv().ok());
        let mut outcome = attempt(url, &mut connection, changes.clone()).await;
        // Batches lock many rows; one that met another node's in a deadlock or a serialisation
        // failure was rolled back whole, so it is tried once more.
        if let Err(StoreError::Unavailable(why)) = &outcome
            && (why.contains("deadlock detected") || why.contains("could not serialize"))
        {
            outcome = attempt(url, &mut connection, changes).await;
        }
        replies.answer(outcome);
    }
}

/// One try at a batch; a connection whose batch failed is in an unknown state and is dropped.
async fn attempt(
    url: &str,
    connection: &mut Option<sqlx::PgConnection>,
    changes: Vec<Change>,
) -> Answer {
    let outcome = match connected(url, connection).await {
        Ok(open) => tokio::time::timeout(
            BATCH_TIMEOUT,
            super::write::commit_on(Conn::from(open), changes),
        )
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unavailable(format!(
                "the database did not finish a write within {} s",
                BATCH_TIMEOUT.as_secs()
            )))
        }),
        Err(error) => Err(error),
    };
    if matches!(outcome, Err(StoreError::Unavailable(_))) {
        *connection = None;
    }
    outcome
}

/// The writer's connection, opened if there is none.
async fn connected<'c>(
    url: &str,
    connection: &'c mut Option<sqlx::PgConnection>,
) -> Result<&'c mut sqlx::PgConnection, StoreError> {
    use sqlx::Connection as _;
    if connection.is_none() {
        let opened = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::PgConnection::connect(url))
            .await
            .map_err(|_| StoreError::Unavailable(format!("{}: no answer", redact(url))))?
            .map_err(|error| StoreError::Unavailable(format!("{}: {error}", redact(url))))?;
        *connection = Some(opened);
    }
    connection
        .as_mut()
        .ok_or_else(|| StoreError::Unavailable("no connection".to_owned()))
}
