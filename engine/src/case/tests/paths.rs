//! Real paths through real procedures: received, processed and returned; supplements at intake
//! and during processing; refusal and withdrawal; refusing to resolve; the marriage branch.

use super::*;

#[test]
fn a_birth_registration_is_received_processed_and_returned_the_same_day() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    assert_eq!(world.case().status, Status::Registered);
    assert_eq!(world.case().applicant.phone.as_deref(), Some("0912345678"));
    assert_eq!(world.case().code.to_string(), "000.00.17.H21-250303-0001");

    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert_eq!(case.status, Status::Received);
    assert_eq!(case.step.as_deref(), Some("tiep_nhan"));
    assert_eq!(
        case.appointment,
        Some(at("2025-03-03T17:00:00+07:00")),
        "same day: closing time"
    );
    assert_eq!(
        case.step_due(),
        Some(at("2025-03-03T10:30:00+07:00")),
        "1 working hour"
    );
    assert_eq!(
        case.calendar_version.as_deref(),
        Some(world.calendars.version())
    );

    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("tu_phap"),
            action("trinh_ky"),
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    let approved = world
        .run(
            &officer("chu_tich"),
            action("phe_duyet"),
            "2025-03-03T14:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        approved.len(),
        2,
        "approval issues the e-result as its effect"
    );
    assert_eq!(world.case().status, Status::Resolved);
    assert_eq!(world.case().outcome, Some(Outcome::Approved));
    assert_eq!(
        world.case().result.as_ref().unwrap().code,
        "KQ-000.00.17.H21-250303-0001"
    );

    world
        .run(
            &officer("mot_cua"),
            Command::ReturnResult,
            "2025-03-03T15:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::ResultReturned);
    assert_eq!(world.case().visits.len(), 3);
    verify_chain(&world.case().code, &world.events).unwrap();
    assert_eq!(replay(&world.events).unwrap().as_ref(), world.case.as_ref());
}

#[test]
fn a_supplement_during_processing_restarts_the_legal_clock() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("tu_phap"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "giay_chung_sinh".to_owned(),
                    note: "Bản chụp mờ, không đọc được".to_owned(),
                }],
                reason: "Giấy chứng sinh không rõ".to_owned(),
            },
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::SupplementRequested);
    assert_eq!(world.case().pauses.len(), 1);

    // Resubmitted on Friday after the cut-off: the same-day limit restarts and lands on Monday.
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
            "2025-03-07T16:00:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert_eq!(case.status, Status::Processing);
    assert_eq!(case.step.as_deref(), Some("tham_dinh"));
    assert_eq!(case.appointment, Some(at("2025-03-10T17:00:00+07:00")));
    assert_eq!(case.clock_started_at, Some(at("2025-03-07T16:00:00+07:00")));
    assert_eq!(
        case.pauses[0].ended_at,
        Some(at("2025-03-07T16:00:00+07:00"))
    );

    let second = world.run(
        &officer("tu_phap"),
        Command::RequestSupplement {
            missing: vec![MissingDocument {
                document: "to_khai".to_owned(),
                note: "x".to_owned(),
            }],
            reason: "again".to_owned(),
        },
        "2025-03-10T08:00:00+07:00",
    );
    assert!(
        matches!(second, Err(Rejection::NotNow(why)) if why.to_string().contains("already asked for a supplement"))
    );
}

#[test]
fn a_supplement_at_intake_returns_to_the_desk_and_the_clock_starts_at_receipt() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "to_khai".to_owned(),
                    note: "Thiếu chữ ký".to_owned(),
                }],
                reason: "Tờ khai chưa ký".to_owned(),
            },
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("to_khai")],
            },
            "2025-03-04T08:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::Registered);
    assert_eq!(world.case().appointment, None);
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-04T08:30:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-04T17:00:00+07:00"))
    );
}

#[test]
fn refusal_at_intake_and_withdrawal_close_the_dossier() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    let refused = world.run(
        &officer("mot_cua"),
        Command::RefuseIntake {
            reason: "   ".to_owned(),
        },
        "2025-03-03T09:10:00+07:00",
    );
    assert!(
        matches!(refused, Err(Rejection::Invalid(problems)) if problems[0].pointer == "/reason")
    );
    world
        .run(
            &officer("mot_cua"),
            Command::RefuseIntake {
                reason: "Không thuộc thẩm quyền".to_owned(),
            },
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::NotReceived);
    let withdraw = world.run(
        &citizen(),
        Command::Withdraw {
            reason: String::new(),
        },
        "2025-03-03T09:20:00+07:00",
    );
    assert!(matches!(withdraw, Err(Rejection::NotNow(_))));

    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    let stranger = world.run(
        &Actor::citizen(OTHER_CITIZEN),
        Command::Withdraw {
            reason: String::new(),
        },
        "2025-03-03T09:40:00+07:00",
    );
    assert!(matches!(stranger, Err(Rejection::Forbidden(_))));
    world
        .run(
            &citizen(),
            Command::Withdraw {
                reason: "Nộp nhầm".to_owned(),
            },
            "2025-03-03T09:40:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::Withdrawn);
    assert_eq!(world.case().step, None);
    assert!(
        timers_of(
            world.case(),
            &world.calendars,
            world.procedure.definition().clock.warn_before
        )
        .is_empty(),
        "a closed dossier needs no timers"
    );
}
#[test]
fn refusing_to_resolve_needs_reasons_and_still_returns() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    assert!(matches!(
        world.run(
            &officer("tu_phap"),
            action("tu_choi"),
            "2025-03-03T10:30:00+07:00"
        ),
        Err(Rejection::Invalid(_))
    ));
    let refuse = Command::TakeAction {
        action: "tu_choi".to_owned(),
        reason: Some("Giấy chứng sinh giả".to_owned()),
        data: Map::new(),
        results: Vec::new(),
    };
    world
        .run(&officer("tu_phap"), refuse, "2025-03-03T10:30:00+07:00")
        .unwrap();
    assert_eq!(world.case().outcome, Some(Outcome::Refused));
    assert!(matches!(
        world.run(
            &officer("mot_cua"),
            Command::IssueResult {
                result_code: None,
                results: Vec::new()
            },
            "2025-03-03T11:00:00+07:00"
        ),
        Err(Rejection::NotNow(_))
    ));
    world
        .run(
            &officer("mot_cua"),
            Command::ReturnResult,
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::ResultReturned);
}
#[test]
fn the_marriage_verification_branch_sets_the_longer_time_limit() {
    let mut world = World::new(MARRIAGE);
    let submission = Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit("000.00.17.H21"),
        applicant: Applicant { citizen_id: CITIZEN.to_owned(), name: "Lê Văn D".to_owned(), phone: None, email: None, ..Default::default() },
        form: json!({ "ho_ten_nam": "Lê Văn D", "so_dinh_danh_nam": CITIZEN, "ho_ten_nu": "Phạm Thị E", "so_dinh_danh_nu": OTHER_CITIZEN }).as_object().unwrap().clone(),
        documents: vec![document("to_khai")], delivery: None, lookup_key: None, notify: None, vneid: false
    };
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("tu_phap"),
            action("yeu_cau_xac_minh"),
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-10T17:00:00+07:00")),
        "5 working days from receipt"
    );
}
