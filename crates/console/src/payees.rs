//! Payees (issue 14): the list with a form to add one, a payee's page with every version of its
//! bank details and their call records, the form to request a change, and the call-back form
//! that verifies or rejects a pending version. The call-back form shows the number **on file**
//! only and needs a fresh step-up. Thin: `Vault::payees` checks the scopes, the roles, four
//! eyes and the number called, seals and audits; this module renders and maps its refusals to
//! messages in the reader's language.

use super::Chrome;
use super::i18n::{M, Tr, validation};
use super::session::{StaffForm, StaffPage, client_info};
use super::session_flows::{step_up_if_asked, stepup_page};
use super::web::{Ctx, Fail, html, see_other};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use jaga_core::CoreError;
use jaga_core::auth::Scope;
use jaga_core::staff::NewSession;
use jaga_core::vault::{BankInput, BankVersionView, NewPayee, PayeeView};
use jaga_server::AppState;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use uuid::Uuid;

pub use super::payee_forms::{CallForm, ChangeForm, CreateForm, PayeeForms};

/// One version of a payee's bank details as the page shows it.
pub struct VersionRow {
    /// Version number.
    pub version: u32,
    /// Bank.
    pub bank: String,
    /// Account number.
    pub account: String,
    /// Holder.
    pub holder: String,
    /// Status code (`pending_verification`, …) for the page's class.
    pub status: String,
    /// Status in the reader's language.
    pub status_text: String,
    /// Who asked for it and when.
    pub requested: String,
    /// The call record in the reader's language, or empty.
    pub call: String,
}

/// The line of a payee in the list.
pub struct PayeeRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind in the reader's language.
    pub kind: String,
    /// The payable details (bank and account), or empty.
    pub payable: String,
    /// Whether a change waits for its call-back.
    pub pending: bool,
}

/// A status code's words.
pub fn bank_status(tr: Tr, s: &str) -> String {
    tr.t(match s {
        "verified" => M::PayeeStatusVerified,
        "rejected" => M::PayeeStatusRejected,
        _ => M::PayeeStatusPending,
    })
    .to_string()
}

fn kind_text(tr: Tr, k: &str) -> String {
    tr.t(match k {
        "reseller" => M::PayeeKindReseller,
        "refund" => M::PayeeKindRefund,
        _ => M::PayeeKindSupplier,
    })
    .to_string()
}

/// The rows of a payee's versions, newest first.
pub fn version_rows(tr: Tr, state: &AppState, versions: &[BankVersionView]) -> Vec<VersionRow> {
    let zone = &state.config.shop.zone;
    versions
        .iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            bank: v.bank.clone(),
            account: v.account_number.clone(),
            holder: v.holder.clone(),
            status: v.status.clone(),
            status_text: bank_status(tr, &v.status),
            requested: format!("{} · {}", v.requested_by, zone.datetime_ms(v.requested_at)),
            call: v.call.as_ref().map_or_else(String::new, |c| {
                tr.f(
                    M::PayeeCallRecord,
                    &[
                        ("by", &c.by),
                        ("number", &c.number_called),
                        ("when", &zone.datetime_ms(c.at)),
                        ("confirmed", &c.confirmed),
                        ("reference", &c.reference),
                    ],
                )
            }),
        })
        .collect()
}

