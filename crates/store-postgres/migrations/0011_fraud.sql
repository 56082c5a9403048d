-- Fraud monitor (issue 13). The other store has a migration with the same name and meaning.
-- One row per scored event, shared by every node on the database: `seq` orders insertions so a
-- node can replay what others scored. `event` is the event as the engine saw it, with e-mail,
-- phone and IP already replaced by keyed hashes (never the values); no card number can be in it
-- (the write guard refuses them before scoring).
CREATE TABLE fraud_events (
    seq        BIGSERIAL PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    ts         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    event      TEXT NOT NULL,
    decision   TEXT NOT NULL,
    score      BIGINT NOT NULL,
    reasons    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX fraud_events_ts ON fraud_events (ts);
CREATE INDEX fraud_events_decision ON fraud_events (decision, ts);
