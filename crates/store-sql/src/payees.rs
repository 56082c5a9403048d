//! Payees, their bank-detail versions, payouts and the notices to a payee's previous contact
//! (`PayeeStore`, `0012_payees.sql`). Plain `TEXT`/`BIGINT` and binary columns, so every
//! statement reads the same in both dialects and lives here.

/// The statements of the payee tables (standard SQL, `$N` parameters).
#[allow(missing_docs)]
#[doc(hidden)]
pub mod payee_sql {
    pub const PAYEE_INSERT: &str = "INSERT INTO payees (id, kind, name, contacts, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    pub const PAYEE_GET: &str =
        "SELECT id, kind, name, contacts, created_by, created_at FROM payees WHERE id = $1";
    pub const PAYEE_LIST: &str = "SELECT id, kind, name, contacts, created_by, created_at FROM payees ORDER BY created_at, id";
    pub const BANK_INSERT: &str = "INSERT INTO payee_bank (payee_id, version, details, status, requested_by, requested_at, call_by, call_at, call_record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    pub const BANK_LIST: &str = "SELECT payee_id, version, details, status, requested_by, requested_at, call_by, call_at, call_record FROM payee_bank WHERE payee_id = $1 ORDER BY version";
    pub const BANK_DECIDE: &str = "UPDATE payee_bank SET status = $1, call_by = $2, call_at = $3, call_record = $4 WHERE payee_id = $5 AND version = $6 AND status = 'pending_verification'";
    pub const CONTACTS_UPDATE: &str =
        "UPDATE payees SET contacts = $1 WHERE id = $2 AND contacts = $3";
    pub const NOTICE_INSERT: &str =
        "INSERT INTO payee_notices (payee_id, version, created_at) VALUES ($1, $2, $3)";
    pub const NOTICES_PENDING: &str = "SELECT payee_id, version, created_at FROM payee_notices WHERE delivered_at IS NULL ORDER BY created_at, payee_id, version LIMIT $1";
    pub const NOTICE_DELIVERED: &str =
        "UPDATE payee_notices SET delivered_at = $1 WHERE payee_id = $2 AND version = $3";
    const PAYOUT_COLUMNS: &str = "id, payee_id, amount, details_version, required, recent_change, status, created_by, created_at, remark, approvals, rev";
    pub const PAYOUT_INSERT: &str = "INSERT INTO payouts (id, payee_id, amount, details_version, required, recent_change, status, created_by, created_at, remark, approvals, rev) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    pub fn payout_select(tail: &str) -> String {
        format!("SELECT {PAYOUT_COLUMNS} FROM payouts {tail}")
    }
    pub const PAYOUT_UPDATE: &str =
        "UPDATE payouts SET status = $1, approvals = $2, rev = $3 WHERE id = $4 AND rev = $5";
    pub const PAYOUT_EXPORTED: &str = "UPDATE payouts SET status = 'exported', rev = rev + 1 WHERE id = $1 AND status = 'approved'";
}

