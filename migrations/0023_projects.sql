-- Custom work (issue 11; seed 000's opening, seed 001 §5 change requests): a project for an
-- entity with a quote the entity's contact approves or refuses before any work starts. Each
-- change of the quote is a new version; the decision records who, when and which version.
CREATE TABLE projects (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    state TEXT NOT NULL,                 -- draft | proposed | approved | refused | withdrawn
    quote_version BIGINT NOT NULL DEFAULT 0,   -- the current quote's version (0: none yet)
    decided_by TEXT,
    decided_at TEXT,
    decided_version BIGINT,              -- the quote version approved or refused
    decision_note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX projects_entity ON projects (entity_id, id);

CREATE TABLE project_quotes (
    id {{pk}},
    project_id BIGINT NOT NULL REFERENCES projects (id),
    version BIGINT NOT NULL,
    lines_json TEXT NOT NULL,            -- [{text, days_hundredths?, rate_cents?, amount_cents}]
    total_cents BIGINT NOT NULL,
    valid_until TEXT NOT NULL,           -- YYYY-MM-DD, the last day it may be approved
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, version)
);

-- Work reports may be on a project (once approved) or an activation request, and keep their printed PDF in the file
-- store (cleared when the report is acknowledged: the printout then says so).
ALTER TABLE work_reports ADD COLUMN project_id BIGINT REFERENCES projects (id);
ALTER TABLE work_reports ADD COLUMN request_id BIGINT REFERENCES activation_requests (id);
CREATE INDEX work_reports_ticket ON work_reports (ticket_id);
CREATE INDEX work_reports_project ON work_reports (project_id);
CREATE INDEX work_reports_request ON work_reports (request_id);
ALTER TABLE work_reports ADD COLUMN pdf_sha256 TEXT;
-- When a report was written with its times, they are kept (HH:MM); the minutes are their span.
ALTER TABLE work_reports ADD COLUMN start_time TEXT;
ALTER TABLE work_reports ADD COLUMN end_time TEXT;
-- Travel to an on-site visit: recorded, covered by the call-out fee, not counted as work.
ALTER TABLE work_reports ADD COLUMN travel_minutes BIGINT NOT NULL DEFAULT 0;
