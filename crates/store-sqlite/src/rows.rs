//! Row mapping between SQLite and the core's row types.

use jaga_core::model::Field;
use jaga_core::store::{
    ApiKeyRecord, CustomerRow, CustomerWithKey, OrderRow, StoreError, WrappedKey,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

/// Customer columns in [`Field::ALL`] order, then the rest, as selected by [`CUSTOMER_SELECT`].
pub(crate) const CUSTOMER_SELECT: &str = "SELECT c.id, c.code, c.segment, c.marketing_consent, c.full_name, c.email, c.phone, c.address, c.national_id, c.birth_date, c.preferences, c.notes, c.email_index, c.phone_index, c.national_id_index, c.version, c.created_at, c.updated_at, c.erased_at, k.kek_version, k.wrapped FROM customers c LEFT JOIN customer_keys k ON k.customer_id = c.id";

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(crate) fn uuid(s: &str) -> Result<Uuid, StoreError> {
    Uuid::parse_str(s).map_err(|_| corrupt("id is not a UUID"))
}

pub(crate) fn customer(r: &SqliteRow) -> Result<CustomerWithKey, StoreError> {
    let g = |e: sqlx::Error| StoreError::Database(e.to_string());
    let mut fields: jaga_core::store::EncryptedFields = Default::default();
    for f in Field::ALL {
        fields[f.index()] = r.try_get(f.name()).map_err(g)?;
    }
    let row = CustomerRow {
        id: uuid(&r.try_get::<String, _>("id").map_err(g)?)?,
        code: r.try_get("code").map_err(g)?,
        segment: r.try_get("segment").map_err(g)?,
        marketing_consent: r.try_get("marketing_consent").map_err(g)?,
        fields,
        email_index: r.try_get("email_index").map_err(g)?,
        phone_index: r.try_get("phone_index").map_err(g)?,
        national_id_index: r.try_get("national_id_index").map_err(g)?,
        version: r.try_get("version").map_err(g)?,
        created_at: r.try_get("created_at").map_err(g)?,
        updated_at: r.try_get("updated_at").map_err(g)?,
        erased_at: r.try_get("erased_at").map_err(g)?,
    };
    let version: Option<i64> = r.try_get("kek_version").map_err(g)?;
    let wrapped: Option<Vec<u8>> = r.try_get("wrapped").map_err(g)?;
    let key = match (version, wrapped) {
        (Some(v), Some(w)) => Some(WrappedKey {
            kek_version: u32::try_from(v).map_err(|_| corrupt("kek version"))?,
            wrapped: w,
        }),
        _ => None,
    };
    Ok(CustomerWithKey { row, key })
}

pub(crate) fn order(r: &SqliteRow) -> Result<OrderRow, StoreError> {
    let g = |e: sqlx::Error| StoreError::Database(e.to_string());
    Ok(OrderRow {
        id: uuid(&r.try_get::<String, _>("id").map_err(g)?)?,
        customer_id: uuid(&r.try_get::<String, _>("customer_id").map_err(g)?)?,
        order_ref: r.try_get("order_ref").map_err(g)?,
        status: r.try_get("status").map_err(g)?,
        amount_minor: r.try_get("amount_minor").map_err(g)?,
        currency: r.try_get("currency").map_err(g)?,
        payment: r.try_get("payment").map_err(g)?,
        items: r.try_get("items").map_err(g)?,
        notes: r.try_get("notes").map_err(g)?,
        created_at: r.try_get("created_at").map_err(g)?,
    })
}

pub(crate) fn api_key(r: &SqliteRow) -> Result<ApiKeyRecord, StoreError> {
    let g = |e: sqlx::Error| StoreError::Database(e.to_string());
    Ok(ApiKeyRecord {
        id: r.try_get("id").map_err(g)?,
        name: r.try_get("name").map_err(g)?,
        digest: r.try_get("digest").map_err(g)?,
        scopes: r.try_get("scopes").map_err(g)?,
        created_at: r.try_get("created_at").map_err(g)?,
        expires_at: r.try_get("expires_at").map_err(g)?,
        revoked_at: r.try_get("revoked_at").map_err(g)?,
        last_used_at: r.try_get("last_used_at").map_err(g)?,
    })
}
