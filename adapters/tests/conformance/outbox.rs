//! Side effects are never lost and never doubled: deliveries to a real SMTP server and an SMS
//! provider, peers that fail in every way, dead letters, operator retry, and a dispatcher killed
//! mid-delivery.

use std::sync::Arc;
use std::time::Duration;

use hoso_adapters::access::Secret;
use hoso_adapters::notify::email::{EmailDeliverer, EmailSettings};
use hoso_adapters::notify::sms::{SmsDeliverer, SmsSettings};
use hoso_adapters::worker::{Dispatcher, RetryPolicy};
use hoso_engine::case::{Actor, Command};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{World, officer};
use hoso_engine::ports::{Delivery as _, DeliveryState};

crate::conformance!(
    dossiers_are_synchronised_with_the_national_portal,
    electronic_results_reach_the_applicants_data_store,
    notifications_reach_a_real_mail_server_and_the_sms_provider,
    failing_peers_are_retried_then_dead_lettered_never_dropped,
    an_operator_retry_is_audited_and_delivers_with_the_same_key,
    a_dispatcher_killed_mid_delivery_loses_nothing,
);

fn sms(url: String) -> Arc<SmsDeliverer> {
    Arc::new(
        SmsDeliverer::new(SmsSettings {
            url,
            api_key: Secret::from_client("key"),
            secret_key: Secret::from_client("secret"),
            brandname: "HOSO".to_owned(),
        })
        .expect("sms deliverer"),
    )
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base: Duration::from_millis(1),
        cap: Duration::from_millis(5),
        timeout: Duration::from_millis(500),
    }
}

fn decode_quoted_printable_subject(message: &str) -> String {
    message
        .lines()
        .find(|line| line.starts_with("Subject:"))
        .unwrap_or_default()
        .to_owned()
}

async fn notifications_reach_a_real_mail_server_and_the_sms_provider(world: World) {
    let Some(mail) = hoso_adapters::testing::MailServer::start() else {
        return;
    };
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sms"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "CodeResult": "100", "SMSID": "sms-1" })),
        )
        .mount(&provider)
        .await;
    let code = world.received_birth().await;
    let email = EmailDeliverer::new(&EmailSettings {
        host: "127.0.0.1".to_owned(),
        port: mail.port(),
        starttls: false,
        credentials: None,
        from: "Bộ phận Một cửa <motcua@example.gov.vn>".to_owned(),
    })
    .expect("email deliverer");
    let dispatcher = Dispatcher::new(Arc::clone(&world.service), quick())
        .route("email", Arc::new(email), 2)
        .route("sms", sms(format!("{}/sms", provider.uri())), 2);
    let pass = dispatcher
        .dispatch(chrono::Utc::now(), 50)
        .await
        .expect("pass");
    assert_eq!((pass.delivered, pass.retried, pass.dead), (4, 0, 0));

    let messages = mail.messages();
    assert_eq!(messages.len(), 2, "submitted and received");
    assert!(
        messages
            .iter()
            .all(|message| message.contains("To: binh@example.vn"))
    );
    assert!(
        messages
            .iter()
            .any(|message| message.contains(&format!("Message-ID: <{code}:2:email@hoso>"))),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|message| decode_quoted_printable_subject(message).contains("Subject:"))
    );

    let requests = provider.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    let mut bodies: Vec<serde_json::Value> = requests
        .iter()
        .map(|request| serde_json::from_slice(&request.body).expect("json"))
        .collect();
    bodies.sort_by_key(|body| body["RequestId"].as_str().unwrap_or_default().to_owned());
    assert!(
        bodies
            .iter()
            .all(|body| body["Phone"] == "84912345678" && body["Brandname"] == "HOSO")
    );
    assert_eq!(bodies[0]["RequestId"], format!("{code}:1:sms"));
    assert!(
        bodies[1]["Content"]
            .as_str()
            .expect("content")
            .contains("Ngày hẹn trả kết quả: 17:00 03/03/2025"),
        "{}",
        bodies[1]
    );

    let entries = world
        .service
        .store()
        .outbox_entries(None, 50)
        .await
        .expect("entries");
    assert!(
        entries
            .iter()
            .filter(|entry| entry.topic != "portal")
            .all(|entry| entry.state == DeliveryState::Delivered),
        "{entries:#?}"
    );
    assert!(
        entries
            .iter()
            .any(|entry| entry.provider_id.as_deref() == Some("esms:sms-1"))
    );
    let again = dispatcher
        .dispatch(chrono::Utc::now(), 50)
        .await
        .expect("pass");
    assert_eq!(again.delivered, 0, "delivered messages are not sent twice");
}

