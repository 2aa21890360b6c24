-- Work (issue 11): day packages and hour banks an entity buys for a year, and the technicians'
-- work reports, counted against a package when they name one. Minutes are kept exactly; a
-- balance is summed from them (`delivery::work`), never stored.
CREATE TABLE packages (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    unit TEXT NOT NULL,                  -- days | hours
    quantity BIGINT NOT NULL,            -- days or hours bought
    overage_rate_cents BIGINT,           -- per day or hour beyond; NULL: refused
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
-- A balance sums minutes per mode from this index alone (it carries the minutes).
CREATE INDEX work_reports_package ON work_reports (package_id, mode, minutes);
CREATE INDEX work_reports_entity ON work_reports (entity_id, work_date);
