//! Onboarding: accepting an invitation (password), TOTP enrolment (QR code, recovery codes) and
//! the confidentiality agreement.

use crate::Chrome;
use crate::i18n::M;
use crate::session::{self, StaffForm, StaffPage, client_info, session_cookie};
use crate::signin::{CodeForm, pending_form, step_error, with_session};
use crate::web::{Ctx, Fail, Form, SecretField, html, see_other};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::staff::TotpEnrolment;
use jaga_server::AppState;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::sync::Arc;

#[derive(askama::Template)]
#[template(path = "invite.html")]
struct InvitePage {
    c: Chrome,
    intro: String,
    action: String,
    token: String,
    ask_email: bool,
    email: String,
    name: String,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "enrol.html")]
pub(crate) struct EnrolPage {
    pub(crate) c: Chrome,
    pub(crate) action: String,
    pub(crate) secret: String,
    pub(crate) qr_data_uri: String,
    pub(crate) error: Option<String>,
    /// A pending authenticator replacement's ticket (my account), posted back with the code.
    pub(crate) ticket: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "recovery.html")]
pub(crate) struct RecoveryPage {
    pub c: Chrome,
    pub codes: Vec<String>,
    pub next: String,
}

impl RecoveryPage {
    /// The codes as a text file for the download link (a `data:` URL: nothing is stored).
    pub fn download_uri(&self) -> String {
        let text = self.codes.join("\n") + "\n";
        let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
        format!(
            "data:text/plain;charset=utf-8,{}",
            encoded.replace('+', "%20")
        )
    }
}

/// A TOTP secret for typing: groups of four (`ABCD EFGH …`).
pub(crate) fn grouped(secret: &str) -> String {
    secret
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(askama::Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    c: Chrome,
    text: String,
    version: String,
}

/// The TOTP URI's QR code (SVG, drawn by the edge's [`jaga_server::totp::qr_svg`]) as a
/// `data:` URI for an `<img>`: allowed by the CSP (`img-src 'self' data:`), and an image cannot
/// run script. A URI too long for a QR code (it cannot happen with the lengths the core allows)
/// leaves the image empty; the secret is on the page for manual entry.
pub(crate) fn qr_uri(e: &TotpEnrolment) -> String {
    use base64::Engine;
    let svg = jaga_server::totp::qr_svg(&e.otpauth_uri).unwrap_or_default();
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg.as_bytes())
    )
}

fn enrol_page(
    ctx: &Ctx,
    csrf: String,
    e: &TotpEnrolment,
    error: Option<M>,
    status: StatusCode,
) -> Response {
    html(
        status,
        &EnrolPage {
            c: Chrome {
                csrf,
                ..Chrome::anonymous(ctx, M::EnrolTitle, "/console/enrol")
            },
            action: "/console/enrol".into(),
            secret: grouped(&e.secret),
            qr_data_uri: qr_uri(e),
            error: error.map(|m| ctx.tr().t(m).to_string()),
            ticket: None,
        },
    )
}

/// `GET /console/enrol`: the QR code and secret of an enrolling session.
pub async fn enrol_form(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    headers: HeaderMap,
) -> Result<Response, Fail> {
    let cookie = session_cookie(&headers).ok_or(Fail::Login)?;
    let e = state
        .staff
        .enrolment(&cookie)
        .await
        .map_err(session::auth_fail)?;
    let csrf = state
        .staff
        .csrf_token(&cookie)
        .await
        .map_err(session::auth_fail)?;
    Ok(enrol_page(&ctx, csrf, &e, None, StatusCode::OK))
}

/// `POST /console/enrol`: confirms the first code; shows the recovery codes once.
pub async fn enrol(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let (cookie, csrf, f) = pending_form::<CodeForm>(req).await?;
    let code: String = f
        .code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(16)
        .collect();
    match state
        .staff
        .confirm_totp(&cookie, &csrf, &code, &client)
        .await
    {
        Ok((s, codes)) => {
            let page = RecoveryPage {
                c: Chrome::anonymous(&ctx, M::RecoveryTitle, "/console/"),
                codes: codes
                    .0
                    .iter()
                    .map(|c| c.expose_secret().to_string())
                    .collect(),
                next: "/console/".into(),
            };
            Ok(with_session(html(StatusCode::OK, &page), &s))
        }
        Err(e) => {
            let (status, m) = step_error(e)?;
            let en = state
                .staff
                .enrolment(&cookie)
                .await
                .map_err(session::auth_fail)?;
            let csrf = state
                .staff
                .csrf_token(&cookie)
                .await
                .map_err(session::auth_fail)?;
            Ok(enrol_page(&ctx, csrf, &en, Some(m), status))
        }
    }
}

/// The fields of `InviteQuery`.
#[derive(Deserialize)]
pub struct InviteQuery {
    #[serde(default)]
    token: String,
}

