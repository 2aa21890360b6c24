-- SMS sent by the entities (to a send list or to numbers), one row per recipient, and one
-- row per part: the unit handed to the provider, never sent twice.
CREATE TABLE sms_messages (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    -- The send it belongs to (one text to many recipients).
    batch TEXT NOT NULL,
    list_name TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    -- Digits with the country code, as the networks see the number.
    destination TEXT NOT NULL,
    text TEXT NOT NULL,
    -- `gsm7` or `ucs2`.
    coding TEXT NOT NULL,
    parts BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX sms_messages_entity ON sms_messages (entity_id, created_at);
CREATE TABLE sms_parts (
    id {{pk}},
    message_id BIGINT NOT NULL REFERENCES sms_messages (id),
    part BIGINT NOT NULL,
    -- `queued`, `sending` (handed to the provider, no answer yet), `accepted`, `delivered`,
    -- `undelivered`, `failed` (refused for good) or `uncertain` (the session broke after it
    -- was written: never sent again).
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    provider_id TEXT,
    error TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    UNIQUE (message_id, part)
);
CREATE INDEX sms_parts_state ON sms_parts (state, id);
CREATE INDEX sms_parts_provider ON sms_parts (provider_id);
-- The centre's monthly limit of parts per entity (no row: no limit).
CREATE TABLE sms_limits (
    entity_id BIGINT PRIMARY KEY REFERENCES entities (id),
    monthly_parts BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
