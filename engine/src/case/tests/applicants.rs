//! Applicants of every kind, representatives, the chosen delivery and notifications, and
//! electronic result documents.

use super::*;
use crate::procedure::Delivery;

const FEEDBACK: &str = include_str!("../../../../procedures/PAKN.1-phan-anh-kien-nghi.toml");
const RECORD: &str = include_str!("../../../../procedures/3.000333-cap-phieu-ly-lich-tu-phap.toml");
const COMPANY: &str = "0100109106";

/// The pointers of the problems a refused command names.
fn pointers(outcome: Result<Vec<Event>, Rejection>) -> Vec<String> {
    match outcome {
        Err(Rejection::Invalid(problems)) => problems.into_iter().map(|p| p.pointer).collect(),
        other => panic!("expected field problems, got {other:?}"),
    }
}

fn feedback_from(applicant: Applicant) -> Submission {
    let form = json!({
        "loai": "kien_nghi",
        "quy_dinh": "Quyết định 12/2025/QĐ-UBND, Điều 5",
        "noi_dung": "Đề nghị cho doanh nghiệp nộp hồ sơ bằng mã số thuế.",
    });
    Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit("000.00.17.H21"),
        applicant,
        form: form.as_object().unwrap().clone(),
        documents: Vec::new(),
        delivery: None,
        notify: None,
        lookup_key: Some("K7M2Q9XA".to_owned()),
        vneid: false,
    }
}

fn company() -> Applicant {
    Applicant {
        kind: ApplicantKind::Organisation,
        citizen_id: COMPANY.to_owned(),
        name: "Công ty Cổ phần Ánh Dương".to_owned(),
        representative: Some(Box::new(Representative {
            citizen_id: CITIZEN.to_owned(),
            name: "Nguyễn Văn Bình".to_owned(),
            basis: RepresentationBasis::Legal,
        })),
        email: Some("lienhe@anhduong.vn".to_owned()),
        ..Applicant::default()
    }
}

#[test]
fn a_company_applies_by_its_tax_code_through_its_legal_representative() {
    let mut world = World::new(FEEDBACK);
    world
        .run(
            &citizen(),
            Command::Submit(feedback_from(company())),
            "2026-03-02T09:00:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert_eq!(case.applicant.kind, ApplicantKind::Organisation);
    assert_eq!(case.organisation(), Some(COMPANY));
    assert!(case.is_party(CITIZEN), "the representative follows it");
    assert!(!case.is_party(COMPANY), "a tax code is not a person");
    assert!(!case.is_party(OTHER_CITIZEN));
    assert_eq!(case.lookup_key.as_deref(), Some("K7M2Q9XA"));
    // The stored event names the kind; a citizen's omits it, so older chains keep their hashes.
    let stored = serde_json::to_value(&world.events[0].kind).unwrap();
    assert_eq!(stored["applicant"]["kind"], "organisation");
}

#[test]
fn a_wrong_tax_code_an_organisation_without_a_person_and_a_stranger_are_refused() {
    let mut world = World::new(FEEDBACK);
    let mut wrong = company();
    wrong.citizen_id = "0100109107".to_owned();
    wrong.representative = None;
    assert_eq!(
        pointers(world.run(
            &citizen(),
            Command::Submit(feedback_from(wrong)),
            "2026-03-02T09:00:00+07:00"
        )),
        vec!["/applicant/citizen_id", "/applicant/representative"]
    );
    // Someone else cannot submit in the company's name through Bình.
    let stranger = world.run(
        &Actor::citizen(OTHER_CITIZEN),
        Command::Submit(feedback_from(company())),
        "2026-03-02T09:00:00+07:00",
    );
    assert!(matches!(stranger, Err(Rejection::Forbidden(_))));
    // A procedure for citizens only refuses a company, naming whom it is for.
    let mut birth = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.applicant = company();
    let Err(Rejection::Invalid(problems)) = birth.run(
        &citizen(),
        Command::Submit(submission),
        "2026-03-02T09:00:00+07:00",
    ) else {
        panic!("a company cannot register a birth");
    };
    assert_eq!(problems[0].pointer, "/applicant/kind");
    assert!(
        problems[0]
            .message(crate::messages::Lang::En)
            .contains("Công dân Việt Nam")
    );
}

#[test]
fn a_foreigner_gives_a_passport_and_a_nationality() {
    let foreigner = |passport: &str, nationality: Option<&str>| Applicant {
        kind: ApplicantKind::Foreigner,
        citizen_id: passport.to_owned(),
        name: "Tanaka Hiroshi".to_owned(),
        nationality: nationality.map(str::to_owned),
        representative: Some(Box::new(Representative {
            citizen_id: CITIZEN.to_owned(),
            name: "Nguyễn Văn Bình".to_owned(),
            basis: RepresentationBasis::Authorised,
        })),
        ..Applicant::default()
    };
    let mut world = World::new(FEEDBACK);
    let mut submission = feedback_from(foreigner("TR1234567", Some("JP")));
    submission.documents = vec![document(AUTHORISATION_COMPONENT)];
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2026-03-02T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().applicant.nationality.as_deref(), Some("JP"));
    for (passport, nationality, pointer) in [
        ("tr 12", Some("JP"), "/applicant/citizen_id"),
        ("TR1234567", Some("XX"), "/applicant/nationality"),
        ("TR1234567", None, "/applicant/nationality"),
    ] {
        let mut world = World::new(FEEDBACK);
        let mut submission = feedback_from(foreigner(passport, nationality));
        submission.documents = vec![document(AUTHORISATION_COMPONENT)];
        assert_eq!(
            pointers(world.run(
                &citizen(),
                Command::Submit(submission),
                "2026-03-02T09:00:00+07:00"
            )),
            vec![pointer],
            "{passport} {nationality:?}"
        );
    }
    // A citizen has no nationality field to give.
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.applicant.nationality = Some("VN".to_owned());
    assert_eq!(
        pointers(world.run(
            &citizen(),
            Command::Submit(submission),
            "2026-03-02T09:00:00+07:00"
        )),
        vec!["/applicant/nationality"]
    );
}

