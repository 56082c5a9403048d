//! The data lifecycle's port ([`LifecycleStore`](jaga_core::store::LifecycleStore)): online
//! snapshots (per backend, `dialect::snapshot_into`), the erased customers in erasure order,
//! counts for restore drills.

/// Reads a [`LIFECYCLE_COUNTS`](crate::sql)-shaped row (`live`, `erased`, `orders`,
/// `audit_events`).
pub fn counts<R: sqlx::Row>(
    r: &R,
) -> Result<jaga_core::store::LifecycleCounts, jaga_core::store::StoreError>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let n = |col: &str| -> Result<u64, jaga_core::store::StoreError> {
        let v: i64 = r.try_get(col).map_err(crate::decode)?;
        u64::try_from(v).map_err(|_| crate::corrupt("count"))
    };
    Ok(jaga_core::store::LifecycleCounts {
        customers: n("live")?,
        erased: n("erased")?,
        orders: n("orders")?,
        audit_events: n("audit_events")?,
    })
}

/// The blind-index column of a field, if it has one.
fn index_column(f: jaga_core::model::Field) -> Option<&'static str> {
    use jaga_core::model::Field;
    match f {
        Field::Email => Some("email_index"),
        Field::Phone => Some("phone_index"),
        Field::NationalId => Some("national_id_index"),
        _ => None,
    }
}

/// "Inactive since `$n`": no update and no order at or after the cutoff (`c` is the customer).
fn inactive(c: &str, n: u8) -> String {
    format!(
        "{c}.erased_at IS NULL AND {c}.updated_at < ${n} AND NOT EXISTS \
         (SELECT 1 FROM orders o WHERE o.customer_id = {c}.id AND o.created_at >= ${n})"
    )
}

/// The retention job's selection: `$1` cutoff, `$2` id cursor, `$3` limit. Column names come
/// from [`Field::name`](jaga_core::model::Field::name), never from input.
pub fn retention_due_sql(
    target: &jaga_core::store::RetentionTarget,
    id_param: &str,
    id_text: &str,
) -> String {
    use jaga_core::store::RetentionTarget;
    let holds = match target {
        RetentionTarget::Customer => "TRUE".to_string(),
        RetentionTarget::Parts {
            fields,
            order_notes,
            order_payment,
            tokens,
        } => {
            let mut any: Vec<String> = fields
                .iter()
                .map(|f| format!("c.{} IS NOT NULL", f.name()))
                .collect();
            let mut parts = Vec::new();
            if *order_notes {
                parts.push("o.notes IS NOT NULL");
            }
            if *order_payment {
                parts.push("o.payment IS NOT NULL");
            }
            if !parts.is_empty() {
                any.push(format!(
                    "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND ({}))",
                    parts.join(" OR ")
                ));
            }
            if *tokens {
                any.push(
                    "EXISTS (SELECT 1 FROM tokens t WHERE t.customer_id = c.id AND t.erased_at IS NULL)"
                        .into(),
                );
            }
            if any.is_empty() {
                "FALSE".into()
            } else {
                any.join(" OR ")
            }
        }
    };
    format!(
        "SELECT {id_text} FROM customers c WHERE {} AND c.id > $2{id_param} AND ({holds}) \
         ORDER BY c.id LIMIT $3",
        inactive("c", 1)
    )
}

/// The retention job's clearing of a customer's fields: `$1` id, `$2` cutoff. Bumps `version`
/// (the values changed) but not `updated_at` (retention is not the customer's activity).
pub fn retention_clear_customer_sql(fields: &[jaga_core::model::Field], id_param: &str) -> String {
    let mut set = vec!["version = version + 1".to_string()];
    for f in fields {
        set.push(format!("{} = NULL", f.name()));
        if let Some(ix) = index_column(*f) {
            set.push(format!("{ix} = NULL"));
        }
    }
    format!(
        "UPDATE customers SET {} WHERE id = $1{id_param} AND {}",
        set.join(", "),
        inactive("customers", 2)
    )
}

/// The retention job's crypto-shredding of a whole customer: `$1` id, `$2` cutoff, `$3` time.
/// Like the erasure's own statement, but only while the customer is still inactive since the
/// cutoff and not erased (re-checked in the same transaction as the erasure).
pub fn retention_erase_sql(id_param: &str) -> String {
    let mut set: Vec<String> = jaga_core::model::Field::ALL
        .iter()
        .map(|f| format!("{} = NULL", f.name()))
        .collect();
    set.extend(
        ["email_index", "phone_index", "national_id_index"]
            .iter()
            .map(|c| format!("{c} = NULL")),
    );
    set.push("erased_at = $3".into());
    set.push("version = version + 1".into());
    format!(
        "UPDATE customers SET {} WHERE id = $1{id_param} AND {}",
        set.join(", "),
        inactive("customers", 2)
    )
}

/// The retention job's clearing of a customer's orders' notes and/or payment references:
/// `$1` customer id. `None` when neither is asked for.
pub fn retention_clear_orders_sql(notes: bool, payment: bool, id_param: &str) -> Option<String> {
    let mut set = Vec::new();
    if notes {
        set.push("notes = NULL");
    }
    if payment {
        set.push("payment = NULL");
    }
    (!set.is_empty()).then(|| {
        format!(
            "UPDATE orders SET {} WHERE customer_id = $1{id_param}",
            set.join(", ")
        )
    })
}

