-- Work (issue 11): day packages and hour banks an entity buys for a year, and the technicians'
-- work reports, counted against a package when they name one. Minutes are kept exactly; the
-- balance is computed from the package's two minute totals (`delivery::work`).
CREATE TABLE packages (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    unit TEXT NOT NULL,                  -- days | hours
    quantity BIGINT NOT NULL,            -- days or hours bought
    overage_rate_cents BIGINT,           -- per day or hour beyond; NULL: refused
    -- The minutes of the reports counted against it, kept in the transaction of each report
    -- (the sums of `work_reports`, read without summing them).
    onsite_minutes BIGINT NOT NULL DEFAULT 0,
    remote_minutes BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX packages_entity ON packages (entity_id, year);

CREATE TABLE work_reports (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    ticket_id BIGINT REFERENCES tickets (id),
    package_id BIGINT REFERENCES packages (id),
    work_date TEXT NOT NULL,             -- YYYY-MM-DD
    minutes BIGINT NOT NULL,
    mode TEXT NOT NULL,                  -- onsite | remote
    description TEXT NOT NULL,
    flags TEXT NOT NULL,                 -- comma-separated: remote_over_30_minutes, call_out_fee, warranty
    author TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    created_at TEXT NOT NULL
);
-- A package's reports (and a check of its totals) from this index alone.
CREATE INDEX work_reports_package ON work_reports (package_id, mode, minutes);
CREATE INDEX work_reports_entity ON work_reports (entity_id, work_date);
