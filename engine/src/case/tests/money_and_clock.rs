//! Fees and payment, the one apology and extension, deadlines recomputed on corrected or
//! official calendars, timers that fire once.

use super::*;

#[test]
fn fees_follow_the_formula_exemption_and_payment_moves_the_dossier_on() {
    let mut world = World::new(EXTRACT);
    let submission = |copies: i64, exempt: bool| Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit("000.00.17.H21"),
        applicant: Applicant {
            citizen_id: CITIZEN.to_owned(),
            name: "Trần Thị C".to_owned(),
            phone: None,
            email: None,
            ..Default::default()
        },
        form: json!({ "loai_su_kien": "khai_sinh", "so_ban_sao": copies, "mien_phi": exempt })
            .as_object()
            .unwrap()
            .clone(),
        documents: vec![document("to_khai")],
        delivery: None,
        lookup_key: None,
        vneid: false,
        notify: None,
    };
    world
        .run(
            &citizen(),
            Command::Submit(submission(3, false)),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().fees[0].amount, Money::dong(24_000));
    let mut exempt = World::new(EXTRACT);
    exempt
        .run(
            &citizen(),
            Command::Submit(submission(3, true)),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(exempt.case().outstanding(), Money::ZERO);
    assert!(exempt.case().fees[0].exempt);
    let too_many = World::new(EXTRACT).run(
        &citizen(),
        Command::Submit(submission(50, false)),
        "2025-03-03T09:00:00+07:00",
    );
    assert!(
        matches!(&too_many, Err(Rejection::Invalid(problems)) if problems[0].pointer == "/form/so_ban_sao"),
        "{too_many:?}"
    );

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
    assert_eq!(world.case().status, Status::FinancialObligationRequested);
    let partial = Command::RecordPayment {
        amount: Money::dong(8_000),
        reference: "VNP-1".to_owned(),
    };
    world
        .run(
            &Actor::system("vnpay"),
            partial,
            "2025-03-03T10:05:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().status,
        Status::FinancialObligationRequested,
        "still owes 16.000 đ"
    );
    // More than the 16.000 đ still owed is no payment: the cashier is refused, and what the
    // gateway already took goes on the record as owed back.
    let beyond = Command::RecordPayment {
        amount: Money::dong(16_001),
        reference: "VNP-3".to_owned(),
    };
    let refused = world.run(
        &officer("mot_cua"),
        beyond.clone(),
        "2025-03-03T10:06:00+07:00",
    );
    assert!(
        matches!(&refused, Err(Rejection::NotNow(why)) if why.to_string().contains("owes 16.000 đ")),
        "{refused:?}"
    );
    let owed_back = world
        .run(&Actor::system("vnpay"), beyond, "2025-03-03T10:06:00+07:00")
        .unwrap();
    assert!(
        matches!(&owed_back[0].kind, EventKind::RefundDue { amount, reason, .. }
            if *amount == Money::dong(16_001) && reason.contains("16.000 đ")),
        "{owed_back:?}"
    );
    assert_eq!(world.case().refund_due, Money::dong(16_001));
    assert_eq!(world.case().paid, Money::dong(8_000), "not counted as paid");
    assert!(describe(&owed_back[0]).starts_with("Cần hoàn trả 16.001 đ"));
    // The applicant is told how much is owed back, and why.
    let mut reachable = world.case().clone();
    reachable.applicant.email = Some("binh@example.vn".to_owned());
    let notice = effects_of(None, &reachable, &owed_back[0])
        .into_iter()
        .find(|message| message.topic == "email")
        .unwrap();
    let details = notice.payload["details"].as_str().unwrap_or_default();
    assert!(
        details.starts_with("16.001 đ — lý do: ") && details.contains("16.000 đ"),
        "{details}"
    );
    let rest = Command::RecordPayment {
        amount: Money::dong(16_000),
        reference: "VNP-2".to_owned(),
    };
    world
        .run(&Actor::system("vnpay"), rest, "2025-03-03T10:06:00+07:00")
        .unwrap();
    assert_eq!(world.case().status, Status::Processing);
    assert_eq!(world.case().outstanding(), Money::ZERO);
    assert_eq!(world.case().paid, Money::dong(24_000));
}

