//! The procedure language's second edition as a designer and the people after them meet it over
//! HTTP: citizen feedback (PAKN) from the catalogue, with its windows, a lawful extension and a
//! transfer, counted in 5.1–5.3; and a licence a designer wrote from the docs alone, published
//! through the API and walked through three agencies, with a fee and a time limit that starts at
//! the inspection report.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::api::{act, call};
use crate::server::{Backend, Server};
use crate::{hoso, stderr, stdout};

const CITIZEN: &str = "001090000009";

fn feedback() -> Value {
    json!({
        "procedure": "PAKN.1",
        "channel": "online",
        "receiving_unit": "000.00.17.H21",
        "applicant": { "citizen_id": CITIZEN, "name": "Lê Thị Hoa", "email": "hoa@example.vn" },
        "form": {
            "loai": "kien_nghi",
            "quy_dinh": "Quyết định 12/2025/QĐ-UBND, Điều 5",
            "noi_dung": "Đề nghị bỏ yêu cầu nộp bản sao giấy khai sinh khi đã có trong cơ sở dữ liệu."
        },
        "documents": []
    })
}

fn instant(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("an instant: {value}"))
}

async fn submit(server: &Server, token: &str, body: &Value) -> Value {
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
        .json(body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let dossier: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{dossier}");
    dossier
}

async fn walk_feedback(backend: Backend) {
    let Some(server) = Server::start(backend, "feedback", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("tiep_nhan_pakn");
    let handler = server.officer("chuyen_vien_xu_ly");
    let head = server.officer("lanh_dao_van_phong");

    // The catalogue offers it like any procedure, as feedback with its local code.
    let (_, catalogue) = call(&server, "GET", "/api/v1/procedures/PAKN.1", None, None).await;
    assert_eq!(catalogue["current"]["kind"], "feedback", "{catalogue}");

    let dossier = submit(&server, &citizen, &feedback()).await;
    let code = dossier["code"].as_str().expect("code").to_owned();
    let windows = dossier["windows"].as_array().expect("windows");
    let names: Vec<&str> = windows.iter().filter_map(|w| w["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Tiếp nhận hoặc từ chối tiếp nhận trong 02 ngày làm việc",
            "Yêu cầu bổ sung thông tin trong 05 ngày làm việc"
        ],
        "the deadlines of a registered, not yet received dossier: {dossier}"
    );
    assert!(
        windows
            .iter()
            .all(|w| w["late"] == false && w["met_at"].is_null())
    );

    let (status, received) = act(&server, &desk, &code, "receive", json!({})).await;
    assert_eq!(status, 200, "{received}");
    assert!(
        !received["windows"][0]["met_at"].is_null(),
        "the intake decision meets its window"
    );
    let appointment = instant(&received["appointment"]);
    let (status, _) = act(&server, &desk, &code, "chuyen_xu_ly", json!({})).await;
    assert_eq!(status, 200);

    // Gia hạn: capped by the procedure, once, with its own notice; Form 04 stays separate.
    let too_far = (appointment + Duration::days(40)).to_rfc3339();
    let (status, problem) = act(
        &server,
        &handler,
        &code,
        "extend_time_limit",
        json!({ "reason": "Vụ việc phức tạp", "new_appointment": too_far }),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem
            .to_string()
            .contains("không quá 10 ngày làm việc sau ngày hẹn hiện tại"),
        "{problem}"
    );
    let later = (appointment + Duration::days(1)).to_rfc3339();
    let (status, extended) = act(
        &server,
        &handler,
        &code,
        "extend_time_limit",
        json!({ "reason": "Vụ việc phức tạp, cần lấy ý kiến Sở Tư pháp", "new_appointment": later }),
    )
    .await;
    assert_eq!(status, 200, "{extended}");
    assert_eq!(
        instant(&extended["appointment"]),
        appointment + Duration::days(1)
    );
    assert!(extended["original_appointment"].is_null(), "not an apology");
    let (status, _) = act(
        &server,
        &handler,
        &code,
        "extend_time_limit",
        json!({ "reason": "Lần hai", "new_appointment": (appointment + Duration::days(2)).to_rfc3339() }),
    )
    .await;
    assert_eq!(status, 409, "one extension only");

    for (token, action) in [(&handler, "trinh_ky"), (&head, "ban_hanh_tra_loi")] {
        let (status, body) = act(&server, token, &code, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let (status, returned) = act(&server, &desk, &code, "return_result", json!({})).await;
    assert_eq!(status, 200, "{returned}");
    assert_eq!(returned["status"], "result_returned");
    let publication = returned["windows"]
        .as_array()
        .and_then(|all| all.iter().find(|w| w["id"] == "cong_khai_tra_loi"))
        .expect("the decision opened the publication window");
    assert_eq!(publication["late"], false, "{publication}");

    // A second piece of feedback is not this office's to answer: transferred, with a notice.
    let other = submit(&server, &citizen, &feedback()).await;
    let other_code = other["code"].as_str().expect("code").to_owned();
    act(&server, &desk, &other_code, "receive", json!({})).await;
    let (status, problem) = act(&server, &desk, &other_code, "chuyen_tham_quyen", json!({})).await;
    assert_eq!(status, 422, "a transfer names the agency: {problem}");
    let (status, transferred) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{other_code}/actions"),
        Some(&desk),
        Some(json!({ "action": "chuyen_tham_quyen", "reason": "Sở Tư pháp tỉnh" })),
    )
    .await;
    assert_eq!(status, 200, "{transferred}");
    assert_eq!(
        (
            transferred["status"].as_str(),
            transferred["outcome"].as_str()
        ),
        (Some("resolved"), Some("transferred"))
    );
    let (_, timeline) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{other_code}/timeline"),
        Some(&desk),
        None,
    )
    .await;
    assert!(
        timeline.to_string().contains(
            "Chuyển cơ quan có thẩm quyền → chuyển đến cơ quan có thẩm quyền — Sở Tư pháp tỉnh"
        ),
        "{timeline}"
    );

    // 5.1–5.3 count the feedback; the administrative indicators do not.
    let today = chrono::Utc::now()
        .with_timezone(&hoso_engine::clock::vietnam())
        .date_naive()
        .to_string();
    let report = hoso(&[
        "report",
        "indicators",
        "--db",
        &server.database.url,
        "--from",
        &today,
        "--to",
        &today,
    ]);
    assert!(report.status.success(), "{}", stderr(&report));
    let json: Value = serde_json::from_str(&stdout(&report)).expect("JSON");
    assert_eq!(
        json["received"], 0,
        "feedback is not an administrative dossier: {json:#}"
    );
    let value = |id: &str| {
        json["indicators"]
            .as_array()
            .and_then(|all| all.iter().find(|indicator| indicator["id"] == id))
            .map(|indicator| {
                (
                    indicator["numerator"].clone(),
                    indicator["denominator"].clone(),
                )
            })
            .unwrap_or_else(|| panic!("{id} in {json:#}"))
    };
    assert_eq!(
        value("5.1"),
        (json!(2.0), json!(2.0)),
        "both intake decisions in time"
    );
    assert_eq!(
        value("5.3").1,
        json!(2.0),
        "two pieces of feedback accepted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_feedback_walks_its_windows_over_http_on_sqlite() {
    walk_feedback(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizen_feedback_walks_its_windows_over_http_on_postgres() {
    walk_feedback(Backend::Postgres).await;
}

fn unit(server: &Server, args: &[&str]) {
    let mut all = vec!["unit"];
    all.extend(args);
    all.extend(["--db", &server.database.url]);
    let output = hoso(&all);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_designers_three_agency_licence_is_published_and_walked_over_http() {
    let Some(server) = Server::start(
        Backend::Sqlite,
        "designer-licence",
        &["--directory-check-interval", "1"],
    ) else {
        return;
    };
    unit(&server, &["import", "fixtures/units.toml"]);
    unit(
        &server,
        &[
            "add",
            "--code",
            "000.00.21.H21",
            "--name",
            "Đội Quản lý thị trường số 1",
            "--level",
            "commune",
        ],
    );
    for (kind, to) in [("cong_an", "000.00.18.H21"), ("doi_qltt", "000.00.21.H21")] {
        unit(
            &server,
            &[
                "route",
                "--receiving",
                "000.00.17.H21",
                "--kind",
                kind,
                "--unit",
                to,
            ],
        );
    }
    // The running server puts the directory in force by itself.
    let (_, units) = crate::eventually_async(
        || call(&server, "GET", "/api/v1/units", None, None),
        |(_, body)| {
            body["routes"]
                .as_array()
                .is_some_and(|routes| routes.len() == 4)
        },
    )
    .await;
    assert_eq!(units["routes"].as_array().map(Vec::len), Some(4), "{units}");
    let file = std::fs::read_to_string(
        crate::repo().join("tests/fixtures/designer/giay-phep-ban-le-ruou.toml"),
    )
    .expect("the designer's file");
    let designer = server.user("designer", &[]);
    let published = server
        .http
        .post(server.url("/api/v1/procedures"))
        .bearer_auth(&designer)
        .header("content-type", "application/toml")
        .body(file)
        .send()
        .await
        .expect("sent");
    assert_eq!(published.status().as_u16(), 201);

    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let economy = server.officer("kinh_te");
    let inspector = server.user("quan_ly_thi_truong", &["--unit", "000.00.21.H21"]);
    let police = server.user("cong_an_xa", &["--unit", "000.00.18.H21"]);
    let chair = server.officer("chu_tich");
    let dossier = submit(
        &server,
        &citizen,
        &json!({
            "procedure": "2.001240",
            "channel": "online",
            "receiving_unit": "000.00.17.H21",
            "applicant": { "citizen_id": CITIZEN, "name": "Lê Thị Hoa" },
            "form": { "ten_co_so": "Tạp hóa Hoa Lê", "dia_diem": "Thôn Đông, xã Tân Lập", "ho_kinh_doanh": true },
            "documents": [
                { "component": "dang_ky_kinh_doanh", "name": "Giấy chứng nhận đăng ký hộ kinh doanh", "provenance": "data_store", "reference": "kho/77" }
            ]
        }),
    )
    .await;
    let code = dossier["code"].as_str().expect("code").to_owned();
    assert_eq!(
        dossier["fees_due"], 200_000,
        "the household rate online: {dossier}"
    );

    let (status, received) = act(&server, &desk, &code, "receive", json!({})).await;
    assert_eq!(status, 200, "{received}");
    let receipt_appointment = instant(&received["appointment"]);
    assert_eq!(
        received["windows"][0]["id"], "bo_sung",
        "receipt opens the supplement window"
    );

    // A supplement asked within its window, answered with a file over the API.
    let (status, asked) = act(
        &server,
        &desk,
        &code,
        "request_supplement",
        json!({ "reason": "Bản đăng ký kinh doanh không rõ",
                "missing": [{ "document": "dang_ky_kinh_doanh", "note": "Bản chụp mờ" }] }),
    )
    .await;
    assert_eq!(
        (status, asked["status"].as_str()),
        (200, Some("supplement_requested")),
        "{asked}"
    );
    let answer = |bytes: &'static [u8]| {
        server
            .http
            .post(server.url(&format!("/api/v1/dossiers/{code}/supplement")))
            .bearer_auth(&citizen)
            .multipart(reqwest::multipart::Form::new().part(
                "dang_ky_kinh_doanh",
                reqwest::multipart::Part::bytes(bytes).file_name("dang-ky.pdf"),
            ))
            .send()
    };
    let refused = answer(b"not a pdf at all").await.expect("sent");
    assert_eq!(
        refused.status().as_u16(),
        415,
        "a file that is not a PDF, PNG or JPEG"
    );
    let answered = answer(crate::api::PDF).await.expect("sent");
    assert_eq!(answered.status().as_u16(), 200);
    let answered: Value = answered.json().await.expect("json");
    assert_eq!(answered["status"], "received", "{answered}");
    let (_, forwarded) = act(&server, &desk, &code, "chuyen_tham_dinh", json!({})).await;
    assert_eq!(
        forwarded["status"], "financial_obligation_requested",
        "{forwarded}"
    );
    let (status, paid) = act(
        &server,
        &desk,
        &code,
        "record_payment",
        json!({ "amount": 200000, "reference": "BL-0001" }),
    )
    .await;
    assert_eq!(
        (status, paid["status"].as_str()),
        (200, Some("processing")),
        "{paid}"
    );

    let (status, body) = act(&server, &economy, &code, "de_nghi_kiem_tra", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["unit"], "000.00.21.H21",
        "routed to the market inspectors"
    );
    let (status, body) = act(&server, &inspector, &code, "gui_bien_ban", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["unit"], "000.00.18.H21", "then to the commune police");
    let restarted = instant(&body["appointment"]);
    assert!(
        restarted < receipt_appointment,
        "5 working days from the inspection report ({restarted}) replace the 10 from receipt ({receipt_appointment})"
    );
    let (status, body) = act(&server, &police, &code, "trinh_ky", json!({})).await;
    assert_eq!(
        (status, body["unit"].as_str()),
        (200, Some("000.00.17.H21")),
        "{body}"
    );
    let (status, body) = act(&server, &chair, &code, "cap_phep", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("resolved")),
        "{body}"
    );
    let (status, body) = act(&server, &desk, &code, "return_result", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("result_returned")),
        "{body}"
    );
    assert!(
        body["result_code"]
            .as_str()
            .is_some_and(|code| code.starts_with("KQ-"))
    );

    // The partial variant keeps its counter channel, and the same file again changes nothing.
    let direct = call(&server, "GET", "/api/v1/procedures/2.001240", None, None)
        .await
        .1;
    assert_eq!(direct["current"]["online_service"], "partial");
}

/// A citizen sends feedback on the pages: the apply page draws its e-form, with no file asked
/// for the declaration itself, and the dossier page lists its windows in Vietnamese.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_sends_feedback_on_the_pages() {
    let Some(server) = Server::start(Backend::Sqlite, "feedback-pages", &[]) else {
        return;
    };
    let mut browser = crate::browser::Browser::new(&server.base);
    browser.sign_in(&server.citizen(CITIZEN)).await;
    let (status, page, _) = browser.get("/procedures/PAKN.1/apply").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Nội dung phản ánh, kiến nghị"), "{page}");
    let key = crate::between(&page, "name=\"submission_key\" value=\"", "\"")
        .expect("a submission key")
        .to_owned();
    let csrf = crate::browser::Browser::csrf_of(&page);
    let form = [
        ("csrf", csrf.as_str()),
        ("submission_key", key.as_str()),
        ("applicant:name", "Lê Thị Hoa"),
        ("applicant:id_number", CITIZEN),
        ("applicant:email", "hoa@example.vn"),
        ("receiving_unit", "000.00.17.H21"),
        ("form:loai", "phan_anh"),
        ("form:quy_dinh", "Quyết định 12/2025/QĐ-UBND, Điều 5"),
        (
            "form:noi_dung",
            "Thủ tục yêu cầu nộp giấy tờ đã có trong cơ sở dữ liệu.",
        ),
    ]
    .into_iter()
    .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
        form.text(name.to_owned(), value.to_owned())
    });
    let response = browser
        .http
        .post(server.url("/procedures/PAKN.1/apply"))
        .header(reqwest::header::COOKIE, browser.cookie_header())
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let location = location.unwrap_or_else(|| panic!("{status}: {body}"));
    let (status, dossier, _) = browser.get(&location).await;
    assert_eq!(status, 200, "{dossier}");
    for expected in [
        "Tiếp nhận hoặc từ chối tiếp nhận trong 02 ngày làm việc",
        "Yêu cầu bổ sung thông tin trong 05 ngày làm việc",
        "class=\"window\">hạn ",
    ] {
        assert!(dossier.contains(expected), "{expected} on {dossier}");
    }
}
