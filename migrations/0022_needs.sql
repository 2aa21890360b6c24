-- The yearly needs form (issue 11, seed 003): a campaign per year with a deadline; one form per
-- entity with an agreement in force when it opens; each form's lines are the entity's answers
-- (`delivery::needs::Answer`). A line keeps what the entity had when it answered (quantity,
-- the active service and its activation date), so the aggregate and the processing read the
-- form as it was sent.
CREATE TABLE needs_campaigns (
    id {{pk}},
    year BIGINT NOT NULL UNIQUE,         -- the year the needs are for
    deadline TEXT NOT NULL,              -- YYYY-MM-DD, the last day to answer
    opened_by TEXT NOT NULL,
    opened_at TEXT NOT NULL
);

CREATE TABLE needs_forms (
    id {{pk}},
    campaign_id BIGINT NOT NULL REFERENCES needs_campaigns (id),
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    state TEXT NOT NULL,                 -- sent | draft | submitted | processed
    notes TEXT NOT NULL DEFAULT '',
    updated_by TEXT,
    updated_at TEXT,
    submitted_by TEXT,
    submitted_at TEXT,
    reminded_on TEXT,                    -- YYYY-MM-DD of the last reminder
    processed_by TEXT,
    processed_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (campaign_id, entity_id)
);
CREATE INDEX needs_forms_entity ON needs_forms (entity_id);

CREATE TABLE needs_lines (
    id {{pk}},
    form_id BIGINT NOT NULL REFERENCES needs_forms (id),
    campaign_id BIGINT NOT NULL REFERENCES needs_campaigns (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    answer TEXT NOT NULL,                -- renew | stop | interested | no
    quantity BIGINT NOT NULL,            -- wanted next year (0: stop, no)
    current_quantity BIGINT NOT NULL,    -- had when answered (0: not active)
    active_service_id BIGINT REFERENCES active_services (id),
    activation_date TEXT                 -- of the active service: renewals price from it
);
CREATE INDEX needs_lines_form ON needs_lines (form_id);
CREATE INDEX needs_lines_campaign ON needs_lines (campaign_id, service_code);
