//! Paying fees online through VNPAY: only a genuine IPN marks a fee paid, once.

use std::collections::BTreeMap;

use hoso_adapters::payment::vnpay::{hmac_sha512, signing_string};
use serde_json::{Value, json};

use crate::server::{Backend, Server};

pub(crate) const SECRET: &str = "test-vnpay-secret";
const CITIZEN: &str = "001090000001";

fn vnpay_flags(api_url: &str) -> Vec<String> {
    [
        "--vnpay-tmn-code",
        "HOSOTEST",
        "--vnpay-hash-secret",
        SECRET,
        "--vnpay-api-url",
        api_url,
    ]
    .iter()
    .map(|value| (*value).to_owned())
    .collect()
}

/// A dossier owing 16.000 đ, waiting for payment; returns (server, citizen token, code).
/// Two copies of a birth extract, 16.000 đ, asked online by the test citizen.
pub(crate) fn extract_copies() -> Value {
    json!({
        "procedure": "2.000635", "channel": "online", "receiving_unit": "000.00.17.H21",
        "applicant": { "citizen_id": CITIZEN, "name": "Trần Thị Cúc" },
        "form": { "loai_su_kien": "khai_sinh", "so_ban_sao": 2, "mien_phi": false },
        "documents": []
    })
}

pub(crate) async fn owing_dossier(name: &str, api_url: &str) -> Option<(Server, String, String)> {
    owing_dossier_with(name, api_url, &[]).await
}

/// [`owing_dossier`] on a server started with `extra` flags too.
async fn owing_dossier_with(
    name: &str,
    api_url: &str,
    extra: &[&str],
) -> Option<(Server, String, String)> {
    let flags = vnpay_flags(api_url);
    let mut flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    flags.extend_from_slice(extra);
    let server = Server::start(Backend::Sqlite, name, &flags)?;
    let citizen = server.citizen(CITIZEN);
    let desk = server.officer("mot_cua");
    let submission = extract_copies();
    let created: Value = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&citizen)
        .header("Idempotency-Key", name)
        .json(&submission)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let code = created["code"].as_str()?.to_owned();
    for action in ["receive", "chuyen_tham_dinh"] {
        let response = server
            .http
            .post(server.url(&format!("/api/v1/dossiers/{code}/actions")))
            .bearer_auth(&desk)
            .json(&json!({ "action": action }))
            .send()
            .await
            .ok()?;
        assert_eq!(response.status().as_u16(), 200);
    }
    Some((server, citizen, code))
}

async fn start_payment(
    server: &Server,
    citizen: &str,
    code: &str,
) -> (String, BTreeMap<String, String>) {
    let response = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/payments/vnpay")))
        .bearer_auth(citizen)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let started: Value = response.json().await.expect("json");
    assert_eq!(status, 201, "{started}");
    assert_eq!(started["amount"], 16000);
    let url = started["payment_url"].as_str().expect("url");
    let query = url.split_once('?').expect("query").1;
    let params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(params["vnp_Amount"], "1600000", "amount × 100");
    assert_eq!(params["vnp_Version"], "2.1.0");
    (started["txn_ref"].as_str().expect("txn").to_owned(), params)
}

/// The IPN VNPAY would send, signed with `secret`.
pub(crate) fn ipn(txn_ref: &str, amount_x100: &str, response_code: &str, secret: &str) -> String {
    ipn_for("HOSOTEST", txn_ref, amount_x100, response_code, secret)
}

/// The IPN for a terminal (`vnp_TmnCode`), signed with `secret`.
fn ipn_for(
    terminal: &str,
    txn_ref: &str,
    amount_x100: &str,
    response_code: &str,
    secret: &str,
) -> String {
    let mut params: BTreeMap<String, String> = [
        ("vnp_Amount", amount_x100),
        ("vnp_BankCode", "NCB"),
        ("vnp_CardType", "ATM"),
        ("vnp_OrderInfo", "Thanh toan phi le phi"),
        ("vnp_PayDate", "20261129100000"),
        ("vnp_ResponseCode", response_code),
        ("vnp_TmnCode", terminal),
        ("vnp_TransactionNo", "14422574"),
        ("vnp_TransactionStatus", response_code),
        ("vnp_TxnRef", txn_ref),
    ]
    .iter()
    .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
    .collect();
    let signed = signing_string(&params);
    params.insert("vnp_SecureHash".to_owned(), hmac_sha512(secret, &signed));
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
}

