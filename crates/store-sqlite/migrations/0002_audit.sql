-- Signed checkpoints of the audit log (C2SP signed notes). The signing key is never stored
-- here: it lives in a file in the data directory, so a stolen database cannot forge them.
CREATE TABLE audit_checkpoint (
    size       INTEGER PRIMARY KEY,
    root       BLOB    NOT NULL,
    note       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TRIGGER audit_checkpoint_append_only_u BEFORE UPDATE ON audit_checkpoint BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoint_append_only_d BEFORE DELETE ON audit_checkpoint BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;

-- Per-staff-member reports.
CREATE INDEX audit_event_actor ON audit_event (actor_id, ts_ms);
