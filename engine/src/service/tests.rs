//! The service over the in-memory ports: no database, no runtime (the memory store's
//! futures are ready at once).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{Catalogue, Request, Service, ServiceError, Target};
use crate::case::{
    Actor, Applicant, Command, DocumentRef, Provenance, Rejection, Submission, UnitId,
};
use crate::ports::Dossiers as _;
use crate::ports::memory::MemoryStore;
use crate::procedure::{ChannelKind, Procedure, ProcedureCode};

const BIRTH: &str = include_str!("../../../procedures/1.001193-dang-ky-khai-sinh.toml");
const UNIT: &str = "000.00.17.H21";
const CITIZEN: &str = "001090000001";

fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

fn service() -> Service<MemoryStore> {
    let mut catalogue = Catalogue::new();
    catalogue.insert(Procedure::load("birth.toml", BIRTH).expect("procedure"));
    Service::new(
        MemoryStore::new(),
        catalogue,
        crate::clock::shipped_years(&[2025, 2026]),
        crate::case::Directory::single_units(),
    )
}

fn request(actor: Actor, target: Target, command: Command) -> Request {
    Request {
        command_id: next_command_id(),
        actor,
        target,
        expected_version: None,
        command,
    }
}

fn next_command_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("command-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn desk() -> Actor {
    Actor::officer("desk", "mot_cua", UnitId::parse(UNIT).expect("unit"))
}

fn submit(service: &Service<MemoryStore>) -> crate::case::Case {
    let document = |component: &str| DocumentRef {
        component: component.to_owned(),
        name: format!("{component}.pdf"),
        sha256: Some("a".repeat(64)),
        size: Some(1024),
        provenance: Provenance::Upload,
        reference: None,
    };
    let form = json!({
        "ho_ten_tre": "Nguyễn Văn An",
        "ngay_sinh": "2025-01-10",
        "gioi_tinh": "Nam",
        "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
        "so_dinh_danh_nguoi_yeu_cau": CITIZEN,
    });
    let submission = Submission {
        channel: ChannelKind::Online,
        receiving_unit: UnitId::parse(UNIT).expect("unit"),
        applicant: Applicant {
            citizen_id: CITIZEN.to_owned(),
            name: "Nguyễn Văn Bình".to_owned(),
            phone: None,
            email: Some("binh@example.vn".to_owned()),
            ..Default::default()
        },
        form: form.as_object().expect("object").clone(),
        documents: vec![document("to_khai"), document("giay_chung_sinh")],
        delivery: None,
        lookup_key: None,
        vneid: false,
        notify: None,
    };
    let submitted = request(
        Actor::citizen(CITIZEN),
        Target::New(ProcedureCode::parse("1.001193").expect("code")),
        Command::Submit(submission),
    );
    run(service.execute(submitted, at("2025-03-03T09:00:00+07:00")))
        .expect("submitted")
        .case
}

#[test]
fn the_catalogue_lists_each_code_once_with_its_current_version() {
    let service = service();
    let mut newer = Procedure::load("birth.toml", BIRTH)
        .expect("procedure")
        .definition()
        .clone();
    newer.version = 3;
    service.add_procedure(Procedure::from_definition(newer).expect("valid"));
    let catalogue = service.catalogue();
    assert_eq!(catalogue.codes(), vec!["1.001193".to_owned()]);
    assert_eq!(catalogue.current("1.001193").map(|p| p.version()), Some(3));
    assert_eq!(
        catalogue.len(),
        2,
        "both versions stay for the dossiers pinned to them"
    );
}

fn inbox(service: &Service<MemoryStore>, role: &str) -> Vec<crate::case::DossierCode> {
    run(service
        .store()
        .inbox(&UnitId::parse(UNIT).expect("unit"), role, 50))
    .expect("inbox")
    .into_iter()
    .map(|row| row.code)
    .collect()
}

