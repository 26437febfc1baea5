//! Real units: the directory from `hoso unit`, the "3 in 1" liên thông procedure 1.003412 walked
//! by officers of three unit codes, inboxes per unit, consultations, a supplement per agency, a
//! unit retired mid-flight — on SQLite and PostgreSQL.

use serde_json::{Value, json};

use crate::api::{act, call, submit_multipart};
use crate::server::{Backend, Server};
use crate::{eventually_async, hoso, stderr, stdout};

const CITIZEN: &str = "001090000007";
const COMMUNE: &str = "000.00.17.H21";
const POLICE: &str = "000.00.18.H21";
const INSURANCE: &str = "000.00.19.H21";
const PROVINCE_POLICE: &str = "000.00.01.H21";
const NEW_POLICE: &str = "000.00.20.H21";

fn unit_command(server: &Server, args: &[&str]) -> std::process::Output {
    let mut all = vec!["unit"];
    all.extend(args);
    all.extend(["--db", &server.database.url]);
    hoso(&all)
}

fn three_in_one() -> Value {
    json!({
        "procedure": "1.003412",
        "channel": "online",
        "receiving_unit": COMMUNE,
        "applicant": { "citizen_id": CITIZEN, "name": "Hoàng Văn Em", "email": "em@example.vn" },
        "form": {
            "ho_ten_tre": "Hoàng Minh Khang", "ngay_sinh": "2026-11-25", "gioi_tinh": "Nam",
            "dia_chi_thuong_tru": "Thôn Đông, xã Tân Lập", "noi_kham_chua_benh": "Trạm y tế xã Tân Lập"
        },
        "documents": [
            { "component": "giay_chung_sinh", "name": "Giấy chứng sinh", "provenance": "data_store", "reference": "kho/2" }
        ]
    })
}

async fn inbox_codes(server: &Server, token: &str) -> Vec<(String, bool)> {
    let (status, inbox) = call(server, "GET", "/api/v1/inbox", Some(token), None).await;
    assert_eq!(status, 200, "{inbox}");
    inbox
        .as_array()
        .expect("inbox rows")
        .iter()
        .map(|row| {
            (
                row["code"].as_str().unwrap_or_default().to_owned(),
                row["consultation"].as_bool().unwrap_or_default(),
            )
        })
        .collect()
}

fn supplement(document: &str) -> Value {
    json!({ "missing": [{ "document": document, "note": "Bản chụp không rõ" }], "reason": "Cần bản rõ nét" })
}

fn resubmitted(document: &str) -> Value {
    json!({ "documents": [{ "component": document, "name": "Bản bổ sung", "provenance": "data_store", "reference": "kho/9" }] })
}