/// The message for a refusal of the payees capability the member can act on (a wrong number,
/// four eyes, a missing field …), or `None` for failures that get the error page.
pub fn refusal(tr: Tr, e: &CoreError) -> Option<(StatusCode, Vec<String>)> {
    use jaga_core::ForbiddenReason as R;
    match e {
        CoreError::Invalid(list) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            list.iter()
                .map(|f| {
                    let m = match f.code {
                        "wrong_number" => M::PayeeErrWrongNumber,
                        "incomplete_call" => M::PayeeErrIncompleteCall,
                        "no_number_on_file" => M::PayeeErrNoNumber,
                        "not_pending" => M::PayeeErrNotPending,
                        "change_pending" => M::PayeeErrChangePending,
                        "contact_change_pending" => M::PayeeErrContactPending,
                        "invalid_account_number" => M::PayeeErrAccount,
                        "invalid_kind" => M::PayeeErrKind,
                        "no_verified_details" => M::PayoutErrNoVerified,
                        "invalid_amount" => M::PayoutErrAmount,
                        "not_pending_approval" => M::PayoutErrNotPending,
                        code => {
                            return format!("{}: {}", f.field, validation(tr, code, &f.field));
                        }
                    };
                    tr.t(m).to_string()
                })
                .collect(),
        )),
        CoreError::Forbidden(R::FourEyes) => Some((
            StatusCode::FORBIDDEN,
            vec![tr.t(M::PayeeErrFourEyes).into()],
        )),
        CoreError::Forbidden(R::Role) => {
            Some((StatusCode::FORBIDDEN, vec![tr.t(M::PayeeErrRole).into()]))
        }
        CoreError::CardNumber | CoreError::CardInText { .. } => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![tr.t(M::VCardNumber).into()],
        )),
        _ => None,
    }
}

/// A posted form whose action may need a fresh step-up, after the step-up (if the form carried
/// a code): the member, the form, its fields (to carry through a prompt) and the rotated
/// session to set.
pub struct Stepped<T> {
    /// The member (refreshed after a step-up).
    pub staff: StaffPage,
    /// The form.
    pub form: T,
    /// The form's fields, for the step-up prompt to post again.
    pub carry: Vec<(String, String)>,
    /// The session the step-up rotated to, to set on the answer.
    pub rotated: Option<NewSession>,
}

/// Reads a signed-in form posted to `action` and performs the step-up it carries
/// (`stepup_code`). `Err(Ok(page))` is the prompt again after a wrong code.
pub async fn stepped<T: DeserializeOwned>(
    state: &Arc<AppState>,
    req: Request,
    action: &str,
) -> Result<Result<Stepped<T>, Response>, Fail> {
    let ctx = req
        .extensions()
        .get::<Ctx>()
        .cloned()
        .ok_or(Fail::Internal)?;
    let client = client_info(state, req.headers(), req.extensions(), &ctx);
    let StaffForm { staff, form, raw } = StaffForm::<T>::from_request(req, state).await?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let code = pairs
        .iter()
        .find(|(k, _)| k == "stepup_code")
        .map(|(_, v)| v.clone());
    let carry: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(k, _)| k != "stepup_code" && k != super::web::CSRF_FIELD)
        .collect();
    match step_up_if_asked(state, staff, code.as_deref(), &client).await {
        Ok((staff, rotated)) => Ok(Ok(Stepped {
            staff,
            form,
            carry,
            rotated,
        })),
        Err((staff, Ok(wrong))) => Ok(Err(stepup_page(&staff, action, carry, Some(wrong)))),
        Err((_, Err(fail))) => Err(fail),
    }
}

#[derive(askama::Template)]
#[template(path = "payees.html")]
struct ListPage {
    c: Chrome,
    payees: Vec<PayeeRow>,
    can_write: bool,
    f: CreateForm,
    errors: Vec<String>,
}

#[derive(askama::Template)]
#[template(path = "payee.html")]
struct ShowPage {
    c: Chrome,
    p: PayeeView,
    kind: String,
    payable: Option<VersionRow>,
    versions: Vec<VersionRow>,
    pending: Option<VersionRow>,
    verify_title: String,
    own_request: bool,
    can_write: bool,
    change: ChangeForm,
    call: CallForm,
    contact: super::payee_forms::ContactForm,
    contact_call: CallForm,
    errors: Vec<String>,
    contacts: Vec<super::payee_contacts::ContactRow>,
    contact_pending: Option<super::payee_contacts::ContactRow>,
    contact_own: bool,
    contact_title: String,
}

/// `?done=…` after a post.
#[derive(Debug, Deserialize, Default)]
pub struct Done {
    done: Option<String>,
}

