//! Every statement the shared store code runs on SQLite (see `jaga_store_sql`). Ids are stored
//! as text, so no casts are needed; `$N` parameters as on PostgreSQL.

pub(crate) use jaga_store_sql::sql::*;

/// Customer columns in `Field::ALL` order, then the rest, with the customer's key.
macro_rules! customer_select {
    () => {
        "SELECT c.id, c.code, c.segment, c.marketing_consent, c.full_name, c.email, c.phone, c.address, c.national_id, c.birth_date, c.preferences, c.notes, c.email_index, c.phone_index, c.national_id_index, c.version, c.created_at, c.updated_at, c.erased_at, k.kek_version, k.wrapped FROM customers c LEFT JOIN customer_keys k ON k.customer_id = c.id"
    };
}
macro_rules! staff_select {
    () => {
        "SELECT id, email, name, role, segments, password_hash, totp_secret, totp_confirmed, totp_last_step, agreement_version, agreement_accepted_at, disabled_at, version, created_at, updated_at FROM staff"
    };
}
macro_rules! inv_select {
    () => {
        "SELECT digest, id, email, role, segments, created_by, created_at, expires_at, used_at FROM staff_invitations"
    };
}
macro_rules! session_select {
    () => {
        "SELECT digest, handle, staff_id, state, csrf, created_at, last_seen_at, step_up_at, ip, user_agent FROM staff_sessions"
    };
}

// Parameters bound as text that PostgreSQL must cast to `uuid`: nothing to add here.
pub(crate) const UUID_PARAM_CAST: &str = "";

// Keyring and API keys.
pub(crate) const DEKS_TO_REWRAP: &str = "SELECT k.customer_id, c.segment, k.kek_version, k.wrapped FROM customer_keys k JOIN customers c ON c.id = k.customer_id WHERE k.kek_version <> $1 LIMIT $2";
pub(crate) const DEK_REWRAP_ONE: &str = "UPDATE customer_keys SET kek_version = $1, wrapped = $2 WHERE customer_id = $3 AND wrapped = $4";
pub(crate) const API_KEY_BY_ID: &str = "SELECT * FROM api_keys WHERE id = $1";
pub(crate) const API_KEY_LIST: &str = "SELECT * FROM api_keys ORDER BY created_at";

// Customers, orders, tokens.
pub(crate) const CUSTOMER_SELECT: &str = customer_select!();
pub(crate) const CUSTOMER_BY_ID: &str = concat!(customer_select!(), " WHERE c.id = $1");
pub(crate) const CUSTOMER_BY_CODE: &str = concat!(customer_select!(), " WHERE c.code = $1");
/// Follows `WHERE c.<index column> = $1`.
pub(crate) const CUSTOMER_LOOKUP_TAIL: &str = " AND c.erased_at IS NULL LIMIT $2";
/// Followed by `VALUES (...), (...)` (see `dialect::insert_customers`).
pub(crate) const CUSTOMERS_INSERT_HEAD: &str = "INSERT INTO customers (id, code, segment, marketing_consent, full_name, email, phone, address, national_id, birth_date, preferences, notes, email_index, phone_index, national_id_index, version, created_at, updated_at, erased_at) ";
/// Followed by `VALUES (...), (...)`.
pub(crate) const CUSTOMER_KEYS_INSERT_HEAD: &str =
    "INSERT INTO customer_keys (customer_id, kek_version, wrapped) ";
pub(crate) const CUSTOMER_UPDATE: &str = "UPDATE customers SET marketing_consent = $1, full_name = $2, email = $3, phone = $4, address = $5, national_id = $6, birth_date = $7, preferences = $8, notes = $9, email_index = $10, phone_index = $11, national_id_index = $12, version = $13, updated_at = $14 WHERE id = $15 AND version = $16 AND erased_at IS NULL";
pub(crate) const CUSTOMER_KEY_UPDATE: &str =
    "UPDATE customer_keys SET kek_version = $1, wrapped = $2 WHERE customer_id = $3";
