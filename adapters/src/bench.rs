//! The `hoso bench` workload: birth registrations walked from submission to the returned result
//! through the same [`Service`] the HTTP API runs (decide, seal, chain, projection, outbox rows,
//! timers, one store transaction per command), by concurrent clients, each command timed.
//!
//! Every dossier: submit → receive → forward to appraisal → (one in five: supplement requested and
//! resubmitted) → submit for signature → approve → return. Instants are simulated office hours on
//! 2026 Mondays, so the legal clock does real work and runs are reproducible.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};
use hoso_engine::case::{
    Actor, Applicant, Command, DocumentRef, DossierCode, MissingDocument, Provenance, Submission,
    UnitId,
};
use hoso_engine::clock::vietnam;
use hoso_engine::procedure::{ChannelKind, ProcedureCode};
use hoso_engine::service::{Request, Service, ServiceError, Target};
use serde_json::{Map, Value, json};

use crate::store::AnyStore;

/// The procedure every bench dossier follows: birth registration (đăng ký khai sinh).
pub const PROCEDURE: &str = "1.001193";

/// Receiving units the dossiers are spread over (a unit numbers at most 9,999 dossiers a day).
const UNITS: usize = 50;
/// Dossiers per unit per simulated day, under the 9,999 the dossier code allows.
const PER_UNIT_DAY: usize = 9_000;

/// Which dossiers of a run also get a supplement request and resubmission (every fifth: 20 %).
pub fn gets_supplement(index: usize) -> bool {
    index % 5 == 4
}

/// What a workload run measured.
#[derive(Debug, Clone, Default)]
pub struct WorkloadFigures {
    /// Dossiers walked to the end.
    pub cases: usize,
    /// Commands that changed a dossier.
    pub transitions: usize,
    /// Wall time of the run.
    pub seconds: f64,
    /// Every command's latency in microseconds, sorted.
    pub latencies_us: Vec<u64>,
}

impl WorkloadFigures {
    /// The latency at `quantile` (0–1) in milliseconds.
    pub fn percentile_ms(&self, quantile: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let last = self.latencies_us.len() - 1;
        let index = ((last as f64) * quantile).round() as usize;
        self.latencies_us[index.min(last)] as f64 / 1000.0
    }
}

/// Walks `cases` dossiers, numbered from `first`, with `concurrency` clients; calls `progress`
/// with the number of dossiers finished so far.
pub async fn run_workload(
    service: Arc<Service<AnyStore>>,
    first: usize,
    cases: usize,
    concurrency: usize,
    progress: Arc<dyn Fn(usize) + Send + Sync>,
) -> Result<WorkloadFigures, ServiceError> {
    let next = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (service, next, done, progress) = (
            Arc::clone(&service),
            Arc::clone(&next),
            Arc::clone(&done),
            Arc::clone(&progress),
        );
        clients.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let taken = next.fetch_add(1, Ordering::Relaxed);
                if taken >= cases {
                    break;
                }
                walk(&service, first + taken, &mut latencies).await?;
                progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            }
            Ok::<_, ServiceError>(latencies)
        });
    }
    let mut latencies_us = Vec::new();
    while let Some(joined) = clients.join_next().await {
        let client = joined.map_err(|error| {
            ServiceError::Store(hoso_engine::ports::StoreError::Unavailable(format!(
                "a bench client stopped: {error}"
            )))
        })?;
        latencies_us.extend(client?);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies_us.sort_unstable();
    Ok(WorkloadFigures {
        cases,
        transitions: latencies_us.len(),
        seconds,
        latencies_us,
    })
}

