//! Forms as issued (Circular 01/2018 art. 10.1) and as the appendix prints them: built once when
//! their event happens, kept in the chain with their hash, served as kept; a refusal after
//! appraisal has its Form 03 (Decree 61/2018 art. 19.8); the control slip names people.

use super::*;
use crate::forms::{FormError, OfficialForm, control_slip, issued_form, official_form_html};

fn desk() -> Actor {
    officer("mot_cua").named("Trần Thị Mai")
}

fn justice() -> Actor {
    officer("tu_phap").named("Lê Văn Hùng")
}

/// A birth dossier at a commune the directory knows, with its place name.
fn commune_birth(submitted: &str) -> World {
    let mut world = World::new(BIRTH);
    world
        .directory
        .add_unit(UnitEntry {
            code: unit("000.00.17.H21"),
            name: "UBND xã Tân Lập".to_owned(),
            parent: None,
            level: None,
            valid_from: None,
            place: Some("Tân Lập".to_owned()),
            retired: None,
        })
        .unwrap();
    world.submit_birth(submitted);
    world
}

fn form(world: &World, number: &str) -> Result<OfficialForm, FormError> {
    issued_form(
        number,
        world.case(),
        &world.events,
        &world.procedure,
        &world.calendars,
        &world.directory,
    )
}

fn value(form: &OfficialForm, key: &str) -> String {
    form.fields
        .iter()
        .find(|field| field.key == key)
        .map(|field| field.value.clone())
        .unwrap_or_else(|| panic!("no field {key} in {form:?}"))
}

fn kept(world: &World) -> Vec<(String, String, Option<String>)> {
    world
        .events
        .iter()
        .filter_map(|event| match &event.kind {
            EventKind::FormIssued {
                number,
                sha256,
                replaces,
                ..
            } => Some((number.clone(), sha256.clone(), replaces.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn form_01_stays_as_issued_through_an_apology_and_a_new_copy_replaces_it_after_a_supplement() {
    let mut world = commune_birth("2025-03-03T09:00:00+07:00");
    let received = world
        .run(&desk(), Command::Receive, "2025-03-03T15:30:00+07:00")
        .unwrap();
    assert!(
        matches!(&received.last().unwrap().kind, EventKind::FormIssued { number, .. } if number == "01"),
        "the receipt issues Form 01 in the same command: {received:?}"
    );
    let first = form(&world, "01").unwrap();
    assert_eq!(
        value(&first, "appointment"),
        "17 giờ 00 phút, ngày 04 tháng 03 năm 2025"
    );
    assert_eq!(value(&first, "time_limit"), "trong ngày");
    world
        .run(
            &desk(),
            action("chuyen_tham_dinh"),
            "2025-03-03T15:40:00+07:00",
        )
        .unwrap();
    world
        .run(
            &justice(),
            Command::ApologizeAndExtend {
                reason: "Chờ xác minh".to_owned(),
                new_appointment: at("2025-03-05T17:00:00+07:00"),
            },
            "2025-03-03T16:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        form(&world, "01").unwrap(),
        first,
        "an apology issues Form 04; the receipt stays as issued"
    );
    let apology = form(&world, "04").unwrap();
    assert_eq!(value(&apology, "appointment"), "17:00 05/03/2025");
    assert_eq!(
        apology.signatures,
        vec![crate::forms::Signatory {
            title: "THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT".to_owned(),
            name: "Lê Văn Hùng".to_owned()
        }]
    );

    world
        .run(
            &justice(),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "giay_chung_sinh".to_owned(),
                    note: "Bản chụp mờ".to_owned(),
                }],
                reason: "Giấy chứng sinh không rõ".to_owned(),
            },
            "2025-03-04T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        form(&world, "01").unwrap(),
        first,
        "a request changes no receipt"
    );
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
            "2025-03-04T10:00:00+07:00",
        )
        .unwrap();
    let again = form(&world, "01").unwrap();
    assert_ne!(again, first, "the clock restarted: a new copy");
    assert!(value(&again, "reissued").contains("thay Giấy tiếp nhận đã cấp"));
    let copies: Vec<_> = kept(&world)
        .into_iter()
        .filter(|(number, _, _)| number == "01")
        .collect();
    assert_eq!(copies.len(), 2);
    assert_eq!(
        copies[1].2.as_deref(),
        Some(copies[0].1.as_str()),
        "the new copy names the one it replaces"
    );
    assert_eq!(copies[0].1, crate::forms::form_hash(&first));
    assert_eq!(
        world.case().forms.get("01"),
        Some(&copies[1].1),
        "the dossier knows its latest copy"
    );
    assert_eq!(
        world.case().forms.get("02-1").map(String::len),
        Some(64),
        "and its supplement request"
    );
}

#[test]
fn a_form_is_printed_as_the_appendix_reads_with_motto_agency_number_place_and_named_signers() {
    let mut world = commune_birth("2025-03-03T09:00:00+07:00");
    world
        .run(&desk(), Command::Receive, "2025-03-03T09:30:00+07:00")
        .unwrap();
    let receipt = form(&world, "01").unwrap();
    assert_eq!(receipt.agency, "UBND xã Tân Lập");
    assert_eq!(receipt.place, "Tân Lập");
    assert_eq!(receipt.number, format!("{}/TN", world.case().code));
    assert_eq!(
        receipt.signatures,
        vec![
            crate::forms::Signatory {
                title: "NGƯỜI NỘP HỒ SƠ".to_owned(),
                name: "Nguyễn Văn Bình".to_owned()
            },
            crate::forms::Signatory {
                title: "NGƯỜI TIẾP NHẬN HỒ SƠ".to_owned(),
                name: "Trần Thị Mai".to_owned()
            },
        ]
    );
    assert_eq!(
        value(&receipt, "receiving_unit"),
        "Bộ phận Một cửa — UBND xã Tân Lập",
        "the unit by name, not its code"
    );
    let table = receipt.table.as_ref().unwrap();
    assert_eq!(
        table.rows[1],
        vec![
            "2",
            "Giấy chứng sinh (hoặc văn bản của người làm chứng / giấy cam đoan về việc sinh)",
            "1",
            "Bản sao chứng thực hoặc bản sao điện tử",
            "Lấy từ Kho dữ liệu điện tử của tổ chức, cá nhân"
        ],
        "components by name, with quantity, copy kind and how they came"
    );
    assert!(
        value(&receipt, "delivery").starts_with("chưa chọn; thủ tục cho phép: "),
        "a dossier without a choice says so rather than listing every channel as chosen"
    );
    let html = official_form_html(&receipt);
    for printed in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ TÂN LẬP",
        "Số: 000.00.17.H21-250303-0001/TN",
        "Tân Lập, ngày 03 tháng 03 năm 2025",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Trần Thị Mai",
        "09 giờ 30 phút, ngày 03 tháng 03 năm 2025",
    ] {
        assert!(html.contains(printed), "{printed} missing from {html}");
    }
    assert!(!html.contains("to_khai"), "no internal keys: {html}");
}

