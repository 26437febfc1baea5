//! More than a thousand generated hostile requests: malformed, oversized, wrongly typed, with
//! unknown fields, bad codes, bad tokens and path tricks. Every answer must be 4xx, no event may
//! be written, and the server must still be healthy afterwards.

use serde_json::json;
use sqlx::Connection as _;

use crate::server::{Backend, Server};

/// A small deterministic generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    fn choose<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick(items)
    }
    fn text(&mut self, length: usize) -> String {
        const ALPHABET: &[char] = &[
            'a', 'Z', '0', '-', '.', '/', '%', '"', '\'', '<', '>', '{', '}', '\\', 'đ', 'Ư',
            '\u{0}', ' ', '\u{202e}', '😀',
        ];
        (0..length).map(|_| *self.pick(ALPHABET)).collect()
    }
}

struct Attack {
    method: &'static str,
    path: String,
    token: Option<String>,
    content_type: Option<&'static str>,
    idempotency_key: Option<String>,
    body: Vec<u8>,
}

fn attacks(rng: &mut Rng, code: &str, tokens: &[String]) -> Vec<Attack> {
    let bad_tokens = [
        String::new(),
        "garbage".to_owned(),
        "hoso_".to_owned(),
        format!("hoso_{}", "f".repeat(64)),
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJTb0RpbmhEYW5oIjoiMDAxMDkwMDAwMDAxIn0.".to_owned(),
        "a.b.c".to_owned(),
        "x".repeat(9000),
    ];
    let bad_codes = [
        "../../etc/passwd".to_owned(),
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_owned(),
        "000.00.17.H21-999999-0001".to_owned(),
        "000.00.17.H21-260230-0001".to_owned(),
        format!("{code}0"),
        "-".to_owned(),
        "A".repeat(5000),
        "%00".to_owned(),
        "000.00.17.H21-261129-0001%0d%0aSet-Cookie:x=1".to_owned(),
    ];
    let mut list = Vec::new();
    for round in 0..150 {
        let valid_token = rng.pick(tokens).clone();
        let length = 1 + (rng.next() % 300) as usize;
        let junk = rng.text(length);
        // 1. Bad tokens on real resources.
        list.push(Attack {
            method: rng.choose(&["GET", "POST"]),
            path: rng
                .pick(&[
                    format!("/api/v1/dossiers/{code}"),
                    "/api/v1/dossiers".to_owned(),
                    "/api/v1/inbox".to_owned(),
                    format!("/api/v1/dossiers/{code}/actions"),
                ])
                .clone(),
            token: Some(rng.pick(&bad_tokens).clone())
                .filter(|token| !token.is_empty() || round % 2 == 0),
            content_type: Some("application/json"),
            idempotency_key: Some(format!("k{round}")),
            body: br#"{"action":"withdraw"}"#.to_vec(),
        });
        // 2. Valid tokens, bad dossier codes and path tricks.
        let bad = rng.pick(&bad_codes).clone();
        list.push(Attack {
            method: "GET",
            path: rng
                .pick(&[
                    format!("/api/v1/dossiers/{bad}"),
                    format!("/api/v1/dossiers/{bad}/timeline"),
                    format!("/api/v1/dossiers/{code}/documents/{bad}"),
                    format!("/api/v1/procedures/{bad}"),
                ])
                .clone(),
            token: Some(valid_token.clone()),
            content_type: None,
            idempotency_key: None,
            body: Vec::new(),
        });
        // 3. Malformed action bodies on the real dossier.
        let bodies: [Vec<u8>; 10] = [
            junk.clone().into_bytes(),
            br#"{"action":"#.to_vec(),
            br#"{"action":123}"#.to_vec(),
            br#"{"action":"receive","expected_version":"one"}"#.to_vec(),
            json!({ "action": "receive", "extra": junk }).to_string().into_bytes(),
            json!({ "action": format!("no_such_action_{junk}") }).to_string().into_bytes(),
            json!({ "action": "request_supplement", "data": { "missing": junk } }).to_string().into_bytes(),
            json!({ "action": "apologize_and_extend", "reason": "x", "data": { "new_appointment": junk } }).to_string().into_bytes(),
            json!({ "action": "consult", "data": { "unit": "../../x", "question": "?" } }).to_string().into_bytes(),
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        ];
        list.push(Attack {
            method: "POST",
            path: format!("/api/v1/dossiers/{code}/actions"),
            token: Some(valid_token.clone()),
            content_type: Some(rng.choose(&["application/json", "application/json", "text/plain"])),
            idempotency_key: None,
            body: rng.pick(&bodies).clone(),
        });
        // 4. Malformed submissions: always an unknown field, a wrong type, or no key.
        let submissions: [Vec<u8>; 6] = [
            json!({ "procedure": "1.001193", "channel": "online", "receiving_unit": "000.00.17.H21", "applicant": { "citizen_id": "001090000001", "name": "x" }, "unexpected": true }).to_string().into_bytes(),
            json!({ "procedure": 1001193, "channel": "online" }).to_string().into_bytes(),
            json!({ "procedure": "1.001193", "channel": ["online"], "receiving_unit": "x", "applicant": {} }).to_string().into_bytes(),
            json!({ "procedure": junk, "channel": "online", "receiving_unit": "000.00.17.H21", "applicant": { "citizen_id": "1", "name": "x", "evil": 1 } }).to_string().into_bytes(),
            format!(r#"{{"procedure":"{}"}}"#, "9".repeat(20000)).into_bytes(),
            junk.clone().into_bytes(),
        ];
        list.push(Attack {
            method: "POST",
            path: "/api/v1/dossiers".to_owned(),
            token: Some(valid_token.clone()),
            content_type: Some(rng.choose(&[
                "application/json",
                "multipart/form-data; boundary=x",
                "application/xml",
            ])),
            idempotency_key: (round % 3 != 0).then(|| format!("hostile-{round}")),
            body: rng.pick(&submissions).clone(),
        });
        // 5. Junk query strings.
        let queries = [
            "?limit=-1",
            "?limit=99999999999999999999",
            "?status=%3Cscript%3E",
            "?unknown=1",
            "?offset=abc",
            "?unit=../../x",
        ];
        list.push(Attack {
            method: "GET",
            path: format!("/api/v1/dossiers{}", rng.pick(&queries)),
            token: Some(valid_token.clone()),
            content_type: None,
            idempotency_key: None,
            body: Vec::new(),
        });
        // 6. Oversized bodies.
        if round % 10 == 0 {
            list.push(Attack {
                method: "POST",
                path: format!("/api/v1/dossiers/{code}/actions"),
                token: Some(valid_token.clone()),
                content_type: Some("application/json"),
                idempotency_key: None,
                body: format!(
                    r#"{{"action":"x","reason":"{}"}}"#,
                    "a".repeat(2 * 1024 * 1024)
                )
                .into_bytes(),
            });
        }
        // 7. Methods and routes that do not exist, and garbage procedure files.
        list.push(Attack {
            method: rng.choose(&["PUT", "DELETE", "PATCH"]),
            path: rng
                .pick(&[
                    "/api/v1/dossiers".to_owned(),
                    format!("/api/v1/dossiers/{code}"),
                    format!("/api/v1/{junk}").replace(['#', '?'], ""),
                ])
                .clone(),
            token: Some(valid_token.clone()),
            content_type: None,
            idempotency_key: None,
            body: Vec::new(),
        });
        list.push(Attack {
            method: "POST",
            path: "/api/v1/procedures".to_owned(),
            token: Some(valid_token),
            content_type: Some("application/toml"),
            idempotency_key: None,
            body: rng
                .pick(&[
                    junk.into_bytes(),
                    b"code = \"1.001193\"\nversion = 1\n".to_vec(),
                    vec![0xFF, 0xFE, 0x00],
                ])
                .clone(),
        });
    }
    list
}

/// Sends only the headers of a request declaring a large body and reads the status line: the
/// server must refuse from the headers alone, before the body is sent.
fn status_from_headers(base: &str, attack: &Attack) -> u16 {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nContent-Type: application/json\r\nConnection: close\r\n",
        attack.method,
        attack.path,
        attack.body.len()
    );
    if let Some(token) = &attack.token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write headers");
    let mut response = [0_u8; 12];
    stream.read_exact(&mut response).expect("read status line");
    std::str::from_utf8(&response[9..12])
        .expect("status")
        .parse()
        .expect("status code")
}

