-- Delivery (issue 11): activation requests and the active services delivering them creates.
-- A request keeps the quote it was sent with (amount, lines, the list that priced it), so it
-- reads the same for ever; its state moves submitted → approved → in_delivery → delivered, or
-- refused / cancelled (`delivery::model::RequestState`).
CREATE TABLE activation_requests (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    wanted_date TEXT,                    -- YYYY-MM-DD, as the entity asked
    notes TEXT NOT NULL,
    state TEXT NOT NULL,
    quote_amount_cents BIGINT NOT NULL,
    quote_on_quotation BIGINT NOT NULL,
    quote_lines_json TEXT NOT NULL,
    price_list_id BIGINT NOT NULL REFERENCES price_lists (id),
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    approved_by TEXT,
    approved_on TEXT,                    -- YYYY-MM-DD, the day the deadline counts from
    due_date TEXT,                       -- YYYY-MM-DD: the delivery deadline
    assigned_to BIGINT REFERENCES users (id),
    activation_date TEXT,                -- YYYY-MM-DD, once delivered
    reason TEXT NOT NULL,                -- why refused or cancelled
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX activation_requests_entity ON activation_requests (entity_id, id);
-- The open requests (the staff's overdue list) are few: a partial index over them.
CREATE INDEX activation_requests_open ON activation_requests (state, due_date)
    WHERE state IN ('submitted', 'approved', 'in_delivery');

-- What an entity has: one row per service delivered, from its activation date to its end.
CREATE TABLE active_services (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    activation_date TEXT NOT NULL,       -- YYYY-MM-DD
    end_date TEXT,                       -- YYYY-MM-DD, inclusive; NULL while active
    price_list_id BIGINT NOT NULL REFERENCES price_lists (id),
    request_id BIGINT REFERENCES activation_requests (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX active_services_entity ON active_services (entity_id, activation_date);
