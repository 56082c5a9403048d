//! Intrusion detection (`IdsStore`): honeytoken markers, alerts, containment, known address
//! digests and incidents. Plain `TEXT`/`BIGINT` tables (`0014_ids.sql`), so every statement reads
//! the same in both dialects and lives here.

/// The statements of the intrusion-detection tables (standard SQL, `$N` parameters).
#[allow(missing_docs)]
#[doc(hidden)]
pub mod ids_sql {
    pub const HONEYTOKEN_INSERT: &str =
        "INSERT INTO ids_honeytoken (ref_id, kind, created_at) VALUES ($1, $2, $3)";
    pub const HONEYTOKEN_LIST: &str =
        "SELECT ref_id, kind, created_at FROM ids_honeytoken ORDER BY created_at, ref_id";
    const ALERT_COLUMNS: &str = "id, created_at, last_at, rule, severity, actor_kind, actor_id, dedup, hits, detail, acked_at, acked_by, delivered_at, incident_id";
    pub const ALERT_INSERT: &str = "INSERT INTO ids_alert (id, created_at, last_at, rule, severity, actor_kind, actor_id, dedup, hits, detail, acked_at, acked_by, delivered_at, incident_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
    pub fn alert_select(tail: &str) -> String {
        format!("SELECT {ALERT_COLUMNS} FROM ids_alert {tail}")
    }
    pub const ALERT_BUMP: &str = "UPDATE ids_alert SET hits = hits + 1, last_at = $1 WHERE id = $2";
    pub const ALERT_DETAIL: &str = "UPDATE ids_alert SET detail = $1 WHERE id = $2";
    pub const ALERT_REDELIVER: &str =
        "UPDATE ids_alert SET delivered_at = NULL, acked_at = NULL, acked_by = NULL WHERE id = $1";
    pub const ALERT_DELIVERED: &str = "UPDATE ids_alert SET delivered_at = $1 WHERE id = $2";
    pub const ALERT_ACK: &str =
        "UPDATE ids_alert SET acked_at = $1, acked_by = $2 WHERE id = $3 AND acked_at IS NULL";
    pub const ALERT_LINK: &str = "UPDATE ids_alert SET incident_id = $1 WHERE id = $2";
    pub const SUSPENSION_UPSERT: &str = "INSERT INTO ids_suspension (actor_kind, actor_id, rule, at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (actor_kind, actor_id) DO UPDATE SET rule = excluded.rule, at = excluded.at";
    pub const SUSPENSION_DELETE: &str =
        "DELETE FROM ids_suspension WHERE actor_kind = $1 AND actor_id = $2";
    pub const SUSPENSION_LIST: &str =
        "SELECT actor_kind, actor_id, rule, at FROM ids_suspension ORDER BY at";
    pub const ADDRESS_SEEN: &str = "INSERT INTO ids_known_address (actor, digest, first_at) VALUES ($1, $2, $3) \
         ON CONFLICT (actor, digest) DO NOTHING";
    pub const ADDRESS_COUNT: &str = "SELECT COUNT(*) FROM ids_known_address WHERE actor = $1";
    const INCIDENT_COLUMNS: &str = "id, opened_at, discovered_at, title, actor_kind, actor_id, window_from, window_to, status, alert_id, timeline";
    pub const INCIDENT_INSERT: &str = "INSERT INTO ids_incident (id, opened_at, discovered_at, title, actor_kind, actor_id, window_from, window_to, status, alert_id, timeline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
    pub const INCIDENT_UPDATE: &str =
        "UPDATE ids_incident SET status = $1, window_to = $2, timeline = $3 WHERE id = $4";
    pub fn incident_select(tail: &str) -> String {
        format!("SELECT {INCIDENT_COLUMNS} FROM ids_incident {tail}")
    }
}

