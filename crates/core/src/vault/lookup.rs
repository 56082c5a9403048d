//! Exact-match customer lookups (blind index or customer code), with the three rules that keep
//! a lookup from becoming an oracle: a per-caller rate limit, no lookup by a field the caller's
//! role cannot see, and a candidate cap that is reported instead of silently applied.

use super::customers::{CustomerReader, live, masked_view, one, staff_view};
use super::{Vault, access, codec, ratelimit::LookupLimits};
use crate::audit::{AuditAction, AuditRecord, Outcome, Refusal};
use crate::error::ForbiddenReason;
use crate::model::{CustomerView, Field, Lookup};
use crate::roles::FieldView;
use crate::{CoreError, validate};

/// Most blind-index candidates one lookup examines. More candidates than this (many customers
/// sharing an e-mail or phone, or short-index collisions) make the answer `truncated`.
pub const LOOKUP_LIMIT: u32 = 50;

/// The answer to a lookup.
#[derive(Debug, Clone)]
pub struct LookupResult {
    /// Matching customers the caller may see, masked.
    pub customers: Vec<CustomerView>,
    /// Whether the index held more than [`LOOKUP_LIMIT`] candidates, so matches may be missing.
    /// Narrow the search (e.g. by customer code) when it is set.
    pub truncated: bool,
}

impl Vault {
    /// Sets the per-caller lookup rate limits (`jaga.toml` `[limits]`).
    pub fn set_lookup_limits(&self, limits: LookupLimits) {
        self.lookup_limiter.set(limits);
    }

    /// The lookup rate limits in force.
    pub fn lookup_limits(&self) -> LookupLimits {
        self.lookup_limiter.limits()
    }
}