#[test]
fn an_apology_comes_once_from_the_processing_agency_a_working_day_before_the_appointment() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    // Received Monday 3/3 after 15:00: the same-day result is due Tuesday 4/3 at 17:00.
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T15:30:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-04T17:00:00+07:00"))
    );
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T15:40:00+07:00",
        )
        .unwrap();
    let extend = |new: &str| Command::ApologizeAndExtend {
        reason: "Chờ xác minh".to_owned(),
        new_appointment: at(new),
    };
    let desk = world.run(
        &officer("mot_cua"),
        extend("2025-03-05T17:00:00+07:00"),
        "2025-03-03T16:00:00+07:00",
    );
    assert!(
        matches!(&desk, Err(Rejection::Forbidden(why)) if why.to_string().contains("agency processing the dossier") && why.to_string().contains("19.9")),
        "the one-stop desk passes the apology on, it does not write it: {desk:?}"
    );
    let passed = world.run(
        &officer("tu_phap"),
        extend("2025-03-05T17:00:00+07:00"),
        "2025-03-04T17:30:00+07:00",
    );
    assert!(
        matches!(&passed, Err(Rejection::NotNow(why)) if why.to_string().contains("before the appointment")),
        "{passed:?}"
    );
    // The morning of the deadline is too late: the law asks for a working day's notice.
    let same_day = world.run(
        &officer("tu_phap"),
        extend("2025-03-05T17:00:00+07:00"),
        "2025-03-04T07:43:00+07:00",
    );
    assert!(
        matches!(&same_day, Err(Rejection::NotNow(why))
            if why.to_string().contains("at least one working day before the appointment (17:00 04/03/2025), so by the end of 03/03/2025")),
        "{same_day:?}"
    );
    let backwards = world.run(
        &officer("tu_phap"),
        extend("2025-03-04T16:00:00+07:00"),
        "2025-03-03T16:00:00+07:00",
    );
    assert!(matches!(backwards, Err(Rejection::Invalid(_))));
    // At most the time limit in force once more (a same-day limit: one working day).
    let too_far = world.run(
        &officer("tu_phap"),
        extend("2025-03-06T08:00:00+07:00"),
        "2025-03-03T16:00:00+07:00",
    );
    assert!(
        matches!(&too_far, Err(Rejection::Invalid(problems))
            if problems[0].message(crate::messages::Lang::En).contains("at most 1 working day after the current one (17:00 04/03/2025), so by 17:00 05/03/2025")),
        "{too_far:?}"
    );
    world
        .run(
            &officer("tu_phap"),
            extend("2025-03-05T17:00:00+07:00"),
            "2025-03-03T16:59:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-05T17:00:00+07:00"))
    );
    assert_eq!(
        world.case().original_appointment,
        Some(at("2025-03-04T17:00:00+07:00"))
    );
    let twice = world.run(
        &officer("tu_phap"),
        extend("2025-03-06T17:00:00+07:00"),
        "2025-03-04T09:00:00+07:00",
    );
    assert!(
        matches!(&twice, Err(Rejection::NotNow(why)) if why.to_string().contains("once")),
        "{twice:?}"
    );
}

#[test]
fn an_apology_on_a_weekend_before_a_monday_deadline_is_too_late() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-07T09:00:00+07:00");
    // Friday 7/3 after 15:00: due Monday 10/3; the last day for an apology is Friday itself.
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-07T15:30:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-07T15:40:00+07:00",
        )
        .unwrap();
    let extend = Command::ApologizeAndExtend {
        reason: "Chờ xác minh".to_owned(),
        new_appointment: at("2025-03-11T17:00:00+07:00"),
    };
    let saturday = world.run(
        &officer("tu_phap"),
        extend.clone(),
        "2025-03-08T10:00:00+07:00",
    );
    assert!(
        matches!(&saturday, Err(Rejection::NotNow(why)) if why.to_string().contains("by the end of 07/03/2025")),
        "{saturday:?}"
    );
    world
        .run(&officer("tu_phap"), extend, "2025-03-07T16:30:00+07:00")
        .expect("on the last working day before the deadline");
}

#[test]
fn deadlines_move_only_by_an_explicit_recompute_on_corrected_calendars() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T15:30:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-04T17:00:00+07:00"))
    );
    let recompute = Command::RecomputeDeadlines {
        reason: "Lịch 2025 đính chính".to_owned(),
    };
    let unchanged = world.run(
        &officer("mot_cua"),
        recompute.clone(),
        "2025-03-03T16:00:00+07:00",
    );
    assert!(
        matches!(&unchanged, Err(Rejection::NotNow(why)) if why.to_string().contains("already match")),
        "{unchanged:?}"
    );
    // The operator learns 4/3/2025 was a day off and corrects the calendar file.
    let corrected = include_str!("../../../../fixtures/calendars/2025.toml").replace(
        "holidays = [",
        "holidays = [\n  { date = \"2025-03-04\", name = \"Nghỉ (đính chính)\" },",
    );
    world.calendars = Calendars::load(&[("2025.toml".to_owned(), corrected)]).unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-04T17:00:00+07:00")),
        "nothing moves by itself"
    );
    assert!(matches!(
        world.run(&citizen(), recompute.clone(), "2025-03-03T16:10:00+07:00"),
        Err(Rejection::Forbidden(_))
    ));
    world
        .run(&officer("mot_cua"), recompute, "2025-03-03T16:10:00+07:00")
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-05T17:00:00+07:00"))
    );
    assert_eq!(
        world.case().calendar_version.as_deref(),
        Some(world.calendars.version())
    );
}

