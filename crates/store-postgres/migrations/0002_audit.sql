-- Signed checkpoints of the audit log (C2SP signed notes). The signing key is never stored
-- here: it lives in a file in the data directory, so a stolen database cannot forge them.
CREATE TABLE audit_checkpoint (
    size       BIGINT PRIMARY KEY,
    root       BYTEA  NOT NULL,
    note       TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint FOR EACH ROW EXECUTE FUNCTION jaga_audit_append_only();

-- Per-staff-member reports.
CREATE INDEX audit_event_actor ON audit_event (actor_id, ts_ms);
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint FOR EACH STATEMENT EXECUTE FUNCTION jaga_audit_append_only();
