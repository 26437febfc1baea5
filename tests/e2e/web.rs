//! The web pages' guards, over real HTTP: a forged form, a missing, expired or ended session, and
//! an officer of another unit are each refused, and leave the dossier as it was.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION};
use serde_json::Value;

use crate::archive::strings;
use crate::browser::Browser;
use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";

/// A birth registration submitted through the API; its code.
async fn submit_birth(server: &Server, token: &str, key: &str) -> String {
    submit(server, token, key, &crate::birth_submission(CITIZEN)).await
}

/// A dossier submitted through the API under `key`; its code.
pub(crate) async fn submit(server: &Server, token: &str, key: &str, body: &Value) -> String {
    let submitted: Value = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    submitted["code"].as_str().expect("code").to_owned()
}

async fn version_of(server: &Server, token: &str, code: &str) -> u64 {
    let body: Value = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    body["version"].as_u64().expect("version")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pages_refuse_forged_forms_missing_or_expired_sessions_and_other_units() {
    let Some(server) = Server::start(Backend::Sqlite, "web-guards", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let elsewhere = server.user("mot_cua", &["--unit", "000.00.99.H21"]);
    let code = submit_birth(&server, &citizen, "web-guards-1").await;
    let page = format!("/dossiers/{code}");
    let act = format!("/dossiers/{code}/act");
    let before = version_of(&server, &desk, &code).await;

    // No session: the page sends the visitor to sign in, and a form post does nothing.
    let mut stranger = Browser::new(&server.base);
    let (status, _, headers) = stranger.get(&page).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(LOCATION).and_then(|value| value.to_str().ok()),
        Some(format!("/sign-in?next=%2Fdossiers%2F{code}").as_str())
    );
    let (status, _, _) = stranger.post(&act, &[("action", "receive")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "no session, no action");

    // The officer's session: cookie attributes and the page's policy.
    let mut officer = Browser::new(&server.base);
    let session = officer.sign_in(&desk).await;
    for attribute in ["HttpOnly", "SameSite=Strict", "Max-Age=28800", "Path=/"] {
        assert!(session.contains(attribute), "{attribute} in {session}");
    }
    assert!(
        !session.contains("Secure"),
        "loopback: no Secure flag ({session})"
    );
    let (status, html, headers) = officer.get(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let policy = headers
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|value| value.to_str().ok())
        .expect("a Content-Security-Policy");
    assert!(
        policy.contains("default-src 'none'") && !policy.contains("unsafe"),
        "{policy}"
    );
    assert!(!html.contains("<script"), "no script on the page");
    let csrf = Browser::csrf_of(&html);

    // A forged form: no CSRF value, or another one. Refused, and nothing changes.
    for forged in [
        vec![("action", "receive")],
        vec![("action", "receive"), ("csrf", "0".repeat(64).leak())],
    ] {
        let (status, body, _) = officer.post(&act, &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("Biểu mẫu đã hết hiệu lực"), "{body}");
    }
    assert_eq!(
        version_of(&server, &desk, &code).await,
        before,
        "a forged form changed nothing"
    );

    // Designers' pages are for designers; a designer's forged publish is refused too.
    let (status, _, _) = officer.get("/design").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an officer on the designer's pages"
    );
    let mut designer = Browser::new(&server.base);
    designer.sign_in(&server.user("designer", &[])).await;
    let source =
        std::fs::read_to_string(crate::repo().join("tests/fixtures/designer/2.000635-v4.toml"))
            .expect("a procedure file");
    let (status, _, _) = designer
        .post("/design/publish", &[("source", &source)])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a publish without the CSRF value"
    );
    let (_, versions, _) = designer.get("/design").await;
    assert!(
        !versions.contains("/design/2.000635/4"),
        "nothing was published"
    );

    // An officer of another unit: the dossier does not exist for them, to read or to act on.
    let mut other = Browser::new(&server.base);
    other.sign_in(&elsewhere).await;
    let (status, _, _) = other.get(&page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, inbox, _) = other.get("/inbox").await;
    let other_csrf = Browser::csrf_of(&inbox);
    let (status, _, _) = other
        .post(&act, &[("action", "receive"), ("csrf", &other_csrf)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = other.get(&format!("/dossiers/{code}/forms/01")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(version_of(&server, &desk, &code).await, before);

    // The real form works.
    let (status, body, _) = officer
        .post(&act, &[("action", "receive"), ("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        version_of(&server, &desk, &code).await,
        before + 2,
        "the receipt and its Form 01"
    );

    // An expired session is no session.
    let url = server.database.url.clone();
    strings(
        &url,
        "UPDATE web_sessions SET expires_at = 0 RETURNING id_hash",
    );
    let (status, _, _) = officer.get(&page).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "an expired session sends the officer to sign in"
    );
    let (status, _, _) = officer
        .post(&act, &[("action", "chuyen_tham_dinh"), ("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        version_of(&server, &desk, &code).await,
        before + 2,
        "the expired session moved nothing"
    );

    // Signing out ends the session on the server, not only in the browser.
    let mut leaving = Browser::new(&server.base);
    leaving.sign_in(&desk).await;
    let kept = leaving.cookie_header();
    let (_, html, _) = leaving.get(&page).await;
    let (status, _, _) = leaving
        .post("/sign-out", &[("csrf", &Browser::csrf_of(&html))])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let replayed = leaving
        .http
        .get(format!("{}{page}", server.base))
        .header(COOKIE, kept)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        replayed.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );

    // A wrong token is refused on the sign-in page itself.
    let mut guess = Browser::new(&server.base);
    let (_, page_html, _) = guess.get("/sign-in").await;
    let (status, body, _) = guess
        .post(
            "/sign-in",
            &[
                ("csrf", &Browser::csrf_of(&page_html)),
                ("token", "hoso_wrong"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("Mã truy cập không đúng"), "{body}");
}

/// Whether the browser walk can run here: Node, the npm packages of tests/web, and Chromium.
fn browser_tools() -> Result<(), String> {
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|output| output.status.success()) {
        return Err("node is not installed".to_owned());
    }
    if !crate::repo()
        .join("tests/web/node_modules/playwright-core")
        .exists()
    {
        return Err("tests/web has no node_modules: run npm ci --prefix tests/web".to_owned());
    }
    if !std::path::Path::new(&chromium()).exists() {
        return Err(format!(
            "{} is missing: apt-get install chromium",
            chromium()
        ));
    }
    Ok(())
}

fn chromium() -> String {
    std::env::var("HOSO_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// The walk of issue 9 in a real browser; screenshots go to `HOSO_SCREENSHOTS` (default
/// `target/screenshots`; `docs/screenshots` refreshes the ones in the repository).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_birth_registration_walks_through_the_web_pages_in_chromium() {
    if let Err(why) = browser_tools() {
        hoso_adapters::testing::skip("Chromium for the browser walk", &why);
        return;
    }
    let Some(provider) = crate::oidc::Provider::start() else {
        return;
    };
    let Some(server) = Server::start(
        Backend::Sqlite,
        "web-walk",
        &[
            "--oidc-issuer",
            &provider.issuer,
            "--oidc-audience",
            "hoso",
            "--oidc-client-secret",
            "test-secret",
        ],
    ) else {
        return;
    };
    // A newcomer's first run, walked too: its own scratch folder, removed after.
    let demo_scratch =
        std::env::temp_dir().join(format!("hoso-e2e-walk-demo-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&demo_scratch).expect("scratch folder");
    let (demo, demo_base, _) = crate::demo_mode::serve_demo(&demo_scratch);
    let shots =
        std::env::var("HOSO_SCREENSHOTS").unwrap_or_else(|_| "target/screenshots".to_owned());
    let shots = crate::repo().join(shots);
    let _ = std::fs::remove_dir_all(&shots);
    // The server is another process, so waiting on node here blocks nothing it needs.
    let output = std::process::Command::new("node")
        .arg("tests/web/walk.mjs")
        .current_dir(crate::repo())
        .env("HOSO_BASE", &server.base)
        .env("HOSO_CITIZEN", server.citizen(CITIZEN))
        .env("HOSO_CITIZEN_ID", CITIZEN)
        .env("HOSO_OIDC_ISSUER", &provider.issuer)
        .env("HOSO_DESK", server.officer("mot_cua"))
        .env("HOSO_JUSTICE", server.officer("tu_phap"))
        .env("HOSO_CHAIR", server.officer("chu_tich"))
        .env("HOSO_AUDITOR", server.user("auditor", &[]))
        .env("HOSO_DESIGNER", server.user("designer", &[]))
        .env("HOSO_SCREENSHOTS", &shots)
        .env("HOSO_CHROMIUM", chromium())
        .env("HOSO_DEMO_BASE", &demo_base)
        .output()
        .expect("node runs");
    drop(demo);
    let _ = std::fs::remove_dir_all(&demo_scratch);
    let said = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("{said}");
    assert!(output.status.success(), "the browser walk failed:\n{said}");
    assert!(said.contains("walk done"), "{said}");
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplement_is_asked_for_and_answered_through_the_pages_and_a_revoked_token_ends_its_sessions()
 {
    let Some(server) = Server::start(Backend::Sqlite, "web-supplement", &[]) else {
        return;
    };
    let citizen_token = server.citizen(CITIZEN);
    let desk_token = server.officer("mot_cua");
    let code = submit_birth(&server, &citizen_token, "web-supplement-1").await;
    let page = format!("/dossiers/{code}");

    // The desk asks for a clearer birth certificate, from the form on the dossier page.
    let mut desk = Browser::new(&server.base);
    desk.sign_in(&desk_token).await;
    let (_, html, _) = desk.get(&page).await;
    assert!(
        html.contains("name=\"missing\" value=\"giay_chung_sinh\""),
        "the request lists the documents"
    );
    let csrf = Browser::csrf_of(&html);
    let act = format!("/dossiers/{code}/act");
    let (status, body, _) = desk
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "request_supplement"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no document and no reason: shown on the page"
    );
    assert!(
        body.contains("id=\"notice-error\"") && !body.contains("class=\"notice\""),
        "a refusal is shown as an error, not as a success: {body}"
    );
    let (status, body, _) = desk
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "request_supplement"),
                ("missing", "giay_chung_sinh"),
                ("reason", "Bản chụp giấy chứng sinh bị mờ"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html, _) = desk.get(&page).await;
    assert!(html.contains("Yêu cầu bổ sung giấy tờ"), "{html}");

    // The citizen sees what is missing and sends it; a forged upload is refused first.
    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&citizen_token).await;
    let (_, html, _) = citizen.get(&page).await;
    assert!(
        html.contains("Bản chụp giấy chứng sinh bị mờ"),
        "the note is shown: {html}"
    );
    // Asked at intake, before receipt: no clock runs, so the page neither counts down nor
    // calls the dossier in time (a received dossier says the clock is paused; deadline.rs).
    assert!(
        !html.contains("Thời gian còn lại") && !html.contains("Trong hạn"),
        "{html}"
    );
    let supplement = format!("/dossiers/{code}/supplement");
    // Sent with no file: said in Vietnamese, in an error box, and nothing changes.
    let (status, body) = citizen
        .post_files(&supplement, Some(&Browser::csrf_of(&html)), &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let notice = crate::between(&body, "id=\"notice-error\"", "</")
        .unwrap_or_else(|| panic!("no error box: {body}"));
    assert!(
        notice.contains("Vui lòng gửi các giấy tờ") && !body.contains("class=\"notice\""),
        "{notice}"
    );
    let (_, html, _) = citizen.get(&page).await;
    let (status, _) = citizen
        .post_files(&supplement, None, &[("doc:giay_chung_sinh", PDF)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF value, no upload");
    let (status, body) = citizen
        .post_files(
            &supplement,
            Some(&Browser::csrf_of(&html)),
            &[("doc:giay_chung_sinh", PDF)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html, _) = citizen.get(&page).await;
    assert!(
        !html.contains("action-submit_supplement"),
        "nothing more to send: {html}"
    );

    // Reports: officers see their own unit, never another; citizens see none.
    let (status, html, _) = desk.get("/reports").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    // The dossier waits for its supplement and was never received: nothing is counted yet.
    assert!(
        html.contains("id=\"received\">0<") && html.contains("<svg"),
        "the report and its charts: {html}"
    );
    // Rates with their per cent sign and a Vietnamese decimal comma, dates typed dd/mm/yyyy,
    // the unit by its name.
    let (status, html, _) = desk.get("/reports?from=01/03/2026&to=31/03/2026").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("<td>0,00%</td>") && html.contains("0,00 ngày làm việc"),
        "{html}"
    );
    assert!(html.contains("value=\"01/03/2026\"") && html.contains("ngày/tháng/năm"));
    // This server's directory names no unit: the code alone, never twice.
    assert!(html.contains(">000.00.17.H21</option>"), "{html}");
    let (status, html, _) = desk.get("/reports?from=31/13/2026&to=31/03/2026").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _, _) = desk.get("/reports?unit=000.00.99.H21").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another unit's report");
    let (status, _, _) = citizen.get("/reports").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "citizens read no unit report"
    );

    // Revoking the desk's token ends the desk's session at once.
    let users = strings(
        &server.database.url,
        "SELECT id FROM users WHERE role = 'mot_cua'",
    );
    let revoked = crate::hoso(&["user", "revoke", &users[0], "--db", &server.database.url]);
    assert!(revoked.status.success(), "{}", crate::stderr(&revoked));
    let (status, _, _) = desk.get(&page).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a revoked token's session is over"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_applicant_pays_online_from_the_dossier_page_and_the_return_page_waits_for_the_ipn() {
    let Some((server, citizen_token, code)) =
        crate::payments::owing_dossier("web-pay", "http://127.0.0.1:9/unused").await
    else {
        return;
    };
    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&citizen_token).await;
    let page = format!("/dossiers/{code}");
    let (_, html, headers) = citizen.get(&page).await;
    assert!(html.contains("16.000 đ"), "the fee owed is shown: {html}");
    assert!(
        html.contains("id=\"pay\""),
        "a fee is owed, so paying is offered: {html}"
    );
    // What she declared, by its names: the event's label, the yes/no as a word.
    assert!(
        html.contains("<dd>Khai sinh</dd>") && !html.contains("khai_sinh"),
        "{html}"
    );
    assert!(!html.contains("<dd>false</dd>"), "{html}");
    let policy = headers
        .get(CONTENT_SECURITY_POLICY)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        policy.contains("form-action 'self' https://sandbox.vnpayment.vn"),
        "the pay form may lead to the gateway and nowhere else: {policy}"
    );
    let pay = format!("/dossiers/{code}/pay");
    let (status, _, _) = citizen.post(&pay, &[]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a pay form without its CSRF value"
    );
    let (status, body, headers) = citizen
        .post(&pay, &[("csrf", &Browser::csrf_of(&html))])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let gateway = headers
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("sent to the gateway")
        .to_owned();
    assert!(
        gateway.starts_with("https://sandbox.vnpayment.vn/"),
        "{gateway}"
    );
    let txn_ref = form_urlencoded::parse(gateway.split_once('?').expect("query").1.as_bytes())
        .find(|(key, _)| key == "vnp_TxnRef")
        .map(|(_, value)| value.into_owned())
        .expect("vnp_TxnRef");

    // Back from the gateway (no session cookie crosses sites): pending until the IPN.
    let returned = crate::payments::ipn(&txn_ref, "1600000", "00", crate::payments::SECRET);
    let mut back = Browser::new(&server.base);
    let (status, html, _) = back.get(&format!("/payments/return?{returned}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("data-state=\"pending\""), "{html}");
    assert!(
        html.contains("16.000 đ") && html.contains(&txn_ref),
        "{html}"
    );
    // Turned back at the gateway (code 24): said so, not "waiting for VNPAY".
    let cancelled = crate::payments::ipn(&txn_ref, "1600000", "24", crate::payments::SECRET);
    let (_, html, _) = back.get(&format!("/payments/return?{cancelled}")).await;
    assert!(
        html.contains("data-state=\"cancelled\"") && html.contains("Bạn đã hủy giao dịch"),
        "{html}"
    );
    let (status, _, _) = back
        .get("/payments/return?vnp_TxnRef=forged&vnp_SecureHash=00")
        .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an unsigned return is refused"
    );
    assert_eq!(crate::payments::send_ipn(&server, &returned).await, "00");
    let (_, html, _) = back.get(&format!("/payments/return?{returned}")).await;
    assert!(html.contains("data-state=\"paid\""), "{html}");
    assert!(
        html.contains("id=\"gateway-transaction\">14422574<"),
        "the receipt names VNPAY's transaction: {html}"
    );
    let (_, html, _) = citizen.get(&page).await;
    assert!(!html.contains("id=\"pay\""), "nothing left to pay: {html}");
    assert!(
        html.contains("<td>Cổng thanh toán trực tuyến (VNPAY)</td>")
            && !html.contains("<td>hoso</td>"),
        "the payment credited to the gateway by name: {html}"
    );

    // A dossier not yet received is asked for no fee.
    let fresh_code = submit(
        &server,
        &citizen_token,
        "web-pay-fresh",
        &crate::payments::extract_copies(),
    )
    .await;
    let (_, html, _) = citizen.get(&format!("/dossiers/{fresh_code}")).await;
    assert!(
        !html.contains("id=\"pay\""),
        "no fee before receipt: {html}"
    );
}

/// From 60 days before the official calendars end, officers and auditors see a banner on every
/// page (here: today's own year is only a draft); citizens do not, and nobody does when the
/// official calendars reach far enough.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_and_auditors_are_warned_before_the_official_calendars_run_out() {
    let (folder, year) = crate::calendar::draft_folder("banner");
    let folder_arg = folder.to_str().expect("utf-8").to_owned();
    let Some(server) = Server::start(
        Backend::Sqlite,
        "calendar-banner",
        &["--calendars", &folder_arg],
    ) else {
        return;
    };
    let desk = server.officer("mot_cua");
    let mut officer = Browser::new(&server.base);
    officer.sign_in(&desk).await;
    let (status, inbox, _) = officer.get("/inbox").await;
    assert_eq!(status, StatusCode::OK, "{inbox}");
    assert!(
        inbox.contains("id=\"calendar-banner\"")
            && inbox.contains("Chưa có lịch nghỉ lễ chính thức của năm nay"),
        "{inbox}"
    );
    let mut auditor = Browser::new(&server.base);
    auditor.sign_in(&server.user("auditor", &[])).await;
    let (_, audit, _) = auditor.get("/audit").await;
    assert!(audit.contains("id=\"calendar-banner\""), "{audit}");
    let citizen_token = server.citizen(CITIZEN);
    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&citizen_token).await;
    let (_, mine, _) = citizen.get("/my").await;
    assert!(!mine.contains("calendar-banner"), "{mine}");
    // A dossier received now has a provisional appointment, and its page says so.
    let code = submit_birth(&server, &citizen_token, "banner-1").await;
    let (status, received) =
        crate::api::act(&server, &desk, &code, "receive", serde_json::json!({})).await;
    assert_eq!(status, 200, "{received}");
    let (_, page, _) = citizen.get(&format!("/dossiers/{code}")).await;
    assert!(
        page.contains("id=\"appointment-provisional\"") && page.contains("tạm tính"),
        "{page}"
    );
    drop(server);

    // Both years official: more than 60 days left, no banner.
    for year in [year, year + 1] {
        let path = folder.join(format!("{year}.toml"));
        let text = std::fs::read_to_string(&path).expect("draft");
        std::fs::write(&path, text.replace("provisional = true\n", "")).expect("write");
    }
    let Some(server) = Server::start(
        Backend::Sqlite,
        "calendar-no-banner",
        &["--calendars", &folder_arg],
    ) else {
        return;
    };
    let mut officer = Browser::new(&server.base);
    officer.sign_in(&server.officer("mot_cua")).await;
    let (_, inbox, _) = officer.get("/inbox").await;
    assert!(!inbox.contains("calendar-banner"), "{inbox}");
    let _ = std::fs::remove_dir_all(folder);
}

/// The pages take a document up to the per-document limit (not the 1 MiB of a JSON body), and
/// answer a larger one with a Vietnamese page, leaving the dossier waiting as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_take_documents_up_to_the_per_document_limit_and_refuse_larger_ones_in_vietnamese() {
    let Some(server) = Server::start(Backend::Sqlite, "web-upload-size", &[]) else {
        return;
    };
    let citizen_token = server.citizen(CITIZEN);
    let desk_token = server.officer("mot_cua");
    let code = submit_birth(&server, &citizen_token, "web-upload-size-1").await;
    let page = format!("/dossiers/{code}");
    let mut desk = Browser::new(&server.base);
    desk.sign_in(&desk_token).await;
    let (_, html, _) = desk.get(&page).await;
    let (status, body, _) = desk
        .post(
            &format!("/dossiers/{code}/act"),
            &[
                ("csrf", &Browser::csrf_of(&html)),
                ("action", "request_supplement"),
                ("missing", "giay_chung_sinh"),
                ("reason", "Bản chụp giấy chứng sinh bị mờ"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&citizen_token).await;
    let (_, html, _) = citizen.get(&page).await;
    let csrf = Browser::csrf_of(&html);
    let scan = |megabytes: usize| {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        bytes.resize(megabytes * 1024 * 1024, b'a');
        bytes
    };
    let supplement = format!("/dossiers/{code}/supplement");
    let too_large = scan(11);
    let (status, body) = citizen
        .post_files(
            &supplement,
            Some(&csrf),
            &[("doc:giay_chung_sinh", &too_large)],
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        body.contains("<html") && body.contains("Tệp gửi lên quá lớn: mỗi giấy tờ tối đa 10 MB"),
        "{body}"
    );
    let (_, html, _) = citizen.get(&page).await;
    assert!(
        html.contains("action-submit_supplement"),
        "still waiting: {html}"
    );

    let three_megabytes = scan(3);
    let (status, body) = citizen
        .post_files(
            &supplement,
            Some(&csrf),
            &[("doc:giay_chung_sinh", &three_megabytes)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
}

/// One anonymous client flooding the server (behind a proxy everyone shares its address) runs
/// out of its own budget; a signed-in officer on the pages and an API caller are not refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_flood_does_not_lock_out_signed_in_users() {
    let Some(server) = Server::start(
        Backend::Sqlite,
        "rate-anonymous",
        &["--rate-limit", "2", "--rate-burst", "10"],
    ) else {
        return;
    };
    let desk_token = server.officer("mot_cua");
    let mut officer = Browser::new(&server.base);
    officer.sign_in(&desk_token).await;
    let mut refused = 0;
    for _ in 0..40 {
        let status = server
            .http
            .get(server.url("/"))
            .send()
            .await
            .expect("answer")
            .status();
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(
        refused > 20,
        "the flood is limited: {refused} of 40 refused"
    );
    let (status, _, _) = officer.get("/inbox").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the officer's session has its own budget"
    );
    let status = server
        .http
        .get(server.url("/api/v1/inbox"))
        .bearer_auth(&desk_token)
        .send()
        .await
        .expect("answer")
        .status();
    assert_eq!(status, StatusCode::OK, "so does a token");
}

/// Behind a trusted proxy each client has its own budget, named by the proxy; what a client
/// writes itself into X-Forwarded-For is not believed, and without `--trusted-proxy` the header
/// changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_trusted_proxy_are_limited_one_by_one() {
    let flood = |server: &Server, forwarded: &'static str| {
        let request = server
            .http
            .get(server.url("/"))
            .header("x-forwarded-for", forwarded);
        async move { request.send().await.expect("answer").status() }
    };
    let Some(server) = Server::start(
        Backend::Sqlite,
        "rate-proxy",
        &[
            "--rate-limit",
            "2",
            "--rate-burst",
            "10",
            "--trusted-proxy",
            "127.0.0.1/32",
        ],
    ) else {
        return;
    };
    let mut last = StatusCode::OK;
    for _ in 0..20 {
        last = flood(&server, "203.0.113.1").await;
    }
    assert_eq!(
        last,
        StatusCode::TOO_MANY_REQUESTS,
        "the flooder is limited"
    );
    assert_eq!(
        flood(&server, "203.0.113.2").await,
        StatusCode::OK,
        "a neighbour is not"
    );
    assert_eq!(
        flood(&server, "203.0.113.2, 203.0.113.1").await,
        StatusCode::TOO_MANY_REQUESTS,
        "a name written in front by the flooder is not believed"
    );
    drop(server);

    let Some(server) = Server::start(
        Backend::Sqlite,
        "rate-no-proxy",
        &["--rate-limit", "2", "--rate-burst", "10"],
    ) else {
        return;
    };
    for _ in 0..20 {
        last = flood(&server, "203.0.113.1").await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        flood(&server, "203.0.113.2").await,
        StatusCode::TOO_MANY_REQUESTS,
        "without a trusted proxy the header is the client's word and ignored"
    );
}
