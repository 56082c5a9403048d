//! Customer capabilities: masked reads and lookups, purpose-bound reveals, writes and erasure.

use super::codec::{self, Plain};
use super::screen::{count_fields, customer_owner};
use super::tokens::token_race;
use super::{Keys, Vault, access};
use crate::audit::{AuditAction, AuditRecord, Outcome, Refusal};
use crate::auth::{Caller, Purpose, Scope};
use crate::error::ForbiddenReason;
use crate::guard::{CardHandling, FindingCounts};
use crate::model::{Created, CustomerPatch, CustomerView, Field, NewCustomer};
use crate::store::{
    CustomerRow, CustomerWithKey, GuardedWrite, StoreError, TokenRow, WrappedKey, read_outcome,
};
use crate::{CoreError, InvalidField, validate};
use jaga_crypto::Key32;
use std::sync::Arc;
use uuid::Uuid;
use zeroize::Zeroizing;

impl Vault {
    /// Masked reads and lookups; needs `customers:read`.
    pub async fn reader<'a>(&'a self, caller: &'a Caller) -> Result<CustomerReader<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::CustomersRead, AuditAction::CustomerRead)
            .await?;
        self.require_agreement(caller, AuditAction::CustomerRead)
            .await?;
        Ok(CustomerReader {
            vault: self,
            caller,
            keys,
        })
    }

    /// Plaintext reveals; needs `customers:reveal` and a purpose.
    pub async fn revealer<'a>(
        &'a self,
        caller: &'a Caller,
        purpose: Option<&str>,
    ) -> Result<Revealer<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::CustomersReveal, AuditAction::CustomerReveal)
            .await?;
        self.require_agreement(caller, AuditAction::CustomerReveal)
            .await?;
        let purpose = self.screen_purpose(caller, purpose).await?;
        Ok(Revealer {
            vault: self,
            caller,
            keys,
            purpose,
        })
    }

    /// Creates and updates; needs `customers:write`.
    pub async fn writer<'a>(&'a self, caller: &'a Caller) -> Result<CustomerWriter<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::CustomersWrite, AuditAction::CustomerWrite)
            .await?;
        self.require_agreement(caller, AuditAction::CustomerWrite)
            .await?;
        Ok(CustomerWriter {
            vault: self,
            caller,
            keys,
        })
    }

    /// Erasure; needs `customers:erase`.
    pub async fn eraser<'a>(&'a self, caller: &'a Caller) -> Result<Eraser<'a>, CoreError> {
        let keys = self
            .require(caller, Scope::CustomersErase, AuditAction::CustomerErase)
            .await?;
        self.require_agreement(caller, AuditAction::CustomerErase)
            .await?;
        Ok(Eraser {
            vault: self,
            caller,
            keys,
        })
    }
}

/// Holder of `customers:read`: masked views only.
pub struct CustomerReader<'a> {
    pub(super) vault: &'a Vault,
    pub(super) caller: &'a Caller,
    pub(super) keys: Arc<Keys>,
}

/// Holder of `customers:reveal` with a stated purpose.
pub struct Revealer<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
    purpose: Purpose,
}

/// Holder of `customers:write`.
pub struct CustomerWriter<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    keys: Arc<Keys>,
}

/// Holder of `customers:erase`.
pub struct Eraser<'a> {
    vault: &'a Vault,
    caller: &'a Caller,
    #[allow(dead_code)]
    keys: Arc<Keys>,
}

/// Maps a read result to the live customer or the right error.
pub(super) fn live(found: Option<CustomerWithKey>) -> Result<(CustomerRow, WrappedKey), CoreError> {
    let found = found.ok_or(CoreError::NotFound)?;
    if found.row.erased_at.is_some() {
        return Err(CoreError::Erased);
    }
    let key = found.key.ok_or(CoreError::Erased)?;
    Ok((found.row, key))
}

pub(super) async fn masked_view(
    vault: &Vault,
    keys: &Keys,
    caller: &Caller,
    row: &CustomerRow,
    key: &WrappedKey,
    revealed: &[Field],
) -> Result<CustomerView, CoreError> {
    let dek = codec::dek(vault, keys, row, key).await?;
    let plain = codec::open_fields(&dek, row, &Field::ALL)?;
    Ok(staff_view(caller, row, &plain, revealed))
}