#[test]
fn the_chosen_delivery_alone_is_printed() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.delivery = Some(ResultDelivery {
        channel: crate::procedure::Delivery::Counter,
        address: None,
    });
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(&desk(), Command::Receive, "2025-03-03T09:30:00+07:00")
        .unwrap();
    assert_eq!(
        value(&form(&world, "01").unwrap(), "delivery"),
        "Tại Bộ phận Một cửa"
    );
}

#[test]
fn a_refusal_after_appraisal_issues_form_03_and_ends_the_slip_with_it() {
    let mut world = commune_birth("2025-03-03T09:00:00+07:00");
    assert!(matches!(
        form(&world, "03"),
        Err(FormError::NotApplicable { why, .. }) if why.to_string().contains("not refused")
    ));
    world
        .run(&desk(), Command::Receive, "2025-03-03T09:30:00+07:00")
        .unwrap();
    world
        .run(
            &desk(),
            action("chuyen_tham_dinh"),
            "2025-03-03T09:40:00+07:00",
        )
        .unwrap();
    let mut refuse = action("tu_choi");
    if let Command::TakeAction { reason, .. } = &mut refuse {
        *reason = Some("Người yêu cầu không thuộc trường hợp đăng ký khai sinh tại xã".to_owned());
    }
    let refused = world
        .run(&justice(), refuse, "2025-03-03T10:30:00+07:00")
        .unwrap();
    assert!(refused.iter().any(
        |event| matches!(&event.kind, EventKind::FormIssued { number, .. } if number == "03")
    ));
    let refusal = form(&world, "03").unwrap();
    assert_eq!(refusal.title, "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ");
    assert_eq!(
        value(&refusal, "reason"),
        "Người yêu cầu không thuộc trường hợp đăng ký khai sinh tại xã"
    );
    assert_eq!(value(&refusal, "decision"), "Từ chối giải quyết");
    assert!(value(&refusal, "basis").contains("Khoản 8 Điều 19"));
    assert_eq!(refusal.signatures[0].name, "Lê Văn Hùng");
    let slip = control_slip(
        world.case(),
        &world.procedure,
        &Names::default(),
        at("2025-03-03T11:00:00+07:00"),
    );
    assert_eq!(
        slip.rows.last().unwrap().note,
        "Từ chối giải quyết hồ sơ (Mẫu số 03)"
    );
    assert_eq!(slip.rows[1].given_by, "Trần Thị Mai", "named, not an id");
    assert_eq!(
        slip.rows[0].given_by, "Trần Thị Mai",
        "the receipt's handover is the desk's own"
    );
}