/// Stamps [`LifecycleStore`](jaga_core::store::LifecycleStore) for `$store`.
#[macro_export]
macro_rules! lifecycle {
    ($store:ty) => {
        use jaga_core::store::{
            ErasedCustomer, LifecycleCounts, LifecycleStore, RetentionTarget, SnapshotInfo,
            StoreError,
        };
        use uuid::Uuid;
        use $crate::sqlx::Row as _;
        use $crate::{corrupt, decode as g, sqlx};

        impl $store {
            /// Crypto-shreds customer `id` if it is still inactive since `cutoff_ms` and not
            /// erased, all in one transaction: the row is locked first (on PostgreSQL a
            /// concurrent order holds its `FOR SHARE` lock until it commits, so the check below
            /// sees it), then the erasure re-checks inactivity in its `WHERE`, shreds the
            /// tokens, deletes the key and appends `audit`.
            async fn retention_erase(
                &self,
                id: Uuid,
                cutoff_ms: i64,
                at: i64,
                audit: jaga_core::audit::AuditRecord,
            ) -> Result<bool, StoreError> {
                let s = self.clone();
                let done = $crate::detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(crate::sql::CUSTOMER_LOCK)
                        .bind(id.to_string())
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    let q = $crate::lifecycle::retention_erase_sql(crate::sql::ID_PARAM);
                    let done = sqlx::query(&q)
                        .bind(id.to_string())
                        .bind(cutoff_ms)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if done.rows_affected() == 0 {
                        return Ok(false);
                    }
                    sqlx::query(crate::sql::TOKENS_SHRED)
                        .bind(at)
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    sqlx::query(crate::sql::CUSTOMER_KEY_DELETE)
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await?;
                if done {
                    crate::dialect::after_erase(self.writer()).await;
                }
                Ok(done)
            }
        }

        #[$crate::async_trait]
        impl LifecycleStore for $store {
            async fn snapshot_into(
                &self,
                dest: &std::path::Path,
            ) -> Result<SnapshotInfo, StoreError> {
                crate::dialect::snapshot_into(self.reader(), dest).await
            }

            async fn close_store(&self) {
                self.close().await;
            }

            async fn erasures_after(
                &self,
                after_ms: i64,
                after_id: Option<Uuid>,
                limit: u32,
            ) -> Result<Vec<ErasedCustomer>, StoreError> {
                // The nil id sorts before every other id (as text and as uuid).
                let after_id = after_id.unwrap_or(Uuid::nil()).to_string();
                let rows = sqlx::query(crate::sql::ERASURES_AFTER)
                    .bind(after_ms)
                    .bind(after_id)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                rows.iter()
                    .map(|r| {
                        let id: String = r.try_get("id").map_err(g)?;
                        Ok(ErasedCustomer {
                            id: id.parse().map_err(|_| corrupt("customer id"))?,
                            segment: r.try_get("segment").map_err(g)?,
                            erased_at: r.try_get("erased_at").map_err(g)?,
                            by: r.try_get("erased_by").map_err(g)?,
                        })
                    })
                    .collect()
            }

            async fn retention_due(
                &self,
                cutoff_ms: i64,
                target: &RetentionTarget,
                after: Option<Uuid>,
                limit: u32,
            ) -> Result<Vec<Uuid>, StoreError> {
                let q = $crate::lifecycle::retention_due_sql(
                    target,
                    crate::sql::ID_PARAM,
                    crate::sql::ID_TEXT,
                );
                let rows = sqlx::query(&q)
                    .bind(cutoff_ms)
                    .bind(after.unwrap_or(Uuid::nil()).to_string())
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                rows.iter()
                    .map(|r| {
                        let id: String = r.try_get("id").map_err(g)?;
                        id.parse().map_err(|_| corrupt("customer id"))
                    })
                    .collect()
            }

            async fn retention_clear(
                &self,
                id: Uuid,
                cutoff_ms: i64,
                target: &RetentionTarget,
                at: i64,
                audit: jaga_core::audit::AuditRecord,
            ) -> Result<bool, StoreError> {
                let RetentionTarget::Parts {
                    fields,
                    order_notes,
                    order_payment,
                    tokens,
                } = target.clone()
                else {
                    return self.retention_erase(id, cutoff_ms, at, audit).await;
                };
                let s = self.clone();
                $crate::detached(async move {
                    let mut tx = s.begin().await?;
                    let q = $crate::lifecycle::retention_clear_customer_sql(
                        &fields,
                        crate::sql::ID_PARAM,
                    );
                    let done = sqlx::query(&q)
                        .bind(id.to_string())
                        .bind(cutoff_ms)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if done.rows_affected() == 0 {
                        return Ok(false);
                    }
                    if let Some(q) = $crate::lifecycle::retention_clear_orders_sql(
                        order_notes,
                        order_payment,
                        crate::sql::ID_PARAM,
                    ) {
                        sqlx::query(&q)
                            .bind(id.to_string())
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    if tokens {
                        sqlx::query(crate::sql::TOKENS_SHRED)
                            .bind(at)
                            .bind(id.to_string())
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn lifecycle_counts(&self) -> Result<LifecycleCounts, StoreError> {
                let r = sqlx::query(crate::sql::LIFECYCLE_COUNTS)
                    .fetch_one(self.reader())
                    .await
                    .map_err(crate::db)?;
                $crate::lifecycle::counts(&r)
            }

            async fn customer_segments(&self) -> Result<Vec<(String, u64)>, StoreError> {
                let rows = sqlx::query(crate::sql::CUSTOMER_SEGMENTS)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                rows.iter()
                    .map(|r| {
                        let s: String = r.try_get("segment").map_err($crate::decode)?;
                        let n: i64 = r.try_get("n").map_err($crate::decode)?;
                        Ok((s, u64::try_from(n).map_err(|_| $crate::corrupt("count"))?))
                    })
                    .collect()
            }
        }
    };
}