#[test]
fn an_authorised_representative_carries_the_authorisation_and_submits_as_themselves() {
    let represented = |documents: Vec<DocumentRef>| {
        let mut submission = birth_submission();
        submission.applicant.representative = Some(Box::new(Representative {
            citizen_id: OTHER_CITIZEN.to_owned(),
            name: "Trần Thị Bà".to_owned(),
            basis: RepresentationBasis::Authorised,
        }));
        submission.documents.extend(documents);
        submission
    };
    let grandmother = Actor::citizen(OTHER_CITIZEN);
    let mut world = World::new(BIRTH);
    assert_eq!(
        pointers(world.run(
            &grandmother,
            Command::Submit(represented(Vec::new())),
            "2025-03-03T09:00:00+07:00"
        )),
        vec!["/documents/van_ban_uy_quyen"]
    );
    // The father cannot submit it as if he were the representative.
    assert!(matches!(
        world.run(
            &citizen(),
            Command::Submit(represented(vec![document(AUTHORISATION_COMPONENT)])),
            "2025-03-03T09:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    world
        .run(
            &grandmother,
            Command::Submit(represented(vec![document(AUTHORISATION_COMPONENT)])),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert!(case.is_party(CITIZEN) && case.is_party(OTHER_CITIZEN));
    // Without a representative an authorisation has no place.
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.documents.push(document(AUTHORISATION_COMPONENT));
    assert_eq!(
        pointers(world.run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00"
        )),
        vec!["/documents/van_ban_uy_quyen"]
    );
    // Nor does a citizen represent themselves.
    let mut world = World::new(BIRTH);
    let mut submission = represented(vec![document(AUTHORISATION_COMPONENT)]);
    if let Some(representative) = &mut submission.applicant.representative {
        representative.citizen_id = CITIZEN.to_owned();
    }
    assert_eq!(
        pointers(world.run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00"
        )),
        vec!["/applicant/representative/citizen_id"]
    );
}

#[test]
fn the_chosen_delivery_must_be_offered_and_a_postal_one_addressed() {
    let address = PostalAddress {
        recipient: "Nguyễn Văn Bình".to_owned(),
        phone: "+84 912 345 678".to_owned(),
        street: "Số 5, ngõ 12 Trần Duy Hưng".to_owned(),
        ward: "Phường Yên Hòa".to_owned(),
        province: "Thành phố Hà Nội".to_owned(),
    };
    let with = |channel: Delivery, address: Option<PostalAddress>| {
        let mut submission = birth_submission();
        submission.delivery = Some(ResultDelivery {
            channel,
            address: address.map(Box::new),
        });
        submission
    };
    let mut world = World::new(BIRTH);
    world
        .run(
            &citizen(),
            Command::Submit(with(Delivery::Postal, Some(address.clone()))),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    let notice = effects_of(None, world.case(), &world.events[0])
        .into_iter()
        .find(|message| message.topic == "email")
        .unwrap();
    assert!(
        notice.payload["details"]
            .as_str()
            .unwrap()
            .starts_with("Nhận kết quả: Qua dịch vụ bưu chính công ích"),
        "the first notice confirms the choice: {}",
        notice.payload
    );
    let chosen = world.case().delivery.clone().unwrap();
    assert_eq!(
        chosen.address.as_ref().unwrap().phone,
        "0912345678",
        "normalised"
    );
    assert!(
        chosen
            .describe()
            .starts_with("Qua dịch vụ bưu chính công ích: Nguyễn Văn Bình (0912345678)")
    );
    // Each part of the address: 2 to 200 characters.
    for (street, refused) in [
        ("Ab".to_owned(), false),
        ("A".to_owned(), true),
        ("ằ".repeat(200), false),
        ("ằ".repeat(201), true),
    ] {
        let mut world = World::new(BIRTH);
        let mut short = address.clone();
        short.street = street.clone();
        let outcome = world.run(
            &citizen(),
            Command::Submit(with(Delivery::Postal, Some(short))),
            "2025-03-03T09:00:00+07:00",
        );
        assert_eq!(
            outcome.is_err(),
            refused,
            "{} characters",
            street.chars().count()
        );
    }
    let mut blank = address.clone();
    blank.ward = " ".to_owned();
    blank.phone = "12345".to_owned();
    for (submission, expected) in [
        (
            with(Delivery::Postal, None),
            vec!["/delivery/address".to_owned()],
        ),
        (
            with(Delivery::Postal, Some(blank)),
            vec![
                "/delivery/address/ward".to_owned(),
                "/delivery/address/phone".to_owned(),
            ],
        ),
        (
            with(Delivery::Counter, Some(address.clone())),
            vec!["/delivery/address".to_owned()],
        ),
    ] {
        let mut world = World::new(BIRTH);
        assert_eq!(
            pointers(world.run(
                &citizen(),
                Command::Submit(submission),
                "2025-03-03T09:00:00+07:00"
            )),
            expected
        );
    }
    // Feedback is answered online only: a counter pick-up is not offered.
    let mut world = World::new(FEEDBACK);
    let mut submission = feedback_from(Applicant {
        citizen_id: CITIZEN.to_owned(),
        name: "Nguyễn Văn Bình".to_owned(),
        ..Applicant::default()
    });
    submission.delivery = Some(ResultDelivery {
        channel: Delivery::Counter,
        address: None,
    });
    let Err(Rejection::Invalid(problems)) = world.run(
        &citizen(),
        Command::Submit(submission),
        "2026-03-02T09:00:00+07:00",
    ) else {
        panic!("not offered");
    };
    assert_eq!(problems[0].pointer, "/delivery/channel");
    assert!(
        problems[0]
            .message(crate::messages::Lang::En)
            .contains("Trực tuyến")
    );
}

#[test]
fn notifications_go_only_by_the_chosen_channels_and_each_needs_its_contact() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.notify = Some(vec![NotifyChannel::Sms, NotifyChannel::Sms]);
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().notify, Some(vec![NotifyChannel::Sms]));
    let topics: Vec<String> = effects_of(None, world.case(), &world.events[0])
        .into_iter()
        .map(|message| message.topic)
        .collect();
    assert_eq!(topics, ["portal", "sms"], "no e-mail: she chose SMS only");
    // Before the choice existed, every contact given was used.
    let mut before = world.case().clone();
    before.notify = None;
    assert_eq!(
        before.notify_channels(),
        [NotifyChannel::Email, NotifyChannel::Sms]
    );
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.applicant.email = None;
    submission.notify = Some(vec![NotifyChannel::Email]);
    assert_eq!(
        pointers(world.run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00"
        )),
        vec!["/notify/0"]
    );
}