pub(crate) const CUSTOMER_ERASE: &str = "UPDATE customers SET full_name = NULL, email = NULL, phone = NULL, address = NULL, national_id = NULL, birth_date = NULL, preferences = NULL, notes = NULL, email_index = NULL, phone_index = NULL, national_id_index = NULL, erased_at = $1, version = version + 1 WHERE id = $2 AND erased_at IS NULL";
pub(crate) const CUSTOMER_KEY_DELETE: &str = "DELETE FROM customer_keys WHERE customer_id = $1";
/// Locks a customer row for the retention job's erasure (see `lifecycle::retention_erase`).
pub(crate) const CUSTOMER_LOCK: &str = "SELECT 1 FROM customers WHERE id = $1";
/// The customer is live and still in the segment the order was sealed for.
pub(crate) const CUSTOMER_LIVE: &str =
    "SELECT 1 FROM customers WHERE id = $1 AND erased_at IS NULL AND segment = $2";
pub(crate) const ORDER_INSERT: &str = "INSERT INTO orders (id, customer_id, order_ref, status, amount_minor, currency, payment, items, notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub(crate) const ORDERS_OF: &str = "SELECT o.*, c.segment AS segment FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = $1 ORDER BY o.created_at DESC, o.id";
// Moving a customer between segments.
pub(crate) const CUSTOMER_MOVE: &str = "UPDATE customers SET segment = $1, full_name = $2, email = $3, phone = $4, address = $5, national_id = $6, birth_date = $7, preferences = $8, notes = $9, email_index = $10, phone_index = $11, national_id_index = $12, version = $13, updated_at = $14 WHERE id = $15 AND version = $16 AND erased_at IS NULL";
pub(crate) const ORDER_RESEAL: &str =
    "UPDATE orders SET payment = $1, items = $2, notes = $3 WHERE id = $4 AND customer_id = $5";
pub(crate) const ORDERS_COUNT: &str = "SELECT count(*) FROM orders WHERE customer_id = $1";
pub(crate) const TOKEN_RESEAL: &str =
    "UPDATE tokens SET value = $1 WHERE token = $2 AND customer_id = $3 AND value IS NOT NULL";
pub(crate) const TOKENS_LIVE_COUNT: &str =
    "SELECT count(*) FROM tokens WHERE customer_id = $1 AND value IS NOT NULL";
pub(crate) const TOKENS_LIVE_OF: &str = "SELECT token, kind, customer_id, value, created_at, erased_at FROM tokens WHERE customer_id = $1 AND value IS NOT NULL ORDER BY token";
pub(crate) const TOKENS_SHRED: &str = "UPDATE tokens SET value = NULL, fingerprint = NULL, erased_at = $1 WHERE customer_id = $2 AND erased_at IS NULL";
pub(crate) const TOKEN_INSERT: &str = "INSERT INTO tokens (token, kind, customer_id, fingerprint, value, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const TOKEN_BY_FINGERPRINT: &str =
    "SELECT fingerprint, token, kind FROM tokens WHERE fingerprint = $1";
pub(crate) const TOKEN_GET: &str =
    "SELECT token, kind, customer_id, value, created_at, erased_at FROM tokens WHERE token = $1";
pub(crate) const TOKENS_OF: &str = "SELECT token, kind, customer_id, value, created_at, erased_at FROM tokens WHERE customer_id = $1 ORDER BY created_at, token";

