//! Crash safety: clients walk birth registrations through `hoso serve` while the test kills the
//! server with SIGKILL at random moments, 20 times, restarting it on the same database each time.
//! Every command the server acknowledged must still be there; every request cut off mid-flight,
//! sent again with its Idempotency-Key, must take effect once; every e-mail must arrive, none
//! without its outbox key; and at the end every chain verifies and every projection equals its
//! replay.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use hoso_adapters::testing::MailServer;

use crate::archive::strings;
use crate::nodes::arrivals;
use crate::server::{Backend, Server};
use crate::{birth_submission, hoso, stdout};

const CITIZEN: &str = "001090000001";
const ROUNDS: usize = 20;
const CLIENTS: usize = 6;

/// One request, kept so it can be sent again after a crash.
#[derive(Debug, Clone)]
struct Sent {
    path: String,
    token: String,
    key: String,
    body: Value,
}

/// What the clients saw, shared by all of them.
#[derive(Default)]
struct Ledger {
    /// (dossier, version) the server acknowledged with a 2xx.
    acknowledged: Vec<(String, u64)>,
    /// Requests whose answer never came (the server died under them).
    cut_off: Vec<Sent>,
    /// Idempotency-Keys of every dossier submission sent.
    submissions: Vec<String>,
}

/// A small deterministic generator; the seed is printed so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

struct Tokens {
    citizen: String,
    desk: String,
    justice: String,
    chair: String,
}

