-- The centre's yearly costs (issue 12, the Lecco sustainability view): what running the centre
-- costs each year, entered by an administrator, set against what the members paid.
CREATE TABLE centre_costs (
    id {{pk}},
    year BIGINT NOT NULL,
    label TEXT NOT NULL,                 -- "Personale", "Connettività", "Data center"…
    amount_cents BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX centre_costs_year ON centre_costs (year);
