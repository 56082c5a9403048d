//! [`CheckpointStore`] on PostgreSQL: stored checkpoints, proof nodes, batched appends, report
//! queries.

use crate::rows::corrupt;
use crate::{PostgresStore, audit, db};
use async_trait::async_trait;
use jaga_audit::{Hash, NodeId};
use jaga_core::audit::AuditRecord;
use jaga_core::store::{CheckpointStore, EventFilter, StoreError, StoredCheckpoint, StoredEvent};
use sqlx::{Postgres, QueryBuilder};
use std::collections::HashMap;

fn hash(v: Vec<u8>, what: &'static str) -> Result<Hash, StoreError> {
    v.try_into().map_err(|_| corrupt(what))
}

fn checkpoint(row: (i64, Vec<u8>, String, i64)) -> Result<StoredCheckpoint, StoreError> {
    Ok(StoredCheckpoint {
        size: u64::try_from(row.0).map_err(|_| corrupt("checkpoint size"))?,
        root: hash(row.1, "checkpoint root length")?,
        note: row.2,
        created_at: row.3,
    })
}

fn events(rows: Vec<(i64, Vec<u8>, Vec<u8>)>) -> Result<Vec<StoredEvent>, StoreError> {
    rows.into_iter()
        .map(|(seq, leaf, lh)| {
            Ok(StoredEvent {
                seq: u64::try_from(seq).map_err(|_| corrupt("event position"))?,
                leaf,
                leaf_hash: hash(lh, "leaf hash length")?,
            })
        })
        .collect()
}

fn pos(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Database("position out of range".into()))
}

#[async_trait]
impl CheckpointStore for PostgresStore {
    async fn checkpoint_insert(&self, cp: StoredCheckpoint) -> Result<bool, StoreError> {
        let n = sqlx::query(
            "INSERT INTO audit_checkpoint (size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING",
        )
        .bind(pos(cp.size)?)
        .bind(&cp.root[..])
        .bind(&cp.note)
        .bind(cp.created_at)
        .execute(&self.pool)
        .await
        .map_err(db)?
        .rows_affected();
        Ok(n == 1)
    }

    async fn checkpoint_latest(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        sqlx::query_as(
            "SELECT size, root, note, created_at FROM audit_checkpoint ORDER BY size DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .map(checkpoint)
        .transpose()
    }

    async fn checkpoint_list(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
        let rows: Vec<(i64, Vec<u8>, String, i64)> = sqlx::query_as(
            "SELECT size, root, note, created_at FROM audit_checkpoint ORDER BY size",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(checkpoint).collect()
    }

    async fn audit_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>, StoreError> {
        let mut out = HashMap::with_capacity(ids.len());
        let leaves: Vec<i64> = ids
            .iter()
            .filter(|n| n.level == 0)
            .map(|n| pos(n.index))
            .collect::<Result<_, _>>()?;
        if !leaves.is_empty() {
            let rows: Vec<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, leaf_hash FROM audit_event WHERE seq = ANY($1)")
                    .bind(&leaves)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)?;
            for (seq, h) in rows {
                out.insert(
                    NodeId {
                        level: 0,
                        index: seq as u64,
                    },
                    hash(h, "leaf hash length")?,
                );
            }
        }
        let inner: Vec<&NodeId> = ids.iter().filter(|n| n.level > 0).collect();
        if !inner.is_empty() {
            let levels: Vec<i64> = inner.iter().map(|n| i64::from(n.level)).collect();
            let idxs: Vec<i64> = inner
                .iter()
                .map(|n| pos(n.index))
                .collect::<Result<_, _>>()?;
            let rows: Vec<(i64, i64, Vec<u8>)> = sqlx::query_as(
                "SELECT n.level::bigint, n.idx::bigint, n.hash FROM audit_node n JOIN UNNEST($1::bigint[], $2::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx",
            )
            .bind(&levels)
            .bind(&idxs)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
            for (level, idx, h) in rows {
                out.insert(
                    NodeId {
                        level: u8::try_from(level).map_err(|_| corrupt("node level"))?,
                        index: idx as u64,
                    },
                    hash(h, "node hash length")?,
                );
            }
        }
        Ok(out)
    }

    async fn audit_event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
        let rows: Vec<(i64, Vec<u8>, Vec<u8>)> =
            sqlx::query_as("SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq = $1")
                .bind(pos(seq)?)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        Ok(events(rows)?.pop())
    }

    async fn audit_append_batch(&self, records: Vec<AuditRecord>) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let refs: Vec<&AuditRecord> = records.iter().collect();
        let seq = audit::append(&mut tx, &refs).await?;
        crate::commit(tx).await?;
        Ok(seq)
    }

    async fn audit_events_matching(
        &self,
        filter: &EventFilter,
        from: u64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new("SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq >= ");
        q.push_bind(pos(from)?);
        if let Some(c) = filter.customer_id {
            q.push(" AND customer_id = ")
                .push_bind(c.to_string())
                .push("::uuid");
        }
        if let Some(a) = &filter.actor_id {
            q.push(" AND actor_id = ").push_bind(a.clone());
        }
        if let Some(t) = filter.from_ms {
            q.push(" AND ts_ms >= ").push_bind(t);
        }
        if let Some(t) = filter.to_ms {
            q.push(" AND ts_ms < ").push_bind(t);
        }
        q.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit));
        let rows = q.build_query_as().fetch_all(&self.pool).await.map_err(db)?;
        events(rows)
    }
}
