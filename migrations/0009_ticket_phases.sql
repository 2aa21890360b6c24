-- Supplier phases (issue 4): part of a ticket handed to a supplier account, which sees and
-- updates only that phase; the entity follows its state.
CREATE TABLE ticket_phases (
    id {{pk}},
    ticket_id BIGINT NOT NULL REFERENCES tickets (id),
    supplier_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,                  -- open | in_progress | done | cancelled
    onsite_authorized BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ticket_phases_ticket ON ticket_phases (ticket_id, id);
CREATE INDEX ticket_phases_supplier ON ticket_phases (supplier_id, state, id);

-- What the supplier (or the centre) wrote on a phase, with the state it set.
CREATE TABLE ticket_phase_updates (
    id {{pk}},
    phase_id BIGINT NOT NULL REFERENCES ticket_phases (id),
    author TEXT NOT NULL,
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ticket_phase_updates_phase ON ticket_phase_updates (phase_id, id);
