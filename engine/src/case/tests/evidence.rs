//! What auditors rely on: a tampered event breaks the chain; the control slip and the forms
//! carry what the events record.

use super::*;

#[test]
fn a_tampered_event_breaks_the_chain_at_its_sequence() {
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
    let code = world.case().code.clone();
    let mut altered = world.events.clone();
    altered[1].at += Duration::minutes(1);
    assert_eq!(verify_chain(&code, &altered).unwrap_err().seq, 2);
    let mut removed = world.events.clone();
    removed.remove(1);
    assert_eq!(verify_chain(&code, &removed).unwrap_err().seq, 2);
    let mut swapped = world.events.clone();
    swapped.swap(1, 2);
    assert_eq!(verify_chain(&code, &swapped).unwrap_err().seq, 2);
}
#[test]
fn the_control_slip_of_a_dossier_through_two_units_judges_each_row_on_the_calendar() {
    use crate::forms::{RowResult, control_slip, control_slip_html};
    let mut world = World::new(BIRTH);
    // The commune chair signs in another unit, as when a district leader signs.
    world.route("lanh_dao_xa", "000.00.18.H21");
    let chair = Actor::officer("officer-chu_tich", "chu_tich", unit("000.00.18.H21"));
    // Friday 7 March 2025, then the weekend, then Monday 10 March.
    world.submit_birth("2025-03-07T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-07T09:30:00+07:00",
        )
        .unwrap();
    // tiep_nhan: 1 working hour from 09:30 → due 10:30; handed on at 10:00 the same day.
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-07T10:00:00+07:00",
        )
        .unwrap();
    // tham_dinh: 3 working hours from 10:00 → due that afternoon; handed on at 16:30: late.
    world
        .run(
            &officer("tu_phap"),
            action("trinh_ky"),
            "2025-03-07T16:30:00+07:00",
        )
        .unwrap();
    // ky_duyet (the other unit): 2 working hours from 16:30 → due Monday morning (the weekend
    // does not count); signed Friday at 16:50: early.
    world
        .run(&chair, action("phe_duyet"), "2025-03-07T16:50:00+07:00")
        .unwrap();

    let procedure = world.procedure.clone();
    let slip = control_slip(
        world.case(),
        &procedure,
        &Names::default(),
        at("2025-03-07T17:00:00+07:00"),
    );
    let rows: Vec<(&str, &str, RowResult)> = slip
        .rows
        .iter()
        .map(|row| (row.unit.as_str(), row.step.as_str(), row.result))
        .collect();
    assert_eq!(
        rows,
        [
            ("000.00.17.H21", "tiep_nhan", RowResult::OnTime),
            ("000.00.17.H21", "tham_dinh", RowResult::Late),
            ("000.00.18.H21", "ky_duyet", RowResult::Early),
        ]
    );
    assert_eq!(slip.rows[0].due_at, at("2025-03-07T10:30:00+07:00"));
    assert_eq!(
        slip.rows[2]
            .due_at
            .with_timezone(&crate::clock::vietnam())
            .date_naive(),
        chrono::NaiveDate::from_ymd_opt(2025, 3, 10).unwrap(),
        "counted on the calendar: Saturday and Sunday are skipped"
    );
    assert_eq!(
        slip.rows[1].given_by, "(không rõ tên)",
        "an officer the events did not name and the staff list does not know: never the id"
    );
    assert_eq!(
        slip.rows[1].given_by_id, "officer-mot_cua",
        "kept for the audit trail"
    );
    let svg = crate::forms::timeline_svg(world.case(), &slip, at("2025-03-07T17:00:00+07:00"));
    assert_eq!(
        svg.matches("class=\"lane\"").count(),
        2,
        "one lane per unit"
    );
    assert_eq!(svg.matches("class=\"stay\"").count(), 3, "one bar per stay");
    assert_eq!(
        svg.matches("class=\"allotment\"").count(),
        3,
        "each against its allotment"
    );
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    // On a phone: the same stays top to bottom, each with its step, times and result, in a
    // picture a phone's width holds.
    let narrow =
        crate::forms::timeline_svg_vertical(world.case(), &slip, at("2025-03-07T17:00:00+07:00"));
    assert!(narrow.starts_with("<svg") && narrow.contains("width=\"360\""));
    assert_eq!(narrow.matches("class=\"stay-block\"").count(), 3);
    assert_eq!(narrow.matches("class=\"stay\"").count(), 3);
    assert_eq!(narrow.matches("class=\"allotment\"").count(), 3);
    for row in &slip.rows {
        assert!(
            narrow.contains(&crate::forms::escape(&row.step_name))
                && narrow.contains(row.result.label()),
            "{narrow}"
        );
    }
    if let Some(appointment) = world.case().appointment {
        assert!(narrow.contains(&format!(
            "Hẹn trả {}",
            crate::case::format_instant(appointment)
        )));
    }
    let html = control_slip_html(&slip);
    assert!(
        html.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
            && html.contains("Quá hạn")
            && html.contains("Trước hạn")
    );

    // A stay still open is in progress until its due time, then late.
    assert_eq!(
        crate::forms::judge(
            None,
            at("2025-03-10T09:00:00+07:00"),
            at("2025-03-10T08:00:00+07:00")
        ),
        RowResult::InProgress
    );
    assert_eq!(
        crate::forms::judge(
            None,
            at("2025-03-10T09:00:00+07:00"),
            at("2025-03-10T09:01:00+07:00")
        ),
        RowResult::Late
    );
}

