-- Fraud monitor, part 2 (issue 13). The other store has a migration with the same name and
-- meaning.
--
-- `fraud_links`: references that tie a scored event to its order and to the gateway's charge
-- (`order:<id>`, `stripe:<charge id>`, `xendit:<invoice id>`), so a later refund or chargeback
-- finds the payment it concerns.
CREATE TABLE fraud_links (
    ref      TEXT NOT NULL,
    event_id TEXT NOT NULL,
    PRIMARY KEY (ref, event_id)
);
CREATE INDEX fraud_links_event ON fraud_links (event_id);
-- `fraud_labels`: what became of an event — `chargeback`, `fraud_warning` (fraud = 1),
-- `refund` (fraud NULL: recorded, not a fraud label). One row per event; a fraud label is
-- never replaced by a refund.
CREATE TABLE fraud_labels (
    event_id TEXT PRIMARY KEY,
    fraud    BIGINT,
    kind     TEXT NOT NULL,
    source   TEXT NOT NULL,
    set_at   BIGINT NOT NULL
);
-- `fraud_lists`: the shop's allow and block lists. An entry holds the keyed hash of the value
-- (`k:<hex>`, as the engine keys it), a masked hint for people and a note; never the value.
CREATE TABLE fraud_lists (
    list       TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entry_key  TEXT NOT NULL,
    hint       TEXT NOT NULL,
    note       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (list, entity, entry_key)
);
-- `fraud_reviews`: a person's decision on an event held for review (one per event).
CREATE TABLE fraud_reviews (
    event_id   TEXT PRIMARY KEY,
    decision   TEXT NOT NULL,
    note       TEXT NOT NULL,
    staff_id   TEXT NOT NULL,
    decided_at BIGINT NOT NULL
);
-- `fraud_contacts`: an event's e-mail, phone and IP, encrypted (AES-256-GCM-SIV under a key
-- derived from the root key, bound to the event id), for the review queue to show masked.
-- The engine and `fraud_events` only ever hold their keyed hashes.
CREATE TABLE fraud_contacts (
    event_id TEXT PRIMARY KEY,
    sealed   TEXT NOT NULL
);