/// The caller's view of a decrypted row: `revealed` (and, for staff, fields their role sees in
/// plain text) unmasked, the rest masked, and fields hidden from the role removed.
pub(super) fn staff_view(
    caller: &Caller,
    row: &CustomerRow,
    plain: &codec::Plain,
    revealed: &[Field],
) -> CustomerView {
    let extra = access::plain_fields(caller);
    if extra.is_empty() {
        return access::apply_views(caller, codec::view(row, plain, revealed));
    }
    let all: Vec<Field> = revealed.iter().chain(&extra).copied().collect();
    let mut v = access::apply_views(caller, codec::view(row, plain, &all));
    v.revealed.retain(|f| revealed.contains(f));
    v
}

impl CustomerReader<'_> {
    /// One customer, masked (for staff: with the role's field views). Audited as
    /// `customer.read`. A customer outside a staff member's segments is [`CoreError::NotFound`].
    pub async fn get(&self, id: Uuid) -> Result<CustomerView, CoreError> {
        self.vault
            .check_segment(self.caller, id, AuditAction::CustomerRead)
            .await?;
        let audit = AuditRecord::new(self.caller, AuditAction::CustomerRead).customer(id);
        let seen = audit.clone();
        let found = self.vault.store.customer_get(id, audit).await?;
        observe_found(self.vault, seen, found.as_ref());
        let (row, key) = live(found)?;
        masked_view(self.vault, &self.keys, self.caller, &row, &key, &[]).await
    }
}

impl Revealer<'_> {
    /// One customer with `fields` in plain text, the rest masked. The reveal (fields and
    /// purpose) is audited before anything is decrypted; an erased or unknown customer is
    /// audited with that outcome.
    pub async fn get(&self, id: Uuid, fields: &[Field]) -> Result<CustomerView, CoreError> {
        if fields.is_empty() {
            return Err(CoreError::invalid(
                "reveal",
                "invalid_reveal",
                "name at least one field to reveal",
            ));
        }
        self.vault
            .check_segment(self.caller, id, AuditAction::CustomerReveal)
            .await?;
        self.vault.check_reveal(self.caller, id, fields).await?;
        let audit = AuditRecord::new(self.caller, AuditAction::CustomerReveal)
            .customer(id)
            .fields(fields.iter().map(|f| f.name()))
            .purpose(self.purpose.as_str());
        let seen = audit.clone();
        let found = self.vault.store.customer_get(id, audit).await?;
        observe_found(self.vault, seen, found.as_ref());
        let (row, key) = live(found)?;
        masked_view(self.vault, &self.keys, self.caller, &row, &key, fields).await
    }
}

/// Hands a committed read of `found` to intrusion detection, with the outcome the store
/// recorded and the customer's segment.
pub(super) fn observe_found(
    vault: &Vault,
    mut seen: AuditRecord,
    found: Option<&crate::store::CustomerWithKey>,
) {
    seen.outcome = crate::store::read_outcome(found.map(|f| &f.row));
    vault.observe_one(&seen, found.map(|f| f.row.segment.as_str()));
}

pub(super) fn one(e: InvalidField) -> CoreError {
    CoreError::Invalid(vec![e])
}

fn json_bytes<T: serde::Serialize>(v: &T) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(serde_json::to_vec(v).expect("serialising a plain value cannot fail"))
}

fn bytes(s: String) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(s.into_bytes())
}