/// Walks dossier number `index` to its returned result, timing each command.
async fn walk(
    service: &Service<AnyStore>,
    index: usize,
    latencies: &mut Vec<u64>,
) -> Result<(), ServiceError> {
    let unit = unit_of(index);
    let day = day_of(index);
    let citizen_id = format!("{:012}", 1_000_000 + index);
    let submission = Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit.clone(),
        applicant: Applicant {
            citizen_id: citizen_id.clone(),
            name: "Nguyễn Văn Bình".to_owned(),
            phone: Some("0912345678".to_owned()),
            email: None,
        },
        form: form(),
        documents: vec![
            document("to_khai", "to-khai-khai-sinh.pdf"),
            DocumentRef {
                provenance: Provenance::DataStore,
                reference: Some("kho-du-lieu/giay_chung_sinh".to_owned()),
                ..document("giay_chung_sinh", "Giấy chứng sinh")
            },
        ],
    };
    let citizen = Actor::citizen(citizen_id);
    let officer = |role: &str| Actor::officer(format!("can-bo-{role}"), role, unit.clone());
    let procedure = ProcedureCode::parse(PROCEDURE)
        .map_err(|error| ServiceError::UnknownProcedure(error.to_string()))?;
    let submitted = timed(
        service,
        citizen.clone(),
        Target::New(procedure),
        Command::Submit(submission),
        at(day, 8, 5),
        latencies,
    )
    .await?;
    let code = submitted;
    let mut steps: Vec<(Actor, Command, DateTime<Utc>)> = vec![
        (officer("mot_cua"), Command::Receive, at(day, 8, 30)),
        (
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            at(day, 9, 0),
        ),
    ];
    if gets_supplement(index) {
        steps.push((
            officer("tu_phap"),
            Command::RequestSupplement {
                missing: vec![MissingDocument {
                    document: "to_khai".to_owned(),
                    note: "Ghi rõ nơi sinh theo Giấy chứng sinh".to_owned(),
                }],
                reason: "Tờ khai chưa ghi đúng nơi sinh".to_owned(),
            },
            at(day, 9, 30),
        ));
        steps.push((
            citizen,
            Command::SubmitSupplement {
                form: Map::new(),
                documents: vec![document("to_khai", "to-khai-bo-sung.pdf")],
            },
            at(day, 10, 0),
        ));
    }
    steps.push((officer("tu_phap"), action("trinh_ky"), at(day, 10, 30)));
    steps.push((officer("chu_tich"), action("phe_duyet"), at(day, 14, 0)));
    steps.push((officer("mot_cua"), Command::ReturnResult, at(day, 15, 0)));
    for (actor, command, now) in steps {
        timed(
            service,
            actor,
            Target::Existing(code.clone()),
            command,
            now,
            latencies,
        )
        .await?;
    }
    Ok(())
}

async fn timed(
    service: &Service<AnyStore>,
    actor: Actor,
    target: Target,
    command: Command,
    now: DateTime<Utc>,
    latencies: &mut Vec<u64>,
) -> Result<DossierCode, ServiceError> {
    let request = Request {
        command_id: uuid::Uuid::now_v7().to_string(),
        actor,
        target,
        expected_version: None,
        command,
    };
    let started = Instant::now();
    let executed = service.execute(request, now).await?;
    latencies.push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    Ok(executed.case.code)
}

/// The receiving unit of dossier `index`: one of 50 commune People's Committees.
fn unit_of(index: usize) -> UnitId {
    let text = format!("000.00.{}.H21", 10 + index % UNITS);
    UnitId::parse(&text).unwrap_or_else(|_| unreachable!("{text} is a well-formed unit code"))
}

/// The Monday dossier `index` is handled on: a new week every 450,000 dossiers.
fn day_of(index: usize) -> NaiveDate {
    let weeks = i64::try_from(index / (UNITS * PER_UNIT_DAY)).unwrap_or(0);
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
    monday + Duration::weeks(weeks.min(38))
}

fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
    vietnam()
        .from_local_datetime(&local)
        .single()
        .map_or_else(Utc::now, |instant| instant.with_timezone(&Utc))
}

fn action(id: &str) -> Command {
    Command::TakeAction {
        action: id.to_owned(),
        reason: None,
        data: Map::new(),
    }
}

fn document(component: &str, name: &str) -> DocumentRef {
    DocumentRef {
        component: component.to_owned(),
        name: name.to_owned(),
        sha256: None,
        size: None,
        provenance: Provenance::Upload,
        reference: None,
    }
}

fn form() -> Map<String, Value> {
    json!({
        "ho_ten_tre": "Nguyễn Minh An", "ngay_sinh": "2026-02-20", "gioi_tinh": "Nam",
        "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "so_dinh_danh_nguoi_yeu_cau": "001090000001"
    })
    .as_object()
    .cloned()
    .unwrap_or_default()
}
