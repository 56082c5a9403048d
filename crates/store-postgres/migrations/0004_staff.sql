-- Staff accounts, invitations, recovery codes, sessions and login throttles (issue 3).
-- The SQLite store has a migration with the same name and meaning.
-- Secrets are never stored in plain text: passwords as Argon2id PHC strings, TOTP secrets as
-- Jaga field-format ciphertext, recovery codes as keyed digests, invitation tokens and session
-- cookies as SHA-256 digests.

CREATE TABLE staff (
    id                    uuid PRIMARY KEY,
    email                 text    NOT NULL CONSTRAINT staff_email UNIQUE,
    name                  text    NOT NULL,
    role                  text    NOT NULL,
    segments              text    NOT NULL,
    password_hash         text    NOT NULL,
    totp_secret           bytea,
    totp_confirmed        boolean NOT NULL,
    totp_last_step        bigint,
    agreement_version     text,
    agreement_accepted_at bigint,
    disabled_at           bigint,
    version               bigint NOT NULL,
    created_at            bigint NOT NULL,
    updated_at            bigint NOT NULL
);

CREATE TABLE staff_invitations (
    digest     bytea PRIMARY KEY,
    id         uuid    NOT NULL,
    email      text,
    role       text    NOT NULL,
    segments   text    NOT NULL,
    created_by text    NOT NULL,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at    bigint
);

CREATE TABLE staff_recovery_codes (
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    digest   bytea NOT NULL,
    PRIMARY KEY (staff_id, digest)
);

CREATE TABLE staff_sessions (
    digest       bytea PRIMARY KEY,
    handle       uuid    NOT NULL,
    staff_id     uuid    NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    state        text    NOT NULL,
    csrf         text    NOT NULL,
    created_at   bigint NOT NULL,
    last_seen_at bigint NOT NULL,
    step_up_at   bigint,
    ip           text    NOT NULL,
    user_agent   text    NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

CREATE TABLE login_throttle (
    key             text PRIMARY KEY,
    failures        bigint NOT NULL,
    last_failure_at bigint NOT NULL
);
