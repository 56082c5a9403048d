//! The e-mail analyzer's upload page (issue 14): a staff member with `payees:read` uploads a
//! saved message (`.eml`) and reads the verdict, the score and every finding explained in their
//! language; a request to pay into new or changed bank details links to the payees, where the
//! change is recorded and verified by call-back. Nothing is stored; the analysis is audited by
//! the core (`mail.analyze`: verdict, score and codes only). Known domains are the payees' and
//! `[mail]`'s; the shop's own domains, trusted receiving hosts and DKIM keys are `[mail]`'s.
//!
//! The upload is `multipart/form-data` (the console's other forms are url-encoded): read here
//! with a small bounded reader, and the session's CSRF token is checked from the form's field
//! before anything is analysed.

use super::Chrome;
use super::i18n::M;
use super::session::{self, StaffPage, session_cookie};
use super::web::{Ctx, Fail, html};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::jaga_mail::Verdict;
use jaga_server::AppState;
use std::sync::Arc;

/// Largest message analysed (the API route's limit).
pub const MESSAGE_LIMIT: usize = 10 * 1024 * 1024;
/// Largest upload body: the message plus the form's other fields and framing.
const UPLOAD_LIMIT: usize = MESSAGE_LIMIT + 64 * 1024;
/// Most parts read from an upload.
const MAX_PARTS: usize = 8;

/// An analysis as the page shows it.
pub struct Shown {
    /// `low`, `medium` or `high` (the page's class).
    pub verdict: &'static str,
    /// The verdict in the reader's language.
    pub verdict_text: String,
    /// "score n of 100".
    pub score: String,
    /// Findings: code and explanation.
    pub indicators: Vec<(String, String)>,
    /// The mail asks to pay into new or changed bank details.
    pub bank_change: bool,
    /// What to do about it: the same words as the CLI's explanation.
    pub advice: String,
    /// Where to start the verification: the sender's payee's change form when the sender
    /// matches a payee, else the payee list.
    pub verify_href: String,
    /// The matched payee's name, if any.
    pub payee_name: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "mail.html")]
struct MailPage {
    c: Chrome,
    result: Option<Shown>,
    error: Option<String>,
}

fn may_use(staff: &StaffPage) -> Result<(), Fail> {
    staff.require_agreement()?;
    if staff.caller.has(Scope::PayeesRead) {
        Ok(())
    } else {
        Err(Fail::Forbidden)
    }
}

fn page(staff: &StaffPage, result: Option<Shown>, error: Option<M>) -> Response {
    let tr = staff.tr();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    html(
        status,
        &MailPage {
            c: staff.chrome(tr.t(M::MailTitle).into(), "mail", "/console/mail"),
            result,
            error: error.map(|m| tr.t(m).to_string()),
        },
    )
}

/// `GET /console/mail`: the upload form.
pub async fn form(staff: StaffPage) -> Result<Response, Fail> {
    may_use(&staff)?;
    Ok(page(&staff, None, None))
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    if !params
        .next()?
        .trim()
        .eq_ignore_ascii_case("multipart/form-data")
    {
        return None;
    }
    let b = params.find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })?;
    (1..=70).contains(&b.len()).then_some(b)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The parts of a `multipart/form-data` body: (field name, content). `None` when the body is
/// not well formed (or has too many parts).
fn parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<(String, &'a [u8])>> {
    let delim = format!("--{boundary}");
    let next = format!("\r\n--{boundary}");
    let mut pos = find(body, delim.as_bytes(), 0)? + delim.len();
    let mut out = Vec::new();
    loop {
        match body.get(pos..pos + 2)? {
            b"--" => return Some(out),
            b"\r\n" => pos += 2,
            _ => return None,
        }
        if out.len() == MAX_PARTS {
            return None;
        }
        let head_end = find(body, b"\r\n\r\n", pos)?;
        let head = std::str::from_utf8(&body[pos..head_end]).ok()?;
        let name = head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            if !k.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            v.split(';').find_map(|p| {
                let (k, v) = p.trim().split_once('=')?;
                (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
            })
        })?;
        let start = head_end + 4;
        let end = find(body, next.as_bytes(), start)?;
        out.push((name, &body[start..end]));
        pos = end + next.len();
    }
}

