//! Purchase history: orders whose items, notes and payment reference are encrypted under the
//! customer's DEK, so erasing the customer shreds them too. Amounts, currency and status stay in
//! plain text for bookkeeping.

use super::codec;
use super::screen::{count_fields, customer_owner};
use super::tokens::token_race;
use super::{Keys, Vault};
use crate::audit::{AuditAction, AuditRecord, Outcome};
use crate::auth::{Caller, Scope};
use crate::guard::CardHandling;
use crate::model::{NewOrder, OrderItem, OrderView, PaymentRef};
use crate::store::{CustomerRow, GuardedWrite, OrderRow, StoreError, read_outcome};
use crate::{CoreError, validate};
use jaga_crypto::Key32;
use jaga_crypto::field::{self, Context};
use std::sync::Arc;
use uuid::Uuid;

const TABLE: &str = "orders";

impl Vault {
    /// Reads purchase history; needs `orders:read`.
    pub async fn order_reader<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> Result<OrderReader<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::OrdersRead, AuditAction::OrderRead)
            .await?;
        self.require_agreement(caller, AuditAction::OrderRead)
            .await?;
        Ok(OrderReader {
            vault: self,
            caller,
            keys,
        })
    }

    /// Adds orders; needs `orders:write`.
    pub async fn order_writer<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> Result<OrderWriter<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::OrdersWrite, AuditAction::OrderCreate)
            .await?;
        self.require_agreement(caller, AuditAction::OrderCreate)
            .await?;
        Ok(OrderWriter {
            vault: self,
            caller,
            keys,
        })
    }

    /// Loads a live customer's DEK, auditing `audit` with the right outcome when the customer is
    /// unknown or erased.
    async fn live_dek(
        &self,
        keys: &Keys,
        customer_id: Uuid,
        audit: &AuditRecord,
    ) -> Result<(CustomerRow, Key32), CoreError> {
        let found = self.store.customer_load(customer_id).await?;
        let outcome = read_outcome(found.as_ref().map(|f| &f.row));
        let (Some(found), Outcome::Ok) = (found, outcome) else {
            self.store
                .audit_append(audit.clone().outcome(outcome))
                .await?;
            return Err(if outcome == Outcome::Erased {
                CoreError::Erased
            } else {
                CoreError::NotFound
            });
        };
        let key = found.key.ok_or(CoreError::Erased)?;
        let dek = codec::dek(self, keys, &found.row, &key).await?;
        Ok((found.row, dek))
    }
}

/// Holder of `orders:read`.
pub struct OrderReader<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
}

/// Holder of `orders:write`.
pub struct OrderWriter<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
}

fn ctx<'a>(row: &'a CustomerRow, order_id: &'a str, field: &'a str) -> Context<'a> {
    Context {
        segment: &row.segment,
        table: TABLE,
        record_id: order_id,
        field,
    }
}

impl OrderWriter<'_> {
    /// Validates and stores an order for a live customer. Audited as `order.create`.
    pub async fn add(&self, customer_id: Uuid, input: &NewOrder) -> Result<OrderView, CoreError> {
        let mut order = validate::order(input).map_err(CoreError::Invalid)?;
        let mut audit = AuditRecord::new(self.caller, AuditAction::OrderCreate)
            .customer(customer_id)
            .fields(["items", "payment", "notes"]);
        self.vault
            .check_segment(self.caller, customer_id, AuditAction::OrderCreate)
            .await?;
        // The card guard again on the values as they will be stored (whitespace collapsed,
        // canonical forms); notes pass the free-text guard below.
        let mut normalised = serde_json::to_value(&order).map_err(|_| {
            CoreError::invalid("order", "invalid", "the order could not be checked")
        })?;
        if let Some(map) = normalised.as_object_mut() {
            map.remove("notes");
        }
        self.vault
            .guard_normalised(self.caller, Some(customer_id), &normalised)
            .await?;
        let (customer, dek) = self.vault.live_dek(&self.keys, customer_id, &audit).await?;
        // Free-text notes pass the write guard before encryption, under the customer's key.
        let mut tokens = Vec::new();
        if let Some(notes) = order.notes.take() {
            let g = self
                .vault
                .guard_text(
                    self.caller,
                    &self.keys,
                    customer_owner(customer_id, &customer.segment, &dek),
                    "notes",
                    &notes,
                    CardHandling::Refuse,
                )
                .await?;
            audit.fields.extend(count_fields("notes", &g.counts));
            tokens = g.tokens;
            order.notes = Some(g.text);
        }
        let id = Uuid::new_v4();
        let rid = id.to_string();
        let row = OrderRow {
            id,
            customer_id,
            segment: customer.segment.clone(),
            order_ref: order.order_ref.clone(),
            status: order.status.clone(),
            amount_minor: order.amount_minor,
            currency: order.currency.clone(),
            payment: order.payment.as_ref().map(|p| {
                field::seal(
                    &dek,
                    codec::DEK_GENERATION,
                    &ctx(&customer, &rid, "payment"),
                    &json(p),
                )
            }),
            items: field::seal(
                &dek,
                codec::DEK_GENERATION,
                &ctx(&customer, &rid, "items"),
                &json(&order.items),
            ),
            notes: order.notes.as_ref().map(|n| {
                field::seal(
                    &dek,
                    codec::DEK_GENERATION,
                    &ctx(&customer, &rid, "notes"),
                    n.as_bytes(),
                )
            }),
            created_at: crate::now_ms(),
        };
        let view = OrderView {
            id,
            order_ref: order.order_ref,
            items: order.items,
            amount_minor: order.amount_minor,
            currency: order.currency,
            status: order.status,
            payment: order.payment,
            notes: order.notes,
            created_at: crate::format_ms(row.created_at),
        };
        let res = if tokens.is_empty() {
            self.vault.store.order_insert(row, audit).await
        } else {
            self.vault
                .store
                .write_with_tokens(GuardedWrite::OrderInsert(row, audit), tokens)
                .await
        };
        match res {
            Err(StoreError::Unique("token_fingerprint")) => {
                Err(token_race(StoreError::Unique("token_fingerprint")))
            }
            Ok(()) => Ok(view),
            Err(StoreError::Unique(_)) => {
                Err(CoreError::Conflict(crate::error::ConflictKind::OrderRef))
            }
            Err(e) => Err(e.into()),
        }
    }
}