pub(crate) fn may_read(staff: &StaffPage) -> Result<(), Fail> {
    staff.require_agreement()?;
    if staff.caller.has(Scope::PayeesRead) {
        Ok(())
    } else {
        Err(Fail::Forbidden)
    }
}

pub(crate) fn parse_id(id: &str) -> Result<Uuid, Fail> {
    Uuid::parse_str(id).map_err(|_| Fail::NotFound)
}

async fn list_page(
    state: &Arc<AppState>,
    staff: &StaffPage,
    f: CreateForm,
    errors: Vec<String>,
    status: StatusCode,
    flash: Option<M>,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let all = state
        .vault
        .payees(&staff.caller)?
        .list()
        .await
        .map_err(Fail::from)?;
    let payees = all
        .iter()
        .map(|p| PayeeRow {
            id: p.id.clone(),
            name: p.name.clone(),
            kind: kind_text(tr, &p.kind),
            payable: p
                .payable_version
                .and_then(|n| p.versions.iter().find(|v| v.version == n))
                .map(|v| format!("{} {}", v.bank, v.account_number))
                .unwrap_or_default(),
            pending: p.pending_version.is_some(),
        })
        .collect();
    let mut c = staff.chrome(tr.t(M::PayeesTitle).into(), "payees", "/console/payees");
    c.flash = flash.map(|m| tr.t(m).to_string());
    Ok(html(
        status,
        &ListPage {
            c,
            payees,
            can_write: staff.caller.has(Scope::PayeesWrite),
            f,
            errors,
        },
    ))
}

/// `GET /console/payees`: every payee, and the form to add one.
pub async fn list(State(state): State<Arc<AppState>>, staff: StaffPage) -> Result<Response, Fail> {
    may_read(&staff)?;
    list_page(
        &state,
        &staff,
        CreateForm::default(),
        vec![],
        StatusCode::OK,
        None,
    )
    .await
}

/// `POST /console/payees`: adds a payee with its first bank details (pending verification).
pub async fn create(
    State(state): State<Arc<AppState>>,
    f: StaffForm<CreateForm>,
) -> Result<Response, Fail> {
    let StaffForm {
        staff, mut form, ..
    } = f;
    may_read(&staff)?;
    if form.screen(staff.tr()) {
        crate::refusal::audit(&state, &staff.caller, None, &form.errors).await?;
        let (form, status) = (form.masked(), StatusCode::UNPROCESSABLE_ENTITY);
        return list_page(&state, &staff, form, vec![], status, None).await;
    }
    let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let new = NewPayee {
        kind: opt(&form.kind),
        name: form.name.clone(),
        phone: form.phone.clone(),
        email: opt(&form.email),
        contact_name: opt(&form.contact_name),
        bank: BankInput {
            bank: form.bank.clone(),
            account_number: form.account_number.clone(),
            holder: form.holder.clone(),
        },
    };
    match state.vault.payees(&staff.caller)?.create(&new).await {
        Ok(p) => Ok(see_other(&format!("/console/payees/{}?done=created", p.id))),
        Err(e) => match refusal(staff.tr(), &e) {
            Some((status, errors)) => {
                list_page(&state, &staff, form.masked(), errors, status, None).await
            }
            None => Err(Fail::from(e)),
        },
    }
}

