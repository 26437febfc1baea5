//! Durable timers: they survive restarts, fire once in effect, and are shared by workers.

use std::sync::Arc;

use chrono::Duration;
use hoso_adapters::worker::{TimerPass, fire_due_timers};
use hoso_engine::case::{Deadline, EventKind, Timer};
use hoso_engine::ports::{Dossiers as _, Store, Timers as _};

use crate::harness::{World, action, at, officer, open_service};

crate::conformance!(timers_survive_a_restart_and_fire_once);

mod everywhere {
    use super::*;

    crate::conformance_everywhere!(
        competing_workers_raise_each_deadline_once,
        an_expired_claim_is_taken_over_by_another_worker,
    );
}

fn raised(events: &[hoso_engine::case::Event], wanted: Deadline, was_passed: bool) -> usize {
    events
        .iter()
        .filter(|event| match &event.kind {
            EventKind::DeadlinePassed { deadline } => was_passed && *deadline == wanted,
            EventKind::DeadlineNear { deadline } => !was_passed && *deadline == wanted,
            _ => false,
        })
        .count()
}

async fn timers_survive_a_restart_and_fire_once(world: World) {
    let code = world.received_birth().await;
    // A new process on the same database: the timers are rows, not memory.
    let restarted = open_service(&world.url).await;
    let before = fire_due_timers(&restarted, at("2025-03-03T10:00:00+07:00"), 50)
        .await
        .expect("pass");
    assert_eq!(before, TimerPass::default(), "nothing is due yet");
    let pass = fire_due_timers(&restarted, at("2025-03-03T10:30:00+07:00"), 50)
        .await
        .expect("pass");
    assert_eq!(pass.raised, 1, "the first step overran its hour");
    let again = fire_due_timers(&restarted, at("2025-03-03T10:31:00+07:00"), 50)
        .await
        .expect("pass");
    assert_eq!(again, TimerPass::default(), "fired once");
    let events = restarted.store().events(&code).await.expect("events");
    assert_eq!(raised(&events, Deadline::Step, true), 1);
    let pass = fire_due_timers(&restarted, at("2025-03-03T17:30:00+07:00"), 50)
        .await
        .expect("pass");
    assert_eq!(pass.raised, 1, "the appointment passed");
    let case = restarted
        .store()
        .load(&code)
        .await
        .expect("load")
        .expect("exists");
    assert!(case.overdue);
    assert!(
        restarted
            .store()
            .timers(&code)
            .await
            .expect("timers")
            .is_empty()
    );
}

async fn competing_workers_raise_each_deadline_once<S: Store>(world: World<S>) {
    let mut codes = Vec::new();
    for _ in 0..12 {
        let code = world.received_birth().await;
        codes.push(code);
    }
    let now = at("2025-03-03T11:00:00+07:00");
    let mut workers = Vec::new();
    for _ in 0..4 {
        let service = Arc::clone(&world.service);
        workers.push(tokio::spawn(async move {
            fire_due_timers(&service, now, 3).await
        }));
    }
    let mut total = 0;
    for worker in workers {
        total += worker.await.expect("worker").expect("pass").raised;
    }
    // Leftovers deferred by a conflict are fired by the next pass.
    total += fire_due_timers(&world.service, now, 50)
        .await
        .expect("pass")
        .raised;
    assert_eq!(total, 12, "one step-overrun mark per dossier");
    for code in &codes {
        let events = world.service.store().events(code).await.expect("events");
        assert_eq!(raised(&events, Deadline::Step, true), 1, "{code}");
        hoso_engine::case::verify_chain(code, &events).expect("chain");
    }
}

async fn an_expired_claim_is_taken_over_by_another_worker<S: Store>(world: World<S>) {
    let code = world.received_birth().await;
    world
        .act(
            &code,
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T09:20:00+07:00",
        )
        .await
        .expect("forwarded");
    let store = world.service.store();
    let now = at("2025-03-03T17:30:00+07:00");
    // A worker claims every due timer and dies before firing.
    let claimed = store
        .claim_due_timers(now, now + Duration::seconds(60), 50)
        .await
        .expect("claim");
    assert!(!claimed.is_empty());
    assert!(
        store
            .claim_due_timers(now, now + Duration::seconds(60), 50)
            .await
            .expect("claim")
            .is_empty(),
        "held by the first worker"
    );
    let pass = fire_due_timers(&world.service, now + Duration::seconds(30), 50)
        .await
        .expect("pass");
    assert_eq!(pass, TimerPass::default(), "the lease still holds");
    let pass = fire_due_timers(&world.service, now + Duration::seconds(61), 50)
        .await
        .expect("pass");
    assert_eq!(
        pass.raised,
        claimed.len(),
        "taken over once the lease expired"
    );
    let timers: Vec<Timer> = store.timers(&code).await.expect("timers");
    assert!(timers.iter().all(|timer| timer.due_at > now), "{timers:?}");
}
