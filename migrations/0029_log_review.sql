-- System-log tracking (issue 13): the review of the administrators' accesses. Each entity
-- names its system administrators (with the accounts they use), marks which of its people
-- review the logs (the data controller, *titolare*, and delegates), and records each periodic
-- check signed off by one of them. A source silent for longer than expected is marked (and
-- may have opened a ticket).
CREATE TABLE log_admins (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    -- JSON array of the account names the systems write (`mrossi`, `DOMINIO\mrossi`).
    accounts TEXT NOT NULL,
    -- What they administer, or for whom they work.
    role TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX log_admins_entity ON log_admins (entity_id);
CREATE TABLE log_reviewers (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- `titolare` or `delegato`.
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, user_id)
);
CREATE TABLE log_reviews (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    user_id BIGINT NOT NULL,
    -- Who signed, as shown then (name and role).
    reviewer TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    -- What the check saw: access events of the administrators, of which failed.
    events BIGINT NOT NULL,
    failures BIGINT NOT NULL,
    notes TEXT NOT NULL,
    -- SHA-256 of the summary signed (period, counts, administrators, notes).
    digest TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
CREATE INDEX log_reviews_entity ON log_reviews (entity_id, signed_at);
ALTER TABLE log_sources ADD COLUMN silent_since TEXT;
ALTER TABLE log_sources ADD COLUMN silence_ticket_id BIGINT;
-- A source that is an instance of cst at the entity, forwarding its store: the SHA-256 of the
-- token it presents (shown once, at registration).
ALTER TABLE log_sources ADD COLUMN relay_token_hash TEXT;
CREATE UNIQUE INDEX log_sources_relay ON log_sources (relay_token_hash);
