//! Background runners.
//!
//! Timers: claim due timers, raise their deadlines on the dossiers, release the ones with nothing
//! left to do. The command id is derived from the timer itself, so two firings of one timer — a
//! retry, or two nodes racing past an expired lease — are one command.
//!
//! Outbox: claim due messages, hand each to its topic's deliverer (at most `concurrency` at once
//! per topic), record the delivery or the failure; failures back off exponentially with jitter
//! and become dead letters after `max_attempts`. Every delivery carries the message's idempotency
//! key, so a redelivery after a crash is one the peer can recognise.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hoso_engine::case::{Actor, Command, Deadline, DossierCode, Timer};
use hoso_engine::ports::{Delivery as _, OutboxEntry, Store, StoreError};
use hoso_engine::service::{Request, Service, ServiceError, Target};

/// How long a claimed timer is held before another worker may take it.
pub const TIMER_LEASE: Duration = Duration::from_secs(60);

/// What one pass of the timer runner did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimerPass {
    /// Deadlines raised on dossiers.
    pub raised: usize,
    /// Timers that had nothing left to do and were released.
    pub released: usize,
    /// Timers another worker had already fired.
    pub already: usize,
    /// Timers left for a later pass (a conflict or a failure); their lease expires.
    pub deferred: usize,
}

/// The command id a timer fires with: the same for every firing of the same timer.
pub fn timer_command_id(code: &DossierCode, timer: &Timer) -> String {
    let deadline = match timer.deadline {
        Deadline::Appointment => "appointment",
        Deadline::Step => "step",
    };
    format!(
        "timer:{code}:{deadline}:{}:{}",
        if timer.passed { "passed" } else { "near" },
        timer.due_at.timestamp_micros()
    )
}

/// Fires every timer due at `now` (in batches of `batch`), once.
pub async fn fire_due_timers<S: Store>(
    service: &Service<S>,
    now: DateTime<Utc>,
    batch: u32,
) -> Result<TimerPass, StoreError> {
    let mut pass = TimerPass::default();
    loop {
        let lease = now + chrono::Duration::from_std(TIMER_LEASE).unwrap_or_default();
        let claimed = service.store().claim_due_timers(now, lease, batch).await?;
        if claimed.is_empty() {
            return Ok(pass);
        }
        let claimed_count = claimed.len();
        for (code, timer) in claimed {
            let request = Request {
                command_id: timer_command_id(&code, &timer),
                actor: Actor::system("timer"),
                target: Target::Existing(code.clone()),
                expected_version: None,
                command: Command::RaiseDeadline {
                    deadline: timer.deadline,
                    passed: timer.passed,
                },
            };
            match service.execute(request, now).await {
                // Another worker fired this timer first; its commit already replaced the timers.
                Ok(executed) if executed.replayed => pass.already += 1,
                Ok(executed) if executed.events.is_empty() => {
                    service.store().release_timer(&code, &timer).await?;
                    pass.released += 1;
                }
                Ok(_) => pass.raised += 1,
                Err(ServiceError::Store(error)) => return Err(error),
                Err(_) => pass.deferred += 1,
            }
        }
        if claimed_count < batch as usize || pass.deferred > 0 {
            return Ok(pass);
        }
    }
}

/// Runs the timer pass every `interval` until `shutdown` completes.
pub async fn run_timers<S: Store>(
    service: Arc<Service<S>>,
    interval: Duration,
    shutdown: impl Future<Output = ()>,
    mut on_pass: impl FnMut(Result<TimerPass, StoreError>),
) {
    tokio::pin!(shutdown);
    loop {
        on_pass(fire_due_timers(&service, Utc::now(), 200).await);
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// A failed delivery, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// Trying again later may succeed (the peer was down, slow or answered 5xx).
    pub retryable: bool,
    /// What happened, for the dead-letter list.
    pub message: String,
}

impl DeliveryError {
    /// A failure worth retrying.
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            retryable: true,
            message: message.into(),
        }
    }

    /// A failure that will not change by retrying (a malformed message, a bad address).
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            retryable: false,
            message: message.into(),
        }
    }
}

/// A delivery in progress: the provider's id for the delivered message, or the failure.
pub type Delivery<'a> = Pin<Box<dyn Future<Output = Result<String, DeliveryError>> + Send + 'a>>;

/// Delivers one topic's messages to a peer.
pub trait Deliverer: Send + Sync {
    /// Delivers one message; must send `entry.idempotency_key` so the peer can drop repeats.
    fn deliver<'a>(&'a self, entry: &'a OutboxEntry) -> Delivery<'a>;
}

