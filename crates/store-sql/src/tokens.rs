//! The token vault.

/// Stamps [`TokenStore`](jaga_core::store::TokenStore) for `$store`.
#[macro_export]
macro_rules! tokens {
    ($store:ty) => {
        use crate::customers::{order_insert, update};
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            CustomerRow, GuardedWrite, StoreError, StoredToken, TokenRow, TokenStore, WrappedKey,
        };
        use $crate::sqlx::Row as _;
        use $crate::{corrupt, decode as g, uuid};

        async fn insert_tokens(
            conn: &mut crate::Conn,
            tokens: &[TokenRow],
        ) -> Result<(), StoreError> {
            for t in tokens {
                $crate::sqlx::query(crate::sql::TOKEN_INSERT)
                    .bind(&t.token)
                    .bind(&t.kind)
                    .bind(t.customer_id.map(|u| u.to_string()))
                    .bind(&t.fingerprint)
                    .bind(&t.value)
                    .bind(t.created_at)
                    .execute(&mut *conn)
                    .await
                    .map_err(crate::db)?;
            }
            Ok(())
        }

        impl $store {
            async fn write_with_tokens_impl(
                &self,
                write: GuardedWrite,
                tokens: Vec<TokenRow>,
            ) -> Result<(), StoreError> {
                let mut tx = self.begin().await?;
                let audits: Vec<AuditRecord> = match write {
                    GuardedWrite::CustomerInsert(row, key, a) => {
                        crate::dialect::insert_customers(&mut tx, &[(&row, &key)]).await?;
                        vec![a]
                    }
                    GuardedWrite::CustomerInsertBatch(rows) => {
                        let items: Vec<(&CustomerRow, &WrappedKey)> =
                            rows.iter().map(|(r, k, _)| (r, k)).collect();
                        crate::dialect::insert_customers(&mut tx, &items).await?;
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
                    _ => return Err(StoreError::Database("unsupported guarded write".into())),
                };
                insert_tokens(&mut tx, &tokens).await?;
                crate::audit::append(&mut tx, &audits.iter().collect::<Vec<_>>()).await?;
                tx.commit().await.map_err(crate::db)
            }
        }

        #[$crate::async_trait]
        impl TokenStore for $store {
            async fn tokens_find(
                &self,
                fingerprints: &[Vec<u8>],
            ) -> Result<Vec<(Vec<u8>, String, String)>, StoreError> {
                crate::dialect::tokens_find(self.reader(), fingerprints).await
            }

            async fn token_get(&self, token: &str) -> Result<Option<StoredToken>, StoreError> {
                let row = $crate::sqlx::query(crate::sql::TOKEN_GET)
                    .bind(token)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(StoredToken {
                    token: r.try_get("token").map_err(g)?,
                    kind: r.try_get("kind").map_err(g)?,
                    customer_id: r
                        .try_get::<Option<String>, _>("customer_id")
                        .map_err(g)?
                        .map(|s| uuid(&s))
                        .transpose()
                        .map_err(|_| corrupt("token owner"))?,
                    value: r.try_get("value").map_err(g)?,
                    created_at: r.try_get("created_at").map_err(g)?,
                    erased_at: r.try_get("erased_at").map_err(g)?,
                }))
            }

            async fn write_with_tokens(
                &self,
                write: GuardedWrite,
                tokens: Vec<TokenRow>,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                $crate::detached(async move { s.write_with_tokens_impl(write, tokens).await }).await
            }
        }
    };
}