// Staff.
pub(crate) const STAFF_INSERT: &str = "INSERT INTO staff (id, email, name, role, segments, password_hash, totp_secret, totp_confirmed, totp_last_step, agreement_version, agreement_accepted_at, disabled_at, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";
pub(crate) const STAFF_BY_ID: &str = concat!(staff_select!(), " WHERE id = $1");
pub(crate) const STAFF_BY_EMAIL: &str = concat!(staff_select!(), " WHERE email = $1");
pub(crate) const STAFF_LIST: &str = concat!(staff_select!(), " ORDER BY created_at, id");
pub(crate) const STAFF_UPDATE: &str = "UPDATE staff SET email = $1, name = $2, role = $3, segments = $4, password_hash = $5, totp_secret = $6, totp_confirmed = $7, agreement_version = $8, agreement_accepted_at = $9, disabled_at = $10, version = $11, updated_at = $12 WHERE id = $13 AND version = $14";
pub(crate) const STAFF_TOTP_STEP: &str = "UPDATE staff SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $3)";
pub(crate) const RECOVERY_DELETE_ALL: &str = "DELETE FROM staff_recovery_codes WHERE staff_id = $1";
pub(crate) const RECOVERY_INSERT: &str =
    "INSERT INTO staff_recovery_codes (staff_id, digest) VALUES ($1, $2)";
pub(crate) const RECOVERY_USE: &str =
    "DELETE FROM staff_recovery_codes WHERE staff_id = $1 AND digest = $2";
pub(crate) const RECOVERY_COUNT: &str =
    "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1";
pub(crate) const INV_INSERT: &str = "INSERT INTO staff_invitations (digest, id, email, role, segments, created_by, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const INV_BY_DIGEST: &str = concat!(inv_select!(), " WHERE digest = $1");
pub(crate) const INV_OPEN: &str = concat!(
    inv_select!(),
    " WHERE used_at IS NULL ORDER BY created_at DESC"
);
pub(crate) const INV_CANCEL: &str =
    "DELETE FROM staff_invitations WHERE id = $1 AND used_at IS NULL";
pub(crate) const SESSION_INSERT: &str = "INSERT INTO staff_sessions (digest, handle, staff_id, state, csrf, created_at, last_seen_at, step_up_at, ip, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub(crate) const SESSION_BY_DIGEST: &str = concat!(session_select!(), " WHERE digest = $1");
pub(crate) const SESSION_DELETE_HANDLE: &str =
    "DELETE FROM staff_sessions WHERE staff_id = $1 AND handle = $2";
pub(crate) const SESSIONS_OF: &str = concat!(
    session_select!(),
    " WHERE staff_id = $1 ORDER BY created_at DESC"
);
pub(crate) const SESSIONS_END: &str =
    "DELETE FROM staff_sessions WHERE staff_id = $1 AND digest <> $2";

// Audit log and checkpoints.
/// The caller's `BEGIN IMMEDIATE` already holds the write lock.
pub(crate) const AUDIT_HEAD_FOR_APPEND: &str =
    "SELECT size, frontier FROM audit_head WHERE log_id = 1";
/// Followed by `VALUES (...), (...)` (see `dialect::write_audit`).
pub(crate) const AUDIT_EVENTS_INSERT_HEAD: &str =
    "INSERT INTO audit_event (seq, leaf, leaf_hash, ts_ms, actor_id, action, customer_id) ";
/// Followed by `VALUES (...), (...)`.
pub(crate) const AUDIT_NODES_INSERT_HEAD: &str = "INSERT INTO audit_node (level, idx, hash) ";

/// Reserves one attempt on a throttle counter if its delay has passed (one statement, so
/// concurrent attempts and several nodes cannot all pass); returns the row, or none when refused.
/// `$1` key, `$2` now, `$3` window, `$4` threshold, `$5` base delay, `$6` cap (ms).
pub(crate) const THROTTLE_RESERVE: &str = "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN $2 - login_throttle.last_failure_at > $3 THEN 1 ELSE login_throttle.failures + 1 END, \
                   last_failure_at = $2 \
                 WHERE $2 - login_throttle.last_failure_at > $3 \
                    OR login_throttle.failures < $4 \
                    OR $2 >= login_throttle.last_failure_at + min($6, $5 << min(login_throttle.failures - $4, 30)) \
                 RETURNING key, failures, last_failure_at";
