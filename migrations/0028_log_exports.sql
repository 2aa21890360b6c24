-- System-log tracking (issue 13): each entity's export and retention settings, its sealed
-- exports, the purges of its log store, and the centre's signing key.
CREATE TABLE log_settings (
    entity_id BIGINT PRIMARY KEY REFERENCES entities (id),
    -- JSON array of age recipients (`age1…`) the exports are encrypted for.
    recipients TEXT NOT NULL,
    -- `daily`, `weekly`, `monthly`, or NULL: exports only on request.
    schedule TEXT,
    -- Days the log store keeps (183 at least: six months).
    retention_days BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE log_exports (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    -- The period, whole days in Rome, both included (`YYYY-MM-DD`).
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    records BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    -- SHA-256 (hex) of the encrypted file.
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    -- Where it was written (a folder or `s3://bucket/prefix`), and its line in that manifest.
    target TEXT NOT NULL,
    manifest_seq BIGINT NOT NULL,
    -- `api`, `cli` or `schedule`.
    made_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    -- When the written file was read back and its hash matched.
    verified_at TEXT
);
CREATE INDEX log_exports_entity ON log_exports (entity_id, period_from);
CREATE TABLE log_purges (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    -- Messages received before the start of this day (Rome) were removed.
    before_day TEXT NOT NULL,
    batches BIGINT NOT NULL,
    messages BIGINT NOT NULL,
    purged_at TEXT NOT NULL
);
CREATE INDEX log_purges_entity ON log_purges (entity_id, purged_at);
-- The centre's keys: `log-export` signs the export manifests (ed25519, OpenSSH signature).
CREATE TABLE centre_keys (
    purpose TEXT PRIMARY KEY,
    -- The private seed (hex): this table is a secret, like the password hashes.
    secret TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