fn result_file(name: &str) -> ResultDocument {
    ResultDocument {
        name: name.to_owned(),
        sha256: "c".repeat(64),
        size: 2048,
        signed: true,
        signers: vec!["UBND phường Dịch Vọng".to_owned()],
    }
}

/// A birth registration (from the procedure file `text`) with this result delivery, taken to its
/// approval step.
fn birth_at_approval(text: &str, delivery: Option<Delivery>) -> World {
    let mut world = World::new(text);
    let mut submission = birth_submission();
    submission.delivery = delivery.map(|channel| ResultDelivery {
        channel,
        address: None,
    });
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    for (actor, command, now) in [
        (
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        ),
        (
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00",
        ),
        (
            officer("tu_phap"),
            action("trinh_ky"),
            "2025-03-03T11:00:00+07:00",
        ),
    ] {
        world.run(&actor, command, now).unwrap();
    }
    world
}

/// A birth registration chosen for online delivery, taken to its approval step.
fn online_birth_at_approval() -> World {
    birth_at_approval(BIRTH, Some(Delivery::Online))
}

#[test]
fn an_online_full_process_result_is_issued_with_its_document() {
    let mut world = online_birth_at_approval();
    assert!(
        available_commands(
            &Context {
                procedure: &world.procedure,
                calendars: &world.calendars,
                directory: &world.directory,
            },
            world.case(),
            &officer("chu_tich"),
            at("2025-03-03T14:00:00+07:00"),
        )
        .contains(&"phe_duyet".to_owned()),
        "offered: the file comes with the click"
    );
    let bare = world.run(
        &officer("chu_tich"),
        action("phe_duyet"),
        "2025-03-03T14:00:00+07:00",
    );
    assert_eq!(pointers(bare), vec!["/results"]);
    let mut approve = action("phe_duyet");
    if let Command::TakeAction { results, .. } = &mut approve {
        results.push(ResultDocument {
            sha256: "not a hash".to_owned(),
            ..result_file("giay-khai-sinh.pdf")
        });
    }
    assert_eq!(
        pointers(world.run(&officer("chu_tich"), approve, "2025-03-03T14:00:00+07:00")),
        vec!["/results/0/sha256"]
    );
    let mut approve = action("phe_duyet");
    if let Command::TakeAction { results, .. } = &mut approve {
        results.push(ResultDocument {
            sha256: "z".repeat(64),
            ..result_file("giay-khai-sinh.pdf")
        });
    }
    assert_eq!(
        pointers(world.run(&officer("chu_tich"), approve, "2025-03-03T14:00:00+07:00")),
        vec!["/results/0/sha256"],
        "64 characters, but not hex"
    );
    let mut approve = action("phe_duyet");
    if let Command::TakeAction { results, .. } = &mut approve {
        results.push(result_file("giay-khai-sinh.pdf"));
    }
    let events = world
        .run(&officer("chu_tich"), approve, "2025-03-03T14:00:00+07:00")
        .unwrap();
    let issued = world.case().result.clone().unwrap();
    assert_eq!(issued.documents, vec![result_file("giay-khai-sinh.pdf")]);
    let topics: Vec<String> = effects_of(None, world.case(), &events[1])
        .into_iter()
        .map(|message| message.topic)
        .collect();
    assert!(
        topics.contains(&"data_store".to_owned()),
        "the result goes to the applicant's data store: {topics:?}"
    );
    assert_eq!(
        describe(&events[1]),
        "Ban hành kết quả KQ-000.00.17.H21-250303-0001, kèm 1 tệp kết quả điện tử"
    );
}

