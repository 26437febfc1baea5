//! The dossier page as an officer works from it, over real HTTP: what the applicant declared under
//! the form's labels, each paper a link that opens it under its own name, the step's main action
//! first, and an end (refusal, stop, withdrawal) taken only with a reason and a ticked box.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::Browser;
use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_reads_the_declared_data_opens_each_paper_and_confirms_an_end() {
    let Some(server) = Server::start(Backend::Sqlite, "dossier-page", &[]) else {
        return;
    };
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let form = reqwest::multipart::Form::new()
        .part(
            "submission",
            reqwest::multipart::Part::text(crate::birth_submission(CITIZEN).to_string())
                .mime_str("application/json")
                .expect("mime"),
        )
        .part(
            "to_khai",
            reqwest::multipart::Part::bytes(crate::api::PDF.to_vec())
                .file_name("Tờ khai \"của\" Bình.pdf"),
        );
    let response = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("Idempotency-Key", "dossier-page-1")
        .multipart(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    let dossier: serde_json::Value = response.json().await.expect("json");
    let code = dossier["code"].as_str().expect("code").to_owned();

    // The citizen's own page: withdrawing (rút hồ sơ) is there, outlined, asking for a reason and
    // a tick; without the tick nothing happens.
    let page_path = format!("/dossiers/{code}");
    let mut applicant = Browser::new(&server.base);
    applicant.sign_in(&citizen).await;
    let (status, mine, _) = applicant.get(&page_path).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let withdraw = mine.find("id=\"action-withdraw\"").expect("withdraw");
    let withdraw_form = &mine[withdraw
        ..mine[withdraw..]
            .find("</form>")
            .map_or(mine.len(), |end| withdraw + end)];
    assert!(
        withdraw_form.contains("class=\"ending\"")
            && withdraw_form.contains("id=\"confirm-withdraw\"")
            && withdraw_form.contains("name=\"reason\""),
        "{withdraw_form}"
    );
    let csrf = Browser::csrf_of(&mine);
    let (status, refused, _) = applicant
        .post(
            &format!("{page_path}/act"),
            &[
                ("csrf", &csrf),
                ("action", "withdraw"),
                ("reason", "Nộp nhầm"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.contains("đánh dấu ô xác nhận"), "{refused}");

    let mut officer = Browser::new(&server.base);
    officer.sign_in(&desk).await;
    let (status, page, _) = officer.get(&page_path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Form 01 is issued at receipt: no link to it before.
    assert!(!page.contains("/forms/01"), "{page}");
    // The declared data under the e-form's labels, dates as people write them.
    for expected in [
        "id=\"declared-fields\"",
        "<dt>Họ, chữ đệm và tên của trẻ</dt><dd>Nguyễn Minh An</dd>",
        "<dt>Ngày, tháng, năm sinh</dt><dd>20/11/2026</dd>",
        "<dt>Giới tính</dt><dd>Nam</dd>",
        "binh@example.vn",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    // Each paper by its component's name; a file opens, a data-store paper shows its reference.
    assert!(
        page.contains("Tờ khai đăng ký khai sinh (biểu mẫu điện tử tương tác):"),
        "{page}"
    );
    assert!(page.contains("Mã tham chiếu: kho/123"), "{page}");
    let href_start = page
        .find(&format!("href=\"/dossiers/{code}/documents/"))
        .expect("a link to the uploaded paper")
        + "href=\"".len();
    let href = &page[href_start..href_start + page[href_start..].find('"').expect("end")];
    let response = server
        .http
        .get(server.url(href))
        .header("cookie", officer.cookie_header())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        disposition,
        "attachment; filename=\"To-khai-cua-Binh.pdf\"; filename*=UTF-8''T%E1%BB%9D%20khai%20c%E1%BB%A7a%20B%C3%ACnh.pdf",
        "a PDF saved for the reader's own viewer, its Vietnamese name whole, no quote let through"
    );
    assert_eq!(
        response.bytes().await.expect("bytes").as_ref(),
        crate::api::PDF
    );
    // Nobody signed in opens nothing.
    let stranger = server
        .http
        .get(server.url(href))
        .send()
        .await
        .expect("sent");
    assert_eq!(stranger.url().path(), "/sign-in", "sent to sign in");
    assert!(
        !stranger
            .text()
            .await
            .expect("body")
            .contains("hoso test document")
    );

    // The main action first; the refusal after it, outlined, asking for a reason and a tick.
    let receive = page.find("id=\"action-receive\"").expect("receive");
    let refuse = page.find("id=\"action-refuse_intake\"").expect("refuse");
    assert!(receive < refuse, "the step's main action comes first");
    assert!(page[refuse..].contains("class=\"ending\""), "{page}");
    assert!(
        page[refuse..].contains("id=\"confirm-refuse_intake\""),
        "{page}"
    );
    let csrf = Browser::csrf_of(&page);
    let act = format!("{page_path}/act");
    let (status, refused, _) = officer
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "refuse_intake"),
                ("reason", "Không thuộc thẩm quyền"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.contains("id=\"notice-error\"") && refused.contains("đánh dấu ô xác nhận"),
        "{refused}"
    );
    let (status, _, _) = officer
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "refuse_intake"),
                ("confirm", "1"),
                ("reason", "   "),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a blank reason");
    let (_, still, _) = officer.get(&page_path).await;
    assert!(
        still.contains("id=\"action-receive\""),
        "nothing happened yet"
    );
    let (status, body, _) = officer
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "refuse_intake"),
                ("confirm", "1"),
                ("reason", "Không thuộc thẩm quyền"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, after, _) = officer.get(&page_path).await;
    assert!(after.contains("Không được tiếp nhận"), "{after}");
    // Who acted, by name, in the timeline an auditor reads: the desk officer, never an account
    // id.
    let mut auditor = Browser::new(&server.base);
    auditor.sign_in(&server.user("auditor", &[])).await;
    let (_, audited, _) = auditor.get(&page_path).await;
    let timeline = audited
        .split("id=\"timeline\"")
        .nth(1)
        .expect("the timeline")
        .to_owned();
    assert!(
        timeline.contains("Nguyễn Thị Lan") && !timeline.contains(">u-"),
        "{timeline}"
    );
}

/// The apply form's hidden key and CSRF value.
fn form_keys(page: &str) -> (String, String) {
    let key = crate::between(page, "name=\"submission_key\" value=\"", "\"")
        .expect("a submission key")
        .to_owned();
    (key, Browser::csrf_of(page))
}

/// Posts the PAKN apply form with `fields`; the status and the answer (the page, or where it led).
async fn apply_feedback(
    server: &Server,
    browser: &Browser,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    post_apply(server, browser, "PAKN.1", fields, &[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_applies_under_her_own_number_and_a_claim_for_others_is_answered_on_its_field() {
    let Some(server) = Server::start(Backend::Sqlite, "apply-own-number", &[]) else {
        return;
    };
    let mut browser = Browser::new(&server.base);
    browser.sign_in(&server.citizen(CITIZEN)).await;
    let (status, page, _) = browser.get("/procedures/PAKN.1/apply").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let id_input = crate::between(&page, "id=\"applicant:id_number\"", ">")
        .expect("the number's input")
        .to_owned();
    assert!(
        id_input.contains(&format!("value=\"{CITIZEN}\"")) && id_input.contains("readonly"),
        "her own number, fixed: {id_input}"
    );
    // Feedback choices by their names, not their codes.
    assert!(
        page.contains(">Phản ánh</option>") && !page.contains(">phan_anh<"),
        "{page}"
    );

    // A form sent with gaps: each message by its field and in a summary in the form's order,
    // each a link to its field; what was typed comes back.
    let (key, csrf) = form_keys(&page);
    let (status, _, errors) = apply_feedback(
        &server,
        &browser,
        &[
            ("csrf", &csrf),
            ("submission_key", &key),
            ("applicant:name", ""),
            ("form:loai", "kien_nghi"),
            ("form:quy_dinh", "Điều 5 đã nêu"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{errors}");
    let summary = crate::between(&errors, "id=\"errors\"", "</ul>")
        .expect("a summary")
        .to_owned();
    let order: Vec<usize> = ["#applicant:name", "#receiving_unit", "#form:noi_dung"]
        .iter()
        .map(|anchor| {
            summary
                .find(&format!("href=\"{anchor}\""))
                .unwrap_or_else(|| panic!("no link to {anchor} in {summary}"))
        })
        .collect();
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{summary}");
    assert!(
        errors.contains("value=\"Điều 5 đã nêu\""),
        "typed values kept: {errors}"
    );
    assert!(errors.contains("value=\"kien_nghi\" selected"), "{errors}");

    // A half-typed e-mail and a short phone number: both said in Vietnamese next to their
    // fields in the same round, and both in the summary.
    let (key, csrf) = form_keys(&page);
    let (status, _, contact) = apply_feedback(
        &server,
        &browser,
        &[
            ("csrf", &csrf),
            ("submission_key", &key),
            ("applicant:name", "Lê Thị Hoa"),
            ("applicant:email", "binh@"),
            ("applicant:phone", "12345"),
            ("receiving_unit", "000.00.17.H21"),
            ("form:loai", "phan_anh"),
            ("form:quy_dinh", "Quyết định 12/2025/QĐ-UBND, Điều 5"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{contact}");
    assert!(
        contact.contains("id=\"form:noi_dung-error\""),
        "the e-form's own gap in the same round: {contact}"
    );
    for (field, said) in [
        ("applicant:email", "ten@example.vn"),
        ("applicant:phone", "không phải số điện thoại Việt Nam"),
    ] {
        let next_to = crate::between(&contact, &format!("id=\"{field}-error\""), "</")
            .unwrap_or_else(|| panic!("no message next to {field}: {contact}"));
        assert!(next_to.contains(said), "{field}: {next_to}");
        assert!(
            contact.contains(&format!("href=\"#{field}\"")),
            "{field} in the summary"
        );
    }

    // An 11-digit number typed over the fixed one changes nothing: the session's is used.
    let (key, csrf) = form_keys(&page);
    let common = [
        ("csrf", csrf.as_str()),
        ("submission_key", key.as_str()),
        ("applicant:name", "Lê Thị Hoa"),
        ("applicant:email", "hoa@example.vn"),
        ("receiving_unit", "000.00.17.H21"),
        ("form:loai", "phan_anh"),
        ("form:quy_dinh", "Quyết định 12/2025/QĐ-UBND, Điều 5"),
        (
            "form:noi_dung",
            "Thủ tục yêu cầu nộp giấy tờ đã có trong cơ sở dữ liệu.",
        ),
    ];
    let mut forged = common.to_vec();
    forged.push(("applicant:id_number", "00109000000"));
    let (status, location, body) = apply_feedback(&server, &browser, &forged).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, dossier, _) = browser.get(&location.expect("to the dossier")).await;
    assert!(dossier.contains(CITIZEN), "{dossier}");

    // Claiming to be a foreigner with a passport, not as anyone's representative: refused on
    // the number's field, in Vietnamese, with what was typed kept.
    let (_, page, _) = browser.get("/procedures/PAKN.1/apply").await;
    let (key, csrf) = form_keys(&page);
    let mut foreigner = common.to_vec();
    foreigner[0] = ("csrf", csrf.as_str());
    foreigner[1] = ("submission_key", key.as_str());
    foreigner.push(("applicant:kind", "foreigner"));
    foreigner.push(("applicant:nationality", "US"));
    foreigner.push(("applicant:id_number", "B1234567"));
    let (status, _, body) = apply_feedback(&server, &browser, &foreigner).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.contains("id=\"applicant:id_number-error\"")
            && body.contains("Bạn chỉ có thể nộp hồ sơ đứng tên chính mình"),
        "{body}"
    );
    assert!(
        body.contains("Thủ tục yêu cầu nộp giấy tờ đã có trong cơ sở dữ liệu.")
            && body.contains("value=\"B1234567\""),
        "what was typed is kept: {body}"
    );
    assert!(!body.contains("could not be done"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_appointment_is_typed_as_people_write_dates_and_a_wrong_one_is_said_in_vietnamese() {
    let Some(server) = Server::start(Backend::Sqlite, "typed-appointment", &[]) else {
        return;
    };
    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&server.citizen(CITIZEN)).await;
    let (_, page, _) = citizen.get("/procedures/PAKN.1/apply").await;
    let (key, csrf) = form_keys(&page);
    let (status, location, body) = apply_feedback(
        &server,
        &citizen,
        &[
            ("csrf", &csrf),
            ("submission_key", &key),
            ("applicant:name", "Lê Thị Hoa"),
            ("receiving_unit", "000.00.17.H21"),
            ("form:loai", "kien_nghi"),
            ("form:quy_dinh", "Quyết định 12/2025/QĐ-UBND, Điều 5"),
            (
                "form:noi_dung",
                "Đề nghị bỏ yêu cầu nộp bản sao giấy khai sinh.",
            ),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let code = location
        .expect("to the dossier")
        .trim_start_matches("/dossiers/")
        .split('?')
        .next()
        .expect("code")
        .to_owned();
    let desk = server.officer("tiep_nhan_pakn");
    for action in ["receive", "chuyen_xu_ly"] {
        let (status, body) = crate::api::act(&server, &desk, &code, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let mut handler = Browser::new(&server.base);
    handler.sign_in(&server.officer("chuyen_vien_xu_ly")).await;
    let page_path = format!("/dossiers/{code}");
    let (_, page, _) = handler.get(&page_path).await;
    assert!(
        page.contains("id=\"new-appointment-extend_time_limit\"")
            && page.contains("ngày/tháng/năm giờ:phút"),
        "{page}"
    );
    assert!(
        !page.contains("datetime-local"),
        "no picker that shows another order"
    );
    let csrf = Browser::csrf_of(&page);
    let act = format!("{page_path}/act");
    let (status, refused, _) = handler
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "extend_time_limit"),
                ("reason", "Cần lấy ý kiến Sở Tư pháp"),
                ("new_appointment", "31/02/2027 10:00"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.contains("ví dụ 15/12/2026 16:30") && refused.contains("id=\"notice-error\""),
        "{refused}"
    );
    let (_, dossier) = crate::api::call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}"),
        Some(&desk),
        None,
    )
    .await;
    let appointment =
        chrono::DateTime::parse_from_rfc3339(dossier["appointment"].as_str().expect("appointment"))
            .expect("instant")
            .with_timezone(&hoso_engine::clock::vietnam());
    let later = (appointment + chrono::Duration::days(3))
        .format("%d/%m/%Y %H:%M")
        .to_string();
    let (status, body, _) = handler
        .post(
            &act,
            &[
                ("csrf", &csrf),
                ("action", "extend_time_limit"),
                ("reason", "Cần lấy ý kiến Sở Tư pháp"),
                ("new_appointment", &later),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page, _) = handler.get(&page_path).await;
    let shown = (appointment + chrono::Duration::days(3))
        .format("%H:%M %d/%m/%Y")
        .to_string();
    assert!(page.contains(&shown), "the new appointment {shown}: {page}");
}

/// Posts a procedure's apply form: text `fields` and `files` as (input, name, bytes); the status
/// and the answer (the page, or where it led).
async fn post_apply(
    server: &Server,
    browser: &Browser,
    procedure: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (StatusCode, Option<String>, String) {
    let mut form = fields
        .iter()
        .fold(reqwest::multipart::Form::new(), |form, (name, value)| {
            form.text((*name).to_owned(), (*value).to_owned())
        });
    for (input, name, bytes) in files {
        form = form.part(
            (*input).to_owned(),
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    let response = browser
        .http
        .post(server.url(&format!("/procedures/{procedure}/apply")))
        .header(reqwest::header::COOKIE, browser.cookie_header())
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, location, response.text().await.unwrap_or_default())
}

/// Borrowed form pairs.
fn borrowed(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

/// The value of the hidden input `name` on a page.
fn hidden(page: &str, name: &str) -> Option<String> {
    crate::between(page, &format!("name=\"{name}\" value=\""), "\"").map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_chosen_before_a_mistake_is_kept_submitted_once_corrected_and_useless_to_anyone_else()
 {
    let Some(server) = Server::start(Backend::Sqlite, "kept-files", &["--max-upload-mb", "4"])
    else {
        return;
    };
    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&server.citizen(CITIZEN)).await;
    let (_, page, _) = citizen.get("/procedures/1.001193/apply").await;
    assert!(
        page.contains("Tệp PDF, PNG hoặc JPEG, mỗi tệp tối đa 4 MB"),
        "the hint says the server's own limit: {page}"
    );
    let (key, csrf) = form_keys(&page);
    let complete = |key: &str, csrf: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf),
            ("submission_key", key),
            ("applicant:name", "Nguyễn Văn Bình"),
            ("receiving_unit", "000.00.17.H21"),
            ("form:ho_ten_tre", "Nguyễn Minh An"),
            ("form:ngay_sinh", "20/11/2026"),
            ("form:gioi_tinh", "Nam"),
            ("form:noi_sinh", "Bệnh viện Phụ sản Hà Nội"),
            ("form:so_dinh_danh_nguoi_yeu_cau", CITIZEN),
        ]
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
    };
    let pairs = |owned: &[(String, String)]| -> Vec<(String, String)> { owned.to_vec() };

    // The child's name is forgotten; the birth certificate's scan was chosen.
    let mut first = pairs(&complete(&key, &csrf));
    first.retain(|(name, _)| name != "form:ho_ten_tre");
    let (status, _, page) = post_apply(
        &server,
        &citizen,
        "1.001193",
        &borrowed(&first),
        &[(
            "doc:giay_chung_sinh",
            "Giấy chứng sinh.pdf",
            crate::api::PDF,
        )],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("id=\"doc:giay_chung_sinh-kept\"")
            && page.contains("<strong>Giấy chứng sinh.pdf</strong> (1 KB)")
            && page.contains("Tệp này sẽ được nộp"),
        "the file is shown as kept: {page}"
    );
    assert!(
        !page.contains("id=\"doc:giay_chung_sinh-error\""),
        "not asked for again: {page}"
    );
    let handle = hidden(&page, "held:giay_chung_sinh").expect("a handle for the kept file");

    // Someone else's session cannot use the handle: for them the file is simply not there.
    let mut stranger = Browser::new(&server.base);
    stranger.sign_in(&server.citizen("001090000042")).await;
    let (_, other_page, _) = stranger.get("/procedures/1.001193/apply").await;
    let (other_key, other_csrf) = form_keys(&other_page);
    let mut theirs = pairs(&complete(&other_key, &other_csrf));
    theirs.retain(|(name, _)| name != "form:so_dinh_danh_nguoi_yeu_cau");
    theirs.push((
        "form:so_dinh_danh_nguoi_yeu_cau".to_owned(),
        "001090000042".to_owned(),
    ));
    theirs.push(("held:giay_chung_sinh".to_owned(), handle.clone()));
    let (status, _, refused) =
        post_apply(&server, &stranger, "1.001193", &borrowed(&theirs), &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused.contains("id=\"doc:giay_chung_sinh-error\"")
            && !refused.contains("Giấy chứng sinh.pdf"),
        "{refused}"
    );

    // Corrected, without choosing the file again: the dossier carries the kept file.
    let (key, csrf) = form_keys(&page);
    let mut second = pairs(&complete(&key, &csrf));
    second.push(("held:giay_chung_sinh".to_owned(), handle.clone()));
    let (status, location, body) =
        post_apply(&server, &citizen, "1.001193", &borrowed(&second), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, dossier, _) = citizen.get(&location.expect("to the dossier")).await;
    assert!(
        dossier.contains("20/11/2026"),
        "the date typed as people write it, read back the same way: {dossier}"
    );
    let href = dossier
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("/documents/"))
        .expect("a link to the kept file")
        .replace("&amp;", "&");
    let (status, bytes, _) = citizen.get(&href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        bytes.as_bytes(),
        crate::api::PDF,
        "the very file chosen first"
    );

    // Used once: the handle is gone, and nothing is left held.
    let held = server.data_dir().join("documents").join("held");
    let left = std::fs::read_dir(&held).map_or(0, |entries| entries.count());
    assert_eq!(left, 0, "held files released after the submission");
}
