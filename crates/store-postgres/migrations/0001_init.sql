-- Jaga schema, first cut. The SQLite store has a migration with the same name and meaning.
-- Timestamps are milliseconds since the Unix epoch (UTC). Ciphertexts are Jaga field-format blobs.

-- Keyring: KEKs and the blind-index root, each wrapped under the root key. A retired key has its
-- wrapped material removed (NULL), so copies of DEKs wrapped under it are dead.
CREATE TABLE keyring (
    kind       text   NOT NULL,
    version    bigint NOT NULL,
    state      text   NOT NULL CHECK (state IN ('active', 'decrypt_only', 'retired')),
    wrapped    bytea,
    created_at bigint NOT NULL,
    PRIMARY KEY (kind, version)
);

-- API keys: only a keyed digest of the key is stored.
CREATE TABLE api_keys (
    id           text   PRIMARY KEY,
    name         text   NOT NULL,
    digest       bytea  NOT NULL,
    scopes       text   NOT NULL,
    created_at   bigint NOT NULL,
    expires_at   bigint,
    revoked_at   bigint,
    last_used_at bigint
);

-- Customers: one row each, one ciphertext column per field, blind-index terms for lookups.
CREATE TABLE customers (
    id                uuid    PRIMARY KEY,
    code              text    NOT NULL CONSTRAINT customer_code UNIQUE,
    segment           text    NOT NULL,
    marketing_consent boolean NOT NULL,
    full_name         bytea,
    email             bytea,
    phone             bytea,
    address           bytea,
    national_id       bytea,
    birth_date        bytea,
    preferences       bytea,
    notes             bytea,
    email_index       bytea,
    phone_index       bytea,
    national_id_index bytea,
    version           bigint  NOT NULL,
    created_at        bigint  NOT NULL,
    updated_at        bigint  NOT NULL,
    erased_at         bigint
);
CREATE INDEX customers_email_index ON customers (email_index) WHERE email_index IS NOT NULL;
CREATE INDEX customers_phone_index ON customers (phone_index) WHERE phone_index IS NOT NULL;
CREATE INDEX customers_national_id_index ON customers (national_id_index) WHERE national_id_index IS NOT NULL;

-- Per-customer data keys, wrapped under a segment KEK. Erasure deletes the row.
CREATE TABLE customer_keys (
    customer_id uuid   PRIMARY KEY REFERENCES customers (id),
    kek_version bigint NOT NULL,
    wrapped     bytea  NOT NULL
);
CREATE INDEX customer_keys_kek_version ON customer_keys (kek_version);

-- Orders: amounts and status in plain text; items, notes and payment reference encrypted.
CREATE TABLE orders (
    id           uuid   PRIMARY KEY,
    customer_id  uuid   NOT NULL REFERENCES customers (id),
    order_ref    text   NOT NULL,
    status       text   NOT NULL,
    amount_minor bigint NOT NULL,
    currency     text   NOT NULL,
    payment      bytea,
    items        bytea  NOT NULL,
    notes        bytea,
    created_at   bigint NOT NULL,
    CONSTRAINT order_ref UNIQUE (customer_id, order_ref)
);

-- Audit log (RFC 9162 Merkle tree). Positions come from this single head row, locked with
-- SELECT ... FOR UPDATE as the last step of every audited transaction, never from a sequence;
-- the frontier holds the right edge so appends need no reads of old nodes.
CREATE TABLE audit_head (
    log_id     bigint PRIMARY KEY CHECK (log_id = 1),
    size       bigint NOT NULL,
    root       bytea  NOT NULL,
    frontier   bytea  NOT NULL,
    updated_at bigint NOT NULL
);
INSERT INTO audit_head (log_id, size, root, frontier, updated_at)
VALUES (1, 0, decode('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'hex'), ''::bytea, 0);

CREATE TABLE audit_event (
    seq         bigint PRIMARY KEY,
    leaf        bytea  NOT NULL,
    leaf_hash   bytea  NOT NULL,
    ts_ms       bigint NOT NULL,
    actor_id    text   NOT NULL,
    action      text   NOT NULL,
    customer_id uuid
);
CREATE INDEX audit_event_customer ON audit_event (customer_id) WHERE customer_id IS NOT NULL;

-- Complete subtrees (level >= 1) for proofs; level 0 is audit_event.leaf_hash.
CREATE TABLE audit_node (
    level bigint NOT NULL,
    idx   bigint NOT NULL,
    hash  bytea  NOT NULL,
    PRIMARY KEY (level, idx)
);

-- Defence in depth; the Merkle tree and checkpoints are what detect tampering.
CREATE FUNCTION jaga_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit % are append-only', CASE TG_TABLE_NAME WHEN 'audit_event' THEN 'events' ELSE 'nodes' END;
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION jaga_audit_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION jaga_audit_append_only();
CREATE TRIGGER audit_node_append_only BEFORE UPDATE OR DELETE ON audit_node FOR EACH ROW EXECUTE FUNCTION jaga_audit_append_only();
CREATE TRIGGER audit_node_no_truncate BEFORE TRUNCATE ON audit_node FOR EACH STATEMENT EXECUTE FUNCTION jaga_audit_append_only();
