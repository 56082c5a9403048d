//! Customers and orders on PostgreSQL.

use crate::rows::{self, CUSTOMER_SELECT, ORDER_SELECT};
use crate::{PostgresStore, audit, db};
use jaga_core::audit::{AuditRecord, Outcome};
use jaga_core::model::Field;
use jaga_core::store::{
    CustomerRow, CustomerWithKey, OrderRow, StoreError, WrappedKey, read_outcome,
};
use sqlx::PgConnection;
use uuid::Uuid;

/// Inserts customers and their keys with one `UNNEST` statement per table, however many.
const INSERT_CUSTOMERS: &str = "INSERT INTO customers (id, code, segment, marketing_consent, full_name, email, phone, address, national_id, birth_date, preferences, notes, email_index, phone_index, national_id_index, version, created_at, updated_at, erased_at) \
     SELECT * FROM UNNEST($1::text[]::uuid[], $2::text[], $3::text[], $4::boolean[], $5::bytea[], $6::bytea[], $7::bytea[], $8::bytea[], $9::bytea[], $10::bytea[], $11::bytea[], $12::bytea[], $13::bytea[], $14::bytea[], $15::bytea[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[])";
const INSERT_KEYS: &str = "INSERT INTO customer_keys (customer_id, kek_version, wrapped) SELECT * FROM UNNEST($1::text[]::uuid[], $2::bigint[], $3::bytea[])";

pub(crate) async fn insert(
    conn: &mut PgConnection,
    items: &[(&CustomerRow, &WrappedKey)],
) -> Result<(), StoreError> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = items.iter().map(|(r, _)| r.id.to_string()).collect();
    let codes: Vec<&str> = items.iter().map(|(r, _)| r.code.as_str()).collect();
    let segments: Vec<&str> = items.iter().map(|(r, _)| r.segment.as_str()).collect();
    let consent: Vec<bool> = items.iter().map(|(r, _)| r.marketing_consent).collect();
    let column = |get: &dyn Fn(&CustomerRow) -> Option<&[u8]>| -> Vec<Option<&[u8]>> {
        items.iter().map(|(r, _)| get(r)).collect()
    };
    let mut q = sqlx::query(INSERT_CUSTOMERS)
        .bind(&ids)
        .bind(&codes)
        .bind(&segments)
        .bind(&consent);
    for i in 0..8 {
        q = q.bind(column(&|r: &CustomerRow| r.fields[i].as_deref()));
    }
    q.bind(column(&|r: &CustomerRow| r.email_index.as_deref()))
        .bind(column(&|r: &CustomerRow| r.phone_index.as_deref()))
        .bind(column(&|r: &CustomerRow| r.national_id_index.as_deref()))
        .bind(items.iter().map(|(r, _)| r.version).collect::<Vec<_>>())
        .bind(items.iter().map(|(r, _)| r.created_at).collect::<Vec<_>>())
        .bind(items.iter().map(|(r, _)| r.updated_at).collect::<Vec<_>>())
        .bind(items.iter().map(|(r, _)| r.erased_at).collect::<Vec<_>>())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    sqlx::query(INSERT_KEYS)
        .bind(&ids)
        .bind(
            items
                .iter()
                .map(|(_, k)| i64::from(k.kek_version))
                .collect::<Vec<_>>(),
        )
        .bind(
            items
                .iter()
                .map(|(_, k)| k.wrapped.as_slice())
                .collect::<Vec<_>>(),
        )
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

fn index_column(field: Field) -> Result<&'static str, StoreError> {
    match field {
        Field::Email => Ok("email_index"),
        Field::Phone => Ok("phone_index"),
        Field::NationalId => Ok("national_id_index"),
        _ => Err(StoreError::Database("field has no blind index".into())),
    }
}

/// How [`PostgresStore::customer_get_impl`] finds its customer.
pub(crate) enum By {
    Id(Uuid),
    Code(String),
}