pub(crate) async fn send_ipn(server: &Server, query: &str) -> String {
    let answer: Value = server
        .http
        .get(server.url(&format!("/api/v1/payments/vnpay/ipn?{query}")))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    answer["RspCode"].as_str().expect("RspCode").to_owned()
}

async fn dossier(server: &Server, citizen: &str, code: &str) -> Value {
    server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}")))
        .bearer_auth(citizen)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_genuine_ipn_marks_a_fee_paid_and_only_once() {
    let Some((server, citizen, code)) =
        owing_dossier("vnpay-ipn", "http://127.0.0.1:9/unused").await
    else {
        return;
    };
    assert_eq!(
        dossier(&server, &citizen, &code).await["status"],
        "financial_obligation_requested"
    );
    // Only the applicant starts a payment.
    let desk = server.officer("mot_cua");
    assert_eq!(
        server
            .http
            .post(server.url(&format!("/api/v1/dossiers/{code}/payments/vnpay")))
            .bearer_auth(&desk)
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16(),
        403
    );
    let stranger = server.citizen("001090000002");
    assert_eq!(
        server
            .http
            .post(server.url(&format!("/api/v1/dossiers/{code}/payments/vnpay")))
            .bearer_auth(&stranger)
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16(),
        404
    );

    let (txn_ref, _) = start_payment(&server, &citizen, &code).await;
    // The browser's return, even signed and successful, records nothing.
    let returned: Value = server
        .http
        .get(server.url(&format!(
            "/api/v1/payments/vnpay/return?{}",
            ipn(&txn_ref, "1600000", "00", SECRET)
        )))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(returned["state"], "pending");
    assert_eq!(dossier(&server, &citizen, &code).await["fees_paid"], 0);

    // Forged IPNs change nothing.
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "1600000", "00", "wrong-secret")).await,
        "97",
        "bad signature"
    );
    assert_eq!(
        send_ipn(&server, &ipn("999999UNKNOWN", "1600000", "00", SECRET)).await,
        "01",
        "unknown order"
    );
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "100", "00", SECRET)).await,
        "04",
        "wrong amount"
    );
    let tampered =
        ipn(&txn_ref, "1600000", "00", SECRET).replace("vnp_Amount=1600000", "vnp_Amount=1600001");
    assert_eq!(
        send_ipn(&server, &tampered).await,
        "97",
        "a changed field breaks the signature"
    );
    assert_eq!(send_ipn(&server, "").await, "97", "no parameters at all");
    let untouched = dossier(&server, &citizen, &code).await;
    assert_eq!(
        (untouched["fees_paid"].clone(), untouched["status"].clone()),
        (json!(0), json!("financial_obligation_requested"))
    );

    // The genuine IPN pays; its replay is answered 02 and changes nothing.
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "1600000", "00", SECRET)).await,
        "00"
    );
    let paid = dossier(&server, &citizen, &code).await;
    assert_eq!(
        (paid["fees_paid"].clone(), paid["status"].clone()),
        (json!(16000), json!("processing"))
    );
    let version = paid["version"].clone();
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "1600000", "00", SECRET)).await,
        "02"
    );
    assert_eq!(
        dossier(&server, &citizen, &code).await["version"],
        version,
        "a duplicate IPN writes nothing"
    );
    assert_eq!(
        server
            .http
            .post(server.url(&format!("/api/v1/dossiers/{code}/payments/vnpay")))
            .bearer_auth(&citizen)
            .send()
            .await
            .expect("sent")
            .status()
            .as_u16(),
        409,
        "nothing more is owed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_payment_is_recorded_as_failed_and_the_fee_stays_owed() {
    let Some((server, citizen, code)) =
        owing_dossier("vnpay-cancel", "http://127.0.0.1:9/unused").await
    else {
        return;
    };
    let (txn_ref, _) = start_payment(&server, &citizen, &code).await;
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "1600000", "24", SECRET)).await,
        "00",
        "a failed payment is confirmed too"
    );
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "1600000", "00", SECRET)).await,
        "02",
        "a final attempt cannot be paid later"
    );
    let still = dossier(&server, &citizen, &code).await;
    assert_eq!(
        (still["fees_paid"].clone(), still["status"].clone()),
        (json!(0), json!("financial_obligation_requested"))
    );
    let (second, _) = start_payment(&server, &citizen, &code).await;
    assert_ne!(second, txn_ref, "each attempt has its own reference");
}

