//! Businesses, representatives and foreigners as applicants; the chosen delivery; the result PDF
//! reaching the applicant (API, page) and their data store; the public lookup — on both stores.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::server::{Backend, Server};

const FATHER: &str = "001090000001";
const GRANDMOTHER: &str = "001090000007";
const DIRECTOR: &str = "001090000005";
const STRANGER: &str = "001090000009";
const COMPANY: &str = "0100109106";

/// A signed PDF as signing tools write it: a signature dictionary naming its signer.
fn signed_pdf() -> Vec<u8> {
    let name: String = "Chủ tịch UBND phường"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .map(|byte| format!("{byte:02X}"))
        .collect();
    format!(
        "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n7 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /ByteRange [0 100 300 50] /Contents <3082AB> /Name <FEFF{name}> >>\nendobj\n%%EOF\n"
    )
    .into_bytes()
}

async fn submit(server: &Server, token: &str, key: &str, body: &Value) -> (StatusCode, Value) {
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn act(server: &Server, token: &str, code: &str, action: &str) -> (StatusCode, Value) {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/actions")))
        .bearer_auth(token)
        .json(&json!({ "action": action }))
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(server: &Server, token: Option<&str>, path: &str) -> (StatusCode, Value) {
    let mut request = server.http.get(server.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The pointers of a 422's field errors.
fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|error| error["pointer"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn feedback(applicant: Value) -> Value {
    json!({
        "procedure": "PAKN.1",
        "channel": "online",
        "receiving_unit": "000.00.17.H21",
        "applicant": applicant,
        "form": {
            "loai": "kien_nghi",
            "quy_dinh": "Quyết định 12/2025/QĐ-UBND, Điều 5",
            "noi_dung": "Đề nghị cho doanh nghiệp nộp hồ sơ bằng mã số thuế."
        },
        "delivery": { "channel": "online" },
        "notify": ["email"]
    })
}

async fn walk_applicants(backend: Backend) {
    let Some(server) = Server::start(backend, "applicants", &[]) else {
        return;
    };
    let director = server.citizen(DIRECTOR);
    let company = json!({
        "kind": "organisation", "id_number": COMPANY, "name": "Công ty Cổ phần Ánh Dương",
        "email": "lienhe@anhduong.vn",
        "representative": { "citizen_id": DIRECTOR, "name": "Lê Văn Giám", "basis": "legal" }
    });
    let (status, view) = submit(&server, &director, "company-1", &feedback(company.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["applicant_kind"], "organisation");
    assert_eq!(view["representative_name"], "Lê Văn Giám");
    assert_eq!(view["delivery"], "Trực tuyến (kết quả điện tử)");
    assert_eq!(view["notify"], json!(["email"]));
    let company_code = view["code"].as_str().expect("code").to_owned();
    let (status, page) = get(&server, Some(&director), "/api/v1/dossiers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.to_string().contains(&company_code), "{page}");

    // Bad input, each at its field.
    let mut wrong = company.clone();
    wrong["id_number"] = json!("0100109107");
    let mut passport = json!({
        "kind": "foreigner", "id_number": "tr 12", "nationality": "XX", "name": "Tanaka Hiroshi",
        "email": "tanaka@example.jp",
        "representative": { "citizen_id": DIRECTOR, "name": "Lê Văn Giám", "basis": "authorised" }
    });
    let mut counter = feedback(company.clone());
    counter["delivery"] = json!({ "channel": "counter" });
    let mut postal = feedback(company.clone());
    postal["procedure"] = json!("1.001193");
    for (body, expected) in [
        (feedback(wrong), vec!["/applicant/id_number"]),
        (
            feedback(passport.clone()),
            vec![
                "/applicant/id_number",
                "/applicant/nationality",
                "/documents/van_ban_uy_quyen",
            ],
        ),
        (counter, vec!["/delivery/channel"]),
    ] {
        let (status, problem) = submit(&server, &director, &uuid(), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(pointers(&problem), expected, "{problem}");
    }
    // A company cannot register a birth: the procedure is for citizens.
    let mut birth = crate::birth_submission(FATHER);
    birth["applicant"] = company.clone();
    let (status, problem) = submit(&server, &director, &uuid(), &birth).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        pointers(&problem).contains(&"/applicant/kind".to_owned()),
        "{problem}"
    );
    // A foreigner through an authorised person, with the authorisation by reference.
    passport["id_number"] = json!("TR1234567");
    passport["nationality"] = json!("JP");
    let mut foreigner = feedback(passport);
    foreigner["documents"] = json!([{ "component": "van_ban_uy_quyen", "name": "Giấy ủy quyền", "provenance": "data_store", "reference": "kho/uq-1" }]);
    let (status, view) = submit(&server, &director, &uuid(), &foreigner).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["applicant_kind"], "foreigner");

    // The grandmother registers the birth for the father by authorisation: both follow it,
    // a stranger does not know it exists.
    let grandmother = server.citizen(GRANDMOTHER);
    let mut represented = crate::birth_submission(FATHER);
    represented["applicant"]["representative"] =
        json!({ "citizen_id": GRANDMOTHER, "name": "Trần Thị Bà", "basis": "authorised" });
    represented["documents"]
        .as_array_mut()
        .expect("documents")
        .push(json!({ "component": "van_ban_uy_quyen", "name": "Giấy ủy quyền", "provenance": "data_store", "reference": "kho/uq-2" }));
    represented["delivery"] = json!({ "channel": "postal", "address": {
        "recipient": "Trần Thị Bà", "phone": "0912 345 678", "street": "Số 5 ngõ 12 Trần Duy Hưng",
        "ward": "Phường Yên Hòa", "province": "Thành phố Hà Nội" } });
    let (status, view) = submit(&server, &grandmother, "grandmother-1", &represented).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    let code = view["code"].as_str().expect("code").to_owned();
    assert!(
        view["delivery"]
            .as_str()
            .is_some_and(|text| text.contains("Trần Thị Bà (0912345678)")),
        "{view}"
    );
    for (token, expected) in [
        (server.citizen(FATHER), StatusCode::OK),
        (grandmother.clone(), StatusCode::OK),
        (server.citizen(STRANGER), StatusCode::NOT_FOUND),
    ] {
        let (status, _) = get(&server, Some(&token), &format!("/api/v1/dossiers/{code}")).await;
        assert_eq!(status, expected);
    }
    // The father's own token cannot pretend to be the representative.
    let (status, problem) = submit(&server, &server.citizen(FATHER), &uuid(), &represented).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
}

fn uuid() -> String {
    format!(
        "key-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn companies_foreigners_and_representatives_apply_on_sqlite() {
    walk_applicants(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn companies_foreigners_and_representatives_apply_on_postgres() {
    walk_applicants(Backend::Postgres).await;
}

/// The data-store peer: the portal's integration endpoint, answering every call with success.
async fn data_store_peer() -> (wiremock::MockServer, std::path::PathBuf) {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let peer = MockServer::start().await;
    Mock::given(path("/auth"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "error_code": 0, "session": "S-1" })),
        )
        .mount(&peer)
        .await;
    Mock::given(path("/dvcqg"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "error_code": "00" })))
        .mount(&peer)
        .await;
    let config = std::env::temp_dir().join(format!("hoso-portal-{}.toml", uuid()));
    std::fs::write(
        &config,
        format!(
            "[[agencies]]\nunits = [\"000.00.17.H21\"]\nadapter_url = \"{}\"\nauth_endpoint = \"/auth\"\nintegration_endpoint = \"/dvcqg\"\nusername = \"hoso\"\npassword = \"p\"\nmadonvi = \"000.00.17.H21\"\ndata_store_service = \"LuuKetQuaVaoKho\"\n",
            peer.uri()
        ),
    )
    .expect("portal.toml");
    (peer, config)
}

async fn walk_result_and_lookup(backend: Backend) {
    let (peer, config) = data_store_peer().await;
    let config = config.display().to_string();
    let Some(server) = Server::start(
        backend,
        "results",
        &["--portal-config", &config, "--outbox-interval", "1"],
    ) else {
        return;
    };
    let citizen = server.citizen(FATHER);
    let mut body = crate::birth_submission(FATHER);
    body["delivery"] = json!({ "channel": "online" });
    let (status, view) = submit(&server, &citizen, "online-1", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    let code = view["code"].as_str().expect("code").to_owned();
    let key = view["lookup_key"]
        .as_str()
        .expect("a lookup key")
        .to_owned();

    // The public lookup: no sign-in, no personal data; a wrong key is an unknown code.
    let lookup = |code: &str, key: &str| {
        format!(
            "/api/v1/lookup?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("code", code)
                .append_pair("key", key)
                .finish()
        )
    };
    let (status, found) = get(&server, None, &lookup(&code, &key)).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["status_code"], 1);
    assert_eq!(found["timeliness"], "waiting");
    let text = found.to_string();
    for private in [
        FATHER,
        "Nguyễn Văn Bình",
        "binh@example.vn",
        "Nguyễn Minh An",
    ] {
        assert!(
            !text.contains(private),
            "the lookup shows {private}: {text}"
        );
    }
    let (status, wrong) = get(&server, None, &lookup(&code, "ABCDEFGHJK")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, unknown) = get(&server, None, &lookup("000.00.17.H21-991231-0001", &key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        wrong["detail"], unknown["detail"],
        "a wrong key says no more than an unknown code"
    );

    // The officers work it; approval without the PDF is refused, with it the result is issued.
    for (role, action) in [
        ("mot_cua", "receive"),
        ("mot_cua", "chuyen_tham_dinh"),
        ("tu_phap", "trinh_ky"),
    ] {
        let (status, view) = act(&server, &server.officer(role), &code, action).await;
        assert_eq!(status, StatusCode::OK, "{action}: {view}");
    }
    let leader = server.officer("chu_tich");
    let (status, problem) = act(&server, &leader, &code, "phe_duyet").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(pointers(&problem), ["/results"]);
    let result = |bytes: Vec<u8>, name: &'static str| {
        reqwest::multipart::Form::new()
            .text("request", json!({ "action": "phe_duyet" }).to_string())
            .part(
                "result",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            )
    };
    let refused = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/result")))
        .bearer_auth(&leader)
        .multipart(result(b"\x89PNG\r\n\x1a\n....".to_vec(), "anh.png"))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        refused.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "a result is a PDF"
    );
    let forged = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/actions")))
        .bearer_auth(&leader)
        .json(&json!({ "action": "issue_result", "data": { "results": [{ "name": "x.pdf", "sha256": "a".repeat(64), "size": 1, "signed": true }] } }))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        forged.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "results are uploaded, never described"
    );
    let citizen_tries = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/result")))
        .bearer_auth(&citizen)
        .multipart(result(signed_pdf(), "giay-khai-sinh.pdf"))
        .send()
        .await
        .expect("sent");
    assert_eq!(citizen_tries.status(), StatusCode::FORBIDDEN);
    let issued = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/result")))
        .bearer_auth(&leader)
        .multipart(result(signed_pdf(), "giay-khai-sinh.pdf"))
        .send()
        .await
        .expect("sent");
    assert_eq!(issued.status(), StatusCode::OK);
    let issued: Value = issued.json().await.expect("json");
    let file = &issued["results"][0];
    assert_eq!(file["signed"], true);
    assert_eq!(file["signers"], json!(["Chủ tịch UBND phường"]));
    let sha256 = file["sha256"].as_str().expect("sha256").to_owned();

    // The applicant downloads it from the API and from the dossier page.
    let download = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}/documents/{sha256}")))
        .bearer_auth(&citizen)
        .send()
        .await
        .expect("sent");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.bytes().await.expect("bytes").to_vec(),
        signed_pdf()
    );
    let stranger = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}/documents/{sha256}")))
        .bearer_auth(server.citizen(STRANGER))
        .send()
        .await
        .expect("sent");
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    let mut browser = Browser::new(&server.base);
    browser.sign_in(&citizen).await;
    let (status, page, _) = browser.get(&format!("/dossiers/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Kết quả điện tử") && page.contains("giay-khai-sinh.pdf"),
        "{page}"
    );
    assert!(
        page.contains("Có chữ ký số của: Chủ tịch UBND phường"),
        "{page}"
    );
    assert!(page.contains(&key), "the applicant sees the lookup key");
    let (status, bytes, _) = browser
        .get(&format!("/dossiers/{code}/documents/{sha256}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with("%PDF-1.7"));
    // Form 01 carries the key and the QR code that opens the lookup page.
    let (status, receipt, _) = browser.get(&format!("/dossiers/{code}/forms/01")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        receipt.contains(&key) && receipt.contains("<svg"),
        "{receipt}"
    );
    assert!(receipt.contains("/tra-cuu?ma="), "{receipt}");

    // The lookup page, anonymous: status and step, no name.
    let mut anonymous = Browser::new(&server.base);
    let (status, html, _) = anonymous
        .get(&format!(
            "/tra-cuu?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("ma", &code)
                .append_pair("key", &key)
                .finish()
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("Đã xử lý xong") && !html.contains("Nguyễn Văn Bình"),
        "{html}"
    );

    // The data store received the PDF itself.
    let delivered = crate::eventually_async(
        || async {
            let requests = peer.received_requests().await.unwrap_or_default();
            requests.iter().any(|request| {
                serde_json::from_slice::<Value>(&request.body).is_ok_and(|body| {
                    body["service"] == "LuuKetQuaVaoKho"
                        && body["data"][0]["TepKetQua"][0]["MaHash"] == sha256.as_str()
                })
            })
        },
        |found| *found,
    )
    .await;
    assert!(delivered, "the result reached the data store");

    // Guessing keys: ten tries, then 429 for this address.
    let mut limited = false;
    for attempt in 0..14 {
        let (status, _) = get(&server, None, &lookup(&code, &format!("WRONG{attempt:05}"))).await;
        limited |= status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(limited, "lookups are rate-limited per address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_result_pdf_and_the_public_lookup_on_sqlite() {
    walk_result_and_lookup(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_result_pdf_and_the_public_lookup_on_postgres() {
    walk_result_and_lookup(Backend::Postgres).await;
}