/// Writes a changed customer row if its version is still `row.version - 1` (inside the caller's
/// transaction).
pub(crate) async fn update(
    conn: &mut PgConnection,
    row: &CustomerRow,
    key: Option<&WrappedKey>,
) -> Result<(), StoreError> {
    // Under READ COMMITTED a concurrent update of the same row makes this statement wait and
    // then re-check `version` against the committed row, so exactly one writer wins.
    let mut q = sqlx::query("UPDATE customers SET marketing_consent = $1, full_name = $2, email = $3, phone = $4, address = $5, national_id = $6, birth_date = $7, preferences = $8, notes = $9, email_index = $10, phone_index = $11, national_id_index = $12, version = $13, updated_at = $14 WHERE id = $15::uuid AND version = $16 AND erased_at IS NULL")
        .bind(row.marketing_consent);
    for f in &row.fields {
        q = q.bind(f.as_deref());
    }
    let done = q
        .bind(row.email_index.as_deref())
        .bind(row.phone_index.as_deref())
        .bind(row.national_id_index.as_deref())
        .bind(row.version)
        .bind(row.updated_at)
        .bind(row.id.to_string())
        .bind(row.version - 1)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Concurrent);
    }
    if let Some(k) = key {
        sqlx::query(
            "UPDATE customer_keys SET kek_version = $1, wrapped = $2 WHERE customer_id = $3::uuid",
        )
        .bind(i64::from(k.kek_version))
        .bind(&k.wrapped)
        .bind(row.id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// Inserts an order for a live customer (inside the caller's transaction).
pub(crate) async fn order_insert(
    conn: &mut PgConnection,
    row: &OrderRow,
) -> Result<(), StoreError> {
    // FOR SHARE holds off a concurrent erasure until this order is committed (or not).
    let live: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM customers WHERE id = $1::uuid AND erased_at IS NULL FOR SHARE",
    )
    .bind(row.customer_id.to_string())
    .fetch_optional(&mut *conn)
    .await
    .map_err(db)?;
    if live.is_none() {
        return Err(StoreError::Concurrent);
    }
    sqlx::query("INSERT INTO orders (id, customer_id, order_ref, status, amount_minor, currency, payment, items, notes, created_at) VALUES ($1::uuid, $2::uuid, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(row.id.to_string())
        .bind(row.customer_id.to_string())
        .bind(&row.order_ref)
        .bind(&row.status)
        .bind(row.amount_minor)
        .bind(&row.currency)
        .bind(row.payment.as_deref())
        .bind(&row.items)
        .bind(row.notes.as_deref())
        .bind(row.created_at)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

impl PostgresStore {
    pub(crate) async fn customer_insert_impl(
        &self,
        row: CustomerRow,
        key: WrappedKey,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert(&mut tx, &[(&row, &key)]).await?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await
    }

    pub(crate) async fn customer_insert_batch_impl(
        &self,
        rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let items: Vec<(&CustomerRow, &WrappedKey)> = rows.iter().map(|(r, k, _)| (r, k)).collect();
        insert(&mut tx, &items).await?;
        let audits: Vec<&AuditRecord> = rows.iter().map(|(_, _, a)| a).collect();
        audit::append(&mut tx, &audits).await?;
        crate::commit(tx).await
    }

    pub(crate) async fn customer_get_impl(
        &self,
        by: By,
        mut audit_rec: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let mut tx = self.begin().await?;
        let (sql, value) = match by {
            By::Id(id) => (
                format!("{CUSTOMER_SELECT} WHERE c.id = $1::uuid"),
                id.to_string(),
            ),
            By::Code(code) => (format!("{CUSTOMER_SELECT} WHERE c.code = $1"), code),
        };
        let found = sqlx::query(&sql)
            .bind(value)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .map(|r| rows::customer(&r))
            .transpose()?;
        audit_rec.outcome = read_outcome(found.as_ref().map(|f| &f.row));
        if let Some(f) = &found {
            audit_rec.customer_id = Some(f.row.id);
        }
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        Ok(found)
    }

    pub(crate) async fn customer_load_impl(
        &self,
        id: Uuid,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let sql = format!("{CUSTOMER_SELECT} WHERE c.id = $1::uuid");
        sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .map(|r| rows::customer(&r))
            .transpose()
    }

    pub(crate) async fn customer_lookup_impl(
        &self,
        field: Field,
        term: &[u8],
        limit: u32,
        audit_rec: AuditRecord,
    ) -> Result<Vec<CustomerWithKey>, StoreError> {
        let col = index_column(field)?;
        let mut tx = self.begin().await?;
        let sql = format!(
            "{CUSTOMER_SELECT} WHERE c.{col} = $1 AND c.erased_at IS NULL ORDER BY c.created_at, c.id LIMIT $2"
        );
        let found = sqlx::query(&sql)
            .bind(term)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?
            .iter()
            .map(rows::customer)
            .collect::<Result<Vec<_>, _>>()?;
        let records: Vec<AuditRecord> = if found.is_empty() {
            vec![audit_rec.outcome(Outcome::NotFound)]
        } else {
            found
                .iter()
                .map(|f| audit_rec.clone().customer(f.row.id))
                .collect()
        };
        audit::append(&mut tx, &records.iter().collect::<Vec<_>>()).await?;
        crate::commit(tx).await?;
        Ok(found)
    }

    pub(crate) async fn customer_update_impl(
        &self,
        row: CustomerRow,
        key: Option<WrappedKey>,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        update(&mut tx, &row, key.as_ref()).await?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await
    }

    /// Crypto-shreds a customer.
    ///
    /// PostgreSQL never overwrites in place: the `DELETE` of the customer's `customer_keys` row
    /// (and the `UPDATE` clearing its ciphertexts) leaves dead tuples that still hold the old
    /// wrapped DEK and ciphertexts until `VACUUM` reclaims them, and even then the bytes can
    /// survive in free space inside the page, in WAL segments and in base backups until they are
    /// overwritten. We therefore run a best-effort `VACUUM customer_keys` after commit (it cannot
    /// run inside a transaction) to shorten that window; autovacuum would get there eventually.
    /// What makes a leftover copy useless is that the DEK is only ever stored wrapped under a
    /// KEK: rotating the KEK and retiring the old version (which deletes its wrapped material)
    /// kills every lingering copy, including those in backups.
    pub(crate) async fn customer_erase_impl(
        &self,
        id: Uuid,
        at: i64,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE customers SET full_name = NULL, email = NULL, phone = NULL, address = NULL, national_id = NULL, birth_date = NULL, preferences = NULL, notes = NULL, email_index = NULL, phone_index = NULL, national_id_index = NULL, erased_at = $1, version = version + 1 WHERE id = $2::uuid AND erased_at IS NULL")
            .bind(at)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        crate::tokens::shred(&mut tx, id, at).await?;
        sqlx::query("DELETE FROM customer_keys WHERE customer_id = $1::uuid")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        if let Err(e) = sqlx::raw_sql("VACUUM customer_keys")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "VACUUM after erasure failed; autovacuum will reclaim the dead key later");
        }
        Ok(true)
    }

    pub(crate) async fn order_insert_impl(
        &self,
        row: OrderRow,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        order_insert(&mut tx, &row).await?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await
    }

    pub(crate) async fn orders_list_impl(
        &self,
        customer_id: Uuid,
        audit_rec: AuditRecord,
    ) -> Result<Vec<OrderRow>, StoreError> {
        let mut tx = self.begin().await?;
        let sql =
            format!("{ORDER_SELECT} WHERE customer_id = $1::uuid ORDER BY created_at DESC, id");
        let rows = sqlx::query(&sql)
            .bind(customer_id.to_string())
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?
            .iter()
            .map(rows::order)
            .collect::<Result<Vec<_>, _>>()?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        Ok(rows)
    }
}