async fn failing_peers_are_retried_then_dead_lettered_never_dropped(world: World) {
    world.received_birth().await;
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/500"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&failing)
        .await;
    Mock::given(method("POST"))
        .and(path("/garbage"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>oops"))
        .mount(&failing)
        .await;
    Mock::given(method("POST"))
        .and(path("/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(3))
                .set_body_json(serde_json::json!({ "CodeResult": "100", "SMSID": "late" })),
        )
        .mount(&failing)
        .await;
    let down = format!(
        "http://127.0.0.1:{}/sms",
        std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port()
    );
    for (label, url) in [
        ("down", down),
        ("500", format!("{}/500", failing.uri())),
        ("garbage", format!("{}/garbage", failing.uri())),
        ("slow", format!("{}/slow", failing.uri())),
    ] {
        let dispatcher =
            Dispatcher::new(Arc::clone(&world.service), quick()).route("sms", sms(url), 4);
        // Reset the two SMS messages, then fail them to the end.
        let store = world.service.store();
        for entry in store
            .outbox_entries(None, 50)
            .await
            .expect("entries")
            .iter()
            .filter(|entry| entry.topic == "sms")
        {
            let code = entry.case_code.clone().expect("code");
            world
                .act(
                    &code,
                    Actor::system("operator:test"),
                    Command::RetryEffect {
                        idempotency_key: entry.idempotency_key.clone(),
                    },
                    "2025-03-03T10:00:00+07:00",
                )
                .await
                .expect("retry");
        }
        let mut passes = Vec::new();
        for _ in 0..3 {
            passes.push(
                dispatcher
                    .dispatch(chrono::Utc::now() + chrono::Duration::seconds(1), 50)
                    .await
                    .expect("pass"),
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let retried: usize = passes.iter().map(|pass| pass.retried).sum();
        let dead: usize = passes.iter().map(|pass| pass.dead).sum();
        assert_eq!(
            (retried, dead),
            (4, 2),
            "{label}: two retries each, then a dead letter each: {passes:?}"
        );
        let dead_letters = store
            .outbox_entries(Some(DeliveryState::Dead), 50)
            .await
            .expect("dead");
        assert_eq!(dead_letters.len(), 2, "{label}");
        assert!(
            dead_letters
                .iter()
                .all(|entry| entry.attempts == 3 && entry.last_error.is_some()),
            "{label}: {dead_letters:#?}"
        );
    }
    // The e-mails, with no adapter configured here, wait untouched: deferred, never dropped.
    let waiting = world
        .service
        .store()
        .outbox_entries(Some(DeliveryState::Pending), 50)
        .await
        .expect("pending");
    assert_eq!(
        waiting
            .iter()
            .filter(|entry| entry.topic == "email")
            .count(),
        2
    );
    assert!(waiting.iter().all(|entry| entry.attempts == 0));
}

async fn an_operator_retry_is_audited_and_delivers_with_the_same_key(world: World) {
    let code = world.received_birth().await;
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "CodeResult": "100", "SMSID": "x" })),
        )
        .mount(&provider)
        .await;
    let dispatcher =
        Dispatcher::new(Arc::clone(&world.service), quick()).route("sms", sms(provider.uri()), 1);
    assert_eq!(
        dispatcher
            .dispatch(chrono::Utc::now(), 50)
            .await
            .expect("pass")
            .delivered,
        2
    );
    let key = format!("{code}:2:sms");
    // Only operators may retry or drop, and only the dossier's own effects.
    let denied = world
        .act(
            &code,
            officer("mot_cua"),
            Command::RetryEffect {
                idempotency_key: key.clone(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .await;
    assert!(denied.is_err());
    let foreign = world
        .act(
            &code,
            Actor::system("operator:lan"),
            Command::RetryEffect {
                idempotency_key: "000.00.18.H21-250303-0001:1:sms".to_owned(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .await;
    assert!(foreign.is_err());
    // A delivered message cannot be reset; the retry is recorded but changes nothing.
    world
        .act(
            &code,
            Actor::system("operator:lan"),
            Command::RetryEffect {
                idempotency_key: key.clone(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .await
        .expect("audited");
    assert_eq!(
        world
            .service
            .store()
            .outbox_entry(&key)
            .await
            .expect("entry")
            .expect("exists")
            .state
            .as_str(),
        "delivered"
    );
    let events = hoso_engine::ports::Dossiers::events(world.service.store(), &code)
        .await
        .expect("events");
    assert_eq!(
        events.last().map(|event| event.kind.name()),
        Some("effect_retried")
    );
    assert_eq!(
        events.last().map(|event| event.actor.id.as_str()),
        Some("operator:lan")
    );
    // A dropped message stays on record as dropped, with its reason in the timeline.
    let email_key = format!("{code}:1:email");
    world
        .act(
            &code,
            Actor::system("operator:lan"),
            Command::DropEffect {
                idempotency_key: email_key.clone(),
                reason: "Địa chỉ e-mail sai".to_owned(),
            },
            "2025-03-03T10:01:00+07:00",
        )
        .await
        .expect("dropped");
    assert_eq!(
        world
            .service
            .store()
            .outbox_entry(&email_key)
            .await
            .expect("entry")
            .expect("exists")
            .state
            .as_str(),
        "dropped"
    );
}

async fn a_dispatcher_killed_mid_delivery_loses_nothing(world: World) {
    let code = world.received_birth().await;
    let provider = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(800))
                .set_body_json(serde_json::json!({ "CodeResult": "100", "SMSID": "y" })),
        )
        .mount(&provider)
        .await;
    let policy = RetryPolicy {
        timeout: Duration::from_secs(5),
        ..quick()
    };
    let first =
        Dispatcher::new(Arc::clone(&world.service), policy).route("sms", sms(provider.uri()), 4);
    let running = tokio::spawn(async move { first.dispatch(chrono::Utc::now(), 50).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.abort();
    let _ = running.await;
    let pending = world
        .service
        .store()
        .outbox_entries(Some(DeliveryState::Pending), 50)
        .await
        .expect("pending");
    assert_eq!(
        pending.iter().filter(|entry| entry.topic == "sms").count(),
        2,
        "killed mid-delivery: still pending, not lost"
    );
    // A restarted dispatcher takes them over once the dead one's lease expires.
    let second =
        Dispatcher::new(Arc::clone(&world.service), policy).route("sms", sms(provider.uri()), 4);
    let early = second.dispatch(chrono::Utc::now(), 50).await.expect("pass");
    assert_eq!(early.delivered, 0, "the lease still holds");
    let later = second
        .dispatch(chrono::Utc::now() + chrono::Duration::seconds(11), 50)
        .await
        .expect("pass");
    assert_eq!(later.delivered, 2);
    let requests = provider.received_requests().await.expect("recorded");
    let keys: Vec<String> = requests
        .iter()
        .map(|request| {
            serde_json::from_slice::<serde_json::Value>(&request.body).expect("json")["RequestId"]
                .as_str()
                .expect("key")
                .to_owned()
        })
        .collect();
    for key in &keys {
        assert!(
            key == &format!("{code}:1:sms") || key == &format!("{code}:2:sms"),
            "{key}"
        );
    }
    assert!(
        keys.len() <= 4,
        "at most one repeat per message, and each repeat carries the same key: {keys:?}"
    );
}

async fn dossiers_are_synchronised_with_the_national_portal(world: World) {
    use wiremock::matchers::body_partial_json;
    let lgsp = MockServer::start().await;
    mount_login(&lgsp).await;
    Mock::given(path("/dvcqg"))
        .and(body_partial_json(
            serde_json::json!({ "service": "TraCuuHoSo" }),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "error_code": "00", "result": [] })),
        )
        .mount(&lgsp)
        .await;
    mount_success(&lgsp).await;
    let code = world.received_birth().await;
    let config: hoso_adapters::portal::PortalConfig = toml::from_str(&format!(
        "[[agencies]]\nunits = [\"000.00.17.H21\"]\nadapter_url = \"{}\"\nauth_endpoint = \"/auth\"\nintegration_endpoint = \"/dvcqg\"\nusername = \"hoso\"\npassword = \"p\"\nmadonvi = \"000.00.17.H21\"\nstatus_map = {{ received = 4 }}\nfield_codes = {{ \"1.001193\" = \"G09-TP01\" }}\npublic_url = \"https://dvc.example.vn/\"\n",
        lgsp.uri()
    ))
    .expect("config");
    let portal = hoso_adapters::portal::PortalDeliverer::new(
        Arc::clone(&world.service),
        hoso_adapters::documents::DocumentStore::new(std::env::temp_dir().join("hoso-unused")),
        config,
    )
    .expect("portal");
    let march = hoso_engine::indicators::Period {
        from: chrono::NaiveDate::from_ymd_opt(2025, 3, 1).expect("date"),
        to: chrono::NaiveDate::from_ymd_opt(2025, 3, 31).expect("date"),
    };
    let settings = hoso_engine::indicators::Settings::from_toml(include_str!(
        "../../../fixtures/indicators.toml"
    ))
    .expect("settings");
    let sync_rate = || async {
        let report = hoso_adapters::reports::indicator_report(
            &world.service,
            march,
            None,
            &settings,
            |_, _| {},
        )
        .await
        .expect("report");
        let synced = report
            .indicators
            .iter()
            .find(|indicator| indicator.id == "1.4")
            .expect("1.4")
            .clone();
        (synced.numerator, synced.denominator, synced.value)
    };
    assert!(
        world
            .service
            .store()
            .delivered_dossiers("portal")
            .await
            .expect("delivered")
            .is_empty()
    );
    assert_eq!(sync_rate().await, (0.0, 1.0, 0.0), "not on the portal yet");
    let dispatcher =
        Dispatcher::new(Arc::clone(&world.service), quick()).route("portal", Arc::new(portal), 1);
    let pass = dispatcher
        .dispatch(chrono::Utc::now(), 50)
        .await
        .expect("pass");
    assert_eq!(pass.delivered, 2, "{pass:?}");
    assert_eq!(
        world
            .service
            .store()
            .delivered_dossiers("portal")
            .await
            .expect("delivered"),
        [code.to_string()],
        "two messages, one dossier"
    );
    assert_eq!(sync_rate().await, (1.0, 1.0, 100.0), "1.4 from the outbox");
    let requests = lgsp.received_requests().await.expect("recorded");
    let bodies: Vec<serde_json::Value> = requests
        .iter()
        .map(|request| serde_json::from_slice(&request.body).expect("json"))
        .collect();
    let services: Vec<&str> = bodies
        .iter()
        .map(|body| body["service"].as_str().unwrap_or("login"))
        .collect();
    assert_eq!(
        services,
        vec![
            "login",
            "TraCuuHoSo",
            "DongBoHoSoMC",
            "CapNhatTienDoHoSoMC",
            "TraCuuHoSo",
            "DongBoHoSoMC",
            "CapNhatTienDoHoSoMC"
        ],
        "one login, then look up, sync, progress"
    );
    let sync = &bodies[2];
    assert_eq!(
        (
            sync["session"].as_str(),
            sync["madonvi"].as_str(),
            sync["isUpdating"].as_str()
        ),
        (Some("S-1"), Some("000.00.17.H21"), Some("False"))
    );
    let record = &sync["data"][0];
    assert_eq!(record["MaHoSo"], code.to_string());
    assert_eq!(record["MaTTHC"], "1.001193");
    assert_eq!(
        record["TrangThaiHoSo"], "4",
        "the agency maps received to 4"
    );
    assert_eq!(record["NgayTiepNhan"], "20250303091000");
    assert_eq!(record["NgayHenTra"], "20250303170000");
    assert_eq!(record["KenhThucHien"], 2);
    // What the portal scores on, from the dossier's facts.
    assert_eq!(record["MaLinhVuc"], "G09-TP01", "the configured field code");
    assert_eq!(record["DuocThanhToanTrucTuyen"], 0, "nothing paid online");
    assert_eq!(
        record["TaiKhoanDuocXacThucVoiVNeID"], false,
        "a local token"
    );
    assert_eq!(record["HoSoCoThanhPhanSoHoa"], true);
    let papers = record["TaiLieuNop"].as_array().expect("papers");
    assert!(
        papers.iter().all(|paper| paper["DuocSoHoa"] == true),
        "an uploaded file and a data-store paper are both digitised: {papers:?}"
    );
    assert_eq!(record["MaKetQua"], "", "no result yet");
    assert_eq!(
        bodies[3]["data"][0]["NoiDungXuLy"]
            .as_str()
            .map(|text| text.starts_with("Nộp hồ sơ")),
        Some(true)
    );
    let entries = world
        .service
        .store()
        .outbox_entries(None, 50)
        .await
        .expect("entries");
    assert!(
        entries
            .iter()
            .filter(|entry| entry.topic == "portal")
            .all(|entry| entry.state == DeliveryState::Delivered
                && entry
                    .provider_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with("dvcqg:")))
    );
}

mod competing {
    use super::*;

    crate::conformance!(competing_dispatchers_deliver_each_message_once);

    async fn competing_dispatchers_deliver_each_message_once(world: World) {
        for _ in 0..6 {
            world.received_birth().await;
        }
        let provider = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_delay(Duration::from_millis(20))
                    .set_body_json(serde_json::json!({ "CodeResult": "100", "SMSID": "z" })),
            )
            .mount(&provider)
            .await;
        let mut runs = Vec::new();
        for _ in 0..3 {
            let dispatcher = Dispatcher::new(Arc::clone(&world.service), quick()).route(
                "sms",
                sms(provider.uri()),
                2,
            );
            runs.push(tokio::spawn(async move {
                dispatcher.dispatch(chrono::Utc::now(), 5).await
            }));
        }
        let mut delivered = 0;
        for run in runs {
            delivered += run.await.expect("joined").expect("pass").delivered;
        }
        let rest = Dispatcher::new(Arc::clone(&world.service), quick()).route(
            "sms",
            sms(provider.uri()),
            2,
        );
        while let Ok(pass) = rest.dispatch(chrono::Utc::now(), 50).await {
            if pass.delivered == 0 {
                break;
            }
            delivered += pass.delivered;
        }
        assert_eq!(delivered, 12, "two SMS for each of six dossiers");
        let requests = provider.received_requests().await.expect("recorded");
        let mut keys: Vec<String> = requests
            .iter()
            .map(|request| serde_json::from_slice::<serde_json::Value>(&request.body).expect("json")["RequestId"].as_str().expect("key").to_owned())
            .collect();
        keys.sort();
        let total = keys.len();
        keys.dedup();
        assert_eq!(
            (total, keys.len()),
            (12, 12),
            "no message was sent by two dispatchers"
        );
    }
}

/// An approved dossier's result PDF goes to the applicant's data store through the portal
/// connection's configured service, the file itself in the body; without the service named,
/// it waits as a dead letter an operator sees rather than vanishing.
async fn electronic_results_reach_the_applicants_data_store(world: World) {
    use hoso_engine::case::{ResultDelivery, ResultDocument};
    let folder = std::env::temp_dir().join(format!("hoso-results-{}", uuid::Uuid::now_v7()));
    let documents = hoso_adapters::documents::DocumentStore::new(&folder);
    let pdf =
        b"%PDF-1.7\n1 0 obj\n<< /Type /Sig /ByteRange [0 1 2 3] /Name (UBND) >>\nendobj\n%%EOF";
    let staged = documents.stage(pdf).await.expect("staged");
    let sha256 = staged.sha256().to_owned();
    staged.keep().await.expect("kept");
    let mut submission = crate::harness::birth_submission();
    submission.delivery = Some(ResultDelivery {
        channel: hoso_engine::procedure::Delivery::Online,
        address: None,
    });
    let code = world
        .send(
            citizen(),
            hoso_engine::service::Target::New(
                hoso_engine::procedure::ProcedureCode::parse("1.001193").expect("code"),
            ),
            Command::Submit(submission),
            "2025-03-03T09:00:00+07:00",
        )
        .await
        .expect("submitted")
        .case
        .code;
    use crate::harness::{action, citizen};
    let mut approve = action("phe_duyet");
    if let Command::TakeAction { results, .. } = &mut approve {
        results.push(ResultDocument {
            name: "giay-khai-sinh.pdf".to_owned(),
            sha256: sha256.clone(),
            size: pdf.len() as u64,
            signed: true,
            signers: vec!["UBND".to_owned()],
        });
    }
    for (actor, command, now) in [
        (
            officer("mot_cua"),
            Command::Receive,
            "2025-03-03T09:10:00+07:00",
        ),
        (
            officer("mot_cua"),
            action("chuyen_tham_dinh"),
            "2025-03-03T09:20:00+07:00",
        ),
        (
            officer("tu_phap"),
            action("trinh_ky"),
            "2025-03-03T09:30:00+07:00",
        ),
        (officer("chu_tich"), approve, "2025-03-03T09:40:00+07:00"),
    ] {
        world.act(&code, actor, command, now).await.expect("acted");
    }
    let lgsp = MockServer::start().await;
    mount_login(&lgsp).await;
    mount_success(&lgsp).await;
    let config = |service: &str| -> hoso_adapters::portal::PortalConfig {
        toml::from_str(&format!(
            "[[agencies]]\nunits = [\"000.00.17.H21\"]\nadapter_url = \"{}\"\nauth_endpoint = \"/auth\"\nintegration_endpoint = \"/dvcqg\"\nusername = \"hoso\"\npassword = \"p\"\nmadonvi = \"000.00.17.H21\"\n{service}",
            lgsp.uri()
        ))
        .expect("config")
    };
    // First without the service: the message is dead, not lost.
    let unconfigured = hoso_adapters::portal::PortalDeliverer::new(
        Arc::clone(&world.service),
        documents.clone(),
        config(""),
    )
    .expect("portal");
    let pass = Dispatcher::new(Arc::clone(&world.service), quick())
        .route("data_store", Arc::new(unconfigured), 1)
        .dispatch(chrono::Utc::now(), 50)
        .await
        .expect("pass");
    assert_eq!((pass.delivered, pass.dead), (0, 1), "{pass:?}");
    let dead = world
        .service
        .store()
        .outbox_entries(Some(hoso_engine::ports::DeliveryState::Dead), 50)
        .await
        .expect("dead letters");
    let letter = dead
        .iter()
        .find(|entry| entry.topic == "data_store")
        .expect("a dead letter for the data store");
    assert!(
        letter
            .last_error
            .as_deref()
            .is_some_and(|error| error.contains("data_store_service")),
        "{letter:?}"
    );
    world
        .act(
            &code,
            Actor::system("operator:lan"),
            Command::RetryEffect {
                idempotency_key: letter.idempotency_key.clone(),
            },
            "2025-03-03T10:00:00+07:00",
        )
        .await
        .expect("an operator retries it");
    let portal = hoso_adapters::portal::PortalDeliverer::new(
        Arc::clone(&world.service),
        documents,
        config("data_store_service = \"LuuKetQuaVaoKho\""),
    )
    .expect("portal");
    let pass = Dispatcher::new(Arc::clone(&world.service), quick())
        .route("data_store", Arc::new(portal), 1)
        .dispatch(chrono::Utc::now() + chrono::Duration::hours(1), 50)
        .await
        .expect("pass");
    assert_eq!(pass.delivered, 1, "{pass:?}");
    let requests = lgsp.received_requests().await.expect("recorded");
    let body: serde_json::Value = requests
        .iter()
        .map(|request| serde_json::from_slice::<serde_json::Value>(&request.body).expect("json"))
        .find(|body| body["service"] == "LuuKetQuaVaoKho")
        .expect("the data store was called");
    let record = &body["data"][0];
    assert_eq!(record["MaHoSo"], code.to_string());
    assert_eq!(record["MaDoiTuong"], crate::harness::CITIZEN);
    assert_eq!(record["LoaiDoiTuong"], "1");
    let file = &record["TepKetQua"][0];
    assert_eq!(file["MaHash"], sha256);
    assert_eq!(file["CoChuKySo"], true);
    use base64::Engine as _;
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(file["NoiDungTep"].as_str().expect("content"))
            .expect("base64"),
        pdf.to_vec(),
        "the file itself reaches the store"
    );
    let _ = std::fs::remove_dir_all(folder);
}

/// The LGSP's login: a session for anyone.
async fn mount_login(lgsp: &MockServer) {
    Mock::given(path("/auth"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "error_code": 0, "session": "S-1" })),
        )
        .mount(lgsp)
        .await;
}

/// The LGSP's service calls not matched before: success.
async fn mount_success(lgsp: &MockServer) {
    Mock::given(path("/dvcqg"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({ "error_code": "00" })),
        )
        .mount(lgsp)
        .await;
}
