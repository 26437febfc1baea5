//! The web pages (`/`): server-rendered HTML for citizens, officers and auditors, on the same
//! rules as the API.
//!
//! Safe by default: a session is a random cookie (HttpOnly, SameSite=Strict, Secure unless the
//! server listens on loopback) whose hash is stored with an expiry and rides on the token its
//! user signed in with; every form carries a CSRF value that the server compares with the
//! session's (or, before signing in, with a cookie of its own); every page is sent with a
//! Content-Security-Policy that allows no script and no inline style.

mod deadline;
mod design;
mod i18n;
mod lookup;
mod pages;
mod reports;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, Utc};
use hoso_engine::messages::Denial;
use sha2::{Digest, Sha256};

use crate::access::{Secret, User, UserKind};
use crate::app::AppError;
use crate::app::AppState;
use crate::app::Principal;
use hoso_engine::ports::Access as _;
pub use i18n::{Lang, Speaks, Words};

/// The session cookie.
/// The session cookie of a signed-in visitor.
pub const SESSION_COOKIE: &str = "hoso_session";
/// The CSRF cookie of visitors who have not signed in.
const CSRF_COOKIE: &str = "hoso_csrf";
/// The language cookie.
const LANG_COOKIE: &str = "hoso_lang";
/// How long a session lasts, whatever its user does: one working day.
pub const SESSION_HOURS: i64 = 8;

/// Pages allow nothing but this server's own styles, images and form targets.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// Printable forms carry their own print styles inline; still no script.
const PRINT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The web pages' routes, with their security headers.
pub fn router(state: AppState) -> Router<AppState> {
    // The pay button's form is answered with a redirect to the gateway, which form-action must
    // allow; nothing else leaves this site. The policy is fixed for the server's life.
    let policy = match state
        .vnpay
        .as_deref()
        .and_then(|vnpay| origin(&vnpay.pay_url))
    {
        Some(gateway) => HeaderValue::from_str(&PAGE_POLICY.replace(
            "form-action 'self'",
            &format!("form-action 'self' {gateway}"),
        ))
        .unwrap_or(HeaderValue::from_static(PAGE_POLICY)),
        None => HeaderValue::from_static(PAGE_POLICY),
    };
    pages::routes().layer(middleware::from_fn(move |request: Request, next: Next| {
        security_headers(policy.clone(), request, next)
    }))
}

/// The language chosen in the visitor's cookie; Vietnamese without one.
fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|value| Lang::parse(&value))
        .unwrap_or(Lang::Vi)
}

async fn security_headers(policy: HeaderValue, request: Request, next: Next) -> Response {
    // A page speaks the visitor's chosen language, not the browser's Accept-Language: its
    // refusals, field messages and error page alike read it through `request_lang`.
    let lang = lang_of(request.headers());
    let mut response = crate::app::error::in_language(lang, next.run(request)).await;
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(policy);
    // nosniff is on every answer, pages or not: the HTTP layer's content_headers sets it.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Who is looking at a page: their account if signed in, the CSRF value their forms must send,
/// and their language.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The signed-in user.
    pub user: Option<User>,
    /// The value every form sends back as `csrf`.
    pub csrf: String,
    /// The session cookie's hash, when signed in.
    session: Option<String>,
    /// A CSRF cookie to set: the visitor had none yet.
    fresh_csrf: bool,
    /// Vietnamese or English.
    pub lang: Lang,
    /// For officers and auditors, from [`crate::calendars::BANNER_DAYS`] before the official
    /// calendars end: the days left and their last day.
    pub calendar_warning: Option<(i64, Option<chrono::NaiveDate>)>,
    /// Signed in through the OpenID provider (not with a hoso token): a citizen, perhaps acting
    /// for the organisation with this tax code.
    pub sso: Option<Option<String>>,
}

