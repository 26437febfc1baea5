//! The lists people work from, over real HTTP: the inbox searched, filtered and read a page at a
//! time; one way of showing the appointment and where a dossier stands against it; procedure
//! names, not codes; the right words when nothing matches; a Vietnamese page for an unknown
//! address.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::Browser;
use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";

/// The table rows of a list page.
fn rows(page: &str) -> usize {
    page.matches("<tr class=").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_is_searched_filtered_and_paged_and_every_list_shows_time_one_way() {
    let Some(server) = Server::start(Backend::Sqlite, "lists", &[]) else {
        return;
    };
    let citizen_token = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let mut codes = Vec::new();
    for index in 0..23 {
        codes.push(
            crate::web::submit(
                &server,
                &citizen_token,
                &format!("lists-{index}"),
                &crate::birth_submission(CITIZEN),
            )
            .await,
        );
    }
    // Two received, one of them then withdrawn by the citizen: finished before its appointment.
    let mut appointment = None;
    for code in &codes[..2] {
        let (status, body) = crate::api::act(&server, &desk, code, "receive", json!({})).await;
        assert_eq!(status, 200, "{body}");
        appointment = appointment.or_else(|| body["appointment"].as_str().map(str::to_owned));
    }
    let (status, body) = crate::api::act(
        &server,
        &citizen_token,
        &codes[1],
        "withdraw",
        json!({ "reason": "Nộp nhầm" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let mut officer = Browser::new(&server.base);
    officer.sign_in(&desk).await;
    let (status, first, _) = officer.get("/inbox").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    // 22 waiting at the desk: twenty on the first page, the most urgent (the received one) first.
    assert_eq!(rows(&first), 20, "{first}");
    assert!(first.contains("Hiển thị hồ sơ 1–20 / 22"), "{first}");
    assert!(first.contains("rel=\"next\""), "{first}");
    let received = first
        .find(&codes[0])
        .expect("the received dossier is listed");
    assert!(
        codes[2..]
            .iter()
            .all(|code| first.find(code.as_str()).is_none_or(|at| at > received)),
        "the dossier with an appointment comes first"
    );
    // Names, not codes; the appointment and the step's deadline each by its name.
    assert!(first.contains("Đăng ký khai sinh"), "{first}");
    assert!(!first.contains(">1.001193<"), "{first}");
    // A birth is due the day it is received: in time, due soon or late by the hour of the run.
    assert!(
        ["Trong hạn", "Sắp đến hạn", "Quá hạn"]
            .iter()
            .any(|label| first.contains(&format!("\">{label}</span>")))
            && first.contains("Hạn xử lý của bước"),
        "{first}"
    );
    assert!(first.contains("Thời gian còn lại: "), "{first}");
    // The column named for the appointment shows the appointment (here the received dossier's,
    // as the API gives it), before the step's deadline.
    let received_row = first[received..]
        .split("</tr>")
        .next()
        .expect("the received dossier's row");
    let appointment = chrono::DateTime::parse_from_rfc3339(
        appointment
            .as_deref()
            .expect("the first receipt's appointment"),
    )
    .expect("an instant")
    .with_timezone(&hoso_engine::clock::vietnam())
    .format("%H:%M %d/%m/%Y")
    .to_string();
    let shown = received_row
        .find(&appointment)
        .unwrap_or_else(|| panic!("{appointment} in {received_row}"));
    assert!(
        received_row
            .find("Hạn xử lý của bước")
            .is_some_and(|step| step > shown),
        "{received_row}"
    );
    assert!(!first.contains("phút làm việc"), "{first}");
    let (_, second, _) = officer.get("/inbox?page=2").await;
    assert_eq!(rows(&second), 2, "{second}");
    assert!(second.contains("Hiển thị hồ sơ 21–22 / 22") && second.contains("rel=\"prev\""));

    // Search by code, filter by status ("2" = received) and by lateness.
    let (_, found, _) = officer.get(&format!("/inbox?q={}", &codes[5])).await;
    assert_eq!(rows(&found), 1, "{found}");
    let (_, by_status, _) = officer.get("/inbox?status=2").await;
    assert_eq!(rows(&by_status), 1, "{by_status}");
    assert!(by_status.contains(&codes[0]) && by_status.contains("selected"));
    let (_, late, _) = officer.get("/inbox?overdue=1").await;
    assert_eq!(rows(&late), 0, "{late}");
    assert!(late.contains("Không tìm thấy kết quả phù hợp."), "{late}");
    let (_, by_name, _) = officer.get("/inbox?q=dang+ky+khai+sinh&page=2").await;
    assert_eq!(
        rows(&by_name),
        2,
        "diacritics aside, the procedure's name finds them"
    );

    // The citizen's list: the withdrawn dossier finished by its appointment.
    let mut citizen = Browser::new(&server.base);
    citizen.sign_in(&citizen_token).await;
    let (_, withdrawn, _) = citizen.get("/my?status=7").await;
    assert_eq!(rows(&withdrawn), 1, "{withdrawn}");
    // Early if received after hours (due the next working day), else on time that afternoon.
    let finished = |page: &str| {
        (page.contains(">Trước hạn</span>") || page.contains(">Đúng hạn</span>"))
            && !page.contains(">Quá hạn</span>")
    };
    assert!(finished(&withdrawn), "{withdrawn}");
    assert!(
        !withdrawn.contains("Hạn xử lý của bước"),
        "officers' detail only"
    );
    let (_, waiting, _) = citizen.get(&format!("/my?q={}", &codes[3])).await;
    assert_eq!(rows(&waiting), 1, "{waiting}");
    assert!(
        !waiting.contains("Trong hạn"),
        "a dossier not yet received has no appointment to be in time for: {waiting}"
    );

    // The auditor's search: a procedure's name finds dossiers; nothing found says so.
    let mut auditor = Browser::new(&server.base);
    auditor.sign_in(&server.user("auditor", &[])).await;
    let (_, audit, _) = auditor.get("/audit?q=khai+sinh").await;
    assert_eq!(rows(&audit), 20, "{audit}");
    let (_, none, _) = auditor.get("/audit?q=khong-co-ho-so-nay").await;
    assert!(
        none.contains("Không tìm thấy kết quả phù hợp.") && !none.contains("chờ xử lý"),
        "{none}"
    );

    // The dossier page: the appointment, where it stands, and the time left in days and hours.
    let (_, page, _) = officer.get(&format!("/dossiers/{}", &codes[0])).await;
    assert!(page.contains("id=\"standing\""), "{page}");
    assert!(page.contains("id=\"step-due\""), "{page}");
    let (_, page, _) = citizen.get(&format!("/dossiers/{}", &codes[1])).await;
    assert!(
        finished(&page) && !page.contains("id=\"remaining\""),
        "{page}"
    );

    // Each list refuses the wrong role in Vietnamese.
    let (status, page, _) = officer.get("/my").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("dành cho công dân") && page.contains("Không có quyền truy cập"),
        "{page}"
    );
    let (status, page, _) = citizen.get("/inbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("chỉ dành cho cán bộ"), "{page}");
    let (status, page, _) = citizen.get("/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("thanh tra, kiểm tra"), "{page}");

    // An unknown address: a browser gets a Vietnamese page; the API's clients its answer.
    let response = server
        .http
        .get(server.url("/khong-co-trang-nay"))
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let headers = response.headers().clone();
    let missing = response.text().await.expect("body");
    assert!(
        headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/html")),
        "{headers:?}"
    );
    assert!(missing.contains("Không tìm thấy trang này"), "{missing}");
    assert!(!missing.contains("could not be done"), "{missing}");
    // The page does not know who is signed in, so it offers no "sign in" to someone who is.
    assert!(!missing.contains("Đăng nhập"), "{missing}");
    // A visitor who chose English gets it in English, the missing address and a refused page alike.
    let english = server
        .http
        .get(server.url("/khong-co-trang-nay"))
        .header("Accept", "text/html")
        .header("Cookie", "hoso_lang=en")
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("body");
    assert!(
        english.contains("<html lang=\"en\">")
            && english.contains("<h1>Not found</h1>")
            && english.contains("There is no page at this address"),
        "{english}"
    );
    citizen.get("/lang/en?next=/").await;
    let (status, page, _) = citizen.get("/inbox").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("<h1>Not allowed</h1>"),
        "{page}"
    );
    let (status, problem) = crate::api::call(&server, "GET", "/api/v1/khong-co", None, None).await;
    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["status"], 404, "{problem}");
}
