//! A browser without redirects for the page tests: keeps cookies by hand so a test sees every
//! Set-Cookie, signs in through the sign-in form, reads a page's CSRF value.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};

/// A browser without redirects, keeping cookies by hand so the test sees every Set-Cookie.
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    pub(crate) fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_owned(),
            cookies: Vec::new(),
        }
    }

    pub(crate) fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, response: &reqwest::Response) -> Vec<String> {
        let set: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect();
        for line in &set {
            let pair = line.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(kept, _)| kept != name);
                if !value.is_empty() {
                    self.cookies.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        set
    }

    pub(crate) async fn get(
        &mut self,
        path: &str,
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .expect("the server answers");
        self.keep(&response);
        let status = response.status();
        let headers = response.headers().clone();
        (status, response.text().await.unwrap_or_default(), headers)
    }

    pub(crate) async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("the server answers");
        self.keep(&response);
        let status = response.status();
        let headers = response.headers().clone();
        (status, response.text().await.unwrap_or_default(), headers)
    }

    pub(crate) async fn post_files(
        &mut self,
        path: &str,
        csrf: Option<&str>,
        files: &[(&str, &[u8])],
    ) -> (StatusCode, String) {
        let mut form = reqwest::multipart::Form::new();
        if let Some(csrf) = csrf {
            form = form.text("csrf", csrf.to_owned());
        }
        for (name, bytes) in files {
            form = form.part(
                (*name).to_owned(),
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("scan.pdf"),
            );
        }
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .expect("the server answers");
        self.keep(&response);
        let status = response.status();
        (status, response.text().await.unwrap_or_default())
    }

    /// The CSRF value a page's forms carry.
    pub(crate) fn csrf_of(page: &str) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = page
            .find(marker)
            .expect("the page has a form with a CSRF value")
            + marker.len();
        page[start..start + 64].to_owned()
    }

    /// Signs in with a token through the sign-in form; returns the session cookie's attributes.
    pub(crate) async fn sign_in(&mut self, token: &str) -> String {
        let (status, page, _) = self.get("/sign-in").await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let csrf = Self::csrf_of(&page);
        let (status, body, headers) = self
            .post(
                "/sign-in",
                &[("csrf", &csrf), ("token", token), ("next", "/")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "signing in: {body}");
        headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|line| line.starts_with("hoso_session="))
            .expect("a session cookie")
            .to_owned()
    }
}