impl Visitor {
    /// Reads the cookies; a session that is unknown, expired or whose token was revoked counts
    /// as none.
    pub async fn of(state: &AppState, headers: &HeaderMap) -> Result<Self, AppError> {
        let lang = lang_of(headers);
        if let Some(id) = cookie(headers, SESSION_COOKIE) {
            let hash = hash(&id);
            if let Some((user, csrf)) = state.service.store().web_session(&hash, Utc::now()).await?
            {
                let calendar_warning = matches!(user.kind, UserKind::Officer | UserKind::Auditor)
                    .then(|| {
                        crate::calendars::ending_within(
                            &state.service.calendars(),
                            crate::calendars::today(),
                            crate::calendars::BANNER_DAYS,
                        )
                    })
                    .flatten();
                return Ok(Self {
                    user: Some(user),
                    csrf,
                    session: Some(hash),
                    fresh_csrf: false,
                    lang,
                    calendar_warning,
                    sso: None,
                });
            }
            if let Some((citizen, csrf)) = state
                .service
                .store()
                .citizen_session(&hash, Utc::now())
                .await?
            {
                return Ok(Self {
                    user: Some(User {
                        id: format!("sso:{}", citizen.citizen_id),
                        name: citizen.name,
                        kind: UserKind::Citizen,
                        role: None,
                        unit: None,
                        citizen_id: Some(citizen.citizen_id),
                    }),
                    csrf,
                    session: Some(hash),
                    fresh_csrf: false,
                    lang,
                    calendar_warning: None,
                    sso: Some(citizen.organisation),
                });
            }
        }
        let (csrf, fresh_csrf) = match cookie(headers, CSRF_COOKIE).filter(|value| is_token(value))
        {
            Some(value) => (value, false),
            None => (random_hex()?, true),
        };
        Ok(Self {
            user: None,
            csrf,
            session: None,
            fresh_csrf,
            lang,
            calendar_warning: None,
            sso: None,
        })
    }

    /// The words of the visitor's language.
    pub fn words(&self) -> &'static Words {
        self.lang.words()
    }

    /// The caller as the API sees them.
    pub fn principal(&self) -> Option<Principal> {
        let user = self.user.clone()?;
        Some(match (&self.sso, user.citizen_id) {
            (Some(organisation), Some(citizen_id)) => Principal::Citizen {
                citizen_id,
                organisation: organisation.clone(),
            },
            (_, citizen_id) => Principal::Staff(User { citizen_id, ..user }),
        })
    }

    /// Refuses a form whose `csrf` field is not this visitor's value.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), WebError> {
        let expected = Sha256::digest(self.csrf.as_bytes());
        let matches = sent.is_some_and(|sent| Sha256::digest(sent.as_bytes()) == expected);
        if matches {
            Ok(())
        } else {
            Err(WebError::Forbidden(self.words().csrf_refused.to_owned()))
        }
    }
}

/// A rendered page with the cookies it must set.
pub fn page(visitor: &Visitor, status: StatusCode, html: String, secure: bool) -> Response {
    let mut response = (status, Html(html)).into_response();
    if visitor.fresh_csrf {
        set_cookie(
            &mut response,
            CSRF_COOKIE,
            &visitor.csrf,
            Some(SESSION_HOURS * 3600),
            secure,
        );
    }
    response
}

fn set_cookie(
    response: &mut Response,
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
) {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(seconds) = max_age {
        text.push_str(&format!("; Max-Age={seconds}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    if let Ok(value) = HeaderValue::from_str(&text) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Opens a session for a token's holder and sends them to `next`.
pub async fn sign_in(
    state: &AppState,
    token: &str,
    next: &str,
    secure: bool,
) -> Result<Option<Response>, AppError> {
    let token_hash = Secret::from_client(token.trim()).hash();
    let now = Utc::now();
    if state
        .service
        .store()
        .user_by_token(&token_hash, now)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let id = random_hex()?;
    let csrf = random_hex()?;
    state
        .service
        .store()
        .add_web_session(&crate::access::NewWebSession {
            id_hash: &hash(&id),
            token_hash: &token_hash,
            csrf: &csrf,
            now,
            expires_at: now + Duration::hours(SESSION_HOURS),
        })
        .await?;
    let mut response = Redirect::to(next).into_response();
    set_cookie(
        &mut response,
        SESSION_COOKIE,
        &id,
        Some(SESSION_HOURS * 3600),
        secure,
    );
    Ok(Some(response))
}

/// Opens a citizen's session after a sign-in through the provider. The answer is a page that
/// moves on to `next` by itself: the browser arrived from the provider's site, and the session
/// cookie (SameSite=Strict) is sent only on a navigation that starts here.
pub async fn open_citizen_session(
    state: &AppState,
    session: &hoso_engine::ports::CitizenSession,
    next: &str,
) -> Result<Response, AppError> {
    let id = random_hex()?;
    let csrf = random_hex()?;
    let now = Utc::now();
    state
        .service
        .store()
        .add_citizen_session(
            &hash(&id),
            session,
            &csrf,
            now,
            now + Duration::hours(SESSION_HOURS),
        )
        .await?;
    let next = local_path(Some(next));
    let escaped = next.replace('&', "&amp;").replace('"', "&quot;");
    let html = format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={escaped}\"><title>Đăng nhập thành công</title></head><body><p>Đăng nhập thành công. <a href=\"{escaped}\">Tiếp tục</a></p></body></html>"
    );
    let mut response = Html(html).into_response();
    set_cookie(
        &mut response,
        SESSION_COOKIE,
        &id,
        Some(SESSION_HOURS * 3600),
        state.secure_cookies,
    );
    if let Ok(value) =
        HeaderValue::from_str("hoso_sso=; Path=/dang-nhap; HttpOnly; SameSite=Lax; Max-Age=0")
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Ends the visitor's session and clears its cookie.
pub async fn sign_out(
    state: &AppState,
    visitor: &Visitor,
    secure: bool,
) -> Result<Response, AppError> {
    if let Some(session) = &visitor.session {
        state.service.store().end_web_session(session).await?;
    }
    let mut response = Redirect::to("/").into_response();
    set_cookie(&mut response, SESSION_COOKIE, "", Some(0), secure);
    Ok(response)
}

/// A same-site path to return to after signing in; anything else becomes `/`.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 300
                && path.bytes().all(|byte| byte.is_ascii_graphic()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `scheme://host[:port]` of a URL, if it has a plain one.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || b".-:[]".contains(&byte))
    };
    (matches!(scheme, "https" | "http") && plain(host)).then(|| format!("{scheme}://{host}"))
}

/// A cookie's value from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|byte| byte.is_ascii_hexdigit())
}

fn random_hex() -> Result<String, AppError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(format!("no randomness from the system: {error}")))?;
    Ok(hex::encode(bytes))
}

