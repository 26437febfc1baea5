//! `hoso serve --demo`: a newcomer's first run offers one account per role on the sign-in page,
//! with dossiers waiting at the desks; a real start offers none, and the demo never runs on a
//! database someone named.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::StatusCode;

use crate::browser::Browser;
use crate::server::{Backend, Server};
use crate::{hoso, repo, stderr};

/// Kills the demo server if the test stops early.
pub(crate) struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `hoso serve --demo` with its scratch files under `scratch`; returns the server, its
/// address and what it printed before listening.
pub(crate) fn serve_demo(scratch: &std::path::Path) -> (Running, String, String) {
    hoso_adapters::tls::install_crypto_provider();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args([
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
            "--timer-interval",
            "0",
        ])
        .current_dir(repo())
        .env("TMPDIR", scratch)
        .env("HOSO_LOG", "warn")
        .env_remove("HOSO_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hoso serve --demo starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let child = Running(child);
    let mut printed = String::new();
    let base = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .expect("a line");
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("hoso listening on ") {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, base, printed)
}

/// The demo accounts on a sign-in page: (name, token, next page).
fn demo_accounts(page: &str) -> Vec<(String, String, String)> {
    let value = |form: &str, name: &str| {
        crate::between(form, &format!("name=\"{name}\" value=\""), "\"")
            .unwrap_or_default()
            .to_owned()
    };
    page.split("<li>")
        .filter(|item| item.contains("Đăng nhập với tư cách "))
        .map(|form| {
            let name = crate::between(form, "Đăng nhập với tư cách ", "<")
                .unwrap_or_default()
                .to_owned();
            (name, value(form, "token"), value(form, "next"))
        })
        .collect()
}

#[tokio::test]
async fn serve_demo_offers_an_account_per_role_with_work_waiting_and_leaves_nothing_behind() {
    let scratch = std::env::temp_dir().join(format!("hoso-e2e-demo-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&scratch).expect("scratch folder");

    // Never on a database someone named.
    let refused = hoso(&[
        "serve",
        "--demo",
        "--db",
        "sqlite://real.db",
        "--bind",
        "127.0.0.1:0",
    ]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("never on a database you name"),
        "{}",
        stderr(&refused)
    );
    assert!(!repo().join("real.db").exists(), "nothing was created");

    let (mut child, base, printed) = serve_demo(&scratch);
    assert!(
        printed.contains("every chain verified") && printed.contains("10 demo accounts"),
        "the walks ran first: {printed}"
    );

    let mut browser = Browser::new(&base);
    let (status, page, _) = browser.get("/sign-in").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Tài khoản dùng thử"), "{page}");
    let accounts = demo_accounts(&page);
    let names: Vec<&str> = accounts.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Nguyễn Văn Bình",
            "Nguyễn Thị Lan",
            "Lê Văn Hùng",
            "Trần Quốc Toàn",
            "Phạm Minh Đức",
            "Đỗ Thu Hà",
            "Vũ Đình Nam",
            "Bùi Thị Ngọc",
            "Hoàng Thị Mai",
            "Ngô Văn Khoa"
        ],
        "a citizen, every officer role of the demo, an auditor and a designer"
    );
    assert!(
        page.contains("Công chức Bộ phận Một cửa — UBND xã Tân Lập"),
        "roles and units by name: {page}"
    );
    let account = |name: &str| {
        accounts
            .iter()
            .find(|(named, _, _)| named == name)
            .cloned()
            .expect("listed")
    };

    // The one-stop desk signs in with one click and lands on her inbox, with work in it.
    let (_, token, next) = account("Nguyễn Thị Lan");
    assert_eq!(next, "/inbox");
    let csrf = Browser::csrf_of(&page);
    let (status, _, headers) = browser
        .post(
            "/sign-in",
            &[("csrf", &csrf), ("next", &next), ("token", &token)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers
            .get("location")
            .and_then(|value| value.to_str().ok()),
        Some("/inbox")
    );
    let (_, inbox, _) = browser.get("/inbox").await;
    assert!(
        inbox.contains("<strong>Nguyễn Thị Lan</strong>") && inbox.contains("<td>Mới đăng ký</td>"),
        "a dossier waits to be received: {inbox}"
    );

    // The justice officer has one to review, the chairman one to sign.
    for (name, waiting) in [
        ("Lê Văn Hùng", "Hoàng Văn Sơn"),
        ("Trần Quốc Toàn", "Đặng Thị Lý"),
    ] {
        let (_, token, next) = account(name);
        let mut officer = Browser::new(&base);
        officer.sign_in(&token).await;
        let (_, inbox, _) = officer.get(&next).await;
        assert!(
            inbox.contains(waiting),
            "{name} sees {waiting}'s dossier: {inbox}"
        );
    }

    // The citizen sees her own dossiers: one waiting for her supplement, one for its fee.
    let (_, token, next) = account("Nguyễn Văn Bình");
    assert_eq!(next, "/my");
    let mut citizen = Browser::new(&base);
    citizen.sign_in(&token).await;
    let (_, mine, _) = citizen.get("/my").await;
    assert!(
        mine.contains("<td>Yêu cầu bổ sung giấy tờ</td>")
            && mine.contains("<td>Yêu cầu thực hiện nghĩa vụ tài chính</td>"),
        "{mine}"
    );
    assert!(!mine.contains("Hoàng Văn Sơn"), "only her own: {mine}");
    assert!(
        mine.contains("Tạm dừng tính thời gian: chờ công dân bổ sung hồ sơ"),
        "the clock waits for her supplement, and the list says so: {mine}"
    );
    // Where a dossier is received, by the unit's name (its code in small print beside it).
    let (_, apply, _) = citizen.get("/procedures/1.001193/apply").await;
    let options = crate::between(&apply, "id=\"receiving_unit\"", "</select>")
        .expect("the receiving unit's select box")
        .to_owned();
    assert!(
        options.contains("UBND xã Tân Lập") && !options.contains(">000.00.17.H21<"),
        "{options}"
    );

    // Stopped, it leaves no database or documents behind.
    let _ = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status();
    assert!(child.0.wait().expect("exits").success());
    let left: Vec<_> = std::fs::read_dir(&scratch)
        .expect("scratch")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&scratch);

    // A real start offers no accounts at all.
    let Some(server) = Server::start(Backend::Sqlite, "no-demo", &[]) else {
        return;
    };
    let page = server
        .http
        .get(server.url("/sign-in"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(page.contains("name=\"token\""), "the token form is there");
    assert!(
        !page.contains("demo-accounts") && !page.contains("Tài khoản dùng thử"),
        "{page}"
    );
}
