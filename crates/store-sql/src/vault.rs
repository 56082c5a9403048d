//! The vault's [`Store`](jaga_core::store::Store) port: keyring, API keys, customers, orders and
//! the audit log.

/// Stamps [`Store`](jaga_core::store::Store) for `$store`. Customer and order writes, audited
/// reads and standalone audit events go through the group commit ([`group!`](crate::group!));
/// the rarer writes (keyring, API keys, erasure) keep a transaction of their own, run
/// [`detached`](crate::detached). Both are safe against a caller that stops waiting.
#[macro_export]
macro_rules! vault {
    ($store:ty) => {
        use crate::rows;
        use jaga_core::audit::AuditRecord;
        use jaga_core::model::Field;
        use jaga_core::store::*;
        use uuid::Uuid;
        use $crate::sqlx::Row as _;
        use $crate::{corrupt, decode as g, detached, kek_version, pos, sqlx, unpos};

        #[$crate::async_trait]
        impl Store for $store {
            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1")
                    .execute(self.reader())
                    .await
                    .map_err(crate::db)
                    .map(|_| ())
            }

            async fn keys_load(&self) -> Result<Vec<KeyRecord>, StoreError> {
                let rows = sqlx::query(crate::sql::KEYS_LOAD)
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?;
                rows.iter()
                    .map(|r| {
                        Ok(KeyRecord {
                            kind: r.try_get("kind").map_err(g)?,
                            version: u32::try_from(r.try_get::<i64, _>("version").map_err(g)?)
                                .map_err(|_| corrupt("key version"))?,
                            state: r.try_get("state").map_err(g)?,
                            wrapped: r
                                .try_get::<Option<Vec<u8>>, _>("wrapped")
                                .map_err(g)?
                                .unwrap_or_default(),
                            created_at: r.try_get("created_at").map_err(g)?,
                        })
                    })
                    .collect()
            }

            async fn key_insert(
                &self,
                key: KeyRecord,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    if key.state == "active" {
                        sqlx::query(crate::sql::KEY_DEMOTE_ACTIVE)
                            .bind(&key.kind)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    sqlx::query(crate::sql::KEY_INSERT)
                        .bind(&key.kind)
                        .bind(i64::from(key.version))
                        .bind(&key.state)
                        .bind(&key.wrapped)
                        .bind(key.created_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn key_set_state(
                &self,
                kind: &str,
                version: u32,
                state: &str,
                audit_rec: AuditRecord,
            ) -> Result<bool, StoreError> {
                let (kind, state) = (kind.to_string(), state.to_string());
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let sql = if state == "retired" {
                        crate::sql::KEY_RETIRE
                    } else {
                        crate::sql::KEY_SET_STATE
                    };
                    let n = sqlx::query(sql)
                        .bind(state)
                        .bind(kind)
                        .bind(i64::from(version))
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(n == 1)
                })
                .await
            }

            async fn dek_counts(&self) -> Result<Vec<(u32, u64)>, StoreError> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(crate::sql::DEK_COUNTS)
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?;
                rows.into_iter()
                    .map(|(v, n)| Ok((kek_version(v)?, unpos(n, "key count")?)))
                    .collect()
            }

            async fn deks_to_rewrap(
                &self,
                active: u32,
                limit: u32,
            ) -> Result<Vec<RewrapItem>, StoreError> {
                let rows = sqlx::query(crate::sql::DEKS_TO_REWRAP)
                    .bind(i64::from(active))
                    .bind(i64::from(limit))
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?;
                rows.iter()
                    .map(|r| {
                        Ok(RewrapItem {
                            customer_id: $crate::uuid(
                                &r.try_get::<String, _>("customer_id").map_err(g)?,
                            )?,
                            segment: r.try_get("segment").map_err(g)?,
                            key: WrappedKey {
                                kek_version: kek_version(r.try_get("kek_version").map_err(g)?)?,
                                wrapped: r.try_get("wrapped").map_err(g)?,
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
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = crate::dialect::rewrap(&mut tx, &items).await?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(n)
                })
                .await
            }

            async fn api_key_insert(
                &self,
                key: ApiKeyRecord,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(crate::sql::API_KEY_INSERT)
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
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn api_key_get(&self, id: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
                sqlx::query(crate::sql::API_KEY_BY_ID)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?
                    .map(|r| rows::api_key(&r))
                    .transpose()
            }

            async fn api_key_list(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
                sqlx::query(crate::sql::API_KEY_LIST)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?
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
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(crate::sql::API_KEY_REVOKE)
                        .bind(at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn api_key_touch(&self, id: &str, at: i64) -> Result<(), StoreError> {
                sqlx::query(crate::sql::API_KEY_TOUCH)
                    .bind(at)
                    .bind(id)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)
                    .map(|_| ())
            }

            async fn customer_insert(
                &self,
                row: CustomerRow,
                key: WrappedKey,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                self.customer_insert_impl(vec![(row, key, audit_rec)]).await
            }

            async fn customer_insert_batch(
                &self,
                rows: Vec<(CustomerRow, WrappedKey, AuditRecord)>,
            ) -> Result<(), StoreError> {
                self.customer_insert_impl(rows).await
            }

            async fn customer_get(
                &self,
                id: Uuid,
                audit_rec: AuditRecord,
            ) -> Result<Option<CustomerWithKey>, StoreError> {
                self.customer_get_impl(crate::sql::CUSTOMER_BY_ID, id.to_string(), audit_rec)
                    .await
            }

            async fn customer_load(&self, id: Uuid) -> Result<Option<CustomerWithKey>, StoreError> {
                self.customer_load_impl(id).await
            }

            async fn customer_get_by_code(
                &self,
                code: &str,
                audit_rec: AuditRecord,
            ) -> Result<Option<CustomerWithKey>, StoreError> {
                self.customer_get_impl(crate::sql::CUSTOMER_BY_CODE, code.to_string(), audit_rec)
                    .await
            }

            async fn customer_load_by_code(
                &self,
                code: &str,
            ) -> Result<Option<CustomerWithKey>, StoreError> {
                self.customer_load_sql(crate::sql::CUSTOMER_BY_CODE, code.to_string())
                    .await
            }

            async fn customer_lookup(
                &self,
                field: Field,
                term: &[u8],
                limit: u32,
            ) -> Result<Vec<CustomerWithKey>, StoreError> {
                self.customer_lookup_impl(field, term.to_vec(), limit).await
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
                let s = self.clone();
                detached(async move { s.customer_erase_impl(id, at, audit_rec).await }).await
            }

            async fn customer_sealed_load(
                &self,
                id: Uuid,
            ) -> Result<(Vec<OrderRow>, Vec<StoredToken>), StoreError> {
                self.customer_sealed_load_impl(id).await
            }

            async fn customer_move(
                &self,
                mv: SegmentMove,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move { s.customer_move_impl(mv, audit_rec).await }).await
            }

            async fn order_insert(
                &self,
                row: OrderRow,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
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
                self.group()
                    .submit(crate::group::Op::audit(vec![audit_rec]))
                    .await
            }

            async fn audit_head(&self) -> Result<AuditHead, StoreError> {
                let (size, root): (i64, Vec<u8>) = sqlx::query_as(crate::sql::AUDIT_HEAD)
                    .fetch_one(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(AuditHead {
                    size: unpos(size, "audit size")?,
                    root: root.try_into().map_err(|_| corrupt("audit root length"))?,
                })
            }

            async fn audit_events(
                &self,
                from: u64,
                limit: u32,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(crate::sql::AUDIT_EVENTS)
                    .bind(pos(from)?)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                crate::checkpoint::events(rows)
            }
        }
    };
}
