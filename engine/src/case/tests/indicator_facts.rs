//! The facts Decision 766's indicators read from a real dossier, the portal's way: a supplement
//! request left unanswered ends processing for 2.1, 2.2 counts working days of the calendar's own
//! office day less supplement waits, and the data-store and digitisation facts.

use super::*;
use crate::indicators::{DossierFacts, Period, Timeliness, timeliness};

fn march() -> Period {
    Period {
        from: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
    }
}

fn facts(world: &World) -> DossierFacts {
    DossierFacts::of(
        world.case(),
        &world.events,
        &world.procedure,
        &world.calendars,
        None,
    )
}

#[test]
fn a_supplement_left_unanswered_ends_processing_and_processing_days_use_the_calendars_day() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2026-03-02T08:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2026-03-02T08:30:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2026-03-02T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("tu_phap"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "giay_chung_sinh".to_owned(),
                    note: "Bản chụp mờ".to_owned(),
                }],
                reason: "Giấy chứng sinh không rõ".to_owned(),
            },
            "2026-03-02T10:00:00+07:00",
        )
        .unwrap();
    let waiting = facts(&world);
    assert_eq!(
        waiting.waiting_supplement_since,
        Some(at("2026-03-02T10:00:00+07:00"))
    );
    assert!(!waiting.completed);
    assert_eq!(
        timeliness(&waiting, &march()),
        Some(Timeliness::OnTime),
        "asked once before the appointment: on time although still open on 31/3"
    );
    assert!(waiting.digitised && waiting.data_store && !waiting.population_data);

    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
            "2026-03-03T09:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("tu_phap"),
            action("trinh_ky"),
            "2026-03-03T10:00:00+07:00",
        )
        .unwrap();
    // A result number without its file is not an e-result for the portal (4.1, 4.2).
    let mut without_file = World::new(BIRTH);
    without_file.events = world.events.clone();
    without_file.case = world.case.clone();
    without_file
        .run(
            &officer("chu_tich"),
            action("phe_duyet"),
            "2026-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert!(!facts(&without_file).e_result);
    world
        .run(
            &officer("chu_tich"),
            Command::TakeAction {
                action: "phe_duyet".to_owned(),
                reason: None,
                data: Map::new(),
                results: vec![ResultDocument {
                    name: "giay-khai-sinh.pdf".to_owned(),
                    sha256: "c".repeat(64),
                    size: 4096,
                    signed: true,
                    signers: vec!["Phạm Minh Đức".to_owned()],
                }],
            },
            "2026-03-03T11:00:00+07:00",
        )
        .unwrap();
    let done = facts(&world);
    assert!(done.e_result, "the signed file makes it an e-result");
    assert_eq!(done.waiting_supplement_since, None);
    assert!(done.completed);
    // Mon 08:30–11:30 and 13:30–17:00, Tue 07:30–11:00 = 10 h, less the wait from Mon 10:00 to
    // Tue 09:00 (1.5 + 3.5 + 1.5 = 6.5 h) = 3.5 h = 0.4667 of a 7.5-hour day.
    assert_eq!(done.processing_hours, Some(3.5));
    let days = done.processing_days.unwrap();
    assert!((days - 3.5 / 7.5).abs() < 1e-9, "{days}");
}

#[test]
fn one_attached_paper_makes_a_dossier_digitised_and_a_database_paper_uses_population_data() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.documents[1].provenance = Provenance::Database;
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2026-03-02T08:00:00+07:00",
        )
        .unwrap();
    // A paper handed in at the counter and not scanned: neither a file nor a reference.
    let mut case = world.case().clone();
    case.documents.push(DocumentRef {
        component: "giay_to_khac".to_owned(),
        name: "Bản giấy nộp tại quầy".to_owned(),
        sha256: None,
        size: None,
        provenance: Provenance::Scan,
        reference: None,
    });
    let facts = DossierFacts::of(
        &case,
        &world.events,
        &world.procedure,
        &world.calendars,
        None,
    );
    assert!(
        facts.digitised,
        "one digitised component is enough (the portal's 4.2)"
    );
    assert!(facts.population_data);
    assert!(!facts.data_store);
    case.documents
        .retain(|document| document.sha256.is_none() && document.reference.is_none());
    let bare = DossierFacts::of(
        &case,
        &world.events,
        &world.procedure,
        &world.calendars,
        None,
    );
    assert!(!bare.digitised, "no file and no reference: not digitised");
}

#[test]
fn a_result_handed_over_only_online_is_no_paper_result() {
    let mut paper = World::new(BIRTH);
    paper.submit_birth("2026-03-02T08:00:00+07:00");
    assert!(
        facts(&paper).paper_result,
        "a birth may be collected at the counter or by post: its result is on paper (4.1)"
    );
    let online_only = BIRTH.replace(
        r#"delivery = ["online", "postal", "counter"]"#,
        r#"delivery = ["online"]"#,
    );
    assert_ne!(online_only, BIRTH, "the birth procedure's delivery line");
    let mut online = World::new(&online_only);
    online.submit_birth("2026-03-02T08:00:00+07:00");
    assert!(!facts(&online).paper_result);
}
