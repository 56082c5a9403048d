//! Stored checkpoints, proof nodes, batched appends and report queries.

/// Stamps [`CheckpointStore`](jaga_core::store::CheckpointStore) for `$store`.
#[macro_export]
macro_rules! checkpoints {
    ($store:ty) => {
        use jaga_audit::{Hash, NodeId};
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            CheckpointStore, EventFilter, StoreError, StoredCheckpoint, StoredEvent,
        };
        use std::collections::HashMap;
        use $crate::{corrupt, hash, pos, sqlx, unpos};

        fn checkpoint(row: (i64, Vec<u8>, String, i64)) -> Result<StoredCheckpoint, StoreError> {
            Ok(StoredCheckpoint {
                size: unpos(row.0, "checkpoint size")?,
                root: hash(row.1, "checkpoint root length")?,
                note: row.2,
                created_at: row.3,
            })
        }

        /// Events from `(seq, leaf, leaf_hash)` rows.
        pub(crate) fn events(
            rows: Vec<(i64, Vec<u8>, Vec<u8>)>,
        ) -> Result<Vec<StoredEvent>, StoreError> {
            rows.into_iter()
                .map(|(seq, leaf, lh)| {
                    Ok(StoredEvent {
                        seq: unpos(seq, "event position")?,
                        leaf,
                        leaf_hash: hash(lh, "leaf hash length")?,
                    })
                })
                .collect()
        }

        #[$crate::async_trait]
        impl CheckpointStore for $store {
            async fn checkpoint_insert(&self, cp: StoredCheckpoint) -> Result<bool, StoreError> {
                let s = self.clone();
                $crate::detached(async move {
                    let n = sqlx::query(crate::sql::CHECKPOINT_INSERT)
                        .bind(pos(cp.size)?)
                        .bind(&cp.root[..])
                        .bind(&cp.note)
                        .bind(cp.created_at)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn checkpoint_latest(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
                sqlx::query_as(crate::sql::CHECKPOINT_LATEST)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?
                    .map(checkpoint)
                    .transpose()
            }

            async fn checkpoint_list(&self) -> Result<Vec<StoredCheckpoint>, StoreError> {
                let rows: Vec<(i64, Vec<u8>, String, i64)> =
                    sqlx::query_as(crate::sql::CHECKPOINT_LIST)
                        .fetch_all(self.reader())
                        .await
                        .map_err(crate::db)?;
                rows.into_iter().map(checkpoint).collect()
            }

            async fn audit_nodes(
                &self,
                ids: &[NodeId],
            ) -> Result<HashMap<NodeId, Hash>, StoreError> {
                let mut out = HashMap::with_capacity(ids.len());
                let leaves: Vec<i64> = ids
                    .iter()
                    .filter(|n| n.level == 0)
                    .map(|n| pos(n.index))
                    .collect::<Result<_, _>>()?;
                if !leaves.is_empty() {
                    for (seq, h) in crate::dialect::leaf_hashes(self.reader(), &leaves).await? {
                        out.insert(
                            NodeId {
                                level: 0,
                                index: unpos(seq, "event position")?,
                            },
                            hash(h, "leaf hash length")?,
                        );
                    }
                }
                let inner: Vec<(i64, i64)> = ids
                    .iter()
                    .filter(|n| n.level > 0)
                    .map(|n| Ok((i64::from(n.level), pos(n.index)?)))
                    .collect::<Result<_, StoreError>>()?;
                if !inner.is_empty() {
                    for (level, idx, h) in
                        crate::dialect::node_hashes(self.reader(), &inner).await?
                    {
                        out.insert(
                            NodeId {
                                level: u8::try_from(level).map_err(|_| corrupt("node level"))?,
                                index: unpos(idx, "node index")?,
                            },
                            hash(h, "node hash length")?,
                        );
                    }
                }
                Ok(out)
            }

            async fn audit_event(&self, seq: u64) -> Result<Option<StoredEvent>, StoreError> {
                let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = sqlx::query_as(crate::sql::AUDIT_EVENT)
                    .bind(pos(seq)?)
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                Ok(events(rows)?.pop())
            }

            async fn audit_append_batch(
                &self,
                records: Vec<AuditRecord>,
            ) -> Result<u64, StoreError> {
                self.group().submit(crate::group::Op::audit(records)).await
            }

            async fn audit_events_matching(
                &self,
                filter: &EventFilter,
                from: u64,
                limit: u32,
            ) -> Result<Vec<StoredEvent>, StoreError> {
                let mut q: sqlx::QueryBuilder<crate::Db> = sqlx::QueryBuilder::new(
                    "SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq >= ",
                );
                q.push_bind(pos(from)?);
                if let Some(c) = filter.customer_id {
                    q.push(" AND customer_id = ")
                        .push_bind(c.to_string())
                        .push(crate::sql::UUID_PARAM_CAST);
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
                let rows = q
                    .build_query_as()
                    .fetch_all(self.reader())
                    .await
                    .map_err(crate::db)?;
                events(rows)
            }
        }
    };
}
