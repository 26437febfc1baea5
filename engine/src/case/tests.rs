//! Scenario tests of real paths through real procedures, every denial, and a property test over
//! random command sequences from random actors.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;
use crate::clock::Calendars;
use crate::money::Money;
use crate::procedure::{ChannelKind, Outcome, Procedure};

const BIRTH: &str = include_str!("../../../procedures/1.001193-dang-ky-khai-sinh.toml");
const EXTRACT: &str =
    include_str!("../../../procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml");
const MARRIAGE: &str = include_str!("../../../procedures/1.000894-dang-ky-ket-hon.toml");
const CITIZEN: &str = "001090000001";
const OTHER_CITIZEN: &str = "001090000002";

fn calendars() -> Calendars {
    crate::clock::shipped_years(&[2025, 2026])
}

fn unit(code: &str) -> UnitId {
    UnitId::parse(code).unwrap()
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn officer(role: &str) -> Actor {
    Actor::officer(format!("officer-{role}"), role, unit("000.00.17.H21"))
}

fn citizen() -> Actor {
    Actor::citizen(CITIZEN)
}

/// A dossier driven through decide → seal → evolve, as the service does.
struct World {
    procedure: Procedure,
    calendars: Calendars,
    directory: Directory,
    events: Vec<Event>,
    case: Option<Case>,
    commands: u32,
}

impl World {
    fn new(text: &str) -> Self {
        Self {
            procedure: Procedure::load("test.toml", text).unwrap(),
            calendars: calendars(),
            directory: Directory::single_units(),
            events: Vec::new(),
            case: None,
            commands: 0,
        }
    }

    fn run(&mut self, actor: &Actor, command: Command, now: &str) -> Result<Vec<Event>, Rejection> {
        let now = at(now);
        let context = Context {
            procedure: &self.procedure,
            calendars: &self.calendars,
            directory: &self.directory,
        };
        let kinds = decide(&context, self.case.as_ref(), actor, &command, now)?;
        self.commands += 1;
        let new: Vec<NewEvent> = kinds
            .into_iter()
            .map(|kind| NewEvent {
                at: now,
                actor: actor.clone(),
                kind,
                command_id: format!("command-{}", self.commands),
            })
            .collect();
        let code = match &self.case {
            Some(case) => case.code.clone(),
            None => DossierCode::new(unit("000.00.17.H21"), now.date_naive(), 1).unwrap(),
        };
        let (version, last) = self
            .case
            .as_ref()
            .map_or((0, GENESIS_HASH.to_owned()), |case| {
                (case.version, case.last_hash.clone())
            });
        let sealed = seal(&code, version, &last, new);
        for event in &sealed {
            self.case = Some(evolve(self.case.take(), event).unwrap());
        }
        self.events.extend(sealed.iter().cloned());
        Ok(sealed)
    }

    fn case(&self) -> &Case {
        self.case.as_ref().unwrap()
    }

    /// Form 01 as it reads now.
    fn receipt(&self) -> crate::forms::OfficialForm {
        crate::forms::official_form(
            "01",
            self.case(),
            &self.events,
            &self.procedure,
            &self.calendars,
        )
        .unwrap()
    }

    fn submit_birth(&mut self, now: &str) {
        self.run(&citizen(), Command::Submit(birth_submission()), now)
            .unwrap();
    }
}

fn birth_submission() -> Submission {
    let form: Map<String, Value> = json!({
        "ho_ten_tre": "Nguyễn Văn An",
        "ngay_sinh": "2025-01-10",
        "gioi_tinh": "Nam",
        "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
        "so_dinh_danh_nguoi_yeu_cau": CITIZEN,
    })
    .as_object()
    .unwrap()
    .clone();
    Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit("000.00.17.H21"),
        applicant: Applicant {
            citizen_id: CITIZEN.to_owned(),
            name: "Nguyễn Văn Bình".to_owned(),
            phone: Some("+84 912 345 678".to_owned()),
            email: Some("binh@example.vn".to_owned()),
        },
        form,
        documents: vec![
            document("to_khai"),
            DocumentRef {
                component: "giay_chung_sinh".to_owned(),
                name: "Giấy chứng sinh".to_owned(),
                sha256: None,
                size: None,
                provenance: Provenance::DataStore,
                reference: Some("kho-du-lieu/123".to_owned()),
            },
        ],
    }
}

