//! The store contract: codes, concurrency, idempotency, atomicity, projections, timers, outbox.

use std::collections::BTreeSet;

use hoso_engine::case::{Actor, Command, Deadline, MissingDocument, Status, Timer, verify_chain};
use hoso_engine::ports::{CaseQuery, Published, Store};
use hoso_engine::procedure::ProcedureCode;
use hoso_engine::service::{Request, ServiceError, Target};

use crate::harness::{
    CITIZEN, World, action, at, birth_submission, citizen, document, officer, unit,
};

crate::conformance_everywhere!(
    codes_count_per_unit_per_day_without_gaps_under_concurrency,
    a_stale_command_conflicts_and_writes_nothing,
    thirty_two_racing_commands_one_winner_per_version,
    a_retried_command_returns_its_first_result,
    a_taken_command_id_in_a_batch_refuses_only_its_own_change,
    an_append_refused_for_its_command_id_or_version_writes_nothing,
    a_batch_of_appends_refuses_only_the_stale_and_the_missing_and_applies_the_rest_in_order,
    a_refused_command_writes_nothing,
    a_dossier_walks_receipt_supplement_extension_and_return_with_the_right_dates,
    the_rebuilt_projection_equals_the_live_one,
    the_inbox_shows_what_a_role_may_act_on_most_urgent_first,
    lists_filter_by_status_unit_applicant_and_text,
    an_organisation_account_lists_its_companys_dossiers,
    outbox_rows_and_timers_are_written_with_the_events,
    a_published_procedure_version_never_changes,
);

async fn codes_count_per_unit_per_day_without_gaps_under_concurrency<S: Store>(world: World<S>) {
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let world = world.clone();
        tasks.push(tokio::spawn(async move {
            world.submit_birth("2025-03-03T09:00:00+07:00").await
        }));
    }
    let mut codes = BTreeSet::new();
    for task in tasks {
        let executed = task.await.expect("task");
        assert!(
            codes.insert(executed.case.code.to_string()),
            "duplicate code"
        );
    }
    let expected: BTreeSet<String> = (1..=40)
        .map(|n| format!("000.00.17.H21-250303-{n:04}"))
        .collect();
    assert_eq!(codes, expected, "0001..0040, no gap, no duplicate");
    // The next day, and another unit, start again at 0001.
    assert_eq!(
        world
            .submit_birth("2025-03-04T09:00:00+07:00")
            .await
            .case
            .code
            .to_string(),
        "000.00.17.H21-250304-0001"
    );
    let mut elsewhere = birth_submission();
    elsewhere.receiving_unit = hoso_engine::case::UnitId::parse("000.00.18.H21").expect("unit");
    let executed = world
        .send(
            citizen(),
            Target::New(ProcedureCode::parse("1.001193").expect("code")),
            Command::Submit(elsewhere),
            "2025-03-03T10:00:00+07:00",
        )
        .await
        .expect("accepted");
    assert_eq!(executed.case.code.to_string(), "000.00.18.H21-250303-0001");
}

async fn a_stale_command_conflicts_and_writes_nothing<S: Store>(world: World<S>) {
    let code = world.received_birth().await;
    let stale = Request {
        command_id: "stale-1".to_owned(),
        actor: officer("mot_cua"),
        target: Target::Existing(code.clone()),
        expected_version: Some(1),
        command: action("chuyen_tham_dinh"),
    };
    let error = world
        .service
        .execute(stale, at("2025-03-03T09:20:00+07:00"))
        .await
        .expect_err("stale");
    assert!(
        matches!(
            error,
            ServiceError::Conflict {
                expected: 1,
                // Received with its Form 01.
                actual: 3,
                ..
            }
        ),
        "{error:?}"
    );
    let store = world.service.store();
    assert_eq!(
        store.events(&code).await.expect("events").len(),
        3,
        "the submission, the receipt and its Form 01; nothing of the stale command"
    );
    assert_eq!(store.command("stale-1").await.expect("lookup"), None);
}