/// Gives a reserved attempt back (a verified attempt does not count as a failure).
/// `$1` key, `$2` reserved at, `$3` threshold, `$4` base delay, `$5` cap (ms).
pub(crate) const THROTTLE_RELEASE: &str = "UPDATE login_throttle SET failures = failures - 1, \
                   last_failure_at = CASE WHEN last_failure_at = $2 THEN $2 - \
                     (CASE WHEN failures - 1 < $3 THEN 0 ELSE min($5, $4 << min(failures - 1 - $3, 30)) END) \
                     ELSE last_failure_at END \
                 WHERE key = $1 AND failures > 0";

// --- fraud monitor (issue 13) ---------------------------------------------------------------
pub(crate) const FRAUD_EVENT_INSERT: &str = "INSERT INTO fraud_events (id, ts, kind, event, decision, score, reasons, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING";
pub(crate) const FRAUD_EVENTS_AFTER: &str = "SELECT seq, id, ts, kind, event, decision, score, reasons, created_at FROM fraud_events WHERE seq > $1 ORDER BY seq LIMIT $2";
pub(crate) const FRAUD_EVENTS_GET: &str = "SELECT seq, id, ts, kind, event, decision, score, reasons, created_at FROM fraud_events WHERE id IN (SELECT value FROM json_each($1))";
pub(crate) const FRAUD_LINK_INSERT: &str = "INSERT INTO fraud_links (ref, event_id) VALUES ($1, $2) ON CONFLICT (ref, event_id) DO NOTHING";
pub(crate) const FRAUD_EVENTS_BY_REFS: &str = "SELECT DISTINCT e.seq, e.id, e.ts, e.kind, e.event, e.decision, e.score, e.reasons, e.created_at FROM fraud_events e JOIN fraud_links l ON l.event_id = e.id WHERE l.ref IN (SELECT value FROM json_each($1)) ORDER BY e.seq";
/// A fraud label (chargeback, warning) replaces any label; a refund (fraud NULL) only records
/// itself where there is no label yet.
pub(crate) const FRAUD_LABEL_UPSERT: &str = "INSERT INTO fraud_labels (event_id, fraud, kind, source, set_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO UPDATE SET fraud = excluded.fraud, kind = excluded.kind, source = excluded.source, set_at = excluded.set_at WHERE excluded.fraud IS NOT NULL";
pub(crate) const FRAUD_LABELS_AFTER: &str = "SELECT event_id, fraud, kind, source, set_at FROM fraud_labels WHERE event_id > $1 ORDER BY event_id LIMIT $2";
pub(crate) const FRAUD_LIST_INSERT: &str = "INSERT INTO fraud_lists (list, entity, entry_key, hint, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (list, entity, entry_key) DO NOTHING";
pub(crate) const FRAUD_LIST_DELETE: &str =
    "DELETE FROM fraud_lists WHERE list = $1 AND entity = $2 AND entry_key = $3";
pub(crate) const FRAUD_LISTS_ALL: &str = "SELECT list, entity, entry_key, hint, note, created_by, created_at FROM fraud_lists ORDER BY list, entity, created_at, entry_key";
/// Events held for review that nobody has decided yet, newest first.
pub(crate) const FRAUD_REVIEW_QUEUE: &str = "SELECT e.seq, e.id, e.ts, e.kind, e.event, e.decision, e.score, e.reasons, e.created_at FROM fraud_events e WHERE e.decision = 'review' AND NOT EXISTS (SELECT 1 FROM fraud_reviews r WHERE r.event_id = e.id) ORDER BY e.ts DESC, e.seq DESC LIMIT $1";
pub(crate) const FRAUD_REVIEW_INSERT: &str = "INSERT INTO fraud_reviews (event_id, decision, note, staff_id, decided_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING";
pub(crate) const FRAUD_REVIEWS_RECENT: &str = "SELECT event_id, decision, note, staff_id, decided_at FROM fraud_reviews ORDER BY decided_at DESC, event_id LIMIT $1";
/// Events with event time in `[$1, $2)` after seq `$3`, in seq order (the daily summary).
pub(crate) const FRAUD_EVENTS_IN: &str = "SELECT seq, id, ts, kind, event, decision, score, reasons, created_at FROM fraud_events WHERE ts >= $1 AND ts < $2 AND seq > $3 ORDER BY seq LIMIT $4";
pub(crate) const FRAUD_CONTACT_INSERT: &str = "INSERT INTO fraud_contacts (event_id, sealed) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING";
pub(crate) const FRAUD_CONTACTS_GET: &str = "SELECT event_id, sealed FROM fraud_contacts WHERE event_id IN (SELECT value FROM json_each($1))";
// --- lifecycle (backups, erasure ledger) ------------------------------------------------------
/// Erased customers after a `(erased_at, id)` cursor, with the actor of the last erase event
/// up to the erasure (later, refused attempts are not it).
pub(crate) const ERASURES_AFTER: &str = "SELECT c.id, c.segment, c.erased_at, (SELECT a.actor_id FROM audit_event a WHERE a.customer_id = c.id AND a.action = 'customer.erase' AND a.ts_ms <= c.erased_at + 1000 ORDER BY a.seq DESC LIMIT 1) AS erased_by FROM customers c WHERE c.erased_at IS NOT NULL AND (c.erased_at > $1 OR (c.erased_at = $1 AND c.id > $2)) ORDER BY c.erased_at, c.id LIMIT $3";
/// Customers per segment (live and erased).
pub(crate) const CUSTOMER_SEGMENTS: &str =
    "SELECT segment, count(*) AS n FROM customers GROUP BY segment ORDER BY segment";
