//! The [`Store`] implementation: keyring, API keys, audit, and delegation to the customer code.

use crate::rows::{self, corrupt};
use crate::{SqliteStore, audit, db};
use async_trait::async_trait;
use jaga_core::audit::AuditRecord;
use jaga_core::model::Field;
use jaga_core::store::*;
use sqlx::Row;
use uuid::Uuid;

/// Runs a transactional store call in a task of its own, so a caller that abandons the future
/// (an HTTP client hanging up) cannot cancel it halfway: sqlx's rollback-on-drop could otherwise
/// fail while a statement is still in progress and leave the single writer connection believing
/// it is inside a transaction, wedging every later write.
macro_rules! detached {
    ($self:ident, |$s:ident| $body:expr) => {{
        let $s = $self.clone();
        tokio::spawn(async move { $body })
            .await
            .map_err(|_| StoreError::Database("store task failed".into()))?
    }};
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db)
            .map(|_| ())
    }

    async fn keys_load(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, version, state, wrapped, created_at FROM keyring ORDER BY kind, version",
        )
        .fetch_all(&self.writer)
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
        detached!(self, |s| {
            async move {
        let mut tx = s.begin().await?;
        if key.state == "active" {
            sqlx::query(
                "UPDATE keyring SET state = 'decrypt_only' WHERE kind = ? AND state = 'active'",
            )
            .bind(&key.kind)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        sqlx::query("INSERT INTO keyring (kind, version, state, wrapped, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(&key.kind)
            .bind(i64::from(key.version))
            .bind(&key.state)
            .bind(&key.wrapped)
            .bind(key.created_at)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        audit::append(&mut tx, &[&audit_rec]).await?;
        tx.commit().await.map_err(db)
        }.await
        })
    }

    async fn key_set_state(
        &self,
        kind: &str,
        version: u32,
        state: &str,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let (kind, state) = (kind.to_string(), state.to_string());
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            let sql = if state == "retired" {
                "UPDATE keyring SET state = ?, wrapped = NULL WHERE kind = ? AND version = ?"
            } else {
                "UPDATE keyring SET state = ? WHERE kind = ? AND version = ?"
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
            tx.commit().await.map_err(db)?;
            Ok(n == 1)
        }
        .await)
    }

    async fn dek_counts(&self) -> Result<Vec<(u32, u64)>, StoreError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT kek_version, COUNT(*) FROM customer_keys GROUP BY kek_version ORDER BY kek_version").fetch_all(&self.writer).await.map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(v, n)| (v as u32, n as u64))
            .collect())
    }

    async fn deks_to_rewrap(&self, active: u32, limit: u32) -> Result<Vec<RewrapItem>, StoreError> {
        let rows = sqlx::query("SELECT k.customer_id, c.segment, k.kek_version, k.wrapped FROM customer_keys k JOIN customers c ON c.id = k.customer_id WHERE k.kek_version <> ? LIMIT ?")
            .bind(i64::from(active))
            .bind(i64::from(limit))
            .fetch_all(&self.writer)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(RewrapItem {
                    customer_id: rows::uuid(&r.try_get::<String, _>("customer_id").map_err(db)?)?,
                    segment: r.try_get("segment").map_err(db)?,
                    key: WrappedKey {
                        kek_version: r.try_get::<i64, _>("kek_version").map_err(db)? as u32,
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
        detached!(self, |s| {
            async move {
        let mut tx = s.begin().await?;
        let mut n = 0;
        for (id, old, new) in &items {
            n += sqlx::query("UPDATE customer_keys SET kek_version = ?, wrapped = ? WHERE customer_id = ? AND wrapped = ?")
                .bind(i64::from(new.kek_version))
                .bind(&new.wrapped)
                .bind(id.to_string())
                .bind(&old.wrapped)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        }
        audit::append(&mut tx, &[&audit_rec]).await?;
        tx.commit().await.map_err(db)?;
        Ok(n)
        }.await
        })
    }

    async fn api_key_insert(
        &self,
        key: ApiKeyRecord,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        detached!(self, |s| {
            async move {
        let mut tx = s.begin().await?;
        sqlx::query("INSERT INTO api_keys (id, name, digest, scopes, created_at, expires_at, revoked_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
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
        tx.commit().await.map_err(db)
        }.await
        })
    }

    async fn api_key_get(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        sqlx::query("SELECT * FROM api_keys WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?
            .map(|r| rows::api_key(&r))
            .transpose()
    }

    async fn api_key_list(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        sqlx::query("SELECT * FROM api_keys ORDER BY created_at")
            .fetch_all(&self.reader)
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
        let id = id.to_string();
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            let n = sqlx::query(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            )
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
            tx.commit().await.map_err(db)?;
            Ok(true)
        }
        .await)
    }

    async fn api_key_touch(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
            .bind(at)
            .bind(id)
            .execute(&self.writer)
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
        detached!(self, |s| async move {
            s.customer_insert_impl(row, key, audit_rec).await
        }
        .await)
    }

    async fn customer_insert_batch(
        &self,
        rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
    ) -> Result<(), StoreError> {
        detached!(self, |s| {
            async move { s.customer_insert_batch_impl(rows).await }.await
        })
    }

    async fn customer_get(
        &self,
        id: Uuid,
        audit_rec: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        detached!(self, |s| async move {
            s.customer_get_impl("id", id.to_string(), audit_rec).await
        }
        .await)
    }

    async fn customer_load(&self, id: Uuid) -> Result<Option<CustomerWithKey>, StoreError> {
        self.customer_load_impl(id).await
    }

    async fn customer_get_by_code(
        &self,
        code: &str,
        audit_rec: AuditRecord,
    ) -> Result<Option<CustomerWithKey>, StoreError> {
        let code = code.to_string();
        detached!(self, |s| async move {
            s.customer_get_impl("code", code.to_string(), audit_rec)
                .await
        }
        .await)
    }

    async fn customer_lookup(
        &self,
        field: Field,
        term: &[u8],
        limit: u32,
        audit_rec: AuditRecord,
    ) -> Result<Vec<CustomerWithKey>, StoreError> {
        let term = term.to_vec();
        detached!(self, |s| async move {
            s.customer_lookup_impl(field, &term, limit, audit_rec).await
        }
        .await)
    }

    async fn customer_update(
        &self,
        row: CustomerRow,
        key: Option<WrappedKey>,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        detached!(self, |s| async move {
            s.customer_update_impl(row, key, audit_rec).await
        }
        .await)
    }

    async fn customer_erase(
        &self,
        id: Uuid,
        at: i64,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        detached!(self, |s| async move {
            s.customer_erase_impl(id, at, audit_rec).await
        }
        .await)
    }

    async fn order_insert(&self, row: OrderRow, audit_rec: AuditRecord) -> Result<(), StoreError> {
        detached!(self, |s| async move {
            s.order_insert_impl(row, audit_rec).await
        }
        .await)
    }

    async fn orders_list(
        &self,
        customer_id: Uuid,
        audit_rec: AuditRecord,
    ) -> Result<Vec<OrderRow>, StoreError> {
        detached!(self, |s| async move {
            s.orders_list_impl(customer_id, audit_rec).await
        }
        .await)
    }

    async fn audit_append(&self, audit_rec: AuditRecord) -> Result<u64, StoreError> {
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            let seq = audit::append(&mut tx, &[&audit_rec]).await?;
            tx.commit().await.map_err(db)?;
            Ok(seq)
        }
        .await)
    }

    async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        let (size, root): (i64, Vec<u8>) =
            sqlx::query_as("SELECT size, root FROM audit_head WHERE log_id = 1")
                .fetch_one(&self.writer)
                .await
                .map_err(db)?;
        Ok(AuditHead {
            size: size as u64,
            root: root.try_into().map_err(|_| corrupt("audit root length"))?,
        })
    }

    async fn audit_events(&self, from: u64, limit: u32) -> Result<Vec<StoredEvent>, StoreError> {
        let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq >= ? ORDER BY seq LIMIT ?",
        )
        .bind(from as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
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