fn document(component: &str) -> DocumentRef {
    DocumentRef {
        component: component.to_owned(),
        name: format!("{component}.pdf"),
        sha256: Some("a".repeat(64)),
        size: Some(1024),
        provenance: Provenance::Upload,
        reference: None,
    }
}

fn action(id: &str) -> Command {
    Command::TakeAction {
        action: id.to_owned(),
        reason: None,
        data: Map::new(),
    }
}

#[test]
fn a_birth_registration_is_received_processed_and_returned_the_same_day() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    assert_eq!(world.case().status, Status::Registered);
    assert_eq!(world.case().applicant.phone.as_deref(), Some("0912345678"));
    assert_eq!(world.case().code.to_string(), "000.00.17.H21-250303-0001");

    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert_eq!(case.status, Status::Received);
    assert_eq!(case.step.as_deref(), Some("tiep_nhan"));
    assert_eq!(
        case.appointment,
        Some(at("2025-03-03T17:00:00+07:00")),
        "same day: closing time"
    );
    assert_eq!(
        case.step_due(),
        Some(at("2025-03-03T10:30:00+07:00")),
        "1 working hour"
    );
    assert_eq!(
        case.calendar_version.as_deref(),
        Some(world.calendars.version())
    );

    world
        .run(
            &officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00",
        )
        .unwrap();
    world
        .run(
            &officer("tu_phap"),
            action("trinh_ky"),
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    let approved = world
        .run(
            &officer("chu_tich"),
            action("phe_duyet"),
            "2025-03-03T14:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        approved.len(),
        2,
        "approval issues the e-result as its effect"
    );
    assert_eq!(world.case().status, Status::Resolved);
    assert_eq!(world.case().outcome, Some(Outcome::Approved));
    assert_eq!(
        world.case().result.as_ref().unwrap().code,
        "KQ-000.00.17.H21-250303-0001"
    );

    world
        .run(
            &officer("mot_cua"),
            Command::ReturnResult,
            "2025-03-03T15:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::ResultReturned);
    assert_eq!(world.case().visits.len(), 3);
    verify_chain(&world.case().code, &world.events).unwrap();
    assert_eq!(replay(&world.events).unwrap().as_ref(), world.case.as_ref());
}

#[test]
fn a_supplement_during_processing_restarts_the_legal_clock() {
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
    world
        .run(
            &officer("tu_phap"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "giay_chung_sinh".to_owned(),
                    note: "Bản chụp mờ, không đọc được".to_owned(),
                }],
                reason: "Giấy chứng sinh không rõ".to_owned(),
            },
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::SupplementRequested);
    assert_eq!(world.case().pauses.len(), 1);

    // Resubmitted on Friday after the cut-off: the same-day limit restarts and lands on Monday.
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("giay_chung_sinh")],
            },
            "2025-03-07T16:00:00+07:00",
        )
        .unwrap();
    let case = world.case();
    assert_eq!(case.status, Status::Processing);
    assert_eq!(case.step.as_deref(), Some("tham_dinh"));
    assert_eq!(case.appointment, Some(at("2025-03-10T17:00:00+07:00")));
    assert_eq!(case.clock_started_at, Some(at("2025-03-07T16:00:00+07:00")));
    assert_eq!(
        case.pauses[0].ended_at,
        Some(at("2025-03-07T16:00:00+07:00"))
    );

    let second = world.run(
        &officer("tu_phap"),
        Command::RequestSupplement {
            missing: vec![MissingDocument {
                document: "to_khai".to_owned(),
                note: "x".to_owned(),
            }],
            reason: "again".to_owned(),
        },
        "2025-03-10T08:00:00+07:00",
    );
    assert!(matches!(second, Err(Rejection::NotNow(why)) if why.contains("already requested")));
}