#[test]
fn the_dossier_waits_in_the_inbox_of_whoever_must_act_next() {
    let service = service();
    let code = submit(&service).code;
    let send = |actor: Actor, command: Command, now: &str| {
        run(service.execute(
            request(actor, Target::Existing(code.clone()), command),
            at(now),
        ))
        .expect("accepted")
    };
    assert_eq!(inbox(&service, "mot_cua"), vec![code.clone()]);
    send(
        desk(),
        Command::RequestSupplement {
            missing: vec![crate::case::MissingDocument {
                document: "to_khai".to_owned(),
                note: "Thiếu chữ ký".to_owned(),
            }],
            reason: "Tờ khai chưa ký".to_owned(),
        },
        "2025-03-03T09:10:00+07:00",
    );
    assert!(
        inbox(&service, "mot_cua").is_empty(),
        "the applicant must act"
    );
    send(
        Actor::citizen(CITIZEN),
        Command::SubmitSupplement {
            form: serde_json::Map::new(),
            documents: vec![DocumentRef {
                component: "to_khai".to_owned(),
                name: "to_khai.pdf".to_owned(),
                sha256: Some("b".repeat(64)),
                size: Some(2048),
                provenance: Provenance::Upload,
                reference: None,
            }],
        },
        "2025-03-04T08:00:00+07:00",
    );
    assert_eq!(
        inbox(&service, "mot_cua"),
        vec![code.clone()],
        "back at the desk"
    );
    send(desk(), Command::Receive, "2025-03-04T08:30:00+07:00");
    send(
        desk(),
        Command::TakeAction {
            action: "chuyen_tham_dinh".to_owned(),
            reason: None,
            data: serde_json::Map::new(),
            results: Vec::new(),
        },
        "2025-03-04T08:40:00+07:00",
    );
    assert!(inbox(&service, "mot_cua").is_empty());
    assert_eq!(
        inbox(&service, "tu_phap"),
        vec![code],
        "the appraising step's role"
    );
}

#[test]
fn rebuilding_rewrites_only_the_projections_that_differ_from_their_events() {
    let service = service();
    let submitted = submit(&service);
    let second = submit(&service).code;
    let received = run(service.execute(
        request(desk(), Target::Existing(second.clone()), Command::Receive),
        at("2025-03-03T09:10:00+07:00"),
    ))
    .expect("received")
    .case;
    let clean = run(service.rebuild_projections()).expect("rebuilt");
    assert_eq!((clean.dossiers, clean.rewritten), (2, 0));
    // The second dossier's projection is put back to before its receipt.
    let mut stale = received.clone();
    stale.status = submitted.status;
    stale.version = 1;
    run(service.store().replace_projection(&stale, None)).expect("replaced");
    let repaired = run(service.rebuild_projections()).expect("rebuilt");
    assert_eq!((repaired.dossiers, repaired.rewritten), (2, 1));
    assert_eq!(
        run(service.store().load(&second)).expect("load"),
        Some(received)
    );
}

#[test]
fn calendars_put_in_force_are_the_ones_the_service_decides_with() {
    let service = service();
    assert_eq!(
        service.calendars().years().collect::<Vec<_>>(),
        vec![2025, 2026]
    );
    service.replace_calendars(crate::clock::shipped_years(&[2025, 2026, 2027]));
    assert_eq!(
        service.calendars().years().collect::<Vec<_>>(),
        vec![2025, 2026, 2027]
    );
    assert!(Catalogue::new().is_empty());
    assert!(!service.catalogue().is_empty());
    assert_eq!(service.catalogue().iter().count(), 1);
}

/// Another officer receives the dossier after `read` was taken.
fn receive_meanwhile(service: &Service<MemoryStore>, read: &crate::case::Case) {
    let first = request(
        desk(),
        Target::Existing(read.code.clone()),
        Command::Receive,
    );
    run(service.execute(first, at("2025-03-03T09:10:00+07:00"))).expect("received");
}

