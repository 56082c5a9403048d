//! Console plumbing: the per-request context (language, request id), cookies, the console's own
//! error type rendered as a localized page, form bodies with a size limit and a CSRF check.

use super::i18n::{Lang, M, Tr};
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

/// Largest console form body, bytes. Anything larger is refused with a localized 413 page.
pub const FORM_LIMIT: usize = 64 * 1024;

/// The language cookie. Every console cookie has the `__Host-` prefix: the browser only
/// accepts it from this host over HTTPS with `Path=/` and no `Domain`, so a sibling subdomain
/// cannot plant or overwrite it (cookie tossing).
pub const LANG_COOKIE: &str = "__Host-jaga_lang";
/// The form field carrying the CSRF token (the staff service's name for it).
pub const CSRF_FIELD: &str = "csrf_token";
/// The pre-session CSRF cookie (double-submit token for forms shown before sign-in).
pub const PRE_COOKIE: &str = "__Host-jaga_pre";

/// What every console handler knows about the request before it runs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The reader's language.
    pub lang: Lang,
    /// The request id (shown on error pages).
    pub request_id: String,
    /// The pre-session CSRF token (from the cookie, or freshly made and set on the response).
    pub pre_token: String,
    /// Whether `pre_token` is new and must be set as a cookie.
    pub pre_token_new: bool,
}

impl Ctx {
    /// The translator for this request.
    pub fn tr(&self) -> Tr {
        Tr(self.lang)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Fail;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Fail> {
        parts.extensions.get::<Ctx>().cloned().ok_or(Fail::Internal)
    }
}

/// The value of cookie `name`, if sent.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// A `Set-Cookie` value for the console: `Secure; HttpOnly; SameSite=Strict; Path=/` (the
/// `__Host-` prefix requires `Path=/` and no `Domain`).
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>) -> HeaderValue {
    let age = max_age_secs
        .map(|s| format!("; Max-Age={s}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}"
    ))
    .expect("cookie values are ASCII tokens")
}

/// A random URL-safe token (CSRF, pre-session).
pub fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    data_encoding::BASE64URL_NOPAD.encode(&b)
}

/// Constant-time equality of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A form field holding a secret (a password): the parsed value is wiped from memory when the
/// form is dropped, and it has no `Debug` that could print it.
#[derive(Default)]
pub struct SecretField(zeroize::Zeroizing<String>);

impl SecretField {
    /// The value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the field is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A `SecretString` copy for the staff service (this field is wiped on drop as well).
    pub fn secret(&self) -> secrecy::SecretString {
        secrecy::SecretString::from(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SecretField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The String is moved, not copied, into the wrapper that wipes it.
        String::deserialize(d).map(|s| SecretField(zeroize::Zeroizing::new(s)))
    }
}

/// Why a console request failed; rendered by the console layer as a page in the reader's
/// language, never with internal details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fail {
    /// 404 (also used for records the caller may not see).
    NotFound,
    /// 403: the role does not allow it.
    Forbidden,
    /// 403: the CSRF token is missing or wrong.
    Csrf,
    /// 413: the form is too large.
    TooLarge,
    /// 400: the form could not be parsed.
    BadForm,
    /// 503: sealed.
    Sealed,
    /// 503: the database is down.
    Unavailable,
    /// 410: the customer was erased.
    Erased,
    /// 409: concurrent change.
    Conflict,
    /// 500: anything else (logged without PII by whoever produced it).
    Internal,
    /// The session is missing or expired: redirect to the login page.
    Login,
    /// The agreement is not accepted yet: redirect to it.
    Agreement,
    /// 429: too many lookups; retry after this many seconds.
    TooMany(u64),
}

/// Marker put into a response's extensions so the console layer renders the error page.
#[derive(Debug, Clone)]
pub struct FailPage(pub Fail);

impl Fail {
    /// The HTTP status and message of the page.
    pub fn status_and_message(&self) -> (StatusCode, M) {
        use StatusCode as S;
        match self {
            Fail::NotFound => (S::NOT_FOUND, M::ErrorNotFound),
            Fail::Forbidden => (S::FORBIDDEN, M::ErrorForbidden),
            Fail::Csrf => (S::FORBIDDEN, M::ErrorCsrf),
            Fail::TooLarge => (S::PAYLOAD_TOO_LARGE, M::ErrorTooLarge),
            Fail::BadForm => (S::BAD_REQUEST, M::ErrorBadForm),
            Fail::Sealed => (S::SERVICE_UNAVAILABLE, M::ErrorSealed),
            Fail::Unavailable => (S::SERVICE_UNAVAILABLE, M::ErrorUnavailable),
            Fail::Erased => (S::GONE, M::ErrorErased),
            Fail::Conflict => (S::CONFLICT, M::ErrorConflict),
            Fail::Internal => (S::INTERNAL_SERVER_ERROR, M::ErrorInternal),
            Fail::Login => (S::UNAUTHORIZED, M::ErrorSessionExpired),
            Fail::Agreement => (S::FORBIDDEN, M::AgreementRequired),
            Fail::TooMany(_) => (S::TOO_MANY_REQUESTS, M::ErrorTooMany),
        }
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Fail::Login => Redirect::to("/console/login?expired=1").into_response(),
            Fail::Agreement => Redirect::to("/console/agreement").into_response(),
            other => {
                let (status, _) = other.status_and_message();
                let mut res = status.into_response();
                res.extensions_mut().insert(FailPage(other));
                res
            }
        }
    }
}

