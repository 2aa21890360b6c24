-- Billing (issue 12): statements of what each entity used and owes for a year, the runs that
-- make them, metered readings, e-invoices with their SdI history, and payments.

-- The centre's billing settings: one JSON document (validated whole by the application).
CREATE TABLE billing_settings (
    id BIGINT PRIMARY KEY,               -- always 1
    settings_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Metered use (SMS, GB, TB-months) of a price-list item in a month.
CREATE TABLE meter_readings (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, service_code, item_code, year, month)
);
CREATE INDEX meter_readings_year ON meter_readings (year, entity_id);

-- A billing run: the year's statements for every entity with an agreement in force, or some.
CREATE TABLE statement_runs (
    id {{pk}},
    year BIGINT NOT NULL,
    entity_ids TEXT,                     -- JSON array; NULL: every entity with an agreement
    state TEXT NOT NULL,                 -- queued | running | done | failed
    done BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    lines_added BIGINT NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]', -- JSON [{entity_id, message}]: entities left out
    error TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT
);

-- A statement: draft (recomputed by each run) → issued (numbered, frozen) → invoiced → paid.
CREATE TABLE statements (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    year BIGINT NOT NULL,
    state TEXT NOT NULL,                 -- draft | issued | invoiced | paid
    number_seq BIGINT,                   -- per year, from 1, set at issue
    number TEXT,                         -- 2026/0001
    net_cents BIGINT NOT NULL DEFAULT 0,
    vat_cents BIGINT NOT NULL DEFAULT 0,
    total_cents BIGINT NOT NULL DEFAULT 0,
    payable_cents BIGINT NOT NULL DEFAULT 0,
    paid_cents BIGINT NOT NULL DEFAULT 0,
    split_payment BIGINT NOT NULL DEFAULT 1,
    cig TEXT,
    cup TEXT,
    notice_code TEXT,                    -- the pagoPA notice code (codice avviso), if any
    issued_on TEXT,
    issued_by TEXT,
    due_on TEXT,
    reminded_on TEXT,                    -- the last overdue reminder sent
    run_id BIGINT REFERENCES statement_runs (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (year, number_seq)
);
CREATE INDEX statements_entity ON statements (entity_id, year);
CREATE INDEX statements_year ON statements (year, state);
-- At most one draft per entity and year.
CREATE UNIQUE INDEX statements_one_draft ON statements (entity_id, year) WHERE state = 'draft';

CREATE TABLE statement_lines (
    id {{pk}},
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,                  -- membership | yearly | one_off | metered | package | overage | work | call_out | project
    source_key TEXT NOT NULL,            -- what it bills: billed at most once per entity and year
    source TEXT NOT NULL,                -- the API path of the source
    text TEXT NOT NULL,
    service_code TEXT NOT NULL DEFAULT '',
    item_code TEXT NOT NULL DEFAULT '',
    amount_cents BIGINT NOT NULL,
    vat_json TEXT NOT NULL,              -- {"kind":"rate","hundredths":2200} | {"kind":"exempt",…}
    adjusts BIGINT NOT NULL DEFAULT 0,   -- 1: a difference against what was already billed
    UNIQUE (statement_id, source_key)
);
CREATE INDEX statement_lines_statement ON statement_lines (statement_id, position);

-- FatturaPA e-invoices: one per issued statement (TD01, or TD04 for a credit), and a new one
-- (a new progressive) for each resend after a rejection.
CREATE TABLE invoices (
    id {{pk}},
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    progressive_seq BIGINT NOT NULL UNIQUE,
    file_name TEXT NOT NULL UNIQUE,
    document_kind TEXT NOT NULL,         -- TD01 | TD04
    state TEXT NOT NULL,                 -- ready | delivered | rejected | not_delivered | accepted | refused | expired
    xml TEXT NOT NULL,
    sdi_id TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX invoices_statement ON invoices (statement_id);

-- What SdI said of an invoice (RC, NS, MC, NE, DT), in order.
CREATE TABLE invoice_events (
    id {{pk}},
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,                -- JSON: errors, outcome, the receipt's file name
    received_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX invoice_events_invoice ON invoice_events (invoice_id, id);

CREATE TABLE payments (
    id {{pk}},
    statement_id BIGINT NOT NULL REFERENCES statements (id),
    paid_on TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX payments_statement ON payments (statement_id);
