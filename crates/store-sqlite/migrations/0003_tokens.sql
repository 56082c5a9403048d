-- Redaction tokens (issue 4). The PostgreSQL store has a migration with the same name and meaning.
-- A token stands for one value found in free text; the value is sealed with the field AEAD under
-- the owning customer's DEK (or a shop-level key when there is no customer). `fingerprint` is a
-- keyed HMAC of (owner, kind, value) so one value gets one token per owner; never the plaintext.
-- Erasing the customer clears `value` and `fingerprint` and stamps `erased_at` (a tombstone).
CREATE TABLE tokens (
    token       TEXT PRIMARY KEY,
    kind        TEXT    NOT NULL,
    customer_id TEXT REFERENCES customers (id),
    fingerprint BLOB,
    value       BLOB,
    created_at  INTEGER NOT NULL,
    erased_at   INTEGER
);
CREATE UNIQUE INDEX tokens_fingerprint ON tokens (fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX tokens_customer ON tokens (customer_id) WHERE customer_id IS NOT NULL;
