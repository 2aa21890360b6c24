-- The scheduler (issue 9): what runs by itself at fixed intervals. A schedule's time is cut
-- in slots (`every_seconds` long, counted from 1970); the process that moves `last_slot` on
-- (one UPDATE … WHERE last_slot < slot, atomic in both databases) enqueues that slot's job,
-- so each slot runs once however many `cst serve` share the database. Operational state:
-- not audited, not backed up (after a restore the current slot simply runs).
CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    every_seconds BIGINT NOT NULL,
    last_slot BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