#[test]
fn a_dossier_refused_at_the_desk_has_a_slip_with_its_check_and_the_refusal() {
    let mut world = commune_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &desk(),
            Command::RefuseIntake {
                reason: "Hồ sơ không thuộc thẩm quyền của xã".to_owned(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        form(&world, "03").unwrap().title,
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
    );
    let slip = control_slip(
        world.case(),
        &world.procedure,
        &Names::default(),
        at("2025-03-03T11:00:00+07:00"),
    );
    assert_eq!(slip.rows.len(), 1, "{slip:?}");
    let row = &slip.rows[0];
    assert_eq!(row.given_by, "Nguyễn Văn Bình");
    assert_eq!(row.note, "Từ chối tiếp nhận hồ sơ (Mẫu số 03)");
    assert_eq!(row.handed_on_at, Some(at("2025-03-03T10:00:00+07:00")));
    assert_eq!(slip.returned_at, Some(at("2025-03-03T10:00:00+07:00")));
}

#[test]
fn a_kept_form_that_was_altered_is_refused_and_an_old_dossier_reads_its_form_as_issued() {
    let mut world = commune_birth("2025-03-03T09:00:00+07:00");
    world
        .run(&desk(), Command::Receive, "2025-03-03T15:30:00+07:00")
        .unwrap();
    let mut altered = world.events.clone();
    for event in &mut altered {
        if let EventKind::FormIssued { form, .. } = &mut event.kind {
            form.fields[0].value = "Bộ phận khác".to_owned();
        }
    }
    assert!(matches!(
        issued_form(
            "01",
            world.case(),
            &altered,
            &world.procedure,
            &world.calendars,
            &world.directory
        ),
        Err(FormError::Tampered { .. })
    ));

    // A dossier from before forms were kept: its receipt is rebuilt as the receipt left it,
    // not with the appointment an apology set later.
    world
        .run(
            &desk(),
            action("chuyen_tham_dinh"),
            "2025-03-03T15:40:00+07:00",
        )
        .unwrap();
    world
        .run(
            &justice(),
            Command::ApologizeAndExtend {
                reason: "Chờ xác minh".to_owned(),
                new_appointment: at("2025-03-05T17:00:00+07:00"),
            },
            "2025-03-03T16:00:00+07:00",
        )
        .unwrap();
    let unkept: Vec<NewEvent> = world
        .events
        .iter()
        .filter(|event| !matches!(event.kind, EventKind::FormIssued { .. }))
        .map(|event| NewEvent {
            at: event.at,
            actor: event.actor.clone(),
            kind: event.kind.clone(),
            command_id: event.command_id.clone(),
        })
        .collect();
    let before_forms = seal(&world.case().code, 0, GENESIS_HASH, unkept);
    let (old_case, _) = apply(None, &before_forms).unwrap();
    let receipt = issued_form(
        "01",
        &old_case,
        &before_forms,
        &world.procedure,
        &world.calendars,
        &world.directory,
    )
    .unwrap();
    assert_eq!(
        value(&receipt, "appointment"),
        "17 giờ 00 phút, ngày 04 tháng 03 năm 2025",
        "the appointment of the receipt, not today's"
    );
    assert_eq!(old_case.appointment, Some(at("2025-03-05T17:00:00+07:00")));
}

#[test]
fn a_dossier_received_after_fifteen_hundred_and_handed_over_next_morning_is_on_time() {
    let mut world = commune_birth("2025-03-03T09:00:00+07:00");
    world
        .run(&desk(), Command::Receive, "2025-03-03T15:30:00+07:00")
        .unwrap();
    // The receipt step's hour counts from Tuesday's opening (Decree 61/2018 art. 18.2).
    assert_eq!(
        world.case().step_due(),
        Some(at("2025-03-04T08:30:00+07:00"))
    );
    world
        .run(
            &desk(),
            action("chuyen_tham_dinh"),
            "2025-03-04T08:20:00+07:00",
        )
        .unwrap();
    let slip = control_slip(
        world.case(),
        &world.procedure,
        &Names::default(),
        at("2025-03-04T09:00:00+07:00"),
    );
    assert_eq!(slip.rows[0].result, crate::forms::RowResult::OnTime);
}

#[test]
fn the_register_numbers_the_units_dossiers_through_the_year_whatever_period_is_printed() {
    let received = |day: &str| {
        let mut world = World::new(BIRTH);
        world.submit_birth(&format!("{day}T08:00:00+07:00"));
        world
            .run(&desk(), Command::Receive, &format!("{day}T09:00:00+07:00"))
            .unwrap();
        world
    };
    let worlds = [
        received("2025-12-30"),
        received("2026-01-05"),
        received("2026-02-02"),
        received("2026-03-02"),
        received("2026-03-03"),
    ];
    let dossiers: Vec<(&Case, &crate::procedure::Procedure)> = worlds
        .iter()
        .map(|world| (world.case(), &world.procedure))
        .collect();
    let march = crate::indicators::Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
    };
    let register = crate::forms::register("000.00.17.H21", march, dossiers.iter().copied());
    let numbers: Vec<usize> = register.rows.iter().map(|row| row.number).collect();
    assert_eq!(
        numbers,
        [3, 4],
        "March's first dossier is the year's third; December's belongs to 2025's book"
    );
    let december = crate::indicators::Period {
        from: chrono::NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
    };
    let across = crate::forms::register("000.00.17.H21", december, dossiers.iter().copied());
    let numbers: Vec<usize> = across.rows.iter().map(|row| row.number).collect();
    assert_eq!(numbers, [1, 1], "a new book each year");
}
