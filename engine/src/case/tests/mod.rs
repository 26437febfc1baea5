//! Tests of `decide` and `evolve` through real procedures, by family; this file holds what they
//! share: the calendars, actors, a dossier driven as the service drives it, a birth submission.

mod applicants;
mod denials;
mod evidence;
mod feedback;
mod forms_as_issued;
mod indicator_facts;
mod money_and_clock;
mod paths;
mod properties;
mod unit_evidence;
mod units;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;
use crate::clock::Calendars;
use crate::money::Money;
use crate::procedure::{ChannelKind, Outcome, Procedure};

const BIRTH: &str = include_str!("../../../../procedures/1.001193-dang-ky-khai-sinh.toml");
const EXTRACT: &str =
    include_str!("../../../../procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml");
const MARRIAGE: &str = include_str!("../../../../procedures/1.000894-dang-ky-ket-hon.toml");
const THREE_IN_ONE: &str =
    include_str!("../../../../procedures/1.003412-lien-thong-khai-sinh-thuong-tru-bhyt.toml");
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

    /// Routes `kind` from the commune to `to`, adding both units to the directory.
    fn route(&mut self, kind: &str, to: &str) {
        for code in ["000.00.17.H21", to] {
            if self.directory.unit(&unit(code)).is_none() {
                self.directory
                    .add_unit(UnitEntry {
                        code: unit(code),
                        name: format!("Đơn vị {code}"),
                        parent: None,
                        level: None,
                        valid_from: None,
                        place: None,
                        retired: None,
                    })
                    .unwrap();
            }
        }
        let route = Route {
            receiving: unit("000.00.17.H21"),
            kind: kind.to_owned(),
            unit: unit(to),
        };
        self.directory
            .add_route(route, chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap())
            .unwrap();
    }

    fn case(&self) -> &Case {
        self.case.as_ref().unwrap()
    }

    /// Form 01 as it reads now.
    fn receipt(&self) -> crate::forms::OfficialForm {
        crate::forms::issued_form(
            "01",
            self.case(),
            &self.events,
            &self.procedure,
            &self.calendars,
            &self.directory,
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
            ..Default::default()
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
        delivery: None,
        lookup_key: None,
        vneid: false,
        notify: None,
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
        results: Vec::new(),
    }
}