async fn event_count(url: &str) -> i64 {
    let mut connection = sqlx::SqliteConnection::connect(url).await.expect("connect");
    sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut connection)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_hostile_requests_get_only_4xx_and_write_nothing() {
    let Some(server) = Server::start(
        Backend::Sqlite,
        "hostile",
        &["--rate-limit", "1000000", "--rate-burst", "1000000"],
    ) else {
        return;
    };
    let citizen = server.citizen("001090000001");
    let tokens = vec![
        citizen.clone(),
        server.officer("mot_cua"),
        server.officer("tu_phap"),
        server.user("auditor", &[]),
        server.user("designer", &[]),
        server.citizen("001090000002"),
    ];
    let submission = crate::birth_submission("001090000001");
    let created = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("Idempotency-Key", "setup")
        .json(&submission)
        .send()
        .await
        .expect("setup");
    assert_eq!(created.status().as_u16(), 201);
    let code = created.json::<serde_json::Value>().await.expect("json")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let before = event_count(&server.database.url).await;

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let attacks = attacks(&mut rng, &code, &tokens);
    assert!(attacks.len() >= 1000, "{} attacks", attacks.len());
    let mut by_status = std::collections::BTreeMap::new();
    for attack in &attacks {
        if attack.body.len() > 1024 * 1024 {
            let status = status_from_headers(&server.base, attack);
            assert_eq!(status, 413, "an oversized body is refused from its headers");
            *by_status.entry(status).or_insert(0) += 1;
            continue;
        }
        let mut request = server.http.request(
            attack.method.parse().expect("method"),
            server.url(&attack.path),
        );
        if let Some(token) = &attack.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        if let Some(content_type) = attack.content_type {
            request = request.header("Content-Type", content_type);
        }
        if let Some(key) = &attack.idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request
            .body(attack.body.clone())
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        assert!(
            (400..500).contains(&status),
            "{} {} answered {status}: {}",
            attack.method,
            attack.path.chars().take(120).collect::<String>(),
            response.text().await.unwrap_or_default()
        );
        *by_status.entry(status).or_insert(0) += 1;
    }
    eprintln!("hostile requests by status: {by_status:?}");
    assert_eq!(
        event_count(&server.database.url).await,
        before,
        "no event was written"
    );
    let health = server
        .http
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("alive");
    assert_eq!(health.status().as_u16(), 200, "the server is still healthy");
}
