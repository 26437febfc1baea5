//! Several `hoso serve` nodes on one PostgreSQL database: commands on one dossier sent to two
//! nodes at once serialise (one wins, one is refused, one event); every outbox message is
//! delivered by exactly one node; every due timer is claimed and fired by exactly one node; and the messages a node had claimed when it was killed are
//! delivered by another once its claims expire.

use std::collections::BTreeMap;

use hoso_adapters::testing::MailServer;
use serde_json::{Value, json};

use crate::archive::strings;
use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";

async fn post(http: &reqwest::Client, url: String, token: &str, body: &Value) -> (u16, Value) {
    let response = http
        .post(url)
        .bearer_auth(token)
        // A fresh key: every request here is a separate command, never a retry.
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(body)
        .send()
        .await
        .expect("the node answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Message-ID → how many times it arrived.
pub(crate) fn arrivals(mail: &MailServer) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for message in mail.messages() {
        let id = message
            .lines()
            .find_map(|line| line.strip_prefix("Message-ID: "))
            .expect("every message has a Message-ID")
            .trim()
            .to_owned();
        *seen.entry(id).or_insert(0) += 1;
    }
    seen
}

fn pending_messages(url: &str) -> Vec<String> {
    strings(
        url,
        // Portal sync is not configured on these nodes; its messages wait for a node that has it.
        "SELECT idempotency_key FROM outbox WHERE topic = 'email' AND state <> 'delivered' ORDER BY id",
    )
}

/// A fee-exempt temporary-residence registration (đăng ký tạm trú) with its documents on record.
fn residence() -> Value {
    json!({
        "procedure": "1.004194", "channel": "online", "receiving_unit": "000.00.17.H21",
        "applicant": { "citizen_id": CITIZEN, "name": "Nguyễn Văn Bình", "email": "binh@example.vn" },
        "form": { "dia_chi_tam_tru": "Số 5 ngõ 12 phố Huế", "thoi_han_thang": 12, "dang_ky_theo_danh_sach": false, "so_nguoi": 1, "mien_le_phi": true },
        "documents": [
            { "component": "cho_o_hop_phap", "name": "Giấy tờ chỗ ở hợp pháp", "provenance": "data_store", "reference": "kho/202" }
        ]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_serialise_commands_and_share_the_outbox_and_a_dead_nodes_claims_expire() {
    let Some(mail) = MailServer::start() else {
        return;
    };
    let mail_port = mail.port().to_string();
    // Accepts connections and never answers: a node sending mail here holds its claims.
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let hole_port = black_hole.local_addr().expect("address").port().to_string();
    let effects = |smtp_port: &str| -> Vec<String> {
        [
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            smtp_port,
            "--smtp-plain",
            "--outbox-interval",
            "1",
            "--outbox-timeout",
            "2",
            "--timer-interval",
            "1",
            "--rate-limit",
            "100000",
            "--rate-burst",
            "100000",
        ]
        .map(str::to_owned)
        .to_vec()
    };
    let stuck_args = effects(&hole_port);
    let stuck_args: Vec<&str> = stuck_args.iter().map(String::as_str).collect();
    let Some(mut doomed) = Server::start(Backend::Postgres, "nodes", &stuck_args) else {
        return;
    };
    let url = doomed.database.url.clone();
    let citizen = doomed.citizen(CITIZEN);
    let desk = doomed.officer("mot_cua");
    let http = reqwest::Client::new();

    // The doomed node claims the registration e-mails and hangs on the black hole; it is killed.
    for _ in 0..3 {
        let (status, body) = post(
            &http,
            doomed.url("/api/v1/dossiers"),
            &citizen,
            &crate::birth_submission(CITIZEN),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let claimed =
        "SELECT idempotency_key FROM outbox WHERE state = 'pending' AND claimed_until IS NOT NULL";
    let held = crate::eventually(|| {
        let held = strings(&url, claimed);
        (!held.is_empty(), held)
    })
    .await;
    assert!(!held.is_empty(), "the doomed node claimed an e-mail");
    doomed.kill();
    assert!(mail.messages().is_empty());

    // Two live nodes. The claims of the dead one expire (twice the 2 s timeout) and are taken.
    let good_args = effects(&mail_port);
    let good_args: Vec<&str> = good_args.iter().map(String::as_str).collect();
    let left = doomed.node(&good_args);
    let right = doomed.node(&good_args);
    let delivered = crate::eventually(|| {
        let seen = arrivals(&mail);
        (seen.len() == 3, seen)
    })
    .await;
    assert_eq!(
        delivered.len(),
        3,
        "every registration e-mail arrived: {delivered:?}"
    );
    for key in &held {
        assert!(
            delivered.contains_key(&format!("<{key}@hoso>")),
            "{key}, claimed by the dead node, was delivered by another: {delivered:?}"
        );
    }

    // Commands on one dossier sent to both nodes at once: one wins, the other is refused.
    let mut codes = Vec::new();
    for index in 0..8 {
        let node = if index % 2 == 0 { &left } else { &right };
        let (status, body) = post(
            &http,
            node.url("/api/v1/dossiers"),
            &citizen,
            &crate::birth_submission(CITIZEN),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        codes.push(body["code"].as_str().expect("code").to_owned());
    }
    for action in ["receive", "chuyen_tham_dinh"] {
        for code in &codes {
            let path = format!("/api/v1/dossiers/{code}/actions");
            let body = json!({ "action": action });
            let ((first, first_body), (second, second_body)) = tokio::join!(
                post(&http, left.url(&path), &desk, &body),
                post(&http, right.url(&path), &desk, &body),
            );
            let mut statuses = [first, second];
            statuses.sort_unstable();
            assert!(
                statuses[0] == 200 && [409, 422].contains(&statuses[1]),
                "{action} on {code} from two nodes: {first} {first_body} / {second} {second_body}"
            );
        }
    }
    for code in &codes {
        let kinds = strings(
            &url,
            &format!("SELECT kind FROM events WHERE case_code = '{code}' ORDER BY seq"),
        );
        assert_eq!(
            kinds
                .iter()
                .filter(|kind| kind.as_str() == "received")
                .count(),
            1,
            "{code}: {kinds:?}"
        );
        assert_eq!(
            kinds
                .iter()
                .filter(|kind| kind.as_str() == "action_taken")
                .count(),
            1,
            "{code}: {kinds:?}"
        );
    }

    // Timers: temporary-residence dossiers (three working days, so each gets a warning a day
    // before its appointment) have their warnings made due now; both nodes run a pass each
    // second. Each warning is claimed by one node and raises one event.
    let residence_desk = doomed.officer("can_bo_tiep_nhan");
    let mut residences = Vec::new();
    for index in 0..6 {
        let node = if index % 2 == 0 { &left } else { &right };
        let (status, body) =
            post(&http, node.url("/api/v1/dossiers"), &citizen, &residence()).await;
        assert_eq!(status, 201, "{body}");
        let code = body["code"].as_str().expect("code").to_owned();
        let path = format!("/api/v1/dossiers/{code}/actions");
        let (status, body) = post(
            &http,
            node.url(&path),
            &residence_desk,
            &json!({ "action": "receive" }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        residences.push(code);
    }
    let listed = residences
        .iter()
        .map(|code| format!("'{code}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let now = chrono::Utc::now().timestamp_micros();
    let due_now = strings(
        &url,
        &format!(
            "UPDATE timers SET due_at = {now} - 1000000 WHERE passed = 0 AND case_code IN ({listed}) \
             RETURNING case_code || ':' || deadline"
        ),
    );
    assert_eq!(
        due_now.len(),
        residences.len(),
        "every received dossier has one warning timer: {due_now:?}"
    );
    let warned = crate::eventually(|| {
        let warned = strings(
            &url,
            &format!(
                "SELECT case_code || ':' || (payload::json ->> 'deadline') FROM events \
                 WHERE kind = 'deadline_near' AND case_code IN ({listed}) ORDER BY 1"
            ),
        );
        (warned.len() >= due_now.len(), warned)
    })
    .await;
    let mut expected = due_now.clone();
    expected.sort();
    assert_eq!(warned, expected, "one warning per timer made due");
    let mut fired = BTreeMap::new();
    for node in [&left, &right] {
        let metrics = http
            .get(node.url("/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        for outcome in ["raised", "already"] {
            let line = format!("hoso_timers_total{{outcome=\"{outcome}\"}} ");
            let count: usize = metrics
                .lines()
                .find_map(|text| text.strip_prefix(&line))
                .and_then(|count| count.parse().ok())
                .unwrap_or_else(|| panic!("{line} in {metrics}"));
            *fired.entry(outcome).or_insert(0) += count;
        }
    }
    assert_eq!(
        fired.get("raised"),
        Some(&due_now.len()),
        "the two nodes together raised each timer once: {fired:?}"
    );
    assert_eq!(
        fired.get("already"),
        Some(&0),
        "no node claimed a timer the other had fired: {fired:?}"
    );

    // Every message delivered, each by exactly one node.
    let everything = crate::eventually(|| {
        let pending = pending_messages(&url);
        (pending.is_empty(), pending)
    })
    .await;
    assert!(everything.is_empty(), "still undelivered: {everything:?}");
    let rows = strings(
        &url,
        "SELECT idempotency_key FROM outbox WHERE topic = 'email'",
    );
    let seen = arrivals(&mail);
    assert_eq!(
        seen.len(),
        rows.len(),
        "one e-mail per outbox row: {seen:?}"
    );
    let twice: Vec<_> = seen.iter().filter(|(_, count)| **count > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    drop((left, right));
    drop(black_hole);
}