fn hash(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// Why a page could not be shown; rendered as a page, never as JSON.
#[derive(Debug)]
pub enum WebError {
    /// Not signed in: go to the sign-in page, then come back.
    SignIn(String),
    /// Signed in, but not allowed.
    Forbidden(String),
    /// No such thing (or not yours).
    NotFound(String),
    /// Something the visitor sent is wrong.
    BadRequest(String),
    /// Not possible now.
    Conflict(String),
    /// What was sent is larger than the server takes (413), said in the visitor's words.
    TooLarge(String),
    /// The server cannot take it now (a full disk, the database down): 503, try again later.
    Unavailable(String),
    /// The server failed.
    Internal(String),
}

/// What a page says when an upload is too large, with the limits in MB.
pub fn too_large_text(limits: &crate::app::Limits) -> String {
    format!(
        "Tệp gửi lên quá lớn: mỗi giấy tờ tối đa {} MB, cả hồ sơ tối đa {} MB. Vui lòng giảm dung lượng tệp (ví dụ quét với độ phân giải thấp hơn hoặc nén PDF) rồi gửi lại.",
        limits.upload_bytes / (1024 * 1024),
        limits.submission_bytes / (1024 * 1024)
    )
}

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        let lang = crate::app::error::request_lang();
        match error {
            AppError::Unauthorized(why) => Self::SignIn(why.text(lang)),
            AppError::Forbidden(why) => Self::Forbidden(why.text(lang)),
            AppError::NotFound(why) => Self::NotFound(why.text(lang)),
            AppError::Conflict(why) | AppError::KeyReused(why) => Self::Conflict(why.text(lang)),
            AppError::Unavailable(why) => Self::Unavailable(why),
            AppError::Internal(why) => Self::Internal(why),
            AppError::TooLarge(why) => Self::TooLarge(why.text(lang)),
            AppError::BadRequest(why)
            | AppError::MethodNotAllowed(why)
            | AppError::UnsupportedType(why) => Self::BadRequest(why.text(lang)),
            AppError::Invalid(problems) => {
                Self::BadRequest(crate::app::error::summary(&problems, lang))
            }
            AppError::Timeout => Self::Internal("the request took too long".to_owned()),
            AppError::RateLimited(seconds) => {
                Self::BadRequest(Denial::RateLimited { seconds }.text(lang))
            }
        }
    }
}