/// Makes the VNPAY peer answer every `querydr` that `txn_ref` was paid.
async fn answer_paid(gateway: &wiremock::MockServer, txn_ref: &str) {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    Mock::given(method("POST"))
        .and(path("/merchant_webapi/api/transaction"))
        .respond_with(ResponseTemplate::new(200).set_body_json(paid_answer(txn_ref)))
        .mount(gateway)
        .await;
}

/// VNPAY's `querydr` answer that `txn_ref` was paid 16.000 đ, signed.
fn paid_answer(txn_ref: &str) -> Value {
    let mut answer = json!({
        "vnp_ResponseId": "R1", "vnp_Command": "querydr", "vnp_ResponseCode": "00", "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "HOSOTEST", "vnp_TxnRef": txn_ref, "vnp_Amount": "1600000", "vnp_BankCode": "NCB",
        "vnp_PayDate": "20261129100000", "vnp_TransactionNo": "14422999", "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00", "vnp_OrderInfo": "Thanh toan", "vnp_PromotionCode": "", "vnp_PromotionAmount": ""
    });
    let signed = hoso_adapters::payment::vnpay::querydr_response_signing_string(&answer);
    answer["vnp_SecureHash"] = json!(hmac_sha512(SECRET, &signed));
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciliation_settles_a_payment_whose_ipn_was_lost() {
    let gateway = wiremock::MockServer::start().await;
    let api_url = format!("{}/merchant_webapi/api/transaction", gateway.uri());
    let Some((server, citizen, code)) = owing_dossier("vnpay-querydr", &api_url).await else {
        return;
    };
    let (txn_ref, _) = start_payment(&server, &citizen, &code).await;
    answer_paid(&gateway, &txn_ref).await;

    let flags = vnpay_flags(&api_url);
    let mut args = vec![
        "payments",
        "reconcile",
        "--older-than-minutes",
        "0",
        "--db",
        &server.database.url,
    ];
    args.extend(flags.iter().map(String::as_str));
    let output = crate::hoso(&args);
    assert!(output.status.success(), "{}", crate::stderr(&output));
    assert!(
        crate::stdout(&output).contains("checked 1 pending payments: 1 paid"),
        "{}",
        crate::stdout(&output)
    );
    let requests = gateway.received_requests().await.expect("recorded");
    let query: Value = serde_json::from_slice(&requests[0].body).expect("json");
    assert_eq!(
        (query["vnp_Command"].as_str(), query["vnp_TxnRef"].as_str()),
        (Some("querydr"), Some(txn_ref.as_str()))
    );
    assert_eq!(dossier(&server, &citizen, &code).await["fees_paid"], 16000);
    // A late IPN after reconciliation is a duplicate.
    assert_eq!(
        send_ipn(&server, &ipn(&txn_ref, "1600000", "00", SECRET)).await,
        "02"
    );
}

/// The server asks VNPAY about a payment left pending by itself, on its schedule: the citizen
/// who paid sees the fee paid although the IPN never came and no operator ran anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_reconciles_a_lost_ipn_on_its_own_schedule() {
    let gateway = wiremock::MockServer::start().await;
    let api_url = format!("{}/merchant_webapi/api/transaction", gateway.uri());
    let Some((server, citizen, code)) = owing_dossier_with(
        "vnpay-scheduled",
        &api_url,
        &[
            "--vnpay-reconcile-every",
            "1",
            "--vnpay-reconcile-after-minutes",
            "0",
        ],
    )
    .await
    else {
        return;
    };
    let (txn_ref, _) = start_payment(&server, &citizen, &code).await;
    answer_paid(&gateway, &txn_ref).await;
    let paid = crate::eventually_async(
        || dossier(&server, &citizen, &code),
        |dossier| dossier["fees_paid"] == 16000,
    )
    .await;
    assert_eq!(paid["fees_paid"], 16000, "{paid}");
    let requests = gateway.received_requests().await.expect("recorded");
    let query: Value = serde_json::from_slice(&requests[0].body).expect("json");
    assert_eq!(query["vnp_TxnRef"].as_str(), Some(txn_ref.as_str()));
    // Once settled, later passes have nothing to ask about.
    let asked = requests.len();
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        gateway.received_requests().await.expect("recorded").len(),
        asked
    );
}