async fn walk_across_three_units(backend: Backend) {
    let Some(server) = Server::start(backend, "units", &["--directory-check-interval", "1"]) else {
        return;
    };
    // Before the directory has units, any code is accepted (the single-unit mode).
    let import = unit_command(&server, &["import", "fixtures/units.toml"]);
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(
        stdout(&import).contains("5 units and 2 routes imported"),
        "{}",
        stdout(&import)
    );
    // The running server picks the change up by itself.
    let (_, units) = eventually_async(
        || call(&server, "GET", "/api/v1/units", None, None),
        |(_, body)| {
            body["units"]
                .as_array()
                .is_some_and(|units| units.len() == 5)
        },
    )
    .await;
    assert_eq!(units["routes"].as_array().map(Vec::len), Some(2), "{units}");

    // Bad input, each a clear error.
    let unknown = server_user_fails(&server, "cong_an_cu_tru", "000.00.99.H21");
    assert!(unknown.contains("not in the unit directory"), "{unknown}");
    let malformed = unit_command(&server, &["add", "--code", "17.H21", "--name", "X"]);
    assert!(!malformed.status.success());
    assert!(
        stderr(&malformed).contains("national format"),
        "{}",
        stderr(&malformed)
    );
    let unrouted = unit_command(
        &server,
        &[
            "route",
            "--receiving",
            COMMUNE,
            "--kind",
            "cong_an_xa",
            "--unit",
            "000.00.99.H21",
        ],
    );
    assert!(
        stderr(&unrouted).contains("000.00.99.H21 is not in the directory"),
        "{}",
        stderr(&unrouted)
    );
    let circle = unit_command(
        &server,
        &[
            "add",
            "--code",
            "000.00.00.H21",
            "--name",
            "UBND tỉnh",
            "--parent",
            COMMUNE,
        ],
    );
    assert!(
        stderr(&circle).contains("lead back to itself"),
        "{}",
        stderr(&circle)
    );

    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let civil = server.officer("tu_phap");
    let chair = server.officer("chu_tich");
    let police = server.user("cong_an_cu_tru", &["--unit", POLICE]);
    let insurance = server.user("bhxh", &["--unit", INSURANCE]);
    let stranger = server.user("cong_an_cu_tru", &["--unit", PROVINCE_POLICE]);

    let (status, dossier) =
        submit_multipart(&server, &citizen, "units-1", &three_in_one(), &[]).await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    let path = format!("/api/v1/dossiers/{code}");
    assert_eq!(inbox_codes(&server, &desk).await, [(code.clone(), false)]);
    let (status, body) = act(&server, &desk, &code, "receive", json!({})).await;
    assert_eq!(status, 200, "{body}");
    for (token, action) in [
        (&desk, "chuyen_khai_sinh"),
        (&civil, "trinh_ky"),
        (&chair, "ky_chuyen_cong_an"),
    ] {
        let (status, body) = act(&server, token, &code, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    // At the police: in their inbox, no longer in the commune's, unknown to the province police.
    let (_, seen) = call(&server, "GET", &path, Some(&police), None).await;
    assert_eq!(seen["unit"], POLICE, "{seen}");
    assert_eq!(inbox_codes(&server, &police).await, [(code.clone(), false)]);
    assert!(inbox_codes(&server, &desk).await.is_empty());
    assert!(inbox_codes(&server, &insurance).await.is_empty());
    let (status, _) = call(&server, "GET", &path, Some(&stranger), None).await;
    assert_eq!(
        status, 404,
        "an uninvolved unit does not learn the dossier exists"
    );
    let (status, _) = call(&server, "GET", &path, Some(&insurance), None).await;
    assert_eq!(status, 404, "social insurance has not had it yet");
    let (status, refused) = act(&server, &desk, &code, "chuyen_bhxh", json!({})).await;
    assert_eq!(status, 403, "{refused}");

    // The police consult the commune, which answers from its inbox.
    let (status, body) = act(
        &server,
        &police,
        &code,
        "consult",
        json!({ "unit": COMMUNE, "question": "Chủ hộ đã đồng ý?" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let consulted = inbox_codes(&server, &desk).await;
    assert_eq!(consulted, [(code.clone(), true)]);
    // The desk's inbox page says what is asked of it; the directory page is public.
    let mut browser = crate::browser::Browser::new(&server.base);
    browser.sign_in(&desk).await;
    let (status, page, _) = browser.get("/inbox").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&code) && page.contains("Chờ đơn vị cho ý kiến"),
        "{page}"
    );
    let (status, page, _) = crate::browser::Browser::new(&server.base)
        .get("/units")
        .await;
    assert_eq!(status, 200);
    for expected in [
        "Danh mục cơ quan, đơn vị",
        "Công an xã Tân Lập (000.00.18.H21)",
        "Đăng ký, quản lý cư trú — Công an cấp xã",
    ] {
        assert!(page.contains(expected), "missing {expected:?}: {page}");
    }
    let (status, body) = act(
        &server,
        &desk,
        &code,
        "answer_consultation",
        json!({ "consultation": 0, "answer": "Đã đồng ý" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(inbox_codes(&server, &desk).await.is_empty());

    // The police ask for a supplement of their own.
    let (status, body) = act(
        &server,
        &police,
        &code,
        "request_supplement",
        supplement("dong_y_cho_o"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = act(
        &server,
        &citizen,
        &code,
        "submit_supplement",
        resubmitted("dong_y_cho_o"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, again) = act(
        &server,
        &police,
        &code,
        "request_supplement",
        supplement("dong_y_cho_o"),
    )
    .await;
    assert_eq!(status, 409, "one request per agency: {again}");

    // The police unit is merged into a new one from today: its open dossier follows.
    let added = unit_command(
        &server,
        &[
            "add",
            "--code",
            NEW_POLICE,
            "--name",
            "Công an xã Tân Lập (mới)",
            "--level",
            "commune",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .date_naive()
        .to_string();
    let retired = unit_command(
        &server,
        &[
            "retire",
            "--code",
            POLICE,
            "--successor",
            NEW_POLICE,
            "--from",
            &today,
        ],
    );
    assert!(retired.status.success(), "{}", stderr(&retired));
    let to_retired = unit_command(
        &server,
        &[
            "route",
            "--receiving",
            COMMUNE,
            "--kind",
            "cong_an_xa",
            "--unit",
            POLICE,
        ],
    );
    assert!(
        stderr(&to_retired).contains(&format!("use its successor {NEW_POLICE}")),
        "{}",
        stderr(&to_retired)
    );
    let retired_officer = server_user_fails(&server, "cong_an_cu_tru", POLICE);
    assert!(retired_officer.contains("is retired"), "{retired_officer}");
    let successor = server.user("cong_an_cu_tru", &["--unit", NEW_POLICE]);
    let waiting =
        eventually_async(|| inbox_codes(&server, &successor), |rows| !rows.is_empty()).await;
    assert_eq!(waiting, [(code.clone(), false)]);
    let (status, body) = act(&server, &successor, &code, "chuyen_bhxh", json!({})).await;
    assert_eq!(status, 200, "{body}");

    // Social insurance asks for its own supplement, then hands back to the commune's desk.
    assert_eq!(
        inbox_codes(&server, &insurance).await,
        [(code.clone(), false)]
    );
    let (status, body) = act(
        &server,
        &insurance,
        &code,
        "request_supplement",
        supplement("giay_chung_sinh"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = act(
        &server,
        &citizen,
        &code,
        "submit_supplement",
        resubmitted("giay_chung_sinh"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = act(&server, &insurance, &code, "cap_the", json!({})).await;
    assert_eq!(status, 200, "{body}");
    // Each agency's request has its own Form 02.
    for (form, missing) in [
        (
            "02-1",
            "Ý kiến đồng ý của chủ hộ, chủ sở hữu chỗ ở hợp pháp (trừ khi đã có trong cơ sở dữ liệu)",
        ),
        ("02-2", "Giấy chứng sinh (bản điện tử hoặc bản chụp)"),
    ] {
        let (status, filled) = call(
            &server,
            "GET",
            &format!("/api/v1/dossiers/{code}/forms/{form}"),
            Some(&desk),
            None,
        )
        .await;
        assert_eq!(status, 200, "{filled}");
        assert_eq!(filled["form"], "02");
        assert_eq!(filled["table"]["rows"][0][1], missing, "{filled}");
    }
    let (status, page, _) = browser.get(&format!("/dossiers/{code}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("/dossiers/{code}/forms/02-2")),
        "a link per request: {page}"
    );
    assert_eq!(inbox_codes(&server, &desk).await, [(code.clone(), false)]);

    // Each unit's register and indicators count its own stays.
    let auditor = server.user("auditor", &[]);
    let month = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("offset"))
        .date_naive();
    let (from, to) = (month.format("%Y-%m-01"), month.format("%Y-%m-%d"));
    for unit in [COMMUNE, POLICE, INSURANCE] {
        let (status, register) = call(
            &server,
            "GET",
            &format!("/api/v1/reports/register?unit={unit}&from={from}&to={to}"),
            Some(&auditor),
            None,
        )
        .await;
        assert_eq!(status, 200, "{register}");
        assert_eq!(register["rows"][0]["dossier"], code, "{unit}: {register}");
        let (status, report) = call(
            &server,
            "GET",
            &format!("/api/v1/reports/indicators?unit={unit}&from={from}&to={to}"),
            Some(&auditor),
            None,
        )
        .await;
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["received"], 1, "{unit}: {report}");
    }
    let (_, register) = call(
        &server,
        "GET",
        &format!("/api/v1/reports/register?unit={PROVINCE_POLICE}&from={from}&to={to}"),
        Some(&auditor),
        None,
    )
    .await;
    assert_eq!(register["rows"], json!([]), "{register}");

    // Form 06 names every unit with its code and every handover by the officer's name; the
    // timeline reads in names.
    let (status, slip) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}/forms/06"),
        Some(&desk),
        None,
    )
    .await;
    assert_eq!(status, 200, "{slip}");
    let rows: Vec<(String, String, String)> = slip["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| {
            (
                row["unit"].as_str().unwrap_or_default().to_owned(),
                row["unit_name"].as_str().unwrap_or_default().to_owned(),
                row["given_by"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let units: Vec<&str> = rows.iter().map(|(unit, _, _)| unit.as_str()).collect();
    assert_eq!(
        units,
        [COMMUNE, COMMUNE, COMMUNE, POLICE, INSURANCE, COMMUNE],
        "{slip}"
    );
    assert_eq!(rows[3].1, "Công an xã Tân Lập");
    assert_eq!(rows[4].1, "Bảo hiểm xã hội cơ sở Tân Lập");
    assert_eq!(
        rows[3].2, "Lê Văn Hùng",
        "the user's name, as `hoso user add --name` gave it"
    );
    assert!(
        rows.iter()
            .all(|(_, _, given_by)| !given_by.starts_with("u-")),
        "no internal ids: {slip}"
    );
    let (_, timeline) = call(
        &server,
        "GET",
        &format!("/api/v1/dossiers/{code}/timeline"),
        Some(&desk),
        None,
    )
    .await;
    let descriptions: Vec<&str> = timeline
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|event| event["description"].as_str())
        .collect();
    assert!(
        descriptions.contains(
            &"Chuyển đăng ký khai sinh → bước Đăng ký khai sinh, cấp số định danh cá nhân"
        ),
        "{descriptions:?}"
    );
    assert!(
        descriptions
            .iter()
            .any(|line| line.starts_with("Lấy ý kiến UBND xã Tân Lập (000.00.17.H21)")),
        "{descriptions:?}"
    );
}

/// `hoso user add` for an officer that must fail; its error text.
fn server_user_fails(server: &Server, role: &str, unit: &str) -> String {
    let output = hoso(&[
        "user",
        "add",
        "--role",
        role,
        "--name",
        role,
        "--unit",
        unit,
        "--db",
        &server.database.url,
    ]);
    assert!(!output.status.success(), "{}", stdout(&output));
    stderr(&output)
}

#[tokio::test]
async fn a_lien_thong_dossier_walks_three_units_on_sqlite() {
    walk_across_three_units(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_lien_thong_dossier_walks_three_units_on_postgres() {
    walk_across_three_units(Backend::Postgres).await;
}

/// Receiving is refused while an outside agency's kind has no route, naming it; the directory is
/// public to read and closed to write for all but administrators.
#[tokio::test]
async fn missing_routes_and_directory_writes_are_refused_clearly() {
    let Some(server) = Server::start(Backend::Sqlite, "units-denials", &[]) else {
        return;
    };
    let admin = server.user("admin", &[]);
    let designer = server.user("designer", &[]);
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/units",
        Some(&admin),
        Some(json!({ "code": COMMUNE, "name": "UBND xã Tân Lập", "level": "commune" })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    for (token, expected) in [(Some(&designer), 403), (None, 401)] {
        let (status, body) = call(
            &server,
            "POST",
            "/api/v1/units",
            token.map(String::as_str),
            Some(json!({ "code": POLICE, "name": "Công an xã" })),
        )
        .await;
        assert_eq!(status, expected, "{body}");
    }
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/units",
        Some(&admin),
        Some(json!({ "code": "000.00.17", "name": "X" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/code", "{body}");
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/units",
        Some(&admin),
        Some(json!({ "code": POLICE, "name": "Công an xã", "level": "xa" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/level", "{body}");
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/units/routes",
        Some(&designer),
        Some(json!({ "receiving": COMMUNE, "kind": "cong_an_xa", "unit": COMMUNE })),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = call(
        &server,
        "POST",
        &format!("/api/v1/units/{COMMUNE}/retire"),
        Some(&admin),
        Some(json!({ "successor": "000.00.99.H21", "from": "2027-01-01" })),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/successor", "{body}");

    // Only the commune is known: the police and social insurance kinds have no route.
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let (status, dossier) =
        submit_multipart(&server, &citizen, "units-1", &three_in_one(), &[]).await;
    assert_eq!(status, 201, "{dossier}");
    let code = dossier["code"].as_str().expect("code").to_owned();
    let (status, refused) = act(&server, &desk, &code, "receive", json!({})).await;
    assert_eq!(status, 409, "{refused}");
    let detail = refused["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("`cong_an_xa`") && detail.contains("`bao_hiem_xa_hoi`"),
        "{detail}"
    );
    let mut elsewhere = three_in_one();
    elsewhere["receiving_unit"] = json!("000.00.99.H21");
    let (status, body) = submit_multipart(&server, &citizen, "units-2", &elsewhere, &[]).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["pointer"], "/receiving_unit", "{body}");
}
