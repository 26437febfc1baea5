//! VNPAY 2.1.0: signed payment URLs, IPN verification, `querydr` reconciliation.
//!
//! Signing (integration notes §1.3): every `vnp_*` parameter except the hash fields, empty
//! values dropped, keys in ASCII order, `key=value` form-urlencoded and joined with `&`;
//! `vnp_SecureHash = hex(HMAC-SHA512(secret, that string))`. Verification recomputes it and
//! compares in constant time, case-insensitively.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha512;

use crate::access::Secret;

type HmacSha512 = Hmac<Sha512>;

/// The merchant's VNPAY configuration.
#[derive(Clone)]
pub struct VnpaySettings {
    /// Terminal code (vnp_TmnCode).
    pub tmn_code: String,
    /// Hash secret; never printed.
    pub hash_secret: Secret,
    /// The payment page, e.g. https://sandbox.vnpayment.vn/paymentv2/vpcpay.html
    pub pay_url: String,
    /// The merchant API for querydr, e.g. https://sandbox.vnpayment.vn/merchant_webapi/api/transaction
    pub api_url: String,
    /// Where the citizen's browser comes back to (display only).
    pub return_url: String,
}

impl std::fmt::Debug for VnpaySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VnpaySettings")
            .field("tmn_code", &self.tmn_code)
            .field("pay_url", &self.pay_url)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The string VNPAY signs: sorted, non-empty `vnp_*` parameters without the hash fields.
pub fn signing_string(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(key, value)| {
            key.starts_with("vnp_")
                && *key != "vnp_SecureHash"
                && *key != "vnp_SecureHashType"
                && !value.is_empty()
        })
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// hex(HMAC-SHA512(secret, message)).
pub fn hmac_sha512(secret: &str, message: &str) -> String {
    let mut mac =
        HmacSha512::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Whether `params` carry a valid `vnp_SecureHash` for `secret` (constant-time comparison).
pub fn verify(secret: &Secret, params: &BTreeMap<String, String>) -> bool {
    let Some(received) = params
        .get("vnp_SecureHash")
        .and_then(|hash| hex::decode(hash).ok())
    else {
        return false;
    };
    let mut mac = HmacSha512::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(signing_string(params).as_bytes());
    mac.verify_slice(&received).is_ok()
}

/// `yyyyMMddHHmmss` in Vietnam time.
pub fn vnpay_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&hoso_engine::clock::vietnam())
        .format("%Y%m%d%H%M%S")
        .to_string()
}

/// A payment attempt to send the citizen to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    /// Unique per attempt (vnp_TxnRef): `[A-Za-z0-9]`, never repeated.
    pub txn_ref: String,
    /// Amount in đồng.
    pub amount: u64,
    /// Order description without diacritics.
    pub order_info: String,
    /// The citizen's IP address.
    pub ip: String,
    /// When created.
    pub created_at: DateTime<Utc>,
}

/// The signed URL of VNPAY's payment page for a request.
pub fn payment_url(settings: &VnpaySettings, request: &PaymentRequest) -> String {
    let mut params = BTreeMap::new();
    for (key, value) in [
        ("vnp_Version", "2.1.0".to_owned()),
        ("vnp_Command", "pay".to_owned()),
        ("vnp_TmnCode", settings.tmn_code.clone()),
        ("vnp_Amount", (request.amount * 100).to_string()),
        ("vnp_CreateDate", vnpay_time(request.created_at)),
        (
            "vnp_ExpireDate",
            vnpay_time(request.created_at + chrono::Duration::minutes(15)),
        ),
        ("vnp_CurrCode", "VND".to_owned()),
        ("vnp_IpAddr", request.ip.clone()),
        ("vnp_Locale", "vn".to_owned()),
        ("vnp_OrderInfo", request.order_info.clone()),
        ("vnp_OrderType", "other".to_owned()),
        ("vnp_ReturnUrl", settings.return_url.clone()),
        ("vnp_TxnRef", request.txn_ref.clone()),
    ] {
        params.insert(key.to_owned(), value);
    }
    let query = signing_string(&params);
    let hash = hmac_sha512(settings.hash_secret.expose(), &query);
    format!("{}?{query}&vnp_SecureHash={hash}", settings.pay_url)
}