/// Stamps [`PayeeStore`](jaga_core::store::PayeeStore) for `$store`.
#[macro_export]
macro_rules! payees {
    ($store:ty) => {
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            BankVersionRow, PayeeNoticeRow, PayeeRow, PayeeStore, PayoutRow, StoreError,
        };
        use $crate::decode as g;
        use $crate::payees::payee_sql as q;
        use $crate::sqlx::Row as _;
        use $crate::{detached, sqlx};

        fn payee(r: &crate::DbRow) -> Result<PayeeRow, StoreError> {
            Ok(PayeeRow {
                id: r.try_get("id").map_err(g)?,
                kind: r.try_get("kind").map_err(g)?,
                name: r.try_get("name").map_err(g)?,
                contacts: r.try_get("contacts").map_err(g)?,
                created_by: r.try_get("created_by").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
            })
        }

        fn bank(r: &crate::DbRow) -> Result<BankVersionRow, StoreError> {
            Ok(BankVersionRow {
                payee_id: r.try_get("payee_id").map_err(g)?,
                version: r.try_get("version").map_err(g)?,
                details: r.try_get("details").map_err(g)?,
                status: r.try_get("status").map_err(g)?,
                requested_by: r.try_get("requested_by").map_err(g)?,
                requested_at: r.try_get("requested_at").map_err(g)?,
                call_by: r.try_get("call_by").map_err(g)?,
                call_at: r.try_get("call_at").map_err(g)?,
                call_record: r.try_get("call_record").map_err(g)?,
            })
        }

        fn payout(r: &crate::DbRow) -> Result<PayoutRow, StoreError> {
            let recent: i64 = r.try_get("recent_change").map_err(g)?;
            Ok(PayoutRow {
                id: r.try_get("id").map_err(g)?,
                payee_id: r.try_get("payee_id").map_err(g)?,
                amount: r.try_get("amount").map_err(g)?,
                details_version: r.try_get("details_version").map_err(g)?,
                required: r.try_get("required").map_err(g)?,
                recent_change: recent != 0,
                status: r.try_get("status").map_err(g)?,
                created_by: r.try_get("created_by").map_err(g)?,
                created_at: r.try_get("created_at").map_err(g)?,
                remark: r.try_get("remark").map_err(g)?,
                approvals: r.try_get("approvals").map_err(g)?,
                rev: r.try_get("rev").map_err(g)?,
            })
        }

        async fn insert_bank(tx: &mut crate::Conn, row: &BankVersionRow) -> Result<(), StoreError> {
            sqlx::query(q::BANK_INSERT)
                .bind(&row.payee_id)
                .bind(row.version)
                .bind(&row.details)
                .bind(&row.status)
                .bind(&row.requested_by)
                .bind(row.requested_at)
                .bind(row.call_by.as_deref())
                .bind(row.call_at)
                .bind(row.call_record.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(crate::db)?;
            Ok(())
        }

        #[$crate::async_trait]
        impl PayeeStore for $store {
            async fn payee_insert(
                &self,
                row: PayeeRow,
                first: BankVersionRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(q::PAYEE_INSERT)
                        .bind(&row.id)
                        .bind(&row.kind)
                        .bind(&row.name)
                        .bind(&row.contacts)
                        .bind(&row.created_by)
                        .bind(row.created_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    insert_bank(&mut tx, &first).await?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn payee_get(&self, id: &str) -> Result<Option<PayeeRow>, StoreError> {
                let r = sqlx::query(q::PAYEE_GET)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?;
                r.as_ref().map(payee).transpose()
            }

            async fn payee_list(&self) -> Result<Vec<PayeeRow>, StoreError> {
                let rows = sqlx::query(q::PAYEE_LIST)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                rows.iter().map(payee).collect()
            }

            async fn bank_versions(
                &self,
                payee_id: &str,
            ) -> Result<Vec<BankVersionRow>, StoreError> {
                let rows = sqlx::query(q::BANK_LIST)
                    .bind(payee_id)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                rows.iter().map(bank).collect()
            }

            async fn bank_version_insert(
                &self,
                row: BankVersionRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    insert_bank(&mut tx, &row).await?;
                    sqlx::query(q::NOTICE_INSERT)
                        .bind(&row.payee_id)
                        .bind(row.version)
                        .bind(row.requested_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn bank_version_decide(
                &self,
                row: BankVersionRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(q::BANK_DECIDE)
                        .bind(&row.status)
                        .bind(row.call_by.as_deref())
                        .bind(row.call_at)
                        .bind(row.call_record.as_deref())
                        .bind(&row.payee_id)
                        .bind(row.version)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        tx.rollback().await.map_err(crate::db)?;
                        return Err(StoreError::Concurrent);
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn payout_insert(
                &self,
                row: PayoutRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(q::PAYOUT_INSERT)
                        .bind(&row.id)
                        .bind(&row.payee_id)
                        .bind(row.amount)
                        .bind(row.details_version)
                        .bind(row.required)
                        .bind(i64::from(row.recent_change))
                        .bind(&row.status)
                        .bind(&row.created_by)
                        .bind(row.created_at)
                        .bind(row.remark.as_deref())
                        .bind(&row.approvals)
                        .bind(row.rev)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn payout_get(&self, id: &str) -> Result<Option<PayoutRow>, StoreError> {
                let sql = q::payout_select("WHERE id = $1");
                let r = sqlx::query(&sql)
                    .bind(id)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?;
                r.as_ref().map(payout).transpose()
            }

            async fn payout_list(
                &self,
                status: Option<&str>,
                limit: u32,
            ) -> Result<Vec<PayoutRow>, StoreError> {
                let rows = match status {
                    Some(st) => {
                        let sql = q::payout_select(
                            "WHERE status = $1 ORDER BY created_at DESC, id LIMIT $2",
                        );
                        sqlx::query(&sql)
                            .bind(st)
                            .bind(i64::from(limit))
                            .fetch_all(self.reader())
                            .await
                    }
                    None => {
                        let sql = q::payout_select("ORDER BY created_at DESC, id LIMIT $1");
                        sqlx::query(&sql)
                            .bind(i64::from(limit))
                            .fetch_all(self.reader())
                            .await
                    }
                }
                .map_err(crate::db)?;
                rows.iter().map(payout).collect()
            }

            async fn payout_update(
                &self,
                row: PayoutRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(q::PAYOUT_UPDATE)
                        .bind(&row.status)
                        .bind(&row.approvals)
                        .bind(row.rev)
                        .bind(&row.id)
                        .bind(row.rev - 1)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        tx.rollback().await.map_err(crate::db)?;
                        return Err(StoreError::Concurrent);
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn payouts_mark_exported(
                &self,
                ids: &[String],
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let (s, ids) = (self.clone(), ids.to_vec());
                detached(async move {
                    let mut tx = s.begin().await?;
                    for id in &ids {
                        let n = sqlx::query(q::PAYOUT_EXPORTED)
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?
                            .rows_affected();
                        if n != 1 {
                            tx.rollback().await.map_err(crate::db)?;
                            return Err(StoreError::Concurrent);
                        }
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn payee_notices_pending(
                &self,
                limit: u32,
            ) -> Result<Vec<PayeeNoticeRow>, StoreError> {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(q::NOTICES_PENDING)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                Ok(rows
                    .into_iter()
                    .map(|(payee_id, version, created_at)| PayeeNoticeRow {
                        payee_id,
                        version,
                        created_at,
                    })
                    .collect())
            }

            async fn payee_notice_delivered(
                &self,
                payee_id: &str,
                version: i64,
                at: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(q::NOTICE_DELIVERED)
                    .bind(at)
                    .bind(payee_id)
                    .bind(version)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn payee_contacts_update(
                &self,
                payee_id: &str,
                expected: Vec<u8>,
                contacts: Vec<u8>,
                notice: Option<PayeeNoticeRow>,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                let id = payee_id.to_string();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(q::CONTACTS_UPDATE)
                        .bind(&contacts)
                        .bind(&id)
                        .bind(&expected)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        tx.rollback().await.map_err(crate::db)?;
                        return Err(StoreError::Concurrent);
                    }
                    if let Some(n) = &notice {
                        sqlx::query(q::NOTICE_INSERT)
                            .bind(&n.payee_id)
                            .bind(n.version)
                            .bind(n.created_at)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }
        }
    };
}
