-- Jaga schema, first cut. The PostgreSQL store has a migration with the same name and meaning.
-- Timestamps are milliseconds since the Unix epoch (UTC). Ciphertexts are Jaga field-format blobs.

-- Keyring: KEKs and the blind-index root, each wrapped under the root key. A retired key has its
-- wrapped material removed (NULL), so copies of DEKs wrapped under it are dead.
CREATE TABLE keyring (
    kind       TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('active', 'decrypt_only', 'retired')),
    wrapped    BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (kind, version)
);

-- API keys: only a keyed digest of the key is stored.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT    NOT NULL,
    digest       BLOB    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

-- Customers: one row each, one ciphertext column per field, blind-index terms for lookups.
CREATE TABLE customers (
    id                TEXT PRIMARY KEY,
    code              TEXT    NOT NULL CONSTRAINT customer_code UNIQUE,
    segment           TEXT    NOT NULL,
    marketing_consent INTEGER NOT NULL,
    full_name         BLOB,
    email             BLOB,
    phone             BLOB,
    address           BLOB,
    national_id       BLOB,
    birth_date        BLOB,
    preferences       BLOB,
    notes             BLOB,
    email_index       BLOB,
    phone_index       BLOB,
    national_id_index BLOB,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    erased_at         INTEGER
);
CREATE INDEX customers_email_index ON customers (email_index) WHERE email_index IS NOT NULL;
CREATE INDEX customers_phone_index ON customers (phone_index) WHERE phone_index IS NOT NULL;
CREATE INDEX customers_national_id_index ON customers (national_id_index) WHERE national_id_index IS NOT NULL;

-- Per-customer data keys, wrapped under a segment KEK. Erasure deletes the row.
CREATE TABLE customer_keys (
    customer_id TEXT PRIMARY KEY REFERENCES customers (id),
    kek_version INTEGER NOT NULL,
    wrapped     BLOB    NOT NULL
);
CREATE INDEX customer_keys_kek_version ON customer_keys (kek_version);

-- Orders: amounts and status in plain text; items, notes and payment reference encrypted.
CREATE TABLE orders (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT    NOT NULL REFERENCES customers (id),
    order_ref    TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT    NOT NULL,
    payment      BLOB,
    items        BLOB    NOT NULL,
    notes        BLOB,
    created_at   INTEGER NOT NULL,
    CONSTRAINT order_ref UNIQUE (customer_id, order_ref)
);

-- Audit log (RFC 9162 Merkle tree). Positions come from this single locked head row, never
-- from a sequence; the frontier holds the right edge so appends need no reads of old nodes.
CREATE TABLE audit_head (
    log_id     INTEGER PRIMARY KEY CHECK (log_id = 1),
    size       INTEGER NOT NULL,
    root       BLOB    NOT NULL,
    frontier   BLOB    NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO audit_head (log_id, size, root, frontier, updated_at)
VALUES (1, 0, X'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', X'', 0);

CREATE TABLE audit_event (
    seq         INTEGER PRIMARY KEY,
    leaf        BLOB    NOT NULL,
    leaf_hash   BLOB    NOT NULL,
    ts_ms       INTEGER NOT NULL,
    actor_id    TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    customer_id TEXT
);
CREATE INDEX audit_event_customer ON audit_event (customer_id) WHERE customer_id IS NOT NULL;

-- Complete subtrees (level >= 1) for proofs; level 0 is audit_event.leaf_hash.
CREATE TABLE audit_node (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Defence in depth; the Merkle tree and checkpoints are what detect tampering.
CREATE TRIGGER audit_event_append_only_u BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_event_append_only_d BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_node_append_only_u BEFORE UPDATE ON audit_node BEGIN SELECT RAISE(ABORT, 'audit nodes are append-only'); END;
CREATE TRIGGER audit_node_append_only_d BEFORE DELETE ON audit_node BEGIN SELECT RAISE(ABORT, 'audit nodes are append-only'); END;
