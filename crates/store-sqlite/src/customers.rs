//! Customers and orders on SQLite.

use crate::rows::{self, CUSTOMER_SELECT};
use crate::{SqliteStore, audit, db};
use jaga_core::audit::AuditRecord;
use jaga_core::model::Field;
use jaga_core::store::{
    CustomerRow, CustomerWithKey, OrderRow, StoreError, WrappedKey, read_outcome,
};
use sqlx::SqliteConnection;
use uuid::Uuid;

const INSERT_CUSTOMER: &str = "INSERT INTO customers (id, code, segment, marketing_consent, full_name, email, phone, address, national_id, birth_date, preferences, notes, email_index, phone_index, national_id_index, version, created_at, updated_at, erased_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

pub(crate) async fn insert(
    conn: &mut SqliteConnection,
    row: &CustomerRow,
    key: &WrappedKey,
) -> Result<(), StoreError> {
    let mut q = sqlx::query(INSERT_CUSTOMER)
        .bind(row.id.to_string())
        .bind(&row.code)
        .bind(&row.segment)
        .bind(row.marketing_consent);
    for f in &row.fields {
        q = q.bind(f.as_deref());
    }
    q.bind(row.email_index.as_deref())
        .bind(row.phone_index.as_deref())
        .bind(row.national_id_index.as_deref())
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.erased_at)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    sqlx::query("INSERT INTO customer_keys (customer_id, kek_version, wrapped) VALUES (?, ?, ?)")
        .bind(row.id.to_string())
        .bind(i64::from(key.kek_version))
        .bind(&key.wrapped)
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

/// Writes a changed customer row if its version is still `row.version - 1` (inside the caller's
/// transaction).
pub(crate) async fn update(
    conn: &mut SqliteConnection,
    row: &CustomerRow,
    key: Option<&WrappedKey>,
) -> Result<(), StoreError> {
    let mut q = sqlx::query("UPDATE customers SET marketing_consent = ?, full_name = ?, email = ?, phone = ?, address = ?, national_id = ?, birth_date = ?, preferences = ?, notes = ?, email_index = ?, phone_index = ?, national_id_index = ?, version = ?, updated_at = ? WHERE id = ? AND version = ? AND erased_at IS NULL")
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
        sqlx::query("UPDATE customer_keys SET kek_version = ?, wrapped = ? WHERE customer_id = ?")
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
    conn: &mut SqliteConnection,
    row: &OrderRow,
) -> Result<(), StoreError> {
    let live: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM customers WHERE id = ? AND erased_at IS NULL")
            .bind(row.customer_id.to_string())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
    if live.is_none() {
        return Err(StoreError::Concurrent);
    }
    sqlx::query("INSERT INTO orders (id, customer_id, order_ref, status, amount_minor, currency, payment, items, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
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

impl SqliteStore {
    pub(crate) async fn customer_insert_impl(
        &self,
        row: CustomerRow,
        key: WrappedKey,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert(&mut tx, &row, &key).await?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn customer_insert_batch_impl(
        &self,
        rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for (row, key, _) in &rows {
            insert(&mut tx, row, key).await?;
        }
        let audits: Vec<&AuditRecord> = rows.iter().map(|(_, _, a)| a).collect();
        audit::append(&mut tx, &audits).await?;
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn customer_get_impl(
        &self,
        by: &str,
        value: String,
        mut audit_rec: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let mut tx = self.begin().await?;
        let sql = format!("{CUSTOMER_SELECT} WHERE c.{by} = ?");
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
        tx.commit().await.map_err(db)?;
        Ok(found)
    }

    pub(crate) async fn customer_load_impl(
        &self,
        id: Uuid,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let sql = format!("{CUSTOMER_SELECT} WHERE c.id = ?");
        sqlx::query(&sql)
            .bind(id.to_string())
            .fetch_optional(&self.reader)
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
        let sql = format!("{CUSTOMER_SELECT} WHERE c.{col} = ? AND c.erased_at IS NULL LIMIT ?");
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
            vec![audit_rec.outcome(jaga_core::audit::Outcome::NotFound)]
        } else {
            found
                .iter()
                .map(|f| audit_rec.clone().customer(f.row.id))
                .collect()
        };
        audit::append(&mut tx, &records.iter().collect::<Vec<_>>()).await?;
        tx.commit().await.map_err(db)?;
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
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn customer_erase_impl(
        &self,
        id: Uuid,
        at: i64,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("UPDATE customers SET full_name = NULL, email = NULL, phone = NULL, address = NULL, national_id = NULL, birth_date = NULL, preferences = NULL, notes = NULL, email_index = NULL, phone_index = NULL, national_id_index = NULL, erased_at = ?, version = version + 1 WHERE id = ? AND erased_at IS NULL")
            .bind(at)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        crate::tokens::shred(&mut tx, id, at).await?;
        sqlx::query("DELETE FROM customer_keys WHERE customer_id = ?")
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        tx.commit().await.map_err(db)?;
        // Push the change out of the WAL so the deleted key's old page image does not linger.
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.writer)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint after erasure failed; it will happen later");
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
        tx.commit().await.map_err(db)
    }

    pub(crate) async fn orders_list_impl(
        &self,
        customer_id: Uuid,
        audit_rec: AuditRecord,
    ) -> Result<Vec<OrderRow>, StoreError> {
        let mut tx = self.begin().await?;
        let rows =
            sqlx::query("SELECT * FROM orders WHERE customer_id = ? ORDER BY created_at DESC, id")
                .bind(customer_id.to_string())
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?
                .iter()
                .map(rows::order)
                .collect::<Result<Vec<_>, _>>()?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        tx.commit().await.map_err(db)?;
        Ok(rows)
    }
}
