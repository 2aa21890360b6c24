-- Backup checks (seed 001 §3.1.12): each entity's backup system reports daily, by e-mail or
-- HTTP; a failed or missing report opens a ticket on the entity's behalf, once per incident.
-- Inbound mail from a check's sender is recorded in inbound_mail with outcome 'backup'.
CREATE TABLE backup_checks (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    email_from TEXT NOT NULL DEFAULT '',  -- reports e-mailed from this address (lower case)
    token_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the HTTP reporting token
    max_silence_hours BIGINT NOT NULL DEFAULT 26,
    active BIGINT NOT NULL DEFAULT 1,
    last_report_at TEXT,
    last_status TEXT NOT NULL DEFAULT '', -- ok | failed
    last_detail TEXT NOT NULL DEFAULT '',
    incident_since TEXT,                  -- failing or silent since then
    incident_kind TEXT NOT NULL DEFAULT '', -- failed | missing
    incident_ticket_id BIGINT REFERENCES tickets (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX backup_checks_entity ON backup_checks (entity_id);
CREATE INDEX backup_checks_email ON backup_checks (email_from);

CREATE TABLE backup_reports (
    id {{pk}},
    check_id BIGINT NOT NULL REFERENCES backup_checks (id),
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,                 -- ok | failed
    source TEXT NOT NULL,                 -- http | email
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX backup_reports_check ON backup_reports (check_id, id);
