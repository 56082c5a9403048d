-- Redaction tokens (issue 4). The SQLite store has a migration with the same name and meaning.
-- A token stands for one value found in free text; the value is sealed with the field AEAD under
-- the owning customer's DEK (or a shop-level key when there is no customer). `fingerprint` is a
-- keyed HMAC of (owner, kind, value) so one value gets one token per owner; never the plaintext.
-- Erasing the customer clears `value` and `fingerprint` and stamps `erased_at` (a tombstone).
CREATE TABLE tokens (
    token       text   PRIMARY KEY,
    kind        text   NOT NULL,
    customer_id uuid   REFERENCES customers (id),
    fingerprint bytea,
    value       bytea,
    created_at  bigint NOT NULL,
    erased_at   bigint
);
CREATE UNIQUE INDEX tokens_fingerprint ON tokens (fingerprint) WHERE fingerprint IS NOT NULL;
CREATE INDEX tokens_customer ON tokens (customer_id) WHERE customer_id IS NOT NULL;
