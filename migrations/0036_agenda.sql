-- Shared agendas (IntranetCST's "agenda/e"): an entity's calendars, one person's or a group's,
-- seen and changed by the entity's users and the staff.
CREATE TABLE agenda_calendars (
    id {{pk}},
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                     -- person | group
    owner_id BIGINT REFERENCES users (id),  -- the person of a person's calendar
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, name)
);
-- The people of a group's calendar (its events reach their feeds).
CREATE TABLE agenda_members (
    calendar_id BIGINT NOT NULL REFERENCES agenda_calendars (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (calendar_id, user_id)
);
-- An event: its first start in Rome's wall-clock time and, when it repeats, its rule.
CREATE TABLE agenda_events (
    id {{pk}},
    calendar_id BIGINT NOT NULL REFERENCES agenda_calendars (id),
    uid TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    starts_local TEXT NOT NULL,             -- YYYY-MM-DDTHH:MM, in Rome
    minutes BIGINT NOT NULL,                -- its length (whole days for an all-day event)
    all_day BIGINT NOT NULL DEFAULT 0,
    rrule TEXT NOT NULL DEFAULT '',         -- RFC 5545, '' when it happens once
    except_days TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD, comma separated
    -- Its last day, NULL when it repeats for ever: follows from the start and the rule, kept
    -- so that laying out a span of days skips the series already over without expanding them.
    last_day TEXT,
    sequence BIGINT NOT NULL DEFAULT 0,     -- iCalendar's SEQUENCE: each change the invitees see
    organiser_email TEXT NOT NULL DEFAULT '',
    organiser_name TEXT NOT NULL DEFAULT '',
    cancelled_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX agenda_events_calendar ON agenda_events (calendar_id, starts_local);
-- Who is invited, by e-mail, and what they answered (by the link or by their calendar).
CREATE TABLE agenda_invitations (
    id {{pk}},
    event_id BIGINT NOT NULL REFERENCES agenda_events (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    token_sha256 TEXT NOT NULL UNIQUE,
    answer TEXT NOT NULL DEFAULT 'pending', -- pending | accepted | tentative | declined
    comment TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    answered_by TEXT NOT NULL DEFAULT '',   -- link | email
    invited_at TEXT NOT NULL,
    UNIQUE (event_id, email)
);
