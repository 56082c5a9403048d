//! The token vault on SQLite.

use crate::customers::{insert, order_insert, update};
use crate::rows::{corrupt, uuid};
use crate::{SqliteStore, audit, db};
use async_trait::async_trait;
use jaga_core::audit::AuditRecord;
use jaga_core::store::{GuardedWrite, StoreError, StoredToken, TokenRow, TokenStore};
use sqlx::{Row, SqliteConnection};
use uuid::Uuid;

/// Clears an erased customer's token values and fingerprints (inside the erasure transaction).
pub(crate) async fn shred(
    conn: &mut SqliteConnection,
    id: Uuid,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE tokens SET value = NULL, fingerprint = NULL, erased_at = ? WHERE customer_id = ? AND erased_at IS NULL")
        .bind(at)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn insert_tokens(conn: &mut SqliteConnection, tokens: &[TokenRow]) -> Result<(), StoreError> {
    for t in tokens {
        sqlx::query("INSERT INTO tokens (token, kind, customer_id, fingerprint, value, created_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&t.token)
            .bind(&t.kind)
            .bind(t.customer_id.map(|u| u.to_string()))
            .bind(&t.fingerprint)
            .bind(&t.value)
            .bind(t.created_at)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

impl SqliteStore {
    async fn write_with_tokens_impl(
        &self,
        write: GuardedWrite,
        tokens: Vec<TokenRow>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let audits: Vec<AuditRecord> = match write {
            GuardedWrite::CustomerInsert(row, key, a) => {
                insert(&mut tx, &row, &key).await?;
                vec![a]
            }
            GuardedWrite::CustomerInsertBatch(rows) => {
                for (row, key, _) in &rows {
                    insert(&mut tx, row, key).await?;
                }
                rows.into_iter().map(|(_, _, a)| a).collect()
            }
            GuardedWrite::CustomerUpdate(row, a) => {
                update(&mut tx, &row, None).await?;
                vec![a]
            }
            GuardedWrite::OrderInsert(row, a) => {
                order_insert(&mut tx, &row).await?;
                vec![a]
            }
            GuardedWrite::Audit(a) => vec![a],
        };
        insert_tokens(&mut tx, &tokens).await?;
        audit::append(&mut tx, &audits.iter().collect::<Vec<_>>()).await?;
        tx.commit().await.map_err(db)
    }
}

#[async_trait]
impl TokenStore for SqliteStore {
    async fn tokens_find(
        &self,
        fingerprints: &[Vec<u8>],
    ) -> Result<Vec<(Vec<u8>, String, String)>, StoreError> {
        let mut out = Vec::new();
        for fp in fingerprints {
            let row =
                sqlx::query("SELECT fingerprint, token, kind FROM tokens WHERE fingerprint = ?")
                    .bind(fp)
                    .fetch_optional(&self.reader)
                    .await
                    .map_err(db)?;
            if let Some(r) = row {
                out.push((
                    r.try_get("fingerprint").map_err(db)?,
                    r.try_get("token").map_err(db)?,
                    r.try_get("kind").map_err(db)?,
                ));
            }
        }
        Ok(out)
    }

    async fn token_get(&self, token: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query("SELECT token, kind, customer_id, value, created_at, erased_at FROM tokens WHERE token = ?")
            .bind(token)
            .fetch_optional(&self.reader)
            .await
            .map_err(db)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(StoredToken {
            token: r.try_get("token").map_err(db)?,
            kind: r.try_get("kind").map_err(db)?,
            customer_id: r
                .try_get::<Option<String>, _>("customer_id")
                .map_err(db)?
                .map(|s| uuid(&s))
                .transpose()
                .map_err(|_| corrupt("token owner"))?,
            value: r.try_get("value").map_err(db)?,
            created_at: r.try_get("created_at").map_err(db)?,
            erased_at: r.try_get("erased_at").map_err(db)?,
        }))
    }

    async fn write_with_tokens(
        &self,
        write: GuardedWrite,
        tokens: Vec<TokenRow>,
    ) -> Result<(), StoreError> {
        // Detached like every other write: an abandoned caller must not cancel it halfway.
        let s = self.clone();
        tokio::spawn(async move { s.write_with_tokens_impl(write, tokens).await })
            .await
            .map_err(|_| StoreError::Database("store task failed".into()))?
    }
}
