//! The HTTP API, driven over HTTP only against the real binary, on SQLite and PostgreSQL.

use serde_json::{Value, json};

use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";
const OTHER: &str = "001090000002";
pub(crate) const PDF: &[u8] = b"%PDF-1.4\n% hoso test document\n";

pub(crate) async fn call(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = server
        .http
        .request(method.parse().expect("method"), server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub(crate) async fn act(
    server: &Server,
    token: &str,
    code: &str,
    action: &str,
    data: Value,
) -> (u16, Value) {
    let body = json!({ "action": action, "data": data });
    call(
        server,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(token),
        Some(body),
    )
    .await
}

pub(crate) async fn submit_multipart(
    server: &Server,
    token: &str,
    key: &str,
    submission: &Value,
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().part(
        "submission",
        reqwest::multipart::Part::text(submission.to_string())
            .mime_str("application/json")
            .expect("mime"),
    );
    for (component, bytes) in files {
        form = form.part(
            (*component).to_owned(),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(format!("{component}.pdf")),
        );
    }
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn birth_submission() -> Value {
    crate::birth_submission(CITIZEN)
}

async fn walk_birth_registration(backend: Backend) {
    let Some(mut server) = Server::start(backend, "birth", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let civil = server.officer("tu_phap");
    let chair = server.officer("chu_tich");

    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "birth-1",
        &birth_submission(),
        &[("to_khai", PDF)],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    assert_eq!(dossier["status"], "registered");
    assert_eq!(dossier["available_actions"], json!(["withdraw"]));

    let (status, seen) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        seen["available_actions"],
        json!(["receive", "refuse_intake", "request_supplement", "stop"])
    );
    let (status, received) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&desk),
        Some(json!({ "action": "receive", "expected_version": 1 })),
    )
    .await;
    assert_eq!(status, 200, "{received}");
    assert_eq!(received["status"], "received");
    assert!(received["appointment"].is_string());
    let inbox = call(&server, "GET", "/api/v1/inbox", Some(&desk), None)
        .await
        .1;
    assert_eq!(inbox[0]["code"], code.as_str());

    for (token, action) in [
        (&desk, "chuyen_tham_dinh"),
        (&civil, "trinh_ky"),
        (&chair, "phe_duyet"),
        (&desk, "return_result"),
    ] {
        let (status, body) = act(&server, token, &code, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let (status, mine) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}"),
        Some(&citizen),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(mine["status"], "result_returned");
    assert_eq!(mine["status_code"], 10);
    assert_eq!(mine["result_code"], format!("KQ-{code}"));

    let (status, timeline) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}/timeline"),
        Some(&citizen),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let events = timeline.as_array().expect("events");
    assert_eq!(events.len(), 8, "the walk's seven events and its Form 01");
    for pair in events.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"], "the chain links");
    }
    assert!(
        events[1]["actor_id"].is_null(),
        "officers' ids are not shown to citizens"
    );

    let upload = events[0]["payload"]["documents"]
        .as_array()
        .and_then(|documents| {
            documents
                .iter()
                .find(|document| document["component"] == "to_khai")
        })
        .and_then(|document| document["sha256"].as_str())
        .expect("uploaded document hash in the event")
        .to_owned();
    let download = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}/documents/{upload}")))
        .bearer_auth(&citizen)
        .send()
        .await
        .expect("download");
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), PDF);
    assert!(server.stop(), "SIGTERM stops the server cleanly");
}

