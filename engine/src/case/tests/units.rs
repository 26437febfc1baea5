//! Liên thông: the "3 in 1" procedure 1.003412 across the commune, the commune police and social
//! insurance, each a unit with its own code; routes, missing routes, a supplement per agency,
//! consultations and a unit retired mid-flight.

use super::*;

const COMMUNE: &str = "000.00.17.H21";
const POLICE: &str = "000.00.18.H21";
const INSURANCE: &str = "000.00.01.H21";

fn officer_of(role: &str, in_unit: &str) -> Actor {
    Actor::officer(format!("officer-{role}"), role, unit(in_unit))
}

fn three_in_one_submission() -> Submission {
    let form: Map<String, Value> = json!({
        "ho_ten_tre": "Nguyễn Thị Mai",
        "ngay_sinh": "2026-11-20",
        "gioi_tinh": "Nữ",
        "dia_chi_thuong_tru": "Thôn 3, xã Tân Lập",
        "noi_kham_chua_benh": "Trạm y tế xã Tân Lập",
    })
    .as_object()
    .unwrap()
    .clone();
    let mut submission = birth_submission();
    submission.form = form;
    submission.documents = vec![document("to_khai_lien_thong"), document("giay_chung_sinh")];
    submission
}

/// A dossier of 1.003412 received at the commune with both outside agencies routed.
fn routed_world() -> World {
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    world.route("bao_hiem_xa_hoi", INSURANCE);
    world
        .run(
            &citizen(),
            Command::Submit(three_in_one_submission()),
            "2026-12-01T08:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer_of("mot_cua", COMMUNE),
            Command::Receive,
            "2026-12-01T08:30:00+07:00",
        )
        .unwrap();
    world
}

/// Walks the dossier to the police's step.
fn to_police(world: &mut World) {
    for (role, step, time) in [
        ("mot_cua", "chuyen_khai_sinh", "2026-12-01T09:00:00+07:00"),
        ("tu_phap", "trinh_ky", "2026-12-01T10:00:00+07:00"),
        ("chu_tich", "ky_chuyen_cong_an", "2026-12-01T11:00:00+07:00"),
    ] {
        world
            .run(&officer_of(role, COMMUNE), action(step), time)
            .unwrap();
    }
    assert_eq!(world.case().unit, unit(POLICE));
}

#[test]
fn the_dossier_moves_through_three_units_and_only_each_holder_may_act() {
    let mut world = routed_world();
    assert_eq!(world.case().unit, unit(COMMUNE));
    to_police(&mut world);
    // The commune's officers no longer hold it.
    let refused = world
        .run(
            &officer_of("cong_an_cu_tru", COMMUNE),
            action("chuyen_bhxh"),
            "2026-12-01T14:00:00+07:00",
        )
        .unwrap_err();
    assert!(
        matches!(&refused, Rejection::Forbidden(why) if why.contains(POLICE)),
        "{refused}"
    );
    world
        .run(
            &officer_of("cong_an_cu_tru", POLICE),
            action("chuyen_bhxh"),
            "2026-12-01T14:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().unit, unit(INSURANCE));
    world
        .run(
            &officer_of("bhxh", INSURANCE),
            action("cap_the"),
            "2026-12-02T09:00:00+07:00",
        )
        .unwrap();
    // Back at the receiving agency's desk, which no route names.
    assert_eq!(world.case().unit, unit(COMMUNE));
    let units: Vec<&str> = world
        .case()
        .visits
        .iter()
        .map(|visit| visit.unit.as_str())
        .collect();
    assert_eq!(
        units,
        [COMMUNE, COMMUNE, COMMUNE, POLICE, INSURANCE, COMMUNE]
    );
}

#[test]
fn receipt_is_refused_while_an_outside_agency_has_no_route() {
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    world
        .run(
            &citizen(),
            Command::Submit(three_in_one_submission()),
            "2026-12-01T08:00:00+07:00",
        )
        .unwrap();
    let refused = world
        .run(
            &officer_of("mot_cua", COMMUNE),
            Command::Receive,
            "2026-12-01T08:30:00+07:00",
        )
        .unwrap_err();
    let Rejection::NotNow(why) = &refused else {
        panic!("{refused}");
    };
    assert!(why.contains("`bao_hiem_xa_hoi`"), "{why}");
    assert!(why.contains(COMMUNE), "{why}");
    assert!(
        !why.contains("cong_an_xa"),
        "routed kinds are not named: {why}"
    );
    assert_eq!(world.case().status, Status::Registered, "nothing written");
}

fn supplement() -> Command {
    Command::RequestSupplement {
        missing: vec![MissingDocument {
            document: "Giấy chứng sinh".to_owned(),
            note: "Bản chụp mờ".to_owned(),
        }],
        reason: "Bản chụp mờ".to_owned(),
    }
}

#[test]
fn each_agency_asks_once_for_a_supplement_during_its_own_stay() {
    let mut world = routed_world();
    world
        .run(
            &officer_of("mot_cua", COMMUNE),
            supplement(),
            "2026-12-01T08:40:00+07:00",
        )
        .unwrap();
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
            "2026-12-01T15:00:00+07:00",
        )
        .unwrap();
    // The commune asked already: its officers cannot ask again.
    let again = world
        .run(
            &officer_of("mot_cua", COMMUNE),
            supplement(),
            "2026-12-01T15:30:00+07:00",
        )
        .unwrap_err();
    assert!(
        matches!(&again, Rejection::NotNow(why) if why.contains("Đơn vị 000.00.17.H21")),
        "{again}"
    );
    to_police(&mut world);
    // The police, in their own stay, may.
    world
        .run(
            &officer_of("cong_an_cu_tru", POLICE),
            supplement(),
            "2026-12-02T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::SupplementRequested);
    assert_eq!(world.case().supplement_requests, 2);
    assert_eq!(
        world.case().supplement_units,
        vec![unit(COMMUNE), unit(POLICE)]
    );
    assert_eq!(world.case().pauses.len(), 2, "one pause per request");
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("dong_y_cho_o")],
            },
            "2026-12-02T10:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::Processing);
    assert_eq!(world.case().unit, unit(POLICE), "back where it was");
    let twice = world
        .run(
            &officer_of("cong_an_cu_tru", POLICE),
            supplement(),
            "2026-12-02T11:00:00+07:00",
        )
        .unwrap_err();
    assert!(matches!(twice, Rejection::NotNow(_)));
}