/// Sends one request; `None` when the connection failed (the server is gone).
async fn send(http: &reqwest::Client, base: &str, sent: &Sent) -> Option<(u16, Value)> {
    let response = http
        .post(format!("{base}{}", sent.path))
        .bearer_auth(&sent.token)
        .header("Idempotency-Key", &sent.key)
        .json(&sent.body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let body = response.json().await.ok()?;
    Some((status, body))
}

/// Walks dossiers until the server dies under it.
async fn client(base: String, tokens: Arc<Tokens>, ledger: Arc<Mutex<Ledger>>) {
    let http = reqwest::Client::new();
    loop {
        let submit = Sent {
            path: "/api/v1/dossiers".to_owned(),
            token: tokens.citizen.clone(),
            key: uuid::Uuid::now_v7().to_string(),
            body: birth_submission(CITIZEN),
        };
        ledger
            .lock()
            .expect("ledger")
            .submissions
            .push(submit.key.clone());
        let Some(code) = step(&http, &base, submit, &ledger).await else {
            return;
        };
        let path = format!("/api/v1/dossiers/{code}/actions");
        for (token, action) in [
            (&tokens.desk, "receive"),
            (&tokens.desk, "chuyen_tham_dinh"),
            (&tokens.justice, "trinh_ky"),
            (&tokens.chair, "phe_duyet"),
            (&tokens.desk, "return_result"),
        ] {
            let sent = Sent {
                path: path.clone(),
                token: token.clone(),
                key: uuid::Uuid::now_v7().to_string(),
                body: json!({ "action": action }),
            };
            if step(&http, &base, sent, &ledger).await.is_none() {
                return;
            }
        }
    }
}

/// Sends a request, records its acknowledgement (or that it was cut off), returns the dossier.
async fn step(
    http: &reqwest::Client,
    base: &str,
    sent: Sent,
    ledger: &Mutex<Ledger>,
) -> Option<String> {
    let Some((status, body)) = send(http, base, &sent).await else {
        ledger.lock().expect("ledger").cut_off.push(sent);
        return None;
    };
    assert!(
        (200..300).contains(&status),
        "{} {}: {status} {body}",
        sent.path,
        sent.body
    );
    let code = body["code"].as_str().expect("a dossier code").to_owned();
    let version = body["version"].as_u64().expect("a version");
    ledger
        .lock()
        .expect("ledger")
        .acknowledged
        .push((code.clone(), version));
    Some(code)
}

async fn version_of(server: &Server, token: &str, code: &str) -> u64 {
    let response = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("the restarted server answers");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "reading {code} after the restart: {body}");
    body["version"].as_u64().expect("a version")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_at_random_moments_loses_no_acknowledged_command_on_sqlite() {
    kill_at_random_moments(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_at_random_moments_loses_no_acknowledged_command_on_postgres() {
    kill_at_random_moments(Backend::Postgres).await;
}

async fn kill_at_random_moments(backend: Backend) {
    // The server e-mails the applicant on submission and on return; each e-mail carries its
    // outbox row's idempotency key as its Message-ID, so a redelivery after a kill is one the
    // peer can recognise.
    let Some(mail) = MailServer::start() else {
        return;
    };
    let mail_port = mail.port().to_string();
    let Some(mut server) = Server::start(
        backend,
        "crash",
        &[
            // The clients share four tokens; the per-caller limit is not under test here.
            "--rate-limit",
            "100000",
            "--rate-burst",
            "100000",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &mail_port,
            "--smtp-plain",
            "--outbox-interval",
            "1",
            // A killed server's claims on e-mails expire after twice this, so the last round's
            // are taken again quickly.
            "--outbox-timeout",
            "2",
        ],
    ) else {
        return;
    };
    let tokens = Arc::new(Tokens {
        citizen: server.citizen(CITIZEN),
        desk: server.officer("mot_cua"),
        justice: server.officer("tu_phap"),
        chair: server.officer("chu_tich"),
    });
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |elapsed| elapsed.as_secs());
    eprintln!("crash test on {backend:?}, seed {seed}");
    let mut random = Lcg(seed);
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut resent_ok = 0;
    for round in 0..ROUNDS {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                tokio::spawn(client(
                    server.base.clone(),
                    Arc::clone(&tokens),
                    Arc::clone(&ledger),
                ))
            })
            .collect();
        // Kill only after this round's clients have had work acknowledged (on a loaded machine a
        // fixed wait may end before any), then at a random moment after that.
        let before = ledger.lock().expect("ledger").acknowledged.len();
        let started = std::time::Instant::now();
        while ledger.lock().expect("ledger").acknowledged.len() <= before + CLIENTS {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "round {round}: the server acknowledged nothing for 30 s (seed {seed})"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(random.below(500))).await;
        server.kill_and_restart();
        for running in clients {
            running.await.expect("a client finished without panicking");
        }

        // Everything acknowledged before the kill is there.
        let acknowledged = ledger.lock().expect("ledger").acknowledged.clone();
        for (code, version) in &acknowledged {
            let stored = version_of(&server, &tokens.desk, code).await;
            assert!(
                stored >= *version,
                "round {round}: {code} was acknowledged at version {version} but is at {stored} after the restart (seed {seed})"
            );
        }
        // What was cut off takes effect exactly once when sent again with its key.
        let cut_off = std::mem::take(&mut ledger.lock().expect("ledger").cut_off);
        for sent in cut_off {
            let (status, body) = send(&server.http, &server.base, &sent)
                .await
                .expect("the restarted server answers");
            assert!(
                (200..300).contains(&status),
                "round {round}: resending {} {} with its Idempotency-Key gave {status} {body} (seed {seed})",
                sent.path,
                sent.body
            );
            resent_ok += 1;
        }
    }
    let (acknowledged, submissions) = {
        let ledger = ledger.lock().expect("ledger");
        (ledger.acknowledged.len(), ledger.submissions.len())
    };
    assert!(
        acknowledged > ROUNDS * CLIENTS,
        "the clients did real work between kills: {acknowledged} acknowledgements"
    );

    // Every e-mail goes out; one sent twice (its delivery was cut off before it was recorded)
    // carries the same key both times, and none arrives without a key.
    let url = server.database.url.clone();
    let undelivered = crate::eventually(|| {
        let pending = strings(
            &url,
            "SELECT idempotency_key FROM outbox WHERE topic = 'email' AND state <> 'delivered'",
        );
        (pending.is_empty(), pending)
    })
    .await;
    assert!(undelivered.is_empty(), "still undelivered: {undelivered:?}");
    let keys: BTreeSet<String> = strings(
        &url,
        "SELECT idempotency_key FROM outbox WHERE topic = 'email'",
    )
    .into_iter()
    .map(|key| format!("<{key}@hoso>"))
    .collect();
    let seen = arrivals(&mail);
    let unkeyed: Vec<_> = seen.keys().filter(|id| !keys.contains(*id)).collect();
    assert!(
        unkeyed.is_empty(),
        "e-mails that carry no outbox key: {unkeyed:?}"
    );
    assert_eq!(
        seen.len(),
        keys.len(),
        "every outbox e-mail arrived (seed {seed})"
    );
    let resent_mail = seen.values().filter(|count| **count > 1).count();
    assert!(
        server.stop(),
        "the server stops cleanly after the last restart"
    );

    // One dossier per submission sent, however often it was resent.
    let listed = hoso(&[
        "case",
        "list",
        "--limit",
        "1000000",
        "--db",
        &server.database.url,
    ]);
    let dossiers = stdout(&listed)
        .lines()
        .filter(|line| line.contains("-26"))
        .count();
    assert_eq!(
        dossiers, submissions,
        "every submission made exactly one dossier (seed {seed})"
    );
    let verify = hoso(&["audit", "verify", "--db", &server.database.url]);
    assert!(
        verify.status.success() && stdout(&verify).contains("intact"),
        "{}",
        stdout(&verify)
    );
    let rebuild = hoso(&["admin", "rebuild", "--db", &server.database.url]);
    assert!(
        stdout(&rebuild).contains(": 0 projections differed"),
        "every projection equals its replay: {}",
        stdout(&rebuild)
    );
    eprintln!(
        "{backend:?}, {ROUNDS} kills: {acknowledged} acknowledged commands all present, {resent_ok} cut-off requests resent and applied once, {submissions} dossiers, {} e-mails of which {resent_mail} delivered again under the same key",
        keys.len()
    );
}