#[test]
fn result_files_belong_to_the_issuing_action_and_a_counter_result_may_come_without() {
    let mut world = online_birth_at_approval();
    let mut forward = action("tra_lai_tham_dinh");
    if let Command::TakeAction {
        results, reason, ..
    } = &mut forward
    {
        results.push(result_file("x.pdf"));
        *reason = Some("Thiếu chữ ký".to_owned());
    }
    let refused = world.run(&officer("chu_tich"), forward, "2025-03-03T14:00:00+07:00");
    assert!(
        matches!(&refused, Err(Rejection::Invalid(problems)) if problems[0].pointer == "/results"),
        "{refused:?}"
    );
    // Received at the counter: no file is needed, and none is sent to the data store.
    let mut world = birth_at_approval(BIRTH, Some(Delivery::Counter));
    let events = world
        .run(
            &officer("chu_tich"),
            action("phe_duyet"),
            "2025-03-03T14:00:00+07:00",
        )
        .unwrap();
    assert!(
        !effects_of(None, world.case(), &events[1])
            .iter()
            .any(|message| message.topic == "data_store")
    );
}

#[test]
fn the_judicial_record_takes_foreigners_and_the_feedback_takes_everyone() {
    let record = Procedure::load("t.toml", RECORD).unwrap();
    assert_eq!(
        record.applicant_kinds(),
        [ApplicantKind::Citizen, ApplicantKind::Foreigner]
    );
    let feedback = Procedure::load("t.toml", FEEDBACK).unwrap();
    assert_eq!(feedback.applicant_kinds(), ApplicantKind::ALL);
    let birth = Procedure::load("t.toml", BIRTH).unwrap();
    assert_eq!(birth.applicant_kinds(), [ApplicantKind::Citizen]);
    // A file listing no kind, or one twice, is refused at its line.
    for (kinds, message) in [
        ("[]", "accepts no kind"),
        ("[\"citizen\", \"citizen\"]", "listed twice"),
    ] {
        let text = BIRTH.replacen(
            "[result]",
            &format!("[applicants]\nkinds = {kinds}\n\n[result]"),
            1,
        );
        let error = Procedure::load("t.toml", &text).unwrap_err().to_string();
        assert!(error.contains(message), "{error}");
    }
}