/// A second payment page for the same fee gets the first attempt again; if two attempts are paid
/// all the same (two starts racing), the second is a refund due, never a second payment; an IPN
/// for another merchant's terminal is not an order of ours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fee_is_paid_once_and_what_is_paid_beyond_it_is_a_refund_due() {
    let Some((server, citizen, code)) =
        owing_dossier("vnpay-twice", "http://127.0.0.1:9/unused").await
    else {
        return;
    };
    let (first, _) = start_payment(&server, &citizen, &code).await;
    let again = server
        .http
        .post(server.url(&format!("/api/v1/dossiers/{code}/payments/vnpay")))
        .bearer_auth(&citizen)
        .send()
        .await
        .expect("sent");
    assert_eq!(again.status().as_u16(), 200, "the open attempt, again");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["txn_ref"], first.as_str());

    // Two starts that raced each created an attempt.
    let second = "261130RACE000001";
    crate::audit::tamper(
        &server.database.url,
        &[format!(
            "INSERT INTO payments (txn_ref, case_code, gateway, amount, state, create_date, created_at, updated_at) \
             VALUES ('{second}', '{code}', 'vnpay', 16000, 'pending', '20261130090000', 0, 0)"
        )],
    );
    assert_eq!(
        send_ipn(
            &server,
            &ipn_for("OTHERTMN", &first, "1600000", "00", SECRET)
        )
        .await,
        "01",
        "signed, but for another terminal"
    );
    assert_eq!(dossier(&server, &citizen, &code).await["fees_paid"], 0);
    assert_eq!(
        send_ipn(&server, &ipn(&first, "1600000", "00", SECRET)).await,
        "00"
    );
    assert_eq!(
        send_ipn(&server, &ipn(second, "1600000", "00", SECRET)).await,
        "00"
    );
    let paid = dossier(&server, &citizen, &code).await;
    assert_eq!(
        (paid["fees_paid"].clone(), paid["fees_due"].clone()),
        (json!(16000), json!(16000)),
        "paid once: {paid}"
    );
    assert_eq!(paid["refund_due"], json!(16000), "{paid}");
    // The refund is on the dossier's record: an event in its chain, for the auditor.
    let timeline: Value = server
        .http
        .get(server.url(&format!("/api/v1/dossiers/{code}/timeline")))
        .bearer_auth(&citizen)
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let refund = timeline
        .as_array()
        .expect("events")
        .iter()
        .find(|event| event["kind"] == "refund_due")
        .unwrap_or_else(|| panic!("no refund_due event: {timeline}"));
    assert!(
        refund["description"]
            .as_str()
            .is_some_and(|text| text.starts_with("Cần hoàn trả 16.000 đ")),
        "{refund}"
    );
    let listed = crate::hoso(&["payments", "refunds", "--db", &server.database.url]);
    let listed = crate::stdout(&listed);
    assert!(
        listed.contains(&format!("{second}  {code}  16000 đồng"))
            && listed.contains("1 payment(s) to refund, 16000 đồng in all"),
        "{listed}"
    );
    assert!(!listed.contains(&first), "{listed}");
}
