//! The token vault.

/// Stamps [`TokenStore`](jaga_core::store::TokenStore) for `$store`. A write with tokens goes
/// through the group commit like the plain write (see [`group!`](crate::group!)).
#[macro_export]
macro_rules! tokens {
    ($store:ty) => {
        use jaga_core::store::{GuardedWrite, StoreError, StoredToken, TokenRow, TokenStore};
        use $crate::sqlx::Row as _;
        use $crate::{corrupt, decode as g, uuid};

        /// Inserts minted tokens (inside the caller's transaction).
        pub(crate) async fn insert_tokens(
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

        /// Reads a `tokens` row.
        fn stored_token(r: &crate::DbRow) -> Result<StoredToken, StoreError> {
            Ok(StoredToken {
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
            })
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
                row.as_ref().map(stored_token).transpose()
            }

            async fn tokens_of(
                &self,
                customer_id: ::uuid::Uuid,
            ) -> Result<Vec<StoredToken>, StoreError> {
                $crate::sqlx::query(crate::sql::TOKENS_OF)
                    .bind(customer_id.to_string())
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(stored_token)
                    .collect()
            }

            async fn write_with_tokens(
                &self,
                write: GuardedWrite,
                tokens: Vec<TokenRow>,
            ) -> Result<(), StoreError> {
                self.group()
                    .submit(crate::group::Op::guarded(write, tokens))
                    .await
                    .map(|_| ())
            }
        }
    };
}