#[test]
fn timers_fire_once_in_effect() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    let timers = timers_of(
        world.case(),
        &world.calendars,
        world.procedure.definition().clock.warn_before,
    );
    assert!(timers.contains(&Timer {
        deadline: Deadline::Appointment,
        passed: true,
        due_at: at("2025-03-03T17:00:01+07:00")
    }));
    assert!(
        !timers.iter().any(|timer| !timer.passed),
        "a same-day dossier gets no warning before its own receipt: {timers:?}"
    );
    let raise = Command::RaiseDeadline {
        deadline: Deadline::Appointment,
        passed: true,
    };
    assert!(
        world
            .run(
                &Actor::system("timer"),
                raise.clone(),
                "2025-03-03T16:00:00+07:00"
            )
            .unwrap()
            .is_empty(),
        "not yet due"
    );
    assert_eq!(
        world
            .run(
                &Actor::system("timer"),
                raise.clone(),
                "2025-03-03T17:00:01+07:00"
            )
            .unwrap()
            .len(),
        1
    );
    assert!(world.case().overdue);
    assert!(
        world
            .run(&Actor::system("timer"), raise, "2025-03-03T17:05:00+07:00")
            .unwrap()
            .is_empty(),
        "a second firing is a no-op"
    );
}
/// 2026 official, 2027 as the shipped draft.
fn calendars_with_draft_2027() -> Calendars {
    crate::clock::shipped_years(&[2026, 2027])
}

/// The official 2027 notice, when it moves a Tết day: Tuesday 9/2 worked, Friday 12/2 off.
fn official_2027_moving_tet() -> Calendars {
    let official = include_str!("../../../../fixtures/calendars/2027.toml")
        .replace("provisional = true\n", "")
        .replace("{ date = \"2027-02-09\"", "{ date = \"2027-02-12\"");
    Calendars::load(&[
        (
            "2026.toml".to_owned(),
            include_str!("../../../../fixtures/calendars/2026.toml").to_owned(),
        ),
        ("2027.toml".to_owned(), official),
    ])
    .unwrap()
}

#[test]
fn a_provisional_appointment_moves_when_hoso_puts_the_official_year_in_force() {
    let mut world = World::new(BIRTH);
    world.calendars = calendars_with_draft_2027();
    world.submit_birth("2027-02-08T09:00:00+07:00");
    // Monday 8/2/2027 is a Tết day in the draft: the same-day limit counts from Thursday 11/2
    // (9 and 10 are substitute days off).
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2027-02-08T09:30:00+07:00",
        )
        .unwrap();
    let drafted = world.case().appointment;
    assert_eq!(drafted, Some(at("2027-02-11T17:00:00+07:00")));
    assert!(
        world
            .calendars
            .is_provisional_span(world.case().appointment_span())
    );
    let receipt = world.receipt();
    let appointment = receipt
        .fields
        .iter()
        .find(|field| field.key == "appointment")
        .unwrap();
    assert!(
        appointment.value.ends_with("(ngày hẹn tạm tính)"),
        "{appointment:?}"
    );
    assert!(
        receipt
            .fields
            .iter()
            .any(|field| field.key == "appointment_note")
    );

    world.calendars = official_2027_moving_tet();
    let recompute = Command::RecomputeDeadlines {
        reason: "Tính lại theo lịch nghỉ lễ chính thức năm 2027 (thay lịch tạm tính)".to_owned(),
    };
    // Other system jobs may not; hoso's calendar replacement may.
    assert!(matches!(
        world.run(
            &Actor::system("timer"),
            recompute.clone(),
            "2027-01-10T08:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    let before = world.case.clone();
    let events = world
        .run(
            &Actor::system(CALENDAR_ACTOR),
            recompute,
            "2027-01-10T08:00:00+07:00",
        )
        .unwrap();
    // Official: Tuesday 9/2 is worked (Friday 12/2 is off instead), so the day counts from 9/2.
    assert_eq!(
        world.case().appointment,
        Some(at("2027-02-09T17:00:00+07:00"))
    );
    assert!(
        !world
            .calendars
            .is_provisional_span(world.case().appointment_span())
    );
    let receipt = world.receipt();
    assert!(
        !receipt
            .fields
            .iter()
            .any(|field| field.key == "appointment_note")
    );
    assert!(describe_actor(&events[0]).contains("cập nhật lịch nghỉ lễ"));
    assert!(
        describe(&events[0]).contains("17:00 11/02/2027 → 17:00 09/02/2027"),
        "{}",
        describe(&events[0])
    );
    let messages = effects_of(before.as_ref(), world.case(), &events[0]);
    let email = messages
        .iter()
        .find(|message| message.topic == "email")
        .expect("the applicant is told");
    let details = email.payload["details"].as_str().unwrap_or_default();
    assert!(
        details.contains("thay lịch tạm tính")
            && details.contains("Ngày hẹn trước đó: 17:00 11/02/2027"),
        "{details}"
    );
}