impl CustomerReader<'_> {
    /// Exact-match lookup through a blind index (or the customer code); see
    /// [`CustomerReader::lookup_page`]. Matches beyond the candidate cap are left out.
    pub async fn lookup(&self, query: &Lookup) -> Result<Vec<CustomerView>, CoreError> {
        Ok(self.lookup_page(query).await?.customers)
    }

    /// Exact-match lookup through a blind index (or the customer code). False positives of
    /// short indexes are removed by decrypting; the log records exactly the customers handed
    /// out (one `customer.lookup` each, before anything is returned), a refusal for a match in
    /// a segment the caller cannot see, and a `not_found` event when nothing matched.
    ///
    /// Refused before anything is read: a caller over its lookup rate limit
    /// ([`CoreError::RateLimited`]) and a staff member looking up by a field their role cannot
    /// see ([`CoreError::Forbidden`] with `lookup_field`); both are audited as a denied
    /// `customer.lookup` (fields `rate_limit`, or `field_view` and the field's name).
    pub async fn lookup_page(&self, query: &Lookup) -> Result<LookupResult, CoreError> {
        let deny =
            || AuditRecord::new(self.caller, AuditAction::CustomerLookup).outcome(Outcome::Denied);
        if let Err(retry_after_secs) = self.vault.lookup_limiter.take(self.caller) {
            let rec = deny().fields(["rate_limit"]);
            self.vault.store.audit_append(rec).await?;
            return Err(CoreError::RateLimited { retry_after_secs });
        }
        let by = match query {
            Lookup::Code(_) => None,
            Lookup::Email(_) => Some(Field::Email),
            Lookup::Phone(_) => Some(Field::Phone),
            Lookup::NationalId(_) => Some(Field::NationalId),
        };
        if let (Some(field), Some(ctx)) = (by, self.caller.staff())
            && ctx.views().field(field) == FieldView::Hidden
        {
            let refusal = Refusal::new(AuditAction::CustomerLookup, ForbiddenReason::LookupField)
                .fields(["field_view", field.name()]);
            return Err(self.vault.deny(self.caller, refusal).await);
        }
        let (field, value) = match query {
            Lookup::Code(c) => return self.by_code(c).await,
            Lookup::Email(v) => (Field::Email, validate::email(v).map_err(one)?),
            Lookup::Phone(v) => (Field::Phone, validate::phone(v).map_err(one)?),
            Lookup::NationalId(v) => (Field::NationalId, validate::national_id(v).map_err(one)?),
        };
        let term = self
            .keys
            .index_key(field)
            .expect("lookup fields are indexed")
            .term(value.as_bytes());
        let audit =
            AuditRecord::new(self.caller, AuditAction::CustomerLookup).fields([field.name()]);
        let mut candidates = self
            .vault
            .store
            .customer_lookup(field, &term, LOOKUP_LIMIT + 1)
            .await?;
        let truncated = candidates.len() > LOOKUP_LIMIT as usize;
        candidates.truncate(LOOKUP_LIMIT as usize);
        // Sort the candidates before anything is audited: a false positive of a short index
        // (the decrypted value differs) and a match in a segment the caller cannot see are
        // never handed out, so they are not recorded as received (the latter is recorded as
        // a refusal). Only the true hits are audited as `customer.lookup` with their customer.
        let mut hits = Vec::new();
        let mut refused = false;
        for c in candidates {
            let Ok((row, key)) = live(Some(c)) else {
                continue;
            };
            let dek = codec::dek(self.vault, &self.keys, &row, &key).await?;
            let plain = codec::open_fields(&dek, &row, &Field::ALL)?;
            if plain[field.index()].as_deref().map(|v| v.as_slice()) != Some(value.as_bytes()) {
                continue;
            }
            if !access::sees(self.caller, &row.segment) {
                self.segment_denied(row.id, field.name()).await?;
                refused = true;
                continue;
            }
            hits.push((row, plain));
        }
        let records: Vec<AuditRecord> = if hits.is_empty() {
            if refused {
                vec![]
            } else {
                vec![audit.clone().outcome(Outcome::NotFound)]
            }
        } else {
            hits.iter()
                .map(|(row, _)| audit.clone().customer(row.id))
                .collect()
        };
        if !records.is_empty() {
            self.vault.store.audit_append_batch(records).await?;
        }
        let mut customers = Vec::new();
        for (row, plain) in hits {
            // A true hit goes to detection.
            self.vault
                .observe_one(&audit.clone().customer(row.id), Some(&row.segment));
            customers.push(staff_view(self.caller, &row, &plain, &[]));
        }
        Ok(LookupResult {
            customers,
            truncated,
        })
    }

    async fn by_code(&self, c: &str) -> Result<LookupResult, CoreError> {
        let code = jaga_crypto::code::parse(c).map_err(|_| {
            CoreError::invalid(
                "code",
                "invalid_code",
                "is not a customer code (JG-XXXX-XXXX-X)",
            )
        })?;
        let audit = AuditRecord::new(self.caller, AuditAction::CustomerLookup).fields(["code"]);
        // Read unaudited, then audit what is handed out: a customer in a segment the caller
        // cannot see is recorded only as the refusal, not as received.
        let found = self.vault.store.customer_load_by_code(&code).await?;
        if let Some(f) = &found
            && f.row.erased_at.is_none()
            && !access::sees(self.caller, &f.row.segment)
        {
            self.segment_denied(f.row.id, "code").await?;
            return Ok(LookupResult {
                customers: vec![],
                truncated: false,
            });
        }
        let mut rec = audit;
        rec.outcome = crate::store::read_outcome(found.as_ref().map(|f| &f.row));
        if let Some(f) = &found {
            rec.customer_id = Some(f.row.id);
        }
        self.vault.store.audit_append(rec.clone()).await?;
        if let Some(f) = &found
            && access::sees(self.caller, &f.row.segment)
        {
            super::customers::observe_found(self.vault, rec, Some(f));
        }
        let found = found.filter(|f| f.row.erased_at.is_none());
        let customers = match found {
            Some(f) => {
                let (row, key) = live(Some(f))?;
                vec![masked_view(self.vault, &self.keys, self.caller, &row, &key, &[]).await?]
            }
            None => vec![],
        };
        Ok(LookupResult {
            customers,
            truncated: false,
        })
    }

    /// Records that a match in a segment the staff caller cannot see was left out (a denied
    /// `customer.lookup` naming the customer, the field `segment` and the lookup field). The
    /// answer itself is the same as for no match, so the customer's existence does not leak.
    async fn segment_denied(&self, id: uuid::Uuid, by: &str) -> Result<(), CoreError> {
        let refusal = Refusal::new(AuditAction::CustomerLookup, ForbiddenReason::Segment)
            .customer(Some(id))
            .fields(["segment", by]);
        match self.vault.deny(self.caller, refusal).await {
            CoreError::Forbidden(_) => Ok(()),
            other => Err(other),
        }
    }
}
