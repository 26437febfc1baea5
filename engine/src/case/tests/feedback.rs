//! Citizen feedback (PAKN) and the second edition's clock: windows counted from an anchor, a
//! lawful extension with its cap, a transfer to the competent agency, a limit that starts at an
//! action.

use super::*;

const FEEDBACK: &str = include_str!("../../../../procedures/PAKN.1-phan-anh-kien-nghi.toml");

fn feedback_submission() -> Submission {
    let form: Map<String, Value> = json!({
        "loai": "kien_nghi",
        "quy_dinh": "Quyết định 12/2025/QĐ-UBND, Điều 5",
        "noi_dung": "Đề nghị bỏ yêu cầu nộp bản sao giấy khai sinh khi đã có trong cơ sở dữ liệu.",
    })
    .as_object()
    .unwrap()
    .clone();
    Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit("000.00.17.H21"),
        applicant: birth_submission().applicant,
        form,
        documents: Vec::new(),
        delivery: None,
        lookup_key: None,
        vneid: false,
        notify: None,
    }
}

fn desk() -> Actor {
    officer("tiep_nhan_pakn")
}

fn submitted(text: &str, now: &str) -> World {
    let mut world = World::new(text);
    world
        .run(&citizen(), Command::Submit(feedback_submission()), now)
        .unwrap();
    world
}

/// Submitted on Friday 28/2/2025 and received on Monday 3/3 at 09:00.
fn received(text: &str) -> World {
    let mut world = submitted(text, "2025-02-28T10:00:00+07:00");
    world
        .run(&desk(), Command::Receive, "2025-03-03T09:00:00+07:00")
        .unwrap();
    world
}

fn window<'c>(case: &'c Case, id: &str) -> &'c OpenWindow {
    case.windows
        .iter()
        .find(|window| window.id == id)
        .unwrap_or_else(|| panic!("window {id} in {:?}", case.windows))
}

#[test]
fn a_submission_opens_the_intake_and_supplement_windows_on_the_calendar() {
    // Friday 28/2/2025 at 10:00: two working days are Monday 3/3 and Tuesday 4/3, to the end of
    // the office day; five end on Friday 7/3.
    let world = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    let case = world.case();
    assert_eq!(case.status, Status::Registered);
    let intake = window(case, "quyet_dinh_tiep_nhan");
    assert_eq!(intake.closes_at, at("2025-03-04T17:00:00+07:00"));
    assert!(!intake.refuses, "a late intake decision is still taken");
    assert_eq!(intake.commands, ["receive", "refuse_intake"]);
    let supplement = window(case, "yeu_cau_bo_sung");
    assert_eq!(supplement.closes_at, at("2025-03-07T17:00:00+07:00"));
    assert!(supplement.refuses);
    assert_eq!(
        case.windows.len(),
        2,
        "the publication window opens at the decision"
    );
}

#[test]
fn an_intake_decision_after_its_window_is_taken_and_counted_late() {
    let mut world = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    world
        .run(&desk(), Command::Receive, "2025-03-04T17:00:00+07:00")
        .expect("exactly at the close is in time");
    let intake = window(world.case(), "quyet_dinh_tiep_nhan");
    assert_eq!(intake.met_at, Some(at("2025-03-04T17:00:00+07:00")));
    assert!(!intake.is_late(at("2025-03-20T00:00:00Z")));

    let mut late = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    late.run(&desk(), Command::Receive, "2025-03-05T08:00:00+07:00")
        .expect("the duty to decide remains after the window");
    assert!(window(late.case(), "quyet_dinh_tiep_nhan").is_late(at("2025-03-20T00:00:00Z")));
    // Fifteen working days counted from the day after acceptance (Wednesday 5/3): Wednesday 26/3.
    assert_eq!(
        late.case().appointment,
        Some(at("2025-03-26T17:00:00+07:00"))
    );
}

#[test]
fn a_supplement_request_after_five_working_days_is_refused_naming_the_window() {
    let mut world = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    let request = || Command::RequestSupplement {
        missing: vec![MissingDocument {
            document: "tai_lieu_kem_theo".to_owned(),
            note: "Văn bản được phản ánh".to_owned(),
        }],
        reason: "Chưa rõ quy định bị phản ánh".to_owned(),
    };
    let refused = world.run(&desk(), request(), "2025-03-07T17:01:00+07:00");
    assert!(
        matches!(&refused, Err(Rejection::NotNow(why))
            if why.to_string().contains("Yêu cầu bổ sung thông tin trong 05 ngày làm việc")
                && why.to_string().contains("17:00 07/03/2025")),
        "{refused:?}"
    );
    assert_eq!(world.case().version, 2, "nothing written");
    world
        .run(&desk(), request(), "2025-03-07T17:00:00+07:00")
        .expect("up to the moment the window closes");
}

