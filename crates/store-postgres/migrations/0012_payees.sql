-- Payees and payouts (issue 14). The SQLite store has a migration with the same name and meaning.
-- Names, contacts, bank details, call records and remarks are ciphertexts (Jaga field format, sealed
-- by the vault); ids, states, amounts, staff ids and times are plain so the rules can be checked.
CREATE TABLE payees (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       BYTEA NOT NULL,
    contacts   BYTEA NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
-- Bank details are versions, never overwritten: a change is a new row in `pending_verification`;
-- only its state and call record are written once more, when the call-back decides it.
CREATE TABLE payee_bank (
    payee_id     TEXT NOT NULL REFERENCES payees (id),
    version      BIGINT NOT NULL,
    details      BYTEA NOT NULL,
    status       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    call_by      TEXT,
    call_at      BIGINT,
    call_record  BYTEA,
    PRIMARY KEY (payee_id, version)
);
-- Payouts: `approvals` is a JSON list of {by, at}; `rev` guards concurrent approvals.
CREATE TABLE payouts (
    id              TEXT PRIMARY KEY,
    payee_id        TEXT NOT NULL REFERENCES payees (id),
    amount          BIGINT NOT NULL,
    details_version BIGINT NOT NULL,
    required        BIGINT NOT NULL,
    recent_change   BIGINT NOT NULL,
    status          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    remark          BYTEA,
    approvals       TEXT NOT NULL,
    rev             BIGINT NOT NULL
);
CREATE INDEX payouts_status ON payouts (status, created_at);
CREATE INDEX payouts_payee ON payouts (payee_id, created_at);
-- Notices to a payee's previous contact that its bank details were changed (the outbox the
-- delivery job drains).
CREATE TABLE payee_notices (
    payee_id     TEXT NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT,
    PRIMARY KEY (payee_id, version)
);
