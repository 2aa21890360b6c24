-- Foundation: member entities and their contacts, accounts and their access, sessions and
-- API tokens, the hash-chained audit log, and the job queue.

-- Member entities (enti aderenti): the centre's customers.
CREATE TABLE entities (
    id {{pk}},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- comune | unione_comuni | unione_montana | biblioteca | ente_parco | altro
    istat_code TEXT UNIQUE,             -- 6 digits, comuni only
    cadastral_code TEXT,                -- codice catastale (Belfiore), e.g. G224
    tax_code TEXT UNIQUE,               -- codice fiscale, 11 digits
    ipa_code TEXT UNIQUE,               -- code in the Indice PA
    office_code TEXT,                   -- codice univoco ufficio (FatturaPA)
    address TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    province TEXT NOT NULL DEFAULT '',  -- two-letter sigla, e.g. PD
    pec TEXT,
    population BIGINT,
    population_date TEXT,               -- the date the population figure refers to
    workstations BIGINT NOT NULL DEFAULT 0,
    servers BIGINT NOT NULL DEFAULT 0,
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,  -- optimistic concurrency: bumped by every update
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX entities_name ON entities (name);

-- Contacts (referenti) of an entity.
CREATE TABLE contacts (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',      -- e.g. "Responsabile CED", "Segretario comunale"
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    is_primary BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX contacts_entity ON contacts (entity_id);

-- Accounts. role: admin | operator | supplier | contact.
CREATE TABLE users (
    id {{pk}},
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,        -- argon2id PHC string
    active BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The entities a contact (or a supplier) may see. Staff see every entity.
CREATE TABLE user_entities (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    entity_id BIGINT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, entity_id)
);
CREATE INDEX user_entities_entity ON user_entities (entity_id);

-- API bearer tokens: only the SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Browser sessions: only the SHA-256 of the cookie value is kept. Not audited (technical
-- state, not business data); logins and logouts are.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- The audit log: one row per change, hash-chained (see crates/kernel/src/audit.rs).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    entity_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);

-- The head of the chain. Appending locks this one row, so concurrent writers on
-- PostgreSQL take sequence numbers one after the other and never fork the chain.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Background jobs: claimed atomically, retried with backoff, idempotent by key.
CREATE TABLE jobs (
    id {{pk}},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued',   -- queued | running | done | failed
    attempts BIGINT NOT NULL DEFAULT 0,
    run_at TEXT NOT NULL,
    locked_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