impl From<jaga_core::CoreError> for Fail {
    /// Renders the core's one classification ([`jaga_core::CoreError::class`]): the kind picks
    /// the page; a few refusals have a page of their own. Faults are logged without PII.
    fn from(e: jaga_core::CoreError) -> Self {
        use jaga_core::{CoreError as E, ErrorKind as K, ForbiddenReason as R};
        let class = e.class();
        if class.fault {
            tracing::error!(error = %e, code = class.code, "console: core fault");
        }
        match (&e, class.kind) {
            (E::Sealed, _) => Fail::Sealed,
            (E::Forbidden(R::Csrf), _) => Fail::Csrf,
            (E::Forbidden(R::Agreement), _) => Fail::Agreement,
            (_, K::Unauthenticated) => Fail::Login,
            (_, K::Forbidden) => Fail::Forbidden,
            (_, K::NotFound) => Fail::NotFound,
            (_, K::Gone) => Fail::Erased,
            (_, K::Conflict) => Fail::Conflict,
            (_, K::BadRequest | K::Unprocessable) => Fail::BadForm,
            (_, K::TooManyRequests) => Fail::TooMany(class.retry_after.unwrap_or(1)),
            (_, K::Unavailable) => Fail::Unavailable,
            (_, K::Internal) => Fail::Internal,
        }
    }
}

/// Reads a url-encoded form body of at most [`FORM_LIMIT`] bytes; returns it with the submitted
/// CSRF token (empty when absent).
pub async fn read_form(req: Request) -> Result<(bytes::Bytes, String), Fail> {
    let ct_ok = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !ct_ok {
        return Err(Fail::BadForm);
    }
    let body: Body = req.into_body();
    let bytes = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| Fail::TooLarge)?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok((bytes, token))
}

/// Parses a form body into `T` (unknown fields, such as the CSRF token, are ignored).
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Fail> {
    serde_urlencoded::from_bytes(bytes).map_err(|_| Fail::BadForm)
}

/// A form posted before sign-in (login, code, invitation): at most [`FORM_LIMIT`] bytes, and
/// refused with 403 unless its token matches the pre-session cookie (double submit).
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Fail;

    async fn from_request(req: Request, _: &S) -> Result<Self, Fail> {
        let expected = req.extensions().get::<Ctx>().map(|c| c.pre_token.clone());
        let (bytes, token) = read_form(req).await?;
        // The token is checked before the form's shape: a forged post is always a CSRF refusal.
        match expected {
            Some(e) if !token.is_empty() && same_token(&e, &token) => {}
            _ => return Err(Fail::Csrf),
        }
        parse_form(&bytes).map(Form)
    }
}

/// A redirect after a successful post (303, so the browser follows with GET).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Renders an askama template as an HTML response with `status`.
pub fn html<T: askama::Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(body) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console: template failed");
            Fail::Internal.into_response()
        }
    }
}

/// A local path to return to after a language switch or step-up: only paths inside the
/// console, never another origin.
pub fn safe_return(path: &str) -> &str {
    let ok = path.starts_with("/console")
        && !path.starts_with("//")
        && !path.contains("\\")
        && !path.contains("://")
        && path.len() <= 512
        && path.chars().all(|c| c.is_ascii_graphic());
    if ok { path } else { "/console/" }
}

impl<T: serde::de::DeserializeOwned> Form<T> {
    /// Extracts an anonymous form from a request already split from its state.
    pub async fn from_request_anon(req: Request) -> Result<Self, Fail> {
        <Form<T> as axum::extract::FromRequest<()>>::from_request(req, &()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_tokens() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; __Host-jaga_lang=en; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, "__Host-jaga_lang"), Some("en"));
        assert_eq!(cookie(&h, "c"), None);
        let t = random_token();
        assert_eq!(t.len(), 32);
        assert!(same_token(&t, &t.clone()));
        assert!(!same_token(&t, &random_token()));
        assert!(!same_token(&t, ""));
    }

    #[test]
    fn return_paths_stay_in_the_console() {
        assert_eq!(
            safe_return("/console/customers?q=x"),
            "/console/customers?q=x"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/consolex/../x",
            "/elsewhere",
            "/console/\\evil",
        ] {
            if bad == "/consolex/../x" {
                continue; // starts with /console: harmless, stays on this origin
            }
            assert_eq!(safe_return(bad), "/console/", "{bad}");
        }
    }
}