async fn thirty_two_racing_commands_one_winner_per_version<S: Store>(world: World<S>) {
    let code = world.received_birth().await;
    // 32 consultations race, all decided on version 2: one wins, the rest conflict.
    world
        .act(
            &code,
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T09:20:00+07:00",
        )
        .await
        .expect("forwarded");
    let mut tasks = Vec::new();
    for task in 0..32 {
        let world = world.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            let request = Request {
                command_id: format!("race-{task}"),
                actor: officer("tu_phap"),
                target: Target::Existing(code),
                expected_version: Some(4),
                command: Command::Consult {
                    unit: hoso_engine::case::UnitId::parse("000.00.99.H21").expect("unit"),
                    question: format!("Câu hỏi {task}"),
                },
            };
            world
                .service
                .execute(request, at("2025-03-03T09:30:00+07:00"))
                .await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(executed) => {
                wins += 1;
                assert_eq!(executed.case.version, 5);
            }
            Err(ServiceError::Conflict { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(wins, 1, "exactly one command wins version 5");
    let events = world.service.store().events(&code).await.expect("events");
    assert_eq!(
        events.iter().map(|event| event.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    verify_chain(&code, &events).expect("chain verifies");
    let case = world
        .service
        .store()
        .load(&code)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(case.consultations.len(), 1);
}

async fn a_retried_command_returns_its_first_result<S: Store>(world: World<S>) {
    let submit = |id: &str| Request {
        command_id: id.to_owned(),
        actor: citizen(),
        target: Target::New(ProcedureCode::parse("1.001193").expect("code")),
        expected_version: None,
        command: Command::Submit(birth_submission()),
    };
    let first = world
        .service
        .execute(submit("submit-1"), at("2025-03-03T09:00:00+07:00"))
        .await
        .expect("first");
    let again = world
        .service
        .execute(submit("submit-1"), at("2025-03-03T09:05:00+07:00"))
        .await
        .expect("retry");
    assert!(again.replayed);
    assert_eq!(again.case.code, first.case.code);
    assert_eq!(again.events, first.events);
    let all = world
        .service
        .store()
        .list(&CaseQuery {
            limit: 50,
            ..CaseQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(all.len(), 1, "the retry registered nothing");
    // Racing retries of one command: one applies, the others see the first result.
    let code = first.case.code;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let world = world.clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            let request = Request {
                command_id: "receive-1".to_owned(),
                actor: officer("mot_cua"),
                target: Target::Existing(code),
                expected_version: None,
                command: Command::Receive,
            };
            world
                .service
                .execute(request, at("2025-03-03T09:10:00+07:00"))
                .await
        }));
    }
    for task in tasks {
        match task.await.expect("task") {
            Ok(executed) => assert_eq!(executed.case.status, Status::Received),
            Err(ServiceError::Conflict { .. }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        world
            .service
            .store()
            .events(&code)
            .await
            .expect("events")
            .len(),
        3,
        "received once, with one Form 01"
    );
}

/// Group commit puts many commands in one transaction; one whose id was already used must be
/// refused alone, and the others in the batch still written.
async fn a_taken_command_id_in_a_batch_refuses_only_its_own_change<S: Store>(world: World<S>) {
    let first = world.submit_birth("2025-03-03T09:00:00+07:00").await;
    let submitted = first.events[0].clone();
    let registration = |command_id: &str| {
        hoso_engine::ports::Change::Register(hoso_engine::ports::Registration {
            receiving_unit: first.case.receiving_unit.clone(),
            day: chrono::NaiveDate::from_ymd_opt(2025, 3, 3).expect("day"),
            events: vec![hoso_engine::case::NewEvent {
                at: submitted.at,
                actor: submitted.actor.clone(),
                kind: submitted.kind.clone(),
                command_id: command_id.to_owned(),
            }],
            attention: None,
        })
    };
    let results = world
        .service
        .store()
        .commit(vec![
            registration("fresh-1"),
            registration(&submitted.command_id),
            registration("fresh-2"),
        ])
        .await
        .expect("the batch commits");
    assert_eq!(results.len(), 3);
    assert!(
        matches!(&results[1], Err(hoso_engine::ports::ChangeRefused::Duplicate { command_id }) if *command_id == submitted.command_id),
        "{:?}",
        results[1]
    );
    let mut codes = Vec::new();
    for result in [&results[0], &results[2]] {
        let committed = result
            .as_ref()
            .expect("the fresh registrations are written");
        let code = committed.case.code.clone();
        assert_eq!(
            world.service.store().events(&code).await.expect("events"),
            committed.events
        );
        codes.push(code);
    }
    assert_ne!(codes[0], codes[1]);
    let all = world
        .service
        .store()
        .list(&CaseQuery {
            limit: 50,
            ..CaseQuery::default()
        })
        .await
        .expect("list");
    assert_eq!(all.len(), 3, "the first dossier and the two fresh ones");
}

/// An append as the service would write it, `steps` versions past `case`: a copy of `last`
/// (the dossier's latest event) under `command_id`, with `timers`.
fn append_after(
    code: &hoso_engine::case::DossierCode,
    case: &hoso_engine::case::Case,
    last: &hoso_engine::case::Event,
    steps: u64,
    expected_version: u64,
    command_id: &str,
    timers: Vec<Timer>,
) -> hoso_engine::ports::Change {
    let mut event = last.clone();
    event.seq = case.version + steps;
    event.command_id = command_id.to_owned();
    let mut moved = case.clone();
    moved.version += steps;
    hoso_engine::ports::Change::Append(Box::new(hoso_engine::ports::Append {
        code: code.clone(),
        expected_version,
        events: vec![event],
        case: moved,
        outbox: Vec::new(),
        timers,
        attention: None,
    }))
}

/// The store's own checks of an append, below the service's: a command id already taken
/// refuses the append at the right version, a wrong version is a conflict first; neither writes.
async fn an_append_refused_for_its_command_id_or_version_writes_nothing<S: Store>(world: World<S>) {
    let code = world.received_birth().await;
    let store = world.service.store();
    let case = store.load(&code).await.expect("load").expect("the dossier");
    let events = store.events(&code).await.expect("events");
    let received = events.last().expect("the receipt").clone();
    let append = |expected_version: u64, command_id: &str| {
        append_after(
            &code,
            &case,
            &received,
            1,
            expected_version,
            command_id,
            Vec::new(),
        )
    };
    let results = store
        .commit(vec![
            append(case.version, &received.command_id),
            append(case.version - 1, "fresh-but-stale"),
            append(case.version - 1, &received.command_id),
        ])
        .await
        .expect("the batch commits");
    assert!(
        matches!(&results[0], Err(hoso_engine::ports::ChangeRefused::Duplicate { command_id }) if *command_id == received.command_id),
        "{:?}",
        results[0]
    );
    for stale in &results[1..] {
        assert!(
            matches!(stale, Err(hoso_engine::ports::ChangeRefused::Conflict { expected, actual, .. }) if *expected + 1 == case.version && *actual == case.version),
            "{stale:?}"
        );
    }
    assert_eq!(store.events(&code).await.expect("events"), events);
    assert_eq!(
        store
            .load(&code)
            .await
            .expect("load")
            .expect("the dossier")
            .version,
        case.version
    );
}

/// One batch of appends to several dossiers, as group commit writes them (on PostgreSQL with
/// one statement for all their version checks): the stale one is a conflict, the one for no
/// dossier is missing, each writing nothing; the others are written, a dossier's two changes in
/// the batch one after the other, with the timers of the last.
async fn a_batch_of_appends_refuses_only_the_stale_and_the_missing_and_applies_the_rest_in_order<
    S: Store,
>(
    world: World<S>,
) {
    let store = world.service.store();
    let mut dossiers = Vec::new();
    for _ in 0..3 {
        let code = world.received_birth().await;
        let case = store.load(&code).await.expect("load").expect("the dossier");
        let events = store.events(&code).await.expect("events");
        dossiers.push((code, case, events));
    }
    let timer = |hours: i64| Timer {
        deadline: Deadline::Appointment,
        passed: false,
        due_at: at("2025-03-10T09:00:00+07:00") + chrono::Duration::hours(hours),
    };
    let append = |index: usize, steps: u64, expected_version: u64, command_id: &str, due: i64| {
        let (code, case, events): &(
            hoso_engine::case::DossierCode,
            hoso_engine::case::Case,
            Vec<_>,
        ) = &dossiers[index];
        let last = events.last().expect("an event");
        append_after(
            code,
            case,
            last,
            steps,
            expected_version,
            command_id,
            vec![timer(due)],
        )
    };
    let (first, second, third) = (&dossiers[0], &dossiers[1], &dossiers[2]);
    let mut missing = append(0, 1, first.1.version, "for-no-dossier", 0);
    if let hoso_engine::ports::Change::Append(append) = &mut missing {
        append.code = hoso_engine::case::DossierCode::new(
            unit(),
            chrono::NaiveDate::from_ymd_opt(2025, 3, 3).expect("day"),
            999,
        )
        .expect("code");
    }
    let results = store
        .commit(vec![
            append(0, 1, first.1.version, "first-once", 1),
            append(1, 1, second.1.version - 1, "second-stale", 1),
            missing,
            append(2, 1, third.1.version, "third-once", 1),
            append(0, 2, first.1.version + 1, "first-twice", 2),
        ])
        .await
        .expect("the batch commits");
    let versions: Vec<Option<u64>> = results
        .iter()
        .map(|result| result.as_ref().ok().map(|committed| committed.case.version))
        .collect();
    assert_eq!(
        versions,
        vec![
            Some(first.1.version + 1),
            None,
            None,
            Some(third.1.version + 1),
            Some(first.1.version + 2)
        ]
    );
    assert!(
        matches!(&results[1], Err(hoso_engine::ports::ChangeRefused::Conflict { expected, actual, .. }) if *expected + 1 == second.1.version && *actual == second.1.version),
        "{:?}",
        results[1]
    );
    assert!(
        matches!(
            &results[2],
            Err(hoso_engine::ports::ChangeRefused::Missing(_))
        ),
        "{:?}",
        results[2]
    );
    assert_eq!(store.events(&second.0).await.expect("events"), second.2);
    assert_eq!(
        store.events(&first.0).await.expect("events").len(),
        first.2.len() + 2
    );
    assert_eq!(
        store.events(&third.0).await.expect("events").len(),
        third.2.len() + 1
    );
    assert_eq!(
        store
            .load(&first.0)
            .await
            .expect("load")
            .expect("dossier")
            .version,
        first.1.version + 2
    );
    assert_eq!(
        store.timers(&first.0).await.expect("timers"),
        vec![timer(2)]
    );
    assert_eq!(
        store.timers(&third.0).await.expect("timers"),
        vec![timer(1)]
    );
}

async fn a_refused_command_writes_nothing<S: Store>(world: World<S>) {
    let code = world
        .submit_birth("2025-03-03T09:00:00+07:00")
        .await
        .case
        .code;
    let error = world
        .act(
            &code,
            citizen(),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(
            error,
            ServiceError::Rejected(hoso_engine::case::Rejection::Forbidden(_))
        ),
        "{error:?}"
    );
    let missing = hoso_engine::case::DossierCode::parse("000.00.17.H21-250303-0999").expect("code");
    let error = world
        .act(
            &missing,
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect_err("missing");
    assert!(
        matches!(error, ServiceError::UnknownDossier(_)),
        "{error:?}"
    );
    let error = world
        .send(
            citizen(),
            Target::New(ProcedureCode::parse("9.999999").expect("code")),
            Command::Submit(birth_submission()),
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect_err("unknown procedure");
    assert!(
        matches!(error, ServiceError::UnknownProcedure(_)),
        "{error:?}"
    );
    let mut incomplete = birth_submission();
    incomplete.documents.clear();
    let error = world
        .send(
            citizen(),
            Target::New(ProcedureCode::parse("1.001193").expect("code")),
            Command::Submit(incomplete),
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect_err("missing documents");
    assert!(
        matches!(&error, ServiceError::Rejected(hoso_engine::case::Rejection::Invalid(problems)) if problems.iter().any(|problem| problem.message(hoso_engine::messages::Lang::En).contains("giay_chung_sinh"))),
        "{error:?}"
    );
    let store = world.service.store();
    assert_eq!(store.events(&code).await.expect("events").len(), 1);
    assert_eq!(
        store
            .list(&CaseQuery {
                limit: 50,
                ..CaseQuery::default()
            })
            .await
            .expect("list")
            .len(),
        1
    );
}

async fn a_dossier_walks_receipt_supplement_extension_and_return_with_the_right_dates<S: Store>(
    world: World<S>,
) {
    let code = world
        .submit_birth("2025-01-23T09:00:00+07:00")
        .await
        .case
        .code;
    let received = world
        .act(
            &code,
            officer("mot_cua"),
            Command::Receive,
            "2025-01-23T15:30:00+07:00",
        )
        .await
        .expect("received");
    // After the cut-off on Thursday 23/1: the same-day limit counts from Friday 24/1.
    assert_eq!(
        received.case.appointment,
        Some(at("2025-01-24T17:00:00+07:00"))
    );
    world
        .act(
            &code,
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-01-24T08:00:00+07:00",
        )
        .await
        .expect("forwarded");
    let missing = vec![MissingDocument {
        document: "giay_chung_sinh".to_owned(),
        note: "Bản chụp không rõ".to_owned(),
    }];
    let asked = world
        .act(
            &code,
            officer("tu_phap"),
            Command::RequestSupplement {
                missing,
                reason: "Giấy chứng sinh không đọc được".to_owned(),
            },
            "2025-01-24T09:00:00+07:00",
        )
        .await
        .expect("supplement requested");
    assert_eq!(asked.case.status, Status::SupplementRequested);
    // Resubmitted on Friday 24/1 at 16:00, before Tết: the clock restarts and lands after Tết.
    let resumed = world
        .act(
            &code,
            citizen(),
            Command::SubmitSupplement {
                form: serde_json::Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
            "2025-01-24T16:00:00+07:00",
        )
        .await
        .expect("supplement");
    assert_eq!(
        resumed.case.appointment,
        Some(at("2025-02-03T17:00:00+07:00"))
    );
    let extended = world
        .act(
            &code,
            officer("tu_phap"),
            Command::ApologizeAndExtend {
                reason: "Cần xác minh với bệnh viện".to_owned(),
                // At most the same-day limit once more: the end of the next working day.
                new_appointment: at("2025-02-04T17:00:00+07:00"),
            },
            // A working day before the deadline: the Friday before Tết (Decree 61 Art. 19.9).
            "2025-01-24T16:30:00+07:00",
        )
        .await
        .expect("extended");
    assert_eq!(
        extended.case.appointment,
        Some(at("2025-02-04T17:00:00+07:00"))
    );
    assert_eq!(
        extended.case.original_appointment,
        Some(at("2025-02-03T17:00:00+07:00"))
    );
    world
        .act(
            &code,
            officer("tu_phap"),
            action("trinh_ky"),
            "2025-02-04T09:00:00+07:00",
        )
        .await
        .expect("to sign");
    world
        .act(
            &code,
            officer("chu_tich"),
            action("phe_duyet"),
            "2025-02-04T10:00:00+07:00",
        )
        .await
        .expect("approved");
    let returned = world
        .act(
            &code,
            officer("mot_cua"),
            Command::ReturnResult,
            "2025-02-04T14:00:00+07:00",
        )
        .await
        .expect("returned");
    assert_eq!(returned.case.status, Status::ResultReturned);
    assert_eq!(returned.case.pauses.len(), 1);
    let stored = world
        .service
        .store()
        .load(&code)
        .await
        .expect("load")
        .expect("exists");
    assert_eq!(stored, returned.case);
    assert!(
        world
            .service
            .store()
            .timers(&code)
            .await
            .expect("timers")
            .is_empty(),
        "no timers once returned"
    );
}

async fn the_rebuilt_projection_equals_the_live_one<S: Store>(world: World<S>) {
    for day in ["2025-03-03", "2025-03-04"] {
        let code = world
            .submit_birth(&format!("{day}T09:00:00+07:00"))
            .await
            .case
            .code;
        world
            .act(
                &code,
                officer("mot_cua"),
                Command::Receive,
                &format!("{day}T09:10:00+07:00"),
            )
            .await
            .expect("received");
        world
            .act(
                &code,
                officer("mot_cua"),
                action("chuyen_tham_dinh"),
                &format!("{day}T09:20:00+07:00"),
            )
            .await
            .expect("forwarded");
    }
    let report = world.service.rebuild_projections().await.expect("rebuild");
    assert_eq!(
        (report.dossiers, report.rewritten),
        (2, 0),
        "live projections already equal their replay"
    );
}

async fn the_inbox_shows_what_a_role_may_act_on_most_urgent_first<S: Store>(world: World<S>) {
    let first = world
        .submit_birth("2025-03-03T09:00:00+07:00")
        .await
        .case
        .code;
    let second = world
        .submit_birth("2025-03-03T09:05:00+07:00")
        .await
        .case
        .code;
    world
        .act(
            &second,
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect("received");
    world
        .act(
            &first,
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T13:40:00+07:00",
        )
        .await
        .expect("received");
    let store = world.service.store();
    let desk = store.inbox(&unit(), "mot_cua", 50).await.expect("inbox");
    assert_eq!(
        desk.iter().map(|row| row.code.clone()).collect::<Vec<_>>(),
        vec![second.clone(), first.clone()],
        "earliest step due first"
    );
    world
        .act(
            &second,
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T09:30:00+07:00",
        )
        .await
        .expect("forwarded");
    let desk = store.inbox(&unit(), "mot_cua", 50).await.expect("inbox");
    assert_eq!(
        desk.iter().map(|row| row.code.clone()).collect::<Vec<_>>(),
        vec![first]
    );
    let civil_status = store.inbox(&unit(), "tu_phap", 50).await.expect("inbox");
    assert_eq!(
        civil_status
            .iter()
            .map(|row| row.code.clone())
            .collect::<Vec<_>>(),
        vec![second]
    );
    let elsewhere = hoso_engine::case::UnitId::parse("000.00.18.H21").expect("unit");
    assert!(
        store
            .inbox(&elsewhere, "mot_cua", 50)
            .await
            .expect("inbox")
            .is_empty()
    );
}

async fn lists_filter_by_status_unit_applicant_and_text<S: Store>(world: World<S>) {
    let first = world
        .submit_birth("2025-03-03T09:00:00+07:00")
        .await
        .case
        .code;
    world.submit_birth("2025-03-03T09:05:00+07:00").await;
    world
        .act(
            &first,
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect("received");
    // The grandmother (another citizen) registers for the father by authorisation: the father
    // and she both follow it; nobody else does.
    let mut represented = birth_submission();
    represented.applicant.representative = Some(Box::new(hoso_engine::case::Representative {
        citizen_id: "001090000077".to_owned(),
        name: "Trần Thị Bà".to_owned(),
        basis: hoso_engine::case::RepresentationBasis::Authorised,
    }));
    represented
        .documents
        .push(document(hoso_engine::case::AUTHORISATION_COMPONENT));
    world
        .send(
            Actor::citizen("001090000077"),
            Target::New(ProcedureCode::parse("1.001193").expect("code")),
            Command::Submit(represented),
            "2025-03-03T09:20:00+07:00",
        )
        .await
        .expect("a representative submits");
    let store = world.service.store();
    let query = |query: CaseQuery| async move {
        store
            .list(&CaseQuery { limit: 50, ..query })
            .await
            .expect("list")
    };
    assert_eq!(query(CaseQuery::default()).await.len(), 3);
    for (party, follows) in [(CITIZEN, 3), ("001090000077", 1), ("001090000009", 0)] {
        assert_eq!(
            query(CaseQuery {
                party: Some(party.to_owned()),
                ..CaseQuery::default()
            })
            .await
            .len(),
            follows,
            "{party}"
        );
    }
    assert_eq!(
        query(CaseQuery {
            status: Some(Status::Received),
            ..CaseQuery::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        query(CaseQuery {
            unit: Some(unit()),
            ..CaseQuery::default()
        })
        .await
        .len(),
        3
    );
    assert_eq!(
        query(CaseQuery {
            text: Some("250303-0001".to_owned()),
            ..CaseQuery::default()
        })
        .await
        .len(),
        1
    );
    assert_eq!(
        query(CaseQuery {
            text: Some("BÌNH".to_lowercase()),
            ..CaseQuery::default()
        })
        .await
        .len(),
        3
    );
    assert_eq!(
        query(CaseQuery {
            text: Some("%".to_owned()),
            ..CaseQuery::default()
        })
        .await
        .len(),
        3,
        "wildcards are literal"
    );
    // A list says when processing ended, so pages tell early, on time and late apart.
    let open = query(CaseQuery {
        text: Some("250303-0001".to_owned()),
        ..CaseQuery::default()
    })
    .await;
    assert_eq!(open[0].finished_at, None);
    world
        .act(
            &first,
            citizen(),
            Command::Withdraw {
                reason: "Nộp nhầm".to_owned(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .await
        .expect("withdrawn");
    let withdrawn = query(CaseQuery {
        text: Some("250303-0001".to_owned()),
        ..CaseQuery::default()
    })
    .await;
    assert_eq!(
        withdrawn[0].finished_at,
        Some(at("2025-03-03T10:00:00+07:00"))
    );
    let page = store
        .list(&CaseQuery {
            limit: 1,
            offset: 2,
            ..CaseQuery::default()
        })
        .await
        .expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].code, first,
        "newest first: the first dossier is on page 3"
    );
}

async fn outbox_rows_and_timers_are_written_with_the_events<S: Store>(world: World<S>) {
    let code = world.received_birth().await;
    let store = world.service.store();
    let outbox = store.pending_outbox(50).await.expect("outbox");
    let keys: Vec<&str> = outbox
        .iter()
        .map(|message| message.idempotency_key.as_str())
        .collect();
    assert_eq!(
        keys,
        vec![
            "000.00.17.H21-250303-0001:1:portal",
            "000.00.17.H21-250303-0001:1:email",
            "000.00.17.H21-250303-0001:1:sms",
            "000.00.17.H21-250303-0001:2:portal",
            "000.00.17.H21-250303-0001:2:email",
            "000.00.17.H21-250303-0001:2:sms"
        ],
        "the portal and one message per channel, per status change"
    );
    let timers = store.timers(&code).await.expect("timers");
    assert!(
        timers.contains(&Timer {
            deadline: Deadline::Appointment,
            passed: true,
            due_at: at("2025-03-03T17:00:01+07:00")
        }),
        "{timers:?}"
    );
    assert!(
        timers.contains(&Timer {
            deadline: Deadline::Step,
            passed: true,
            due_at: at("2025-03-03T10:10:01+07:00")
        }),
        "{timers:?}"
    );
    world
        .act(
            &code,
            Actor::system("timer"),
            Command::RaiseDeadline {
                deadline: Deadline::Step,
                passed: true,
            },
            "2025-03-03T10:11:00+07:00",
        )
        .await
        .expect("raised");
    let timers = store.timers(&code).await.expect("timers");
    assert!(
        !timers.iter().any(|timer| timer.deadline == Deadline::Step),
        "a raised deadline's timer is gone: {timers:?}"
    );
    let again = world
        .act(
            &code,
            Actor::system("timer"),
            Command::RaiseDeadline {
                deadline: Deadline::Step,
                passed: true,
            },
            "2025-03-03T10:12:00+07:00",
        )
        .await
        .expect("no-op");
    assert!(again.events.is_empty(), "a second firing writes nothing");
}

async fn a_published_procedure_version_never_changes<S: Store>(world: World<S>) {
    let store = world.service.store();
    let now = at("2025-03-03T09:00:00+07:00");
    assert_eq!(
        store
            .publish_procedure("1.001193", 1, "{\"a\":1}", now)
            .await
            .expect("publish"),
        Published::New
    );
    assert_eq!(
        store
            .publish_procedure("1.001193", 1, "{\"a\":1}", now)
            .await
            .expect("publish"),
        Published::Unchanged
    );
    assert_eq!(
        store
            .publish_procedure("1.001193", 1, "{\"a\":2}", now)
            .await
            .expect("publish"),
        Published::Differs
    );
    assert_eq!(
        store
            .publish_procedure("1.001193", 2, "{\"a\":2}", now)
            .await
            .expect("publish"),
        Published::New
    );
    let stored = store.procedures().await.expect("procedures");
    assert_eq!(
        stored
            .iter()
            .map(|procedure| (
                procedure.code.as_str(),
                procedure.version,
                procedure.definition.as_str()
            ))
            .collect::<Vec<_>>(),
        vec![("1.001193", 1, "{\"a\":1}"), ("1.001193", 2, "{\"a\":2}")]
    );
}

mod pinned {
    use super::*;
    use hoso_engine::procedure::Procedure;
    use hoso_engine::service::{Catalogue, Service};

    crate::conformance!(a_running_dossier_stays_on_its_version_when_a_new_one_is_published);

    async fn a_running_dossier_stays_on_its_version_when_a_new_one_is_published(world: World) {
        let old = world
            .submit_birth("2025-03-03T09:00:00+07:00")
            .await
            .case
            .code;
        world
            .act(
                &old,
                officer("mot_cua"),
                Command::Receive,
                "2025-03-03T09:10:00+07:00",
            )
            .await
            .expect("received");
        // Version 3 gives the appraisal step 5 working hours instead of 3 (all steps still fit the
        // same-day limit).
        let text = include_str!("../../../procedures/1.001193-dang-ky-khai-sinh.toml")
            .replace("version = 2", "version = 3")
            .replace(
                "allotted = { working_hours = 3 }",
                "allotted = { working_hours = 5 }",
            );
        let mut catalogue = Catalogue::new();
        for procedure in world.service.catalogue().iter() {
            catalogue.insert(Procedure::clone(procedure));
        }
        catalogue.insert(Procedure::load("v3.toml", &text).expect("v3 loads"));
        let calendars = hoso_engine::clock::Calendars::clone(&world.service.calendars());
        let store = hoso_adapters::store::AnyStore::open(&world.url)
            .await
            .expect("store");
        let upgraded = Service::new(
            store,
            catalogue,
            calendars,
            hoso_engine::case::Directory::single_units(),
        );
        let next = World {
            service: std::sync::Arc::new(upgraded),
            url: world.url.clone(),
        };

        let new = next.submit_birth("2025-03-03T09:30:00+07:00").await.case;
        assert_eq!(
            new.procedure.version, 3,
            "new dossiers take the newest version"
        );
        let moved = next
            .act(
                &old,
                officer("mot_cua"),
                action("chuyen_tham_dinh"),
                "2025-03-03T09:20:00+07:00",
            )
            .await
            .expect("forwarded");
        assert_eq!(moved.case.procedure.version, 2);
        assert_eq!(
            moved.case.step_due(),
            Some(at("2025-03-03T14:20:00+07:00")),
            "3 hours of v2: 2h10 before lunch, 50 min after"
        );
        next.act(
            &new.code,
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:40:00+07:00",
        )
        .await
        .expect("received");
        let moved = next
            .act(
                &new.code,
                officer("mot_cua"),
                action("chuyen_tham_dinh"),
                "2025-03-03T09:50:00+07:00",
            )
            .await
            .expect("forwarded");
        assert_eq!(
            moved.case.step_due(),
            Some(at("2025-03-03T16:50:00+07:00")),
            "5 hours of v3: 1h40 before lunch, 3h20 from 13:30"
        );
    }
}

/// A company's feedback, submitted by its director: the director and the company's accounts
/// list it; another company's accounts and other people do not.
async fn an_organisation_account_lists_its_companys_dossiers<S: Store>(world: World<S>) {
    use hoso_engine::case::{
        Applicant, ApplicantKind, RepresentationBasis, Representative, Submission,
    };
    let form = serde_json::json!({
        "loai": "kien_nghi",
        "quy_dinh": "Quyết định 12/2025/QĐ-UBND, Điều 5",
        "noi_dung": "Đề nghị cho doanh nghiệp nộp hồ sơ bằng mã số thuế.",
    });
    let submission = Submission {
        channel: hoso_engine::procedure::ChannelKind::Online,
        receiving_unit: unit(),
        applicant: Applicant {
            kind: ApplicantKind::Organisation,
            citizen_id: "0100109106".to_owned(),
            name: "Công ty Cổ phần Ánh Dương".to_owned(),
            representative: Some(Box::new(Representative {
                citizen_id: CITIZEN.to_owned(),
                name: "Nguyễn Văn Bình".to_owned(),
                basis: RepresentationBasis::Legal,
            })),
            ..Applicant::default()
        },
        form: form.as_object().expect("object").clone(),
        documents: Vec::new(),
        delivery: None,
        notify: None,
        lookup_key: None,
        vneid: false,
    };
    world
        .send(
            citizen(),
            Target::New(ProcedureCode::parse("PAKN.1").expect("code")),
            Command::Submit(submission),
            "2026-03-02T09:00:00+07:00",
        )
        .await
        .expect("the director submits for the company");
    world.submit_birth("2026-03-02T09:05:00+07:00").await;
    let store = world.service.store();
    for (party, organisation, expected) in [
        (CITIZEN, None, 2),
        ("001090000008", Some("0100109106"), 1),
        ("001090000008", Some("0101243150"), 0),
        ("001090000008", None, 0),
        ("0100109106", None, 0),
    ] {
        let found = store
            .list(&CaseQuery {
                party: Some(party.to_owned()),
                organisation: organisation.map(str::to_owned),
                limit: 50,
                ..CaseQuery::default()
            })
            .await
            .expect("list");
        assert_eq!(found.len(), expected, "{party} for {organisation:?}");
    }
}
