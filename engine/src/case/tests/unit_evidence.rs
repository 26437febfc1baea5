//! Evidence per unit in a liên thông dossier: each unit judged on its own stays (Decision 766),
//! its register (Form 07), a Form 02 per supplement request, and timelines in names.

use super::units::{
    COMMUNE, INSURANCE, POLICE, officer_of, resubmitted, routed_world, supplement,
    three_in_one_submission, to_police,
};
use super::*;

/// The whole walk of `routed_world`: the police ask for a supplement during their stay and hand
/// on early; social insurance overruns its one working day.
fn walked_to_the_end() -> World {
    let mut world = routed_world();
    to_police(&mut world);
    world
        .run(
            &officer_of("cong_an_cu_tru", POLICE),
            supplement(),
            "2026-12-02T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &citizen(),
            resubmitted("dong_y_cho_o"),
            "2026-12-02T10:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer_of("cong_an_cu_tru", POLICE),
            action("chuyen_bhxh"),
            "2026-12-02T14:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer_of("bhxh", INSURANCE),
            supplement(),
            "2026-12-02T15:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &citizen(),
            resubmitted("giay_chung_sinh"),
            "2026-12-02T16:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer_of("bhxh", INSURANCE),
            action("cap_the"),
            "2026-12-07T09:00:00+07:00",
        )
        .unwrap();
    world
}

#[test]
fn each_unit_is_judged_on_its_own_stays() {
    use crate::indicators::{DossierFacts, Period, Timeliness, timeliness};
    let world = walked_to_the_end();
    let case = world.case();
    let whole = DossierFacts::of(
        case,
        &world.events,
        &world.procedure,
        &world.calendars,
        None,
    );
    assert_eq!(whole.unit, COMMUNE);
    assert_eq!(case.supplement_requests, 2);
    assert_eq!(
        whole.supplement_requests, 1,
        "two agencies asking once each is not one agency asking twice"
    );
    let december = Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    };

    let police = whole
        .for_unit(case, &unit(POLICE), &world.calendars)
        .expect("the police had it");
    let stay = case
        .visits
        .iter()
        .find(|visit| visit.unit == unit(POLICE))
        .unwrap();
    assert_eq!(police.unit, POLICE);
    assert_eq!(police.received_at, Some(at("2026-12-01T11:00:00+07:00")));
    assert_eq!(police.finished_at, Some(at("2026-12-02T14:00:00+07:00")));
    assert_eq!(police.appointment, Some(stay.due_at));
    assert_eq!(police.supplement_requests, 1);
    assert!(!police.fee_bearing && police.rating.is_none());
    // Tuesday 11:00 → Wednesday 14:00 less the hour waiting for the supplement.
    let working = |from: &str, to: &str| {
        world
            .calendars
            .working_time_between(
                at(from).with_timezone(&crate::clock::vietnam()),
                at(to).with_timezone(&crate::clock::vietnam()),
            )
            .unwrap()
            .num_minutes() as f64
            / 60.0
    };
    let expected = working("2026-12-01T11:00:00+07:00", "2026-12-02T14:00:00+07:00")
        - working("2026-12-02T09:00:00+07:00", "2026-12-02T10:00:00+07:00");
    assert!(
        (police.processing_hours.unwrap() - expected).abs() < 1e-9,
        "{:?} ≠ {expected}",
        police.processing_hours
    );
    assert_eq!(timeliness(&police, &december), Some(Timeliness::Early));
    // The police's own stay is finished: completed for 2.2, in days of the calendar's 7.5 hours.
    assert!(police.completed);
    assert!(
        (police.processing_days.unwrap() - expected / 7.5).abs() < 1e-9,
        "{:?}",
        police.processing_days
    );
    // A supplement the receiving unit waits for is not the police's to answer for.
    let mut waiting = whole.clone();
    waiting.waiting_supplement_since = Some(at("2026-12-08T09:00:00+07:00"));
    waiting.completed = false;
    let police_while_waiting = waiting
        .for_unit(case, &unit(POLICE), &world.calendars)
        .unwrap();
    assert_eq!(police_while_waiting.waiting_supplement_since, None);
    assert!(police_while_waiting.completed, "its own stay ended");

    let insurance = whole
        .for_unit(case, &unit(INSURANCE), &world.calendars)
        .expect("social insurance had it");
    assert_eq!(insurance.finished_at, Some(at("2026-12-07T09:00:00+07:00")));
    assert_eq!(timeliness(&insurance, &december), Some(Timeliness::Late));

    assert_eq!(
        whole.for_unit(case, &unit(COMMUNE), &world.calendars),
        Some(whole.clone()),
        "the receiving unit answers for the whole dossier"
    );
    // Fees, results and the rating count for the receiving unit only.
    let mut served = whole.clone();
    served.fee_bearing = true;
    served.paid_online = true;
    served.paper_result = true;
    served.e_result = true;
    served.rating = Some(crate::indicators::Satisfaction::Dissatisfied);
    let police = served
        .for_unit(case, &unit(POLICE), &world.calendars)
        .unwrap();
    assert!(!police.fee_bearing && !police.paid_online);
    assert!(!police.paper_result && !police.e_result);
    assert_eq!(police.rating, None);
    // A dossier stored before requests were recorded per unit keeps its count.
    let mut legacy = case.clone();
    legacy.supplement_units.clear();
    assert_eq!(
        DossierFacts::of(
            &legacy,
            &world.events,
            &world.procedure,
            &world.calendars,
            None
        )
        .supplement_requests,
        2
    );
    assert_eq!(
        whole.for_unit(case, &unit("000.00.02.H21"), &world.calendars),
        None
    );
}

