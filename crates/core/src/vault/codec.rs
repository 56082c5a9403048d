//! Turning validated customer values into encrypted rows and back into views.

use super::Keys;
use crate::CoreError;
use crate::mask;
use crate::model::{Address, CustomerView, Field};
use crate::store::{CustomerRow, EncryptedFields, WrappedKey};
use jaga_crypto::Key32;
use jaga_crypto::field::{self, Context};
use uuid::Uuid;
use zeroize::Zeroizing;

/// DEK generation recorded in field ciphertext headers.
pub(crate) const DEK_GENERATION: u32 = 1;
const TABLE: &str = "customers";

/// Plaintext values by field, normalised, as bytes (address and preferences as JSON).
pub(crate) type Plain = [Option<Zeroizing<Vec<u8>>>; 8];

pub(crate) fn empty_plain() -> Plain {
    Default::default()
}

/// The plaintext values as one JSON object (field name → text, or the JSON of the address and
/// preferences), for the card guard after normalisation. Notes are left out (they pass the
/// free-text guard); `only` limits it to the named fields.
pub(crate) fn plain_json(plain: &Plain, only: Option<&[&str]>) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for f in Field::ALL {
        if f == Field::Notes || only.is_some_and(|o| !o.contains(&f.name())) {
            continue;
        }
        let Some(v) = &plain[f.index()] else { continue };
        let value = match f {
            Field::Address | Field::Preferences => serde_json::from_slice(v)
                .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(v).into())),
            _ => serde_json::Value::String(String::from_utf8_lossy(v).into_owned()),
        };
        map.insert(f.name().to_string(), value);
    }
    serde_json::Value::Object(map)
}

/// Encrypts every present value and computes blind-index terms from the plaintext.
pub(crate) fn seal_fields(
    keys: &Keys,
    dek: &Key32,
    id: Uuid,
    segment: &str,
    plain: &Plain,
) -> (EncryptedFields, [Option<Vec<u8>>; 3]) {
    let rid = id.to_string();
    let mut out: EncryptedFields = Default::default();
    for f in Field::ALL {
        if let Some(v) = &plain[f.index()] {
            let ctx = Context {
                segment,
                table: TABLE,
                record_id: &rid,
                field: f.name(),
            };
            out[f.index()] = Some(field::seal(dek, DEK_GENERATION, &ctx, v));
        }
    }
    let term = |f: Field| {
        plain[f.index()]
            .as_ref()
            .and_then(|v| keys.index_key(f).map(|k| k.term(v)))
    };
    (
        out,
        [
            term(Field::Email),
            term(Field::Phone),
            term(Field::NationalId),
        ],
    )
}

/// Unwraps a customer's DEK, reloading the keyring once if the version is not known yet (a
/// rotation made by another process).
pub(crate) async fn dek(
    vault: &super::Vault,
    keys: &Keys,
    row: &CustomerRow,
    key: &WrappedKey,
) -> Result<Key32, CoreError> {
    let rid = row.id.to_string();
    if !keys.keyring().has(key.kek_version) {
        vault.refresh_keyring().await?;
    }
    Ok(keys
        .keyring()
        .unwrap_dek(&row.segment, &rid, &key.wrapped)?)
}

/// Decrypts the given fields of a row.
pub(crate) fn open_fields(
    dek: &Key32,
    row: &CustomerRow,
    which: &[Field],
) -> Result<Plain, CoreError> {
    let rid = row.id.to_string();
    let mut out = empty_plain();
    for f in which {
        if let Some(ct) = &row.fields[f.index()] {
            let ctx = Context {
                segment: &row.segment,
                table: TABLE,
                record_id: &rid,
                field: f.name(),
            };
            out[f.index()] = Some(field::open(dek, &ctx, ct)?);
        }
    }
    Ok(out)
}

fn text(v: &Option<Zeroizing<Vec<u8>>>) -> Option<String> {
    v.as_ref().map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Builds the caller's view: revealed fields in plain text, the rest masked. Preferences and
/// notes are shown as they are.
pub(crate) fn view(row: &CustomerRow, plain: &Plain, revealed: &[Field]) -> CustomerView {
    let show = |f: Field| revealed.contains(&f);
    let get = |f: Field| text(&plain[f.index()]);
    let masked = |f: Field, m: fn(&str) -> String| get(f).map(|v| if show(f) { v } else { m(&v) });
    let address = plain[Field::Address.index()]
        .as_ref()
        .and_then(|b| serde_json::from_slice::<Address>(b).ok())
        .map(|a| {
            if show(Field::Address) {
                a
            } else {
                mask::address(&a)
            }
        });
    let preferences = plain[Field::Preferences.index()]
        .as_ref()
        .and_then(|b| serde_json::from_slice(b).ok());
    let mut revealed: Vec<Field> = revealed
        .iter()
        .copied()
        .filter(|f| plain[f.index()].is_some())
        .collect();
    revealed.sort();
    revealed.dedup();
    CustomerView {
        id: row.id,
        code: row.code.clone(),
        segment: row.segment.clone(),
        full_name: masked(Field::FullName, mask::full_name),
        email: masked(Field::Email, mask::email),
        phone: masked(Field::Phone, mask::phone),
        address,
        national_id: masked(Field::NationalId, mask::national_id),
        birth_date: masked(Field::BirthDate, mask::birth_date),
        preferences,
        notes: get(Field::Notes),
        marketing_consent: row.marketing_consent,
        revealed,
        created_at: crate::format_ms(row.created_at),
        updated_at: crate::format_ms(row.updated_at),
    }
}