fn accepted_and_forwarded(world: &mut World) {
    world
        .run(&desk(), Command::Receive, "2025-03-03T09:00:00+07:00")
        .unwrap();
    world
        .run(&desk(), action("chuyen_xu_ly"), "2025-03-03T10:00:00+07:00")
        .unwrap();
}

fn extend(new_appointment: &str) -> Command {
    Command::ExtendTimeLimit {
        reason: "Vụ việc phức tạp, cần lấy ý kiến Sở Tư pháp".to_owned(),
        new_appointment: at(new_appointment),
    }
}

#[test]
fn a_lawful_extension_is_capped_once_and_is_not_an_apology() {
    let mut world = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    accepted_and_forwarded(&mut world);
    // Received Monday 3/3: due at the end of Monday 24/3; at most 10 working days more ends on
    // Tuesday 8/4, as Hùng Vương's day (Monday 7/4/2025) is a holiday.
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-24T17:00:00+07:00"))
    );
    let handler = officer("chuyen_vien_xu_ly");
    let too_long = world.run(
        &handler,
        extend("2025-04-09T08:00:00+07:00"),
        "2025-03-20T09:00:00+07:00",
    );
    assert!(
        matches!(&too_long, Err(Rejection::Invalid(problems))
            if problems[0].pointer == "/new_appointment"
                && problems[0].message(crate::messages::Lang::En).contains("at most 10 working days after the current one (17:00 24/03/2025), so by 17:00 08/04/2025")),
        "{too_long:?}"
    );
    let events = world
        .run(
            &handler,
            extend("2025-04-08T17:00:00+07:00"),
            "2025-03-20T09:00:00+07:00",
        )
        .expect("within the cap");
    assert!(matches!(
        events[0].kind,
        EventKind::TimeLimitExtended { .. }
    ));
    let case = world.case();
    assert_eq!(case.appointment, Some(at("2025-04-08T17:00:00+07:00")));
    assert_eq!(case.extensions, 1);
    assert_eq!(
        case.original_appointment, None,
        "a lawful extension is not an apology: the dossier is not late"
    );
    let (_, outbox) = apply(None, &world.events).unwrap();
    assert!(
        outbox
            .iter()
            .any(|message| message.topic == "email"
                && message.payload["event"] == "time_limit_extended"),
        "the applicant gets the extension's own notice"
    );
    let again = world.run(
        &handler,
        extend("2025-04-08T16:00:00+07:00"),
        "2025-03-21T09:00:00+07:00",
    );
    assert!(
        matches!(&again, Err(Rejection::NotNow(why)) if why.to_string().contains("already extended 1 time(s)")),
        "{again:?}"
    );
    // A procedure without [clock.extension] allows none.
    let mut birth = World::new(BIRTH);
    birth.submit_birth("2025-03-03T09:00:00+07:00");
    birth
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    let none = birth.run(
        &officer("mot_cua"),
        Command::ExtendTimeLimit {
            reason: "x".to_owned(),
            new_appointment: at("2025-03-04T09:00:00+07:00"),
        },
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&none, Err(Rejection::NotNow(why)) if why.to_string().contains("allows no extension") && why.to_string().contains("apologize_and_extend")),
        "{none:?}"
    );
}