/// Keeps only the characters VNPAY's encoders all agree on (`[A-Za-z0-9 .:_-]`), dropping
/// Vietnamese diacritics the gateway does not accept in `vnp_OrderInfo`.
pub fn plain_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'à' | 'á' | 'ạ' | 'ả' | 'ã' | 'â' | 'ầ' | 'ấ' | 'ậ' | 'ẩ' | 'ẫ' | 'ă' | 'ằ' | 'ắ'
            | 'ặ' | 'ẳ' | 'ẵ' => 'a',
            'è' | 'é' | 'ẹ' | 'ẻ' | 'ẽ' | 'ê' | 'ề' | 'ế' | 'ệ' | 'ể' | 'ễ' => {
                'e'
            }
            'ì' | 'í' | 'ị' | 'ỉ' | 'ĩ' => 'i',
            'ò' | 'ó' | 'ọ' | 'ỏ' | 'õ' | 'ô' | 'ồ' | 'ố' | 'ộ' | 'ổ' | 'ỗ' | 'ơ' | 'ờ' | 'ớ'
            | 'ợ' | 'ở' | 'ỡ' => 'o',
            'ù' | 'ú' | 'ụ' | 'ủ' | 'ũ' | 'ư' | 'ừ' | 'ứ' | 'ự' | 'ử' | 'ữ' => {
                'u'
            }
            'ỳ' | 'ý' | 'ỵ' | 'ỷ' | 'ỹ' => 'y',
            'đ' => 'd',
            'Đ' => 'D',
            c if c.is_ascii_alphanumeric() || " .:_-".contains(c) => c,
            _ => ' ',
        })
        .collect::<String>()
        .chars()
        .take(255)
        .collect()
}

/// The answer to an IPN, as VNPAY expects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpnAnswer {
    /// 00: recorded (paid or failed).
    Confirmed,
    /// 01: no such order.
    OrderNotFound,
    /// 02: the order was already final; nothing changed.
    AlreadyConfirmed,
    /// 04: the amount does not match the order.
    InvalidAmount,
    /// 97: the signature does not verify.
    InvalidSignature,
    /// 99: something went wrong on our side; VNPAY will try again.
    UnknownError,
}

impl IpnAnswer {
    /// The JSON body: `{"RspCode": "..", "Message": ".."}`.
    pub fn body(self) -> serde_json::Value {
        let (code, message) = match self {
            Self::Confirmed => ("00", "Confirm Success"),
            Self::OrderNotFound => ("01", "Order not found"),
            Self::AlreadyConfirmed => ("02", "Order already confirmed"),
            Self::InvalidAmount => ("04", "Invalid amount"),
            Self::InvalidSignature => ("97", "Invalid signature"),
            Self::UnknownError => ("99", "Unknown error"),
        };
        serde_json::json!({ "RspCode": code, "Message": message })
    }
}

/// The signed body of a `querydr` request (hash over the pipe-joined fields, §1.6).
pub fn querydr_body(
    settings: &VnpaySettings,
    request_id: &str,
    txn_ref: &str,
    transaction_date: &str,
    now: DateTime<Utc>,
    server_ip: &str,
) -> serde_json::Value {
    let order_info = format!("Truy van giao dich {txn_ref}");
    let create_date = vnpay_time(now);
    let signed = [
        request_id,
        "2.1.0",
        "querydr",
        &settings.tmn_code,
        txn_ref,
        transaction_date,
        &create_date,
        server_ip,
        &order_info,
    ]
    .join("|");
    serde_json::json!({
        "vnp_RequestId": request_id,
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": settings.tmn_code,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info,
        "vnp_TransactionDate": transaction_date,
        "vnp_CreateDate": create_date,
        "vnp_IpAddr": server_ip,
        "vnp_SecureHash": hmac_sha512(settings.hash_secret.expose(), &signed),
    })
}

/// The string a `querydr` response's hash covers (§1.6 field order).
pub fn querydr_response_signing_string(response: &serde_json::Value) -> String {
    [
        "vnp_ResponseId",
        "vnp_Command",
        "vnp_ResponseCode",
        "vnp_Message",
        "vnp_TmnCode",
        "vnp_TxnRef",
        "vnp_Amount",
        "vnp_BankCode",
        "vnp_PayDate",
        "vnp_TransactionNo",
        "vnp_TransactionType",
        "vnp_TransactionStatus",
        "vnp_OrderInfo",
        "vnp_PromotionCode",
        "vnp_PromotionAmount",
    ]
    .iter()
    .map(|name| field(response, name))
    .collect::<Vec<_>>()
    .join("|")
}

/// A field of a VNPAY JSON answer as text (numbers as written), empty when absent.
pub(crate) fn field(response: &serde_json::Value, name: &str) -> String {
    response
        .get(name)
        .map(|value| {
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned)
        })
        .unwrap_or_default()
}

