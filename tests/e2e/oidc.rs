//! Citizens signing in through a real OpenID provider (the npm package `oidc-provider`, OpenID
//! Certified) run on loopback, and forged ID tokens that must all be refused.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::server::{Backend, Server};

const CITIZEN: &str = "001090000001";

/// The provider process.
pub(crate) struct Provider {
    child: Child,
    /// Its issuer URL.
    pub(crate) issuer: String,
}

impl Provider {
    /// Starts the provider; `None` when it is not installed (and not required).
    pub(crate) fn start() -> Option<Self> {
        let folder = crate::repo().join("tests/oidc");
        let installed = folder.join("node_modules/oidc-provider").exists();
        let node = Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success());
        if !installed || !node {
            hoso_adapters::testing::skip(
                "the OpenID provider",
                "run `npm ci --prefix tests/oidc` (needs node) to test sign-in",
            );
            return None;
        }
        let mut child = Command::new("node")
            .arg(folder.join("provider.mjs"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node starts");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        reader.read_line(&mut line).expect("READY line");
        // Keep draining: the provider logs to stdout and dies on a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let issuer = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("unexpected {line:?}"))
            .to_owned();
        Some(Self { child, issuer })
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Just enough of a browser for the provider's pages: a cookie jar, and one redirect at a time.
struct Browser {
    client: reqwest::Client,
    cookies: BTreeMap<String, String>,
    origin: String,
}

impl Browser {
    fn new(origin: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
            origin: origin.to_owned(),
        }
    }

    /// Sends a GET (no form) or a form POST with the cookies; keeps those it sets.
    async fn send(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> reqwest::Response {
        let request = match form {
            Some(form) => self.client.post(url).form(form),
            None => self.client.get(url),
        };
        let response = request
            .header("cookie", self.cookie_line())
            .send()
            .await
            .unwrap_or_else(|error| panic!("{url}: {error}"));
        for value in response.headers().get_all("set-cookie") {
            if let Some((pair, _)) = value.to_str().unwrap_or_default().split_once(';')
                && let Some((name, value)) = pair.split_once('=')
            {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        response
    }

    /// Sends a GET (no form) or a form POST; keeps the cookies; returns where it redirects.
    async fn visit(&mut self, url: &str, form: Option<&[(&str, &str)]>) -> String {
        let response = self.send(url, form).await;
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if location.starts_with('/') {
            format!("{}{location}", origin_of(url).unwrap_or(&self.origin))
        } else {
            location.to_owned()
        }
    }

    /// The Cookie header this browser sends.
    fn cookie_line(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A GET that reads the page: its status and body, keeping cookies.
    async fn page(&mut self, url: &str) -> (u16, String) {
        let response = self.send(url, None).await;
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }
}

/// `scheme://host:port` of an absolute URL.
fn origin_of(url: &str) -> Option<&str> {
    let after = url.find("://")? + 3;
    let end = url[after..]
        .find('/')
        .map_or(url.len(), |slash| after + slash);
    Some(&url[..end])
}

/// Walks the provider's login and consent pages as `login`; returns where it sends the browser
/// back (hoso's callback with `code` and `state`).
async fn through_provider(browser: &mut Browser, authorize: &str, login: &str) -> String {
    let interaction = browser.visit(authorize, None).await;
    let resume = browser
        .visit(
            &interaction,
            Some(&[("prompt", "login"), ("login", login), ("password", "x")]),
        )
        .await;
    let consent = browser.visit(&resume, None).await;
    let resume = browser
        .visit(&consent, Some(&[("prompt", "consent")]))
        .await;
    browser.visit(&resume, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn citizens_and_organisation_accounts_sign_in_on_the_pages_through_the_provider() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let Some(server) = Server::start(
        Backend::Sqlite,
        "oidc-pages",
        &[
            "--oidc-issuer",
            &provider.issuer,
            "--oidc-audience",
            "hoso",
            "--oidc-client-secret",
            "test-secret",
            "--oidc-organisation-claim",
            "MaSoDoanhNghiep",
        ],
    ) else {
        return;
    };
    // The sign-in page offers the provider.
    let mut browser = Browser::new(&server.base);
    let (status, page) = browser.page(&server.url("/sign-in")).await;
    assert_eq!(status, 200);
    assert!(page.contains("/dang-nhap/vneid?next="), "{page}");
    // Start: to the provider with PKCE (S256), state and nonce.
    let authorize = browser
        .visit(&server.url("/dang-nhap/vneid?next=%2Fmy"), None)
        .await;
    assert!(
        authorize.starts_with(&format!("{}/auth?", provider.issuer)),
        "{authorize}"
    );
    for part in [
        "code_challenge_method=S256",
        "code_challenge=",
        "state=",
        "nonce=",
        "redirect_uri=",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    let callback = through_provider(&mut browser, &authorize, CITIZEN).await;
    assert!(
        callback.starts_with(&server.url("/dang-nhap/sso?code=")),
        "{callback}"
    );
    // A callback with another state (forged) is refused, in Vietnamese, and signs nobody in.
    let forged = callback.replace("state=", "state=x");
    let (status, page) = browser.page(&forged).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Phiên đăng nhập không hợp lệ"), "{page}");
    let (status, page) = browser.page(&callback).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("http-equiv=\"refresh\"") && page.contains("/my"),
        "{page}"
    );
    let (status, page) = browser.page(&server.url("/my")).await;
    assert_eq!(status, 200, "signed in: {page}");
    assert!(
        page.contains("Công dân 0001"),
        "the provider's name: {page}"
    );
    // The same callback again (replayed): the state is spent.
    let (status, _) = browser.page(&callback).await;
    assert_eq!(status, 400, "a replayed state is refused");

    // She applies on the pages' API-equivalent: her session is a citizen's, in her own name.
    let (status, _) = browser
        .page(&server.url("/procedures/1.001193/apply"))
        .await;
    assert_eq!(status, 200);

    // An organisation account follows its company's dossiers, submitted by its director.
    let director = server.citizen("001090000006");
    let company = json!({
        "procedure": "PAKN.1", "channel": "online", "receiving_unit": "000.00.17.H21",
        "applicant": { "kind": "organisation", "id_number": "0100109106", "name": "Công ty Cổ phần Ánh Dương",
            "representative": { "citizen_id": "001090000006", "name": "Lê Văn Giám", "basis": "legal" } },
        "form": { "loai": "kien_nghi", "quy_dinh": "Quyết định 12/2025/QĐ-UBND", "noi_dung": "Đề nghị." }
    });
    let created = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&director)
        .header("Idempotency-Key", "company-pages-1")
        .json(&company)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status().as_u16(), 201);
    let code = created.json::<Value>().await.expect("json")["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let mut colleague = Browser::new(&server.base);
    let authorize = colleague
        .visit(&server.url("/dang-nhap/vneid?next=%2Fmy"), None)
        .await;
    let callback = through_provider(&mut colleague, &authorize, "001090000008@0100109106").await;
    assert_eq!(colleague.page(&callback).await.0, 200);
    let (status, page) = colleague.page(&server.url("/my")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&code),
        "the company's account lists its dossier: {page}"
    );
    assert_eq!(
        colleague
            .page(&server.url(&format!("/dossiers/{code}")))
            .await
            .0,
        200
    );
    // The plain citizen account does not see the company's dossier.
    assert!(!browser.page(&server.url("/my")).await.1.contains(&code));
    assert_eq!(
        browser
            .page(&server.url(&format!("/dossiers/{code}")))
            .await
            .0,
        404
    );

    // Signing out ends hoso's session and sends the browser to end the provider's.
    let (_, page) = browser.page(&server.url("/my")).await;
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a CSRF value") + marker.len();
    let csrf = page[start..start + 64].to_owned();
    let out = browser
        .send(&server.url("/sign-out"), Some(&[("csrf", csrf.as_str())]))
        .await;
    assert_eq!(out.status().as_u16(), 200);
    assert!(
        !browser.cookies.contains_key("hoso_session"),
        "the session cookie is cleared"
    );
    let page = out.text().await.expect("page");
    assert!(
        page.contains(&format!("url={}/session/end?", provider.issuer)),
        "on to the provider's logout: {page}"
    );
    let (status, _) = browser.page(&server.url("/my")).await;
    assert_eq!(status, 303, "signed out");
}

/// Signs in as `citizen` through the authorization-code flow, over HTTP only; returns the ID token.
async fn sign_in(issuer: &str, citizen: &str, nonce: &str) -> String {
    let mut browser = Browser::new(issuer);
    let start = format!(
        "{issuer}/auth?client_id=hoso&response_type=code&scope=openid&redirect_uri=http://127.0.0.1/callback&nonce={nonce}&state=s1"
    );
    let login = browser.visit(&start, None).await;
    let resume = browser
        .visit(
            &login,
            Some(&[("prompt", "login"), ("login", citizen), ("password", "x")]),
        )
        .await;
    let consent = browser.visit(&resume, None).await;
    let resume = browser
        .visit(&consent, Some(&[("prompt", "consent")]))
        .await;
    let callback = browser.visit(&resume, None).await;
    let client = browser.client;
    let code = callback
        .split(['?', '&'])
        .find_map(|part| part.strip_prefix("code="))
        .unwrap_or_else(|| panic!("no code in {callback}"));
    let tokens: Value = client
        .post(format!("{issuer}/token"))
        .basic_auth("hoso", Some("test-secret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "http://127.0.0.1/callback"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    tokens["id_token"].as_str().expect("id_token").to_owned()
}

async fn status(server: &Server, token: &str) -> u16 {
    server
        .http
        .get(server.url("/api/v1/dossiers"))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

/// A nonce hoso issues for one sign-in.
async fn nonce(server: &Server) -> String {
    let response = server
        .http
        .post(server.url("/api/v1/auth/oidc/nonce"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.json().await.expect("json");
    body["nonce"].as_str().expect("nonce").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_signs_in_through_the_provider_and_submits() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let Some(server) = Server::start(
        Backend::Sqlite,
        "oidc",
        &["--oidc-issuer", &provider.issuer, "--oidc-audience", "hoso"],
    ) else {
        return;
    };
    let first = nonce(&server).await;
    let token = sign_in(&provider.issuer, CITIZEN, &first).await;
    assert_eq!(status(&server, &token).await, 200);
    assert_eq!(status(&server, &token).await, 200, "the same token, again");
    let replayed = sign_in(&provider.issuer, "001090000003", &first).await;
    assert_eq!(
        status(&server, &replayed).await,
        401,
        "another token with a nonce already used is refused"
    );
    let made_up = sign_in(&provider.issuer, CITIZEN, "nonce-of-my-own").await;
    assert_eq!(
        status(&server, &made_up).await,
        401,
        "a nonce hoso did not issue is refused"
    );
    let submission = crate::birth_submission(CITIZEN);
    let created = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "oidc-1")
        .json(&submission)
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status().as_u16(), 201);
    let second = nonce(&server).await;
    let other = sign_in(&provider.issuer, "001090000002", &second).await;
    let mut in_their_name = submission.clone();
    in_their_name["applicant"]["citizen_id"] = json!("001090000002");
    let foreign = server
        .http
        .post(server.url("/api/v1/dossiers"))
        .bearer_auth(&other)
        .header("Idempotency-Key", "oidc-2")
        .json(&submission)
        .send()
        .await
        .expect("sent");
    assert_eq!(
        foreign.status().as_u16(),
        403,
        "a citizen cannot submit in someone else's name"
    );
}

fn claims(issuer: &str, nonce: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "iss": issuer, "aud": "hoso", "sub": CITIZEN, "SoDinhDanh": CITIZEN, "nonce": nonce, "iat": now, "exp": now + 600 })
}

fn signed(claims: &Value, key_file: &str, kid: &str) -> String {
    let pem = std::fs::read(crate::repo().join("tests/oidc/keys").join(key_file)).expect("key");
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(&pem).expect("pem"),
    )
    .expect("signed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_id_tokens_are_refused() {
    let Some(provider) = Provider::start() else {
        return;
    };
    let Some(server) = Server::start(
        Backend::Sqlite,
        "forged",
        &["--oidc-issuer", &provider.issuer, "--oidc-audience", "hoso"],
    ) else {
        return;
    };
    let issuer = provider.issuer.clone();
    let issued = nonce(&server).await;
    let genuine = signed(&claims(&issuer, &issued), "signing.pem", "test-1");
    assert_eq!(
        status(&server, &genuine).await,
        200,
        "a well-formed token signed by the provider's key passes"
    );

    // Each refused token carries a fresh nonce of hoso's, so only what is tested fails.
    let fresh = nonce(&server).await;
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = claims(&issuer, &fresh);
        change(&mut body);
        signed(&body, "signing.pem", "test-1")
    };
    let now = chrono::Utc::now().timestamp();
    let cases = [
        (
            "wrong issuer",
            with(&|claims| claims["iss"] = json!("http://127.0.0.1:1")),
        ),
        (
            "wrong audience",
            with(&|claims| claims["aud"] = json!("someone-else")),
        ),
        ("expired", with(&|claims| claims["exp"] = json!(now - 3600))),
        (
            "no nonce",
            with(&|claims| {
                claims.as_object_mut().map(|object| object.remove("nonce"));
            }),
        ),
        (
            "no citizen number",
            with(&|claims| claims["SoDinhDanh"] = json!("not-a-number")),
        ),
        (
            "not valid before an hour from now",
            with(&|claims| claims["nbf"] = json!(now + 3600)),
        ),
        (
            "issued an hour in the future",
            with(&|claims| claims["iat"] = json!(now + 3600)),
        ),
        (
            "no issue time",
            with(&|claims| {
                claims.as_object_mut().map(|object| object.remove("iat"));
            }),
        ),
        (
            "several audiences and no authorized party",
            with(&|claims| claims["aud"] = json!(["other", "hoso"])),
        ),
        (
            "issued to another party",
            with(&|claims| {
                claims["aud"] = json!(["other", "hoso"]);
                claims["azp"] = json!("other");
            }),
        ),
        (
            "signed by another key",
            signed(&claims(&issuer, &fresh), "stranger.pem", "test-1"),
        ),
        (
            "an unknown key",
            signed(&claims(&issuer, &fresh), "stranger.pem", "unknown-kid"),
        ),
        (
            "a nonce hoso never issued",
            with(&|claims| claims["nonce"] = json!("made-up")),
        ),
        (
            "the genuine token's nonce in another token",
            with(&|claims| {
                claims["nonce"] = json!(issued.clone());
                claims["sub"] = json!("someone");
            }),
        ),
    ];
    for (what, token) in &cases {
        assert_eq!(status(&server, token).await, 401, "{what}");
    }
    let for_us = with(&|claims| {
        claims["aud"] = json!(["other", "hoso"]);
        claims["azp"] = json!("hoso");
    });
    assert_eq!(
        status(&server, &for_us).await,
        200,
        "several audiences, this service the authorized party"
    );
    let payload = genuine.split('.').nth(1).expect("payload");
    let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
    assert_eq!(status(&server, &none).await, 401, "alg none");
    let public =
        std::fs::read(crate::repo().join("tests/oidc/keys/signing.pub.pem")).expect("public key");
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-1".to_owned());
    let confused = jsonwebtoken::encode(
        &header,
        &claims(&issuer, &fresh),
        &EncodingKey::from_secret(&public).expect("key"),
    )
    .expect("signed");
    assert_eq!(
        status(&server, &confused).await,
        401,
        "HS256 keyed with the public key"
    );
}
