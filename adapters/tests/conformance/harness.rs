//! Runs each conformance test on a fresh SQLite file and a fresh PostgreSQL database.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hoso_adapters::store::AnyStore;
use hoso_engine::case::{
    Actor, Applicant, Command, Directory, DocumentRef, Provenance, Submission, UnitId,
};
use hoso_engine::ports::Store;
use hoso_engine::ports::memory::MemoryStore;
use hoso_engine::procedure::{ChannelKind, ProcedureCode};
use hoso_engine::service::{Catalogue, Executed, Request, Service, ServiceError, Target};
use sqlx::Connection as _;

pub const UNIT: &str = "000.00.17.H21";
pub const CITIZEN: &str = "001090000001";

/// A database made for one test and dropped after it.
pub enum TestDb {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub fn sqlite() -> Self {
        Self::Sqlite(std::env::temp_dir().join(format!("hoso-test-{}.db", uuid::Uuid::now_v7())))
    }

    /// A fresh database on the server at `HOSO_TEST_POSTGRES_URL`, or `None` (with a note) when
    /// it is not set — a failure instead under `HOSO_TEST_REQUIRE_ALL=1`.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("HOSO_TEST_POSTGRES_URL") else {
            hoso_adapters::testing::skip(
                "PostgreSQL",
                "set HOSO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run",
            );
            return None;
        };
        let name = format!("hoso_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("cannot connect to HOSO_TEST_POSTGRES_URL: {error}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create test database");
        Some(Self::Postgres { admin_url, name })
    }

    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres { admin_url, name } => {
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                format!("{base}/{name}")
            }
        }
    }

    pub async fn drop_database(&self) {
        match self {
            Self::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Self::Postgres { admin_url, name } => {
                if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await;
                }
            }
        }
    }
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// What a conformance test gets: a service over a fresh store (SQL by default; the tests of the
/// store contract itself also run in memory).
pub struct World<S = AnyStore> {
    pub service: Arc<Service<S>>,
    pub url: String,
}

impl<S> Clone for World<S> {
    fn clone(&self) -> Self {
        Self {
            service: Arc::clone(&self.service),
            url: self.url.clone(),
        }
    }
}

pub async fn open_service(url: &str) -> Service<AnyStore> {
    service_over(AnyStore::open(url).await.expect("store opens"))
}

/// The real procedures and calendars over `store`.
pub fn service_over<S: Store>(store: S) -> Service<S> {
    let mut catalogue = Catalogue::new();
    let retention = repo().join("fixtures/retention.toml");
    let schedule = hoso_engine::retention::RetentionSchedule::load(
        "retention.toml",
        &std::fs::read_to_string(retention).expect("retention schedule"),
    )
    .expect("schedule");
    for procedure in hoso_adapters::catalogue::load_catalogue(&repo().join("procedures"), &schedule)
        .expect("catalogue")
    {
        catalogue.insert(procedure);
    }
    let calendars = hoso_adapters::calendars::load_calendars(&repo().join("fixtures/calendars"))
        .expect("calendars");
    Service::new(store, catalogue, calendars, Directory::single_units())
}

/// Runs `test` on a fresh in-memory store.
pub async fn run_in_memory<F, Fut>(test: F)
where
    F: FnOnce(World<MemoryStore>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let world = World {
        service: Arc::new(service_over(MemoryStore::new())),
        url: "memory".to_owned(),
    };
    if let Err(error) = tokio::spawn(test(world)).await {
        std::panic::resume_unwind(error.into_panic());
    }
}

/// Runs `test` on `db`, then drops the database whether or not the test passed.
pub async fn run<F, Fut>(db: TestDb, test: F)
where
    F: FnOnce(World) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let url = db.url();
    let world = World {
        service: Arc::new(open_service(&url).await),
        url,
    };
    let outcome = tokio::spawn(test(world)).await;
    db.drop_database().await;
    if let Err(error) = outcome {
        std::panic::resume_unwind(error.into_panic());
    }
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

pub fn unit() -> UnitId {
    UnitId::parse(UNIT).expect("unit")
}

pub fn officer(role: &str) -> Actor {
    Actor::officer(format!("officer-{role}"), role, unit())
}

pub fn citizen() -> Actor {
    Actor::citizen(CITIZEN)
}

pub fn birth_submission() -> Submission {
    let form = serde_json::json!({
        "ho_ten_tre": "Nguyễn Văn An",
        "ngay_sinh": "2025-01-10",
        "gioi_tinh": "Nam",
        "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
        "so_dinh_danh_nguoi_yeu_cau": CITIZEN,
    });
    Submission {
        channel: ChannelKind::Online,
        receiving_unit: unit(),
        applicant: Applicant {
            citizen_id: CITIZEN.to_owned(),
            name: "Nguyễn Văn Bình".to_owned(),
            phone: Some("0912345678".to_owned()),
            email: Some("binh@example.vn".to_owned()),
            ..Default::default()
        },
        form: form.as_object().expect("object").clone(),
        documents: vec![document("to_khai"), document("giay_chung_sinh")],
        delivery: None,
        lookup_key: None,
        vneid: false,
        notify: None,
    }
}

pub fn document(component: &str) -> DocumentRef {
    DocumentRef {
        component: component.to_owned(),
        name: format!("{component}.pdf"),
        sha256: Some("b".repeat(64)),
        size: Some(2048),
        provenance: Provenance::Upload,
        reference: None,
    }
}

impl<S: Store> World<S> {
    pub async fn send(
        &self,
        actor: Actor,
        target: Target,
        command: Command,
        now: &str,
    ) -> Result<Executed, ServiceError> {
        let request = Request {
            command_id: uuid::Uuid::now_v7().to_string(),
            actor,
            target,
            expected_version: None,
            command,
        };
        self.service.execute(request, at(now)).await
    }

    /// A birth registration submitted at 09:00 and received at the desk at 09:10 on 3 March 2025.
    pub async fn received_birth(&self) -> hoso_engine::case::DossierCode {
        let code = self
            .submit_birth("2025-03-03T09:00:00+07:00")
            .await
            .case
            .code;
        self.act(
            &code,
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        )
        .await
        .expect("received");
        code
    }

    pub async fn submit_birth(&self, now: &str) -> Executed {
        self.send(
            citizen(),
            Target::New(ProcedureCode::parse("1.001193").expect("code")),
            Command::Submit(birth_submission()),
            now,
        )
        .await
        .expect("submission accepted")
    }

    pub async fn act(
        &self,
        code: &hoso_engine::case::DossierCode,
        actor: Actor,
        command: Command,
        now: &str,
    ) -> Result<Executed, ServiceError> {
        self.send(actor, Target::Existing(code.clone()), command, now)
            .await
    }
}

pub fn action(id: &str) -> Command {
    Command::TakeAction {
        action: id.to_owned(),
        reason: None,
        data: serde_json::Map::new(),
        results: Vec::new(),
    }
}

/// Declares each test once and runs it on both SQL stores (SQLite and PostgreSQL).
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::run($crate::harness::TestDb::sqlite(), super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::harness::TestDb::postgres().await {
                        $crate::harness::run(db, super::$name).await;
                    }
                }
            )*
        }
    };
}

/// Declares each test once and runs it on both SQL stores and in memory: for the tests of the
/// store contract itself, written against the ports.
#[macro_export]
macro_rules! conformance_everywhere {
    ($($name:ident),* $(,)?) => {
        $crate::conformance!($($name),*);
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::run_in_memory(super::$name).await;
                }
            )*
        }
    };
}