/// Row counts for a restore drill.
pub(crate) const LIFECYCLE_COUNTS: &str = "SELECT (SELECT count(*) FROM customers WHERE erased_at IS NULL) AS live, (SELECT count(*) FROM customers WHERE erased_at IS NOT NULL) AS erased, (SELECT count(*) FROM orders) AS orders, (SELECT size FROM audit_head WHERE log_id = 1) AS audit_events";

// --- retention (issue 15; the statements are built from these by `jaga_store_sql::lifecycle`)
/// The cast of a text parameter compared with an id column.
pub(crate) const ID_PARAM: &str = "";
/// A customer's id as text, selected as `id`.
pub(crate) const ID_TEXT: &str = "c.id AS id";

// --- data-subject requests and consents (issue 15) --------------------------------------------
pub(crate) const REQUEST_INSERT: &str = "INSERT INTO subject_requests (id, customer_id, kind, channel, status, received_at, due_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(crate) const REQUEST_CLOSE: &str = "UPDATE subject_requests SET status = $1, outcome = $2, handled_by = $3, closed_at = $4 WHERE id = $5 AND status = 'open'";
pub(crate) const REQUEST_GET: &str = "SELECT id, customer_id, kind, channel, status, received_at, due_at, created_by, handled_by, closed_at, outcome FROM subject_requests WHERE id = $1";
pub(crate) const REQUESTS_OPEN: &str = "SELECT id, customer_id, kind, channel, status, received_at, due_at, created_by, handled_by, closed_at, outcome FROM subject_requests WHERE status = 'open' ORDER BY due_at, id LIMIT $1";
pub(crate) const REQUESTS_ALL: &str = "SELECT id, customer_id, kind, channel, status, received_at, due_at, created_by, handled_by, closed_at, outcome FROM subject_requests ORDER BY (status = 'open') DESC, due_at DESC, id LIMIT $1";
pub(crate) const CONSENT_INSERT: &str = "INSERT INTO consents (id, customer_id, purpose, granted, source, at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)";
pub(crate) const CONSENTS_OF: &str = "SELECT id, customer_id, purpose, granted, source, at, recorded_by FROM consents WHERE customer_id = $1 ORDER BY at, id";
pub(crate) const REQUESTS_OF: &str = "SELECT id, customer_id, kind, channel, status, received_at, due_at, created_by, handled_by, closed_at, outcome FROM subject_requests WHERE customer_id = $1 ORDER BY received_at, id";
pub(crate) const CONSENT_MARKETING_SET: &str = "UPDATE customers SET marketing_consent = $1, version = version + 1 WHERE id = $2 AND erased_at IS NULL";