/// Validates a new customer into plaintext values, collecting every error.
fn validate_new(n: &NewCustomer) -> Result<(Plain, String), CoreError> {
    let mut errors = Vec::new();
    let mut plain = codec::empty_plain();
    let mut put = |f: Field, r: Result<Zeroizing<Vec<u8>>, InvalidField>| match r {
        Ok(v) => plain[f.index()] = Some(v),
        Err(e) => errors.push(e),
    };
    put(
        Field::FullName,
        validate::full_name(&n.full_name).map(bytes),
    );
    if let Some(v) = &n.email {
        put(Field::Email, validate::email(v).map(bytes));
    }
    if let Some(v) = &n.phone {
        put(Field::Phone, validate::phone(v).map(bytes));
    }
    if let Some(v) = &n.national_id {
        put(Field::NationalId, validate::national_id(v).map(bytes));
    }
    if let Some(v) = &n.birth_date {
        put(Field::BirthDate, validate::birth_date(v).map(bytes));
    }
    if let Some(v) = &n.preferences {
        put(
            Field::Preferences,
            validate::preferences(v).map(|p| json_bytes(&p)),
        );
    }
    if let Some(v) = &n.notes {
        put(Field::Notes, validate::notes("notes", v).map(bytes));
    }
    if let Some(a) = &n.address {
        match validate::address(a) {
            Ok(a) => plain[Field::Address.index()] = Some(json_bytes(&a)),
            Err(es) => errors.extend(es),
        }
    }
    let segment = match n.segment.as_deref().map(validate::segment).transpose() {
        Ok(s) => s.unwrap_or_else(|| "default".into()),
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if errors.is_empty() {
        Ok((plain, segment))
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// Applies a patch to decrypted values; returns the names of the fields it changed.
fn apply_patch(plain: &mut Plain, p: &CustomerPatch) -> Result<Vec<&'static str>, CoreError> {
    let mut errors = Vec::new();
    let mut changed = Vec::new();
    let mut set = |f: Field, r: Option<Result<Option<Zeroizing<Vec<u8>>>, InvalidField>>| match r {
        None => {}
        Some(Ok(v)) => {
            plain[f.index()] = v;
            changed.push(f.name());
        }
        Some(Err(e)) => errors.push(e),
    };
    set(
        Field::FullName,
        p.full_name
            .as_ref()
            .map(|v| validate::full_name(v).map(|s| Some(bytes(s)))),
    );
    set(
        Field::Email,
        p.email.as_ref().map(|o| {
            o.as_ref()
                .map(|v| validate::email(v).map(bytes))
                .transpose()
        }),
    );
    set(
        Field::Phone,
        p.phone.as_ref().map(|o| {
            o.as_ref()
                .map(|v| validate::phone(v).map(bytes))
                .transpose()
        }),
    );
    set(
        Field::NationalId,
        p.national_id.as_ref().map(|o| {
            o.as_ref()
                .map(|v| validate::national_id(v).map(bytes))
                .transpose()
        }),
    );
    set(
        Field::BirthDate,
        p.birth_date.as_ref().map(|o| {
            o.as_ref()
                .map(|v| validate::birth_date(v).map(bytes))
                .transpose()
        }),
    );
    set(
        Field::Preferences,
        p.preferences.as_ref().map(|o| {
            o.as_ref()
                .map(|v| validate::preferences(v).map(|x| json_bytes(&x)))
                .transpose()
        }),
    );
    set(
        Field::Notes,
        p.notes.as_ref().map(|o| {
            o.as_ref()
                .map(|v| validate::notes("notes", v).map(bytes))
                .transpose()
        }),
    );
    if let Some(o) = &p.address {
        match o.as_ref().map(validate::address).transpose() {
            Ok(a) => {
                plain[Field::Address.index()] = a.map(|a| json_bytes(&a));
                changed.push(Field::Address.name());
            }
            Err(es) => errors.extend(es),
        }
    }
    if errors.is_empty() {
        Ok(changed)
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// The outcome of a bulk import batch.
#[derive(Debug, Clone, Default)]
pub struct BatchImported {
    /// The customers created: input position and id/code, in input order.
    pub created: Vec<(usize, Created)>,
    /// Findings per kind in each created customer's notes (aligned with `created`; card
    /// numbers and CVVs dropped and counted).
    pub findings: Vec<FindingCounts>,
    /// Inputs not imported: input position and why (field names and codes, never values).
    pub rejected: Vec<(usize, Vec<InvalidField>)>,
}

impl CustomerWriter<'_> {
    fn build(
        &self,
        id: Uuid,
        dek: &Key32,
        plain: &Plain,
        segment: String,
        consent: bool,
    ) -> (CustomerRow, WrappedKey) {
        let (fields, [email_index, phone_index, national_id_index]) =
            codec::seal_fields(&self.keys, dek, id, &segment, plain);
        let (kek_version, wrapped) = self.keys.keyring().wrap_dek(&segment, &id.to_string(), dek);
        let now = crate::now_ms();
        let row = CustomerRow {
            id,
            code: jaga_crypto::code::generate(),
            segment,
            marketing_consent: consent,
            fields,
            email_index,
            phone_index,
            national_id_index,
            version: 1,
            created_at: now,
            updated_at: now,
            erased_at: None,
        };
        (
            row,
            WrappedKey {
                kek_version,
                wrapped,
            },
        )
    }

    /// Runs the customer's notes through the write guard (before encryption), replacing them
    /// in `plain`; returns the tokens to store and the counts.
    async fn guard_notes(
        &self,
        id: Uuid,
        segment: &str,
        dek: &Key32,
        plain: &mut Plain,
        path: &str,
        cards: CardHandling,
    ) -> Result<(Vec<TokenRow>, FindingCounts), CoreError> {
        let Some(notes) = plain[Field::Notes.index()].as_ref() else {
            return Ok((Vec::new(), FindingCounts::new()));
        };
        let text = String::from_utf8_lossy(notes).into_owned();
        let g = self
            .vault
            .guard_text(
                self.caller,
                &self.keys,
                customer_owner(id, segment, dek),
                path,
                &text,
                cards,
            )
            .await?;
        plain[Field::Notes.index()] = Some(bytes(g.text));
        Ok((g.tokens, g.counts))
    }

    fn create_audit(&self, row: &CustomerRow, counts: &FindingCounts) -> AuditRecord {
        let fields = Field::ALL
            .into_iter()
            .filter(|f| row.fields[f.index()].is_some())
            .map(|f| f.name().to_string())
            .chain(count_fields("notes", counts));
        AuditRecord::new(self.caller, AuditAction::CustomerCreate)
            .customer(row.id)
            .fields(fields)
    }

    /// Validates, encrypts and stores a new customer. Audited as `customer.create` in the same
    /// transaction.
    pub async fn create(&self, input: &NewCustomer) -> Result<Created, CoreError> {
        let (mut plain, segment) = validate_new(input)?;
        self.staff_may_create(&plain, &segment).await?;
        self.vault
            .guard_normalised(self.caller, None, &codec::plain_json(&plain, None))
            .await?;
        let id = Uuid::new_v4();
        let dek = Key32::random();
        let (tokens, counts) = self
            .guard_notes(
                id,
                &segment,
                &dek,
                &mut plain,
                "notes",
                CardHandling::Refuse,
            )
            .await?;
        for _ in 0..3 {
            let (row, key) = self.build(id, &dek, &plain, segment.clone(), input.marketing_consent);
            let created = Created {
                id: row.id,
                code: row.code.clone(),
            };
            let audit = self.create_audit(&row, &counts);
            let res = if tokens.is_empty() {
                self.vault.store.customer_insert(row, key, audit).await
            } else {
                self.vault
                    .store
                    .write_with_tokens(
                        GuardedWrite::CustomerInsert(row, key, audit),
                        tokens.clone(),
                    )
                    .await
            };
            match res {
                Ok(()) => return Ok(created),
                Err(StoreError::Unique("customer_code")) => continue,
                Err(e) => return Err(token_race(e)),
            }
        }
        Err(CoreError::Conflict(
            crate::error::ConflictKind::CustomerCode,
        ))
    }

    /// Creates many customers in one transaction. All or nothing: any invalid input (or a card
    /// number in a note) fails the whole batch before anything is written.
    pub async fn create_batch(&self, inputs: &[NewCustomer]) -> Result<Vec<Created>, CoreError> {
        let out = self.batch(inputs, CardHandling::Refuse).await?;
        Ok(out.created.into_iter().map(|(_, c)| c).collect())
    }

    /// Bulk import of one batch: every valid input is created in **one transaction** (all of
    /// them or, on a database error, none); invalid inputs are skipped and reported in
    /// [`BatchImported::rejected`]. Card numbers and CVVs in notes are dropped and counted
    /// instead of refused; other identifiers in notes get the shop's policy. Each customer is
    /// audited as `customer.create` with its finding counts.
    pub async fn import_batch(&self, inputs: &[NewCustomer]) -> Result<BatchImported, CoreError> {
        self.batch(inputs, CardHandling::Drop).await
    }

    async fn batch(
        &self,
        inputs: &[NewCustomer],
        cards: CardHandling,
    ) -> Result<BatchImported, CoreError> {
        let lenient = cards == CardHandling::Drop;
        let mut rows = Vec::with_capacity(inputs.len());
        let mut tokens = Vec::new();
        let mut out = BatchImported::default();
        for (i, input) in inputs.iter().enumerate() {
            let prefix = |es: Vec<InvalidField>| -> Vec<InvalidField> {
                es.into_iter()
                    .map(|mut f| {
                        f.field = format!("[{i}].{}", f.field);
                        f
                    })
                    .collect()
            };
            let (mut plain, segment) = match validate_new(input) {
                Ok(v) => v,
                Err(CoreError::Invalid(es)) if lenient => {
                    out.rejected.push((i, es));
                    continue;
                }
                Err(CoreError::Invalid(es)) => return Err(CoreError::Invalid(prefix(es))),
                Err(other) => return Err(other),
            };
            self.staff_may_create(&plain, &segment).await?;
            let normalised = codec::plain_json(&plain, None);
            match self
                .vault
                .guard_normalised(self.caller, None, &normalised)
                .await
            {
                Ok(()) => {}
                Err(CoreError::CardInText { field }) if lenient => {
                    out.rejected.push((
                        i,
                        vec![InvalidField::new(
                            field,
                            "card_number_not_allowed",
                            "holds a payment card number",
                        )],
                    ));
                    continue;
                }
                Err(CoreError::CardInText { field }) => {
                    return Err(CoreError::CardInText {
                        field: format!("[{i}].{field}"),
                    });
                }
                Err(e) => return Err(e),
            }
            let id = Uuid::new_v4();
            let dek = Key32::random();
            let (t, counts) = match self
                .guard_notes(
                    id,
                    &segment,
                    &dek,
                    &mut plain,
                    &format!("[{i}].notes"),
                    cards,
                )
                .await
            {
                Ok(v) => v,
                Err(CoreError::CardInText { .. }) if lenient => {
                    out.rejected.push((
                        i,
                        vec![InvalidField::new(
                            "notes",
                            "card_number_not_allowed",
                            "holds card data that could not be removed cleanly",
                        )],
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
            tokens.extend(t);
            let (row, key) = self.build(id, &dek, &plain, segment, input.marketing_consent);
            let audit = self.create_audit(&row, &counts);
            out.created.push((
                i,
                Created {
                    id: row.id,
                    code: row.code.clone(),
                },
            ));
            rows.push((row, key, audit));
            out.findings.push(counts);
        }
        if rows.is_empty() {
            return Ok(out);
        }
        if tokens.is_empty() {
            self.vault.store.customer_insert_batch(rows).await?;
        } else {
            self.vault
                .store
                .write_with_tokens(GuardedWrite::CustomerInsertBatch(rows), tokens)
                .await
                .map_err(token_race)?;
        }
        Ok(out)
    }

    /// Applies a partial update. Audited as `customer.update` (with the changed field names) in
    /// the same transaction; returns the masked view.
    pub async fn update(&self, id: Uuid, patch: &CustomerPatch) -> Result<CustomerView, CoreError> {
        self.vault
            .check_segment(self.caller, id, AuditAction::CustomerUpdate)
            .await?;
        let mut audit = AuditRecord::new(self.caller, AuditAction::CustomerUpdate).customer(id);
        let found = self.vault.store.customer_load(id).await?;
        let outcome = read_outcome(found.as_ref().map(|f| &f.row));
        if outcome != Outcome::Ok {
            self.vault
                .store
                .audit_append(audit.outcome(outcome))
                .await?;
            return Err(if outcome == Outcome::Erased {
                CoreError::Erased
            } else {
                CoreError::NotFound
            });
        }
        let (mut row, key) = live(found)?;
        let dek = codec::dek(self.vault, &self.keys, &row, &key).await?;
        let mut plain = codec::open_fields(&dek, &row, &Field::ALL)?;
        let changed = apply_patch(&mut plain, patch)?;
        self.vault
            .check_write(self.caller, Some(id), &changed)
            .await?;
        self.vault
            .guard_normalised(
                self.caller,
                Some(id),
                &codec::plain_json(&plain, Some(&changed)),
            )
            .await?;
        let (tokens, counts) = if matches!(patch.notes, Some(Some(_))) {
            self.guard_notes(
                row.id,
                &row.segment.clone(),
                &dek,
                &mut plain,
                "notes",
                CardHandling::Refuse,
            )
            .await?
        } else {
            (Vec::new(), FindingCounts::new())
        };
        let (fields, [e, p, n]) =
            codec::seal_fields(&self.keys, &dek, row.id, &row.segment, &plain);
        row.fields = fields;
        row.email_index = e;
        row.phone_index = p;
        row.national_id_index = n;
        if let Some(c) = patch.marketing_consent {
            row.marketing_consent = c;
        }
        row.version += 1;
        row.updated_at = crate::now_ms();
        audit = audit.fields(
            changed
                .iter()
                .map(|f| f.to_string())
                .chain(
                    patch
                        .marketing_consent
                        .map(|_| "marketing_consent".to_string()),
                )
                .chain(count_fields("notes", &counts)),
        );
        let seen = audit.clone();
        let res = if tokens.is_empty() {
            self.vault
                .store
                .customer_update(row.clone(), None, audit)
                .await
        } else {
            self.vault
                .store
                .write_with_tokens(GuardedWrite::CustomerUpdate(row.clone(), audit), tokens)
                .await
        };
        match res {
            Ok(()) => self.vault.observe_one(&seen, Some(row.segment.as_str())),
            Err(StoreError::Concurrent) => {
                return Err(CoreError::Conflict(
                    crate::error::ConflictKind::CustomerChanged,
                ));
            }
            Err(e) => return Err(token_race(e)),
        }
        Ok(staff_view(self.caller, &row, &plain, &[]))
    }

    /// A segment-restricted staff member creates customers only in their segments (another
    /// segment is [`CoreError::NotFound`], as it is on every other path, and audited as a denied
    /// `customer.create` with the field `segment`), and no staff member sets fields hidden from
    /// their role.
    async fn staff_may_create(&self, plain: &codec::Plain, segment: &str) -> Result<(), CoreError> {
        if !access::sees(self.caller, segment) {
            let refusal = Refusal::new(AuditAction::CustomerCreate, ForbiddenReason::Segment);
            return Err(match self.vault.deny(self.caller, refusal).await {
                CoreError::Forbidden(_) => CoreError::NotFound,
                other => other,
            });
        }
        let set: Vec<&str> = Field::ALL
            .into_iter()
            .filter(|f| plain[f.index()].is_some())
            .map(Field::name)
            .collect();
        self.vault.check_write(self.caller, None, &set).await
    }
}

impl Eraser<'_> {
    /// Crypto-shreds a customer: the DEK is destroyed, so every ciphertext of the customer (in
    /// the database, its WAL or any copy) can no longer be decrypted. Audited as
    /// `customer.erase` in the same transaction. A staff caller needs a fresh step-up and must
    /// see the customer's segment.
    pub async fn erase(&self, id: Uuid) -> Result<(), CoreError> {
        self.vault
            .check_segment(self.caller, id, AuditAction::CustomerErase)
            .await?;
        self.vault
            .require_step_up(self.caller, AuditAction::CustomerErase, Some(id))
            .await?;
        let audit = AuditRecord::new(self.caller, AuditAction::CustomerErase).customer(id);
        let at = crate::now_ms();
        if self
            .vault
            .store
            .customer_erase(id, at, audit.clone())
            .await?
        {
            self.vault.observe_one(&audit, None);
            self.vault.ledger_erasure(id, at, self.caller.id()).await;
            return Ok(());
        }
        // Tell an erased customer from an unknown one; the attempt is audited either way.
        let found = self.vault.store.customer_get(id, audit).await?;
        match read_outcome(found.as_ref().map(|f| &f.row)) {
            Outcome::Erased => Err(CoreError::Erased),
            _ => Err(CoreError::NotFound),
        }
    }
}
