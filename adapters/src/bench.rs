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

/// How long each limit below is measured for.
const LIMIT_SECONDS: f64 = 2.0;

/// The disk's limit, measured before a workload so its figures read as a ratio: single-row
/// durable commits per second of SQLite on the disk holding `dir` (WAL, `synchronous = FULL`, one
/// `INSERT` per transaction, nothing else), for [`LIMIT_SECONDS`].
pub fn sqlite_commit_rate(dir: &std::path::Path) -> Result<f64, rusqlite::Error> {
    let path = dir.join(format!("hoso_fsync_{}.db", uuid::Uuid::now_v7().simple()));
    let rate = (|| {
        let connection = rusqlite::Connection::open(&path)?;
        connection.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
             CREATE TABLE commits (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);",
        )?;
        let mut insert = connection.prepare("INSERT INTO commits (at) VALUES (?1)")?;
        let started = Instant::now();
        let mut commits = 0_u64;
        while started.elapsed().as_secs_f64() < LIMIT_SECONDS {
            // Autocommit: each INSERT is its own transaction and its own fsync.
            insert.execute([i64::try_from(commits).unwrap_or(i64::MAX)])?;
            commits += 1;
        }
        Ok(commits as f64 / started.elapsed().as_secs_f64())
    })();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    rate
}

/// The same limit on a PostgreSQL database: single-row `INSERT`s, each its own transaction, on
/// one connection, for [`LIMIT_SECONDS`] (pgbench's single-insert rate at one client).
pub async fn postgres_commit_rate(url: &str) -> Result<f64, sqlx::Error> {
    use sqlx::Connection as _;
    let mut connection = sqlx::PgConnection::connect(url).await?;
    sqlx::query(
        "CREATE TEMPORARY TABLE hoso_commits (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL)",
    )
    .execute(&mut connection)
    .await?;
    let started = Instant::now();
    let mut commits = 0_i64;
    while started.elapsed().as_secs_f64() < LIMIT_SECONDS {
        sqlx::query("INSERT INTO hoso_commits (at) VALUES ($1)")
            .bind(commits)
            .execute(&mut connection)
            .await?;
        commits += 1;
    }
    let rate = commits as f64 / started.elapsed().as_secs_f64();
    connection.close().await?;
    Ok(rate)
}

/// User plus system CPU time this process has used, in seconds (from `/proc/self/stat`; `None`
/// where there is no such file).
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |index: usize| fields.get(index)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 of the line, in clock ticks of 1/100 s (USER_HZ).
    Some((ticks(11)? + ticks(12)?) / 100.0)
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
                let index = first + taken;
                walk(&service, index, unit_of(index), usize::MAX, &mut latencies).await?;
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