impl OrderReader<'_> {
    /// A customer's orders, newest first. Audited as `order.list`.
    pub async fn list(&self, customer_id: Uuid) -> Result<Vec<OrderView>, CoreError> {
        let audit = AuditRecord::new(self.caller, AuditAction::OrderList)
            .customer(customer_id)
            .fields(["items", "payment", "notes"]);
        self.vault
            .check_segment(self.caller, customer_id, AuditAction::OrderList)
            .await?;
        let (customer, dek) = self.vault.live_dek(&self.keys, customer_id, &audit).await?;
        let seen = audit.clone();
        let rows = self.vault.store.orders_list(customer_id, audit).await?;
        self.vault
            .observe_one(&seen, Some(customer.segment.as_str()));
        let orders = rows
            .iter()
            .map(|r| decrypt(&dek, &customer, r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(super::access::apply_orders_view(self.caller, orders))
    }
}

pub(super) fn decrypt(
    dek: &Key32,
    customer: &CustomerRow,
    r: &OrderRow,
) -> Result<OrderView, CoreError> {
    let rid = r.id.to_string();
    let items: Vec<OrderItem> =
        serde_json::from_slice(&field::open(dek, &ctx(customer, &rid, "items"), &r.items)?)
            .map_err(|_| CoreError::Integrity)?;
    let payment: Option<PaymentRef> = match &r.payment {
        Some(ct) => Some(
            serde_json::from_slice(&field::open(dek, &ctx(customer, &rid, "payment"), ct)?)
                .map_err(|_| CoreError::Integrity)?,
        ),
        None => None,
    };
    let notes = match &r.notes {
        Some(ct) => Some(
            String::from_utf8(field::open(dek, &ctx(customer, &rid, "notes"), ct)?.to_vec())
                .map_err(|_| CoreError::Integrity)?,
        ),
        None => None,
    };
    Ok(OrderView {
        id: r.id,
        order_ref: r.order_ref.clone(),
        items,
        amount_minor: r.amount_minor,
        currency: r.currency.clone(),
        status: r.status.clone(),
        payment,
        notes,
        created_at: crate::format_ms(r.created_at),
    })
}

/// Re-seals an order's ciphertexts from (`old_dek`, its customer's old segment) to
/// (`new_dek`, `to`), for a move between segments. Fails if a ciphertext does not open.
pub(super) fn reseal(
    old_dek: &Key32,
    new_dek: &Key32,
    to: &str,
    r: &OrderRow,
) -> Result<OrderRow, CoreError> {
    let rid = r.id.to_string();
    let move_one = |field: &str, ct: &[u8]| -> Result<Vec<u8>, CoreError> {
        let old_ctx = Context {
            segment: &r.segment,
            table: TABLE,
            record_id: &rid,
            field,
        };
        let new_ctx = Context {
            segment: to,
            ..old_ctx
        };
        let plain = field::open(old_dek, &old_ctx, ct)?;
        Ok(field::seal(
            new_dek,
            codec::DEK_GENERATION,
            &new_ctx,
            &plain,
        ))
    };
    Ok(OrderRow {
        segment: to.to_string(),
        payment: r
            .payment
            .as_deref()
            .map(|ct| move_one("payment", ct))
            .transpose()?,
        items: move_one("items", &r.items)?,
        notes: r
            .notes
            .as_deref()
            .map(|ct| move_one("notes", ct))
            .transpose()?,
        ..r.clone()
    })
}

fn json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("serialising a plain value cannot fail")
}
