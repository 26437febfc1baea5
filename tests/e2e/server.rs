//! Starts the real `hoso serve` on a random port against a fresh database, with users made by
//! `hoso user add`, and stops it with SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::{TestDatabase, hoso, repo, stdout};

/// A running server and the tokens of its users.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database it uses.
    pub database: TestDatabase,
    data_dir: std::path::PathBuf,
    /// The `hoso serve` arguments, for a restart.
    args: Vec<String>,
    /// Environment variables for this server alone.
    env: Vec<(String, String)>,
    /// How many of `args` every node of this database shares (the rest are this node's `extra`).
    common: usize,
    /// HTTP client.
    pub http: reqwest::Client,
}

/// Which database to run on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database (skipped without HOSO_TEST_POSTGRES_URL).
    Postgres,
}

impl Server {
    /// Starts a server; `None` when the backend is not available (and not required).
    pub fn start(backend: Backend, name: &str, extra: &[&str]) -> Option<Self> {
        Self::start_with_env(backend, name, extra, &[])
    }

    /// Starts a server with these environment variables set for it alone.
    pub fn start_with_env(
        backend: Backend,
        name: &str,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Option<Self> {
        let database = match backend {
            Backend::Sqlite => TestDatabase::sqlite(name),
            Backend::Postgres => TestDatabase::postgres()?,
        };
        let init = hoso(&["init", "--db", &database.url]);
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let data_dir =
            std::env::temp_dir().join(format!("hoso-e2e-data-{name}-{}", uuid::Uuid::now_v7()));
        let mut args = vec!["serve", "--bind", "127.0.0.1:0", "--db", &database.url];
        // Timers off unless the test asks for them: their events would race its own commands.
        if !extra.contains(&"--timer-interval") {
            args.extend(["--timer-interval", "0"]);
        }
        let data = data_dir.to_str().expect("utf-8").to_owned();
        args.extend(["--data-dir", &data]);
        let common = args.len();
        args.extend(extra);
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        let (child, base) = Self::spawn(&args, &env);
        hoso_adapters::tls::install_crypto_provider();
        Some(Self {
            child,
            base,
            database,
            data_dir,
            args,
            env,
            common,
            http: reqwest::Client::new(),
        })
    }

    fn spawn(args: &[String], env: &[(String, String)]) -> (Child, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hoso"))
            .args(args)
            .envs(env.iter().map(|(name, value)| (name, value)))
            .current_dir(repo())
            .env("HOSO_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("hoso serve starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .expect("the server prints its address");
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        (child, base)
    }

    /// Kills the server with SIGKILL and leaves it dead.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Another `hoso serve` process on the same database, with its own `extra` arguments.
    pub fn node(&self, extra: &[&str]) -> Node {
        let mut args = self.args[..self.common].to_vec();
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let (child, base) = Self::spawn(&args, &self.env);
        Node { child, base }
    }

    /// Kills the server with SIGKILL (no shutdown of any kind), then starts it again on the same
    /// database; `base` changes to the new address.
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base) = Self::spawn(&self.args, &self.env);
        self.child = child;
        self.base = base;
    }

    /// Adds a user with `hoso user add` and returns their token. Staff carry a person's name, as
    /// real staff do, so pages that show who acted can be checked for never showing a code.
    pub fn user(&self, role: &str, extra: &[&str]) -> String {
        let name = match role {
            "mot_cua" => "Nguyễn Thị Lan",
            "tu_phap" => "Trần Văn Minh",
            "chu_tich" => "Lê Văn Hùng",
            "auditor" => "Phạm Thu Hà",
            "designer" => "Đỗ Quang Vinh",
            other => other,
        };
        let mut args = vec![
            "user",
            "add",
            "--role",
            role,
            "--name",
            name,
            "--db",
            &self.database.url,
        ];
        args.extend(extra);
        let output = hoso(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout(&output)
            .lines()
            .last()
            .expect("token line")
            .trim()
            .to_owned()
    }

    /// An officer of unit 000.00.17.H21 with a procedure role.
    pub fn officer(&self, role: &str) -> String {
        self.user(role, &["--unit", "000.00.17.H21"])
    }

    /// A demo citizen.
    pub fn citizen(&self, citizen_id: &str) -> String {
        self.user("citizen", &["--citizen-id", citizen_id])
    }

    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's `--data-dir` (uploaded documents live under `documents/`).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Stops the server with SIGTERM and returns whether it exited cleanly.
    pub fn stop(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child
            .wait()
            .map(|status| status.success())
            .unwrap_or(false)
    }
}

/// A further node started by [`Server::node`]; killed when dropped.
pub struct Node {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
}

impl Node {
    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