#[test]
fn forms_02_04_and_05_carry_what_their_events_record() {
    use crate::forms::{FormError, issued_form};
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    // Received after 15:00: the same-day result is due the next working day, so an apology
    // the day before it is still lawful.
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T15:30:00+07:00",
        )
        .unwrap();
    let procedure = world.procedure.clone();
    let value = |form: &crate::forms::OfficialForm, key: &str| {
        form.fields
            .iter()
            .find(|field| field.key == key)
            .map(|field| field.value.clone())
            .unwrap_or_default()
    };
    let receipt = issued_form(
        "01",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
        &world.directory,
    )
    .unwrap();
    assert_eq!(
        value(&receipt, "appointment"),
        crate::forms::long_instant(at("2025-03-04T17:00:00+07:00"))
    );
    assert!(matches!(
        issued_form("04", world.case(), &world.events, &procedure, &world.calendars,&world.directory),
        Err(FormError::NotApplicable { why, .. }) if why.to_string().contains("never extended")
    ));

    world
        .run(
            &officer("mot_cua"),
            Command::ApologizeAndExtend {
                reason: "Chờ xác minh".to_owned(),
                new_appointment: at("2025-03-05T17:00:00+07:00"),
            },
            "2025-03-03T16:00:00+07:00",
        )
        .unwrap();
    let apology = issued_form(
        "04",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
        &world.directory,
    )
    .unwrap();
    assert_eq!(value(&apology, "reason"), "Chờ xác minh");
    assert_eq!(
        value(&apology, "previous_appointment"),
        crate::case::format_instant(at("2025-03-04T17:00:00+07:00"))
    );
    assert_eq!(
        value(&apology, "appointment"),
        crate::case::format_instant(at("2025-03-05T17:00:00+07:00"))
    );

    world
        .run(
            &officer("mot_cua"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "giay_chung_sinh".to_owned(),
                    note: "Bản chụp mờ".to_owned(),
                }],
                reason: "Giấy chứng sinh không rõ".to_owned(),
            },
            "2025-03-03T16:30:00+07:00",
        )
        .unwrap();
    let supplement = issued_form(
        "02",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
        &world.directory,
    )
    .unwrap();
    assert_eq!(value(&supplement, "reason"), "Giấy chứng sinh không rõ");
    assert_eq!(
        supplement.table.as_ref().map(|table| table.rows.clone()),
        Some(vec![vec![
            "1".to_owned(),
            "Giấy chứng sinh (hoặc văn bản của người làm chứng / giấy cam đoan về việc sinh)"
                .to_owned(),
            "1".to_owned(),
            "Bản sao chứng thực hoặc bản sao điện tử".to_owned(),
            "Bản chụp mờ".to_owned()
        ]]),
        "the component by its name, with quantity and kind of copy"
    );

    world
        .run(
            &officer("mot_cua"),
            Command::Stop {
                reason: "Người yêu cầu không bổ sung".to_owned(),
            },
            "2025-03-20T09:00:00+07:00",
        )
        .unwrap();
    let slip = crate::forms::control_slip(
        world.case(),
        &procedure,
        &Names::default(),
        at("2025-03-20T09:00:00+07:00"),
    );
    let svg = crate::forms::timeline_svg(world.case(), &slip, at("2025-03-20T09:00:00+07:00"));
    assert_eq!(
        svg.matches("class=\"pause\"").count(),
        1,
        "the supplement pause is shaded"
    );
    assert!(
        svg.contains("class=\"appointment\"") && svg.contains("class=\"original-appointment\""),
        "the extension is marked"
    );
    let stop = issued_form(
        "05",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
        &world.directory,
    )
    .unwrap();
    assert_eq!(value(&stop, "reason"), "Người yêu cầu không bổ sung");
    assert!(crate::forms::official_form_html(&stop).contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"));
    assert!(matches!(
        issued_form(
            "07",
            world.case(),
            &world.events,
            &procedure,
            &world.calendars,
            &world.directory,
        ),
        Err(FormError::Unknown(_))
    ));
}