#[test]
fn a_consulted_unit_must_be_in_the_directory_and_working() {
    let mut world = routed_world();
    let mot_cua = officer_of("mot_cua", COMMUNE);
    let consult = |code: &str| Command::Consult {
        unit: unit(code),
        question: "Xác minh nơi cư trú?".to_owned(),
    };
    let unknown = world
        .run(
            &mot_cua,
            consult("000.00.99.H21"),
            "2026-12-01T09:00:00+07:00",
        )
        .unwrap_err();
    assert!(
        matches!(&unknown, Rejection::Invalid(problems) if problems[0].pointer == "/unit"),
        "{unknown}"
    );
    world
        .directory
        .retire(
            &unit(POLICE),
            &unit(INSURANCE),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .unwrap();
    let retired = world
        .run(&mot_cua, consult(POLICE), "2026-12-01T09:00:00+07:00")
        .unwrap_err();
    assert!(retired.to_string().contains(INSURANCE), "{retired}");
    world
        .run(&mot_cua, consult(INSURANCE), "2026-12-01T09:00:00+07:00")
        .unwrap();
    let stranger = world
        .run(
            &officer_of("bhxh", POLICE),
            Command::AnswerConsultation {
                consultation: 0,
                answer: "Đúng".to_owned(),
            },
            "2026-12-01T10:00:00+07:00",
        )
        .unwrap_err();
    assert!(matches!(stranger, Rejection::Forbidden(_)));
    world
        .run(
            &officer_of("bhxh", INSURANCE),
            Command::AnswerConsultation {
                consultation: 0,
                answer: "Đúng".to_owned(),
            },
            "2026-12-01T10:00:00+07:00",
        )
        .unwrap();
}

#[test]
fn a_unit_retired_mid_flight_hands_its_dossiers_to_its_successor() {
    let mut world = routed_world();
    to_police(&mut world);
    let successor = "000.00.02.H21";
    world.route("khac", successor);
    world
        .directory
        .retire(
            &unit(POLICE),
            &unit(successor),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        )
        .unwrap();
    // The day before, the successor does not yet act for it.
    let early = world
        .run(
            &officer_of("cong_an_cu_tru", successor),
            action("chuyen_bhxh"),
            "2026-12-01T16:00:00+07:00",
        )
        .unwrap_err();
    assert!(matches!(early, Rejection::Forbidden(_)));
    world
        .run(
            &officer_of("cong_an_cu_tru", successor),
            action("chuyen_bhxh"),
            "2026-12-02T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().unit, unit(INSURANCE));
    assert_eq!(world.case().receiving_unit, unit(COMMUNE));
}

#[test]
fn a_route_to_a_retired_unit_leads_to_its_successor() {
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    world.route("bao_hiem_xa_hoi", INSURANCE);
    world.route("khac", "000.00.02.H21");
    world
        .directory
        .retire(
            &unit(POLICE),
            &unit("000.00.02.H21"),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        )
        .unwrap();
    world
        .run(
            &citizen(),
            Command::Submit(three_in_one_submission()),
            "2026-12-01T08:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer_of("mot_cua", COMMUNE),
            Command::Receive,
            "2026-12-01T08:30:00+07:00",
        )
        .unwrap();
    for (role, step, time) in [
        ("mot_cua", "chuyen_khai_sinh", "2026-12-01T09:00:00+07:00"),
        ("tu_phap", "trinh_ky", "2026-12-01T10:00:00+07:00"),
        ("chu_tich", "ky_chuyen_cong_an", "2026-12-01T11:00:00+07:00"),
    ] {
        world
            .run(&officer_of(role, COMMUNE), action(step), time)
            .unwrap();
    }
    assert_eq!(world.case().unit, unit("000.00.02.H21"));
}

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
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("dong_y_cho_o")],
            },
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
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
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
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
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
    use crate::forms::{FormError, official_form};
    let world = walked_to_the_end();
    let form = |number: &str| {
        official_form(
            number,
            world.case(),
            &world.events,
            &world.procedure,
            &world.calendars,
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
    assert_eq!(requested_at("02-1"), "09:00 02/12/2026", "the police's");
    assert_eq!(
        requested_at("02-2"),
        "15:00 02/12/2026",
        "social insurance's"
    );
    assert_eq!(requested_at("02"), "15:00 02/12/2026", "the latest");
    let Err(FormError::NotApplicable { why, .. }) = form("02-3") else {
        panic!("only two requests");
    };
    assert!(why.contains("02-1 … 02-2"), "{why}");
    assert!(matches!(form("02-0"), Err(FormError::Unknown(_))));
    assert!(matches!(form("02-x"), Err(FormError::Unknown(_))));
    assert!(matches!(form("03-1"), Err(FormError::Unknown(_))));
}

#[test]
fn a_receiving_unit_must_be_in_the_directory_in_service_and_not_retired() {
    let submit = |world: &mut World| {
        world.run(
            &citizen(),
            Command::Submit(three_in_one_submission()),
            "2026-12-01T08:00:00+07:00",
        )
    };
    let field_of = |rejection: Rejection| match rejection {
        Rejection::Invalid(problems) => (problems[0].pointer.clone(), problems[0].message.clone()),
        other => panic!("{other}"),
    };
    // Not in a directory that has units.
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    let mut elsewhere = three_in_one_submission();
    elsewhere.receiving_unit = unit("000.00.99.H21");
    let (pointer, message) = field_of(
        world
            .run(
                &citizen(),
                Command::Submit(elsewhere),
                "2026-12-01T08:00:00+07:00",
            )
            .unwrap_err(),
    );
    assert_eq!(pointer, "/receiving_unit");
    assert!(message.contains("000.00.99.H21"), "{message}");
    // Not yet in service.
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    let mut commune = world.directory.unit(&unit(COMMUNE)).unwrap().clone();
    commune.valid_from = chrono::NaiveDate::from_ymd_opt(2026, 12, 2);
    world.directory.add_unit(commune).unwrap();
    let (pointer, message) = field_of(submit(&mut world).unwrap_err());
    assert_eq!(pointer, "/receiving_unit");
    assert!(message.contains("from 02/12/2026"), "{message}");
    // In service from that very day.
    let mut commune = world.directory.unit(&unit(COMMUNE)).unwrap().clone();
    commune.valid_from = chrono::NaiveDate::from_ymd_opt(2026, 12, 1);
    world.directory.add_unit(commune).unwrap();
    submit(&mut world).unwrap();
    // Retired: the successor is named.
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    world
        .directory
        .retire(
            &unit(COMMUNE),
            &unit(POLICE),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .unwrap();
    let (pointer, message) = field_of(submit(&mut world).unwrap_err());
    assert_eq!(pointer, "/receiving_unit");
    assert!(
        message.contains(&format!("successor {POLICE}")),
        "{message}"
    );
}

#[test]
fn the_result_is_issued_by_the_desk_or_the_holding_unit_only() {
    let mut world = routed_world();
    to_police(&mut world);
    let issue = || Command::IssueResult { result_code: None };
    // Past the access check, both are told the dossier is not resolved yet.
    for actor in [
        officer_of("mot_cua", COMMUNE),
        officer_of("cong_an_cu_tru", POLICE),
    ] {
        let refused = world
            .run(&actor, issue(), "2026-12-01T14:00:00+07:00")
            .unwrap_err();
        assert!(matches!(refused, Rejection::NotNow(_)), "{refused}");
    }
    let stranger = world
        .run(
            &officer_of("bhxh", INSURANCE),
            issue(),
            "2026-12-01T14:00:00+07:00",
        )
        .unwrap_err();
    assert!(matches!(stranger, Rejection::Forbidden(_)), "{stranger}");
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
