//! SMS through an eSMS-style HTTP JSON API: phone `0xxxxxxxxx` → `84xxxxxxxxx`, the idempotency
//! key as `RequestId` (the provider drops repeats), the provider's SMS id kept.

use std::time::Duration;

use hoso_engine::case::{Notification, normalize_phone};
use serde_json::json;

use crate::access::Secret;
use crate::worker::{Deliverer, Delivery, DeliveryError};
use hoso_engine::ports::OutboxEntry;

/// The SMS provider.
#[derive(Clone)]
pub struct SmsSettings {
    /// The send endpoint, e.g. https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/
    pub url: String,
    /// API key.
    pub api_key: Secret,
    /// Secret key.
    pub secret_key: Secret,
    /// Registered brandname.
    pub brandname: String,
}

impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("url", &self.url)
            .field("brandname", &self.brandname)
            .finish_non_exhaustive()
    }
}

/// `0912345678` → `84912345678`.
pub fn international(phone: &str) -> Option<String> {
    normalize_phone(phone).map(|national| format!("84{}", &national[1..]))
}

/// Sends notifications by SMS.
pub struct SmsDeliverer {
    settings: SmsSettings,
    http: reqwest::Client,
}

impl SmsDeliverer {
    /// A deliverer for these settings.
    pub fn new(settings: SmsSettings) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|error| format!("HTTP client: {error}"))?;
        Ok(Self { settings, http })
    }
}

impl Deliverer for SmsDeliverer {
    fn deliver<'a>(&'a self, entry: &'a OutboxEntry) -> Delivery<'a> {
        Box::pin(async move {
            let notification: Notification = serde_json::from_value(entry.payload.clone())
                .map_err(|error| {
                    DeliveryError::permanent(format!("not a notification: {error}"))
                })?;
            let phone = notification
                .phone
                .as_deref()
                .and_then(international)
                .ok_or_else(|| {
                    DeliveryError::permanent("the applicant gave no usable phone number")
                })?;
            let text = super::render(&notification).body;
            let content = text.lines().next().unwrap_or_default();
            let body = json!({
                "ApiKey": self.settings.api_key.expose(),
                "SecretKey": self.settings.secret_key.expose(),
                "Phone": phone,
                "Content": content,
                "Brandname": self.settings.brandname,
                "SmsType": "2",
                "IsUnicode": "1",
                "RequestId": entry.idempotency_key,
            });
            let response = self
                .http
                .post(&self.settings.url)
                .json(&body)
                .send()
                .await
                .map_err(|error| {
                    DeliveryError::retryable(format!("SMS provider unreachable: {error}"))
                })?;
            let status = response.status();
            if status.is_server_error() || status.as_u16() == 429 {
                return Err(DeliveryError::retryable(format!(
                    "SMS provider answered {status}"
                )));
            }
            let answer: serde_json::Value = response.json().await.map_err(|error| {
                DeliveryError::retryable(format!("SMS provider answered garbage: {error}"))
            })?;
            let code = answer
                .get("CodeResult")
                .map(|code| code.to_string().trim_matches('"').to_owned())
                .unwrap_or_default();
            if code == "100" {
                let id = answer
                    .get("SMSID")
                    .map(|id| id.to_string().trim_matches('"').to_owned())
                    .unwrap_or_default();
                Ok(format!("esms:{id}"))
            } else {
                let message = answer
                    .get("ErrorMessage")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("no message");
                Err(DeliveryError::retryable(format!(
                    "SMS provider refused (CodeResult {code}): {message}"
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::international;

    #[test]
    fn phones_go_out_in_international_form() {
        assert_eq!(international("0912345678").as_deref(), Some("84912345678"));
        assert_eq!(
            international("+84 912 345 678").as_deref(),
            Some("84912345678")
        );
        assert_eq!(international("12345"), None);
    }
}