pub(crate) async fn show_page(
    state: &Arc<AppState>,
    staff: &StaffPage,
    id: Uuid,
    forms: PayeeForms,
    errors: Vec<String>,
    status: StatusCode,
    flash: Option<M>,
) -> Result<Response, Fail> {
    let tr = staff.tr();
    let p = state
        .vault
        .payees(&staff.caller)?
        .get(id)
        .await
        .map_err(Fail::from)?;
    let versions = version_rows(tr, state, &p.versions);
    let pick = |n: Option<u32>| {
        n.and_then(|n| {
            version_rows(tr, state, &p.versions)
                .into_iter()
                .find(|v| v.version == n)
        })
    };
    let payable = pick(p.payable_version);
    let pending = pick(p.pending_version);
    let own_request = p.pending_version.is_some_and(|n| {
        p.versions
            .iter()
            .any(|v| v.version == n && v.requested_by == staff.caller.id())
    });
    let here = format!("/console/payees/{id}");
    let mut c = staff.chrome(p.name.clone(), "payees", &here);
    c.flash = flash.map(|m| tr.t(m).to_string());
    let contacts = super::payee_contacts::rows(tr, state, &p);
    let contact_pending = p.pending_contact_version.and_then(|n| {
        super::payee_contacts::rows(tr, state, &p)
            .into_iter()
            .find(|r| r.version == n)
    });
    let contact_own = p.pending_contact_version.is_some_and(|n| {
        p.contact_changes
            .iter()
            .any(|c| c.version == n && c.requested_by == staff.caller.id())
    });
    let contact_title = tr.f(
        M::PayeeContactVerifyTitle,
        &[(
            "version",
            &p.pending_contact_version.unwrap_or(0).to_string(),
        )],
    );
    Ok(html(
        status,
        &ShowPage {
            c,
            kind: kind_text(tr, &p.kind),
            payable,
            versions,
            verify_title: tr.f(
                M::PayeeVerifyTitle,
                &[("version", &p.pending_version.unwrap_or(0).to_string())],
            ),
            pending,
            own_request,
            can_write: staff.caller.has(Scope::PayeesWrite),
            change: forms.change,
            call: forms.call,
            contact: forms.contact,
            contact_call: forms.contact_call,
            errors,
            contacts,
            contact_pending,
            contact_own,
            contact_title,
            p,
        },
    ))
}

/// `GET /console/payees/{id}`: the payee, its bank details history with call records, the
/// change request and (for a pending version) the call-back form.
pub async fn show(
    State(state): State<Arc<AppState>>,
    staff: StaffPage,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> Result<Response, Fail> {
    may_read(&staff)?;
    let id = parse_id(&id)?;
    let flash = match q.done.as_deref() {
        Some("created") => Some(M::PayeeCreated),
        Some("change") => Some(M::PayeeChangeRequested),
        Some("call") => Some(M::PayeeCallSaved),
        Some("contact") => Some(M::PayeeContactRequested),
        _ => None,
    };
    show_page(
        &state,
        &staff,
        id,
        Default::default(),
        vec![],
        StatusCode::OK,
        flash,
    )
    .await
}

/// `POST /console/payees/{id}/bank`: requests new bank details (a new version, pending).
pub async fn change(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    f: StaffForm<ChangeForm>,
) -> Result<Response, Fail> {
    let StaffForm {
        staff, mut form, ..
    } = f;
    may_read(&staff)?;
    let id = parse_id(&id)?;
    if form.screen(staff.tr()) {
        crate::refusal::audit(&state, &staff.caller, None, &form.errors).await?;
        let forms = PayeeForms {
            change: form.masked(),
            ..Default::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show_page(&state, &staff, id, forms, vec![], status, None).await;
    }
    let input = BankInput {
        bank: form.bank.clone(),
        account_number: form.account_number.clone(),
        holder: form.holder.clone(),
    };
    match state
        .vault
        .payees(&staff.caller)?
        .request_change(id, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/console/payees/{id}?done=change"))),
        Err(e) => match refusal(staff.tr(), &e) {
            Some((status, errors)) => {
                let forms = PayeeForms {
                    change: form.masked(),
                    ..Default::default()
                };
                show_page(&state, &staff, id, forms, errors, status, None).await
            }
            None => Err(Fail::from(e)),
        },
    }
}

/// `POST /console/payees/{id}/bank/{version}/verify`: records the call-back (to the number on
/// file) and verifies or rejects the version; needs a fresh step-up.
pub async fn verify(
    State(state): State<Arc<AppState>>,
    Path((id, version)): Path<(String, String)>,
    req: Request,
) -> Result<Response, Fail> {
    super::payee_contacts::call_back(
        &state,
        &id,
        &version,
        req,
        super::payee_contacts::CallBack::Bank,
    )
    .await
}