#[test]
fn a_unit_still_holding_an_overdue_dossier_is_late() {
    use crate::indicators::{DossierFacts, Period, Timeliness, timeliness};
    let mut world = routed_world();
    to_police(&mut world);
    let whole = DossierFacts::of(
        world.case(),
        &world.events,
        &world.procedure,
        &world.calendars,
        None,
    );
    let police = whole
        .for_unit(world.case(), &unit(POLICE), &world.calendars)
        .unwrap();
    assert_eq!(whole.supplement_requests, 0);
    assert_eq!(police.finished_at, None, "still there");
    assert_eq!(police.processing_hours, None);
    let december = Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    };
    assert_eq!(timeliness(&police, &december), Some(Timeliness::Late));
    let first_day = Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    };
    assert_eq!(
        timeliness(&police, &first_day),
        Some(Timeliness::OnTime),
        "open and not yet due"
    );
}

#[test]
fn a_units_register_lists_the_dossiers_routed_to_it_with_its_own_dates() {
    let world = walked_to_the_end();
    let case = world.case();
    let december = crate::indicators::Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    };
    let register = crate::forms::register(INSURANCE, december, [(case, &world.procedure)]);
    assert_eq!(register.rows.len(), 1);
    assert_eq!(register.rows[0].number, 1, "numbered from 1");
    let stay = case
        .visits
        .iter()
        .find(|visit| visit.unit == unit(INSURANCE))
        .unwrap();
    let row = &register.rows[0];
    assert_eq!(row.received_at, Some(stay.entered_at));
    assert_eq!(row.appointment, Some(stay.due_at));
    assert_eq!(row.transferred_at, stay.left_at);
    let commune = crate::forms::register(COMMUNE, december, [(case, &world.procedure)]);
    assert_eq!(commune.rows[0].received_at, case.received_at);
    assert_eq!(commune.rows[0].appointment, case.appointment);
    let elsewhere = crate::forms::register("000.00.02.H21", december, [(case, &world.procedure)]);
    assert!(elsewhere.rows.is_empty());
    let november = crate::indicators::Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    };
    assert!(
        crate::forms::register(INSURANCE, november, [(case, &world.procedure)])
            .rows
            .is_empty()
    );
}

#[test]
fn a_stay_that_overran_decides_even_when_the_units_later_stay_was_quick() {
    use crate::indicators::{DossierFacts, Period, Timeliness, timeliness};
    let office = "000.00.02.H21";
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    world.route("bao_hiem_xa_hoi", INSURANCE);
    world.route("tu_phap_ho_tich", office);
    world.route("lanh_dao_xa", office);
    world
        .run(
            &citizen(),
            Command::Submit(three_in_one_submission()),
            "2026-12-01T08:00:00+07:00",
        )
        .unwrap();
    // The desk asks for a supplement before receipt: the commune's request, not the office's.
    world
        .run(
            &officer_of("mot_cua", COMMUNE),
            supplement(),
            "2026-12-01T08:10:00+07:00",
        )
        .unwrap();
    world
        .run(
            &citizen(),
            resubmitted("giay_chung_sinh"),
            "2026-12-01T08:20:00+07:00",
        )
        .unwrap();
    for (role, step, in_unit, time) in [
        ("mot_cua", "receive", COMMUNE, "2026-12-01T08:30:00+07:00"),
        (
            "mot_cua",
            "chuyen_khai_sinh",
            COMMUNE,
            "2026-12-01T09:00:00+07:00",
        ),
        // Four working hours allotted; handed on the next afternoon: overran.
        ("tu_phap", "trinh_ky", office, "2026-12-02T16:00:00+07:00"),
        // Two working hours allotted; signed within the half hour.
        (
            "chu_tich",
            "ky_chuyen_cong_an",
            office,
            "2026-12-02T16:30:00+07:00",
        ),
    ] {
        let command = if step == "receive" {
            Command::Receive
        } else {
            action(step)
        };
        world
            .run(&officer_of(role, in_unit), command, time)
            .unwrap();
    }
    let case = world.case();
    let whole = DossierFacts::of(
        case,
        &world.events,
        &world.procedure,
        &world.calendars,
        None,
    );
    let facts = whole
        .for_unit(case, &unit(office), &world.calendars)
        .unwrap();
    let first = case
        .visits
        .iter()
        .find(|visit| visit.unit == unit(office))
        .unwrap();
    assert_eq!(facts.received_at, Some(first.entered_at));
    assert_eq!(facts.appointment, Some(first.due_at));
    assert_eq!(facts.finished_at, Some(at("2026-12-02T16:00:00+07:00")));
    let december = Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    };
    assert_eq!(timeliness(&facts, &december), Some(Timeliness::Late));
    assert_eq!(whole.supplement_requests, 1);
    assert_eq!(facts.supplement_requests, 0, "the office asked for nothing");
    // Leaving exactly at the due time is not overrunning: the last stay decides then.
    let mut on_the_dot = case.clone();
    let first_index = on_the_dot
        .visits
        .iter()
        .position(|visit| visit.unit == unit(office))
        .unwrap();
    on_the_dot.visits[first_index].left_at = Some(on_the_dot.visits[first_index].due_at);
    let last = on_the_dot.visits[first_index + 1].clone();
    let facts = whole
        .for_unit(&on_the_dot, &unit(office), &world.calendars)
        .unwrap();
    assert_eq!(facts.appointment, Some(last.due_at));
    assert_eq!(facts.finished_at, last.left_at);
}

