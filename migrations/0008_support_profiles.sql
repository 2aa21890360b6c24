-- Support profiles per entity, the Saturday on-call and the warranty (issue 4).

-- An entity's support profile (seed 001 §3.1); no row means MINIMAL. Its queue priority is
-- derived from the profile in the query (helpdesk::support::Profile::rank_sql).
CREATE TABLE support_profiles (
    entity_id BIGINT PRIMARY KEY REFERENCES entities (id),
    profile TEXT NOT NULL,                -- minimal | basic | pro | enterprise
    updated_at TEXT NOT NULL
);

-- Received through the Saturday on-call (blocking issues of BASIC-or-better entities).
ALTER TABLE tickets ADD COLUMN on_call BIGINT NOT NULL DEFAULT 0;
-- The last day (Rome) on which the same problem reopens the ticket at no charge.
ALTER TABLE tickets ADD COLUMN warranty_until TEXT;
-- Times the entity reopened it within the warranty.
ALTER TABLE tickets ADD COLUMN reopen_count BIGINT NOT NULL DEFAULT 0;