/// How failures are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts before a message becomes a dead letter.
    pub max_attempts: u32,
    /// The first wait.
    pub base: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// How long one delivery may take.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            base: Duration::from_secs(5),
            cap: Duration::from_secs(3600),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempts` failures: base × 2^attempts, capped, ±20 % jitter so peers that
    /// come back are not hit by every message at once.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let exponential = self
            .base
            .saturating_mul(2_u32.saturating_pow(attempts.min(20)))
            .min(self.cap);
        let mut random = [0_u8; 2];
        let _ = getrandom::fill(&mut random);
        let jitter = 0.8 + 0.4 * f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX);
        exponential.mul_f64(jitter)
    }
}

struct Route {
    deliverer: Arc<dyn Deliverer>,
    slots: Arc<tokio::sync::Semaphore>,
}

/// One dossier's claimed messages (or a lone message without a dossier), in the order written.
type Chain = (Option<DossierCode>, Vec<(OutboxEntry, Route)>);

/// What one dispatcher pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxPass {
    /// Delivered.
    pub delivered: usize,
    /// Failed and scheduled again.
    pub retried: usize,
    /// Failed for the last time: now dead letters.
    pub dead: usize,
    /// Waiting for an adapter that is not configured.
    pub deferred: usize,
}

/// Delivers outbox messages through the configured deliverers.
pub struct Dispatcher {
    service: Arc<Service<crate::store::AnyStore>>,
    routes: HashMap<String, Route>,
    policy: RetryPolicy,
}

impl Dispatcher {
    /// A dispatcher over the service's store, with no deliverers yet.
    pub fn new(service: Arc<Service<crate::store::AnyStore>>, policy: RetryPolicy) -> Self {
        Self {
            service,
            routes: HashMap::new(),
            policy,
        }
    }

    /// Sends `topic` through `deliverer`, at most `concurrency` at once.
    pub fn route(mut self, topic: &str, deliverer: Arc<dyn Deliverer>, concurrency: usize) -> Self {
        self.routes.insert(
            topic.to_owned(),
            Route {
                deliverer,
                slots: Arc::new(tokio::sync::Semaphore::new(concurrency.max(1))),
            },
        );
        self
    }

    /// Delivers what is due at `now`, in batches of `batch`.
    pub async fn dispatch(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        batch: u32,
    ) -> Result<OutboxPass, StoreError> {
        let lease = now + chrono::Duration::from_std(self.policy.timeout * 2).unwrap_or_default();
        // Only what this node can deliver: a topic with no adapter here waits untouched, so
        // configuring it later (or another node that has it) delivers at once.
        let topics: Vec<&str> = self.routes.keys().map(String::as_str).collect();
        let claimed = self
            .service
            .store()
            .claim_outbox(now, lease, batch, &topics)
            .await?;
        let mut pass = OutboxPass::default();
        // One dossier's messages go out in the order they were written (the portal must see
        // "received" before "processing"); different dossiers' go out side by side.
        let mut chains: Vec<Chain> = Vec::new();
        for entry in claimed {
            let Some(route) = self.routes.get(&entry.topic) else {
                // No adapter for this topic here: leave it for a node (or a restart) that has one.
                self.service
                    .store()
                    .defer_outbox(entry.id, now + chrono::Duration::minutes(10))
                    .await?;
                pass.deferred += 1;
                continue;
            };
            let route = Route {
                deliverer: Arc::clone(&route.deliverer),
                slots: Arc::clone(&route.slots),
            };
            match chains
                .iter_mut()
                .find(|(case, _)| case.is_some() && *case == entry.case_code)
            {
                Some((_, chain)) => chain.push((entry, route)),
                None => chains.push((entry.case_code.clone(), vec![(entry, route)])),
            }
        }
        let mut deliveries = tokio::task::JoinSet::new();
        let timeout = self.policy.timeout;
        for (_, chain) in chains {
            deliveries.spawn(async move {
                let mut outcomes = Vec::with_capacity(chain.len());
                for (entry, route) in chain {
                    let _slot = route.slots.acquire_owned().await;
                    let outcome = match tokio::time::timeout(
                        timeout,
                        route.deliverer.deliver(&entry),
                    )
                    .await
                    {
                        Ok(outcome) => outcome,
                        Err(_) => Err(DeliveryError::retryable(format!(
                            "no answer within {} s",
                            timeout.as_secs()
                        ))),
                    };
                    outcomes.push((entry, outcome));
                }
                outcomes
            });
        }
        let mut delivered = Vec::new();
        while let Some(joined) = deliveries.join_next().await {
            if let Ok(outcomes) = joined {
                delivered.extend(outcomes);
            }
        }
        for (entry, outcome) in delivered {
            match outcome {
                Ok(provider_id) => {
                    self.service
                        .store()
                        .mark_delivered(entry.id, &provider_id, chrono::Utc::now())
                        .await?;
                    pass.delivered += 1;
                }
                Err(error) => {
                    let attempts = entry.attempts + 1;
                    let dead = !error.retryable || attempts >= self.policy.max_attempts;
                    let next = now
                        + chrono::Duration::from_std(self.policy.backoff(attempts))
                            .unwrap_or_default();
                    tracing::warn!(key = %entry.idempotency_key, topic = %entry.topic, attempts, dead, error = %error.message, "delivery failed");
                    self.service
                        .store()
                        .mark_failed(entry.id, &error.message, next, dead)
                        .await?;
                    if dead {
                        pass.dead += 1
                    } else {
                        pass.retried += 1
                    }
                }
            }
        }
        Ok(pass)
    }

    /// Dispatches every `interval` (and at once when `wake` fires, on PostgreSQL) until
    /// `shutdown` completes.
    pub async fn run(
        self,
        interval: Duration,
        mut wake: Option<tokio::sync::mpsc::Receiver<()>>,
        shutdown: impl Future<Output = ()>,
        mut on_pass: impl FnMut(Result<OutboxPass, StoreError>),
    ) {
        tokio::pin!(shutdown);
        loop {
            on_pass(self.dispatch(chrono::Utc::now(), 100).await);
            let woken = async {
                match wake.as_mut() {
                    Some(wake) => {
                        wake.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = &mut shutdown => return,
                () = woken => {}
                () = tokio::time::sleep(interval) => {}
            }
        }
    }
}
