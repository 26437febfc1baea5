//! End-to-end tests: they run the real `hoso` binary, as users and CI do.

mod api;
mod api_docs;
mod api_fuzz;
mod applicants;
mod archive;
mod audit;
mod bench;
mod browser;
mod calendar;
mod case;
mod client;
mod crash;
mod demo_mode;
mod designer;
mod disk;
mod dossier_page;
mod forms;
mod hostile;
mod lists;
mod nodes;
mod oidc;
mod operations;
mod outbox;
mod payments;
mod procedure;
mod ratings;
mod reports;
mod server;
mod units;
mod web;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where `procedures/` and `tests/fixtures/` live.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `hoso` with arguments from the repository root.
pub fn hoso(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("the hoso binary runs")
}

/// The text of `page` after the first `start` and before the next `end`, if `start` is there.
pub fn between<'a>(page: &'a str, start: &str, end: &str) -> Option<&'a str> {
    page.split(start)
        .nth(1)
        .and_then(|rest| rest.split(end).next())
}

/// Text of a command's standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Text of a command's standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A complete online birth registration (1.001193) for `citizen`: the declaration (tờ khai) is
/// the e-form itself, the birth certificate comes from the data store; tests may add a scan of
/// the declaration as a multipart upload.
pub fn birth_submission(citizen: &str) -> serde_json::Value {
    let documents = vec![
        serde_json::json!({ "component": "giay_chung_sinh", "name": "Giấy chứng sinh", "provenance": "data_store", "reference": "kho/123" }),
    ];
    serde_json::json!({
        "procedure": "1.001193",
        "channel": "online",
        "receiving_unit": "000.00.17.H21",
        "applicant": { "citizen_id": citizen, "name": "Nguyễn Văn Bình", "email": "binh@example.vn" },
        "form": {
            "ho_ten_tre": "Nguyễn Minh An", "ngay_sinh": "2026-11-20", "gioi_tinh": "Nam",
            "noi_sinh": "Bệnh viện Phụ sản Hà Nội", "so_dinh_danh_nguoi_yeu_cau": citizen
        },
        "documents": documents
    })
}

/// Polls `check` every 200 ms until it holds or 15 s pass; returns its last value.
pub async fn eventually<T>(mut check: impl FnMut() -> (bool, T)) -> T {
    let started = std::time::Instant::now();
    loop {
        let (done, value) = check();
        if done || started.elapsed() > std::time::Duration::from_secs(15) {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// Polls `read` every 200 ms until `done` holds for its value or 15 s pass; returns the last value.
pub async fn eventually_async<T, F: std::future::Future<Output = T>>(
    mut read: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    let started = std::time::Instant::now();
    loop {
        let value = read().await;
        if done(&value) || started.elapsed() > std::time::Duration::from_secs(15) {
            return value;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// The `*.toml` files of a folder, sorted.
pub fn toml_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(folder))
        .expect("folder exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "toml")
        })
        .collect();
    files.sort();
    files
}

/// A database for one test: a SQLite file, or a fresh PostgreSQL database dropped afterwards.
pub struct TestDatabase {
    /// The URL to give `--db`.
    pub url: String,
    postgres: Option<(String, String)>,
    sqlite: Option<PathBuf>,
}

fn postgres_admin(sql: &str, admin_url: &str) {
    use sqlx::Connection as _;
    // On a thread of its own: callers may be inside an async runtime already.
    let (sql, admin_url) = (sql.to_owned(), admin_url.to_owned());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let mut connection = sqlx::PgConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|error| {
                    panic!("cannot connect to HOSO_TEST_POSTGRES_URL: {error}")
                });
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .execute(&mut connection)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
        });
    })
    .join()
    .expect("the PostgreSQL admin statement ran");
}

/// The PostgreSQL server's admin URL, or `None` with a note when `HOSO_TEST_POSTGRES_URL` is unset
/// (a failure under `HOSO_TEST_REQUIRE_ALL=1`).
pub fn postgres_server() -> Option<String> {
    let Ok(admin_url) = std::env::var("HOSO_TEST_POSTGRES_URL") else {
        hoso_adapters::testing::skip(
            "PostgreSQL",
            "set HOSO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres to run",
        );
        return None;
    };
    Some(admin_url)
}

impl TestDatabase {
    /// A SQLite file in the temporary folder, removed afterwards.
    pub fn sqlite(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!("hoso-e2e-{name}-{}.db", std::process::id()));
        Self::remove_sqlite(&path);
        Self {
            url: format!("sqlite://{}", path.display()),
            postgres: None,
            sqlite: Some(path),
        }
    }

    /// A fresh PostgreSQL database, or `None` with a note when `HOSO_TEST_POSTGRES_URL` is unset
    /// (a failure under `HOSO_TEST_REQUIRE_ALL=1`).
    pub fn postgres() -> Option<Self> {
        let admin_url = postgres_server()?;
        let name = format!("hoso_e2e_{}", uuid::Uuid::now_v7().simple());
        postgres_admin(&format!("CREATE DATABASE {name}"), &admin_url);
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base)
            .to_owned();
        Some(Self {
            url: format!("{base}/{name}"),
            postgres: Some((admin_url, name)),
            sqlite: None,
        })
    }

    fn remove_sqlite(path: &Path) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite {
            Self::remove_sqlite(path);
        }
        if let Some((admin_url, name)) = &self.postgres {
            postgres_admin(
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                admin_url,
            );
        }
    }
}