#[test]
fn a_supplement_at_intake_returns_to_the_desk_and_the_clock_starts_at_receipt() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "to_khai".to_owned(),
                    note: "Thiếu chữ ký".to_owned(),
                }],
                reason: "Tờ khai chưa ký".to_owned(),
            },
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    world
        .run(
            &citizen(),
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("to_khai")],
            },
            "2025-03-04T08:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::Registered);
    assert_eq!(world.case().appointment, None);
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-04T08:30:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-04T17:00:00+07:00"))
    );
}

#[test]
fn refusal_at_intake_and_withdrawal_close_the_dossier() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    let refused = world.run(
        &officer("mot_cua"),
        Command::RefuseIntake {
            reason: "   ".to_owned(),
        },
        "2025-03-03T09:10:00+07:00",
    );
    assert!(
        matches!(refused, Err(Rejection::Invalid(problems)) if problems[0].pointer == "/reason")
    );
    world
        .run(
            &officer("mot_cua"),
            Command::RefuseIntake {
                reason: "Không thuộc thẩm quyền".to_owned(),
            },
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::NotReceived);
    let withdraw = world.run(
        &citizen(),
        Command::Withdraw {
            reason: String::new(),
        },
        "2025-03-03T09:20:00+07:00",
    );
    assert!(matches!(withdraw, Err(Rejection::NotNow(_))));

    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    let stranger = world.run(
        &Actor::citizen(OTHER_CITIZEN),
        Command::Withdraw {
            reason: String::new(),
        },
        "2025-03-03T09:40:00+07:00",
    );
    assert!(matches!(stranger, Err(Rejection::Forbidden(_))));
    world
        .run(
            &citizen(),
            Command::Withdraw {
                reason: "Nộp nhầm".to_owned(),
            },
            "2025-03-03T09:40:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::Withdrawn);
    assert_eq!(world.case().step, None);
    assert!(
        timers_of(
            world.case(),
            &world.calendars,
            world.procedure.definition().clock.warn_before
        )
        .is_empty(),
        "a closed dossier needs no timers"
    );
}