/// Whether a `querydr` response's hash verifies.
pub fn querydr_response_verifies(secret: &Secret, response: &serde_json::Value) -> bool {
    let Ok(received) = hex::decode(field(response, "vnp_SecureHash")) else {
        return false;
    };
    let mut mac = HmacSha512::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(querydr_response_signing_string(response).as_bytes());
    mac.verify_slice(&received).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn the_published_hmac_vectors_hold() {
        assert_eq!(
            hmac_sha512(
                "YOUR_SECURE_SECRET",
                "vnp_Amount=10000&vnp_OrderInfo=Payment+for+order+%231234567890&vnp_TnxRef=1234567890"
            ),
            "7bb8160a5d2085a85b3267817a40ee4f770a335282f19714726e6fc6f28a64c75a1e7e9c1aa96f3cbda5ce44095088fb4cb2af66c596d2f655b0b53966312089"
        );
        assert_eq!(
            hmac_sha512("secret", "data"),
            "6274071d33dec2728a2a1c903697fc1210b3252221c3d137e12d9f1ae5c8ed53e05e692b05a9eefff289667e2387c0fc0bd8a3d9bd7000782730c856a77a77d5"
        );
    }

    fn published_ipn() -> BTreeMap<String, String> {
        params(&[
            ("vnp_Amount", "1000000"),
            ("vnp_BankCode", "NCB"),
            ("vnp_BankTranNo", "VNP14422574"),
            ("vnp_CardType", "ATM"),
            (
                "vnp_OrderInfo",
                "Thanh toan don hang 2024-05-21T02:17:31.249Z",
            ),
            ("vnp_PayDate", "20240521091806"),
            ("vnp_ResponseCode", "00"),
            ("vnp_TmnCode", "TEST_TMN_CODE"),
            ("vnp_TransactionNo", "14422574"),
            ("vnp_TransactionStatus", "00"),
            ("vnp_TxnRef", "1716257871703"),
            (
                "vnp_SecureHash",
                "649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361dbf146889ca446139afe11b9954c4d5c486e99e3b86fcfab6957f29eb0be72895",
            ),
        ])
    }

    #[test]
    fn the_published_ipn_vector_verifies_and_any_change_breaks_it() {
        let secret = Secret::from_client("test_secret");
        let ipn = published_ipn();
        assert_eq!(
            signing_string(&ipn),
            "vnp_Amount=1000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14422574&vnp_CardType=ATM&vnp_OrderInfo=Thanh+toan+don+hang+2024-05-21T02%3A17%3A31.249Z&vnp_PayDate=20240521091806&vnp_ResponseCode=00&vnp_TmnCode=TEST_TMN_CODE&vnp_TransactionNo=14422574&vnp_TransactionStatus=00&vnp_TxnRef=1716257871703"
        );
        assert!(verify(&secret, &ipn));
        let mut upper = ipn.clone();
        upper.insert(
            "vnp_SecureHash".to_owned(),
            ipn["vnp_SecureHash"].to_uppercase(),
        );
        assert!(verify(&secret, &upper), "case-insensitive");
        let mut tampered = ipn.clone();
        tampered.insert("vnp_Amount".to_owned(), "100000000".to_owned());
        assert!(!verify(&secret, &tampered));
        assert!(!verify(&Secret::from_client("other"), &ipn));
        let mut unsigned = ipn;
        unsigned.remove("vnp_SecureHash");
        assert!(!verify(&secret, &unsigned));
    }

    #[test]
    fn payment_urls_are_signed_over_their_own_query() {
        let settings = VnpaySettings {
            tmn_code: "DEMOV210".to_owned(),
            hash_secret: Secret::from_client("s3cret"),
            pay_url: "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html".to_owned(),
            api_url: String::new(),
            return_url: "https://hoso.example.vn/return".to_owned(),
        };
        let request = PaymentRequest {
            txn_ref: "260302A1B2C3".to_owned(),
            amount: 16_000,
            order_info: plain_text("Phí cấp bản sao trích lục hồ sơ 000.00.17.H21-260302-0002"),
            ip: "127.0.0.1".to_owned(),
            created_at: DateTime::parse_from_rfc3339("2026-03-02T09:40:00+07:00")
                .unwrap()
                .with_timezone(&Utc),
        };
        let url = payment_url(&settings, &request);
        assert!(url.contains("vnp_Amount=1600000&"), "×100: {url}");
        assert!(
            url.contains("vnp_CreateDate=20260302094000&"),
            "GMT+7: {url}"
        );
        assert!(
            url.contains(
                "vnp_OrderInfo=Phi+cap+ban+sao+trich+luc+ho+so+000.00.17.H21-260302-0002&"
            ),
            "{url}"
        );
        let query = url.split_once('?').unwrap().1;
        let parsed: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        assert!(verify(&settings.hash_secret, &parsed));
        assert!(
            !parsed.contains_key("vnp_SecureHashType"),
            "2.1.0 never sends it"
        );
    }
}
