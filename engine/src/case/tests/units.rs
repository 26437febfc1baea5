//! Liên thông: the "3 in 1" procedure 1.003412 across the commune, the commune police and social
//! insurance, each a unit with its own code; routes, missing routes, a supplement per agency,
//! consultations and a unit retired mid-flight. What each unit's evidence says is in
//! `unit_evidence`, over the same walks.

use super::*;

pub(super) const COMMUNE: &str = "000.00.17.H21";
pub(super) const POLICE: &str = "000.00.18.H21";
pub(super) const INSURANCE: &str = "000.00.01.H21";

pub(super) fn officer_of(role: &str, in_unit: &str) -> Actor {
    Actor::officer(format!("officer-{role}"), role, unit(in_unit))
}

pub(super) fn three_in_one_submission() -> Submission {
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

/// A world for 1.003412 with both outside agencies routed from the commune.
pub(super) fn routed() -> World {
    let mut world = World::new(THREE_IN_ONE);
    world.route("cong_an_xa", POLICE);
    world.route("bao_hiem_xa_hoi", INSURANCE);
    world
}

/// The citizen submits at 08:00 on Tuesday 1 December 2026; the desk receives at 08:30.
pub(super) fn submit_and_receive(world: &mut World) {
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
}

/// A dossier of 1.003412 received at the commune with both outside agencies routed.
pub(super) fn routed_world() -> World {
    let mut world = routed();
    submit_and_receive(&mut world);
    world
}

/// The commune registers and signs the birth and hands the dossier to the residence step, by
/// 11:00 the same day.
fn walk_to_residence(world: &mut World) {
    for (role, step, time) in [
        ("mot_cua", "chuyen_khai_sinh", "2026-12-01T09:00:00+07:00"),
        ("tu_phap", "trinh_ky", "2026-12-01T10:00:00+07:00"),
        ("chu_tich", "ky_chuyen_cong_an", "2026-12-01T11:00:00+07:00"),
    ] {
        world
            .run(&officer_of(role, COMMUNE), action(step), time)
            .unwrap();
    }
}

/// Walks the dossier to the police's step.
pub(super) fn to_police(world: &mut World) {
    walk_to_residence(world);
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
        matches!(&refused, Rejection::Forbidden(why) if why.to_string().contains(POLICE)),
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
    assert!(why.to_string().contains("`bao_hiem_xa_hoi`"), "{why}");
    assert!(why.to_string().contains(COMMUNE), "{why}");
    assert!(
        !why.to_string().contains("cong_an_xa"),
        "routed kinds are not named: {why}"
    );
    assert_eq!(world.case().status, Status::Registered, "nothing written");
}

pub(super) fn supplement() -> Command {
    Command::RequestSupplement {
        missing: vec![MissingDocument {
            document: "Giấy chứng sinh".to_owned(),
            note: "Bản chụp mờ".to_owned(),
        }],
        reason: "Bản chụp mờ".to_owned(),
    }
}

/// The citizen's answer to a supplement request: one document.
pub(super) fn resubmitted(component: &str) -> Command {
    Command::SubmitSupplement {
        form: Map::new(),
        documents: vec![document(component)],
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
            resubmitted("giay_chung_sinh"),
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
        matches!(&again, Rejection::NotNow(why) if why.to_string().contains("Đơn vị 000.00.17.H21")),
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
            resubmitted("dong_y_cho_o"),
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
    let mut world = routed();
    world.route("khac", "000.00.02.H21");
    world
        .directory
        .retire(
            &unit(POLICE),
            &unit("000.00.02.H21"),
            chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        )
        .unwrap();
    submit_and_receive(&mut world);
    walk_to_residence(&mut world);
    assert_eq!(world.case().unit, unit("000.00.02.H21"));
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
        Rejection::Invalid(problems) => (
            problems[0].pointer.clone(),
            problems[0].message(crate::messages::Lang::En).clone(),
        ),
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
        message.contains("its successor") && message.contains(POLICE),
        "{message}"
    );
}

#[test]
fn the_result_is_issued_by_the_desk_or_the_holding_unit_only() {
    let mut world = routed_world();
    to_police(&mut world);
    let issue = || Command::IssueResult {
        result_code: None,
        results: Vec::new(),
    };
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
