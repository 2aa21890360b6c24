-- The deadlines calendar (issue 12). Automatic deadlines (agreement ends, certificates,
-- renewals, package years, the needs form, payments) are computed when read; only what people
-- add or decide is stored.

-- Deadlines added by hand, for an entity or for the centre.
CREATE TABLE deadlines (
    id {{pk}},
    entity_id BIGINT REFERENCES entities (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    every_months BIGINT NOT NULL DEFAULT 0, -- renewed: the next one this many months later
    notes TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,                 -- open | done
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_by TEXT,
    closed_at TEXT
);
CREATE INDEX deadlines_due ON deadlines (due_on);

-- An automatic deadline marked renewed: its key and date.
CREATE TABLE deadline_marks (
    key TEXT NOT NULL,
    due_on TEXT NOT NULL,
    marked_by TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (key, due_on)
);

-- The reminder of a deadline, sent once.
CREATE TABLE deadline_reminders (
    key TEXT NOT NULL,
    due_on TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (key, due_on)
);

-- A person's calendar feed: the SHA-256 of the secret in its address.
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
