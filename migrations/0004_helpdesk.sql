-- The help desk (issue 4): working-time calendars, tickets numbered per year, their messages.

-- The centre's calendar (owner 'centre') and per-entity overrides (owner 'entity:<id>'):
-- the JSON of kernel::calendar::Calendar.
CREATE TABLE calendars (
    id {{pk}},
    owner TEXT NOT NULL UNIQUE,
    entity_id BIGINT REFERENCES entities (id),
    preset TEXT NOT NULL DEFAULT '',
    calendar_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The last ticket number of each year; its row lock serialises numbering on PostgreSQL.
CREATE TABLE ticket_counters (
    year BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

CREATE TABLE tickets (
    id {{pk}},
    year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL UNIQUE,         -- 2026/000123
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    subject TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL,              -- low | medium | high
    channel TEXT NOT NULL,               -- portal | email | phone | monitoring
    state TEXT NOT NULL,                 -- new | in_progress | waiting_entity | resolved | closed
    received_at TEXT NOT NULL,           -- UTC RFC 3339, when the request came in
    take_charge_due_at TEXT NOT NULL,    -- the SLA deadline, in the entity's working time
    taken_at TEXT,
    taken_by BIGINT REFERENCES users (id),
    assigned_to BIGINT REFERENCES users (id),
    requester_id BIGINT REFERENCES users (id),
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX tickets_entity ON tickets (entity_id, id);
CREATE INDEX tickets_received ON tickets (received_at);
CREATE INDEX tickets_open ON tickets (state, take_charge_due_at);
