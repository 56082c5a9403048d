-- Idempotency-Key records (issue 12). The other store has a migration with the same name and
-- meaning. One row per (caller, key): `id` and `request` are keyed digests (HMAC under a key
-- derived from the root key), never the key or the request itself; `body` is the first answer
-- sealed under a key derived from the root key, the caller and the Idempotency-Key, so the
-- database alone cannot read it. Rows are purged 24 hours after they were created.
CREATE TABLE idempotency_keys (
    id           BLOB PRIMARY KEY,
    request      BLOB NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    status       BIGINT,
    content_type TEXT,
    location     TEXT,
    body         BLOB,
    created_at   BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
