//! Random command sequences from random actors never leave the declared process.

use super::*;

/// Any command a random actor might send.
fn any_command() -> impl Strategy<Value = Command> {
    let actions = prop::sample::select(vec![
        "chuyen_tham_dinh",
        "trinh_ky",
        "tu_choi",
        "tra_lai_tham_dinh",
        "phe_duyet",
        "nonexistent",
    ]);
    prop_oneof![
        Just(Command::Receive),
        Just(Command::RefuseIntake {
            reason: "Không đủ điều kiện".to_owned()
        }),
        Just(Command::RequestSupplement {
            missing: vec![MissingDocument {
                document: "to_khai".to_owned(),
                note: "thiếu".to_owned()
            }],
            reason: "Thiếu".to_owned(),
        }),
        Just(Command::SubmitSupplement {
            form: Map::new(),
            documents: vec![document("to_khai")]
        }),
        (actions, prop::option::of(Just("Lý do".to_owned()))).prop_map(|(action, reason)| {
            Command::TakeAction {
                action: action.to_owned(),
                reason,
                data: Map::new(),
                results: Vec::new(),
            }
        }),
        Just(Command::Consult {
            unit: unit("000.00.99.H21"),
            question: "Ý kiến?".to_owned()
        }),
        Just(Command::AnswerConsultation {
            consultation: 0,
            answer: "Đồng ý".to_owned()
        }),
        Just(Command::IssueResult {
            result_code: None,
            results: Vec::new()
        }),
        Just(Command::ReturnResult),
        Just(Command::Withdraw {
            reason: String::new()
        }),
        Just(Command::Stop {
            reason: "Theo đề nghị".to_owned()
        }),
        (1_i64..96).prop_map(|hours| Command::ApologizeAndExtend {
            reason: "Chậm".to_owned(),
            new_appointment: at("2025-03-03T17:00:00+07:00") + Duration::hours(hours)
        }),
        (1_u64..20_000).prop_map(|amount| Command::RecordPayment {
            amount: Money::dong(amount),
            reference: "R".to_owned()
        }),
        Just(Command::RecomputeDeadlines {
            reason: "Lịch mới".to_owned()
        }),
        (any::<bool>(), any::<bool>()).prop_map(|(step, passed)| Command::RaiseDeadline {
            deadline: if step {
                Deadline::Step
            } else {
                Deadline::Appointment
            },
            passed
        }),
    ]
}

fn any_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(citizen()),
        Just(Actor::citizen(OTHER_CITIZEN)),
        Just(officer("mot_cua")),
        Just(officer("tu_phap")),
        Just(officer("chu_tich")),
        Just(Actor::officer("z", "tu_phap", unit("000.00.99.H21"))),
        Just(Actor::system("timer")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever anyone sends, in any order: no panic, the dossier only ever sits at declared
    /// steps in a status that fits, the chain verifies, and replay reproduces the state.
    #[test]
    fn random_commands_from_random_actors_never_leave_the_declared_process(
        steps in proptest::collection::vec((any_actor(), any_command(), 0_i64..600), 1..40)
    ) {
        let mut world = World::new(BIRTH);
        world.submit_birth("2025-03-03T08:00:00+07:00");
        let mut now = at("2025-03-03T08:00:00+07:00");
        for (actor, command, minutes) in steps {
            now += Duration::minutes(minutes);
            let before = world.case().clone();
            match world.run(&actor, command, &now.to_rfc3339()) {
                Ok(_) => {}
                Err(_) => prop_assert_eq!(world.case(), &before, "a refusal changed the dossier"),
            }
            let case = world.case();
            if let Some(step) = &case.step {
                prop_assert!(world.procedure.step(step).is_some(), "undeclared step {}", step);
                prop_assert!(matches!(case.status,
                    Status::Received | Status::Processing | Status::SupplementRequested | Status::FinancialObligationRequested));
            } else {
                prop_assert!(!matches!(case.status, Status::Received | Status::Processing));
            }
            prop_assert_eq!(case.outcome.is_some(), matches!(case.status, Status::Resolved | Status::ResultReturned) && case.outcome.is_some());
            prop_assert!(case.supplement_requests <= 1);
            prop_assert!(case.original_appointment.is_none() || case.appointment > case.original_appointment);
        }
        verify_chain(&world.case().code, &world.events).unwrap();
        let replayed = replay(&world.events).unwrap();
        prop_assert_eq!(replayed.as_ref(), world.case.as_ref());
    }
}
