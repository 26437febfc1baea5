//! Every denial names who may act; bad submissions and malformed payloads name what is wrong;
//! each actor is offered exactly what `decide` accepts.

use super::*;

#[test]
fn every_denial_names_who_may_act() {
    let mut world = World::new(BIRTH);
    // A citizen cannot submit in someone else's name, nor at the counter.
    let mut other = birth_submission();
    other.applicant.citizen_id = OTHER_CITIZEN.to_owned();
    assert!(matches!(
        world.run(
            &citizen(),
            Command::Submit(other),
            "2025-03-03T09:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    let mut direct = birth_submission();
    direct.channel = ChannelKind::Direct;
    let at_the_counter = world.run(
        &citizen(),
        Command::Submit(direct.clone()),
        "2025-03-03T09:00:00+07:00",
    );
    assert!(
        matches!(&at_the_counter, Err(Rejection::Forbidden(why)) if vietnamese(why).contains("Hồ sơ nộp trực tiếp do Bộ phận Một cửa")),
        "the channel by its Vietnamese name: {at_the_counter:?}"
    );
    // An officer of another role cannot enter a counter dossier.
    assert!(matches!(
        world.run(
            &officer("tu_phap"),
            Command::Submit(direct),
            "2025-03-03T09:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));

    world.submit_birth("2025-03-03T09:00:00+07:00");
    for actor in [
        citizen(),
        officer("tu_phap"),
        Actor::officer("x", "mot_cua", unit("000.00.18.H21")),
        Actor::system("timer"),
    ] {
        let denied = world.run(&actor, Command::Receive, "2025-03-03T09:10:00+07:00");
        assert!(
            matches!(&denied, Err(Rejection::Forbidden(why)) if why.to_string().contains("`mot_cua`")),
            "{actor:?}: {denied:?}"
        );
    }
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    // Wrong role for the action; right role, wrong unit; wrong step.
    let wrong_role = world.run(
        &officer("tu_phap"),
        action("chuyen_tham_dinh"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&wrong_role, Err(Rejection::Forbidden(why)) if why.to_string().contains("it is for: mot_cua")),
        "{wrong_role:?}"
    );
    // In Vietnamese, roles by their names, never their ids.
    assert!(
        matches!(&wrong_role, Err(Rejection::Forbidden(why))
            if vietnamese(why).contains("Vai trò \"Công chức Tư pháp - Hộ tịch\"")
                && vietnamese(why).contains("dành cho: Công chức Bộ phận Một cửa")),
        "{wrong_role:?}"
    );
    let other_unit = world.run(
        &Actor::officer("y", "mot_cua", unit("000.00.18.H21")),
        action("chuyen_tham_dinh"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&other_unit, Err(Rejection::Forbidden(why)) if why.to_string().contains("held by unit 000.00.17.H21")),
        "{other_unit:?}"
    );
    let wrong_step = world.run(
        &officer("chu_tich"),
        action("phe_duyet"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&wrong_step, Err(Rejection::NotNow(why)) if why.to_string().contains("from step `ky_duyet`")),
        "{wrong_step:?}"
    );
    assert!(
        matches!(&wrong_step, Err(Rejection::NotNow(why))
            if vietnamese(why).contains("ở bước \"Ký Giấy khai sinh\"")
                && vietnamese(why).contains("đang ở bước \"Tiếp nhận, kiểm tra hồ sơ\"")),
        "steps by their names: {wrong_step:?}"
    );
    let unknown = world.run(
        &officer("mot_cua"),
        action("approve_everything"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&unknown, Err(Rejection::Invalid(problems)) if problems[0].message(crate::messages::Lang::En).contains("chuyen_tham_dinh")),
        "{unknown:?}"
    );
    // A citizen cannot take officers' actions, and the system cannot either.
    assert!(matches!(
        world.run(
            &citizen(),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    assert!(matches!(
        world.run(
            &Actor::system("x"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    // Only hoso's timers raise deadlines.
    let raise = Command::RaiseDeadline {
        deadline: Deadline::Appointment,
        passed: true,
    };
    assert!(matches!(
        world.run(&officer("mot_cua"), raise, "2025-03-04T10:00:00+07:00"),
        Err(Rejection::Forbidden(_))
    ));
    assert_eq!(
        world.case().version,
        3,
        "refusals wrote nothing after the submission, the receipt and its Form 01"
    );
}
#[test]
fn a_paper_the_procedure_does_not_take_from_a_data_store_is_refused_by_reference() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.documents = vec![
        DocumentRef {
            provenance: Provenance::DataStore,
            reference: Some("kho/1".to_owned()),
            ..document("bien_ban_tre_bi_bo_roi")
        },
        DocumentRef {
            provenance: Provenance::Database,
            ..document("giay_chung_sinh")
        },
    ];
    let Err(Rejection::Invalid(problems)) = world.run(
        &citizen(),
        Command::Submit(submission.clone()),
        "2025-03-03T09:00:00+07:00",
    ) else {
        panic!("a data-store reference for a paper without `from_data_store` must be refused");
    };
    let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
    assert_eq!(pointers, ["/documents/0/provenance"], "{problems:?}");
    assert!(
        problems[0]
            .message(crate::messages::Lang::En)
            .contains("Biên bản xác nhận việc trẻ bị bỏ rơi")
    );
    assert!(world.case.is_none(), "nothing written");
    // The declaration is the e-form: nothing need be attached for it, and a scan is welcome.
    submission.documents.remove(0);
    assert!(
        world
            .run(
                &citizen(),
                Command::Submit(submission),
                "2025-03-03T09:00:00+07:00"
            )
            .is_ok()
    );
}

#[test]
fn bad_submissions_name_every_bad_field() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission
        .form
        .insert("gioi_tinh".to_owned(), json!("Khác"));
    submission
        .form
        .insert("ngay_sinh".to_owned(), json!("10/01/2025"));
    submission.form.insert("ho_ten_tre".to_owned(), json!(42));
    submission.form.insert("ten_me".to_owned(), json!("x"));
    submission.form.remove("noi_sinh");
    submission.applicant.citizen_id = "12345".to_owned();
    submission.applicant.phone = Some("12".to_owned());
    submission
        .documents
        .retain(|document| document.component != "giay_chung_sinh");
    submission.documents.push(document("giay_ket_hon"));
    let Err(Rejection::Invalid(problems)) = world.run(
        &Actor::citizen("12345"),
        Command::Submit(submission),
        "2025-03-03T09:00:00+07:00",
    ) else {
        panic!("must be invalid");
    };
    let pointers: Vec<&str> = problems
        .iter()
        .map(|problem| problem.pointer.as_str())
        .collect();
    for expected in [
        "/applicant/citizen_id",
        "/applicant/phone",
        "/form/gioi_tinh",
        "/form/ngay_sinh",
        "/form/ho_ten_tre",
        "/form/ten_me",
        "/form/noi_sinh",
        "/documents/1/component",
        "/documents",
    ] {
        assert!(
            pointers.contains(&expected),
            "{expected} missing from {pointers:?}"
        );
    }
    assert!(world.case.is_none(), "nothing written");
}
#[test]
fn malformed_command_payloads_are_refused_with_what_is_wrong() {
    let cases = [
        (r#"{"command":"receiv"}"#, "unknown variant `receiv`"),
        (r#"{"command":"refuse_intake"}"#, "missing field `reason`"),
        (
            r#"{"command":"refuse_intake","reason":42}"#,
            "invalid type: integer `42`, expected a string",
        ),
        (
            r#"{"command":"record_payment","amount":-5,"reference":"x"}"#,
            "invalid value: integer `-5`",
        ),
        (
            r#"{"command":"consult","unit":"../etc","question":"?"}"#,
            "is not a unit code",
        ),
        (
            r#"{"command":"apologize_and_extend","reason":"x","new_appointment":"tomorrow"}"#,
            "input contains invalid characters",
        ),
        ("not json", "expected ident"),
    ];
    for (payload, expected) in cases {
        let error = serde_json::from_str::<Command>(payload)
            .expect_err(payload)
            .to_string();
        assert!(error.contains(expected), "{payload}: {error}");
    }
}

#[test]
fn each_actor_is_offered_exactly_what_decide_accepts() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    let offered = |world: &World, actor: &Actor| {
        let context = Context {
            procedure: &world.procedure,
            calendars: &world.calendars,
            directory: &world.directory,
        };
        available_commands(
            &context,
            world.case(),
            actor,
            at("2025-03-03T09:05:00+07:00"),
        )
    };
    assert_eq!(
        offered(&world, &officer("mot_cua")),
        vec!["receive", "refuse_intake", "request_supplement", "stop"]
    );
    assert_eq!(offered(&world, &citizen()), vec!["withdraw"]);
    assert!(offered(&world, &officer("tu_phap")).is_empty());
    assert!(offered(&world, &Actor::citizen(OTHER_CITIZEN)).is_empty());
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    assert_eq!(
        offered(&world, &officer("mot_cua")),
        vec!["chuyen_tham_dinh", "request_supplement", "stop", "consult"],
        "a same-day result received before 15:00 leaves no working day for an apology"
    );
}
#[test]
fn a_document_hash_is_sixty_four_hex_digits_no_fewer_and_nothing_else() {
    for (hash, valid) in [
        ("ab".repeat(32), true),
        ("a".repeat(63), false),
        ("g".repeat(64), false),
        ("ab".repeat(33), false),
    ] {
        let mut world = World::new(BIRTH);
        let mut submission = birth_submission();
        submission.documents[0].sha256 = Some(hash.clone());
        let outcome = world.run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        );
        let refused_for_hash = matches!(&outcome, Err(Rejection::Invalid(problems))
            if problems.iter().any(|problem| problem.pointer == "/documents/0/sha256"));
        assert_eq!(refused_for_hash, !valid, "{hash}: {outcome:?}");
    }
}

#[test]
fn submissions_refuse_hidden_characters_and_header_injection_and_keep_names_in_nfc() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.applicant.email = Some("binh@example.vn\r\nBcc: all@example.vn".to_owned());
    submission.applicant.name = "Nguyễn Văn\u{202E}Bình".to_owned();
    submission.form.insert(
        "noi_sinh".to_owned(),
        json!("Bệnh viện\u{200B} Phụ sản Hà Nội"),
    );
    submission
        .form
        .insert("ho_ten_tre".to_owned(), json!("Nguyễn\u{0}An"));
    submission.documents[0].name = "Tờ khai\u{2066}".to_owned();
    let refused = world.run(
        &citizen(),
        Command::Submit(submission),
        "2025-03-03T09:00:00+07:00",
    );
    let Err(Rejection::Invalid(problems)) = refused else {
        panic!("{refused:?}");
    };
    let at = |pointer: &str| {
        problems
            .iter()
            .find(|problem| problem.pointer == pointer)
            .map(|problem| problem.message(crate::messages::Lang::En).clone())
            .unwrap_or_else(|| panic!("no problem at {pointer}: {problems:#?}"))
    };
    assert!(at("/applicant/email").contains("without spaces or line breaks"));
    assert!(at("/applicant/name").contains("U+202E"));
    assert!(at("/form/noi_sinh").contains("U+200B"));
    assert!(at("/form/ho_ten_tre").contains("U+0000"));
    assert!(at("/documents/0/name").contains("U+2066"));
    assert!(world.case.is_none(), "nothing was written");

    for bad in [
        "binh@",
        "@example.vn",
        "binh@example",
        "binh@@example.vn",
        "binh @example.vn",
        "binh@example..vn",
        "binh@example.vn.",
    ] {
        assert!(!form::is_email(bad), "{bad}");
    }
    assert!(form::is_email("tran.thi.binh+hoso@so-tu-phap.hanoi.gov.vn"));

    // Decomposed (NFD) Vietnamese, as some keyboards send it, is stored precomposed (NFC).
    let decomposed = "Nguye\u{0302}\u{0303}n Va\u{0306}n Bi\u{0300}nh";
    let mut submission = birth_submission();
    submission.applicant.name = decomposed.to_owned();
    submission.form.insert(
        "noi_sinh".to_owned(),
        json!("Be\u{0323}\u{0302}nh vie\u{0323}\u{0302}n"),
    );
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().applicant.name, "Nguyễn Văn Bình");
    assert_eq!(world.case().form["noi_sinh"], json!("Bệnh viện"));
}

/// A refusal as a Vietnamese reader gets it.
fn vietnamese(said: &crate::messages::Said) -> String {
    said.text(crate::messages::Lang::Vi)
}

#[test]
fn names_fall_back_to_the_id_a_procedure_does_not_declare() {
    let procedure = Procedure::load("birth.toml", BIRTH).expect("the birth procedure");
    assert_eq!(
        procedure.role_name("tu_phap"),
        "Công chức Tư pháp - Hộ tịch"
    );
    assert_eq!(procedure.role_name("thu_quy"), "thu_quy");
    assert_eq!(
        procedure.step_name("tiep_nhan"),
        "Tiếp nhận, kiểm tra hồ sơ"
    );
    assert_eq!(procedure.step_name("-"), "-");
    assert_eq!(
        [
            ChannelKind::Direct,
            ChannelKind::Online,
            ChannelKind::Postal
        ]
        .map(ChannelKind::vietnamese),
        ["trực tiếp", "trực tuyến", "qua bưu chính công ích"]
    );
}
