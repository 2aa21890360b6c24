-- The workbench's queue (issue 10). The staff's home counts the open tickets by state,
-- priority, assignee and deadline, and the queue lists them: one index over exactly those
-- columns, and only over the open tickets (partial), so it holds a few hundred entries whatever
-- the years of closed tickets, and the query planners know it is small (SQLite's statistics
-- give only an average per state, which made a 2,000-in-1,000,000 filter look like a scan).
-- A query uses it when it says `state IN ('new', 'in_progress', 'waiting_entity')`, word for word.
-- It also carries what the queue sorts by (on call, entity) and searches (number, subject,
-- requester): counting, filtering and ordering the open queue then read the index alone, and
-- only the page's 50 rows are read from the table.
CREATE INDEX tickets_open_queue ON tickets (state, priority, assigned_to, take_charge_due_at,
    resolution_due_at, on_call, entity_id, number, subject, requester_email)
    WHERE state IN ('new', 'in_progress', 'waiting_entity');
-- An operator's tickets, newest first ("Il mio lavoro" and the queue's operator filter).
CREATE INDEX tickets_assigned ON tickets (assigned_to, id);
