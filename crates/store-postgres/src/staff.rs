//! Staff accounts, invitations, recovery codes, sessions and throttles on PostgreSQL.
//!
//! Replay refusal (TOTP step), single-use recovery codes and invitations, and throttle counters
//! are single conditional statements, so they hold with any number of nodes.

use crate::{PostgresStore, audit, db};
use async_trait::async_trait;
use jaga_core::audit::AuditRecord;
use jaga_core::store::{InvitationRow, SessionRow, StaffRow, StaffStore, StoreError, ThrottleRow};
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Runs a transactional call in its own task so an abandoned caller cannot cancel it halfway
/// (see `store.rs`).
macro_rules! detached {
    ($self:ident, |$s:ident| $body:expr) => {{
        let $s = $self.clone();
        tokio::spawn(async move { $body })
            .await
            .map_err(|_| StoreError::Database("store task failed".into()))?
    }};
}

const STAFF_SELECT: &str = "id::text AS id, email, name, role, segments, password_hash, totp_secret, totp_confirmed, totp_last_step, agreement_version, agreement_accepted_at, disabled_at, version, created_at, updated_at";
const STAFF_COLS: &str = "id, email, name, role, segments, password_hash, totp_secret, totp_confirmed, totp_last_step, agreement_version, agreement_accepted_at, disabled_at, version, created_at, updated_at";
const INV_SELECT: &str =
    "digest, id::text AS id, email, role, segments, created_by, created_at, expires_at, used_at";
const INV_COLS: &str =
    "digest, id, email, role, segments, created_by, created_at, expires_at, used_at";
const SESSION_SELECT: &str = "digest, handle::text AS handle, staff_id::text AS staff_id, state, csrf, created_at, last_seen_at, step_up_at, ip, user_agent";
const SESSION_COLS: &str =
    "digest, handle, staff_id, state, csrf, created_at, last_seen_at, step_up_at, ip, user_agent";

fn g(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

fn uuid(s: String) -> Result<Uuid, StoreError> {
    Uuid::parse_str(&s).map_err(|_| StoreError::Corrupt("id is not a UUID".into()))
}

fn staff(r: &PgRow) -> Result<StaffRow, StoreError> {
    Ok(StaffRow {
        id: uuid(r.try_get("id").map_err(g)?)?,
        email: r.try_get("email").map_err(g)?,
        name: r.try_get("name").map_err(g)?,
        role: r.try_get("role").map_err(g)?,
        segments: r.try_get("segments").map_err(g)?,
        password_hash: r.try_get("password_hash").map_err(g)?,
        totp_secret: r.try_get("totp_secret").map_err(g)?,
        totp_confirmed: r.try_get("totp_confirmed").map_err(g)?,
        totp_last_step: r.try_get("totp_last_step").map_err(g)?,
        agreement_version: r.try_get("agreement_version").map_err(g)?,
        agreement_accepted_at: r.try_get("agreement_accepted_at").map_err(g)?,
        disabled_at: r.try_get("disabled_at").map_err(g)?,
        version: r.try_get("version").map_err(g)?,
        created_at: r.try_get("created_at").map_err(g)?,
        updated_at: r.try_get("updated_at").map_err(g)?,
    })
}

fn invitation(r: &PgRow) -> Result<InvitationRow, StoreError> {
    Ok(InvitationRow {
        digest: r.try_get("digest").map_err(g)?,
        id: uuid(r.try_get("id").map_err(g)?)?,
        email: r.try_get("email").map_err(g)?,
        role: r.try_get("role").map_err(g)?,
        segments: r.try_get("segments").map_err(g)?,
        created_by: r.try_get("created_by").map_err(g)?,
        created_at: r.try_get("created_at").map_err(g)?,
        expires_at: r.try_get("expires_at").map_err(g)?,
        used_at: r.try_get("used_at").map_err(g)?,
    })
}

fn session(r: &PgRow) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        digest: r.try_get("digest").map_err(g)?,
        handle: uuid(r.try_get("handle").map_err(g)?)?,
        staff_id: uuid(r.try_get("staff_id").map_err(g)?)?,
        state: r.try_get("state").map_err(g)?,
        csrf: r.try_get("csrf").map_err(g)?,
        created_at: r.try_get("created_at").map_err(g)?,
        last_seen_at: r.try_get("last_seen_at").map_err(g)?,
        step_up_at: r.try_get("step_up_at").map_err(g)?,
        ip: r.try_get("ip").map_err(g)?,
        user_agent: r.try_get("user_agent").map_err(g)?,
    })
}

