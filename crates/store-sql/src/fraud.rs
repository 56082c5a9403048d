//! The fraud monitor's scored events.

/// Stamps [`FraudStore`](jaga_core::store::FraudStore) for `$store`.
#[macro_export]
macro_rules! fraud {
    ($store:ty) => {
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            FraudEventRow, FraudLabelRow, FraudLink, FraudListRow, FraudReviewRow, FraudStore,
            StoreError,
        };
        use $crate::decode as g;
        use $crate::sqlx::Row as _;

        macro_rules! read_row {
            ($r:expr) => {
                FraudEventRow {
                    seq: $r.try_get("seq").map_err(g)?,
                    id: $r.try_get("id").map_err(g)?,
                    ts: $r.try_get("ts").map_err(g)?,
                    kind: $r.try_get("kind").map_err(g)?,
                    event: $r.try_get("event").map_err(g)?,
                    decision: $r.try_get("decision").map_err(g)?,
                    score: $r.try_get("score").map_err(g)?,
                    reasons: $r.try_get("reasons").map_err(g)?,
                    created_at: $r.try_get("created_at").map_err(g)?,
                }
            };
        }

        /// A JSON array of strings (for `json_each` / `jsonb_array_elements_text`).
        fn json_list(items: &[String]) -> String {
            let mut out = String::from("[");
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            out.push(']');
            out
        }

        impl $store {
            async fn fraud_insert_impl(
                &self,
                rows: Vec<FraudEventRow>,
                contacts: Vec<(String, String)>,
                links: Vec<FraudLink>,
                labels: Vec<FraudLabelRow>,
            ) -> Result<u64, StoreError> {
                let mut tx = self.begin().await?;
                let mut n = 0;
                for r in &rows {
                    n += $crate::sqlx::query(crate::sql::FRAUD_EVENT_INSERT)
                        .bind(&r.id)
                        .bind(r.ts)
                        .bind(&r.kind)
                        .bind(&r.event)
                        .bind(&r.decision)
                        .bind(r.score)
                        .bind(&r.reasons)
                        .bind(r.created_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                }
                for (id, sealed) in &contacts {
                    $crate::sqlx::query(crate::sql::FRAUD_CONTACT_INSERT)
                        .bind(id)
                        .bind(sealed)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                }
                for l in &links {
                    $crate::sqlx::query(crate::sql::FRAUD_LINK_INSERT)
                        .bind(&l.reference)
                        .bind(&l.event_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                }
                for l in &labels {
                    $crate::sqlx::query(crate::sql::FRAUD_LABEL_UPSERT)
                        .bind(&l.event_id)
                        .bind(l.fraud.map(i64::from))
                        .bind(&l.kind)
                        .bind(&l.source)
                        .bind(l.set_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                }
                tx.commit().await.map_err(crate::db)?;
                Ok(n)
            }
        }

        #[$crate::async_trait]
        impl FraudStore for $store {
            async fn fraud_events_insert(
                &self,
                rows: Vec<FraudEventRow>,
            ) -> Result<u64, StoreError> {
                let s = self.clone();
                $crate::detached(async move {
                    s.fraud_insert_impl(rows, Vec::new(), Vec::new(), Vec::new())
                        .await
                })
                .await
            }

            async fn fraud_record(
                &self,
                rows: Vec<FraudEventRow>,
                contacts: Vec<(String, String)>,
                links: Vec<FraudLink>,
                labels: Vec<FraudLabelRow>,
            ) -> Result<u64, StoreError> {
                let s = self.clone();
                $crate::detached(
                    async move { s.fraud_insert_impl(rows, contacts, links, labels).await },
                )
                .await
            }

            async fn fraud_contacts_get(
                &self,
                ids: &[String],
            ) -> Result<Vec<(String, String)>, StoreError> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let rows = $crate::sqlx::query(crate::sql::FRAUD_CONTACTS_GET)
                    .bind(json_list(ids))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push((
                        r.try_get("event_id").map_err(g)?,
                        r.try_get("sealed").map_err(g)?,
                    ));
                }
                Ok(out)
            }

            async fn fraud_events_by_refs(
                &self,
                refs: &[String],
            ) -> Result<Vec<FraudEventRow>, StoreError> {
                if refs.is_empty() {
                    return Ok(Vec::new());
                }
                let rows = $crate::sqlx::query(crate::sql::FRAUD_EVENTS_BY_REFS)
                    .bind(json_list(refs))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(read_row!(r));
                }
                Ok(out)
            }

            async fn fraud_list_put(
                &self,
                row: FraudListRow,
                audit: AuditRecord,
            ) -> Result<bool, StoreError> {
                let s = self.clone();
                $crate::detached(async move {
                    let mut tx = s.begin().await?;
                    let n = $crate::sqlx::query(crate::sql::FRAUD_LIST_INSERT)
                        .bind(&row.list)
                        .bind(&row.entity)
                        .bind(&row.key)
                        .bind(&row.hint)
                        .bind(&row.note)
                        .bind(&row.created_by)
                        .bind(row.created_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn fraud_list_delete(
                &self,
                list: &str,
                entity: &str,
                key: &str,
                audit: AuditRecord,
            ) -> Result<bool, StoreError> {
                let s = self.clone();
                let (list, entity, key) = (list.to_string(), entity.to_string(), key.to_string());
                $crate::detached(async move {
                    let mut tx = s.begin().await?;
                    let n = $crate::sqlx::query(crate::sql::FRAUD_LIST_DELETE)
                        .bind(&list)
                        .bind(&entity)
                        .bind(&key)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn fraud_lists_all(&self) -> Result<Vec<FraudListRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::FRAUD_LISTS_ALL)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(FraudListRow {
                        list: r.try_get("list").map_err(g)?,
                        entity: r.try_get("entity").map_err(g)?,
                        key: r.try_get("entry_key").map_err(g)?,
                        hint: r.try_get("hint").map_err(g)?,
                        note: r.try_get("note").map_err(g)?,
                        created_by: r.try_get("created_by").map_err(g)?,
                        created_at: r.try_get("created_at").map_err(g)?,
                    });
                }
                Ok(out)
            }

            async fn fraud_review_queue(
                &self,
                limit: u32,
            ) -> Result<Vec<FraudEventRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::FRAUD_REVIEW_QUEUE)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(read_row!(r));
                }
                Ok(out)
            }

            async fn fraud_review_decide(
                &self,
                review: FraudReviewRow,
                label: FraudLabelRow,
                audit: AuditRecord,
            ) -> Result<bool, StoreError> {
                let s = self.clone();
                $crate::detached(async move {
                    let mut tx = s.begin().await?;
                    let n = $crate::sqlx::query(crate::sql::FRAUD_REVIEW_INSERT)
                        .bind(&review.event_id)
                        .bind(&review.decision)
                        .bind(&review.note)
                        .bind(&review.staff_id)
                        .bind(review.decided_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    $crate::sqlx::query(crate::sql::FRAUD_LABEL_UPSERT)
                        .bind(&label.event_id)
                        .bind(label.fraud.map(i64::from))
                        .bind(&label.kind)
                        .bind(&label.source)
                        .bind(label.set_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn fraud_events_in(
                &self,
                from: i64,
                to: i64,
                after: i64,
                limit: u32,
            ) -> Result<Vec<FraudEventRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::FRAUD_EVENTS_IN)
                    .bind(from)
                    .bind(to)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(read_row!(r));
                }
                Ok(out)
            }

            async fn fraud_reviews_recent(
                &self,
                limit: u32,
            ) -> Result<Vec<FraudReviewRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::FRAUD_REVIEWS_RECENT)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(FraudReviewRow {
                        event_id: r.try_get("event_id").map_err(g)?,
                        decision: r.try_get("decision").map_err(g)?,
                        note: r.try_get("note").map_err(g)?,
                        staff_id: r.try_get("staff_id").map_err(g)?,
                        decided_at: r.try_get("decided_at").map_err(g)?,
                    });
                }
                Ok(out)
            }

            async fn fraud_labels_after(
                &self,
                after: &str,
                limit: u32,
            ) -> Result<Vec<FraudLabelRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::FRAUD_LABELS_AFTER)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let fraud: Option<i64> = r.try_get("fraud").map_err(g)?;
                    out.push(FraudLabelRow {
                        event_id: r.try_get("event_id").map_err(g)?,
                        fraud: fraud.map(|f| f != 0),
                        kind: r.try_get("kind").map_err(g)?,
                        source: r.try_get("source").map_err(g)?,
                        set_at: r.try_get("set_at").map_err(g)?,
                    });
                }
                Ok(out)
            }

            async fn fraud_events_after(
                &self,
                after: i64,
                limit: u32,
            ) -> Result<Vec<FraudEventRow>, StoreError> {
                let rows = $crate::sqlx::query(crate::sql::FRAUD_EVENTS_AFTER)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(read_row!(r));
                }
                Ok(out)
            }

            async fn fraud_events_get(
                &self,
                ids: &[String],
            ) -> Result<Vec<FraudEventRow>, StoreError> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                // A JSON array of the ids (validated: no control characters).
                let list = format!(
                    "[{}]",
                    ids.iter()
                        .map(|i| format!("\"{}\"", i.replace('\\', "\\\\").replace('"', "\\\"")))
                        .collect::<Vec<_>>()
                        .join(",")
                );
                let rows = $crate::sqlx::query(crate::sql::FRAUD_EVENTS_GET)
                    .bind(list)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(read_row!(r));
                }
                Ok(out)
            }
        }
    };
}
