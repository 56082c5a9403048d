-- Intrusion detection (issue 16). The other store has a migration with the same name and meaning.
-- No personal data in any of these tables: ids, customer codes, counts, rule names, digests.

-- Decoys: which customers, API keys and staff accounts are honeytokens. Kept apart from the
-- tables they point into, so nothing an API or console reader sees carries the flag.
CREATE TABLE ids_honeytoken (
    ref_id     TEXT PRIMARY KEY,   -- customer id, API key id or staff id
    kind       TEXT NOT NULL,      -- customer | api_key | staff
    created_at BIGINT NOT NULL
);

-- Alerts raised by the detector (one row per de-duplicated alert).
CREATE TABLE ids_alert (
    id           TEXT PRIMARY KEY,
    created_at   BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    rule         TEXT NOT NULL,
    severity     TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    dedup        TEXT NOT NULL,
    hits         BIGINT NOT NULL DEFAULT 1,
    detail       TEXT NOT NULL,     -- JSON: counts, customer codes, containment taken
    acked_at     BIGINT,
    acked_by     TEXT,
    delivered_at BIGINT,
    incident_id  TEXT
);
CREATE INDEX ids_alert_dedup ON ids_alert (dedup, last_at);
CREATE INDEX ids_alert_delivery ON ids_alert (delivered_at, created_at);

-- Containment in force: a suspended API key or staff account is refused on its next request.
CREATE TABLE ids_suspension (
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    rule       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    PRIMARY KEY (actor_kind, actor_id)
);

-- Client addresses an actor has used, as keyed digests (never the address itself).
CREATE TABLE ids_known_address (
    actor      TEXT NOT NULL,
    digest     TEXT NOT NULL,
    first_at   BIGINT NOT NULL,
    PRIMARY KEY (actor, digest)
);

-- Incidents: opened from an alert or by hand; the timeline is JSON entries (time, kind, text
-- without personal data). Affected customers are computed from the audit log, not stored.
CREATE TABLE ids_incident (
    id            TEXT PRIMARY KEY,
    opened_at     BIGINT NOT NULL,
    discovered_at BIGINT NOT NULL,
    title         TEXT NOT NULL,
    actor_kind    TEXT,
    actor_id      TEXT,
    window_from   BIGINT NOT NULL,
    window_to     BIGINT,
    status        TEXT NOT NULL,
    alert_id      TEXT,
    timeline      TEXT NOT NULL
);