#[test]
fn each_supplement_request_has_its_own_form_02() {
    use crate::forms::{FormError, issued_form};
    let world = walked_to_the_end();
    let form = |number: &str| {
        issued_form(
            number,
            world.case(),
            &world.events,
            &world.procedure,
            &world.calendars,
            &world.directory,
        )
    };
    let requested_at = |number: &str| {
        let form = form(number).unwrap();
        assert_eq!(form.form, "02");
        form.fields
            .iter()
            .find(|field| field.key == "requested_at")
            .map(|field| field.value.clone())
            .unwrap()
    };
    assert_eq!(
        requested_at("02-1"),
        "09 giờ 00 phút, ngày 02 tháng 12 năm 2026",
        "the police's"
    );
    assert_eq!(
        requested_at("02-2"),
        "15 giờ 00 phút, ngày 02 tháng 12 năm 2026",
        "social insurance's"
    );
    assert_eq!(
        requested_at("02"),
        "15 giờ 00 phút, ngày 02 tháng 12 năm 2026",
        "the latest"
    );
    let Err(FormError::NotApplicable { why, .. }) = form("02-3") else {
        panic!("only two requests");
    };
    assert!(why.to_string().contains("02-1 … 02-2"), "{why}");
    assert!(matches!(form("02-0"), Err(FormError::Unknown(_))));
    assert!(matches!(form("02-x"), Err(FormError::Unknown(_))));
    assert!(matches!(form("03-1"), Err(FormError::Unknown(_))));
}

#[test]
fn timelines_read_in_names_of_actions_steps_roles_units_and_people() {
    use crate::case::{Names, describe_actor_named, describe_named};
    let mut world = routed_world();
    to_police(&mut world);
    world
        .run(
            &officer_of("cong_an_cu_tru", POLICE),
            Command::Consult {
                unit: unit(COMMUNE),
                question: "Chủ hộ đồng ý?".to_owned(),
            },
            "2026-12-01T14:00:00+07:00",
        )
        .unwrap();
    let people: std::collections::BTreeMap<String, String> =
        [("officer-chu_tich".to_owned(), "Trần Quốc Toàn".to_owned())].into();
    let names = Names {
        procedure: Some(&world.procedure),
        directory: Some(&world.directory),
        people: Some(&people),
    };
    let signed = world
        .events
        .iter()
        .find(|event| matches!(&event.kind, EventKind::ActionTaken { action, .. } if action == "ky_chuyen_cong_an"))
        .unwrap();
    assert_eq!(
        describe_named(signed, &names),
        "Ký, chuyển Công an xã đăng ký thường trú → bước Đăng ký thường trú cho trẻ"
    );
    assert_eq!(
        describe_actor_named(signed, &names),
        "Chủ tịch UBND cấp xã, Đơn vị 000.00.17.H21 (000.00.17.H21) — Trần Quốc Toàn"
    );
    assert_eq!(
        describe_actor_named(signed, &Names::default()),
        "chu_tich @ 000.00.17.H21 (officer-chu_tich)",
        "ids where no names are given"
    );
    let asked = world.events.last().unwrap();
    assert_eq!(
        describe_named(asked, &names),
        "Lấy ý kiến Đơn vị 000.00.17.H21 (000.00.17.H21) — Chủ hộ đồng ý?"
    );
    assert_eq!(
        describe_actor_named(asked, &names),
        "Cán bộ đăng ký cư trú (Công an xã), Đơn vị 000.00.18.H21 (000.00.18.H21) — officer-cong_an_cu_tru",
        "a person who is not a user keeps their id"
    );
    // Ids that the procedure does not know read as themselves.
    assert_eq!(names.action("khong_co"), "khong_co");
    assert_eq!(names.step("khong_co"), "khong_co");
    assert_eq!(names.role("khong_co"), "khong_co");
    assert_eq!(names.unit(&unit("000.00.99.H21")), "000.00.99.H21");
    assert_eq!(names.role("tu_phap"), "Công chức Tư pháp - Hộ tịch");
    assert_eq!(names.action("trinh_ky"), "Trình ký Giấy khai sinh");
}
