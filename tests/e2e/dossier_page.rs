//! The dossier page as an officer works from it, over real HTTP: what the applicant declared under
//! the form's labels, each paper a link that opens it under its own name, the step's main action
//! first, and an end (refusal, stop, withdrawal) taken only with a reason and a ticked box.

use reqwest::StatusCode;

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

    let mut officer = Browser::new(&server.base);
    officer.sign_in(&desk).await;
    let page_path = format!("/dossiers/{code}");
    let (status, page, _) = officer.get(&page_path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
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
        "inline; filename=\"To-khai-cua-Binh.pdf\"; filename*=UTF-8''T%E1%BB%9D%20khai%20c%E1%BB%A7a%20B%C3%ACnh.pdf",
        "shown in the browser, its Vietnamese name whole, no quote let through"
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
}
