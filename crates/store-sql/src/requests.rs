//! The port for data-subject requests and consent records
//! ([`RequestStore`](jaga_core::store::RequestStore)): rare writes, each in a transaction of its
//! own with its audit event, run [`detached`](crate::detached).

use jaga_core::requests::{
    Channel, ConsentPurpose, ConsentRow, ConsentSource, Outcome, RequestKind, RequestRow,
    RequestStatus,
};
use jaga_core::store::StoreError;

fn code<T>(v: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T, StoreError> {
    parse(v).ok_or_else(|| crate::corrupt(what))
}

/// Reads a `subject_requests` row.
pub fn request<R: sqlx::Row>(r: &R) -> Result<RequestRow, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database>,
{
    let s = |c: &str| -> Result<String, StoreError> { r.try_get(c).map_err(crate::decode) };
    let id = |c: &str| -> Result<uuid::Uuid, StoreError> {
        s(c)?.parse().map_err(|_| crate::corrupt("request id"))
    };
    let outcome: Option<String> = r.try_get("outcome").map_err(crate::decode)?;
    Ok(RequestRow {
        id: id("id")?,
        customer_id: id("customer_id")?,
        kind: code(&s("kind")?, RequestKind::parse, "request kind")?,
        channel: code(&s("channel")?, Channel::parse, "request channel")?,
        status: code(&s("status")?, RequestStatus::parse, "request status")?,
        received_at: r.try_get("received_at").map_err(crate::decode)?,
        due_at: r.try_get("due_at").map_err(crate::decode)?,
        created_by: s("created_by")?,
        handled_by: r.try_get("handled_by").map_err(crate::decode)?,
        closed_at: r.try_get("closed_at").map_err(crate::decode)?,
        outcome: outcome
            .map(|o| code(&o, Outcome::parse, "request outcome"))
            .transpose()?,
    })
}

/// Reads a `consents` row.
pub fn consent<R: sqlx::Row>(r: &R) -> Result<ConsentRow, StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let s = |c: &str| -> Result<String, StoreError> { r.try_get(c).map_err(crate::decode) };
    let id = |c: &str| -> Result<uuid::Uuid, StoreError> {
        s(c)?.parse().map_err(|_| crate::corrupt("consent id"))
    };
    let granted: i64 = r.try_get("granted").map_err(crate::decode)?;
    Ok(ConsentRow {
        id: id("id")?,
        customer_id: id("customer_id")?,
        purpose: code(&s("purpose")?, ConsentPurpose::parse, "consent purpose")?,
        granted: granted != 0,
        source: code(&s("source")?, ConsentSource::parse, "consent source")?,
        at: r.try_get("at").map_err(crate::decode)?,
        recorded_by: s("recorded_by")?,
    })
}

/// Stamps [`RequestStore`](jaga_core::store::RequestStore) for `$store`.
#[macro_export]
macro_rules! requests {
    ($store:ty) => {
        use jaga_core::audit::AuditRecord;
        use jaga_core::requests::{ConsentPurpose, ConsentRow, Outcome, RequestRow, RequestStatus};
        use jaga_core::store::{RequestStore, StoreError};
        use uuid::Uuid;
        use $crate::{detached, sqlx};

        #[$crate::async_trait]
        impl RequestStore for $store {
            async fn request_insert(
                &self,
                row: &RequestRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let (s, row) = (self.clone(), row.clone());
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(crate::sql::REQUEST_INSERT)
                        .bind(row.id.to_string())
                        .bind(row.customer_id.to_string())
                        .bind(row.kind.as_str())
                        .bind(row.channel.as_str())
                        .bind(row.status.as_str())
                        .bind(row.received_at)
                        .bind(row.due_at)
                        .bind(row.created_by.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn request_close(
                &self,
                id: Uuid,
                status: RequestStatus,
                outcome: Outcome,
                handled_by: &str,
                at: i64,
                audit: AuditRecord,
            ) -> Result<bool, StoreError> {
                let (s, by) = (self.clone(), handled_by.to_string());
                detached(async move {
                    let mut tx = s.begin().await?;
                    let done = sqlx::query(crate::sql::REQUEST_CLOSE)
                        .bind(status.as_str())
                        .bind(outcome.as_str())
                        .bind(by)
                        .bind(at)
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if done.rows_affected() == 0 {
                        return Ok(false);
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn request_get(&self, id: Uuid) -> Result<Option<RequestRow>, StoreError> {
                sqlx::query(crate::sql::REQUEST_GET)
                    .bind(id.to_string())
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?
                    .as_ref()
                    .map($crate::requests::request)
                    .transpose()
            }

            async fn requests_list(
                &self,
                open_only: bool,
                limit: u32,
            ) -> Result<Vec<RequestRow>, StoreError> {
                let q = if open_only {
                    crate::sql::REQUESTS_OPEN
                } else {
                    crate::sql::REQUESTS_ALL
                };
                sqlx::query(q)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map($crate::requests::request)
                    .collect()
            }

            async fn consent_insert(
                &self,
                row: &ConsentRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let (s, row) = (self.clone(), row.clone());
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(crate::sql::CONSENT_INSERT)
                        .bind(row.id.to_string())
                        .bind(row.customer_id.to_string())
                        .bind(row.purpose.as_str())
                        .bind(i64::from(row.granted))
                        .bind(row.source.as_str())
                        .bind(row.at)
                        .bind(row.recorded_by.clone())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if row.purpose == ConsentPurpose::Marketing {
                        sqlx::query(crate::sql::CONSENT_MARKETING_SET)
                            .bind(row.granted)
                            .bind(row.customer_id.to_string())
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn requests_of(&self, customer_id: Uuid) -> Result<Vec<RequestRow>, StoreError> {
                sqlx::query(crate::sql::REQUESTS_OF)
                    .bind(customer_id.to_string())
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map($crate::requests::request)
                    .collect()
            }

            async fn consents_of(&self, customer_id: Uuid) -> Result<Vec<ConsentRow>, StoreError> {
                sqlx::query(crate::sql::CONSENTS_OF)
                    .bind(customer_id.to_string())
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map($crate::requests::consent)
                    .collect()
            }
        }
    };
}