#[test]
fn a_command_on_a_read_that_went_stale_is_decided_again_on_a_fresh_read() {
    let service = service();
    let read = submit(&service);
    receive_meanwhile(&service, &read);
    let again = request(
        desk(),
        Target::Read(Box::new(read.clone())),
        Command::Receive,
    );
    let outcome = run(service.execute(again, at("2025-03-03T09:11:00+07:00")));
    assert!(
        matches!(outcome, Err(ServiceError::Rejected(Rejection::NotNow(_)))),
        "decided on the fresh state, where it is already received: {outcome:?}"
    );
}

#[test]
fn a_refusal_on_a_read_that_went_stale_is_decided_again_on_a_fresh_read() {
    let service = service();
    let read = submit(&service);
    // Not yet received when read, so forwarding it would be refused; received meanwhile.
    receive_meanwhile(&service, &read);
    let forward = Command::TakeAction {
        action: "chuyen_tham_dinh".to_owned(),
        reason: None,
        data: serde_json::Map::new(),
        results: Vec::new(),
    };
    let forwarded = request(
        desk(),
        Target::Read(Box::new(read.clone())),
        forward.clone(),
    );
    let executed = run(service.execute(forwarded, at("2025-03-03T09:11:00+07:00")))
        .expect("decided on the fresh read, where it may be forwarded");
    assert_eq!(executed.case.step.as_deref(), Some("tham_dinh"));
    // A refusal on a read that is still current stands, and reads nothing more to decide.
    let repeated = request(
        desk(),
        Target::Read(Box::new(executed.case.clone())),
        Command::Receive,
    );
    let outcome = run(service.execute(repeated, at("2025-03-03T09:12:00+07:00")));
    assert!(
        matches!(outcome, Err(ServiceError::Rejected(_))),
        "{outcome:?}"
    );
    let _ = forward;
}

#[test]
fn a_command_that_names_the_version_it_saw_conflicts_instead() {
    let service = service();
    let read = submit(&service);
    receive_meanwhile(&service, &read);
    let mut again = request(
        desk(),
        Target::Read(Box::new(read.clone())),
        Command::Receive,
    );
    again.expected_version = Some(read.version);
    let outcome = run(service.execute(again, at("2025-03-03T09:11:00+07:00")));
    assert!(
        matches!(outcome, Err(ServiceError::Conflict { expected, actual, .. }) if expected == read.version && actual == read.version + 2),
        "{outcome:?}"
    );
}

#[test]
fn a_fresh_read_is_decided_as_read_and_a_retry_returns_the_first_result() {
    let service = service();
    let read = submit(&service);
    let received = request(
        desk(),
        Target::Read(Box::new(read.clone())),
        Command::Receive,
    );
    let first =
        run(service.execute(received.clone(), at("2025-03-03T09:10:00+07:00"))).expect("received");
    assert!(!first.replayed);
    assert_eq!(
        first.case.version,
        read.version + 2,
        "the receipt and its Form 01"
    );
    let retried = run(service.execute(received, at("2025-03-03T09:20:00+07:00"))).expect("retry");
    assert!(retried.replayed, "the same command id is the first result");
    assert_eq!(retried.events, first.events);
    let events = run(service.store().events(&read.code)).expect("events");
    assert_eq!(
        events.len() as u64,
        first.case.version,
        "nothing written twice"
    );
}

#[test]
fn a_replaced_directory_is_the_one_commands_are_decided_on() {
    let service = service();
    assert!(service.directory().is_empty());
    // A directory without the dossier's receiving unit: the submission is refused by it.
    let mut directory = crate::case::Directory::default();
    directory
        .add_unit(crate::case::UnitEntry {
            code: UnitId::parse("000.00.18.H21").expect("unit"),
            name: "Công an xã".to_owned(),
            parent: None,
            level: None,
            valid_from: None,
            place: None,
            retired: None,
        })
        .expect("added");
    service.replace_directory(directory.clone());
    assert_eq!(*service.directory(), directory);
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| submit(&service)));
    assert!(
        refused.is_err(),
        "the receiving unit is not in the directory now"
    );
    service.replace_directory(crate::case::Directory::single_units());
    submit(&service);
}
