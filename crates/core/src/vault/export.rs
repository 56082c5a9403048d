//! The access and portability export capability (see [`crate::export`]): everything held
//! about one customer, opened, for a data-subject request.
//!
//! Who may: a caller holding `requests:write` **and** `customers:reveal` (cs_manager and admin
//! by default), with a stated purpose; a staff member also needs the current agreement, a fresh
//! TOTP step-up, and a role that may reveal or see every field and the orders in full (a
//! shop's override that hides a field from the role also keeps the export from it). A customer
//! outside the member's segments is not found (404, audited `denied` with field `segment`),
//! like every other segment refusal. An erased customer is [`CoreError::Erased`].
//!
//! Audit: one `customer.export` event (every field name, `format:`, `lang:`, the purpose)
//! commits in the same transaction as the read, before anything is decrypted; reading the
//! orders appends their `order.list` event with the same purpose. Values never enter the log.

use super::customers::{live, observe_found};
use super::{Keys, Vault, codec, orders, tokens};
use crate::CoreError;
use crate::audit::{AuditAction, AuditRecord, Refusal};
use crate::auth::{Caller, Purpose, Scope};
use crate::error::ForbiddenReason;
use crate::export::{
    CustomerExport, EXPORT_FORMAT, ExportFormat, ExportedConsent, ExportedCustomer,
    ExportedRequest, ExportedToken,
};
use crate::model::Field;
use crate::report::{AccessEntry, matching, name_staff};
use crate::roles::{FieldView, OrdersView};
use crate::store::EventFilter;
use jaga_i18n::Lang;
use std::sync::Arc;
use uuid::Uuid;

/// Holder of the export: `requests:write`, `customers:reveal`, a purpose (and for staff the
/// agreement, a fresh step-up and full field views).
pub struct Exporter<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
    purpose: Purpose,
}

impl Vault {
    /// The export capability. Refusals are audited as denied `customer.export`.
    pub async fn exporter<'a>(
        &'a self,
        caller: &'a Caller,
        purpose: Option<&str>,
    ) -> Result<Exporter<'a>, CoreError> {
        let action = AuditAction::CustomerExport;
        self.require(caller, Scope::RequestsWrite, action).await?;
        let keys = self.require(caller, Scope::CustomersReveal, action).await?;
        self.require_agreement(caller, action).await?;
        if let Some(ctx) = caller.staff() {
            let views = ctx.views();
            let hidden: Vec<&str> = Field::ALL
                .into_iter()
                .filter(|f| !matches!(views.field(*f), FieldView::Reveal | FieldView::Plain))
                .map(|f| f.name())
                .collect();
            if !hidden.is_empty() || views.orders != OrdersView::Plain {
                let refusal = Refusal::new(action, ForbiddenReason::FieldView).fields(
                    std::iter::once("field_view")
                        .chain(hidden)
                        .map(String::from)
                        .chain((views.orders != OrdersView::Plain).then(|| "orders".into())),
                );
                return Err(self.deny(caller, refusal).await);
            }
        }
        self.require_step_up(caller, action, None).await?;
        let purpose = self.screen_purpose(caller, purpose).await?;
        Ok(Exporter {
            vault: self,
            caller,
            keys,
            purpose,
        })
    }
}

impl Exporter<'_> {
    /// Everything held about customer `id`. `format` and `lang` are recorded in the audit
    /// event (the caller renders with [`crate::export::render`]).
    pub async fn export(
        &self,
        id: Uuid,
        format: ExportFormat,
        lang: Lang,
    ) -> Result<CustomerExport, CoreError> {
        let vault = self.vault;
        let store = vault.store.as_ref();
        vault
            .check_segment(self.caller, id, AuditAction::CustomerExport)
            .await?;
        let lang_code = match lang {
            Lang::Id => "id",
            Lang::En => "en",
        };
        let audit = AuditRecord::new(self.caller, AuditAction::CustomerExport)
            .customer(id)
            .fields(Field::ALL.iter().map(|f| f.name().to_string()).chain([
                format!("format:{}", format.as_str()),
                format!("lang:{lang_code}"),
            ]))
            .purpose(self.purpose.as_str());
        let seen = audit.clone();
        let found = store.customer_get(id, audit).await?;
        observe_found(vault, seen, found.as_ref());
        let (row, key) = live(found)?;
        let dek = codec::dek(vault, &self.keys, &row, &key).await?;
        let plain = codec::open_fields(&dek, &row, &Field::ALL)?;
        let view = codec::view(&row, &plain, &Field::ALL);
        let order_audit = AuditRecord::new(self.caller, AuditAction::OrderList)
            .customer(id)
            .fields(["items", "payment", "notes"])
            .purpose(self.purpose.as_str());
        let orders = store
            .orders_list(id, order_audit)
            .await?
            .iter()
            .map(|o| orders::decrypt(&dek, &row, o))
            .collect::<Result<Vec<_>, _>>()?;
        let mut token_list = Vec::new();
        for t in store.tokens_of(id).await? {
            if let Some(value) = tokens::open_customer_token(&dek, &row.segment, &t)? {
                token_list.push(ExportedToken {
                    token: t.token,
                    kind: t.kind,
                    value,
                    created_at: crate::format_ms(t.created_at),
                });
            }
        }
        let consents = store
            .consents_of(id)
            .await?
            .into_iter()
            .map(|c| ExportedConsent {
                purpose: c.purpose.as_str().into(),
                granted: c.granted,
                source: c.source.as_str().into(),
                at: crate::format_ms(c.at),
            })
            .collect();
        let requests = store
            .requests_of(id)
            .await?
            .into_iter()
            .map(|r| ExportedRequest {
                id: r.id,
                kind: r.kind.as_str().into(),
                channel: r.channel.as_str().into(),
                status: r.status.as_str().into(),
                received_at: crate::format_ms(r.received_at),
                due_at: crate::format_ms(r.due_at),
                closed_at: r.closed_at.map(crate::format_ms),
                outcome: r.outcome.map(|o| o.as_str().into()),
            })
            .collect();
        let filter = EventFilter {
            customer_id: Some(id),
            ..Default::default()
        };
        let events = matching(store, &filter).await?;
        let mut accesses: Vec<AccessEntry> = events.iter().map(AccessEntry::from_event).collect();
        name_staff(store, &mut accesses).await?;
        // The customer reads who acted by role, never by name.
        for a in &mut accesses {
            a.actor_name = None;
        }
        Ok(CustomerExport {
            format: EXPORT_FORMAT.into(),
            generated_at: crate::format_ms(crate::now_ms()),
            customer: ExportedCustomer {
                id: row.id,
                code: row.code.clone(),
                segment: row.segment.clone(),
                full_name: view.full_name,
                email: view.email,
                phone: view.phone,
                address: view.address,
                national_id: view.national_id,
                birth_date: view.birth_date,
                preferences: view.preferences,
                notes: view.notes,
                marketing_consent: row.marketing_consent,
                created_at: view.created_at,
                updated_at: view.updated_at,
            },
            orders,
            consents,
            tokens: token_list,
            requests,
            accesses,
        })
    }
}
