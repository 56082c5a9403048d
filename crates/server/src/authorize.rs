//! Authorisation before the body: extractors that authenticate the caller and check the
//! route's permission from the request head alone, so a caller who may not use a route learns
//! nothing from how its body would be parsed (no 400/413/415/422 before the 403).
//!
//! Axum runs head extractors (`FromRequestParts`) before the one body extractor, so a handler
//! that takes [`Scoped`] or [`StaffAdmin`] ahead of its [`crate::extract::GuardedJson`] is
//! refused (403, audited) before a byte of the body is read.

use crate::AppState;
use crate::error::ApiError;
use crate::extract::Authed;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jaga_core::audit::AuditAction;
use jaga_core::auth::{Caller, Scope};
use std::marker::PhantomData;
use std::sync::Arc;

/// A route's required scope and the audit action a refusal is recorded as.
pub trait RouteScope: Send + Sync + 'static {
    /// The scope the route needs.
    const SCOPE: Scope;
    /// The audited action (the same name the vault capability uses).
    const ACTION: AuditAction;
    /// Whether a staff caller must have accepted the agreement.
    const AGREEMENT: bool;
    /// Whether a staff caller needs a fresh step-up.
    const STEP_UP: bool;
}

macro_rules! route_scopes {
    ($($(#[$m:meta])* $name:ident => $scope:expr, $action:expr, $agreement:literal, $step_up:literal;)*) => {$(
        $(#[$m])*
        pub struct $name;
        impl RouteScope for $name {
            const SCOPE: Scope = $scope;
            const ACTION: AuditAction = $action;
            const AGREEMENT: bool = $agreement;
            const STEP_UP: bool = $step_up;
        }
    )*};
}

route_scopes! {
    /// `customers:write` (create, update).
    CustomersWrite => Scope::CustomersWrite, AuditAction::CustomerWrite, true, false;
    /// `customers:move` (move a customer to another segment; staff: fresh step-up).
    CustomersMove => Scope::CustomersMove, AuditAction::CustomerSegmentMove, true, true;
    /// `orders:write` (add an order).
    OrdersWrite => Scope::OrdersWrite, AuditAction::OrderCreate, true, false;
    /// `redact`.
    Redact => Scope::Redact, AuditAction::TextRedact, false, false;
    /// `payees:read` (the e-mail analyzer compares senders with the payees' domains).
    MailAnalyze => Scope::PayeesRead, AuditAction::MailAnalyze, false, false;
    /// `events:write` (send events to the fraud monitor).
    EventsWrite => Scope::EventsWrite, AuditAction::FraudEventScore, false, false;
    /// `fraud:manage` (allow and block lists, rule reloads).
    FraudManage => Scope::FraudManage, AuditAction::FraudListChange, false, false;
    /// `fraud:review` (decide held events; staff must have accepted the agreement).
    FraudReview => Scope::FraudReview, AuditAction::FraudReviewDecide, true, false;
    /// `requests:write` (record a data-subject request).
    RequestsRecord => Scope::RequestsWrite, AuditAction::RequestRecord, true, false;
    /// `requests:write` (close a data-subject request).
    RequestsClose => Scope::RequestsWrite, AuditAction::RequestClose, true, false;
    /// `requests:write` (record consent or its withdrawal).
    ConsentsRecord => Scope::RequestsWrite, AuditAction::ConsentRecord, true, false;
    /// `requests:write` for the access/portability export (staff: agreement and a fresh
    /// step-up; the capability also checks `customers:reveal` and the role's field views).
    CustomerExport => Scope::RequestsWrite, AuditAction::CustomerExport, true, true;
    /// `tokens:resolve` (staff: agreement and a fresh step-up).
    TokensResolve => Scope::TokensResolve, AuditAction::TokenResolve, true, true;
    /// `payees:read` (payees, payouts and their chains).
    PayeesRead => Scope::PayeesRead, AuditAction::PayeeRead, true, false;
    /// `payees:write` (create a payee, request a bank-detail change).
    PayeesWrite => Scope::PayeesWrite, AuditAction::PayeeCreate, true, false;
    /// `payees:write` for the call-back (staff: fresh step-up).
    PayeeVerify => Scope::PayeesWrite, AuditAction::PayeeBankVerify, true, true;
    /// `payees:write` (request a change of a payee's contacts).
    PayeeContactChange => Scope::PayeesWrite, AuditAction::PayeeContactChange, true, false;
    /// `payees:write` for the call-back on a contact change (staff: fresh step-up).
    PayeeContactVerify => Scope::PayeesWrite, AuditAction::PayeeContactVerify, true, true;
    /// `payouts:write` (create a payout).
    PayoutsWrite => Scope::PayoutsWrite, AuditAction::PayoutCreate, true, false;
    /// `payouts:approve` (staff: fresh step-up).
    PayoutsApprove => Scope::PayoutsApprove, AuditAction::PayoutApprove, true, true;
    /// `payouts:approve` to reject a payout (staff: fresh step-up).
    PayoutsReject => Scope::PayoutsApprove, AuditAction::PayoutReject, true, true;
    /// `payouts:write` for the bank file (staff: fresh step-up; it carries account numbers).
    PayoutsExport => Scope::PayoutsWrite, AuditAction::PayoutExport, true, true;
}

/// An authenticated caller who holds the route's scope `R` (and, for staff, the agreement and
/// step-up the route needs). Refusals are 403 and audited, before the body is touched.
pub struct Scoped<R: RouteScope>(pub Caller, pub PhantomData<R>);

impl<R: RouteScope> FromRequestParts<Arc<AppState>> for Scoped<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let Authed(caller) = Authed::from_request_parts(parts, state).await?;
        state
            .vault
            .authorize(&caller, R::SCOPE, R::ACTION, R::AGREEMENT, R::STEP_UP)
            .await?;
        Ok(Scoped(caller, PhantomData))
    }
}

/// A staff-administration action: its audited name and whether it needs a fresh step-up.
pub trait AdminAction: Send + Sync + 'static {
    /// The audited action.
    const ACTION: AuditAction;
    /// Whether a fresh TOTP step-up is needed.
    const STEP_UP: bool;
}

/// Inviting a member (fresh step-up).
pub struct Invite;
impl AdminAction for Invite {
    const ACTION: AuditAction = AuditAction::StaffInvite;
    const STEP_UP: bool = true;
}

/// Changing a member's role (fresh step-up).
pub struct RoleChange;
impl AdminAction for RoleChange {
    const ACTION: AuditAction = AuditAction::StaffRoleChange;
    const STEP_UP: bool = true;
}

/// An admin's session (or the system) allowed to perform `A`; refused with 403 and audited
/// before the body is read.
pub struct StaffAdmin<A: AdminAction>(pub Caller, pub PhantomData<A>);

impl<A: AdminAction> FromRequestParts<Arc<AppState>> for StaffAdmin<A> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let Authed(caller) = Authed::from_request_parts(parts, state).await?;
        state
            .staff
            .authorize_admin(&caller, A::ACTION, A::STEP_UP)
            .await?;
        Ok(StaffAdmin(caller, PhantomData))
    }
}
