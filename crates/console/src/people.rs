//! Staff management (admin): the staff list, invitations, role changes, disabling. "My
//! account" is in [`crate::account`], "my activity" in [`crate::activity`].

use super::Chrome;
use super::i18n::{M, Tr, validation};
use super::session::{StaffForm, StaffPage, client_info, role_label};
use super::session_flows::{maybe_with_session, step_up_if_asked, stepup_page};
use super::web::{Ctx, Fail, html, see_other};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::staff::{NewInvitation, Role, StaffInfo};
use jaga_core::{CoreError, ForbiddenReason};
use jaga_server::AppState;
use serde::Deserialize;
use std::sync::Arc;
use uuid::Uuid;

#[derive(askama::Template)]
#[template(path = "staff.html")]
struct StaffListPage {
    c: Chrome,
    roles: Vec<(&'static str, &'static str)>,
    staff: Vec<StaffRow>,
    pending: Vec<PendingRow>,
    errors: Vec<String>,
    invite_link: Option<String>,
    invite_note: String,
    form_email: String,
    form_role: String,
    form_segments: String,
    form_errors: crate::refusal::FieldErrors,
    shop_name: String,
    shop_error: Option<String>,
}

/// An invitation not yet accepted, on the staff page.
struct PendingRow {
    id: Uuid,
    email: String,
    role_label: &'static str,
    segments: String,
    expires: String,
}

struct StaffRow {
    id: Uuid,
    name: String,
    email: String,
    role: &'static str,
    role_label: &'static str,
    segments: String,
    status: &'static str,
    disabled: bool,
    is_self: bool,
}

fn roles(tr: Tr) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .into_iter()
        .map(|r| (r.name(), role_label(tr, r)))
        .collect()
}

fn rows(tr: Tr, me: &str, list: Vec<StaffInfo>) -> Vec<StaffRow> {
    list.into_iter()
        .map(|s| StaffRow {
            is_self: s.id.to_string() == me,
            id: s.id,
            name: s.name,
            email: s.email,
            role: s.role.name(),
            role_label: role_label(tr, s.role),
            segments: if s.segments.is_empty() {
                "*".into()
            } else {
                s.segments.join(", ")
            },
            status: tr.t(if s.disabled {
                M::StatusDisabled
            } else if s.mfa_enrolled {
                M::StatusActive
            } else {
                M::StatusInvited
            }),
            disabled: s.disabled,
        })
        .collect()
}

/// What the staff page shows besides the list.
#[derive(Default)]
pub(crate) struct StaffExtras {
    pub(crate) errors: Vec<String>,
    pub(crate) invite_link: Option<String>,
    pub(crate) invite_note: String,
    pub(crate) form: (String, String, String),
    /// Errors at the invitation form's fields (`email`, `segments`).
    pub(crate) form_errors: crate::refusal::FieldErrors,
    pub(crate) flash: Option<String>,
    /// The shop-name form as typed (after a refusal), and its error.
    pub(crate) shop_form: Option<String>,
    pub(crate) shop_error: Option<String>,
}

pub(crate) async fn staff_page(
    state: &Arc<AppState>,
    staff: &StaffPage,
    extras: StaffExtras,
    status: StatusCode,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let list = state
        .staff
        .list(&staff.caller)
        .await
        .map_err(super::session::auth_fail)?;
    let zone = &state.config.shop.zone;
    let pending = state
        .staff
        .pending_invitations(&staff.caller)
        .await
        .map_err(super::session::auth_fail)?
        .into_iter()
        .map(|p| PendingRow {
            id: p.id,
            email: p
                .email
                .unwrap_or_else(|| tr.t(M::PendingFirstAdmin).to_string()),
            role_label: role_label(tr, p.role),
            segments: if p.segments.is_empty() {
                "*".into()
            } else {
                p.segments.join(", ")
            },
            expires: zone.datetime(&p.expires_at),
        })
        .collect();
    let shop_name = match extras.shop_form {
        Some(typed) => typed,
        None => state
            .staff
            .shop(&state.config.shop)
            .await
            .map_err(super::session::auth_fail)?
            .name
            .unwrap_or_default(),
    };
    let mut c = staff.chrome(tr.t(M::StaffTitle).into(), "staff", "/console/staff");
    c.flash = extras.flash;
    Ok(html(
        status,
        &StaffListPage {
            c,
            roles: roles(tr),
            staff: rows(tr, staff.caller.id(), list),
            pending,
            errors: extras.errors,
            invite_link: extras.invite_link,
            invite_note: extras.invite_note,
            form_email: extras.form.0,
            form_role: if extras.form.1.is_empty() {
                "cs_staff".into()
            } else {
                extras.form.1
            },
            form_segments: extras.form.2,
            form_errors: extras.form_errors,
            shop_name,
            shop_error: extras.shop_error,
        },
    ))
}

