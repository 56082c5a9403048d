//! The [`Store`] implementation: keyring, API keys, audit, and delegation to the customer code.

use crate::customers::By;
use crate::rows::{self, API_KEY_SELECT, corrupt};
use crate::{PostgresStore, audit, db};
use async_trait::async_trait;
use jaga_core::audit::AuditRecord;
use jaga_core::model::Field;
use jaga_core::store::*;
use sqlx::Row;
use uuid::Uuid;

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn keys_load(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, version, state, wrapped, created_at FROM keyring ORDER BY kind, version",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(KeyRecord {
                    kind: r.try_get("kind").map_err(db)?,
                    version: u32::try_from(r.try_get::<i64, _>("version").map_err(db)?)
                        .map_err(|_| corrupt("key version"))?,
                    state: r.try_get("state").map_err(db)?,
                    wrapped: r
                        .try_get::<Option<Vec<u8>>, _>("wrapped")
                        .map_err(db)?
                        .unwrap_or_default(),
                    created_at: r.try_get("created_at").map_err(db)?,
                })
            })
            .collect()
    }

    async fn key_insert(&self, key: KeyRecord, audit_rec: AuditRecord) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        if key.state == "active" {
            sqlx::query(
                "UPDATE keyring SET state = 'decrypt_only' WHERE kind = $1 AND state = 'active'",
            )
            .bind(&key.kind)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        sqlx::query("INSERT INTO keyring (kind, version, state, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&key.kind)
            .bind(i64::from(key.version))
            .bind(&key.state)
            .bind(&key.wrapped)
            .bind(key.created_at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await
    }

    async fn key_set_state(
        &self,
        kind: &str,
        version: u32,
        state: &str,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let sql = if state == "retired" {
            "UPDATE keyring SET state = $1, wrapped = NULL WHERE kind = $2 AND version = $3"
        } else {
            "UPDATE keyring SET state = $1 WHERE kind = $2 AND version = $3"
        };
        let n = sqlx::query(sql)
            .bind(state)
            .bind(kind)
            .bind(i64::from(version))
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        Ok(n == 1)
    }

    async fn dek_counts(&self) -> Result<Vec<(u32, u64)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT kek_version, COUNT(*) FROM customer_keys GROUP BY kek_version ORDER BY kek_version").fetch_all(&self.pool).await.map_err(db)?;
        rows.into_iter()
            .map(|(v, n)| Ok((rows::kek_version(v)?, n as u64)))
            .collect()
    }

    async fn deks_to_rewrap(&self, active: u32, limit: u32) -> Result<Vec<RewrapItem>, StoreError> {
        let rows = sqlx::query("SELECT k.customer_id::text AS customer_id, c.segment, k.kek_version, k.wrapped FROM customer_keys k JOIN customers c ON c.id = k.customer_id WHERE k.kek_version <> $1 ORDER BY k.customer_id LIMIT $2")
            .bind(i64::from(active))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(RewrapItem {
                    customer_id: rows::uuid(r.try_get::<&str, _>("customer_id").map_err(db)?)?,
                    segment: r.try_get("segment").map_err(db)?,
                    key: WrappedKey {
                        kek_version: rows::kek_version(r.try_get("kek_version").map_err(db)?)?,
                        wrapped: r.try_get("wrapped").map_err(db)?,
                    },
                })
            })
            .collect()
    }

    async fn deks_rewrap(
        &self,
        items: Vec<(Uuid, WrappedKey, WrappedKey)>,
        audit_rec: AuditRecord,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        // One compare-and-swap statement for the whole batch: a row is replaced only if it still
        // holds the wrapping that was read.
        let n = sqlx::query(
            "UPDATE customer_keys k SET kek_version = u.kek_version, wrapped = u.new_wrapped \
             FROM UNNEST($1::text[]::uuid[], $2::bigint[], $3::bytea[], $4::bytea[]) AS u(customer_id, kek_version, new_wrapped, old_wrapped) \
             WHERE k.customer_id = u.customer_id AND k.wrapped = u.old_wrapped",
        )
        .bind(items.iter().map(|(id, _, _)| id.to_string()).collect::<Vec<_>>())
        .bind(items.iter().map(|(_, _, new)| i64::from(new.kek_version)).collect::<Vec<_>>())
        .bind(items.iter().map(|(_, _, new)| new.wrapped.as_slice()).collect::<Vec<_>>())
        .bind(items.iter().map(|(_, old, _)| old.wrapped.as_slice()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        Ok(n)
    }

    async fn api_key_insert(
        &self,
        key: ApiKeyRecord,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO api_keys (id, name, digest, scopes, created_at, expires_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&key.id)
            .bind(&key.name)
            .bind(&key.digest)
            .bind(&key.scopes)
            .bind(key.created_at)
            .bind(key.expires_at)
            .bind(key.revoked_at)
            .bind(key.last_used_at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await
    }

    async fn api_key_get(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("{API_KEY_SELECT} WHERE id = $1");
        sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            .map(|r| rows::api_key(&r))
            .transpose()
    }

    async fn api_key_list(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let sql = format!("{API_KEY_SELECT} ORDER BY created_at, id");
        sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?
            .iter()
            .map(rows::api_key)
            .collect()
    }

    async fn api_key_revoke(
        &self,
        id: &str,
        at: i64,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let n =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        Ok(true)
    }

    async fn api_key_touch(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn customer_insert(
        &self,
        row: CustomerRow,
        key: WrappedKey,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        self.customer_insert_impl(row, key, audit_rec).await
    }

    async fn customer_insert_batch(
        &self,
        rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
    ) -> Result<(), StoreError> {
        self.customer_insert_batch_impl(rows).await
    }

    async fn customer_get(
        &self,
        id: Uuid,
        audit_rec: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        self.customer_get_impl(By::Id(id), audit_rec).await
    }

    async fn customer_load(&self, id: Uuid) -> Result<Option<CustomerWithKey>, StoreError> {
        self.customer_load_impl(id).await
    }

    async fn customer_get_by_code(
        &self,
        code: &str,
        audit_rec: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        self.customer_get_impl(By::Code(code.to_string()), audit_rec)
            .await
    }

    async fn customer_lookup(
        &self,
        field: Field,
        term: &[u8],
        limit: u32,
        audit_rec: AuditRecord,
    ) -> Result<Vec<CustomerWithKey>, StoreError> {
        self.customer_lookup_impl(field, term, limit, audit_rec)
            .await
    }

    async fn customer_update(
        &self,
        row: CustomerRow,
        key: Option<WrappedKey>,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        self.customer_update_impl(row, key, audit_rec).await
    }

    async fn customer_erase(
        &self,
        id: Uuid,
        at: i64,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        self.customer_erase_impl(id, at, audit_rec).await
    }

    async fn order_insert(&self, row: OrderRow, audit_rec: AuditRecord) -> Result<(), StoreError> {
        self.order_insert_impl(row, audit_rec).await
    }

    async fn orders_list(
        &self,
        customer_id: Uuid,
        audit_rec: AuditRecord,
    ) -> Result<Vec<OrderRow>, StoreError> {
        self.orders_list_impl(customer_id, audit_rec).await
    }

    async fn audit_append(&self, audit_rec: AuditRecord) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let seq = audit::append(&mut tx, &[&audit_rec]).await?;
        crate::commit(tx).await?;
        Ok(seq)
    }

    async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        let (size, root): (i64, Vec<u8>) =
            sqlx::query_as("SELECT size, root FROM audit_head WHERE log_id = 1")
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        Ok(AuditHead {
            size: u64::try_from(size).map_err(|_| corrupt("audit size"))?,
            root: root.try_into().map_err(|_| corrupt("audit root length"))?,
        })
    }

    async fn audit_events(&self, from: u64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let from = i64::try_from(from)
            .map_err(|_| StoreError::Database("position out of range".into()))?;
        let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq >= $1 ORDER BY seq LIMIT $2",
        )
        .bind(from)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|(seq, leaf, lh)| {
                Ok(StoredEvent {
                    seq: seq as u64,
                    leaf,
                    leaf_hash: lh.try_into().map_err(|_| corrupt("leaf hash length"))?,
                })
            })
            .collect()
    }
}