/// `POST /console/mail`: analyses the uploaded message and shows the result.
pub async fn analyze(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let cookie = session_cookie(req.headers()).ok_or(Fail::Login)?;
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(boundary);
    let body = axum::body::to_bytes(req.into_body(), UPLOAD_LIMIT)
        .await
        .map_err(|_| Fail::TooLarge)?;
    let fields = ctype.and_then(|b| parts(&body, &b)).unwrap_or_default();
    let field = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| *v);
    // The token is checked before anything else is read from the form.
    let token = field(super::web::CSRF_FIELD)
        .and_then(|t| std::str::from_utf8(t).ok())
        .unwrap_or("");
    let staff = session::checked(&state, ctx, cookie, token).await?;
    may_use(&staff)?;
    let raw = field("message").unwrap_or_default();
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(page(&staff, None, Some(M::MailErrEmpty)));
    }
    if raw.len() > MESSAGE_LIMIT {
        return Ok(page(&staff, None, Some(M::MailErrTooLarge)));
    }
    let analyzer = state
        .vault
        .mail_analyzer(&staff.caller)
        .await
        .map_err(Fail::from)?;
    // The payees' domains and what `[mail]` in `jaga.toml` configures.
    let mail_ctx = analyzer.context(None).await.map_err(Fail::from)?;
    let report = match analyzer.analyze(raw, &mail_ctx).await {
        Ok(r) => r,
        Err(CoreError::Invalid(_)) => return Ok(page(&staff, None, Some(M::MailErrUnreadable))),
        Err(e) => return Err(Fail::from(e)),
    };
    let payee = analyzer.sender_payee(raw).await.map_err(Fail::from)?;
    let tr = staff.tr();
    let view = report.view(tr.lang());
    let shown = Shown {
        verdict: view.verdict.as_str(),
        verdict_text: tr
            .t(match view.verdict {
                Verdict::Low => M::MailVerdictLow,
                Verdict::Medium => M::MailVerdictMedium,
                Verdict::High => M::MailVerdictHigh,
            })
            .to_string(),
        score: tr.f(M::MailScore, &[("score", &view.score.to_string())]),
        indicators: view
            .indicators
            .into_iter()
            .map(|i| (i.code.to_string(), i.detail))
            .collect(),
        bank_change: report.bank_details_change(),
        advice: report.advice(tr.lang()).unwrap_or_default().to_string(),
        verify_href: payee.as_ref().map_or_else(
            || "/console/payees".to_string(),
            |p| format!("/console/payees/{}#payee-change", p.id),
        ),
        payee_name: payee.map(|p| p.name),
    };
    Ok(page(&staff, Some(shown), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_are_read_within_bounds() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        let body = b"--xx\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n--xx\r\nContent-Disposition: form-data; name=\"message\"; filename=\"a.eml\"\r\nContent-Type: message/rfc822\r\n\r\nFrom: a@b.c\r\n\r\nhi\r\n--xx--\r\n";
        let p = parts(body, "xx").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0], ("csrf_token".to_string(), &b"tok"[..]));
        assert_eq!(p[1].0, "message");
        assert_eq!(p[1].1, b"From: a@b.c\r\n\r\nhi");
        // Truncated, unterminated or headless bodies are refused, never a panic.
        for bad in [
            &body[..40],
            &b"--xx\r\n\r\n"[..],
            &b"--xx"[..],
            &b""[..],
            &b"--xxjunk"[..],
        ] {
            assert!(parts(bad, "xx").is_none_or(|p| p.is_empty()), "{bad:?}");
        }
        // Too many parts.
        let mut many = String::new();
        for i in 0..=MAX_PARTS {
            many.push_str(&format!(
                "--xx\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n"
            ));
        }
        many.push_str("--xx--\r\n");
        assert!(parts(many.as_bytes(), "xx").is_none());
    }
}
