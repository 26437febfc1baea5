//! Forms as issued, through the real server on both stores: each form is the one its event
//! issued (a later apology or refusal leaves Form 01 as printed), printed as the appendix of
//! Circular 01/2018 reads, with Form 03 after appraisal and a Form 06 that names people. With
//! Chromium present, each printed form is photographed for docs/audit.md (`HOSO_SCREENSHOTS`).

use serde_json::{Value, json};

use crate::api::{PDF, act, call, submit_multipart};
use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";

async fn form(server: &Server, token: &str, code: &str, number: &str) -> Value {
    let (status, filled) = call(
        server,
        "GET",
        &format!("/api/v1/dossiers/{code}/forms/{number}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, 200, "form {number}: {filled}");
    filled
}

async fn printed(server: &Server, token: &str, code: &str, number: &str) -> String {
    let response = server
        .http
        .get(server.url(&format!(
            "/api/v1/dossiers/{code}/forms/{number}?format=html"
        )))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    response.text().await.expect("html")
}

fn field(form: &Value, key: &str) -> String {
    form["fields"]
        .as_array()
        .and_then(|fields| fields.iter().find(|field| field["key"] == key))
        .and_then(|field| field["value"].as_str())
        .unwrap_or_else(|| panic!("no {key} in {form}"))
        .to_owned()
}

/// Renders a printed form with headless Chromium into `HOSO_SCREENSHOTS` when asked to.
fn photograph(html: &str, name: &str) {
    let Ok(directory) = std::env::var("HOSO_SCREENSHOTS") else {
        return;
    };
    let chromium =
        std::env::var("HOSO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let directory = crate::repo().join(directory);
    std::fs::create_dir_all(&directory).expect("screenshot directory");
    let page = std::env::temp_dir().join(format!("hoso-form-{name}-{}.html", std::process::id()));
    std::fs::write(&page, html).expect("page written");
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=900,1200",
            &format!(
                "--screenshot={}",
                directory.join(format!("{name}.png")).display()
            ),
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_file(page);
}

async fn walk_forms(backend: Backend) {
    let Some(server) = Server::start(backend, "forms", &["--directory-check-interval", "1"]) else {
        return;
    };
    // The commune's name and place name come from the unit directory.
    let import = crate::hoso(&[
        "unit",
        "import",
        "fixtures/units.toml",
        "--db",
        &server.database.url,
    ]);
    assert!(import.status.success(), "{}", crate::stderr(&import));
    let (_, units) = crate::eventually_async(
        || call(&server, "GET", "/api/v1/units", None, None),
        |(_, body)| {
            body["units"]
                .as_array()
                .is_some_and(|units| units.len() == 5)
        },
    )
    .await;
    assert!(
        units.to_string().contains("\"place\":\"Tân Lập\""),
        "{units}"
    );
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let civil = server.officer("tu_phap");

    // A birth dossier: received (Form 01), then refused after appraisal (Form 03).
    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "forms-birth",
        &crate::birth_submission(CITIZEN),
        &[("to_khai", PDF)],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    let (status, not_yet) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}/forms/01"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(status, 404, "no receipt before the receipt: {not_yet}");
    let (status, body) = act(&server, &desk, &code, "receive", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let receipt = form(&server, &citizen, &code, "01").await;
    assert_eq!(receipt["agency"], "UBND xã Tân Lập");
    assert_eq!(receipt["place"], "Tân Lập");
    assert_eq!(receipt["number"], format!("{code}/TN"));
    assert_eq!(field(&receipt, "time_limit"), "trong ngày");
    let html = printed(&server, &citizen, &code, "01").await;
    for line in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ TÂN LẬP",
        "Tân Lập, ngày",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Tờ khai đăng ký khai sinh",
    ] {
        assert!(html.contains(line), "{line} missing from Form 01:\n{html}");
    }
    photograph(&html, "form-01");

    let (status, body) = act(&server, &desk, &code, "chuyen_tham_dinh", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{code}/actions"),
        Some(&civil),
        Some(json!({
            "action": "tu_choi",
            "reason": "Trẻ không sinh tại địa bàn và cha mẹ không cư trú tại xã"
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let refusal = form(&server, &citizen, &code, "03").await;
    assert_eq!(refusal["title"], "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ");
    assert_eq!(
        field(&refusal, "reason"),
        "Trẻ không sinh tại địa bàn và cha mẹ không cư trú tại xã"
    );
    assert_eq!(
        form(&server, &citizen, &code, "01").await,
        receipt,
        "the receipt is served as issued"
    );
    photograph(
        &printed(&server, &citizen, &code, "03").await,
        "form-03-after-appraisal",
    );
    let slip = form(&server, &desk, &code, "06").await;
    let rows = slip["rows"].as_array().expect("rows");
    assert_eq!(
        rows.last().expect("a row")["note"],
        "Từ chối giải quyết hồ sơ (Mẫu số 03)"
    );
    assert!(
        rows.iter().all(|row| !row["given_by"]
            .as_str()
            .unwrap_or_default()
            .starts_with("u-")),
        "people by name: {slip}"
    );
    photograph(&printed(&server, &desk, &code, "06").await, "form-06");
    let (status, timeline) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}/timeline"),
        Some(&citizen),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let told: Vec<&str> = timeline
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|event| event["description"].as_str())
        .filter(|text| text.starts_with("Cấp Mẫu số"))
        .collect();
    assert_eq!(
        told,
        [
            "Cấp Mẫu số 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            "Cấp Mẫu số 03: Phiếu từ chối giải quyết hồ sơ"
        ],
        "{timeline}"
    );

    // The unit's evaluation reads the refused dossier's criteria; a citizen reads no reports.
    let today = chrono::Utc::now()
        .with_timezone(&hoso_engine::clock::vietnam())
        .date_naive();
    let query = format!("/api/v1/reports/evaluation?unit=000.00.17.H21&from={today}&to={today}");
    let (status, evaluation) = call(&server, "GET", &query, Some(&desk), None).await;
    assert_eq!(status, 200, "{evaluation}");
    assert!(
        evaluation["dossiers"].as_array().is_some_and(|all| all
            .iter()
            .any(|dossier| dossier["dossier"] == code.as_str())),
        "{evaluation}"
    );
    let (status, _) = call(&server, "GET", &query, Some(&citizen), None).await;
    assert_eq!(status, 403, "a citizen reads no unit's evaluation");

    // A second birth dossier: a supplement request (Form 02), then the desk refuses a third at
    // intake (Form 03 of the desk).
    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "forms-birth-2",
        &crate::birth_submission(CITIZEN),
        &[("to_khai", PDF)],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let second = dossier["code"].as_str().expect("code").to_owned();
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{second}/actions"),
        Some(&desk),
        Some(json!({
            "action": "request_supplement",
            "reason": "Giấy chứng sinh chụp mờ",
            "data": { "missing": [{ "document": "giay_chung_sinh", "note": "Chụp lại rõ nét" }] }
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let supplement = form(&server, &citizen, &second, "02").await;
    assert_eq!(supplement["number"], format!("{second}/BS-1"));
    photograph(&printed(&server, &citizen, &second, "02").await, "form-02");
    let (status, dossier) = submit_multipart(
        &server,
        &citizen,
        "forms-birth-3",
        &crate::birth_submission(CITIZEN),
        &[("to_khai", PDF)],
    )
    .await;
    assert_eq!(status, 201, "{dossier}");
    let third = dossier["code"].as_str().expect("code").to_owned();
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{third}/actions"),
        Some(&desk),
        Some(json!({ "action": "refuse_intake", "reason": "Không thuộc thẩm quyền của xã" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        form(&server, &citizen, &third, "03").await["title"],
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
    );
    photograph(
        &printed(&server, &citizen, &third, "03").await,
        "form-03-at-intake",
    );
    let slip = form(&server, &desk, &third, "06").await;
    assert_eq!(
        slip["rows"][0]["note"], "Từ chối tiếp nhận hồ sơ (Mẫu số 03)",
        "{slip}"
    );

    // Feedback with fifteen working days: the processing officer apologises (Form 04), a working
    // day ahead, and later stops it (Form 05); the receipt stays as issued.
    let pakn_desk = server.officer("tiep_nhan_pakn");
    let handler = server.officer("chuyen_vien_xu_ly");
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("Idempotency-Key", "forms-feedback")
        .json(&json!({
            "procedure": "PAKN.1",
            "channel": "online",
            "receiving_unit": "000.00.17.H21",
            "applicant": {
                "id_number": CITIZEN,
                "name": "Nguyễn Văn Bình",
                "email": "binh@example.vn"
            },
            "form": {
                "loai": "kien_nghi",
                "quy_dinh": "Quyết định 12/2025/QĐ-UBND, Điều 5",
                "noi_dung": "Đề nghị bỏ yêu cầu nộp bản sao giấy khai sinh."
            }
        }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 201);
    let feedback: Value = response.json().await.expect("json");
    let fourth = feedback["code"].as_str().expect("code").to_owned();
    let (status, body) = act(&server, &pakn_desk, &fourth, "receive", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let receipt = form(&server, &citizen, &fourth, "01").await;
    let (status, body) = act(&server, &pakn_desk, &fourth, "chuyen_xu_ly", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let appointment =
        chrono::DateTime::parse_from_rfc3339(body["appointment"].as_str().expect("an appointment"))
            .expect("rfc3339");
    let new_appointment = (appointment + chrono::Duration::days(2)).to_rfc3339();
    let (status, refused) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{fourth}/actions"),
        Some(&pakn_desk),
        Some(json!({
            "action": "apologize_and_extend",
            "reason": "Cần lấy ý kiến Sở Tư pháp",
            "data": { "new_appointment": new_appointment }
        })),
    )
    .await;
    assert_eq!(
        status, 403,
        "the desk passes an apology on; the processing officer writes it: {refused}"
    );
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{fourth}/actions"),
        Some(&handler),
        Some(json!({
            "action": "apologize_and_extend",
            "reason": "Cần lấy ý kiến Sở Tư pháp",
            "data": { "new_appointment": new_appointment }
        })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let apology = form(&server, &citizen, &fourth, "04").await;
    assert_eq!(field(&apology, "reason"), "Cần lấy ý kiến Sở Tư pháp");
    assert_eq!(
        form(&server, &citizen, &fourth, "01").await,
        receipt,
        "the receipt keeps the appointment it was issued with"
    );
    photograph(&printed(&server, &citizen, &fourth, "04").await, "form-04");
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/v1/dossiers/{fourth}/actions"),
        Some(&handler),
        Some(json!({ "action": "stop", "reason": "Người kiến nghị đề nghị dừng" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        field(&form(&server, &citizen, &fourth, "05").await, "reason"),
        "Người kiến nghị đề nghị dừng"
    );
    photograph(&printed(&server, &citizen, &fourth, "05").await, "form-05");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_is_served_as_issued_and_printed_as_the_appendix_reads_on_sqlite() {
    walk_forms(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_is_served_as_issued_and_printed_as_the_appendix_reads_on_postgres() {
    walk_forms(Backend::Postgres).await;
}