async fn insert_staff(conn: &mut sqlx::PgConnection, row: &StaffRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO staff ({STAFF_COLS}) VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    ))
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
    .map_err(db)?;
    Ok(())
}

async fn insert_session(conn: &mut sqlx::PgConnection, s: &SessionRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO staff_sessions ({SESSION_COLS}) VALUES ($1, $2::uuid, $3::uuid, $4, $5, $6, $7, $8, $9, $10)"
    ))
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
    .map_err(db)?;
    Ok(())
}

#[async_trait]
impl StaffStore for PostgresStore {
    async fn staff_insert(&self, row: StaffRow, audit_rec: AuditRecord) -> Result<(), StoreError> {
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            insert_staff(&mut tx, &row).await?;
            audit::append(&mut tx, &[&audit_rec]).await?;
            crate::commit(tx).await
        }
        .await)
    }

    async fn staff_get(&self, id: Uuid) -> Result<Option<StaffRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {STAFF_SELECT} FROM staff WHERE id = $1::uuid"
        ))
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(staff)
        .transpose()
    }

    async fn staff_by_email(&self, email: &str) -> Result<Option<StaffRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {STAFF_SELECT} FROM staff WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(staff)
        .transpose()
    }

    async fn staff_list(&self) -> Result<Vec<StaffRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {STAFF_SELECT} FROM staff ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(staff)
        .collect()
    }

    async fn staff_update(
        &self,
        row: StaffRow,
        audit_rec: Option<AuditRecord>,
    ) -> Result<(), StoreError> {
        detached!(self, |s| {
            async move {
            let mut tx = s.begin().await?;
            let n = sqlx::query("UPDATE staff SET email = $1, name = $2, role = $3, segments = $4, password_hash = $5, totp_secret = $6, totp_confirmed = $7, agreement_version = $8, agreement_accepted_at = $9, disabled_at = $10, version = $11, updated_at = $12 WHERE id = $13::uuid AND version = $14")
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
                .map_err(db)?
                .rows_affected();
            if n != 1 {
                return Err(StoreError::Concurrent);
            }
            if let Some(a) = &audit_rec {
                audit::append(&mut tx, &[a]).await?;
            }
            crate::commit(tx).await
        }
        .await
        })
    }

    async fn staff_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StoreError> {
        detached!(self, |s| {
            async move {
            let n = sqlx::query("UPDATE staff SET totp_last_step = $1 WHERE id = $2::uuid AND (totp_last_step IS NULL OR totp_last_step < $3)")
                .bind(step)
                .bind(id.to_string())
                .bind(step)
                .execute(&s.pool)
                .await
                .map_err(db)?
                .rows_affected();
            Ok(n == 1)
        }
        .await
        })
    }

    async fn recovery_codes_replace(
        &self,
        id: Uuid,
        digests: Vec<Vec<u8>>,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1::uuid")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            for d in &digests {
                sqlx::query(
                    "INSERT INTO staff_recovery_codes (staff_id, digest) VALUES ($1::uuid, $2)",
                )
                .bind(id.to_string())
                .bind(d)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            }
            audit::append(&mut tx, &[&audit_rec]).await?;
            crate::commit(tx).await
        }
        .await)
    }

    async fn recovery_code_use(
        &self,
        id: Uuid,
        digest: &[u8],
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let digest = digest.to_vec();
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            let n = sqlx::query(
                "DELETE FROM staff_recovery_codes WHERE staff_id = $1::uuid AND digest = $2",
            )
            .bind(id.to_string())
            .bind(&digest)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            audit::append(&mut tx, &[&audit_rec]).await?;
            crate::commit(tx).await?;
            Ok(true)
        }
        .await)
    }

    async fn recovery_codes_left(&self, id: Uuid) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1::uuid",
        )
        .bind(id.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(n as u32)
    }

    async fn invitation_insert(
        &self,
        inv: InvitationRow,
        audit_rec: AuditRecord,
    ) -> Result<(), StoreError> {
        detached!(self, |s| {
            async move {
            let mut tx = s.begin().await?;
            sqlx::query(&format!(
                "INSERT INTO staff_invitations ({INV_COLS}) VALUES ($1, $2::uuid, $3, $4, $5, $6, $7, $8, $9)"
            ))
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
            .map_err(db)?;
            audit::append(&mut tx, &[&audit_rec]).await?;
            crate::commit(tx).await
        }
        .await
        })
    }

    async fn invitation_get(&self, digest: &[u8]) -> Result<Option<InvitationRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {INV_SELECT} FROM staff_invitations WHERE digest = $1"
        ))
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
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
        detached!(self, |s| {
            async move {
            let mut tx = s.begin().await?;
            let n = sqlx::query("UPDATE staff_invitations SET used_at = $1 WHERE digest = $2 AND used_at IS NULL AND expires_at > $3")
                .bind(at)
                .bind(&digest)
                .bind(at)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
            if n != 1 {
                return Ok(false);
            }
            insert_staff(&mut tx, &row).await?;
            audit::append(&mut tx, &[&audit_rec]).await?;
            crate::commit(tx).await?;
            Ok(true)
        }
        .await
        })
    }

    async fn invitations_open(&self) -> Result<Vec<InvitationRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {INV_SELECT} FROM staff_invitations WHERE used_at IS NULL ORDER BY created_at DESC"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
        .iter()
        .map(invitation)
        .collect()
    }

    async fn session_insert(&self, sess: SessionRow) -> Result<(), StoreError> {
        detached!(self, |s| async move {
            let mut conn = s.pool.acquire().await.map_err(db)?;
            insert_session(&mut conn, &sess).await
        }
        .await)
    }

    async fn session_get(&self, digest: &[u8]) -> Result<Option<SessionRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SESSION_SELECT} FROM staff_sessions WHERE digest = $1"
        ))
        .bind(digest)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .as_ref()
        .map(session)
        .transpose()
    }

    async fn session_rotate(&self, old: &[u8], new: SessionRow) -> Result<bool, StoreError> {
        let old = old.to_vec();
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            let n = sqlx::query("DELETE FROM staff_sessions WHERE digest = $1")
                .bind(&old)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
            if n != 1 {
                return Ok(false);
            }
            insert_session(&mut tx, &new).await?;
            crate::commit(tx).await?;
            Ok(true)
        }
        .await)
    }

    async fn session_touch(&self, digest: &[u8], at: i64) -> Result<(), StoreError> {
        let digest = digest.to_vec();
        detached!(self, |s| {
            async move {
            sqlx::query("UPDATE staff_sessions SET last_seen_at = $1 WHERE digest = $2 AND last_seen_at < $3")
                .bind(at)
                .bind(&digest)
                .bind(at)
                .execute(&s.pool)
                .await
                .map_err(db)
                .map(|_| ())
        }
        .await
        })
    }

    async fn session_delete(&self, digest: &[u8]) -> Result<bool, StoreError> {
        let digest = digest.to_vec();
        detached!(self, |s| async move {
            Ok(sqlx::query("DELETE FROM staff_sessions WHERE digest = $1")
                .bind(&digest)
                .execute(&s.pool)
                .await
                .map_err(db)?
                .rows_affected()
                == 1)
        }
        .await)
    }

    async fn session_delete_handle(&self, staff: Uuid, handle: Uuid) -> Result<bool, StoreError> {
        detached!(self, |s| async move {
            Ok(sqlx::query(
                "DELETE FROM staff_sessions WHERE staff_id = $1::uuid AND handle = $2::uuid",
            )
            .bind(staff.to_string())
            .bind(handle.to_string())
            .execute(&s.pool)
            .await
            .map_err(db)?
            .rows_affected()
                == 1)
        }
        .await)
    }

    async fn sessions_of(&self, staff: Uuid) -> Result<Vec<SessionRow>, StoreError> {
        sqlx::query(&format!(
            "SELECT {SESSION_SELECT} FROM staff_sessions WHERE staff_id = $1::uuid ORDER BY created_at DESC"
        ))
        .bind(staff.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?
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
        detached!(self, |s| async move {
            let mut tx = s.begin().await?;
            let n = sqlx::query(
                "DELETE FROM staff_sessions WHERE staff_id = $1::uuid AND digest <> $2",
            )
            .bind(staff.to_string())
            .bind(&keep)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
            if let Some(a) = &audit_rec {
                audit::append(&mut tx, &[a]).await?;
            }
            crate::commit(tx).await?;
            Ok(n)
        }
        .await)
    }

    async fn sessions_purge(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> Result<u64, StoreError> {
        detached!(self, |s| async move {
            Ok(
                sqlx::query(
                    "DELETE FROM staff_sessions WHERE last_seen_at < $1 OR created_at < $2",
                )
                .bind(idle_before)
                .bind(created_before)
                .execute(&s.pool)
                .await
                .map_err(db)?
                .rows_affected(),
            )
        }
        .await)
    }

    async fn throttle_get(&self, keys: &[String]) -> Result<Vec<ThrottleRow>, StoreError> {
        let mut out = Vec::new();
        for k in keys {
            if let Some(r) = sqlx::query(
                "SELECT key, failures, last_failure_at FROM login_throttle WHERE key = $1",
            )
            .bind(k)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?
            {
                out.push(ThrottleRow {
                    key: r.try_get("key").map_err(g)?,
                    failures: r.try_get("failures").map_err(g)?,
                    last_failure_at: r.try_get("last_failure_at").map_err(g)?,
                });
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
        detached!(self, |s| {
            async move {
            let r = sqlx::query(
                "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN login_throttle.last_failure_at < excluded.last_failure_at - $3 THEN 1 ELSE login_throttle.failures + 1 END, \
                   last_failure_at = excluded.last_failure_at \
                 RETURNING key, failures, last_failure_at",
            )
            .bind(&key)
            .bind(at)
            .bind(window_ms)
            .fetch_one(&s.pool)
            .await
            .map_err(db)?;
            Ok(ThrottleRow {
                key: r.try_get("key").map_err(g)?,
                failures: r.try_get("failures").map_err(g)?,
                last_failure_at: r.try_get("last_failure_at").map_err(g)?,
            })
        }
        .await
        })
    }

    async fn throttle_reserve(
        &self,
        key: &str,
        at: i64,
        window_ms: i64,
        limit: jaga_core::store::ThrottleLimit,
    ) -> Result<Option<ThrottleRow>, StoreError> {
        let key = key.to_string();
        detached!(self, |s| {
            async move {
            let r = sqlx::query(
                "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN $2::bigint - login_throttle.last_failure_at > $3::bigint THEN 1 ELSE login_throttle.failures + 1 END, \
                   last_failure_at = $2 \
                 WHERE $2 - login_throttle.last_failure_at > $3::bigint \
                    OR login_throttle.failures < $4 \
                    OR $2 >= login_throttle.last_failure_at + LEAST($6::bigint, $5::bigint << LEAST(login_throttle.failures - $4::bigint, 30)::int) \
                 RETURNING key, failures, last_failure_at",
            )
            .bind(&key)
            .bind(at)
            .bind(window_ms)
            .bind(limit.threshold)
            .bind(limit.base_ms)
            .bind(limit.cap_ms)
            .fetch_optional(&s.pool)
            .await
            .map_err(db)?;
            r.map(|r| {
                Ok(ThrottleRow {
                    key: r.try_get("key").map_err(g)?,
                    failures: r.try_get("failures").map_err(g)?,
                    last_failure_at: r.try_get("last_failure_at").map_err(g)?,
                })
            })
            .transpose()
        }
        .await
        })
    }

    async fn throttle_release(
        &self,
        key: &str,
        reserved_at: i64,
        limit: jaga_core::store::ThrottleLimit,
    ) -> Result<(), StoreError> {
        let key = key.to_string();
        detached!(self, |s| {
            async move {
            sqlx::query(
                "UPDATE login_throttle SET failures = failures - 1, \
                   last_failure_at = CASE WHEN last_failure_at = $2::bigint THEN $2::bigint - \
                     (CASE WHEN failures - 1 < $3::bigint THEN 0 ELSE LEAST($5::bigint, $4::bigint << LEAST(failures - 1 - $3::bigint, 30)::int) END) \
                     ELSE last_failure_at END \
                 WHERE key = $1 AND failures > 0",
            )
            .bind(&key)
            .bind(reserved_at)
            .bind(limit.threshold)
            .bind(limit.base_ms)
            .bind(limit.cap_ms)
            .execute(&s.pool)
            .await
            .map_err(db)
            .map(|_| ())
        }
        .await
        })
    }

    async fn throttle_clear(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_string();
        detached!(self, |s| async move {
            sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                .bind(&key)
                .execute(&s.pool)
                .await
                .map_err(db)
                .map(|_| ())
        }
        .await)
    }
}
