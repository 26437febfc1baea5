//! Citizens sign in through an OpenID Connect provider (the national SSO in production). Their
//! ID token is checked against the issuer's published keys (JWKS), and for `iss`, `aud` (with
//! `azp`), `exp`, `nbf`, `iat` and `nonce`; the nonce must be one hoso issued for a sign-in
//! (`POST /api/v1/auth/oidc/nonce`) that no other token has used. The citizen is the personal
//! identification number in a configurable claim.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use tokio::sync::RwLock;

/// Which provider to trust.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    /// The issuer URL, exactly as in its tokens' `iss`.
    pub issuer: String,
    /// This service's client id, expected in `aud`.
    pub audience: String,
    /// The claim that carries the personal identification number, e.g. `SoDinhDanh`.
    pub citizen_claim: String,
}

struct Keys {
    set: JwkSet,
    fetched: Instant,
}

/// Verifies ID tokens, caching the issuer's keys and refreshing them when a new key appears.
pub struct OidcVerifier {
    settings: OidcSettings,
    http: reqwest::Client,
    keys: RwLock<Option<Keys>>,
}

/// How far the provider's clock may be from ours, in seconds.
const CLOCK_SKEW_SECONDS: u64 = 30;

/// OpenID Connect Core 3.1.3.7: a token must have been issued (`iat`), and not in the future
/// beyond the clock skew.
fn check_issued_at(claims: &serde_json::Value, now: i64) -> Result<(), String> {
    let issued = claims
        .get("iat")
        .and_then(serde_json::Value::as_i64)
        .ok_or("the ID token says not when it was issued (iat)")?;
    if issued > now + CLOCK_SKEW_SECONDS as i64 {
        return Err(
            "the ID token was issued in the future (iat); check the provider's clock".to_owned(),
        );
    }
    Ok(())
}

/// OpenID Connect Core 3.1.3.7: a token for several audiences must name this service as its
/// authorized party (`azp`), and an `azp` that is present must be this service.
fn check_authorized_party(claims: &serde_json::Value, client_id: &str) -> Result<(), String> {
    let audiences = match claims.get("aud") {
        Some(serde_json::Value::Array(audiences)) => audiences.len(),
        _ => 1,
    };
    match claims.get("azp").and_then(serde_json::Value::as_str) {
        Some(party) if party == client_id => Ok(()),
        Some(party) => Err(format!(
            "the ID token was issued to {party:?} (azp), not to this service"
        )),
        None if audiences > 1 => {
            Err("the ID token names several audiences but no authorized party (azp)".to_owned())
        }
        None => Ok(()),
    }
}

/// Algorithms accepted; `none` and symmetric algorithms never are.
const ALLOWED: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
];

impl OidcVerifier {
    /// A verifier for one provider.
    pub fn new(settings: OidcSettings) -> Result<Self, String> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| format!("HTTP client: {error}"))?;
        Ok(Self {
            settings,
            http,
            keys: RwLock::new(None),
        })
    }

    async fn fetch_keys(&self) -> Result<JwkSet, String> {
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
        let discovery: serde_json::Value = self
            .http
            .get(&discovery_url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|error| format!("cannot read {discovery_url}: {error}"))?
            .json()
            .await
            .map_err(|error| format!("{discovery_url} is not JSON: {error}"))?;
        if discovery.get("issuer").and_then(serde_json::Value::as_str)
            != Some(self.settings.issuer.as_str())
        {
            return Err(format!("{discovery_url} names another issuer"));
        }
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("{discovery_url} has no jwks_uri"))?;
        self.http
            .get(jwks_uri)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|error| format!("cannot read {jwks_uri}: {error}"))?
            .json()
            .await
            .map_err(|error| format!("{jwks_uri} is not a key set: {error}"))
    }

    /// The key with `kid`, fetching the key set when it is not cached or the key is new (at most
    /// once a minute, so forged kids cannot make hoso hammer the provider).
    async fn key(&self, kid: &str) -> Result<DecodingKey, String> {
        {
            let cached = self.keys.read().await;
            if let Some(keys) = cached.as_ref() {
                if let Some(jwk) = keys.set.find(kid) {
                    return DecodingKey::from_jwk(jwk)
                        .map_err(|error| format!("key {kid}: {error}"));
                }
                if keys.fetched.elapsed() < Duration::from_secs(60) {
                    return Err(format!("unknown signing key {kid}"));
                }
            }
        }
        let set = self.fetch_keys().await?;
        let key = set
            .find(kid)
            .map(DecodingKey::from_jwk)
            .transpose()
            .map_err(|error| format!("key {kid}: {error}"))?;
        *self.keys.write().await = Some(Keys {
            set,
            fetched: Instant::now(),
        });
        key.ok_or_else(|| format!("unknown signing key {kid}"))
    }

    /// Verifies an ID token; returns the citizen's identification number and the token's nonce,
    /// which the caller must then claim (it was issued by hoso, and no other token used it).
    pub async fn verify(&self, token: &str) -> Result<(String, String), String> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|error| format!("not a signed ID token: {error}"))?;
        if !ALLOWED.contains(&header.alg) {
            return Err(format!("algorithm {:?} is not accepted", header.alg));
        }
        let kid = header
            .kid
            .ok_or("the ID token names no signing key (kid)")?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = CLOCK_SKEW_SECONDS;
        // A token "not before" an hour from now is not valid yet.
        validation.validate_nbf = true;
        let claims = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
            .map_err(|error| format!("ID token rejected: {error}"))?
            .claims;
        check_issued_at(&claims, chrono::Utc::now().timestamp())?;
        check_authorized_party(&claims, &self.settings.audience)?;
        let nonce = claims
            .get("nonce")
            .and_then(serde_json::Value::as_str)
            .ok_or("the ID token has no nonce: start the sign-in with a nonce from POST /api/v1/auth/oidc/nonce")?
            .to_owned();
        let citizen = claims
            .get(&self.settings.citizen_claim)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| format!("the ID token has no {} claim", self.settings.citizen_claim))?;
        if !hoso_engine::case::is_id_number(citizen) {
            return Err(format!(
                "the {} claim is not a personal identification number",
                self.settings.citizen_claim
            ));
        }
        Ok((citizen.to_owned(), nonce))
    }
}