#[test]
fn a_transfer_names_the_competent_agency_and_tells_the_applicant() {
    let mut world = received(FEEDBACK);
    let silent = world.run(
        &desk(),
        action("chuyen_tham_quyen"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&silent, Err(Rejection::Invalid(problems)) if problems[0].pointer == "/reason"),
        "{silent:?}"
    );
    world
        .run(
            &desk(),
            Command::TakeAction {
                action: "chuyen_tham_quyen".to_owned(),
                reason: Some("Sở Tư pháp tỉnh Nam Định".to_owned()),
                data: Map::new(),
                results: Vec::new(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert_eq!(case.status, Status::Resolved);
    assert_eq!(case.outcome, Some(Outcome::Transferred));
    assert!(
        window(case, "cong_khai_tra_loi").closes_at == at("2025-03-05T17:00:00+07:00"),
        "the decision opens the publication window"
    );
    let (_, outbox) = apply(None, &world.events).unwrap();
    let notice = outbox
        .iter()
        .find(|message| message.payload["event"] == "transferred")
        .expect("a transfer notice");
    assert_eq!(notice.payload["details"], "Sở Tư pháp tỉnh Nam Định");
    assert!(
        outbox.iter().all(|message| message.topic != "portal"),
        "feedback is never synced to the portal as an administrative procedure"
    );
    assert!(
        matches!(
            world.run(
                &officer("tiep_nhan_pakn"),
                Command::IssueResult {
                    result_code: None,
                    results: Vec::new()
                },
                "2025-03-03T11:00:00+07:00"
            ),
            Err(Rejection::NotNow(_))
        ),
        "a transfer has no result to issue"
    );
    world
        .run(&desk(), Command::ReturnResult, "2025-03-04T09:00:00+07:00")
        .expect("the notice is returned");
    assert_eq!(
        window(world.case(), "cong_khai_tra_loi").met_at,
        Some(at("2025-03-04T09:00:00+07:00"))
    );
}

#[test]
fn a_time_limit_can_start_at_an_action_instead_of_receipt() {
    // The designer's version: acceptance (thụ lý) is a step of its own, and 15 working days run
    // from it, while receipt has only the two days to decide.
    let text = FEEDBACK
        .replace(
            "time_limit = { working_days = 15 }   # from acceptance (tiếp nhận = receipt in hoso)",
            "time_limit = { working_days = 2 }",
        )
        .replace(
            "to = \"xu_ly\"\nroles = [\"tiep_nhan_pakn\"]",
            "to = \"xu_ly\"\nroles = [\"tiep_nhan_pakn\"]\nstarts_time_limit = { working_days = 15 }",
        )
        .replace("allotted = { working_days = 11 }", "allotted = { working_hours = 4 }")
        .replace("allotted = { working_days = 2 }\n\n[[actions]]", "allotted = { working_hours = 2 }\n\n[[actions]]");
    let mut world = received(&text);
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-05T17:00:00+07:00")),
        "two working days to accept"
    );
    world
        .run(&desk(), action("chuyen_xu_ly"), "2025-03-04T14:00:00+07:00")
        .unwrap();
    let case = world.case();
    assert_eq!(
        case.time_limit,
        Some(crate::procedure::TimeLimit::WorkingDays(15))
    );
    assert_eq!(
        case.appointment,
        Some(at("2025-03-25T17:00:00+07:00")),
        "15 working days from the day after the acceptance (4/3), not from receipt (3/3: 24/3)"
    );
    assert_eq!(case.clock_started_at, Some(at("2025-03-04T14:00:00+07:00")));
}

#[test]
fn the_indicators_see_feedback_and_which_window_is_the_intake_decision() {
    for (commands, intake) in [
        ("[\"receive\", \"refuse_intake\"]", true),
        ("[\"receive\"]", true),
        ("[\"refuse_intake\"]", true),
        ("[\"request_supplement\"]", false),
    ] {
        let text = FEEDBACK.replace(
            "commands = [\"receive\", \"refuse_intake\"]",
            &format!("commands = {commands}"),
        );
        let world = submitted(&text, "2025-02-28T10:00:00+07:00");
        let facts = crate::indicators::DossierFacts::of(
            world.case(),
            &world.events,
            &world.procedure,
            &world.calendars,
            None,
        );
        assert!(facts.feedback);
        assert_eq!(facts.submitted_at, Some(at("2025-02-28T10:00:00+07:00")));
        let flags: Vec<bool> = facts.windows.iter().map(|window| window.intake).collect();
        assert_eq!(flags, [intake, false], "{commands}");
    }
    let mut birth = World::new(BIRTH);
    birth.submit_birth("2025-03-03T09:00:00+07:00");
    let facts = crate::indicators::DossierFacts::of(
        birth.case(),
        &birth.events,
        &birth.procedure,
        &birth.calendars,
        None,
    );
    assert!(!facts.feedback && facts.windows.is_empty());
}

#[test]
fn every_event_a_person_makes_names_its_command_for_the_windows() {
    let at = at("2025-03-03T09:00:00+07:00");
    let unit = unit("000.00.17.H21");
    let reason = || "r".to_owned();
    let cases: Vec<(EventKind, Option<&str>)> = vec![
        (
            EventKind::Received {
                step: "s".to_owned(),
                unit: unit.clone(),
                time_limit: crate::procedure::TimeLimit::WorkingDays(1),
                appointment: at,
                step_due: at,
                calendar_version: "v".to_owned(),
            },
            Some("receive"),
        ),
        (
            EventKind::RefusedAtIntake { reason: reason() },
            Some("refuse_intake"),
        ),
        (
            EventKind::SupplementRequested {
                missing: Vec::new(),
                reason: reason(),
            },
            Some("request_supplement"),
        ),
        (
            EventKind::SupplementSubmitted {
                form: Map::new(),
                documents: Vec::new(),
                appointment: None,
                step_due: None,
            },
            Some("submit_supplement"),
        ),
        (
            EventKind::ActionTaken {
                action: "chuyen_xu_ly".to_owned(),
                from: "a".to_owned(),
                to: None,
                unit: unit.clone(),
                outcome: None,
                reason: None,
                data: Map::new(),
                step_due: None,
                time_limit: None,
                appointment: None,
                clock_started: false,
            },
            Some("chuyen_xu_ly"),
        ),
        (
            EventKind::ConsultationRequested {
                unit: unit.clone(),
                question: reason(),
            },
            Some("consult"),
        ),
        (
            EventKind::ConsultationAnswered {
                consultation: 0,
                answer: reason(),
            },
            Some("answer_consultation"),
        ),
        (
            EventKind::ResultIssued {
                result_code: reason(),
                documents: Vec::new(),
            },
            Some("issue_result"),
        ),
        (EventKind::ResultReturned, Some("return_result")),
        (EventKind::Withdrawn { reason: reason() }, Some("withdraw")),
        (EventKind::Stopped { reason: reason() }, Some("stop")),
        (
            EventKind::Extended {
                reason: reason(),
                previous: at,
                appointment: at,
            },
            Some("apologize_and_extend"),
        ),
        (
            EventKind::TimeLimitExtended {
                reason: reason(),
                previous: at,
                appointment: at,
            },
            Some("extend_time_limit"),
        ),
        (
            EventKind::PaymentRequested {
                amount: Money::dong(1),
            },
            None,
        ),
        (
            EventKind::WindowsOpened {
                windows: Vec::new(),
            },
            None,
        ),
    ];
    for (event, command) in cases {
        assert_eq!(event.command(), command, "{}", event.name());
        if let Some(command) = command.filter(|command| *command != "chuyen_xu_ly") {
            assert!(
                BUILT_IN.iter().any(|built_in| built_in.name == command),
                "{command} is a built-in command a window may name"
            );
        }
    }
}

#[test]
fn only_a_windows_own_command_meets_it_and_only_the_first_time() {
    let mut world = received(FEEDBACK);
    assert_eq!(
        window(world.case(), "yeu_cau_bo_sung").met_at,
        None,
        "receiving does not meet the supplement window"
    );
    let request = Command::RequestSupplement {
        missing: vec![MissingDocument {
            document: "tai_lieu_kem_theo".to_owned(),
            note: "Văn bản được phản ánh".to_owned(),
        }],
        reason: "Chưa rõ".to_owned(),
    };
    world
        .run(&desk(), request, "2025-03-04T09:00:00+07:00")
        .unwrap();
    assert_eq!(
        window(world.case(), "quyet_dinh_tiep_nhan").met_at,
        Some(at("2025-03-03T09:00:00+07:00")),
        "a met window keeps the moment it was met"
    );
    assert_eq!(
        window(world.case(), "yeu_cau_bo_sung").met_at,
        Some(at("2025-03-04T09:00:00+07:00"))
    );
}

#[test]
fn notices_carry_what_their_events_say_and_the_projection_keeps_the_new_counts() {
    let mut world = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    accepted_and_forwarded(&mut world);
    let handler = officer("chuyen_vien_xu_ly");
    world
        .run(
            &handler,
            Command::Consult {
                unit: unit("000.00.18.H21"),
                question: "Ý kiến Sở Tư pháp?".to_owned(),
            },
            "2025-03-04T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &handler,
            extend("2025-03-25T17:00:00+07:00"),
            "2025-03-05T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(&handler, action("trinh_ky"), "2025-03-06T09:00:00+07:00")
        .unwrap();
    world
        .run(
            &officer("lanh_dao_van_phong"),
            action("ban_hanh_tra_loi"),
            "2025-03-07T09:00:00+07:00",
        )
        .unwrap();
    let (case, outbox) = apply(None, &world.events).unwrap();
    let emails: Vec<(&str, &Value)> = outbox
        .iter()
        .filter(|message| message.topic == "email")
        .map(|message| {
            (
                message.payload["event"].as_str().unwrap_or_default(),
                &message.payload["details"],
            )
        })
        .collect();
    assert!(
        emails
            .iter()
            .all(|(event, _)| !matches!(*event, "consultation_requested" | "windows_opened")),
        "the applicant is not told of internal consultations or of windows: {emails:?}"
    );
    assert!(emails.contains(&(
        "time_limit_extended",
        &json!("Vụ việc phức tạp, cần lấy ý kiến Sở Tư pháp")
    )));
    let code = format!("KQ-{}", case.code);
    assert!(
        emails.contains(&("result_issued", &json!(code))),
        "{emails:?}"
    );
    // The projection a store keeps reads back with the extension count and the windows.
    let stored: Case = serde_json::from_value(serde_json::to_value(&case).unwrap()).unwrap();
    assert_eq!(stored.extensions, 1);
    assert_eq!(stored, case);

    // An administrative dossier's new appointment alone goes to the portal.
    let mut birth = World::new(BIRTH);
    birth.submit_birth("2025-03-03T09:00:00+07:00");
    birth
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T15:10:00+07:00",
        )
        .unwrap();
    let apology = birth
        .run(
            &officer("mot_cua"),
            Command::ApologizeAndExtend {
                reason: "Chờ xác minh".to_owned(),
                new_appointment: at("2025-03-05T17:00:00+07:00"),
            },
            "2025-03-03T16:00:00+07:00",
        )
        .unwrap();
    let (_, outbox) = apply(None, &birth.events).unwrap();
    let portal_seqs: Vec<&Value> = outbox
        .iter()
        .filter(|message| message.topic == "portal")
        .map(|message| &message.payload["seq"])
        .collect();
    assert!(
        portal_seqs.contains(&&json!(apology[0].seq)),
        "the apology's new date is synced: {portal_seqs:?}"
    );
    assert!(outbox.iter().any(|message| message.topic == "email"
        && message.payload["event"] == "extended"
        && message.payload["details"] == "Chờ xác minh"));
}

#[test]
fn who_may_extend_and_how_the_windows_read_on_the_timeline() {
    let mut world = submitted(FEEDBACK, "2025-02-28T10:00:00+07:00");
    let names = crate::case::Names {
        procedure: Some(&world.procedure),
        ..crate::case::Names::default()
    };
    let opened = crate::case::describe_named(&world.events[1], &names);
    assert_eq!(
        opened,
        "Tiếp nhận hoặc từ chối tiếp nhận trong 02 ngày làm việc: hạn 17:00 04/03/2025; Yêu cầu bổ sung thông tin trong 05 ngày làm việc: hạn 17:00 07/03/2025"
    );
    let fresh = serde_json::to_value(world.case()).unwrap();
    assert!(
        fresh.get("extensions").is_none(),
        "a dossier never extended stores no count, as before the field existed"
    );
    accepted_and_forwarded(&mut world);
    let head = world.run(
        &officer("lanh_dao_van_phong"),
        extend("2025-03-25T17:00:00+07:00"),
        "2025-03-05T09:00:00+07:00",
    );
    assert!(
        matches!(head, Err(Rejection::Forbidden(_))),
        "not at the dossier's step: {head:?}"
    );
    world
        .run(
            &desk(),
            extend("2025-03-25T17:00:00+07:00"),
            "2025-03-05T09:00:00+07:00",
        )
        .expect("the one-stop desk may extend");
}

#[test]
fn a_window_can_count_from_an_action_and_refuse_the_next_one_after_it() {
    let text = format!(
        "{FEEDBACK}\n[[windows]]\nid = \"du_thao\"\nname = \"Dự thảo trong 01 ngày làm việc\"\ncommands = [\"trinh_ky\"]\nfrom = \"chuyen_xu_ly\"\nwithin = {{ working_days = 1 }}\n"
    );
    let mut world = received(&text);
    assert!(
        world
            .case()
            .windows
            .iter()
            .all(|window| window.id != "du_thao"),
        "not open before its action"
    );
    world
        .run(&desk(), action("chuyen_xu_ly"), "2025-03-03T10:00:00+07:00")
        .unwrap();
    assert_eq!(
        window(world.case(), "du_thao").closes_at,
        at("2025-03-04T17:00:00+07:00")
    );
    let late = world.run(
        &officer("chuyen_vien_xu_ly"),
        action("trinh_ky"),
        "2025-03-05T08:00:00+07:00",
    );
    assert!(
        matches!(&late, Err(Rejection::NotNow(why)) if why.to_string().contains("Dự thảo trong 01 ngày làm việc")),
        "{late:?}"
    );
}