/// Stamps [`IdsStore`](jaga_core::store::IdsStore) for `$store`.
#[macro_export]
macro_rules! ids {
    ($store:ty) => {
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            AlertRow, HoneytokenRow, IdsStore, IncidentRow, StoreError, SuspensionRow,
        };
        use $crate::ids::ids_sql as q;
        use $crate::{detached, sqlx};

        type AlertTuple = (
            String,
            i64,
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
            String,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        type IncidentTuple = (
            String,
            i64,
            i64,
            String,
            Option<String>,
            Option<String>,
            i64,
            Option<i64>,
            String,
            Option<String>,
            String,
        );

        fn alert(t: AlertTuple) -> AlertRow {
            AlertRow {
                id: t.0,
                created_at: t.1,
                last_at: t.2,
                rule: t.3,
                severity: t.4,
                actor_kind: t.5,
                actor_id: t.6,
                dedup: t.7,
                hits: t.8,
                detail: t.9,
                acked_at: t.10,
                acked_by: t.11,
                delivered_at: t.12,
                incident_id: t.13,
            }
        }

        fn incident(t: IncidentTuple) -> IncidentRow {
            IncidentRow {
                id: t.0,
                opened_at: t.1,
                discovered_at: t.2,
                title: t.3,
                actor_kind: t.4,
                actor_id: t.5,
                window_from: t.6,
                window_to: t.7,
                status: t.8,
                alert_id: t.9,
                timeline: t.10,
            }
        }

        #[$crate::async_trait]
        impl IdsStore for $store {
            async fn honeytoken_insert(&self, row: HoneytokenRow) -> Result<(), StoreError> {
                sqlx::query(q::HONEYTOKEN_INSERT)
                    .bind(&row.ref_id)
                    .bind(&row.kind)
                    .bind(row.created_at)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn honeytoken_list(&self) -> Result<Vec<HoneytokenRow>, StoreError> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(q::HONEYTOKEN_LIST)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                Ok(rows
                    .into_iter()
                    .map(|(ref_id, kind, created_at)| HoneytokenRow {
                        ref_id,
                        kind,
                        created_at,
                    })
                    .collect())
            }

            async fn alert_insert(
                &self,
                row: AlertRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(q::ALERT_INSERT)
                        .bind(&row.id)
                        .bind(row.created_at)
                        .bind(row.last_at)
                        .bind(&row.rule)
                        .bind(&row.severity)
                        .bind(&row.actor_kind)
                        .bind(&row.actor_id)
                        .bind(&row.dedup)
                        .bind(row.hits)
                        .bind(&row.detail)
                        .bind(row.acked_at)
                        .bind(row.acked_by.as_deref())
                        .bind(row.delivered_at)
                        .bind(row.incident_id.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn alert_recent(
                &self,
                dedup: &str,
                since_ms: i64,
            ) -> Result<Option<AlertRow>, StoreError> {
                let sql = q::alert_select(
                    "WHERE dedup = $1 AND last_at >= $2 ORDER BY last_at DESC LIMIT 1",
                );
                let row: Option<AlertTuple> = sqlx::query_as(&sql)
                    .bind(dedup)
                    .bind(since_ms)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(row.map(alert))
            }

            async fn alert_bump(
                &self,
                id: &str,
                at_ms: i64,
                detail: Option<String>,
                redeliver: bool,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                let id = id.to_string();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(q::ALERT_BUMP)
                        .bind(at_ms)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    if let Some(d) = &detail {
                        sqlx::query(q::ALERT_DETAIL)
                            .bind(d)
                            .bind(&id)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    if redeliver {
                        sqlx::query(q::ALERT_REDELIVER)
                            .bind(&id)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn alert_get(&self, id: &str) -> Result<Option<AlertRow>, StoreError> {
                let sql = q::alert_select("WHERE id = $1");
                let row: Option<AlertTuple> = sqlx::query_as(&sql)
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(row.map(alert))
            }

            async fn alert_list(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError> {
                let sql = q::alert_select("ORDER BY created_at DESC, id DESC LIMIT $1");
                let rows: Vec<AlertTuple> = sqlx::query_as(&sql)
                    .bind(i64::from(limit))
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(rows.into_iter().map(alert).collect())
            }

            async fn alert_undelivered(&self, limit: u32) -> Result<Vec<AlertRow>, StoreError> {
                let sql =
                    q::alert_select("WHERE delivered_at IS NULL ORDER BY created_at, id LIMIT $1");
                let rows: Vec<AlertTuple> = sqlx::query_as(&sql)
                    .bind(i64::from(limit))
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(rows.into_iter().map(alert).collect())
            }

            async fn alert_delivered(&self, id: &str, at_ms: i64) -> Result<(), StoreError> {
                sqlx::query(q::ALERT_DELIVERED)
                    .bind(at_ms)
                    .bind(id)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn alert_ack(
                &self,
                id: &str,
                by: &str,
                at_ms: i64,
                audit: AuditRecord,
            ) -> Result<bool, StoreError> {
                let (s, id, by) = (self.clone(), id.to_string(), by.to_string());
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(q::ALERT_ACK)
                        .bind(at_ms)
                        .bind(&by)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn alert_link(&self, id: &str, incident: &str) -> Result<(), StoreError> {
                sqlx::query(q::ALERT_LINK)
                    .bind(incident)
                    .bind(id)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn suspension_insert(
                &self,
                row: SuspensionRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(q::SUSPENSION_UPSERT)
                        .bind(&row.actor_kind)
                        .bind(&row.actor_id)
                        .bind(&row.rule)
                        .bind(row.at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn suspension_delete(
                &self,
                actor_kind: &str,
                actor_id: &str,
                audit: AuditRecord,
            ) -> Result<bool, StoreError> {
                let (s, kind, id) = (self.clone(), actor_kind.to_string(), actor_id.to_string());
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(q::SUSPENSION_DELETE)
                        .bind(&kind)
                        .bind(&id)
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

            async fn suspension_list(&self) -> Result<Vec<SuspensionRow>, StoreError> {
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(q::SUSPENSION_LIST)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                Ok(rows
                    .into_iter()
                    .map(|(actor_kind, actor_id, rule, at)| SuspensionRow {
                        actor_kind,
                        actor_id,
                        rule,
                        at,
                    })
                    .collect())
            }

            async fn address_seen(
                &self,
                actor: &str,
                digest: &str,
                at_ms: i64,
            ) -> Result<bool, StoreError> {
                let n = sqlx::query(q::ADDRESS_SEEN)
                    .bind(actor)
                    .bind(digest)
                    .bind(at_ms)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?
                    .rows_affected();
                Ok(n == 1)
            }

            async fn address_count(&self, actor: &str) -> Result<u64, StoreError> {
                let (n,): (i64,) = sqlx::query_as(q::ADDRESS_COUNT)
                    .bind(actor)
                    .fetch_one(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(u64::try_from(n).unwrap_or(0))
            }

            async fn incident_insert(
                &self,
                row: IncidentRow,
                audit: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(q::INCIDENT_INSERT)
                        .bind(&row.id)
                        .bind(row.opened_at)
                        .bind(row.discovered_at)
                        .bind(&row.title)
                        .bind(row.actor_kind.as_deref())
                        .bind(row.actor_id.as_deref())
                        .bind(row.window_from)
                        .bind(row.window_to)
                        .bind(&row.status)
                        .bind(row.alert_id.as_deref())
                        .bind(&row.timeline)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn incident_update(&self, row: IncidentRow) -> Result<(), StoreError> {
                sqlx::query(q::INCIDENT_UPDATE)
                    .bind(&row.status)
                    .bind(row.window_to)
                    .bind(&row.timeline)
                    .bind(&row.id)
                    .execute(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(())
            }

            async fn incident_get(&self, id: &str) -> Result<Option<IncidentRow>, StoreError> {
                let sql = q::incident_select("WHERE id = $1");
                let row: Option<IncidentTuple> = sqlx::query_as(&sql)
                    .bind(id)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(row.map(incident))
            }

            async fn incident_list(&self) -> Result<Vec<IncidentRow>, StoreError> {
                let sql = q::incident_select("ORDER BY opened_at DESC, id DESC");
                let rows: Vec<IncidentTuple> = sqlx::query_as(&sql)
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(rows.into_iter().map(incident).collect())
            }
        }
    };
}
