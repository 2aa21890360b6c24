-- The workbench's queue (issue 10). The staff's home counts the open tickets by state,
-- priority, assignee and deadline: one index over exactly those columns, so the count reads
-- the open part of the index (a few hundred entries) and never the years of closed tickets.
CREATE INDEX tickets_open_counts ON tickets (state, priority, assigned_to, take_charge_due_at, resolution_due_at);
-- An operator's tickets, newest first ("Il mio lavoro" and the queue's operator filter).
CREATE INDEX tickets_assigned ON tickets (assigned_to, id);
