-- A message for the next page a session shows (issue 9): a refusal with what the person had
-- typed, or a confirmation, kept server-side instead of in the URL (`?errore=` let anyone
-- craft a link that printed their words in a red alert on a cst page). JSON; read once.
ALTER TABLE sessions ADD COLUMN flash TEXT;
