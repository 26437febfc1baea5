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
#[derive(Clone)]
pub struct OidcSettings {
    /// The issuer URL, exactly as in its tokens' `iss`.
    pub issuer: String,
    /// This service's client id, expected in `aud`.
    pub audience: String,
    /// The claim that carries the personal identification number, e.g. `SoDinhDanh`.
    pub citizen_claim: String,
    /// The claim that carries the person's full name, e.g. `HoVaTen`.
    pub name_claim: String,
    /// The claim that carries the tax code of the organisation an account acts for, when the
    /// provider issues organisation accounts.
    pub organisation_claim: Option<String>,
    /// The client secret for the pages' authorization-code sign-in; without it the pages offer
    /// no sign-in through the provider.
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("citizen_claim", &self.citizen_claim)
            .field("organisation_claim", &self.organisation_claim)
            .finish_non_exhaustive()
    }
}

/// Who an ID token says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The personal identification number.
    pub citizen_id: String,
    /// The full name, when the provider gives it.
    pub name: Option<String>,
    /// The organisation's tax code, for an organisation account.
    pub organisation: Option<String>,
    /// The token's nonce, which the caller must match to the sign-in it started.
    pub nonce: String,
}

/// The provider's endpoints, from its discovery document.
#[derive(Debug, Clone)]
struct Endpoints {
    authorization: String,
    token: String,
    end_session: Option<String>,
}

struct Keys {
    set: JwkSet,
    fetched: Instant,
}

/// Verifies ID tokens, caching the issuer's keys and refreshing them when a new key appears;
/// runs the pages' authorization-code sign-in.
pub struct OidcVerifier {
    settings: OidcSettings,
    http: reqwest::Client,
    keys: RwLock<Option<Keys>>,
    endpoints: RwLock<Option<Endpoints>>,
}

/// Base64url without padding, as PKCE and random values in URLs use it.
fn base64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A fresh random value for `state`, the nonce or the PKCE verifier: 256 bits, base64url.
pub fn random_value() -> Result<String, getrandom::Error> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(base64url(&bytes))
}

/// The PKCE S256 challenge of a verifier (RFC 7636 4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    use sha2::Digest as _;
    base64url(&sha2::Sha256::digest(verifier.as_bytes()))
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
            endpoints: RwLock::new(None),
        })
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// The pages may sign citizens in through the provider: a client secret is configured.
    pub fn offers_sign_in(&self) -> bool {
        self.settings.client_secret.is_some()
    }

    async fn discovery(&self) -> Result<serde_json::Value, String> {
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
        Ok(discovery)
    }

    async fn endpoints(&self) -> Result<Endpoints, String> {
        if let Some(endpoints) = self.endpoints.read().await.as_ref() {
            return Ok(endpoints.clone());
        }
        let discovery = self.discovery().await?;
        let text = |name: &str| {
            discovery
                .get(name)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        let endpoints = Endpoints {
            authorization: text("authorization_endpoint")
                .ok_or("the provider publishes no authorization_endpoint")?,
            token: text("token_endpoint").ok_or("the provider publishes no token_endpoint")?,
            end_session: text("end_session_endpoint"),
        };
        *self.endpoints.write().await = Some(endpoints.clone());
        Ok(endpoints)
    }

    /// Where to send the browser to sign in: the authorization-code request with PKCE (S256),
    /// `state` and `nonce`.
    pub async fn authorization_url(
        &self,
        redirect_uri: &str,
        state: &str,
        nonce: &str,
        verifier: &str,
    ) -> Result<String, String> {
        let endpoints = self.endpoints().await?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.audience)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", "openid")
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", &pkce_challenge(verifier))
            .append_pair("code_challenge_method", "S256")
            .finish();
        let separator = if endpoints.authorization.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!("{}{separator}{query}", endpoints.authorization))
    }

    /// Exchanges the code the provider sent back for the ID token.
    pub async fn exchange(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<String, String> {
        let endpoints = self.endpoints().await?;
        let secret = self
            .settings
            .client_secret
            .as_deref()
            .ok_or("no client secret is configured for sign-in on the pages")?;
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_verifier", verifier)
            .finish();
        let response = self
            .http
            .post(&endpoints.token)
            .basic_auth(&self.settings.audience, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|error| format!("cannot reach the token endpoint: {error}"))?;
        let status = response.status();
        let answer: serde_json::Value = response.json().await.map_err(|error| {
            format!("the token endpoint answered {status} without JSON: {error}")
        })?;
        if !status.is_success() {
            return Err(format!(
                "the provider refused the code ({status}): {}",
                answer
                    .get("error_description")
                    .or_else(|| answer.get("error"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("no reason given")
            ));
        }
        answer
            .get("id_token")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| "the provider sent no ID token".to_owned())
    }

    /// Where to end the provider's session too (RP-initiated logout), when it offers that.
    pub async fn logout_url(&self, after: &str) -> Option<String> {
        let endpoint = self.endpoints().await.ok()?.end_session?;
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.settings.audience)
            .append_pair("post_logout_redirect_uri", after)
            .finish();
        Some(format!("{endpoint}?{query}"))
    }

    async fn fetch_keys(&self) -> Result<JwkSet, String> {
        let discovery = self.discovery().await?;
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            self.settings.issuer.trim_end_matches('/')
        );
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

    /// Verifies an ID token; returns who signed in and the token's nonce, which the caller must
    /// then match to a sign-in hoso started.
    pub async fn verify(&self, token: &str) -> Result<Identity, String> {
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
        let organisation = match &self.settings.organisation_claim {
            Some(claim) => match claims.get(claim).and_then(serde_json::Value::as_str) {
                Some(code) if hoso_engine::case::is_tax_code(code) => Some(code.to_owned()),
                Some(_) => return Err(format!("the {claim} claim is not a tax code")),
                None => None,
            },
            None => None,
        };
        let name = claims
            .get(&self.settings.name_claim)
            .and_then(serde_json::Value::as_str)
            .map(|name| name.chars().take(200).collect());
        Ok(Identity {
            citizen_id: citizen.to_owned(),
            name,
            organisation,
            nonce,
        })
    }
}
