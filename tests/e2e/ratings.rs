//! `POST /api/v1/dossiers/{code}/rating` and `GET /api/v1/reports/indicators` on a running server.

use reqwest::StatusCode;

use crate::hoso;
use crate::server::{Backend, Server};

const RETURNED: &str = "000.00.17.H21-260302-0001";
const APPLICANT: &str = "001090000001";
const REFUSED_AT_INTAKE: &str = "000.00.17.H21-260302-0003";

async fn rate(
    server: &Server,
    token: &str,
    code: &str,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/rating")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("response");
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

async fn report(server: &Server, token: &str, query: &str) -> (StatusCode, String) {
    report_path(server, token, &format!("indicators?{query}")).await
}

#[tokio::test]
async fn the_applicant_rates_a_returned_dossier_once_and_reports_count_it() {
    let Some(server) = demo_server("ratings") else {
        return;
    };
    let applicant = server.citizen(APPLICANT);
    let stranger = server.citizen("001090009999");
    let officer = server.officer("mot_cua");
    let auditor = server.user("auditor", &[]);
    let satisfied = serde_json::json!({ "satisfaction": "dissatisfied" });

    // Denials first: another citizen does not learn the dossier exists; staff cannot rate.
    assert_eq!(
        rate(&server, &stranger, RETURNED, satisfied.clone())
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        rate(&server, &officer, RETURNED, satisfied.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        rate(&server, "not-a-token", RETURNED, satisfied.clone())
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, problem) = rate(
        &server,
        &applicant,
        RETURNED,
        serde_json::json!({ "satisfaction": "meh" }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["pointer"], "/satisfaction",
        "{problem}"
    );

    let (status, body) = rate(&server, &applicant, RETURNED, satisfied.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, problem) = rate(&server, &applicant, RETURNED, satisfied.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("đã được đánh giá"),
        "{problem}"
    );

    // The rating is not on the dossier's timeline.
    let timeline = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{RETURNED}/timeline")))
        .bearer_auth(&auditor)
        .send()
        .await
        .expect("timeline")
        .text()
        .await
        .unwrap_or_default();
    assert!(!timeline.contains("dissatisfied"), "{timeline}");

    // The auditor's report counts it in 5.4: 3 judged on time, 1 of 4 received dissatisfied.
    let (status, body) = report(&server, &auditor, "from=2026-03-01&to=2026-03-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let satisfaction = json["indicators"]
        .as_array()
        .and_then(|all| all.iter().find(|indicator| indicator["id"] == "5.4"))
        .cloned();
    assert_eq!(
        satisfaction.map(|indicator| indicator["value"].clone()),
        Some(serde_json::json!(75.0)),
        "{json:#}"
    );
    let (status, csv) = report(
        &server,
        &auditor,
        "from=2026-03-01&to=2026-03-31&format=csv",
    )
    .await;
    assert_eq!((status, csv.lines().count()), (StatusCode::OK, 15));

    // The officer reads their own unit only; citizens read no reports.
    assert_eq!(
        report(&server, &officer, "from=2026-03-01&to=2026-03-31")
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        report(
            &server,
            &officer,
            "unit=000.00.01.H21&from=2026-03-01&to=2026-03-31"
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        report(&server, &applicant, "from=2026-03-01&to=2026-03-31")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, problem) = report(&server, &auditor, "from=2026-03-32&to=2026-03-31").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.contains("/from"), "{problem}");
    assert_eq!(
        report(
            &server,
            &auditor,
            "from=2026-03-01&to=2026-03-31&format=pdf"
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_dossier_not_returned_cannot_be_rated() {
    let Some(server) = demo_server("ratings-not-returned") else {
        return;
    };
    let output = hoso(&[
        "case",
        "show",
        REFUSED_AT_INTAKE,
        "--db",
        &server.database.url,
    ]);
    let shown = crate::stdout(&output);
    let applicant = shown
        .split(|character: char| !character.is_ascii_digit())
        .find(|word| word.len() == 12)
        .expect("the applicant's citizen id is shown")
        .to_owned();
    let token = server.citizen(&applicant);
    let (status, problem) = rate(
        &server,
        &token,
        REFUSED_AT_INTAKE,
        serde_json::json!({ "satisfaction": "satisfied" }),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("được đánh giá sau khi trả kết quả"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_process_control_slip_is_served_to_those_who_may_read_the_dossier() {
    let Some(server) = demo_server("forms") else {
        return;
    };
    let auditor = server.user("auditor", &[]);
    let stranger = server.citizen("001090009999");
    let get = |token: String, path: String| {
        let request = server.http.get(server.url(&path)).bearer_auth(token);
        async move {
            let response = request.send().await.expect("response");
            (response.status(), response.text().await.unwrap_or_default())
        }
    };
    let (status, body) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/forms/06"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let slip: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(slip["form"], "06");
    assert!(
        slip["rows"].as_array().is_some_and(|rows| rows.len() >= 3),
        "{slip:#}"
    );
    assert!(
        slip["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|row| row["result"] != "late"),
        "{slip:#}"
    );
    let (status, html) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/forms/06?format=html"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"));
    assert_eq!(
        get(stranger, format!("/api/v1/dossiers/{RETURNED}/forms/06"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, receipt) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/forms/01?format=html"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert!(
        receipt.contains("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") && receipt.contains("size: A5"),
        "{receipt}"
    );
    let (status, problem) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/forms/03"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        problem.contains("không có mẫu 03: hồ sơ không bị từ chối"),
        "an auditor reads why in Vietnamese: {problem}"
    );
    let (status, refusal) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{REFUSED_AT_INTAKE}/forms/03"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refusal}");
    let refusal: serde_json::Value = serde_json::from_str(&refusal).expect("JSON");
    assert_eq!(refusal["title"], "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    assert!(
        refusal["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|field| field["key"] == "reason" && field["value"] != ""),
        "{refusal:#}"
    );
    let (status, problem) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/forms/09"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        problem.contains("Không có mẫu 09. Các mẫu có: 01 (phiếu tiếp nhận)"),
        "{problem}"
    );
    assert_eq!(
        get(
            auditor.clone(),
            format!("/api/v1/dossiers/{RETURNED}/forms/06?format=pdf")
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let response = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{RETURNED}/timeline.svg")))
        .bearer_auth(&auditor)
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("image/svg+xml")
    );
    // Pictures and printable forms served by the API are no place for script.
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(
        header("content-security-policy").starts_with("default-src 'none'"),
        "{}",
        header("content-security-policy")
    );
    // The top-to-bottom picture for a narrow screen; an unknown layout is named.
    let (status, narrow) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/timeline.svg?layout=vertical"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(narrow.contains("stay-block"), "{narrow}");
    let (status, problem) = get(
        auditor.clone(),
        format!("/api/v1/dossiers/{RETURNED}/timeline.svg?layout=diagonal"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(problem.contains("`lanes`, `vertical`"), "{problem}");
    let printable = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{RETURNED}/forms/01?format=html")))
        .bearer_auth(&auditor)
        .send()
        .await
        .expect("response");
    assert_eq!(printable.headers()["x-content-type-options"], "nosniff");
    assert!(
        printable
            .headers()
            .get("content-security-policy")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|policy| policy.starts_with("default-src 'none'")),
        "{:?}",
        printable.headers()
    );
    assert!(
        response
            .text()
            .await
            .unwrap_or_default()
            .contains("class=\"stay\"")
    );
    let svg = hoso(&["case", "svg", RETURNED, "--db", &server.database.url]);
    assert!(
        crate::stdout(&svg).starts_with("<svg"),
        "{}",
        crate::stderr(&svg)
    );
    let cli = hoso(&[
        "case",
        "form",
        RETURNED,
        "06",
        "--format",
        "html",
        "--db",
        &server.database.url,
    ]);
    assert!(cli.status.success(), "{}", crate::stderr(&cli));
    assert!(crate::stdout(&cli).contains("Mã hồ sơ: 000.00.17.H21-260302-0001"));
    let missing = hoso(&["case", "form", RETURNED, "03", "--db", &server.database.url]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        crate::stderr(&missing).contains("has no form 03: it was not refused"),
        "{}",
        crate::stderr(&missing)
    );
}

#[tokio::test]
async fn the_register_lists_a_units_received_dossiers_for_those_allowed() {
    let Some(server) = demo_server("register") else {
        return;
    };
    let auditor = server.user("auditor", &[]);
    let officer = server.officer("mot_cua");
    let citizen = server.citizen(APPLICANT);
    let (status, body) = report_path(
        &server,
        &auditor,
        "register?unit=000.00.17.H21&from=2026-03-01&to=2026-03-31",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let register: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    // The demo's unit received three dossiers in March (the liên thông one among them); the
    // fourth was refused at intake.
    let rows: Vec<(u64, String)> = register["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            (
                row["number"].as_u64().unwrap_or_default(),
                row["dossier"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows.iter().map(|(number, _)| *number).collect::<Vec<_>>(),
        [1, 2, 3],
        "{register:#}"
    );
    assert!(rows.iter().all(|(_, code)| code != REFUSED_AT_INTAKE));
    let (status, html) = report_path(
        &server,
        &officer,
        "register?from=2026-03-01&to=2026-03-31&format=html",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("SỔ THEO DÕI HỒ SƠ") && html.contains("A4 landscape"));
    assert_eq!(
        report_path(
            &server,
            &officer,
            "register?unit=000.00.01.H21&from=2026-03-01&to=2026-03-31"
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        report_path(
            &server,
            &citizen,
            "register?unit=000.00.17.H21&from=2026-03-01&to=2026-03-31"
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, problem) =
        report_path(&server, &auditor, "register?from=2026-03-01&to=2026-03-31").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.contains("/unit"), "{problem}");
    let cli = hoso(&[
        "report",
        "register",
        "--unit",
        "000.00.17.H21",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-31",
        "--format",
        "html",
        "--db",
        &server.database.url,
    ]);
    assert!(
        crate::stdout(&cli).contains("SỔ THEO DÕI HỒ SƠ"),
        "{}",
        crate::stderr(&cli)
    );
}

async fn report_path(server: &Server, token: &str, path_and_query: &str) -> (StatusCode, String) {
    let response = server
        .http
        .get(server.url(&format!("/api/v1/reports/{path_and_query}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("response");
    (response.status(), response.text().await.unwrap_or_default())
}

/// A server whose database holds the demo's dossiers.
fn demo_server(name: &str) -> Option<Server> {
    let server = Server::start(Backend::Sqlite, name, &[])?;
    let demo = hoso(&["demo", "--db", &server.database.url]);
    assert!(demo.status.success(), "{}", crate::stderr(&demo));
    Some(server)
}