impl From<hoso_engine::ports::StoreError> for WebError {
    fn from(error: hoso_engine::ports::StoreError) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let lang = crate::app::error::request_lang();
        let (status, why) = match self {
            Self::SignIn(next) => {
                return Redirect::to(&format!("/sign-in?next={}", encode(&next))).into_response();
            }
            Self::Forbidden(why) => (StatusCode::FORBIDDEN, why),
            Self::NotFound(why) => (StatusCode::NOT_FOUND, why),
            Self::BadRequest(why) => (StatusCode::BAD_REQUEST, why),
            Self::Conflict(why) => (StatusCode::CONFLICT, why),
            Self::TooLarge(why) => (StatusCode::PAYLOAD_TOO_LARGE, why),
            Self::Unavailable(why) => {
                tracing::warn!(%why, "a web page could not be served now");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    lang.words().unavailable_page.to_owned(),
                )
            }
            Self::Internal(why) => {
                tracing::error!(%why, "a web page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    lang.words().failed_page.to_owned(),
                )
            }
        };
        let html = pages::error_page(status, &why, lang);
        (status, Html(html)).into_response()
    }
}

/// The page for an address no page answers, in the visitor's language with a way back.
pub fn page_not_found(headers: &HeaderMap) -> Response {
    let lang = lang_of(headers);
    (
        StatusCode::NOT_FOUND,
        Html(pages::error_page(
            StatusCode::NOT_FOUND,
            lang.words().no_such_page,
            lang,
        )),
    )
        .into_response()
}

/// A multipart form as sent: its text fields, and each chosen file as (field, file name, bytes)
/// with the `doc:` prefix of document inputs taken off the field.
pub(super) struct Parts {
    /// Text fields by name (the last of a repeated name).
    pub fields: std::collections::BTreeMap<String, String>,
    /// Files that were chosen; an input left empty sends none.
    pub files: Vec<(String, String, axum::body::Bytes)>,
}

impl Parts {
    /// Reads the whole form (its size is bounded by the router's body limit); a file larger than
    /// the per-document limit, or a body over the total, is a Vietnamese 413 page.
    pub async fn read(
        mut multipart: axum::extract::Multipart,
        limits: &crate::app::Limits,
    ) -> Result<Self, WebError> {
        let mut parts = Self {
            fields: std::collections::BTreeMap::new(),
            files: Vec::new(),
        };
        let unreadable = |error: axum::extract::multipart::MultipartError| {
            match crate::app::uploads::multipart_error(&error) {
                AppError::TooLarge(_) => WebError::TooLarge(too_large_text(limits)),
                _ => WebError::BadRequest(error.body_text()),
            }
        };
        while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
            let name = part.name().unwrap_or_default().to_owned();
            let file_name = part.file_name().map(str::to_owned);
            let bytes = part.bytes().await.map_err(unreadable)?;
            if file_name.is_some() && bytes.len() > limits.upload_bytes {
                return Err(WebError::TooLarge(too_large_text(limits)));
            }
            match file_name {
                Some(file_name) if !bytes.is_empty() => {
                    let field = name.strip_prefix("doc:").unwrap_or(&name).to_owned();
                    parts.files.push((field, file_name, bytes));
                }
                Some(_) => {}
                None => {
                    parts
                        .fields
                        .insert(name, String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
        Ok(parts)
    }

    /// A text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The header that lets printable forms keep their inline print styles.
pub fn print_policy() -> (header::HeaderName, HeaderValue) {
    (
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PRINT_POLICY),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_site_paths_are_followed_after_signing_in() {
        assert_eq!(
            local_path(Some("/dossiers/000.00.17.H21-261129-0001")),
            "/dossiers/000.00.17.H21-261129-0001"
        );
        for hostile in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "/a b",
            "",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_off_loopback() {
        let mut response = Response::new(axum::body::Body::empty());
        set_cookie(&mut response, SESSION_COOKIE, "abc", Some(60), true);
        set_cookie(&mut response, CSRF_COOKIE, "def", None, false);
        let cookies: Vec<&str> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        assert_eq!(
            cookies,
            [
                "hoso_session=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure",
                "hoso_csrf=def; Path=/; HttpOnly; SameSite=Strict",
            ]
        );
    }

    #[test]
    fn the_gateway_origin_is_read_from_its_url_or_not_at_all() {
        assert_eq!(
            origin("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html").as_deref(),
            Some("https://sandbox.vnpayment.vn")
        );
        assert_eq!(
            origin("http://127.0.0.1:9/pay").as_deref(),
            Some("http://127.0.0.1:9")
        );
        assert_eq!(origin("https://a.example'; script-src *").as_deref(), None);
        assert_eq!(origin("ftp://a.example/").as_deref(), None);
    }

    #[test]
    fn a_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; hoso_lang=en; b=2"),
        );
        assert_eq!(cookie(&headers, LANG_COOKIE).as_deref(), Some("en"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), None);
    }
}
