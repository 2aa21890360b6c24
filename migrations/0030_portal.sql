-- The portal's public modules (issue 14): which service items carry which module, events with
-- a waiting list, calls for tender, appointment slots. Citizens' data (names, e-mails, phones,
-- reasons) lives only in the registration and booking rows, never in the audit chain, and is
-- deleted once the entity's retention has passed.
CREATE TABLE portal_module_items (
    -- `events`, `tenders`, `appointments`.
    module TEXT NOT NULL,
    service_code TEXT NOT NULL,
    item_code TEXT NOT NULL,
    PRIMARY KEY (module, service_code, item_code)
);
CREATE TABLE portal_settings (
    entity_id BIGINT PRIMARY KEY REFERENCES entities (id),
    -- Days a citizen's data is kept after the event or appointment.
    retention_days BIGINT NOT NULL,
    consent_text TEXT NOT NULL,
    -- Where the administrator's notices go (besides the event's page).
    admin_email TEXT NOT NULL DEFAULT '',
    -- Months after the deadline a call for tender goes to the archive.
    archive_months BIGINT NOT NULL DEFAULT 12,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE TABLE portal_events (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    seats BIGINT NOT NULL,
    -- The most seats one request may ask for.
    max_per_request BIGINT NOT NULL,
    -- Sign-ups closed by the flag (0/1).
    closed BIGINT NOT NULL DEFAULT 0,
    -- Counters kept in the change's transaction: seats confirmed, requests waiting.
    confirmed_seats BIGINT NOT NULL DEFAULT 0,
    waiting BIGINT NOT NULL DEFAULT 0,
    -- The administrator's standing notice (free seats, first waiting request), not repeated.
    told_free BIGINT,
    told_registration BIGINT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX portal_events_entity ON portal_events (entity_id, starts_at);
CREATE TABLE portal_registrations (
    id {{pk}},
    event_id BIGINT NOT NULL REFERENCES portal_events (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    seats BIGINT NOT NULL,
    -- `confirmed`, `waiting`, `cancelled`.
    state TEXT NOT NULL,
    -- `web` or `operator` (a web sign-up an operator edited counts as `operator`).
    channel TEXT NOT NULL,
    -- SHA-256 of the secret in the person's cancel link.
    cancel_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    cancelled_at TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX portal_registrations_event ON portal_registrations (event_id, state, id);
CREATE TABLE portal_event_notices (
    id {{pk}},
    event_id BIGINT NOT NULL REFERENCES portal_events (id),
    free_seats BIGINT NOT NULL,
    registration_id BIGINT NOT NULL,
    asked BIGINT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX portal_event_notices_event ON portal_event_notices (event_id, id);
CREATE TABLE tenders (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    title TEXT NOT NULL,
    -- `lavori`, `servizi`, `forniture`, `avvisi`, `altro`.
    category TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    published_on TEXT NOT NULL,
    deadline_at TEXT NOT NULL,
    outcome_on TEXT,
    outcome TEXT NOT NULL DEFAULT '',
    archive_months BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tenders_entity ON tenders (entity_id, deadline_at);
CREATE TABLE tender_documents (
    id {{pk}},
    tender_id BIGINT NOT NULL REFERENCES tenders (id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX tender_documents_tender ON tender_documents (tender_id);
CREATE TABLE tender_rectifications (
    id {{pk}},
    tender_id BIGINT NOT NULL REFERENCES tenders (id),
    at TEXT NOT NULL,
    -- Why, in the entity's words; shown with the call.
    text TEXT NOT NULL,
    -- What changed: JSON {field: [before, after]}.
    changes TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX tender_rectifications_tender ON tender_rectifications (tender_id, id);
CREATE TABLE portal_offices (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
CREATE TABLE appointment_slots (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    office_id BIGINT NOT NULL REFERENCES portal_offices (id),
    starts_at TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    places BIGINT NOT NULL,
    -- Bookings held, kept in the booking's transaction; never more than places.
    booked BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (office_id, starts_at)
);
CREATE INDEX appointment_slots_entity ON appointment_slots (entity_id, starts_at);
CREATE TABLE appointment_bookings (
    id {{pk}},
    slot_id BIGINT NOT NULL REFERENCES appointment_slots (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    -- `booked` or `cancelled`.
    state TEXT NOT NULL,
    cancel_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    reminded_at TEXT,
    cancelled_at TEXT
);
CREATE INDEX appointment_bookings_slot ON appointment_bookings (slot_id, state);