pub(crate) fn admin_only(staff: &StaffPage) -> Result<(), Fail> {
    if staff.is_admin() {
        Ok(())
    } else {
        Err(Fail::Forbidden)
    }
}

/// The fields of `DoneQuery`.
#[derive(Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub(crate) done: Option<String>,
}

/// `GET /console/staff` (admin).
pub async fn list(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Query(q): Query<DoneQuery>,
) -> Result<Response, Fail> {
    admin_only(&staff)?;
    let tr = staff.tr();
    let extras = StaffExtras {
        flash: q.done.as_deref().map(|d| {
            tr.t(match d {
                "cancelled" => M::InvitationCancelled,
                "shop" => M::ShopNameSaved,
                _ => M::Saved,
            })
            .to_string()
        }),
        ..Default::default()
    };
    staff_page(&state, &staff, extras, StatusCode::OK).await
}

/// The fields of `InviteForm`.
#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    segments: String,
    #[serde(default)]
    stepup_code: Option<String>,
}

/// The whole form, to carry through a step-up prompt (the code itself is not carried).
pub(crate) fn carry_form(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw)
        .filter(|(k, _)| k != "stepup_code")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn segments(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// `POST /console/staff/invite` (admin, with a fresh step-up): creates an invitation and shows
/// its link once.
pub async fn invite(State(state): State<Arc<AppState>>, req: Request) -> Result<Response, Fail> {
    // Links start with the configured public address, never with the request's `Host` (which
    // the client chooses, and which HTTP/2 does not send at all).
    let base = state.config.public_url.clone();
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, raw } = StaffForm::<InviteForm>::from_request(req, &state).await?;
    admin_only(&staff)?;
    let tr = staff.tr();
    // The form as typed, minus anything the write guard refuses (never echoed as typed).
    let keep = (
        crate::refusal::shown(&form.email.chars().take(254).collect::<String>()),
        form.role.chars().take(32).collect::<String>(),
        crate::refusal::shown(&form.segments.chars().take(200).collect::<String>()),
    );
    let at = |field: &str, msg: String| {
        let mut form_errors = crate::refusal::FieldErrors::default();
        form_errors.push(field, msg);
        StaffExtras {
            form: keep.clone(),
            form_errors,
            ..Default::default()
        }
    };
    // Card data is refused before the step-up prompt, which would carry it in its form.
    for (field, value) in [("email", &form.email), ("segments", &form.segments)] {
        if crate::refusal::refused(value) {
            state
                .vault
                .refuse_card_number(&staff.caller, None, field)
                .await
                .map_err(Fail::from)?;
            return card_refused(&state, &staff, field, &keep, value).await;
        }
    }
    for (field, value, max) in [
        ("email", &form.email, 254),
        ("segments", &form.segments, 200),
    ] {
        if value.chars().count() > max {
            let e = at(field, tr.f(M::VTooLong, &[("max", &max.to_string())]));
            return staff_page(&state, &staff, e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    }
    let Some(role) = Role::parse(&form.role) else {
        let e = at("role", tr.t(M::RoleUnknown).into());
        return staff_page(&state, &staff, e, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let req = NewInvitation {
        email: form.email.trim().to_string(),
        role,
        segments: segments(&form.segments),
    };
    let action = "/console/staff/invite";
    let carry = carry_form(&raw);
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    match state.staff.invite(&staff.caller, &req).await {
        Err(CoreError::Forbidden(ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, action, carry, None))
        }
        Ok(inv) => {
            let extras = StaffExtras {
                invite_link: Some(inv.link(&base)),
                invite_note: tr.f(
                    M::InviteCreated,
                    &[
                        ("email", inv.email.as_deref().unwrap_or("")),
                        ("hours", "72"),
                    ],
                ),
                ..Default::default()
            };
            let page = staff_page(&state, &staff, extras, StatusCode::OK).await?;
            Ok(maybe_with_session(page, &rotated))
        }
        Err(CoreError::Invalid(errs)) => {
            let mut e = StaffExtras {
                form: keep.clone(),
                ..Default::default()
            };
            for err in &errs {
                let field = if err.field == "email" {
                    "email"
                } else {
                    "segments"
                };
                e.form_errors
                    .push(field, validation(tr, err.code, &err.field));
            }
            staff_page(&state, &staff, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(CoreError::Conflict(_)) => {
            let e = at("email", tr.t(M::StaffEmailTaken).into());
            staff_page(&state, &staff, e, StatusCode::CONFLICT).await
        }
        Err(CoreError::CardInText { field }) => {
            let typed = if field == "email" {
                &form.email
            } else {
                &form.segments
            };
            card_refused(&state, &staff, &field, &keep, typed).await
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// The staff page after the guard refused card data (`typed`) in the invitation form: the
/// error at the field, the values kept with what was refused masked (`keep`).
async fn card_refused(
    state: &Arc<AppState>,
    staff: &StaffPage,
    field: &str,
    keep: &(String, String, String),
    typed: &str,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let mut form_errors = crate::refusal::FieldErrors::default();
    let field = if field == "email" {
        "email"
    } else {
        "segments"
    };
    form_errors.push(field, super::customers::notes::card_message(tr, typed));
    let e = StaffExtras {
        form: keep.clone(),
        form_errors,
        ..Default::default()
    };
    staff_page(state, staff, e, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The fields of `RoleForm`.
#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    stepup_code: Option<String>,
}

pub(crate) fn parse_id(raw: &str) -> Result<Uuid, Fail> {
    Uuid::parse_str(raw).map_err(|_| Fail::NotFound)
}

/// `POST /console/staff/{id}/role` (admin, with a fresh step-up; never one's own role).
pub async fn set_role(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, raw } = StaffForm::<RoleForm>::from_request(req, &state).await?;
    admin_only(&staff)?;
    let id = parse_id(&id)?;
    let tr = staff.tr();
    let Some(role) = Role::parse(&form.role) else {
        let e = StaffExtras {
            errors: vec![tr.t(M::RoleUnknown).into()],
            ..Default::default()
        };
        return staff_page(&state, &staff, e, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    if staff.caller.id() == id.to_string() {
        let e = StaffExtras {
            errors: vec![tr.t(M::CannotChangeSelf).into()],
            ..Default::default()
        };
        return staff_page(&state, &staff, e, StatusCode::FORBIDDEN).await;
    }
    let action = format!("/console/staff/{id}/role");
    let carry: Vec<(String, String)> = form_urlencoded::parse(&raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    match state.staff.set_role(&staff.caller, id, role, None).await {
        Ok(_) => Ok(maybe_with_session(
            see_other("/console/staff?done=1"),
            &rotated,
        )),
        Err(CoreError::Forbidden(ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, &action, carry, None))
        }
        Err(CoreError::Conflict(_)) | Err(CoreError::Invalid(_)) => {
            let e = StaffExtras {
                errors: vec![tr.t(M::CannotChangeSelf).into()],
                ..Default::default()
            };
            staff_page(&state, &staff, e, StatusCode::CONFLICT).await
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// `POST /console/staff/{id}/disable` and `/enable` (admin, with a fresh step-up; never
/// oneself).
pub async fn set_disabled(
    State(state): State<Arc<AppState>>,
    Path((id, what)): Path<(String, String)>,
    req: Request,
) -> Result<Response, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(&state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, raw } = StaffForm::<StepUpCode>::from_request(req, &state).await?;
    admin_only(&staff)?;
    let id = parse_id(&id)?;
    if staff.caller.id() == id.to_string() {
        let e = StaffExtras {
            errors: vec![staff.tr().t(M::CannotChangeSelf).into()],
            ..Default::default()
        };
        return staff_page(&state, &staff, e, StatusCode::FORBIDDEN).await;
    }
    if what != "disable" && what != "enable" {
        return Err(Fail::NotFound);
    }
    let action = format!("/console/staff/{id}/{what}");
    let carry = carry_form(&raw);
    let (staff, rotated) =
        match step_up_if_asked(&state, staff, form.stepup_code.as_deref(), &client).await {
            Ok(x) => x,
            Err((staff, Ok(wrong))) => return Ok(stepup_page(&staff, &action, carry, Some(wrong))),
            Err((_, Err(fail))) => return Err(fail),
        };
    let r = if what == "disable" {
        state.staff.disable(&staff.caller, id).await
    } else {
        state.staff.enable(&staff.caller, id).await
    };
    match r {
        Ok(()) => Ok(maybe_with_session(
            see_other("/console/staff?done=1"),
            &rotated,
        )),
        Err(CoreError::Forbidden(ForbiddenReason::StepUp)) => {
            Ok(stepup_page(&staff, &action, carry, None))
        }
        Err(e) => Err(super::session::auth_fail(e)),
    }
}

/// A form whose only field of interest is a step-up code.
#[derive(Deserialize)]
pub struct StepUpCode {
    #[serde(default)]
    stepup_code: Option<String>,
}
