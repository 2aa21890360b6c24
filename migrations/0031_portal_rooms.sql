-- Rooms of an entity (council hall, gym) booked by the hour by citizens and associations, with
-- the staff's approval where the room asks for it; the public site's address for the links in
-- the portal's e-mails; the entity's logo.
CREATE TABLE portal_rooms (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- People it holds (shown to who books; not a booking rule).
    capacity BIGINT NOT NULL DEFAULT 0,
    -- 1: a citizen's request waits for the staff's approval; 0: it is confirmed at once.
    needs_approval BIGINT NOT NULL DEFAULT 1,
    -- Whole hours of the day (Rome) it can be booked: from opens_hour to closes_hour.
    opens_hour BIGINT NOT NULL,
    closes_hour BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
CREATE TABLE room_bookings (
    id {{pk}},
    room_id BIGINT NOT NULL REFERENCES portal_rooms (id),
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    organisation TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- `requested` (waits for approval), `approved`, `rejected` or `cancelled`.
    state TEXT NOT NULL,
    -- `web` (the public page) or `operator`.
    channel TEXT NOT NULL,
    cancel_hash TEXT NOT NULL,
    decision_note TEXT NOT NULL DEFAULT '',
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX room_bookings_room ON room_bookings (room_id, starts_at);
CREATE INDEX room_bookings_entity ON room_bookings (entity_id, state, starts_at);
-- One row per hour a request or a booking holds: the primary key is what makes two bookings of
-- one hour impossible, whatever the number of people booking at the same moment.
CREATE TABLE room_hours (
    room_id BIGINT NOT NULL REFERENCES portal_rooms (id),
    hour_at TEXT NOT NULL,
    booking_id BIGINT NOT NULL REFERENCES room_bookings (id),
    PRIMARY KEY (room_id, hour_at)
);
CREATE INDEX room_hours_booking ON room_hours (booking_id);
ALTER TABLE portal_settings ADD COLUMN site_url TEXT NOT NULL DEFAULT '';
-- The entity's logo on its public pages: a PNG or JPEG in the file store (by its SHA-256).
ALTER TABLE portal_settings ADD COLUMN logo_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE portal_settings ADD COLUMN logo_type TEXT NOT NULL DEFAULT '';
