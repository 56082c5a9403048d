//! `Idempotency-Key` records in `idempotency_keys` (see `jaga_core::idempotency`). A claim is
//! one atomic upsert, so of several requests (or nodes) racing for one key exactly one wins.

/// Stamps [`IdempotencyStore`](jaga_core::store::IdempotencyStore) for `$store`.
#[macro_export]
macro_rules! idempotency {
    ($store:ty) => {
        use jaga_core::store::{
            IdempotencyClaim, IdempotencyRow, IdempotencyStore, StoreError, StoredResponse,
        };
        use $crate::sqlx;

        type Row = (
            Vec<u8>,
            String,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<Vec<u8>>,
        );

        #[$crate::async_trait]
        impl IdempotencyStore for $store {
            async fn idempotency_claim(
                &self,
                id: &[u8],
                request: &[u8],
                now: i64,
                lease_until: i64,
                expired_before: i64,
            ) -> Result<IdempotencyClaim, StoreError> {
                let claimed = sqlx::query($crate::sql::IDEMPOTENCY_CLAIM)
                    .bind(id)
                    .bind(request)
                    .bind(now)
                    .bind(lease_until)
                    .bind(expired_before)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?;
                if claimed.is_some() {
                    return Ok(IdempotencyClaim::Claimed);
                }
                let row: Option<Row> = sqlx::query_as($crate::sql::IDEMPOTENCY_GET)
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?;
                let Some((request, state, status, content_type, location, body)) = row else {
                    return Ok(IdempotencyClaim::Vanished);
                };
                let response = match (state.as_str(), status, body) {
                    ("done", Some(status), Some(body)) => Some(StoredResponse {
                        status: u16::try_from(status)
                            .map_err(|_| $crate::corrupt("idempotency status"))?,
                        content_type,
                        location,
                        body,
                    }),
                    ("pending", _, _) => None,
                    _ => return Err($crate::corrupt("idempotency record")),
                };
                Ok(IdempotencyClaim::Existing(IdempotencyRow {
                    request,
                    response,
                }))
            }

            async fn idempotency_complete(
                &self,
                id: &[u8],
                response: &StoredResponse,
            ) -> Result<bool, StoreError> {
                let n = sqlx::query($crate::sql::IDEMPOTENCY_COMPLETE)
                    .bind(id)
                    .bind(i64::from(response.status))
                    .bind(response.content_type.as_deref())
                    .bind(response.location.as_deref())
                    .bind(&response.body)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn idempotency_release(&self, id: &[u8]) -> Result<(), StoreError> {
                sqlx::query($crate::sql::IDEMPOTENCY_RELEASE)
                    .bind(id)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)
                    .map(|_| ())
            }

            async fn idempotency_purge(&self, before: i64) -> Result<u64, StoreError> {
                Ok(sqlx::query($crate::sql::IDEMPOTENCY_PURGE)
                    .bind(before)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?
                    .rows_affected())
            }
        }
    };
}