async fn walk_temporary_residence(backend: Backend) {
    let Some(server) = Server::start(backend, "residence", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("can_bo_tiep_nhan");
    let residence = server.officer("can_bo_cu_tru");
    let chief = server.officer("truong_cong_an");
    let submission = json!({
        "procedure": "1.004194", "channel": "online", "receiving_unit": "000.00.17.H21",
        "applicant": { "citizen_id": CITIZEN, "name": "Nguyễn Văn Bình", "phone": "0912345678" },
        "form": { "dia_chi_tam_tru": "Số 5 ngõ 12 phố Huế", "thoi_han_thang": 12, "dang_ky_theo_danh_sach": false, "so_nguoi": 1, "mien_le_phi": false }
    });
    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "residence-1",
        &submission,
        &[("ct01", PDF), ("cho_o_hop_phap", PDF)],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    assert_eq!(dossier["fees_due"], 7000, "the online fee");
    let code = dossier["code"].as_str().expect("code").to_owned();
    assert_eq!(
        act(&server, &desk, &code, "receive", json!({})).await.0,
        200
    );
    let (_, forwarded) = act(&server, &desk, &code, "chuyen_tham_dinh", json!({})).await;
    assert_eq!(forwarded["status"], "financial_obligation_requested");
    let (status, paid) = act(
        &server,
        &desk,
        &code,
        "record_payment",
        json!({ "amount": 7000, "reference": "BL-0001" }),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "processing");
    assert_eq!(
        act(&server, &residence, &code, "trinh_duyet", json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        act(&server, &chief, &code, "phe_duyet_dang_ky", json!({}))
            .await
            .0,
        200
    );
    let (status, returned) = act(&server, &desk, &code, "return_result", json!({})).await;
    assert_eq!(status, 200, "{returned}");
    assert_eq!(returned["status"], "result_returned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_birth_registration_walks_to_its_returned_result_on_sqlite() {
    walk_birth_registration(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_birth_registration_walks_to_its_returned_result_on_postgres() {
    walk_birth_registration(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_residence_walks_with_its_fee_on_sqlite() {
    walk_temporary_residence(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_temporary_residence_walks_with_its_fee_on_postgres() {
    walk_temporary_residence(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_access_rule_denies_what_it_should() {
    let Some(server) = Server::start(Backend::Sqlite, "access", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let stranger = server.citizen(OTHER);
    let desk = server.officer("mot_cua");
    let civil = server.officer("tu_phap");
    let elsewhere = server.user("mot_cua", &["--unit", "000.00.18.H21"]);
    let designer = server.user("designer", &[]);
    let auditor = server.user("auditor", &[]);
    let (_, dossier) = submit_multipart(
        &server,
        &citizen,
        "access-1",
        &birth_submission(),
        &[("to_khai", PDF)],
    )
    .await;
    let code = dossier["code"].as_str().expect("code").to_owned();
    let path = format!("/api/v1/dossiers/{code}");

    // No token, a malformed one, an unknown one.
    assert_eq!(call(&server, "GET", &path, None, None).await.0, 401);
    assert_eq!(
        call(&server, "GET", &path, Some("hoso_0000"), None).await.0,
        401
    );
    assert_eq!(
        call(
            &server,
            "GET",
            &path,
            Some("eyJhbGciOiJub25lIn0.e30."),
            None
        )
        .await
        .0,
        401
    );
    // A citizen guessing another's dossier gets 404, not 403; so does an officer of another unit.
    assert_eq!(
        call(&server, "GET", &path, Some(&stranger), None).await.0,
        404
    );
    assert_eq!(
        act(&server, &stranger, &code, "withdraw", json!({}))
            .await
            .0,
        404
    );
    assert_eq!(
        call(&server, "GET", &path, Some(&elsewhere), None).await.0,
        404
    );
    assert_eq!(
        act(&server, &elsewhere, &code, "receive", json!({}))
            .await
            .0,
        404
    );
    // An officer whose role may not take the action.
    let (status, problem) = act(&server, &civil, &code, "receive", json!({})).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["type"], "https://hoso.vn/problems/forbidden");
    // A designer publishes but never acts on, or reads, dossiers.
    assert_eq!(
        act(&server, &designer, &code, "receive", json!({})).await.0,
        403
    );
    assert_eq!(
        call(&server, "GET", &path, Some(&designer), None).await.0,
        403
    );
    // An auditor reads everything and changes nothing.
    assert_eq!(
        call(&server, "GET", &path, Some(&auditor), None).await.0,
        200
    );
    assert_eq!(
        call(
            &server,
            "GET",
            &format!("{path}/timeline"),
            Some(&auditor),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        act(&server, &auditor, &code, "receive", json!({})).await.0,
        403
    );
    let toml = std::fs::read_to_string(
        crate::repo().join("procedures/2.000635-cap-ban-sao-trich-luc-ho-tich.toml"),
    )
    .expect("file");
    let send = |token: String, file: String| {
        server
            .http
            .post(server.url("/api/v1/procedures"))
            .bearer_auth(token)
            .header("content-type", "application/toml")
            .body(file)
            .send()
    };
    let publish = |token: String| send(token, toml.clone());
    assert_eq!(
        publish(auditor.clone())
            .await
            .expect("sent")
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        publish(desk.clone()).await.expect("sent").status().as_u16(),
        403
    );
    // The file as published: nothing changes, and the answer is the version it already is.
    let again = publish(designer.clone()).await.expect("sent");
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(
        again.json::<Value>().await.expect("json"),
        json!({ "code": "2.000635", "version": 3, "unchanged": true })
    );
    // Changed content under the published number is refused, naming the number to use.
    let changed = toml.replace(
        "name = \"Cấp bản sao Trích lục hộ tịch\"",
        "name = \"Cấp bản sao trích lục hộ tịch\"",
    );
    assert_ne!(changed, toml);
    let refused = send(designer.clone(), changed.clone()).await.expect("sent");
    assert_eq!(refused.status().as_u16(), 409);
    let why = refused.text().await.expect("body");
    assert!(
        why.contains("Phiên bản 3 của thủ tục 2.000635 đã được công bố với nội dung khác")
            && why.contains("`version = 4`"),
        "{why}"
    );
    let skipping = changed.replace("version = 3", "version = 5");
    let refused = send(designer.clone(), skipping).await.expect("sent");
    assert_eq!(refused.status().as_u16(), 409);
    assert!(
        refused
            .text()
            .await
            .expect("body")
            .contains("Phiên bản tiếp theo của thủ tục 2.000635 là 4, không phải 5"),
    );
    let next = changed.replace("version = 3", "version = 4");
    let published = send(designer.clone(), next.clone()).await.expect("sent");
    assert_eq!(published.status().as_u16(), 201);
    assert_eq!(
        published.json::<Value>().await.expect("json"),
        json!({ "code": "2.000635", "version": 4, "unchanged": false })
    );
    let repeated = send(designer.clone(), next).await.expect("sent");
    assert_eq!(
        repeated.status().as_u16(),
        200,
        "publishing twice is a no-op"
    );
    // A retention class the server's schedule does not define is refused, located.
    let unknown_class = changed.replace("version = 2", "version = 4").replace(
        "retention = \"civil_status_copy\"",
        "retention = \"civil_status_copies\"",
    );
    let refused = send(designer.clone(), unknown_class.clone())
        .await
        .expect("sent");
    assert_eq!(refused.status().as_u16(), 422);
    let problem: Value = refused.json().await.expect("problem");
    assert_eq!(problem["errors"][0]["pointer"], "/retention", "{problem}");
    let detail = problem["errors"][0]["detail"].as_str().expect("detail");
    assert!(
        detail.contains("bảng thời hạn bảo quản không có nhóm `civil_status_copies`")
            && detail.contains("dùng một trong citizen_feedback, civil_status_copy"),
        "the designer reads the mistake in Vietnamese by default: {problem}"
    );
    // The same mistake in English for a designer who asks for it.
    let english: Value = server
        .http
        .post(server.url("/api/v1/procedures"))
        .bearer_auth(&designer)
        .header("content-type", "application/toml")
        .header("Accept-Language", "en")
        .body(unknown_class)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("problem");
    assert!(
        english["errors"][0]["detail"].as_str().is_some_and(
            |detail| detail.contains("retention class `civil_status_copies` is not defined")
        ),
        "{english}"
    );
    // The inbox is for officers; lists are scoped.
    assert_eq!(
        call(&server, "GET", "/api/v1/inbox", Some(&citizen), None)
            .await
            .0,
        403
    );
    assert_eq!(
        call(
            &server,
            "GET",
            "/api/v1/dossiers?unit=000.00.18.H21",
            Some(&desk),
            None
        )
        .await
        .0,
        403
    );
    let (_, theirs) = call(&server, "GET", "/api/v1/dossiers", Some(&stranger), None).await;
    assert_eq!(
        theirs["items"],
        json!([]),
        "a citizen lists only their own dossiers"
    );
    let (_, all) = call(&server, "GET", "/api/v1/dossiers", Some(&auditor), None).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(1));
    // A revoked token stops working at once.
    let user_id = {
        let output = crate::hoso(&[
            "user",
            "add",
            "--role",
            "auditor",
            "--name",
            "temp",
            "--db",
            &server.database.url,
        ]);
        let text = crate::stdout(&output);
        let token = text.lines().last().expect("token").trim().to_owned();
        let id = text.split_whitespace().nth(1).expect("user id").to_owned();
        assert_eq!(call(&server, "GET", &path, Some(&token), None).await.0, 200);
        assert!(
            crate::hoso(&["user", "revoke", &id, "--db", &server.database.url])
                .status
                .success()
        );
        assert_eq!(call(&server, "GET", &path, Some(&token), None).await.0, 401);
        id
    };
    assert!(user_id.starts_with("u-"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_conflicts_and_bad_uploads_are_answered_precisely() {
    let Some(server) = Server::start(Backend::Sqlite, "edges", &["--max-upload-mb", "1"]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    // The same Idempotency-Key and body: the first response; another body: 422.
    let (first_status, first) = submit_multipart(
        &server,
        &citizen,
        "same-key",
        &birth_submission(),
        &[("to_khai", PDF)],
    )
    .await;
    let (again_status, again) = submit_multipart(
        &server,
        &citizen,
        "same-key",
        &birth_submission(),
        &[("to_khai", PDF)],
    )
    .await;
    assert_eq!((first_status, again_status), (201, 201));
    assert_eq!(first["code"], again["code"]);
    let mut changed = birth_submission();
    changed["form"]["ho_ten_tre"] = json!("Nguyễn Minh Anh");
    let (status, problem) =
        submit_multipart(&server, &citizen, "same-key", &changed, &[("to_khai", PDF)]).await;
    assert_eq!(status, 422, "{problem}");
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .json(&birth_submission())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400, "no Idempotency-Key");
    // A stale expected_version is 409.
    let code = first["code"].as_str().expect("code");
    let path = format!("/api/v1/dossiers/{code}/actions");
    assert_eq!(
        call(
            &server,
            "POST",
            &path,
            Some(&desk),
            Some(json!({ "action": "receive", "expected_version": 1 }))
        )
        .await
        .0,
        200
    );
    let (status, problem) = call(
        &server,
        "POST",
        &path,
        Some(&desk),
        Some(json!({ "action": "chuyen_tham_dinh", "expected_version": 1 })),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        problem["detail"],
        format!(
            "Hồ sơ {code} vừa được người khác cập nhật. Vui lòng tải lại trang, xem lại hồ sơ rồi thực hiện lại nếu vẫn cần."
        ),
        "said in Vietnamese by default"
    );
    // Invalid action data is 422 with a pointer; an unknown field is refused, not ignored.
    let (status, problem) = call(
        &server,
        "POST",
        &path,
        Some(&desk),
        Some(json!({ "action": "request_supplement", "data": { "missing": "all" } })),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["pointer"], "/data");
    let (status, _) = call(
        &server,
        "POST",
        &path,
        Some(&desk),
        Some(json!({ "action": "receive", "sneaky": true })),
    )
    .await;
    assert_eq!(status, 422);
    // Uploads are checked by content, and by size.
    let (status, problem) = submit_multipart(
        &server,
        &citizen,
        "exe",
        &birth_submission(),
        &[("to_khai", b"MZ\x90\x00 not a pdf")],
    )
    .await;
    assert_eq!(status, 415, "{problem}");
    let big = [b"%PDF-1.4\n".as_slice(), &vec![b'x'; 1024 * 1024 + 10]].concat();
    let (status, _) = submit_multipart(
        &server,
        &citizen,
        "big",
        &birth_submission(),
        &[("to_khai", &big)],
    )
    .await;
    assert_eq!(status, 413);
    // Unknown routes and methods are problem+json too.
    assert_eq!(
        call(&server, "GET", "/api/v1/nope", Some(&desk), None)
            .await
            .0,
        404
    );
    assert_eq!(
        call(&server, "DELETE", "/api/v1/procedures", Some(&desk), None)
            .await
            .0,
        405
    );
    // A page's route called with the wrong method, or a path nobody serves, answers an API
    // client the same way (a browser asking for HTML gets a page: tests/e2e/lists.rs).
    let (status, problem) = call(&server, "GET", "/dossiers/x/act", None, None).await;
    assert_eq!(status, 405);
    assert_eq!(problem["status"], 405, "problem+json: {problem}");
    let (status, problem) = call(&server, "DELETE", "/api/v1/procedures", None, None).await;
    assert_eq!(
        (status, problem["status"].clone()),
        (405, json!(405)),
        "{problem}"
    );
    let (status, problem) = call(&server, "GET", "/no/such/page", None, None).await;
    assert_eq!(status, 404);
    assert_eq!(
        problem["type"], "https://hoso.vn/problems/not-found",
        "problem+json: {problem}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_over_the_rate_limit_is_told_when_to_retry() {
    let Some(server) = Server::start(
        Backend::Sqlite,
        "rate",
        &["--rate-limit", "1", "--rate-burst", "3"],
    ) else {
        return;
    };
    let token = server.user("auditor", &[]);
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = server
            .http
            .get(server.url("/api/v1/procedures"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("sent");
        if response.status().as_u16() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![200, 200, 200, 429, 429]);
    let other = server.user("designer", &[]);
    let response = server
        .http
        .get(server.url("/api/v1/procedures"))
        .bearer_auth(&other)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        response.status().as_u16(),
        200,
        "each token has its own budget"
    );
    // A client inventing a token per request does not get a budget per token: its address
    // carries at most ten callers' worth (here 30 at once), so the flood ends in 429s.
    let mut invented = Vec::new();
    for attempt in 0..40 {
        let response = server
            .http
            .get(server.url("/api/v1/inbox"))
            .bearer_auth(format!("hoso_invented{attempt}"))
            .send()
            .await
            .expect("sent");
        invented.push(response.status().as_u16());
    }
    let refused = invented.iter().filter(|status| **status == 429).count();
    assert!(
        refused >= 10
            && invented[..20].iter().all(|status| *status == 401)
            && invented[20..]
                .iter()
                .all(|status| [401, 429].contains(status)),
        "unknown tokens are refused (401) until the address's budget runs out (429): {invented:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_endpoints_and_the_openapi_document_answer() {
    let Some(server) = Server::start(Backend::Sqlite, "ops", &[]) else {
        return;
    };
    assert_eq!(
        call(&server, "GET", "/healthz", None, None).await,
        (200, Value::String("ok".to_owned()))
    );
    assert_eq!(
        call(&server, "GET", "/readyz", None, None).await.1,
        json!({ "database": "ok", "migrations": "current" })
    );
    let (status, openapi) = call(&server, "GET", "/openapi.json", None, None).await;
    assert_eq!(status, 200);
    let paths: Vec<&String> = openapi["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .collect();
    for expected in [
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/actions",
        "/api/v1/inbox",
        "/api/v1/dossiers/{code}/timeline",
        "/api/v1/dossiers/{code}/documents/{id}",
    ] {
        assert!(
            paths.iter().any(|path| path.as_str() == expected),
            "{expected} missing from {paths:?}"
        );
    }
    let (_, procedures) = call(&server, "GET", "/api/v1/procedures", None, None).await;
    assert_eq!(
        procedures.as_array().map(Vec::len),
        Some(7),
        "the catalogue is public"
    );
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(
            "hoso_http_requests_total{method=\"GET\",route=\"/api/v1/procedures\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("hoso_outbox_backlog 0"), "{metrics}");
}

/// A line break in the e-mail address (header injection) and a bidi override in the name are
/// refused at submission with field problems, not accepted to die later as dead letters.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_with_hidden_characters_or_a_broken_email_are_refused_at_the_field() {
    let Some(server) = Server::start(Backend::Sqlite, "hidden-characters", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let mut submission = crate::birth_submission(CITIZEN);
    submission["applicant"]["email"] = json!("binh@example.vn\r\nBcc: all@example.vn");
    submission["applicant"]["name"] = json!("Nguyễn Văn \u{202E}Bình");
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("Idempotency-Key", "hidden-1")
        .json(&submission)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 422);
    let problem: Value = response.json().await.expect("json");
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        ["/applicant/name", "/applicant/email"],
        "{problem}"
    );
    let (_, list) = call(&server, "GET", "/api/v1/dossiers", Some(&citizen), None).await;
    assert_eq!(list["items"], json!([]), "nothing was stored");
}

/// A chunked multipart body (no Content-Length) that grows past the limit is 413, like one that
/// declares its length, not 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_over_the_limit_is_413() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Some(server) = Server::start(Backend::Sqlite, "chunked", &["--max-upload-mb", "1"]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/dossiers HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {citizen}\r\nIdempotency-Key: chunked-1\r\nContent-Type: multipart/form-data; boundary=XX\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    let opening = "--XX\r\nContent-Disposition: form-data; name=\"to_khai\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n";
    let mut chunks = vec![opening.as_bytes().to_vec()];
    chunks.extend(std::iter::repeat_n(vec![b'a'; 64 * 1024], 80));
    for chunk in chunks {
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk,
            b"\r\n".to_vec(),
        ]
        .concat();
        // The server may answer and close before the whole body is sent.
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

/// `/metrics` is not for everyone: with a token it asks for it, with a private address it is
/// served there and not on the public one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_behind_a_token_or_on_their_own_address() {
    let token = "metrics-token-0123456789";
    let Some(server) = Server::start(
        Backend::Sqlite,
        "metrics-token",
        &["--metrics-token", token],
    ) else {
        return;
    };
    let get = |bearer: Option<&str>, url: String| {
        let mut request = server.http.get(url);
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        async move {
            let response = request.send().await.expect("answer");
            let status = response.status().as_u16();
            (status, response.text().await.unwrap_or_default())
        }
    };
    assert_eq!(get(None, server.url("/metrics")).await.0, 401);
    assert_eq!(
        get(Some("wrong-token-0123456789"), server.url("/metrics"))
            .await
            .0,
        401
    );
    let (status, text) = get(Some(token), server.url("/metrics")).await;
    assert_eq!(status, 200);
    assert!(text.contains("hoso_calendar_days_left"), "{text}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let private = format!("127.0.0.1:{port}");
    let Some(server) = Server::start(
        Backend::Sqlite,
        "metrics-bind",
        &["--metrics-bind", &private],
    ) else {
        return;
    };
    assert_eq!(get(None, server.url("/metrics")).await.0, 404);
    let (status, text) = get(None, format!("http://{private}/metrics")).await;
    assert_eq!(status, 200);
    assert!(text.contains("hoso_http_requests_total"), "{text}");
}

fn files_under(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(folder) {
        for entry in entries.flatten() {
            if entry.path().is_dir() {
                found.extend(files_under(&entry.path()));
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

/// A refused submission's uploads do not stay on disk; an accepted one's do, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_submissions_leave_no_uploaded_file_behind() {
    let Some(server) = Server::start(Backend::Sqlite, "staging", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let documents = server.data_dir().join("documents");
    let mut scan = b"%PDF-1.4\n".to_vec();
    scan.resize(2 * 1024 * 1024, b'a');
    let mut invalid = birth_submission();
    invalid["form"]["ngay_sinh"] = json!("hôm qua");
    let (status, body) = submit_multipart(
        &server,
        &citizen,
        "staging-1",
        &invalid,
        &[("to_khai", &scan)],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let mut other = birth_submission();
    other["procedure"] = json!("9.999999");
    let (status, body) = submit_multipart(
        &server,
        &citizen,
        "staging-2",
        &other,
        &[("to_khai", &scan)],
    )
    .await;
    assert!((400..500).contains(&status), "{status} {body}");
    assert_eq!(files_under(&documents), Vec::<std::path::PathBuf>::new());

    let (status, body) = submit_multipart(
        &server,
        &citizen,
        "staging-3",
        &birth_submission(),
        &[("to_khai", &scan)],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let kept = files_under(&documents);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(!kept[0].starts_with(documents.join("staging")), "{kept:?}");
}

#[tokio::test]
async fn field_messages_and_refusals_are_vietnamese_by_default_and_english_on_request() {
    let Some(server) = Server::start(Backend::Sqlite, "api-language", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let mut submission = crate::birth_submission(CITIZEN);
    submission["form"]["ho_ten_tre"] = json!("");
    submission["form"]["ngay_sinh"] = json!("20/11/2026");
    submission["applicant"]["phone"] = json!("12345");
    let send = |key: &'static str, language: Option<&'static str>| {
        let mut request = server
            .http
            .post(server.url("/api/v1/dossiers"))
            .bearer_auth(&citizen)
            .header("Idempotency-Key", key)
            .json(&submission);
        if let Some(language) = language {
            request = request.header("Accept-Language", language);
        }
        request.send()
    };
    let detail = |problem: &Value, pointer: &str| {
        problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .find(|error| error["pointer"] == pointer)
            .and_then(|error| error["detail"].as_str())
            .unwrap_or_else(|| panic!("no {pointer} in {problem}"))
            .to_owned()
    };
    for (key, language) in [
        ("lang-1", None),
        ("lang-2", Some("vi-VN,vi;q=0.9,en;q=0.5")),
    ] {
        let response = send(key, language).await.expect("sent");
        assert_eq!(response.status().as_u16(), 422);
        let problem: Value = response.json().await.expect("json");
        assert_eq!(
            detail(&problem, "/form/ho_ten_tre"),
            "Vui lòng nhập Họ, chữ đệm và tên của trẻ.",
            "{problem}"
        );
        assert!(
            detail(&problem, "/form/ngay_sinh").ends_with("phải là một ngày hợp lệ."),
            "{problem}"
        );
        assert!(
            detail(&problem, "/applicant/phone")
                .starts_with("Số điện thoại không phải số điện thoại Việt Nam"),
            "{problem}"
        );
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|summary| summary.contains("/form/ho_ten_tre: Vui lòng nhập")),
            "{problem}"
        );
    }
    let response = send("lang-3", Some("en-GB,en;q=0.9")).await.expect("sent");
    let problem: Value = response.json().await.expect("json");
    assert_eq!(
        detail(&problem, "/form/ho_ten_tre"),
        "\"Họ, chữ đệm và tên của trẻ\" is required",
        "{problem}"
    );
    assert_eq!(
        detail(&problem, "/applicant/phone"),
        "is not a Vietnamese phone number (10 digits from 0, or +84)"
    );

    // A refusal to act from the catalogue reads the same way.
    let (status, dossier) =
        submit_multipart(&server, &citizen, "lang-4", &birth_submission(), &[]).await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code");
    let supplement = json!({ "form": {}, "documents": [] });
    let (status, refused) = act(
        &server,
        &citizen,
        code,
        "submit_supplement",
        supplement.clone(),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(
        refused["detail"],
        format!("Không thực hiện được việc này: hồ sơ {code} đang ở trạng thái \"Mới đăng ký\"."),
        "{refused}"
    );
    let refused: Value = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/actions")))
        .bearer_auth(&citizen)
        .header("Accept-Language", "en")
        .json(&json!({ "action": "submit_supplement", "data": supplement }))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(
        refused["detail"],
        format!("cannot send a supplement: dossier {code} is \"Mới đăng ký\" (registered)"),
        "{refused}"
    );
}

/// With a document key file the server seals what citizens upload: on disk neither the
/// content nor its SHA-256 appears, the citizen downloads the original, and after `hoso
/// documents keygen` and `rekey` the file moves onto the new key and still downloads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploaded_documents_are_sealed_at_rest_and_survive_a_new_key() {
    let folder = std::env::temp_dir().join(format!("hoso-sealed-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).expect("folder");
    let keys = folder.join("documents.keys");
    let keys_arg = keys.to_str().expect("utf-8").to_owned();
    let keygen = crate::hoso(&["documents", "keygen", &keys_arg]);
    assert!(keygen.status.success(), "{}", crate::stderr(&keygen));
    let Some(mut server) =
        Server::start(Backend::Sqlite, "sealed", &["--document-keys", &keys_arg])
    else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "sealed-1",
        &birth_submission(),
        &[("to_khai", PDF)],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(PDF));
    let documents = server.data_dir().join("documents");
    let stored = files_under(&documents);
    assert_eq!(
        stored.len(),
        1,
        "one stored file, nothing staged: {stored:?}"
    );
    let on_disk = std::fs::read(&stored[0]).expect("read");
    assert!(
        !on_disk.windows(8).any(|window| PDF.starts_with(window)),
        "no plaintext on disk"
    );
    assert!(
        !stored[0].to_string_lossy().contains(&sha256),
        "the name is not the hash"
    );
    let download = |server: &Server| {
        let request = server
            .http
            .get(server.url(&format!("/api/v1/dossiers/{code}/documents/{sha256}")))
            .bearer_auth(&citizen);
        async move {
            let response = request.send().await.expect("download");
            assert_eq!(response.status().as_u16(), 200);
            response.bytes().await.expect("bytes").to_vec()
        }
    };
    assert_eq!(download(&server).await, PDF);

    // A new key: the stored document moves onto it and still downloads.
    assert!(
        crate::hoso(&["documents", "keygen", &keys_arg])
            .status
            .success()
    );
    let rekey = crate::hoso(&[
        "documents",
        "rekey",
        "--data-dir",
        server.data_dir().to_str().expect("utf-8"),
        "--document-keys",
        &keys_arg,
    ]);
    assert!(rekey.status.success(), "{}", crate::stderr(&rekey));
    assert!(
        crate::stdout(&rekey).contains("1 documents moved"),
        "{}",
        crate::stdout(&rekey)
    );
    let moved = files_under(&documents);
    assert_eq!(moved.len(), 1);
    assert_ne!(moved, stored, "renamed under the new key");
    server.kill_and_restart();
    assert_eq!(download(&server).await, PDF);
    let _ = std::fs::remove_dir_all(&folder);
}
