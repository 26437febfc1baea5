//! `hoso serve` delivers side effects through its own dispatcher; operators handle dead letters.

use hoso_adapters::testing::MailServer;
use serde_json::Value;

use crate::server::{Backend, Server};
use crate::{hoso, stdout};

async fn submit(server: &Server, citizen: &str, key: &str) -> String {
    let mut submission = crate::birth_submission("001090000001");
    submission["applicant"]["phone"] = Value::String("0912345678".to_owned());
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(citizen)
        .header("Idempotency-Key", key)
        .json(&submission)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    response.json::<Value>().await.expect("json")["code"]
        .as_str()
        .expect("code")
        .to_owned()
}

async fn serve_delivers_mail(backend: Backend) {
    let Some(mail) = MailServer::start() else {
        return;
    };
    let port = mail.port().to_string();
    let Some(server) = Server::start(
        backend,
        "mail",
        &[
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-plain",
            "--outbox-interval",
            "1",
        ],
    ) else {
        return;
    };
    let citizen = server.citizen("001090000001");
    let code = submit(&server, &citizen, "mail-1").await;
    crate::eventually(|| (!mail.messages().is_empty(), ())).await;
    let messages = mail.messages();
    assert_eq!(messages.len(), 1, "the registration e-mail arrives");
    assert!(
        messages[0].contains(&format!("Message-ID: <{code}:1:email@hoso>")),
        "{}",
        messages[0]
    );
    let listed = stdout(&hoso(&["outbox", "list", "--db", &server.database.url]));
    assert!(
        listed.contains(&format!("{code}:1:email")) && listed.contains("delivered"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{code}:1:sms")) && listed.contains("pending"),
        "no SMS provider here: the SMS waits: {listed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_delivers_notifications_on_sqlite() {
    serve_delivers_mail(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_delivers_notifications_on_postgres_woken_by_notify() {
    serve_delivers_mail(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_list_retry_and_drop_dead_letters() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let sms_url = format!("http://127.0.0.1:{closed}/sms");
    let Some(server) = Server::start(
        Backend::Sqlite,
        "dead",
        &[
            "--sms-url",
            &sms_url,
            "--outbox-max-attempts",
            "1",
            "--outbox-interval",
            "1",
        ],
    ) else {
        return;
    };
    let citizen = server.citizen("001090000001");
    let code = submit(&server, &citizen, "dead-1").await;
    let key = format!("{code}:1:sms");
    let dead = crate::eventually(|| {
        let listed = stdout(&hoso(&[
            "outbox",
            "list",
            "--state",
            "dead",
            "--db",
            &server.database.url,
        ]));
        (listed.contains(&key), listed)
    })
    .await;
    assert!(
        dead.contains(&key) && dead.contains("SMS provider unreachable"),
        "the SMS to a dead provider is a dead letter with its error: {dead}"
    );

    let retried = hoso(&[
        "outbox",
        "retry",
        &key,
        "--operator",
        "lan",
        "--db",
        &server.database.url,
    ]);
    assert!(retried.status.success(), "{}", crate::stderr(&retried));
    assert!(
        stdout(&retried).contains("queued again by operator:lan"),
        "{}",
        stdout(&retried)
    );
    let dropped = hoso(&[
        "outbox",
        "drop",
        &key,
        "--reason",
        "Số điện thoại không còn dùng",
        "--operator",
        "lan",
        "--db",
        &server.database.url,
    ]);
    assert!(dropped.status.success(), "{}", crate::stderr(&dropped));
    assert!(
        stdout(&dropped).contains("now dropped"),
        "{}",
        stdout(&dropped)
    );
    let timeline: Value = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}/timeline")))
        .bearer_auth(server.user("auditor", &[]))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let kinds: Vec<&str> = timeline
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|event| event["kind"].as_str())
        .collect();
    assert!(
        kinds.ends_with(&["effect_retried", "effect_dropped"]),
        "operator actions are on the chain: {kinds:?}"
    );
    let missing = hoso(&["outbox", "retry", "nope", "--db", &server.database.url]);
    assert_eq!(missing.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_delivery_reports_are_stored_against_their_message() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "CodeResult": "100", "SMSID": "sms-42" })),
        )
        .mount(&provider)
        .await;
    let token = "report-token-0123456789";
    let Some(server) = Server::start(
        Backend::Sqlite,
        "dlr",
        &[
            "--sms-url",
            &provider.uri(),
            "--sms-callback-token",
            token,
            "--outbox-interval",
            "1",
        ],
    ) else {
        return;
    };
    let citizen = server.citizen("001090000001");
    let code = submit(&server, &citizen, "dlr-1").await;
    let key = format!("{code}:1:sms");
    let listed = crate::eventually(|| {
        let listed = stdout(&hoso(&[
            "outbox",
            "list",
            "--state",
            "delivered",
            "--db",
            &server.database.url,
        ]));
        (listed.contains("esms:sms-42 accepted"), listed)
    })
    .await;
    assert!(
        listed.contains(&key) && listed.contains("esms:sms-42 accepted"),
        "{listed}"
    );
    let report = serde_json::json!({ "SMSID": "sms-42", "SendStatus": "delivered" });
    let post = |path: String, body: serde_json::Value| {
        server.http.post(server.url(&path)).json(&body).send()
    };
    assert_eq!(
        post(format!("/api/v1/notifications/sms/{token}"), report.clone())
            .await
            .expect("sent")
            .status()
            .as_u16(),
        204
    );
    assert_eq!(
        post(
            "/api/v1/notifications/sms/wrong-token-000000000".to_owned(),
            report
        )
        .await
        .expect("sent")
        .status()
        .as_u16(),
        404,
        "a wrong token"
    );
    assert_eq!(
        post(
            format!("/api/v1/notifications/sms/{token}"),
            serde_json::json!({ "SMSID": "nope", "SendStatus": "x" })
        )
        .await
        .expect("sent")
        .status()
        .as_u16(),
        404
    );
    let listed = stdout(&hoso(&[
        "outbox",
        "list",
        "--state",
        "delivered",
        "--db",
        &server.database.url,
    ]));
    assert!(listed.contains("esms:sms-42 delivered"), "{listed}");
}

/// E-mails queued while no mail server is configured wait untouched: a node that has one
/// delivers them at once, not after a deferral the first node put on them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_before_smtp_is_configured_goes_out_as_soon_as_a_node_has_it() {
    let Some(mail) = MailServer::start() else {
        return;
    };
    let Some(server) = Server::start(Backend::Sqlite, "mail-later", &["--outbox-interval", "1"])
    else {
        return;
    };
    let citizen = server.citizen("001090000001");
    let code = submit(&server, &citizen, "mail-later-1").await;
    // Several passes of the node without SMTP go by.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(mail.messages().is_empty());
    let port = mail.port().to_string();
    let _with_mail = server.node(&[
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-plain",
        "--outbox-interval",
        "1",
    ]);
    crate::eventually(|| (!mail.messages().is_empty(), ())).await;
    let messages = mail.messages();
    assert_eq!(messages.len(), 1, "the queued e-mail arrives");
    assert!(messages[0].contains(&format!("Message-ID: <{code}:1:email@hoso>")));
}
