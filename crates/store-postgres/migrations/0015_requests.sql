-- Data lifecycle (issue 15): data-subject requests and consent records. The other store has a
-- migration with the same name and meaning. Ids, codes and times only: never a value.

-- A customer's request under UU PDP (access, rectification, erasure, consent withdrawal, …),
-- with the legal due date, who recorded and who answered it.
CREATE TABLE subject_requests (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'done', 'refused')),
    received_at BIGINT NOT NULL,
    due_at      BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    handled_by  TEXT,
    closed_at   BIGINT,
    outcome     TEXT
);
CREATE INDEX subject_requests_due ON subject_requests (status, due_at);
CREATE INDEX subject_requests_customer ON subject_requests (customer_id);

-- Consent given or withdrawn, per purpose, append-only: the latest row per (customer, purpose)
-- is the current state, the rest its history.
CREATE TABLE consents (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    purpose     TEXT NOT NULL CHECK (purpose IN ('marketing', 'whatsapp', 'email')),
    granted     BIGINT NOT NULL CHECK (granted IN (0, 1)),
    source      TEXT NOT NULL,
    at          BIGINT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX consents_customer ON consents (customer_id, purpose, at);

-- Retention finds inactive customers by their last order.
CREATE INDEX orders_customer_created ON orders (customer_id, created_at);
