-- Staff accounts, invitations, recovery codes, sessions and login throttles (issue 3).
-- The PostgreSQL store has a migration with the same name and meaning.
-- Secrets are never stored in plain text: passwords as Argon2id PHC strings, TOTP secrets as
-- Jaga field-format ciphertext, recovery codes as keyed digests, invitation tokens and session
-- cookies as SHA-256 digests.

CREATE TABLE staff (
    id                    TEXT PRIMARY KEY,
    email                 TEXT    NOT NULL CONSTRAINT staff_email UNIQUE,
    name                  TEXT    NOT NULL,
    role                  TEXT    NOT NULL,
    segments              TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    totp_secret           BLOB,
    totp_confirmed        INTEGER NOT NULL,
    totp_last_step        INTEGER,
    agreement_version     TEXT,
    agreement_accepted_at INTEGER,
    disabled_at           INTEGER,
    version               INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);

CREATE TABLE staff_invitations (
    digest     BLOB PRIMARY KEY,
    id         TEXT    NOT NULL,
    email      TEXT,
    role       TEXT    NOT NULL,
    segments   TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE TABLE staff_recovery_codes (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    digest   BLOB NOT NULL,
    PRIMARY KEY (staff_id, digest)
);

CREATE TABLE staff_sessions (
    digest       BLOB PRIMARY KEY,
    handle       TEXT    NOT NULL,
    staff_id     TEXT    NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    state        TEXT    NOT NULL,
    csrf         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    step_up_at   INTEGER,
    ip           TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE login_throttle (
    key             TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
);
