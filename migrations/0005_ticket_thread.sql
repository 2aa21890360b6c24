-- The thread of a ticket (public replies and internal notes) and the resolution clock.

CREATE TABLE ticket_messages (
    id {{pk}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    author_id BIGINT REFERENCES users (id),
    author TEXT NOT NULL,                -- shown name (or the e-mail sender)
    visibility TEXT NOT NULL,            -- public | internal (internal: staff only)
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_messages_ticket ON ticket_messages (ticket_id, id);

-- Resolution: an optional target; while the ticket waits for the entity the clock is paused,
-- and the working time paused moves the due time on.
ALTER TABLE tickets ADD COLUMN resolution_due_at TEXT;
ALTER TABLE tickets ADD COLUMN paused_since TEXT;
ALTER TABLE tickets ADD COLUMN paused_seconds BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN resolved_at TEXT;
