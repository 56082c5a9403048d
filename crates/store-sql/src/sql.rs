//! The statements that read the same in both dialects (standard SQL, `$N` parameters, no `uuid`
//! columns involved). Each backend's `sql` module re-exports these and adds its own spelling of
//! the rest; the constant names say what each statement does.
#![allow(missing_docs)]

pub const KEYS_LOAD: &str =
    "SELECT kind, version, state, wrapped, created_at FROM keyring ORDER BY kind, version";
pub const KEY_DEMOTE_ACTIVE: &str =
    "UPDATE keyring SET state = 'decrypt_only' WHERE kind = $1 AND state = 'active'";
pub const KEY_INSERT: &str =
    "INSERT INTO keyring (kind, version, state, wrapped, created_at) VALUES ($1, $2, $3, $4, $5)";
pub const KEY_RETIRE: &str =
    "UPDATE keyring SET state = $1, wrapped = NULL WHERE kind = $2 AND version = $3";
pub const KEY_SET_STATE: &str = "UPDATE keyring SET state = $1 WHERE kind = $2 AND version = $3";
pub const DEK_COUNTS: &str =
    "SELECT kek_version, COUNT(*) FROM customer_keys GROUP BY kek_version ORDER BY kek_version";
pub const API_KEY_INSERT: &str = "INSERT INTO api_keys (id, name, digest, scopes, created_at, expires_at, revoked_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const API_KEY_REVOKE: &str =
    "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
pub const API_KEY_TOUCH: &str = "UPDATE api_keys SET last_used_at = $1 WHERE id = $2";
pub const INV_ACCEPT: &str = "UPDATE staff_invitations SET used_at = $1 WHERE digest = $2 AND used_at IS NULL AND expires_at > $3";
pub const SETTING_GET: &str = "SELECT value FROM shop_settings WHERE name = $1";
pub const SETTING_PUT: &str = "INSERT INTO shop_settings (name, value, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
pub const SESSION_DELETE: &str = "DELETE FROM staff_sessions WHERE digest = $1";
pub const SESSION_TOUCH: &str =
    "UPDATE staff_sessions SET last_seen_at = $1 WHERE digest = $2 AND last_seen_at < $3";
pub const SESSIONS_PURGE: &str =
    "DELETE FROM staff_sessions WHERE last_seen_at < $1 OR created_at < $2";
pub const THROTTLE_GET: &str =
    "SELECT key, failures, last_failure_at FROM login_throttle WHERE key = $1";
pub const THROTTLE_FAIL: &str = "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 1, $2) \
     ON CONFLICT (key) DO UPDATE SET \
       failures = CASE WHEN login_throttle.last_failure_at < excluded.last_failure_at - $3 THEN 1 ELSE login_throttle.failures + 1 END, \
       last_failure_at = excluded.last_failure_at \
     RETURNING key, failures, last_failure_at";
pub const THROTTLE_CLEAR: &str = "DELETE FROM login_throttle WHERE key = $1";
pub const AUDIT_HEAD_UPDATE: &str =
    "UPDATE audit_head SET size = $1, root = $2, frontier = $3, updated_at = $4 WHERE log_id = 1";
pub const AUDIT_HEAD: &str = "SELECT size, root FROM audit_head WHERE log_id = 1";
pub const AUDIT_EVENTS: &str =
    "SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq >= $1 ORDER BY seq LIMIT $2";
pub const AUDIT_EVENT: &str = "SELECT seq, leaf, leaf_hash FROM audit_event WHERE seq = $1";
pub const CHECKPOINT_INSERT: &str = "INSERT INTO audit_checkpoint (size, root, note, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (size) DO NOTHING";
pub const CHECKPOINT_LATEST: &str =
    "SELECT size, root, note, created_at FROM audit_checkpoint ORDER BY size DESC LIMIT 1";
pub const CHECKPOINT_LIST: &str =
    "SELECT size, root, note, created_at FROM audit_checkpoint ORDER BY size";
pub const JOB_LEASE: &str = "INSERT INTO job_state (name, holder, lease_until) VALUES ($1, $2, $4) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until \
     WHERE job_state.holder IS NULL OR job_state.holder = excluded.holder OR job_state.lease_until <= $3";
pub const JOB_RELEASE: &str =
    "UPDATE job_state SET holder = NULL, lease_until = 0 WHERE name = $1 AND holder = $2";
pub const JOB_RECORD_OK: &str = "INSERT INTO job_state (name, runs, failures, last_ok_at) VALUES ($1, 1, 0, $2) \
     ON CONFLICT (name) DO UPDATE SET runs = job_state.runs + 1, failures = 0, last_ok_at = $2";
pub const JOB_RECORD_FAILED: &str = "INSERT INTO job_state (name, runs, failures, last_failure_at) VALUES ($1, 1, 1, $2) \
     ON CONFLICT (name) DO UPDATE SET runs = job_state.runs + 1, \
     failures = job_state.failures + 1, last_failure_at = $2";
pub const JOB_STATE: &str = "SELECT holder, lease_until, last_ok_at, last_failure_at, failures, runs FROM job_state WHERE name = $1";
/// `$1` id, `$2` request digest, `$3` now, `$4` lease end, `$5` expiry cut-off. Inserts a pending
/// record, or takes over an expired one or an abandoned pending one of the same request.
pub const IDEMPOTENCY_CLAIM: &str = "INSERT INTO idempotency_keys (id, request, state, created_at, locked_until) VALUES ($1, $2, 'pending', $3, $4) \
     ON CONFLICT (id) DO UPDATE SET request = excluded.request, state = 'pending', status = NULL, \
       content_type = NULL, location = NULL, body = NULL, created_at = excluded.created_at, \
       locked_until = excluded.locked_until \
     WHERE idempotency_keys.created_at < $5 \
        OR (idempotency_keys.state = 'pending' AND idempotency_keys.locked_until < excluded.created_at \
            AND idempotency_keys.request = excluded.request) \
     RETURNING created_at";
pub const IDEMPOTENCY_GET: &str = "SELECT request, state, status, content_type, location, body FROM idempotency_keys WHERE id = $1";
pub const IDEMPOTENCY_COMPLETE: &str = "UPDATE idempotency_keys SET state = 'done', status = $2, content_type = $3, location = $4, body = $5 \
     WHERE id = $1 AND state = 'pending'";
pub const IDEMPOTENCY_RELEASE: &str =
    "DELETE FROM idempotency_keys WHERE id = $1 AND state = 'pending'";
pub const IDEMPOTENCY_PURGE: &str = "DELETE FROM idempotency_keys WHERE created_at < $1";
