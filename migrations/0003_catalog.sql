-- The service catalogue, price lists, membership agreements and price quotes (issue 3).

-- A catalogue service and its card.
CREATE TABLE services (
    id {{pk}},
    code TEXT NOT NULL UNIQUE,           -- PD01 … PD20
    name TEXT NOT NULL,
    category TEXT NOT NULL,              -- base | intermediate | advanced
    description TEXT NOT NULL,
    request TEXT NOT NULL DEFAULT '',    -- how it is requested
    delivery TEXT NOT NULL DEFAULT '',   -- how it is delivered
    included TEXT NOT NULL DEFAULT '',
    excluded TEXT NOT NULL DEFAULT '',
    delivery_days BIGINT,                -- delivery time: N days …
    delivery_day_kind TEXT,              -- … working | calendar
    prerequisites TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The fees of every service for a validity period: the JSON of catalog::fees::PriceList's items.
-- Periods never overlap; a list used by a quote (later: a statement) is never edited again.
CREATE TABLE price_lists (
    id {{pk}},
    name TEXT NOT NULL,
    valid_from TEXT NOT NULL UNIQUE,     -- YYYY-MM-DD
    valid_to TEXT,                       -- inclusive; NULL: until a later list starts
    items_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Membership agreements (convenzioni). The state shown (active, expiring, expired) is computed
-- from the dates and today; `status` holds only what people decide: draft, signed, terminated.
CREATE TABLE agreements (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    number TEXT NOT NULL DEFAULT '',     -- protocol or repertory number
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,              -- inclusive
    term_years BIGINT NOT NULL,
    status TEXT NOT NULL,                -- draft | signed | terminated
    signed_on TEXT,
    terminated_on TEXT,                  -- last day in force
    termination_reason TEXT NOT NULL DEFAULT '',
    renews_id BIGINT REFERENCES agreements (id),
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX agreements_entity ON agreements (entity_id, start_date);

-- Price quotes given to an entity, with the list they were computed from and their lines, so
-- a quote reads the same for ever.
CREATE TABLE price_quotes (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    activation_date TEXT NOT NULL,
    year BIGINT NOT NULL,
    pricing_date TEXT NOT NULL,          -- the day whose price list applies
    price_list_id BIGINT NOT NULL REFERENCES price_lists (id),
    amount_cents BIGINT NOT NULL,
    on_quotation BIGINT NOT NULL,
    lines_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX price_quotes_entity ON price_quotes (entity_id, id);
CREATE INDEX price_quotes_list ON price_quotes (price_list_id, pricing_date);
