//! Moving a customer between segments (`customers:move`).
//!
//! Every ciphertext of a customer binds its segment into the associated data (fields, orders,
//! tokens) and its DEK is wrapped under the segment's KEK. A move therefore gives the customer a
//! **new** DEK, wraps it under the new segment's KEK, and re-seals every field, order and live
//! token under the new DEK with the new segment in the AAD, in one store transaction with a
//! `customer.segment_move` event (customer id, `from:`, `to:` and counts; never a value). The old
//! DEK is not kept: whoever holds the old segment's KEK and a copy of the database taken after
//! the move opens nothing of the customer.

use super::codec;
use super::customers::{live, one};
use super::{Keys, Vault, access, orders, tokens};
use crate::audit::{AuditAction, AuditRecord, Outcome, Refusal};
use crate::auth::{Caller, Scope};
use crate::error::{ConflictKind, ForbiddenReason};
use crate::model::Field;
use crate::store::{SegmentMove, StoreError, read_outcome};
use crate::{CoreError, validate};
use jaga_crypto::Key32;
use std::sync::Arc;
use uuid::Uuid;

/// How often a move is tried again when the customer changed while it was re-sealed.
const ATTEMPTS: usize = 3;

impl Vault {
    /// Moving customers between segments; needs `customers:move` (staff: the agreement, a
    /// fresh step-up, and both segments among theirs, checked per move).
    pub async fn segment_mover<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> Result<SegmentMover<'a>, CoreError> {
        let keys = self
            .require(
                caller,
                Scope::CustomersMove,
                AuditAction::CustomerSegmentMove,
            )
            .await?;
        self.require_agreement(caller, AuditAction::CustomerSegmentMove)
            .await?;
        Ok(SegmentMover {
            vault: self,
            caller,
            keys,
        })
    }
}

/// Holder of `customers:move`.
pub struct SegmentMover<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
}

/// What a move did (ids, names and counts only).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentMoved {
    /// The customer.
    pub id: Uuid,
    /// The segment it was in.
    pub from: String,
    /// The segment it is in now.
    pub to: String,
    /// Orders re-sealed.
    pub orders: usize,
    /// Live tokens re-sealed.
    pub tokens: usize,
}

impl SegmentMover<'_> {
    /// Moves customer `id` to `segment`. A segment-restricted staff member must see the
    /// customer's segment (else [`CoreError::NotFound`], audited) and `segment` (likewise), and
    /// needs a fresh step-up. An unknown or erased customer is audited with that outcome; a
    /// customer already in `segment` is refused as invalid.
    pub async fn move_to(&self, id: Uuid, segment: &str) -> Result<SegmentMoved, CoreError> {
        const ACTION: AuditAction = AuditAction::CustomerSegmentMove;
        let to = validate::segment(segment).map_err(one)?;
        self.vault.check_segment(self.caller, id, ACTION).await?;
        if !access::sees(self.caller, &to) {
            let refusal = Refusal::new(ACTION, ForbiddenReason::Segment).customer(Some(id));
            return Err(match self.vault.deny(self.caller, refusal).await {
                CoreError::Forbidden(_) => CoreError::NotFound,
                other => other,
            });
        }
        self.vault
            .require_step_up(self.caller, ACTION, Some(id))
            .await?;
        let audit = AuditRecord::new(self.caller, ACTION).customer(id);
        for _ in 0..ATTEMPTS {
            let found = self.vault.store.customer_load(id).await?;
            let outcome = read_outcome(found.as_ref().map(|f| &f.row));
            if outcome != Outcome::Ok {
                self.vault
                    .store
                    .audit_append(audit.clone().outcome(outcome))
                    .await?;
                return Err(if outcome == Outcome::Erased {
                    CoreError::Erased
                } else {
                    CoreError::NotFound
                });
            }
            let (row, key) = live(found)?;
            if row.segment == to {
                return Err(CoreError::invalid(
                    "segment",
                    "same_segment",
                    "the customer is in this segment already",
                ));
            }
            let old_dek = codec::dek(self.vault, &self.keys, &row, &key).await?;
            let plain = codec::open_fields(&old_dek, &row, &Field::ALL)?;
            let (order_rows, token_rows) = self.vault.store.customer_sealed_load(id).await?;
            let new_dek = Key32::random();
            let resealed_orders = order_rows
                .iter()
                .map(|o| orders::reseal(&old_dek, &new_dek, &to, o))
                .collect::<Result<Vec<_>, _>>()?;
            let mut resealed_tokens = Vec::with_capacity(token_rows.len());
            for t in &token_rows {
                if let Some(v) = tokens::reseal(&old_dek, &row.segment, &new_dek, &to, t)? {
                    resealed_tokens.push(v);
                }
            }
            let mut moved = row.clone();
            let (fields, [e, p, n]) = codec::seal_fields(&self.keys, &new_dek, id, &to, &plain);
            moved.segment = to.clone();
            moved.fields = fields;
            moved.email_index = e;
            moved.phone_index = p;
            moved.national_id_index = n;
            moved.version += 1;
            moved.updated_at = crate::now_ms();
            let (kek_version, wrapped) =
                self.keys.keyring().wrap_dek(&to, &id.to_string(), &new_dek);
            let done = SegmentMoved {
                id,
                from: row.segment.clone(),
                to: to.clone(),
                orders: resealed_orders.len(),
                tokens: resealed_tokens.len(),
            };
            let record = audit.clone().fields([
                format!("from:{}", done.from),
                format!("to:{}", done.to),
                format!("orders:{}", done.orders),
                format!("tokens:{}", done.tokens),
            ]);
            let seen = record.clone();
            let mv = SegmentMove {
                row: moved,
                key: crate::store::WrappedKey {
                    kek_version,
                    wrapped,
                },
                orders: resealed_orders,
                tokens: resealed_tokens,
            };
            match self.vault.store.customer_move(mv, record).await {
                Ok(()) => {
                    self.vault.observe_one(&seen, Some(to.as_str()));
                    return Ok(done);
                }
                // An order, token or update landed meanwhile: read everything again.
                Err(StoreError::Concurrent) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(CoreError::Conflict(ConflictKind::CustomerChanged))
    }
}
