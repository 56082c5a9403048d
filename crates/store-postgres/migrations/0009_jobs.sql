-- Background jobs (issue 11). The other store has a migration with the same name and meaning.
-- One row per job: the lease that lets one node of several on one database run a singleton job
-- (taken with an atomic INSERT … ON CONFLICT … WHERE free, expired or ours), and the record of
-- its runs ("last done", consecutive failures). Job names and random node ids only: no data.
CREATE TABLE job_state (
    name            TEXT PRIMARY KEY,
    holder          TEXT,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_ok_at      BIGINT,
    last_failure_at BIGINT,
    failures        BIGINT NOT NULL DEFAULT 0,
    runs            BIGINT NOT NULL DEFAULT 0
);