/// Walks dossier number `index` received at `unit` through its first `commands` commands (all of
/// them: to its returned result), timing each; returns its code.
async fn walk(
    service: &Service<AnyStore>,
    index: usize,
    unit: UnitId,
    commands: usize,
    latencies: &mut Vec<u64>,
) -> Result<DossierCode, ServiceError> {
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
            ..Default::default()
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
        delivery: None,
        lookup_key: None,
        vneid: false,
        notify: None,
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
    for (actor, command, now) in steps.into_iter().take(commands.saturating_sub(1)) {
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
    Ok(code)
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
        results: Vec::new(),
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

/// What seeding measured.
#[derive(Debug, Clone, Default)]
pub struct SeedFigures {
    /// Dossiers stored.
    pub dossiers: usize,
    /// Of them, left open at the appraisal step with their timers (one in ten).
    pub open: usize,
    /// Wall time.
    pub seconds: f64,
}

/// The receiving units of seeded dossiers: 250 communes, at most 4,000 dossiers each per day.
const SEED_UNITS: usize = 250;
/// The unit the two template dossiers are walked at, replaced in their copies.
const TEMPLATE_UNIT: &str = "000.00.99.H21";

/// The receiving unit of seeded dossier `index`.
pub fn seed_unit(index: usize) -> UnitId {
    let text = format!("000.00.{}.H21", 100 + index % SEED_UNITS);
    UnitId::parse(&text).unwrap_or_else(|_| unreachable!("{text} is a well-formed unit code"))
}

/// Stores `total` dossiers quickly for the scale measurements: two birth registrations are walked
/// through the service (one to its returned result, one to the appraisal step), and each seeded
/// dossier is a copy of one of them — its events re-sealed under its own code and unit and written
/// through the store's batch commit, with the open copies' timers. One in ten stays open.
pub async fn seed(
    service: &Service<AnyStore>,
    total: usize,
    progress: &(dyn Fn(usize) + Send + Sync),
) -> Result<SeedFigures, ServiceError> {
    use hoso_engine::ports::{Change, Dossiers as _, Registration, Timers as _};
    let started = Instant::now();
    let template_unit = UnitId::parse(TEMPLATE_UNIT)
        .map_err(|error| ServiceError::UnknownDossier(error.to_string()))?;
    let mut ignored = Vec::new();
    let closed = walk(service, 0, template_unit.clone(), usize::MAX, &mut ignored).await?;
    let open = walk(service, 0, template_unit, 3, &mut ignored).await?;
    let store = service.store();
    let closed_events = store.events(&closed).await?;
    let open_events = store.events(&open).await?;
    let open_case = store
        .load(&open)
        .await?
        .ok_or_else(|| ServiceError::UnknownDossier(open.to_string()))?;
    let open_timers = store.timers(&open).await?;
    let procedure = service.procedure_of(&open_case)?;
    let open_attention = hoso_engine::service::attention(&procedure, &open_case);
    let day = open_case
        .submitted_at
        .with_timezone(&vietnam())
        .date_naive();
    let corrupt = |error: serde_json::Error| {
        ServiceError::Store(hoso_engine::ports::StoreError::Corrupt(format!(
            "seed template: {error}"
        )))
    };
    // Events as JSON with the template unit as a placeholder, so a copy is one text replacement.
    let as_text =
        |events: &[hoso_engine::case::Event]| -> Result<Vec<(String, String)>, ServiceError> {
            events
                .iter()
                .map(|event| {
                    Ok((
                        serde_json::to_string(&event.actor).map_err(corrupt)?,
                        serde_json::to_string(&event.kind).map_err(corrupt)?,
                    ))
                })
                .collect()
        };
    let templates = [
        (as_text(&closed_events)?, &closed_events),
        (as_text(&open_events)?, &open_events),
    ];
    let mut figures = SeedFigures::default();
    let mut next = 0;
    while next < total {
        let batch_end = (next + 500).min(total);
        let mut changes = Vec::with_capacity(batch_end - next);
        let mut open_in_batch = Vec::new();
        for index in next..batch_end {
            let unit = seed_unit(index);
            // One in ten of each unit's dossiers stays open.
            let is_open = (index / SEED_UNITS).is_multiple_of(10);
            let (texts, events) = &templates[usize::from(is_open)];
            let mut copies = Vec::with_capacity(events.len());
            let command_id = uuid::Uuid::now_v7().to_string();
            for ((actor, kind), event) in texts.iter().zip(events.iter()) {
                copies.push(hoso_engine::case::NewEvent {
                    at: event.at,
                    actor: serde_json::from_str(&actor.replace(TEMPLATE_UNIT, unit.as_str()))
                        .map_err(corrupt)?,
                    kind: serde_json::from_str(&kind.replace(TEMPLATE_UNIT, unit.as_str()))
                        .map_err(corrupt)?,
                    command_id: command_id.clone(),
                });
            }
            let attention = if is_open {
                open_attention
                    .clone()
                    .map(|attention| hoso_engine::ports::Attention {
                        unit: unit.clone(),
                        role: attention.role,
                    })
            } else {
                None
            };
            open_in_batch.push(is_open);
            changes.push(Change::Register(Registration {
                receiving_unit: unit,
                day,
                events: copies,
                attention,
            }));
        }
        let results = store.commit(changes).await?;
        let mut timers = Vec::new();
        for (result, is_open) in results.into_iter().zip(open_in_batch) {
            let committed = result.map_err(|refused| {
                ServiceError::Store(hoso_engine::ports::StoreError::Corrupt(format!(
                    "a seeded dossier was refused: {refused}"
                )))
            })?;
            if is_open {
                figures.open += 1;
                for timer in &open_timers {
                    timers.push((committed.case.code.to_string(), timer.clone()));
                }
            }
        }
        store.insert_timers(&timers).await?;
        next = batch_end;
        figures.dossiers = next;
        progress(next);
    }
    figures.seconds = started.elapsed().as_secs_f64();
    Ok(figures)
}