#[test]
fn an_approval_that_does_not_issue_the_result_takes_no_file_and_issues_nothing() {
    // A procedure whose approval leaves the result to `issue_result`.
    let text = BIRTH.replace(
        "effects = [\"issue_result\", \"notify\"]",
        "effects = [\"notify\"]",
    );
    assert_ne!(text, BIRTH);
    let mut world = birth_at_approval(&text, None);
    let mut with_file = action("phe_duyet");
    if let Command::TakeAction { results, .. } = &mut with_file {
        results.push(result_file("x.pdf"));
    }
    assert_eq!(
        pointers(world.run(&officer("chu_tich"), with_file, "2025-03-03T14:00:00+07:00")),
        vec!["/results"]
    );
    let approved = world
        .run(
            &officer("chu_tich"),
            action("phe_duyet"),
            "2025-03-03T14:00:00+07:00",
        )
        .unwrap();
    assert_eq!(approved.len(), 1, "approved, no result yet");
    assert!(world.case().result.is_none());
}

#[test]
fn a_lookup_key_is_capital_letters_and_digits() {
    for (key, valid) in [
        ("K7M2Q9XA", true),
        ("K7M2Q9XAB3C4D5E6", true),
        ("K7M2Q9X", false),
        ("K7M2Q9XAB3C4D5E6F", false),
        ("k7m2q9xa", false),
        ("K7M2-Q9XA", false),
    ] {
        let mut world = World::new(BIRTH);
        let mut submission = birth_submission();
        submission.lookup_key = Some(key.to_owned());
        let outcome = world.run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        );
        assert_eq!(outcome.is_ok(), valid, "{key}: {outcome:?}");
        if !valid {
            assert_eq!(pointers(outcome), vec!["/lookup_key"]);
        }
    }
}