#[test]
fn every_denial_names_who_may_act() {
    let mut world = World::new(BIRTH);
    // A citizen cannot submit in someone else's name, nor at the counter.
    let mut other = birth_submission();
    other.applicant.citizen_id = OTHER_CITIZEN.to_owned();
    assert!(matches!(
        world.run(
            &citizen(),
            Command::Submit(other),
            "2025-03-03T09:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    let mut direct = birth_submission();
    direct.channel = ChannelKind::Direct;
    assert!(matches!(
        world.run(
            &citizen(),
            Command::Submit(direct.clone()),
            "2025-03-03T09:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    // An officer of another role cannot enter a counter dossier.
    assert!(matches!(
        world.run(
            &officer("tu_phap"),
            Command::Submit(direct),
            "2025-03-03T09:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));

    world.submit_birth("2025-03-03T09:00:00+07:00");
    for actor in [
        citizen(),
        officer("tu_phap"),
        Actor::officer("x", "mot_cua", unit("000.00.18.H21")),
        Actor::system("timer"),
    ] {
        let denied = world.run(&actor, Command::Receive, "2025-03-03T09:10:00+07:00");
        assert!(
            matches!(&denied, Err(Rejection::Forbidden(why)) if why.contains("`mot_cua`")),
            "{actor:?}: {denied:?}"
        );
    }
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    // Wrong role for the action; right role, wrong unit; wrong step.
    let wrong_role = world.run(
        &officer("tu_phap"),
        action("chuyen_tham_dinh"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&wrong_role, Err(Rejection::Forbidden(why)) if why.contains("it is for: mot_cua")),
        "{wrong_role:?}"
    );
    let other_unit = world.run(
        &Actor::officer("y", "mot_cua", unit("000.00.18.H21")),
        action("chuyen_tham_dinh"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&other_unit, Err(Rejection::Forbidden(why)) if why.contains("held by unit 000.00.17.H21")),
        "{other_unit:?}"
    );
    let wrong_step = world.run(
        &officer("chu_tich"),
        action("phe_duyet"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&wrong_step, Err(Rejection::NotNow(why)) if why.contains("from step `ky_duyet`")),
        "{wrong_step:?}"
    );
    let unknown = world.run(
        &officer("mot_cua"),
        action("approve_everything"),
        "2025-03-03T10:00:00+07:00",
    );
    assert!(
        matches!(&unknown, Err(Rejection::Invalid(problems)) if problems[0].message.contains("chuyen_tham_dinh")),
        "{unknown:?}"
    );
    // A citizen cannot take officers' actions, and the system cannot either.
    assert!(matches!(
        world.run(
            &citizen(),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    assert!(matches!(
        world.run(
            &Actor::system("x"),
            action("chuyen_tham_dinh"),
            "2025-03-03T10:00:00+07:00"
        ),
        Err(Rejection::Forbidden(_))
    ));
    // Only hoso's timers raise deadlines.
    let raise = Command::RaiseDeadline {
        deadline: Deadline::Appointment,
        passed: true,
    };
    assert!(matches!(
        world.run(&officer("mot_cua"), raise, "2025-03-04T10:00:00+07:00"),
        Err(Rejection::Forbidden(_))
    ));
    assert_eq!(world.case().version, 2, "refusals wrote nothing");
}

#[test]
fn refusing_to_resolve_needs_reasons_and_still_returns() {
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
    assert!(matches!(
        world.run(
            &officer("tu_phap"),
            action("tu_choi"),
            "2025-03-03T10:30:00+07:00"
        ),
        Err(Rejection::Invalid(_))
    ));
    let refuse = Command::TakeAction {
        action: "tu_choi".to_owned(),
        reason: Some("Giấy chứng sinh giả".to_owned()),
        data: Map::new(),
    };
    world
        .run(&officer("tu_phap"), refuse, "2025-03-03T10:30:00+07:00")
        .unwrap();
    assert_eq!(world.case().outcome, Some(Outcome::Refused));
    assert!(matches!(
        world.run(
            &officer("mot_cua"),
            Command::IssueResult { result_code: None },
            "2025-03-03T11:00:00+07:00"
        ),
        Err(Rejection::NotNow(_))
    ));
    world
        .run(
            &officer("mot_cua"),
            Command::ReturnResult,
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().status, Status::ResultReturned);
}

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
        },
        form: json!({ "loai_su_kien": "khai_sinh", "so_ban_sao": copies, "mien_phi": exempt })
            .as_object()
            .unwrap()
            .clone(),
        documents: vec![document("to_khai")],
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
        matches!(&refused, Err(Rejection::NotNow(why)) if why.contains("owes 16.000 đ")),
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
fn an_apology_extends_once_and_only_before_the_appointment() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
        )
        .unwrap();
    let extend = |new: &str| Command::ApologizeAndExtend {
        reason: "Chờ xác minh".to_owned(),
        new_appointment: at(new),
    };
    let late = world.run(
        &officer("mot_cua"),
        extend("2025-03-05T17:00:00+07:00"),
        "2025-03-03T17:30:00+07:00",
    );
    assert!(
        matches!(&late, Err(Rejection::NotNow(why)) if why.contains("before the appointment")),
        "{late:?}"
    );
    let backwards = world.run(
        &officer("mot_cua"),
        extend("2025-03-03T16:00:00+07:00"),
        "2025-03-03T14:00:00+07:00",
    );
    assert!(matches!(backwards, Err(Rejection::Invalid(_))));
    world
        .run(
            &officer("mot_cua"),
            extend("2025-03-05T17:00:00+07:00"),
            "2025-03-03T14:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-05T17:00:00+07:00"))
    );
    assert_eq!(
        world.case().original_appointment,
        Some(at("2025-03-03T17:00:00+07:00"))
    );
    let twice = world.run(
        &officer("mot_cua"),
        extend("2025-03-06T17:00:00+07:00"),
        "2025-03-04T09:00:00+07:00",
    );
    assert!(
        matches!(&twice, Err(Rejection::NotNow(why)) if why.contains("once")),
        "{twice:?}"
    );
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
        matches!(&unchanged, Err(Rejection::NotNow(why)) if why.contains("already match")),
        "{unchanged:?}"
    );
    // The operator learns 4/3/2025 was a day off and corrects the calendar file.
    let corrected = include_str!("../../../fixtures/calendars/2025.toml").replace(
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

#[test]
fn bad_submissions_name_every_bad_field() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission
        .form
        .insert("gioi_tinh".to_owned(), json!("Khác"));
    submission
        .form
        .insert("ngay_sinh".to_owned(), json!("10/01/2025"));
    submission.form.insert("ho_ten_tre".to_owned(), json!(42));
    submission.form.insert("ten_me".to_owned(), json!("x"));
    submission.form.remove("noi_sinh");
    submission.applicant.citizen_id = "12345".to_owned();
    submission.applicant.phone = Some("12".to_owned());
    submission
        .documents
        .retain(|document| document.component != "giay_chung_sinh");
    submission.documents.push(document("giay_ket_hon"));
    let Err(Rejection::Invalid(problems)) = world.run(
        &Actor::citizen("12345"),
        Command::Submit(submission),
        "2025-03-03T09:00:00+07:00",
    ) else {
        panic!("must be invalid");
    };
    let pointers: Vec<&str> = problems
        .iter()
        .map(|problem| problem.pointer.as_str())
        .collect();
    for expected in [
        "/applicant/citizen_id",
        "/applicant/phone",
        "/form/gioi_tinh",
        "/form/ngay_sinh",
        "/form/ho_ten_tre",
        "/form/ten_me",
        "/form/noi_sinh",
        "/documents/1/component",
        "/documents",
    ] {
        assert!(
            pointers.contains(&expected),
            "{expected} missing from {pointers:?}"
        );
    }
    assert!(world.case.is_none(), "nothing written");
}

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
fn the_marriage_verification_branch_sets_the_longer_time_limit() {
    let mut world = World::new(MARRIAGE);
    let submission = Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit("000.00.17.H21"),
        applicant: Applicant { citizen_id: CITIZEN.to_owned(), name: "Lê Văn D".to_owned(), phone: None, email: None },
        form: json!({ "ho_ten_nam": "Lê Văn D", "so_dinh_danh_nam": CITIZEN, "ho_ten_nu": "Phạm Thị E", "so_dinh_danh_nu": OTHER_CITIZEN }).as_object().unwrap().clone(),
        documents: vec![document("to_khai")],
    };
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
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
    world
        .run(
            &officer("tu_phap"),
            action("yeu_cau_xac_minh"),
            "2025-03-03T11:00:00+07:00",
        )
        .unwrap();
    assert_eq!(
        world.case().appointment,
        Some(at("2025-03-10T17:00:00+07:00")),
        "5 working days from receipt"
    );
}

/// Any command a random actor might send.
fn any_command() -> impl Strategy<Value = Command> {
    let actions = prop::sample::select(vec![
        "chuyen_tham_dinh",
        "trinh_ky",
        "tu_choi",
        "tra_lai_tham_dinh",
        "phe_duyet",
        "nonexistent",
    ]);
    prop_oneof![
        Just(Command::Receive),
        Just(Command::RefuseIntake {
            reason: "Không đủ điều kiện".to_owned()
        }),
        Just(Command::RequestSupplement {
            missing: vec![MissingDocument {
                document: "to_khai".to_owned(),
                note: "thiếu".to_owned()
            }],
            reason: "Thiếu".to_owned(),
        }),
        Just(Command::SubmitSupplement {
            form: Map::new(),
            documents: vec![document("to_khai")]
        }),
        (actions, prop::option::of(Just("Lý do".to_owned()))).prop_map(|(action, reason)| {
            Command::TakeAction {
                action: action.to_owned(),
                reason,
                data: Map::new(),
            }
        }),
        Just(Command::Consult {
            unit: unit("000.00.99.H21"),
            question: "Ý kiến?".to_owned()
        }),
        Just(Command::AnswerConsultation {
            consultation: 0,
            answer: "Đồng ý".to_owned()
        }),
        Just(Command::IssueResult { result_code: None }),
        Just(Command::ReturnResult),
        Just(Command::Withdraw {
            reason: String::new()
        }),
        Just(Command::Stop {
            reason: "Theo đề nghị".to_owned()
        }),
        (1_i64..96).prop_map(|hours| Command::ApologizeAndExtend {
            reason: "Chậm".to_owned(),
            new_appointment: at("2025-03-03T17:00:00+07:00") + Duration::hours(hours)
        }),
        (1_u64..20_000).prop_map(|amount| Command::RecordPayment {
            amount: Money::dong(amount),
            reference: "R".to_owned()
        }),
        Just(Command::RecomputeDeadlines {
            reason: "Lịch mới".to_owned()
        }),
        (any::<bool>(), any::<bool>()).prop_map(|(step, passed)| Command::RaiseDeadline {
            deadline: if step {
                Deadline::Step
            } else {
                Deadline::Appointment
            },
            passed
        }),
    ]
}

fn any_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        Just(citizen()),
        Just(Actor::citizen(OTHER_CITIZEN)),
        Just(officer("mot_cua")),
        Just(officer("tu_phap")),
        Just(officer("chu_tich")),
        Just(Actor::officer("z", "tu_phap", unit("000.00.99.H21"))),
        Just(Actor::system("timer")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever anyone sends, in any order: no panic, the dossier only ever sits at declared
    /// steps in a status that fits, the chain verifies, and replay reproduces the state.
    #[test]
    fn random_commands_from_random_actors_never_leave_the_declared_process(
        steps in proptest::collection::vec((any_actor(), any_command(), 0_i64..600), 1..40)
    ) {
        let mut world = World::new(BIRTH);
        world.submit_birth("2025-03-03T08:00:00+07:00");
        let mut now = at("2025-03-03T08:00:00+07:00");
        for (actor, command, minutes) in steps {
            now += Duration::minutes(minutes);
            let before = world.case().clone();
            match world.run(&actor, command, &now.to_rfc3339()) {
                Ok(_) => {}
                Err(_) => prop_assert_eq!(world.case(), &before, "a refusal changed the dossier"),
            }
            let case = world.case();
            if let Some(step) = &case.step {
                prop_assert!(world.procedure.step(step).is_some(), "undeclared step {}", step);
                prop_assert!(matches!(case.status,
                    Status::Received | Status::Processing | Status::SupplementRequested | Status::FinancialObligationRequested));
            } else {
                prop_assert!(!matches!(case.status, Status::Received | Status::Processing));
            }
            prop_assert_eq!(case.outcome.is_some(), matches!(case.status, Status::Resolved | Status::ResultReturned) && case.outcome.is_some());
            prop_assert!(case.supplement_requests <= 1);
            prop_assert!(case.original_appointment.is_none() || case.appointment > case.original_appointment);
        }
        verify_chain(&world.case().code, &world.events).unwrap();
        let replayed = replay(&world.events).unwrap();
        prop_assert_eq!(replayed.as_ref(), world.case.as_ref());
    }
}

#[test]
fn malformed_command_payloads_are_refused_with_what_is_wrong() {
    let cases = [
        (r#"{"command":"receiv"}"#, "unknown variant `receiv`"),
        (r#"{"command":"refuse_intake"}"#, "missing field `reason`"),
        (
            r#"{"command":"refuse_intake","reason":42}"#,
            "invalid type: integer `42`, expected a string",
        ),
        (
            r#"{"command":"record_payment","amount":-5,"reference":"x"}"#,
            "invalid value: integer `-5`",
        ),
        (
            r#"{"command":"consult","unit":"../etc","question":"?"}"#,
            "is not a unit code",
        ),
        (
            r#"{"command":"apologize_and_extend","reason":"x","new_appointment":"tomorrow"}"#,
            "input contains invalid characters",
        ),
        ("not json", "expected ident"),
    ];
    for (payload, expected) in cases {
        let error = serde_json::from_str::<Command>(payload)
            .expect_err(payload)
            .to_string();
        assert!(error.contains(expected), "{payload}: {error}");
    }
}

#[test]
fn each_actor_is_offered_exactly_what_decide_accepts() {
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    let offered = |world: &World, actor: &Actor| {
        let context = Context {
            procedure: &world.procedure,
            calendars: &world.calendars,
            directory: &world.directory,
        };
        available_commands(
            &context,
            world.case(),
            actor,
            at("2025-03-03T09:05:00+07:00"),
        )
    };
    assert_eq!(
        offered(&world, &officer("mot_cua")),
        vec!["receive", "refuse_intake", "request_supplement", "stop"]
    );
    assert_eq!(offered(&world, &citizen()), vec!["withdraw"]);
    assert!(offered(&world, &officer("tu_phap")).is_empty());
    assert!(offered(&world, &Actor::citizen(OTHER_CITIZEN)).is_empty());
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .unwrap();
    assert_eq!(
        offered(&world, &officer("mot_cua")),
        vec![
            "chuyen_tham_dinh",
            "request_supplement",
            "stop",
            "apologize_and_extend",
            "consult"
        ]
    );
}

#[test]
fn the_control_slip_of_a_dossier_through_two_units_judges_each_row_on_the_calendar() {
    use crate::forms::{RowResult, control_slip, control_slip_html};
    let mut world = World::new(BIRTH);
    // The commune chair signs in another unit, as when a district leader signs.
    world
        .directory
        .route(unit("000.00.17.H21"), "lanh_dao_xa", unit("000.00.18.H21"));
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
    let slip = control_slip(world.case(), &procedure, at("2025-03-07T17:00:00+07:00"));
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
    assert_eq!(slip.rows[1].given_by, "officer-mot_cua");
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
    use crate::forms::{FormError, official_form};
    let mut world = World::new(BIRTH);
    world.submit_birth("2025-03-03T09:00:00+07:00");
    world
        .run(
            &officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:30:00+07:00",
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
    let receipt = official_form(
        "01",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
    )
    .unwrap();
    assert_eq!(
        value(&receipt, "appointment"),
        crate::case::format_instant(at("2025-03-03T17:00:00+07:00"))
    );
    assert!(matches!(
        official_form("04", world.case(), &world.events, &procedure, &world.calendars),
        Err(FormError::NotApplicable { why, .. }) if why.contains("never extended")
    ));

    world
        .run(
            &officer("mot_cua"),
            Command::ApologizeAndExtend {
                reason: "Chờ xác minh".to_owned(),
                new_appointment: at("2025-03-05T17:00:00+07:00"),
            },
            "2025-03-03T14:00:00+07:00",
        )
        .unwrap();
    let apology = official_form(
        "04",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
    )
    .unwrap();
    assert_eq!(value(&apology, "reason"), "Chờ xác minh");
    assert_eq!(
        value(&apology, "previous_appointment"),
        crate::case::format_instant(at("2025-03-03T17:00:00+07:00"))
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
            "2025-03-03T15:00:00+07:00",
        )
        .unwrap();
    let supplement = official_form(
        "02",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
    )
    .unwrap();
    assert_eq!(value(&supplement, "reason"), "Giấy chứng sinh không rõ");
    assert_eq!(
        supplement.table.as_ref().map(|table| table.rows.clone()),
        Some(vec![vec![
            "1".to_owned(),
            "giay_chung_sinh".to_owned(),
            "Bản chụp mờ".to_owned()
        ]])
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
    let slip =
        crate::forms::control_slip(world.case(), &procedure, at("2025-03-20T09:00:00+07:00"));
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
    let stop = official_form(
        "05",
        world.case(),
        &world.events,
        &procedure,
        &world.calendars,
    )
    .unwrap();
    assert_eq!(value(&stop, "reason"), "Người yêu cầu không bổ sung");
    assert!(crate::forms::official_form_html(&stop).contains("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"));
    assert!(matches!(
        official_form(
            "07",
            world.case(),
            &world.events,
            &procedure,
            &world.calendars
        ),
        Err(FormError::Unknown(_))
    ));
}

/// 2026 official, 2027 as the shipped draft.
fn calendars_with_draft_2027() -> Calendars {
    crate::clock::shipped_years(&[2026, 2027])
}

/// The official 2027 notice, when it moves a Tết day: Tuesday 9/2 worked, Friday 12/2 off.
fn official_2027_moving_tet() -> Calendars {
    let official = include_str!("../../../fixtures/calendars/2027.toml")
        .replace("provisional = true\n", "")
        .replace("{ date = \"2027-02-09\"", "{ date = \"2027-02-12\"");
    Calendars::load(&[
        (
            "2026.toml".to_owned(),
            include_str!("../../../fixtures/calendars/2026.toml").to_owned(),
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

#[test]
fn submissions_refuse_hidden_characters_and_header_injection_and_keep_names_in_nfc() {
    let mut world = World::new(BIRTH);
    let mut submission = birth_submission();
    submission.applicant.email = Some("binh@example.vn\r\nBcc: all@example.vn".to_owned());
    submission.applicant.name = "Nguyễn Văn\u{202E}Bình".to_owned();
    submission.form.insert(
        "noi_sinh".to_owned(),
        json!("Bệnh viện\u{200B} Phụ sản Hà Nội"),
    );
    submission
        .form
        .insert("ho_ten_tre".to_owned(), json!("Nguyễn\u{0}An"));
    submission.documents[0].name = "Tờ khai\u{2066}".to_owned();
    let refused = world.run(
        &citizen(),
        Command::Submit(submission),
        "2025-03-03T09:00:00+07:00",
    );
    let Err(Rejection::Invalid(problems)) = refused else {
        panic!("{refused:?}");
    };
    let at = |pointer: &str| {
        problems
            .iter()
            .find(|problem| problem.pointer == pointer)
            .map(|problem| problem.message.clone())
            .unwrap_or_else(|| panic!("no problem at {pointer}: {problems:#?}"))
    };
    assert!(at("/applicant/email").contains("without spaces or line breaks"));
    assert!(at("/applicant/name").contains("U+202E"));
    assert!(at("/form/noi_sinh").contains("U+200B"));
    assert!(at("/form/ho_ten_tre").contains("U+0000"));
    assert!(at("/documents/0/name").contains("U+2066"));
    assert!(world.case.is_none(), "nothing was written");

    for bad in [
        "binh@",
        "@example.vn",
        "binh@example",
        "binh@@example.vn",
        "binh @example.vn",
        "binh@example..vn",
        "binh@example.vn.",
    ] {
        assert!(!form::is_email(bad), "{bad}");
    }
    assert!(form::is_email("tran.thi.binh+hoso@so-tu-phap.hanoi.gov.vn"));

    // Decomposed (NFD) Vietnamese, as some keyboards send it, is stored precomposed (NFC).
    let decomposed = "Nguye\u{0302}\u{0303}n Va\u{0306}n Bi\u{0300}nh";
    let mut submission = birth_submission();
    submission.applicant.name = decomposed.to_owned();
    submission.form.insert(
        "noi_sinh".to_owned(),
        json!("Be\u{0323}\u{0302}nh vie\u{0323}\u{0302}n"),
    );
    world
        .run(
            &citizen(),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .unwrap();
    assert_eq!(world.case().applicant.name, "Nguyễn Văn Bình");
    assert_eq!(world.case().form["noi_sinh"], json!("Bệnh viện"));
}
