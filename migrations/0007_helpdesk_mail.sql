-- The help desk's e-mail (issue 4): who asked (to write back), the Message-IDs that thread a
-- ticket, inbound mail de-duplicated by Message-ID, and attachments.

-- Where the acknowledgement, the take-charge notice and public replies are sent.
ALTER TABLE tickets ADD COLUMN requester_email TEXT NOT NULL DEFAULT '';

-- Message-IDs of a ticket's mail, both directions: replies are matched by In-Reply-To and
-- References. Ours are stored by their local part (the domain is the sender's, set at sending).
CREATE TABLE ticket_mail_ids (
    message_id TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    direction TEXT NOT NULL,              -- in | out
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_mail_ids_ticket ON ticket_mail_ids (ticket_id);

-- Every inbound message once: the Message-ID (or a hash of the message when it has none) is
-- unique, so a message fetched again after a crash is recognised. What could not be matched
-- to an entity or a ticket is kept whole for an operator.
CREATE TABLE inbound_mail (
    id {{pk}},
    message_id TEXT NOT NULL UNIQUE,
    from_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL,                -- ticket | reply | unmatched
    ticket_id BIGINT REFERENCES tickets (id),
    reason TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',        -- kept for unmatched mail
    received_at TEXT NOT NULL
);
CREATE INDEX inbound_mail_outcome ON inbound_mail (outcome, id);

-- Files attached to a ticket (from the portal, the API or e-mail). The content is kept in the
-- database, base64, so backups and restores carry it; size-limited by the application.
CREATE TABLE ticket_attachments (
    id {{pk}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    message_id BIGINT REFERENCES ticket_messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content_b64 TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (ticket_id, id);