fn invite_page(
    ctx: &Ctx,
    token: &str,
    email: Option<&str>,
    entered: (&str, &str),
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let tr = ctx.tr();
    // Switching the language comes back to this invitation (the token is needed to open it).
    let here = format!(
        "/console/invite?{}",
        form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token)
            .finish()
    );
    html(
        status,
        &InvitePage {
            c: Chrome::anonymous(ctx, M::InviteTitle, &here),
            // The first admin's invitation names no e-mail: the sentence does not either.
            intro: match email {
                Some(e) if !e.is_empty() => tr.f(M::InviteIntro, &[("email", e)]),
                _ => tr.t(M::InviteIntroFirstAdmin).to_string(),
            },
            action: "/console/invite".into(),
            token: token.to_string(),
            ask_email: email.is_none(),
            email: crate::refusal::shown(&entered.0.chars().take(254).collect::<String>()),
            name: crate::refusal::shown(&entered.1.chars().take(100).collect::<String>()),
            error,
        },
    )
}

fn invalid_invitation(ctx: &Ctx) -> Response {
    let mut page = Chrome::anonymous(ctx, M::InviteTitle, "/console/invite");
    page.narrow = true;
    let (status, _) = Fail::NotFound.status_and_message();
    html(
        status,
        &super::ErrorPage {
            c: page,
            message: ctx.tr().t(M::InviteInvalid).into(),
            request_id: ctx.request_id.clone(),
        },
    )
}

/// `GET /console/invite?token=…`: choose a name and password.
pub async fn invite_form(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    Query(q): Query<InviteQuery>,
    req: Request,
) -> Result<Response, Fail> {
    if q.token.is_empty() || q.token.len() > 128 {
        return Ok(invalid_invitation(&ctx));
    }
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    match state.staff.invitation_info(&q.token, &client).await {
        Ok(info) => Ok(invite_page(
            &ctx,
            &q.token,
            info.email.as_deref(),
            ("", ""),
            None,
            StatusCode::OK,
        )),
        Err(CoreError::Invalid(_)) | Err(CoreError::NotFound) => Ok(invalid_invitation(&ctx)),
        Err(e) => Err(Fail::from(e)),
    }
}

/// The fields of `InviteForm`.
#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: SecretField,
    #[serde(default)]
    confirm: SecretField,
}

/// `POST /console/invite`: creates the account and continues to TOTP enrolment.
pub async fn invite(
    State(state): State<Arc<AppState>>,
    ctx: Ctx,
    req: Request,
) -> Result<Response, Fail> {
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let Form(f) = Form::<InviteForm>::from_request_anon(req).await?;
    let tr = ctx.tr();
    if f.token.is_empty() || f.token.len() > 128 {
        return Ok(invalid_invitation(&ctx));
    }
    let info = match state.staff.invitation_info(&f.token, &client).await {
        Ok(i) => i,
        Err(CoreError::Invalid(_)) | Err(CoreError::NotFound) => {
            return Ok(invalid_invitation(&ctx));
        }
        Err(e) => return Err(Fail::from(e)),
    };
    let again = |msg: String| {
        invite_page(
            &ctx,
            &f.token,
            info.email.as_deref(),
            (&f.email, &f.name),
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if f.password.as_str() != f.confirm.as_str() {
        return Ok(again(tr.t(M::PasswordMismatch).into()));
    }
    if f.name.trim().is_empty() {
        return Ok(again(format!(
            "{}: {}",
            tr.t(M::FieldYourName),
            tr.t(M::VRequired)
        )));
    }
    let pw = f.password.secret();
    let email = (info.email.is_none()).then_some(f.email.trim());
    match state
        .staff
        .accept_invitation(&f.token, email, &f.name, &pw, &client)
        .await
    {
        Ok((s, _)) => Ok(with_session(see_other("/console/enrol"), &s)),
        Err(CoreError::Invalid(errs)) => {
            if errs.iter().any(|e| e.code == "invalid_invitation") {
                return Ok(invalid_invitation(&ctx));
            }
            let msg = errs
                .iter()
                .map(|e| {
                    let label = match e.field.as_str() {
                        "password" => tr.t(M::FieldNewPassword),
                        "email" => tr.t(M::FieldEmail),
                        _ => tr.t(M::FieldYourName),
                    };
                    format!("{label}: {}", super::i18n::validation(tr, e.code, &e.field))
                })
                .collect::<Vec<_>>()
                .join(" ");
            Ok(again(msg))
        }
        Err(CoreError::Conflict(_)) => Ok(again(tr.t(M::StaffEmailTaken).into())),
        Err(e) => Err(Fail::from(e)),
    }
}

/// `GET /console/agreement`.
pub async fn agreement_form(State(state): State<Arc<AppState>>, staff: StaffPage) -> Response {
    let a = state.staff.agreement();
    let text = a.text(staff.tr().lang()).to_string();
    let tr = staff.tr();
    html(
        StatusCode::OK,
        &AgreementPage {
            c: staff.chrome(tr.t(M::AgreementTitle).into(), "", "/console/agreement"),
            text,
            version: a.version.clone(),
        },
    )
}

/// The fields of `AgreementForm`.
#[derive(Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    version: String,
}

/// `POST /console/agreement`: records acceptance.
pub async fn agreement(
    State(state): State<Arc<AppState>>,
    f: StaffForm<AgreementForm>,
) -> Result<Response, Fail> {
    state
        .staff
        .accept_agreement(&f.staff.caller, &f.form.version)
        .await
        .map_err(|e| match e {
            CoreError::Conflict(_) => Fail::Conflict,
            other => session::auth_fail(other),
        })?;
    Ok(see_other("/console/"))
}
