//! Helpers for hoso's own tests: real peers run on loopback. Nothing here runs in production.

use std::path::PathBuf;
use std::process::{Child, Command as Process, Stdio};
use std::time::Duration;

/// aiosmtpd, a real SMTP server, writing what it receives to a Maildir.
pub struct MailServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl MailServer {
    /// Starts one on a free loopback port; `None` (with a note) when aiosmtpd is not installed,
    /// a failure instead under `HOSO_TEST_REQUIRE_ALL=1`.
    pub fn start() -> Option<Self> {
        let available = Process::new("python3")
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|status| status.success());
        if !available {
            skip(
                "the SMTP server",
                "pip install aiosmtpd==1.4.6 to test e-mail delivery",
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .expect("address")
            .port();
        let maildir = std::env::temp_dir().join(format!("hoso-maildir-{}", uuid::Uuid::now_v7()));
        let mut child = Process::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(Self {
                    child,
                    port,
                    maildir,
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The raw messages received so far, sorted.
    pub fn messages(&self) -> Vec<String> {
        let mut messages: Vec<String> = std::fs::read_dir(self.maildir.join("new"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                    .collect()
            })
            .unwrap_or_default();
        messages.sort();
        messages
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// A test that needs `what` (an outside program) and cannot find it: under
/// `HOSO_TEST_REQUIRE_ALL=1` a failure saying so; otherwise a line `SKIPPED (what): how` written
/// straight to the process's standard error, where a person running `cargo test` sees it (the test
/// harness hides `eprintln!` of a passing test).
pub fn skip(what: &str, how: &str) {
    assert!(
        std::env::var("HOSO_TEST_REQUIRE_ALL").as_deref() != Ok("1"),
        "HOSO_TEST_REQUIRE_ALL=1 but {what} is not available: {how}"
    );
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "SKIPPED ({what}): {how}");
}
