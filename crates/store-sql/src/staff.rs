//! Staff accounts, invitations, recovery codes, sessions and throttles.
//!
//! Replay refusal (TOTP step), single-use recovery codes and invitations, and throttle counters
//! are single conditional statements, so they hold with any number of server nodes.

/// Stamps [`StaffStore`](jaga_core::store::StaffStore) for `$store`.
#[macro_export]
macro_rules! staff {
    ($store:ty) => {
        use crate::rows::{invitation, session, staff, throttle};
        use crate::sql;
        use jaga_core::audit::AuditRecord;
        use jaga_core::store::{
            InvitationRow, SessionRow, StaffRow, StaffStore, StoreError, ThrottleRow,
        };
        use uuid::Uuid;
        use $crate::{detached, sqlx};

        async fn insert_staff(conn: &mut crate::Conn, row: &StaffRow) -> Result<(), StoreError> {
            sqlx::query(sql::STAFF_INSERT)
                .bind(row.id.to_string())
                .bind(&row.email)
                .bind(&row.name)
                .bind(&row.role)
                .bind(&row.segments)
                .bind(&row.password_hash)
                .bind(row.totp_secret.as_deref())
                .bind(row.totp_confirmed)
                .bind(row.totp_last_step)
                .bind(row.agreement_version.as_deref())
                .bind(row.agreement_accepted_at)
                .bind(row.disabled_at)
                .bind(row.version)
                .bind(row.created_at)
                .bind(row.updated_at)
                .execute(&mut *conn)
                .await
                .map_err(crate::db)?;
            Ok(())
        }

        async fn insert_session(conn: &mut crate::Conn, s: &SessionRow) -> Result<(), StoreError> {
            sqlx::query(sql::SESSION_INSERT)
                .bind(&s.digest)
                .bind(s.handle.to_string())
                .bind(s.staff_id.to_string())
                .bind(&s.state)
                .bind(&s.csrf)
                .bind(s.created_at)
                .bind(s.last_seen_at)
                .bind(s.step_up_at)
                .bind(&s.ip)
                .bind(&s.user_agent)
                .execute(&mut *conn)
                .await
                .map_err(crate::db)?;
            Ok(())
        }

        #[$crate::async_trait]
        impl StaffStore for $store {
            async fn staff_insert(
                &self,
                row: StaffRow,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    insert_staff(&mut tx, &row).await?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn staff_get(&self, id: Uuid) -> Result<Option<StaffRow>, StoreError> {
                sqlx::query(sql::STAFF_BY_ID)
                    .bind(id.to_string())
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?
                    .as_ref()
                    .map(staff)
                    .transpose()
            }

            async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRow>, StoreError> {
                sqlx::query(sql::STAFF_BY_EMAIL)
                    .bind(email)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?
                    .as_ref()
                    .map(staff)
                    .transpose()
            }

            async fn staff_list(&self) -> Result<Vec<StaffRow>, StoreError> {
                sqlx::query(sql::STAFF_LIST)
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(staff)
                    .collect()
            }

            async fn staff_update(
                &self,
                row: StaffRow,
                audit_rec: Option<AuditRecord>,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(sql::STAFF_UPDATE)
                        .bind(&row.email)
                        .bind(&row.name)
                        .bind(&row.role)
                        .bind(&row.segments)
                        .bind(&row.password_hash)
                        .bind(row.totp_secret.as_deref())
                        .bind(row.totp_confirmed)
                        .bind(row.agreement_version.as_deref())
                        .bind(row.agreement_accepted_at)
                        .bind(row.disabled_at)
                        .bind(row.version)
                        .bind(row.updated_at)
                        .bind(row.id.to_string())
                        .bind(row.version - 1)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        return Err(StoreError::Concurrent);
                    }
                    if let Some(a) = &audit_rec {
                        crate::audit::append(&mut tx, &[a]).await?;
                    }
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn staff_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StoreError> {
                let s = self.clone();
                detached(async move {
                    let n = sqlx::query(sql::STAFF_TOTP_STEP)
                        .bind(step)
                        .bind(id.to_string())
                        .bind(step)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn recovery_codes_replace(
                &self,
                id: Uuid,
                digests: Vec<Vec<u8>>,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(sql::RECOVERY_DELETE_ALL)
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    for d in &digests {
                        sqlx::query(sql::RECOVERY_INSERT)
                            .bind(id.to_string())
                            .bind(d)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn recovery_code_use(
                &self,
                id: Uuid,
                digest: &[u8],
                audit_rec: AuditRecord,
            ) -> Result<bool, StoreError> {
                let digest = digest.to_vec();
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(sql::RECOVERY_USE)
                        .bind(id.to_string())
                        .bind(&digest)
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

            async fn recovery_codes_left(&self, id: Uuid) -> Result<u32, StoreError> {
                let n: i64 = sqlx::query_scalar(sql::RECOVERY_COUNT)
                    .bind(id.to_string())
                    .fetch_one(self.writer())
                    .await
                    .map_err(crate::db)?;
                Ok(n as u32)
            }

            async fn invitation_insert(
                &self,
                inv: InvitationRow,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(sql::INV_INSERT)
                        .bind(&inv.digest)
                        .bind(inv.id.to_string())
                        .bind(inv.email.as_deref())
                        .bind(&inv.role)
                        .bind(&inv.segments)
                        .bind(&inv.created_by)
                        .bind(inv.created_at)
                        .bind(inv.expires_at)
                        .bind(inv.used_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn invitation_get(
                &self,
                digest: &[u8],
            ) -> Result<Option<InvitationRow>, StoreError> {
                sqlx::query(sql::INV_BY_DIGEST)
                    .bind(digest)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)?
                    .as_ref()
                    .map(invitation)
                    .transpose()
            }

            async fn invitation_accept(
                &self,
                digest: &[u8],
                at: i64,
                row: StaffRow,
                audit_rec: AuditRecord,
            ) -> Result<bool, StoreError> {
                let digest = digest.to_vec();
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(sql::INV_ACCEPT)
                        .bind(at)
                        .bind(&digest)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    insert_staff(&mut tx, &row).await?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn invitations_open(&self) -> Result<Vec<InvitationRow>, StoreError> {
                sqlx::query(sql::INV_OPEN)
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(invitation)
                    .collect()
            }

            async fn invitation_cancel(
                &self,
                id: Uuid,
                replacement: Option<InvitationRow>,
                audit_rec: AuditRecord,
            ) -> Result<bool, StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(sql::INV_CANCEL)
                        .bind(id.to_string())
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    if let Some(inv) = replacement {
                        sqlx::query(sql::INV_INSERT)
                            .bind(&inv.digest)
                            .bind(inv.id.to_string())
                            .bind(inv.email.as_deref())
                            .bind(&inv.role)
                            .bind(&inv.segments)
                            .bind(&inv.created_by)
                            .bind(inv.created_at)
                            .bind(inv.expires_at)
                            .bind(inv.used_at)
                            .execute(&mut *tx)
                            .await
                            .map_err(crate::db)?;
                    }
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn setting_get(&self, name: &str) -> Result<Option<String>, StoreError> {
                sqlx::query_scalar::<_, String>(sql::SETTING_GET)
                    .bind(name)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(crate::db)
            }

            async fn setting_put(
                &self,
                name: &str,
                value: &str,
                at: i64,
                audit_rec: AuditRecord,
            ) -> Result<(), StoreError> {
                let (name, value) = (name.to_string(), value.to_string());
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    sqlx::query(sql::SETTING_PUT)
                        .bind(&name)
                        .bind(&value)
                        .bind(at)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?;
                    crate::audit::append(&mut tx, &[&audit_rec]).await?;
                    tx.commit().await.map_err(crate::db)
                })
                .await
            }

            async fn session_insert(&self, sess: SessionRow) -> Result<(), StoreError> {
                let s = self.clone();
                detached(async move {
                    let mut conn = s.writer().acquire().await.map_err(crate::db)?;
                    insert_session(&mut conn, &sess).await
                })
                .await
            }

            async fn session_get(&self, digest: &[u8]) -> Result<Option<SessionRow>, StoreError> {
                sqlx::query(sql::SESSION_BY_DIGEST)
                    .bind(digest)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(crate::db)?
                    .as_ref()
                    .map(session)
                    .transpose()
            }

            async fn session_rotate(
                &self,
                old: &[u8],
                new: SessionRow,
            ) -> Result<bool, StoreError> {
                let old = old.to_vec();
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(sql::SESSION_DELETE)
                        .bind(&old)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    insert_session(&mut tx, &new).await?;
                    tx.commit().await.map_err(crate::db)?;
                    Ok(true)
                })
                .await
            }

            async fn session_touch(&self, digest: &[u8], at: i64) -> Result<(), StoreError> {
                let digest = digest.to_vec();
                let s = self.clone();
                detached(async move {
                    sqlx::query(sql::SESSION_TOUCH)
                        .bind(at)
                        .bind(&digest)
                        .bind(at)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)
                        .map(|_| ())
                })
                .await
            }

            async fn session_delete(&self, digest: &[u8]) -> Result<bool, StoreError> {
                let digest = digest.to_vec();
                let s = self.clone();
                detached(async move {
                    Ok(sqlx::query(sql::SESSION_DELETE)
                        .bind(&digest)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)?
                        .rows_affected()
                        == 1)
                })
                .await
            }

            async fn session_delete_handle(
                &self,
                staff: Uuid,
                handle: Uuid,
            ) -> Result<bool, StoreError> {
                let s = self.clone();
                detached(async move {
                    Ok(sqlx::query(sql::SESSION_DELETE_HANDLE)
                        .bind(staff.to_string())
                        .bind(handle.to_string())
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)?
                        .rows_affected()
                        == 1)
                })
                .await
            }

            async fn sessions_of(&self, staff: Uuid) -> Result<Vec<SessionRow>, StoreError> {
                sqlx::query(sql::SESSIONS_OF)
                    .bind(staff.to_string())
                    .fetch_all(self.writer())
                    .await
                    .map_err(crate::db)?
                    .iter()
                    .map(session)
                    .collect()
            }

            async fn sessions_end(
                &self,
                staff: Uuid,
                keep: Option<&[u8]>,
                audit_rec: Option<AuditRecord>,
            ) -> Result<u64, StoreError> {
                let keep = keep.map(<[u8]>::to_vec).unwrap_or_default();
                let s = self.clone();
                detached(async move {
                    let mut tx = s.begin().await?;
                    let n = sqlx::query(sql::SESSIONS_END)
                        .bind(staff.to_string())
                        .bind(&keep)
                        .execute(&mut *tx)
                        .await
                        .map_err(crate::db)?
                        .rows_affected();
                    if let Some(a) = &audit_rec {
                        crate::audit::append(&mut tx, &[a]).await?;
                    }
                    tx.commit().await.map_err(crate::db)?;
                    Ok(n)
                })
                .await
            }

            async fn sessions_purge(
                &self,
                idle_before: i64,
                created_before: i64,
            ) -> Result<u64, StoreError> {
                let s = self.clone();
                detached(async move {
                    Ok(sqlx::query(sql::SESSIONS_PURGE)
                        .bind(idle_before)
                        .bind(created_before)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)?
                        .rows_affected())
                })
                .await
            }

            async fn throttle_get(&self, keys: &[String]) -> Result<Vec<ThrottleRow>, StoreError> {
                let mut out = Vec::new();
                for k in keys {
                    if let Some(r) = sqlx::query(sql::THROTTLE_GET)
                        .bind(k)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(crate::db)?
                    {
                        out.push(throttle(&r)?);
                    }
                }
                Ok(out)
            }

            async fn throttle_fail(
                &self,
                key: &str,
                at: i64,
                window_ms: i64,
            ) -> Result<ThrottleRow, StoreError> {
                let key = key.to_string();
                let s = self.clone();
                detached(async move {
                    let r = sqlx::query(sql::THROTTLE_FAIL)
                        .bind(&key)
                        .bind(at)
                        .bind(window_ms)
                        .fetch_one(s.writer())
                        .await
                        .map_err(crate::db)?;
                    throttle(&r)
                })
                .await
            }

            async fn throttle_reserve(
                &self,
                key: &str,
                at: i64,
                window_ms: i64,
                limit: jaga_core::store::ThrottleLimit,
            ) -> Result<Option<ThrottleRow>, StoreError> {
                let key = key.to_string();
                let s = self.clone();
                detached(async move {
                    let r = sqlx::query(sql::THROTTLE_RESERVE)
                        .bind(&key)
                        .bind(at)
                        .bind(window_ms)
                        .bind(limit.threshold)
                        .bind(limit.base_ms)
                        .bind(limit.cap_ms)
                        .fetch_optional(s.writer())
                        .await
                        .map_err(crate::db)?;
                    r.map(|r| throttle(&r)).transpose()
                })
                .await
            }

            async fn throttle_release(
                &self,
                key: &str,
                reserved_at: i64,
                limit: jaga_core::store::ThrottleLimit,
            ) -> Result<(), StoreError> {
                let key = key.to_string();
                let s = self.clone();
                detached(async move {
                    sqlx::query(sql::THROTTLE_RELEASE)
                        .bind(&key)
                        .bind(reserved_at)
                        .bind(limit.threshold)
                        .bind(limit.base_ms)
                        .bind(limit.cap_ms)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)
                        .map(|_| ())
                })
                .await
            }

            async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
                let key = key.to_string();
                let s = self.clone();
                detached(async move {
                    sqlx::query(sql::THROTTLE_CLEAR)
                        .bind(&key)
                        .execute(s.writer())
                        .await
                        .map_err(crate::db)
                        .map(|_| ())
                })
                .await
            }
        }
    };
}
