-- System-log tracking (issue 13): the registered sources of each entity's syslog messages.
-- The messages themselves live in the log store (a file of their own on SQLite, `log_*`
-- tables on PostgreSQL), outside the business tables and their backup.
CREATE TABLE log_sources (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    -- An address or a network, canonical (`10.1.0.0/16`); or NULL when known by certificate.
    address TEXT,
    -- SHA-256 (hex) of the TLS client certificate.
    fingerprint TEXT,
    time_zone TEXT NOT NULL,
    expected_minutes BIGINT,
    ticket_on_silence BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX log_sources_address ON log_sources (address);
CREATE UNIQUE INDEX log_sources_fingerprint ON log_sources (fingerprint);
CREATE INDEX log_sources_entity ON log_sources (entity_id);
