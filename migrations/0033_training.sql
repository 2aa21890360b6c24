-- Training courses by the Academy4PA rules (and LTT classes): sessions, sign-ups in order with
-- a waiting list, attendance, and each entity's yearly entries.
CREATE TABLE courses (
    id {{pk}},
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    -- `academy` (participations use the entity's yearly entries, extra ones at 20% off) or
    -- `ltt` (a class of at most 15; each session's cost split among the participants).
    kind TEXT NOT NULL,
    seats BIGINT NOT NULL,
    per_entity BIGINT NOT NULL,
    min_participants BIGINT NOT NULL,
    -- academy: the full price of one participation; ltt: the cost of one session.
    price_cents BIGINT NOT NULL,
    -- The first session's start; the year (Rome) whose entries it uses.
    starts_at TEXT NOT NULL,
    year BIGINT NOT NULL,
    -- `open` (sign-up open), `confirmed` (closed, it runs) or `cancelled`.
    state TEXT NOT NULL,
    closed_at TEXT,
    cancel_reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX courses_year ON courses (year, starts_at);
CREATE TABLE course_sessions (
    id {{pk}},
    course_id BIGINT NOT NULL REFERENCES courses (id),
    starts_at TEXT NOT NULL,
    hours BIGINT NOT NULL,
    UNIQUE (course_id, starts_at)
);
CREATE TABLE course_enrolments (
    id {{pk}},
    course_id BIGINT NOT NULL REFERENCES courses (id),
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    -- Sign-up order within the course (1, 2, …): it decides.
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    -- `admitted`, `waiting` or `withdrawn`.
    state TEXT NOT NULL,
    -- `unknown`, `present`, `absent` (unjustified: uses an entry) or `excused`.
    attendance TEXT NOT NULL DEFAULT 'unknown',
    -- The colleague who held the seat before a transfer (empty: none).
    transferred_from TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (course_id, position)
);
CREATE INDEX course_enrolments_entity ON course_enrolments (entity_id, course_id);
-- The entries (ingressi) an entity has for a calendar year.
CREATE TABLE training_entries (
    entity_id BIGINT NOT NULL REFERENCES entities (id),
    year BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, year)
);
