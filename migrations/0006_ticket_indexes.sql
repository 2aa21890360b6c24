-- An entity's tickets by state, newest first (the portal's and the filtered lists).
CREATE INDEX tickets_entity_state ON tickets (entity_id, state, id);
