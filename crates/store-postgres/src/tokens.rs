//! The token vault on PostgreSQL.

use crate::customers::{insert, order_insert, update};
use crate::rows::{corrupt, uuid};
use crate::{PostgresStore, audit, db};
use async_trait::async_trait;
use jaga_core::audit::AuditRecord;
use jaga_core::store::{GuardedWrite, StoreError, StoredToken, TokenRow, TokenStore};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

/// Clears an erased customer's token values and fingerprints (inside the erasure transaction).
pub(crate) async fn shred(conn: &mut PgConnection, id: Uuid, at: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE tokens SET value = NULL, fingerprint = NULL, erased_at = $1 WHERE customer_id = $2::uuid AND erased_at IS NULL")
        .bind(at)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn insert_tokens(conn: &mut PgConnection, tokens: &[TokenRow]) -> Result<(), StoreError> {
    for t in tokens {
        sqlx::query("INSERT INTO tokens (token, kind, customer_id, fingerprint, value, created_at) VALUES ($1, $2, $3::uuid, $4, $5, $6)")
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

#[async_trait]
impl TokenStore for PostgresStore {
    async fn tokens_find(
        &self,
        fingerprints: &[Vec<u8>],
    ) -> Result<Vec<(Vec<u8>, String, String)>, StoreError> {
        if fingerprints.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "SELECT fingerprint, token, kind FROM tokens WHERE fingerprint = ANY($1::bytea[])",
        )
        .bind(fingerprints)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("fingerprint").map_err(db)?,
                    r.try_get("token").map_err(db)?,
                    r.try_get("kind").map_err(db)?,
                ))
            })
            .collect()
    }

    async fn token_get(&self, token: &str) -> Result<Option<StoredToken>, StoreError> {
        let row = sqlx::query("SELECT token, kind, customer_id::text AS customer_id, value, created_at, erased_at FROM tokens WHERE token = $1")
            .bind(token)
            .fetch_optional(&self.pool)
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
        let mut tx = self.begin().await?;
        let audits: Vec<AuditRecord> = match write {
            GuardedWrite::CustomerInsert(row, key, a) => {
                insert(&mut tx, &[(&row, &key)]).await?;
                vec![a]
            }
            GuardedWrite::CustomerInsertBatch(rows) => {
                let items: Vec<_> = rows.iter().map(|(r, k, _)| (r, k)).collect();
                insert(&mut tx, &items).await?;
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
        crate::commit(tx).await
    }
}
