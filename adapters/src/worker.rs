//! Background runners. Timers: claim due timers, raise their deadlines on the dossiers, release
//! the ones with nothing left to do. The command id is derived from the timer itself, so two
//! firings of one timer — a retry, or two nodes racing past an expired lease — are one command.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hoso_engine::case::{Actor, Command, Deadline, DossierCode, Timer};
use hoso_engine::ports::{Store, StoreError};
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
